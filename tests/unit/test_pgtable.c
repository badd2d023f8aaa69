// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-table engine tests (hyp/mmu), run for every descriptor format against
 * the fake platform. Each test names the format it ran on.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake.h"
#include "harness.h"
#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "ptdec.h"
#include "../../hyp/mmu/pt_fmt.h"

/* Per-format facts the tests rely on (from the format's documentation). */
struct fmt_case {
	enum pt_fmt_id fmt;
	const char *name;
	unsigned int ia_bits;
	unsigned int start_level; /* expected for ia_bits */
	unsigned int root_pages;
	bool has_1g;	    /* 1 GiB leaves allowed */
	bool bbm;	    /* break-before-make applies (Arm) */
	pt_attr_t rw, ro;   /* two representable attribute sets */
	pt_attr_t attrs[6]; /* representable (already normalised) attributes */
	unsigned int nr_attrs;
};

static const struct fmt_case fmt_cases[] = {
	{ PT_FMT_ARM64_S2,
	  "arm64-s2",
	  40,
	  1,
	  2,
	  true,
	  true,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_RWX, PT_RW | PT_DEVICE, PT_W, 0 },
	  6 },
	{ PT_FMT_ARM64_S1,
	  "arm64-s1",
	  40,
	  0,
	  1,
	  true,
	  true,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_RWX, PT_RW | PT_DEVICE, PT_R | PT_X },
	  5 },
	{ PT_FMT_X86_EPT,
	  "x86-ept",
	  48,
	  0,
	  1,
	  true,
	  false,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_RWX, PT_RW | PT_DEVICE, PT_R | PT_X },
	  5 },
	{ PT_FMT_VTD_SL,
	  "vtd-sl",
	  48,
	  0,
	  1,
	  false,
	  false,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_W, PT_RW | PT_DEVICE },
	  4 },
	{ PT_FMT_VTD_SL_1G,
	  "vtd-sl-1g",
	  48,
	  0,
	  1,
	  true,
	  false,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_W, PT_RW | PT_DEVICE },
	  4 },
	{ PT_FMT_X86_NPT,
	  "x86-npt",
	  48,
	  0,
	  1,
	  true,
	  false,
	  PT_RW,
	  PT_R,
	  { PT_RW, PT_R, PT_RWX, PT_RW | PT_DEVICE, PT_R | PT_X, PT_RWX | PT_DEVICE },
	  6 },
};

#define POOL_PAGES 4096
#define PA_BASE	   (1ULL << 40) /* output addresses: 1 TiB, 1 GiB aligned */

static struct pt_pool pool;
static struct th_pt tpt;

static const struct fmt_case *fc_of(void **state)
{
	return *state;
}

static struct pt *setup_pt(const struct fmt_case *fc, u64 pool_pages)
{
	th_reset();
	th_pool_fill(&pool, pool_pages);
	assert_int_equal(th_pt_init(&tpt, fc->fmt, fc->ia_bits, &pool), 0);
	return &tpt.pt;
}

static void check_accounting(const struct pt *pt)
{
	/* Non-coherent walker: what it sees equals what the CPU wrote. */
	if (!pt->coherent)
		assert_int_equal(th_check_cleaned(pt), 0);
	assert_int_equal(pool.nr_free + pool.nr_used, pool.nr_total);
	assert_true(pool.nr_reserved <= pool.nr_free);
	assert_int_equal(pool.nr_used, pt->nr_tables);
	assert_int_equal(th_count_tables(pt), pt->nr_tables);
}

static void expect_pa(const struct pt *pt, u64 ia, u64 pa, pt_attr_t attr)
{
	u64 got_pa = 0;
	pt_attr_t got_attr = 0;
	unsigned int level = 0;
	int ret = pt_lookup(pt, ia, &got_pa, &got_attr, &level);

	if (ret != 0)
		printf("# lookup %#llx: %d\n", (unsigned long long)ia, ret);
	assert_int_equal(ret, 0);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_attr, attr);
}

static void expect_hole(const struct pt *pt, u64 ia)
{
	assert_int_equal(pt_lookup(pt, ia, NULL, NULL, NULL), -ENOENT);
}

/* Leaf level a 1 GiB aligned map uses in this format. */
static unsigned int big_level(const struct fmt_case *fc)
{
	return fc->has_1g ? 1 : 2;
}

/* ---- geometry, init, destroy ----------------------------------------------------------------- */

static void t_init_destroy(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);

	assert_int_equal(pt->start_level, fc->start_level);
	assert_int_equal(pt->root_pages, fc->root_pages);
	assert_int_equal(pt->nr_tables, fc->root_pages);
	assert_true(IS_ALIGNED(pt->root, fc->root_pages * PAGE_SIZE));
	assert_int_equal(pool.nr_used, fc->root_pages);
	check_accounting(pt);
	expect_hole(pt, 0);
	pt_destroy(pt);
	assert_int_equal(pool.nr_used, 0);
	assert_int_equal(pool.nr_free, POOL_PAGES);

	/* ia_bits outside the format's range and unknown formats are refused. */
	assert_int_equal(th_pt_init(&tpt, fc->fmt, 31, &pool), -EINVAL);
	assert_int_equal(th_pt_init(&tpt, fc->fmt, 49, &pool), -EINVAL);
	assert_int_equal(th_pt_init(&tpt, PT_FMT_NR, 40, &pool), -EINVAL);
	assert_int_equal(pool.nr_used, 0);
}

static void t_s2_geometry(void **state)
{
	static const struct {
		unsigned int bits, level, pages;
	} g[] = {
		{ 32, 1, 1 },  { 39, 1, 1 }, { 40, 1, 2 }, { 42, 1, 8 },
		{ 43, 1, 16 }, { 44, 0, 1 }, { 48, 0, 1 },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(g); i++) {
		th_reset();
		th_pool_fill(&pool, 64);
		assert_int_equal(th_pt_init(&tpt, PT_FMT_ARM64_S2, g[i].bits, &pool), 0);
		assert_int_equal(tpt.pt.start_level, g[i].level);
		assert_int_equal(tpt.pt.root_pages, g[i].pages);
		/* Concatenated roots are contiguous and aligned to their total size. */
		assert_true(IS_ALIGNED(tpt.pt.root, g[i].pages * PAGE_SIZE));
		assert_int_equal(pool.nr_used, g[i].pages);
		/* The last IPA translates through the last concatenated page. */
		assert_int_equal(pt_map(&tpt.pt, BIT(g[i].bits) - PAGE_SIZE, PAGE_SIZE, PA_BASE,
					PT_RW, NULL),
				 0);
		expect_pa(&tpt.pt, BIT(g[i].bits) - PAGE_SIZE, PA_BASE, PT_RW);
		pt_destroy(&tpt.pt);
		assert_int_equal(pool.nr_used, 0);
	}
	/* Not enough contiguous aligned pages for a 16-page root: -ENOMEM, nothing taken. */
	th_reset();
	pt_pool_init(&pool);
	pt_pool_add(&pool, fake_alloc_pages(8, 16 * PAGE_SIZE), 8);
	pt_pool_add(&pool, fake_alloc_pages(8, 16 * PAGE_SIZE), 8);
	assert_int_equal(th_pt_init(&tpt, PT_FMT_ARM64_S2, 43, &pool), -ENOMEM);
	assert_int_equal(pool.nr_free, 16);
}

/* ---- map / lookup / unmap ------------------------------------------------------------------------ */

static void t_map_1g_block(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	unsigned int lvl = big_level(fc), level;
	u64 ia = SZ_1G, pa = PA_BASE + 5 * SZ_1G;
	s64 cost = pt_map_cost(pt, ia, SZ_1G, pa, fc->rw);

	assert_int_equal(cost, lvl - fc->start_level);
	assert_int_equal(pt_map(pt, ia, SZ_1G, pa, fc->rw, NULL), 0);
	assert_int_equal(pt->nr_tables, fc->root_pages + (u64)cost);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, lvl), fc->has_1g ? 1 : 512);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), 0);
	expect_pa(pt, ia, pa, fc->rw);
	expect_pa(pt, ia + 0x12345678, pa + 0x12345678, fc->rw);
	expect_pa(pt, ia + SZ_1G - 1, pa + SZ_1G - 1, fc->rw);
	assert_int_equal(pt_lookup(pt, ia, NULL, NULL, &level), 0);
	assert_int_equal(level, lvl);
	expect_hole(pt, ia - PAGE_SIZE);
	expect_hole(pt, ia + SZ_1G);
	check_accounting(pt);

	/* Unmap all: the tables go back to the pool. */
	assert_int_equal(pt_unmap_cost(pt, ia, SZ_1G), 0);
	assert_int_equal(pt_unmap(pt, ia, SZ_1G, NULL), 0);
	expect_hole(pt, ia);
	assert_int_equal(pt->nr_tables, fc->root_pages);
	check_accounting(pt);
}

/* [1G - 2M - 4K, 2G + 2M + 4K): 4K + 2M + 1G + 2M + 4K. */
static void t_map_mixed(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = SZ_1G - SZ_2M - PAGE_SIZE, size = SZ_1G + 2 * SZ_2M + 2 * PAGE_SIZE;
	u64 pa = PA_BASE + ia, expect_tables;
	s64 cost = pt_map_cost(pt, ia, size, pa, fc->rw);
	struct pt_gather g;

	/* Two L3 and two L2 tables, an L1 table below a level-0 root, an L2 table without 1G. */
	expect_tables = 4 + (fc->start_level == 0) + !fc->has_1g;
	assert_int_equal(cost, expect_tables);
	pt_gather_init(&g);
	assert_int_equal(pt_map(pt, ia, size, pa, fc->rw, &g), 0);
	assert_int_equal(g.nr, 0); /* nothing was valid before: nothing to invalidate */
	assert_false(g.all);
	assert_int_equal(pt->nr_tables, fc->root_pages + expect_tables);
	assert_int_equal(th_count_leaves(pt, 0, 4 * SZ_1G, 3), 2);
	assert_int_equal(th_count_leaves(pt, 0, 4 * SZ_1G, 2), fc->has_1g ? 2 : 514);
	assert_int_equal(th_count_leaves(pt, 0, 4 * SZ_1G, 1), fc->has_1g ? 1 : 0);
	expect_pa(pt, ia, pa, fc->rw);
	expect_pa(pt, SZ_1G + 0x1000, PA_BASE + SZ_1G + 0x1000, fc->rw);
	expect_pa(pt, ia + size - PAGE_SIZE, pa + size - PAGE_SIZE, fc->rw);
	expect_hole(pt, ia - PAGE_SIZE);
	expect_hole(pt, ia + size);
	check_accounting(pt);

	/* An unaligned output address forces 4K pages everywhere. */
	assert_int_equal(pt_map(pt, ia, size, pa + PAGE_SIZE, fc->ro, NULL), 0);
	assert_int_equal(th_count_leaves(pt, 0, 4 * SZ_1G, 3), size / PAGE_SIZE);
	expect_pa(pt, SZ_1G + SZ_2M, pa + PAGE_SIZE + (SZ_1G + SZ_2M - ia), fc->ro);
	check_accounting(pt);
	/* Back to the aligned output: everything merges to the first layout. */
	assert_int_equal(pt_map(pt, ia, size, pa, fc->rw, NULL), 0);
	assert_int_equal(pt->nr_tables, fc->root_pages + expect_tables);
	assert_int_equal(th_count_leaves(pt, 0, 4 * SZ_1G, 3), 2);
	check_accounting(pt);

	pt_gather_init(&g);
	assert_int_equal(pt_unmap(pt, ia, size, &g), 0);
	assert_int_equal(g.nr, 1); /* one range for one contiguous unmap */
	assert_int_equal(g.r[0].ia, ia);
	assert_int_equal(g.r[0].size, size);
	assert_int_equal(pt->nr_tables, fc->root_pages);
	check_accounting(pt);
}

/*
 * The key case: one 4K page in the middle of a 1 GiB block changes. Exactly two
 * new tables (1G -> 2M -> 4K), the neighbours keep their translation; undoing
 * the change merges back into one block and returns both pages.
 */
static void middle_page(const struct fmt_case *fc, bool by_attr, bool bbm_free)
{
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = 2 * SZ_1G, pa = PA_BASE + 7 * SZ_1G;
	u64 mid = ia + 300 * SZ_2M + 77 * PAGE_SIZE, mid_pa = pa + (mid - ia);
	u64 tables, free_before, splits = fc->has_1g ? 2 : 1;
	struct pt_gather g;
	s64 cost;

	pt->bbm_free = bbm_free;
	assert_int_equal(pt_map(pt, ia, SZ_1G, pa, fc->rw, NULL), 0);
	tables = pt->nr_tables;
	free_before = pool.nr_free;
	tpt.flushes = tpt.flush_saw_valid = 0;

	cost = by_attr ? pt_set_attr_cost(pt, mid, PAGE_SIZE, fc->ro) :
			 pt_unmap_cost(pt, mid, PAGE_SIZE);
	assert_int_equal(cost, splits);
	pt_gather_init(&g);
	if (by_attr)
		assert_int_equal(pt_set_attr(pt, mid, PAGE_SIZE, fc->ro, &g), 0);
	else
		assert_int_equal(pt_unmap(pt, mid, PAGE_SIZE, &g), 0);
	assert_int_equal(pt->nr_tables, tables + splits);
	assert_int_equal(pool.nr_free, free_before - splits);
	/* Break-before-make: one synchronous invalidation per live block split. */
	assert_int_equal(tpt.flushes, fc->bbm && !bbm_free ? splits : 0);
	assert_int_equal(tpt.flush_saw_valid, 0); /* each ran with the entry invalid */
	/*
	 * Only the changed page needs invalidating. TTL hint: level 3 if the split
	 * blocks were flushed by breaks, else unknown (a TLB may still hold them).
	 */
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].ia, mid);
	assert_int_equal(g.r[0].size, PAGE_SIZE);
	assert_int_equal(g.r[0].level, fc->bbm && !bbm_free ? 3 : 0);
	if (by_attr)
		expect_pa(pt, mid, mid_pa, fc->ro);
	else
		expect_hole(pt, mid);
	expect_pa(pt, mid - PAGE_SIZE, mid_pa - PAGE_SIZE, fc->rw);
	expect_pa(pt, mid + PAGE_SIZE, mid_pa + PAGE_SIZE, fc->rw);
	expect_pa(pt, ALIGN_DOWN(mid, SZ_2M) - PAGE_SIZE, ALIGN_DOWN(mid_pa, SZ_2M) - PAGE_SIZE,
		  fc->rw);
	expect_pa(pt, ia, pa, fc->rw);
	expect_pa(pt, ia + SZ_1G - PAGE_SIZE, pa + SZ_1G - PAGE_SIZE, fc->rw);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), by_attr ? 512 : 511);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 2), 511);
	check_accounting(pt);

	/* Undo: merges back to one block, both pages back in the pool. */
	tpt.flushes = tpt.flush_saw_valid = 0;
	assert_int_equal(pt_map_cost(pt, mid, PAGE_SIZE, mid_pa, fc->rw), 0);
	if (by_attr)
		assert_int_equal(pt_set_attr(pt, mid, PAGE_SIZE, fc->rw, NULL), 0);
	else
		assert_int_equal(pt_map(pt, mid, PAGE_SIZE, mid_pa, fc->rw, NULL), 0);
	assert_int_equal(pt->nr_tables, tables);
	assert_int_equal(pool.nr_free, free_before);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, big_level(fc)), fc->has_1g ? 1 : 512);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), 0);
	/* Merges: a break per merged table, or one flush before the pages are freed. */
	assert_int_equal(tpt.flushes, fc->bbm && !bbm_free ? splits : 1);
	/* A break flushes with the entry invalid; the freed-tables flush after the new block. */
	assert_int_equal(tpt.flush_saw_valid, fc->bbm && !bbm_free ? 0 : 1);
	expect_pa(pt, mid, mid_pa, fc->rw);
	check_accounting(pt);
}

static void t_unmap_middle(void **state)
{
	middle_page(fc_of(state), false, false);
}

static void t_set_attr_middle(void **state)
{
	middle_page(fc_of(state), true, false);
}

static void t_unmap_middle_bbm_free(void **state)
{
	middle_page(fc_of(state), false, true);
}

static void t_remap_live_block(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	struct pt_gather g;

	assert_int_equal(pt_map(pt, 0, SZ_2M, PA_BASE, fc->rw, NULL), 0);
	/* Same output, new permissions: no break needed, one gathered range at level 2. */
	tpt.flushes = tpt.flush_saw_valid = 0;
	pt_gather_init(&g);
	assert_int_equal(pt_map(pt, 0, SZ_2M, PA_BASE, fc->ro, &g), 0);
	assert_int_equal(tpt.flushes, 0);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].level, 2);
	/* New output address: Arm needs break-before-make (a synchronous flush). */
	pt_gather_init(&g);
	assert_int_equal(pt_map(pt, 0, SZ_2M, PA_BASE + SZ_2M, fc->ro, &g), 0);
	assert_int_equal(tpt.flushes, fc->bbm ? 1 : 0);
	assert_int_equal(tpt.flush_saw_valid, 0);
	assert_int_equal(g.nr, fc->bbm ? 0 : 1);
	expect_pa(pt, 0x1000, PA_BASE + SZ_2M + 0x1000, fc->ro);
	/* Identical map: nothing to do, nothing gathered. */
	pt_gather_init(&g);
	assert_int_equal(pt_map(pt, 0, SZ_2M, PA_BASE + SZ_2M, fc->ro, &g), 0);
	assert_int_equal(g.nr, 0);
	/* Identical map of one page inside the block: no split, no pages. */
	assert_int_equal(pt_map_cost(pt, 0x5000, PAGE_SIZE, PA_BASE + SZ_2M + 0x5000, fc->ro), 0);
	check_accounting(pt);
}

/* A live block re-mapped to an output that needs smaller leaves: one break, not one per leaf. */
static void t_remap_block_unaligned(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	unsigned int lvl = big_level(fc);
	u64 ia = SZ_1G, pa = PA_BASE + PAGE_SIZE, tables;
	struct pt_gather g;

	assert_int_equal(pt_map(pt, ia, SZ_1G, PA_BASE, fc->rw, NULL), 0);
	tables = pt->nr_tables;
	/* 1G -> 512 level-2 tables of 4K pages (+1 level-2 table with 1G leaves). */
	assert_int_equal(pt_map_cost(pt, ia, SZ_1G, pa, fc->rw), 512 + (lvl == 1));
	tpt.flushes = tpt.flush_saw_valid = 0;
	pt_gather_init(&g);
	assert_int_equal(pt_map(pt, ia, SZ_1G, pa, fc->rw, &g), 0);
	assert_int_equal(pt->nr_tables, tables + 512 + (lvl == 1));
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), SZ_1G / PAGE_SIZE);
	if (fc->bbm) {
		/* One break for the old 1 GiB block. */
		assert_int_equal(tpt.flushes, 1);
		assert_int_equal(tpt.flush_saw_valid, 0);
		assert_int_equal(g.nr, 0);
	} else {
		assert_int_equal(tpt.flushes, 0);
		assert_int_equal(g.nr, 1);
		assert_int_equal(g.r[0].ia, ia);
		assert_int_equal(g.r[0].size, SZ_1G);
	}
	expect_pa(pt, ia, pa, fc->rw);
	expect_pa(pt, ia + SZ_1G - PAGE_SIZE, pa + SZ_1G - PAGE_SIZE, fc->rw);
	/* And back: everything merges into the original blocks. */
	assert_int_equal(pt_map(pt, ia, SZ_1G, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt->nr_tables, tables);
	check_accounting(pt);
}

/* pt_init's root allocation fails cleanly, also on the injected failure. */
static void t_init_enomem(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct th_pt t;

	th_reset();
	th_pool_fill(&pool, 64);
	pool.fail_after = 1;
	assert_int_equal(th_pt_init(&t, fc->fmt, fc->ia_bits, &pool), -ENOMEM);
	assert_int_equal(pool.fail_after, 0);
	assert_int_equal(pool.nr_free, 64);
	assert_int_equal(pt_pool_reserve(&pool, 64 - fc->root_pages + 1), 0);
	assert_int_equal(th_pt_init(&t, fc->fmt, fc->ia_bits, &pool), -ENOMEM);
	assert_int_equal(pool.nr_free, 64);
	pt_pool_unreserve(&pool, 1);
	assert_int_equal(th_pt_init(&t, fc->fmt, fc->ia_bits, &pool), 0);
	assert_int_equal(pool.nr_used, fc->root_pages);
	pt_destroy(&t.pt);
}

/* ---- split / merge ------------------------------------------------------------------------------ */

static void t_split_merge(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = SZ_1G, pa = PA_BASE, tables;
	unsigned int lvl = big_level(fc);

	assert_int_equal(pt_map(pt, ia, SZ_1G, pa, fc->rw, NULL), 0);
	tables = pt->nr_tables;
	assert_int_equal(pt_split_cost(pt, ia + SZ_2M, 3), 3 - lvl);
	assert_int_equal(pt_split(pt, ia + SZ_2M, 3, NULL), 0);
	assert_int_equal(pt->nr_tables, tables + 3 - lvl);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), 512);
	expect_pa(pt, ia + SZ_2M + 0x3000, pa + SZ_2M + 0x3000, fc->rw);
	/* Splitting again is free: already at level 3. */
	assert_int_equal(pt_split_cost(pt, ia + SZ_2M, 3), 0);
	/* Bad levels. */
	assert_int_equal(pt_split(pt, ia, pt->start_level, NULL), -EINVAL);
	assert_int_equal(pt_split(pt, ia, 4, NULL), -EINVAL);
	assert_int_equal(pt_merge(pt, ia, SZ_1G, NULL), 0);
	assert_int_equal(pt->nr_tables, tables);
	assert_int_equal(th_count_leaves(pt, ia, SZ_1G, 3), 0);
	check_accounting(pt);
}

/*
 * The merge check decides from the entries nearest the change first (issue 16): a table
 * is merged only when every one of its 512 entries continues the same block, aligned.
 */
static void t_merge_exact(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = SZ_1G, pa = PA_BASE, tables, i;

	assert_true(pt->leaf_linear); /* every format of the tree: raw compares apply */
	/* Contiguous output one page off alignment: 512 leaves, never a block. */
	assert_int_equal(pt_map(pt, ia, SZ_2M, pa + PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 512);
	assert_int_equal(pt_unmap(pt, ia, SZ_2M, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 0);
	tables = pt->nr_tables;
	/* Page by page, one far entry (300) with other attributes: no merge on the way. */
	for (i = 0; i < 512; i++)
		assert_int_equal(pt_map(pt, ia + i * PAGE_SIZE, PAGE_SIZE, pa + i * PAGE_SIZE,
					i == 300 ? fc->ro : fc->rw, NULL),
				 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 512);
	/* Page 0 again, identical: its neighbours match, the far entry does not. */
	assert_int_equal(pt_set_attr(pt, ia, PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 512);
	/* One far entry unmapped instead: still no merge (neither invalid nor a block). */
	assert_int_equal(pt_unmap(pt, ia + 300 * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(pt_set_attr(pt, ia + 5 * PAGE_SIZE, PAGE_SIZE, fc->ro, NULL), 0);
	assert_int_equal(pt_set_attr(pt, ia + 5 * PAGE_SIZE, PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 511);
	/* The far entry back as the block continues: the table merges into one 2 MiB leaf. */
	assert_int_equal(
		pt_map(pt, ia + 300 * PAGE_SIZE, PAGE_SIZE, pa + 300 * PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 2), 1);
	expect_pa(pt, ia + 0x5000, pa + 0x5000, fc->rw);
	/* Unmapped page by page from the top: merges into nothing once the last goes. */
	for (i = 512; i-- > 1;)
		assert_int_equal(pt_unmap(pt, ia + i * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 1);
	assert_int_equal(pt_unmap(pt, ia, PAGE_SIZE, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 0);
	expect_hole(pt, ia);
	assert_true(pt->nr_tables <= tables);
	check_accounting(pt);
}

/*
 * The CPU sets Accessed and Dirty in the nested table it walks for the host (AMD APM 15.25.5,
 * 5.4.1). After a split the host touches its pages; converting the page back must still merge
 * the table into its 2 MiB block: the walker's writes may not make entries differ from what
 * the format encodes (the svm-dma suite found the host's view staying split).
 */
static void t_npt_walker_ad_merge(void **state)
{
	const struct fmt_case *fc = &fmt_cases[0];
	struct pt *pt;
	u64 ia = SZ_1G, pa = PA_BASE, i, *slot;
	unsigned int lvl;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fmt_cases); i++)
		if (fmt_cases[i].fmt == PT_FMT_X86_NPT)
			fc = &fmt_cases[i];
	assert_int_equal(fc->fmt, PT_FMT_X86_NPT);
	pt = setup_pt(fc, POOL_PAGES);
	assert_int_equal(pt_map(pt, ia, SZ_2M, pa, PT_RWX, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 2), 1);
	assert_int_equal(pt_unmap(pt, ia + 7 * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 511);
	/* The hardware walker marks every leaf accessed and dirty. */
	for (i = 0; i < 512; i++) {
		slot = ptdec_leaf_slot(pt, ia + i * PAGE_SIZE, &lvl);
		if (slot && lvl == 3)
			*slot |= BIT(5) | BIT(6);
	}
	assert_int_equal(
		pt_map(pt, ia + 7 * PAGE_SIZE, PAGE_SIZE, pa + 7 * PAGE_SIZE, PT_RWX, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 2), 1);
	expect_pa(pt, ia + 0x9000, pa + 0x9000, PT_RWX);
	check_accounting(pt);
}

/*
 * The walk cache never outlives its table: a last-level table merged away, its page
 * reused for another region's table, and the old region walked again.
 */
static void t_walk_cache(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = SZ_1G, pa = PA_BASE;

	assert_int_equal(pt_map(pt, ia, SZ_2M, pa, fc->rw, NULL), 0);
	assert_int_equal(pt_unmap(pt, ia + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	expect_hole(pt, ia + PAGE_SIZE); /* walks through the last-level table: cached */
	expect_pa(pt, ia, pa, fc->rw);
	/* Merged back: the table goes to the pool... */
	assert_int_equal(pt_map(pt, ia + PAGE_SIZE, PAGE_SIZE, pa + PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, SZ_2M, 3), 0);
	/* ...and serves another 2 MiB, with different contents. */
	assert_int_equal(pt_map(pt, ia + SZ_2M, SZ_2M, pa + SZ_2M, fc->ro, NULL), 0);
	assert_int_equal(pt_unmap(pt, ia + SZ_2M + 7 * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	/* The first region reads as its block, not through the reused page. */
	expect_pa(pt, ia + PAGE_SIZE, pa + PAGE_SIZE, fc->rw);
	expect_pa(pt, ia + 7 * PAGE_SIZE, pa + 7 * PAGE_SIZE, fc->rw);
	assert_int_equal(pt_set_attr(pt, ia + 7 * PAGE_SIZE, PAGE_SIZE, fc->ro, NULL), 0);
	expect_pa(pt, ia + 7 * PAGE_SIZE, pa + 7 * PAGE_SIZE, fc->ro);
	expect_pa(pt, ia + 8 * PAGE_SIZE, pa + 8 * PAGE_SIZE, fc->rw);
	expect_hole(pt, ia + SZ_2M + 7 * PAGE_SIZE);
	expect_pa(pt, ia + SZ_2M + 8 * PAGE_SIZE, pa + SZ_2M + 8 * PAGE_SIZE, fc->ro);
	check_accounting(pt);
}

/* ---- all-or-nothing ----------------------------------------------------------------------------- */

enum op_kind { OP_MAP, OP_UNMAP, OP_SET_ATTR, OP_SPLIT };

struct op {
	enum op_kind kind;
	u64 ia, size, pa;
	pt_attr_t attr;
};

static s64 op_cost(const struct pt *pt, const struct op *o)
{
	switch (o->kind) {
	case OP_MAP:
		return pt_map_cost(pt, o->ia, o->size, o->pa, o->attr);
	case OP_UNMAP:
		return pt_unmap_cost(pt, o->ia, o->size);
	case OP_SET_ATTR:
		return pt_set_attr_cost(pt, o->ia, o->size, o->attr);
	case OP_SPLIT:
	default:
		return pt_split_cost(pt, o->ia, 3);
	}
}

static int op_run(struct pt *pt, const struct op *o, struct pt_gather *g)
{
	switch (o->kind) {
	case OP_MAP:
		return pt_map(pt, o->ia, o->size, o->pa, o->attr, g);
	case OP_UNMAP:
		return pt_unmap(pt, o->ia, o->size, g);
	case OP_SET_ATTR:
		return pt_set_attr(pt, o->ia, o->size, o->attr, g);
	case OP_SPLIT:
	default:
		return pt_split(pt, o->ia, 3, g);
	}
}

/* Fail every allocation point of @o in turn, then with one page short, then run it. */
static void enomem_every_point(struct pt *pt, const struct op *o, s64 expect_cost)
{
	struct th_snap before, after;
	s64 cost = op_cost(pt, o);
	u64 k, *taken, n;

	assert_int_equal(cost, expect_cost);
	th_snap_take(&before, pt);
	for (k = 1; k <= (u64)cost; k++) {
		pool.fail_after = k;
		assert_int_equal(op_run(pt, o, NULL), -ENOMEM);
		assert_int_equal(pool.fail_after, 0); /* the hook fired */
		th_snap_take(&after, pt);
		assert_int_equal(th_snap_cmp(&before, &after), 0);
		th_snap_free(&after);
	}
	/* One page short of the cost: -ENOMEM; exactly the cost: success. */
	taken = calloc(pool.nr_free, sizeof(*taken));
	assert_non_null(taken);
	n = pt_pool_take(&pool, taken, pool.nr_free - (u64)cost + 1);
	if (cost > 0) {
		assert_int_equal(op_run(pt, o, NULL), -ENOMEM);
		th_snap_take(&after, pt);
		after.pool.nr_total += n; /* the taken pages left the pool */
		after.pool.nr_free += n;
		assert_int_equal(th_snap_cmp(&before, &after), 0);
		th_snap_free(&after);
	}
	pt_pool_add(&pool, taken[--n], 1);
	assert_int_equal(pool.nr_free, (u64)cost);
	assert_int_equal(op_run(pt, o, NULL), 0);
	while (n)
		pt_pool_add(&pool, taken[--n], 1);
	free(taken);
	th_snap_free(&before);
	check_accounting(pt);
}

static void t_enomem(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	unsigned int splits = fc->has_1g ? 2 : 1;
	u64 ia = SZ_1G - SZ_2M - PAGE_SIZE, size = SZ_1G + 2 * SZ_2M + 2 * PAGE_SIZE;
	struct op map_mixed = { OP_MAP, ia, size, PA_BASE + ia, fc->rw };
	struct op unmap_mid = { OP_UNMAP, SZ_1G + 5 * SZ_2M + PAGE_SIZE, PAGE_SIZE, 0, 0 };
	struct op attr_mid = { OP_SET_ATTR, SZ_1G + 9 * SZ_2M, 3 * PAGE_SIZE, 0, fc->ro };
	struct op split = { OP_SPLIT, SZ_1G + 100 * SZ_2M, PAGE_SIZE, 0, 0 };
	struct op unaligned = { OP_MAP, 4 * SZ_1G - SZ_2M, 2 * SZ_2M, PA_BASE + PAGE_SIZE, fc->ro };

	enomem_every_point(pt, &map_mixed, 4 + (fc->start_level == 0) + !fc->has_1g);
	enomem_every_point(pt, &unmap_mid, splits);
	/* The L2 table below [1G, 2G) now exists: one split of a 2M block. */
	enomem_every_point(pt, &attr_mid, 1);
	enomem_every_point(pt, &split, 1);
	/* 2M on each side of a 1 GiB boundary, unaligned output: 2 L2 + 2 L3 tables. */
	enomem_every_point(pt, &unaligned, 4);
}

/* ---- bad input ---------------------------------------------------------------------------------- */

static void t_bad_input(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 top = BIT(fc->ia_bits);
	struct th_snap before, after;
	struct pt_gather g;

	assert_int_equal(pt_map(pt, SZ_1G, SZ_1G, PA_BASE, fc->rw, NULL), 0);
	th_snap_take(&before, pt);
	pt_gather_init(&g);

	/* Alignment, zero size, wrap. */
	assert_int_equal(pt_map(pt, 0x800, PAGE_SIZE, PA_BASE, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_map(pt, 0, 0x1800, PA_BASE, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_map(pt, 0, PAGE_SIZE, PA_BASE + 8, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_map(pt, 0, 0, PA_BASE, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_map(pt, ~0xfffULL, 2 * PAGE_SIZE, PA_BASE, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_map(pt, 0, 2 * PAGE_SIZE, ~0xfffULL, fc->rw, &g), -EINVAL);
	assert_int_equal(pt_unmap(pt, SZ_1G + 1, PAGE_SIZE, &g), -EINVAL);
	assert_int_equal(pt_unmap(pt, SZ_1G, 0, &g), -EINVAL);
	assert_int_equal(pt_unmap(pt, ~0xfffULL, 2 * PAGE_SIZE, &g), -EINVAL);
	assert_int_equal(pt_set_attr(pt, SZ_1G, 0x10, fc->ro, &g), -EINVAL);
	assert_int_equal(pt_set_attr(pt, SZ_1G, 0, fc->ro, &g), -EINVAL);
	assert_int_equal(pt_merge(pt, SZ_1G, 0, &g), -EINVAL);
	assert_int_equal(pt_map_cost(pt, 0x800, PAGE_SIZE, PA_BASE, fc->rw), -EINVAL);
	assert_int_equal(pt_unmap_cost(pt, 0, 0), -EINVAL);
	assert_int_equal(pt_set_attr_cost(pt, ~0xfffULL, 2 * PAGE_SIZE, fc->rw), -EINVAL);
	/* Beyond ia_bits (and the output-address size). */
	assert_int_equal(pt_map(pt, top - PAGE_SIZE, 2 * PAGE_SIZE, PA_BASE, fc->rw, &g), -ERANGE);
	assert_int_equal(pt_map(pt, top, PAGE_SIZE, PA_BASE, fc->rw, &g), -ERANGE);
	assert_int_equal(pt_map(pt, 0, PAGE_SIZE, BIT(52), fc->rw, &g), -ERANGE);
	assert_int_equal(pt_unmap(pt, top - PAGE_SIZE, 2 * PAGE_SIZE, &g), -ERANGE);
	assert_int_equal(pt_set_attr(pt, top, SZ_1G, fc->rw, &g), -ERANGE);
	assert_int_equal(pt_split(pt, top, 3, &g), -ERANGE);
	assert_int_equal(pt_lookup(pt, top, NULL, NULL, NULL), -ERANGE);
	assert_int_equal(pt_map_cost(pt, top, PAGE_SIZE, PA_BASE, fc->rw), -ERANGE);
	/* Unknown attribute bits; attributes the format cannot express. */
	assert_int_equal(pt_map(pt, 0, PAGE_SIZE, PA_BASE, BIT(7), &g), -EINVAL);
	assert_int_equal(pt_set_attr(pt, SZ_1G, PAGE_SIZE, BIT(4) | PT_R, &g), -EINVAL);
	if (fc->fmt != PT_FMT_ARM64_S2) /* no permission at all: only stage 2 has it */
		assert_int_equal(pt_map(pt, 0, PAGE_SIZE, PA_BASE, 0, &g), -EINVAL);
	if (fc->fmt == PT_FMT_ARM64_S1 || fc->fmt == PT_FMT_X86_EPT || fc->fmt == PT_FMT_X86_NPT)
		assert_int_equal(pt_map(pt, 0, PAGE_SIZE, PA_BASE, PT_W, &g), -EINVAL);

	assert_int_equal(g.nr, 0);
	th_snap_take(&after, pt);
	assert_int_equal(th_snap_cmp(&before, &after), 0);
	th_snap_free(&before);
	th_snap_free(&after);
}

static void t_attr_norm(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	unsigned int i;

	for (i = 0; i < fc->nr_attrs; i++) {
		u64 ia = (u64)i * SZ_2M;

		assert_int_equal(pt_map(pt, ia, PAGE_SIZE, PA_BASE + ia, fc->attrs[i], NULL), 0);
		expect_pa(pt, ia, PA_BASE + ia, fc->attrs[i]);
	}
	/* VT-d drops execute (DMA has none). */
	if (fc->fmt == PT_FMT_VTD_SL) {
		assert_int_equal(pt_map(pt, SZ_1G, PAGE_SIZE, PA_BASE, PT_RWX, NULL), 0);
		expect_pa(pt, SZ_1G, PA_BASE, PT_RW);
	}
}

/* ---- gather ------------------------------------------------------------------------------------- */

static void t_gather_unit(void **state)
{
	struct pt_gather g;
	unsigned int i;

	(void)state;
	pt_gather_init(&g);
	pt_gather_add(&g, 0x10000, 0x1000, 3);
	pt_gather_add(&g, 0x11000, 0x1000, 3);
	pt_gather_add(&g, 0xf000, 0x1000, 3);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].ia, 0xf000);
	assert_int_equal(g.r[0].size, 0x3000);
	assert_int_equal(g.r[0].level, 3);
	pt_gather_add(&g, 0x12000, SZ_2M, 2); /* adjacent, other level: mixed */
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].level, 0);
	pt_gather_add(NULL, 0, PAGE_SIZE, 3); /* NULL gather is allowed */
	/*
	 * A range that grows swallows the others it then reaches: [0xf000, +2 MiB + 0x3000) and
	 * three more, two of them apart from it; one range bridging all leaves one range.
	 */
	pt_gather_add(&g, 0x400000, PAGE_SIZE, 3);
	pt_gather_add(&g, 0x600000, PAGE_SIZE, 3);
	pt_gather_add(&g, 0x800000, PAGE_SIZE, 3);
	assert_int_equal(g.nr, 4);
	pt_gather_add(&g, 0x401000, 0x1ff000, 3); /* touches 0x400000's and 0x600000's */
	assert_int_equal(g.nr, 3);
	pt_gather_add(&g, 0x212000, 0x5ee000, 3); /* from the first range's end to 0x800000 */
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].ia, 0xf000);
	assert_int_equal(g.r[0].size, 0x801000 - 0xf000);
	assert_int_equal(g.r[0].level, 0);
	for (i = 1; i < PT_GATHER_MAX; i++)
		pt_gather_add(&g, SZ_1G * i, PAGE_SIZE, 3);
	assert_int_equal(g.nr, PT_GATHER_MAX);
	assert_false(g.all);
	pt_gather_add(&g, SZ_1G * 100, PAGE_SIZE, 3);
	assert_true(g.all);
}

static void t_gather_pages(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	u64 ia = SZ_1G + SZ_2M, size = 8 * SZ_2M;
	struct pt_gather g;

	/* Output off by one page: 4096 separate 4K leaves. */
	assert_int_equal(pt_map(pt, ia, size, PA_BASE + PAGE_SIZE, fc->rw, NULL), 0);
	assert_int_equal(th_count_leaves(pt, ia, size, 3), size / PAGE_SIZE);
	pt_gather_init(&g);
	assert_int_equal(pt_set_attr(pt, ia, size, fc->ro, &g), 0);
	assert_int_equal(g.nr, 1);
	assert_false(g.all);
	assert_int_equal(g.r[0].ia, ia);
	assert_int_equal(g.r[0].size, size);
	assert_int_equal(g.r[0].level, 3);
	pt_gather_init(&g);
	assert_int_equal(pt_unmap(pt, ia, size, &g), 0);
	assert_int_equal(g.nr, 1);
	assert_int_equal(g.r[0].size, size);
	assert_int_equal(pt->nr_tables, fc->root_pages);
	check_accounting(pt);
}

/* ---- descriptors at the wrong level -------------------------------------------------------------- */

static void t_wrong_level(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	const struct pt_fmt *f = pt_fmt_get(fc->fmt);
	u64 blk2m = f->mk_leaf(2, PA_BASE + SZ_2M, fc->rw);
	u64 blk1g = fc->has_1g ? f->mk_leaf(1, PA_BASE, fc->rw) : 0;
	u64 page = f->mk_leaf(3, PA_BASE + PAGE_SIZE, fc->rw);
	u64 table = f->mk_table(PA_BASE + PAGE_SIZE);

	(void)state;
	assert_int_equal(pt_desc_type(f, 0, 0), PT_DESC_INVALID);
	assert_int_equal(pt_desc_type(f, 0, 3), PT_DESC_INVALID);
	assert_int_equal(pt_desc_type(f, blk2m, 2), PT_DESC_LEAF);
	assert_int_equal(f->addr(blk2m), PA_BASE + SZ_2M);
	assert_int_equal(f->attr(blk2m), fc->rw);
	/* A 2M block read as a 1G block: output not 1G aligned (and no 1G in VT-d). */
	assert_int_equal(pt_desc_type(f, blk2m, 1), PT_DESC_BAD);
	/* No leaf at level 0 in any format. */
	assert_int_equal(pt_desc_type(f, blk2m, 0), PT_DESC_BAD);
	assert_int_equal(pt_desc_type(f, f->mk_leaf(2, PA_BASE, fc->rw), 0), PT_DESC_BAD);
	assert_int_equal(pt_desc_type(f, page, 3), PT_DESC_LEAF);
	assert_int_equal(pt_desc_type(f, table, 3), PT_DESC_LEAF); /* level 3 holds no tables */
	assert_int_equal(pt_desc_type(f, table, 0), PT_DESC_TABLE);
	assert_int_equal(pt_desc_type(f, table, 2), PT_DESC_TABLE);
	if (fc->has_1g) {
		assert_int_equal(pt_desc_type(f, blk1g, 1), PT_DESC_LEAF);
		assert_int_equal(pt_desc_type(f, blk1g, 0), PT_DESC_BAD);
	} else {
		/* VT-d: 1 GiB super-pages are not assumed. */
		assert_int_equal(pt_desc_type(f, f->mk_leaf(2, PA_BASE, fc->rw), 1), PT_DESC_BAD);
	}
	if (fc->bbm) {
		/* Arm: a page descriptor read at level 2 is a table; 0b01 at level 3 reserved. */
		assert_int_equal(pt_desc_type(f, page, 2), PT_DESC_TABLE);
		assert_int_equal(pt_desc_type(f, blk2m, 3), PT_DESC_BAD);
	}
}

/* A corrupt descriptor in a live table makes the walker panic (abort), not translate. */
static void t_walker_panics(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, POOL_PAGES);
	const struct pt_fmt *f = pt_fmt_get(fc->fmt);
	u64 *root = plat_phys_to_virt(pt->root);
	int status;
	pid_t pid;

	/* A 2M block written at the root level (level 0 or 1: bad output alignment). */
	root[1] = f->mk_leaf(2, PA_BASE + SZ_2M, fc->rw);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		pt_lookup(pt, pt_level_size(pt->start_level), NULL, NULL, NULL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	root[1] = 0;
}

/* The fake platform refuses PAs outside simulated memory (abort), and counts cleans. */
static void t_fake_platform(void **state)
{
	int status;
	pid_t pid;
	u64 pa;

	(void)state;
	th_reset();
	pa = fake_alloc_pages(2, SZ_2M);
	assert_true(IS_ALIGNED(pa, SZ_2M));
	assert_true(fake_pa_valid(pa, 2 * PAGE_SIZE));
	assert_false(fake_pa_valid(FAKE_MEM_BASE - PAGE_SIZE, PAGE_SIZE));
	assert_false(fake_pa_valid(FAKE_MEM_BASE + FAKE_MEM_SIZE - PAGE_SIZE, 2 * PAGE_SIZE));
	assert_int_equal(plat_virt_to_phys(plat_phys_to_virt(pa + 0x123)), pa + 0x123);
	plat_dcache_clean(plat_phys_to_virt(pa), 64);
	assert_int_equal(fake_dcache_clean_calls(), 1);
	assert_int_equal(fake_dcache_clean_bytes(), 64);
	th_reset();
	assert_int_equal(fake_dcache_clean_calls(), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 2);
		plat_phys_to_virt(FAKE_MEM_BASE + FAKE_MEM_SIZE);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* ---- property test against a reference model ---------------------------------------------------- */

/*
 * The model: one entry per 4 KiB page of a 2 GiB window at IA 0. Random map /
 * unmap / set_attr sequences, biased to 4K / 2M / 1G boundaries and sizes, are
 * applied to the table and to the model; after each one the table is walked and
 * compared page by page, the pool accounting is checked, no mergeable table may
 * remain, and every few steps the operation runs with exactly its cost in the
 * pool (it must succeed) or with an injected allocation failure (nothing changes).
 */
#define MODEL_SIZE  (2 * SZ_1G)
#define MODEL_PAGES (MODEL_SIZE / PAGE_SIZE)

struct model_page {
	u64 pa;
	pt_attr_t attr;
	bool valid;
};

static struct model_page *model;
static u64 model_base; /* IA of model[0] */
static u64 rng_state;

static u64 rnd(u64 n)
{
	/* xorshift64*, fixed seed: failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545F4914F6CDD1DULL) >> 11) % n;
}

static void model_apply(const struct op *o)
{
	u64 i, first = (o->ia - model_base) / PAGE_SIZE, n = o->size / PAGE_SIZE;

	for (i = 0; i < n; i++) {
		struct model_page *m = &model[first + i];

		switch (o->kind) {
		case OP_MAP:
			m->valid = true;
			m->pa = o->pa + i * PAGE_SIZE;
			m->attr = o->attr;
			break;
		case OP_UNMAP:
			m->valid = false;
			break;
		case OP_SET_ATTR:
			if (m->valid)
				m->attr = o->attr;
			break;
		case OP_SPLIT:
		default:
			break;
		}
	}
}

static int model_cmp_leaf(const struct pt_leaf *leaf, void *arg)
{
	u64 i, first = (leaf->ia - model_base) / PAGE_SIZE;

	(void)arg;
	for (i = 0; i < leaf->size / PAGE_SIZE; i++) {
		const struct model_page *m = &model[first + i];

		if (m->valid != leaf->valid ||
		    (m->valid && (m->pa != leaf->pa + i * PAGE_SIZE || m->attr != leaf->attr))) {
			printf("# model mismatch at ia %#llx: model valid %d pa %#llx attr %x, "
			       "table valid %d pa %#llx attr %x level %u\n",
			       (unsigned long long)(leaf->ia + i * PAGE_SIZE), m->valid,
			       (unsigned long long)m->pa, m->attr, leaf->valid,
			       (unsigned long long)(leaf->pa + i * PAGE_SIZE), leaf->attr,
			       leaf->level);
			return 1;
		}
	}
	return 0;
}

/* A table that pt_try_merge() would have folded: must never survive an operation. */
static int mergeable_table(u64 table_pa, unsigned int level, void *arg)
{
	const struct pt *pt = arg;
	const struct pt_fmt *f = pt_fmt_get(pt->fmt);
	const u64 *t = plat_phys_to_virt(table_pa);
	u64 csize = pt_level_size(level);
	unsigned int i;
	enum pt_desc_type t0;

	if (level == pt->start_level)
		return 0;
	t0 = pt_desc_type(f, t[0], level);
	if (t0 == PT_DESC_INVALID) {
		for (i = 1; i < PT_ENTRIES; i++)
			if (pt_desc_type(f, t[i], level) != PT_DESC_INVALID)
				return 0;
	} else if (t0 == PT_DESC_LEAF) {
		if (!(f->leaf_levels & BIT(level - 1)) ||
		    !IS_ALIGNED(f->addr(t[0]), pt_level_size(level - 1)))
			return 0;
		for (i = 1; i < PT_ENTRIES; i++)
			if (t[i] != f->mk_leaf(level, f->addr(t[0]) + i * csize, f->attr(t[0])))
				return 0;
	} else {
		return 0;
	}
	printf("# table %#llx at level %u is uniform but was not merged\n",
	       (unsigned long long)table_pa, level);
	return 1;
}

static void random_op(const struct fmt_case *fc, struct op *o)
{
	static const u64 grans[] = { PAGE_SIZE, SZ_2M, SZ_1G };
	u64 gran = grans[rnd(100) < 40 ? 0 : rnd(100) < 60 ? 1 : 2];
	u64 start = rnd(MODEL_SIZE / gran) * gran, end;
	u64 r = rnd(100);

	end = start + gran * (1 + rnd(3));
	if (rnd(3) == 0 && start >= PAGE_SIZE * 4)
		start -= PAGE_SIZE * (1 + rnd(3));
	if (rnd(3) == 0)
		end += PAGE_SIZE * (1 + rnd(3));
	end = MIN(end, MODEL_SIZE);
	if (end <= start)
		end = start + PAGE_SIZE;
	o->ia = model_base + start;
	o->size = end - start;
	o->attr = fc->attrs[rnd(fc->nr_attrs)];
	o->pa = 0;
	if (r < 55) {
		o->kind = OP_MAP;
		switch (rnd(4)) {
		case 0: /* output offset by whole pages: 4K leaves */
			o->pa = PA_BASE + o->ia + PAGE_SIZE * (1 + rnd(4));
			break;
		case 1: /* another 1 GiB-aligned place */
			o->pa = PA_BASE + SZ_1G * rnd(8) + o->ia;
			break;
		default: /* identity-like: blocks wherever the range allows */
			o->pa = PA_BASE + o->ia;
			break;
		}
	} else if (r < 80) {
		o->kind = OP_UNMAP;
	} else {
		o->kind = OP_SET_ATTR;
	}
}

static void property(const struct fmt_case *fc, u64 base)
{
	struct pt *pt = setup_pt(fc, 2048);
	unsigned int step, steps = 200;
	struct op o;

	model = calloc(MODEL_PAGES, sizeof(*model));
	assert_non_null(model);
	model_base = base;
	/* PT_PROP_SEED / PT_PROP_STEPS: longer or other random runs by hand. */
	rng_state = 0x9e3779b97f4a7c15ULL ^ (u64)fc->fmt ^ base;
	if (getenv("PT_PROP_SEED"))
		rng_state ^= strtoull(getenv("PT_PROP_SEED"), NULL, 0) * 0x100000001b3ULL;
	if (getenv("PT_PROP_STEPS"))
		steps = (unsigned int)strtoul(getenv("PT_PROP_STEPS"), NULL, 0);
	for (step = 0; step < steps; step++) {
		s64 cost;
		u64 used = pool.nr_used;
		int ret;

		random_op(fc, &o);
		cost = op_cost(pt, &o);
		assert_true(cost >= 0);
		if (cost > 0 && step % 4 == 1) {
			/* Injected failure at a random allocation point: nothing changes. */
			pool.fail_after = 1 + rnd((u64)cost);
			assert_int_equal(op_run(pt, &o, NULL), -ENOMEM);
			assert_int_equal(pool.nr_used, used);
			if (step % 8 == 1)
				assert_int_equal(
					pt_walk(pt, base, MODEL_SIZE, model_cmp_leaf, NULL), 0);
		}
		if (step % 10 == 3) {
			/* Exactly the cost available: must succeed. */
			u64 *taken = calloc(pool.nr_free + 1, sizeof(*taken));
			u64 n;

			assert_non_null(taken);
			n = pt_pool_take(&pool, taken, pool.nr_free - (u64)cost);
			assert_int_equal(pool.nr_free, (u64)cost);
			ret = op_run(pt, &o, NULL);
			while (n)
				pt_pool_add(&pool, taken[--n], 1);
			free(taken);
		} else {
			ret = op_run(pt, &o, NULL);
		}
		if (ret)
			printf("# step %u: op %d ia %#llx size %#llx pa %#llx attr %x: %d\n", step,
			       o.kind, (unsigned long long)o.ia, (unsigned long long)o.size,
			       (unsigned long long)o.pa, o.attr, ret);
		assert_int_equal(ret, 0);
		model_apply(&o);
		ret = pt_walk(pt, base, MODEL_SIZE, model_cmp_leaf, NULL);
		if (ret)
			printf("# after step %u: op %d ia %#llx size %#llx pa %#llx attr %x\n",
			       step, o.kind, (unsigned long long)o.ia, (unsigned long long)o.size,
			       (unsigned long long)o.pa, o.attr);
		assert_int_equal(ret, 0);
		assert_int_equal(pt_for_each_table(pt, mergeable_table, pt), 0);
		check_accounting(pt);
	}
	/* Unmap everything: only the root remains. */
	assert_int_equal(pt_unmap(pt, base, MODEL_SIZE, NULL), 0);
	assert_int_equal(pt->nr_tables, fc->root_pages);
	check_accounting(pt);
	free(model);
	model = NULL;
}

static void t_property(void **state)
{
	property(fc_of(state), 0);
}

/* The same across a 512 GiB boundary: two level-0 entries (two level-1 entries in S2 40-bit). */
static void t_property_512g(void **state)
{
	property(fc_of(state), BIT(39) - SZ_1G);
}

/* ---- reservations and coherency ----------------------------------------------------------------- */

static void t_reserve(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, 64);
	struct th_pt other;
	u64 taken[64], n;
	s64 c1, c2;

	assert_int_equal(th_pt_init(&other, fc->fmt, fc->ia_bits, &pool), 0);
	assert_int_equal(pt_map(pt, 0, SZ_1G, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map(&other.pt, 0, SZ_1G, PA_BASE, fc->rw, NULL), 0);
	/* A two-view transaction: reserve both costs (prepare)... */
	c1 = pt_unmap_cost(pt, SZ_2M + PAGE_SIZE, PAGE_SIZE);
	c2 = pt_unmap_cost(&other.pt, SZ_2M + PAGE_SIZE, PAGE_SIZE);
	assert_true(c1 > 0 && c2 > 0);
	assert_int_equal(pt_pool_reserve(&pool, (u64)(c1 + c2)), 0);
	assert_int_equal(pool.nr_reserved, (u64)(c1 + c2));
	/* Nobody gets reserved pages: take leaves exactly the reservation... */
	n = pt_pool_take(&pool, taken, 64);
	assert_int_equal(pool.nr_free, (u64)(c1 + c2));
	assert_int_equal(pt_pool_reserve(&pool, 1), -ENOMEM);
	/* ...and neither does a table operation. */
	assert_int_equal(pt_unmap(pt, SZ_2M + PAGE_SIZE, PAGE_SIZE, NULL), -ENOMEM);
	assert_int_equal(pt_map(pt, SZ_1G, PAGE_SIZE, PA_BASE, fc->rw, NULL), -ENOMEM);
	/* ...then commit: release the reservation and run both; they cannot fail. */
	pt_pool_unreserve(&pool, (u64)(c1 + c2));
	assert_int_equal(pt_unmap(pt, SZ_2M + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(pt_unmap(&other.pt, SZ_2M + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(pool.nr_free, 0);
	assert_int_equal(pool.nr_used, pt->nr_tables + other.pt.nr_tables);
	assert_int_equal(pt_pool_reserve(&pool, 1), -ENOMEM);
	while (n)
		pt_pool_add(&pool, taken[--n], 1);
	assert_int_equal(pt_pool_reserve(&pool, 3), 0);
	pt_pool_unreserve(&pool, 3);
	assert_int_equal(pool.nr_reserved, 0);
	pt_destroy(&other.pt);
	pt_destroy(pt);
	assert_int_equal(pool.nr_used, 0);
}

/* Leaves of [0, size) as a list, to compare two tables. */
struct leaf_list {
	unsigned int nr;
	struct pt_leaf l[2048];
};

static int collect_leaf(const struct pt_leaf *l, void *arg)
{
	struct leaf_list *ll = arg;

	assert_true(ll->nr < ARRAY_SIZE(ll->l));
	ll->l[ll->nr++] = *l;
	return 0;
}

static void same_leaves(const struct pt *a, const struct pt *b, u64 size)
{
	static struct leaf_list la, lb;
	unsigned int i;

	la.nr = lb.nr = 0;
	assert_int_equal(pt_walk(a, 0, size, collect_leaf, &la), 0);
	assert_int_equal(pt_walk(b, 0, size, collect_leaf, &lb), 0);
	assert_int_equal(la.nr, lb.nr);
	for (i = 0; i < la.nr; i++) {
		assert_int_equal(la.l[i].ia, lb.l[i].ia);
		assert_int_equal(la.l[i].size, lb.l[i].size);
		assert_int_equal(la.l[i].valid, lb.l[i].valid);
		if (la.l[i].valid) {
			assert_int_equal(la.l[i].pa, lb.l[i].pa);
			assert_int_equal(la.l[i].attr, lb.l[i].attr);
		}
	}
	assert_int_equal(a->nr_tables, b->nr_tables);
}

/*
 * pt_map_leaf_at() of 4 KiB (the DMA page fast path) against pt_map(): a table mapped page by page through
 * the fast path (pt_map() where it says -EAGAIN) ends up identical to one mapped by pt_map()
 * alone, merges included; random pages, output addresses that often continue a neighbour (so
 * tables merge into blocks), PAGE_SIZE, two attributes, and unmaps in between (page by page through
 * pt_unmap_leaf_at(), pt_unmap() where it says -EAGAIN, PAGE_SIZE, against one pt_unmap() of the run).
 * The random part goes through one struct pt_cursor kept across every call, while merges and
 * emptied tables unlink (and the pool hands out again) the tables it caches: a cursor used
 * past its validity writes into a dead table, and the two tables differ.
 */
static void t_map_page(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 256);
	const u64 win = 2 * SZ_2M, npg = win >> PAGE_SHIFT;
	struct pt_cursor cur;
	struct th_pt other;
	u64 k, fast = 0, again = 0, unmapped_fast = 0;
	pt_attr_t got;

	assert_int_equal(th_pt_init(&other, fc->fmt, fc->ia_bits, &pool), 0);
	/* No table yet, bad input, then a mapped page. */
	assert_int_equal(pt_map_leaf_at(a, NULL, 0, PA_BASE, PAGE_SIZE, fc->rw, true), -EAGAIN);
	assert_int_equal(pt_map_leaf_at(a, NULL, 8, PA_BASE, PAGE_SIZE, fc->rw, true), -EINVAL);
	assert_int_equal(pt_map_leaf_at(a, NULL, 0, PA_BASE + 8, PAGE_SIZE, fc->rw, true), -EINVAL);
	assert_int_equal(pt_map_leaf_at(a, NULL, BIT(fc->ia_bits), PA_BASE, PAGE_SIZE, fc->rw,
					true),
			 -ERANGE);
	assert_int_equal(pt_map_leaf_at(a, NULL, 0, PA_BASE, PAGE_SIZE, PT_RWX | BIT(7), true),
			 -EINVAL);
	assert_int_equal(pt_map(a, 0, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map_leaf_at(a, NULL, 0, PA_BASE, PAGE_SIZE, fc->rw, true), -EEXIST);
	/* Check only: nothing written. */
	assert_int_equal(pt_map_leaf_at(a, NULL, 2 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
					false),
			 0);
	expect_hole(a, 2 * PAGE_SIZE);
	/* A neighbour continuing the output: the table might merge, pt_map()'s job. */
	assert_int_equal(pt_map_leaf_at(a, NULL, PAGE_SIZE, PA_BASE + PAGE_SIZE, PAGE_SIZE, fc->rw,
					true),
			 -EAGAIN);
	assert_int_equal(
		pt_map_leaf_at(a, NULL, PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw, true), 0);
	expect_pa(a, PAGE_SIZE, PA_BASE + SZ_1G, fc->rw);
	assert_int_equal(pt_unmap(a, 0, 2 * PAGE_SIZE, NULL), 0);

	pt_cursor_init(&cur);
	for (k = 0; k < 6000; k++) {
		u64 pg = rnd(npg), ia = pg << PAGE_SHIFT;
		/* 3 in 4: the identity-like output that lets tables merge. */
		u64 pa = rnd(4) ? PA_BASE + ia : PA_BASE + SZ_1G + rnd(npg) * PAGE_SIZE;
		pt_attr_t attr = rnd(8) ? fc->rw : fc->ro;
		bool mapped = pt_lookup(&other.pt, ia, NULL, &got, NULL) == 0;
		int ret;

		if (mapped && rnd(3) == 0) { /* unmap a short run from both */
			u64 n = 1 + rnd(4);

			if (ia + (n << PAGE_SHIFT) > win)
				n = (win - ia) >> PAGE_SHIFT;
			/* a: page by page through the unmap fast path where it applies */
			for (u64 j = 0; j < n; j++) {
				u64 pia = ia + (j << PAGE_SHIFT), want = 0, out = 0;
				int r = pt_lookup(a, pia, &want, NULL, NULL);

				if (r == -ENOENT) {
					assert_int_equal(pt_unmap_leaf_at(a, &cur, pia, PAGE_SIZE,
									  &out, true),
							 -ENOENT);
					continue;
				}
				r = pt_unmap_leaf_at(a, &cur, pia, PAGE_SIZE, &out, rnd(2));
				if (r == 0 && pt_lookup(a, pia, NULL, NULL, NULL) == 0)
					r = pt_unmap(a, pia, PAGE_SIZE, NULL); /* check-only call */
				else if (r == -EAGAIN || r == -EBUSY)
					r = pt_unmap(a, pia, PAGE_SIZE, NULL);
				else
					unmapped_fast++;
				assert_int_equal(r, 0);
				if (out)
					assert_int_equal(out, want);
			}
			assert_int_equal(pt_unmap(&other.pt, ia, n << PAGE_SHIFT, NULL), 0);
			continue;
		}
		ret = pt_map_leaf_at(a, &cur, ia, pa, PAGE_SIZE, attr, true);
		if (mapped) {
			assert_int_equal(ret, -EEXIST);
			continue;
		}
		assert_true(ret == 0 || ret == -EAGAIN);
		if (ret == -EAGAIN) {
			assert_int_equal(pt_map(a, ia, PAGE_SIZE, pa, attr, NULL), 0);
			again++;
		} else {
			fast++;
		}
		assert_int_equal(pt_map(&other.pt, ia, PAGE_SIZE, pa, attr, NULL), 0);
		if (k % 64 == 0)
			same_leaves(a, &other.pt, win);
	}
	same_leaves(a, &other.pt, win);
	if (!a->coherent)
		assert_int_equal(th_check_cleaned(a), 0);
	assert_int_equal(th_count_tables(a), a->nr_tables);
	assert_int_equal(pool.nr_used, a->nr_tables + other.pt.nr_tables);
	/* Both paths were exercised, and some tables merged into blocks on the way. */
	assert_true(fast > 100 && again > 100 && unmapped_fast > 100);
	printf("# %s: %llu fast, %llu via pt_map, %llu unmapped fast\n", fc->name,
	       (unsigned long long)fast, (unsigned long long)again,
	       (unsigned long long)unmapped_fast);
	pt_destroy(&other.pt);
	pt_destroy(a);
}

/*
 * struct pt_cursor: a cached table is used only while it is still the one the walk would find.
 * (1) The cursor caches region 0's last-level table; a page continuing its neighbours merges
 * the table into a block, whose unmap leaves no table: the fast path must say -EAGAIN, not
 * write into the freed page. (2) The same with the table emptied by pt_unmap() instead, a new
 * table then created elsewhere from the pool: -EAGAIN again, and the unmap fast path -EAGAIN
 * (no table), never a leaf read from a dead page. (3) A hit: the next page of a live table
 * costs no descent and lands where the walk would put it.
 */
static void t_leaf_cursor(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 64);
	const u64 npg = SZ_2M >> PAGE_SHIFT;
	struct pt_cursor cur;
	struct pt_slot sl;
	u64 out = 0, t0;

	pt_cursor_init(&cur);
	/* (1) pages 0..510 identity-like, page 7 through the cursor (fills its cache) */
	assert_int_equal(pt_map(a, 0, 7 * PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map(a, 8 * PAGE_SIZE, (npg - 9) * PAGE_SIZE, PA_BASE + 8 * PAGE_SIZE,
				fc->rw, NULL),
			 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, 7 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
					true),
			 0);
	t0 = a->nr_tables;
	assert_int_equal(pt_unmap(a, 7 * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(pt_map(a, 7 * PAGE_SIZE, PAGE_SIZE, PA_BASE + 7 * PAGE_SIZE, fc->rw, NULL),
			 0);
	assert_int_equal(pt_map(a, (npg - 1) * PAGE_SIZE, PAGE_SIZE, PA_BASE + SZ_2M - PAGE_SIZE,
				fc->rw, NULL),
			 0);
	assert_int_equal(a->nr_tables, t0 - 1); /* merged into a 2 MiB block */
	assert_int_equal(pt_unmap(a, 0, SZ_2M, NULL), 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, 9 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
					true),
			 -EAGAIN);
	expect_hole(a, 9 * PAGE_SIZE);

	/* (2) one page in region 0 through the cursor, emptied by pt_unmap(), a table elsewhere */
	assert_int_equal(pt_map(a, 0, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, 2 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
					true),
			 0);
	assert_int_equal(pt_unmap(a, 0, 4 * PAGE_SIZE, NULL), 0);
	assert_int_equal(pt_map(a, 4 * SZ_2M, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_unmap_leaf_at(a, &cur, 0, PAGE_SIZE, &out, false), -EAGAIN);
	assert_int_equal(pt_map_leaf_at(a, &cur, 2 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
					true),
			 -EAGAIN);
	expect_hole(a, 2 * PAGE_SIZE);

	/* (3) hits on a live table, in both directions */
	assert_int_equal(pt_map_leaf_at(a, &cur, 4 * SZ_2M + 2 * PAGE_SIZE, PA_BASE + SZ_1G,
					PAGE_SIZE, fc->rw, true),
			 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, 4 * SZ_2M + 3 * PAGE_SIZE, PA_BASE + 3 * SZ_1G,
					PAGE_SIZE, fc->rw, true),
			 0);
	expect_pa(a, 4 * SZ_2M + 3 * PAGE_SIZE, PA_BASE + 3 * SZ_1G, fc->rw);
	assert_int_equal(
		pt_unmap_leaf_at(a, &cur, 4 * SZ_2M + 3 * PAGE_SIZE, PAGE_SIZE, &out, true), 0);
	assert_int_equal(out, PA_BASE + 3 * SZ_1G);
	expect_hole(a, 4 * SZ_2M + 3 * PAGE_SIZE);
	expect_pa(a, 4 * SZ_2M + 2 * PAGE_SIZE, PA_BASE + SZ_1G, fc->rw);

	/* (4) two-step map: what the check proves unmapped, and when the commit must refuse. */
	pt_cursor_init(&cur);
	assert_int_equal(pt_map_leaf_prep(a, &cur, 8 * SZ_2M, PA_BASE, PAGE_SIZE, fc->rw, &sl),
			 -EAGAIN); /* no table: the level-2 entry is invalid */
	assert_true(sl.unmapped && !sl.ptep);
	assert_int_equal(pt_map(a, 10 * SZ_2M, SZ_2M, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map_leaf_prep(a, &cur, 10 * SZ_2M + PAGE_SIZE, PA_BASE + SZ_1G,
					  PAGE_SIZE, fc->rw, &sl),
			 -EAGAIN); /* a 2 MiB block covers it: not unmapped */
	assert_false(sl.unmapped);
	/* a slot whose neighbour the same batch fills with the leaf continuing it */
	assert_int_equal(pt_map_leaf_prep(a, &cur, 4 * SZ_2M + 5 * PAGE_SIZE, PA_BASE + SZ_1G,
					  PAGE_SIZE, fc->rw, &sl),
			 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, 4 * SZ_2M + 6 * PAGE_SIZE,
					PA_BASE + SZ_1G + PAGE_SIZE, PAGE_SIZE, fc->rw, true),
			 0);
	if (a->leaf_linear) {
		assert_non_null(sl.ptep);
		assert_int_equal(pt_map_leaf_commit(a, &cur, &sl, PAGE_SIZE), -EAGAIN);
	}
	expect_hole(a, 4 * SZ_2M + 5 * PAGE_SIZE);
	/* a slot, then a table unlinked elsewhere (emptied) */
	assert_int_equal(pt_map_leaf_prep(a, &cur, 4 * SZ_2M + 20 * PAGE_SIZE, PA_BASE + 5 * SZ_1G,
					  PAGE_SIZE, fc->rw, &sl),
			 0);
	assert_int_equal(pt_map(a, 12 * SZ_2M, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_unmap(a, 12 * SZ_2M, PAGE_SIZE, NULL), 0); /* empties, unlinks */
	if (a->leaf_linear)
		assert_int_equal(pt_map_leaf_commit(a, &cur, &sl, PAGE_SIZE), -EAGAIN);
	expect_hole(a, 4 * SZ_2M + 20 * PAGE_SIZE);
	/* and the plain case: written where the walk finds it */
	assert_int_equal(pt_map_leaf_prep(a, &cur, 4 * SZ_2M + 20 * PAGE_SIZE, PA_BASE + 5 * SZ_1G,
					  PAGE_SIZE, fc->rw, &sl),
			 0);
	expect_hole(a, 4 * SZ_2M + 20 * PAGE_SIZE);
	if (a->leaf_linear) {
		assert_int_equal(pt_map_leaf_commit(a, &cur, &sl, PAGE_SIZE), 0);
		expect_pa(a, 4 * SZ_2M + 20 * PAGE_SIZE, PA_BASE + 5 * SZ_1G, fc->rw);
	} else {
		assert_null(sl.ptep);
		assert_int_equal(pt_map_leaf_commit(a, &cur, &sl, PAGE_SIZE), -EAGAIN);
	}

	/*
	 * (4b) leaves checked where no table exists yet (a batch's first entries in a fresh
	 * region): the cursor remembers the invalid entry (no second descent), and the commit
	 * finds the table an earlier entry created, writing only into a free, uncontinued slot.
	 */
	{
		struct pt_slot s1, s2, s3;
		const u64 r = 16 * SZ_2M;

		pt_cursor_init(&cur);
		assert_int_equal(pt_map_leaf_prep(a, &cur, r, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw,
						  &s1),
				 -EAGAIN);
		assert_int_equal(pt_map_leaf_prep(a, &cur, r + 2 * PAGE_SIZE, PA_BASE + 2 * SZ_1G,
						  PAGE_SIZE, fc->rw, &s2),
				 -EAGAIN); /* the remembered hole */
		assert_int_equal(pt_map_leaf_prep(a, &cur, r + 10 * PAGE_SIZE, PA_BASE + 3 * SZ_1G,
						  PAGE_SIZE, fc->rw, &s3),
				 -EAGAIN);
		assert_true(s1.unmapped && s2.unmapped && s3.unmapped);
		assert_null(s1.ptep);
		assert_int_equal(s2.level != 0, a->leaf_linear);
		/* no table yet: nothing to write into */
		assert_int_equal(pt_map_leaf_commit(a, &cur, &s2, PAGE_SIZE), -EAGAIN);
		expect_hole(a, r + 2 * PAGE_SIZE);
		/* an earlier entry's pt_map() creates the table (and maps page 100) */
		assert_int_equal(pt_map(a, r + 100 * PAGE_SIZE, PAGE_SIZE, PA_BASE, fc->rw, NULL),
				 0);
		/* the remembered hole is no more: page 100 is found mapped */
		assert_int_equal(pt_map_leaf_prep(a, &cur, r + 100 * PAGE_SIZE, PA_BASE + SZ_1G,
						  PAGE_SIZE, fc->rw, &sl),
				 -EEXIST);
		/* page 11 continues s3's leaf: s3 must go to pt_map() */
		assert_int_equal(pt_map_leaf_at(a, &cur, r + 11 * PAGE_SIZE,
						PA_BASE + 3 * SZ_1G + PAGE_SIZE, PAGE_SIZE, fc->rw,
						true),
				 0);
		/* page 2 taken meanwhile: s2's slot is not free */
		assert_int_equal(pt_map(a, r + 2 * PAGE_SIZE, PAGE_SIZE, PA_BASE + 4 * SZ_1G,
					fc->rw, NULL),
				 0);
		if (a->leaf_linear) {
			assert_int_equal(pt_map_leaf_commit(a, &cur, &s1, PAGE_SIZE), 0);
			expect_pa(a, r, PA_BASE + SZ_1G, fc->rw);
			assert_int_equal(pt_map_leaf_commit(a, &cur, &s2, PAGE_SIZE), -EAGAIN);
			expect_pa(a, r + 2 * PAGE_SIZE, PA_BASE + 4 * SZ_1G, fc->rw);
			assert_int_equal(pt_map_leaf_commit(a, &cur, &s3, PAGE_SIZE), -EAGAIN);
		} else {
			assert_int_equal(pt_map_leaf_commit(a, &cur, &s1, PAGE_SIZE), -EAGAIN);
		}
		expect_hole(a, r + 10 * PAGE_SIZE);
		assert_int_equal(pt_unmap(a, r, SZ_2M, NULL), 0);
	}

	/* (5) pt_leaf_run(): valid leaves of the size asked, in one table, from ia on */
	pt_cursor_init(&cur);
	assert_int_equal(pt_map(a, 14 * SZ_2M, 5 * PAGE_SIZE, PA_BASE + SZ_1G, fc->rw, NULL), 0);
	assert_int_equal(pt_map(a, 14 * SZ_2M + 6 * PAGE_SIZE, 4 * PAGE_SIZE, PA_BASE + 2 * SZ_1G,
				fc->rw, NULL),
			 0);
	assert_int_equal(pt_map(a, 15 * SZ_2M - 2 * PAGE_SIZE, 4 * PAGE_SIZE, PA_BASE + 3 * SZ_1G,
				fc->rw, NULL),
			 0);
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M, PAGE_SIZE, 10), 5); /* hole at 5 */
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M + 6 * PAGE_SIZE, PAGE_SIZE, 4), 4);
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M + 6 * PAGE_SIZE, PAGE_SIZE, 9), 4);
	/* the run stops at its table's end, even where the next table continues it */
	assert_int_equal(pt_leaf_run(a, &cur, 15 * SZ_2M - 2 * PAGE_SIZE, PAGE_SIZE, 4), 2);
	assert_int_equal(pt_leaf_run(a, &cur, 15 * SZ_2M, PAGE_SIZE, 2), 2);
	assert_int_equal(pt_leaf_run(a, &cur, 16 * SZ_2M, PAGE_SIZE, 1), 0);	 /* no table */
	assert_int_equal(pt_leaf_run(a, &cur, 10 * SZ_2M, PAGE_SIZE, 1), 0);	 /* a block */
	assert_int_equal(pt_leaf_run(a, &cur, 10 * SZ_2M, SZ_2M, 1), 1);	 /* the block */
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M, SZ_2M, 1), 0);	 /* a table */
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M + 8, PAGE_SIZE, 1), 0); /* unaligned */
	assert_int_equal(pt_leaf_run(a, &cur, 14 * SZ_2M, PAGE_SIZE, 0), 0);
	assert_int_equal(pt_leaf_run(a, &cur, BIT(fc->ia_bits), PAGE_SIZE, 1), 0); /* range */
	if (!a->coherent)
		assert_int_equal(th_check_cleaned(a), 0);
	assert_int_equal(th_count_tables(a), a->nr_tables);
	pt_destroy(a);
}

/* pt_unmap_leaf_run()'s callback: the output addresses it was given, in order. */
struct run_seen {
	u64 pa[8];
	u64 size;
	unsigned int n;
};

static void run_seen_fn(void *arg, u64 pa, u64 size)
{
	struct run_seen *rs = arg;

	assert_true(rs->n < 8);
	rs->pa[rs->n++] = pa;
	rs->size = size;
}

/*
 * pt_unmap_leaf_run(): consecutive leaves of one size cleared in place, each reported once, up
 * to the first that is not a leaf of that size or has no valid neighbour (its clearing might
 * empty the table: left for pt_unmap_leaf_at(), which says -EBUSY for it); pages and 2 MiB
 * blocks.
 */
static void t_unmap_leaf_run(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 64);
	struct pt_cursor cur;
	struct run_seen rs;
	u64 sz, base, out, k;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		sz = round ? SZ_2M : PAGE_SIZE;
		base = round ? SZ_1G : 4 * SZ_2M;
		pt_cursor_init(&cur);
		/* 4 leaves whose outputs do not continue each other (no merge) */
		for (k = 0; k < 4; k++)
			assert_int_equal(pt_map(a, base + k * sz, sz, PA_BASE + (2 * k + 1) * SZ_1G,
						fc->rw, NULL),
					 0);
		memset(&rs, 0, sizeof(rs));
		/* the 4th would empty the table: 3 cleared, reported in order */
		assert_int_equal(pt_unmap_leaf_run(a, &cur, base, sz, 4, run_seen_fn, &rs), 3);
		assert_int_equal(rs.n, 3);
		assert_int_equal(rs.size, sz);
		for (k = 0; k < 3; k++) {
			assert_int_equal(rs.pa[k], PA_BASE + (2 * k + 1) * SZ_1G);
			expect_hole(a, base + k * sz);
		}
		expect_pa(a, base + 3 * sz, PA_BASE + 7 * SZ_1G, fc->rw);
		assert_int_equal(pt_unmap_leaf_at(a, &cur, base + 3 * sz, sz, &out, true), -EBUSY);
		assert_int_equal(out, PA_BASE + 7 * SZ_1G);
		expect_pa(a, base + 3 * sz, PA_BASE + 7 * SZ_1G, fc->rw);
		/* a hole ends a run; bad arguments and no table clear nothing */
		assert_int_equal(pt_map(a, base + 4 * sz, sz, PA_BASE + 9 * SZ_1G, fc->rw, NULL),
				 0);
		assert_int_equal(pt_map(a, base + 6 * sz, sz, PA_BASE + 11 * SZ_1G, fc->rw, NULL),
				 0);
		/* 3 goes (4 is its neighbour); 4's neighbours are then both invalid: it stays */
		assert_int_equal(pt_unmap_leaf_run(a, &cur, base + 3 * sz, sz, 4, run_seen_fn, &rs),
				 1);
		expect_hole(a, base + 3 * sz);
		expect_pa(a, base + 4 * sz, PA_BASE + 9 * SZ_1G, fc->rw);
		assert_int_equal(pt_unmap_leaf_at(a, &cur, base + 4 * sz, sz, &out, true), -EBUSY);
		assert_int_equal(pt_unmap(a, base + 4 * sz, sz, NULL), 0);
		assert_int_equal(pt_unmap_leaf_run(a, &cur, base + 5 * sz, sz, 2, run_seen_fn, &rs),
				 0);
		assert_int_equal(
			pt_unmap_leaf_run(a, &cur, base + 6 * sz, sz, 513, run_seen_fn, &rs), 0);
		assert_int_equal(pt_unmap_leaf_run(a, &cur, base + 6 * sz + (sz >> 1), sz, 1,
						   run_seen_fn, &rs),
				 0);
		assert_int_equal(pt_unmap_leaf_run(a, &cur, 64 * SZ_1G, sz, 1, run_seen_fn, &rs),
				 0);
		/* a first leaf whose left neighbour is valid (its right one is not) goes */
		assert_int_equal(pt_map(a, base + 8 * sz, sz, PA_BASE + 13 * SZ_1G, fc->rw, NULL),
				 0);
		assert_int_equal(pt_map(a, base + 9 * sz, sz, PA_BASE + 15 * SZ_1G, fc->rw, NULL),
				 0);
		assert_int_equal(pt_unmap_leaf_run(a, &cur, base + 9 * sz, sz, 1, run_seen_fn, &rs),
				 1);
		expect_hole(a, base + 9 * sz);
		assert_int_equal(pt_unmap(a, base + 8 * sz, sz, NULL), 0);
		assert_int_equal(rs.n, 5);
		expect_pa(a, base + 6 * sz, PA_BASE + 11 * SZ_1G, fc->rw);
		assert_int_equal(pt_unmap(a, base + 6 * sz, sz, NULL), 0);
	}
	assert_int_equal(a->nr_tables, a->root_pages);
	check_accounting(a);
	pt_destroy(a);
}

/*
 * The format's leaf_oa contract (pt_fmt.h), on which pt_map_leaf_prep() builds leaves from one
 * template: mk_leaf(level, pa, attr) == mk_leaf(level, 0, attr) | (pa & leaf_oa), the template
 * with no bit in leaf_oa, for every leaf level, every representable attribute and any pa
 * (aligned ones below 2^oa_bits, the ones the engine passes, and arbitrary 64-bit values).
 */
static void t_leaf_oa(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	const struct pt_fmt *f = pt_fmt_get(fc->fmt);
	unsigned int level, a, k;
	u64 x = 0x9e3779b97f4a7c15ULL;

	assert_non_null(f);
	assert_true(f->leaf_oa != 0);
	for (level = 1; level <= PT_LAST_LEVEL; level++) {
		u64 size = pt_level_size(level);

		if (!(f->leaf_levels & BIT(level)))
			continue;
		for (a = 0; a < fc->nr_attrs; a++) {
			u64 t = f->mk_leaf(level, 0, fc->attrs[a]);

			assert_int_equal(t & f->leaf_oa, 0);

			for (k = 0; k < 2000; k++) {
				u64 pa;

				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				pa = k & 1 ? x : (x & (BIT(f->oa_bits) - 1)) & ~(size - 1);
				if (f->mk_leaf(level, pa, fc->attrs[a]) != (t | (pa & f->leaf_oa)))
					fail_msg("%s level %u attr %#x pa %#llx", fc->name, level,
						 (unsigned int)fc->attrs[a],
						 (unsigned long long)pa);
			}
		}
	}
}

/*
 * pt_map_leaf_prep()'s in-line case (the cursor's attribute and leaf size again) gives what
 * pt_map_leaf_do() gives for every input it does not take itself: each error case below
 * follows a good prep of the same size and attribute, so the cursor is warm. Then
 * pt_map_leaf_commit_run(): slots written in order up to the first that cannot be (no leaf
 * to commit, a neighbour continuing it), nothing written past it.
 */
static void t_leaf_prep_commit_run(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 64);
	const u64 r = 4 * SZ_2M, oa_end = BIT(pt_fmt_get(fc->fmt)->oa_bits);
	struct pt_cursor cur;
	struct pt_slot s[5], x;
	u64 k;

	pt_cursor_init(&cur);
	assert_int_equal(pt_map(a, r, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0); /* the table */
	for (k = 0; k < 4; k++) /* pages 2, 4, 6, 8: none continues another */
		assert_int_equal(pt_map_leaf_prep(a, &cur, r + (2 + 2 * k) * PAGE_SIZE,
						  PA_BASE + (k + 1) * SZ_1G, PAGE_SIZE, fc->rw,
						  &s[k]),
				 0);
	assert_int_equal(s[3].ptep != NULL, a->leaf_linear);
	assert_int_equal(s[3].size, PAGE_SIZE);
	/* the slot holds a leaf */
	assert_int_equal(pt_map_leaf_prep(a, &cur, r, PA_BASE + SZ_1G, PAGE_SIZE, fc->rw, &x),
			 -EEXIST);
	/* outside the input or output space, or not page aligned */
	assert_int_equal(pt_map_leaf_prep(a, &cur, BIT(fc->ia_bits), PA_BASE, PAGE_SIZE, fc->rw,
					  &x),
			 -ERANGE);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 12 * PAGE_SIZE, oa_end, PAGE_SIZE, fc->rw,
					  &x),
			 -ERANGE);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 12 * PAGE_SIZE + 8, PA_BASE, PAGE_SIZE,
					  fc->rw, &x),
			 -EINVAL);
	/* 2 MiB blocks: a good one warms the cursor, then one not aligned to 2 MiB */
	assert_int_equal(pt_map_leaf_prep(a, &cur, SZ_1G + 40 * SZ_2M, PA_BASE + SZ_1G, SZ_2M,
					  fc->rw, &x),
			 -EAGAIN); /* no table there yet: a hole */
	assert_true(x.unmapped);
	assert_int_equal(x.level != 0, a->leaf_linear);
	assert_int_equal(pt_map_leaf_prep(a, &cur, SZ_1G + 42 * SZ_2M, PA_BASE + SZ_1G + PAGE_SIZE,
					  SZ_2M, fc->rw, &x),
			 -EAGAIN);
	assert_false(x.unmapped); /* misaligned: the range was not looked at */
	assert_int_equal(pt_map_leaf_prep(a, &cur, SZ_1G + 42 * SZ_2M, oa_end - SZ_2M, SZ_2M,
					  fc->rw, &x),
			 -EAGAIN); /* the last block of the output space: a hole too */
	assert_true(x.unmapped);
	expect_hole(a, SZ_1G + 42 * SZ_2M);

	/* the commit: s[2] has no leaf to commit, so the run stops before it */
	s[2].size = 0;
	if (a->leaf_linear) {
		assert_int_equal(pt_map_leaf_commit_run(a, &cur, s, 4), 2);
		expect_pa(a, r + 2 * PAGE_SIZE, PA_BASE + SZ_1G, fc->rw);
		expect_pa(a, r + 4 * PAGE_SIZE, PA_BASE + 2 * SZ_1G, fc->rw);
		expect_hole(a, r + 6 * PAGE_SIZE);
		expect_hole(a, r + 8 * PAGE_SIZE);
		/* page 9 now continues page 8's leaf: s[3] must go to pt_map() */
		assert_int_equal(pt_map(a, r + 9 * PAGE_SIZE, PAGE_SIZE,
					PA_BASE + 4 * SZ_1G + PAGE_SIZE, fc->rw, NULL),
				 0);
		assert_int_equal(pt_map_leaf_commit_run(a, &cur, &s[3], 1), 0);
		expect_hole(a, r + 8 * PAGE_SIZE);
	} else {
		assert_int_equal(pt_map_leaf_commit_run(a, &cur, s, 4), 0); /* no slots */
		expect_hole(a, r + 2 * PAGE_SIZE);
	}
	assert_int_equal(pt_map_leaf_commit_run(a, &cur, s, 0), 0);
	/*
	 * Another attribute at the same leaf size (the cursor warm with fc->rw for pages): its
	 * first prep decodes it, the next one's leaf has it too.
	 */
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 16 * PAGE_SIZE, PA_BASE + 8 * SZ_1G,
					  PAGE_SIZE, fc->rw, &x),
			 0);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 12 * PAGE_SIZE, PA_BASE + 6 * SZ_1G,
					  PAGE_SIZE, fc->ro, &s[0]),
			 0);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 14 * PAGE_SIZE, PA_BASE + 7 * SZ_1G,
					  PAGE_SIZE, fc->ro, &s[1]),
			 0);
	if (a->leaf_linear) {
		assert_int_equal(pt_map_leaf_commit_run(a, &cur, s, 2), 2);
		expect_pa(a, r + 12 * PAGE_SIZE, PA_BASE + 6 * SZ_1G, fc->ro);
		expect_pa(a, r + 14 * PAGE_SIZE, PA_BASE + 7 * SZ_1G, fc->ro);
	}
	/*
	 * The same, where the new attribute's first prep makes no leaf (its slot is taken): the
	 * next leaf must still have the new attribute, not the last leaf's template.
	 */
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 18 * PAGE_SIZE, PA_BASE + 8 * SZ_1G,
					  PAGE_SIZE, fc->ro, &x),
			 0);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r, PA_BASE + 9 * SZ_1G, PAGE_SIZE, fc->rw, &x),
			 -EEXIST);
	assert_int_equal(pt_map_leaf_prep(a, &cur, r + 20 * PAGE_SIZE, PA_BASE + 9 * SZ_1G,
					  PAGE_SIZE, fc->rw, &s[0]),
			 0);
	if (a->leaf_linear) {
		assert_int_equal(pt_map_leaf_commit_run(a, &cur, s, 1), 1);
		expect_pa(a, r + 20 * PAGE_SIZE, PA_BASE + 9 * SZ_1G, fc->rw);
	}
	if (!a->coherent)
		assert_int_equal(th_check_cleaned(a), 0);
	assert_int_equal(th_count_tables(a), a->nr_tables);
	pt_destroy(a);
}

/*
 * The case only the cursor's generation (pt->unlinks) catches: the cached parent entry reads
 * the cached descriptor again, but the page holding it is no longer linked where the cursor
 * thinks. Region A's last-level table T and the level-2 table L holding its entry are emptied
 * and freed (the entry is cleared first, so that much both checks see); then region B, 1 GiB
 * further, gets its tables from the pool, which hands out the same pages (LIFO): L becomes B's
 * level-2 table and its entry at the same index points at T again, now B's last-level table.
 * A cursor trusting the parent entry alone would read and write B's table for an address in A;
 * every fast path must descend and say -EAGAIN.
 */
static void t_leaf_cursor_reused_table(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 64);
	/* 2 MiB region 3 of the first and of the second GiB: a level-2 index other than 0 */
	const u64 ia_a = 3 * SZ_2M, ia_b = SZ_1G + 3 * SZ_2M;
	struct pt_cursor cur, stale, fresh;
	unsigned int tries;
	u64 out = 0;

	pt_cursor_init(&cur);
	assert_int_equal(pt_map(a, ia_a, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_map_leaf_at(a, &cur, ia_a + 4 * PAGE_SIZE, PA_BASE + SZ_1G, PAGE_SIZE,
					fc->rw, true),
			 0);
	assert_non_null(cur.table[3]);
	stale = cur; /* kept as it is: a call through cur may re-cache it */
	/* A emptied: every table of it unlinked and freed, nothing mapped anywhere */
	assert_int_equal(pt_unmap(a, ia_a, SZ_2M, NULL), 0);
	assert_int_equal(a->nr_tables, a->root_pages);
	assert_int_equal(pt_map_leaf_at(a, &cur, ia_a + 5 * PAGE_SIZE, PA_BASE + 2 * SZ_1G,
					PAGE_SIZE, fc->rw, true),
			 -EAGAIN);
	assert_int_equal(stale.table[3][5], 0); /* the free page untouched */
	expect_hole(a, ia_a + 5 * PAGE_SIZE);

	/*
	 * B's tables from the same pages, until L is B's level-2 table and T its last-level one
	 * (the pool is LIFO, and a table's pages come out in the order the map takes them: an
	 * unmap and map of B reverses the order the pages come out).
	 */
	for (tries = 0;; tries++) {
		assert_true(tries < 4);
		assert_int_equal(pt_map(a, ia_b, PAGE_SIZE, PA_BASE + 3 * SZ_1G, fc->rw, NULL), 0);
		assert_int_equal(pt_map(a, ia_b + PAGE_SIZE, PAGE_SIZE, PA_BASE + 5 * SZ_1G, fc->rw,
					NULL),
				 0);
		pt_cursor_init(&fresh);
		assert_int_equal(pt_leaf_run(a, &fresh, ia_b, PAGE_SIZE, 2), 2);
		if (fresh.table[3] == stale.table[3] && fresh.parent[3] == stale.parent[3])
			break;
		assert_int_equal(pt_unmap(a, ia_b, SZ_2M, NULL), 0);
	}
	/* the stale cursor's parent entry reads what it cached: only the generation moved */
	assert_int_equal(*stale.parent[3], stale.parent_desc[3]);
	assert_int_not_equal(stale.unlinks, a->unlinks);
	/* the stale cursor for A: no leaf run, no unmap, no map in B's table */
	assert_int_equal(pt_leaf_run(a, &stale, ia_a, PAGE_SIZE, 2), 0);
	assert_int_equal(pt_unmap_leaf_at(a, &stale, ia_a, PAGE_SIZE, &out, true), -EAGAIN);
	assert_int_equal(pt_map_leaf_at(a, &stale, ia_a + 5 * PAGE_SIZE, PA_BASE + 2 * SZ_1G,
					PAGE_SIZE, fc->rw, true),
			 -EAGAIN);
	expect_pa(a, ia_b, PA_BASE + 3 * SZ_1G, fc->rw);
	expect_pa(a, ia_b + PAGE_SIZE, PA_BASE + 5 * SZ_1G, fc->rw);
	expect_hole(a, ia_b + 5 * PAGE_SIZE);
	expect_hole(a, ia_a);
	expect_hole(a, ia_a + 5 * PAGE_SIZE);
	/* and the fresh cursor still hits B's table */
	assert_int_equal(pt_map_leaf_at(a, &fresh, ia_b + 5 * PAGE_SIZE, PA_BASE + 2 * SZ_1G,
					PAGE_SIZE, fc->rw, true),
			 0);
	expect_pa(a, ia_b + 5 * PAGE_SIZE, PA_BASE + 2 * SZ_1G, fc->rw);
	check_accounting(a);
	pt_destroy(a);
}

/*
 * pt_pages() (page sets: chosen pages of one 2 MiB region in place) against the range
 * operations page by page: random sets, kinds and outputs on two regions, the first page by
 * the range operation where pt_pages() says -EAGAIN (no last-level table), tables merging
 * back when a set makes them uniform; both tables' leaves and table counts compared.
 */
static void t_pages(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *a = setup_pt(fc, 256);
	struct th_pt other;
	u64 k, fast = 0, again = 0, merged = 0;
	struct pt_pages ps;

	assert_int_equal(th_pt_init(&other, fc->fmt, fc->ia_bits, &pool), 0);
	memset(&ps, 0, sizeof(ps));
	ps.kind = PT_PAGES_MAP;
	ps.pa = PA_BASE;
	ps.attr = fc->rw;
	ps.bm[0] = 1;
	/* Bad input, then no table yet. */
	ps.ia = PAGE_SIZE;
	assert_int_equal(pt_pages_ok(a, &ps), -EINVAL);
	ps.ia = BIT(fc->ia_bits);
	assert_int_equal(pt_pages_ok(a, &ps), -ERANGE);
	ps.ia = 0;
	ps.attr = PT_RWX | BIT(7);
	assert_int_equal(pt_pages(a, &ps, NULL), -EINVAL);
	ps.attr = fc->rw;
	assert_int_equal(pt_pages(a, &ps, NULL), -EAGAIN);
	for (k = 0; k < 3000; k++) {
		u64 region = rnd(2) * SZ_2M, nt = a->nr_tables, dens = 1 + rnd(4), i;
		int ret;

		memset(ps.bm, 0, sizeof(ps.bm));
		for (i = 0; i < 512; i++)
			if (rnd(dens * 4) == 0 || (dens == 4 && rnd(8)))
				ps.bm[i / 64] |= 1ULL << (i % 64);
		if (!ps.bm[0] && !ps.bm[7])
			ps.bm[rnd(8)] |= 1ULL << rnd(64);
		if (rnd(6) == 0) /* the whole region: the table becomes uniform */
			memset(ps.bm, 0xff, sizeof(ps.bm));
		ps.ia = region;
		ps.kind = rnd(3) == 0 ? PT_PAGES_UNMAP : rnd(2) ? PT_PAGES_MAP : PT_PAGES_ATTR;
		/* 3 in 4: the identity-like output that lets tables merge. */
		ps.pa = rnd(4) ? PA_BASE + region : PA_BASE + SZ_1G + rnd(8) * SZ_2M;
		ps.attr = rnd(4) ? fc->rw : fc->ro;
		ret = pt_pages(a, &ps, NULL);
		if (ret == -EAGAIN) {
			u64 first = 0, ia;

			while (!(ps.bm[first / 64] >> (first % 64) & 1))
				first++;
			ia = region + (first << PAGE_SHIFT);
			if (ps.kind == PT_PAGES_MAP)
				ret = pt_map(a, ia, PAGE_SIZE, ps.pa + (first << PAGE_SHIFT),
					     ps.attr, NULL);
			else if (ps.kind == PT_PAGES_UNMAP)
				ret = pt_unmap(a, ia, PAGE_SIZE, NULL);
			else
				ret = pt_set_attr(a, ia, PAGE_SIZE, ps.attr, NULL);
			assert_int_equal(ret, 0);
			/* The range operation made the table, unless it had nothing to do. */
			ret = pt_pages(a, &ps, NULL);
			assert_true(ret == 0 || ret == -EAGAIN);
			again++;
		} else {
			assert_int_equal(ret, 0);
			fast++;
			if (a->nr_tables < nt)
				merged++;
		}
		for (i = 0; i < 512; i++) {
			u64 ia = region + (i << PAGE_SHIFT);

			if (!(ps.bm[i / 64] >> (i % 64) & 1))
				continue;
			if (ps.kind == PT_PAGES_MAP)
				ret = pt_map(&other.pt, ia, PAGE_SIZE, ps.pa + (i << PAGE_SHIFT),
					     ps.attr, NULL);
			else if (ps.kind == PT_PAGES_UNMAP)
				ret = pt_unmap(&other.pt, ia, PAGE_SIZE, NULL);
			else
				ret = pt_set_attr(&other.pt, ia, PAGE_SIZE, ps.attr, NULL);
			assert_int_equal(ret, 0);
		}
		if (k % 16 == 0)
			same_leaves(a, &other.pt, 2 * SZ_2M);
	}
	same_leaves(a, &other.pt, 2 * SZ_2M);
	if (!a->coherent)
		assert_int_equal(th_check_cleaned(a), 0);
	assert_int_equal(th_count_tables(a), a->nr_tables);
	assert_int_equal(pool.nr_used, a->nr_tables + other.pt.nr_tables);
	printf("# %s: %llu page sets in place, %llu after a range operation, %llu merged\n",
	       fc->name, (unsigned long long)fast, (unsigned long long)again,
	       (unsigned long long)merged);
	assert_true(fast > 300 && again > 50 && merged > 50);
	pt_destroy(&other.pt);
	pt_destroy(a);
}

static void t_coherent(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt pt;
	u64 cleans;

	setup_pt(fc, 64);
	cleans = fake_dcache_clean_calls();
	assert_int_equal(pt_map(&tpt.pt, 0, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	/* Non-coherent walker: new tables and written descriptors are cleaned. */
	assert_true(fake_dcache_clean_calls() > cleans);
	assert_int_equal(pt_init(&pt, fc->fmt, fc->ia_bits, true, &pool, NULL, NULL), 0);
	cleans = fake_dcache_clean_calls();
	assert_int_equal(pt_map(&pt, 0, PAGE_SIZE, PA_BASE, fc->rw, NULL), 0);
	assert_int_equal(pt_unmap(&pt, 0, PAGE_SIZE, NULL), 0);
	assert_int_equal(fake_dcache_clean_calls(), cleans);
	pt_destroy(&pt);
}

static void t_root_ptr(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	struct pt *pt = setup_pt(fc, 64);

	if (fc->fmt == PT_FMT_X86_EPT) /* EPTP: WB paging structures, 4-level walk */
		assert_int_equal(pt_root_pa(pt), pt->root | (3 << 3) | 6);
	else
		assert_int_equal(pt_root_pa(pt), pt->root);
}

/* ---- runner ------------------------------------------------------------------------------------- */

struct named_test {
	const char *name;
	CMUnitTestFunction fn;
};

/*
 * pt_unmap_leaf_at() decodes a last-level entry by the format alone: an Arm level-3 entry with
 * bits[1:0] = 0b01 (a block's encoding) is reserved there (Arm ARM D8.3, "Translation table
 * descriptor formats"), not a leaf: -ENOENT, checked or committed, and nothing written.
 */
static void t_unmap_leaf_reserved_l3(void **state)
{
	const struct fmt_case *fc = fc_of(state);
	const struct pt_fmt *f = pt_fmt_get(fc->fmt);
	struct pt *a = setup_pt(fc, 64);
	u64 *slot, good, bad, out = 0;
	unsigned int lvl = 0;

	assert_true(fc->bbm);
	assert_int_equal(pt_map(a, 4 * SZ_2M, PAGE_SIZE, PA_BASE + SZ_1G, fc->rw, NULL), 0);
	assert_int_equal(
		pt_map(a, 4 * SZ_2M + PAGE_SIZE, PAGE_SIZE, PA_BASE + 3 * SZ_1G, fc->rw, NULL), 0);
	slot = ptdec_leaf_slot(a, 4 * SZ_2M, &lvl);
	assert_non_null(slot);
	assert_int_equal(lvl, 3);
	good = *slot;
	bad = f->mk_leaf(2, PA_BASE + SZ_1G, fc->rw);
	assert_int_equal(pt_desc_type(f, bad, 3), PT_DESC_BAD);
	*slot = bad;
	assert_int_equal(pt_unmap_leaf_at(a, NULL, 4 * SZ_2M, PAGE_SIZE, &out, false), -ENOENT);
	assert_int_equal(pt_unmap_leaf_at(a, NULL, 4 * SZ_2M, PAGE_SIZE, &out, true), -ENOENT);
	assert_int_equal(*slot, bad);
	*slot = good;
	/* the good one clears (its neighbour is valid) */
	assert_int_equal(pt_unmap_leaf_at(a, NULL, 4 * SZ_2M, PAGE_SIZE, &out, true), 0);
	assert_int_equal(out, PA_BASE + SZ_1G);
	expect_hole(a, 4 * SZ_2M);
	assert_int_equal(pt_unmap(a, 4 * SZ_2M + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(a->nr_tables, a->root_pages);
	check_accounting(a);
}

static const struct named_test per_fmt[] = {
	{ "init_destroy", t_init_destroy },
	{ "map_1g_block", t_map_1g_block },
	{ "map_mixed_4k_2m_1g", t_map_mixed },
	{ "unmap_4k_in_1g_block", t_unmap_middle },
	{ "set_attr_4k_in_1g_block", t_set_attr_middle },
	{ "unmap_4k_in_1g_block_bbm_free", t_unmap_middle_bbm_free },
	{ "remap_live_block", t_remap_live_block },
	{ "remap_block_unaligned", t_remap_block_unaligned },
	{ "init_enomem", t_init_enomem },
	{ "split_merge", t_split_merge },
	{ "merge_exact", t_merge_exact },
	{ "walk_cache", t_walk_cache },
	{ "enomem_every_allocation", t_enomem },
	{ "bad_input", t_bad_input },
	{ "attr_normalisation", t_attr_norm },
	{ "gather_pages", t_gather_pages },
	{ "wrong_level_decode", t_wrong_level },
	{ "walker_panics_on_bad_desc", t_walker_panics },
	{ "property_vs_model", t_property },
	{ "property_vs_model_512g_boundary", t_property_512g },
	{ "reservation_protocol", t_reserve },
	{ "map_page_fast_path_vs_pt_map", t_map_page },
	{ "leaf_cursor", t_leaf_cursor },
	{ "unmap_leaf_run", t_unmap_leaf_run },
	{ "leaf_cursor_reused_table", t_leaf_cursor_reused_table },
	{ "leaf_prep_commit_run", t_leaf_prep_commit_run },
	{ "leaf_oa", t_leaf_oa },
	{ "pages_vs_range", t_pages },
	{ "coherent_flag", t_coherent },
	{ "root_pointer", t_root_ptr },
};

int main(void)
{
	enum { NR = ARRAY_SIZE(per_fmt) * ARRAY_SIZE(fmt_cases) + ARRAY_SIZE(fmt_cases) + 4 };
	static struct CMUnitTest tests[NR];
	static char names[NR][80];
	unsigned int i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(fmt_cases); i++) {
		for (j = 0; j < ARRAY_SIZE(per_fmt); j++) {
			snprintf(names[n], sizeof(names[n]), "%s_%s", fmt_cases[i].name,
				 per_fmt[j].name);
			tests[n].name = names[n];
			tests[n].test_func = per_fmt[j].fn;
			tests[n].initial_state = (void *)(uintptr_t)&fmt_cases[i];
			n++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(fmt_cases); i++) { /* Arm formats: level-3 0b01 is reserved */
		if (!fmt_cases[i].bbm)
			continue;
		snprintf(names[n], sizeof(names[n]), "%s_unmap_leaf_reserved_l3",
			 fmt_cases[i].name);
		tests[n].name = names[n];
		tests[n].test_func = t_unmap_leaf_reserved_l3;
		tests[n].initial_state = (void *)(uintptr_t)&fmt_cases[i];
		n++;
	}
	tests[n].name = "arm64-s2_geometry_concatenation";
	tests[n++].test_func = t_s2_geometry;
	tests[n].name = "gather_coalesce_overflow";
	tests[n++].test_func = t_gather_unit;
	tests[n].name = "fake_platform";
	tests[n++].test_func = t_fake_platform;
	tests[n].name = "x86-npt_walker_accessed_dirty_merge";
	tests[n++].test_func = t_npt_walker_ad_merge;
	return _cmocka_run_group_tests("pgtable", tests, n, NULL, NULL);
}
