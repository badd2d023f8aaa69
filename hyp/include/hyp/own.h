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
 * count per page (own_db_bytes(): 3 bytes per page, 0.073% of RAM, 768 KiB
 * per GiB).
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

/* Transitions: 0 or -errno (nothing changed). Addresses in bytes, n in pages. */
int own_host_share_hyp(u64 pa, u64 n, struct own_res *res);
int own_host_unshare_hyp(u64 pa, u64 n, struct own_res *res);
int own_host_donate_vm(u32 vm, u64 pa, u64 ipa, u64 n, struct own_res *res);
int own_vm_reclaim(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_vm_share_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_vm_unshare_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_guest_share_req(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_guest_unshare_req(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_vm_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *vm, struct own_res *res);
int own_vm_destroy(u32 vm, struct own_res *res);
int own_pool_donate(u32 who, u64 pa, u64 n, struct own_res *res);

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
/* Pages of @who's pool donations (VMs), for accounting checks. */
unsigned int own_pool_runs(u32 who, const struct own_range **runs);

/*
 * ---- Host DMA domains: the hypercall map/unmap interface ----------------
 *
 * The host creates IOMMU domains (own table, pool donated by the host),
 * attaches streams to them (the stream leaves the host identity view) and
 * maps IOVA -> PA ranges of pages it owns or borrows. A page mapped in any
 * host DMA domain has a non-zero DMA map count (1 byte per page next to the
 * DB); a transition that would take it from the host (donate to a VM or the
 * hypervisor, VM unshare/convert to private) fails with -EBUSY until the host
 * unmaps it. With OWN_IOMMU_MMIO the host maps MMIO instead (an MSI
 * doorbell): never RAM (-EINVAL), only what the host CPU stage-2 maps as
 * device memory (-EPERM), as device memory, without a map count.
 * docs/iommu.md "Core interface", docs/hypercalls.md.
 */
#define OWN_MAX_HDOMS	   8U	 /* host DMA domains */
#define OWN_HDOM_MAX_SIDS  64U	 /* streams attached to host DMA domains, in all */
#define OWN_HDOM_VMID_BASE 0xf0U /* domain d translates under VMID 0xf0 + d */
#define OWN_POOL_HDOM_BASE 0x100U
#define OWN_POOL_HDOM(d)   (OWN_POOL_HDOM_BASE + (d)) /* pool id of domain d (own_res) */
#define OWN_DMA_MAX_MAPS   255U			      /* mappings of one page over all domains */
#define OWN_IOMMU_READ	   1U			      /* map prot bits */
#define OWN_IOMMU_WRITE	   2U
#define OWN_IOMMU_MMIO	   4U /* device memory the host stage-2 maps, not RAM: no map count */

/*
 * What the IOMMU driver gives the core (registered once at boot, after
 * own_init, before the host runs). Called with the host lock held; none may
 * call back into own_*.
 * attach(drv, sid, pt, vmid): stream @sid stops using the host identity view
 *   and translates through @pt (root pt_root_pa(pt), format pt->fmt,
 *   pt->ia_bits input bits) under @vmid. 0, or -errno with the stream left as
 *   it was (e.g. -EPERM: not a host stream; -ENOMEM; -EIO).
 * detach(drv, sid): back to the host identity view; 0 or -errno, unchanged.
 *   Both complete (STE written, CFGI + sync done) before they return.
 * invalidate(drv, vmid, g): queue one invalidation per range of @g (all of
 *   @vmid when g->all); sync(drv): wait until every queued one completed.
 */
struct own_iommu_ops {
	int (*attach)(void *drv, u32 sid, const struct pt *pt, u16 vmid);
	int (*detach)(void *drv, u32 sid);
	void (*invalidate)(void *drv, u16 vmid, const struct pt_gather *g);
	void (*sync)(void *drv);
};

struct own_hdom {
	bool live;
	u32 id;
	u16 vmid;
	struct pt pt;
	struct pt_pool pool;
	unsigned int nr_runs; /* pool donations */
	struct own_range runs[OWN_MAX_POOL_RUNS];
	u64 mapped;	  /* pages mapped */
	u32 streams;	  /* streams attached */
	u64 inval_ranges; /* invalidation ranges issued (1 per `all`) */
	u64 syncs;	  /* syncs issued */
};

/* Statistics ids (LS_IOMMU_STAT_* in the ABI). */
enum own_hdom_stat {
	OWN_HDOM_STAT_MAPPED,
	OWN_HDOM_STAT_TABLES,
	OWN_HDOM_STAT_POOL_FREE,
	OWN_HDOM_STAT_POOL_TOTAL,
	OWN_HDOM_STAT_INVAL_RANGES,
	OWN_HDOM_STAT_SYNCS,
	OWN_HDOM_STAT_STREAMS,
	OWN_HDOM_STAT_NR,
};

/*
 * Register the IOMMU driver: streams [0, nr_sids), domain tables in @fmt.
 * -EINVAL incomplete ops / nr_sids 0 / bad fmt, -EBUSY already registered.
 */
int own_iommu_register(const struct own_iommu_ops *ops, void *drv, u32 nr_sids, enum pt_fmt_id fmt,
		       bool coherent);
int own_hdom_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *dom, struct own_res *res);
int own_hdom_destroy(u32 dom, struct own_res *res);
int own_hdom_attach(u32 dom, u32 sid);
int own_hdom_detach(u32 sid);
int own_hdom_map(u32 dom, u64 iova, u64 pa, u64 n, u32 prot, struct own_res *res);
int own_hdom_unmap(u32 dom, u64 iova, u64 n, struct own_res *res);
/* One map entry of own_hdom_map_batch(), as the host wrote it (LS_FN_IOMMU_MAP_BATCH). */
struct own_map_ent {
	u64 iova, pa, pages_prot;
};
int own_hdom_map_batch(u32 dom, u64 list_pa, u64 nents, struct own_res *res);
/* IOVA -> PA and prot; *leaf_pages (may be NULL): pages of the entry mapping it (1, 512, ...). */
int own_hdom_lookup(u32 dom, u64 iova, u64 *pa, u32 *prot, u64 *leaf_pages);
int own_hdom_stat(u32 dom, unsigned int id, u64 *val);
/* The domain (read-only), NULL if @dom is not live. */
const struct own_hdom *own_hdom_of(u32 dom);
/* Stream @sid's domain: 0 and *dom, or -ENOENT (identity view). */
int own_hdom_of_sid(u32 sid, u32 *dom);
/* DMA map count per page, parallel to own_db_entries(). */
const u8 *own_dma_counts(u64 *nr_pages);

/*
 * Table pages of one host view (LS_FN_VIEW_STATS): @sel 0 the host CPU
 * stage 2, 1 + i the host identity IOMMU domain i, OWN_POOL_HDOM(d) host DMA
 * domain d. *kind: 0 CPU, 1 shares the CPU table, 2 mirrored, 3 DMA domain;
 * *level: level of the leaf translating @ia (0 = not mapped). -ENOENT no such view.
 */
int own_view_stats(u32 sel, u64 ia, u64 *tables, u32 *kind, u32 *level);

#endif /* HYP_OWN_H */
