/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page ownership and lockstep transactions (hyp/mem/own.c, docs/ownership.md).
 *
 * Every 4 KiB page of RAM has one owner (hypervisor, host or VM n) and a
 * sharing state. Each principal (host, VM) has a view: a CPU stage-2 table and
 * the IOMMU domains that reach its pages. A domain either shares the CPU table
 * (only needs invalidation) or mirrors it in its own table (maybe another
 * format), updated in the same transaction. Every transition validates the
 * whole window, reserves the exact table pages on every view, then commits
 * (cannot fail), updates ownership, invalidates and syncs each view.
 */
#ifndef HYP_OWN_H
#define HYP_OWN_H

#include "hyp/pgtable.h"
#include "hyp/types.h"

/* A call handles at most this many pages (one atomic window); x1 says how many. */
#define OWN_BUDGET_PAGES  512U
#define OWN_MAX_VMS	  16U
#define OWN_MAX_DOMS	  4U	     /* IOMMU domains per view */
#define OWN_MAX_RANGES	  16U	     /* RAM ranges, hypervisor ranges */
#define OWN_MAX_POOL_RUNS 8U	     /* donations that make up one VM's table pool */
#define OWN_VM_POOL_MIN	  16U	     /* pool pages a VM needs at create (root + first tables) */
#define OWN_VM_POOL_ALIGN 0x10000ULL /* VM_CREATE pool alignment: a 16-page stage-2 root */

/* Host DMA domains: pages one map/unmap/batch call handles; entries of one batch list page. */
#define OWN_HDOM_BUDGET_PAGES 4096U
#define OWN_BATCH_MAX	      170U
/*
 * Budget units of one batch entry: its pages, except one 2 MiB leaf (512 pages, IOVA and PA
 * 2 MiB aligned), which counts 1: its table work is one descriptor and its ownership work one
 * block summary, or one tight pass over 512 pages of a mixed block, cheaper than 512 entries.
 */
#define OWN_BATCH_UNITS(iova, pa, n) \
	((n) == 512 && !(((iova) | (pa)) & (SZ_2M - 1)) ? (u64)1 : (u64)(n))

/* Principal ids ("who"): the host, or VM n (0 <= n < OWN_MAX_VMS). */
#define OWN_HOST 0xffffffffU

/*
 * Page state as seen by one principal (pKVM's terminology):
 * OWNED           the principal owns it, nobody else reaches it
 * SHARED_OWNED    the principal owns it and shares it (host -> hyp, VM -> host)
 * SHARED_BORROWED someone else owns it and shares it with the principal
 * NOPAGE          the principal has no access
 */
enum own_state { OWN_NOPAGE, OWN_OWNED, OWN_SHARED_OWNED, OWN_SHARED_BORROWED };

/*
 * Database encoding: 2 bytes per 4 KiB page, followed by a 1-byte DMA map
 * count per page (3 bytes per page, 768 KiB per GiB), then the block summaries
 * and one DMA map count per 2 MiB block (own_db_bytes(): 768 KiB + 1,538 bytes
 * per GiB, 0.0734% of RAM).
 *   [11:0]  owner: 0 hypervisor, 1 host, 2 + n VM n
 *   [12]    shared: the owner shares the page with its borrower (host's borrower
 *           is the hypervisor, a VM's borrower is the host)
 *   [13]    consent: a VM asked to share this page (guest share request)
 *   [14]    table: hypervisor page donated to a table-page pool
 */
#define OWN_E_OWNER	((u16)0x0fff)
#define OWN_E_SHARED	((u16)0x1000)
#define OWN_E_CONSENT	((u16)0x2000)
#define OWN_E_TABLE	((u16)0x4000)
#define OWN_OWNER_HYP	0U
#define OWN_OWNER_HOST	1U
#define OWN_OWNER_VM(n) (2U + (n))

/*
 * Invalidation for one view (CPU stage-2 of a VMID, or an IOMMU domain): the
 * arch or IOMMU driver provides it. @who is OWN_HOST or the VM id.
 * invalidate() issues one invalidation per gathered range (or all when
 * g->all); sync() waits until every one has completed (DSB / CMD_SYNC).
 */
struct own_inval_ops {
	void (*invalidate)(void *priv, u32 who, const struct pt_gather *g);
	void (*sync)(void *priv, u32 who);
};

struct own_dom {
	bool used;
	u32 who;
	bool mirrored; /* own table (pt) kept in lockstep; else walks the CPU table */
	struct pt pt;  /* mirrored only */
	const struct own_inval_ops *ops;
	void *priv;
};

struct own_view {
	u32 who;
	struct pt cpu; /* CPU stage-2: host identity (IPA == PA), VM gfn -> pfn */
	struct own_dom dom[OWN_MAX_DOMS];
	/* Tables a transaction unlinked, freed after the view's sync: CPU, then dom[i]. */
	struct pt_deferred dead[1 + OWN_MAX_DOMS];
};

struct own_range {
	u64 base;
	u64 size;
};

struct own_config {
	const struct own_range *ram; /* RAM, 4 KiB aligned, sorted, non-overlapping */
	unsigned int nr_ram;
	const struct own_range *hyp; /* hypervisor-owned parts of RAM (image, DB, pools) */
	unsigned int nr_hyp;
	u16 *db; /* own_db_bytes() bytes of hypervisor memory */
	u64 db_bytes;
	u64 host_pool_pa; /* host table-page pool, inside a hyp range */
	u64 host_pool_pages;
	unsigned int host_ia_bits;
	enum pt_fmt_id cpu_fmt; /* PT_FMT_ARM64_S2 (or PT_FMT_X86_EPT) */
	bool cpu_coherent;
	const struct own_inval_ops *cpu_ops; /* CPU TLB invalidation (by VMID) */
	void *cpu_priv;
};

/*
 * Result of a transition: pages done (<= OWN_BUDGET_PAGES; the caller loops
 * until its range is done) or, on -ENOMEM, how many pages to donate to which
 * pool (OWN_HOST or a VM id).
 */
struct own_res {
	u64 done;
	u64 need;
	u32 need_who;
};

/* Bytes of DB the caller gives own_init: 2 (entry) + 1 (DMA map count) per RAM page. */
u64 own_db_bytes(const struct own_range *ram, unsigned int nr_ram);
/* (Re)initialise everything: DB, host view (identity map of host RAM), no VMs. */
int own_init(const struct own_config *cfg);

/* IOMMU domains reaching @who's pages (called by the IOMMU driver). */
int own_dom_attach(u32 who, bool mirrored, enum pt_fmt_id fmt, bool coherent,
		   const struct own_inval_ops *ops, void *priv, unsigned int *idx,
		   struct own_res *res);
int own_dom_detach(u32 who, unsigned int idx);

/* Read-only introspection (invariant checker, IOMMU driver, debug). */
enum own_state own_page_state(u32 who, u64 pa);
int own_page_entry(u64 pa, u16 *e);
const struct own_view *own_view_of(u32 who);
/*
 * A host stage-2 fault at @ipa: true when the host's CPU stage-2 maps @ipa once
 * no transition is in flight, i.e. the fault raced with the break-before-make
 * window of a transition on another CPU and the host should simply retry the
 * access. Serialises with transitions by taking the host lock.
 */
bool own_host_fault_retry(u64 ipa);
const struct pt_pool *own_pool_of(u32 who);
bool own_vm_live(u32 vm);
u64 own_vm_pages(u32 vm);
unsigned int own_ram_ranges(const struct own_range **ram);
/* The DB itself, one entry per page of the RAM ranges in order (read-only). */
const u16 *own_db_entries(u64 *nr_pages);
/*
 * Block summaries (docs/ownership.md "Block summaries"): @which 0 the 2 MiB ones, 1 the
 * 1 GiB ones; for each RAM range in order, one per PA-aligned block of that size that
 * the range touches (clipped to the range): the DB entry all its pages share when none
 * is mapped in a host DMA domain, else OWN_SUM_MIXED. Read-only, for the checker.
 */
#define OWN_SUM_2M    0x200000ULL
#define OWN_SUM_1G    0x40000000ULL
#define OWN_SUM_MIXED ((u16)0xffff)
const u16 *own_block_summaries(unsigned int which, u64 *nr);
/* Pages of @who's pool donations (VMs), for accounting checks. */
unsigned int own_pool_runs(u32 who, const struct own_range **runs);

/*
 * The rest of the ownership interface, one header per unit (docs/ownership.md
 * "Code layout"): transitions (mem_protect.h), VM lifecycle and pools (vm.h), host
 * DMA domains (hdom.h).
 */

#endif /* HYP_OWN_H */
