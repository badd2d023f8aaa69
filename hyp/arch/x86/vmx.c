// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host as a VMX guest (Intel SDM Vol. 3C chapters 23-29): VMXON on every CPU, one VMCS
 * per CPU running the host as an unrestricted guest (25.6, 26.3.1.1) with EPT (29.3) built
 * by the core's PT_FMT_X86_EPT, VPID when INVVPID exists; docs/x86.md "VMX".
 *
 * Exits (everything else runs natively: external interrupts go through the host's IDT,
 * HLT, the other I/O ports, CR3, CR8, INVLPG, MOV DR and the other MSRs do not exit):
 *   NMI (pin-based)       the kick of an emulated INIT, or the host's own NMI, re-injected
 *   CPUID (always)        VMX hidden (leaf 1 ECX[5]) and what the controls do not allow
 *                         the host (RDTSCP, INVPCID, XSAVES); Lockstep shown (exit.c)
 *   RDMSR/WRMSR (bitmap)  IA32_FEATURE_CONTROL reads as locked with VMX off, writes #GP;
 *                         the VMX capability MSRs 480h-492h #GP (as without VMX);
 *                         APIC_BASE as with SVM; MSRs outside the bitmap's ranges #GP
 *   IN/OUT (I/O bitmaps)  the ports ioport.c takes, as with SVM (QEMU's fw_cfg DMA
 *                         interface, 514h-51Bh): refused there, logged
 *   MOV to CR0/CR4        only for the bits VMX fixes (IA32_VMX_CR0/CR4_FIXED0/1, masked
 *                         with a read shadow): CR0 emulated, CR4.VMXE refused with #GP
 *   VMCALL (always)       the Lockstep hypercall ABI, from CPL 0 only
 *   VMX instructions,     #UD: VMX does not exist for the host
 *   GETSEC, INVEPT/VPID
 *   XSETBV (always)       checked against CPUID 0Dh, then executed
 *   EPT violation         a write to the read-only APIC page: emulated (apic.c); an access
 *                         outside the host's EPT (hypervisor memory): logged, a fault
 *                         given to the host, the hypervisor goes on
 *   triple fault, failed  logged with the exit qualification or the VM-instruction error,
 *   VM entry              stop
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/ioport.h"
#include "x86/tlb.h"
#include "x86/vmx.h"
#include "x86/x86.h"

#define CR0_PE		  BIT(0)
#define CR0_NE		  BIT(5)
#define CR0_WP		  BIT(16)
#define CR0_NW		  BIT(29)
#define CR0_CD		  BIT(30)
#define CR0_PG		  BIT(31)
#define CR4_PAE		  BIT(5)
#define CR4_VMXE	  BIT(13)
#define CR4_OSXSAVE	  BIT(18)
#define EFER_LME	  BIT(8)
#define EFER_LMA	  BIT(10)
#define CPUID_1_ECX_XSAVE BIT(26)

static struct vmx_caps caps;
static struct vmx_ctls ctls;
static u64 cr0_mask, cr4_mask; /* the bits VMX fixes, owned by the hypervisor */
static u64 eptp;
/* MSR bitmap (24.6.9): read low, read high, write low, write high; 1 KiB each. */
static u8 msr_bitmap[4096] __attribute__((aligned(4096)));
/*
 * I/O bitmaps A (ports 0-7FFFh) and B (8000h-FFFFh), 4 KiB each (24.6.4 "I/O-Bitmap
 * Addresses"; 25.6.4 in newer editions): one after the other they have SVM's IOPM layout,
 * filled from the same policy (ioport.c).
 */
static u8 io_bitmap[2 * 4096] __attribute__((aligned(4096)));

/* The host's RAX is not in the VMCS; head.S reads it right after struct x86_gprs. */
_Static_assert(__builtin_offsetof(struct x86_cpu, rax) ==
		       __builtin_offsetof(struct x86_cpu, gprs) + 0x70,
	       "x86_vmx_run: RAX at gprs + 70h");

/* head.S: VMLAUNCH (@launched 0) or VMRESUME; 0 after a VM exit, 1 if the instruction
 * failed (VMfailInvalid or VMfailValid: the VM-instruction error field says why). */
int x86_vmx_run(struct x86_gprs *g, u64 launched);
void x86_vmx_exit(void);

/* ---- VMX instructions (30.3) ----------------------------------------------------------- */

static u64 vmread(u32 field)
{
	u64 v = 0;

	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"((u64)field) : "cc");
	return v;
}

static const char *insn_error_name(u64 e)
{
	/* 30.4 Table 30-1 "VM-Instruction Error Numbers". */
	switch (e) {
	case 2:
		return "VMCLEAR with invalid physical address";
	case 7:
		return "VM entry with invalid control field(s)";
	case 8:
		return "VM entry with invalid host-state field(s)";
	case 9:
		return "VMPTRLD with invalid physical address";
	case 12:
		return "VMREAD/VMWRITE from/to unsupported VMCS component";
	case 13:
		return "VMWRITE to read-only VMCS component";
	default:
		return "see SDM Vol. 3C Table 30-1";
	}
}

static void vmwrite(u32 field, u64 v)
{
	u8 bad;

	__asm__ volatile("vmwrite %2, %1; setna %0"
			 : "=qm"(bad)
			 : "r"((u64)field), "rm"(v)
			 : "cc", "memory");
	if (bad)
		plat_panic("VMWRITE %#x = %#llx failed: VM-instruction error %llu (%s)", field,
			   (unsigned long long)v, (unsigned long long)vmread(VMCS_INSN_ERROR),
			   insn_error_name(vmread(VMCS_INSN_ERROR)));
}

static bool vmx_insn(const char *what, u64 pa)
{
	u8 bad;

	if (!strcmp(what, "vmxon"))
		__asm__ volatile("vmxon %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	else if (!strcmp(what, "vmclear"))
		__asm__ volatile("vmclear %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	else
		__asm__ volatile("vmptrld %1; setna %0" : "=qm"(bad) : "m"(pa) : "cc", "memory");
	return !bad;
}

/* INVEPT (30.3): single-context for the host's EPTP where supported, else global. */
static void invept(void)
{
	struct {
		u64 eptp, rsvd;
	} d = { eptp, 0 };
	u64 type = (caps.ept_vpid & EPT_CAP_INVEPT_SINGLE) ? 1 : 2;

	__asm__ volatile("invept %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

/* INVVPID (30.3): the host's VPID 1, single-context where supported, else all-context. */
static void invvpid(void)
{
	struct {
		u64 vpid, gla;
	} d = { 1, 0 };
	u64 type = (caps.ept_vpid & VPID_CAP_INVVPID_SINGLE) ? 1 : 2;

	if (ctls.vpid)
		__asm__ volatile("invvpid %0, %1" : : "m"(d), "r"(type) : "cc", "memory");
}

/* ---- checks (prepare: nothing written) -------------------------------------------------- */

static int vmx_check(void)
{
	u64 fc = x86_rdmsr(MSR_FEATURE_CONTROL);
	bool tru;

	/* 23.7 "Enabling and Entering VMX Operation": VMXON #GPs unless IA32_FEATURE_CONTROL
	 * is locked with VMX outside SMX enabled; firmware that locked it off disabled VMX. */
	if ((fc & FEAT_CTL_LOCK) && !(fc & FEAT_CTL_VMX_OUTSIDE_SMX)) {
		plat_log("VMX disabled by firmware (IA32_FEATURE_CONTROL %#llx locked without "
			 "VMX outside SMX): not starting",
			 (unsigned long long)fc);
		return -ENODEV;
	}
	caps.basic = x86_rdmsr(MSR_VMX_BASIC);
	tru = !!(caps.basic & VMX_BASIC_TRUE_CTLS);
	caps.pin = x86_rdmsr(tru ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED);
	caps.proc = x86_rdmsr(tru ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED);
	caps.exit = x86_rdmsr(tru ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
	caps.entry = x86_rdmsr(tru ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
	caps.misc = x86_rdmsr(MSR_VMX_MISC);
	caps.cr0_fixed0 = x86_rdmsr(MSR_VMX_CR0_FIXED0);
	caps.cr0_fixed1 = x86_rdmsr(MSR_VMX_CR0_FIXED1);
	caps.cr4_fixed0 = x86_rdmsr(MSR_VMX_CR4_FIXED0);
	caps.cr4_fixed1 = x86_rdmsr(MSR_VMX_CR4_FIXED1);
	/* A.3.3: the secondary controls and EPT/VPID capabilities exist only when the
	 * primary "activate secondary controls" may be 1. */
	if (caps.proc >> 32 & PROC_SECONDARY) {
		caps.proc2 = x86_rdmsr(MSR_VMX_PROCBASED2);
		caps.ept_vpid = x86_rdmsr(MSR_VMX_EPT_VPID_CAP);
	}
	if (vmx_check_caps(&caps, &ctls))
		return -ENODEV;
	/* Unrestricted guest (26.3.1.1): PE and PG are the host's to choose; the rest of
	 * what VMX fixes (NE; VMXE in CR4) is masked and shadowed. */
	cr0_mask = ((caps.cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG)) | ~caps.cr0_fixed1) & 0xffffffffULL;
	/*
	 * CD and NW too: a firmware may leave them set (Bochs' BIOS does), and the host's
	 * MOV to CR0 that clears them must be checked and shadowed exactly (NW without CD is
	 * #GP, Vol. 3A 2.5); their writes are rare (MTRR and PAT updates).
	 */
	cr0_mask |= CR0_CD | CR0_NW;
	cr4_mask = (caps.cr4_fixed0 | ~caps.cr4_fixed1) & 0xffffffffULL;
	eptp = EPTP_WB_WALK4; /* the root is added by setup */
	plat_log("VMX: revision %#llx, controls pin %#x proc %#x proc2 %#x exit %#x entry %#x; "
		 "VPID %s, PAT %s, RDTSCP %s, INVPCID %s, XSAVES %s",
		 (unsigned long long)(caps.basic & VMX_BASIC_REVISION), ctls.pin, ctls.proc,
		 ctls.proc2, ctls.exit, ctls.entry, ctls.vpid ? "on" : "off",
		 ctls.pat ? "switched" : "shared", ctls.rdtscp ? "on" : "off",
		 ctls.invpcid ? "on" : "off", ctls.xsaves ? "on" : "off");
	return 0;
}

/* ---- per CPU (commit: cannot fail) -------------------------------------------------- */

static u64 fix_cr0(u64 v)
{
	return (v | (caps.cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG))) & caps.cr0_fixed1;
}

static u64 fix_cr4(u64 v)
{
	return (v | caps.cr4_fixed0) & caps.cr4_fixed1;
}

/* 23.7: IA32_FEATURE_CONTROL locked with VMX on (if firmware left it open), CR0/CR4 as
 * IA32_VMX_CR0/CR4_FIXED0/1 require (VMXE), VMXON with this CPU's region. */
static void vmx_cpu_on(struct x86_cpu *c)
{
	u64 fc = x86_rdmsr(MSR_FEATURE_CONTROL), cr0, cr4;

	if (!(fc & FEAT_CTL_LOCK))
		x86_wrmsr(MSR_FEATURE_CONTROL, fc | FEAT_CTL_VMX_OUTSIDE_SMX | FEAT_CTL_LOCK);
	cr0 = (X86_READ_CR(0) | caps.cr0_fixed0) & caps.cr0_fixed1;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	/* OSXSAVE: XSETBV is executed for the host (exit_xsetbv). */
	cr4 = fix_cr4(X86_READ_CR(4) | CR4_VMXE |
		      ((x86_cpuid(1, 0).c & CPUID_1_ECX_XSAVE) ? CR4_OSXSAVE : 0));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	memset(c->vmxon, 0, sizeof(c->vmxon));
	memcpy(c->vmxon, &caps.basic, 4); /* 24.11.5: revision identifier, bit 31 clear */
	if (!vmx_insn("vmxon", plat_virt_to_phys(c->vmxon)))
		plat_panic("VMXON failed on CPU %u (CR0 %#llx, CR4 %#llx)", c->idx,
			   (unsigned long long)cr0, (unsigned long long)cr4);
}

static void msr_intercept(u32 msr)
{
	/* 24.6.9: read bitmap for 0-1FFFh at 0, write bitmap for 0-1FFFh at 800h. */
	msr_bitmap[msr / 8] |= (u8)BIT(msr % 8);
	msr_bitmap[0x800 + msr / 8] |= (u8)BIT(msr % 8);
}

static void vmx_setup(struct x86_cpu *c, u64 root)
{
	struct __attribute__((packed)) {
		u16 limit;
		u64 base;
	} gdt, idt;
	u64 pa = plat_virt_to_phys(c->vmcs);
	u32 m;

	memset(c->vmcs, 0, sizeof(c->vmcs));
	memcpy(c->vmcs, &caps.basic, 4); /* 24.2: revision identifier */
	if (!vmx_insn("vmclear", pa) || !vmx_insn("vmptrld", pa))
		plat_panic("VMCLEAR/VMPTRLD of CPU %u's VMCS failed", c->idx);
	c->launched = false;
	msr_intercept(MSR_FEATURE_CONTROL);
	for (m = MSR_VMX_FIRST; m <= MSR_VMX_LAST; m++)
		msr_intercept(m);
	msr_intercept(MSR_APIC_BASE);
	x86_io_bitmap_fill(io_bitmap, sizeof(io_bitmap));

	/* 24.6 VM-execution controls, 24.7 VM-exit, 24.8 VM-entry. */
	vmwrite(VMCS_PIN_CTLS, ctls.pin);
	vmwrite(VMCS_PROC_CTLS, ctls.proc);
	vmwrite(VMCS_PROC_CTLS2, ctls.proc2);
	vmwrite(VMCS_EXIT_CTLS, ctls.exit);
	vmwrite(VMCS_ENTRY_CTLS, ctls.entry);
	vmwrite(VMCS_EXC_BITMAP, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_ST_CNT, 0);
	vmwrite(VMCS_EXIT_MSR_LD_CNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LD_CNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_MSR_BITMAP, plat_virt_to_phys(msr_bitmap));
	vmwrite(VMCS_IO_BITMAP_A, plat_virt_to_phys(io_bitmap));
	vmwrite(VMCS_IO_BITMAP_B, plat_virt_to_phys(io_bitmap + 4096));
	vmwrite(VMCS_EPTP, root | eptp);
	if (ctls.vpid)
		vmwrite(VMCS_VPID, 1); /* 0 is VMX root's own (26.2.1.1) */
	vmwrite(VMCS_CR0_MASK, cr0_mask);
	vmwrite(VMCS_CR4_MASK, cr4_mask);
	vmwrite(VMCS_LINK_PTR, ~0ULL); /* 26.3.1.5: no shadow VMCS */

	/* 24.5 host state, 26.2.3 its checks: this CPU as x86_cpu_commit left it. */
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdt), "=m"(idt));
	vmwrite(VMCS_HOST_CR0, X86_READ_CR(0));
	vmwrite(VMCS_HOST_CR3, X86_READ_CR(3));
	vmwrite(VMCS_HOST_CR4, X86_READ_CR(4));
	vmwrite(VMCS_HOST_CS_SEL, X86_SEL_CODE);
	vmwrite(VMCS_HOST_SS_SEL, X86_SEL_DATA);
	vmwrite(VMCS_HOST_DS_SEL, X86_SEL_DATA);
	vmwrite(VMCS_HOST_ES_SEL, X86_SEL_DATA);
	vmwrite(VMCS_HOST_FS_SEL, X86_SEL_DATA);
	vmwrite(VMCS_HOST_GS_SEL, X86_SEL_DATA);
	vmwrite(VMCS_HOST_TR_SEL, X86_SEL_TSS); /* 26.2.3: TR cannot be 0 */
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_GS_BASE, 0);
	vmwrite(VMCS_HOST_TR_BASE, (u64)(uintptr_t)x86_hyp_tss);
	vmwrite(VMCS_HOST_GDTR_BASE, gdt.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idt.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_EFER, x86_rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, x86_rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (u64)(uintptr_t)x86_vmx_exit);
	/* VMCS_HOST_RSP: written by x86_vmx_run at every entry. */

	vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_INTR_STATE, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_DR7, 0x400); /* reset value (SDM Vol. 3B 18.2.4) */
}

/* ---- guest state ---------------------------------------------------------------------- */

/* 24.4.1 Table 24-2: access rights from the VMCB-style attribute word; 0 -> unusable. */
static u32 ar_of(u16 attr)
{
	return attr ? ((u32)attr & 0xffU) | (((u32)attr & 0xf00U) << 4) : AR_UNUSABLE;
}

static void seg_write(enum vmx_seg s, u16 sel, u64 base, u32 limit, u32 ar)
{
	vmwrite(VMCS_GUEST_ES_SEL + 2 * s, sel);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * s, base);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * s, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * s, ar);
}

static void set_cr0(u64 v)
{
	vmwrite(VMCS_GUEST_CR0, fix_cr0(v));
	vmwrite(VMCS_CR0_SHADOW, v);
}

static void set_cr4(u64 v)
{
	vmwrite(VMCS_GUEST_CR4, fix_cr4(v));
	vmwrite(VMCS_CR4_SHADOW, v);
}

static void set_efer(u64 efer)
{
	u64 entry = vmread(VMCS_ENTRY_CTLS) & ~(u64)ENTRY_IA32E;

	/* 26.3.1.1: "IA-32e mode guest" must equal EFER.LMA. */
	vmwrite(VMCS_ENTRY_CTLS, entry | ((efer & EFER_LMA) ? ENTRY_IA32E : 0));
	vmwrite(VMCS_GUEST_EFER, efer);
}

/*
 * The caller's state as the host's first guest state (26.3.1 checks). Unlike VMRUN, VM
 * entry loads every segment register and the SYSENTER MSRs: all are captured. A caller
 * without a task register (firmware) gets a busy TSS of its own descriptor or none: TR must
 * be usable and busy (26.3.1.2); the host loads its own before it needs one.
 */
static void vmx_set_state(struct x86_cpu *c, const struct x86_host_state *s)
{
	u32 tr_ar = ar_of(s->tr.attr);

	seg_write(VMX_CS, s->cs.sel, s->cs.base, s->cs.limit, ar_of(s->cs.attr));
	seg_write(VMX_SS, s->ss.sel, s->ss.base, s->ss.limit,
		  ar_of(s->ss.attr) | ((u32)(s->cs.sel & 3) << 5));
	seg_write(VMX_DS, s->ds.sel, s->ds.base, s->ds.limit, ar_of(s->ds.attr));
	seg_write(VMX_ES, s->es.sel, s->es.base, s->es.limit, ar_of(s->es.attr));
	seg_write(VMX_FS, s->fs.sel, s->fs.base, s->fs.limit, ar_of(s->fs.attr));
	seg_write(VMX_GS, s->gs.sel, s->gs.base, s->gs.limit, ar_of(s->gs.attr));
	seg_write(VMX_LDTR, s->ldtr.sel, s->ldtr.base, s->ldtr.limit, ar_of(s->ldtr.attr));
	if (tr_ar & AR_UNUSABLE)
		seg_write(VMX_TR, 0, 0, 0xffff, 0x8b); /* present, 64/32-bit busy TSS */
	else
		seg_write(VMX_TR, s->tr.sel, s->tr.base, s->tr.limit, tr_ar | 2); /* busy */
	vmwrite(VMCS_GUEST_GDTR_BASE, s->gdt_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdt_limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, s->idt_base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idt_limit);
	set_cr0(s->cr0);
	set_cr4(s->cr4);
	plat_log("VMX: the host's CR0 %#llx (mask %#llx), CR4 %#llx (mask %#llx), EFER %#llx",
		 (unsigned long long)s->cr0, (unsigned long long)cr0_mask,
		 (unsigned long long)s->cr4, (unsigned long long)cr4_mask,
		 (unsigned long long)s->efer);
	vmwrite(VMCS_GUEST_CR3, s->cr3);
	set_efer(s->efer);
	if (ctls.pat)
		vmwrite(VMCS_GUEST_PAT, s->pat);
	vmwrite(VMCS_GUEST_SYSENTER_CS, s->sysenter_cs);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, s->sysenter_esp);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, s->sysenter_eip);
	vmwrite(VMCS_GUEST_RFLAGS, s->rflags);
	vmwrite(VMCS_GUEST_RIP, s->rip);
	vmwrite(VMCS_GUEST_RSP, s->rsp);
	c->rax = s->rax;
}

/*
 * After INIT and a Startup IPI with vector @vec: the processor initialization state (SDM
 * Vol. 3A 9.1.1 Table 9-1: CR0 = 6000_0010h, RFLAGS = 2, segments with limit FFFFh, DR7
 * 400h, EFER 0, PAT at its reset value) in real mode at CS = vec << 8, IP = 0 (Vol. 3A
 * 10.4.4 / 11.6.1 "Startup IPI"). Real mode runs as an unrestricted guest (26.3.1.2).
 */
static void vmx_sipi_state(struct x86_cpu *c, u8 vec)
{
	u16 cs = (u16)(vec << 8);
	enum vmx_seg s;

	for (s = VMX_ES; s <= VMX_GS; s++)
		seg_write(s, s == VMX_CS ? cs : 0, s == VMX_CS ? (u64)cs << 4 : 0, 0xffff,
			  s == VMX_CS ? 0x9b : 0x93); /* code: execute/read; data: read/write */
	seg_write(VMX_LDTR, 0, 0, 0xffff, AR_UNUSABLE);
	seg_write(VMX_TR, 0, 0, 0xffff, 0x8b);
	vmwrite(VMCS_GUEST_GDTR_BASE, 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	set_cr0(0x60000010ULL); /* CD, NW, ET */
	set_cr4(0);
	vmwrite(VMCS_GUEST_CR3, 0);
	set_efer(0);
	if (ctls.pat)
		vmwrite(VMCS_GUEST_PAT, PAT_RESET);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RFLAGS, 2);
	vmwrite(VMCS_GUEST_RIP, 0);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_INTR_STATE, 0);
	vmwrite(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	c->rax = 0;
	memset(&c->gprs, 0, sizeof(c->gprs));
	c->flush_tlb = true;
}

/* ---- exits ---------------------------------------------------------------------------- */

static u8 guest_cpl(void)
{
	return (u8)((vmread(VMCS_GUEST_ES_AR + 2 * VMX_SS) >> 5) & 3); /* CPL = SS.DPL */
}

/* 26.6 "Event Injection": a hardware exception @vec (error code @err if @has_err). */
static void inject(unsigned int vec, bool has_err, u32 err)
{
	vmwrite(VMCS_ENTRY_INTR_INFO,
		INTR_INFO_VALID | INTR_TYPE_HW_EXC | vec | (has_err ? INTR_INFO_ERR : 0));
	if (has_err)
		vmwrite(VMCS_ENTRY_EXC_ERR, err);
}

static void skip(void)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN));
}

static u64 gpr_val(const struct x86_cpu *c, unsigned int r, u64 rsp)
{
	const struct x86_gprs *g = &c->gprs;
	const u64 regs[16] = { c->rax, g->rcx, g->rdx, g->rbx, rsp,    g->rbp, g->rsi, g->rdi,
			       g->r8,  g->r9,  g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 };

	return regs[r & 15];
}

static u64 host_cr4(void);

static void exit_cpuid(struct x86_cpu *c)
{
	u32 leaf = (u32)c->rax;
	struct x86_cpuid r = x86_exit_cpuid(leaf, (u32)c->gprs.rcx);

	/*
	 * CPUID runs here with the hypervisor's CR4: the bits that mirror the caller's CR4
	 * (SDM Vol. 2A Table 3-10: leaf 1 ECX[27] OSXSAVE, leaf 7 ECX[4] OSPKE) are the
	 * host's own. Else a host that turned XSAVE off sees OSXSAVE and its XGETBV is #UD.
	 */
	if (leaf == 1)
		r.c = (r.c & ~(u32)BIT(27)) | ((host_cr4() & CR4_OSXSAVE) ? (u32)BIT(27) : 0);
	if (leaf == 7 && (u32)c->gprs.rcx == 0)
		r.c = (r.c & ~(u32)BIT(4)) | ((host_cr4() & BIT(22)) ? (u32)BIT(4) : 0);
	/* What the controls do not enable raises #UD in VMX non-root: hidden (24.6.2). */
	if (leaf == 0x80000001U && !ctls.rdtscp)
		r.d &= ~(u32)BIT(27);
	if (leaf == 7 && (u32)c->gprs.rcx == 0 && !ctls.invpcid)
		r.b &= ~(u32)BIT(10);
	if (leaf == 0xd && (u32)c->gprs.rcx == 1 && !ctls.xsaves)
		r.a &= ~(u32)BIT(3);
	c->rax = r.a;
	c->gprs.rbx = r.b;
	c->gprs.rcx = r.c;
	c->gprs.rdx = r.d;
	skip();
}

static void exit_msr(struct x86_cpu *c, bool write)
{
	u32 msr = (u32)c->gprs.rcx;
	u64 val = (c->gprs.rdx << 32) | (u32)c->rax;
	static u64 nr_logged;

	if (msr == MSR_FEATURE_CONTROL && !write) {
		/* Locked, VMX off: what a CPU whose firmware disabled VMX shows (23.7). */
		c->rax = FEAT_CTL_LOCK;
		c->gprs.rdx = 0;
		skip();
		return;
	}
	if (msr == MSR_APIC_BASE) {
		/* The APIC stays where EPT traps its writes, in xAPIC mode (svm.c's reason). */
		if (!write) {
			val = x86_rdmsr(MSR_APIC_BASE);
			c->rax = (u32)val;
			c->gprs.rdx = val >> 32;
		} else if ((val & ~APIC_BASE_AE) != (x86_rdmsr(MSR_APIC_BASE) & ~APIC_BASE_AE)) {
			plat_log("host WRMSR APIC_BASE %#llx refused (the APIC stays at %#llx, "
				 "xAPIC mode)",
				 (unsigned long long)val, (unsigned long long)x86_apic_base);
			inject(X86_VEC_GP, true, 0);
			return;
		} else {
			x86_wrmsr(MSR_APIC_BASE, val);
		}
		skip();
		return;
	}
	/* IA32_FEATURE_CONTROL writes (locked), the VMX MSRs (no VMX), MSRs outside the
	 * bitmap's ranges (24.6.9: they always exit): #GP, as for an MSR that does not exist. */
	if (nr_logged++ < 16)
		plat_log("host %s of MSR %#x refused (#GP)", write ? "WRMSR" : "RDMSR", msr);
	inject(X86_VEC_GP, true, 0);
}

/*
 * MOV to CR0 with a bit VMX fixes (NE) changed from the shadow: checked as the CPU would
 * (Vol. 3A 2.5, 10.9.2 "Switching Out of IA-32e Mode"), shadowed, written with the fixed
 * bits; a change of PG with EFER.LME switches IA-32e mode, which is then ours to do:
 * EFER.LMA and the "IA-32e mode guest" entry control.
 */
/* The host's view of CR0/CR4: its own bits where unmasked, the shadow where masked (25.3). */
static u64 host_cr0(void)
{
	return (vmread(VMCS_GUEST_CR0) & ~cr0_mask) | (vmread(VMCS_CR0_SHADOW) & cr0_mask);
}

static u64 host_cr4(void)
{
	return (vmread(VMCS_GUEST_CR4) & ~cr4_mask) | (vmread(VMCS_CR4_SHADOW) & cr4_mask);
}

static void mov_to_cr0(u64 v)
{
	u64 old = host_cr0(), efer = vmread(VMCS_GUEST_EFER);
	static u64 nr_logged;

	if (nr_logged++ < 8)
		plat_log("host MOV to CR0 %#llx (was %#llx) emulated", (unsigned long long)v,
			 (unsigned long long)old);

	if ((v >> 32) || ((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)) ||
	    ((v & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME) && !(host_cr4() & CR4_PAE))) {
		inject(X86_VEC_GP, true, 0);
		return;
	}
	if ((v ^ old) & CR0_PG) {
		if ((v & CR0_PG) && (efer & EFER_LME))
			set_efer(efer | EFER_LMA);
		else if (!(v & CR0_PG) && (efer & EFER_LMA))
			set_efer(efer & ~(u64)EFER_LMA);
	}
	if ((v ^ old) & (CR0_PG | CR0_PE | CR0_WP | CR0_CD))
		invvpid();
	set_cr0(v);
	skip();
}

static void exit_cr(struct x86_cpu *c)
{
	u64 q = vmread(VMCS_EXIT_QUAL), rsp = vmread(VMCS_GUEST_RSP);
	u64 v = gpr_val(c, (unsigned int)CRQ_GPR(q), rsp);
	static u64 nr_logged;

	if (CRQ_TYPE(q) == 0 && CRQ_CR(q) == 0) {
		mov_to_cr0(v);
		return;
	}
	/*
	 * CR4: only the bits VMX fixes or does not allow exit, VMXE above all: a host that
	 * sets one gets #GP, as on a CPU without them (Vol. 3A 2.5). LMSW never changes NE.
	 */
	if (nr_logged++ < 16)
		plat_log("host control-register access refused (#GP): qualification %#llx, value "
			 "%#llx",
			 (unsigned long long)q, (unsigned long long)v);
	inject(X86_VEC_GP, true, 0);
}

/* XSETBV (always exits, 25.1.2): XCR0 as the CPU allows (Vol. 1 13.3), then executed. */
static void exit_xsetbv(struct x86_cpu *c)
{
	u64 v = (c->gprs.rdx << 32) | (u32)c->rax;
	struct x86_cpuid d = x86_cpuid(0xd, 0);
	u64 allowed = ((u64)d.d << 32) | d.a;

	if ((u32)c->gprs.rcx != 0 || guest_cpl() || !(v & BIT(0)) || (v & ~allowed) ||
	    ((v & BIT(2)) && !(v & BIT(1))) ||
	    ((v & GENMASK(7, 5)) && (v & GENMASK(7, 5)) != GENMASK(7, 5))) {
		inject(X86_VEC_GP, true, 0);
		return;
	}
	__asm__ volatile("xsetbv" : : "c"(0), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
	skip();
}

static void exit_vmcall(struct x86_cpu *c)
{
	if (guest_cpl() != 0) {
		/* Hypercalls are the kernel's: user space gets #UD, as with SVM. */
		inject(X86_VEC_UD, false, 0);
		return;
	}
	x86_exit_hvc(c, &c->rax);
	skip();
}

/*
 * An access the host's EPT does not allow: hypervisor memory or a hole (28.2.1 Table 28-7).
 * As with SVM: from CPL 3, #GP(0); from CPL 0, #PF with CR2 the linear address (or the
 * guest-physical one when the exit gives none), W as the access.
 */
static void exit_ept_violation(struct x86_cpu *c)
{
	u64 gpa = vmread(VMCS_GUEST_PHYS_ADDR), q = vmread(VMCS_EXIT_QUAL);
	u64 gla = (q & EPTQ_GLA) ? vmread(VMCS_GUEST_LINEAR) : gpa;
	u8 cpl = guest_cpl();
	static u64 nr_logged;

	if (ALIGN_DOWN(gpa, PAGE_SIZE) == x86_apic_base && (q & EPTQ_WRITE) &&
	    (q & EPTQ_READABLE)) {
		/* The APIC page is read-only in the host's EPT: its writes are ours. */
		struct x86_guest_view gv = {
			.rip = vmread(VMCS_GUEST_RIP),
			.rsp = vmread(VMCS_GUEST_RSP),
			.rax = c->rax,
			.cr3 = vmread(VMCS_GUEST_CR3),
			.cr4 = vmread(VMCS_GUEST_CR4),
			.efer = vmread(VMCS_GUEST_EFER),
			.gpa = gpa,
			.cpl = cpl,
			.cs_l = !!(vmread(VMCS_GUEST_ES_AR + 2 * VMX_CS) & BIT(13)), /* CS.L */
		};

		if (x86_apic_write_exit(c, &gv))
			inject(X86_VEC_GP, true, 0);
		else
			vmwrite(VMCS_GUEST_RIP, gv.rip);
		return;
	}
	if (own_host_fault_retry(gpa)) {
		/* Raced with a transition that maps it again: retry. An IRET that unblocked
		 * NMIs before the fault must leave them blocked again (28.2.3, Table 28-7 bit 12). */
		if (q & BIT(12))
			vmwrite(VMCS_GUEST_INTR_STATE,
				vmread(VMCS_GUEST_INTR_STATE) | INTR_STATE_NMI);
		return;
	}
	if (nr_logged++ < 16)
		plat_log("host %s at GPA %#llx refused (EPT violation %#llx, RIP %#llx, CPL %u, "
			 "APIC ID %u): not in the host's EPT",
			 (q & EPTQ_WRITE) ? "write" :
			 (q & EPTQ_FETCH) ? "fetch" :
					    "read",
			 (unsigned long long)gpa, (unsigned long long)q,
			 (unsigned long long)vmread(VMCS_GUEST_RIP), cpl, c->apic_id);
	if (cpl == 3) {
		inject(X86_VEC_GP, true, 0);
	} else {
		/* CR2 is not switched by VM entry (the guest's own register): set it here. */
		__asm__ volatile("mov %0, %%cr2" : : "r"(gla) : "memory");
		inject(X86_VEC_PF, true, (q & EPTQ_WRITE) ? 2U : 0U);
	}
}

/*
 * IN/OUT/INS/OUTS on a port whose bit is set in the I/O bitmaps (26.1.3: any byte of the
 * access; 25.1.3 in older editions): refused by the shared policy, as with SVM. The
 * instruction length is given for I/O exits (28.2.5, 27.2.5 in older editions).
 */
static void exit_io(struct x86_cpu *c)
{
	u64 q = vmread(VMCS_EXIT_QUAL);
	struct x86_io io;

	if (!x86_io_from_vmx(q, &io))
		plat_panic("I/O exit with a reserved access size (qualification %#llx) on CPU %u",
			   (unsigned long long)q, c->idx);
	if (x86_io_refuse(&io, &c->rax, vmread(VMCS_GUEST_RIP), guest_cpl(), c->apic_id) ==
	    X86_IO_GP)
		inject(X86_VEC_GP, true, 0);
	else
		skip();
}

static void exit_nmi(struct x86_cpu *c)
{
	u32 info = (u32)vmread(VMCS_EXIT_INTR_INFO);

	if ((info & INTR_TYPE_MASK) != INTR_TYPE_NMI)
		plat_panic("CPU %u: exception exit %#x with an empty exception bitmap", c->idx,
			   info);
	/* The kick of a host INIT parks the CPU (smp.c); any other NMI is the host's. */
	if (!x86_smp_nmi_exit(c))
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | X86_VEC_NMI);
}

static void handle_exit(struct x86_cpu *c, u32 reason)
{
	switch (reason) {
	case EXIT_EXC_NMI:
		exit_nmi(c);
		break;
	case EXIT_CPUID:
		exit_cpuid(c);
		break;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		exit_msr(c, reason == EXIT_WRMSR);
		break;
	case EXIT_CR:
		exit_cr(c);
		break;
	case EXIT_IO:
		exit_io(c);
		break;
	case EXIT_VMCALL:
		exit_vmcall(c);
		break;
	case EXIT_XSETBV:
		exit_xsetbv(c);
		break;
	case EXIT_EPT_VIOLATION:
		exit_ept_violation(c);
		break;
	case EXIT_INVD:
		/* INVD would drop dirty lines the hypervisor owns too: written back instead. */
		__asm__ volatile("wbinvd" ::: "memory");
		skip();
		break;
	case EXIT_INIT:
		/* No INIT is sent to a CPU under Lockstep (apic.c); one from elsewhere is
		 * dropped: the CPU stays in the host. */
		plat_log("CPU %u: INIT signal dropped", c->idx);
		break;
	case EXIT_GETSEC:
	case EXIT_VMCLEAR ... EXIT_VMXON:
	case EXIT_INVEPT:
	case EXIT_INVVPID:
		inject(X86_VEC_UD, false, 0);
		break;
	case EXIT_TRIPLE_FAULT:
		plat_panic("host triple fault (shutdown) on CPU %u at RIP %#llx", c->idx,
			   (unsigned long long)vmread(VMCS_GUEST_RIP));
	case EXIT_EPT_MISCONFIG:
		plat_panic("EPT misconfiguration at GPA %#llx on CPU %u",
			   (unsigned long long)vmread(VMCS_GUEST_PHYS_ADDR), c->idx);
	default:
		plat_panic("unexpected VM exit %u on CPU %u (qualification %#llx) at RIP %#llx",
			   reason, c->idx, (unsigned long long)vmread(VMCS_EXIT_QUAL),
			   (unsigned long long)vmread(VMCS_GUEST_RIP));
	}
}

/* After an NMI exit the NMI is consumed, and blocked until an IRET (27.5.5 / 24.4.2). */
static void vmx_take_nmi(struct x86_cpu *c)
{
	(void)c;
	x86_nmi();
	x86_nmi_unblock();
}

static void vmx_loop(struct x86_cpu *c) __attribute__((noreturn));
static void vmx_loop(struct x86_cpu *c)
{
	u32 reason;

	for (;;) {
		/* An INIT whose kick was taken here, between two entries (smp.c). */
		x86_smp_init_pending(c);
		if (c->flush_tlb) {
			c->flush_tlb = false;
			invvpid();
		}
		/* A host NMI taken between two entries (no GIF here): give it to the host. */
		if (c->host_nmi && !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
			c->host_nmi = false;
			vmwrite(VMCS_ENTRY_INTR_INFO,
				INTR_INFO_VALID | INTR_TYPE_NMI | X86_VEC_NMI);
		}
		/*
		 * The host view's TLB shootdown protocol (tlb.c) brackets the entry: a flush due
		 * is INVEPT of every EPT-derived translation (29.4.3.1), nothing else between it
		 * and the entry.
		 */
		if (x86_tlb_guest_enter(c))
			invept();
		if (x86_vmx_run(&c->gprs, c->launched)) {
			x86_tlb_guest_exit(c);
			plat_panic("CPU %u: %s failed: VM-instruction error %llu (%s)", c->idx,
				   c->launched ? "VMRESUME" : "VMLAUNCH",
				   (unsigned long long)vmread(VMCS_INSN_ERROR),
				   insn_error_name(vmread(VMCS_INSN_ERROR)));
		}
		x86_tlb_guest_exit(c);
		c->launched = true;
		vmwrite(VMCS_ENTRY_INTR_INFO, 0); /* consumed by the entry */
		reason = (u32)vmread(VMCS_EXIT_REASON);
		if (reason & EXIT_REASON_FAILED_ENTRY)
			plat_panic("CPU %u: VM entry failed, exit reason %u (33: invalid guest "
				   "state, 34: MSR loading, 41: machine check), qualification "
				   "%#llx, RIP %#llx",
				   c->idx, reason & 0xffff,
				   (unsigned long long)vmread(VMCS_EXIT_QUAL),
				   (unsigned long long)vmread(VMCS_GUEST_RIP));
		reason &= 0xffff;
		/* DMA faults are polled around the exits that may cause or read them (svm.c). */
		if (reason == EXIT_VMCALL || reason == EXIT_EPT_VIOLATION)
			x86_vtd_poll();
		handle_exit(c, reason);
		if (reason == EXIT_VMCALL)
			x86_vtd_poll();
	}
}

const struct x86_flavour x86_vmx_flavour = {
	.name = "Intel VMX + EPT, unrestricted guest",
	.guest = "a VMX non-root guest (VPID 1)",
	.fmt = PT_FMT_X86_EPT,
	.inval = &x86_npt_inval_ops,
	.gif = false,
	.check = vmx_check,
	.cpu_on = vmx_cpu_on,
	.setup = vmx_setup,
	.set_state = vmx_set_state,
	.sipi_state = vmx_sipi_state,
	.take_nmi = vmx_take_nmi,
	.loop = vmx_loop,
};
