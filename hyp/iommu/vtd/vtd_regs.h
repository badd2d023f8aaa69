/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VT-d remapping hardware: register offsets, bit fields and in-memory
 * structures the hypervisor's driver (vtd.c) and its simulator use.
 *
 * Source: Intel Virtualization Technology for Directed I/O, Architecture
 * Specification (rev 4.x; the same sections are numbered 10.x instead of 11.x
 * in rev 3.x): chapter 11.4 "Register Descriptions", 9.1 "Root Entry",
 * 9.3 "Context Entry", 9.8 "Second-Level Paging Entries" (the entries
 * themselves are hyp/mmu/fmt_vtd_sl.c's), 6.5.2 "Queued Invalidation",
 * 7.1.3 "Fault Reasons", 7.2 "Non-Recoverable Fault Reporting".
 * Only legacy mode (RTADDR.TTM = 00) and 128-bit invalidation descriptors.
 * Register names, offsets and bit positions are the spec's; the 11.4.n
 * sub-section numbers follow the register chapter's order (VER = 11.4.1 ...
 * ICS = 11.4.24) and were not re-checked against the PDF when written.
 */
#ifndef HYP_IOMMU_VTD_REGS_H
#define HYP_IOMMU_VTD_REGS_H

#include "hyp/types.h"

/* ---- Register offsets (VT-d 11.4, Table "Register Address Map") ---------- */
#define VTD_VER_REG    0x000  /* 32: VT-d 11.4.1 Version Register */
#define VTD_CAP_REG    0x008  /* 64: VT-d 11.4.2 Capability Register */
#define VTD_ECAP_REG   0x010  /* 64: VT-d 11.4.3 Extended Capability Register */
#define VTD_GCMD_REG   0x018  /* 32: VT-d 11.4.4 Global Command Register */
#define VTD_GSTS_REG   0x01c  /* 32: VT-d 11.4.5 Global Status Register */
#define VTD_RTADDR_REG 0x020  /* 64: VT-d 11.4.6 Root Table Address Register */
#define VTD_FSTS_REG   0x034  /* 32: VT-d 11.4.9 Fault Status Register */
#define VTD_FECTL_REG  0x038  /* 32: VT-d 11.4.10 Fault Event Control Register */
#define VTD_IQH_REG    0x080  /* 64: VT-d 11.4.21 Invalidation Queue Head Register */
#define VTD_IQT_REG    0x088  /* 64: VT-d 11.4.22 Invalidation Queue Tail Register */
#define VTD_IQA_REG    0x090  /* 64: VT-d 11.4.23 Invalidation Queue Address Register */
#define VTD_ICS_REG    0x09c  /* 32: VT-d 11.4.24 Invalidation Completion Status Register */
#define VTD_REG_SIZE   0x1000 /* one 4 KiB page of registers per unit (fault records included) */

/* VT-d 11.4.1 Version Register */
#define VER_MIN GENMASK(3, 0)
#define VER_MAX GENMASK(7, 4)

/* VT-d 11.4.2 Capability Register */
#define CAP_ND	  GENMASK(2, 0)	  /* Number of Domains: 2^(4 + 2 * ND) domain ids */
#define CAP_RWBF  BIT(4)	  /* Required Write-Buffer Flushing */
#define CAP_CM	  BIT(7)	  /* Caching Mode: not-present entries may be cached */
#define CAP_SAGAW GENMASK(12, 8)  /* Supported Adjusted Guest Address Widths */
#define SAGAW_39  BIT(1)	  /* 39-bit AGAW, 3-level table (context AW = 1) */
#define SAGAW_48  BIT(2)	  /* 48-bit AGAW, 4-level table (context AW = 2) */
#define CAP_MGAW  GENMASK(21, 16) /* Maximum Guest Address Width - 1 */
#define CAP_FRO	  GENMASK(33, 24) /* Fault-recording Register Offset, in 16-byte units */
#define CAP_SLLPS GENMASK(37, 34) /* Second Level Large Page Support */
#define SLLPS_2M  BIT(0)	  /* 2 MiB (level-2 leaf) */
#define SLLPS_1G  BIT(1)	  /* 1 GiB (level-1 leaf) */
#define CAP_PSI	  BIT(39)	  /* Page Selective Invalidation */
#define CAP_NFR	  GENMASK(47, 40) /* Number of Fault-recording Registers - 1 */
#define CAP_MAMV  GENMASK(53, 48) /* Maximum Address Mask Value (page-selective AM) */

/* VT-d 11.4.3 Extended Capability Register */
#define ECAP_C	   BIT(0)  /* Page-walk Coherency: walks snoop the CPU caches */
#define ECAP_QI	   BIT(1)  /* Queued Invalidation support */
#define ECAP_DT	   BIT(2)  /* Device-TLB support (ATS): never enabled here */
#define ECAP_PT	   BIT(6)  /* Pass Through (context TT = 10): never used, it bypasses the table */
#define ECAP_SC	   BIT(7)  /* Snoop Control: SL entry bit 11 (SNP) is defined */
#define ECAP_SMTS  BIT(43) /* Scalable Mode Translation Support (not used: legacy mode) */
#define ECAP_SLADS BIT(45) /* SL Accessed/Dirty: scalable mode only (PASID entry SLADE) */

/*
 * VT-d 11.4.4 Global Command Register / 11.4.5 Global Status Register: the
 * same bit positions (command in GCMD, status in GSTS). SRTP and the other
 * one-shot commands have no persistent state; TE and QIE do.
 */
#define GCMD_TE	     BIT(31) /* Translation Enable / GSTS.TES */
#define GCMD_SRTP    BIT(30) /* Set Root Table Pointer / GSTS.RTPS */
#define GCMD_SFL     BIT(29) /* Set Fault Log (one-shot) / GSTS.FLS */
#define GCMD_EAFL    BIT(28) /* Enable Advanced Fault Logging / GSTS.AFLS */
#define GCMD_WBF     BIT(27) /* Write Buffer Flush (one-shot) / GSTS.WBFS */
#define GCMD_QIE     BIT(26) /* Queued Invalidation Enable / GSTS.QIES */
#define GCMD_IRE     BIT(25) /* Interrupt Remapping Enable / GSTS.IRES */
#define GCMD_SIRTP   BIT(24) /* Set Interrupt Remap Table Pointer (one-shot) / GSTS.IRTPS */
#define GCMD_CFI     BIT(23) /* Compatibility Format Interrupt / GSTS.CFIS */
/*
 * VT-d 11.4.4: software writes GCMD with every persistent enable it wants
 * kept (read from GSTS) plus the one command it issues; the one-shot status
 * bits must not be written back.
 */
#define GSTS_ONESHOT (GCMD_SRTP | GCMD_SFL | GCMD_WBF | GCMD_SIRTP)

/* VT-d 11.4.6 Root Table Address Register */
#define RTADDR_RTA	  GENMASK(63, 12) /* root table, 4 KiB aligned */
#define RTADDR_TTM	  GENMASK(11, 10) /* Translation Table Mode */
#define RTADDR_TTM_LEGACY 0ULL

/* VT-d 11.4.9 Fault Status Register (RW1C bits but FRI) */
#define FSTS_PFO  BIT(0)	 /* Primary Fault Overflow */
#define FSTS_PPF  BIT(1)	 /* Primary Pending Fault (RO: some FRCD.F set) */
#define FSTS_AFO  BIT(2)	 /* Advanced Fault Overflow */
#define FSTS_APF  BIT(3)	 /* Advanced Pending Fault */
#define FSTS_IQE  BIT(4)	 /* Invalidation Queue Error */
#define FSTS_ICE  BIT(5)	 /* Invalidation Completion Error (device-TLB) */
#define FSTS_ITE  BIT(6)	 /* Invalidation Time-out Error (device-TLB) */
#define FSTS_FRI  GENMASK(15, 8) /* Fault Record Index */
#define FSTS_RW1C (FSTS_PFO | FSTS_AFO | FSTS_APF | FSTS_IQE | FSTS_ICE | FSTS_ITE)

/* VT-d 11.4.10 Fault Event Control Register */
#define FECTL_IM BIT(31) /* Interrupt Mask */
#define FECTL_IP BIT(30) /* Interrupt Pending */

/*
 * VT-d 11.4.14 Fault Recording Registers [n]: 16 bytes each at
 * CAP.FRO * 16 + n * 16; low qword then high qword.
 */
#define FRCD_LO_FI  GENMASK(63, 12) /* Fault Info: page address of the request */
#define FRCD_HI_SID GENMASK(15, 0)  /* Source Identifier (bus:dev.fn) */
#define FRCD_HI_PP  BIT(31)	    /* PASID Present */
#define FRCD_HI_FR  GENMASK(39, 32) /* Fault Reason (VT-d 7.1.3) */
#define FRCD_HI_PV  GENMASK(59, 40) /* PASID Value */
#define FRCD_HI_AT  GENMASK(61, 60) /* Address Type */
#define FRCD_HI_T   BIT(62)	    /* Type: 1 read, 0 write */
#define FRCD_HI_F   BIT(63)	    /* Fault (RW1C): the record is valid */
#define FRCD_BYTES  16U

/* VT-d 7.1.3 fault reasons of requests without PASID (legacy mode), the ones decoded. */
#define FR_ROOT_NP     0x1 /* root entry not present */
#define FR_CTX_NP      0x2 /* context entry not present */
#define FR_CTX_INV     0x3 /* invalid programming of a context entry (AW, TT) */
#define FR_ADDR_MGAW   0x4 /* input address above the domain's AGAW / MGAW */
#define FR_WRITE       0x5 /* write not permitted (SL entry W = 0) */
#define FR_READ	       0x6 /* read not permitted (SL entry R = 0) */
#define FR_SL_ACCESS   0x7 /* error reading a second-level paging entry */
#define FR_ROOT_ACCESS 0x8 /* error reading the root entry */
#define FR_CTX_ACCESS  0x9 /* error reading the context entry */
#define FR_ROOT_RSVD   0xa /* reserved field set in a root entry */
#define FR_CTX_RSVD    0xb /* reserved field set in a context entry */
#define FR_SL_RSVD     0xc /* reserved field set in a second-level entry */
#define FR_TT_BLOCKED  0xd /* translation type blocks the request (e.g. ATS) */

/* VT-d 11.4.21/22 Invalidation Queue Head/Tail Registers: descriptor index << 4. */
#define IQ_HT_QH      GENMASK(18, 4)
#define IQ_DESC_SHIFT 4 /* 128-bit descriptors (IQA.DW = 0) */
/* VT-d 11.4.23 Invalidation Queue Address Register */
#define IQA_IQA	      GENMASK(63, 12) /* queue base, 4 KiB aligned */
#define IQA_DW	      BIT(11)	      /* Descriptor Width: 0 = 128-bit */
#define IQA_QS	      GENMASK(2, 0)   /* Queue Size: 2^QS pages of 256 descriptors */
/* VT-d 11.4.24 Invalidation Completion Status Register */
#define ICS_IWC	      BIT(0) /* Invalidation Wait Descriptor Complete (RW1C) */

/* ---- In-memory structures ------------------------------------------------- */

/* VT-d 9.1 Root Entry (legacy mode): 128 bits, 256 per 4 KiB root table (one per bus). */
#define RE_LO_P		 BIT(0)		 /* Present */
#define RE_LO_CTP	 GENMASK(63, 12) /* Context-table Pointer */
#define VTD_ROOT_ENTRIES 256U

/* VT-d 9.3 Context Entry (legacy mode): 128 bits, 256 per context table (one per devfn). */
#define CE_LO_P		BIT(0)		/* Present */
#define CE_LO_FPD	BIT(1)		/* Fault Processing Disable (kept 0: faults recorded) */
#define CE_LO_TT	GENMASK(3, 2)	/* Translation Type */
#define CE_TT_UNTRANS	0ULL		/* untranslated requests only (no Device-TLB / ATS) */
#define CE_TT_DEVTLB	1ULL		/* untranslated + translated (ATS): refused */
#define CE_TT_PASSTHR	2ULL		/* pass-through: refused */
#define CE_LO_SLPTPTR	GENMASK(63, 12) /* Second Level Page Translation Pointer */
#define CE_HI_AW	GENMASK(2, 0)	/* Address Width: 1 = 39-bit 3-level, 2 = 48-bit 4-level */
#define CE_HI_DID	GENMASK(23, 8)	/* Domain Identifier */
#define VTD_CTX_ENTRIES 256U

/*
 * VT-d 9.8 Second-Level Paging Entries as a unit in legacy mode reads them (the format
 * the core writes is hyp/mmu/fmt_vtd_sl.c; these are for vtd_sl_shareable, which reads
 * another format's entries the way the unit would). Table entries (SL-PML4E, SL-PDPE,
 * SL-PDE without PS) and leaves (SL-PTE, SL-PDE/SL-PDPE with PS):
 *   0 R, 1 W                     access rights, ANDed down the walk; R = W = 0: not present
 *   2 X, 5:3 EMT, 6 IPAT         ignored in legacy mode (no PASID entry sets SLEE / EMTE)
 *   7 PS                         leaf at the SL-PDE (CAP.SLLPS 2 MiB) or SL-PDPE
 *                                (CAP.SLLPS 1 GiB); reserved in an SL-PML4E; ignored in an SL-PTE
 *   8 A, 9 D                     ignored in legacy mode (updated only with a PASID entry's SLADE,
 *                                scalable mode, ECAP.SLADS)
 *   10                           ignored
 *   11 SNP                       leaves: snoop, reserved unless ECAP.SC; table entries: reserved
 *                                (QEMU's intel-iommu checks it so, and VT-d defines no meaning)
 *   HAW-1:12 ADDR                bits at and above the host address width are reserved;
 *                                a large page's bits below its size are reserved
 *   61:52, 63                    ignored
 *   62 TM                        transient mapping: reserved unless ECAP.DT
 */
#define SLE_R	 BIT(0)
#define SLE_W	 BIT(1)
#define SLE_PS	 BIT(7)
#define SLE_SNP	 BIT(11)
#define SLE_ADDR GENMASK(51, 12)
#define SLE_TM	 BIT(62)

/* Source id (VT-d 3.4.1 "Identifying Origination of DMA Requests"): bus[15:8] devfn[7:0]. */
#define SID_BUS(sid)   (((sid) >> 8) & 0xffU)
#define SID_DEVFN(sid) ((sid)&0xffU)

/* ---- Invalidation descriptors (VT-d 6.5.2), 128-bit ----------------------- */
#define QI_TYPE		  GENMASK(3, 0) /* Descriptor type (bits 11:9 are type[6:4], 0 here) */
#define QI_TYPE_HI	  GENMASK(11, 9)
#define QI_TYPE_CC	  0x1ULL /* VT-d 6.5.2.1 Context-cache Invalidate Descriptor */
#define QI_TYPE_IOTLB	  0x2ULL /* VT-d 6.5.2.2 IOTLB Invalidate Descriptor */
#define QI_TYPE_WAIT	  0x5ULL /* VT-d 6.5.2.8 Invalidation Wait Descriptor */
/* Context-cache invalidate: lo */
#define QI_CC_G		  GENMASK(5, 4) /* Granularity */
#define QI_CC_G_GLOBAL	  1ULL
#define QI_CC_G_DOMAIN	  2ULL
#define QI_CC_G_DEVICE	  3ULL
#define QI_CC_DID	  GENMASK(31, 16) /* Domain-ID */
#define QI_CC_SID	  GENMASK(47, 32) /* Source-ID (device-selective) */
#define QI_CC_FM	  GENMASK(49, 48) /* Function Mask (0: exactly SID) */
/* IOTLB invalidate: lo */
#define QI_IOTLB_G	  GENMASK(5, 4) /* Granularity */
#define QI_IOTLB_G_GLOBAL 1ULL
#define QI_IOTLB_G_DOMAIN 2ULL
#define QI_IOTLB_G_PAGE	  3ULL		  /* page-selective-within-domain (needs CAP.PSI) */
#define QI_IOTLB_DW	  BIT(6)	  /* Drain Writes */
#define QI_IOTLB_DR	  BIT(7)	  /* Drain Reads */
#define QI_IOTLB_DID	  GENMASK(31, 16) /* Domain-ID */
/* IOTLB invalidate: hi */
#define QI_IOTLB_AM	  GENMASK(5, 0) /* Address Mask: 2^AM pages, ADDR aligned to it */
#define QI_IOTLB_IH	  BIT(6)	/* Invalidation Hint (0: paging-structure caches go too) */
#define QI_IOTLB_ADDR	  GENMASK(63, 12) /* Address */
/* Invalidation wait: lo */
#define QI_WAIT_IF	  BIT(4)	  /* Interrupt Flag (ICS.IWC) */
#define QI_WAIT_SW	  BIT(5)	  /* Status Write */
#define QI_WAIT_FN	  BIT(6)	  /* Fence */
#define QI_WAIT_SDATA	  GENMASK(63, 32) /* Status Data */
/* Invalidation wait: hi */
#define QI_WAIT_SADDR	  GENMASK(63, 2) /* Status Address (4-byte aligned) */

#endif /* HYP_IOMMU_VTD_REGS_H */
