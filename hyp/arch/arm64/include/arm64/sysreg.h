/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AArch64 system registers used by the EL2 backend: accessors and the fields
 * Lockstep programs. Each field is from the register's description in the Arm
 * ARM (DDI 0487 K.a, "AArch64 System Register Descriptions"), named beside it;
 * registers the assembler may not know by name are accessed by encoding.
 */
#ifndef ARM64_SYSREG_H
#define ARM64_SYSREG_H

#include "hyp/types.h"

#define __read_sysreg(r)                                     \
	({                                                   \
		u64 __v;                                     \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)); \
		__v;                                         \
	})
#define __write_sysreg(v, r)                                                  \
	do {                                                                  \
		u64 __w = (u64)(v);                                           \
		__asm__ volatile("msr " #r ", %x0" : : "rZ"(__w) : "memory"); \
	} while (0)
/* Two levels so that SYS_* encodings below expand before being stringified. */
#define read_sysreg(r)	   __read_sysreg(r)
#define write_sysreg(v, r) __write_sysreg(v, r)

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")

/* Encodings S<op0>_<op1>_<Cn>_<Cm>_<op2> of registers newer than binutils 2.40 knows. */
#define SYS_ID_AA64MMFR3_EL1 s3_0_c0_c7_3
#define SYS_ID_AA64MMFR4_EL1 s3_0_c0_c7_4
#define SYS_ID_AA64SMFR0_EL1 s3_0_c0_c4_5
#define SYS_ID_AA64PFR2_EL1  s3_0_c0_c4_2
#define SYS_HCRX_EL2	     s3_4_c1_c2_2
#define SYS_HFGRTR_EL2	     s3_4_c1_c1_4
#define SYS_HFGWTR_EL2	     s3_4_c1_c1_5
#define SYS_HFGITR_EL2	     s3_4_c1_c1_6
#define SYS_HDFGRTR_EL2	     s3_4_c3_c1_4
#define SYS_HDFGWTR_EL2	     s3_4_c3_c1_5
#define SYS_HAFGRTR_EL2	     s3_4_c3_c1_6
#define SYS_HDFGRTR2_EL2     s3_4_c3_c1_0
#define SYS_HDFGWTR2_EL2     s3_4_c3_c1_1
#define SYS_HFGRTR2_EL2	     s3_4_c3_c1_2
#define SYS_HFGWTR2_EL2	     s3_4_c3_c1_3
#define SYS_HFGITR2_EL2	     s3_4_c3_c1_7
#define SYS_ZCR_EL2	     s3_4_c1_c2_0
#define SYS_SMCR_EL2	     s3_4_c1_c2_6
#define SYS_SMPRIMAP_EL2     s3_4_c1_c2_5
#define SYS_SMIDR_EL1	     s3_1_c0_c0_6
#define SYS_GCSCR_EL1	     s3_0_c2_c5_0
#define SYS_GCSCRE0_EL1	     s3_0_c2_c5_2
#define SYS_TCR2_EL1	     s3_0_c2_c0_3
#define SYS_MPAM2_EL2	     s3_4_c10_c5_0
#define SYS_MPAMHCR_EL2	     s3_4_c10_c4_0
#define SYS_MPAMIDR_EL1	     s3_0_c10_c4_4
#define SYS_LORC_EL1	     s3_0_c10_c4_3
#define SYS_PMSCR_EL2	     s3_4_c9_c9_0
#define SYS_PMBIDR_EL1	     s3_0_c9_c10_7
#define SYS_TRBIDR_EL1	     s3_0_c9_c11_7
#define SYS_ICC_SRE_EL2	     s3_4_c12_c9_5
#define SYS_ICH_HCR_EL2	     s3_4_c12_c11_0

/* ID register fields ("General system control registers", ID_AA64*). */
#define ID_PFR0_SVE	      GENMASK(35, 32)
#define ID_PFR0_GIC	      GENMASK(27, 24)
#define ID_PFR0_AMU	      GENMASK(47, 44)
#define ID_PFR0_MPAM	      GENMASK(43, 40)
#define ID_PFR1_MTE	      GENMASK(11, 8)
#define ID_PFR1_SME	      GENMASK(27, 24)
#define ID_PFR1_THE	      GENMASK(51, 48)
#define ID_PFR1_GCS	      GENMASK(47, 44)
#define ID_PFR2_FPMR	      GENMASK(35, 32)
#define ID_DFR0_PMUVER	      GENMASK(11, 8)
#define ID_DFR0_PMSVER	      GENMASK(35, 32)
#define ID_DFR0_TRACEBUF      GENMASK(47, 44)
#define ID_DFR0_BRBE	      GENMASK(55, 52)
#define ID_DFR0_PMUVER_IMPDEF 0xfU
#define ID_MMFR0_PARANGE      GENMASK(3, 0)
#define ID_MMFR0_FGT	      GENMASK(59, 56)
#define ID_MMFR1_VH	      GENMASK(11, 8)
#define ID_MMFR1_LO	      GENMASK(19, 16)
#define ID_MMFR1_HCX	      GENMASK(43, 40)
#define ID_MMFR3_TCRX	      GENMASK(3, 0)
#define ID_MMFR3_S1PIE	      GENMASK(11, 8)
#define ID_MMFR3_S1POE	      GENMASK(19, 16)
#define ID_MMFR4_E2H0	      GENMASK(27, 24)
#define ID_ISAR2_MOPS	      GENMASK(19, 16)
#define ID_SMFR0_FA64	      BIT(63)
#define ID_SMFR0_SMEVER	      GENMASK(59, 56)
#define SMIDR_SMPS	      BIT(15)
#define MPAMIDR_HAS_HCR	      BIT(17)
#define PMBIDR_P	      BIT(4)
#define TRBIDR_P	      BIT(4)
#define PMCR_N		      GENMASK(15, 11)

/* HCR_EL2. */
#define HCR_VM	 BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO	 BIT(3)
#define HCR_IMO	 BIT(4)
#define HCR_AMO	 BIT(5)
#define HCR_TSC	 BIT(19)
#define HCR_RW	 BIT(31)
#define HCR_E2H	 BIT(34)
#define HCR_APK	 BIT(40)
#define HCR_API	 BIT(41)
#define HCR_ATA	 BIT(56)

/* HCRX_EL2. */
#define HCRX_MSCEN  BIT(11)
#define HCRX_TCR2EN BIT(14)
#define HCRX_GCSEN  BIT(22)
#define HCRX_ENFPM  BIT(23)

/* Fine-grained trap "n" bits (HFGRTR_EL2, HDFGRTR_EL2): 0 traps. */
#define HFGXTR_NACCDATA_EL1   BIT(50)
#define HFGXTR_NGCS_EL0	      BIT(52)
#define HFGXTR_NGCS_EL1	      BIT(53)
#define HFGXTR_NSMPRI_EL1     BIT(54)
#define HFGXTR_NTPIDR2_EL0    BIT(55)
#define HFGXTR_NRCWMASK_EL1   BIT(56)
#define HFGXTR_NPIRE0_EL1     BIT(57)
#define HFGXTR_NPIR_EL1	      BIT(58)
#define HFGXTR_NPOR_EL0	      BIT(59)
#define HFGXTR_NPOR_EL1	      BIT(60)
#define HDFGXTR_NBRBIDR	      BIT(59)
#define HDFGXTR_NBRBCTL	      BIT(60)
#define HDFGXTR_NBRBDATA      BIT(61)
#define HDFGXTR_NPMSNEVFR_EL1 BIT(62)

/* SCTLR_EL1 / SCTLR_EL2. */
#define SCTLR_M		BIT(0)
#define SCTLR_A		BIT(1)
#define SCTLR_C		BIT(2)
#define SCTLR_SA	BIT(3)
#define SCTLR_SA0	BIT(4)
#define SCTLR_I		BIT(12)
#define SCTLR_WXN	BIT(19)
#define SCTLR_EE	BIT(25)
#define SCTLR_EL1_SPAN	BIT(23)
#define SCTLR_EL1_DSSBS BIT(44)
/* RES1 bits of SCTLR_EL2 with HCR_EL2.E2H == 0 (SA0, CP15BEN, EOS, nTWI, nTWE, EIS, SPAN,
 * nTLSMD, LSMAOE read as RES1 in this configuration). */
#define SCTLR_EL2_RES1 \
	(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
/* SCTLR_EL1 bits that are RES1 when their features are absent and safe as 1 otherwise:
 * EOS(11), TSCXT(20), EIS(22), SPAN(23), nTLSMD(28), LSMAOE(29). */
#define SCTLR_EL1_RES1 (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* TCR_EL2 (E2H == 0) and TCR_EL1. */
#define TCR_T0SZ     GENMASK(5, 0)
#define TCR_IRGN0    GENMASK(9, 8)
#define TCR_ORGN0    GENMASK(11, 10)
#define TCR_SH0	     GENMASK(13, 12)
#define TCR_TG0	     GENMASK(15, 14)
#define TCR_EL2_PS   GENMASK(18, 16)
#define TCR_EL2_TBI  BIT(20)
#define TCR_EL2_HA   BIT(21)
#define TCR_EL2_HD   BIT(22)
#define TCR_EL2_RES1 (BIT(23) | BIT(31))
#define TCR_EL1_EPD1 BIT(23)
#define TCR_EL1_IPS  GENMASK(34, 32)
#define TCR_EL1_TBI0 BIT(37)
#define TCR_EL1_HA   BIT(39)
#define TCR_EL1_HD   BIT(40)
#define TCR_EL1_TG1  GENMASK(31, 30)
#define TCR_RGN_WBWA 1U
#define TCR_SH_INNER 3U
#define TCR_TG0_4K   0U
#define TCR_TG1_4K   2U

/* VTCR_EL2. */
#define VTCR_T0SZ  GENMASK(5, 0)
#define VTCR_SL0   GENMASK(7, 6)
#define VTCR_IRGN0 GENMASK(9, 8)
#define VTCR_ORGN0 GENMASK(11, 10)
#define VTCR_SH0   GENMASK(13, 12)
#define VTCR_TG0   GENMASK(15, 14)
#define VTCR_PS	   GENMASK(18, 16)
#define VTCR_RES1  BIT(31)

/* CPTR_EL2 (E2H == 0): RES1 bits [13:12] (TSM), [9:0] (TZ = bit 8). */
#define CPTR_EL2_TZ   BIT(8)
#define CPTR_EL2_TSM  BIT(12)
#define CPTR_EL2_RES1 (BIT(13) | BIT(12) | GENMASK(9, 0))

/* CPACR_EL1. */
#define CPACR_FPEN GENMASK(21, 20)

/* MDCR_EL2. */
#define MDCR_HPMN GENMASK(4, 0)
#define MDCR_E2PB GENMASK(13, 12)
#define MDCR_HPMD BIT(17) /* FEAT_PMUv3p1: no event counting at EL2 */
#define MDCR_E2TB GENMASK(25, 24)

/* CNTHCTL_EL2 (E2H == 0). */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN	 BIT(1)

/* ICC_SRE_EL2, GICv3 architecture (IHI 0069H) 12.2.17. */
#define ICC_SRE_SRE    BIT(0)
#define ICC_SRE_ENABLE BIT(3)

/* PMSCR_EL2 (SPE): PA and PCT. */
#define PMSCR_EL2_PA  BIT(4)
#define PMSCR_EL2_PCT BIT(6)

/* ZCR_EL2 / SMCR_EL2 LEN: request the maximum vector length. */
#define ZCR_LEN_MAX GENMASK(3, 0)
#define SMCR_FA64   BIT(31)
#define SMCR_EZT0   BIT(30)

/* ESR_ELx. */
#define ESR_EC		     GENMASK(31, 26)
#define ESR_IL		     BIT(25)
#define ESR_ISS		     GENMASK(24, 0)
#define ESR_EC_UNKNOWN	     0x00U
#define ESR_EC_HVC64	     0x16U
#define ESR_EC_SMC64	     0x17U
#define ESR_EC_SYS64	     0x18U
#define ESR_EC_IABT_LOW	     0x20U
#define ESR_EC_IABT_CUR	     0x21U
#define ESR_EC_DABT_LOW	     0x24U
#define ESR_EC_DABT_CUR	     0x25U
/* Data/instruction abort ISS (ESR_ELx, "ISS encoding for an exception from a Data Abort"). */
#define ESR_ABT_FSC	     GENMASK(5, 0)
#define ESR_ABT_WNR	     BIT(6)
#define ESR_ABT_S1PTW	     BIT(7)
#define ESR_ABT_CM	     BIT(8)
#define ESR_ABT_FNV	     BIT(10)
/* DFSC/IFSC 0b110000: TLB conflict abort (Arm ARM D24.2.40, ESR_ELx ISS for aborts). */
#define ESR_FSC_TLB_CONFLICT 0x30
/* ID_AA64MMFR2_EL1.BBM, bits [55:52]: FEAT_BBM level (Arm ARM D24.2.65). */
#define ID_AA64MMFR2_BBM     GENMASK(55, 52)
#define ESR_FSC_SEA	     0x10U	   /* synchronous external abort, not a walk */
#define ESR_FSC_SEA_WALK(l)  (0x14U + (l)) /* ... on a translation table walk, level l */
#define ESR_FSC_LEVEL	     GENMASK(1, 0)

/* HPFAR_EL2: FIPA = IPA[51:12]. */
#define HPFAR_FIPA GENMASK(43, 4)

/* SPSR_ELx (AArch64 state). */
#define PSR_M	      GENMASK(3, 0)
#define PSR_M_EL0T    0x0U
#define PSR_M_EL1T    0x4U
#define PSR_M_EL1H    0x5U
#define PSR_M_EL2H    0x9U
#define PSR_M_AARCH32 BIT(4)
#define PSR_F	      BIT(6)
#define PSR_I	      BIT(7)
#define PSR_A	      BIT(8)
#define PSR_D	      BIT(9)
#define PSR_DAIF      (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_BTYPE     GENMASK(11, 10)
#define PSR_SSBS      BIT(12)
#define PSR_ALLINT    BIT(13)
#define PSR_IL	      BIT(20)
#define PSR_SS	      BIT(21)
#define PSR_PAN	      BIT(22)
#define PSR_UAO	      BIT(23)
#define PSR_DIT	      BIT(24)
#define PSR_TCO	      BIT(25)
#define PSR_NZCV      GENMASK(31, 28)

/* Exception vector offsets from VBAR_ELx (Arm ARM, "Exception vectors"). */
#define VEC_CUR_SP0 0x000U
#define VEC_CUR_SPX 0x200U
#define VEC_LOW_A64 0x400U
#define VEC_LOW_A32 0x600U

/* PARange / PS / IPS encodings (ID_AA64MMFR0_EL1.PARange) to bits. */
static inline unsigned int arm64_parange_bits(u64 enc)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return enc < ARRAY_SIZE(bits) ? bits[enc] : 48;
}

static inline u64 arm64_bits_parange(unsigned int bits)
{
	if (bits <= 32)
		return 0;
	if (bits <= 36)
		return 1;
	if (bits <= 40)
		return 2;
	if (bits <= 42)
		return 3;
	if (bits <= 44)
		return 4;
	return 5; /* 48 bits: the page-table formats emit 48-bit output addresses */
}

#endif /* ARM64_SYSREG_H */
