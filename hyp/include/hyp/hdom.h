/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host DMA domains (hyp/mem/hdom.c): IOMMU tables the host fills by hypercall.
 */
#ifndef HYP_HDOM_H
#define HYP_HDOM_H

#include "hyp/own.h"

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
/*
 * Each page's own DMA map count, parallel to own_db_entries(), and each 2 MiB block's (parallel
 * to own_block_summaries(0)): a page's count is the sum of the two. Read-only, for checks.
 */
const u8 *own_dma_counts(u64 *nr_pages);
const u8 *own_block_dma_counts(u64 *nr);
/*
 * The DMA map count of RAM page @pa (host DMA domain mappings and device pins; its own count
 * plus its 2 MiB block's): 0 and *maps, or -ERANGE. For tests and introspection.
 */
int own_dma_maps_pa(u64 pa, unsigned int *maps);

/*
 * Device pins (hyp/mem/pin.c, docs/ownership.md "Device pins"): [pa, pa + n pages) is read or
 * written by a DMA master no IOMMU translates (the GIC's tables), at the host's request. Each
 * page must be the host's (-EPERM; a VM's or the hypervisor's never) and in one RAM range
 * (-ERANGE); its DMA map count goes up by one (-ENOSPC at the limit, or no free pin), so no
 * transition can take it from the host while pinned. n <= OWN_PIN_MAX_PAGES (-EINVAL).
 * Unpin names exactly a range pinned before (-ENOENT). Host lock taken.
 */
#define OWN_MAX_PINS	  64U
#define OWN_PIN_MAX_PAGES 4096U /* 16 MiB: the largest GIC table Lockstep accepts */
struct own_pin {
	u64 pa;
	u64 pages; /* 0: a free slot */
};
int own_host_pin(u64 pa, u64 n);
int own_host_unpin(u64 pa, u64 n);
/* The pin table, OWN_MAX_PINS entries (read-only; for the invariant checker). */
const struct own_pin *own_pins(void);

/*
 * Table pages of one host view (LS_FN_VIEW_STATS): @sel 0 the host CPU
 * stage 2, 1 + i the host identity IOMMU domain i, OWN_POOL_HDOM(d) host DMA
 * domain d. *kind: 0 CPU, 1 shares the CPU table, 2 mirrored, 3 DMA domain;
 * *level: level of the leaf translating @ia (0 = not mapped). -ENOENT no such view.
 */
int own_view_stats(u32 sel, u64 ia, u64 *tables, u32 *kind, u32 *level);

#endif /* HYP_HDOM_H */
