/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm SMMUv3 registers, in-memory structures and commands.
 *
 * Source: Arm "System Memory Management Unit Architecture Specification,
 * SMMU architecture version 3", IHI 0070 (referred to as "SMMU" below):
 *   ch. 3  Operation (3.3 stream table, 3.5 queues, 3.21 structure update rules)
 *   ch. 4  Commands (4.1 command queue format, 4.3 configuration invalidation,
 *          4.4 TLB invalidation, 4.7 CMD_SYNC)
 *   ch. 5  Data structure formats (5.1 L1STD, 5.2 STE)
 *   ch. 6  Memory map and registers (6.2 map, 6.3 register formats)
 *   ch. 7  Faults, errors and events (7.1 command errors, 7.2 event queue
 *          overflow, 7.3 event records, 7.5 GERROR)
 * Section numbers follow issue G of the document; the names given beside
 * them (register, structure, command, event) are the stable reference.
 * Bit positions are given within the 32/64-bit register or the 64-bit
 * structure double-word (dword n covers structure bits [64n+63 : 64n]).
 */
#ifndef HYP_IOMMU_SMMUV3_REGS_H
#define HYP_IOMMU_SMMUV3_REGS_H

#include "hyp/types.h"

/* ---- Memory map (SMMU 6.1, 6.2) -------------------------------------- */

#define SMMU_PAGE0    0x00000U
#define SMMU_PAGE1    0x10000U /* 64 KiB page 1: EVENTQ/PRIQ PROD and CONS */
#define SMMU_MMIO_MIN 0x20000U /* both pages; QEMU virt: 0x09050000 + 0x20000 */

/* ---- ID registers (SMMU 6.3.1 - 6.3.6) -------------------------------- */

#define SMMU_IDR0	    0x000
#define IDR0_S2P	    BIT(0)	  /* stage 2 translation supported */
#define IDR0_S1P	    BIT(1)	  /* stage 1 translation supported */
#define IDR0_TTF	    GENMASK(3, 2) /* translation table formats */
#define IDR0_TTF_AARCH32    0x1U	  /* AArch32 (LPAE) only */
#define IDR0_TTF_AARCH64    0x2U	  /* AArch64 only */
#define IDR0_TTF_BOTH	    0x3U	  /* AArch32 and AArch64 */
#define IDR0_COHACC	    BIT(4)	  /* coherent access to tables, queues */
#define IDR0_BTM	    BIT(5)	  /* broadcast TLB maintenance */
#define IDR0_HTTU	    GENMASK(7, 6) /* hardware access/dirty flag update */
#define IDR0_HYP	    BIT(9)	  /* EL2 (hypervisor) stream world */
#define IDR0_ATS	    BIT(10)	  /* PCIe ATS */
#define IDR0_ASID16	    BIT(12)
#define IDR0_MSI	    BIT(13)
#define IDR0_SEV	    BIT(14)
#define IDR0_PRI	    BIT(16)
#define IDR0_VMID16	    BIT(18) /* 16-bit VMIDs, else 8-bit */
#define IDR0_CD2L	    BIT(19)
#define IDR0_TTENDIAN	    GENMASK(22, 21) /* table endianness */
#define IDR0_TTENDIAN_MIXED 0x0U
#define IDR0_TTENDIAN_LE    0x2U
#define IDR0_TTENDIAN_BE    0x3U
#define IDR0_STALL_MODEL    GENMASK(25, 24)
#define IDR0_TERM_MODEL	    BIT(26)
#define IDR0_ST_LEVEL	    GENMASK(28, 27) /* 0: linear only, 1: 2-level too */
#define IDR0_ST_LEVEL_2LVL  0x1U

#define SMMU_IDR1	   0x004
#define IDR1_SIDSIZE	   GENMASK(5, 0) /* StreamID bits */
#define IDR1_SSIDSIZE	   GENMASK(10, 6)
#define IDR1_PRIQS	   GENMASK(15, 11)
#define IDR1_EVENTQS	   GENMASK(20, 16) /* log2 max event queue entries */
#define IDR1_CMDQS	   GENMASK(25, 21) /* log2 max command queue entries */
#define IDR1_REL	   BIT(28)	   /* preset base addresses are relative */
#define IDR1_QUEUES_PRESET BIT(29)	   /* queue bases fixed by implementation */
#define IDR1_TABLES_PRESET BIT(30)	   /* table bases fixed by implementation */

#define SMMU_IDR2      0x008
#define SMMU_IDR3      0x00c
#define IDR3_HAD       BIT(2)
#define IDR3_RIL       BIT(10)	       /* range invalidation (TLBI ... NUM/SCALE/TG) */
#define IDR3_BBML      GENMASK(12, 11) /* break-before-make level (SMMUv3.2) */
#define IDR3_BBML_NONE 0x0U
#define IDR3_BBML1     0x1U
#define IDR3_BBML2     0x2U

#define SMMU_IDR4    0x010
#define SMMU_IDR5    0x014
#define IDR5_OAS     GENMASK(2, 0) /* output address size, encoding below */
#define IDR5_GRAN4K  BIT(4)
#define IDR5_GRAN16K BIT(5)
#define IDR5_GRAN64K BIT(6)
#define IDR5_VAX     GENMASK(11, 10)

#define SMMU_IIDR  0x018
#define SMMU_AIDR  0x01c /* ArchMinorRev [3:0], ArchMajorRev [7:4] */
#define AIDR_MINOR GENMASK(3, 0)

/* ---- Control registers (SMMU 6.3.9 - 6.3.14) --------------------------- */

#define SMMU_CR0   0x020
#define CR0_SMMUEN BIT(0) /* translation enabled (else GBPA applies) */
#define CR0_PRIQEN BIT(1)
#define CR0_EVTQEN BIT(2)
#define CR0_CMDQEN BIT(3)
#define CR0_ATSCHK BIT(4)
#define CR0_VMW	   GENMASK(8, 6)

#define SMMU_CR0ACK 0x024 /* reflects CR0 once the change took effect */

#define SMMU_CR1     0x028 /* table/queue access attributes */
#define CR1_QUEUE_IC GENMASK(1, 0)
#define CR1_QUEUE_OC GENMASK(3, 2)
#define CR1_QUEUE_SH GENMASK(5, 4)
#define CR1_TABLE_IC GENMASK(7, 6)
#define CR1_TABLE_OC GENMASK(9, 8)
#define CR1_TABLE_SH GENMASK(11, 10)
#define CR1_CACHE_NC 0x0U /* CR1 cacheability: not the TCR encoding */
#define CR1_CACHE_WB 0x1U
#define CR1_CACHE_WT 0x2U
#define CR1_SH_NSH   0x0U
#define CR1_SH_OSH   0x2U
#define CR1_SH_ISH   0x3U

#define SMMU_CR2      0x02c
#define CR2_E2H	      BIT(0)
#define CR2_RECINVSID BIT(1) /* record C_BAD_STREAMID events */
#define CR2_PTM	      BIT(2) /* private TLB maintenance: ignore broadcast TLBI */

#define SMMU_STATUSR 0x040

#define SMMU_GBPA     0x044 /* global bypass attribute (SMMUEN == 0) */
#define GBPA_MEMATTR  GENMASK(3, 0)
#define GBPA_MTCFG    BIT(4)
#define GBPA_ALLOCCFG GENMASK(11, 8)
#define GBPA_SHCFG    GENMASK(13, 12)
#define GBPA_PRIVCFG  GENMASK(17, 16)
#define GBPA_INSTCFG  GENMASK(19, 18)
#define GBPA_ABORT    BIT(20) /* abort all incoming transactions */
#define GBPA_UPDATE   BIT(31) /* write 1 with new value; clears when done */

/* ---- Interrupts and global errors (SMMU 6.3.16 - 6.3.19, 7.5) ----------- */

#define SMMU_IRQ_CTRL	      0x050
#define IRQ_CTRL_GERROR_IRQEN BIT(0)
#define IRQ_CTRL_PRIQ_IRQEN   BIT(1)
#define IRQ_CTRL_EVTQ_IRQEN   BIT(2)
#define SMMU_IRQ_CTRLACK      0x054

/* An error is active while its GERROR bit differs from GERRORN; toggle GERRORN to ack. */
#define SMMU_GERROR		  0x060
#define SMMU_GERRORN		  0x064
#define GERROR_CMDQ_ERR		  BIT(0) /* command queue error, see CMDQ_CONS.ERR */
#define GERROR_EVTQ_ABT_ERR	  BIT(2) /* event queue write aborted */
#define GERROR_PRIQ_ABT_ERR	  BIT(3)
#define GERROR_MSI_CMDQ_ABT_ERR	  BIT(4)
#define GERROR_MSI_EVTQ_ABT_ERR	  BIT(5)
#define GERROR_MSI_PRIQ_ABT_ERR	  BIT(6)
#define GERROR_MSI_GERROR_ABT_ERR BIT(7)
#define GERROR_SFM_ERR		  BIT(8) /* service failure mode entered */
#define GERROR_CMDQP_ERR	  BIT(9)
#define GERROR_ALL		  0x3fdU
#define SMMU_GERROR_IRQ_CFG0	  0x068

/* ---- Stream table base (SMMU 6.3.23, 6.3.24) ------------------------------ */

#define SMMU_STRTAB_BASE 0x080 /* 64-bit */
#define STRTAB_BASE_ADDR GENMASK(51, 6)
#define STRTAB_BASE_RA	 BIT(62) /* read-allocate hint */

#define SMMU_STRTAB_BASE_CFG	 0x088
#define STRTAB_BASE_CFG_LOG2SIZE GENMASK(5, 0)	/* table covers 2^LOG2SIZE StreamIDs */
#define STRTAB_BASE_CFG_SPLIT	 GENMASK(10, 6) /* 2-level: SID bits resolved by L2 */
#define STRTAB_BASE_CFG_FMT	 GENMASK(17, 16)
#define STRTAB_FMT_LINEAR	 0x0U
#define STRTAB_FMT_2LVL		 0x1U

/* ---- Queues (SMMU 3.5, 6.3.25 - 6.3.30) ----------------------------------- */

#define SMMU_CMDQ_BASE	   0x090 /* 64-bit */
#define SMMU_CMDQ_PROD	   0x098
#define SMMU_CMDQ_CONS	   0x09c
#define SMMU_EVTQ_BASE	   0x0a0 /* 64-bit */
#define SMMU_EVTQ_PROD	   (SMMU_PAGE1 + 0x0a8U)
#define SMMU_EVTQ_CONS	   (SMMU_PAGE1 + 0x0acU)
#define SMMU_EVTQ_IRQ_CFG0 0x0b0

#define Q_BASE_LOG2SIZE GENMASK(4, 0)  /* queue holds 2^LOG2SIZE entries */
#define Q_BASE_ADDR	GENMASK(51, 5) /* aligned to the queue size (min 32 bytes) */
#define Q_BASE_RWA	BIT(62)	       /* read (cmdq) / write (evtq) allocate hint */

/*
 * PROD/CONS: index in [LOG2SIZE-1:0], wrap bit at [LOG2SIZE]. Empty when equal,
 * full when the indices match and the wrap bits differ (SMMU 3.5.1).
 */
#define Q_OVF		    BIT(31)	    /* EVTQ_PROD.OVFLG / EVTQ_CONS.OVACKFLG */
#define CMDQ_CONS_ERR	    GENMASK(30, 24) /* why the command at CONS failed (7.1) */
#define CERROR_NONE	    0x0U
#define CERROR_ILL	    0x1U /* illegal command */
#define CERROR_ABT	    0x2U /* abort reading the command */
#define CERROR_ATC_INV_SYNC 0x3U

#define CMDQ_ENT_BYTES 16U
#define EVTQ_ENT_BYTES 32U

/* ---- Level-1 stream table descriptor (SMMU 5.1) ---------------------------- */

#define L1STD_SPAN  GENMASK(4, 0)  /* L2 holds 2^(SPAN-1) STEs; 0 = invalid */
#define L1STD_L2PTR GENMASK(51, 6) /* L2 table, aligned to its size */

/* ---- Stream table entry (SMMU 5.2), 64 bytes = 8 dwords --------------------- */

#define STE_DWORDS 8U
#define STE_BYTES  64U

/* dword 0 */
#define STE0_V		   BIT(0)
#define STE0_CONFIG	   GENMASK(3, 1)
#define STE_CFG_ABORT	   0x0U /* 0b000: abort all traffic, no event */
#define STE_CFG_BYPASS	   0x4U /* 0b100: S1 bypass, S2 bypass */
#define STE_CFG_S1	   0x5U /* 0b101: S1 translate, S2 bypass */
#define STE_CFG_S2	   0x6U /* 0b110: S1 bypass, S2 translate */
#define STE_CFG_NESTED	   0x7U /* 0b111: both stages */
#define STE0_S1FMT	   GENMASK(5, 4)
#define STE0_S1CTXPTR	   GENMASK(51, 6)
#define STE0_S1CDMAX	   GENMASK(63, 59)
/* dword 1 */
#define STE1_EATS	   GENMASK(29, 28) /* ATS: 0 = translated requests aborted */
#define STE1_STRW	   GENMASK(31, 30) /* stream world: 0 = NS-EL1 */
#define STE1_MEMATTR	   GENMASK(35, 32) /* memory type override (stage-2 MemAttr encoding) */
#define STE1_MTCFG	   BIT(36)	   /* 1: replace the incoming memory type by MemAttr */
#define STE1_SHCFG	   GENMASK(45, 44) /* shareability override */
#define STE_SHCFG_INCOMING 0x1U		   /* use the incoming shareability */
#define STE_SHCFG_ISH	   0x3U		   /* inner shareable */
#define STE_MEMATTR_WB	   0xfU		   /* Normal, inner and outer write-back */
/* dword 2: S2VMID and the VTCR_EL2-shaped block [50:32] (same layout as VTCR_EL2[18:0]) */
#define STE2_S2VMID	   GENMASK(15, 0)
#define STE2_S2T0SZ	   GENMASK(37, 32)
#define STE2_S2SL0	   GENMASK(39, 38)
#define STE2_S2IR0	   GENMASK(41, 40)
#define STE2_S2OR0	   GENMASK(43, 42)
#define STE2_S2SH0	   GENMASK(45, 44)
#define STE2_S2TG	   GENMASK(47, 46) /* 0: 4K, 1: 64K, 2: 16K (as VTCR.TG0) */
#define STE2_S2PS	   GENMASK(50, 48) /* output size, capped to IDR5.OAS */
#define STE2_S2AA64	   BIT(51)	   /* AArch64 stage-2 tables */
#define STE2_S2ENDI	   BIT(52)	   /* big-endian tables */
#define STE2_S2AFFD	   BIT(53)	   /* access flag fault disable */
#define STE2_S2PTW	   BIT(54)	   /* protected table walk (S1 walks to Device fault) */
#define STE2_S2HD	   BIT(55)
#define STE2_S2HA	   BIT(56)
#define STE2_S2S	   BIT(57) /* stall on fault (else terminate) */
#define STE2_S2R	   BIT(58) /* record faults in the event queue */
/* dword 3 */
#define STE3_S2TTB	   GENMASK(51, 4) /* stage-2 root, aligned to the root size */

/* ---- Commands (SMMU 4.1 - 4.7), 16 bytes = 2 dwords ------------------------- */

#define CMD_DWORDS 2U
#define CMD0_OP	   GENMASK(7, 0)

#define CMD_CFGI_STE	   0x03U /* 4.3.1: SID, Leaf */
#define CMD_CFGI_STE_RANGE 0x04U /* 4.3.2: SID, Range; CFGI_ALL = Range 31 */
#define CMD_CFGI_ALL_RANGE 31U
#define CMD_TLBI_EL2_ALL   0x20U
#define CMD_TLBI_S12_VMALL 0x28U /* 4.4: all S1+S2 entries of a VMID */
#define CMD_TLBI_S2_IPA	   0x2aU /* 4.4: S2 entries by IPA (range if IDR3.RIL) */
#define CMD_TLBI_NSNH_ALL  0x30U /* 4.4: all non-secure, non-hyp entries */
#define CMD_SYNC	   0x46U /* 4.7: completes every earlier command */

#define CMD0_CFGI_SID	GENMASK(63, 32)
#define CMD1_CFGI_LEAF	BIT(0)	      /* only the STE, not CDs below it */
#define CMD1_CFGI_RANGE GENMASK(4, 0) /* 2^(Range+1) StreamIDs */

#define CMD0_TLBI_NUM	     GENMASK(16, 12) /* range: (NUM+1) * 2^SCALE granules */
#define CMD0_TLBI_SCALE	     GENMASK(24, 20)
#define CMD0_TLBI_VMID	     GENMASK(47, 32)
#define CMD1_TLBI_LEAF	     BIT(0)	     /* only leaf entries (keep walk caches) */
#define CMD1_TLBI_TTL	     GENMASK(9, 8)   /* level hint of the leaves (range form) */
#define CMD1_TLBI_TG	     GENMASK(11, 10) /* 0: not a range; 1: 4K, 2: 16K, 3: 64K */
#define CMD1_TLBI_ADDR	     GENMASK(51, 12)
#define TLBI_TG_4K	     0x1U
#define TLBI_RANGE_NUM_MAX   31U /* NUM is 5 bits */
#define TLBI_RANGE_SCALE_MAX 31U

#define CMD0_SYNC_CS	  GENMASK(13, 12) /* completion signal */
#define SYNC_CS_NONE	  0x0U		  /* completion seen as CONS passing the SYNC */
#define SYNC_CS_IRQ	  0x1U
#define SYNC_CS_SEV	  0x2U
#define CMD0_SYNC_MSH	  GENMASK(23, 22)
#define CMD0_SYNC_MSIATTR GENMASK(27, 24)

/* ---- Event records (SMMU 7.3), 32 bytes = 4 dwords -------------------------- */

#define EVT_DWORDS 4U
#define EVT0_ID	   GENMASK(7, 0)
#define EVT0_SSV   BIT(11)
#define EVT0_SSID  GENMASK(31, 12)
#define EVT0_SID   GENMASK(63, 32)
#define EVT1_STAG  GENMASK(15, 0)
#define EVT1_STALL BIT(31)
#define EVT1_PNU   BIT(33)	   /* privileged (else unprivileged) */
#define EVT1_IND   BIT(34)	   /* instruction (else data) */
#define EVT1_RNW   BIT(35)	   /* read (else write) */
#define EVT1_S2	   BIT(39)	   /* fault came from stage 2 */
#define EVT1_CLASS GENMASK(41, 40) /* 0: CD fetch, 1: TT fetch, 2: input addr */
#define EVT2_ADDR  GENMASK(63, 0)  /* input address of the transaction */
#define EVT3_IPA   GENMASK(51, 12) /* faulting IPA / fetch address */

#define EVT_F_UUT	       0x01U
#define EVT_C_BAD_STREAMID     0x02U
#define EVT_F_STE_FETCH	       0x03U
#define EVT_C_BAD_STE	       0x04U
#define EVT_F_BAD_ATS_TREQ     0x05U
#define EVT_F_STREAM_DISABLED  0x06U
#define EVT_F_TRANSL_FORBIDDEN 0x07U
#define EVT_C_BAD_SUBSTREAMID  0x08U
#define EVT_F_CD_FETCH	       0x09U
#define EVT_C_BAD_CD	       0x0aU
#define EVT_F_WALK_EABT	       0x0bU
#define EVT_F_TRANSLATION      0x10U
#define EVT_F_ADDR_SIZE	       0x11U
#define EVT_F_ACCESS	       0x12U
#define EVT_F_PERMISSION       0x13U
#define EVT_F_TLB_CONFLICT     0x20U
#define EVT_F_CFG_CONFLICT     0x21U
#define EVT_E_PAGE_REQUEST     0x24U
#define EVT_F_VMS_FETCH	       0x25U

/* ---- Arm VMSAv8-64 VTCR_EL2 fields the STE copies (Arm ARM D23 VTCR_EL2) ---- */

#define S2VTCR_T0SZ	  GENMASK(5, 0)
#define S2VTCR_SL0	  GENMASK(7, 6)
#define S2VTCR_IRGN0	  GENMASK(9, 8)
#define S2VTCR_ORGN0	  GENMASK(11, 10)
#define S2VTCR_SH0	  GENMASK(13, 12)
#define S2VTCR_TG0	  GENMASK(15, 14)
#define S2VTCR_PS	  GENMASK(18, 16)
#define S2VTCR_STE_FIELDS GENMASK(18, 0) /* the part STE dword 2 [50:32] mirrors */
#define S2VTCR_TG0_4K	  0x0U
#define S2VTCR_SL2	  BIT(33) /* FEAT_LPA2 start level -1 */
#define S2VTCR_DS	  BIT(32) /* FEAT_LPA2 52-bit descriptors */

/* Structure sizes against the spec's tables. */
struct smmu_ste {
	u64 d[STE_DWORDS];
};
struct smmu_cmd {
	u64 d[CMD_DWORDS];
};
struct smmu_evt {
	u64 d[EVT_DWORDS];
};
_Static_assert(sizeof(struct smmu_ste) == 64, "STE is 64 bytes (SMMU 5.2)");
_Static_assert(sizeof(struct smmu_cmd) == CMDQ_ENT_BYTES, "command is 16 bytes (SMMU 4.1)");
_Static_assert(sizeof(struct smmu_evt) == EVTQ_ENT_BYTES, "event record is 32 bytes (SMMU 7.3)");
_Static_assert(SMMU_EVTQ_PROD == 0x100a8U, "EVENTQ_PROD lives in page 1 (SMMU 6.2)");

#endif /* HYP_IOMMU_SMMUV3_REGS_H */
