// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gathered TLB invalidations. Each table operation adds the ranges whose valid
 * translations it changed; the caller invalidates them once the operation (or
 * the whole multi-view transaction) is done. Ranges that touch or overlap
 * coalesce (a range that grows also swallows the others it then reaches), so one
 * contiguous operation yields one range whatever its page count; past
 * PT_GATHER_MAX distinct ranges the gather degrades to `all`.
 */
#include "hyp/pgtable.h"

void pt_gather_init(struct pt_gather *g)
{
	g->nr = 0;
	g->all = false;
}

static u8 pt_gather_level(u8 a, unsigned int b)
{
	return a == b ? a : 0;
}

static void pt_gather_join(struct pt_inval *r, u64 ia, u64 size, unsigned int level)
{
	u64 lo = MIN(r->ia, ia), hi = MAX(r->ia + r->size, ia + size);

	r->ia = lo;
	r->size = hi - lo;
	r->level = pt_gather_level(r->level, level);
}

/* Range @i grew: the other ranges it now touches or overlaps join it (the last moves down). */
static void pt_gather_absorb(struct pt_gather *g, unsigned int i)
{
	struct pt_inval *r = &g->r[i];
	unsigned int j = 0;

	while (j < g->nr) {
		struct pt_inval *o = &g->r[j];

		if (j == i || o->ia > r->ia + r->size || r->ia > o->ia + o->size) {
			j++;
			continue;
		}
		pt_gather_join(r, o->ia, o->size, o->level);
		g->nr--;
		if (i == g->nr) { /* r was the last one: it moves to j's slot */
			g->r[j] = *r;
			i = j;
			r = &g->r[i];
		} else {
			g->r[j] = g->r[g->nr];
		}
		j = 0; /* r grew: look at every other range again (g->nr went down) */
	}
}

void pt_gather_add(struct pt_gather *g, u64 ia, u64 size, unsigned int level)
{
	unsigned int i;

	if (!g || g->all || !size)
		return;
	for (i = 0; i < g->nr; i++) {
		struct pt_inval *r = &g->r[i];

		if (ia <= r->ia + r->size && r->ia <= ia + size) {
			pt_gather_join(r, ia, size, level);
			pt_gather_absorb(g, i);
			return;
		}
	}
	if (g->nr == PT_GATHER_MAX) {
		g->all = true;
		return;
	}
	g->r[g->nr].ia = ia;
	g->r[g->nr].size = size;
	g->r[g->nr].level = (u8)(level <= 3 ? level : 0);
	g->nr++;
}
