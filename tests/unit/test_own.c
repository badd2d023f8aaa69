// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ownership transitions through the real dispatcher: every transition from
 * every state, huge-block split/merge in the CPU and IOMMU views, -ENOMEM at
 * every allocation point, bounded work, scrub on reclaim. The invariant checker
 * runs after every step.
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

#define IPA0 0x10000000ULL /* where tests map donated pages */

static struct env_rec dom_rec[2];

static int setup(void **state)
{
	(void)state;
	env_setup(64);
	memset(dom_rec, 0, sizeof(dom_rec));
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static u16 entry(u64 pa)
{
	u16 e = 0xffff;

	own_page_entry(pa, &e);
	return e;
}

/* One mirrored (Arm stage-1 format) and one shared IOMMU domain on @who. */
static void attach_doms(u32 who)
{
	struct own_res res;
	unsigned int idx;

	assert_int_equal(own_dom_attach(who, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &dom_rec[0],
					&idx, &res),
			 0);
	assert_int_equal(own_dom_attach(who, false, PT_FMT_ARM64_S2, true, &env_rec_ops,
					&dom_rec[1], &idx, &res),
			 0);
	INV_ASSERT();
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

/* Donate [pa, pa + n pages) to @vm at @ipa, looping over the budget. */
static void donate(u32 vm, u64 pa, u64 ipa, u64 n)
{
	struct hvc_regs r;

	while (n) {
		assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, ipa, n, &r), LS_OK);
		assert_true(r.x[1] > 0 && r.x[1] <= n && r.x[1] <= LS_BUDGET_PAGES);
		pa += r.x[1] << PAGE_SHIFT;
		ipa += r.x[1] << PAGE_SHIFT;
		n -= r.x[1];
	}
}

static void vm_call_loop(u32 fn, u32 vm, u64 ipa, u64 n)
{
	struct hvc_regs r;

	while (n) {
		assert_int_equal(env_hvc(fn, vm, ipa, n, 0, &r), LS_OK);
		assert_true(r.x[1] > 0 && r.x[1] <= n);
		ipa += r.x[1] << PAGE_SHIFT;
		n -= r.x[1];
	}
}

static void init_state(void **state)
{
	u64 pa, ipa;
	unsigned int lvl;
	pt_attr_t attr;

	(void)state;
	/* Host RAM beyond the first GiB is mapped with 1 GiB blocks, identity. */
	assert_int_equal(
		pt_lookup(&own_view_of(OWN_HOST)->cpu, ENV_BIG + 0x1234000, &pa, &attr, &lvl), 0);
	assert_int_equal(pa, ENV_BIG + 0x1234000);
	assert_int_equal(lvl, 1);
	assert_int_equal(attr & PT_RWX, PT_RWX);
	/* The hypervisor's pages are not mapped for the host. */
	ipa = ENV_RAM_BASE;
	assert_int_equal(pt_lookup(&own_view_of(OWN_HOST)->cpu, ipa, &pa, &attr, &lvl), -ENOENT);
	assert_int_equal(own_page_state(OWN_HOST, ENV_RAM_BASE), OWN_NOPAGE);
	assert_int_equal(own_page_state(OWN_HOST, ENV_BIG), OWN_OWNED);
	/*
	 * 2 bytes per page of DB entry, 1 of DMA map count, 2 per 2 MiB and per 1 GiB block of
	 * summary, 1 per 2 MiB block of DMA map count: 768 KiB + 1538 bytes per GiB, 0.0734% of
	 * RAM (budget 0.2%). A range that is not block-aligned has a summary and a block count
	 * for each block it touches (2 pages across a 2 MiB boundary: 2 of 2 MiB, 1 of 1 GiB).
	 */
	assert_int_equal(own_db_bytes(&(struct own_range){ 0, SZ_1G }, 1),
			 768 * 1024 + 513 * 2 + 512);
	assert_int_equal(own_db_bytes(&(struct own_range){ SZ_2M - PAGE_SIZE, 2 * PAGE_SIZE }, 1),
			 2 * 3 + 2 * 2 + 1 * 2 + 2 * 1);
}

/*
 * Block summaries (issue 16): exact through a donation, a guest offer, a conversion and
 * back, and a reclaim, read directly here and against every page by the invariant checker.
 */
static void block_summaries(void **state)
{
	u64 nr2, nr1, big = (ENV_BIG - ENV_RAM_BASE) / SZ_2M, g = (ENV_BIG - ENV_RAM_BASE) / SZ_1G;
	const u16 *s2 = own_block_summaries(0, &nr2), *s1 = own_block_summaries(1, &nr1);
	u64 pa = env_host_pages(512, SZ_2M), blk = (pa - ENV_RAM_BASE) / SZ_2M;
	struct hvc_regs r;
	u16 vmo;
	u32 vm;

	(void)state;
	assert_int_equal(nr2, ENV_RAM_SIZE / SZ_2M);
	assert_int_equal(nr1, ENV_RAM_SIZE / SZ_1G);
	/* The first 2 MiB hold the hypervisor's pages and the host's: mixed. */
	assert_int_equal(s2[0], OWN_SUM_MIXED);
	assert_int_equal(s1[0], OWN_SUM_MIXED);
	assert_int_equal(s2[big], OWN_OWNER_HOST);
	assert_int_equal(s1[g], OWN_OWNER_HOST);
	/* A host page shared with the hypervisor: its 2 MiB and 1 GiB blocks mixed, then back. */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, ENV_BIG + SZ_1G / 2, 1, 0, 0, &r), LS_OK);
	INV_ASSERT();
	assert_int_equal(s2[big + 256], OWN_SUM_MIXED);
	assert_int_equal(s1[g], OWN_SUM_MIXED);
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, ENV_BIG + SZ_1G / 2, 1, 0, 0, &r), LS_OK);
	INV_ASSERT();
	assert_int_equal(s2[big + 256], OWN_OWNER_HOST);
	assert_int_equal(s1[g], OWN_OWNER_HOST);

	assert_int_equal(s2[blk], OWN_OWNER_HOST);
	vm = env_vm_create(64, 40);
	vmo = (u16)OWN_OWNER_VM(vm);
	donate(vm, pa, SZ_1G, 512);
	INV_ASSERT();
	assert_int_equal(s2[blk], vmo);
	/* One page offered (consent), then shared: the block is mixed. */
	assert_int_equal(env_guest_mem(vm, true, SZ_1G + 0x5000, 1, NULL), LS_OK);
	assert_int_equal(s2[blk], OWN_SUM_MIXED);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, SZ_1G + 0x5000, 1, 0, &r), LS_OK);
	INV_ASSERT();
	assert_int_equal(s2[blk], OWN_SUM_MIXED);
	/* Back to private, consent cleared: uniform again. */
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, SZ_1G + 0x5000, 1, 0, &r), LS_OK);
	INV_ASSERT();
	assert_int_equal(s2[blk], vmo);
	/* The whole 2 MiB back to the host. */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, SZ_1G, 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	INV_ASSERT();
	assert_int_equal(s2[blk], OWN_OWNER_HOST);
}

/*
 * Converting one 4 KiB page in the middle of a 1 GiB block splits exactly two
 * table pages (1G -> 2M table -> 4K table) in the CPU view and in the mirrored
 * IOMMU view; converting back merges and returns both.
 */
static void split_1g_convert(void **state)
{
	const struct own_view *vv, *hv;
	const struct pt *vm_mirror, *host_mirror;
	u64 vcpu0, vdom0, hcpu0, hdom0, vused0, hused0, pa, mid = 0x12345000ULL;
	unsigned int lvl;
	pt_attr_t attr;
	u32 vm;

	(void)state;
	attach_doms(OWN_HOST);
	vm = env_vm_create(64, 40);
	attach_doms(vm);
	/* 1 GiB of host RAM, 1 GiB aligned, at IPA 1 GiB: merges into one 1 GiB block. */
	donate(vm, ENV_BIG, SZ_1G, SZ_1G >> PAGE_SHIFT);
	INV_ASSERT();
	vv = own_view_of(vm);
	hv = own_view_of(OWN_HOST);
	vm_mirror = mirror_pt(vm);
	host_mirror = mirror_pt(OWN_HOST);
	assert_int_equal(pt_lookup(&vv->cpu, SZ_1G + mid, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 1);
	assert_int_equal(pa, ENV_BIG + mid);
	assert_int_equal(pt_lookup(vm_mirror, SZ_1G + mid, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 1);

	vcpu0 = vv->cpu.nr_tables;
	vdom0 = vm_mirror->nr_tables;
	hcpu0 = hv->cpu.nr_tables;
	hdom0 = host_mirror->nr_tables;
	vused0 = own_pool_of(vm)->nr_used;
	hused0 = own_pool_of(OWN_HOST)->nr_used;
	memset(&env_cpu_rec, 0, sizeof(env_cpu_rec));

	assert_int_equal(env_guest_mem(vm, true, SZ_1G + mid, 1, NULL), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, SZ_1G + mid, 1, 0, NULL), LS_OK);
	INV_ASSERT();
	assert_int_equal(vv->cpu.nr_tables, vcpu0 + 2);
	assert_int_equal(vm_mirror->nr_tables, vdom0 + 2);
	/* The host gains the page in a hole: two new tables there too. */
	assert_int_equal(hv->cpu.nr_tables, hcpu0 + 2);
	assert_int_equal(host_mirror->nr_tables, hdom0 + 2);
	assert_int_equal(own_page_state(OWN_HOST, ENV_BIG + mid), OWN_SHARED_BORROWED);
	assert_int_equal(own_page_state(vm, ENV_BIG + mid), OWN_SHARED_OWNED);
	assert_int_equal(pt_lookup(&vv->cpu, SZ_1G + mid, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 3);
	assert_int_equal(attr & PT_RWX, PT_RW);
	assert_int_equal(pt_lookup(&vv->cpu, SZ_1G + mid + PAGE_SIZE, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 3);
	assert_int_equal(pt_lookup(&vv->cpu, SZ_1G + mid + SZ_2M, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 2);
	/* Invalidation per range, not per page. */
	assert_true(env_cpu_rec.ranges >= 1 && env_cpu_rec.ranges <= 4);

	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, SZ_1G + mid, 1, 0, NULL), LS_OK);
	INV_ASSERT();
	assert_int_equal(vv->cpu.nr_tables, vcpu0);
	assert_int_equal(vm_mirror->nr_tables, vdom0);
	assert_int_equal(hv->cpu.nr_tables, hcpu0);
	assert_int_equal(host_mirror->nr_tables, hdom0);
	assert_int_equal(own_pool_of(vm)->nr_used, vused0);
	assert_int_equal(own_pool_of(OWN_HOST)->nr_used, hused0);
	assert_int_equal(pt_lookup(&vv->cpu, SZ_1G + mid, &pa, &attr, &lvl), 0);
	assert_int_equal(lvl, 1);
	assert_int_equal(attr & PT_RWX, PT_RWX);
	/* Consent was consumed: the host alone cannot share the page again. */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, SZ_1G + mid, 1, 0, NULL), LS_EPERM);
	INV_ASSERT();
}

/* Donating one page out of a host 1 GiB block splits two tables in each host view. */
static void split_1g_donate(void **state)
{
	const struct own_view *hv = own_view_of(OWN_HOST);
	const struct pt *hm;
	u64 c0, d0;
	u32 vm;

	(void)state;
	attach_doms(OWN_HOST);
	hm = mirror_pt(OWN_HOST);
	vm = env_vm_create(32, 40);
	c0 = hv->cpu.nr_tables;
	d0 = hm->nr_tables;
	memset(&env_cpu_rec, 0, sizeof(env_cpu_rec));
	memset(dom_rec, 0, sizeof(dom_rec));
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, ENV_BIG + 0x20001000ULL, IPA0, 1, NULL),
			 LS_OK);
	INV_ASSERT();
	assert_int_equal(hv->cpu.nr_tables, c0 + 2);
	assert_int_equal(hm->nr_tables, d0 + 2);
	/* The host CPU and both host domains were invalidated and synced. */
	assert_true(env_cpu_rec.inval_calls >= 1 && env_cpu_rec.syncs >= 1);
	assert_true(dom_rec[0].inval_calls >= 1 && dom_rec[1].inval_calls >= 1);
	assert_true(dom_rec[0].syncs >= 1 && dom_rec[1].syncs >= 1);
	assert_int_equal(own_page_state(OWN_HOST, ENV_BIG + 0x20001000ULL), OWN_NOPAGE);
	assert_int_equal(own_page_state(vm, ENV_BIG + 0x20001000ULL), OWN_OWNED);
}

/* Reclaim zeroes the pages before the host gets them back. */
static void reclaim_scrubs(void **state)
{
	u64 pa = env_host_pages(8, PAGE_SIZE), i;
	u8 *va = plat_phys_to_virt(pa);
	u32 vm;

	(void)state;
	vm = env_vm_create(32, 40);
	memset(va, 0xa5, 8 * PAGE_SIZE);
	donate(vm, pa, IPA0, 8);
	memset(va, 0x5a, 8 * PAGE_SIZE); /* the guest writes secrets */
	INV_ASSERT();
	vm_call_loop(LS_FN_VM_RECLAIM, vm, IPA0, 8);
	INV_ASSERT();
	for (i = 0; i < 8 * PAGE_SIZE; i++)
		if (va[i])
			fail_msg("byte %llu not scrubbed", (unsigned long long)i);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_int_equal(own_vm_pages(vm), 0);
	/* Destroy returns the pool (scrubbed) to the host. */
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, NULL), LS_OK);
	assert_false(own_vm_live(vm));
	INV_ASSERT();
}

/*
 * Reclaim of a window the VM shares with the host: the pages come back as they are, the
 * host's mapping stays throughout (a page the host still uses never faults: guest_memfd
 * teardown with a page pinned for I/O), no scrub; the VM loses them. A window mixing shared
 * and private pages is refused whole.
 */
static void reclaim_shared_keeps(void **state)
{
	u64 pa = env_host_pages(8, PAGE_SIZE), snap, tables;
	u8 *va = plat_phys_to_virt(pa);
	struct hvc_regs r;
	u32 vm;

	(void)state;
	vm = env_vm_create(32, 40);
	donate(vm, pa, IPA0, 8);
	assert_int_equal(env_guest_mem(vm, true, IPA0, 4, NULL), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 4, 0, NULL), LS_OK);
	memset(va, 0x77, 4 * PAGE_SIZE); /* the host writes into what the guest shared */
	INV_ASSERT();
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 8, 0, NULL), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0 + 3 * PAGE_SIZE, 2, 0, NULL), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, 0, pa, 0, 0, &r), LS_OK);
	tables = r.x[1];
	assert_true(r.x[3] > 0); /* the host maps the shared pages */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 4, 0, NULL), LS_OK);
	INV_ASSERT();
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_int_equal(own_page_state(OWN_HOST, pa + 3 * PAGE_SIZE), OWN_OWNED);
	assert_int_equal(own_page_state(vm, pa), OWN_NOPAGE);
	assert_int_equal(own_vm_pages(vm), 4);
	assert_int_equal(va[0], 0x77); /* kept, not scrubbed */
	assert_int_equal(va[4 * PAGE_SIZE - 1], 0x77);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, 0, pa, 0, 0, &r), LS_OK);
	assert_true(r.x[3] > 0);
	assert_true(r.x[1] <= tables);
	/* The private rest is scrubbed as always. */
	vm_call_loop(LS_FN_VM_RECLAIM, vm, IPA0 + 4 * PAGE_SIZE, 4);
	assert_int_equal(own_vm_pages(vm), 0);
	INV_ASSERT();
}

/* ---- every transition from every state ---------------------------------- */

enum pstate { S_H, S_HS, S_V, S_VC, S_VS, S_Y, S_T, S_NR };
enum trans {
	T_SHARE_HYP,
	T_UNSHARE_HYP,
	T_DONATE,
	T_RECLAIM,
	T_SHARE_HOST,
	T_UNSHARE_HOST,
	T_GUEST_SHARE,
	T_GUEST_UNSHARE,
	T_POOL_HOST,
	T_POOL_VM,
	T_NR
};

static const char *const pstate_name[] = { "H", "HS", "V", "VC", "VS", "Y", "T" };
static const char *const trans_name[] = { "share_hyp",	   "unshare_hyp",   "donate",
					  "reclaim",	   "share_host",    "unshare_host",
					  "guest_share",   "guest_unshare", "pool_donate_host",
					  "pool_donate_vm" };

/* Expected status and resulting state (-1: unchanged) of trans from state. */
struct expect {
	s64 st;
	int to;
};

/* clang-format off */
#define OK(s) { LS_OK, s }
#define NO(e) { e, -1 }
static const struct expect expect_tbl[S_NR][T_NR] = {
	/*          share_hyp     unshare_hyp   donate        reclaim       share_host    unshare_host  g_share       g_unshare     pool_host     pool_vm */
	[S_H]  = { OK(S_HS),     NO(LS_EPERM), OK(S_V),      NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), OK(S_T),      OK(S_T) },
	[S_HS] = { NO(LS_EPERM), OK(S_H),      NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM) },
	[S_V]  = { NO(LS_EPERM), NO(LS_EPERM), NO(LS_EEXIST), OK(S_H),     NO(LS_EPERM), NO(LS_EPERM), OK(S_VC),     NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM) },
	[S_VC] = { NO(LS_EPERM), NO(LS_EPERM), NO(LS_EEXIST), OK(S_H),     OK(S_VS),     NO(LS_EPERM), OK(S_VC),     OK(S_V),      NO(LS_EPERM), NO(LS_EPERM) },
	[S_VS] = { NO(LS_EPERM), NO(LS_EPERM), NO(LS_EEXIST), OK(S_H),      NO(LS_EPERM), OK(S_V),     OK(S_VS),     OK(S_V),      NO(LS_EPERM), NO(LS_EPERM) },
	[S_Y]  = { NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM) },
	[S_T]  = { NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM), NO(LS_EPERM) },
};
/* clang-format on */

static int state_of(u64 pa, u32 vm)
{
	u16 e = entry(pa);
	u16 owner = e & OWN_E_OWNER;

	if (owner == OWN_OWNER_HOST)
		return (e & OWN_E_SHARED) ? S_HS : S_H;
	if (owner == OWN_OWNER_HYP)
		return (e & OWN_E_TABLE) ? S_T : S_Y;
	if (owner == OWN_OWNER_VM(vm)) {
		if (e & OWN_E_SHARED)
			return S_VS;
		return (e & OWN_E_CONSENT) ? S_VC : S_V;
	}
	return -1;
}

/* Put page @pa (mapped at IPA0 for VM states) into state @s through hypercalls. */
static void make_state(int s, u64 *pa, u32 vm, u64 pool_pa)
{
	switch (s) {
	case S_HS:
		assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, *pa, 1, 0, 0, NULL), LS_OK);
		break;
	case S_V:
	case S_VC:
	case S_VS:
		assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, *pa, IPA0, 1, NULL), LS_OK);
		if (s != S_V)
			assert_int_equal(env_guest_mem(vm, true, IPA0, 1, NULL), LS_OK);
		if (s == S_VS)
			assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 1, 0, NULL), LS_OK);
		break;
	case S_Y:
		*pa = ENV_RAM_BASE; /* the "hypervisor image" */
		break;
	case S_T:
		*pa = pool_pa;
		break;
	default:
		break;
	}
	assert_int_equal(state_of(*pa, vm), s);
}

static s64 do_trans(int t, u64 pa, u32 vm, u64 spare_pa)
{
	switch (t) {
	case T_SHARE_HYP:
		return env_hvc(LS_FN_HOST_SHARE_HYP, pa, 1, 0, 0, NULL);
	case T_UNSHARE_HYP:
		return env_hvc(LS_FN_HOST_UNSHARE_HYP, pa, 1, 0, 0, NULL);
	case T_DONATE:
		/* VM states: the page is taken, so donate a spare page at the same IPA. */
		return env_hvc(LS_FN_HOST_DONATE_VM, vm,
			       state_of(pa, vm) >= S_V && state_of(pa, vm) <= S_VS ? spare_pa : pa,
			       IPA0, 1, NULL);
	case T_RECLAIM:
		return env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 1, 0, NULL);
	case T_SHARE_HOST:
		return env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 1, 0, NULL);
	case T_UNSHARE_HOST:
		return env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA0, 1, 0, NULL);
	case T_GUEST_SHARE:
		return env_guest_mem(vm, true, IPA0, 1, NULL);
	case T_GUEST_UNSHARE:
		return env_guest_mem(vm, false, IPA0, 1, NULL);
	case T_POOL_HOST:
		return env_hvc(LS_FN_POOL_DONATE, LS_POOL_HOST, pa, 1, 0, NULL);
	case T_POOL_VM:
		return env_hvc(LS_FN_POOL_DONATE, vm, pa, 1, 0, NULL);
	}
	return 0;
}

static void all_pairs(void **state)
{
	int s, t;

	(void)state;
	for (s = 0; s < S_NR; s++) {
		for (t = 0; t < T_NR; t++) {
			const struct expect *x = &expect_tbl[s][t];
			u64 pa, spare, pool_pa, snap;
			s64 st;
			u32 vm;
			int to;

			env_setup(64);
			pool_pa = env_host_pages(32, LS_VM_POOL_ALIGN);
			assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool_pa, 32, 40, 0, NULL), LS_OK);
			vm = 0;
			pa = env_host_pages(1, PAGE_SIZE);
			spare = env_host_pages(1, PAGE_SIZE);
			make_state(s, &pa, vm, pool_pa);
			INV_ASSERT();
			snap = env_snapshot();
			st = do_trans(t, pa, vm, spare);
			INV_ASSERT();
			if (st != x->st)
				fail_msg("%s from %s: status %lld, want %lld", trans_name[t],
					 pstate_name[s], (long long)st, (long long)x->st);
			to = state_of(pa, vm);
			if (x->to < 0) {
				if (env_snapshot() != snap)
					fail_msg("%s from %s failed but changed state",
						 trans_name[t], pstate_name[s]);
			} else if (to != x->to) {
				fail_msg("%s from %s: state %s, want %s", trans_name[t],
					 pstate_name[s], to < 0 ? "?" : pstate_name[to],
					 pstate_name[x->to]);
			}
		}
	}
}

/* ---- -ENOMEM at every allocation point ---------------------------------- */

/* Hold all but @avail free pages of @who's pool. Returns what was held. */
static u64 squeeze(u32 who, u64 avail)
{
	struct pt_pool *p = (struct pt_pool *)own_pool_of(who);
	u64 hold = p->nr_free - p->nr_reserved - avail;

	assert_int_equal(pt_pool_reserve(p, hold), 0);
	return hold;
}

static void release(u32 who, u64 hold)
{
	pt_pool_unreserve((struct pt_pool *)own_pool_of(who), hold);
}

struct tx {
	u32 fn;
	u64 a[4];
	u64 done_expect;
};

static s64 tx_call(const struct tx *t, struct hvc_regs *r)
{
	return env_hvc(t->fn, t->a[0], t->a[1], t->a[2], t->a[3], r);
}

static u32 pool_id(u32 who)
{
	return who == OWN_HOST ? (u32)LS_POOL_HOST : who;
}

/* Every shortfall 1..cost on @who: LS_ENOMEM, x1 = shortfall, x2 = pool, nothing changed. */
static void shortfalls(const struct tx *t, u32 who, u64 cost)
{
	struct hvc_regs r;
	u64 s, hold, snap;
	s64 st;

	for (s = 1; s <= cost; s++) {
		hold = squeeze(who, cost - s);
		snap = env_snapshot();
		st = tx_call(t, &r);
		if (env_snapshot() != snap)
			fail_msg("fn %u short by %llu on pool %u changed state", t->fn,
				 (unsigned long long)s, who);
		release(who, hold);
		assert_int_equal(st, LS_ENOMEM);
		assert_int_equal(r.x[1], s);
		assert_int_equal(r.x[2], pool_id(who));
		INV_ASSERT();
	}
}

/*
 * Measure each pool's cost of @t from the shortfall reported with the pool
 * empty, and check every shortfall on each pool (the host pool is reserved
 * first, then the VM's). Returns the total cost; on return the call has been
 * made successfully.
 */
static u64 check_enomem(const struct tx *t, u32 vm)
{
	struct hvc_regs r;
	u64 hh, hv, snap, total = 0;
	s64 st;

	hh = squeeze(OWN_HOST, 0);
	hv = squeeze(vm, 0);
	snap = env_snapshot();
	st = tx_call(t, &r);
	if (st != LS_OK && env_snapshot() != snap)
		fail_msg("fn %u with empty pools changed state", t->fn);
	release(vm, hv);
	release(OWN_HOST, hh);
	if (st == LS_OK)
		return 0;
	assert_int_equal(st, LS_ENOMEM);
	if (r.x[2] == LS_POOL_HOST) {
		shortfalls(t, OWN_HOST, r.x[1]);
		total += r.x[1];
	}
	hv = squeeze(vm, 0);
	st = tx_call(t, &r);
	release(vm, hv);
	if (st == LS_OK)
		return total;
	assert_int_equal(st, LS_ENOMEM);
	assert_int_equal(r.x[2], vm);
	shortfalls(t, vm, r.x[1]);
	total += r.x[1];
	assert_int_equal(tx_call(t, &r), LS_OK);
	return total;
}

static void enomem_everywhere(void **state)
{
	u64 big2m = ENV_BIG + 0x12200000ULL, cost, pool2, pa;
	struct tx t;
	u32 vm;

	(void)state;
	attach_doms(OWN_HOST);
	vm = env_vm_create(64, 40);
	attach_doms(vm);

	/* Donate one 2 MiB block out of a host 1 GiB block. */
	t = (struct tx){ LS_FN_HOST_DONATE_VM, { vm, big2m, SZ_1G + 0x12200000ULL, 512 }, 512 };
	cost = check_enomem(&t, vm);
	/* host CPU + mirror: 1G -> 2M table (1 + 1); VM stage-2 L2 (1); VM stage-1 mirror L1, L2 */
	assert_int_equal(cost, 2 + 1 + 2);
	INV_ASSERT();

	/* Guest consent, then one 4K page of the block to shared and back. */
	assert_int_equal(env_guest_mem(vm, true, SZ_1G + 0x12345000ULL, 1, NULL), LS_OK);
	t = (struct tx){ LS_FN_VM_SHARE_HOST, { vm, SZ_1G + 0x12345000ULL, 1, 0 }, 1 };
	cost = check_enomem(&t, vm);
	/* VM CPU + mirror split the 2M block (1 + 1); host CPU + mirror L3 in the hole (1 + 1) */
	assert_int_equal(cost, 4);
	INV_ASSERT();
	t = (struct tx){ LS_FN_VM_UNSHARE_HOST, { vm, SZ_1G + 0x12345000ULL, 1, 0 }, 1 };
	/* Unshare only frees tables (merges): nothing to allocate. */
	assert_int_equal(check_enomem(&t, vm), 0);
	INV_ASSERT();

	/* Reclaim of a page inside a private 2M block splits it in both VM tables. */
	pa = env_host_pages(512, SZ_2M);
	donate(vm, pa, 0x40000000000ULL >> 4, 512);
	t = (struct tx){ LS_FN_VM_RECLAIM, { vm, (0x40000000000ULL >> 4) + 0x5000, 1, 0 }, 1 };
	cost = check_enomem(&t, vm);
	/* VM CPU + mirror split (1 + 1); host CPU + mirror L3 table in the 2M hole (1 + 1) */
	assert_int_equal(cost, 4);
	INV_ASSERT();

	/* Pool donation and VM creation: the host view splits to unmap them. */
	pool2 = env_host_pages(512, SZ_2M) + 7 * PAGE_SIZE; /* inside a host 2M block */
	t = (struct tx){ LS_FN_POOL_DONATE, { vm, pool2, 1, 0 }, 1 };
	cost = check_enomem(&t, vm);
	assert_int_equal(cost, 2); /* the 2M block splits in the host CPU view and its mirror */
	INV_ASSERT();

	/* A second VM, created and destroyed: the host maps its pool back in place. */
	pa = env_host_pages(16, LS_VM_POOL_ALIGN);
	t = (struct tx){ LS_FN_VM_CREATE, { pa, 16, 40, 0 }, 16 };
	/* host CPU + mirror: the 2M block holding the pool splits (1 + 1) unless split already */
	assert_true(check_enomem(&t, vm) <= 2);
	INV_ASSERT();
	t = (struct tx){ LS_FN_VM_DESTROY, { vm + 1, 0, 0, 0 }, 16 };
	assert_int_equal(check_enomem(&t, vm), 0);
	assert_false(own_vm_live(vm + 1));
	INV_ASSERT();
}

/* Attaching a mirrored domain fills it from the CPU view: all or nothing, exact hint. */
static void attach_enomem(void **state)
{
	struct own_res res;
	unsigned int idx;
	u64 hold, snap, pa;
	struct hvc_regs r;
	u32 vm;

	(void)state;
	vm = env_vm_create(16, 40);
	donate(vm, env_host_pages(512, SZ_2M) + 5 * PAGE_SIZE, IPA0, 300);
	hold = squeeze(vm, 1);
	snap = env_snapshot();
	assert_int_equal(own_dom_attach(vm, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &dom_rec[0],
					&idx, &res),
			 -ENOMEM);
	assert_int_equal(env_snapshot(), snap);
	release(vm, hold);
	INV_ASSERT();
	assert_int_equal(res.need_who, vm);
	/* Leave exactly `need` more than the 1 page, donate nothing: it must now fit. */
	hold = squeeze(vm, 1 + res.need);
	assert_int_equal(own_dom_attach(vm, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &dom_rec[0],
					&idx, &res),
			 0);
	release(vm, hold);
	INV_ASSERT();
	assert_int_equal(own_dom_detach(vm, idx), 0);
	assert_int_equal(own_dom_detach(vm, idx), -ENOENT);
	INV_ASSERT();
	/* And through the ABI: an ENOMEM hint, a donation of that many pages, success. */
	hold = squeeze(vm, 0);
	pa = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, 0x7fff000000ULL, 1, &r), LS_ENOMEM);
	release(vm, hold);
	assert_int_equal(r.x[2], vm);
	{
		u64 need = r.x[1], extra = env_host_pages(need, PAGE_SIZE);

		hold = squeeze(vm, 0);
		assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, extra, need, 0, NULL), LS_OK);
		assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, 0x7fff000000ULL, 1, &r),
				 LS_OK);
		release(vm, hold);
	}
	INV_ASSERT();
}

/* A 512-page conversion is invalidated as ranges, not pages: one range per view. */
static void inval_per_range(void **state)
{
	u64 pa = env_host_pages(1024, SZ_2M), t_vm, t_vm_mirror, t_host;
	u32 vm;

	(void)state;
	vm = env_vm_create(32, 40);
	attach_doms(vm);
	donate(vm, pa, SZ_1G, 1024);
	assert_int_equal(env_guest_mem(vm, true, SZ_1G, 1024, NULL), LS_OK);
	memset(&env_cpu_rec, 0, sizeof(env_cpu_rec));
	memset(dom_rec, 0, sizeof(dom_rec));
	t_vm = own_view_of(vm)->cpu.nr_tables;
	t_vm_mirror = mirror_pt(vm)->nr_tables;
	t_host = own_view_of(OWN_HOST)->cpu.nr_tables;
	vm_call_loop(LS_FN_VM_SHARE_HOST, vm, SZ_1G, 512);
	INV_ASSERT();
	/* A whole 2 MiB conversion splits nothing, in any table. */
	assert_int_equal(own_view_of(vm)->cpu.nr_tables, t_vm);
	assert_int_equal(mirror_pt(vm)->nr_tables, t_vm_mirror);
	assert_int_equal(own_view_of(OWN_HOST)->cpu.nr_tables, t_host);
	/* VM stage-2 (lost X) + host stage-2: at most one range each, whatever the page count. */
	assert_true(env_cpu_rec.inval_calls >= 1 && env_cpu_rec.inval_calls <= 2);
	assert_int_equal(env_cpu_rec.ranges, env_cpu_rec.inval_calls);
	/* The VM's mirrored and shared domains lost X too: invalidated once each. */
	assert_int_equal(dom_rec[0].ranges, 1);
	assert_int_equal(dom_rec[1].ranges, 1);
	assert_int_equal(env_cpu_rec.alls + dom_rec[0].alls + dom_rec[1].alls, 0);
	vm_call_loop(LS_FN_VM_UNSHARE_HOST, vm, SZ_1G, 512);
	INV_ASSERT();
	assert_true(env_cpu_rec.inval_calls <= 4);
	assert_int_equal(env_cpu_rec.ranges, env_cpu_rec.inval_calls);
}

/* ---- bounded work ------------------------------------------------------- */

static void bounded_work(void **state)
{
	u64 pa = ENV_BIG + SZ_2M - 3 * PAGE_SIZE, n = 1000;
	struct hvc_regs r;
	u32 vm;

	(void)state;
	vm = env_vm_create(64, 40);
	/* First window stops at the 2 MiB boundary of the IPA. */
	assert_int_equal(
		env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, SZ_1G + SZ_2M - 3 * PAGE_SIZE, n, &r), LS_OK);
	assert_int_equal(r.x[1], 3);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa + 3 * PAGE_SIZE, SZ_1G + SZ_2M, n - 3,
				 &r),
			 LS_OK);
	assert_int_equal(r.x[1], LS_BUDGET_PAGES);
	INV_ASSERT();
	donate(vm, pa + (3 + LS_BUDGET_PAGES) * PAGE_SIZE,
	       SZ_1G + SZ_2M + LS_BUDGET_PAGES * PAGE_SIZE, n - 3 - LS_BUDGET_PAGES);
	assert_int_equal(own_vm_pages(vm), n);
	INV_ASSERT();
}

/* ---- argument checks ---------------------------------------------------- */

static void bad_arguments(void **state)
{
	u64 pa = env_host_pages(4, PAGE_SIZE), snap, pool;
	u32 vm;

	(void)state;
	vm = env_vm_create(32, 36);
	snap = env_snapshot();
	/* zero length, unaligned, wrap */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa + 1, IPA0, 1, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0 + 8, 1, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, ~0xfffULL, 2, 0, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa, ~0ULL >> 8, 0, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, ~0xfffULL, 2, 0, NULL), LS_EINVAL);
	/* beyond RAM, straddling its end, beyond the VM's IPA space */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, 0x1000, 1, 0, 0, NULL), LS_ERANGE);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, ENV_RAM_BASE + ENV_RAM_SIZE - PAGE_SIZE, 2,
				 0, 0, NULL),
			 LS_ERANGE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, 1ULL << 36, 1, NULL), LS_ERANGE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, (1ULL << 36) - PAGE_SIZE, 2, NULL),
			 LS_ERANGE);
	/* hypervisor memory */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, ENV_RAM_BASE, IPA0, 1, NULL), LS_EPERM);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, LS_POOL_HOST, ENV_RAM_BASE, 1, 0, NULL),
			 LS_EPERM);
	/* a range that is only partly the host's */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, ENV_RAM_BASE + 15 * PAGE_SIZE, IPA0, 2,
				 NULL),
			 LS_EPERM);
	/* unknown VMs */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, 7, pa, IPA0, 1, NULL), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, 1ULL << 40, pa, IPA0, 1, NULL), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, OWN_MAX_VMS, 0, 0, 0, NULL), LS_ENOENT);
	assert_int_equal(env_guest_mem(9, true, IPA0, 1, NULL), LS_ENOENT);
	/* wrong caller */
	/* the retired function numbers of the old guest calls are not the host's */
	assert_int_equal(env_hvc(0x000b, IPA0, 1, 0, 0, NULL), LS_ENOTSUPP);
	assert_int_equal(env_hvc_vm(vm, LS_FN_HOST_DONATE_VM, vm, pa, NULL), LS_EPERM);
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_CREATE, pa, 16, NULL), LS_EPERM);
	/* VM create: bad IPA size, too small a pool */
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pa, 16, 20, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pa, 16, 1ULL << 33, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pa, 4, 40, 0, NULL), LS_EINVAL);
	/*
	 * A 43-bit IPA space needs a 16-page root aligned to 64 KiB: a pool that
	 * cannot hold it is refused up front (it used to reach a HYP_CHECK).
	 */
	pool = env_host_pages(32, LS_VM_POOL_ALIGN) + PAGE_SIZE;
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool, 16, 43, 0, NULL), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool, 31, 43, 0, NULL), LS_EINVAL);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();

	/* The same, 64 KiB aligned: fine, and the VM's root is 16 pages. */
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool - PAGE_SIZE, 16, 43, 0, NULL), LS_OK);
	INV_ASSERT();

	/* overlapping IPA ranges */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0 + PAGE_SIZE, 2, NULL), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa + 2 * PAGE_SIZE, IPA0, 2, NULL),
			 LS_EEXIST);
	/* destroy with memory left: busy */
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, NULL), LS_EBUSY);
	/* reclaim of a range with a hole: nothing done */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 3, 0, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/* One bad page anywhere in a window fails the whole call, which changes nothing. */
static void whole_window_checked(void **state)
{
	u64 pa = env_host_pages(8, PAGE_SIZE), snap;
	u32 vm;

	(void)state;
	vm = env_vm_create(32, 40);
	/* donate: page 5 is shared with the hypervisor */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa + 5 * PAGE_SIZE, 1, 0, 0, NULL), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0, 8, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, pa + 5 * PAGE_SIZE, 1, 0, 0, NULL), LS_OK);
	/* donate: the last IPA of the window is taken (by another page) */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, env_host_pages(1, PAGE_SIZE),
				 IPA0 + 7 * PAGE_SIZE, 1, NULL),
			 LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0, 8, NULL), LS_EEXIST);
	assert_int_equal(env_snapshot(), snap);
	donate(vm, pa, IPA0, 7);
	INV_ASSERT();
	/* share: consent on 7 of 8 pages */
	assert_int_equal(env_guest_mem(vm, true, IPA0, 7, NULL), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 8, 0, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	/* reclaim: one page of the window is shared */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0 + 2 * PAGE_SIZE, 1, 0, NULL), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 8, 0, NULL), LS_EBUSY);
	/* unshare: only one of 8 is shared */
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA0, 8, 0, NULL), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	/* guest unshare of the window: the shared page comes back, consent goes */
	assert_int_equal(env_guest_mem(vm, false, IPA0, 8, NULL), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, pa + 2 * PAGE_SIZE), OWN_NOPAGE);
	assert_int_equal(entry(pa + 3 * PAGE_SIZE), OWN_OWNER_VM(vm));
	INV_ASSERT();
	vm_call_loop(LS_FN_VM_RECLAIM, vm, IPA0, 8);
	INV_ASSERT();
}

/* VM slots run out; destroyed slots are reused. */
static void vm_slots(void **state)
{
	u64 pa;
	u32 i;

	(void)state;
	for (i = 0; i < OWN_MAX_VMS; i++)
		assert_int_equal(env_vm_create(16, 32), i);
	pa = env_host_pages(16, LS_VM_POOL_ALIGN);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pa, 16, 32, 0, NULL), LS_ENOSPC);
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, 3, 0, 0, 0, NULL), LS_OK);
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pa, 16, 32, 0, NULL), LS_OK);
	INV_ASSERT();
}

/* The checker itself fails on each kind of corruption (it is not a test that cannot fail). */
static void checker_detects(void **state)
{
	char msg[256];
	struct pt *hcpu = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	u64 pa = env_host_pages(1, PAGE_SIZE), nr, leak;
	u16 *db = (u16 *)own_db_entries(&nr);
	u32 vm;

	(void)state;
	/* The host maps a hypervisor page. */
	assert_int_equal(pt_map(hcpu, ENV_RAM_BASE, PAGE_SIZE, ENV_RAM_BASE, PT_RWX, NULL), 0);
	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "hypervisor page"));
	assert_int_equal(pt_unmap(hcpu, ENV_RAM_BASE, PAGE_SIZE, NULL), 0);
	INV_ASSERT();
	/* The DB says a host page is the VM's, the host still maps it. */
	vm = env_vm_create(16, 32);
	db[(pa - ENV_RAM_BASE) >> PAGE_SHIFT] = (u16)OWN_OWNER_VM(vm);
	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	db[(pa - ENV_RAM_BASE) >> PAGE_SHIFT] = OWN_OWNER_HOST;
	INV_ASSERT();
	/* A table page leaves the pool without a table: accounting breaks. */
	assert_int_equal(pt_pool_take((struct pt_pool *)own_pool_of(vm), &leak, 1), 1);
	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "pool"));
	pt_pool_add((struct pt_pool *)own_pool_of(vm), leak, 1);
	INV_ASSERT();
	/* Wrong attributes: a private VM page mapped without execute. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0, 1, NULL), LS_OK);
	assert_int_equal(
		pt_set_attr((struct pt *)&own_view_of(vm)->cpu, IPA0, PAGE_SIZE, PT_RW, NULL), 0);
	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "attr"));
}

/*
 * The stage-2 fault handler retries a host access only when the host may
 * access the page and the host stage-2 maps it (a fault that raced with a
 * break-before-make window); everything else is an abort.
 */
static void fault_retry(void **state)
{
	u64 page = env_host_pages(3, PAGE_SIZE) + PAGE_SIZE;
	u32 vm;

	(void)state;
	assert_true(own_host_fault_retry(page));
	assert_true(own_host_fault_retry(page + 0x123));
	/* The host stage-2's own root table is hypervisor memory. */
	assert_false(own_host_fault_retry(own_view_of(OWN_HOST)->cpu.root));
	vm = env_vm_create(16, 40);
	donate(vm, page, SZ_1G, 1);
	INV_ASSERT();
	assert_false(own_host_fault_retry(page));
	/* Its neighbours, now in a split block, still translate. */
	assert_true(own_host_fault_retry(page - PAGE_SIZE));
	assert_true(own_host_fault_retry(page + PAGE_SIZE));
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, SZ_1G, 1, 0, NULL), LS_OK);
	INV_ASSERT();
	assert_true(own_host_fault_retry(page));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(init_state, setup, teardown),
		cmocka_unit_test_setup_teardown(block_summaries, setup, teardown),
		cmocka_unit_test_setup_teardown(split_1g_convert, setup, teardown),
		cmocka_unit_test_setup_teardown(split_1g_donate, setup, teardown),
		cmocka_unit_test_setup_teardown(reclaim_scrubs, setup, teardown),
		cmocka_unit_test_setup_teardown(reclaim_shared_keeps, setup, teardown),
		cmocka_unit_test_setup_teardown(all_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(enomem_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(attach_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(inval_per_range, setup, teardown),
		cmocka_unit_test_setup_teardown(bounded_work, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(whole_window_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(vm_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(checker_detects, setup, teardown),
		cmocka_unit_test_setup_teardown(fault_retry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
