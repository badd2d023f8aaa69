// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page-table engine: one bounded recursive walker (pt_walk_table, at most
 * four levels) with a visitor, and every operation written as a visitor.
 *
 * Every range operation runs in two phases (docs/mmu.md "Two phases"):
 *   1. cost: the same walker visits the range without writing and adds up the
 *      table pages each split would take (pt_split_pages() predicts the pages
 *      below a split arithmetically, since a split table is uniform);
 *   2. prepare: exactly that many pages move from the pool to the operation's
 *      private spare list (any allocation may fail here: -ENOMEM, nothing
 *      written); then commit: the walker visits the range again and writes;
 *      nothing in the commit can fail, and it must use every spare page (the
 *      exactness of the cost is checked at the end of every operation).
 * Both phases take their decisions from one function, pt_decide(), so the cost
 * cannot drift from the commit.
 *
 * After the children of a table have been visited, the table is merged into its
 * parent entry if it became uniform (pt_try_merge()).
 *
 * Locking: none here. The owner of the table (and of its pool) serialises every
 * operation on it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "pt_fmt.h"
#include "pt_pool.h"

/*
 * The formats are weak references here: an image links only the formats its arch's
 * object list names (hyp/arch/<arch>/objects.mk), and pt_fmt_get() answers NULL
 * (pt_init: -EINVAL) for one it did not link. Host tests link them all.
 */
#pragma weak pt_fmt_arm64_s2
#pragma weak pt_fmt_arm64_s1
#pragma weak pt_fmt_x86_ept
#pragma weak pt_fmt_vtd_sl
#pragma weak pt_fmt_vtd_sl_1g
#pragma weak pt_fmt_x86_npt

static const struct pt_fmt *const pt_fmts[PT_FMT_NR] = {
	[PT_FMT_ARM64_S2] = &pt_fmt_arm64_s2, [PT_FMT_ARM64_S1] = &pt_fmt_arm64_s1,
	[PT_FMT_X86_EPT] = &pt_fmt_x86_ept,   [PT_FMT_VTD_SL] = &pt_fmt_vtd_sl,
	[PT_FMT_X86_NPT] = &pt_fmt_x86_npt,   [PT_FMT_VTD_SL_1G] = &pt_fmt_vtd_sl_1g,
};

const struct pt_fmt *pt_fmt_get(enum pt_fmt_id id)
{
	if ((unsigned int)id >= PT_FMT_NR)
		return NULL;
	return pt_fmts[id];
}

static const struct pt_fmt *pt_fmt_of(const struct pt *pt)
{
	return pt_fmts[pt->fmt];
}

/* ---- descriptor access ------------------------------------------------------------------ */

static u64 *pt_table_va(u64 pa)
{
	return plat_phys_to_virt(pa);
}

static u64 pt_read(const u64 *ptep)
{
	return __atomic_load_n(ptep, __ATOMIC_RELAXED);
}

/*
 * Publish one descriptor with a single 64-bit store-release: the walker never
 * sees a torn descriptor, and every earlier write (the contents of a new table)
 * is ordered before the descriptor that makes it reachable (on arm64 STLR
 * orders them for the table walker too, as an observer in the inner-shareable
 * domain). Completion before a TLB invalidation is the flush routine's job
 * (DSB ISHST before TLBI: Arm ARM "Ordering and completion of TLB maintenance
 * instructions").
 */
static void pt_write(const struct pt *pt, u64 *ptep, u64 desc)
{
	__atomic_store_n(ptep, desc, __ATOMIC_RELEASE);
	if (!pt->coherent)
		plat_dcache_clean(ptep, sizeof(*ptep));
}

/* A table page is about to be unlinked: the walk cache and every caller's cursor are stale. */
static void pt_unlinking(struct pt *pt)
{
	pt->hint_valid = false;
	pt->unlinks++;
}

/* ---- the walker -------------------------------------------------------------------------- */

enum pt_visit {
	PT_VISIT_LEAF,	     /* a leaf or an invalid entry; may turn it into a table */
	PT_VISIT_TABLE_PRE,  /* a table entry, before its children */
	PT_VISIT_TABLE_POST, /* a table entry, after its children; may replace it */
};

struct pt_entry {
	u64 *ptep;
	u64 desc;
	u64 ia; /* first input address the entry translates */
	unsigned int level;
};

struct pt_walker {
	const struct pt *pt;
	u64 start, end; /* visit entries intersecting [start, end) */
	int (*visit)(struct pt_walker *w, struct pt_entry *e, enum pt_visit v);
	unsigned int visits; /* BIT(enum pt_visit) the visitor wants */
};

static enum pt_desc_type pt_entry_type(const struct pt_walker *w, const struct pt_entry *e)
{
	enum pt_desc_type t = pt_desc_type(pt_fmt_of(w->pt), e->desc, e->level);

	if (t == PT_DESC_BAD)
		plat_panic("pt: bad %s descriptor %#llx at level %u ia %#llx",
			   pt_fmt_of(w->pt)->name, (unsigned long long)e->desc, e->level,
			   (unsigned long long)e->ia);
	return t;
}

static int pt_walk_table(struct pt_walker *w, u64 table_pa, unsigned int level, u64 table_ia,
			 u64 nr_entries)
{
	const struct pt_fmt *f = pt_fmt_of(w->pt);
	unsigned int shift = pt_level_shift(level);
	u64 *table = pt_table_va(table_pa);
	u64 i = (MAX(w->start, table_ia) - table_ia) >> shift;
	u64 last = MIN((w->end - 1 - table_ia) >> shift, nr_entries - 1);
	int ret;

	for (; i <= last; i++) {
		struct pt_entry e = {
			.ptep = &table[i],
			.desc = pt_read(&table[i]),
			.ia = table_ia + (i << shift),
			.level = level,
		};
		enum pt_desc_type t = pt_entry_type(w, &e);

		if (t != PT_DESC_TABLE) {
			if (!(w->visits & BIT(PT_VISIT_LEAF)))
				continue;
			ret = w->visit(w, &e, PT_VISIT_LEAF);
			if (ret)
				return ret;
			/*
			 * The visitor may have split the entry into a table: walk it. (It
			 * wrote the entry itself, so the format's decoder alone answers.)
			 */
			e.desc = pt_read(e.ptep);
			if (f->type(e.desc, level) != PT_DESC_TABLE)
				continue;
		}
		if (w->visits & BIT(PT_VISIT_TABLE_PRE)) {
			ret = w->visit(w, &e, PT_VISIT_TABLE_PRE);
			if (ret)
				return ret;
		}
		HYP_CHECK(level < PT_LAST_LEVEL);
		ret = pt_walk_table(w, f->addr(e.desc), level + 1, e.ia, PT_ENTRIES);
		if (ret)
			return ret;
		if (w->visits & BIT(PT_VISIT_TABLE_POST)) {
			ret = w->visit(w, &e, PT_VISIT_TABLE_POST);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int pt_walk_root(struct pt_walker *w)
{
	const struct pt *pt = w->pt;

	return pt_walk_table(w, pt->root, pt->start_level, 0, (u64)pt->root_pages * PT_ENTRIES);
}

/*
 * The deepest table whose entries hold all of [w->start, w->end): from the
 * root, descend while the whole range lies under one table entry. Walking from
 * there visits exactly the leaves a walk from the root visits; what it skips are
 * the table entries above, which a page-sized operation would otherwise decode
 * at every level of every call. *@parent (when @has_parent) is that table's
 * entry in its parent.
 */
#define PT_L2_SIZE ((u64)1 << 21) /* span of one last-level table */

struct pt_start {
	u64 table_pa;
	u64 table_ia;
	u64 nr_entries;
	unsigned int level;
	bool has_parent;
	struct pt_entry parent;
};

static void pt_walk_start(const struct pt_walker *w, struct pt_start *s)
{
	const struct pt *pt = w->pt;
	const struct pt_fmt *f = pt_fmt_of(pt);

	if (pt->hint_valid && ALIGN_DOWN(w->start, PT_L2_SIZE) == pt->hint_ia &&
	    ALIGN_DOWN(w->end - 1, PT_L2_SIZE) == pt->hint_ia &&
	    pt_read(pt->hint_parent) == pt->hint_desc) {
		s->table_pa = pt->hint_table;
		s->table_ia = pt->hint_ia;
		s->nr_entries = PT_ENTRIES;
		s->level = PT_LAST_LEVEL;
		s->has_parent = true;
		s->parent = (struct pt_entry){ .ptep = pt->hint_parent,
					       .desc = pt->hint_desc,
					       .ia = pt->hint_ia,
					       .level = PT_LAST_LEVEL - 1 };
		return;
	}
	s->table_pa = pt->root;
	s->table_ia = 0;
	s->nr_entries = (u64)pt->root_pages * PT_ENTRIES;
	s->level = pt->start_level;
	s->has_parent = false;
	while (s->level < PT_LAST_LEVEL) {
		unsigned int shift = pt_level_shift(s->level);
		u64 i = (w->start - s->table_ia) >> shift;
		u64 *ptep = &pt_table_va(s->table_pa)[i];
		u64 desc;

		if (((w->end - 1 - s->table_ia) >> shift) != i)
			break;
		desc = pt_read(ptep);
		if (pt_desc_type(f, desc, s->level) != PT_DESC_TABLE)
			break;
		s->parent = (struct pt_entry){ .ptep = ptep,
					       .desc = desc,
					       .ia = s->table_ia + (i << shift),
					       .level = s->level };
		s->has_parent = true;
		s->table_pa = f->addr(desc);
		s->table_ia = s->parent.ia;
		s->nr_entries = PT_ENTRIES;
		s->level++;
	}
	if (s->level == PT_LAST_LEVEL && s->has_parent) {
		/* The walk cache is the table's own (see struct pt); the caller serialises. */
		struct pt *mpt = (struct pt *)(uintptr_t)pt;

		mpt->hint_valid = true;
		mpt->hint_ia = s->table_ia;
		mpt->hint_table = s->table_pa;
		mpt->hint_parent = s->parent.ptep;
		mpt->hint_desc = s->parent.desc;
	}
}

/* A walk that visits leaves only, from the deepest table holding the range. */
static int pt_walk_leaves_only(struct pt_walker *w)
{
	struct pt_start s;

	pt_walk_start(w, &s);
	return pt_walk_table(w, s.table_pa, s.level, s.table_ia, s.nr_entries);
}

/* ---- argument checks ----------------------------------------------------------------------- */

static int pt_check_range(const struct pt *pt, u64 ia, u64 size)
{
	if (!size || !IS_ALIGNED(ia | size, PAGE_SIZE))
		return -EINVAL;
	if (size > ~ia) /* ia + size wraps */
		return -EINVAL;
	if (ia + size > BIT(pt->ia_bits))
		return -ERANGE;
	return 0;
}

static int pt_check_attr(const struct pt *pt, pt_attr_t attr, pt_attr_t *out)
{
	if (attr & ~(pt_attr_t)(PT_RWX | PT_DEVICE))
		return -EINVAL;
	return pt_fmt_of(pt)->attr_norm(attr, out);
}

/* ---- operations ------------------------------------------------------------------------------ */

enum pt_op_kind { PT_OP_MAP, PT_OP_UNMAP, PT_OP_SET_ATTR, PT_OP_SPLIT, PT_OP_MERGE };

enum pt_act {
	PT_ACT_NONE,  /* the entry already is what the operation wants */
	PT_ACT_WRITE, /* replace the entry with one descriptor (leaf or invalid) */
	PT_ACT_SPLIT, /* turn the entry into a table of the next level and descend */
};

/* What a leaf or invalid entry translates: nothing, or a uniform mapping. */
struct pt_content {
	bool valid;
	u64 pa; /* output address of the entry's first input address */
	pt_attr_t attr;
};

#define PT_DEAD_MAX 16

struct pt_op {
	struct pt_walker w; /* first member: the visitor gets &op->w */
	struct pt *pt;	    /* NULL while costing: nothing may be written */
	enum pt_op_kind kind;
	u64 pa;			  /* map: output address of w.start */
	pt_attr_t attr;		  /* map / set_attr: normalised attributes */
	unsigned int split_level; /* split: leaves must end up at this level or below */
	u64 cost;		  /* table pages the commit will take */
	u64 spare;		  /* prepared pages, linked through their first word */
	u64 nr_spare;
	bool split_valid; /* a valid block was split without a flush: a TLB may hold it */
	struct pt_gather *g;
	/* Unlinked tables, freed once no walker can reach them (pt_dead_flush()). */
	u64 dead[PT_DEAD_MAX];
	unsigned int nr_dead;
	bool dead_flush;	   /* some were unlinked without a synchronous invalidation */
	u64 dead_lo, dead_hi;	   /* input range they translated */
	struct pt_deferred *defer; /* pt_unmap_deferred: hand unflushed dead tables over */
};

static struct pt_op *pt_op_of(struct pt_walker *w)
{
	return (struct pt_op *)w;
}

/* TTL hint for changes in this operation: unknown once a live block was split. */
static unsigned int pt_ttl(const struct pt_op *op, unsigned int level)
{
	return op->split_valid ? 0 : level;
}

/* Content of a leaf or invalid entry (the walker has checked its type). */
static void pt_content_of(const struct pt_fmt *f, u64 desc, unsigned int level,
			  struct pt_content *c)
{
	c->valid = f->type(desc, level) == PT_DESC_LEAF;
	c->pa = c->valid ? f->addr(desc) : 0;
	c->attr = c->valid ? f->attr(desc) : 0;
}

/* The entry at @level starting at @eia lies wholly inside the operation's range. */
static bool pt_covered(const struct pt_op *op, unsigned int level, u64 eia)
{
	return eia >= op->w.start && eia + pt_level_size(level) <= op->w.end;
}

/*
 * The one decision both phases share: what the operation does with an entry at
 * @level starting at @eia whose content is @c. Sets *@desc for PT_ACT_WRITE.
 */
static enum pt_act pt_decide(const struct pt_op *op, unsigned int level, u64 eia,
			     const struct pt_content *c, u64 *desc)
{
	const struct pt_fmt *f = pt_fmt_of(op->w.pt);
	u64 size = pt_level_size(level);
	bool covered = pt_covered(op, level, eia);
	u64 pa;

	switch (op->kind) {
	case PT_OP_MAP:
		/* Already translating the covered part exactly this way: leave it. */
		if (c->valid && c->attr == op->attr && c->pa - eia == op->pa - op->w.start)
			return PT_ACT_NONE;
		pa = op->pa + (eia - op->w.start);
		if (covered && (f->leaf_levels & BIT(level)) && IS_ALIGNED(pa, size)) {
			*desc = f->mk_leaf(level, pa, op->attr);
			return PT_ACT_WRITE;
		}
		return PT_ACT_SPLIT;
	case PT_OP_UNMAP:
		if (!c->valid)
			return PT_ACT_NONE;
		if (covered) {
			*desc = 0;
			return PT_ACT_WRITE;
		}
		return PT_ACT_SPLIT;
	case PT_OP_SET_ATTR:
		if (!c->valid || c->attr == op->attr)
			return PT_ACT_NONE;
		if (covered) {
			*desc = f->mk_leaf(level, c->pa, op->attr);
			return PT_ACT_WRITE;
		}
		return PT_ACT_SPLIT;
	case PT_OP_SPLIT:
		return c->valid && level < op->split_level ? PT_ACT_SPLIT : PT_ACT_NONE;
	case PT_OP_MERGE:
	default:
		return PT_ACT_NONE;
	}
}

static u64 pt_split_pages(const struct pt_op *op, unsigned int level, u64 eia,
			  const struct pt_content *c);

/* Pages needed below child @cia (level @level) of a split entry with content @c at @eia. */
static u64 pt_child_cost(const struct pt_op *op, unsigned int level, u64 cia, u64 eia,
			 const struct pt_content *c)
{
	struct pt_content cc = *c;
	u64 desc;

	if (cc.valid)
		cc.pa = c->pa + (cia - eia);
	if (pt_decide(op, level, cia, &cc, &desc) != PT_ACT_SPLIT)
		return 0;
	return pt_split_pages(op, level, cia, &cc);
}

/*
 * Pages a split of the entry (@level, @eia, content @c) takes: its new table,
 * plus what the children need. The new table is uniform, so only the first and
 * last children the range touches can differ from those in between, which all
 * decide alike: O(levels), not O(entries).
 */
static u64 pt_split_pages(const struct pt_op *op, unsigned int level, u64 eia,
			  const struct pt_content *c)
{
	unsigned int cl = level + 1;
	unsigned int cshift = pt_level_shift(cl);
	u64 lo = MAX(op->w.start, eia), hi = MIN(op->w.end, eia + pt_level_size(level));
	u64 first = (lo - eia) >> cshift, last = (hi - 1 - eia) >> cshift;
	u64 cost = 1;

	HYP_CHECK(level < PT_LAST_LEVEL);
	if (cl == PT_LAST_LEVEL)
		return cost;
	cost += pt_child_cost(op, cl, eia + (first << cshift), eia, c);
	if (last > first)
		cost += pt_child_cost(op, cl, eia + (last << cshift), eia, c);
	if (last > first + 1)
		cost += (last - first - 1) *
			pt_child_cost(op, cl, eia + ((first + 1) << cshift), eia, c);
	return cost;
}

static u64 pt_spare_pop(struct pt_op *op)
{
	u64 pa = op->spare;
	u64 *va;

	if (!pa)
		plat_panic("pt: operation needs more pages than its cost %llu",
			   (unsigned long long)op->cost);
	va = pt_table_va(pa);
	op->spare = va[0];
	va[0] = 0; /* the rest of the page was zeroed by the pool */
	op->nr_spare--;
	return pa;
}

static void pt_flush_now(struct pt_op *op, u64 ia, u64 size, unsigned int level)
{
	struct pt *pt = op->pt;

	if (pt->ops && pt->ops->flush_now)
		pt->ops->flush_now(pt, ia, size, level);
}

/*
 * The "break" of break-before-make (Arm ARM D8.16.1 "Using break-before-make
 * when updating translation table entries"): write an invalid descriptor and
 * invalidate synchronously, so no walker or TLB holds the old entry when the
 * new one is written.
 */
static void pt_break(struct pt_op *op, u64 *ptep, u64 ia, u64 size, unsigned int level)
{
	pt_write(op->pt, ptep, 0);
	pt_flush_now(op, ia, size, level);
}

/* Free unlinked tables once no walker can still hold them. */
static void pt_dead_flush(struct pt_op *op)
{
	unsigned int i;

	if (!op->nr_dead)
		return;
	if (op->defer && op->dead_flush && op->g && op->defer->nr + op->nr_dead <= PT_DEFER_MAX) {
		/*
		 * The caller invalidates @g and syncs before it frees them: their range
		 * joins its gather (level unknown: walk caches too) instead of a flush now.
		 */
		pt_gather_add(op->g, op->dead_lo, op->dead_hi - op->dead_lo, 0);
		for (i = 0; i < op->nr_dead; i++)
			op->defer->table[op->defer->nr++] = op->dead[i];
		op->nr_dead = 0;
		op->dead_flush = false;
		return;
	}
	if (op->dead_flush)
		pt_flush_now(op, op->dead_lo, op->dead_hi - op->dead_lo, 0);
	for (i = 0; i < op->nr_dead; i++)
		pt_pool_free(op->pt->pool, op->dead[i]);
	op->nr_dead = 0;
	op->dead_flush = false;
}

/*
 * @table_pa (which translated [ia, ia + size)) is no longer reachable from the
 * root. A walker may still be inside it (and TLB walk caches may hold it) until
 * an invalidation of its range, so it goes back to the pool only after one: the
 * break already did it when @flushed; else one flush for all the dead tables of
 * the operation, at the end (or when the list is full).
 */
static void pt_dead_add(struct pt_op *op, u64 table_pa, u64 ia, u64 size, bool flushed)
{
	if (op->nr_dead == PT_DEAD_MAX)
		pt_dead_flush(op);
	if (!op->nr_dead) {
		op->dead_lo = ia;
		op->dead_hi = ia + size;
	}
	op->dead[op->nr_dead++] = table_pa;
	pt_unlinking(op->pt);
	op->dead_lo = MIN(op->dead_lo, ia);
	op->dead_hi = MAX(op->dead_hi, ia + size);
	if (!flushed)
		op->dead_flush = true;
	op->pt->nr_tables--;
}

static void pt_replace_leaf(struct pt_op *op, struct pt_entry *e, const struct pt_content *old,
			    u64 desc)
{
	const struct pt_fmt *f = pt_fmt_of(op->pt);
	u64 size = pt_level_size(e->level);

	if (old->valid) {
		/*
		 * Arm ARM D8.16.1: a change of output address or memory type of a
		 * live entry needs break-before-make (FEAT_BBM does not relax that);
		 * a permission-only change or an unmap may be written directly.
		 */
		bool brk = f->needs_bbm && desc &&
			   (f->addr(desc) != old->pa || ((f->attr(desc) ^ old->attr) & PT_DEVICE));

		if (brk)
			pt_break(op, e->ptep, e->ia, size, pt_ttl(op, e->level));
		else
			pt_gather_add(op->g, e->ia, size, pt_ttl(op, e->level));
	}
	pt_write(op->pt, e->ptep, desc);
}

/* Invalidate the live leaf @e: break (Arm) or write invalid and gather it (x86). */
static void pt_drop_leaf(struct pt_op *op, struct pt_entry *e)
{
	u64 size = pt_level_size(e->level);

	if (pt_fmt_of(op->pt)->needs_bbm) {
		pt_break(op, e->ptep, e->ia, size, pt_ttl(op, e->level));
	} else {
		pt_write(op->pt, e->ptep, 0);
		pt_gather_add(op->g, e->ia, size, pt_ttl(op, e->level));
	}
}

/*
 * Replace a leaf or invalid entry with a table of the next level translating
 * exactly the same way. The new table is filled completely (and cleaned) before
 * it is published, so with bbm_free the rest of the block keeps translating.
 */
static void pt_split_entry(struct pt_op *op, struct pt_entry *e, const struct pt_content *c)
{
	struct pt *pt = op->pt;
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int cl = e->level + 1;
	u64 csize = pt_level_size(cl);
	u64 tpa = pt_spare_pop(op);
	u64 *table = pt_table_va(tpa);
	unsigned int i;

	HYP_CHECK(cl <= PT_LAST_LEVEL);
	if (c->valid) {
		HYP_CHECK(f->leaf_levels & BIT(cl));
		for (i = 0; i < PT_ENTRIES; i++)
			table[i] = f->mk_leaf(cl, c->pa + i * csize, c->attr);
	}
	if (!pt->coherent)
		plat_dcache_clean(table, PAGE_SIZE);
	pt->nr_tables++;
	if (c->valid) {
		/*
		 * Block -> table changes the block size of a live translation: Arm ARM
		 * D8.16.1 requires break-before-make unless every walker implements
		 * FEAT_BBM level 2 (D8.16.2) / SMMU BBML2, which allow this exact swap
		 * (identical output and attributes) without a break: pt->bbm_free.
		 */
		if (f->needs_bbm && !pt->bbm_free)
			pt_break(op, e->ptep, e->ia, pt_level_size(e->level), pt_ttl(op, e->level));
		else
			op->split_valid = true; /* TLBs may keep the block: TTL unknown */
	}
	pt_write(pt, e->ptep, f->mk_table(tpa));
}

/*
 * Merge rule: the table under @e becomes one entry if all its entries are
 * invalid (-> invalid entry) or all are valid leaves with identical attributes
 * and contiguous output addresses starting aligned to the parent's size, and the
 * parent level may hold a leaf (-> block). The table page is freed.
 *
 * The check costs what it finds: the entries just outside the part of the table
 * the operation changed ([first, last]) are compared first, moving outwards one
 * entry at a time on both sides, so the nearest entry still in its old state
 * (page-by-page work on a table leaves one right next to the change) stops it
 * after a few compares. Each compare is one load against the raw descriptor
 * expected if the format encodes the output address verbatim (leaf i of a
 * contiguous run = leaf @first + (i - first) * the entry size); an entry that
 * differs is decoded before it counts as a mismatch, and a table of leaves that
 * passes is checked once more entry by entry through the format
 * (pt_table_uniform_exact), so the raw shortcut decides nothing on its own. An
 * empty table needs no second pass: the first one already decoded every entry
 * that is not the invalid one it started from. Only a table that really merges
 * or empties costs all 512 entries, and it frees a table page.
 */
static bool pt_table_uniform_exact(const struct pt_fmt *f, const u64 *table, unsigned int level,
				   u64 *out)
{
	unsigned int cl = level + 1, i;
	u64 csize = pt_level_size(cl), first = pt_read(&table[0]), pa;
	enum pt_desc_type t = pt_desc_type(f, first, cl);
	pt_attr_t attr;

	if (t == PT_DESC_INVALID) {
		/* 0 is the engine's own invalid entry (what every unmap writes): no decode. */
		for (i = 1; i < PT_ENTRIES; i++) {
			u64 d = pt_read(&table[i]);

			if (d && pt_desc_type(f, d, cl) != PT_DESC_INVALID)
				return false;
		}
		*out = 0;
		return true;
	}
	if (t != PT_DESC_LEAF)
		return false;
	pa = f->addr(first);
	attr = f->attr(first);
	if (!(f->leaf_levels & BIT(level)) || !IS_ALIGNED(pa, pt_level_size(level)))
		return false;
	for (i = 1; i < PT_ENTRIES; i++)
		if (pt_read(&table[i]) != f->mk_leaf(cl, pa + i * csize, attr))
			return false;
	*out = f->mk_leaf(level, pa, attr);
	return true;
}

/*
 * Entry @i, whose raw descriptor is not the one expected, still continues entry
 * @first's content (@d0; @step 0: invalid, else the entry size)? An invalid
 * entry need not be 0. For a format whose leaves are linear (pt->leaf_linear) a
 * leaf that differs in raw form cannot pass pt_table_uniform_exact, which compares
 * raw descriptors against the format's own: no decode needed.
 */
static bool pt_entry_continues(const struct pt *pt, const u64 *table, unsigned int cl,
			       unsigned int first, unsigned int i, u64 d0, u64 step)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	u64 d = pt_read(&table[i]);

	if (!step)
		return f->type(d, cl) == PT_DESC_INVALID;
	if (pt->leaf_linear)
		return false;
	return pt_desc_type(f, d, cl) == PT_DESC_LEAF && f->attr(d) == f->attr(d0) &&
	       f->addr(d) + first * step == f->addr(d0) + i * step;
}

/* Would @table (level @level + 1, parent entry at @level) merge? *@out: the parent entry. */
static bool pt_table_uniform(const struct pt *pt, const u64 *table, unsigned int level,
			     unsigned int first, unsigned int last, u64 *out)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int cl = level + 1, k, i;
	u64 d0 = pt_read(&table[first]), step, base;
	enum pt_desc_type t = d0 ? f->type(d0, cl) : PT_DESC_INVALID;

	if (t == PT_DESC_INVALID)
		step = 0;
	else if (t == PT_DESC_LEAF && (f->leaf_levels & BIT(level)))
		step = pt_level_size(cl);
	else
		return false;
	base = d0 - first * step;
	for (k = 1; last + k < PT_ENTRIES || first >= k; k++) {
		i = last + k;
		if (i < PT_ENTRIES && pt_read(&table[i]) != base + i * step &&
		    !pt_entry_continues(pt, table, cl, first, i, d0, step))
			return false;
		if (first >= k) {
			i = first - k;
			if (pt_read(&table[i]) != base + i * step &&
			    !pt_entry_continues(pt, table, cl, first, i, d0, step))
				return false;
		}
	}
	for (i = first + 1; i <= last; i++)
		if (pt_read(&table[i]) != base + i * step &&
		    !pt_entry_continues(pt, table, cl, first, i, d0, step))
			return false;
	if (!step) {
		/*
		 * An empty table: every entry equals @d0 or was decoded invalid by the format
		 * above, and pt_desc_type() says invalid exactly when f->type() does, so the exact
		 * pass would only decode them all again.
		 */
		*out = 0;
		return true;
	}
	return pt_table_uniform_exact(f, table, level, out);
}

/* The part of the table under @e that the operation's range covers: entries [*first, *last]. */
static void pt_op_span(const struct pt_op *op, const struct pt_entry *e, unsigned int *first,
		       unsigned int *last)
{
	unsigned int shift = pt_level_shift(e->level + 1);
	u64 lo = MAX(op->w.start, e->ia), hi = MIN(op->w.end, e->ia + pt_level_size(e->level));

	*first = (unsigned int)((lo - e->ia) >> shift);
	*last = (unsigned int)((hi - 1 - e->ia) >> shift);
}

/* The table under @e would merge into @e: *@desc is the entry it would become. */
static bool pt_merge_check(const struct pt_op *op, const struct pt_entry *e, u64 *desc)
{
	const struct pt_fmt *f = pt_fmt_of(op->w.pt);
	unsigned int first, last;

	pt_op_span(op, e, &first, &last);
	return pt_table_uniform(op->w.pt, pt_table_va(f->addr(e->desc)), e->level, first, last,
				desc);
}

/* Replace table entry @e by @desc, the entry its uniform table merges into. */
static void pt_merge_entry(struct pt_op *op, struct pt_entry *e, u64 desc)
{
	struct pt *pt = op->pt;
	const struct pt_fmt *f = pt_fmt_of(pt);
	u64 size = pt_level_size(e->level);
	u64 tpa = f->addr(e->desc);
	bool flushed = false;

	pt_unlinking(pt); /* the table may be the walk cache's: unlinked below */
	/*
	 * Table -> block with identical output: the same D8.16.1 / FEAT_BBM level 2
	 * rule as a split. (Table -> invalid needs no break: the table is unlinked and
	 * freed only after an invalidation of its range, pt_dead_add().)
	 */
	if (desc && f->needs_bbm && !pt->bbm_free) {
		pt_break(op, e->ptep, e->ia, size, 0);
		flushed = true;
	}
	pt_write(pt, e->ptep, desc);
	e->desc = desc;
	pt_dead_add(op, tpa, e->ia, size, flushed);
}

static void pt_try_merge(struct pt_op *op, struct pt_entry *e)
{
	u64 desc;

	if (pt_merge_check(op, e, &desc))
		pt_merge_entry(op, e, desc);
}

static int pt_op_visit(struct pt_walker *w, struct pt_entry *e, enum pt_visit v)
{
	struct pt_op *op = pt_op_of(w);
	const struct pt_fmt *f = pt_fmt_of(w->pt);
	struct pt_content c;
	u64 desc = 0;

	if (v == PT_VISIT_TABLE_POST) {
		if (op->pt && op->kind != PT_OP_SPLIT)
			pt_try_merge(op, e);
		return 0;
	}
	pt_content_of(f, e->desc, e->level, &c);
	switch (pt_decide(op, e->level, e->ia, &c, &desc)) {
	case PT_ACT_WRITE:
		if (op->pt)
			pt_replace_leaf(op, e, &c, desc);
		break;
	case PT_ACT_SPLIT:
		if (!op->pt) {
			op->cost += pt_split_pages(op, e->level, e->ia, &c);
			break;
		}
		if (op->kind == PT_OP_MAP && c.valid && pt_covered(op, e->level, e->ia)) {
			/*
			 * The whole block gets a new translation that needs smaller
			 * leaves: drop the old one once (one break, or one gathered
			 * range) and build the new one in an empty table, instead of
			 * copying the old block into 512 leaves that each need a break.
			 * The cost is the same: no child of the block translates the
			 * new way already (else the block itself would).
			 */
			pt_drop_leaf(op, e);
			c.valid = false;
		}
		pt_split_entry(op, e, &c);
		break;
	case PT_ACT_NONE:
	default:
		break;
	}
	return 0;
}

static void pt_op_init(struct pt_op *op, const struct pt *pt, enum pt_op_kind kind, u64 ia,
		       u64 size)
{
	/* Everything but the dead-table list, whose slots are written before they are read. */
	memset(op, 0, offsetof(struct pt_op, dead));
	op->nr_dead = 0;
	op->dead_flush = false;
	op->dead_lo = 0;
	op->dead_hi = 0;
	op->defer = pt->defer;
	op->w.pt = pt;
	op->w.start = ia;
	op->w.end = ia + size;
	op->w.visit = pt_op_visit;
	op->w.visits = BIT(PT_VISIT_LEAF) | BIT(PT_VISIT_TABLE_POST);
	op->kind = kind;
}

/*
 * An operation's walk, from the deepest table holding its range (pt_walk_start).
 * Every table above holds that one as a table entry, so none of them can merge
 * unless it does: only when the start table became uniform is the range walked
 * again from the root, merging only (the start table, then whatever above it
 * became uniform with it), as one walk from the root would have.
 */
static void pt_op_walk(struct pt_op *op, const struct pt_start *s)
{
	enum pt_op_kind kind = op->kind;
	u64 desc;

	pt_walk_table(&op->w, s->table_pa, s->level, s->table_ia, s->nr_entries);
	if (!op->pt || kind == PT_OP_SPLIT || !s->has_parent ||
	    !pt_merge_check(op, &s->parent, &desc))
		return;
	op->kind = PT_OP_MERGE;
	pt_walk_root(&op->w);
	op->kind = kind;
}

/*
 * The cost phase over the walk start @s. A range inside one last-level table costs
 * nothing (its entries are 4 KiB leaves or invalid: none splits), so only a range
 * reaching above it is visited.
 */
static u64 pt_op_cost_from(struct pt_op *op, const struct pt_start *s)
{
	op->pt = NULL;
	op->cost = 0;
	if (s->level < PT_LAST_LEVEL)
		pt_op_walk(op, s);
	return op->cost;
}

static u64 pt_op_cost(struct pt_op *op)
{
	struct pt_start s;

	pt_walk_start(&op->w, &s);
	return pt_op_cost_from(op, &s);
}

/*
 * The reservation protocol (docs/mmu.md "Two phases and reservations"):
 * reserved pages belong to a prepared transaction and no table operation takes
 * them. An operation (or a new root) needs @n unreserved free pages. A
 * transaction that reserved the exact costs of its operations releases the
 * reservation with pt_pool_unreserve() right before committing them, under the
 * owner's lock: nobody else can take the pages in between, so the commits
 * cannot fail.
 */
static bool pt_pool_claim(const struct pt_pool *pool, u64 n)
{
	return n <= pool->nr_free - pool->nr_reserved;
}

static int pt_op_prepare(struct pt_op *op, struct pt *pt)
{
	struct pt_pool *pool = pt->pool;
	u64 pa, i;

	if (!pt_pool_claim(pool, op->cost))
		return -ENOMEM;
	for (i = 0; i < op->cost; i++) {
		pa = pt_pool_alloc(pool);
		if (!pa) {
			while (op->nr_spare)
				pt_pool_free(pool, pt_spare_pop(op));
			return -ENOMEM;
		}
		*pt_table_va(pa) = op->spare;
		op->spare = pa;
		op->nr_spare++;
	}
	return 0;
}

static int pt_op_run(struct pt *pt, struct pt_op *op, struct pt_gather *g)
{
	struct pt_start s;
	int ret;

	/* The cost phase writes nothing: the walk start stays valid for the commit. */
	pt_walk_start(&op->w, &s);
	pt_op_cost_from(op, &s);
	ret = pt_op_prepare(op, pt);
	if (ret)
		return ret;
	op->pt = pt;
	op->g = g;
	pt_op_walk(op, &s);
	pt_dead_flush(op);
	if (op->nr_spare)
		plat_panic("pt: %s operation left %llu of %llu prepared pages", pt_fmt_of(pt)->name,
			   (unsigned long long)op->nr_spare, (unsigned long long)op->cost);
	return 0;
}

/* A map's output range: page aligned, no wrap (-EINVAL), inside the format's OA (-ERANGE). */
static int pt_check_oa(const struct pt *pt, u64 size, u64 pa)
{
	if (!IS_ALIGNED(pa, PAGE_SIZE) || size > ~pa)
		return -EINVAL;
	if (pa + size > BIT(pt_fmt_of(pt)->oa_bits))
		return -ERANGE;
	return 0;
}

/* A map's arguments: input range, output range, attributes (normalised into *norm). */
static int pt_map_check(const struct pt *pt, u64 ia, u64 size, u64 pa, pt_attr_t attr,
			pt_attr_t *norm)
{
	int ret = pt_check_range(pt, ia, size);

	if (!ret)
		ret = pt_check_oa(pt, size, pa);
	return ret ? ret : pt_check_attr(pt, attr, norm);
}

static int pt_map_setup(const struct pt *pt, struct pt_op *op, u64 ia, u64 size, u64 pa,
			pt_attr_t attr)
{
	pt_attr_t norm;
	int ret;

	ret = pt_map_check(pt, ia, size, pa, attr, &norm);
	if (ret)
		return ret;
	pt_op_init(op, pt, PT_OP_MAP, ia, size);
	op->pa = pa;
	op->attr = norm;
	return 0;
}

static int pt_set_attr_setup(const struct pt *pt, struct pt_op *op, u64 ia, u64 size,
			     pt_attr_t attr)
{
	pt_attr_t norm;
	int ret;

	ret = pt_check_range(pt, ia, size);
	if (ret)
		return ret;
	ret = pt_check_attr(pt, attr, &norm);
	if (ret)
		return ret;
	pt_op_init(op, pt, PT_OP_SET_ATTR, ia, size);
	op->attr = norm;
	return 0;
}

s64 pt_map_cost(const struct pt *pt, u64 ia, u64 size, u64 pa, pt_attr_t attr)
{
	struct pt_op op;
	int ret = pt_map_setup(pt, &op, ia, size, pa, attr);

	return ret ? ret : (s64)pt_op_cost(&op);
}

s64 pt_unmap_cost(const struct pt *pt, u64 ia, u64 size)
{
	struct pt_op op;
	int ret = pt_check_range(pt, ia, size);

	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_UNMAP, ia, size);
	return (s64)pt_op_cost(&op);
}

s64 pt_set_attr_cost(const struct pt *pt, u64 ia, u64 size, pt_attr_t attr)
{
	struct pt_op op;
	int ret = pt_set_attr_setup(pt, &op, ia, size, attr);

	return ret ? ret : (s64)pt_op_cost(&op);
}

int pt_map(struct pt *pt, u64 ia, u64 size, u64 pa, pt_attr_t attr, struct pt_gather *g)
{
	struct pt_op op;
	int ret = pt_map_setup(pt, &op, ia, size, pa, attr);

	return ret ? ret : pt_op_run(pt, &op, g);
}

/*
 * Leaf fast paths (scattered 4 KiB and 2 MiB DMA mappings): one leaf of @size (4 KiB, or a
 * 2 MiB / 1 GiB block where the format has leaves at that level) into a table that already
 * exists, when pt_map() would do exactly one descriptor write. It would do more only to
 * allocate a table (no table here: -EAGAIN) or to merge the table into a block afterwards,
 * which needs a neighbour continuing the leaf's output (then -EAGAIN too). The slot was
 * invalid, so nothing was cached and nothing is invalidated (as pt_map() filling invalid
 * entries). @commit false: check only. Errors as pt_map(), plus -EEXIST if the slot holds a
 * leaf, and -EAGAIN for a slot holding a table or a size the format has no leaf for.
 */

/* The level whose entries map @size bytes, or 0 (level 0 never holds a leaf). */
static unsigned int pt_size_level(const struct pt *pt, u64 size)
{
	unsigned int level;

	for (level = PT_LAST_LEVEL; level > pt->start_level; level--)
		if (pt_level_size(level) == size)
			return (pt_fmt_of(pt)->leaf_levels & BIT(level)) ? level : 0;
	return 0;
}

void pt_cursor_init(struct pt_cursor *c)
{
	unsigned int l;

	for (l = 0; l < PT_CURSOR_LEVELS; l++)
		c->table[l] = NULL;
	c->attr_ok = false;
	c->ltmpl_ok = false;
	c->hole = false;
	c->hole_ptep = NULL;
	c->lsize = 0;
}

/* Drop what the cursor cached (a table was unlinked since): from now on, @pt's generation. */
static void pt_cursor_forget(struct pt_cursor *c, const struct pt *pt)
{
	unsigned int l;

	for (l = 0; l < PT_CURSOR_LEVELS; l++)
		c->table[l] = NULL;
	c->hole_ptep = NULL;
	c->unlinks = pt->unlinks;
}

/*
 * The table at @level translating @ia when every level above is a table, else NULL; with a
 * cursor, the one cached for @ia's region when still valid (struct pt_cursor), and what the
 * descent found is cached. The root table is never cached (it has no parent entry to check).
 */
static u64 *pt_leaf_table_walk(const struct pt *pt, struct pt_cursor *c, u64 ia,
			       unsigned int leaf_level, unsigned int *idx)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	u64 table_pa = pt->root, *table, desc = 0, *ptep = NULL;
	unsigned int level, i;

	for (level = pt->start_level;; level++) {
		table = pt_table_va(table_pa);
		i = (unsigned int)(ia >> pt_level_shift(level));
		if (level > pt->start_level)
			i &= PT_ENTRIES - 1;
		if (level == leaf_level)
			break;
		ptep = &table[i];
		desc = pt_read(ptep);
		if (pt_desc_type(f, desc, level) != PT_DESC_TABLE) {
			if (c) /* what stopped the descent: nothing mapped there, or a leaf */
				c->hole = pt_desc_type(f, desc, level) == PT_DESC_INVALID;
			/*
			 * An entry reading 0 (invalid in every format): remembered, so that
			 * the next leaf in its region needs no descent to find it again.
			 */
			if (c && !desc) {
				if (c->unlinks != pt->unlinks)
					pt_cursor_forget(c, pt);
				c->hole_ptep = ptep;
				c->hole_level = level;
				c->hole_key = ia >> pt_level_shift(level);
			}
			return NULL;
		}
		table_pa = f->addr(desc);
	}
	if (c && ptep) {
		if (c->unlinks != pt->unlinks) /* one generation for every level */
			pt_cursor_forget(c, pt);
		c->table[level] = table;
		c->parent[level] = ptep;
		c->parent_desc[level] = desc;
		c->key[level] = ia >> pt_level_shift(level - 1);
	}
	*idx = i;
	return table;
}

/* The cursor's hit inline (no call), the descent out of line. */
static inline u64 *pt_leaf_table(const struct pt *pt, struct pt_cursor *c, u64 ia,
				 unsigned int leaf_level, unsigned int *idx)
{
	if (c && leaf_level > pt->start_level && c->table[leaf_level] &&
	    c->unlinks == pt->unlinks &&
	    c->key[leaf_level] == ia >> pt_level_shift(leaf_level - 1) &&
	    pt_read(c->parent[leaf_level]) == c->parent_desc[leaf_level]) {
		*idx = (unsigned int)(ia >> pt_level_shift(leaf_level)) & (PT_ENTRIES - 1);
		return c->table[leaf_level];
	}
	/* Below the invalid entry the last descent stopped at: still no table there. */
	if (c && c->hole_ptep && c->hole_level < leaf_level && c->unlinks == pt->unlinks &&
	    c->hole_key == ia >> pt_level_shift(c->hole_level) && pt_read(c->hole_ptep) == 0) {
		c->hole = true;
		return NULL;
	}
	return pt_leaf_table_walk(pt, c, ia, leaf_level, idx);
}

/* pt_map_check() with the cursor's normalised attribute when @attr is the last one. */
static int pt_map_check_at(const struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 pa,
			   pt_attr_t attr, pt_attr_t *norm)
{
	int ret;

	if (!c || !c->attr_ok || c->attr != attr)
		return pt_map_check(pt, ia, size, pa, attr, norm);
	ret = pt_check_range(pt, ia, size);
	if (!ret)
		ret = pt_check_oa(pt, size, pa);
	if (!ret)
		*norm = c->norm;
	return ret;
}

/*
 * The cursor's leaf template from a leaf just made for its attribute and size: the leaf without
 * its output address (pt_fmt.leaf_oa: no template bit lies among the address bits).
 */
static inline void pt_cursor_template(struct pt_cursor *c, const struct pt_fmt *f, u64 desc)
{
	c->ltmpl = desc & ~f->leaf_oa;
	c->ltmpl_ok = true;
}

static int pt_map_leaf_do(struct pt *pt, struct pt_cursor *c, u64 ia, u64 pa, u64 size,
			  pt_attr_t attr, bool commit, struct pt_slot *s)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int i, level;
	u64 *table, cur, desc;
	pt_attr_t norm;
	int ret;

	ret = pt_map_check_at(pt, c, ia, size, pa, attr, &norm);
	if (ret)
		return ret;
	if (c) { /* the attribute's and the size's decoding, for the next leaf */
		bool fresh = !c->attr_ok || c->attr != attr || c->lsize != size;

		c->attr = attr;
		c->norm = norm;
		c->attr_ok = true;
		if (c->lsize != size) {
			c->llevel = pt_size_level(pt, size);
			c->lsize = size;
		}
		level = c->llevel;
		if (fresh) /* the template is the next leaf's descriptor without its address */
			c->ltmpl_ok = false;
	} else {
		level = pt_size_level(pt, size);
	}
	if (!level || !IS_ALIGNED(ia, size) || !IS_ALIGNED(pa, size))
		return -EAGAIN;
	table = pt_leaf_table(pt, c, ia, level, &i);
	if (!table) {
		if (s && c && c->hole && pt->leaf_linear) { /* for pt_map_leaf_commit() */
			s->ia = ia;
			s->level = level;
			s->desc = f->mk_leaf(level, pa, norm);
			pt_cursor_template(c, f, s->desc);
		}
		if (s && c)
			s->unmapped = c->hole;
		return -EAGAIN;
	}
	cur = pt_read(&table[i]);
	if (cur) { /* 0 is invalid in every format: only another value is decoded */
		enum pt_desc_type t = pt_desc_type(f, cur, level);

		if (t == PT_DESC_LEAF)
			return -EEXIST;
		if (t != PT_DESC_INVALID)
			return -EAGAIN;
	}
	if (s) /* from here on -EAGAIN means a neighbour: the slot itself maps nothing */
		s->unmapped = true;
	/*
	 * A neighbour continuing the leaf's output would let the table merge: pt_map() then.
	 * Linear formats compare raw (pt->leaf_linear: the neighbour's descriptor is ours plus
	 * or minus @size), the others through the format.
	 */
	desc = f->mk_leaf(level, pa, norm);
	if (c)
		pt_cursor_template(c, f, desc);
	if (s && pt->leaf_linear && !cur) {
		/*
		 * The slot: pt_map_leaf_commit() compares the neighbours when it writes (they
		 * may change in between), so a compare here would only be repeated.
		 */
		s->ptep = &table[i];
		s->desc = desc;
		s->unlinks = pt->unlinks;
		return 0;
	}
	if (pt->leaf_linear) {
		if ((i > 0 && pt_read(&table[i - 1]) == desc - size) ||
		    (i < PT_ENTRIES - 1 && pt_read(&table[i + 1]) == desc + size))
			return -EAGAIN;
	} else if ((i > 0 && pt_read(&table[i - 1]) == f->mk_leaf(level, pa - size, norm)) ||
		   (i < PT_ENTRIES - 1 &&
		    pt_read(&table[i + 1]) == f->mk_leaf(level, pa + size, norm))) {
		return -EAGAIN;
	}
	if (commit)
		pt_write(pt, &table[i], desc);
	if (s) { /* no slot: a format whose leaves are not linear, or an invalid non-zero entry */
		s->desc = desc;
		s->unlinks = pt->unlinks;
	}
	return 0;
}

int pt_map_leaf_at(struct pt *pt, struct pt_cursor *c, u64 ia, u64 pa, u64 size, pt_attr_t attr,
		   bool commit)
{
	return pt_map_leaf_do(pt, c, ia, pa, size, attr, commit, NULL);
}

/*
 * The check pass of a batch (pt_map_leaf_do() without commit, with a slot). Its common case
 * in line: a linear format, the cursor's last attribute and leaf size (so no decoding), @ia
 * and @pa aligned to @size and inside the format's ranges, a free slot or no table below a
 * hole. For aligned addresses those ranges need no sum: @size is a level's size, at most the
 * input space's (a leaf level lies below the start level) and a power of two dividing it, so
 * ia < 2^ia_bits gives ia + size <= 2^ia_bits; the same for the output. The leaf is the
 * cursor's template with the output address in (pt_fmt.leaf_oa: no call of the format). Anything
 * else, and a slot holding something, takes pt_map_leaf_do(), which tells the cases apart.
 */
int pt_map_leaf_prep(struct pt *pt, struct pt_cursor *c, u64 ia, u64 pa, u64 size, pt_attr_t attr,
		     struct pt_slot *s)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int i, level = c ? c->llevel : 0;
	u64 *table;

	pt_slot_none(s);
	s->size = size;
	if (!pt->leaf_linear || !c || !c->attr_ok || c->attr != attr || c->lsize != size ||
	    !level || !c->ltmpl_ok || ((ia | pa) & (size - 1)) || ia >> pt->ia_bits ||
	    pa >> f->oa_bits)
		return pt_map_leaf_do(pt, c, ia, pa, size, attr, false, s);
	table = pt_leaf_table(pt, c, ia, level, &i);
	if (!table) {
		if (c->hole) {
			s->ia = ia;
			s->level = level;
			s->desc = c->ltmpl | (pa & f->leaf_oa);
			s->unmapped = true;
		}
		return -EAGAIN;
	}
	if (pt_read(&table[i]))
		return pt_map_leaf_do(pt, c, ia, pa, size, attr, false, s);
	s->unmapped = true;
	s->ptep = &table[i];
	s->desc = c->ltmpl | (pa & f->leaf_oa);
	s->unlinks = pt->unlinks;
	return 0;
}

/* Would the leaf @desc (@size) at @ptep let its table merge: a neighbour continuing it (raw)? */
static inline bool pt_leaf_continued(const u64 *ptep, u64 desc, u64 size)
{
	unsigned int i = (unsigned int)(((uintptr_t)ptep & (PAGE_SIZE - 1)) / sizeof(u64));

	return (i > 0 && pt_read(ptep - 1) == desc - size) ||
	       (i < PT_ENTRIES - 1 && pt_read(ptep + 1) == desc + size);
}

/*
 * The slot's table is still linked when no table was unlinked since the check (an unlinked
 * table, even one handed out again, moves pt->unlinks), so the slot is the one a walk finds;
 * it was invalid then, and only the batch's own earlier entries wrote since: if one of them
 * is a neighbour continuing this leaf (raw compare: the slot exists only for linear formats),
 * the table may now merge, which is pt_map()'s job.
 *
 * A leaf whose table did not exist at the check (slot level set, no ptep) was checked all
 * the same (arguments, alignment, the format's leaf): only its table is looked up now,
 * through @c (the table an earlier entry created), and the leaf written if its slot reads 0
 * and no neighbour continues it; no table, a slot in use or a neighbour: -EAGAIN, pt_map().
 */
static inline __attribute__((always_inline)) int
pt_map_leaf_commit_one(struct pt *pt, struct pt_cursor *c, const struct pt_slot *s, u64 size)
{
	unsigned int i;
	u64 *table;

	if (!s->ptep) {
		if (!s->level || !c || !pt->leaf_linear)
			return -EAGAIN;
		table = pt_leaf_table(pt, c, s->ia, s->level, &i);
		if (!table || pt_read(&table[i]) || pt_leaf_continued(&table[i], s->desc, size))
			return -EAGAIN;
		pt_write(pt, &table[i], s->desc);
		return 0;
	}
	if (s->unlinks != pt->unlinks || pt_leaf_continued(s->ptep, s->desc, size))
		return -EAGAIN;
	HYP_CHECK(pt_read(s->ptep) == 0);
	pt_write(pt, s->ptep, s->desc);
	return 0;
}

int pt_map_leaf_commit(struct pt *pt, struct pt_cursor *c, const struct pt_slot *s, u64 size)
{
	return pt_map_leaf_commit_one(pt, c, s, size);
}

/*
 * A batch's commit: the slots @s[0..@n) in order, each leaf of its prep's size, up to the
 * first that cannot be written (no slot, or pt_map_leaf_commit()'s -EAGAIN: nothing written
 * for it, the caller maps that entry by the general path and goes on after it). One call per
 * run of entries, not one per entry. Returns how many were written.
 */
u64 pt_map_leaf_commit_run(struct pt *pt, struct pt_cursor *c, const struct pt_slot *s, u64 n)
{
	u64 k;

	for (k = 0; k < n; k++)
		if (!s[k].size || pt_map_leaf_commit_one(pt, c, &s[k], s[k].size))
			break;
	return k;
}

/*
 * Leaf fast path for unmap: the leaf of @size translating @ia (its output in *pa). With
 * @commit it is cleared if its table keeps a valid entry next to it, so that pt_unmap() would
 * do exactly one descriptor write: no split (a leaf of exactly that size), no merge (the table
 * is not left empty); the leaf joins @g, to be invalidated as pt_unmap()'s changes are.
 * -ENOENT: no leaf of that size there (invalid, or a leaf of another size); -EAGAIN: no table
 * at that level there, or (@commit) the table may empty: use pt_unmap().
 */
int pt_unmap_leaf_at(struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 *pa, bool commit)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int i, level = pt_size_level(pt, size);
	enum pt_desc_type t;
	u64 *table, desc, d;
	int ret;

	ret = pt_check_range(pt, ia, size);
	if (ret)
		return ret;
	if (!level || !IS_ALIGNED(ia, size))
		return -EAGAIN;
	table = pt_leaf_table(pt, c, ia, level, &i);
	if (!table)
		return -EAGAIN;
	desc = pt_read(&table[i]);
	t = desc ? pt_desc_type(f, desc, level) : PT_DESC_INVALID;
	if (t == PT_DESC_TABLE)
		return -EAGAIN;
	if (t != PT_DESC_LEAF)
		return -ENOENT;
	*pa = f->addr(desc);
	if (!commit)
		return 0;
	/*
	 * A neighbour that is 0 is invalid in every format; another one is decoded by the format
	 * alone (only valid or not matters here: a corrupt one is the walker's to find).
	 */
	if (!(i > 0 && (d = pt_read(&table[i - 1])) && f->type(d, level) != PT_DESC_INVALID) &&
	    !(i < PT_ENTRIES - 1 && (d = pt_read(&table[i + 1])) &&
	      f->type(d, level) != PT_DESC_INVALID))
		return -EBUSY; /* a leaf of @size, but its table may empty: pt_unmap_deferred() */
	pt_write(pt, &table[i], 0);
	return 0;
}

/*
 * The table of a run of @n leaves of @size from @ia (*@level, *@i: its level and @ia's index),
 * or NULL: bad arguments, or no table there.
 */
static inline u64 *pt_run_table(const struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 n,
				unsigned int *level, unsigned int *i)
{
	*level = pt_size_level(pt, size);
	if (!*level || !n || n > PT_ENTRIES || !IS_ALIGNED(ia, size) ||
	    pt_check_range(pt, ia, n * size))
		return NULL;
	return pt_leaf_table(pt, c, ia, *level, i);
}

u64 pt_unmap_leaf_run(struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 n,
		      void (*fn)(void *arg, u64 pa, u64 size), void *arg)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int i, level;
	u64 *table = pt_run_table(pt, c, ia, size, n, &level, &i), k, d, next, e;

	if (!table)
		return 0;
	d = pt_read(&table[i]);
	for (k = 0; k < n && i + k < PT_ENTRIES; k++, d = next) {
		unsigned int j = (unsigned int)(i + k);

		if (!d || pt_desc_type(f, d, level) != PT_DESC_LEAF)
			break;
		/*
		 * The table stays non-empty: a valid neighbour. The left one can be valid only for
		 * the run's first leaf (the others' left one was cleared just before).
		 */
		next = j < PT_ENTRIES - 1 ? pt_read(&table[j + 1]) : 0;
		if (!(next && f->type(next, level) != PT_DESC_INVALID) &&
		    !(k == 0 && j > 0 && (e = pt_read(&table[j - 1])) &&
		      f->type(e, level) != PT_DESC_INVALID))
			break;
		pt_write(pt, &table[j], 0);
		fn(arg, f->addr(d), size);
	}
	return k;
}

u64 pt_leaf_run(const struct pt *pt, struct pt_cursor *c, u64 ia, u64 size, u64 n)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int i, level;
	u64 *table = pt_run_table(pt, c, ia, size, n, &level, &i), k, d;

	if (!table)
		return 0;
	for (k = 0; k < n && i + k < PT_ENTRIES; k++) {
		d = pt_read(&table[i + k]);
		if (!d || pt_desc_type(f, d, level) != PT_DESC_LEAF)
			break;
	}
	return k;
}

/* ---- page sets (docs/mmu.md "Page sets") ------------------------------------------------- */

/* The last-level table translating the 2 MiB region at @ia, or NULL (walk cache first). */
static u64 *pt_region_table(const struct pt *pt, u64 ia, struct pt_start *s)
{
	struct pt_walker w = { .pt = pt, .start = ia, .end = ia + PT_L2_SIZE };

	pt_walk_start(&w, s);
	return s->level == PT_LAST_LEVEL ? pt_table_va(s->table_pa) : NULL;
}

static int pt_pages_check(const struct pt *pt, const struct pt_pages *ps, pt_attr_t *norm)
{
	int ret;

	if (!IS_ALIGNED(ps->ia, PT_L2_SIZE))
		return -EINVAL;
	ret = pt_check_range(pt, ps->ia, PT_L2_SIZE);
	if (ret || ps->kind == PT_PAGES_UNMAP)
		return ret;
	if (ps->kind == PT_PAGES_MAP)
		ret = pt_map_check(pt, ps->ia, PT_L2_SIZE, ps->pa, ps->attr, norm);
	else if (ps->kind == PT_PAGES_ATTR)
		ret = pt_check_attr(pt, ps->attr, norm);
	else
		ret = -EINVAL;
	return ret;
}

int pt_pages_ok(const struct pt *pt, const struct pt_pages *ps)
{
	struct pt_start s;
	pt_attr_t norm;
	int ret = pt_pages_check(pt, ps, &norm);

	if (ret)
		return ret;
	return pt_region_table(pt, ps->ia, &s) ? 0 : -EAGAIN;
}

/* A last-level entry is a page or invalid (the walker's rule: anything else is corrupt). */
static void pt_page_bad(const struct pt *pt, u64 desc, u64 ia)
{
	plat_panic("pt: bad %s descriptor %#llx at level 3 ia %#llx", pt_fmt_of(pt)->name,
		   (unsigned long long)desc, (unsigned long long)ia);
}

static inline bool pt_page_valid(const struct pt *pt, u64 desc, u64 ia)
{
	enum pt_desc_type t = pt_fmt_of(pt)->type(desc, PT_LAST_LEVEL);

	if (t != PT_DESC_LEAF && t != PT_DESC_INVALID)
		pt_page_bad(pt, desc, ia);
	return t == PT_DESC_LEAF;
}

/*
 * The cheap half of the merge check, inline: the entries outwards from the changed span
 * [first, last] continue it, compared raw (linear leaves: entry i of a contiguous run is
 * the first one plus i entry sizes; an invalid entry that is not 0 is decoded). Scattered
 * pages leave a differing entry within a few steps; a table whose PT_PAGES_NEAR entries on
 * each side pass is checked in full by pt_table_uniform().
 */
#define PT_PAGES_NEAR 4
static bool pt_pages_may_merge(const struct pt *pt, const u64 *table, unsigned int first,
			       unsigned int last)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	u64 d0 = pt_read(&table[first]), step = d0 ? PAGE_SIZE : 0, d;
	unsigned int k;

	if (!pt->leaf_linear)
		return true;
	for (k = 1; k <= PT_PAGES_NEAR && (last + k < PT_ENTRIES || first >= k); k++) {
		if (last + k < PT_ENTRIES) {
			d = pt_read(&table[last + k]);
			if (d != d0 + (u64)(last + k - first) * step &&
			    (step || f->type(d, PT_LAST_LEVEL) != PT_DESC_INVALID))
				return false;
		}
		if (first >= k) {
			d = pt_read(&table[first - k]);
			if (d != d0 - (u64)k * step &&
			    (step || f->type(d, PT_LAST_LEVEL) != PT_DESC_INVALID))
				return false;
		}
	}
	return true;
}

int pt_pages(struct pt *pt, const struct pt_pages *ps, struct pt_gather *g)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int w, i, first = PT_ENTRIES, last = 0, lo = PT_ENTRIES, hi = 0;
	u64 *table, bits, old, desc, pa, ia;
	pt_attr_t attr = 0, oattr;
	struct pt_start s;
	bool brk, valid;
	int ret;

	ret = pt_pages_check(pt, ps, &attr);
	if (ret)
		return ret;
	table = pt_region_table(pt, ps->ia, &s);
	if (!table)
		return -EAGAIN;
	for (w = 0; w < PT_PAGES_WORDS; w++) {
		for (bits = ps->bm[w]; bits; bits &= bits - 1) {
			i = w * 64 + (unsigned int)__builtin_ctzll(bits);
			old = pt_read(&table[i]);
			valid = pt_page_valid(pt, old, ps->ia + ((u64)i << PAGE_SHIFT));
			brk = false;
			/* The decisions of pt_decide() and pt_replace_leaf() for one 4 KiB entry. */
			if (ps->kind == PT_PAGES_UNMAP) {
				if (!valid)
					continue;
				desc = 0;
			} else {
				u64 oaddr = valid ? f->addr(old) : 0;

				if (ps->kind == PT_PAGES_ATTR && !valid)
					continue;
				pa = ps->kind == PT_PAGES_MAP ? ps->pa + ((u64)i << PAGE_SHIFT) :
								oaddr;
				oattr = valid ? f->attr(old) : 0;
				if (valid && oattr == attr && oaddr == pa)
					continue;
				desc = f->mk_leaf(PT_LAST_LEVEL, pa, attr);
				/* Arm ARM D8.16.1: a new output or memory type for a live entry. */
				brk = valid && f->needs_bbm &&
				      (oaddr != pa || ((oattr ^ attr) & PT_DEVICE));
			}
			if (brk) {
				ia = ps->ia + ((u64)i << PAGE_SHIFT);
				pt_write(pt, &table[i], 0);
				if (pt->ops && pt->ops->flush_now)
					pt->ops->flush_now(pt, ia, PAGE_SIZE, PT_LAST_LEVEL);
			} else if (valid) {
				if (lo == PT_ENTRIES) /* ascending: the first one is the lowest */
					lo = i;
				hi = i;
			}
			pt_write(pt, &table[i], desc);
			if (first == PT_ENTRIES)
				first = i;
			last = i;
		}
	}
	/* One range for every live entry that changed (the unchanged ones between cost nothing). */
	if (lo <= hi)
		pt_gather_add(g, ps->ia + ((u64)lo << PAGE_SHIFT), (u64)(hi - lo + 1) << PAGE_SHIFT,
			      PT_LAST_LEVEL);
	if (first > last || !pt_pages_may_merge(pt, table, first, last) ||
	    !pt_table_uniform(pt, table, PT_LAST_LEVEL - 1, first, last, &desc))
		return 0;
	/*
	 * The table became uniform: it merges into its entry in the level-2 table, as the range
	 * engine's merge does (pt_merge_entry), and the levels above are merged by the range
	 * engine over the region, which checks the level-2 table around that entry.
	 */
	{
		struct pt_op op;

		pt_op_init(&op, pt, PT_OP_MERGE, ps->ia, PT_L2_SIZE);
		op.pt = pt;
		op.g = g;
		pt_merge_entry(&op, &s.parent, desc);
		pt_dead_flush(&op);
	}
	HYP_CHECK(pt_merge(pt, ps->ia, PT_L2_SIZE, g) == 0);
	return 0;
}

int pt_pages_lookup(const struct pt *pt, const struct pt_pages *ps,
		    int (*fn)(void *arg, unsigned int i, u64 pa, pt_attr_t attr), void *arg)
{
	const struct pt_fmt *f = pt_fmt_of(pt);
	unsigned int w, i, level;
	u64 *table, bits, d, pa = 0;
	pt_attr_t attr = 0;
	struct pt_start s;
	int ret;

	if (!IS_ALIGNED(ps->ia, PT_L2_SIZE))
		return -EINVAL;
	ret = pt_check_range(pt, ps->ia, PT_L2_SIZE);
	if (ret)
		return ret;
	table = pt_region_table(pt, ps->ia, &s);
	/* No last-level table: one entry at level 2 or above covers the whole region. */
	if (!table && pt_lookup(pt, ps->ia, &pa, &attr, &level))
		return -ENOENT;
	for (w = 0; w < PT_PAGES_WORDS; w++) {
		for (bits = ps->bm[w]; bits; bits &= bits - 1) {
			i = w * 64 + (unsigned int)__builtin_ctzll(bits);
			if (table) {
				d = pt_read(&table[i]);
				if (!pt_page_valid(pt, d, ps->ia + ((u64)i << PAGE_SHIFT)))
					return -ENOENT;
				ret = fn(arg, i, f->addr(d), f->attr(d));
			} else {
				ret = fn(arg, i, pa + ((u64)i << PAGE_SHIFT), attr);
			}
			if (ret)
				return ret;
		}
	}
	return 0;
}

int pt_unmap(struct pt *pt, u64 ia, u64 size, struct pt_gather *g)
{
	struct pt_op op;
	int ret = pt_check_range(pt, ia, size);

	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_UNMAP, ia, size);
	return pt_op_run(pt, &op, g);
}

void pt_deferred_init(struct pt_deferred *dl)
{
	dl->nr = 0;
}

int pt_unmap_deferred(struct pt *pt, u64 ia, u64 size, struct pt_gather *g, struct pt_deferred *dl)
{
	struct pt_op op;
	int ret = pt_check_range(pt, ia, size);

	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_UNMAP, ia, size);
	op.defer = dl;
	return pt_op_run(pt, &op, g);
}

void pt_dead_release(struct pt *pt, struct pt_deferred *dl)
{
	unsigned int i;

	for (i = 0; i < dl->nr; i++)
		pt_pool_free(pt->pool, dl->table[i]);
	dl->nr = 0;
}

int pt_set_attr(struct pt *pt, u64 ia, u64 size, pt_attr_t attr, struct pt_gather *g)
{
	struct pt_op op;
	int ret = pt_set_attr_setup(pt, &op, ia, size, attr);

	return ret ? ret : pt_op_run(pt, &op, g);
}

s64 pt_split_cost(const struct pt *pt, u64 ia, unsigned int level)
{
	struct pt_op op;
	int ret;

	if (level <= pt->start_level || level > PT_LAST_LEVEL)
		return -EINVAL;
	ia = ALIGN_DOWN(ia, PAGE_SIZE);
	ret = pt_check_range(pt, ia, PAGE_SIZE);
	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_SPLIT, ia, PAGE_SIZE);
	op.split_level = level;
	return (s64)pt_op_cost(&op);
}

int pt_split(struct pt *pt, u64 ia, unsigned int level, struct pt_gather *g)
{
	struct pt_op op;
	int ret;

	if (level <= pt->start_level || level > PT_LAST_LEVEL)
		return -EINVAL;
	ia = ALIGN_DOWN(ia, PAGE_SIZE);
	ret = pt_check_range(pt, ia, PAGE_SIZE);
	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_SPLIT, ia, PAGE_SIZE);
	op.split_level = level;
	return pt_op_run(pt, &op, g);
}

int pt_merge(struct pt *pt, u64 ia, u64 size, struct pt_gather *g)
{
	struct pt_op op;
	int ret = pt_check_range(pt, ia, size);

	if (ret)
		return ret;
	pt_op_init(&op, pt, PT_OP_MERGE, ia, size);
	return pt_op_run(pt, &op, g);
}

/* ---- creation and destruction ---------------------------------------------------------------- */

/*
 * The format encodes a leaf's output address verbatim: mk_leaf(pa + k * size) ==
 * mk_leaf(pa) + k * size for every leaf level, on a sample of attributes and
 * multiples. Only lets the merge check rule a table out on a raw compare (a
 * table that passes is always verified through the format), so a format this
 * sample misjudges can only miss a merge, never merge wrongly.
 */
static bool pt_fmt_leaf_linear(const struct pt_fmt *f)
{
	static const pt_attr_t attrs[] = { PT_R, PT_RW, PT_RWX, PT_R | PT_X, PT_RW | PT_DEVICE };
	static const u64 mult[] = { 1, 2, 3, 255, 511 };
	unsigned int level, a, k;
	pt_attr_t norm;

	for (level = 1; level <= PT_LAST_LEVEL; level++) {
		u64 size = pt_level_size(level);

		if (!(f->leaf_levels & BIT(level)))
			continue;
		for (a = 0; a < ARRAY_SIZE(attrs); a++) {
			u64 base;

			if (f->attr_norm(attrs[a], &norm))
				continue;
			base = f->mk_leaf(level, 0, norm);
			for (k = 0; k < ARRAY_SIZE(mult); k++)
				if (f->mk_leaf(level, mult[k] * size, norm) !=
				    base + mult[k] * size)
					return false;
		}
	}
	return true;
}

int pt_init(struct pt *pt, enum pt_fmt_id fmt, unsigned int ia_bits, bool coherent,
	    struct pt_pool *pool, const struct pt_ops *ops, void *priv)
{
	const struct pt_fmt *f = pt_fmt_get(fmt);
	u8 start_level, root_pages;
	u64 root;

	if (!f || !pool || ia_bits < f->min_ia_bits || ia_bits > f->max_ia_bits)
		return -EINVAL;
	f->geometry(ia_bits, &start_level, &root_pages);
	if (!pt_pool_claim(pool, root_pages))
		return -ENOMEM;
	root = pt_pool_alloc_contig(pool, root_pages);
	if (!root)
		return -ENOMEM;
	memset(pt, 0, sizeof(*pt));
	pt->fmt = fmt;
	pt->root = root;
	pt->root_pages = root_pages;
	pt->start_level = start_level;
	pt->ia_bits = (u8)ia_bits;
	pt->coherent = coherent;
	pt->pool = pool;
	pt->ops = ops;
	pt->priv = priv;
	pt->nr_tables = root_pages;
	pt->leaf_linear = pt_fmt_leaf_linear(f);
	if (!coherent)
		plat_dcache_clean(pt_table_va(root), (size_t)root_pages * PAGE_SIZE);
	return 0;
}

static int pt_destroy_visit(struct pt_walker *w, struct pt_entry *e, enum pt_visit v)
{
	struct pt *pt = (struct pt *)(uintptr_t)w->pt; /* the destroy walker owns the table */

	(void)v;
	pt_pool_free(pt->pool, pt_fmt_of(pt)->addr(e->desc));
	pt->nr_tables--;
	return 0;
}

void pt_destroy(struct pt *pt)
{
	struct pt_walker w = {
		.pt = pt,
		.start = 0,
		.end = BIT(pt->ia_bits),
		.visit = pt_destroy_visit,
		.visits = BIT(PT_VISIT_TABLE_POST),
	};
	unsigned int i;

	pt_unlinking(pt);
	pt_walk_root(&w);
	for (i = 0; i < pt->root_pages; i++)
		pt_pool_free(pt->pool, pt->root + (u64)i * PAGE_SIZE);
	pt->nr_tables -= pt->root_pages;
	HYP_CHECK(pt->nr_tables == 0);
	pt->root = 0;
	pt->root_pages = 0;
}

/* ---- read-only walks -------------------------------------------------------------------------- */

struct pt_walk_leaves {
	struct pt_walker w;
	pt_visit_fn fn;
	void *arg;
};

static int pt_walk_leaf_visit(struct pt_walker *w, struct pt_entry *e, enum pt_visit v)
{
	struct pt_walk_leaves *wl = (struct pt_walk_leaves *)w;
	const struct pt_fmt *f = pt_fmt_of(w->pt);
	u64 lo = MAX(e->ia, w->start);
	u64 hi = MIN(e->ia + pt_level_size(e->level), w->end);
	struct pt_content c;
	struct pt_leaf leaf;

	(void)v;
	pt_content_of(f, e->desc, e->level, &c);
	leaf.ia = lo;
	leaf.size = hi - lo;
	leaf.pa = c.valid ? c.pa + (lo - e->ia) : 0;
	leaf.attr = c.attr;
	leaf.level = (u8)e->level;
	leaf.valid = c.valid;
	return wl->fn(&leaf, wl->arg);
}

int pt_walk(const struct pt *pt, u64 ia, u64 size, pt_visit_fn fn, void *arg)
{
	struct pt_walk_leaves wl = {
		.w = {
			.pt = pt,
			.start = ia,
			.end = ia + size,
			.visit = pt_walk_leaf_visit,
			.visits = BIT(PT_VISIT_LEAF),
		},
		.fn = fn,
		.arg = arg,
	};
	int ret = pt_check_range(pt, ia, size);

	if (ret)
		return ret;
	return pt_walk_leaves_only(&wl.w);
}

struct pt_lookup_res {
	bool found;
	struct pt_leaf leaf;
};

static int pt_lookup_fn(const struct pt_leaf *leaf, void *arg)
{
	struct pt_lookup_res *res = arg;

	res->found = leaf->valid;
	res->leaf = *leaf;
	return 0;
}

int pt_lookup(const struct pt *pt, u64 ia, u64 *pa, pt_attr_t *attr, unsigned int *level)
{
	struct pt_lookup_res res = { .found = false };
	u64 page = ALIGN_DOWN(ia, PAGE_SIZE);
	int ret;

	ret = pt_walk(pt, page, PAGE_SIZE, pt_lookup_fn, &res);
	if (ret)
		return ret;
	if (!res.found)
		return -ENOENT;
	if (pa)
		*pa = res.leaf.pa + (ia - page);
	if (attr)
		*attr = res.leaf.attr;
	if (level)
		*level = res.leaf.level;
	return 0;
}

struct pt_tables_walk {
	struct pt_walker w;
	int (*fn)(u64 table_pa, unsigned int level, void *arg);
	void *arg;
};

static int pt_tables_visit(struct pt_walker *w, struct pt_entry *e, enum pt_visit v)
{
	struct pt_tables_walk *tw = (struct pt_tables_walk *)w;

	(void)v;
	return tw->fn(pt_fmt_of(w->pt)->addr(e->desc), e->level + 1, tw->arg);
}

int pt_for_each_table(const struct pt *pt, int (*fn)(u64 table_pa, unsigned int level, void *arg),
		      void *arg)
{
	struct pt_tables_walk tw = {
		.w = {
			.pt = pt,
			.start = 0,
			.end = BIT(pt->ia_bits),
			.visit = pt_tables_visit,
			.visits = BIT(PT_VISIT_TABLE_PRE),
		},
		.fn = fn,
		.arg = arg,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < pt->root_pages; i++) {
		ret = fn(pt->root + (u64)i * PAGE_SIZE, pt->start_level, arg);
		if (ret)
			return ret;
	}
	return pt_walk_root(&tw.w);
}

u64 pt_root_pa(const struct pt *pt)
{
	return pt_fmt_of(pt)->root_ptr(pt);
}

u8 pt_fmt_leaf_levels(enum pt_fmt_id fmt)
{
	const struct pt_fmt *f = pt_fmt_get(fmt);

	return f ? f->leaf_levels : 0;
}

int pt_fmt_start_level(enum pt_fmt_id fmt, unsigned int ia_bits)
{
	const struct pt_fmt *f = pt_fmt_get(fmt);
	u8 start_level, root_pages;

	if (!f || ia_bits < f->min_ia_bits || ia_bits > f->max_ia_bits)
		return -EINVAL;
	f->geometry(ia_bits, &start_level, &root_pages);
	return start_level;
}

int pt_fmt_encode(enum pt_fmt_id fmt, unsigned int level, u64 pa, pt_attr_t attr, bool table,
		  u64 *desc)
{
	const struct pt_fmt *f = pt_fmt_get(fmt);
	pt_attr_t norm;

	if (!f || !desc || level > PT_LAST_LEVEL)
		return -EINVAL;
	if (table) {
		if (level == PT_LAST_LEVEL || !IS_ALIGNED(pa, PAGE_SIZE) || pa >> f->oa_bits)
			return -EINVAL;
		*desc = f->mk_table(pa);
		return 0;
	}
	if (!(f->leaf_levels & BIT(level)) || !IS_ALIGNED(pa, pt_level_size(level)) ||
	    pa >> f->oa_bits || f->attr_norm(attr, &norm))
		return -EINVAL;
	*desc = f->mk_leaf(level, pa, norm);
	return 0;
}
