// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page ownership state machine and lockstep transactions (docs/ownership.md).
 *
 * Lock order (always taken in this order, released in reverse):
 *   1. own.host.lock   the host principal: host view (CPU stage-2 + IOMMU
 *                      domains), host pool, the scratch run list, VM slot
 *                      allocation, every DB entry owned by the host or
 *                      the hypervisor, every DMA map count, the host DMA
 *                      domains (tables, pools, stream attachments) and the
 *                      registered IOMMU driver
 *   2. own.vm[i].lock  VM i: its view, pool, counters and every DB entry it
 *                      owns; several VM locks (none today) by ascending id
 * A pool has no lock of its own: its principal's lock covers it. A DB entry is
 * written only while holding the locks of its current and its next owner, so
 * a reader holding either lock sees a stable entry. Guest share requests take
 * only their VM's lock (they touch nothing the host owns).
 *
 * Every transition has the same shape: take the locks; validate the whole
 * window (arguments, RAM, owner, state, the tables' current mappings); compute
 * the exact table-page cost on every view and reserve it from every pool
 * (-ENOMEM and the number of pages to donate if short); commit on every view
 * (cannot fail: HYP_CHECK); update the DB; invalidate each view's gathered
 * ranges once and sync. Removals are invalidated and synced before the page is
 * reachable by its next owner. An error returns before anything changed.
 *
 * Host DMA domains (the map/unmap hypercalls) never follow ownership changes:
 * a page they map has a non-zero DMA map count and every transition that
 * would take it from the host fails with -EBUSY (policy "refuse", see
 * docs/ownership.md). So no reverse map is needed and the lockstep
 * transactions above touch only the views.
 */
#include <errno.h>
#include <string.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "hyp/spinlock.h"

#define OWN_VM_POOL_MAX ((u64)OWN_MAX_POOL_RUNS * OWN_BUDGET_PAGES)
#define OWN_MIN_IA_BITS 32U
#define OWN_MAX_IA_BITS 48U

/* Attributes per state: borrowed and shared pages are never executable. */
#define OWN_ATTR_OWNED	PT_RWX
#define OWN_ATTR_SHARED PT_RW

struct own_principal {
	struct hyp_spinlock lock;
	bool live;
	u32 id;	      /* OWN_HOST or the VM id */
	u16 owner;    /* DB owner code */
	u64 nr_pages; /* pages owned (VMs) */
	struct pt_pool pool;
	struct own_view view;
	unsigned int nr_runs; /* pool donations */
	struct own_range runs[OWN_MAX_POOL_RUNS];
};

/* One gfn -> pfn run of a VM window, uniform in attributes. */
struct own_run {
	u64 ipa;
	u64 pa;
	u64 n;
	pt_attr_t attr;
};

/* Per-view gathered invalidations of one transaction. */
struct own_gathers {
	struct pt_gather cpu;
	struct pt_gather dom[OWN_MAX_DOMS];
};

enum own_op_kind { OWN_OP_MAP, OWN_OP_UNMAP, OWN_OP_ATTR };

struct own_op {
	enum own_op_kind kind;
	u64 ia;
	u64 size;
	u64 pa;
	pt_attr_t attr;
};

static struct {
	unsigned int nr_ram;
	struct own_range ram[OWN_MAX_RANGES];
	u64 ram_first[OWN_MAX_RANGES]; /* DB index of each range's first page */
	u16 *db;
	enum pt_fmt_id cpu_fmt;
	bool cpu_coherent;
	const struct own_inval_ops *cpu_ops;
	void *cpu_priv;
	struct own_principal host;
	struct own_principal vm[OWN_MAX_VMS];
	/* Host DMA domains (host lock). */
	u8 *dma; /* DMA map count per page, right after the DB entries */
	struct own_hdom hdom[OWN_MAX_HDOMS];
	const struct own_iommu_ops *iommu;
	void *iommu_drv;
	u32 iommu_sids;
	enum pt_fmt_id iommu_fmt;
	bool iommu_coherent;
	unsigned int nr_sids;		/* attached streams */
	u32 sid[OWN_HDOM_MAX_SIDS];	/* attached stream ids (first nr_sids) */
	u32 sid_dom[OWN_HDOM_MAX_SIDS]; /* their domains */
} own;

/* Gfn runs of the current window; protected by the host lock. */
static struct own_run own_scratch[OWN_BUDGET_PAGES];

/* ---- ownership database ------------------------------------------------ */

u64 own_db_bytes(const struct own_range *ram, unsigned int nr_ram)
{
	u64 pages = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++)
		pages += ram[i].size >> PAGE_SHIFT;
	return pages * (sizeof(u16) + sizeof(u8)); /* entry + DMA map count */
}

/* DB entries of [pa, pa + n pages) if the span lies inside one RAM range. */
static u16 *own_db_span(u64 pa, u64 n)
{
	unsigned int i;

	for (i = 0; i < own.nr_ram; i++) {
		const struct own_range *r = &own.ram[i];

		if (pa >= r->base && pa - r->base < r->size &&
		    n <= (r->size - (pa - r->base)) >> PAGE_SHIFT)
			return &own.db[own.ram_first[i] + ((pa - r->base) >> PAGE_SHIFT)];
	}
	return NULL;
}

static u16 own_e_owner(u16 e)
{
	return e & OWN_E_OWNER;
}

int own_page_entry(u64 pa, u16 *e)
{
	u16 *p = own_db_span(ALIGN_DOWN(pa, PAGE_SIZE), 1);

	if (!p)
		return -ERANGE;
	*e = *p;
	return 0;
}

/* DMA map counts of the pages whose DB entries start at @e. */
static u8 *own_dma_of(const u16 *e)
{
	return &own.dma[e - own.db];
}

/* Some page of the span is mapped in a host DMA domain. */
static bool own_dma_busy(const u16 *e, u64 n)
{
	const u8 *c = own_dma_of(e);
	u64 i;

	for (i = 0; i < n; i++)
		if (c[i])
			return true;
	return false;
}

static void own_db_set(u16 *e, u64 n, u16 clear, u16 set)
{
	u64 i;

	for (i = 0; i < n; i++)
		e[i] = (u16)((e[i] & ~clear) | set);
}

/* ---- principals and views ---------------------------------------------- */

static struct own_principal *own_vm_get(u32 vm)
{
	if (vm >= OWN_MAX_VMS)
		return NULL;
	return &own.vm[vm];
}

static struct own_principal *own_who(u32 who)
{
	return who == OWN_HOST ? &own.host : own_vm_get(who);
}

static struct own_principal *own_view_principal(struct pt *pt)
{
	return pt->priv;
}

static void own_view_inval(struct own_principal *p, struct own_gathers *g)
{
	struct own_view *v = &p->view;
	bool any = false;
	unsigned int i;

	if (g->cpu.nr || g->cpu.all) {
		own.cpu_ops->invalidate(own.cpu_priv, p->id, &g->cpu);
		any = true;
	}
	for (i = 0; i < OWN_MAX_DOMS; i++) {
		struct own_dom *d = &v->dom[i];
		const struct pt_gather *dg = d->mirrored ? &g->dom[i] : &g->cpu;

		if (d->used && (dg->nr || dg->all)) {
			d->ops->invalidate(d->priv, p->id, dg);
			any = true;
		}
	}
	if (!any)
		return;
	/* Every invalidation issued above completes before the call goes on. */
	own.cpu_ops->sync(own.cpu_priv, p->id);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used)
			v->dom[i].ops->sync(v->dom[i].priv, p->id);
}

/* Break-before-make inside an operation: invalidate one range now. */
static void own_flush_cpu(struct pt *pt, u64 ia, u64 size, unsigned int level)
{
	struct own_principal *p = own_view_principal(pt);
	struct own_gathers g;
	unsigned int i;

	pt_gather_init(&g.cpu);
	pt_gather_add(&g.cpu, ia, size, level);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		pt_gather_init(&g.dom[i]); /* shared domains use g.cpu */
	own_view_inval(p, &g);
}

static void own_flush_dom(struct pt *pt, u64 ia, u64 size, unsigned int level)
{
	struct own_dom *d = pt->priv;
	struct pt_gather g;

	pt_gather_init(&g);
	pt_gather_add(&g, ia, size, level);
	d->ops->invalidate(d->priv, d->who, &g);
	d->ops->sync(d->priv, d->who);
}

static const struct pt_ops own_cpu_pt_ops = { .flush_now = own_flush_cpu };
static const struct pt_ops own_dom_pt_ops = { .flush_now = own_flush_dom };

static void own_gathers_init(struct own_gathers *g)
{
	unsigned int i;

	pt_gather_init(&g->cpu);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		pt_gather_init(&g->dom[i]);
}

static s64 own_op_cost(const struct pt *pt, const struct own_op *op)
{
	switch (op->kind) {
	case OWN_OP_MAP:
		return pt_map_cost(pt, op->ia, op->size, op->pa, op->attr);
	case OWN_OP_UNMAP:
		return pt_unmap_cost(pt, op->ia, op->size);
	case OWN_OP_ATTR:
		return pt_set_attr_cost(pt, op->ia, op->size, op->attr);
	}
	return -EINVAL;
}

static int own_op_apply(struct pt *pt, const struct own_op *op, struct pt_gather *g)
{
	switch (op->kind) {
	case OWN_OP_MAP:
		return pt_map(pt, op->ia, op->size, op->pa, op->attr, g);
	case OWN_OP_UNMAP:
		return pt_unmap(pt, op->ia, op->size, g);
	case OWN_OP_ATTR:
		return pt_set_attr(pt, op->ia, op->size, op->attr, g);
	}
	return -EINVAL;
}

/* Add the cost of @op on every table of @p's view to *cost. */
static int own_view_cost(const struct own_principal *p, const struct own_op *op, u64 *cost)
{
	const struct own_view *v = &p->view;
	unsigned int i;
	s64 c;

	c = own_op_cost(&v->cpu, op);
	if (c < 0)
		return (int)c;
	*cost += (u64)c;
	for (i = 0; i < OWN_MAX_DOMS; i++) {
		if (!v->dom[i].used || !v->dom[i].mirrored)
			continue;
		c = own_op_cost(&v->dom[i].pt, op);
		if (c < 0)
			return (int)c;
		*cost += (u64)c;
	}
	return 0;
}

/* Apply @op on every table of @p's view; the pages were reserved: cannot fail. */
static void own_view_apply(struct own_principal *p, const struct own_op *op, struct own_gathers *g)
{
	struct own_view *v = &p->view;
	unsigned int i;

	HYP_CHECK(own_op_apply(&v->cpu, op, &g->cpu) == 0);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			HYP_CHECK(own_op_apply(&v->dom[i].pt, op, &g->dom[i]) == 0);
}

/*
 * Reserve @cost pages from @p's pool. On shortage nothing is reserved and
 * @res says how many pages the host must donate to which pool.
 */
static int own_reserve_pool(struct pt_pool *pool, u32 who, u64 cost, struct own_res *res)
{
	u64 avail = pool->nr_free - pool->nr_reserved;

	if (!cost)
		return 0;
	if (pt_pool_reserve(pool, cost)) {
		res->need = cost > avail ? cost - avail : 1;
		res->need_who = who;
		return -ENOMEM;
	}
	return 0;
}

static int own_reserve(struct own_principal *p, u64 cost, struct own_res *res)
{
	return own_reserve_pool(&p->pool, p->id, cost, res);
}

/*
 * Reserve on both pools or on none. The reservation proves the commit will
 * find its pages; it is released just before the commit (the locks stay held,
 * so nobody else can take them) because the engine's operations allocate from
 * the unreserved part of the pool.
 */
static int own_reserve2(struct own_principal *a, u64 ca, struct own_principal *b, u64 cb,
			struct own_res *res)
{
	int ret = own_reserve(a, ca, res);

	if (ret || !b)
		return ret;
	ret = own_reserve(b, cb, res);
	if (ret && ca)
		pt_pool_unreserve(&a->pool, ca);
	return ret;
}

static void own_unreserve2(struct own_principal *a, u64 ca, struct own_principal *b, u64 cb)
{
	if (ca)
		pt_pool_unreserve(&a->pool, ca);
	if (b && cb)
		pt_pool_unreserve(&b->pool, cb);
}

static void own_scrub(u64 pa, u64 n)
{
	memset(plat_phys_to_virt(pa), 0, n << PAGE_SHIFT);
	plat_dcache_clean(plat_phys_to_virt(pa), n << PAGE_SHIFT);
}

/* ---- argument checks ---------------------------------------------------- */

/* Pages of a window: at most the budget, ending at a budget-aligned boundary of @addr. */
static u64 own_window(u64 addr, u64 n)
{
	u64 left = OWN_BUDGET_PAGES - ((addr >> PAGE_SHIFT) & (OWN_BUDGET_PAGES - 1));

	return MIN(n, left);
}

/* Alignment, zero length, wrap: -EINVAL. */
static int own_check_args(u64 addr, u64 n)
{
	if (!n || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (n > (~(u64)0 >> PAGE_SHIFT) || addr + (n << PAGE_SHIFT) - 1 < addr)
		return -EINVAL;
	return 0;
}

/* The window's PAs: in one RAM range (-ERANGE). */
static int own_check_pa(u64 pa, u64 n, u16 **e)
{
	int ret = own_check_args(pa, n);

	if (ret)
		return ret;
	*e = own_db_span(pa, n);
	return *e ? 0 : -ERANGE;
}

/* The window's IPAs: inside the VM's input address space (-ERANGE). */
static int own_check_ipa(const struct own_principal *vm, u64 ipa, u64 n)
{
	int ret = own_check_args(ipa, n);

	if (ret)
		return ret;
	if (ipa + (n << PAGE_SHIFT) > ((u64)1 << vm->view.cpu.ia_bits) ||
	    ipa + (n << PAGE_SHIFT) < ipa)
		return -ERANGE;
	return 0;
}

/* Every page of the window owned exclusively by the host (-EPERM otherwise). */
static int own_check_host_owned(const u16 *e, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (e[i] != OWN_OWNER_HOST)
			return -EPERM;
	return 0;
}

/* ---- locking ------------------------------------------------------------ */

/* Take host then VM @vm; -ENOENT (nothing held) if the VM does not exist. */
static int own_lock_host_vm(u32 vm, struct own_principal **p)
{
	struct own_principal *v = own_vm_get(vm);

	if (!v)
		return -ENOENT;
	hyp_spin_lock(&own.host.lock);
	hyp_spin_lock(&v->lock);
	if (!v->live) {
		hyp_spin_unlock(&v->lock);
		hyp_spin_unlock(&own.host.lock);
		return -ENOENT;
	}
	*p = v;
	return 0;
}

static void own_unlock_host_vm(struct own_principal *v)
{
	hyp_spin_unlock(&v->lock);
	hyp_spin_unlock(&own.host.lock);
}

/* ---- VM windows --------------------------------------------------------- */

/* Collects into own_scratch (host lock held). */
struct own_collect {
	unsigned int nr;
	unsigned int max;
	int err;
};

static int own_collect_fn(const struct pt_leaf *l, void *arg)
{
	struct own_collect *c = arg;
	struct own_run *last = c->nr ? &own_scratch[c->nr - 1] : NULL;

	if (!l->valid) {
		c->err = -EPERM; /* the VM has no page there */
		return 1;
	}
	if (last && last->pa + (last->n << PAGE_SHIFT) == l->pa && last->attr == l->attr) {
		last->n += l->size >> PAGE_SHIFT;
		return 0;
	}
	HYP_CHECK(c->nr < c->max);
	own_scratch[c->nr].ipa = l->ia;
	own_scratch[c->nr].pa = l->pa;
	own_scratch[c->nr].n = l->size >> PAGE_SHIFT;
	own_scratch[c->nr].attr = l->attr;
	c->nr++;
	return 0;
}

/*
 * The gfn -> pfn runs of VM window [ipa, ipa + n pages) into own_scratch (host
 * lock held); -EPERM if a page is unmapped. Every run's pages are RAM owned by
 * the VM (an internal invariant).
 */
static int own_vm_runs(struct own_principal *vm, u64 ipa, u64 n, unsigned int *nr)
{
	struct own_collect c = { 0, OWN_BUDGET_PAGES, 0 };
	unsigned int i;
	u64 j;

	pt_walk(&vm->view.cpu, ipa, n << PAGE_SHIFT, own_collect_fn, &c);
	if (c.err)
		return c.err;
	for (i = 0; i < c.nr; i++) {
		u16 *e = own_db_span(own_scratch[i].pa, own_scratch[i].n);

		HYP_CHECK(e);
		for (j = 0; j < own_scratch[i].n; j++)
			HYP_CHECK(own_e_owner(e[j]) == vm->owner);
	}
	*nr = c.nr;
	return 0;
}

static u16 *own_run_db(const struct own_run *r)
{
	return own_db_span(r->pa, r->n);
}

/* Every page of the runs matches (e & mask) == val, else @err. */
static int own_check_runs(unsigned int nr, u16 mask, u16 val, int err)
{
	unsigned int i;
	u64 j;

	for (i = 0; i < nr; i++) {
		const u16 *e = own_run_db(&own_scratch[i]);

		for (j = 0; j < own_scratch[i].n; j++)
			if ((e[j] & mask) != val)
				return err;
	}
	return 0;
}

static void own_set_runs(unsigned int nr, u16 clear, u16 set)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		own_db_set(own_run_db(&own_scratch[i]), own_scratch[i].n, clear, set);
}

static struct own_op own_op_host(enum own_op_kind kind, u64 pa, u64 n, pt_attr_t attr)
{
	struct own_op op = { kind, pa, n << PAGE_SHIFT, pa, attr };

	return op;
}

/* A run's pages are all shared or all private (its VM mapping attributes are uniform). */
static bool own_run_shared(const struct own_run *r)
{
	return (*own_run_db(r) & OWN_E_SHARED) != 0;
}

/* Sum of the host-view cost of @kind over the runs (only the shared ones if @shared_only). */
static int own_host_runs_cost(unsigned int nr, enum own_op_kind kind, pt_attr_t attr,
			      bool shared_only, u64 *cost)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		struct own_op op = own_op_host(kind, own_scratch[i].pa, own_scratch[i].n, attr);

		if (shared_only && !own_run_shared(&own_scratch[i]))
			continue;
		ret = own_view_cost(&own.host, &op, cost);
		if (ret)
			return ret;
	}
	return 0;
}

static void own_host_runs_apply(unsigned int nr, enum own_op_kind kind, pt_attr_t attr,
				bool shared_only, struct own_gathers *g)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct own_op op = own_op_host(kind, own_scratch[i].pa, own_scratch[i].n, attr);

		if (shared_only && !own_run_shared(&own_scratch[i]))
			continue;
		own_view_apply(&own.host, &op, g);
	}
}

/* ---- host <-> hypervisor ------------------------------------------------ */

static int own_host_hyp(u64 pa, u64 n, bool share, struct own_res *res)
{
	u16 want = share ? OWN_OWNER_HOST : (u16)(OWN_OWNER_HOST | OWN_E_SHARED);
	u16 *e;
	u64 w, i;
	int ret;

	res->done = 0;
	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	w = own_window(pa, n);
	hyp_spin_lock(&own.host.lock);
	for (i = 0; i < w; i++) {
		if (e[i] != want) {
			ret = -EPERM;
			goto out;
		}
	}
	/*
	 * The host keeps its mapping either way: only the state changes. The
	 * hypervisor may read or write a shared page; the host may not donate it.
	 */
	own_db_set(e, w, OWN_E_SHARED, share ? OWN_E_SHARED : 0);
	res->done = w;
out:
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_host_share_hyp(u64 pa, u64 n, struct own_res *res)
{
	return own_host_hyp(pa, n, true, res);
}

int own_host_unshare_hyp(u64 pa, u64 n, struct own_res *res)
{
	return own_host_hyp(pa, n, false, res);
}

/* ---- host -> VM donation, VM -> host reclaim ---------------------------- */

static int own_unmapped_fn(const struct pt_leaf *l, void *arg)
{
	(void)arg;
	return l->valid ? -EEXIST : 0;
}

/*
 * The common start of a transition over a window of VM memory: take the host
 * and VM locks, check the IPA range, cut it to one window (*w pages) and
 * collect its runs into own_scratch (*nr). On error nothing is held.
 */
static int own_vm_window_begin(u32 vm, u64 ipa, u64 n, struct own_principal **v, u64 *w,
			       unsigned int *nr)
{
	int ret = own_lock_host_vm(vm, v);

	if (ret)
		return ret;
	ret = own_check_ipa(*v, ipa, n);
	if (!ret) {
		*w = own_window(ipa, n);
		ret = own_vm_runs(*v, ipa, *w, nr);
	}
	if (ret)
		own_unlock_host_vm(*v);
	return ret;
}

int own_host_donate_vm(u32 vm, u64 pa, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_gathers gh, gv;
	struct own_op hop, vop;
	u64 w, ch = 0, cv = 0;
	u16 *e;
	int ret;

	res->done = 0;
	ret = own_check_args(pa, n);
	if (ret)
		return ret;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	ret = own_check_ipa(v, ipa, n);
	if (ret)
		goto out;
	w = own_window(ipa, n);
	ret = own_check_pa(pa, n, &e);
	if (ret)
		goto out;
	ret = own_check_host_owned(e, w);
	if (ret)
		goto out;
	ret = -EBUSY; /* mapped in a host DMA domain: the host unmaps it first */
	if (own_dma_busy(e, w))
		goto out;
	ret = pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_unmapped_fn, NULL);
	if (ret)
		goto out;

	hop = own_op_host(OWN_OP_UNMAP, pa, w, 0);
	vop = (struct own_op){ OWN_OP_MAP, ipa, w << PAGE_SHIFT, pa, OWN_ATTR_OWNED };
	ret = own_view_cost(&own.host, &hop, &ch);
	if (!ret)
		ret = own_view_cost(v, &vop, &cv);
	if (!ret)
		ret = own_reserve2(&own.host, ch, v, cv, res);
	if (ret)
		goto out;
	own_unreserve2(&own.host, ch, v, cv);

	/* Commit: the host loses the pages (synced) before the VM can reach them. */
	own_gathers_init(&gh);
	own_gathers_init(&gv);
	own_view_apply(&own.host, &hop, &gh);
	own_view_inval(&own.host, &gh);
	own_view_apply(v, &vop, &gv);
	own_db_set(e, w, 0xffff, v->owner);
	v->nr_pages += w;
	own_view_inval(v, &gv);
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

int own_vm_reclaim(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_gathers gh, gv;
	struct own_op vop;
	unsigned int nr, i;
	u64 w, ch = 0, cv = 0;
	int ret;

	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	/* Shared pages go back to private first (the host must unshare them). */
	ret = own_check_runs(nr, OWN_E_SHARED, 0, -EBUSY);
	if (ret)
		goto out;

	vop = (struct own_op){ OWN_OP_UNMAP, ipa, w << PAGE_SHIFT, 0, 0 };
	ret = own_view_cost(v, &vop, &cv);
	if (!ret)
		ret = own_host_runs_cost(nr, OWN_OP_MAP, OWN_ATTR_OWNED, false, &ch);
	if (!ret)
		ret = own_reserve2(&own.host, ch, v, cv, res);
	if (ret)
		goto out;
	own_unreserve2(&own.host, ch, v, cv);

	/* Commit: the VM loses the pages (synced), they are zeroed, the host gets them. */
	own_gathers_init(&gh);
	own_gathers_init(&gv);
	own_view_apply(v, &vop, &gv);
	own_view_inval(v, &gv);
	for (i = 0; i < nr; i++)
		own_scrub(own_scratch[i].pa, own_scratch[i].n);
	own_host_runs_apply(nr, OWN_OP_MAP, OWN_ATTR_OWNED, false, &gh);
	own_set_runs(nr, 0xffff, OWN_OWNER_HOST);
	v->nr_pages -= w;
	own_view_inval(&own.host, &gh);
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

/* ---- VM <-> host sharing (guest_memfd private <-> shared) --------------- */

int own_vm_share_host(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_gathers gh, gv;
	struct own_op vop;
	unsigned int nr;
	u64 w, ch = 0, cv = 0;
	int ret;

	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	/* Private and consented to by the guest: the host alone cannot expose a page. */
	ret = own_check_runs(nr, OWN_E_SHARED | OWN_E_CONSENT, OWN_E_CONSENT, -EPERM);
	if (ret)
		goto out;

	vop = (struct own_op){ OWN_OP_ATTR, ipa, w << PAGE_SHIFT, 0, OWN_ATTR_SHARED };
	ret = own_view_cost(v, &vop, &cv);
	if (!ret)
		ret = own_host_runs_cost(nr, OWN_OP_MAP, OWN_ATTR_SHARED, false, &ch);
	if (!ret)
		ret = own_reserve2(&own.host, ch, v, cv, res);
	if (ret)
		goto out;
	own_unreserve2(&own.host, ch, v, cv);

	/*
	 * Commit: the VM loses execute permission on the pages (synced) before
	 * the host can write them, so the guest never executes host-written code
	 * through a stale TLB entry.
	 */
	own_gathers_init(&gh);
	own_gathers_init(&gv);
	own_view_apply(v, &vop, &gv);
	own_view_inval(v, &gv);
	own_host_runs_apply(nr, OWN_OP_MAP, OWN_ATTR_SHARED, false, &gh);
	own_set_runs(nr, 0, OWN_E_SHARED);
	own_view_inval(&own.host, &gh);
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

/*
 * Shared -> private for the window whose runs are in own_scratch: the host
 * loses every shared page (synced), then the VM gets execute back. Consent is
 * cleared on every page: sharing again needs a new guest request.
 */
static int own_unshare_window(struct own_principal *v, u64 ipa, u64 w, unsigned int nr,
			      struct own_res *res)
{
	struct own_gathers gh, gv;
	struct own_op vop;
	u64 ch = 0, cv = 0;
	unsigned int i;
	int ret;

	/* A shared page the host mapped in a DMA domain stays shared until unmapped. */
	for (i = 0; i < nr; i++)
		if (own_run_shared(&own_scratch[i]) &&
		    own_dma_busy(own_run_db(&own_scratch[i]), own_scratch[i].n))
			return -EBUSY;
	vop = (struct own_op){ OWN_OP_ATTR, ipa, w << PAGE_SHIFT, 0, OWN_ATTR_OWNED };
	ret = own_view_cost(v, &vop, &cv);
	if (!ret)
		ret = own_host_runs_cost(nr, OWN_OP_UNMAP, 0, true, &ch);
	if (!ret)
		ret = own_reserve2(&own.host, ch, v, cv, res);
	if (ret)
		return ret;
	own_unreserve2(&own.host, ch, v, cv);

	own_gathers_init(&gh);
	own_gathers_init(&gv);
	own_host_runs_apply(nr, OWN_OP_UNMAP, 0, true, &gh);
	own_view_inval(&own.host, &gh);
	own_view_apply(v, &vop, &gv);
	own_set_runs(nr, OWN_E_SHARED | OWN_E_CONSENT, 0);
	own_view_inval(v, &gv);
	res->done = w;
	return 0;
}

int own_vm_unshare_host(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	unsigned int nr;
	u64 w;
	int ret;

	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	ret = own_check_runs(nr, OWN_E_SHARED, OWN_E_SHARED, -EPERM);
	if (!ret)
		ret = own_unshare_window(v, ipa, w, nr, res);
	own_unlock_host_vm(v);
	return ret;
}

/* Guest share request: record consent on the VM's own pages. */
struct own_consent {
	u16 owner;
	bool commit;
	int err;
};

static int own_consent_fn(const struct pt_leaf *l, void *arg)
{
	struct own_consent *c = arg;
	u64 n = l->size >> PAGE_SHIFT;
	u16 *e;
	u64 i;

	if (!l->valid) {
		c->err = -EPERM;
		return 1;
	}
	e = own_db_span(l->pa, n);
	HYP_CHECK(e);
	for (i = 0; i < n; i++)
		HYP_CHECK(own_e_owner(e[i]) == c->owner);
	if (c->commit)
		own_db_set(e, n, 0, OWN_E_CONSENT);
	return 0;
}

int own_guest_share_req(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v = own_vm_get(vm);
	struct own_consent c = { 0, false, 0 };
	u64 w;
	int ret;

	res->done = 0;
	if (!v)
		return -ENOENT;
	hyp_spin_lock(&v->lock);
	ret = -ENOENT;
	if (!v->live)
		goto out;
	ret = own_check_ipa(v, ipa, n);
	if (ret)
		goto out;
	w = own_window(ipa, n);
	c.owner = v->owner;
	pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_consent_fn, &c);
	ret = c.err;
	if (ret)
		goto out;
	c.commit = true;
	pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_consent_fn, &c);
	HYP_CHECK(!c.err);
	res->done = w;
out:
	hyp_spin_unlock(&v->lock);
	return ret;
}

/* Guest unshare request: withdraw consent; pages already shared become private now. */
int own_guest_unshare_req(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	unsigned int nr;
	u64 w;
	int ret;

	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	if (own_check_runs(nr, OWN_E_SHARED, 0, -EPERM) == 0) {
		own_set_runs(nr, OWN_E_CONSENT, 0);
		res->done = w;
	} else {
		ret = own_unshare_window(v, ipa, w, nr, res);
	}
	own_unlock_host_vm(v);
	return ret;
}

/* ---- VM lifecycle, pools ------------------------------------------------ */

/* Host pages [pa, pa + w) become hypervisor table pages (host lock held). */
static int own_take_host_pages(u64 pa, u64 w, u16 *e, struct own_res *res)
{
	struct own_gathers g;
	struct own_op op = own_op_host(OWN_OP_UNMAP, pa, w, 0);
	u64 c = 0;
	int ret;

	ret = own_check_host_owned(e, w);
	if (!ret && own_dma_busy(e, w))
		ret = -EBUSY; /* mapped in a host DMA domain */
	if (!ret)
		ret = own_view_cost(&own.host, &op, &c);
	if (!ret)
		ret = own_reserve(&own.host, c, res);
	if (ret)
		return ret;
	own_unreserve2(&own.host, c, NULL, 0);
	own_gathers_init(&g);
	own_view_apply(&own.host, &op, &g);
	own_view_inval(&own.host, &g);
	own_db_set(e, w, 0xffff, OWN_OWNER_HYP | OWN_E_TABLE);
	return 0;
}

static void own_view_reset(struct own_principal *p)
{
	unsigned int i;

	memset(&p->view, 0, sizeof(p->view));
	p->view.who = p->id;
	for (i = 0; i < OWN_MAX_DOMS; i++)
		p->view.dom[i].who = p->id;
}

static void own_runs_add(struct own_range *runs, unsigned int *nr, u64 pa, u64 n)
{
	struct own_range *last = *nr ? &runs[*nr - 1] : NULL;

	if (last && last->base + last->size == pa) {
		last->size += n << PAGE_SHIFT;
		return;
	}
	HYP_CHECK(*nr < OWN_MAX_POOL_RUNS);
	runs[*nr].base = pa;
	runs[*nr].size = n << PAGE_SHIFT;
	(*nr)++;
}

static bool own_runs_fit(const struct own_range *runs, unsigned int nr, u64 pa)
{
	return nr < OWN_MAX_POOL_RUNS || runs[nr - 1].base + runs[nr - 1].size == pa;
}

static void own_add_run(struct own_principal *p, u64 pa, u64 n)
{
	own_runs_add(p->runs, &p->nr_runs, pa, n);
}

static bool own_run_fits(const struct own_principal *p, u64 pa)
{
	return own_runs_fit(p->runs, p->nr_runs, pa);
}

/*
 * Checks shared by VM_CREATE and IOMMU_DOMAIN_CREATE: the new table's input
 * size and the pool the host donates for it. The stage-2 root may be up to 16
 * concatenated pages aligned to their size (Arm ARM D8.2, "Concatenated
 * translation tables"): a 64 KiB-aligned pool of at least 16 pages always holds
 * it, so creating the root cannot fail once the pages have left the host. PA 0
 * cannot be a pool page: 0 ends the pool's free list.
 */
static int own_check_new_table(u64 pool_pa, u64 n, unsigned int ia_bits, u16 **e)
{
	if (ia_bits < OWN_MIN_IA_BITS || ia_bits > OWN_MAX_IA_BITS)
		return -EINVAL;
	if (n < OWN_VM_POOL_MIN || n > OWN_BUDGET_PAGES ||
	    !IS_ALIGNED(pool_pa, OWN_VM_POOL_ALIGN) || !pool_pa)
		return -EINVAL;
	return own_check_pa(pool_pa, n, e);
}

int own_vm_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *vm, struct own_res *res)
{
	struct own_principal *v = NULL;
	u16 *e;
	u32 i;
	int ret;

	res->done = 0;
	ret = own_check_new_table(pool_pa, n, ia_bits, &e);
	if (ret)
		return ret;
	hyp_spin_lock(&own.host.lock);
	for (i = 0; i < OWN_MAX_VMS && !v; i++) {
		hyp_spin_lock(&own.vm[i].lock);
		if (!own.vm[i].live)
			v = &own.vm[i];
		else
			hyp_spin_unlock(&own.vm[i].lock);
	}
	if (!v) {
		hyp_spin_unlock(&own.host.lock);
		return -ENOSPC;
	}
	ret = own_take_host_pages(pool_pa, n, e, res);
	if (ret)
		goto out;
	/*
	 * The pages left the host (synced) before the first table is written into
	 * them. The pool holds >= OWN_VM_POOL_MIN pages from a 64 KiB boundary and
	 * ia_bits was checked, so creating the root cannot fail.
	 */
	pt_pool_init(&v->pool);
	pt_pool_add(&v->pool, pool_pa, n);
	v->nr_runs = 0;
	own_add_run(v, pool_pa, n);
	own_view_reset(v);
	HYP_CHECK(pt_init(&v->view.cpu, own.cpu_fmt, ia_bits, own.cpu_coherent, &v->pool,
			  &own_cpu_pt_ops, v) == 0);
	v->nr_pages = 0;
	v->live = true;
	*vm = v->id;
	res->done = n;
	plat_log("own: vm%u created: %u-bit IPA, pool %llu pages at %#llx", v->id, ia_bits,
		 (unsigned long long)n, (unsigned long long)pool_pa);
out:
	hyp_spin_unlock(&v->lock);
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_vm_destroy(u32 vm, struct own_res *res)
{
	struct own_principal *v;
	struct own_gathers g;
	u64 c = 0;
	unsigned int i;
	int ret;

	res->done = 0;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	/* Memory is reclaimed (scrubbed) page by page first; domains detached. */
	ret = -EBUSY;
	if (v->nr_pages)
		goto out;
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->view.dom[i].used)
			goto out;
	for (i = 0; i < v->nr_runs; i++) {
		struct own_op op = own_op_host(OWN_OP_MAP, v->runs[i].base,
					       v->runs[i].size >> PAGE_SHIFT, OWN_ATTR_OWNED);

		ret = own_view_cost(&own.host, &op, &c);
		if (ret)
			goto out;
	}
	ret = own_reserve2(&own.host, c, NULL, 0, res);
	if (ret)
		goto out;
	own_unreserve2(&own.host, c, NULL, 0);

	/* No vCPU of the VM runs (the caller's contract): drop every TLB entry. */
	own_gathers_init(&g);
	g.cpu.all = true;
	own_view_inval(v, &g);
	pt_destroy(&v->view.cpu);
	HYP_CHECK(v->pool.nr_used == 0 && v->pool.nr_free == v->pool.nr_total);
	own_gathers_init(&g);
	for (i = 0; i < v->nr_runs; i++) {
		u64 pa = v->runs[i].base, np = v->runs[i].size >> PAGE_SHIFT;
		struct own_op op = own_op_host(OWN_OP_MAP, pa, np, OWN_ATTR_OWNED);

		own_scrub(pa, np);
		own_view_apply(&own.host, &op, &g);
		own_db_set(own_db_span(pa, np), np, 0xffff, OWN_OWNER_HOST);
		res->done += np;
	}
	own_view_inval(&own.host, &g);
	pt_pool_init(&v->pool);
	v->nr_runs = 0;
	v->live = false;
	ret = 0;
	plat_log("own: vm%u destroyed: %llu pool pages back to the host", v->id,
		 (unsigned long long)res->done);
out:
	own_unlock_host_vm(v);
	return ret;
}

static int own_hdom_pool_donate(u32 dom, u64 pa, u64 w, u16 *e, struct own_res *res);

int own_pool_donate(u32 who, u64 pa, u64 n, struct own_res *res)
{
	struct own_principal *p;
	u64 w, total;
	u16 *e;
	int ret;

	res->done = 0;
	ret = own_check_args(pa, n);
	if (ret)
		return ret;
	if (!pa)
		return -EINVAL; /* 0 ends a pool's free list: never a pool page */
	w = own_window(pa, n);
	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	if (who >= OWN_POOL_HDOM_BASE && who != OWN_HOST)
		return own_hdom_pool_donate(who - OWN_POOL_HDOM_BASE, pa, w, e, res);
	if (who == OWN_HOST) {
		p = &own.host;
		hyp_spin_lock(&p->lock);
	} else {
		ret = own_lock_host_vm(who, &p);
		if (ret)
			return ret;
	}
	total = p->pool.nr_total + w;
	ret = -ENOSPC;
	if (!own_run_fits(p, pa) || (p != &own.host && total > OWN_VM_POOL_MAX))
		goto out;
	ret = own_take_host_pages(pa, w, e, res);
	if (ret)
		goto out;
	pt_pool_add(&p->pool, pa, w);
	own_add_run(p, pa, w);
	res->done = w;
out:
	if (p == &own.host)
		hyp_spin_unlock(&p->lock);
	else
		own_unlock_host_vm(p);
	return ret;
}

/* ---- IOMMU domains ------------------------------------------------------ */

/*
 * Fill a new mirrored table from the CPU view: leaves that continue each other
 * (contiguous output, same attributes) are mapped as one run, so each run's
 * cost is exact on the table as built so far. Once the pool runs short the
 * walk only adds up what the rest would cost (the host's donation hint) and
 * the caller destroys the partial table: nothing else changed.
 */
struct own_mirror {
	struct pt *dst;
	struct own_principal *p;
	u64 ia, pa, size;
	pt_attr_t attr;
	u64 need;
	int err;
};

static void own_mirror_flush(struct own_mirror *m)
{
	u64 avail = m->p->pool.nr_free - m->p->pool.nr_reserved;
	s64 c;

	if (!m->size || (m->err && m->err != -ENOMEM))
		return;
	c = pt_map_cost(m->dst, m->ia, m->size, m->pa, m->attr);
	if (c < 0) {
		m->err = (int)c;
	} else if (m->err || (u64)c > avail) {
		m->err = -ENOMEM;
		m->need += m->need ? (u64)c : (u64)c - avail;
	} else {
		HYP_CHECK(pt_map(m->dst, m->ia, m->size, m->pa, m->attr, NULL) == 0);
	}
	m->size = 0;
}

static int own_mirror_fn(const struct pt_leaf *l, void *arg)
{
	struct own_mirror *m = arg;

	if (!l->valid)
		return 0;
	if (m->size && m->ia + m->size == l->ia && m->pa + m->size == l->pa && m->attr == l->attr) {
		m->size += l->size;
		return 0;
	}
	own_mirror_flush(m);
	m->ia = l->ia;
	m->pa = l->pa;
	m->size = l->size;
	m->attr = l->attr;
	return m->err && m->err != -ENOMEM;
}

int own_dom_attach(u32 who, bool mirrored, enum pt_fmt_id fmt, bool coherent,
		   const struct own_inval_ops *ops, void *priv, unsigned int *idx,
		   struct own_res *res)
{
	struct own_principal *p;
	struct own_dom *d = NULL;
	struct own_mirror m;
	unsigned int i;
	int ret;

	res->done = 0;
	memset(&m, 0, sizeof(m));
	if (!ops || !ops->invalidate || !ops->sync || (unsigned int)fmt >= PT_FMT_NR)
		return -EINVAL;
	if (who == OWN_HOST) {
		p = &own.host;
		hyp_spin_lock(&p->lock);
	} else {
		ret = own_lock_host_vm(who, &p);
		if (ret)
			return ret;
	}
	for (i = 0; i < OWN_MAX_DOMS && !d; i++)
		if (!p->view.dom[i].used)
			d = &p->view.dom[i];
	ret = -ENOSPC;
	if (!d)
		goto out;
	i = (unsigned int)(d - p->view.dom);
	if (mirrored) {
		/* No device walks the new table yet: no gathers, no invalidation. */
		ret = pt_init(&d->pt, fmt, p->view.cpu.ia_bits, coherent, &p->pool, &own_dom_pt_ops,
			      d);
		if (ret) {
			res->need = 1;
			res->need_who = p->id;
			goto out;
		}
		m.dst = &d->pt;
		m.p = p;
		pt_walk(&p->view.cpu, 0, (u64)1 << p->view.cpu.ia_bits, own_mirror_fn, &m);
		own_mirror_flush(&m);
		ret = m.err;
		if (ret) {
			if (ret == -ENOMEM) {
				res->need = m.need;
				res->need_who = p->id;
			}
			pt_destroy(&d->pt);
			memset(&d->pt, 0, sizeof(d->pt));
			goto out;
		}
	}
	d->mirrored = mirrored;
	d->ops = ops;
	d->priv = priv;
	d->who = p->id;
	d->used = true;
	*idx = i;
	ret = 0;
out:
	if (p == &own.host)
		hyp_spin_unlock(&p->lock);
	else
		own_unlock_host_vm(p);
	return ret;
}

int own_dom_detach(u32 who, unsigned int idx)
{
	struct own_principal *p;
	struct own_dom *d;
	int ret = 0;

	if (idx >= OWN_MAX_DOMS)
		return -EINVAL;
	if (who == OWN_HOST) {
		p = &own.host;
		hyp_spin_lock(&p->lock);
	} else {
		ret = own_lock_host_vm(who, &p);
		if (ret)
			return ret;
	}
	d = &p->view.dom[idx];
	if (!d->used) {
		ret = -ENOENT;
		goto out;
	}
	/* The driver stopped the domain's walks (STE invalid + sync) before detaching. */
	if (d->mirrored)
		pt_destroy(&d->pt);
	memset(d, 0, sizeof(*d));
	d->who = p->id;
out:
	if (p == &own.host)
		hyp_spin_unlock(&p->lock);
	else
		own_unlock_host_vm(p);
	return ret;
}

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
static int own_hdom_pool_donate(u32 dom, u64 pa, u64 w, u16 *e, struct own_res *res)
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
	struct own_gathers g;
	struct pt_gather all;
	u64 c = 0;
	unsigned int i;
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
	for (i = 0; i < d->nr_runs; i++) {
		struct own_op op = own_op_host(OWN_OP_MAP, d->runs[i].base,
					       d->runs[i].size >> PAGE_SHIFT, OWN_ATTR_OWNED);

		ret = own_view_cost(&own.host, &op, &c);
		if (ret)
			goto out;
	}
	ret = own_reserve(&own.host, c, res);
	if (ret)
		goto out;
	own_unreserve2(&own.host, c, NULL, 0);

	/* Drop whatever the IOMMU cached under the VMID before the pages go back. */
	pt_gather_init(&all);
	all.all = true;
	own_hdom_inval(d, &all, true);
	pt_destroy(&d->pt);
	HYP_CHECK(d->pool.nr_used == 0 && d->pool.nr_free == d->pool.nr_total);
	own_gathers_init(&g);
	for (i = 0; i < d->nr_runs; i++) {
		u64 pa = d->runs[i].base, np = d->runs[i].size >> PAGE_SHIFT;
		struct own_op op = own_op_host(OWN_OP_MAP, pa, np, OWN_ATTR_OWNED);

		own_scrub(pa, np);
		own_view_apply(&own.host, &op, &g);
		own_db_set(own_db_span(pa, np), np, 0xffff, OWN_OWNER_HOST);
		res->done += np;
	}
	own_view_inval(&own.host, &g);
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

/* A page the host may let devices reach: owned by it, or borrowed from a VM. */
static bool own_host_reaches(u16 e)
{
	u16 owner = own_e_owner(e);

	return owner == OWN_OWNER_HOST || (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED));
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

/*
 * The DMA map counts and owners of a span, eight counts (four owners) per 64-bit load: these
 * per-page loops are most of the work of mapping or unmapping a 2 MiB block. A count byte is
 * full at 0xff (OWN_DMA_MAX_MAPS); "some byte of v is zero" is the exact test
 * (v - 0x01..01) & ~v & 0x80..80 != 0.
 */
#define OWN_ONES8  0x0101010101010101ULL
#define OWN_HIGHS8 0x8080808080808080ULL
#define OWN_ONES4  0x0001000100010001ULL
_Static_assert(OWN_DMA_MAX_MAPS == 0xff, "a full count is an all-ones byte");

static u64 own_load8(const void *p)
{
	u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static bool own_zero_byte(u64 v)
{
	return ((v - OWN_ONES8) & ~v & OWN_HIGHS8) != 0;
}

/* Every page reachable by the host (-EPERM) and mapped fewer than 255 times (-ENOSPC). */
static int own_dma_check_span(const u16 *e, const u8 *cnt, u64 n)
{
	u64 i = 0, k;

	for (; i + 8 <= n; i += 8) {
		if ((own_load8(&e[i]) & OWN_E_OWNER * OWN_ONES4) != OWN_OWNER_HOST * OWN_ONES4 ||
		    (own_load8(&e[i + 4]) & OWN_E_OWNER * OWN_ONES4) !=
			    OWN_OWNER_HOST * OWN_ONES4) {
			for (k = i; k < i + 8; k++)
				if (!own_host_reaches(e[k]))
					return -EPERM;
		}
		if (own_zero_byte(~own_load8(&cnt[i])))
			return -ENOSPC;
	}
	for (; i < n; i++) {
		if (!own_host_reaches(e[i]))
			return -EPERM;
		if (cnt[i] >= OWN_DMA_MAX_MAPS)
			return -ENOSPC;
	}
	return 0;
}

/* Raise (@up) or drop every count of the span by one; a count may not wrap. */
static void own_dma_count(u8 *cnt, u64 n, bool up)
{
	u64 i = 0, v;

	for (; i + 8 <= n; i += 8) {
		v = own_load8(&cnt[i]);
		HYP_CHECK(!own_zero_byte(up ? ~v : v));
		v = up ? v + OWN_ONES8 : v - OWN_ONES8;
		__builtin_memcpy(&cnt[i], &v, sizeof(v));
	}
	for (; i < n; i++) {
		HYP_CHECK(up ? cnt[i] < OWN_DMA_MAX_MAPS : cnt[i] > 0);
		cnt[i] = (u8)(up ? cnt[i] + 1 : cnt[i] - 1);
	}
}

/*
 * RAM map: [pa, pa + n pages) in one RAM range (-ERANGE), the window's @w
 * pages each reachable by the host (-EPERM) and below the map count limit
 * (-ENOSPC). *cnt: the window's DMA map counts.
 */
static int own_hdom_check_ram(u64 pa, u64 n, u64 w, u8 **cnt)
{
	u16 *e;
	int ret;

	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	*cnt = own_dma_of(e);
	return own_dma_check_span(e, *cnt, w);
}

/* Some page of [pa, pa + n pages) (no wrap) is RAM, i.e. has a DB entry. */
static bool own_ram_overlaps(u64 pa, u64 n)
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

static struct own_map_ent own_batch[OWN_BATCH_MAX]; /* under own.host.lock */
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
	u8 *cnt;
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
	cnt = own_dma_of(e);
	own_dma_count(cnt, np, false);
	return 0;
}

/*
 * Unmap fast path: when every page of the window is a 4 KiB last-level leaf (scattered DMA
 * mappings), check them all, then clear them one by one with pt_unmap_page() and drop their
 * counts; a page whose table may empty goes through pt_unmap() (a 4 KiB leaf: no split, so no
 * table page needed; the merge frees the table). False: not that case, nothing changed.
 */
static bool own_hdom_unmap_pages(struct own_hdom *d, u64 iova, u64 w, struct pt_gather *g)
{
	u64 k, ia, pa;
	u16 *e;
	int ret;

	for (k = 0; k < w; k++)
		if (pt_unmap_page(&d->pt, iova + (k << PAGE_SHIFT), &pa, NULL, false))
			return false;
	for (k = 0; k < w; k++) {
		ia = iova + (k << PAGE_SHIFT);
		ret = pt_unmap_page(&d->pt, ia, &pa, g, true);
		if (ret == -EAGAIN)
			ret = pt_unmap(&d->pt, ia, PAGE_SIZE, g);
		HYP_CHECK(ret == 0);
		e = own_db_span(pa, 1);
		if (e) /* else MMIO (OWN_IOMMU_MMIO): not counted */
			own_dma_count(own_dma_of(e), 1, false);
	}
	return true;
}

int own_hdom_unmap(u32 dom, u64 iova, u64 n, struct own_res *res)
{
	struct own_dma_walk dw = { false };
	struct own_hdom *d;
	struct pt_gather g;
	u64 w;
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
	if (own_hdom_unmap_pages(d, iova, w, &g))
		goto done;
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
	HYP_CHECK(pt_unmap(&d->pt, iova, w << PAGE_SHIFT, &g) == 0);
done:
	d->mapped -= w;
	/* Completed before the call returns: the host may then give the pages away. */
	own_hdom_inval(d, &g, true);
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

static void own_batch_uncount(u64 upto)
{
	u64 i;

	for (i = 0; i < upto; i++) {
		u8 *cnt;

		if ((own_batch[i].pages_prot >> 32) & OWN_IOMMU_MMIO)
			continue; /* not counted */
		cnt = own_dma_of(own_db_span(own_batch[i].pa, 1));
		own_dma_count(cnt, own_batch[i].pages_prot & 0xffffffffU, false);
	}
}

static int own_batch_check(struct own_hdom *d, u64 nents, u64 *cost)
{
	u64 i, end = 0, prev_end = 0, total = 0;
	int ret;

	*cost = 0;
	for (i = 0; i < nents; i++) {
		const struct own_map_ent *m = &own_batch[i];
		u64 n = m->pages_prot & 0xffffffffU;
		u32 prot = (u32)(m->pages_prot >> 32);
		u8 *cnt;
		s64 c;

		ret = -EINVAL;
		if (!own_dma_prot_ok(prot) || own_check_args(m->iova, n) ||
		    own_check_args(m->pa, n))
			goto undo;
		if ((i && m->iova < end) || (total += n) > OWN_HDOM_BUDGET_PAGES)
			goto undo;
		prev_end = end;
		end = m->iova + (n << PAGE_SHIFT);
		ret = own_hdom_check_iova(d, m->iova, n);
		if (!ret && (prot & OWN_IOMMU_MMIO))
			ret = own_hdom_check_mmio(m->pa, n, own_dma_attr(prot));
		else if (!ret)
			ret = own_hdom_check_ram(m->pa, n, n, &cnt);
		if (ret)
			goto undo;
		/* Counted now, so that a page repeated later in the list is checked cumulatively. */
		if (!(prot & OWN_IOMMU_MMIO))
			own_dma_count(cnt, n, true);
		/*
		 * Scattered single pages: the engine's page fast path (one write, no table, no
		 * merge) when their last-level table exists. A page in the 2 MiB IOVA region where
		 * the previous entry ended needs no table page even when the table does not exist
		 * yet: that entry creates it (a merge cannot remove it, this slot being free).
		 */
		c = n == 1 ? pt_map_page(&d->pt, m->iova, m->pa, own_dma_attr(prot), false) :
			     -EAGAIN;
		if (c == -EAGAIN)
			c = pt_walk(&d->pt, m->iova, n << PAGE_SHIFT, own_unmapped_fn, NULL);
		else if (!c)
			continue;
		if (!c && !(n == 1 && i && (m->iova ^ (prev_end - 1)) < SZ_2M))
			c = pt_map_cost(&d->pt, m->iova, n << PAGE_SHIFT, m->pa,
					own_dma_attr(prot));
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
	struct pt_gather g;
	u64 i, cost, pages = 0;
	int ret;

	ret = own_batch_check(d, nents, &cost);
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
	for (i = 0; i < nents; i++) {
		const struct own_map_ent *m = &own_batch[i];
		u64 n = m->pages_prot & 0xffffffffU;
		pt_attr_t attr = own_dma_attr((u32)(m->pages_prot >> 32));

		/*
		 * A single page goes in with one write if its table exists by now and no neighbour
		 * continues it (-EAGAIN otherwise: pt_map() creates the table the check counted,
		 * or maps into the existing one and merges, taking no page).
		 */
		ret = n == 1 ? pt_map_page(&d->pt, m->iova, m->pa, attr, true) : -EAGAIN;
		if (ret == -EAGAIN)
			ret = pt_map(&d->pt, m->iova, n << PAGE_SHIFT, m->pa, attr, &g);
		HYP_CHECK(ret == 0);
		pages += n;
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

/* ---- init and introspection --------------------------------------------- */

static bool own_range_ok(const struct own_range *r)
{
	return r->size && IS_ALIGNED(r->base, PAGE_SIZE) && IS_ALIGNED(r->size, PAGE_SIZE) &&
	       r->base + r->size > r->base;
}

int own_init(const struct own_config *cfg)
{
	struct own_principal *h = &own.host;
	u64 idx = 0, i, np;
	unsigned int r;
	u16 *e;
	int ret;

	if (!cfg->nr_ram || cfg->nr_ram > OWN_MAX_RANGES || cfg->nr_hyp > OWN_MAX_RANGES ||
	    !cfg->cpu_ops || !cfg->db || cfg->db_bytes < own_db_bytes(cfg->ram, cfg->nr_ram))
		return -EINVAL;
	memset(&own, 0, sizeof(own));
	for (r = 0; r < cfg->nr_ram; r++) {
		if (!own_range_ok(&cfg->ram[r]) ||
		    (r && cfg->ram[r].base < cfg->ram[r - 1].base + cfg->ram[r - 1].size))
			return -EINVAL;
		own.ram[r] = cfg->ram[r];
		own.ram_first[r] = idx;
		idx += cfg->ram[r].size >> PAGE_SHIFT;
	}
	own.nr_ram = cfg->nr_ram;
	own.db = cfg->db;
	own.dma = (u8 *)(cfg->db + idx);
	memset(own.dma, 0, idx);
	own.cpu_fmt = cfg->cpu_fmt;
	own.cpu_coherent = cfg->cpu_coherent;
	own.cpu_ops = cfg->cpu_ops;
	own.cpu_priv = cfg->cpu_priv;
	own_db_set(own.db, idx, 0xffff, OWN_OWNER_HOST);
	for (r = 0; r < cfg->nr_hyp; r++) {
		np = cfg->hyp[r].size >> PAGE_SHIFT;
		if (!own_range_ok(&cfg->hyp[r]) || !(e = own_db_span(cfg->hyp[r].base, np)))
			return -EINVAL;
		own_db_set(e, np, 0xffff, OWN_OWNER_HYP);
	}
	e = own_db_span(cfg->host_pool_pa, cfg->host_pool_pages);
	if (!cfg->host_pool_pages || !IS_ALIGNED(cfg->host_pool_pa, PAGE_SIZE) || !e)
		return -EINVAL;
	for (i = 0; i < cfg->host_pool_pages; i++)
		if (e[i] != OWN_OWNER_HYP)
			return -EINVAL; /* the pool must lie in hypervisor memory */
	own_db_set(e, cfg->host_pool_pages, 0, OWN_E_TABLE);

	hyp_spin_init(&h->lock);
	h->id = OWN_HOST;
	h->owner = OWN_OWNER_HOST;
	h->live = true;
	pt_pool_init(&h->pool);
	pt_pool_add(&h->pool, cfg->host_pool_pa, cfg->host_pool_pages);
	own_add_run(h, cfg->host_pool_pa, cfg->host_pool_pages);
	own_view_reset(h);
	for (i = 0; i < OWN_MAX_VMS; i++) {
		hyp_spin_init(&own.vm[i].lock);
		own.vm[i].id = (u32)i;
		own.vm[i].owner = (u16)OWN_OWNER_VM(i);
		own_view_reset(&own.vm[i]);
	}
	ret = pt_init(&h->view.cpu, cfg->cpu_fmt, cfg->host_ia_bits, cfg->cpu_coherent, &h->pool,
		      &own_cpu_pt_ops, h);
	if (ret)
		return ret;
	/* Identity map every maximal run of host pages, largest blocks first (engine). */
	for (r = 0; r < own.nr_ram; r++) {
		u64 base = own.ram[r].base, n = own.ram[r].size >> PAGE_SHIFT, start;
		u64 first = own.ram_first[r];

		for (i = 0; i < n;) {
			if (own.db[first + i] != OWN_OWNER_HOST) {
				i++;
				continue;
			}
			for (start = i; i < n && own.db[first + i] == OWN_OWNER_HOST; i++)
				;
			ret = pt_map(&h->view.cpu, base + (start << PAGE_SHIFT),
				     (i - start) << PAGE_SHIFT, base + (start << PAGE_SHIFT),
				     OWN_ATTR_OWNED, NULL);
			if (ret) {
				plat_log("own: host identity map failed (%d)", ret);
				return ret;
			}
		}
	}
	plat_log("own: %llu pages of RAM in %u ranges, DB %llu KiB (3 bytes/page); host view "
		 "%llu table pages, pool %llu free",
		 (unsigned long long)idx, own.nr_ram,
		 (unsigned long long)(own_db_bytes(own.ram, own.nr_ram) >> 10),
		 (unsigned long long)h->view.cpu.nr_tables, (unsigned long long)h->pool.nr_free);
	return 0;
}

enum own_state own_page_state(u32 who, u64 pa)
{
	u16 e, owner;

	if (own_page_entry(pa, &e))
		return OWN_NOPAGE;
	owner = own_e_owner(e);
	if (who == OWN_HOST) {
		if (owner == OWN_OWNER_HOST)
			return (e & OWN_E_SHARED) ? OWN_SHARED_OWNED : OWN_OWNED;
		if (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED))
			return OWN_SHARED_BORROWED;
		return OWN_NOPAGE;
	}
	if (who < OWN_MAX_VMS && owner == OWN_OWNER_VM(who))
		return (e & OWN_E_SHARED) ? OWN_SHARED_OWNED : OWN_OWNED;
	return OWN_NOPAGE;
}

bool own_host_fault_retry(u64 ipa)
{
	struct own_principal *h = own_who(OWN_HOST);
	u64 pa;
	pt_attr_t attr;
	unsigned int level;
	bool mapped;

	if (!h || !h->live)
		return false;
	/*
	 * Every transition that breaks a live host entry (Arm ARM D8.16.1
	 * break-before-make) holds the host lock from the break to the make, so
	 * once we hold it the table is in a stable state again.
	 */
	hyp_spin_lock(&h->lock);
	mapped = pt_lookup(&h->view.cpu, ALIGN_DOWN(ipa, PAGE_SIZE), &pa, &attr, &level) == 0;
	hyp_spin_unlock(&h->lock);
	return mapped;
}

const struct own_view *own_view_of(u32 who)
{
	struct own_principal *p = own_who(who);

	return p && p->live ? &p->view : NULL;
}

const struct pt_pool *own_pool_of(u32 who)
{
	struct own_principal *p = own_who(who);

	return p && p->live ? &p->pool : NULL;
}

bool own_vm_live(u32 vm)
{
	struct own_principal *p = own_vm_get(vm);

	return p && p->live;
}

u64 own_vm_pages(u32 vm)
{
	struct own_principal *p = own_vm_get(vm);

	return p && p->live ? p->nr_pages : 0;
}

unsigned int own_ram_ranges(const struct own_range **ram)
{
	*ram = own.ram;
	return own.nr_ram;
}

const u16 *own_db_entries(u64 *nr_pages)
{
	*nr_pages = own.nr_ram ? own.ram_first[own.nr_ram - 1] +
					 (own.ram[own.nr_ram - 1].size >> PAGE_SHIFT) :
				 0;
	return own.db;
}

unsigned int own_pool_runs(u32 who, const struct own_range **runs)
{
	struct own_principal *p = own_who(who);

	if (!p || !p->live)
		return 0;
	*runs = p->runs;
	return p->nr_runs;
}
