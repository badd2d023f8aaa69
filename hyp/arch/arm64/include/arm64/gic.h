/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GIC guard (docs/iommu.md "The GIC's own memory accesses"): the GICv3 ITS and the
 * redistributors read and write tables at addresses the host programs, outside every SMMU.
 * Lockstep keeps the registers that aim them (the ITS control frame, each redistributor's
 * RD_base frame) out of the host's stage 2 and emulates every host access to them
 * (gic_emul.c): a table base is accepted only when it is the host's own memory, which is then
 * pinned (hyp/mem/pin.c) for as long as the GIC may use it; the ITS runs from a shadow
 * command queue in Lockstep's memory, into which each host command is copied after its check
 * (MAPD's ITT address is the one command field that aims the ITS at memory).
 *
 * Register offsets and fields: Arm IHI 0069H ("GICv3 and GICv4 architecture specification"),
 * chapter 12; ITS commands: chapter 5.3.
 */
#ifndef ARM64_GIC_H
#define ARM64_GIC_H

#include "hyp/spinlock.h"
#include "hyp/types.h"

#define GIC_FRAME 0x10000ULL /* 64 KiB register frames (12.1) */

/* GICD_TYPER (12.9.38): IDbits [23:19] = interrupt ID bits - 1. */
#define GICD_TYPER	  0x0004
#define GICD_TYPER_IDBITS GENMASK(23, 19)

/* Redistributor RD_base frame (12.10). */
#define GICR_CTLR	      0x0000
#define GICR_CTLR_ENABLE_LPIS BIT(0)
#define GICR_TYPER	      0x0008
#define GICR_TYPER_VLPIS      BIT(1)
#define GICR_TYPER_LAST	      BIT(4)
#define GICR_TYPER_PROC_NUM   GENMASK(23, 8)
#define GICR_PROPBASER	      0x0070
#define GICR_PROPBASER_IDBITS GENMASK(4, 0)
#define GICR_PROPBASER_PA     GENMASK(51, 12)
#define GICR_PENDBASER	      0x0078
#define GICR_PENDBASER_PA     GENMASK(51, 16)
#define GIC_LPI_FIRST_BITS    13U /* LPIs start at INTID 8192 */

/* ITS control frame (12.19). */
#define GITS_CTLR	     0x0000
#define GITS_CTLR_ENABLED    BIT(0)
#define GITS_TYPER	     0x0008
#define GITS_TYPER_ITT_SIZE  GENMASK(7, 4) /* bytes per ITT entry - 1 */
#define GITS_TYPER_PTA	     BIT(19)
#define GITS_CBASER	     0x0080
#define GITS_CBASER_VALID    BIT(63)
#define GITS_CBASER_PA	     GENMASK(51, 12)
#define GITS_CBASER_SIZE     GENMASK(7, 0) /* 4 KiB pages - 1 */
#define GITS_CWRITER	     0x0088
#define GITS_CREADR	     0x0090
#define GITS_CQ_OFFSET	     GENMASK(19, 5)
#define GITS_CWRITER_RETRY   BIT(0)
#define GITS_BASER(n)	     (0x0100 + 8 * (n))
#define GITS_BASER_NR	     8
#define GITS_BASER_VALID     BIT(63)
#define GITS_BASER_INDIRECT  BIT(62)
#define GITS_BASER_TYPE	     GENMASK(58, 56)
#define GITS_BASER_PA	     GENMASK(47, 12)
#define GITS_BASER_PA_64K_HI GENMASK(15, 12) /* PA[51:48] with 64 KiB pages */
#define GITS_BASER_PAGE_SIZE GENMASK(9, 8)
#define GITS_BASER_SIZE	     GENMASK(7, 0) /* pages - 1 */

/* ITS commands (5.3): 32 bytes, DW0[7:0] the command number. */
#define GITS_CMD_BYTES	 32U
#define GITS_CMD_MOVI	 0x01
#define GITS_CMD_INT	 0x03
#define GITS_CMD_CLEAR	 0x04
#define GITS_CMD_SYNC	 0x05
#define GITS_CMD_MAPD	 0x08
#define GITS_CMD_MAPC	 0x09
#define GITS_CMD_MAPTI	 0x0a
#define GITS_CMD_MAPI	 0x0b
#define GITS_CMD_INV	 0x0c
#define GITS_CMD_INVALL	 0x0d
#define GITS_CMD_MOVALL	 0x0e
#define GITS_CMD_DISCARD 0x0f
#define GITS_MAPD_SIZE	 GENMASK(4, 0)	 /* DW1: EventID bits - 1 */
#define GITS_MAPD_ITT	 GENMASK(51, 8)	 /* DW2: ITT_addr */
#define GITS_MAPD_VALID	 BIT(63)	 /* DW2 */
#define GITS_SYNC_RDBASE GENMASK(51, 16) /* DW2 */

#define GIC_MAX_ITS	 4U
#define GIC_MAX_RD	 64U
#define GIC_MAX_ITT	 128U /* devices mapped at once, per ITS */
#define GIC_MAX_DEFER	 32U  /* ITT pins waiting for the ITS to drain its queue */
#define GIC_SHADOW_PAGES 16U  /* shadow command queue: 64 KiB, Linux's queue size */
#define GIC_MAX_RANGES	 8U

struct gic_pin {
	u64 pa, pages; /* pages 0: none */
};

struct gic_rd {
	u64 base; /* RD_base frame */
	struct gic_pin prop, pend;
};

struct gic_itt {
	u32 devid;
	struct gic_pin pin; /* pages 0: slot free */
};

struct gic_its {
	u64 base;	      /* control frame */
	u64 shadow_pa;	      /* the command queue the ITS reads */
	u64 cbaser;	      /* the host's GITS_CBASER */
	struct gic_pin queue; /* the host's command queue */
	u32 cwriter;	      /* commands copied up to here (= the ITS's GITS_CWRITER) */
	u32 ite_bytes;
	u64 sync_dw2; /* a refused command becomes SYNC with this DW2 */
	struct gic_pin baser[GITS_BASER_NR];
	struct gic_itt itt[GIC_MAX_ITT];
	struct gic_pin defer[GIC_MAX_DEFER];
};

struct gic_desc {
	u64 gicd;
	unsigned int nr_its, nr_rd;
	u64 its[GIC_MAX_ITS];
	u64 rd[GIC_MAX_RD]; /* RD_base frames */
	u64 shadow_pa[GIC_MAX_ITS];
};

/* Counters (gic_emul_stats). */
struct gic_stats {
	u64 traps, cmds, refused_cmds, refused_writes, pins, pin_failures;
};

/*
 * The emulation (gic_emul.c). gic_emul_init() reads GICD_TYPER, GITS_TYPER and GICR_TYPER
 * through plat_read*; the frames must be reachable at their PAs. gic_emul_access() handles one
 * host access of @size bytes (1, 2, 4, 8) at @pa: false if @pa is in no guarded frame.
 */
int gic_emul_init(const struct gic_desc *d);
bool gic_emul_claims(u64 pa);
bool gic_emul_access(u64 pa, unsigned int size, bool write, u64 *val);
void gic_emul_stats(struct gic_stats *s);

/* The glue (gic.c), called by boot.c and trap.c. */
struct arm64_regs;
struct ls_boot_info;
struct pt;
int arm64_gic_discover(const struct ls_boot_info *bi, u64 *pool_at, u64 pool_end);
int arm64_gic_map_el2(struct pt *s1);
void arm64_gic_take(void);
bool arm64_gic_host_abort(struct arm64_regs *regs, u64 ipa, u64 esr);

#endif /* ARM64_GIC_H */
