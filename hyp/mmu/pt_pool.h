/* SPDX-License-Identifier: GPL-2.0-only */
/* Page-pool internals shared by pool.c and pgtable.c (not part of the API). */
#ifndef HYP_MMU_PT_POOL_H
#define HYP_MMU_PT_POOL_H

#include "hyp/pgtable.h"

/*
 * One free page, zeroed, or 0 when the pool is empty or the fail_after hook
 * fires. Does not look at nr_reserved: callers decide whose pages they take.
 */
u64 pt_pool_alloc(struct pt_pool *pool);
/* @n physically contiguous free pages aligned to n * 4 KiB, zeroed; 0 if none. */
u64 pt_pool_alloc_contig(struct pt_pool *pool, unsigned int n);
/* Return one page to the pool. */
void pt_pool_free(struct pt_pool *pool, u64 pa);

#endif /* HYP_MMU_PT_POOL_H */
