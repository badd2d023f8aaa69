/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit-test helpers shared by every test binary (linked from tests/unit/lib/):
 * pools over fake simulated memory, page tables with a counting flush_now, and
 * snapshots of a table (its leaves and its table pages) to compare before and
 * after an operation that must not have changed anything.
 */
#ifndef TESTS_UNIT_HARNESS_H
#define TESTS_UNIT_HARNESS_H

#include "hyp/pgtable.h"

/* Fresh simulated memory, and @pool filled with @pages pages (64 KiB aligned). */
void th_reset(void);
void th_pool_fill(struct pt_pool *pool, u64 pages);

/* A page table with a flush_now that counts and records its calls. */
struct th_pt {
	struct pt pt;
	u64 flushes;
	u64 last_flush_ia, last_flush_size;
	unsigned int last_flush_level;
	u64 flush_saw_valid; /* flushes during which ia still translated (not a BBM break) */
};
extern const struct pt_ops th_ops;
/* pt_init on @t with th_ops; returns pt_init's result. */
int th_pt_init(struct th_pt *t, enum pt_fmt_id fmt, unsigned int ia_bits, struct pt_pool *pool);

/* Everything observable about a table: its leaves over the whole IA space and its pages. */
struct th_snap {
	struct pt_leaf *leaves;
	u64 nr_leaves, cap_leaves;
	u64 *tables; /* (pa << 2) | level, in visit order */
	u64 nr_tables, cap_tables;
	u64 pt_nr_tables;
	struct pt_pool pool; /* pool counters (copied) */
};
void th_snap_take(struct th_snap *s, const struct pt *pt);
/* 0 if equal, else a description is printed and non-zero returned. */
int th_snap_cmp(const struct th_snap *a, const struct th_snap *b);
void th_snap_free(struct th_snap *s);

/*
 * 0 if a non-coherent walker (fake PoC copy) sees every table page of @pt as the
 * CPU does, i.e. every descriptor write was cleaned; else prints the first page.
 */
int th_check_cleaned(const struct pt *pt);

/* Number of table pages pt_for_each_table() visits. */
u64 th_count_tables(const struct pt *pt);
/* Number of valid leaves at @level in [ia, ia + size). */
u64 th_count_leaves(const struct pt *pt, u64 ia, u64 size, unsigned int level);

/*
 * The hypervisor's log of what runs between th_log_start() and th_log_end() (the fake
 * plat_log writes to stderr when LOCKSTEP_LOG is set; stderr goes to a temporary file
 * meanwhile): th_log_end() returns it, NUL-terminated, the first 64 KiB.
 */
void th_log_start(void);
const char *th_log_end(void);

#endif /* TESTS_UNIT_HARNESS_H */
