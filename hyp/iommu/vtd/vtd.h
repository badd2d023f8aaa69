/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VT-d remapping unit driver of the hypervisor (hyp/iommu/vtd/vtd.c,
 * docs/iommu.md "VT-d").
 *
 * Lockstep owns the unit: legacy-mode root and context tables (VT-d 9.1,
 * 9.3), every context entry translating untranslated requests only (TT = 00)
 * through a second-level table of the core (PT_FMT_VTD_SL, hyp/mmu), queued
 * invalidation (VT-d 6.5.2) completed by invalidation-wait status writes
 * polled with a bound, and polled fault recording (VT-d 7.2). Streams are
 * PCI source ids (bus << 8 | devfn) of one segment.
 *
 * Locking: every entry point the core calls, and vtd_drain_faults, take
 * v->lock; the others (init, attach_host, register) run at boot, before the
 * host does.
 * Errors are negative errno; bad arguments change nothing. An invalidation
 * that does not complete in time, a queue error or a primary fault overflow
 * makes the driver fail closed (vtd.c vtd_fail_closed).
 */
#ifndef HYP_IOMMU_VTD_H
#define HYP_IOMMU_VTD_H

#include "hyp/hdom.h"
#include "hyp/own.h"
#include "hyp/pgtable.h"
#include "hyp/spinlock.h"
#include "hyp/types.h"

/* Table memory vtd_init needs at least: root table, queue, status page, one context table. */
#define VTD_MEM_MIN	    (4ULL * 4096ULL)
/* Bounded polls (microseconds, via plat_udelay). */
#define VTD_ACK_TIMEOUT_US  100000U  /* GSTS following GCMD */
#define VTD_WAIT_TIMEOUT_US 1000000U /* invalidation wait status write, queue space */
/* The invalidation queue: IQA.QS = 0, one 4 KiB page of 256 128-bit descriptors. */
#define VTD_IQ_ENTRIES	    256U
/* Domain id of the host identity view (DID 0 is avoided: caching mode reserves it). */
#define VTD_HOST_DID	    1U
/* Above this many page-selective descriptors for one gather, invalidate the domain. */
#define VTD_INVAL_MAX_DESCS 32U
/* Fault log rate limit: full lines per window, window length; counting stays exact. */
#define VTD_FAULT_LOG_BURST 8U
#define VTD_FAULT_WINDOW_US 1000000ULL
#define VTD_SID_RANGES_MAX  8U
#define VTD_SIDS	    (1U << 16)

/* Source ids [base, base + nr). */
struct vtd_sid_range {
	u32 base;
	u32 nr;
};

struct vtd_stats {
	u64 descs;	  /* descriptors written to the queue */
	u64 waits;	  /* wait descriptors seen complete */
	u64 timeouts;	  /* polls that gave up */
	u64 cc_inv;	  /* context-cache invalidations */
	u64 iotlb_global; /* IOTLB invalidations by granularity */
	u64 iotlb_domain;
	u64 iotlb_page;
	u64 faults;	   /* fault records read */
	u64 faults_logged; /* of which logged in full */
	u64 fault_overflows;
	u64 iq_errors;
};

struct vtd {
	struct hyp_spinlock lock;
	u64 base; /* register page PA */
	u64 cap, ecap;
	u32 ver;
	u32 nr_dids; /* domain ids the unit supports (CAP.ND) */
	u32 mgaw;    /* CAP.MGAW + 1 */
	u32 sagaw;   /* CAP.SAGAW */
	/* The core format of its tables: PT_FMT_VTD_SL_1G when CAP.SLLPS has 1 GiB pages. */
	enum pt_fmt_id sl_fmt;
	u32 mamv;      /* CAP.MAMV */
	u32 fro;       /* byte offset of the first fault recording register */
	u32 nfr;       /* fault recording registers */
	bool psi;      /* CAP.PSI */
	bool coherent; /* ECAP.C: walks snoop, no cache cleans */
	bool enabled;  /* TE on, tables ours */
	bool failed;   /* failed closed: every call returns -EIO */
	u64 mem_pa, mem_size, mem_used;
	u64 root_pa;
	u64 ctx_pa[256]; /* context table of each bus, 0 = none */
	u64 iq_pa;
	u64 status_pa;
	u32 iq_tail; /* next free descriptor index (shadow of IQT) */
	u32 wait_seq;
	/* The host identity view (vtd_attach_host). */
	bool host_live;
	bool host_dom;
	unsigned int host_dom_idx;
	const struct pt *host_pt;
	/* Streams the core may move into host DMA domains (vtd_register_domains). */
	struct vtd_sid_range dom_ranges[VTD_SID_RANGES_MAX];
	u32 nr_dom_ranges;
	/* Fault log rate limit. */
	u32 flt_logged;
	u64 flt_window_us;
	u64 flt_quiet; /* records not logged in full in the current window */
	struct vtd_stats st;
};

/*
 * Can a unit with @cap / @ecap walk, in legacy mode, a table of format @fmt with @ia_bits
 * input bits as it is, granting every request what the VT-d format's own table would
 * (same R/W, same SNP)? Walk length (SAGAW), MGAW, every leaf size (SLLPS), and every
 * table entry and leaf the format's encoders write read as VT-d 9.8 entries (reserved
 * bits: SNP without ECAP.SC, TM without ECAP.DT, PS, address bits). 0, or -ENOTSUP with
 * *why (a static string) naming the first reason; -EINVAL for an unknown format or width.
 * Reads no register: a function of the capabilities and the format only.
 */
int vtd_sl_shareable(u64 cap, u64 ecap, enum pt_fmt_id fmt, unsigned int ia_bits, const char **why);

/* Probe and enable the unit at @base with table memory [mem_pa, mem_pa + mem_size). */
int vtd_init(struct vtd *v, u64 base, u64 mem_pa, u64 mem_size);

/*
 * Translate source ids [sid, sid + nr) through the host's view: its CPU table
 * when that is a VT-d second-level table (shared), else a VT-d mirror the
 * core keeps in lockstep (own_dom_attach mirrored); register the unit as one
 * of the host view's domains so every host transition invalidates it.
 */
int vtd_attach_host(struct vtd *v, u32 sid, u32 nr, unsigned int *dom_idx);
/* Give the core the host DMA domain ops for the streams of @r (sorted, disjoint). */
int vtd_register_domains(struct vtd *v, const struct vtd_sid_range *r, u32 n);

/* Stream @sid translates through @pt under domain id @did (context entry + invalidations). */
int vtd_attach_pt(struct vtd *v, u32 sid, const struct pt *pt, u16 did);
/* Stream @sid back to the host view (or blocked when there is none). */
int vtd_detach_to_host(struct vtd *v, u32 sid);
/* Block streams [sid, sid + nr): context entries not present. */
int vtd_detach(struct vtd *v, u32 sid, u32 nr);

/* Queue the invalidations of a gather for domain @did (no wait). */
int vtd_inval_gather(struct vtd *v, u16 did, const struct pt_gather *g);
/* Invalidation wait descriptor, status write polled: every earlier descriptor done. */
int vtd_sync(struct vtd *v);

/* Read, decode, log (rate-limited), count and clear fault records; records seen or -errno. */
int vtd_drain_faults(struct vtd *v);

/* The live context entry of @sid (tests, debug): 0, or -ENOENT (no context table). */
int vtd_read_ctx(const struct vtd *v, u32 sid, u64 out[2]);

/* Ops for own_iommu_register (drv = struct vtd *) and own_dom_attach (priv = struct vtd *). */
extern const struct own_iommu_ops vtd_own_iommu_ops;
extern const struct own_inval_ops vtd_own_inval_ops;

#endif /* HYP_IOMMU_VTD_H */
