/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The page-table engine: one walker, several descriptor formats.
 *
 * Levels are numbered the Arm way for every format: level 3 maps 4 KiB pages,
 * level 2 2 MiB blocks, level 1 1 GiB blocks, level 0 512 GiB (never a leaf).
 * (x86: PML4 = 0, PDPT = 1, PD = 2, PT = 3.)
 *
 * Every range operation is all-or-nothing: it computes the exact number of
 * table pages it needs, fails with -ENOMEM before touching anything if the pool
 * cannot supply them, then commits (the commit cannot fail). Tables that become
 * uniform are merged back into a block (or an invalid entry) and their pages
 * return to the pool. What must be invalidated is gathered into a few ranges.
 */
#ifndef HYP_PGTABLE_H
#define HYP_PGTABLE_H

#include "hyp/types.h"

enum pt_fmt_id {
	PT_FMT_ARM64_S2,  /* VMSAv8-64 stage 2, 4K granule (Arm ARM D8) */
	PT_FMT_ARM64_S1,  /* VMSAv8-64 stage 1, 4K granule: EL2 and SMMU context descriptors */
	PT_FMT_X86_EPT,	  /* Intel EPT, 4-level (SDM Vol. 3C 29.3) */
	PT_FMT_VTD_SL,	  /* VT-d second-level (VT-d spec 9.8) */
	PT_FMT_X86_NPT,	  /* AMD nested paging, long-mode 4-level (APM Vol. 2 15.25, 5.3) */
	PT_FMT_VTD_SL_1G, /* VT-d second level with 1 GiB leaves (CAP.SLLPS bit 1, VT-d 11.4.2) */
	PT_FMT_NR,
};

/* Format-neutral attributes. */
#define PT_R	  BIT(0)
#define PT_W	  BIT(1)
#define PT_X	  BIT(2)
#define PT_DEVICE BIT(3) /* device memory (Arm Device-nGnRE / x86 UC); else normal WB */
#define PT_RW	  (PT_R | PT_W)
#define PT_RWX	  (PT_R | PT_W | PT_X)
typedef u32 pt_attr_t;

/*
 * Pool of 4 KiB table pages, supplied by the caller (reserved at boot for the
 * host, donated by the host for VMs and IOMMU domains). Exact accounting:
 * nr_total == nr_free + nr_used at all times.
 */
struct pt_pool {
	u64 free_head; /* PA of the first free page (free pages are linked), 0 if none */
	u64 nr_free;
	u64 nr_used;
	u64 nr_total;
	u64 nr_reserved; /* promised to prepared transactions, subset of nr_free */
#ifdef LOCKSTEP_TEST_HOOKS
	/*
	 * Host tests only (mk/core.mk defines LOCKSTEP_TEST_HOOKS; the image has no
	 * such field): k > 0 makes the k-th allocation from now fail (once; the hook
	 * then reads 0); 0 = off.
	 */
	u64 fail_after;
#endif
};

void pt_pool_init(struct pt_pool *pool);
/* Add @n pages at @pa (4 KiB aligned) to the pool. */
void pt_pool_add(struct pt_pool *pool, u64 pa, u64 n);
/* Remove up to @n free, unreserved pages; stores their PAs in @out; returns how many. */
u64 pt_pool_take(struct pt_pool *pool, u64 *out, u64 n);
/* Reserve @n pages for a later commit: -ENOMEM (nothing reserved) if short. */
int pt_pool_reserve(struct pt_pool *pool, u64 n);
void pt_pool_unreserve(struct pt_pool *pool, u64 n);

/* One range to invalidate, with the level of the leaves that changed (TTL hint). */
struct pt_inval {
	u64 ia;
	u64 size;
	u8 level; /* 1..3 when every changed leaf is at this level, 0 = unknown/mixed */
};

#define PT_GATHER_MAX 16
/* Gathered invalidations: adjacent ranges coalesce; overflow degrades to `all`. */
struct pt_gather {
	unsigned int nr;
	bool all; /* too many ranges: invalidate the whole table's address space */
	struct pt_inval r[PT_GATHER_MAX];
};

void pt_gather_init(struct pt_gather *g);
void pt_gather_add(struct pt_gather *g, u64 ia, u64 size, unsigned int level);

struct pt;
struct pt_ops {
	/*
	 * Synchronous invalidation used inside an operation by break-before-make
	 * (write invalid, invalidate, write new). NULL when no walker can hold the
	 * table live (e.g. not yet installed).
	 */
	void (*flush_now)(struct pt *pt, u64 ia, u64 size, unsigned int level);
};

struct pt_deferred;

#define PT_CURSOR_LEVELS 4 /* levels 0..3 */

struct pt {
	enum pt_fmt_id fmt;
	u64 root;      /* PA of the root table (root_pages concatenated pages) */
	u8 root_pages; /* concatenated root tables (Arm stage 2 only), 1..16 */
	u8 start_level;
	u8 ia_bits;    /* input address bits */
	bool coherent; /* walker snoops CPU caches; else clean each written line */
	bool bbm_free; /* all walkers allow block<->table swaps with identical output
				 * without break-before-make (FEAT_BBM level 2 / SMMU BBML2 / x86) */
	struct pt_pool *pool;
	const struct pt_ops *ops;
	void *priv;    /* owner's context for ops */
	u64 nr_tables; /* table pages in use by this table, root included */
	/*
	 * Walk cache (pgtable.c, pt_walk_start): the last-level table that held the
	 * latest page-sized walk and its entry in the level-2 table, so the next walk
	 * in the same 2 MiB starts there instead of at the root. Dropped before any
	 * table page of this table is unlinked, and used only while the level-2 entry
	 * still holds hint_desc. Serialised like every operation.
	 */
	bool leaf_linear; /* the format's leaves encode the output address verbatim (pt_init) */
	bool hint_valid;
	u64 hint_ia; /* 2 MiB-aligned input address the cached table translates */
	u64 hint_table;
	u64 *hint_parent;
	u64 hint_desc; /* *hint_parent when cached: the cache is used only while it matches */
	u64 unlinks;   /* table pages unlinked so far: a struct pt_cursor is valid while it holds */
	/*
	 * When set, tables the operations unlink without a synchronous invalidation (merges
	 * under BBM level 2, emptied tables) join this list and their range the operation's
	 * gather; the owner frees them with pt_dead_release() after its sync.
	 */
	struct pt_deferred *defer;
};

/* Create an empty table (allocates the root pages from @pool). */
int pt_init(struct pt *pt, enum pt_fmt_id fmt, unsigned int ia_bits, bool coherent,
	    struct pt_pool *pool, const struct pt_ops *ops, void *priv);
/* Free every table page (root included) back to the pool. */
void pt_destroy(struct pt *pt);

/*
 * Exact number of table pages the matching operation would take from the pool
 * (merges that would free pages are not subtracted). Negative errno on bad input.
 */
s64 pt_map_cost(const struct pt *pt, u64 ia, u64 size, u64 pa, pt_attr_t attr);
s64 pt_unmap_cost(const struct pt *pt, u64 ia, u64 size);
s64 pt_set_attr_cost(const struct pt *pt, u64 ia, u64 size, pt_attr_t attr);
s64 pt_split_cost(const struct pt *pt, u64 ia, unsigned int level);

/*
 * Range operations. ia, size (and pa) 4 KiB aligned, size > 0, in range of
 * ia_bits. Map uses the largest blocks alignment and attributes allow, splits
 * blocks only where the range boundary cuts them, and merges uniform tables.
 * Returns 0 or -EINVAL / -ERANGE / -ENOMEM (nothing changed on error).
 * @g may be NULL when no walker can hold the table.
 */
int pt_map(struct pt *pt, u64 ia, u64 size, u64 pa, pt_attr_t attr, struct pt_gather *g);
int pt_unmap(struct pt *pt, u64 ia, u64 size, struct pt_gather *g);
/*
 * Leaf fast paths: one leaf of @size (4 KiB, 2 MiB or 1 GiB, where the format has leaves):
 * map into an existing table without merge, unmap a leaf of exactly that size whose table
 * stays non-empty. -EAGAIN means use pt_map() / pt_unmap(); unmap's -ENOENT: no leaf of @size there,
 * and its -EBUSY (commit only): a leaf of @size whose table may empty, nothing written (*pa set:
 * pt_unmap() or pt_unmap_deferred() of exactly that leaf clears it without a split).
 * They are pt_map_leaf_at() / pt_unmap_leaf_at() below; their cursor may be NULL. The unmap
 * joins no gather: its caller adds the range it cleared (as pt_unmap_leaf_run()).
 */
/*
 * A caller's cursor for a run of leaf fast-path calls on one table (docs/mmu.md "Leaf
 * cursor"): per level, the last table the calls descended to, so that the next leaf in the
 * same table costs no descent; and the last attribute normalised. It is used only while the
 * table has unlinked no table page since (pt->unlinks) and the cached table's entry one level
 * up still holds the descriptor it was found through; anything else descends from the root.
 * pt_cursor_init() before the first call; the same cursor may span any mix of operations on
 * its table (they only invalidate it).
 */
struct pt_cursor {
	u64 *table[PT_CURSOR_LEVELS];	     /* NULL: none cached at this level */
	const u64 *parent[PT_CURSOR_LEVELS]; /* its entry in the table one level up */
	u64 parent_desc[PT_CURSOR_LEVELS];   /* *parent when cached */
	u64 key[PT_CURSOR_LEVELS]; /* ia >> the parent level's shift: the region it maps */
	u64 unlinks;		   /* pt->unlinks when cached */
	pt_attr_t attr, norm;	   /* the last attribute and its normalised form */
	bool attr_ok;
	bool hole; /* the last descent that found no table stopped at an invalid entry */
	/*
	 * The invalid entry the last descent stopped at (hole_ptep, NULL: none), at level
	 * hole_level, mapping region hole_key (ia >> its level's shift): a leaf below it in the
	 * same region finds no table either, while the entry still reads 0 and no table was
	 * unlinked (unlinks). So the check pass of a batch into a fresh region descends once.
	 */
	const u64 *hole_ptep;
	u64 hole_key;
	unsigned int hole_level;
	u64 lsize; /* the last leaf size asked (0: none) and its level */
	unsigned int llevel;
	u64 ltmpl;     /* with ltmpl_ok: mk_leaf(llevel, 0, norm), the leaves' template */
	bool ltmpl_ok; /* cleared whenever attr or lsize changes */
};
void pt_cursor_init(struct pt_cursor *c);
/*
 * How many consecutive leaves of @size from @ia (at most @n, and within the one table holding
 * @ia's) are valid leaves of exactly that size: the check pass of an unmap window.
 */
u64 pt_leaf_run(const struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 n);
/*
 * Clear consecutive leaves of @size from @ia (at most @n, within the one table holding @ia's),
 * each a valid leaf of exactly that size with a valid neighbour when it is cleared (so the
 * table cannot empty: pt_unmap_leaf_at()'s test), calling
 * @fn(@arg, pa, @size) for each; returns how many. The first leaf it does not clear is
 * untouched (pt_unmap_leaf_at() says why: -EBUSY, the table's last). Nothing joins a gather:
 * the caller adds the range it cleared (an unmap window's leaves, as one range).
 */
u64 pt_unmap_leaf_run(struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 n,
		      void (*fn)(void *arg, u64 pa, u64 size), void *arg);
int pt_map_leaf_at(struct pt *pt, struct pt_cursor *c, u64 ia, u64 pa, u64 size, pt_attr_t attr,
		   bool commit);
int pt_unmap_leaf_at(struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 *pa, bool commit);
/*
 * Map fast path in two steps, for a batch that checks every entry before writing any: the
 * check (pt_map_leaf_at() with @commit false, but a slot reading 0 in a linear format is not
 * compared with its neighbours: the commit does that) also fills *@s with the slot and the descriptor;
 * pt_map_leaf_commit() later writes it with no descent, if no table was unlinked since and no
 * neighbour written meanwhile continues it. -EAGAIN: write nothing, use pt_map_leaf_at().
 */
struct pt_slot {
	u64 *ptep; /* NULL: no slot (a format whose leaves are not linear) */
	u64 desc;
	u64 unlinks; /* pt->unlinks at the check */
	/*
	 * With ptep NULL in a linear format: the checked leaf (desc, at @ia, level @level) whose
	 * table did not exist at the check (the descent stopped at an invalid entry): the commit
	 * finds the table an earlier entry of the batch created through the cursor, no re-check.
	 */
	u64 ia;
	u64 size;	    /* the leaf's size (pt_map_leaf_prep), 0: no leaf to commit */
	unsigned int level; /* 0: no such leaf */
	/*
	 * With -EAGAIN: the descent proved that nothing maps [ia, ia + size) (it stopped at an
	 * invalid entry above the leaf's level, or the slot is invalid and a neighbour continues
	 * it), so the caller needs no walk to know the range is free.
	 */
	bool unmapped;
};
/* A slot with no leaf to commit (pt_map_leaf_commit_run() stops before it). */
static inline void pt_slot_none(struct pt_slot *s)
{
	s->ptep = NULL;
	s->unmapped = false;
	s->level = 0;
	s->size = 0;
}
int pt_map_leaf_prep(struct pt *pt, struct pt_cursor *c, u64 ia, u64 pa, u64 size, pt_attr_t attr,
		     struct pt_slot *s);
int pt_map_leaf_commit(struct pt *pt, struct pt_cursor *c, const struct pt_slot *s, u64 size);
u64 pt_map_leaf_commit_run(struct pt *pt, struct pt_cursor *c, const struct pt_slot *s, u64 n);
int pt_set_attr(struct pt *pt, u64 ia, u64 size, pt_attr_t attr, struct pt_gather *g);
/*
 * Tables an unmap unlinked, kept for the caller to free once its own invalidation of the
 * gathered ranges has completed (Linux's iommu_iotlb_gather with its freelist): with
 * pt_unmap_deferred() an emptied table costs no synchronous invalidation of its own; its
 * range joins @g and pt_dead_release() returns the pages to the pool after the caller's sync.
 */
#define PT_DEFER_MAX 32
struct pt_deferred {
	unsigned int nr;
	u64 table[PT_DEFER_MAX];
};
void pt_deferred_init(struct pt_deferred *dl);
int pt_unmap_deferred(struct pt *pt, u64 ia, u64 size, struct pt_gather *g, struct pt_deferred *dl);
void pt_dead_release(struct pt *pt, struct pt_deferred *dl);
/*
 * Page sets (docs/mmu.md "Page sets"): one operation on chosen 4 KiB pages of one 2 MiB-aligned
 * region whose last-level table exists. Each chosen entry is written in place (as the range
 * operations would write it, break-before-make included), the live entries that changed are
 * gathered as one range, and the table is merged back only if the entries around the change
 * say it may have become uniform. No table page is taken (a merge only frees one), so there is
 * no cost phase: pt_pages_ok() says whether the table is there (-EAGAIN: no last-level table,
 * use the range operations; -EINVAL / -ERANGE: bad arguments), and pt_pages() returns what it
 * would have said (changing nothing unless 0).
 */
#define PT_PAGES_WORDS 8 /* 512 pages of a 2 MiB region, one bit each */
enum pt_pages_kind { PT_PAGES_MAP, PT_PAGES_UNMAP, PT_PAGES_ATTR };
struct pt_pages {
	enum pt_pages_kind kind;
	u64 ia; /* 2 MiB aligned */
	u64 pa; /* map: output of the region's first page (page i maps pa + i * 4 KiB) */
	pt_attr_t attr;
	u64 bm[PT_PAGES_WORDS]; /* bit i of bm[i / 64]: page ia + i * 4 KiB */
};
int pt_pages_ok(const struct pt *pt, const struct pt_pages *ps);
int pt_pages(struct pt *pt, const struct pt_pages *ps, struct pt_gather *g);
/*
 * What the chosen pages of @ps translate to (its kind, pa and attr unused): @fn for each in
 * ascending order with its index, output address and attributes; -ENOENT at the first that is
 * not mapped, else what @fn returned if non-zero, else 0. Changes nothing.
 */
int pt_pages_lookup(const struct pt *pt, const struct pt_pages *ps,
		    int (*fn)(void *arg, unsigned int i, u64 pa, pt_attr_t attr), void *arg);
/* Split the block covering @ia down to @level keeping every translation. */
int pt_split(struct pt *pt, u64 ia, unsigned int level, struct pt_gather *g);
/* Merge every uniform table inside [ia, ia + size) back into blocks (0 or -EINVAL/-ERANGE). */
int pt_merge(struct pt *pt, u64 ia, u64 size, struct pt_gather *g);

/* A leaf (valid mapping or invalid hole) found by pt_walk. */
struct pt_leaf {
	u64 ia;
	u64 size; /* 4K, 2M, 1G... the entry's span (clipped to the walk range) */
	u64 pa;	  /* output address of leaf->ia (valid only) */
	pt_attr_t attr;
	u8 level;
	bool valid;
};
typedef int (*pt_visit_fn)(const struct pt_leaf *leaf, void *arg);
/* Visit every entry covering [ia, ia + size) in address order; stops on non-zero. */
int pt_walk(const struct pt *pt, u64 ia, u64 size, pt_visit_fn fn, void *arg);
/* Translate one address: 0 and fills pa, attr, level (each may be NULL), or -ENOENT. */
int pt_lookup(const struct pt *pt, u64 ia, u64 *pa, pt_attr_t *attr, unsigned int *level);
/* Visit every table page (root included): for leak / double-use checks. */
int pt_for_each_table(const struct pt *pt, int (*fn)(u64 table_pa, unsigned int level, void *arg),
		      void *arg);

/*
 * MAIR_EL2 / SMMU CD.MAIR layout the PT_FMT_ARM64_S1 format's AttrIndx refers to
 * (Arm ARM "Stage 1 memory type and Cacheability attributes", MAIR_EL2):
 * Attr0 = 0xff Normal Inner/Outer Write-Back RW-allocate, Attr1 = 0x04
 * Device-nGnRE, Attr2 = 0x00 Device-nGnRnE, Attr3 = 0x44 Normal Non-cacheable.
 */
#define PT_ARM64_S1_MAIR	    0x440004ffULL
#define PT_ARM64_S1_MAIR_IDX_NORMAL 0
#define PT_ARM64_S1_MAIR_IDX_DEVICE 1

/* Hardware root pointer values for the table (e.g. VTTBR BADDR, EPTP, SL pointer). */
u64 pt_root_pa(const struct pt *pt);

/*
 * What a format writes, for a driver deciding whether its hardware can walk a table of
 * that format as it is (vtd_sl_shareable: a VT-d unit walking the EPT). A format is
 * described by its own encoders, never by a copy of its bits:
 * pt_fmt_leaf_levels() is BIT(level) of every level the format may put a leaf at (0 for
 * a format this image does not link); pt_fmt_start_level() the first level of a walk of
 * an @ia_bits table (-EINVAL outside the format's widths); pt_fmt_encode() the descriptor
 * written for a leaf of @attr at @level mapping @pa (@table false; @pa aligned to the
 * level), or for a table entry at @level pointing at the table page @pa (@table true):
 * -EINVAL when the format has no such entry or cannot express @attr.
 */
u8 pt_fmt_leaf_levels(enum pt_fmt_id fmt);
int pt_fmt_start_level(enum pt_fmt_id fmt, unsigned int ia_bits);
int pt_fmt_encode(enum pt_fmt_id fmt, unsigned int level, u64 pa, pt_attr_t attr, bool table,
		  u64 *desc);

#endif /* HYP_PGTABLE_H */
