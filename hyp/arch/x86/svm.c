// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host as an SVM guest (AMD APM Vol. 2 chapter 15): its VMCB, what it intercepts,
 * and the #VMEXIT handlers. One CPU (the boot CPU) runs the host; docs/x86.md.
 *
 * Intercepted (everything else runs natively, interrupts and NMIs included: no INTR/NMI
 * intercept and V_INTR_MASKING = 0, so the host's IDT takes them directly, 15.21):
 *   VMMCALL               the Lockstep hypercall ABI (hyp/hvc), from CPL 0 only
 *   CPUID                 SVM hidden: leaf 8000_0001h ECX[2] cleared, leaf 8000_000Ah zero;
 *                         Lockstep shown: leaf 1 ECX[31] set, leaf 4000_0000h its signature
 *   RDMSR/WRMSR (MSRPM)   EFER (SVME hidden and kept set), VM_CR and VM_HSAVE_PA (#GP)
 *   VMRUN .. SKINIT       #UD: SVM does not exist for the host
 *   NPF                   a host access outside its nested map (hypervisor memory): logged,
 *                         a fault delivered to the host, the hypervisor goes on
 *   SHUTDOWN              the host triple-faulted: logged, stop
 *
 * No nRIP on QEMU's TCG (next_rip is never written): the intercepted instructions have
 * fixed lengths, RIP is advanced by them (CPUID 0F A2, RDMSR 0F 32, WRMSR 0F 30: 2 bytes;
 * VMMCALL 0F 01 D9: 3 bytes, APM Vol. 3 "Opcode Map").
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>

#include "hyp/hvc.h"
#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/svm.h"
#include "x86/x86.h"

static struct vmcb host_vmcb;
static struct x86_gprs host_gprs;
/*
 * MSR permission map, 15.11 "MSR Intercepts": 2 bits per MSR (read, then write), three
 * 2 KiB vectors for MSRs 0000_0000h-0000_1FFFh, C000_0000h-C000_1FFFh, C001_0000h-
 * C001_1FFFh, then a reserved 2 KiB. 8 KiB, page aligned.
 */
static u8 msrpm[2 * 4096] __attribute__((aligned(4096)));
/* I/O permission map (15.10.1), 12 KiB: all clear; consulted only with IOIO_PROT. */
static u8 iopm[3 * 4096] __attribute__((aligned(4096)));
/* Set by the NPT invalidation hook: flush the TLB at the next VMRUN. */
static bool npt_flush;

struct vmcb *x86_host_vmcb(void)
{
	return &host_vmcb;
}

struct x86_gprs *x86_host_gprs(void)
{
	return &host_gprs;
}

static void msrpm_intercept(u32 msr)
{
	u32 base, bit;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xc0000000U < 0x2000)
		base = 0x800;
	else if (msr - 0xc0010000U < 0x2000)
		base = 0x1000;
	else
		plat_panic("MSR %#x has no MSRPM vector", msr);
	bit = (msr & 0x1fff) * 2;
	msrpm[base + bit / 8] |= (u8)(3U << (bit % 8)); /* read and write */
}

void x86_svm_setup(u64 n_cr3)
{
	struct vmcb *v = &host_vmcb;

	msrpm_intercept(MSR_EFER);
	msrpm_intercept(MSR_VM_CR);
	msrpm_intercept(MSR_VM_HSAVE_PA);
	v->icpt3 = (u32)(SVM_ICPT3_CPUID | SVM_ICPT3_MSR_PROT | SVM_ICPT3_SHUTDOWN);
	v->icpt4 = (u32)(SVM_ICPT4_VMRUN | SVM_ICPT4_VMMCALL | SVM_ICPT4_VMLOAD | SVM_ICPT4_VMSAVE |
			 SVM_ICPT4_STGI | SVM_ICPT4_CLGI | SVM_ICPT4_SKINIT);
	v->iopm_pa = plat_virt_to_phys(iopm);
	v->msrpm_pa = plat_virt_to_phys(msrpm);
	v->asid = 1; /* ASID 0 is the host's own; VMRUN refuses it (15.5.1) */
	v->tlb_ctl = SVM_TLB_FLUSH_ALL;
	v->np_ctl = SVM_NP_ENABLE;
	v->n_cr3 = n_cr3;
}

/* ---- NPT invalidation (own_inval_ops for the host view) ---------------------------- */

/*
 * The host's nested mappings changed: flush its TLB entries at the next VMRUN (15.16.1
 * TLB_CONTROL). Only the boot CPU runs the host, and every change is made by a
 * hypercall of that CPU, before it re-enters the host: nothing to wait for.
 */
static void npt_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	(void)priv;
	(void)who;
	(void)g;
	npt_flush = true;
}

static void npt_sync(void *priv, u32 who)
{
	(void)priv;
	(void)who;
}

const struct own_inval_ops x86_npt_inval_ops = {
	.invalidate = npt_invalidate,
	.sync = npt_sync,
};

/* ---- exits ------------------------------------------------------------------------ */

static void inject(struct vmcb *v, unsigned int vec, bool has_err, u32 err)
{
	v->event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXC | vec;
	if (has_err)
		v->event_inj |= SVM_EVT_ERR_VALID | SVM_EVT_ERR(err);
}

static void exit_cpuid(struct vmcb *v, struct x86_gprs *g)
{
	u32 leaf = (u32)v->rax;
	struct x86_cpuid r = x86_cpuid(leaf, (u32)g->rcx);

	if (leaf == 1)
		r.c |= (u32)CPUID_1_ECX_HYPERVISOR;
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
	v->rax = r.a;
	g->rbx = r.b;
	g->rcx = r.c;
	g->rdx = r.d;
	v->rip += 2;
}

static void exit_msr(struct vmcb *v, struct x86_gprs *g)
{
	u32 msr = (u32)g->rcx;
	bool write = v->exit_info1 & 1;
	u64 val = (g->rdx << 32) | (u32)v->rax;

	if (msr == MSR_EFER) {
		/* The host sees EFER without SVME and cannot clear it (VMRUN needs it). */
		if (write) {
			v->efer = val | EFER_SVME;
		} else {
			val = v->efer & ~EFER_SVME;
			v->rax = (u32)val;
			g->rdx = val >> 32;
		}
		v->rip += 2;
		return;
	}
	/* VM_CR, VM_HSAVE_PA: do not exist on a CPU without SVM (the host's view). */
	inject(v, X86_VEC_GP, true, 0);
}

/*
 * VMMCALL -> hvc_handle. Registers (docs/hypercalls.md "x86"): x0 = RAX (function ID in,
 * status out), x1..x5 = RBX, RCX, RDX, RSI, RDI, x6..x13 = R8..R15; x14..x17 read as 0.
 */
static void exit_vmmcall(struct vmcb *v, struct x86_gprs *g)
{
	struct hvc_ctx ctx = { .caller = HVC_CALLER_HOST, .cpu = 0 };
	struct hvc_regs hr = { 0 };
	u64 *gpr[14] = { &v->rax, &g->rbx, &g->rcx, &g->rdx, &g->rsi, &g->rdi, &g->r8,
			 &g->r9,  &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15 };
	unsigned int i;

	if (v->cpl != 0) {
		/* Hypercalls are the kernel's: user space gets #UD, as without Lockstep. */
		inject(v, X86_VEC_UD, false, 0);
		return;
	}
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
	v->rip += 3;
}

/*
 * A host access the nested table does not allow: hypervisor memory or a hole. SVM
 * reports the guest-physical address only (EXITINFO2), never the linear one, so the
 * host gets: from CPL 3, #GP(0) (a SIGSEGV, as for any access the kernel forbids); from
 * CPL 0, #PF with CR2 = the guest-physical address, error code present = 0 and W as the
 * access, which Linux resolves through its exception tables (copy_from_kernel_nofault
 * returns -EFAULT) or reports as an oops naming that address.
 */
static void exit_npf(struct vmcb *v)
{
	u64 gpa = v->exit_info2, err = v->exit_info1;
	static u64 nr_logged;

	if (own_host_fault_retry(gpa))
		return; /* raced with a transition that maps it again: retry */
	if (nr_logged++ < 16)
		plat_log("host %s at GPA %#llx refused (NPF error %#llx, RIP %#llx, CPL %u): "
			 "not in the host's nested map",
			 (err & SVM_NPF_W) ? "write" : "read", (unsigned long long)gpa,
			 (unsigned long long)err, (unsigned long long)v->rip, v->cpl);
	if (v->cpl == 3) {
		inject(v, X86_VEC_GP, true, 0);
	} else {
		v->cr2 = gpa;
		inject(v, X86_VEC_PF, true, (u32)(err & SVM_NPF_W));
	}
}

static void handle_exit(struct vmcb *v, struct x86_gprs *g)
{
	switch (v->exit_code) {
	case SVM_EXIT_CPUID:
		exit_cpuid(v, g);
		break;
	case SVM_EXIT_MSR:
		exit_msr(v, g);
		break;
	case SVM_EXIT_VMMCALL:
		exit_vmmcall(v, g);
		break;
	case SVM_EXIT_NPF:
		exit_npf(v);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMLOAD + 1: /* VMSAVE */
	case SVM_EXIT_VMLOAD + 2: /* STGI */
	case SVM_EXIT_VMLOAD + 3: /* CLGI */
	case SVM_EXIT_SKINIT:
		inject(v, X86_VEC_UD, false, 0);
		break;
	case SVM_EXIT_SHUTDOWN:
		plat_panic("host shutdown (triple fault) at RIP %#llx", (unsigned long long)v->rip);
	case SVM_EXIT_INVALID:
		plat_panic("VMRUN refused the host's state (VMEXIT_INVALID)");
	default:
		plat_panic("unexpected #VMEXIT %#llx (info1 %#llx, info2 %#llx) at RIP %#llx",
			   (unsigned long long)v->exit_code, (unsigned long long)v->exit_info1,
			   (unsigned long long)v->exit_info2, (unsigned long long)v->rip);
	}
}

void x86_svm_loop(void)
{
	struct vmcb *v = &host_vmcb;
	u64 pa = plat_virt_to_phys(v);

	for (;;) {
		x86_svm_run(pa, &host_gprs);
		/* EVENTINJ is consumed by VMRUN; TLB_CONTROL is not cleared by it. */
		v->event_inj = 0;
		v->tlb_ctl = 0;
		/*
		 * DMA faults are polled (no IOMMU interrupt): before a hypercall, so that the
		 * counters it may read are settled, and after it, for the faults it caused.
		 */
		if (v->exit_code == SVM_EXIT_VMMCALL || v->exit_code == SVM_EXIT_NPF)
			x86_vtd_poll();
		handle_exit(v, &host_gprs);
		if (v->exit_code == SVM_EXIT_VMMCALL)
			x86_vtd_poll();
		if (npt_flush) {
			v->tlb_ctl = SVM_TLB_FLUSH_ALL;
			npt_flush = false;
		}
	}
}
