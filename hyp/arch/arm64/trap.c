// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronous exceptions from the host (EL1/EL0, AArch64 or AArch32 EL0):
 *   HVC       -> the hypercall dispatcher (hyp/hvc)
 *   SMC       -> the PSCI relay (trapped by HCR_EL2.TSC)
 *   aborts    -> stage-2 faults: the access reached memory the host may not
 *                touch (the hypervisor, or nothing): inject a synchronous
 *                external abort into EL1 and go on
 *   the rest  -> never configured to trap: inject UNDEFINED and log
 */
#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/gic.h"
#include "arm64/iommu.h"
#include "arm64/psci.h"
#include "arm64/ram.h"
#include "arm64/trap.h"
#include "arm64/exc.h"
#include "arm64/sysreg.h"
#include "hyp/hvc.h"
#include "hyp/own.h"
#include "hyp/plat.h"

#include <lockstep/abi.h>

/* ARM_SMCCC "NOT_SUPPORTED" (DEN 0028 5.1). */
#define SMCCC_NOT_SUPPORTED ((u64)-1)

static void trap_hvc(struct arm64_regs *regs, u64 esr)
{
	struct hvc_ctx ctx = { .caller = HVC_CALLER_HOST, .cpu = arm64_this_cpu()->idx };

	/* SMCCC uses HVC #0 only (DEN 0028 2.8): any other immediate is not a call. */
	if (FIELD_GET(GENMASK(15, 0), esr)) {
		regs->x[0] = SMCCC_NOT_SUPPORTED;
		return;
	}
	hvc_handle(&ctx, &regs->hvc);
	/* Any SMMU event the call caused (or that arrived meanwhile) is logged now. */
	arm64_iommu->poll();
	/* ELR_EL2 already points after the HVC: its preferred return address is the next
	 * instruction (Arm ARM, "Preferred exception return address"). */
}

static void trap_smc(struct arm64_regs *regs, u64 esr)
{
	if (FIELD_GET(GENMASK(15, 0), esr)) {
		plat_log("host SMC #%llu ignored (SMCCC uses #0)",
			 (unsigned long long)FIELD_GET(GENMASK(15, 0), esr));
		regs->x[0] = SMCCC_NOT_SUPPORTED;
	} else {
		arm64_psci_handle(regs);
	}
	/* A trapped SMC's preferred return address is the SMC itself (Arm ARM, HCR_EL2.TSC):
	 * step over the instruction. */
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
}

/*
 * Enter the host's EL1 synchronous vector as the hardware would for an
 * exception with syndrome @esr_el1 and fault address @far taken from the
 * interrupted context (ELR_EL2/SPSR_EL2) to EL1 (Arm ARM, "Exception
 * entry"; the values come from arm64/exc.h): ELR_EL1 = the preferred return
 * address, SPSR_EL1 = the old PSTATE, ESR_EL1 / FAR_EL1 = syndrome and address,
 * new PSTATE in SPSR_EL2, PC = VBAR_EL1 + the vector for the source context.
 */
static void trap_inject_el1(u64 esr_el1, u64 far)
{
	u64 spsr = read_sysreg(spsr_el2), elr = read_sysreg(elr_el2);
	bool mte = FIELD_GET(ID_PFR1_MTE, read_sysreg(id_aa64pfr1_el1)) != 0;

	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far, far_el1);
	write_sysreg(elr, elr_el1);
	write_sysreg(spsr, spsr_el1);
	write_sysreg(arm64_exc_pstate(spsr, read_sysreg(sctlr_el1), mte), spsr_el2);
	write_sysreg(read_sysreg(vbar_el1) + arm64_exc_vector(spsr), elr_el2);
}

void arm64_inject_abort(u64 esr_el2, u64 far)
{
	trap_inject_el1(arm64_abort_esr_el1(esr_el2, read_sysreg(spsr_el2)), far);
}

/* Stage-2 faults that raced with a transition's break-before-make window. */
static u64 trap_s2_retries;

static void trap_abort(struct arm64_regs *regs, u64 esr)
{
	u64 far = read_sysreg(far_el2), hpfar = read_sysreg(hpfar_el2);
	u64 elr = read_sysreg(elr_el2);
	u64 ipa = (FIELD_GET(HPFAR_FIPA, hpfar) << 12) | (far & 0xfff);
	bool data = FIELD_GET(ESR_EC, esr) == ESR_EC_DABT_LOW;

	arm64_iommu->poll();
	if (data && arm64_gic_host_abort(regs, ipa, esr))
		return;
	if (data && arm64_iommu->host_abort(ipa, esr & ESR_ABT_WNR)) {
		arm64_inject_abort(esr, far);
		return;
	}
	/*
	 * FEAT_BBM level 2 lets a split or merge swap a live block without a
	 * break, and allows the TLB to report the overlap as a TLB conflict abort
	 * (Arm ARM D8.16.2): drop this CPU's stage-1+2 entries and retry.
	 */
	if (FIELD_GET(ESR_ABT_FSC, esr) == ESR_FSC_TLB_CONFLICT) {
		__asm__ volatile("tlbi vmalls12e1\n\tdsb nsh\n\tisb" : : : "memory");
		return;
	}
	/*
	 * A transition on another CPU may have had this entry invalid for a
	 * moment (break-before-make while splitting or merging a block the host
	 * keeps). If the host may access the page and the entry is back, this
	 * was that window: return and let the access run again.
	 */
	if (own_host_fault_retry(ipa)) {
		__atomic_fetch_add(&trap_s2_retries, 1, __ATOMIC_RELAXED);
		return;
	}
	plat_log("cpu %u: host %s abort at IPA %#llx (VA %#llx) PC %#llx EL%u%s ESR %#llx, %s: "
		 "injecting a synchronous external abort",
		 arm64_this_cpu()->idx, data ? ((esr & ESR_ABT_WNR) ? "write" : "read") : "fetch",
		 (unsigned long long)ipa, (unsigned long long)far, (unsigned long long)elr,
		 arm64_exc_from_el1(read_sysreg(spsr_el2)) ? 1U : 0U,
		 (esr & ESR_ABT_S1PTW) ? " (stage-1 walk)" : "", (unsigned long long)esr,
		 ipa >= arm64_hyp_base && ipa - arm64_hyp_base < arm64_hyp_size ?
			 "hypervisor memory" :
		 arm64_is_ram(ipa & ~0xfffULL, 0x1000) ? "RAM the host does not own" :
							 "device MMIO denied to the host");
	arm64_inject_abort(esr, far);
}

static void trap_undef(u64 esr)
{
	plat_log("cpu %u: unexpected trap from the host, ESR %#llx PC %#llx: injecting UNDEFINED",
		 arm64_this_cpu()->idx, (unsigned long long)esr,
		 (unsigned long long)read_sysreg(elr_el2));
	/* EC 0 "Unknown reason", IL as trapped. */
	trap_inject_el1(esr & ESR_IL, 0);
}

void arm64_trap_lower(struct arm64_regs *regs)
{
	u64 esr = read_sysreg(esr_el2);

	switch (FIELD_GET(ESR_EC, esr)) {
	case ESR_EC_HVC64:
		trap_hvc(regs, esr);
		break;
	case ESR_EC_SMC64:
		trap_smc(regs, esr);
		break;
	case ESR_EC_DABT_LOW:
	case ESR_EC_IABT_LOW:
		trap_abort(regs, esr);
		break;
	default:
		trap_undef(esr);
		break;
	}
}

void arm64_trap_current(struct arm64_regs *regs, u64 kind)
{
	static const char *const what[] = { "sync", "irq", "fiq", "serror" };

	const struct arm64_cpu *cpu = arm64_this_cpu();

	plat_panic("unexpected %s exception (vector %llu) on cpu %u: ESR %#llx ELR %#llx FAR %#llx "
		   "SPSR %#llx x0 %#llx x30 %#llx",
		   what[kind & 3], (unsigned long long)kind, cpu ? cpu->idx : 0U,
		   (unsigned long long)read_sysreg(esr_el2),
		   (unsigned long long)read_sysreg(elr_el2),
		   (unsigned long long)read_sysreg(far_el2),
		   (unsigned long long)read_sysreg(spsr_el2), (unsigned long long)regs->x[0],
		   (unsigned long long)regs->x[30]);
}
