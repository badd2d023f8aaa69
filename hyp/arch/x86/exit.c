// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exits both flavours handle alike (docs/x86.md): the Lockstep hypercall (VMMCALL on SVM,
 * VMCALL on VMX) and the host's CPUID view. The flavour decodes the exit, calls these,
 * and advances RIP or injects what they return.
 */
#include <string.h>

#include <lockstep/abi.h>

#include "hyp/hvc.h"
#include "x86/x86.h"

/*
 * Registers (docs/hypercalls.md "x86"): x0 = RAX (function ID in, status out), x1..x5 = RBX,
 * RCX, RDX, RSI, RDI, x6..x13 = R8..R15; x14..x17 read as 0.
 */
void x86_exit_hvc(struct x86_cpu *c, u64 *rax)
{
	struct hvc_ctx ctx = { .caller = HVC_CALLER_HOST, .cpu = c->idx };
	struct hvc_regs hr = { 0 };
	struct x86_gprs *g = &c->gprs;
	u64 *gpr[14] = { rax,	 &g->rbx, &g->rcx, &g->rdx, &g->rsi, &g->rdi, &g->r8,
			 &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gpr); i++)
		hr.x[i] = *gpr[i];
	if (hr.x[0] >= LS_HVC_VCPU_CREATE && hr.x[0] <= LS_HVC_VCPU_RUN) {
		/* No vCPUs on x86 yet (plat.c): refused before the dispatcher, results zero. */
		memset(&hr, 0, sizeof(hr));
		hr.x[0] = (u64)LS_ENOTSUPP;
	} else {
		hvc_handle(&ctx, &hr);
	}
	for (i = 0; i < ARRAY_SIZE(gpr); i++)
		*gpr[i] = hr.x[i];
}

/*
 * CPUID as the host sees it: the hypervisor bit (leaf 1 ECX[31], reserved for hypervisor
 * use) and Lockstep's leaf; xAPIC only (ECX[21] x2APIC hidden: its ICR is an MSR the
 * nested map would not trap, apic.c); both virtualization extensions hidden (VMX: leaf 1
 * ECX[5], Intel SDM Vol. 2A Table 3-10; SVM: 8000_0001h ECX[2] and leaf 8000_000Ah, AMD
 * APM Vol. 3 E.4.2, E.4.9). The flavour hides what it does not let the host use.
 */
struct x86_cpuid x86_exit_cpuid(u32 leaf, u32 sub)
{
	struct x86_cpuid r = x86_cpuid(leaf, sub);

	if (leaf == 1) {
		r.c |= (u32)CPUID_1_ECX_HYPERVISOR;
		r.c &= ~(u32)(CPUID_1_ECX_X2APIC | CPUID_1_ECX_VMX);
	}
	if (leaf == 0x80000001U)
		r.c &= ~(u32)CPUID_80000001_ECX_SVM;
	if (leaf == 0x8000000aU)
		r.a = r.b = r.c = r.d = 0;
	if (leaf == LS_X86_CPUID_LEAF) {
		r.a = LS_X86_CPUID_LEAF;
		r.b = LS_X86_CPUID_SIG_EBX;
		r.c = LS_X86_CPUID_SIG_ECX;
		r.d = LS_X86_CPUID_SIG_EDX;
	}
	return r;
}
