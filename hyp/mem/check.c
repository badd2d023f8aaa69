// SPDX-License-Identifier: GPL-2.0-only
/*
 * The invariant walk (docs/ownership.md "Invariant walk"): what every table reaches must be
 * exactly what the ownership database says, and every table page must be accounted for once.
 *
 *  - DB: owners are the hypervisor, the host or a live VM; only host and VM pages are
 *    shared; only VM pages carry consent; only hypervisor pages are table pages; each VM's
 *    page counter matches the DB; the 2 MiB and 1 GiB block summaries match the pages.
 *  - Host (CPU table and every mirrored IOMMU table): identity map; reaches exactly the
 *    pages it owns (RWX) and the VM pages shared with it (RW).
 *  - VM n (CPU and mirrored IOMMU tables): reaches exactly its own pages, each at one IPA,
 *    private RWX and shared RW; mirrored tables translate every IPA to the same page as the
 *    CPU table. Streams that share a view's CPU table (the host's and an assigned device's
 *    on arm64) are checked with that table.
 *  - Nothing reaches a hypervisor page; no view maps RAM as device memory; a VM's view
 *    maps device memory only inside the MMIO ranges it took (vmmmio.c), each at its offset,
 *    RW and never X, and the host's view maps none of those ranges.
 *  - Host DMA domains: reach only pages the host owns or borrows, with R/W only; each
 *    page's DMA map count equals the number of domain IOVAs and device pins mapping it;
 *    each domain's mapped counter matches. Device (MMIO) leaves map no RAM, only what the
 *    host CPU stage-2 maps as device memory with at least the same R/W.
 *  - Table pages: every page of every table and of every pool free list is a hypervisor
 *    table page inside its own pool's donations, used once; pool counters balance.
 *
 * Scratch: none. Bit 15 of a DB entry, which no state uses (the DB check refuses it
 * first), marks a page seen (a table page, a VM page at its first IPA) and the DMA map
 * counts are counted down by the mappings found and back up afterwards; every lock is held
 * throughout and both are restored before the locks are dropped.
 */
#include <errno.h>
#include <string.h>

#include "hyp/check.h"
#include "own_internal.h"

#define CHK_MARK ((u16)0x8000)

struct chk {
	const struct own_check_walker *w;
	struct own_check_res *res;
	u64 nr_pages;
	u64 expect[OWN_MAX_VMS + 1]; /* pages each VM (last: the host) should reach */
	/* current view */
	u32 who;
	bool iommu;
	const struct pt *cpu; /* a mirrored table's CPU table */
	u64 mapped;
	/* DMA map counts: counted down (budget < 0) or back up (budget = the count-downs) */
	bool dma_up;
	u64 dma_done, dma_budget;
	/* current pool */
	const struct own_range *runs;
	unsigned int nr_runs;
	u64 tables;
};

static int chk_fail(struct chk *c, u32 code, u64 addr, u64 a, u64 b)
{
	if (!c->res->code) {
		c->res->code = code;
		c->res->who = c->who;
		c->res->iommu = c->iommu;
		c->res->addr = addr;
		c->res->a = a;
		c->res->b = b;
	}
	return 1;
}

/* Index of @pa among all RAM pages, or -1. */
static s64 chk_idx(u64 pa)
{
	unsigned int i;

	for (i = 0; i < own.nr_ram; i++)
		if (pa >= own.ram[i].base && pa - own.ram[i].base < own.ram[i].size)
			return (s64)(own.ram_first[i] + ((pa - own.ram[i].base) >> PAGE_SHIFT));
	return -1;
}

/* PA of DB index @idx. */
static u64 chk_pa_of(u64 idx)
{
	unsigned int r = own.nr_ram - 1;

	while (r && idx < own.ram_first[r])
		r--;
	return own.ram[r].base + ((idx - own.ram_first[r]) << PAGE_SHIFT);
}

/* The first RAM page in [pa, pa + size), or ~0 if none (one test per RAM range). */
static u64 chk_first_ram(u64 pa, u64 size)
{
	u64 first = ~0ULL;
	unsigned int i;

	for (i = 0; i < own.nr_ram; i++) {
		u64 b = own.ram[i].base, e = b + own.ram[i].size;

		if (b < pa + size && pa < e && MAX(b, pa) < first)
			first = MAX(b, pa);
	}
	return first;
}

/* ---- views ----------------------------------------------------------------------- */

/*
 * A VM's device leaf: inside one MMIO range the VM took, at its offset, device RW (the IOMMU
 * compares R/W). The table of ranges is the VM's own (vmmmio.c).
 */
static int chk_vm_mmio_leaf(struct chk *c, const struct own_check_leaf *l)
{
	const struct own_principal *p = own_vm_get(c->who);
	pt_attr_t mask = c->iommu ? (PT_RW | PT_DEVICE) : (PT_RWX | PT_DEVICE);
	unsigned int i;

	if ((l->attr & mask) != (OWN_ATTR_MMIO & mask))
		return chk_fail(c, OWN_CHK_VM_DEVICE, l->ia, l->pa, 0);
	for (i = 0; i < p->nr_mmio; i++) {
		const struct own_mmio *m = &p->mmio[i];

		if (l->ia >= m->ipa && l->ia - m->ipa <= (m->n << PAGE_SHIFT) - l->size &&
		    l->pa == m->pa + (l->ia - m->ipa))
			return 0;
	}
	return chk_fail(c, OWN_CHK_VM_DEVICE, l->ia, l->pa, 0);
}

static int chk_leaf(const struct own_check_leaf *l, void *arg)
{
	struct chk *c = arg;
	s64 idx0, last;
	bool fast;
	u64 off;
	u32 vm;

	if (l->attr & PT_DEVICE) {
		/* MMIO, outside the DB: the whole leaf at once (QEMU's PCIe window is 512 GiB). */
		u64 ram = chk_first_ram(l->pa, l->size);

		/* A VM's: inside a range it took (never RAM: the take refuses RAM). */
		if (c->who != OWN_HOST)
			return chk_vm_mmio_leaf(c, l);
		if (ram != ~0ULL)
			return chk_fail(c, OWN_CHK_RAM_DEVICE, ram, 0, 0);
		/* The host reaches no MMIO a VM took. */
		if (own_mmio_taken(l->pa, l->size >> PAGE_SHIFT, &vm))
			return chk_fail(c, OWN_CHK_HOST_TAKEN, l->pa, vm, 0);
		return 0;
	}
	idx0 = chk_idx(l->pa);
	last = chk_idx(l->pa + l->size - PAGE_SIZE);
	/* Whole leaf inside one RAM range: page indices are consecutive. */
	fast = idx0 >= 0 && last - idx0 == (s64)(l->size >> PAGE_SHIFT) - 1;
	for (off = 0; off < l->size; off += PAGE_SIZE) {
		u64 ia = l->ia + off, pa = l->pa + off;
		s64 idx = fast ? idx0 + (s64)(off >> PAGE_SHIFT) : chk_idx(pa);
		pt_attr_t want, have;
		u16 e, owner;

		if (idx < 0)
			return chk_fail(c, OWN_CHK_NON_RAM, pa, ia, 0);
		e = own.db[idx] & (u16)~CHK_MARK;
		owner = e & OWN_E_OWNER;
		if (owner == OWN_OWNER_HYP)
			return chk_fail(c, OWN_CHK_HYP_PAGE, pa, e, 0);
		if (c->who == OWN_HOST) {
			if (ia != pa)
				return chk_fail(c, OWN_CHK_NOT_IDENTITY, ia, pa, 0);
			if (owner == OWN_OWNER_HOST)
				want = OWN_ATTR_OWNED;
			else if (e & OWN_E_SHARED)
				want = OWN_ATTR_SHARED;
			else
				return chk_fail(c, OWN_CHK_HOST_PRIVATE, pa, e, 0);
		} else {
			if (owner != OWN_OWNER_VM(c->who))
				return chk_fail(c, OWN_CHK_VM_FOREIGN, pa, e, 0);
			want = (e & OWN_E_SHARED) ? OWN_ATTR_SHARED : OWN_ATTR_OWNED;
			if (!c->iommu) {
				if (own.db[idx] & CHK_MARK)
					return chk_fail(c, OWN_CHK_VM_TWICE, pa, ia, 0);
				own.db[idx] |= CHK_MARK;
			} else {
				struct own_check_leaf cl;

				if (c->w->lookup(c->cpu, ia, &cl))
					return chk_fail(c, OWN_CHK_MIRROR, ia, pa, ~0ULL);
				if (cl.pa != pa)
					return chk_fail(c, OWN_CHK_MIRROR, ia, pa, cl.pa);
			}
		}
		/* IOMMU formats may not express X: compare R/W there, all of RWX on the CPU. */
		have = l->attr & (c->iommu ? PT_RW : PT_RWX);
		if (have != (want & (c->iommu ? PT_RW : PT_RWX)))
			return chk_fail(c, OWN_CHK_ATTR, pa, l->attr, want);
		c->mapped++;
	}
	return 0;
}

/* Walk @pt; an undecodable descriptor is a failure. */
static void chk_walk(struct chk *c, const struct pt *pt,
		     int (*leaf)(const struct own_check_leaf *l, void *arg),
		     int (*table)(u64 table_pa, unsigned int level, void *arg))
{
	if (c->w->walk(pt, leaf, table, c) && !c->res->code)
		chk_fail(c, OWN_CHK_BAD_DESC, 0, 0, 0);
}

static void chk_table(struct chk *c, const struct pt *pt, bool iommu, const struct pt *cpu,
		      u64 expect)
{
	c->iommu = iommu;
	c->cpu = cpu;
	c->mapped = 0;
	chk_walk(c, pt, chk_leaf, NULL);
	if (!c->res->code && c->mapped != expect)
		chk_fail(c, OWN_CHK_REACH_COUNT, 0, c->mapped, expect);
	c->iommu = false;
}

static void chk_view(struct chk *c, u32 who)
{
	const struct own_view *view = own_view_of(who);
	u64 expect = c->expect[who == OWN_HOST ? OWN_MAX_VMS : who];
	unsigned int i;

	c->who = who;
	chk_table(c, &view->cpu, false, NULL, expect);
	/* Host IOMMU tables are checked like the CPU one; VM ones also against its IPAs. */
	for (i = 0; i < OWN_MAX_DOMS && !c->res->code; i++)
		if (view->dom[i].used && view->dom[i].mirrored)
			chk_table(c, &view->dom[i].pt, true, &view->cpu, expect);
	if (!c->res->code && who != OWN_HOST && own_vm_pages(who) != expect)
		chk_fail(c, OWN_CHK_VM_COUNTER, 0, own_vm_pages(who), expect);
}

/* ---- host DMA domains -------------------------------------------------------------- */

/* One more (down) or one fewer (up) mapping of page @idx against its DMA map count. */
static int chk_dma_page(struct chk *c, s64 idx, u64 pa)
{
	if (c->dma_up) {
		if (c->dma_done == c->dma_budget)
			return 1; /* every count-down undone */
		own.dma[idx]++;
		c->dma_done++;
		return 0;
	}
	if (!own.dma[idx])
		return chk_fail(c, OWN_CHK_DMA_COUNT, pa, 0, ~0ULL);
	own.dma[idx]--;
	c->dma_done++;
	return 0;
}

/* An MMIO leaf (LS_IOMMU_MMIO): no RAM, and the host stage-2 maps it as device with its R/W. */
static int chk_dma_mmio_leaf(struct chk *c, const struct own_check_leaf *l)
{
	const struct pt *cpu = &own.host.view.cpu;
	pt_attr_t need = l->attr & PT_RW, hattr;
	struct own_check_leaf hl;
	u64 off;

	if (chk_first_ram(l->pa, l->size) != ~0ULL)
		return chk_fail(c, OWN_CHK_DMA_RAM_DEVICE, chk_first_ram(l->pa, l->size), 0, 0);
	for (off = 0; off < l->size; off += PAGE_SIZE) {
		u64 pa = l->pa + off;

		if (pa >= ((u64)1 << cpu->ia_bits) || c->w->lookup(cpu, pa, &hl))
			hattr = 0;
		else
			hattr = hl.attr;
		if (!(hattr & PT_DEVICE) || (hattr & need) != need)
			return chk_fail(c, OWN_CHK_DMA_MMIO, pa, l->attr, 0);
		c->mapped++;
	}
	return 0;
}

static int chk_dma_leaf(const struct own_check_leaf *l, void *arg)
{
	struct chk *c = arg;
	u64 off;

	if (c->dma_up) {
		if (l->attr & PT_DEVICE)
			return 0;
		for (off = 0; off < l->size; off += PAGE_SIZE)
			if (chk_dma_page(c, chk_idx(l->pa + off), 0))
				return 1;
		return 0;
	}
	if ((l->attr & ~(pt_attr_t)(PT_RW | PT_DEVICE)) || !(l->attr & PT_RW))
		return chk_fail(c, OWN_CHK_DMA_ATTR, l->ia, l->attr, 0);
	if (l->attr & PT_DEVICE)
		return chk_dma_mmio_leaf(c, l);
	for (off = 0; off < l->size; off += PAGE_SIZE) {
		u64 pa = l->pa + off;
		s64 idx = chk_idx(pa);
		u16 e, owner;

		if (idx < 0)
			return chk_fail(c, OWN_CHK_DMA_NON_RAM, pa, 0, 0);
		e = own.db[idx];
		owner = e & OWN_E_OWNER;
		if (owner != OWN_OWNER_HOST && !(owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED)))
			return chk_fail(c, OWN_CHK_DMA_FOREIGN, pa, e, 0);
		if (chk_dma_page(c, idx, pa))
			return 1;
		c->mapped++;
	}
	return 0;
}

/* Device pins (hyp/mem/pin.c): each pinned page is the host's and counts once. */
static void chk_pins(struct chk *c)
{
	unsigned int i;
	u64 k;

	for (i = 0; i < OWN_MAX_PINS; i++) {
		for (k = 0; k < own.pins[i].pages; k++) {
			u64 pa = own.pins[i].pa + (k << PAGE_SHIFT);
			s64 idx = chk_idx(pa);

			if (!c->dma_up &&
			    (idx < 0 || (own.db[idx] & OWN_E_OWNER) != OWN_OWNER_HOST)) {
				c->who = i;
				chk_fail(c, OWN_CHK_PIN, pa, idx < 0 ? 0 : own.db[idx], 0);
				return;
			}
			if (chk_dma_page(c, idx, pa))
				return;
		}
	}
}

/*
 * Every domain, then every pin, in a fixed order: counting the DMA map counts down and
 * checking (@up false), or counting the first c->dma_budget of them back up (@up true).
 */
static void chk_dma_pass(struct chk *c, bool up)
{
	u32 dom;

	c->dma_up = up;
	c->dma_done = 0;
	for (dom = 0; dom < OWN_MAX_HDOMS; dom++) {
		const struct own_hdom *d = own_hdom_of(dom);

		if (!d)
			continue;
		if (up) {
			if (c->w->walk(&d->pt, chk_dma_leaf, NULL, c))
				return; /* budget spent (or where the count-down stopped) */
			continue;
		}
		c->who = OWN_CHK_WHO_DOM(dom);
		c->mapped = 0;
		c->iommu = true;
		chk_walk(c, &d->pt, chk_dma_leaf, NULL);
		c->iommu = false;
		if (!c->res->code && c->mapped != d->mapped)
			chk_fail(c, OWN_CHK_DMA_MAPPED, 0, c->mapped, d->mapped);
		if (c->res->code)
			return;
	}
	chk_pins(c);
}

/*
 * A uniform 2 MiB block's DMA map count is its pages' (their own counts are 0, which
 * chk_summaries proved): written into the pages for the two passes (@on), taken out after.
 */
static void chk_block_counts(bool on)
{
	u64 b2 = 0, idx = 0, pa, end, bend, np;
	unsigned int r;

	for (r = 0; r < own.nr_ram; r++) {
		for (pa = own.ram[r].base, end = pa + own.ram[r].size; pa < end; pa = bend, b2++) {
			bend = MIN((pa & ~(OWN_SUM_2M - 1)) + OWN_SUM_2M, end);
			np = (bend - pa) >> PAGE_SHIFT;
			if (own.dma2m[b2])
				memset(&own.dma[idx], on ? own.dma2m[b2] : 0, np);
			idx += np;
		}
	}
}

static void chk_dma(struct chk *c)
{
	u64 i;

	chk_block_counts(true);
	chk_dma_pass(c, false);
	/* Every mapping counted down: what is left is a count no mapping explains. */
	for (i = 0; i < c->nr_pages && !c->res->code; i++)
		if (own.dma[i]) {
			c->who = OWN_HOST;
			chk_fail(c, OWN_CHK_DMA_COUNT, chk_pa_of(i), own.dma[i], 0);
		}
	c->dma_budget = c->dma_done;
	chk_dma_pass(c, true);
	HYP_CHECK(c->dma_done == c->dma_budget);
	chk_block_counts(false);
}

/* ---- table pages and pools ----------------------------------------------------------- */

static bool chk_in_runs(const struct chk *c, u64 pa)
{
	unsigned int i;

	for (i = 0; i < c->nr_runs; i++)
		if (pa >= c->runs[i].base && pa - c->runs[i].base < c->runs[i].size)
			return true;
	return false;
}

static int chk_tbl_page(struct chk *c, u64 pa)
{
	s64 idx = chk_idx(pa);

	if (idx < 0)
		return chk_fail(c, OWN_CHK_TABLE_PAGE, pa, 0, 0);
	if ((own.db[idx] & (u16)~CHK_MARK) != (OWN_OWNER_HYP | OWN_E_TABLE))
		return chk_fail(c, OWN_CHK_TABLE_PAGE, pa, own.db[idx] & (u16)~CHK_MARK, 0);
	if (!chk_in_runs(c, pa))
		return chk_fail(c, OWN_CHK_TABLE_NOT_DONATED, pa, 0, 0);
	if (own.db[idx] & CHK_MARK)
		return chk_fail(c, OWN_CHK_TABLE_TWICE, pa, 0, 0);
	own.db[idx] |= CHK_MARK;
	return 0;
}

static int chk_tbl_fn(u64 table_pa, unsigned int level, void *arg)
{
	struct chk *c = arg;

	(void)level;
	c->tables++;
	return chk_tbl_page(c, table_pa);
}

static void chk_pt_tables(struct chk *c, const struct pt *pt, bool iommu)
{
	u64 before = c->tables;

	c->iommu = iommu;
	chk_walk(c, pt, NULL, chk_tbl_fn);
	if (!c->res->code && c->tables - before != pt->nr_tables)
		chk_fail(c, OWN_CHK_TABLE_COUNT, 0, pt->nr_tables, c->tables - before);
	c->iommu = false;
}

/* A pool's free list and counters, after its tables were walked into c->tables. */
static void chk_pool_counts(struct chk *c, const struct pt_pool *pool)
{
	u64 pa, nfree = 0, donated = 0;
	unsigned int i;

	for (i = 0; i < c->nr_runs; i++)
		donated += c->runs[i].size >> PAGE_SHIFT;
	for (pa = pool->free_head; pa && !c->res->code; pa = *(const u64 *)plat_phys_to_virt(pa)) {
		if (chk_tbl_page(c, pa) || ++nfree > pool->nr_total)
			break;
	}
	if (c->res->code)
		return;
	if (nfree != pool->nr_free || c->tables != pool->nr_used ||
	    pool->nr_total != pool->nr_free + pool->nr_used || pool->nr_total != donated ||
	    pool->nr_reserved)
		chk_fail(c, OWN_CHK_POOL, 0, pool->nr_total, nfree);
}

static void chk_pool(struct chk *c, u32 who)
{
	const struct own_view *view = own_view_of(who);
	unsigned int i;

	c->who = who;
	c->nr_runs = own_pool_runs(who, &c->runs);
	c->tables = 0;
	chk_pt_tables(c, &view->cpu, false);
	for (i = 0; i < OWN_MAX_DOMS && !c->res->code; i++)
		if (view->dom[i].used && view->dom[i].mirrored)
			chk_pt_tables(c, &view->dom[i].pt, true);
	if (!c->res->code)
		chk_pool_counts(c, own_pool_of(who));
}

/* A DMA domain's table pages and pool (its own donations). */
static void chk_hdom_pool(struct chk *c, const struct own_hdom *d)
{
	c->who = OWN_CHK_WHO_DOM(d->id);
	c->runs = d->runs;
	c->nr_runs = d->nr_runs;
	c->tables = 0;
	chk_pt_tables(c, &d->pt, true);
	if (!c->res->code)
		chk_pool_counts(c, &d->pool);
}

/* ---- DB -------------------------------------------------------------------------------- */

static void chk_db(struct chk *c)
{
	u64 i;

	for (i = 0; i < c->nr_pages; i++) {
		u16 e = own.db[i], owner = e & OWN_E_OWNER;

		if (owner >= OWN_OWNER_VM(0) &&
		    (owner >= OWN_OWNER_VM(OWN_MAX_VMS) || !own_vm_live(owner - OWN_OWNER_VM(0)))) {
			chk_fail(c, OWN_CHK_DEAD_OWNER, chk_pa_of(i), e, 0);
			return;
		}
		if ((owner == OWN_OWNER_HYP && (e & OWN_E_SHARED)) ||
		    (owner < OWN_OWNER_VM(0) && (e & OWN_E_CONSENT)) ||
		    (owner != OWN_OWNER_HYP && (e & OWN_E_TABLE)) || (e & CHK_MARK)) {
			chk_fail(c, OWN_CHK_BAD_ENTRY, chk_pa_of(i), e, 0);
			return;
		}
		if (owner == OWN_OWNER_HOST || (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED)))
			c->expect[OWN_MAX_VMS]++;
		if (owner >= OWN_OWNER_VM(0))
			c->expect[owner - OWN_OWNER_VM(0)]++;
	}
}

/*
 * Block summaries against the per-page truth, recomputed from the DB and the DMA map
 * counts: for each RAM range in order, one summary per PA-aligned block of @size the range
 * touches (clipped to the range). A page's DMA map count is its own plus its 2 MiB block's
 * (own.dma2m). A 2 MiB summary is the entry all its pages share when they also share one
 * count, and then the count is the block's and every page's own is 0; else OWN_SUM_MIXED and
 * the block's count is 0 (one representation per state). A 1 GiB summary is the entry all
 * its pages share when each of its 2 MiB blocks is uniform, else OWN_SUM_MIXED.
 */
static void chk_summaries(struct chk *c, unsigned int which, u64 size)
{
	u64 nr, blk = 0, b2 = 0, idx = 0, pa, end, bend, sub, send, i, np;
	const u16 *sum = own_block_summaries(which, &nr);
	unsigned int r;

	c->who = which;
	for (r = 0; r < own.nr_ram && !c->res->code; r++) {
		for (pa = own.ram[r].base, end = pa + own.ram[r].size; pa < end && !c->res->code;
		     pa = bend, blk++) {
			u16 want = own.db[idx];
			u64 have, cnt;

			bend = MIN((pa & ~(size - 1)) + size, end);
			/* Its 2 MiB blocks (itself when @size is 2 MiB), pages read with their count. */
			for (sub = pa; sub < bend; sub = send, b2++) {
				send = MIN((sub & ~(OWN_SUM_2M - 1)) + OWN_SUM_2M, bend);
				np = (send - sub) >> PAGE_SHIFT;
				cnt = (u64)own.dma[idx] + own.dma2m[b2];
				for (i = idx; i < idx + np; i++)
					if (own.db[i] != want || own.dma[i] + own.dma2m[b2] != cnt)
						want = OWN_SUM_MIXED;
				if (!which) {
					/* The 2 MiB block's stored state: summary, block count, pages'. */
					have = sum[blk] | (u64)own.dma2m[b2] << 16 |
					       (u64)own.dma[idx] << 24;
					if (want == OWN_SUM_MIXED ? own.dma2m[b2] != 0 :
								    have != (want | cnt << 16))
						chk_fail(c, OWN_CHK_SUMMARY, pa, have,
							 want == OWN_SUM_MIXED ? want :
										 want | cnt << 16);
				}
				idx += np;
			}
			if (blk >= nr)
				chk_fail(c, OWN_CHK_SUMMARY_COUNT, pa, nr, blk + 1);
			else if (!c->res->code && sum[blk] != want)
				chk_fail(c, OWN_CHK_SUMMARY, pa, sum[blk], want);
		}
	}
	if (!c->res->code && blk != nr)
		chk_fail(c, OWN_CHK_SUMMARY_COUNT, 0, nr, blk);
}

static void chk_all(struct chk *c)
{
	u32 vm;
	u64 i;

	chk_db(c);
	if (!c->res->code)
		chk_summaries(c, 0, OWN_SUM_2M);
	if (!c->res->code)
		chk_summaries(c, 1, OWN_SUM_1G);
	if (c->res->code)
		return; /* no mark set yet: the DB is as it was */
	chk_view(c, OWN_HOST);
	for (vm = 0; vm < OWN_MAX_VMS && !c->res->code; vm++)
		if (own_vm_live(vm))
			chk_view(c, vm);
	if (!c->res->code)
		chk_pool(c, OWN_HOST);
	for (vm = 0; vm < OWN_MAX_VMS && !c->res->code; vm++)
		if (own_vm_live(vm))
			chk_pool(c, vm);
	for (vm = 0; vm < OWN_MAX_HDOMS && !c->res->code; vm++)
		if (own_hdom_of(vm))
			chk_hdom_pool(c, own_hdom_of(vm));
	/* Marks off before the DMA pass, which reads owners unmasked. */
	for (i = 0; i < c->nr_pages; i++)
		own.db[i] &= (u16)~CHK_MARK;
	if (!c->res->code)
		chk_dma(c);
}

int own_check(const struct own_check_walker *w, struct own_check_res *res)
{
	struct chk c = { .w = w, .res = res };
	u32 vm;

	*res = (struct own_check_res){ 0 };
	hyp_spin_lock(&own.host.lock);
	/* VM slots are allocated under the host lock: liveness is stable from here. */
	for (vm = 0; vm < OWN_MAX_VMS; vm++)
		if (own.vm[vm].live)
			hyp_spin_lock(&own.vm[vm].lock);
	own_db_entries(&c.nr_pages);
	res->pages = c.nr_pages;
	chk_all(&c);
	for (vm = OWN_MAX_VMS; vm-- > 0;)
		if (own.vm[vm].live)
			hyp_spin_unlock(&own.vm[vm].lock);
	hyp_spin_unlock(&own.host.lock);
	return res->code ? -EFAULT : 0;
}

/* ---- the engine's walker ----------------------------------------------------------------- */

struct chk_engine {
	int (*leaf)(const struct own_check_leaf *l, void *arg);
	void *arg;
};

static int chk_engine_leaf(const struct pt_leaf *pl, void *arg)
{
	const struct chk_engine *e = arg;
	struct own_check_leaf l;

	if (!pl->valid)
		return 0;
	l.ia = pl->ia;
	l.pa = pl->pa;
	l.size = pl->size;
	l.attr = pl->attr;
	return e->leaf(&l, e->arg);
}

static int chk_engine_walk(const struct pt *pt,
			   int (*leaf)(const struct own_check_leaf *l, void *arg),
			   int (*table)(u64 table_pa, unsigned int level, void *arg), void *arg)
{
	struct chk_engine e = { .leaf = leaf, .arg = arg };
	int ret;

	if (table) {
		ret = pt_for_each_table(pt, table, arg);
		if (ret)
			return ret;
	}
	if (leaf)
		return pt_walk(pt, 0, (u64)1 << pt->ia_bits, chk_engine_leaf, &e);
	return 0;
}

static int chk_engine_lookup(const struct pt *pt, u64 ia, struct own_check_leaf *out)
{
	unsigned int level;
	int ret = pt_lookup(pt, ia, &out->pa, &out->attr, &level);

	out->ia = ia;
	out->size = PAGE_SIZE;
	return ret;
}

const struct own_check_walker own_check_engine = {
	.walk = chk_engine_walk,
	.lookup = chk_engine_lookup,
};
