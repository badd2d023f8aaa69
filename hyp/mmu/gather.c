// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gathered TLB invalidations. Each table operation adds the ranges whose valid
 * translations it changed; the caller invalidates them once the operation (or
 * the whole multi-view transaction) is done. Ranges that touch or overlap
 * coalesce, so one contiguous operation yields one range whatever its page
 * count; past PT_GATHER_MAX distinct ranges the gather degrades to `all`.
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

void pt_gather_add(struct pt_gather *g, u64 ia, u64 size, unsigned int level)
{
	unsigned int i;

	if (!g || g->all || !size)
		return;
	for (i = 0; i < g->nr; i++) {
		struct pt_inval *r = &g->r[i];

		if (ia <= r->ia + r->size && r->ia <= ia + size) {
			u64 lo = MIN(r->ia, ia), hi = MAX(r->ia + r->size, ia + size);

			r->ia = lo;
			r->size = hi - lo;
			r->level = pt_gather_level(r->level, level);
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
