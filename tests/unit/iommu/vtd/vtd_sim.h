/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A simulated Intel VT-d remapping unit for host-native tests of
 * hyp/iommu/vtd/vtd.c: a register page behind plat_read32/plat_write32/
 * plat_read64/plat_write64 (plat.h); GCMD/GSTS handshakes completed one tick
 * (plat_udelay) later; root/context/second-level walks over the fake
 * platform's simulated memory with their own decoder of the spec's entries
 * (not hyp/mmu's); a context cache and an IOTLB that only invalidation
 * descriptors drop; an invalidation queue consumed as time passes; fault
 * recording registers. Behaves as QEMU's intel-iommu (legacy mode) where
 * docs/../FACTS.md says so: not-present SL entries fault as read/write not
 * permitted, SNP (bit 11) is reserved without snoop control, QIE needs IQT = 0.
 * Everything the driver does that the spec forbids is counted (bad_writes,
 * bad_descs, stale_reads), never hidden.
 */
#ifndef TESTS_VTD_SIM_H
#define TESTS_VTD_SIM_H

#include "hyp/types.h"

#define VSIM_BASE  0xfed90000ULL
#define VSIM_NFR   4U	  /* fault recording registers */
#define VSIM_FRO   0x220U /* their offset (QEMU's) */
#define VSIM_TLB   256U
#define VSIM_TRACE 128U

struct vsim_tlbe {
	bool v;
	u16 did;
	u64 iova; /* leaf base */
	u64 size; /* leaf size */
	u64 pa;
	bool r, w;
};

struct vsim_ctxc {
	bool v;
	u64 lo, hi;
};

struct vsim {
	/* registers */
	u32 ver;
	u64 cap, ecap;
	u32 gsts, fsts, fectl, ics;
	u64 rtaddr, rtaddr_latched, iqa, iqa_latched, iqh, iqt;
	u64 frcd[VSIM_NFR][2];
	u32 fri;
	/* a GCMD write waiting for the next tick */
	bool pend;
	u32 pend_gsts;
	/* knobs */
	bool gcmd_stuck; /* GSTS never follows GCMD */
	bool stall;	 /* the queue is never consumed */
	u32 per_tick;	 /* descriptors consumed per tick (0: all) */
	u64 clock_us;	 /* plat_now_us() = ticks + clock_us */
	/* observations */
	u64 ticks, reg_writes, bad_writes, bad_descs, stale_reads, wraps, waits;
	u64 cc[4], iotlb[4]; /* invalidations by granularity (1 global, 2 domain, 3 device/page) */
	u32 max_am;
	char trace[VSIM_TRACE]; /* R SRTP latched, Q/q QIE on/off, T/t TE on/off, c/i/w descs */
	u32 ntrace;
	/* caches */
	struct vsim_ctxc ctx[1U << 16];
	struct vsim_tlbe tlb[VSIM_TLB];
};

extern struct vsim vsim;

/* Fresh unit like QEMU 10's intel-iommu with aw-bits=48, snoop-control=on, 4 fault records. */
void vsim_reset(void);
void vsim_tick(void);

/*
 * A DMA request from @sid at @iova (@translated: an ATS-translated request).
 * 0 and *pa when it goes through, else the VT-d 7.1.3 fault reason (recorded
 * in the fault recording registers unless the context entry says FPD).
 */
int vsim_dma(u32 sid, u64 iova, bool write, bool translated, u64 *pa);
/* Valid IOTLB entries of @did overlapping [iova, iova + size). */
u32 vsim_tlb_count(u16 did, u64 iova, u64 size);
/* True if the context cache holds @sid. */
bool vsim_ctx_cached(u32 sid);
/* Record a fault as the unit would (used by vsim_dma, and by tests directly). */
void vsim_fault(u32 sid, u64 addr, bool write, u8 reason);

#endif /* TESTS_VTD_SIM_H */
