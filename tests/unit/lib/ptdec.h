/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Independent decoders of the four table formats (tests only): written from the
 * architecture manuals, sharing no code or constant with hyp/mmu, so that the invariant
 * checker does not read a table through the engine it checks. tests/unit/test_ptdec.c pins
 * each decoder to descriptor vectors assembled from the manuals' field tables.
 */
#ifndef TEST_PTDEC_H
#define TEST_PTDEC_H

#include "hyp/pgtable.h"

enum ptdec_type {
	PTDEC_INVALID, /* not present / faults */
	PTDEC_TABLE,   /* next-level table at *addr */
	PTDEC_LEAF,    /* block or page: output *addr, attributes *attr */
	PTDEC_BAD,     /* a reserved or unusable encoding */
};

/*
 * One descriptor @desc at @level (0 = the 512 GiB level) of format @fmt: its type, the
 * address it holds (table or output), and for a leaf its PT_R/W/X/DEVICE attributes.
 */
enum ptdec_type ptdec_desc(enum pt_fmt_id fmt, unsigned int level, u64 desc, u64 *addr,
			   pt_attr_t *attr);

struct ptdec_leaf {
	u64 ia, pa, size, desc;
	pt_attr_t attr;
	unsigned int level;
};

/*
 * Walk all of @pt from its root (pt->root, pt->root_pages concatenated pages at
 * pt->start_level): @leaf for every valid leaf, @table for every table page (root pages
 * included), either may be NULL. Stops at the first non-zero callback value and returns
 * it; -EINVAL (and a description in @err, when not NULL) on a bad descriptor, a
 * misaligned address or a leaf beyond 2^pt->ia_bits.
 */
int ptdec_walk(const struct pt *pt, int (*leaf)(const struct ptdec_leaf *l, void *arg),
	       int (*table)(u64 table_pa, unsigned int level, void *arg), void *arg, char *err,
	       size_t err_len);

/* Translate @ia: 0 and the leaf in *out, or -ENOENT. */
int ptdec_lookup(const struct pt *pt, u64 ia, struct ptdec_leaf *out);

/* The raw descriptor translating @ia and where it sits (for tests that corrupt it). */
u64 *ptdec_leaf_slot(const struct pt *pt, u64 ia, unsigned int *level);

#endif /* TEST_PTDEC_H */
