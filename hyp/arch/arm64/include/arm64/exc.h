/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pure computations of the EL2 backend, kept free of system-register access so
 * that the host-native tests (hyp/arch/arm64/test) check them bit by bit:
 * exception entry into the host's EL1 (abort injection) and the EL1 copy of
 * the firmware's EL2 translation regime. trap.c and boot.c read and write the
 * registers around them.
 */
#ifndef ARM64_EXC_H
#define ARM64_EXC_H

#include "arm64/sysreg.h"
#include "hyp/types.h"

/* Offset from VBAR_EL1 of the synchronous vector for an exception taken from @spsr. */
static inline u64 arm64_exc_vector(u64 spsr)
{
	if (spsr & PSR_M_AARCH32)
		return VEC_LOW_A32;
	if ((spsr & PSR_M) == PSR_M_EL0T)
		return VEC_LOW_A64;
	if ((spsr & PSR_M) == PSR_M_EL1T)
		return VEC_CUR_SP0;
	return VEC_CUR_SPX;
}

/* Whether @spsr is an EL1 context (else EL0, AArch64 or AArch32). */
static inline bool arm64_exc_from_el1(u64 spsr)
{
	return !(spsr & PSR_M_AARCH32) && (spsr & PSR_M) != PSR_M_EL0T;
}

/*
 * PSTATE after taking an exception to EL1 from @spsr (Arm ARM, "Exception
 * entry", AArch64.TakeException()): D, A, I, F set; M = EL1h; SS, IL, BTYPE,
 * UAO cleared; NZCV, PAN, DIT unchanged (an SPSR_ELx holding AArch32 state
 * keeps PAN at bit 22 and DIT at bit 24 too), ALLINT unchanged from AArch64
 * (bit 13 is an IT bit of an AArch32 SPSR); PAN set if SCTLR_EL1.SPAN == 0;
 * SSBS = SCTLR_EL1.DSSBS; TCO set with FEAT_MTE.
 */
static inline u64 arm64_exc_pstate(u64 spsr, u64 sctlr_el1, bool mte)
{
	u64 keep = PSR_NZCV | PSR_PAN | PSR_DIT, p;

	if (!(spsr & PSR_M_AARCH32))
		keep |= PSR_ALLINT;
	p = (spsr & keep) | PSR_DAIF | PSR_M_EL1H;
	if (!(sctlr_el1 & SCTLR_EL1_SPAN))
		p |= PSR_PAN;
	if (sctlr_el1 & SCTLR_EL1_DSSBS)
		p |= PSR_SSBS;
	if (mte)
		p |= PSR_TCO;
	return p;
}

/*
 * ESR_EL1 for a synchronous external abort standing in for the stage-2 fault
 * @esr_el2 (a data or instruction abort from a lower EL) taken from @spsr:
 * EC = data/instruction abort from the same EL (EL1) or a lower EL (EL0);
 * IL as trapped; DFSC/IFSC = synchronous external abort (0b010000), or on a
 * translation table walk at the walk's level (0b0101LL) when stage 2 refused
 * a stage-1 table access (S1PTW); WnR and CM kept for data aborts; ISV, FnV,
 * EA and the rest 0 (ESR_ELx, "ISS encoding for an exception from a Data
 * Abort" / "from an Instruction Abort").
 */
static inline u64 arm64_abort_esr_el1(u64 esr_el2, u64 spsr)
{
	bool data = FIELD_GET(ESR_EC, esr_el2) == ESR_EC_DABT_LOW;
	bool el1 = arm64_exc_from_el1(spsr);
	u64 ec, iss;

	if (data)
		ec = el1 ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;
	else
		ec = el1 ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;
	if (esr_el2 & ESR_ABT_S1PTW)
		iss = ESR_FSC_SEA_WALK(FIELD_GET(ESR_FSC_LEVEL, esr_el2));
	else
		iss = ESR_FSC_SEA;
	if (data)
		iss |= esr_el2 & (ESR_ABT_WNR | ESR_ABT_CM);
	return FIELD_PREP(ESR_EC, ec) | (esr_el2 & ESR_IL) | iss;
}

/*
 * TCR_EL1 equivalent of a TCR_EL2 with HCR_EL2.E2H == 0:
 * same TTBR0 walk (T0SZ, IRGN0, ORGN0, SH0, TG0 share bit positions), IPS from
 * PS, TBI0 from TBI, HA/HD moved, TTBR1 walks disabled (EPD1) with a valid
 * granule (TG1 = 4 KiB, encoding 0b10).
 */
static inline u64 arm64_tcr_el1_from_el2(u64 tcr_el2)
{
	u64 tcr = tcr_el2 & (TCR_T0SZ | TCR_IRGN0 | TCR_ORGN0 | TCR_SH0 | TCR_TG0);

	tcr |= FIELD_PREP(TCR_EL1_IPS, FIELD_GET(TCR_EL2_PS, tcr_el2));
	tcr |= TCR_EL1_EPD1 | FIELD_PREP(TCR_EL1_TG1, TCR_TG1_4K);
	if (tcr_el2 & TCR_EL2_TBI)
		tcr |= TCR_EL1_TBI0;
	if (tcr_el2 & TCR_EL2_HA)
		tcr |= TCR_EL1_HA;
	if (tcr_el2 & TCR_EL2_HD)
		tcr |= TCR_EL1_HD;
	return tcr;
}

/* SCTLR_EL1 carrying SCTLR_EL2's MMU, cache, alignment, WXN and endianness controls. */
static inline u64 arm64_sctlr_el1_from_el2(u64 sctlr_el2)
{
	return SCTLR_EL1_RES1 | (sctlr_el2 & (SCTLR_M | SCTLR_A | SCTLR_C | SCTLR_SA | SCTLR_I |
					      SCTLR_WXN | SCTLR_EE));
}

#endif /* ARM64_EXC_H */
