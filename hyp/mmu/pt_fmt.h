/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Descriptor formats of the page-table engine (internal to hyp/mmu and its tests).
 *
 * A format only encodes and decodes one 64-bit descriptor and states its limits;
 * the walker, the pool, the costs, merging and break-before-make live in
 * pgtable.c and are shared by every format. Levels are numbered the Arm way
 * (3 = 4 KiB pages, 2 = 2 MiB, 1 = 1 GiB, 0 = 512 GiB) for every format.
 *
 * Decoders are strict: a descriptor that cannot appear at the level it is read
 * at (a block at level 0, a 1 GiB leaf in a format without 1 GiB pages, a leaf
 * whose output address has bits below the level's size) decodes as PT_DESC_BAD
 * and the walker panics, so a level mix-up fails loudly instead of translating.
 */
#ifndef HYP_MMU_PT_FMT_H
#define HYP_MMU_PT_FMT_H

#include "hyp/pgtable.h"

#define PT_LEVELS      4
#define PT_LAST_LEVEL  3
#define PT_ENTRIES     512U
#define PT_ENTRY_SHIFT 9

/* Bytes mapped by one entry at @level: 4 KiB at 3, 2 MiB at 2, 1 GiB at 1, 512 GiB at 0. */
static inline unsigned int pt_level_shift(unsigned int level)
{
	return PAGE_SHIFT + PT_ENTRY_SHIFT * (PT_LAST_LEVEL - level);
}

static inline u64 pt_level_size(unsigned int level)
{
	return (u64)1 << pt_level_shift(level);
}

enum pt_desc_type {
	PT_DESC_INVALID, /* faults: nothing mapped */
	PT_DESC_TABLE,	 /* points to a next-level table */
	PT_DESC_LEAF,	 /* block (levels 1, 2) or page (level 3) */
	PT_DESC_BAD,	 /* cannot appear at this level: corrupt or wrong level */
};

struct pt_fmt {
	const char *name;
	u8 min_ia_bits;
	u8 max_ia_bits;
	u8 oa_bits;	/* output addresses must lie below 1 << oa_bits */
	u8 leaf_levels; /* BIT(level) for every level that may hold a leaf */
	bool needs_bbm; /* Arm: break-before-make rules apply (D8.16) */
	/* Start level and number of concatenated root pages for @ia_bits. */
	void (*geometry)(unsigned int ia_bits, u8 *start_level, u8 *root_pages);
	/* Representable form of @attr, or -EINVAL if the format cannot express it. */
	int (*attr_norm)(pt_attr_t attr, pt_attr_t *out);
	u64 (*mk_table)(u64 table_pa);
	u64 (*mk_leaf)(unsigned int level, u64 pa, pt_attr_t attr); /* attr normalised */
	/*
	 * The leaf's output-address bits: mk_leaf(level, pa, attr) is exactly
	 * mk_leaf(level, 0, attr) | (pa & leaf_oa) for every pa, level and attribute, and
	 * mk_leaf(level, 0, attr) has no bit in leaf_oa (test_pgtable *_leaf_oa checks both), so
	 * the engine may build a batch's leaves from one template, found from any leaf.
	 */
	u64 leaf_oa;
	enum pt_desc_type (*type)(u64 desc, unsigned int level);
	u64 (*addr)(u64 desc);	     /* table PA or leaf output address (TABLE/LEAF only) */
	pt_attr_t (*attr)(u64 desc); /* attributes of a leaf */
	u64 (*root_ptr)(const struct pt *pt); /* value for the hardware root register */
};

extern const struct pt_fmt pt_fmt_arm64_s2;
extern const struct pt_fmt pt_fmt_arm64_s1;
extern const struct pt_fmt pt_fmt_x86_ept;
extern const struct pt_fmt pt_fmt_vtd_sl;
extern const struct pt_fmt pt_fmt_vtd_sl_1g;
extern const struct pt_fmt pt_fmt_x86_npt;

/* The format of @id, or NULL for an unknown id. */
const struct pt_fmt *pt_fmt_get(enum pt_fmt_id id);

/*
 * Strict decode used by the walker, the leaf fast paths and the tests: the format's decoder plus
 * the generic checks (leaf allowed at @level, output address aligned to the level). In line: the
 * leaf paths decode an entry per leaf. A last-level entry needs no more than the format's
 * decode: every format has leaves at the last level, and a leaf's output address there is page
 * aligned by every format's address mask (test_pgtable *_leaf_oa and the walker's tests).
 */
static inline enum pt_desc_type pt_desc_type(const struct pt_fmt *f, u64 desc, unsigned int level)
{
	enum pt_desc_type t = f->type(desc, level);

	if (level == PT_LAST_LEVEL)
		return t == PT_DESC_TABLE ? PT_DESC_BAD : t;
	if (t == PT_DESC_LEAF) {
		if (!(f->leaf_levels & BIT(level)))
			return PT_DESC_BAD;
		if (!IS_ALIGNED(f->addr(desc), pt_level_size(level)))
			return PT_DESC_BAD;
	}
	return t;
}

#endif /* HYP_MMU_PT_FMT_H */
