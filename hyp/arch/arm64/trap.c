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
#include "arm64/sysreg.h"
#include "hyp/hvc.h"
#include "hyp/plat.h"

/* ARM_SMCCC "NOT_SUPPORTED" (DEN 0028 5.1). */
#define SMCCC_NOT_SUPPORTED ((u64)-1)

static void trap_hvc(struct arm64_regs *regs, u64 esr)
{
	struct hvc_ctx ctx = { .caller = HVC_CALLER_HOST, .cpu = arm64_this_cpu()->idx };
	struct hvc_regs hr;
	unsigned int i;

	/* SMCCC uses HVC #0 only (DEN 0028 2.8): any other immediate is not a call. */
	if (FIELD_GET(GENMASK(15, 0), esr)) {
		regs->x[0] = SMCCC_NOT_SUPPORTED;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(hr.x); i++)
		hr.x[i] = regs->x[i];
	hvc_handle(&ctx, &hr);
	for (i = 0; i < ARRAY_SIZE(hr.x); i++)
		regs->x[i] = hr.x[i];
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
 * interrupted context (ELR_EL2/SPSR_EL2) to EL1: Arm ARM D1.3.2 "Exception
 * entry" / the AArch64.TakeException() pseudocode (J1.1.3):
 *   ELR_EL1 = preferred return address, SPSR_EL1 = old PSTATE,
 *   ESR_EL1 / FAR_EL1 = syndrome and address,
 *   PSTATE.{D,A,I,F} = 1, M = EL1h, SS = IL = BTYPE = UAO = 0,
 *   PAN = 1 if SCTLR_EL1.SPAN == 0 (else unchanged), SSBS = SCTLR_EL1.DSSBS,
 *   TCO = 1 (FEAT_MTE), NZCV / DIT / ALLINT unchanged,
 *   PC = VBAR_EL1 + offset (current EL with SP0 / SPx, lower EL AArch64 / 32).
 */
static void trap_inject_el1(u64 esr_el1, u64 far)
{
	u64 spsr = read_sysreg(spsr_el2), elr = read_sysreg(elr_el2);
	u64 sctlr = read_sysreg(sctlr_el1), pstate, off;

	if (spsr & PSR_M_AARCH32)
		off = VEC_LOW_A32;
	else if ((spsr & PSR_M) == PSR_M_EL0T)
		off = VEC_LOW_A64;
	else if ((spsr & PSR_M) == PSR_M_EL1T)
		off = VEC_CUR_SP0;
	else
		off = VEC_CUR_SPX;

	write_sysreg(esr_el1, esr_el1);
	write_sysreg(far, far_el1);
	write_sysreg(elr, elr_el1);
	write_sysreg(spsr, spsr_el1);

	pstate = (spsr & (PSR_NZCV | PSR_PAN | BIT(24) /* DIT */ | PSR_ALLINT)) | PSR_DAIF |
		 PSR_M_EL1H;
	if (spsr & PSR_M_AARCH32)
		pstate &= ~(u64)(PSR_PAN | BIT(24) | PSR_ALLINT); /* AArch32 layout differs */
	if (!(sctlr & SCTLR_EL1_SPAN))
		pstate |= PSR_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		pstate |= PSR_SSBS;
	if (FIELD_GET(ID_PFR1_MTE, read_sysreg(id_aa64pfr1_el1)))
		pstate |= PSR_TCO;
	write_sysreg(pstate, spsr_el2);
	write_sysreg(read_sysreg(vbar_el1) + off, elr_el2);
}

/* From EL1 the injected abort is "same EL" (EC 0x25/0x21); from EL0 "lower EL" (0x24/0x20). */
static bool trap_from_el1(void)
{
	u64 spsr = read_sysreg(spsr_el2);

	return !(spsr & PSR_M_AARCH32) && (spsr & PSR_M) != PSR_M_EL0T;
}

void arm64_inject_abort(u64 esr_el2, u64 far)
{
	bool data = FIELD_GET(ESR_EC, esr_el2) == ESR_EC_DABT_LOW;
	u64 ec, fsc, iss;

	if (data)
		ec = trap_from_el1() ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;
	else
		ec = trap_from_el1() ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;
	/*
	 * Synchronous external abort (DFSC/IFSC 0b010000), or "on a translation
	 * table walk" at the walk's level when stage 2 refused a stage-1 table
	 * access (S1PTW). FnV = 0: FAR_EL1 is valid. WnR and CM as the original.
	 */
	if (esr_el2 & ESR_ABT_S1PTW)
		fsc = ESR_FSC_SEA_WALK(FIELD_GET(ESR_FSC_LEVEL, esr_el2));
	else
		fsc = ESR_FSC_SEA;
	iss = fsc;
	if (data)
		iss |= esr_el2 & (ESR_ABT_WNR | ESR_ABT_CM);
	trap_inject_el1(FIELD_PREP(ESR_EC, ec) | (esr_el2 & ESR_IL) | iss, far);
}

static void trap_abort(u64 esr)
{
	u64 far = read_sysreg(far_el2), hpfar = read_sysreg(hpfar_el2);
	u64 elr = read_sysreg(elr_el2);
	u64 ipa = (FIELD_GET(HPFAR_FIPA, hpfar) << 12) | (far & 0xfff);
	bool data = FIELD_GET(ESR_EC, esr) == ESR_EC_DABT_LOW;

	plat_log("cpu %u: host %s abort at IPA %#llx (VA %#llx) PC %#llx EL%u%s ESR %#llx: "
		 "injecting a synchronous external abort",
		 arm64_this_cpu()->idx, data ? ((esr & ESR_ABT_WNR) ? "write" : "read") : "fetch",
		 (unsigned long long)ipa, (unsigned long long)far, (unsigned long long)elr,
		 trap_from_el1() ? 1U : 0U, (esr & ESR_ABT_S1PTW) ? " (stage-1 walk)" : "",
		 (unsigned long long)esr);
	arm64_inject_abort(esr, far);
}

static void trap_undef(u64 esr)
{
	plat_log("cpu %u: unexpected trap from the host, ESR %#llx PC %#llx: injecting UNDEFINED",
		 arm64_this_cpu()->idx, (unsigned long long)esr,
		 (unsigned long long)read_sysreg(elr_el2));
	/* EC 0 "Unknown reason", IL as trapped (D23.2.43). */
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
		trap_abort(esr);
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
