// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pool of 4 KiB table pages. Free pages are linked through their first 64-bit
 * word (the PA of the next free page, 0 ends the list), so the pool needs no
 * memory of its own. Accounting is exact: nr_total == nr_free + nr_used, and
 * nr_reserved (pages promised to a prepared transaction) never exceeds nr_free.
 *
 * Locking: the pool has none; its owner's lock (the VM, the host, the IOMMU
 * domain) covers it together with every table allocating from it.
 */
#include <errno.h>
#include <string.h>

#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "pt_pool.h"

static u64 *pt_pool_link(u64 pa)
{
	return plat_phys_to_virt(pa);
}

static void pt_pool_check(const struct pt_pool *pool)
{
	HYP_CHECK(pool->nr_free + pool->nr_used == pool->nr_total);
	HYP_CHECK(pool->nr_reserved <= pool->nr_free);
}

void pt_pool_init(struct pt_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
}

static void pt_pool_push(struct pt_pool *pool, u64 pa)
{
	*pt_pool_link(pa) = pool->free_head;
	pool->free_head = pa;
	pool->nr_free++;
}

void pt_pool_add(struct pt_pool *pool, u64 pa, u64 n)
{
	u64 i;

	HYP_CHECK(IS_ALIGNED(pa, PAGE_SIZE) && pa != 0);
	/* Push from the top down so the list starts in ascending PA order. */
	for (i = n; i > 0; i--)
		pt_pool_push(pool, pa + (i - 1) * PAGE_SIZE);
	pool->nr_total += n;
	pt_pool_check(pool);
}

/* The host tests' hook (LOCKSTEP_TEST_HOOKS): the k-th allocation from now fails once. */
static bool pt_pool_hook_fires(struct pt_pool *pool)
{
#ifdef LOCKSTEP_TEST_HOOKS
	if (!pool->fail_after)
		return false;
	return --pool->fail_after == 0;
#else
	(void)pool;
	return false;
#endif
}

u64 pt_pool_alloc(struct pt_pool *pool)
{
	u64 pa = pool->free_head;

	if (!pa || pt_pool_hook_fires(pool))
		return 0;
	pool->free_head = *pt_pool_link(pa);
	pool->nr_free--;
	pool->nr_used++;
	memset(plat_phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void pt_pool_free(struct pt_pool *pool, u64 pa)
{
	HYP_CHECK(pool->nr_used > 0);
	pool->nr_used--;
	pt_pool_push(pool, pa);
	pt_pool_check(pool);
}

/* Number of free pages in [base, base + n pages). */
static unsigned int pt_pool_count_in(const struct pt_pool *pool, u64 base, unsigned int n)
{
	u64 end = base + (u64)n * PAGE_SIZE;
	unsigned int cnt = 0;
	u64 pa;

	for (pa = pool->free_head; pa; pa = *pt_pool_link(pa))
		if (pa >= base && pa < end)
			cnt++;
	return cnt;
}

u64 pt_pool_alloc_contig(struct pt_pool *pool, unsigned int n)
{
	u64 align = (u64)n * PAGE_SIZE;
	u64 base = 0, pa, *prev;

	if (n == 1)
		return pt_pool_alloc(pool);
	if (pool->nr_free < n)
		return 0;
	/*
	 * First fit over aligned free pages; only used for concatenated stage-2
	 * roots (at most 16 pages) when a table is created, so O(free^2) worst case
	 * is acceptable and needs no extra memory.
	 */
	for (pa = pool->free_head; pa; pa = *pt_pool_link(pa)) {
		if (IS_ALIGNED(pa, align) && pt_pool_count_in(pool, pa, n) == n) {
			base = pa;
			break;
		}
	}
	if (!base || pt_pool_hook_fires(pool))
		return 0;
	prev = &pool->free_head;
	while (*prev) {
		pa = *prev;
		if (pa >= base && pa < base + align) {
			*prev = *pt_pool_link(pa);
			pool->nr_free--;
			pool->nr_used++;
		} else {
			prev = pt_pool_link(pa);
		}
	}
	memset(plat_phys_to_virt(base), 0, align);
	pt_pool_check(pool);
	return base;
}

u64 pt_pool_take(struct pt_pool *pool, u64 *out, u64 n)
{
	u64 i, avail = pool->nr_free - pool->nr_reserved;
#ifdef LOCKSTEP_TEST_HOOKS
	u64 fail_after = pool->fail_after;

	pool->fail_after = 0; /* the hook is for table allocations, not donations back */
#endif
	n = MIN(n, avail);
	for (i = 0; i < n; i++) {
		out[i] = pt_pool_alloc(pool);
		HYP_CHECK(out[i]);
		/* Taken pages leave the pool altogether. */
		pool->nr_used--;
		pool->nr_total--;
	}
#ifdef LOCKSTEP_TEST_HOOKS
	pool->fail_after = fail_after;
#endif
	pt_pool_check(pool);
	return n;
}

int pt_pool_reserve(struct pt_pool *pool, u64 n)
{
	if (n > pool->nr_free - pool->nr_reserved)
		return -ENOMEM;
	pool->nr_reserved += n;
	return 0;
}

void pt_pool_unreserve(struct pt_pool *pool, u64 n)
{
	HYP_CHECK(n <= pool->nr_reserved);
	pool->nr_reserved -= n;
}
