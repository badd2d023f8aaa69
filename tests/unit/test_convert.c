// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page-bitmap conversions (LS_FN_VM_CONVERT_BITMAP, docs/hypercalls.md) and the page-set fast
 * path under every 4 KiB conversion (docs/ownership.md "Page bitmaps", docs/mmu.md "Page
 * sets"), through the real dispatcher, with mirrored and shared IOMMU domains on both sides:
 * what a bitmap converts (and what it leaves), all or nothing on every error, exact pool
 * shortfalls, merge-back, one invalidation and one sync per view, and the same translations
 * and database as one LS_FN_VM_SHARE_HOST per page. The invariant checker runs after every step.
 * Also the range conversions (LS_FN_VM_SHARE_HOST_RANGE / LS_FN_VM_UNSHARE_HOST_RANGE): several
 * 2 MiB windows in one call with the syncs of one window, cut where the runs do not fit (and
 * the cut's roll-back of a run that grew into the window left out), the
 * budget's window with ZERO, and the plain calls' results on a refusal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define WIN SZ_2M /* the VM's window under test: IPA [WIN, 2 * WIN) */

static struct env_rec dom_rec[4];
static u32 vm;
static u64 base_pa; /* the window's pages: base_pa + i pages, donated as one 2 MiB block */

static void attach_doms(u32 who, struct env_rec *rec)
{
	struct own_res res;
	unsigned int idx;

	assert_int_equal(own_dom_attach(who, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &rec[0],
					&idx, &res),
			 0);
	assert_int_equal(own_dom_attach(who, false, PT_FMT_ARM64_S2, true, &env_rec_ops, &rec[1],
					&idx, &res),
			 0);
}

static int setup(void **state)
{
	struct hvc_regs r;

	(void)state;
	env_setup(64);
	memset(dom_rec, 0, sizeof(dom_rec));
	attach_doms(OWN_HOST, &dom_rec[0]);
	vm = env_vm_create(64, 40);
	attach_doms(vm, &dom_rec[2]);
	base_pa = env_host_pages(512, SZ_2M);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, base_pa, WIN, 512, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static const struct pt *mirror_pt(u32 who)
{
	const struct own_view *v = own_view_of(who);
	unsigned int i;

	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			return &v->dom[i].pt;
	return NULL;
}

static void bm_set(u64 *bm, unsigned int i)
{
	bm[i / 64] |= 1ULL << (i % 64);
}

static bool bm_test(const u64 *bm, unsigned int i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

/* LS_FN_VM_CONVERT_BITMAP of @bm over the window at @ipa; *done = x1. */
static s64 convert(u32 v, u64 ipa, u64 dir, u64 flags, const u64 *bm, u64 *done)
{
	struct hvc_regs r;
	unsigned int i;
	s64 st;

	memset(&r, 0, sizeof(r));
	r.x[1] = v;
	r.x[2] = ipa;
	r.x[3] = dir;
	r.x[4] = flags;
	for (i = 0; i < LS_CONVERT_BITMAP_REGS; i++)
		r.x[5 + i] = bm[i];
	st = env_hvc_regs(LS_FN_VM_CONVERT_BITMAP, &r);
	if (done)
		*done = r.x[1];
	return st;
}

static u64 tables(void)
{
	return own_pool_of(OWN_HOST)->nr_used + own_pool_of(vm)->nr_used;
}

/* Page i of the window: shared (host borrows it, RW everywhere) or private (VM only, RWX). */
static void expect_page(unsigned int i, bool shared)
{
	u64 pa = base_pa + ((u64)i << PAGE_SHIFT), ipa = WIN + ((u64)i << PAGE_SHIFT), out;
	const struct pt *vt[2] = { &own_view_of(vm)->cpu, mirror_pt(vm) };
	const struct pt *ht[2] = { &own_view_of(OWN_HOST)->cpu, mirror_pt(OWN_HOST) };
	pt_attr_t attr;
	unsigned int k;

	assert_int_equal(own_page_state(vm, pa), shared ? OWN_SHARED_OWNED : OWN_OWNED);
	assert_int_equal(own_page_state(OWN_HOST, pa), shared ? OWN_SHARED_BORROWED : OWN_NOPAGE);
	for (k = 0; k < 2; k++) {
		assert_int_equal(pt_lookup(vt[k], ipa, &out, &attr, NULL), 0);
		assert_int_equal(out, pa);
		assert_int_equal(attr & PT_RWX, shared ? PT_RW : PT_RWX);
		if (!shared) {
			assert_int_equal(pt_lookup(ht[k], pa, &out, &attr, NULL), -ENOENT);
			continue;
		}
		assert_int_equal(pt_lookup(ht[k], pa, &out, &attr, NULL), 0);
		assert_int_equal(out, pa);
		assert_int_equal(attr & PT_RWX, PT_RW);
	}
}

static void expect_window(const u64 *shared)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		expect_page(i, bm_test(shared, i));
}

/* A scattered set: single pages at both ends and in between, and one run of 64. */
static void scattered(u64 *bm)
{
	static const unsigned int one[] = { 0, 2, 5, 63, 64, 100, 130, 300, 509, 511 };
	unsigned int i;

	memset(bm, 0, 8 * sizeof(u64));
	for (i = 0; i < ARRAY_SIZE(one); i++)
		bm_set(bm, one[i]);
	for (i = 200; i < 264; i++)
		bm_set(bm, i);
}

static u64 syncs(void)
{
	return env_cpu_rec.syncs + dom_rec[0].syncs + dom_rec[1].syncs + dom_rec[2].syncs +
	       dom_rec[3].syncs;
}

/* The VM's CPU table and its mirror allow block <-> table swaps without a break (BBM level 2). */
static void vm_bbm_free(bool on)
{
	struct own_view *v = (struct own_view *)own_view_of(vm);
	unsigned int i;

	v->cpu.bbm_free = on;
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->dom[i].used && v->dom[i].mirrored)
			v->dom[i].pt.bbm_free = on;
}

/*
 * Scattered pages to shared and back in one call each: exactly those pages change, every
 * table merges back, one sync per table of each view. The tables then exist (a first share
 * split the VM's block): the second round goes through the page-set fast path alone.
 */
static void share_unshare(void **state)
{
	u64 bm[8], none[8] = { 0 }, done, t0 = tables(), s0;
	unsigned int round;

	(void)state;
	scattered(bm);
	assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
	for (round = 0; round < 2; round++) {
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_OK);
		assert_int_equal(done, 10 + 64);
		INV_ASSERT();
		expect_window(bm);
		/* VM stage-2 + mirror split (2, VM pool), host + mirror last-level tables (2). */
		assert_int_equal(tables(), t0 + 4);
		/* Unshared pages lose consent: the next round asks the guest again. */
		if (round == 1)
			vm_bbm_free(true);
		s0 = syncs();
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, &done), LS_OK);
		assert_int_equal(done, 74);
		/*
		 * Each view once: host (CPU, mirror, shared domain), VM (the same three). The
		 * four last-level tables that go away (the host's two emptied, the VM's two merged
		 * back into its block) are freed after their view's sync, their ranges in its
		 * gathers. The VM's merges are table -> block swaps: without FEAT_BBM level 2
		 * (round 0) each is a break-before-make with its own synchronous invalidation (the
		 * CPU table's syncs its view's three, the mirror's its own): 6 + 3 + 1; with it
		 * (round 1) none: 6.
		 */
		assert_int_equal(syncs() - s0, round ? 6 : 10);
		vm_bbm_free(false);
		INV_ASSERT();
		expect_window(none);
		assert_int_equal(tables(), t0);
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_EPERM);
		assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
		/* Split once more, then only the page sets: share half, then the rest. */
		if (round == 0) {
			u64 one[8] = { 1 }; /* page 0 */

			assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, one, &done),
					 LS_OK);
			bm[0] &= ~1ULL;
			s0 = syncs();
			assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done),
					 LS_OK);
			/*
			 * The VM's view once (its live entries lost execute: CPU, mirror, shared
			 * domain); the host's new entries were invalid: nothing to invalidate.
			 */
			assert_int_equal(syncs() - s0, 3);
			bm[0] |= 1;
			expect_window(bm);
			assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, &done),
					 LS_OK);
			expect_window(none);
			assert_int_equal(tables(), t0);
			assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
		}
	}
}

/* Every page of the window, one bit at a time and all at once: the table merges back. */
static void whole_window(void **state)
{
	u64 bm[8], done, t0 = tables();
	unsigned int i;

	(void)state;
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_OK);
	assert_int_equal(done, 512);
	expect_window(bm);
	INV_ASSERT();
	/* Uniform again: shared RW in every table, no table kept. */
	assert_int_equal(tables(), t0);
	for (i = 0; i < 512; i += 3) {
		u64 one[8] = { 0 };

		bm_set(one, i);
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, LS_CONVERT_ZERO, one,
					 &done),
				 LS_OK);
		bm[i / 64] &= ~(1ULL << (i % 64));
	}
	expect_window(bm);
	INV_ASSERT();
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, &done), LS_OK);
	assert_int_equal(done, 512 - 171);
	memset(bm, 0, sizeof(bm));
	expect_window(bm);
	assert_int_equal(tables(), t0);
	INV_ASSERT();
}

/* Every refusal changes nothing: no table, no entry, no pool, no invalidation. */
static void all_or_nothing(void **state)
{
	u64 bm[8], one[8] = { 0 }, snap, s0, done, pa2;
	struct hvc_regs r;

	(void)state;
	scattered(bm);
	/* Consent on every page but one named page (300). */
	assert_int_equal(env_guest_mem(vm, true, WIN, 300, NULL), LS_OK);
	assert_int_equal(env_guest_mem(vm, true, WIN + 301 * PAGE_SIZE, 211, NULL), LS_OK);
	snap = env_snapshot();
	s0 = syncs();
	done = 1;
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_EPERM);
	assert_int_equal(done, 0);
	/* Unshare of pages that are private. */
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, NULL), LS_EPERM);
	/* Arguments. */
	assert_int_equal(convert(vm, WIN + PAGE_SIZE, LS_CONVERT_TO_SHARED, 0, bm, NULL),
			 LS_EINVAL);
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, one, NULL), LS_EINVAL);
	assert_int_equal(convert(vm, WIN, 2, 0, bm, NULL), LS_EINVAL);
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 2, bm, NULL), LS_EINVAL);
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 1ULL << 32, bm, NULL), LS_EINVAL);
	assert_int_equal(convert(vm + 1, WIN, LS_CONVERT_TO_SHARED, 0, bm, NULL), LS_ENOENT);
	assert_int_equal(convert(99, WIN, LS_CONVERT_TO_SHARED, 0, bm, NULL), LS_ENOENT);
	assert_int_equal(convert(vm, 1ULL << 40, LS_CONVERT_TO_SHARED, 0, bm, NULL), LS_ERANGE);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(syncs(), s0);
	/* A page the VM does not have (the next window is empty but for one page). */
	pa2 = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa2, 2 * WIN, 1, &r), LS_OK);
	assert_int_equal(env_guest_mem(vm, true, 2 * WIN, 1, NULL), LS_OK);
	snap = env_snapshot();
	s0 = syncs();
	bm_set(one, 0);
	bm_set(one, 1);
	assert_int_equal(convert(vm, 2 * WIN, LS_CONVERT_TO_SHARED, 0, one, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(syncs(), s0);
	INV_ASSERT();
	/* With page 300 consenting, the same call converts them all. */
	assert_int_equal(env_guest_mem(vm, true, WIN + 300 * PAGE_SIZE, 1, NULL), LS_OK);
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_OK);
	assert_int_equal(done, 74);
	expect_window(bm);
	INV_ASSERT();
	/* Now one named page private again (the guest took it back): unshare refused. */
	assert_int_equal(env_guest_mem(vm, false, WIN + 130 * PAGE_SIZE, 1, NULL), LS_OK);
	snap = env_snapshot();
	assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	/* From a VM: refused. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_CONVERT_BITMAP, vm, WIN, &r), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/* Hold all but @avail free pages of @who's pool. */
static u64 squeeze(u32 who, u64 avail)
{
	struct pt_pool *p = (struct pt_pool *)own_pool_of(who);
	u64 hold = p->nr_free - p->nr_reserved - avail;

	assert_int_equal(pt_pool_reserve(p, hold), 0);
	return hold;
}

/*
 * Pool shortfalls: the exact pages each pool lacks (the host's asked first), nothing changed,
 * for every shortfall; then the call succeeds with exactly that many.
 */
static void shortfalls(void **state)
{
	u64 bm[8], snap, hold, done, s;
	u32 who[2] = { OWN_HOST, 0 };
	u64 need[2] = { 2, 2 }; /* host CPU + mirror last-level tables; VM CPU + mirror splits */
	unsigned int k;
	s64 st;

	(void)state;
	who[1] = vm;
	scattered(bm);
	assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
	for (k = 0; k < 2; k++) {
		for (s = 1; s <= need[k]; s++) {
			struct hvc_regs r;
			unsigned int i;

			hold = squeeze(who[k], need[k] - s);
			snap = env_snapshot();
			memset(&r, 0, sizeof(r));
			r.x[1] = vm;
			r.x[2] = WIN;
			r.x[3] = LS_CONVERT_TO_SHARED;
			for (i = 0; i < 8; i++)
				r.x[5 + i] = bm[i];
			st = env_hvc_regs(LS_FN_VM_CONVERT_BITMAP, &r);
			assert_int_equal(env_snapshot(), snap);
			pt_pool_unreserve((struct pt_pool *)own_pool_of(who[k]), hold);
			assert_int_equal(st, LS_ENOMEM);
			assert_int_equal(r.x[1], s);
			assert_int_equal(r.x[2], who[k] == OWN_HOST ? LS_POOL_HOST : vm);
			INV_ASSERT();
		}
	}
	hold = squeeze(OWN_HOST, need[0]);
	s = squeeze(vm, need[1]);
	st = convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done);
	pt_pool_unreserve((struct pt_pool *)own_pool_of(OWN_HOST), hold);
	pt_pool_unreserve((struct pt_pool *)own_pool_of(vm), s);
	assert_int_equal(st, LS_OK);
	expect_window(bm);
	/* Back to private only frees tables: nothing to allocate with both pools empty. */
	hold = squeeze(OWN_HOST, 0);
	s = squeeze(vm, 0);
	st = convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, &done);
	pt_pool_unreserve((struct pt_pool *)own_pool_of(OWN_HOST), hold);
	pt_pool_unreserve((struct pt_pool *)own_pool_of(vm), s);
	assert_int_equal(st, LS_OK);
	INV_ASSERT();
}

/* What each table translates for every page of the window, and the DB entries. */
static u64 window_state(void)
{
	const struct pt *t[4] = { &own_view_of(vm)->cpu, mirror_pt(vm), &own_view_of(OWN_HOST)->cpu,
				  mirror_pt(OWN_HOST) };
	u64 h = 1469598103934665603ULL, pa, v;
	pt_attr_t attr;
	unsigned int i, k, lvl;
	u16 e;

	for (i = 0; i < 512; i++) {
		for (k = 0; k < 4; k++) {
			u64 ia = (k < 2 ? WIN : base_pa) + ((u64)i << PAGE_SHIFT);
			int ret = pt_lookup(t[k], ia, &pa, &attr, &lvl);

			v = ret ? 0 : pa ^ ((u64)attr << 56) ^ ((u64)lvl << 60);
			h = (h ^ v) * 1099511628211ULL;
		}
		assert_int_equal(own_page_entry(base_pa + ((u64)i << PAGE_SHIFT), &e), 0);
		h = (h ^ e) * 1099511628211ULL;
	}
	return h;
}

/*
 * The bitmap and one LS_FN_VM_SHARE_HOST / UNSHARE_HOST per page (the single-page fast
 * path) end in the same translations, levels and entries, sets drawn at random.
 */
static void same_as_per_page(void **state)
{
	u64 bm[8], x = 0x9e3779b97f4a7c15ULL, hb, hp, done;
	struct hvc_regs r;
	unsigned int round, i;

	(void)state;
	for (round = 0; round < 6; round++) {
		memset(bm, 0, sizeof(bm));
		for (i = 0; i < 512; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (x % (round + 2) == 0)
				bm_set(bm, i);
		}
		assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_SHARED, 0, bm, &done), LS_OK);
		hb = window_state();
		assert_int_equal(convert(vm, WIN, LS_CONVERT_TO_PRIVATE, 0, bm, &done), LS_OK);
		INV_ASSERT();
		assert_int_equal(env_guest_mem(vm, true, WIN, 512, NULL), LS_OK);
		for (i = 0; i < 512; i++)
			if (bm_test(bm, i))
				assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm,
							 WIN + ((u64)i << PAGE_SHIFT), 1, 0, &r),
						 LS_OK);
		hp = window_state();
		if (hb != hp)
			fail_msg("round %u: bitmap and per-page sharing differ", round);
		for (i = 0; i < 512; i++)
			if (bm_test(bm, i))
				assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm,
							 WIN + ((u64)i << PAGE_SHIFT), 1, 0, &r),
						 LS_OK);
		INV_ASSERT();
	}
}

/* ---- range conversions ---------------------------------------------------------------- */

/* Windows 1..3 of the VM (IPA 2 * WIN ..): 512 pages each, donated as one block each. */
static u64 win_pa[4];

static void donate_windows(void)
{
	struct hvc_regs r;
	unsigned int i;

	win_pa[0] = base_pa;
	for (i = 1; i < 4; i++) {
		win_pa[i] = env_host_pages(512, SZ_2M);
		assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, win_pa[i], WIN * (i + 1), 512,
					 &r),
				 LS_OK);
		assert_int_equal(r.x[1], 512);
	}
}

/* The guest's consent on @n pages from @ipa, window by window. */
static void consent(u64 ipa, u64 n)
{
	struct hvc_regs r;

	while (n) {
		assert_int_equal(env_guest_mem(vm, true, ipa, n, &r), LS_OK);
		assert_true(r.x[1] > 0 && r.x[1] <= n);
		ipa += r.x[1] << PAGE_SHIFT;
		n -= r.x[1];
	}
}

/* Every page of windows [w0, w1) in the host's state @st. */
static void expect_host(unsigned int w0, unsigned int w1, enum own_state st)
{
	unsigned int w, i;

	for (w = w0; w < w1; w++)
		for (i = 0; i < 512; i++)
			if (own_page_state(OWN_HOST, win_pa[w] + ((u64)i << PAGE_SHIFT)) != st)
				fail_msg("window %u page %u: host state %d, want %d", w, i,
					 own_page_state(OWN_HOST,
							win_pa[w] + ((u64)i << PAGE_SHIFT)),
					 st);
}

/*
 * Four windows (8 MiB) one call each way, with the syncs of one plain call of one window; the
 * plain calls need four; no table split or left; with ZERO, the budget's window.
 */
static void range_calls(void **state)
{
	struct hvc_regs r;
	u64 t0, s0, share1, unshare1;

	(void)state;
	donate_windows();
	t0 = tables();
	consent(WIN, 4 * 512);
	/* One window with the plain calls: what one window costs. */
	s0 = syncs();
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	share1 = syncs() - s0;
	s0 = syncs();
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, WIN, 512, 0, &r), LS_OK);
	unshare1 = syncs() - s0;
	assert_true(unshare1 > 0); /* the host lost live mappings: invalidated */
	consent(WIN, 512);
	INV_ASSERT();

	s0 = syncs();
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 4 * 512);
	assert_int_equal(syncs() - s0, share1);
	expect_host(0, 4, OWN_SHARED_BORROWED);
	assert_int_equal(tables(), t0);
	INV_ASSERT();
	s0 = syncs();
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 4 * 512);
	assert_int_equal(syncs() - s0, unshare1);
	expect_host(0, 4, OWN_NOPAGE);
	assert_int_equal(tables(), t0);
	INV_ASSERT();

	/* The plain calls: one window each, one window's syncs each. */
	consent(WIN, 4 * 512);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, WIN, 4 * 512, 0, &r), LS_OK);
	s0 = syncs();
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, 2 * WIN, 3 * 512, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, 3 * WIN, 2 * 512, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, 4 * WIN, 512, 0, &r), LS_OK);
	assert_int_equal(syncs() - s0, 4 * unshare1);
	expect_host(0, 4, OWN_NOPAGE);

	/* ZERO: the scrub stays bounded, one window a call. */
	consent(WIN, 4 * 512);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, WIN, 4 * 512, LS_CONVERT_ZERO, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, 2 * WIN, 3 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 3 * 512);
	assert_int_equal(
		env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 4 * 512, LS_CONVERT_ZERO, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 512, LS_CONVERT_ZERO | 2,
				 &r),
			 LS_EINVAL);
	INV_ASSERT();
}

/*
 * A refusal in a later window: the wide call is tried again as the plain one, so the windows
 * before convert one call each and the refused window reports LS_EPERM with nothing changed.
 * Wrong arguments: as the plain calls.
 */
static void range_refusals(void **state)
{
	struct hvc_regs r;
	u64 snap;

	(void)state;
	donate_windows();
	consent(WIN, 2 * 512);
	consent(4 * WIN, 512); /* window 2 (IPA 3 * WIN) has no consent */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, 2 * WIN, 3 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST_RANGE, vm, 3 * WIN, 2 * 512, 0, &r), LS_EPERM);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(env_snapshot(), snap);
	expect_host(0, 2, OWN_SHARED_BORROWED);
	expect_host(2, 4, OWN_NOPAGE);
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN + PAGE_SIZE / 2, 1, 0, &r),
			 LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm + 7, WIN, 1, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 1ULL << 41, 1, 0, &r), LS_ERANGE);
	assert_int_equal(env_snapshot(), snap);
	/* Window 2 is private: the wide call fails, the plain one takes window 0, then 1. */
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 4 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 2 * WIN, 3 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 3 * WIN, 2 * 512, 0, &r),
			 LS_EPERM);
	expect_host(0, 4, OWN_NOPAGE);
	INV_ASSERT();
}

/* A host call answered as the driver does: LS_ENOMEM -> donate x1 pages to pool x2, again. */
static s64 hvc_donating(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, struct hvc_regs *r)
{
	s64 st;

	while ((st = env_hvc(fn, a1, a2, a3, a4, r)) == LS_ENOMEM) {
		u64 need = r->x[1], pool = r->x[2];

		assert_int_equal(env_hvc(LS_FN_POOL_DONATE, pool, env_host_pages(need, PAGE_SIZE),
					 need, 0, r),
				 LS_OK);
	}
	return st;
}

/*
 * A window whose runs do not fit after the first: 512 single-page runs (its pages donated one
 * by one in reverse PA order). The wide call ends before it; a call starting there takes it
 * alone.
 */
static void range_cut_by_runs(void **state)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(512, SZ_2M);
	unsigned int i;

	(void)state;
	for (i = 0; i < 512; i++)
		assert_int_equal(hvc_donating(LS_FN_HOST_DONATE_VM, vm,
					      pa + ((u64)(511 - i) << PAGE_SHIFT),
					      2 * WIN + ((u64)i << PAGE_SHIFT), 1, &r),
				 LS_OK);
	win_pa[0] = base_pa;
	win_pa[1] = pa;
	consent(WIN, 2 * 512);
	assert_int_equal(hvc_donating(LS_FN_VM_SHARE_HOST_RANGE, vm, WIN, 2 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	expect_host(0, 1, OWN_SHARED_BORROWED);
	expect_host(1, 2, OWN_NOPAGE);
	assert_int_equal(hvc_donating(LS_FN_VM_SHARE_HOST_RANGE, vm, 2 * WIN, 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	expect_host(0, 2, OWN_SHARED_BORROWED);
	INV_ASSERT();
	assert_int_equal(hvc_donating(LS_FN_VM_UNSHARE_HOST_RANGE, vm, WIN, 2 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(hvc_donating(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 2 * WIN, 512, 0, &r), LS_OK);
	expect_host(0, 2, OWN_NOPAGE);
	INV_ASSERT();
}

/*
 * The cut's roll-back: the last run of the windows that fit absorbed the first page of the
 * window that does not (PA-adjacent, same attributes) before that window overflowed. Windows
 * A, B, C at IPA 2..4 * WIN over one 6 MiB PA region R: A one 2 MiB run (R + 0..511); B page 0
 * at R + 512 (A's run grows), pages 1..510 descending from R + 1022 and page 511 at R + 1023,
 * 511 single runs, so A and B fill the 512 runs; C page 0 at R + 1024 (B's last run grows),
 * then single runs again: C's second run does not fit. The call converts A and B, and C's
 * page 0 stays the VM's, although it was in B's last run while C was collected.
 */
static void range_cut_rolls_back(void **state)
{
	struct hvc_regs r;
	u64 rpa = env_host_pages(3 * 512, SZ_2M), i;

	(void)state;
	assert_int_equal(hvc_donating(LS_FN_HOST_DONATE_VM, vm, rpa, 2 * WIN, 512, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	for (i = 0; i < 2 * 512; i++) {
		u64 w = i / 512, k = i % 512, at;

		/* Page k of B (w 0) and of C (w 1): 0 -> 512 w, 1..510 descending, 511 -> 511. */
		at = k == 0 || k == 511 ? k : 511 - k;
		assert_int_equal(hvc_donating(LS_FN_HOST_DONATE_VM, vm,
					      rpa + ((512 * (w + 1) + at) << PAGE_SHIFT),
					      (3 + w) * WIN + (k << PAGE_SHIFT), 1, &r),
				 LS_OK);
	}
	win_pa[0] = rpa;
	win_pa[1] = rpa + SZ_2M;
	win_pa[2] = rpa + 2 * SZ_2M;
	consent(2 * WIN, 3 * 512);
	INV_ASSERT();
	assert_int_equal(hvc_donating(LS_FN_VM_SHARE_HOST_RANGE, vm, 2 * WIN, 3 * 512, 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 2 * 512);
	expect_host(0, 2, OWN_SHARED_BORROWED);
	expect_host(2, 3, OWN_NOPAGE);
	INV_ASSERT();
	assert_int_equal(hvc_donating(LS_FN_VM_SHARE_HOST_RANGE, vm, 4 * WIN, 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	expect_host(0, 3, OWN_SHARED_BORROWED);
	/* Back: the same cut, the same roll-back. */
	assert_int_equal(hvc_donating(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 2 * WIN, 3 * 512, 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 2 * 512);
	expect_host(0, 2, OWN_NOPAGE);
	expect_host(2, 3, OWN_SHARED_BORROWED);
	INV_ASSERT();
	assert_int_equal(hvc_donating(LS_FN_VM_UNSHARE_HOST_RANGE, vm, 4 * WIN, 512, 0, &r), LS_OK);
	expect_host(0, 3, OWN_NOPAGE);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(share_unshare, setup, teardown),
		cmocka_unit_test_setup_teardown(whole_window, setup, teardown),
		cmocka_unit_test_setup_teardown(all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(shortfalls, setup, teardown),
		cmocka_unit_test_setup_teardown(same_as_per_page, setup, teardown),
		cmocka_unit_test_setup_teardown(range_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(range_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(range_cut_by_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(range_cut_rolls_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
