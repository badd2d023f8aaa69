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

#include "own_internal.h"

struct own_global own;

/* Gfn runs of the current window; protected by the host lock. */
struct own_run own_scratch[OWN_BUDGET_PAGES];

/* ---- ownership database ------------------------------------------------ */

/* Spans of at most this many pages are checked page by page, without their block summary. */
#define OWN_SUM_MIN_SPAN 16

/* Summary blocks of one RAM range: its PA-aligned blocks of @size, clipped to the range. */
static u64 own_sum_blocks(const struct own_range *r, u64 size)
{
	return (ALIGN_UP(r->base + r->size, size) - ALIGN_DOWN(r->base, size)) / size;
}

static u64 own_sum_blocks_all(const struct own_range *ram, unsigned int nr_ram, u64 size)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++)
		n += own_sum_blocks(&ram[i], size);
	return n;
}

u64 own_db_bytes(const struct own_range *ram, unsigned int nr_ram)
{
	u64 pages = 0, sums = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++) {
		pages += ram[i].size >> PAGE_SHIFT;
		sums += own_sum_blocks(&ram[i], OWN_SUM_2M) + own_sum_blocks(&ram[i], OWN_SUM_1G);
	}
	/*
	 * entry + DMA map count per page, then the summaries (u16, 2-byte aligned), then one DMA
	 * map count per 2 MiB block (u8)
	 */
	return ALIGN_UP(pages * (sizeof(u16) + sizeof(u8)), sizeof(u16)) + sums * sizeof(u16) +
	       own_sum_blocks_all(ram, nr_ram, OWN_SUM_2M);
}

/* ---- per-block summaries (docs/ownership.md "Block summaries") ----------- */

/* The RAM range holding DB entry index @idx. */
static unsigned int own_range_of(u64 idx)
{
	unsigned int i = own.nr_ram - 1;

	while (i && idx < own.ram_first[i])
		i--;
	return i;
}

/*
 * The summary block of @size holding DB entry index @idx: its index (*blk, from
 * the range's first block @first_blk[range]) and its DB entries [*lo, *hi).
 */
static void own_sum_locate(u64 idx, u64 size, const u64 *first_blk, u64 *blk, u64 *lo, u64 *hi)
{
	unsigned int i = own_range_of(idx);
	const struct own_range *r = &own.ram[i];
	u64 pa = r->base + ((idx - own.ram_first[i]) << PAGE_SHIFT);
	u64 bstart = MAX(ALIGN_DOWN(pa, size), r->base);
	u64 bend = MIN(ALIGN_DOWN(pa, size) + size, r->base + r->size);

	*blk = first_blk[i] + ((pa - ALIGN_DOWN(r->base, size)) >> __builtin_ctzll(size));
	*lo = own.ram_first[i] + ((bstart - r->base) >> PAGE_SHIFT);
	*hi = own.ram_first[i] + ((bend - r->base) >> PAGE_SHIFT);
}

/*
 * What a 2 MiB summary compares: a page's key is its entry and its DMA map count (its own
 * plus @c0, its block's), own_key(entry, count); a block is uniform when all keys are equal.
 */
#define OWN_KEY_MIXED 0xffffffffU

static u32 own_key(u16 e, u32 count)
{
	return (u32)e | count << 16;
}

static u32 own_sum_page(u64 i, u8 c0)
{
	return own_key(own.db[i], (u32)own.dma[i] + c0);
}

/*
 * The exact key of the 2 MiB block [lo, hi) (block DMA count @c0) after pages [a, b) of it
 * changed, its key before being @old. The changed pages are read (the caller's work is
 * proportional to them anyway); the rest of the block only when @old cannot answer, and then
 * outwards from the change, so the nearest page that differs ends the scan (page-by-page
 * conversions and DMA maps leave one right next to the change).
 */
static u32 own_sum_of(u64 lo, u64 hi, u64 a, u64 b, u32 old, u8 c0)
{
	u32 v = own_sum_page(a, c0);
	u64 i = a + 1, k, d, e0, e1, wd, we;

	/* Eight pages a step (whole-block DMA unmaps and conversions): count and entry of @v. */
	wd = (u64)(u8)((v >> 16) - c0) * 0x0101010101010101ULL;
	we = (u64)(u16)v * 0x0001000100010001ULL;
	for (; i + 8 <= b; i += 8) {
		__builtin_memcpy(&d, &own.dma[i], sizeof(d));
		__builtin_memcpy(&e0, &own.db[i], sizeof(e0));
		__builtin_memcpy(&e1, &own.db[i + 4], sizeof(e1));
		if (d != wd || e0 != we || e1 != we)
			return OWN_KEY_MIXED;
	}
	for (; i < b; i++)
		if (own_sum_page(i, c0) != v)
			return OWN_KEY_MIXED;
	if (a == lo && b == hi)
		return v;
	if (old != OWN_KEY_MIXED)
		return old == v ? v : OWN_KEY_MIXED; /* the rest still reads @old */
	for (k = 1; b - 1 + k < hi || a >= lo + k; k++) {
		if (b - 1 + k < hi && own_sum_page(b - 1 + k, c0) != v)
			return OWN_KEY_MIXED;
		if (a >= lo + k && own_sum_page(a - k, c0) != v)
			return OWN_KEY_MIXED;
	}
	return v;
}

/*
 * The same one level up: the summary of the 1 GiB block whose pages are DB
 * entries [glo, ghi) (its summary before: @old), after its 2 MiB block @blk
 * changed: one compare unless @old was mixed, then the block's 2 MiB summaries
 * outwards from @blk.
 */
static u16 own_sum1g_of(u64 glo, u64 ghi, u64 blk, u16 old)
{
	u16 v = own.sum2m[blk];
	u64 lo, hi, k, x, y;

	if (v == OWN_SUM_MIXED)
		return v;
	if (old != OWN_SUM_MIXED)
		return old == v ? v : OWN_SUM_MIXED;
	own_sum_locate(glo, OWN_SUM_2M, own.sum2m_first, &lo, &x, &y);
	own_sum_locate(ghi - 1, OWN_SUM_2M, own.sum2m_first, &hi, &x, &y);
	for (k = 1; blk + k <= hi || blk >= lo + k; k++) {
		if (blk + k <= hi && own.sum2m[blk + k] != v)
			return OWN_SUM_MIXED;
		if (blk >= lo + k && own.sum2m[blk - k] != v)
			return OWN_SUM_MIXED;
	}
	return v;
}

/* Pages [e, e + n) (one RAM range) changed their entry or DMA map count: summaries follow. */
void own_sum_update(const u16 *e, u64 n)
{
	u64 idx = (u64)(e - own.db), end = idx + n;

	if (!own.sum2m || !n)
		return;
	while (idx < end) {
		u64 blk, lo, hi, g, glo, ghi;
		u16 ns;
		u8 c0;
		u32 old, nv;

		own_sum_locate(idx, OWN_SUM_2M, own.sum2m_first, &blk, &lo, &hi);
		c0 = own.dma2m[blk];
		old = own.sum2m[blk] == OWN_SUM_MIXED ? OWN_KEY_MIXED : own_key(own.sum2m[blk], c0);
		nv = own_sum_of(lo, hi, idx, MIN(hi, end), old, c0);
		idx = hi;
		if (nv == old)
			continue;
		/*
		 * One representation per state: a uniform block keeps its DMA map count at the
		 * block (its pages' counts 0), a mixed one in its pages (block count 0).
		 */
		if (nv == OWN_KEY_MIXED) {
			if (c0)
				memset(&own.dma[lo], c0, hi - lo);
			own.dma2m[blk] = 0;
			ns = OWN_SUM_MIXED;
		} else {
			if (old == OWN_KEY_MIXED && nv >> 16)
				memset(&own.dma[lo], 0, hi - lo);
			own.dma2m[blk] = (u8)(nv >> 16);
			ns = (u16)nv;
		}
		if (ns != own.sum2m[blk]) {
			own.sum2m[blk] = ns;
			own_sum_locate(lo, OWN_SUM_1G, own.sum1g_first, &g, &glo, &ghi);
			own.sum1g[g] = own_sum1g_of(glo, ghi, blk, own.sum1g[g]);
		}
	}
}

/* The summary of every 2 MiB block wholly or partly in [e, e + n), or mixed. */
static u16 own_sum_at(u64 idx, u64 *hi)
{
	u64 blk, lo;

	own_sum_locate(idx, OWN_SUM_2M, own.sum2m_first, &blk, &lo, hi);
	return own.sum2m[blk];
}

const u16 *own_block_summaries(unsigned int which, u64 *nr)
{
	*nr = which ? own.nr_sum1g : own.nr_sum2m;
	return which ? own.sum1g : own.sum2m;
}

/* DB entries of [pa, pa + n pages) if the span lies inside one RAM range. */
u16 *own_db_span(u64 pa, u64 n)
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

int own_page_entry(u64 pa, u16 *e)
{
	u16 *p = own_db_span(ALIGN_DOWN(pa, PAGE_SIZE), 1);

	if (!p)
		return -ERANGE;
	*e = *p;
	return 0;
}

/* DMA map counts of the pages whose DB entries start at @e. */
u8 *own_dma_of(const u16 *e)
{
	return &own.dma[e - own.db];
}

/*
 * ---- DMA map counts (docs/ownership.md "DMA map counts of whole blocks") ----
 *
 * A page's DMA map count is own.dma[page] + own.dma2m[its 2 MiB block]. The block count is
 * non-zero only while the block's summary is uniform (so every page of it has the same entry
 * and a per-page count of 0): a mapping of the whole block is then counted once, at the block.
 * When the block stops being uniform (own_sum_update) or a span covering only part of it is
 * counted (own_dma_add), the block count is pushed down to its pages first.
 */

/* The 2 MiB block of DB entry index @idx: its index and entries [*lo, *hi). */
static void own_blk2m(u64 idx, u64 *blk, u64 *lo, u64 *hi)
{
	own_sum_locate(idx, OWN_SUM_2M, own.sum2m_first, blk, lo, hi);
}

/*
 * Block @blk ([lo, hi)) is about to change the counts of some of its pages: its count goes
 * down to its pages and it is marked mixed. The caller changes pages right after and calls
 * own_sum_update() on them, which finds the block's exact summary (mixed, or uniform again).
 */
static void own_dma_push(u64 blk, u64 lo, u64 hi)
{
	u64 g, glo, ghi;

	if (!own.dma2m[blk])
		return;
	HYP_CHECK(own.sum2m[blk] != OWN_SUM_MIXED);
	memset(&own.dma[lo], own.dma2m[blk], hi - lo);
	own.dma2m[blk] = 0;
	own.sum2m[blk] = OWN_SUM_MIXED;
	own_sum_locate(lo, OWN_SUM_1G, own.sum1g_first, &g, &glo, &ghi);
	own.sum1g[g] = OWN_SUM_MIXED;
}

void own_dma_split(const u16 *e, u64 n)
{
	u64 idx = (u64)(e - own.db), end = idx + n, blk, lo, hi;

	for (; idx < end; idx = hi) {
		own_blk2m(idx, &blk, &lo, &hi);
		own_dma_push(blk, lo, hi);
	}
}

u8 own_dma_maps(const u16 *e)
{
	u64 blk, lo, hi;

	own_blk2m((u64)(e - own.db), &blk, &lo, &hi);
	return (u8)(own.dma[e - own.db] + own.dma2m[blk]);
}

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

/* Some byte of @v is zero: (v - 0x01..01) & ~v & 0x80..80 != 0, exactly. */
static bool own_zero_byte(u64 v)
{
	return ((v - OWN_ONES8) & ~v & OWN_HIGHS8) != 0;
}

/*
 * Every page of the span reachable by the host (-EPERM) and mapped fewer than 255 times
 * (-ENOSPC). A uniform block answers for its pages with its summary and its block count;
 * the pages of a mixed block are read eight counts (four owners) per 64-bit load.
 */
int own_dma_check(const u16 *e, u64 n)
{
	u64 base = (u64)(e - own.db), i = 0, k, blk, lo, hi, end;
	const u8 *cnt = own_dma_of(e);

	while (i < n) {
		own_blk2m(base + i, &blk, &lo, &hi);
		end = MIN(hi - base, n);
		if (own.sum2m[blk] != OWN_SUM_MIXED) {
			if (!own_host_reaches(own.sum2m[blk]))
				return -EPERM;
			if (own.dma2m[blk] >= OWN_DMA_MAX_MAPS)
				return -ENOSPC;
			i = end;
			continue;
		}
		for (; i + 8 <= end; i += 8) {
			if ((own_load8(&e[i]) & OWN_E_OWNER * OWN_ONES4) !=
				    OWN_OWNER_HOST * OWN_ONES4 ||
			    (own_load8(&e[i + 4]) & OWN_E_OWNER * OWN_ONES4) !=
				    OWN_OWNER_HOST * OWN_ONES4) {
				for (k = i; k < i + 8; k++)
					if (!own_host_reaches(e[k]))
						return -EPERM;
			}
			if (own_zero_byte(~own_load8(&cnt[i])))
				return -ENOSPC;
		}
		for (; i < end; i++) {
			if (!own_host_reaches(e[i]))
				return -EPERM;
			if (cnt[i] >= OWN_DMA_MAX_MAPS)
				return -ENOSPC;
		}
	}
	return 0;
}

/* Raise (@up) or drop each of the @n counts at @cnt by one; a count may not wrap. */
static void own_dma_pages(u8 *cnt, u64 n, bool up)
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

void own_dma_add(const u16 *e, u64 n, bool up)
{
	u64 idx = (u64)(e - own.db), end = idx + n, blk, lo, hi, b, nb;

	for (; idx < end; idx = b) {
		own_blk2m(idx, &blk, &lo, &hi);
		b = MIN(hi, end);
		/* A whole uniform block: one count at the block, the summary stays. */
		if (idx == lo && end >= hi && own.sum2m[blk] != OWN_SUM_MIXED) {
			HYP_CHECK(up ? own.dma2m[blk] < OWN_DMA_MAX_MAPS : own.dma2m[blk] > 0);
			own.dma2m[blk] = (u8)(up ? own.dma2m[blk] + 1 : own.dma2m[blk] - 1);
			continue;
		}
		own_dma_push(blk, lo, hi);
		own_dma_pages(own_dma_of(&own.db[idx]), b - idx, up);
		/*
		 * A block that was mixed stays mixed (its representation unchanged) if a page next
		 * to the change still differs from it; else its summary is found again.
		 */
		nb = idx > lo ? idx - 1 : b;
		if (own.sum2m[blk] == OWN_SUM_MIXED && nb < hi &&
		    (own.db[nb] != own.db[idx] || own.dma[nb] != own.dma[idx]))
			continue;
		own_sum_update(&own.db[idx], b - idx);
	}
}

/*
 * The two chunk sizes of DMA mapping in one lookup (docs/ownership.md "DMA map counts of whole
 * blocks", "The two chunk sizes"): own_check_pa() + own_dma_check() + own_dma_add() for
 * own_dma_take(), own_db_span() + own_dma_add() for own_dma_put(), with the RAM range found
 * once and the 2 MiB block computed from it. A page of a mixed block changes its own count
 * (and the block's summary only when no neighbour still differs, as own_dma_add() decides);
 * a whole uniform block its block count; anything else goes through the general functions.
 */
static int own_dma_one(u64 pa, u64 n, bool up)
{
	const struct own_range *r = NULL;
	u64 idx, blk, b0, lo, hi, nb;
	unsigned int i;
	u16 *e;
	int ret;

	for (i = 0; i < own.nr_ram; i++) {
		r = &own.ram[i];
		if (pa >= r->base && pa - r->base < r->size &&
		    n <= (r->size - (pa - r->base)) >> PAGE_SHIFT)
			break;
	}
	if (i == own.nr_ram)
		return -ERANGE;
	idx = own.ram_first[i] + ((pa - r->base) >> PAGE_SHIFT);
	b0 = ALIGN_DOWN(pa, SZ_2M);
	blk = own.sum2m_first[i] + ((b0 - ALIGN_DOWN(r->base, SZ_2M)) >> 21);
	if (n == 1 && own.sum2m[blk] == OWN_SUM_MIXED) {
		if (up && !own_host_reaches(own.db[idx]))
			return -EPERM;
		if (up && own.dma[idx] >= OWN_DMA_MAX_MAPS)
			return -ENOSPC;
		HYP_CHECK(up || own.dma[idx]);
		own.dma[idx] = (u8)(up ? own.dma[idx] + 1 : own.dma[idx] - 1);
		lo = own.ram_first[i] + ((MAX(b0, r->base) - r->base) >> PAGE_SHIFT);
		hi = own.ram_first[i] +
		     ((MIN(b0 + SZ_2M, r->base + r->size) - r->base) >> PAGE_SHIFT);
		nb = idx > lo ? idx - 1 : idx + 1;
		if (nb >= hi || (own.db[nb] == own.db[idx] && own.dma[nb] == own.dma[idx]))
			own_sum_update(&own.db[idx], 1);
		return 0;
	}
	if (n == SZ_2M >> PAGE_SHIFT && pa == b0 && own.sum2m[blk] != OWN_SUM_MIXED) {
		if (up && !own_host_reaches(own.sum2m[blk]))
			return -EPERM;
		if (up && own.dma2m[blk] >= OWN_DMA_MAX_MAPS)
			return -ENOSPC;
		HYP_CHECK(up || own.dma2m[blk]);
		own.dma2m[blk] = (u8)(up ? own.dma2m[blk] + 1 : own.dma2m[blk] - 1);
		return 0;
	}
	e = &own.db[idx];
	ret = up ? own_dma_check(e, n) : 0;
	if (!ret)
		own_dma_add(e, n, up);
	return ret;
}

int own_dma_take(u64 pa, u64 n)
{
	return own_dma_one(pa, n, true);
}

int own_dma_put(u64 pa, u64 n)
{
	return own_dma_one(pa, n, false);
}

/* Some page of the span is mapped in a host DMA domain or pinned. */
bool own_dma_busy(const u16 *e, u64 n)
{
	u64 base = (u64)(e - own.db), i = 0, blk, lo, hi, end;
	const u8 *c = own_dma_of(e);

	while (i < n) {
		own_blk2m(base + i, &blk, &lo, &hi);
		end = MIN(hi - base, n);
		if (own.dma2m[blk])
			return true;
		/* A uniform block without a block count: no page of it is mapped. */
		if (own.sum2m[blk] != OWN_SUM_MIXED) {
			i = end;
			continue;
		}
		for (; i < end; i++)
			if (c[i])
				return true;
	}
	return false;
}

void own_db_set(u16 *e, u64 n, u16 clear, u16 set)
{
	u64 i;

	for (i = 0; i < n; i++)
		e[i] = (u16)((e[i] & ~clear) | set);
	own_sum_update(e, n);
}

/* ---- principals and views ---------------------------------------------- */

struct own_principal *own_vm_get(u32 vm)
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

void own_view_inval(struct own_principal *p, struct own_gathers *g)
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

const struct pt_ops own_cpu_pt_ops = { .flush_now = own_flush_cpu };
static const struct pt_ops own_dom_pt_ops = { .flush_now = own_flush_dom };

void own_gathers_init(struct own_gathers *g)
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

static enum pt_pages_kind own_pages_kind(enum own_op_kind kind)
{
	return kind == OWN_OP_MAP   ? PT_PAGES_MAP :
	       kind == OWN_OP_UNMAP ? PT_PAGES_UNMAP :
				      PT_PAGES_ATTR;
}

/* Set bits [a, a + n) of a page set's bitmap (a + n <= 512). */
static void own_bm_set(u64 *bm, u64 a, u64 n)
{
	if (n == 1) {
		bm[a / 64] |= (u64)1 << (a % 64);
		return;
	}
	for (; n; a++, n--)
		bm[a / 64] |= (u64)1 << (a % 64);
}

/*
 * @op as a page set when it lies inside one 2 MiB region and is smaller (a whole region is
 * one block descriptor for the range engine): the one-entry fast path of a page conversion.
 */
static bool own_op_pages(const struct own_op *op, struct pt_pages *ps)
{
	u64 region = ALIGN_DOWN(op->ia, SZ_2M);

	if (op->size >= SZ_2M || ALIGN_DOWN(op->ia + op->size - 1, SZ_2M) != region)
		return false;
	memset(ps->bm, 0, sizeof(ps->bm));
	ps->kind = own_pages_kind(op->kind);
	ps->ia = region;
	ps->pa =
		op->pa - (op->ia - region); /* page i maps pa + i pages (wraps back for i >= off) */
	ps->attr = op->attr;
	own_bm_set(ps->bm, (op->ia - region) >> PAGE_SHIFT, op->size >> PAGE_SHIFT);
	return true;
}

/*
 * One table's part of an operation: the page set @ps in place when its last-level table is
 * there (no table page needed), else the range operation @op, and then (@then) @ps into the
 * table @op made. Cost and commit take the same branch: between them the transaction changes
 * no other page of the table (every page it names changes state, so none of its tables can
 * become uniform, and merge, before the last of its pages is written).
 */
static s64 own_pt_cost(const struct pt *pt, const struct own_op *op, const struct pt_pages *ps)
{
	if (ps && !pt_pages_ok(pt, ps))
		return 0;
	return own_op_cost(pt, op);
}

static void own_pt_apply(struct pt *pt, const struct own_op *op, const struct pt_pages *ps,
			 bool then, struct pt_gather *g)
{
	if (ps && !pt_pages(pt, ps, g))
		return;
	HYP_CHECK(own_op_apply(pt, op, g) == 0);
	if (ps && then)
		HYP_CHECK(pt_pages(pt, ps, g) == 0);
}

static int own_view_cost_ps(const struct own_principal *p, const struct own_op *op,
			    const struct pt_pages *ps, u64 *cost)
{
	const struct own_view *v = &p->view;
	unsigned int i;
	s64 c;

	c = own_pt_cost(&v->cpu, op, ps);
	if (c < 0)
		return (int)c;
	*cost += (u64)c;
	for (i = 0; i < OWN_MAX_DOMS; i++) {
		if (!v->dom[i].used || !v->dom[i].mirrored)
			continue;
		c = own_pt_cost(&v->dom[i].pt, op, ps);
		if (c < 0)
			return (int)c;
		*cost += (u64)c;
	}
	return 0;
}

static void own_view_apply_ps(struct own_principal *p, const struct own_op *op,
			      const struct pt_pages *ps, bool then, struct own_gathers *g)
{
	struct own_view *v = &p->view;
	unsigned int i;

	own_pt_apply(&v->cpu, op, ps, then, &g->cpu);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			own_pt_apply(&v->dom[i].pt, op, ps, then, &g->dom[i]);
}

/* Add the cost of @op on every table of @p's view to *cost. */
int own_view_cost(const struct own_principal *p, const struct own_op *op, u64 *cost)
{
	struct pt_pages ps;

	return own_view_cost_ps(p, op, own_op_pages(op, &ps) ? &ps : NULL, cost);
}

/* Apply @op on every table of @p's view; the pages were reserved: cannot fail. */
void own_view_apply(struct own_principal *p, const struct own_op *op, struct own_gathers *g)
{
	struct pt_pages ps;

	own_view_apply_ps(p, op, own_op_pages(op, &ps) ? &ps : NULL, false, g);
}

/*
 * Reserve @cost pages from @p's pool. On shortage nothing is reserved and
 * @res says how many pages the host must donate to which pool.
 */
int own_reserve_pool(struct pt_pool *pool, u32 who, u64 cost, struct own_res *res)
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

int own_reserve(struct own_principal *p, u64 cost, struct own_res *res)
{
	return own_reserve_pool(&p->pool, p->id, cost, res);
}

/*
 * Can the pools of a and b (b may be NULL) supply ca and cb table pages at once?
 * Proved by reserving both (or neither) and releasing at once: the commit that
 * follows runs under the same locks, so nobody else can take the pages, and the
 * engine's operations allocate from the unreserved part of a pool. On shortage
 * @res says how many pages to donate to which pool.
 */
int own_pools_can_supply(struct own_principal *a, u64 ca, struct own_principal *b, u64 cb,
			 struct own_res *res)
{
	int ret = own_reserve(a, ca, res);

	if (!ret && b) {
		ret = own_reserve(b, cb, res);
		if (ret && ca)
			pt_pool_unreserve(&a->pool, ca);
		if (!ret && cb)
			pt_pool_unreserve(&b->pool, cb);
	}
	if (!ret && ca)
		pt_pool_unreserve(&a->pool, ca);
	return ret;
}

/* ---- page states (pKVM's vocabulary; docs/ownership.md "Principals, views, states") ---- */

/* The entry that puts a page in state @sa for @a and @sb for @b (flags aside). */
static u16 own_e_encode(u16 a, enum own_state sa, u16 b, enum own_state sb)
{
	u16 owner = (sa == OWN_OWNED || sa == OWN_SHARED_OWNED) ? a : b;
	enum own_state so = owner == a ? sa : sb, sx = owner == a ? sb : sa;
	u16 other = owner == a ? b : a;

	/* One owner; the other side has no page, or borrows what the owner shares. */
	HYP_CHECK((so == OWN_OWNED && sx == OWN_NOPAGE) ||
		  (so == OWN_SHARED_OWNED && sx == OWN_SHARED_BORROWED &&
		   own_borrower(owner) == other));
	return (u16)(owner | (so == OWN_SHARED_OWNED ? OWN_E_SHARED : 0));
}

int own_check_state(const u16 *e, u64 n, u16 a, enum own_state sa, u16 b, enum own_state sb,
		    int err)
{
	u64 base = (u64)(e - own.db), i = 0, hi;
	u16 v;

	/* A few pages: reading them costs less than finding their block's summary. */
	if (n <= OWN_SUM_MIN_SPAN) {
		for (; i < n; i++)
			if (own_e_state(e[i], a) != sa || own_e_state(e[i], b) != sb)
				return err;
		return 0;
	}
	while (i < n) {
		/* A uniform 2 MiB block: its summary answers for every page of it in the span. */
		v = own.sum2m ? own_sum_at(base + i, &hi) : OWN_SUM_MIXED;
		if (v != OWN_SUM_MIXED) {
			if (own_e_state(v, a) != sa || own_e_state(v, b) != sb)
				return err;
			i = hi - base;
			continue;
		}
		for (hi = own.sum2m ? MIN(hi - base, n) : n; i < hi; i++)
			if (own_e_state(e[i], a) != sa || own_e_state(e[i], b) != sb)
				return err;
	}
	return 0;
}

void own_set_state(u16 *e, u64 n, u16 a, enum own_state sa, u16 b, enum own_state sb, u16 flags)
{
	own_db_set(e, n, 0xffff, (u16)(own_e_encode(a, sa, b, sb) | flags));
}

int own_check_runs_state(unsigned int nr, u16 a, enum own_state sa, u16 b, enum own_state sb,
			 int err)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++)
		ret = own_check_state(own_run_db(&own_scratch[i]), own_scratch[i].n, a, sa, b, sb,
				      err);
	return ret;
}

/*
 * The summaries follow once per 2 MiB block of PA the runs touch, not once per run: the span
 * from the first to the last entry written in the block is a valid own_sum_update() span (it
 * reads every page of it; the pages between the runs did not change).
 */
void own_set_runs_state(unsigned int nr, u16 a, enum own_state sa, u16 b, enum own_state sb,
			u16 flags)
{
	u16 v = (u16)(own_e_encode(a, sa, b, sb) | flags), *lo = NULL, *hi = NULL;
	u64 blk = 0, j;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct own_run *r = &own_scratch[i];
		u64 b0 = r->pa / SZ_2M, b1 = (r->pa + (r->n << PAGE_SHIFT) - 1) / SZ_2M;

		for (j = 0; j < r->n; j++)
			r->db[j] = v;
		if (lo && b0 == blk && b1 == blk) {
			lo = MIN(lo, r->db);
			hi = MAX(hi, r->db + r->n);
			continue;
		}
		if (lo)
			own_sum_update(lo, (u64)(hi - lo));
		lo = r->db;
		hi = r->db + r->n;
		blk = b0 == b1 ? b0 : ~(u64)0; /* a run across blocks is updated alone */
	}
	if (lo)
		own_sum_update(lo, (u64)(hi - lo));
}

/* ---- one transaction over every view (docs/ownership.md "One transaction") ---- */

/* The operation on the first page of host page set @ps (the range engine's part). */
static struct own_op own_pages_first(const struct own_tx_side *sd, const struct pt_pages *ps)
{
	unsigned int w = 0;

	while (!ps->bm[w])
		w++;
	return own_op_host(sd->op.kind,
			   ps->ia + ((u64)(w * 64 + (unsigned int)__builtin_ctzll(ps->bm[w]))
				     << PAGE_SHIFT),
			   1, sd->op.attr);
}

/*
 * A side with @runs and @grouped: the runs of own_scratch (the shared ones with @shared_only)
 * on the host's identity view as page sets, one per 2 MiB region in turn, each with the
 * operation on its first page (the range engine's part where the region has no last-level
 * table yet). The cost pass keeps up to OWN_TX_GROUPS of them for the commit.
 */
static int own_tx_side_group(struct own_tx_side *sd, const struct pt_pages *ps, u64 *cost)
{
	struct own_op first = own_pages_first(sd, ps);

	if (!cost) {
		own_view_apply_ps(sd->p, &first, ps, true, &sd->g);
		return 0;
	}
	if (sd->nr_grp < OWN_TX_GROUPS)
		sd->grp[sd->nr_grp] = *ps;
	sd->nr_grp++;
	return own_view_cost_ps(sd->p, &first, ps, cost);
}

static int own_tx_side_groups(struct own_tx_side *sd, unsigned int nr, u64 *cost)
{
	struct pt_pages ps = { .kind = own_pages_kind(sd->op.kind), .attr = sd->op.attr };
	unsigned int i;
	int ret;

	if (!cost && sd->nr_grp <= OWN_TX_GROUPS) {
		for (i = 0; i < sd->nr_grp; i++)
			own_tx_side_group(sd, &sd->grp[i], NULL);
		return 0;
	}
	if (cost)
		sd->nr_grp = 0;
	ps.ia = ~(u64)0;
	for (i = 0; i < nr; i++) {
		u64 pa = own_scratch[i].pa, n = own_scratch[i].n;

		if (sd->shared_only && !own_run_shared(&own_scratch[i]))
			continue;
		while (n) {
			u64 region = ALIGN_DOWN(pa, SZ_2M);
			u64 k = MIN(n, (region + SZ_2M - pa) >> PAGE_SHIFT);

			if (ps.ia != region) {
				if (ps.ia != ~(u64)0) {
					ret = own_tx_side_group(sd, &ps, cost);
					if (ret)
						return ret;
				}
				memset(ps.bm, 0, sizeof(ps.bm));
				ps.ia = region;
				ps.pa = region;
			}
			own_bm_set(ps.bm, (pa - region) >> PAGE_SHIFT, k);
			pa += k << PAGE_SHIFT;
			n -= k;
		}
	}
	return ps.ia != ~(u64)0 ? own_tx_side_group(sd, &ps, cost) : 0;
}

static int own_tx_side_cost(struct own_tx_side *sd, unsigned int nr)
{
	unsigned int i;
	int ret = 0;

	sd->cost = 0;
	if (!sd->p)
		return 0;
	if (sd->pages)
		return own_view_cost_ps(sd->p, &sd->op, sd->pages, &sd->cost);
	if (!sd->runs)
		return own_view_cost(sd->p, &sd->op, &sd->cost);
	if (sd->grouped)
		return own_tx_side_groups(sd, nr, &sd->cost);
	for (i = 0; i < nr && !ret; i++) {
		struct own_op op =
			own_op_host(sd->op.kind, own_scratch[i].pa, own_scratch[i].n, sd->op.attr);

		if (sd->shared_only && !own_run_shared(&own_scratch[i]))
			continue;
		ret = own_view_cost(sd->p, &op, &sd->cost);
	}
	return ret;
}

static void own_tx_side_apply(struct own_tx_side *sd, unsigned int nr)
{
	unsigned int i;

	own_gathers_init(&sd->g);
	if (!sd->p)
		return;
	if (sd->pages) {
		own_view_apply_ps(sd->p, &sd->op, sd->pages, true, &sd->g);
		return;
	}
	if (!sd->runs) {
		own_view_apply(sd->p, &sd->op, &sd->g);
		return;
	}
	if (sd->grouped) {
		own_tx_side_groups(sd, nr, NULL);
		return;
	}
	for (i = 0; i < nr; i++) {
		struct own_op op =
			own_op_host(sd->op.kind, own_scratch[i].pa, own_scratch[i].n, sd->op.attr);

		if (sd->shared_only && !own_run_shared(&own_scratch[i]))
			continue;
		own_view_apply(sd->p, &op, &sd->g);
	}
}

/*
 * An empty transaction: no sides. The gathers are left alone (about 4 KiB of
 * ranges, which zeroing cost more than a page's conversion): own_tx_commit starts
 * each side's gather before using it.
 */
static void own_tx_side_init(struct own_tx_side *sd)
{
	sd->p = NULL;
	memset(&sd->op, 0, sizeof(sd->op));
	sd->runs = false;
	sd->shared_only = false;
	sd->grouped = false;
	sd->nr_grp = 0;
	sd->pages = NULL;
	sd->cost = 0;
}

void own_tx_init(struct own_tx *tx)
{
	own_tx_side_init(&tx->lose);
	own_tx_side_init(&tx->gain);
	tx->nr_runs = 0;
	tx->scrub_runs = false;
}

int own_tx_prepare(struct own_tx *tx, struct own_res *res)
{
	int ret = own_tx_side_cost(&tx->lose, tx->nr_runs);

	if (!ret)
		ret = own_tx_side_cost(&tx->gain, tx->nr_runs);
	if (ret)
		return ret;
	/* The host's pool is asked first: its shortage is the one reported first. */
	if (!tx->lose.p)
		return own_pools_can_supply(tx->gain.p, tx->gain.cost, NULL, 0, res);
	if (tx->gain.p == &own.host)
		return own_pools_can_supply(tx->gain.p, tx->gain.cost, tx->lose.p, tx->lose.cost,
					    res);
	return own_pools_can_supply(tx->lose.p, tx->lose.cost, tx->gain.p, tx->gain.cost, res);
}

/*
 * Tables a side's operations unlink without a synchronous invalidation (a table merged back
 * into a block where break-before-make is not needed, an emptied one) are freed after the
 * view's one invalidation and sync of the transaction, their ranges in its gathers, instead
 * of each after a sync of its own (pt_dead_flush).
 */
static void own_view_defer(struct own_principal *p, bool on)
{
	struct own_view *v = &p->view;
	unsigned int i;

	pt_deferred_init(&v->dead[0]);
	v->cpu.defer = on ? &v->dead[0] : NULL;
	for (i = 0; i < OWN_MAX_DOMS; i++) {
		pt_deferred_init(&v->dead[1 + i]);
		if (v->dom[i].used && v->dom[i].mirrored)
			v->dom[i].pt.defer = on ? &v->dead[1 + i] : NULL;
	}
}

/* After the view's sync: the deferred tables back to their pools. */
static void own_view_release(struct own_principal *p)
{
	struct own_view *v = &p->view;
	unsigned int i;

	pt_dead_release(&v->cpu, &v->dead[0]);
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			pt_dead_release(&v->dom[i].pt, &v->dead[1 + i]);
	own_view_defer(p, false);
}

static void own_tx_side_commit(struct own_tx_side *sd, unsigned int nr_runs)
{
	if (sd->p)
		own_view_defer(sd->p, true);
	own_tx_side_apply(sd, nr_runs);
	if (sd->p) {
		own_view_inval(sd->p, &sd->g);
		own_view_release(sd->p);
	}
}

void own_tx_commit(struct own_tx *tx)
{
	unsigned int i;

	/* 1. The losing side's tables change, and every walker of them forgets. */
	own_tx_side_commit(&tx->lose, tx->nr_runs);
	/* 2. Nothing of the loser can reach the pages now: zero them if asked. */
	for (i = 0; tx->scrub_runs && i < tx->nr_runs; i++)
		own_scrub(own_scratch[i].pa, own_scratch[i].n);
	/* 3. Only then the gaining side's tables change, and are invalidated and synced. */
	own_tx_side_commit(&tx->gain, tx->nr_runs);
}

void own_scrub(u64 pa, u64 n)
{
	memset(plat_phys_to_virt(pa), 0, n << PAGE_SHIFT);
	plat_dcache_clean(plat_phys_to_virt(pa), n << PAGE_SHIFT);
}

/* ---- argument checks ---------------------------------------------------- */

/* Pages of a window: at most the budget, ending at a budget-aligned boundary of @addr. */
u64 own_window(u64 addr, u64 n)
{
	u64 left = OWN_BUDGET_PAGES - ((addr >> PAGE_SHIFT) & (OWN_BUDGET_PAGES - 1));

	return MIN(n, left);
}

/* The window's PAs: in one RAM range (-ERANGE). */
int own_check_pa(u64 pa, u64 n, u16 **e)
{
	int ret = own_check_args(pa, n);

	if (ret)
		return ret;
	*e = own_db_span(pa, n);
	return *e ? 0 : -ERANGE;
}

/* The window's IPAs: inside the VM's input address space (-ERANGE). */
int own_check_ipa(const struct own_principal *vm, u64 ipa, u64 n)
{
	int ret = own_check_args(ipa, n);

	if (ret)
		return ret;
	if (ipa + (n << PAGE_SHIFT) > ((u64)1 << vm->view.cpu.ia_bits) ||
	    ipa + (n << PAGE_SHIFT) < ipa)
		return -ERANGE;
	return 0;
}

/* ---- locking ------------------------------------------------------------ */

/* Take host then VM @vm; -ENOENT (nothing held) if the VM does not exist. */
int own_lock_host_vm(u32 vm, struct own_principal **p)
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

void own_unlock_host_vm(struct own_principal *v)
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
	bool soft; /* a run past max: -ENOSPC (own_vm_runs_wide), not an internal error */
};

static int own_collect_fn(const struct pt_leaf *l, void *arg)
{
	struct own_collect *c = arg;
	struct own_run *last = c->nr ? &own_scratch[c->nr - 1] : NULL;

	if (!l->valid || (l->attr & PT_DEVICE)) {
		c->err = -EPERM; /* the VM has no page there (unmapped, or MMIO it took) */
		return 1;
	}
	if (last && last->pa + (last->n << PAGE_SHIFT) == l->pa && last->attr == l->attr) {
		last->n += l->size >> PAGE_SHIFT;
		return 0;
	}
	if (c->nr == c->max) {
		HYP_CHECK(c->soft);
		c->err = -ENOSPC;
		return 1;
	}
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
/* Every page of the first @nr runs of own_scratch is RAM owned by @vm (an internal invariant). */
static void own_vm_runs_owned(const struct own_principal *vm, unsigned int nr)
{
	unsigned int i;
	u64 j;

	for (i = 0; i < nr; i++) {
		u16 *e = own_db_span(own_scratch[i].pa, own_scratch[i].n);

		HYP_CHECK(e);
		for (j = 0; j < own_scratch[i].n; j++)
			HYP_CHECK(own_e_owner(e[j]) == vm->owner);
		own_scratch[i].db = e;
	}
}

int own_vm_runs(struct own_principal *vm, u64 ipa, u64 n, unsigned int *nr)
{
	struct own_collect c = { 0, OWN_BUDGET_PAGES, 0, false };

	pt_walk(&vm->view.cpu, ipa, n << PAGE_SHIFT, own_collect_fn, &c);
	if (c.err)
		return c.err;
	own_vm_runs_owned(vm, c.nr);
	*nr = c.nr;
	return 0;
}

/*
 * own_vm_runs() for a wide window (the range conversions, docs/hypercalls.md
 * "LS_FN_VM_SHARE_HOST_RANGE"): [ipa, ipa + n pages), n up to 1 GiB, collected one budget
 * window (2 MiB) after the other while their runs fit in own_scratch; the first window always
 * fits (at most OWN_BUDGET_PAGES pages). *w = the pages collected, a whole number of windows
 * unless the range ends first.
 */
int own_vm_runs_wide(struct own_principal *vm, u64 ipa, u64 n, u64 *w, unsigned int *nr)
{
	struct own_collect c = { 0, OWN_BUDGET_PAGES, 0, true };
	u64 done = 0;

	while (done < n) {
		u64 at = ipa + (done << PAGE_SHIFT), k = own_window(at, n - done);
		unsigned int nr0 = c.nr;
		u64 last_n = nr0 ? own_scratch[nr0 - 1].n : 0;

		pt_walk(&vm->view.cpu, at, k << PAGE_SHIFT, own_collect_fn, &c);
		if (c.err == -ENOSPC) {
			/* This window's runs do not fit: the call ends before it. */
			HYP_CHECK(done);
			c.nr = nr0;
			own_scratch[nr0 - 1].n = last_n;
			break;
		}
		if (c.err)
			return c.err;
		done += k;
	}
	own_vm_runs_owned(vm, c.nr);
	*nr = c.nr;
	*w = done;
	return 0;
}

struct own_page_collect {
	u64 ia;
	unsigned int nr;
};

static int own_page_collect_fn(void *arg, unsigned int i, u64 pa, pt_attr_t attr)
{
	struct own_page_collect *c = arg;
	u64 ipa = c->ia + ((u64)i << PAGE_SHIFT);
	struct own_run *last = c->nr ? &own_scratch[c->nr - 1] : NULL;

	if (attr & PT_DEVICE)
		return -EPERM; /* MMIO the VM took (vmmmio.c): no page of its memory */
	if (last && last->ipa + (last->n << PAGE_SHIFT) == ipa &&
	    last->pa + (last->n << PAGE_SHIFT) == pa && last->attr == attr) {
		last->n++;
		return 0;
	}
	HYP_CHECK(c->nr < OWN_BUDGET_PAGES);
	own_scratch[c->nr] = (struct own_run){ ipa, pa, 1, attr, NULL };
	c->nr++;
	return 0;
}

/*
 * The gfn -> pfn runs of the pages of @ps (one 2 MiB window of @vm) into own_scratch (host
 * lock held): pages adjacent in both spaces with the same attributes form one run. -EPERM if
 * a page is unmapped.
 */
int own_vm_page_runs(struct own_principal *vm, const struct pt_pages *ps, unsigned int *nr)
{
	struct own_page_collect c = { ps->ia, 0 };
	int ret = pt_pages_lookup(&vm->view.cpu, ps, own_page_collect_fn, &c);

	if (ret)
		return ret == -ENOENT ? -EPERM : ret;
	own_vm_runs_owned(vm, c.nr);
	*nr = c.nr;
	return 0;
}

u16 *own_run_db(const struct own_run *r)
{
	return r->db;
}

struct own_op own_op_host(enum own_op_kind kind, u64 pa, u64 n, pt_attr_t attr)
{
	struct own_op op = { kind, pa, n << PAGE_SHIFT, pa, attr };

	return op;
}

/* A run's pages are all shared or all private (its VM mapping attributes are uniform). */
bool own_run_shared(const struct own_run *r)
{
	return (*own_run_db(r) & OWN_E_SHARED) != 0;
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
	/* Summaries after the counts: all "mixed" until the DB is written, then exact. */
	own.sum2m = NULL;
	{
		u16 *sum = (u16 *)(uintptr_t)ALIGN_UP((uintptr_t)(own.dma + idx), sizeof(u16));
		u64 n2 = 0, n1 = 0;

		for (r = 0; r < cfg->nr_ram; r++) {
			own.sum2m_first[r] = n2;
			own.sum1g_first[r] = n1;
			n2 += own_sum_blocks(&cfg->ram[r], OWN_SUM_2M);
			n1 += own_sum_blocks(&cfg->ram[r], OWN_SUM_1G);
		}
		own.nr_sum2m = n2;
		own.nr_sum1g = n1;
		own.sum1g = sum + n2;
		for (i = 0; i < n2 + n1; i++)
			sum[i] = OWN_SUM_MIXED;
		own.sum2m = sum;
		own.dma2m = (u8 *)(sum + n2 + n1);
		memset(own.dma2m, 0, n2);
	}
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
		hyp_spin_init(&own.vm[i].vm_run.lock);
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
	u16 e;

	if (own_page_entry(pa, &e))
		return OWN_NOPAGE;
	if (who == OWN_HOST)
		return own_e_state(e, OWN_OWNER_HOST);
	if (who < OWN_MAX_VMS)
		return own_e_state(e, (u16)OWN_OWNER_VM(who));
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
