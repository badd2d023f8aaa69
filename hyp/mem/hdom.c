// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host DMA domains: IOMMU tables the host fills by hypercall (docs/ownership.md "Host
 * DMA domains and the refuse policy", docs/iommu.md).
 */
#include <errno.h>
#include <string.h>

#include "own_internal.h"

/* ---- host DMA domains (map/unmap hypercalls) ----------------------------- */

/* A live domain (host lock held), or NULL. */
static struct own_hdom *own_hdom_get(u32 dom)
{
	if (dom >= OWN_MAX_HDOMS || !own.hdom[dom].live)
		return NULL;
	return &own.hdom[dom];
}

/*
 * Issue the domain's gathered invalidations (one per range) and one sync.
 * @sync: sync even when nothing was gathered (unmap: the caller may reuse
 * the pages as soon as the call returns). Nothing to do before a driver
 * registered: no stream can use the table then.
 */
static void own_hdom_inval(struct own_hdom *d, const struct pt_gather *g, bool sync)
{
	bool any = g->nr || g->all;

	if (!own.iommu)
		return;
	if (any) {
		own.iommu->invalidate(own.iommu_drv, d->vmid, g);
		d->inval_ranges += g->all ? 1 : g->nr;
	}
	if (any || sync) {
		own.iommu->sync(own.iommu_drv);
		d->syncs++;
	}
}

static void own_hdom_flush(struct pt *pt, u64 ia, u64 size, unsigned int level)
{
	struct pt_gather g;

	pt_gather_init(&g);
	pt_gather_add(&g, ia, size, level);
	own_hdom_inval(pt->priv, &g, true);
}

static const struct pt_ops own_hdom_pt_ops = { .flush_now = own_hdom_flush };

int own_iommu_register(const struct own_iommu_ops *ops, void *drv, u32 nr_sids, enum pt_fmt_id fmt,
		       bool coherent)
{
	int ret = 0;

	if (!ops || !ops->attach || !ops->detach || !ops->invalidate || !ops->sync || !nr_sids ||
	    (unsigned int)fmt >= PT_FMT_NR)
		return -EINVAL;
	hyp_spin_lock(&own.host.lock);
	if (own.iommu) {
		ret = -EBUSY;
	} else {
		own.iommu = ops;
		own.iommu_drv = drv;
		own.iommu_sids = nr_sids;
		own.iommu_fmt = fmt;
		own.iommu_coherent = coherent;
		plat_log("own: IOMMU registered: %u streams, DMA domains in format %u", nr_sids,
			 (unsigned int)fmt);
	}
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_hdom_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *dom, struct own_res *res)
{
	struct own_hdom *d = NULL;
	u16 *e;
	u32 i;
	int ret;

	res->done = 0;
	ret = own_check_new_table(pool_pa, n, ia_bits, &e);
	if (ret)
		return ret;
	hyp_spin_lock(&own.host.lock);
	ret = -EOPNOTSUPP; /* no IOMMU driver: no stream could use a domain */
	if (!own.iommu)
		goto out;
	for (i = 0; i < OWN_MAX_HDOMS && !d; i++)
		if (!own.hdom[i].live)
			d = &own.hdom[i];
	ret = -ENOSPC;
	if (!d)
		goto out;
	ret = own_take_host_pages(pool_pa, n, e, res);
	if (ret)
		goto out;
	memset(d, 0, sizeof(*d));
	d->id = (u32)(d - own.hdom);
	d->vmid = (u16)(OWN_HDOM_VMID_BASE + d->id);
	pt_pool_init(&d->pool);
	pt_pool_add(&d->pool, pool_pa, n);
	own_runs_add(d->runs, &d->nr_runs, pool_pa, n);
	HYP_CHECK(pt_init(&d->pt, own.iommu_fmt, ia_bits, own.iommu_coherent, &d->pool,
			  &own_hdom_pt_ops, d) == 0);
	d->live = true;
	*dom = d->id;
	res->done = n;
	plat_log("own: DMA domain %u created: %u-bit IOVA, VMID %#x, pool %llu pages at %#llx",
		 d->id, ia_bits, d->vmid, (unsigned long long)n, (unsigned long long)pool_pa);
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/* Donation to domain @dom's pool (host lock not held; pages checked in RAM). */
int own_hdom_pool_donate(u32 dom, u64 pa, u64 w, u16 *e, struct own_res *res)
{
	struct own_hdom *d;
	int ret;

	hyp_spin_lock(&own.host.lock);
	ret = -ENOENT;
	d = own_hdom_get(dom);
	if (!d)
		goto out;
	ret = -ENOSPC;
	if (!own_runs_fit(d->runs, d->nr_runs, pa) || d->pool.nr_total + w > OWN_VM_POOL_MAX)
		goto out;
	ret = own_take_host_pages(pa, w, e, res);
	if (ret)
		goto out;
	pt_pool_add(&d->pool, pa, w);
	own_runs_add(d->runs, &d->nr_runs, pa, w);
	res->done = w;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_hdom_destroy(u32 dom, struct own_res *res)
{
	struct own_hdom *d;
	struct pt_gather all;
	int ret;

	res->done = 0;
	hyp_spin_lock(&own.host.lock);
	ret = -ENOENT;
	d = own_hdom_get(dom);
	if (!d)
		goto out;
	/* Policy: the host unmaps and detaches first (bounded work per call). */
	ret = -EBUSY;
	if (d->streams || d->mapped)
		goto out;
	ret = own_pool_return_prepare(d->runs, d->nr_runs, res);
	if (ret)
		goto out;

	/* Drop whatever the IOMMU cached under the VMID before the pages go back. */
	pt_gather_init(&all);
	all.all = true;
	own_hdom_inval(d, &all, true);
	pt_destroy(&d->pt);
	HYP_CHECK(d->pool.nr_used == 0 && d->pool.nr_free == d->pool.nr_total);
	/* hyp OWNED (TABLE) -> NOPAGE, host NOPAGE -> OWNED */
	res->done = own_pool_return_commit(d->runs, d->nr_runs);
	plat_log("own: DMA domain %u destroyed: %llu pool pages back to the host", d->id,
		 (unsigned long long)res->done);
	memset(d, 0, sizeof(*d));
	ret = 0;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/* Index of @sid among the attached streams, or -1 (host lock held). */
static int own_sid_slot(u32 sid)
{
	unsigned int i;

	for (i = 0; i < own.nr_sids; i++)
		if (own.sid[i] == sid)
			return (int)i;
	return -1;
}

int own_hdom_attach(u32 dom, u32 sid)
{
	struct own_hdom *d;
	int ret, slot;

	hyp_spin_lock(&own.host.lock);
	ret = -ENOENT;
	d = own_hdom_get(dom);
	if (!d || !own.iommu || sid >= own.iommu_sids)
		goto out;
	ret = -EBUSY; /* a VM's device: only LS_FN_VM_RELEASE_STREAM gives it back */
	if (own_sid_in_vm(sid))
		goto out;
	slot = own_sid_slot(sid);
	ret = -EEXIST; /* already in this domain */
	if (slot >= 0 && own.sid_dom[slot] == dom)
		goto out;
	ret = -ENOSPC;
	if (slot < 0 && own.nr_sids >= OWN_HDOM_MAX_SIDS)
		goto out;
	/*
	 * From another domain straight to this one (VFIO moves a device between its blocking,
	 * DMA and container domains): the driver switches the STE through an invalid one, so
	 * the stream never passes through the host identity view on the way.
	 */
	ret = own.iommu->attach(own.iommu_drv, sid, &d->pt, d->vmid);
	if (ret)
		goto out;
	if (slot >= 0) {
		own.hdom[own.sid_dom[slot]].streams--;
		own.sid_dom[slot] = dom;
	} else {
		own.sid[own.nr_sids] = sid;
		own.sid_dom[own.nr_sids] = dom;
		own.nr_sids++;
	}
	d->streams++;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_hdom_detach(u32 sid)
{
	int slot, ret;

	hyp_spin_lock(&own.host.lock);
	ret = -ENOENT;
	slot = own_sid_slot(sid);
	if (slot < 0)
		goto out;
	ret = own.iommu->detach(own.iommu_drv, sid);
	if (ret)
		goto out;
	own.hdom[own.sid_dom[slot]].streams--;
	own.nr_sids--;
	own.sid[slot] = own.sid[own.nr_sids];
	own.sid_dom[slot] = own.sid_dom[own.nr_sids];
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/* A domain call's window: at most OWN_HDOM_BUDGET_PAGES, ending at a multiple of it in IOVA. */
static u64 own_hdom_window(u64 iova, u64 n)
{
	u64 left = OWN_HDOM_BUDGET_PAGES - ((iova >> PAGE_SHIFT) & (OWN_HDOM_BUDGET_PAGES - 1));

	return MIN(n, left);
}

/* The IOVA window [iova, iova + n pages) inside the domain's input range. */
static int own_hdom_check_iova(const struct own_hdom *d, u64 iova, u64 n)
{
	u64 end = iova + (n << PAGE_SHIFT);

	return end > ((u64)1 << d->pt.ia_bits) || end < iova ? -ERANGE : 0;
}

/*
 * The start of a domain call on [iova, iova + n pages): take the host lock, find the domain
 * (-ENOENT), check the range lies in its input space (-ERANGE). On error the lock is dropped.
 */
static int own_hdom_enter(u32 dom, u64 iova, u64 n, struct own_hdom **d)
{
	int ret = -ENOENT;

	hyp_spin_lock(&own.host.lock);
	*d = own_hdom_get(dom);
	if (*d)
		ret = own_hdom_check_iova(*d, iova, n);
	if (ret)
		hyp_spin_unlock(&own.host.lock);
	return ret;
}

static pt_attr_t own_dma_attr(u32 prot)
{
	return ((prot & OWN_IOMMU_READ) ? PT_R : 0) | ((prot & OWN_IOMMU_WRITE) ? PT_W : 0) |
	       ((prot & OWN_IOMMU_MMIO) ? PT_DEVICE : 0);
}

/* Map prot: read and/or write, optionally MMIO, nothing else. */
static bool own_dma_prot_ok(u32 prot)
{
	return (prot & (OWN_IOMMU_READ | OWN_IOMMU_WRITE)) &&
	       !(prot & ~(OWN_IOMMU_READ | OWN_IOMMU_WRITE | OWN_IOMMU_MMIO));
}

/* Some page of [pa, pa + n pages) (no wrap) is RAM, i.e. has a DB entry. */
bool own_ram_overlaps(u64 pa, u64 n)
{
	u64 last = pa + (n << PAGE_SHIFT) - 1;
	unsigned int i;

	for (i = 0; i < own.nr_ram; i++)
		if (pa <= own.ram[i].base + own.ram[i].size - 1 && own.ram[i].base <= last)
			return true;
	return false;
}

/* Host stage-2 leaf of an MMIO window: a device mapping granting the access asked (*arg). */
static int own_host_mmio_fn(const struct pt_leaf *l, void *arg)
{
	pt_attr_t need = *(const pt_attr_t *)arg & PT_RW;

	return l->valid && (l->attr & PT_DEVICE) && (l->attr & need) == need ? 0 : -EPERM;
}

/*
 * MMIO map (OWN_IOMMU_MMIO, host lock held): no page of the @w-page window is
 * RAM (-EINVAL: RAM is mapped without the bit, with its ownership checks), and
 * the host's CPU stage-2 maps every page as device memory with at least
 * @attr's R/W (-EPERM): a device reaches only MMIO its host driver reaches.
 * What the host stage-2 leaves out (the SMMU's frame, addresses beyond the
 * host's IPA space) is refused; the hypervisor's own memory is RAM (-EINVAL).
 * These mappings are not counted: no transition takes device memory from the
 * host.
 */
static int own_hdom_check_mmio(u64 pa, u64 w, pt_attr_t attr)
{
	const struct pt *cpu = &own.host.view.cpu;

	if (own_ram_overlaps(pa, w))
		return -EINVAL;
	if (pa + (w << PAGE_SHIFT) - 1 >= ((u64)1 << cpu->ia_bits))
		return -EPERM;
	return pt_walk(cpu, pa, w << PAGE_SHIFT, own_host_mmio_fn, &attr);
}

static struct own_map_ent own_batch[OWN_BATCH_MAX];  /* under own.host.lock */
static struct pt_slot own_batch_slot[OWN_BATCH_MAX]; /* the fast entries' slots, checked */
static int own_batch_apply(struct own_hdom *d, u64 nents, struct own_res *res);

/* One window of MAP is a one-entry batch (below): same checks, same fast path, same commit. */
int own_hdom_map(u32 dom, u64 iova, u64 pa, u64 n, u32 prot, struct own_res *res)
{
	struct own_hdom *d;
	u64 w;
	int ret;

	res->done = 0;
	if (!own_dma_prot_ok(prot))
		return -EINVAL;
	ret = own_check_args(iova, n);
	if (!ret)
		ret = own_check_args(pa, n);
	if (ret)
		return ret;
	ret = own_hdom_enter(dom, iova, n, &d);
	if (ret)
		return ret;
	w = own_hdom_window(iova, n);
	own_batch[0].iova = iova;
	own_batch[0].pa = pa;
	own_batch[0].pages_prot = w | (u64)prot << 32;
	ret = own_batch_apply(d, 1, res);
	if (!ret)
		res->done = w;
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/* Unmap walk: first pass checks every page is mapped, second drops the counts. */
struct own_dma_walk {
	bool commit;
};

static int own_dma_walk_fn(const struct pt_leaf *l, void *arg)
{
	const struct own_dma_walk *dw = arg;
	u64 np = l->size >> PAGE_SHIFT;
	u16 *e;

	if (!l->valid)
		return -ENOENT;
	if (!dw->commit)
		return 0;
	if (l->attr & PT_DEVICE) {
		/* MMIO (OWN_IOMMU_MMIO): outside RAM, no map count to drop. */
		HYP_CHECK(!own_ram_overlaps(l->pa, np));
		return 0;
	}
	e = own_db_span(l->pa, np);
	HYP_CHECK(e);
	own_dma_add(e, np, false);
	return 0;
}

/*
 * The leaf size the unmap fast path tries at @ia with @left bytes of the window left: a 2 MiB
 * block where one fits, else a 4 KiB page.
 */
_Static_assert(OWN_HDOM_BUDGET_PAGES *PAGE_SIZE / SZ_2M < 64, "a window's blocks fit a u64");

static u64 own_unmap_step(u64 ia, u64 left)
{
	return IS_ALIGNED(ia, SZ_2M) && left >= SZ_2M ? SZ_2M : PAGE_SIZE;
}

/* A cleared leaf's DMA map counts (MMIO mapped with OWN_IOMMU_MMIO has none). */
static void own_unmap_put(void *arg, u64 pa, u64 size)
{
	(void)arg;
	if (own_dma_put(pa, size >> PAGE_SHIFT))
		HYP_CHECK(!own_ram_overlaps(pa, size >> PAGE_SHIFT));
}

/*
 * Clear the one leaf of @sz at @ia and drop its counts: pt_unmap_leaf_at(), or, for a leaf whose
 * table may empty (-EBUSY), pt_unmap_deferred() (exactly that leaf: no split, no table page; it
 * joins @g itself and the emptied table is freed after the call's sync). Returns
 * pt_unmap_leaf_at()'s answer: 0 or -EBUSY, cleared; anything else, nothing changed.
 */
static int own_unmap_one(struct own_hdom *d, struct pt_cursor *cur, u64 ia, u64 sz,
			 struct pt_gather *g, struct pt_deferred *dl)
{
	u64 pa;
	int ret = pt_unmap_leaf_at(&d->pt, cur, ia, sz, &pa, true);

	if (ret == -EBUSY)
		HYP_CHECK(pt_unmap_deferred(&d->pt, ia, sz, g, dl) == 0);
	else if (ret)
		return ret;
	own_unmap_put(NULL, pa, sz);
	return ret;
}

/*
 * Clear up to @n leaves of @sz from @ia, in one table: runs by pt_unmap_leaf_run(), the leaf a
 * run stops before (its table's last) by own_unmap_one(). Returns the leaves cleared; it stops
 * before the first that is not a leaf of @sz.
 */
static u64 own_unmap_run(struct own_hdom *d, struct pt_cursor *cur, u64 ia, u64 sz, u64 n,
			 struct pt_gather *g, struct pt_deferred *dl)
{
	u64 k = 0;
	int ret;

	while (k < n) {
		if (n - k > 1) /* one leaf alone: pt_unmap_leaf_at() costs less */
			k += pt_unmap_leaf_run(&d->pt, cur, ia + k * sz, sz, n - k, own_unmap_put,
					       NULL);
		if (k == n)
			break;
		ret = own_unmap_one(d, cur, ia + k * sz, sz, g, dl);
		if (ret && ret != -EBUSY)
			break;
		k++;
	}
	return k;
}

/*
 * Unmap fast path: when the window is tiled by 4 KiB last-level leaves and 2 MiB blocks
 * (scattered DMA mappings), check them all, then clear them a run at a time (own_unmap_run())
 * and drop their counts (a whole block's at once, O(1) for a uniform block); a leaf whose
 * table may empty (-EBUSY) goes through pt_unmap_deferred() (a leaf of its exact size: no
 * split, so no table page needed; the emptied table is freed after the call's sync). The
 * window's leaves are contiguous: they join the gather as one range at the end.
 *
 * The window (ABI 1.6, docs/hypercalls.md "LS_HVC_IOMMU_UNMAP"): the first @w0 pages (the
 * 16 MiB window of every domain call) must be so tiled, else nothing changed and 0 is returned
 * (the range operation's path). Past them the call goes on over the following leaves of the
 * @n pages asked, each run probed and cleared in one pass (nothing can fail there: the call
 * only ends), each leaf one budget unit, up to OWN_HDOM_BUDGET_PAGES units in all, and stops
 * before the first page that is not such a leaf. Returns the pages unmapped.
 */
static u64 own_hdom_unmap_pages(struct own_hdom *d, u64 iova, u64 w0, u64 n, struct pt_gather *g,
				struct pt_deferred *dl)
{
	u64 ia, pa, sz, k, want, units = 0, blocks = 0, end = iova + (n << PAGE_SHIFT);
	u64 must = iova + (w0 << PAGE_SHIFT);
	struct pt_cursor cur;	/* both passes walk the window's tables in order */
	unsigned int sizes = 0; /* bit 0: a page was cleared, bit 1: a block */
	bool pages = false;	/* past the window: the 2 MiB slot at ia holds a table */

	pt_cursor_init(&cur);

	/* Check the 16 MiB window: bit (ia - iova) / 2 MiB of @blocks for a block at ia. */
	for (ia = iova; ia < must; ia += sz) {
		sz = own_unmap_step(ia, must - ia);
		if (sz > PAGE_SIZE && !pt_unmap_leaf_at(&d->pt, &cur, ia, sz, &pa, false)) {
			blocks |= BIT((ia - iova) / SZ_2M);
			continue;
		}
		/* Not a block: the pages up to the next 2 MiB boundary, in one table. */
		k = (MIN(must, ALIGN_DOWN(ia, SZ_2M) + SZ_2M) - ia) >> PAGE_SHIFT;
		if (pt_leaf_run(&d->pt, &cur, ia, PAGE_SIZE, k) != k)
			return 0; /* not tiled: nothing changed */
		sz = k << PAGE_SHIFT;
	}

	/*
	 * Clear the window's leaves a run at a time: a block's slot (the check recorded which) one
	 * block, else the pages up to the end of their table. The window was checked: all of it
	 * clears.
	 */
	for (ia = iova; ia < must; ia += k * sz, units += k) {
		sz = own_unmap_step(ia, must - ia);
		if (sz > PAGE_SIZE && !(blocks & BIT((ia - iova) / SZ_2M)))
			sz = PAGE_SIZE;
		want = sz > PAGE_SIZE ?
			       1 :
			       (MIN(must, ALIGN_DOWN(ia, SZ_2M) + SZ_2M) - ia) >> PAGE_SHIFT;
		k = own_unmap_run(d, &cur, ia, sz, want, g, dl);
		if (k != want)
			break;
		sizes |= sz == PAGE_SIZE ? 1U : 2U;
	}
	HYP_CHECK(ia >= must);

	/*
	 * Past the window, up to the budget: runs up to the end of their table (512 leaves), each
	 * probed and cleared in one pass. The call ends before a page that is not a whole leaf; a
	 * 2 MiB slot holding a table is retried by its pages.
	 */
	for (; ia < end && units < OWN_HDOM_BUDGET_PAGES; ia += k * sz, units += k) {
		sz = pages ? PAGE_SIZE : own_unmap_step(ia, end - ia);
		pages = false;
		want = (MIN(end, ALIGN_DOWN(ia, sz << 9) + (sz << 9)) - ia) / sz;
		want = MIN(want, OWN_HDOM_BUDGET_PAGES - units);
		k = own_unmap_run(d, &cur, ia, sz, want, g, dl);
		if (k)
			sizes |= sz == PAGE_SIZE ? 1U : 2U;
		if (k == want)
			continue;
		if (sz == PAGE_SIZE) {
			ia += k * sz;
			break;
		}
		pages = true;
	}
	/* The leaves' level where they are all one size (3: 4 KiB, 2: 2 MiB), else 0 (any). */
	pt_gather_add(g, iova, ia - iova, sizes == 1U ? 3U : sizes == 2U ? 2U : 0U);
	return (ia - iova) >> PAGE_SHIFT;
}

/*
 * A call whose whole range is one leaf (@sz: a 4 KiB page, or a 2 MiB block at a 2 MiB-aligned
 * IOVA), the common iommu_unmap() of one page or one block: one descent checks and clears it
 * (own_unmap_one()), with no window loop and no cursor. -ENOENT or -EAGAIN: not such a leaf,
 * nothing changed (the general path handles the range).
 */
static int own_hdom_unmap_leaf(struct own_hdom *d, u64 iova, u64 sz, struct pt_gather *g,
			       struct pt_deferred *dl)
{
	int ret = own_unmap_one(d, NULL, iova, sz, g, dl);

	if (!ret) /* the leaf's level (3: 4 KiB, 2: 2 MiB); a deferred one joined @g itself */
		pt_gather_add(g, iova, sz, sz == PAGE_SIZE ? 3U : 2U);
	return ret == -EBUSY ? 0 : ret;
}

int own_hdom_unmap(u32 dom, u64 iova, u64 n, struct own_res *res)
{
	struct own_dma_walk dw = { false };
	struct pt_deferred dl;
	struct own_hdom *d;
	struct pt_gather g;
	u64 w, fast;
	s64 c;
	int ret;

	res->done = 0;
	ret = own_check_args(iova, n);
	if (ret)
		return ret;
	ret = own_hdom_enter(dom, iova, n, &d);
	if (ret)
		return ret;
	w = own_hdom_window(iova, n);
	pt_gather_init(&g);
	/* Emptied tables are freed after the call's one invalidation and sync (issue 16). */
	pt_deferred_init(&dl);
	if ((n == 1 || (n == SZ_2M >> PAGE_SHIFT && IS_ALIGNED(iova, SZ_2M))) &&
	    !own_hdom_unmap_leaf(d, iova, n << PAGE_SHIFT, &g, &dl))
		goto done; /* w == n */
	fast = own_hdom_unmap_pages(d, iova, w, n, &g, &dl);
	if (fast) {
		w = fast; /* the fast path's window (ABI 1.6): at least the 16 MiB one */
		goto done;
	}
	ret = pt_walk(&d->pt, iova, w << PAGE_SHIFT, own_dma_walk_fn, &dw);
	if (ret)
		goto out; /* -ENOENT: a page of the window is not mapped */
	c = pt_unmap_cost(&d->pt, iova, w << PAGE_SHIFT);
	if (c < 0) {
		ret = (int)c;
		goto out;
	}
	ret = own_reserve_pool(&d->pool, OWN_POOL_HDOM(d->id), (u64)c, res);
	if (ret)
		goto out;
	if (c)
		pt_pool_unreserve(&d->pool, (u64)c);

	dw.commit = true;
	HYP_CHECK(pt_walk(&d->pt, iova, w << PAGE_SHIFT, own_dma_walk_fn, &dw) == 0);
	HYP_CHECK(pt_unmap_deferred(&d->pt, iova, w << PAGE_SHIFT, &g, &dl) == 0);
done:
	d->mapped -= w;
	/* Completed before the call returns: the host may then give the pages away. */
	own_hdom_inval(d, &g, true);
	pt_dead_release(&d->pt, &dl);
	res->done = w;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/*
 * LS_FN_IOMMU_MAP_BATCH: every entry of the host's list, or none. The list is copied once (the
 * host may change its page meanwhile), then checked whole: ascending disjoint IOVA ranges, pages
 * the host reaches, free IOVAs, map counts (taken tentatively, so an entry repeating a page
 * counts twice), and one pool check for the sum of the entries' costs. That sum bounds what the
 * commit takes: the ranges are disjoint and were all unmapped, so an earlier entry can only
 * create tables a later one would have needed too, never split or merge one it uses.
 */

/* An entry of @n pages the leaf fast path may take: its size, else 0. */
static u64 own_leaf_size(u64 n)
{
	return n == 1 || n == SZ_2M >> PAGE_SHIFT ? n << PAGE_SHIFT : 0;
}

static void own_batch_uncount(u64 upto)
{
	u64 i;

	for (i = 0; i < upto; i++) {
		if ((own_batch[i].pages_prot >> 32) & OWN_IOMMU_MMIO)
			continue; /* not counted */
		HYP_CHECK(own_dma_put(own_batch[i].pa, own_batch[i].pages_prot & 0xffffffffU) == 0);
	}
}

static int own_batch_check(struct own_hdom *d, struct pt_cursor *cur, u64 nents, u64 *cost,
			   u64 *pages)
{
	u64 i, end = 0, prev_end = 0, total = 0;
	int ret;

	*cost = 0;
	*pages = 0;
	for (i = 0; i < nents; i++) {
		const struct own_map_ent *m = &own_batch[i];
		u64 iova = m->iova, pa = m->pa, n = m->pages_prot & 0xffffffffU;
		u64 units = OWN_BATCH_UNITS(iova, pa, n), lsz = own_leaf_size(n);
		u32 prot = (u32)(m->pages_prot >> 32);
		struct pt_slot *sl = &own_batch_slot[i];
		s64 c;

		ret = -EINVAL;
		if (!own_dma_prot_ok(prot) || own_check_args(iova, n) || own_check_args(pa, n))
			goto undo;
		if ((i && iova < end) || (total += units) > OWN_HDOM_BUDGET_PAGES)
			goto undo;
		prev_end = end;
		end = iova + (n << PAGE_SHIFT);
		ret = own_hdom_check_iova(d, iova, n);
		/* Counted now, so that a page repeated later in the list is checked cumulatively. */
		if (!ret && (prot & OWN_IOMMU_MMIO))
			ret = own_hdom_check_mmio(pa, n, own_dma_attr(prot));
		else if (!ret)
			ret = own_dma_take(pa, n);
		if (ret)
			goto undo;
		*pages += n;
		/*
		 * Scattered single pages and 2 MiB blocks: the engine's leaf fast path (one write,
		 * no table, no merge) when their table exists. A page in the 2 MiB IOVA region where
		 * the previous entry ended needs no table page even when the table does not exist
		 * yet: that entry creates it (a merge cannot remove it, this slot being free).
		 */
		if (lsz) { /* the prep fills the whole slot */
			c = pt_map_leaf_prep(&d->pt, cur, iova, pa, lsz, own_dma_attr(prot), sl);
			if (!c)
				continue;
		} else {
			pt_slot_none(sl);
			c = -EAGAIN;
		}
		if (c == -EAGAIN) /* no walk when the descent saw the range unmapped */
			c = sl->unmapped ?
				    0 :
				    pt_walk(&d->pt, iova, n << PAGE_SHIFT, own_unmapped_fn, NULL);
		/*
		 * No table to pay for where the previous entry's commit makes it: a page in the
		 * 2 MiB region where that entry ended (its last-level table), an aligned block in
		 * the 1 GiB region (its level-2 table).
		 */
		if (!c && !(i && ((n == 1 && (iova ^ (prev_end - 1)) < SZ_2M) ||
				  (units == 1 && n > 1 && (iova ^ (prev_end - 1)) < SZ_1G))))
			c = pt_map_cost(&d->pt, iova, n << PAGE_SHIFT, pa, own_dma_attr(prot));
		if (c < 0) {
			ret = (int)c;
			own_batch_uncount(i + 1);
			return ret;
		}
		*cost += (u64)c;
	}
	return 0;
undo:
	own_batch_uncount(i);
	return ret;
}

/* Check the entries in own_batch[] whole, check the pool, map them all (host lock held). */
static int own_batch_apply(struct own_hdom *d, u64 nents, struct own_res *res)
{
	struct pt_cursor cur; /* the entries' tables, for the check and the commit */
	struct pt_gather g;
	u64 i, cost, pages;
	int ret;

	pt_cursor_init(&cur);
	ret = own_batch_check(d, &cur, nents, &cost, &pages);
	if (ret)
		return ret;
	ret = own_reserve_pool(&d->pool, OWN_POOL_HDOM(d->id), cost, res);
	if (ret) {
		own_batch_uncount(nents);
		return ret;
	}
	if (cost)
		pt_pool_unreserve(&d->pool, cost);

	pt_gather_init(&g);
	for (i = 0;; i++) {
		const struct own_map_ent *m;
		u64 n, lsz;
		pt_attr_t attr;

		/*
		 * The entries the check gave a slot go in a run at a time, one write each: a
		 * single page or 2 MiB block whose table exists by now and which no neighbour
		 * continues. The run stops before an entry that cannot (-EAGAIN): pt_map()
		 * creates the table the check counted, or maps into the existing one and
		 * merges, taking no page.
		 */
		i += pt_map_leaf_commit_run(&d->pt, &cur, &own_batch_slot[i], nents - i);
		if (i >= nents)
			break;
		m = &own_batch[i];
		n = m->pages_prot & 0xffffffffU;
		lsz = own_leaf_size(n);
		attr = own_dma_attr((u32)(m->pages_prot >> 32));
		ret = -EAGAIN;
		/* A linear format's commit already looked for the table (docs/mmu.md). */
		if (lsz && !d->pt.leaf_linear)
			ret = pt_map_leaf_at(&d->pt, &cur, m->iova, m->pa, lsz, attr, true);
		if (ret == -EAGAIN)
			ret = pt_map(&d->pt, m->iova, n << PAGE_SHIFT, m->pa, attr, &g);
		HYP_CHECK(ret == 0);
	}
	d->mapped += pages;
	/* New entries were invalid (never cached): only merges left something to drop. */
	own_hdom_inval(d, &g, false);
	return 0;
}

int own_hdom_map_batch(u32 dom, u64 list_pa, u64 nents, struct own_res *res)
{
	const volatile u64 *src;
	struct own_hdom *d;
	u16 *e;
	u64 i;
	int ret;

	res->done = 0;
	if (!nents || nents > OWN_BATCH_MAX)
		return -EINVAL;
	ret = own_check_pa(list_pa, 1, &e);
	if (ret)
		return ret;
	hyp_spin_lock(&own.host.lock);
	ret = -ENOENT;
	d = own_hdom_get(dom);
	if (!d)
		goto out;
	ret = -EPERM;
	if (!own_host_reaches(*e))
		goto out;
	src = plat_phys_to_virt(list_pa);
	for (i = 0; i < nents; i++) {
		own_batch[i].iova = src[3 * i];
		own_batch[i].pa = src[3 * i + 1];
		own_batch[i].pages_prot = src[3 * i + 2];
	}
	ret = own_batch_apply(d, nents, res);
	if (ret)
		goto out;
	res->done = nents;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_hdom_lookup(u32 dom, u64 iova, u64 *pa, u32 *prot, u64 *leaf_pages)
{
	struct own_hdom *d;
	unsigned int level;
	pt_attr_t attr;
	int ret;

	if (!IS_ALIGNED(iova, PAGE_SIZE))
		return -EINVAL;
	ret = own_hdom_enter(dom, iova, 1, &d);
	if (ret)
		return ret;
	ret = pt_lookup(&d->pt, iova, pa, &attr, &level);
	if (!ret) {
		*prot = ((attr & PT_R) ? OWN_IOMMU_READ : 0) |
			((attr & PT_W) ? OWN_IOMMU_WRITE : 0) |
			((attr & PT_DEVICE) ? OWN_IOMMU_MMIO : 0);
		if (leaf_pages) /* 4K granule: level 3 page, 2: 2 MiB, 1: 1 GiB */
			*leaf_pages = 1ULL << (9U * (3U - level));
	}
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_hdom_stat(u32 dom, unsigned int id, u64 *val)
{
	struct own_hdom *d;
	int ret = 0;

	if (id >= OWN_HDOM_STAT_NR)
		return -EINVAL;
	hyp_spin_lock(&own.host.lock);
	d = own_hdom_get(dom);
	if (!d) {
		ret = -ENOENT;
		goto out;
	}
	switch ((enum own_hdom_stat)id) {
	case OWN_HDOM_STAT_MAPPED:
		*val = d->mapped;
		break;
	case OWN_HDOM_STAT_TABLES:
		*val = d->pt.nr_tables;
		break;
	case OWN_HDOM_STAT_POOL_FREE:
		*val = d->pool.nr_free;
		break;
	case OWN_HDOM_STAT_POOL_TOTAL:
		*val = d->pool.nr_total;
		break;
	case OWN_HDOM_STAT_INVAL_RANGES:
		*val = d->inval_ranges;
		break;
	case OWN_HDOM_STAT_SYNCS:
		*val = d->syncs;
		break;
	case OWN_HDOM_STAT_STREAMS:
		*val = d->streams;
		break;
	case OWN_HDOM_STAT_NR:
		ret = -EINVAL;
		break;
	}
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

const struct own_hdom *own_hdom_of(u32 dom)
{
	return own_hdom_get(dom);
}

int own_hdom_of_sid(u32 sid, u32 *dom)
{
	int slot = own_sid_slot(sid);

	if (slot < 0)
		return -ENOENT;
	*dom = own.sid_dom[slot];
	return 0;
}

const u8 *own_dma_counts(u64 *nr_pages)
{
	own_db_entries(nr_pages);
	return own.dma;
}

const u8 *own_block_dma_counts(u64 *nr)
{
	*nr = own.nr_sum2m;
	return own.dma2m;
}

int own_dma_maps_pa(u64 pa, unsigned int *maps)
{
	u16 *e = own_db_span(ALIGN_DOWN(pa, PAGE_SIZE), 1);

	if (!e)
		return -ERANGE;
	*maps = own_dma_maps(e);
	return 0;
}

int own_view_stats(u32 sel, u64 ia, u64 *tables, u32 *kind, u32 *level)
{
	const struct pt *pt = NULL;
	unsigned int lvl = 0;
	struct own_hdom *d;

	hyp_spin_lock(&own.host.lock);
	if (sel == 0) {
		pt = &own.host.view.cpu;
		*kind = 0;
	} else if (sel <= OWN_MAX_DOMS && own.host.view.dom[sel - 1].used) {
		const struct own_dom *od = &own.host.view.dom[sel - 1];

		pt = od->mirrored ? &od->pt : &own.host.view.cpu;
		*kind = od->mirrored ? 2 : 1;
	} else if (sel >= OWN_POOL_HDOM_BASE && (d = own_hdom_get(sel - OWN_POOL_HDOM_BASE))) {
		pt = &d->pt;
		*kind = 3;
	}
	if (pt) {
		*tables = pt->nr_tables;
		if (ia >= ((u64)1 << pt->ia_bits) || pt_lookup(pt, ia, NULL, NULL, &lvl))
			lvl = 0;
		*level = lvl;
	}
	hyp_spin_unlock(&own.host.lock);
	return pt ? 0 : -ENOENT;
}
