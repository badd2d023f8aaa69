/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A simulated SMMUv3 for host-native tests of hyp/iommu/smmuv3.c: a register
 * file behind plat_read32/plat_write32/plat_read64/plat_write64 (plat.h), a
 * command queue consumed only when time passes (plat_udelay ticks), an STE
 * configuration cache that CFGI commands drop, a TLB that TLBI commands
 * drop, a stage-2 walker over the fake simulated memory, and an event queue
 * the walker reports faults into. Everything the driver does wrong that the
 * architecture forbids is counted (bad_writes, bad_ste, ...), never hidden.
 */
#ifndef TESTS_SMMU_SIM_H
#define TESTS_SMMU_SIM_H

#include "hyp/types.h"

#define SIM_BASE 0x09050000ULL
#define SIM_SIZE 0x20000ULL
#define SIM_SIDS (1U << 16)
#define SIM_TLB	 512U
#define SIM_LOG	 8192U
#define SIM_HIST 256U

struct sim_cfg {
	bool present; /* cached configuration */
	u64 ste[8];
};

struct sim_tlbe {
	bool v;
	u16 vmid;
	u64 ipa;  /* leaf base */
	u64 size; /* leaf size */
	u64 pa;
	bool w;
};

struct sim {
	/* registers */
	u32 idr[6], aidr;
	u32 cr0, cr0ack, cr1, cr2, gbpa, irq_ctrl, irq_ctrlack, gerror, gerrorn;
	u64 strtab_base;
	u32 strtab_cfg;
	u64 cmdq_base;
	u32 cmdq_prod, cmdq_cons;
	u64 evtq_base;
	u32 evtq_prod, evtq_cons;
	u32 cr0_pending;
	bool cr0_pending_set;
	/* knobs */
	bool stall;	   /* never consume commands */
	bool cr0ack_stuck; /* CR0ACK never follows */
	u32 per_tick;	   /* commands consumed per tick (0: all) */
	u8 ill_op;	   /* treat this opcode as illegal (0: none) */
	u32 watch_sid;	   /* fetch this STE at every tick and CFGI into hist[] */
	bool watch;
	u64 clock_us; /* plat_now_us() = ticks + clock_us: tests jump the clock */
	/* observations */
	u64 ticks, reg_writes, bad_writes, bad_access, bad_ste, cmdq_wraps, syncs;
	u64 log[SIM_LOG][2];
	u32 nlog;
	struct sim_cfg hist[SIM_HIST];
	u32 nhist;
	struct sim_cfg cache[SIM_SIDS];
	struct sim_tlbe tlb[SIM_TLB];
};

extern struct sim sim;

/* Fresh simulator with QEMU-virt-like ID registers (stage 2 only, 2-level, RIL, 44-bit OAS). */
void sim_reset(void);
void sim_tick(void);
/* Commands logged with opcode @op since the log was cleared. */
u32 sim_count_op(u8 op);
void sim_log_clear(void);

/*
 * A DMA from @sid at @iova: 0 and *pa on success; otherwise the event type it
 * raised (recorded in the event queue when the STE asks for it) or 0xff when
 * the transaction aborted without an event.
 */
int sim_dma(u32 sid, u64 iova, bool write, u64 *pa);
/* Put an event record in the event queue (as the SMMU would). */
void sim_event(u8 type, u32 sid, u64 addr, u64 ipa, bool read, bool s2);
/* Cache a translation in the TLB, as a walk would. */
void sim_tlb_fill(u16 vmid, u64 ipa, u64 size, u64 pa);
/* Valid TLB entries of @vmid overlapping [ipa, ipa + size). */
u32 sim_tlb_count(u16 vmid, u64 ipa, u64 size);
/* Fetch the STE of @sid from memory through the stream table (false: none). */
bool sim_fetch_ste(u32 sid, u64 ste[8]);

#endif /* TESTS_SMMU_SIM_H */
