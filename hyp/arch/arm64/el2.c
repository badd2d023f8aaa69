// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU EL2 configuration, identical on the boot CPU and on every CPU woken
 * through the PSCI relay: what the host at EL1 may use without trapping, and
 * the stage-2 that confines it.
 *
 * The rule: the host is a normal EL1 kernel on a CPU with every feature the
 * hardware has (QEMU -cpu max has many), so each EL2 control that would trap
 * or disable an EL1 feature is opened when the feature exists, the way Linux's
 * own EL2 setup (arch/arm64/include/asm/el2_setup.h, init_el2_state and
 * finalise_el2_state) opens them before it drops to EL1 in nVHE mode. Only the
 * controls isolation needs stay set: HCR_EL2.VM (stage-2) and HCR_EL2.TSC
 * (SMC to the PSCI relay). Details and the reason for each: docs/arm64.md.
 */
#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/sysreg.h"
#include "hyp/plat.h"

static u64 id_field(u64 reg, u64 mask)
{
	return FIELD_GET(mask, reg);
}

/* MDCR_EL2: no debug/PMU traps; all counters to EL1 but blind to EL2; SPE/TRBE owned by EL1. */
static void el2_setup_debug(u64 dfr0)
{
	u64 mdcr = 0, pmuver = id_field(dfr0, ID_DFR0_PMUVER);

	if (pmuver && pmuver != ID_DFR0_PMUVER_IMPDEF) {
		mdcr |= FIELD_PREP(MDCR_HPMN, FIELD_GET(PMCR_N, read_sysreg(pmcr_el0)));
		/*
		 * The host's counters must not count Lockstep's own events (a side channel).
		 * Only the benchmark image (built with -DLOCKSTEP_BENCH_EL2_PMU for make bench-vm,
		 * bench-gmem and bench-iommu, never booted by make test or make run) lets them,
		 * to count EL2 instructions.
		 */
#ifndef LOCKSTEP_BENCH_EL2_PMU
		if (pmuver >= 4)
			mdcr |= MDCR_HPMD;
#endif
	}
	if (id_field(dfr0, ID_DFR0_PMSVER)) {
		/* PMBIDR_EL1.P == 1: the buffer belongs to a higher EL; leave it alone. */
		if (!(read_sysreg(SYS_PMBIDR_EL1) & PMBIDR_P)) {
			write_sysreg(PMSCR_EL2_PA | PMSCR_EL2_PCT, SYS_PMSCR_EL2);
			mdcr |= FIELD_PREP(MDCR_E2PB, 3); /* EL1&0 regime owns the buffer */
		}
	}
	if (id_field(dfr0, ID_DFR0_TRACEBUF) && !(read_sysreg(SYS_TRBIDR_EL1) & TRBIDR_P))
		mdcr |= FIELD_PREP(MDCR_E2TB, 3); /* EL1&0 regime owns the trace buffer */
	write_sysreg(mdcr, mdcr_el2);
}

/*
 * Fine-grained traps (FEAT_FGT; HFGRTR_EL2, HFGWTR_EL2, HFGITR_EL2, HDFGRTR_EL2,
 * HDFGWTR_EL2): the registers reset to UNKNOWN; "n" bits trap when 0.
 */
static void el2_setup_fgt(u64 mmfr0, u64 dfr0, u64 pfr0, u64 pfr1, u64 mmfr3)
{
	u64 hfg = 0, hdfg = 0, fgt = id_field(mmfr0, ID_MMFR0_FGT);

	if (!fgt)
		return;
	if (id_field(dfr0, ID_DFR0_PMSVER) >= 3)
		hdfg |= HDFGXTR_NPMSNEVFR_EL1;
	if (id_field(dfr0, ID_DFR0_BRBE))
		hdfg |= HDFGXTR_NBRBIDR | HDFGXTR_NBRBCTL | HDFGXTR_NBRBDATA;
	write_sysreg(hdfg, SYS_HDFGRTR_EL2);
	write_sysreg(hdfg, SYS_HDFGWTR_EL2);

	if (id_field(pfr1, ID_PFR1_SME))
		hfg |= HFGXTR_NSMPRI_EL1 | HFGXTR_NTPIDR2_EL0;
	if (id_field(mmfr3, ID_MMFR3_S1PIE))
		hfg |= HFGXTR_NPIR_EL1 | HFGXTR_NPIRE0_EL1;
	if (id_field(mmfr3, ID_MMFR3_S1POE))
		hfg |= HFGXTR_NPOR_EL0 | HFGXTR_NPOR_EL1;
	if (id_field(pfr1, ID_PFR1_GCS))
		hfg |= HFGXTR_NGCS_EL0 | HFGXTR_NGCS_EL1;
	if (id_field(pfr1, ID_PFR1_THE))
		hfg |= HFGXTR_NRCWMASK_EL1;
	write_sysreg(hfg, SYS_HFGRTR_EL2);
	write_sysreg(hfg, SYS_HFGWTR_EL2);
	write_sysreg(0, SYS_HFGITR_EL2);
	if (id_field(pfr0, ID_PFR0_AMU))
		write_sysreg(0, SYS_HAFGRTR_EL2); /* AMU traps UNDEF without AMU */

	if (fgt >= 2) {
		/* FEAT_FGT2: registers reset to UNKNOWN; no trap for anything EL1 may use. */
		write_sysreg(0, SYS_HDFGRTR2_EL2);
		write_sysreg(0, SYS_HDFGWTR2_EL2);
		write_sysreg(0, SYS_HFGRTR2_EL2);
		write_sysreg(0, SYS_HFGWTR2_EL2);
		write_sysreg(0, SYS_HFGITR2_EL2);
	}
}

/* CPTR_EL2 (E2H == 0): no FP/SIMD, SVE, SME or trace traps; full vector lengths. */
static void el2_setup_fp(u64 pfr0, u64 pfr1)
{
	u64 cptr = CPTR_EL2_RES1;
	u64 smcr, smfr0;

	if (id_field(pfr0, ID_PFR0_SVE))
		cptr &= ~CPTR_EL2_TZ;
	if (id_field(pfr1, ID_PFR1_SME))
		cptr &= ~CPTR_EL2_TSM;
	write_sysreg(cptr, cptr_el2); /* TFP, TTA, TAM, TCPAC = 0 */
	isb();
	if (id_field(pfr0, ID_PFR0_SVE))
		write_sysreg(ZCR_LEN_MAX, SYS_ZCR_EL2);
	if (id_field(pfr1, ID_PFR1_SME)) {
		smfr0 = read_sysreg(SYS_ID_AA64SMFR0_EL1);
		smcr = ZCR_LEN_MAX;
		if (smfr0 & ID_SMFR0_FA64)
			smcr |= SMCR_FA64;
		if (id_field(smfr0, ID_SMFR0_SMEVER))
			smcr |= SMCR_EZT0; /* SME2: ZT0 */
		write_sysreg(smcr, SYS_SMCR_EL2);
		if (read_sysreg(SYS_SMIDR_EL1) & SMIDR_SMPS)
			write_sysreg(0, SYS_SMPRIMAP_EL2);
	}
}

static void el2_setup_gic(u64 pfr0)
{
	u64 sre;

	if (!id_field(pfr0, ID_PFR0_GIC))
		return;
	/* GICv3 system registers for EL2 and, through Enable, for EL1 (IHI 0069H 12.2.17). */
	sre = read_sysreg(SYS_ICC_SRE_EL2);
	write_sysreg(sre | ICC_SRE_SRE | ICC_SRE_ENABLE, SYS_ICC_SRE_EL2);
	isb();
	if (read_sysreg(SYS_ICC_SRE_EL2) & ICC_SRE_SRE)
		write_sysreg(0, SYS_ICH_HCR_EL2); /* no virtual interface in use */
}

void arm64_el2_setup_cpu(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1), mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1), isar2 = read_sysreg(id_aa64isar2_el1);
	u64 mmfr3 = read_sysreg(SYS_ID_AA64MMFR3_EL1), pfr2 = read_sysreg(SYS_ID_AA64PFR2_EL1);
	u64 hcrx = 0;

	write_sysreg(arm64_el2.vbar, vbar_el2);

	/* HCRX_EL2 (FEAT_HCX): enable what EL1 may use (Linux: HCRX_HOST_FLAGS + GCSEn). */
	if (id_field(mmfr1, ID_MMFR1_HCX)) {
		if (id_field(isar2, ID_ISAR2_MOPS))
			hcrx |= HCRX_MSCEN;
		if (id_field(mmfr3, ID_MMFR3_TCRX))
			hcrx |= HCRX_TCR2EN;
		if (id_field(pfr2, ID_PFR2_FPMR))
			hcrx |= HCRX_ENFPM;
		if (id_field(pfr1, ID_PFR1_GCS))
			hcrx |= HCRX_GCSEN;
		write_sysreg(hcrx, SYS_HCRX_EL2);
	}

	/* EL1 physical timer and counter without traps; virtual = physical count. */
	write_sysreg(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN, cnthctl_el2);
	write_sysreg(0, cntvoff_el2);

	el2_setup_debug(dfr0);
	if (id_field(mmfr1, ID_MMFR1_LO))
		write_sysreg(0, SYS_LORC_EL1); /* LORegions off */
	el2_setup_gic(pfr0);
	write_sysreg(0, hstr_el2); /* no AArch32 CP15 traps */
	/* The host sees the real CPU identity. */
	write_sysreg(read_sysreg(midr_el1), vpidr_el2);
	write_sysreg(read_sysreg(mpidr_el1), vmpidr_el2);
	el2_setup_fp(pfr0, pfr1);
	el2_setup_fgt(mmfr0, dfr0, pfr0, pfr1, mmfr3);
	if (id_field(pfr1, ID_PFR1_GCS)) {
		/* GCS off at EL1/EL0 until the kernel enables it: BL/RET must not fault. */
		write_sysreg(0, SYS_GCSCR_EL1);
		write_sysreg(0, SYS_GCSCRE0_EL1);
	}
	if (id_field(mmfr3, ID_MMFR3_TCRX))
		write_sysreg(0, SYS_TCR2_EL1); /* no PIE/POE/... until the kernel sets it */
	if (id_field(pfr0, ID_PFR0_MPAM)) {
		write_sysreg(0, SYS_MPAM2_EL2); /* default partition, no EL1 traps */
		if (read_sysreg(SYS_MPAMIDR_EL1) & MPAMIDR_HAS_HCR)
			write_sysreg(0, SYS_MPAMHCR_EL2);
	}

	/* Stage 2, then HCR_EL2.VM turns it on for EL1&0. */
	write_sysreg(arm64_el2.vtcr, vtcr_el2);
	write_sysreg(arm64_el2.vttbr, vttbr_el2);
	isb();
	write_sysreg(arm64_el2.hcr, hcr_el2);
	isb();
	/* Nothing cached for the EL1&0 regime of VMID 0 from before stage 2 existed. */
	__asm__ volatile("tlbi vmalls12e1" : : : "memory");
	dsb(nsh);
	isb();
}

/* One line naming the optional features this CPU has that el2.c opens for EL1. */
void arm64_log_features(void)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
	u64 dfr0 = read_sysreg(id_aa64dfr0_el1), mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1), isar2 = read_sysreg(id_aa64isar2_el1);
	u64 mmfr3 = read_sysreg(SYS_ID_AA64MMFR3_EL1), pfr2 = read_sysreg(SYS_ID_AA64PFR2_EL1);

	plat_log("EL1 gets:%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s (FGT level %llu)",
		 id_field(pfr0, ID_PFR0_SVE) ? " SVE" : "",
		 id_field(pfr1, ID_PFR1_SME) ? " SME" : "",
		 id_field(pfr1, ID_PFR1_MTE) >= 2 ? " MTE2" : "",
		 id_field(pfr1, ID_PFR1_GCS) ? " GCS" : "",
		 id_field(pfr0, ID_PFR0_GIC) ? " GICv3-SRE" : "",
		 id_field(mmfr1, ID_MMFR1_HCX) ? " HCX" : "",
		 id_field(isar2, ID_ISAR2_MOPS) ? " MOPS" : "",
		 id_field(mmfr3, ID_MMFR3_TCRX) ? " TCR2" : "",
		 id_field(mmfr3, ID_MMFR3_S1PIE) ? " S1PIE" : "",
		 id_field(mmfr3, ID_MMFR3_S1POE) ? " S1POE" : "",
		 id_field(pfr2, ID_PFR2_FPMR) ? " FPMR" : "",
		 id_field(mmfr1, ID_MMFR1_LO) ? " LOR" : "",
		 id_field(pfr0, ID_PFR0_MPAM) ? " MPAM" : "",
		 id_field(pfr0, ID_PFR0_AMU) ? " AMU" : "",
		 id_field(dfr0, ID_DFR0_PMSVER) ? " SPE" : "",
		 id_field(dfr0, ID_DFR0_BRBE) ? " BRBE" : "",
		 (unsigned long long)id_field(mmfr0, ID_MMFR0_FGT));
}

/* HCR_EL2 for the host: see docs/arm64.md for each bit. */
u64 arm64_host_hcr(void)
{
	u64 hcr = HCR_VM | HCR_SWIO | HCR_TSC | HCR_RW | HCR_API | HCR_APK;

	if (id_field(read_sysreg(id_aa64pfr1_el1), ID_PFR1_MTE) >= 2)
		hcr |= HCR_ATA; /* allocation tags accessible at EL1 (FEAT_MTE2) */
	return hcr;
}

/*
 * EL1 state for a CPU entering the host through the PSCI relay: MMU and caches
 * off, little-endian (PSCI DEN 0022 6.4.3 "CPU_ON": the caller's entry point
 * runs with the MMU off). FP/SIMD access stays as the reset state left it; the
 * kernel sets CPACR_EL1 itself.
 */
void arm64_el1_reset_state(void)
{
	write_sysreg(SCTLR_EL1_RES1, sctlr_el1);
	isb();
}

struct arm64_cpu *arm64_this_cpu(void)
{
	return (struct arm64_cpu *)read_sysreg(tpidr_el2);
}
