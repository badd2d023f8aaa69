// SPDX-License-Identifier: GPL-2.0-only
/* Unit-test helpers (see harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "harness.h"

void th_reset(void)
{
	fake_mem_reset();
}

void th_pool_fill(struct pt_pool *pool, u64 pages)
{
	pt_pool_init(pool);
	pt_pool_add(pool, fake_alloc_pages(pages, 16 * PAGE_SIZE), pages);
}

static void th_flush_now(struct pt *pt, u64 ia, u64 size, unsigned int level)
{
	struct th_pt *t = pt->priv;

	t->flushes++;
	/* A break-before-make flush runs while the entry is invalid. */
	if (pt_lookup(pt, ia, NULL, NULL, NULL) == 0)
		t->flush_saw_valid++;
	t->last_flush_ia = ia;
	t->last_flush_size = size;
	t->last_flush_level = level;
}

const struct pt_ops th_ops = { .flush_now = th_flush_now };

int th_pt_init(struct th_pt *t, enum pt_fmt_id fmt, unsigned int ia_bits, struct pt_pool *pool)
{
	memset(t, 0, sizeof(*t));
	return pt_init(&t->pt, fmt, ia_bits, false, pool, &th_ops, t);
}

static void *th_grow(void *p, u64 *cap, u64 need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = need * 2 + 64;
	p = realloc(p, *cap * elem);
	if (!p)
		abort();
	return p;
}

static int th_snap_leaf(const struct pt_leaf *leaf, void *arg)
{
	struct th_snap *s = arg;

	s->leaves = th_grow(s->leaves, &s->cap_leaves, s->nr_leaves + 1, sizeof(*s->leaves));
	s->leaves[s->nr_leaves++] = *leaf;
	return 0;
}

static int th_snap_table(u64 pa, unsigned int level, void *arg)
{
	struct th_snap *s = arg;

	s->tables = th_grow(s->tables, &s->cap_tables, s->nr_tables + 1, sizeof(*s->tables));
	s->tables[s->nr_tables++] = (pa << 2) | level;
	return 0;
}

void th_snap_take(struct th_snap *s, const struct pt *pt)
{
	memset(s, 0, sizeof(*s));
	if (pt_walk(pt, 0, (u64)1 << pt->ia_bits, th_snap_leaf, s))
		abort();
	pt_for_each_table(pt, th_snap_table, s);
	s->pt_nr_tables = pt->nr_tables;
	s->pool = *pt->pool;
}

int th_snap_cmp(const struct th_snap *a, const struct th_snap *b)
{
	u64 i;

	if (a->nr_leaves != b->nr_leaves) {
		printf("# snapshot: %llu leaves vs %llu\n", (unsigned long long)a->nr_leaves,
		       (unsigned long long)b->nr_leaves);
		return 1;
	}
	for (i = 0; i < a->nr_leaves; i++) {
		const struct pt_leaf *x = &a->leaves[i], *y = &b->leaves[i];

		if (x->ia != y->ia || x->size != y->size || x->valid != y->valid ||
		    x->level != y->level || (x->valid && (x->pa != y->pa || x->attr != y->attr))) {
			printf("# snapshot: leaf %llu differs: ia %#llx size %#llx pa %#llx attr %x "
			       "level %u valid %d vs ia %#llx size %#llx pa %#llx attr %x level %u "
			       "valid %d\n",
			       (unsigned long long)i, (unsigned long long)x->ia,
			       (unsigned long long)x->size, (unsigned long long)x->pa, x->attr,
			       x->level, x->valid, (unsigned long long)y->ia,
			       (unsigned long long)y->size, (unsigned long long)y->pa, y->attr,
			       y->level, y->valid);
			return 1;
		}
	}
	if (a->nr_tables != b->nr_tables ||
	    memcmp(a->tables, b->tables, a->nr_tables * sizeof(*a->tables))) {
		printf("# snapshot: table pages differ (%llu vs %llu)\n",
		       (unsigned long long)a->nr_tables, (unsigned long long)b->nr_tables);
		return 1;
	}
	if (a->pt_nr_tables != b->pt_nr_tables || a->pool.nr_free != b->pool.nr_free ||
	    a->pool.nr_used != b->pool.nr_used || a->pool.nr_total != b->pool.nr_total ||
	    a->pool.nr_reserved != b->pool.nr_reserved) {
		printf("# snapshot: counters differ: nr_tables %llu/%llu free %llu/%llu used "
		       "%llu/%llu reserved %llu/%llu\n",
		       (unsigned long long)a->pt_nr_tables, (unsigned long long)b->pt_nr_tables,
		       (unsigned long long)a->pool.nr_free, (unsigned long long)b->pool.nr_free,
		       (unsigned long long)a->pool.nr_used, (unsigned long long)b->pool.nr_used,
		       (unsigned long long)a->pool.nr_reserved,
		       (unsigned long long)b->pool.nr_reserved);
		return 1;
	}
	return 0;
}

void th_snap_free(struct th_snap *s)
{
	free(s->leaves);
	free(s->tables);
	memset(s, 0, sizeof(*s));
}

static int th_cleaned_table(u64 pa, unsigned int level, void *arg)
{
	(void)arg;
	if (fake_poc_equal(pa, PAGE_SIZE))
		return 0;
	printf("# table page %#llx (level %u) has writes not cleaned to the PoC\n",
	       (unsigned long long)pa, level);
	return 1;
}

int th_check_cleaned(const struct pt *pt)
{
	return pt_for_each_table(pt, th_cleaned_table, NULL);
}

static int th_count_table(u64 pa, unsigned int level, void *arg)
{
	(void)pa;
	(void)level;
	(*(u64 *)arg)++;
	return 0;
}

u64 th_count_tables(const struct pt *pt)
{
	u64 n = 0;

	pt_for_each_table(pt, th_count_table, &n);
	return n;
}

struct th_leaf_count {
	unsigned int level;
	u64 n;
};

static int th_count_leaf(const struct pt_leaf *leaf, void *arg)
{
	struct th_leaf_count *c = arg;

	if (leaf->valid && leaf->level == c->level)
		c->n++;
	return 0;
}

u64 th_count_leaves(const struct pt *pt, u64 ia, u64 size, unsigned int level)
{
	struct th_leaf_count c = { .level = level, .n = 0 };

	pt_walk(pt, ia, size, th_count_leaf, &c);
	return c.n;
}

static FILE *th_log_file;
static int th_log_saved = -1;
static char th_log_buf[1 << 16];

void th_log_start(void)
{
	fflush(stderr);
	th_log_file = tmpfile();
	if (!th_log_file)
		abort();
	th_log_saved = dup(2);
	if (th_log_saved < 0 || dup2(fileno(th_log_file), 2) < 0)
		abort();
	setenv("LOCKSTEP_LOG", "1", 1);
}

const char *th_log_end(void)
{
	size_t n;

	fflush(stderr);
	if (dup2(th_log_saved, 2) < 0)
		abort();
	close(th_log_saved);
	th_log_saved = -1;
	unsetenv("LOCKSTEP_LOG");
	rewind(th_log_file);
	n = fread(th_log_buf, 1, sizeof(th_log_buf) - 1, th_log_file);
	th_log_buf[n] = 0;
	fclose(th_log_file);
	th_log_file = NULL;
	return th_log_buf;
}
