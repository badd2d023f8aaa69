// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host as an SVM guest (AMD APM Vol. 2 chapter 15): its VMCB, what it intercepts,
 * and the #VMEXIT handlers, one VMCB per CPU (smp.c); docs/x86.md.
 *
 * Intercepted (everything else runs natively, interrupts and NMIs included: no INTR/NMI
 * intercept and V_INTR_MASKING = 0, so the host's IDT takes them directly, 15.21):
 *   NMI                   taken by the hypervisor: the kick of an emulated INIT or of a
 *                         TLB shootdown (tlb.c), or the host's own NMI, re-injected
 *   VMMCALL               the Lockstep hypercall ABI (hyp/hvc), from CPL 0 only
 *   CPUID                 SVM hidden: leaf 8000_0001h ECX[2] cleared, leaf 8000_000Ah zero;
 *                         Lockstep shown: leaf 1 ECX[31] set, leaf 4000_0000h its signature
 *   RDMSR/WRMSR (MSRPM)   EFER (SVME hidden and kept set), VM_CR and VM_HSAVE_PA (#GP),
 *                         APIC_BASE (the APIC stays at its base, in xAPIC mode)
 *   IN/OUT (IOPM)         the ports ioport.c takes (QEMU's fw_cfg DMA interface, 514h-51Bh:
 *                         a DMA master no IOMMU translates): refused there, logged
 *   VMRUN .. SKINIT       #UD: SVM does not exist for the host
 *   NPF                   a write to the read-only APIC page: emulated (apic.c); a host
 *                         access outside its nested map (hypervisor memory): logged,
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
#include "x86/ioport.h"
#include "x86/svm.h"
#include "x86/tlb.h"
#include "x86/x86.h"

/*
 * MSR permission map, 15.11 "MSR Intercepts": 2 bits per MSR (read, then write), three
 * 2 KiB vectors for MSRs 0000_0000h-0000_1FFFh, C000_0000h-C000_1FFFh, C001_0000h-
 * C001_1FFFh, then a reserved 2 KiB. 8 KiB, page aligned.
 */
static u8 msrpm[2 * 4096] __attribute__((aligned(4096)));
/*
 * I/O permission map, 15.10.1: one bit per port, 12 KiB, page aligned; the ports the
 * hypervisor takes (ioport.c, shared with VMX's I/O bitmaps) set, every other clear.
 */
static u8 iopm[3 * 4096] __attribute__((aligned(4096)));

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

/* APM Vol. 3 E.4.2 (8000_0001h ECX[2] SVM), E.4.9 (8000_000Ah EDX[0] NP); 15.30.1 VM_CR. */
static int svm_check(void)
{
	if (x86_cpuid(0x80000000U, 0).a < 0x8000000aU ||
	    !(x86_cpuid(0x80000001U, 0).c & CPUID_80000001_ECX_SVM)) {
		plat_log("this CPU has no SVM (CPUID 8000_0001h ECX[2]): not starting");
		return -ENODEV;
	}
	if (!(x86_cpuid(0x8000000aU, 0).d & CPUID_8000000A_EDX_NP)) {
		plat_log("SVM without nested paging (CPUID 8000_000Ah EDX[0]): not starting");
		return -ENODEV;
	}
	/* SVMDIS set by firmware makes EFER.SVME #GP. */
	if (x86_rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		plat_log("SVM disabled by firmware (VM_CR.SVMDIS): not starting");
		return -ENODEV;
	}
	return 0;
}

/* This CPU's SVM: EFER.SVME, the host save area, GIF = 0. */
static void svm_cpu_on(struct x86_cpu *c)
{
	/* 15.4 "Enabling SVM": EFER.SVME; 15.30.4 VM_HSAVE_PA: the host save area. NXE: the
	 * nested walk's NX bit is defined only with it (fmt_x86_npt.c). */
	x86_wrmsr(MSR_EFER, x86_rdmsr(MSR_EFER) | EFER_SVME | EFER_NXE);
	x86_wrmsr(MSR_VM_HSAVE_PA, plat_virt_to_phys(c->hsave));
	/* 15.17 "Global Interrupt Flag": held clear whenever the hypervisor runs. */
	__asm__ volatile("clgi" ::: "memory");
}

static void svm_setup(struct x86_cpu *c, u64 n_cr3)
{
	struct vmcb *v = &c->vmcb;

	msrpm_intercept(MSR_EFER);
	msrpm_intercept(MSR_VM_CR);
	msrpm_intercept(MSR_VM_HSAVE_PA);
	msrpm_intercept(MSR_APIC_BASE);
	x86_io_bitmap_fill(iopm, sizeof(iopm));
	/*
	 * NMI: the kick of an emulated INIT (smp.c); a host NMI is taken by the hypervisor
	 * and re-injected (15.13.2 "NMI Intercept": the NMI stays pending until GIF = 1).
	 * INIT never reaches a CPU under the hypervisor: the host's INIT and Startup IPIs are
	 * emulated at their source, the ICR write (apic.c).
	 */
	v->icpt3 = (u32)(SVM_ICPT3_NMI | SVM_ICPT3_CPUID | SVM_ICPT3_IOIO_PROT |
			 SVM_ICPT3_MSR_PROT | SVM_ICPT3_SHUTDOWN);
	v->icpt4 = (u32)(SVM_ICPT4_VMRUN | SVM_ICPT4_VMMCALL | SVM_ICPT4_VMLOAD | SVM_ICPT4_VMSAVE |
			 SVM_ICPT4_STGI | SVM_ICPT4_CLGI | SVM_ICPT4_SKINIT);
	v->iopm_pa = plat_virt_to_phys(iopm);
	v->msrpm_pa = plat_virt_to_phys(msrpm);
	v->asid = 1; /* ASID 0 is the host's own; VMRUN refuses it (15.5.1) */
	v->tlb_ctl = SVM_TLB_FLUSH_ALL;
	v->np_ctl = SVM_NP_ENABLE;
	v->n_cr3 = n_cr3;
}

static void seg_set(struct vmcb_seg *d, const struct x86_seg *s)
{
	d->sel = s->sel;
	d->attr = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

/*
 * The caller's state as the host's first guest state (15.5.1 and Table B-2): EFER with
 * SVME (a guest EFER.SVME of 0 is illegal). FS, GS, TR, LDTR and the SYSCALL/SYSENTER MSRs
 * are not switched by VMRUN and the hypervisor never touches them (no VMLOAD/VMSAVE): they
 * stay the host's.
 */
static void svm_set_state(struct x86_cpu *c, const struct x86_host_state *s)
{
	struct vmcb *v = &c->vmcb;

	seg_set(&v->cs, &s->cs);
	seg_set(&v->ss, &s->ss);
	seg_set(&v->ds, &s->ds);
	seg_set(&v->es, &s->es);
	v->gdtr.base = s->gdt_base;
	v->gdtr.limit = s->gdt_limit;
	v->idtr.base = s->idt_base;
	v->idtr.limit = s->idt_limit;
	v->cpl = (u8)(s->cs.sel & 3);
	v->efer = s->efer | EFER_SVME;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	v->dr6 = 0xffff0ff0ULL; /* architectural reset values (APM Vol. 2 13.1) */
	v->dr7 = 0x400ULL;
	v->rflags = s->rflags;
	v->g_pat = s->pat;
	v->rip = s->rip;
	v->rsp = s->rsp;
	v->rax = s->rax;
}

static void seg_real(struct vmcb_seg *s, u16 sel, u16 attr)
{
	s->sel = sel;
	s->attr = attr;
	s->limit = 0xffff;
	s->base = (u64)sel << 4;
}

/*
 * The host's state on CPU @c after INIT and a Startup IPI with vector @vec: the processor
 * initialization state (APM Vol. 2 14.1.3 Table 14-1: CR0 = 6000_0010h, RFLAGS = 2, DR6,
 * DR7, segments with limit FFFFh, PAT) started in real mode at CS = vec << 8, IP = 0 (16.5
 * "Startup IPI"). The guest keeps EFER.SVME (15.5.1); nested paging applies in real mode.
 */
static void svm_sipi_state(struct x86_cpu *c, u8 vec)
{
	struct vmcb *v = &c->vmcb;

	seg_real(&v->cs, (u16)(vec << 8), 0x9b); /* present, code, read, accessed */
	seg_real(&v->ds, 0, 0x93);		 /* present, data, write, accessed */
	seg_real(&v->es, 0, 0x93);
	seg_real(&v->ss, 0, 0x93);
	v->gdtr.base = 0;
	v->gdtr.limit = 0xffff;
	v->idtr.base = 0;
	v->idtr.limit = 0xffff;
	v->cpl = 0;
	v->efer = EFER_SVME;
	v->cr0 = 0x60000010ULL; /* CD, NW, ET */
	v->cr2 = 0;
	v->cr3 = 0;
	v->cr4 = 0;
	v->dr6 = 0xffff0ff0ULL;
	v->dr7 = 0x400ULL;
	v->rflags = 2;
	v->rip = 0;
	v->rsp = 0;
	v->rax = 0;
	v->g_pat = PAT_RESET;
	v->event_inj = 0;
	v->tlb_ctl = SVM_TLB_FLUSH_ALL;
	memset(&c->gprs, 0, sizeof(c->gprs));
}

/* ---- exits ------------------------------------------------------------------------ */

static void inject(struct vmcb *v, unsigned int vec, bool has_err, u32 err)
{
	v->event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXC | vec;
	if (has_err)
		v->event_inj |= SVM_EVT_ERR_VALID | SVM_EVT_ERR(err);
}

static void exit_cpuid(struct vmcb *v, struct x86_gprs *g)
{
	struct x86_cpuid r = x86_exit_cpuid((u32)v->rax, (u32)g->rcx);

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
	if (msr == MSR_APIC_BASE) {
		/*
		 * The APIC stays where the nested map traps its writes, in xAPIC mode (x2APIC
		 * is hidden from CPUID: its ICR would be MSR 830h): a write may enable or
		 * disable the APIC, nothing else (#GP, as a reserved bit would).
		 */
		if (!write) {
			val = x86_rdmsr(MSR_APIC_BASE);
			v->rax = (u32)val;
			g->rdx = val >> 32;
		} else if ((val & ~APIC_BASE_AE) != (x86_rdmsr(MSR_APIC_BASE) & ~APIC_BASE_AE)) {
			plat_log("host WRMSR APIC_BASE %#llx refused (the APIC stays at %#llx, "
				 "xAPIC mode)",
				 (unsigned long long)val, (unsigned long long)x86_apic_base);
			inject(v, X86_VEC_GP, true, 0);
			return;
		} else {
			x86_wrmsr(MSR_APIC_BASE, val);
		}
		v->rip += 2;
		return;
	}
	/* VM_CR, VM_HSAVE_PA: do not exist on a CPU without SVM (the host's view). */
	inject(v, X86_VEC_GP, true, 0);
}

/* VMMCALL -> the hypercall ABI (exit.c). */
static void exit_vmmcall(struct x86_cpu *c, struct vmcb *v)
{
	if (v->cpl != 0) {
		/* Hypercalls are the kernel's: user space gets #UD, as without Lockstep. */
		inject(v, X86_VEC_UD, false, 0);
		return;
	}
	x86_exit_hvc(c, &v->rax);
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
static void exit_npf(struct x86_cpu *c, struct vmcb *v)
{
	u64 gpa = v->exit_info2, err = v->exit_info1;
	static u64 nr_logged;

	if (ALIGN_DOWN(gpa, PAGE_SIZE) == x86_apic_base && (err & SVM_NPF_W) && (err & SVM_NPF_P)) {
		/* The APIC page is read-only in the host's nested map: its writes are ours. */
		struct x86_guest_view gv = {
			.rip = v->rip,
			.rsp = v->rsp,
			.rax = v->rax,
			.cr3 = v->cr3,
			.cr4 = v->cr4,
			.efer = v->efer,
			.gpa = gpa,
			.cpl = v->cpl,
			.cs_l = !!(v->cs.attr & BIT(9)), /* CS.L: attribute bit 9 (B-2) */
		};

		if (x86_apic_write_exit(c, &gv))
			inject(v, X86_VEC_GP, true, 0);
		else
			v->rip = gv.rip;
		return;
	}
	if (own_host_fault_retry(gpa))
		return; /* raced with a transition that maps it again: retry */
	if (nr_logged++ < 16)
		plat_log("host %s at GPA %#llx refused (NPF error %#llx, RIP %#llx, CPL %u, "
			 "APIC ID %u): not in the host's nested map",
			 (err & SVM_NPF_W) ? "write" : "read", (unsigned long long)gpa,
			 (unsigned long long)err, (unsigned long long)v->rip, v->cpl, c->apic_id);
	if (v->cpl == 3) {
		inject(v, X86_VEC_GP, true, 0);
	} else {
		v->cr2 = gpa;
		inject(v, X86_VEC_PF, true, (u32)(err & SVM_NPF_W));
	}
}

/*
 * An intercepted IN/OUT (only the ports ioport.c takes are in the IOPM): refused by the
 * shared policy. RIP goes to EXITINFO2, the next instruction's (15.10.2: given without nRIP
 * save), unless the host gets #GP (string forms).
 */
static void exit_ioio(struct x86_cpu *c, struct vmcb *v)
{
	struct x86_io io;

	if (!x86_io_from_svm(v->exit_info1, &io))
		plat_panic("IOIO exit with no access size (EXITINFO1 %#llx) on CPU %u",
			   (unsigned long long)v->exit_info1, c->idx);
	if (x86_io_refuse(&io, &v->rax, v->rip, v->cpl, c->apic_id) == X86_IO_GP)
		inject(v, X86_VEC_GP, true, 0);
	else
		v->rip = v->exit_info2;
}

static void handle_exit(struct x86_cpu *c, struct vmcb *v, struct x86_gprs *g)
{
	switch (v->exit_code) {
	case SVM_EXIT_NMI:
		/* The kick of a host INIT parks the CPU (smp.c); any other NMI is the host's. */
		if (!x86_smp_nmi_exit(c))
			v->event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_NMI | X86_VEC_NMI;
		break;
	case SVM_EXIT_CPUID:
		exit_cpuid(v, g);
		break;
	case SVM_EXIT_MSR:
		exit_msr(v, g);
		break;
	case SVM_EXIT_VMMCALL:
		exit_vmmcall(c, v);
		break;
	case SVM_EXIT_NPF:
		exit_npf(c, v);
		break;
	case SVM_EXIT_IOIO:
		exit_ioio(c, v);
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
		plat_panic("host shutdown (triple fault) on CPU %u at RIP %#llx", c->idx,
			   (unsigned long long)v->rip);
	case SVM_EXIT_INVALID:
		plat_panic("VMRUN refused the host's state on CPU %u (VMEXIT_INVALID)", c->idx);
	default:
		plat_panic("unexpected #VMEXIT %#llx on CPU %u (info1 %#llx, info2 %#llx) at RIP "
			   "%#llx",
			   (unsigned long long)v->exit_code, c->idx,
			   (unsigned long long)v->exit_info1, (unsigned long long)v->exit_info2,
			   (unsigned long long)v->rip);
	}
}

static void svm_loop(struct x86_cpu *c) __attribute__((noreturn));
static void svm_loop(struct x86_cpu *c)
{
	struct vmcb *v = &c->vmcb;
	u64 pa = plat_virt_to_phys(v);

	for (;;) {
		/* The host view's TLB shootdown protocol (tlb.c) brackets VMRUN. */
		if (x86_tlb_guest_enter(c))
			v->tlb_ctl = SVM_TLB_FLUSH_ALL;
		x86_svm_run(pa, &c->gprs);
		x86_tlb_guest_exit(c);
		/* EVENTINJ is consumed by VMRUN; TLB_CONTROL is not cleared by it. */
		v->event_inj = 0;
		v->tlb_ctl = 0;
		/*
		 * DMA faults are polled (no IOMMU interrupt): before a hypercall, so that the
		 * counters it may read are settled, and after it, for the faults it caused.
		 */
		if (v->exit_code == SVM_EXIT_VMMCALL || v->exit_code == SVM_EXIT_NPF)
			x86_vtd_poll();
		handle_exit(c, v, &c->gprs);
		if (v->exit_code == SVM_EXIT_VMMCALL)
			x86_vtd_poll();
	}
}

/*
 * #VMEXIT(NMI) leaves the NMI pending until GIF = 1 (15.13.2): open a window (STGI) until
 * the hypervisor's NMI handler has run, bounded, then close it (CLGI).
 */
static void svm_take_nmi(struct x86_cpu *c)
{
	u64 before = __atomic_load_n(&c->nmis_taken, __ATOMIC_ACQUIRE);
	unsigned int i;

	__asm__ volatile("stgi" ::: "memory");
	for (i = 0; i < 1000000 && __atomic_load_n(&c->nmis_taken, __ATOMIC_ACQUIRE) == before; i++)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("clgi" ::: "memory");
}

const struct x86_flavour x86_svm_flavour = {
	.name = "AMD SVM + nested paging",
	.guest = "an SVM guest (ASID 1)",
	.fmt = PT_FMT_X86_NPT,
	.inval = &x86_npt_inval_ops,
	.gif = true,
	.check = svm_check,
	.cpu_on = svm_cpu_on,
	.setup = svm_setup,
	.set_state = svm_set_state,
	.sipi_state = svm_sipi_state,
	.take_nmi = svm_take_nmi,
	.loop = svm_loop,
};
