// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host DMA domains through the real dispatcher: create/destroy, attach/detach
 * (recording fake IOMMU driver), map/unmap with ownership checks, the EBUSY
 * policy for pages a domain maps, one invalidation per range and one sync per
 * call, -ENOMEM and pool donation, query and stats, MMIO maps (LS_IOMMU_MMIO:
 * MSI doorbells), and every bad input leaving the state unchanged. The
 * invariant checker runs after every step.
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

#define NR_SIDS 256U
#define IOVA0	0x40000000ULL /* 1 GiB aligned */
#define PA0	(ENV_BIG + 0x40000000ULL)
#define IPA0	0x10000000ULL

/*
 * MMIO for LS_IOMMU_MMIO tests: what boot_map_host_devices() does on arm64, the
 * host stage-2 mapping non-RAM as device memory. MMIO0: 16 device pages RW
 * (then a hole, like the SMMU frame the hypervisor keeps); MMIO_RO: one
 * read-only device page; MMIO_BLK: a 2 MiB device block.
 */
#define MMIO0	 0x08000000ULL
#define MMIO_RO	 0x08100000ULL
#define MMIO_BLK 0x08200000ULL
#define MMIO_GAP (MMIO0 + 16 * PAGE_SIZE)
#define MMIO_RW	 (LS_IOMMU_READ | LS_IOMMU_WRITE | LS_IOMMU_MMIO)

/* Recording fake of the IOMMU driver (what hyp/iommu implements for real). */
static struct {
	u64 attaches, detaches, inval_calls, ranges, alls, syncs;
	u32 last_sid;
	u16 last_vmid;
	u64 last_root;
	struct pt_inval last_range;   /* the first range of the last invalidation */
	int fail_attach, fail_detach; /* next call returns this error */
	u64 vm_inval[OWN_MAX_VMS + 1], vm_alls[OWN_MAX_VMS + 1]; /* by VMID (VM n: n + 1) */
	u64 attached[NR_SIDS];	      /* root the stream translates through, 0 = identity */
	const struct own_hdom *watch; /* when set: its pool's free pages at the last sync */
	u64 free_at_sync;
} drv;

static int drv_attach(void *d, u32 sid, const struct pt *pt, u16 vmid)
{
	(void)d;
	assert_true(sid < NR_SIDS);
	if (drv.fail_attach) {
		int e = drv.fail_attach;

		drv.fail_attach = 0;
		return e;
	}
	drv.attaches++;
	drv.last_sid = sid;
	drv.last_vmid = vmid;
	drv.last_root = pt_root_pa(pt);
	drv.attached[sid] = pt_root_pa(pt);
	return 0;
}

static int drv_detach(void *d, u32 sid)
{
	(void)d;
	assert_true(sid < NR_SIDS);
	if (drv.fail_detach) {
		int e = drv.fail_detach;

		drv.fail_detach = 0;
		return e;
	}
	drv.detaches++;
	drv.attached[sid] = 0;
	return 0;
}

static void drv_inval(void *d, u16 vmid, const struct pt_gather *g)
{
	(void)d;
	/* Host DMA domains (0xf0 + d) or a VM's devices (VMID vm + 1, vmdev.c). */
	assert_true((vmid >= OWN_HDOM_VMID_BASE && vmid < OWN_HDOM_VMID_BASE + OWN_MAX_HDOMS) ||
		    (vmid >= 1 && vmid <= OWN_MAX_VMS));
	assert_true(g->all || (g->nr > 0 && g->nr <= PT_GATHER_MAX));
	if (vmid <= OWN_MAX_VMS) {
		drv.vm_inval[vmid]++;
		drv.vm_alls[vmid] += g->all;
	}
	drv.inval_calls++;
	if (!g->all)
		drv.last_range = g->r[0];
	drv.ranges += g->all ? 1 : g->nr;
	drv.alls += g->all;
}

static void drv_sync(void *d)
{
	(void)d;
	drv.syncs++;
	if (drv.watch)
		drv.free_at_sync = drv.watch->pool.nr_free;
}

static const struct own_iommu_ops drv_ops = { drv_attach, drv_detach, drv_inval, drv_sync };

static int setup_nodrv(void **state)
{
	(void)state;
	env_setup(64);
	memset(&drv, 0, sizeof(drv));
	INV_ASSERT();
	return 0;
}

static int setup(void **state)
{
	setup_nodrv(state);
	assert_int_equal(own_iommu_register(&drv_ops, &drv, NR_SIDS, PT_FMT_ARM64_S2, true), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static u32 dom_create(u64 pool_pages)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(pool_pages, LS_VM_POOL_ALIGN);

	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, pool_pages, 40, 0, &r), LS_OK);
	assert_true(r.x[1] < LS_IOMMU_MAX_DOMAINS);
	INV_ASSERT();
	return (u32)r.x[1];
}

static u64 stat(u32 dom, unsigned int id)
{
	struct hvc_regs r;

	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_STATS, dom, id, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_IOMMU_STAT_NR);
	return r.x[1];
}

static s64 map(u32 dom, u64 iova, u64 pa, u64 n, u64 prot, struct hvc_regs *r)
{
	return env_hvc5(LS_FN_IOMMU_MAP, dom, iova, pa, n, prot, r);
}

/* Map or unmap the whole range, looping over the budget. */
static void map_all(u32 dom, u64 iova, u64 pa, u64 n, u64 prot)
{
	struct hvc_regs r;

	while (n) {
		assert_int_equal(map(dom, iova, pa, n, prot, &r), LS_OK);
		assert_true(r.x[1] > 0 && r.x[1] <= n && r.x[1] <= LS_IOMMU_BUDGET_PAGES);
		iova += r.x[1] << PAGE_SHIFT;
		pa += r.x[1] << PAGE_SHIFT;
		n -= r.x[1];
	}
	INV_ASSERT();
}

static void unmap_all(u32 dom, u64 iova, u64 n)
{
	struct hvc_regs r;

	while (n) {
		assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, iova, n, 0, &r), LS_OK);
		assert_true(r.x[1] > 0 && r.x[1] <= n); /* ABI 1.6: past 4096 over whole leaves */
		iova += r.x[1] << PAGE_SHIFT;
		n -= r.x[1];
	}
	INV_ASSERT();
}

static unsigned int dma_count(u64 pa)
{
	return env_dma_count(pa);
}

/* Create takes the pool from the host; destroy scrubs it and gives it back. */
static void create_destroy(void **state)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(16, LS_VM_POOL_ALIGN), tables0;
	u32 dom;

	(void)state;
	tables0 = own_view_of(OWN_HOST)->cpu.nr_tables;
	memset(plat_phys_to_virt(pa), 0xa5, 16 * PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, 16, 39, 0, &r), LS_OK);
	dom = (u32)r.x[1];
	INV_ASSERT();
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_NOPAGE);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_POOL_TOTAL), 16);
	assert_true(stat(dom, LS_IOMMU_STAT_TABLES) >= 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	assert_int_equal(own_hdom_of(dom)->vmid, OWN_HDOM_VMID_BASE + dom);
	assert_int_equal(own_hdom_of(dom)->pt.ia_bits, 39);
	drv.syncs = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 16);
	/* The VMID's cached entries were dropped (one `all` and a sync) before reuse. */
	assert_int_equal(drv.alls, 1);
	assert_int_equal(drv.syncs, 1);
	INV_ASSERT();
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_int_equal(*(u8 *)plat_phys_to_virt(pa + 5 * PAGE_SIZE), 0); /* scrubbed */
	assert_null(own_hdom_of(dom));
	assert_int_equal(own_view_of(OWN_HOST)->cpu.nr_tables, tables0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_ENOENT);
}

/* Bad creates: documented error, no state change. */
static void create_errors(void **state)
{
	u64 pa = env_host_pages(32, LS_VM_POOL_ALIGN), snap;
	const struct {
		u64 pa, n, bits;
		s64 err;
	} t[] = {
		{ pa, 16, 31, LS_EINVAL },	       /* IOVA too small */
		{ pa, 16, 49, LS_EINVAL },	       /* too large */
		{ pa, 16, 1ULL << 40, LS_EINVAL },     /* absurd */
		{ pa + PAGE_SIZE, 16, 40, LS_EINVAL }, /* pool not 64 KiB aligned */
		{ pa, 15, 40, LS_EINVAL },	       /* pool too small */
		{ pa, 513, 40, LS_EINVAL },	       /* over the budget */
		{ 0, 16, 40, LS_EINVAL },	       /* PA 0 */
		{ 0x20000000ULL, 16, 40, LS_ERANGE },  /* not RAM */
		{ ENV_RAM_BASE, 16, 40, LS_EPERM },    /* hypervisor pages */
	};
	struct hvc_regs r;
	struct hvc_ctx vm = { HVC_CALLER_VM, 0, 0 };
	unsigned int i;

	(void)state;
	snap = env_snapshot();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, t[i].pa, t[i].n, t[i].bits, 0,
					 &r),
				 t[i].err);
		assert_int_equal(env_snapshot(), snap);
	}
	/* Only the host may call. */
	memset(&r, 0, sizeof(r));
	r.x[0] = LS_HVC_IOMMU_DOMAIN_CREATE;
	r.x[1] = pa;
	r.x[2] = 16;
	r.x[3] = 40;
	hvc_handle(&vm, &r);
	assert_int_equal((s64)r.x[0], LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	/* Slots run out. */
	for (i = 0; i < OWN_MAX_HDOMS; i++)
		dom_create(16);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, 16, 40, 0, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/* Without a registered IOMMU driver there are no domains; registration is once. */
static void no_driver(void **state)
{
	u64 pa = env_host_pages(16, LS_VM_POOL_ALIGN), snap = env_snapshot();
	struct hvc_regs r;

	(void)state;
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, 16, 40, 0, &r), LS_ENOTSUPP);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, 0, 1, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 1, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(own_iommu_register(NULL, &drv, NR_SIDS, PT_FMT_ARM64_S2, true), -EINVAL);
	assert_int_equal(own_iommu_register(&drv_ops, &drv, 0, PT_FMT_ARM64_S2, true), -EINVAL);
	assert_int_equal(own_iommu_register(&drv_ops, &drv, NR_SIDS, PT_FMT_NR, true), -EINVAL);
	assert_int_equal(own_iommu_register(&drv_ops, &drv, NR_SIDS, PT_FMT_ARM64_S2, true), 0);
	assert_int_equal(own_iommu_register(&drv_ops, &drv, NR_SIDS, PT_FMT_ARM64_S2, true),
			 -EBUSY);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, 16, 40, 0, &r), LS_OK);
	INV_ASSERT();
}

/*
 * 4 KiB unmap of a whole table of scattered pages in one call (issue 16): the page that empties
 * the table no longer has its table freed behind a synchronous invalidation of its own; the
 * table is freed after the call's one sync, and its range is in the call's invalidation.
 */
static void unmap_empties_table_one_sync(void **state)
{
	struct hvc_regs r;
	u64 i, tables;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	tables = stat(dom, LS_IOMMU_STAT_TABLES);
	for (i = 0; i < 512; i++) /* output in reverse: never a block */
		assert_int_equal(map(dom, IOVA0 + i * PAGE_SIZE, PA0 + (511 - i) * PAGE_SIZE, 1,
				     LS_IOMMU_READ | LS_IOMMU_WRITE, &r),
				 LS_OK);
	INV_ASSERT();
	assert_true(stat(dom, LS_IOMMU_STAT_TABLES) > tables);
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_TABLES), tables);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();
}

/* Map, query, stats, unmap: counts, prot, invalidation and sync per call. */
static void map_query_unmap(void **state)
{
	struct hvc_regs r;
	u32 dom;
	u64 i;

	(void)state;
	dom = dom_create(16);
	drv.syncs = drv.ranges = 0;
	assert_int_equal(map(dom, IOVA0, PA0, 3, LS_IOMMU_READ | LS_IOMMU_WRITE, &r), LS_OK);
	assert_int_equal(r.x[1], 3);
	assert_int_equal(map(dom, IOVA0 + 0x10000, PA0 + 0x10000, 1, LS_IOMMU_READ, &r), LS_OK);
	assert_int_equal(map(dom, IOVA0 + 0x20000, PA0 + 0x20000, 1, LS_IOMMU_WRITE, &r), LS_OK);
	INV_ASSERT();
	/* Mapping over invalid entries needs no invalidation and no sync. */
	assert_int_equal(drv.ranges, 0);
	assert_int_equal(drv.syncs, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + i * PAGE_SIZE, 0, 0, &r),
				 LS_OK);
		assert_int_equal(r.x[1], PA0 + i * PAGE_SIZE);
		assert_int_equal(r.x[2], LS_IOMMU_READ | LS_IOMMU_WRITE);
		assert_int_equal(dma_count(PA0 + i * PAGE_SIZE), 1);
	}
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 0x10000, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_IOMMU_READ);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 0x20000, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_IOMMU_WRITE);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 3 * PAGE_SIZE, 0, 0, &r),
			 LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 1, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, 1ULL << 40, 0, 0, &r), LS_ERANGE);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, 7, IOVA0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 5);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_STATS, dom, LS_IOMMU_STAT_NR, 0, 0, &r),
			 LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_STATS, 9, 0, 0, 0, &r), LS_ENOENT);

	/* Unmap: one range, one sync, before the call returns. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 3, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 3);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_INVAL_RANGES), 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_SYNCS), 1);
	assert_int_equal(dma_count(PA0), 0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0, 0, 0, &r), LS_ENOENT);
	INV_ASSERT();
	/* A page mapped at two IOVAs (two domains) counts twice. */
	{
		u32 d2 = dom_create(16);

		map_all(dom, IOVA0, PA0, 1, LS_IOMMU_READ);
		map_all(d2, IOVA0 + PAGE_SIZE, PA0, 1, LS_IOMMU_READ);
		assert_int_equal(dma_count(PA0), 2);
		unmap_all(dom, IOVA0, 1);
		assert_int_equal(dma_count(PA0), 1);
	}
}

/* Bad MAP / UNMAP: the documented error and nothing changed. */
static void map_errors(void **state)
{
	struct hvc_regs r;
	u32 dom, vm;
	u64 snap, vmpa = ENV_BIG + 0x80000000ULL;
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE;
	struct {
		u64 dom, iova, pa, n, prot;
		s64 err;
	} t[] = {
		{ 5, IOVA0, PA0, 1, RW, LS_ENOENT },			/* unknown domain */
		{ 1ULL << 32, IOVA0, PA0, 1, RW, LS_ENOENT },		/* absurd domain */
		{ 0, IOVA0 + 8, PA0, 1, RW, LS_EINVAL },		/* unaligned IOVA */
		{ 0, IOVA0, PA0 + 8, 1, RW, LS_EINVAL },		/* unaligned PA */
		{ 0, IOVA0, PA0, 0, RW, LS_EINVAL },			/* no pages */
		{ 0, ~0ULL << 12, PA0, 2, RW, LS_EINVAL },		/* IOVA wraps */
		{ 0, IOVA0, ~0ULL << 12, 2, RW, LS_EINVAL },		/* PA wraps */
		{ 0, IOVA0, PA0, 1ULL << 52, RW, LS_EINVAL },		/* count overflows */
		{ 0, (1ULL << 40) - PAGE_SIZE, PA0, 2, RW, LS_ERANGE }, /* beyond IOVA bits */
		{ 0, IOVA0, 0x20000000ULL, 1, RW, LS_ERANGE },		/* not RAM */
		{ 0, IOVA0, ENV_RAM_BASE + ENV_RAM_SIZE - PAGE_SIZE, 2, RW, LS_ERANGE },
		{ 0, IOVA0, ENV_RAM_BASE, 1, RW, LS_EPERM },  /* hypervisor page */
		{ 0, IOVA0, 0, 1, RW, LS_EPERM },	      /* VM private (below) */
		{ 0, IOVA0, PA0, 1, 0, LS_EINVAL },	      /* no prot */
		{ 0, IOVA0, PA0, 1, 4, LS_EINVAL },	      /* MMIO bit alone: no access */
		{ 0, IOVA0, PA0, 1, 8, LS_EINVAL },	      /* unknown prot bit */
		{ 0, IOVA0, PA0, 1, 1ULL << 32, LS_EINVAL },  /* prot beyond 32 bits */
		{ 0, IOVA0 + 0x3000, PA0, 1, RW, LS_EEXIST }, /* double map */
		{ 0, IOVA0 + 0x1000, PA0, 4, RW, LS_EEXIST }, /* overlaps at the end */
	};
	unsigned int i;

	(void)state;
	dom = dom_create(16);
	assert_int_equal(dom, 0);
	vm = env_vm_create(16, 40);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, vmpa, IPA0, 1, &r), LS_OK);
	t[12].pa = vmpa;
	map_all(dom, IOVA0 + 0x3000, PA0 + 0x100000, 2, RW);
	/* One bad page at the end of the window fails the whole call. */
	snap = env_snapshot();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(map(t[i].dom == 0	? dom :
				     (u32)t[i].dom == 5 ? 5 :
							  OWN_MAX_HDOMS,
				     t[i].iova, t[i].pa, t[i].n, t[i].prot, &r),
				 t[i].err);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(env_snapshot(), snap);
	}
	assert_int_equal(map(dom, IOVA0, vmpa - 2 * PAGE_SIZE, 3, RW, &r), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);

	/* UNMAP. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 1, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x3000, 3, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x2000, 2, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, 6, IOVA0 + 0x3000, 1, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x3001, 1, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x3000, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, ~0ULL << 12, 2, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, 1ULL << 40, 1, 0, &r), LS_ERANGE);
	assert_int_equal(env_snapshot(), snap);
	/* Unmap of unmapped after a real unmap. */
	unmap_all(dom, IOVA0 + 0x3000, 2);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x3000, 1, 0, &r), LS_ENOENT);
	INV_ASSERT();
}

/* One call maps at most the budget, ending at a budget boundary (16 MiB) of the IOVA. */
static void budget(void **state)
{
	const u64 mib = 0x100000;
	struct hvc_regs r;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	assert_int_equal(LS_IOMMU_BUDGET_PAGES, 4096);
	assert_int_equal(map(dom, IOVA0 + 15 * mib, PA0 + 15 * mib, 5000, LS_IOMMU_READ, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 256); /* up to the next 16 MiB boundary */
	assert_int_equal(map(dom, IOVA0 + 16 * mib, PA0 + 16 * mib, 4744, LS_IOMMU_READ, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 4096);
	assert_int_equal(map(dom, IOVA0 + 32 * mib, PA0 + 32 * mib, 648, LS_IOMMU_READ, &r), LS_OK);
	assert_int_equal(r.x[1], 648);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 5000);
	INV_ASSERT();
	/*
	 * UNMAP (ABI 1.6): the 16 MiB window [15, 16) MiB is tiled by pages, so the call goes on
	 * over the leaves after it, 256 pages + 9 blocks + 136 pages = 401 units: one call, one
	 * range, one sync (the emptied tables are freed after it).
	 */
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 15 * mib, 5000, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 5000);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();
}

static u64 query_pa(u32 dom, u64 iova)
{
	struct hvc_regs r;

	if (env_hvc(LS_FN_IOMMU_QUERY, dom, iova, 0, 0, &r) != LS_OK)
		return 0;
	return r.x[1];
}

/*
 * One UNMAP from @iova of @n pages that does @done pages and invalidates them as one range,
 * [iova, + @done pages), with level hint @level (0: none).
 */
static void unmap_one_range(u32 dom, u64 iova, u64 n, u64 done, unsigned int level)
{
	struct hvc_regs r;

	drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, iova, n, 0, &r), LS_OK);
	assert_int_equal(r.x[1], done);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(drv.last_range.ia, iova);
	assert_int_equal(drv.last_range.size, done * PAGE_SIZE);
	assert_int_equal(drv.last_range.level, level);
}

/*
 * ABI 1.6: an UNMAP whose 16 MiB window is tiled by 4 KiB leaves and 2 MiB blocks goes on over
 * the leaves after it, each one budget unit, up to 4096 units, with one invalidation range and
 * one sync; it stops before a hole, a block the asked range cuts, or the unit budget, and a
 * window that is not tiled takes the range path (16 MiB at most, errors over it).
 */
static void unmap_window_leaves(void **state)
{
	const u64 mib = 0x100000, rw = LS_IOMMU_READ | LS_IOMMU_WRITE;
	const u64 pages_pa = PA0 + 512 * mib + PAGE_SIZE; /* 4 KiB leaves only: PA off by a page */
	struct hvc_regs r;
	u32 dom;

	(void)state;
	dom = dom_create(64);

	/* 200 blocks (400 MiB): 200 units, one call. */
	map_all(dom, IOVA0, PA0, 200 * 512, rw);
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 200 * 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 200 * 512);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	assert_int_equal(dma_count(PA0), 0);
	assert_int_equal(dma_count(PA0 + 400 * mib - PAGE_SIZE), 0);
	INV_ASSERT();

	/* The budget: 16 blocks, then 5000 pages: 16 + 4080 units, then the other 920 pages. */
	map_all(dom, IOVA0, PA0, 16 * 512, rw);
	map_all(dom, IOVA0 + 32 * mib, pages_pa, 5000, rw);
	/* Exactly what it unmapped, in one range: blocks and pages, so no level hint. */
	unmap_one_range(dom, IOVA0, 16 * 512 + 5000, 16 * 512 + 4080, 0);
	assert_int_equal(query_pa(dom, IOVA0 + 32 * mib + 4079 * PAGE_SIZE), 0);
	assert_int_equal(query_pa(dom, IOVA0 + 32 * mib + 4080 * PAGE_SIZE),
			 pages_pa + 4080 * PAGE_SIZE);
	assert_int_equal(dma_count(pages_pa + 4079 * PAGE_SIZE), 0);
	assert_int_equal(dma_count(pages_pa + 4080 * PAGE_SIZE), 1);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 920);
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 32 * mib + 4080 * PAGE_SIZE, 920,
				 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 920);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();

	/* Blocks and pages with no table emptied: the range has no level hint (TTL 0). */
	map_all(dom, IOVA0, PA0, 10 * 512, rw);
	map_all(dom, IOVA0 + 20 * mib, pages_pa, 600, rw);
	unmap_one_range(dom, IOVA0, 10 * 512 + 300, 10 * 512 + 300, 0);
	unmap_all(dom, IOVA0 + 20 * mib + 300 * PAGE_SIZE, 300);
	INV_ASSERT();

	/* A hole past the first window: the call stops before it, the next one finds it. */
	map_all(dom, IOVA0, PA0, 12 * 512, rw);
	map_all(dom, IOVA0 + 26 * mib, PA0 + 26 * mib, 2 * 512, rw);
	/* Blocks only (the table keeps 2): their range, with the 2 MiB level hint. */
	unmap_one_range(dom, IOVA0, 15 * 512, 12 * 512, 2);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 24 * mib, 3 * 512, 0, &r),
			 LS_ENOENT);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 2 * 512);
	INV_ASSERT();
	unmap_all(dom, IOVA0 + 26 * mib, 2 * 512);

	/* A hole inside the first window: nothing changed. */
	map_all(dom, IOVA0, PA0, 4 * 512, rw);
	map_all(dom, IOVA0 + 10 * mib, PA0 + 10 * mib, 512, rw);
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 6 * 512, 0, &r), LS_ENOENT);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 5 * 512);
	assert_int_equal(drv.syncs + drv.ranges, 0);
	assert_int_equal(dma_count(PA0), 1);
	INV_ASSERT();
	unmap_all(dom, IOVA0, 4 * 512);
	unmap_all(dom, IOVA0 + 10 * mib, 512);

	/*
	 * A block the asked range cuts, past the first window: the call stops before it (9
	 * blocks); the next call, on half a block, splits it (the range path).
	 */
	map_all(dom, IOVA0, PA0, 10 * 512, rw);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 9 * 512 + 256, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 9 * 512);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 18 * mib, 256, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 256);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 256);
	assert_int_equal(query_pa(dom, IOVA0 + 19 * mib), PA0 + 19 * mib);
	INV_ASSERT();
	unmap_all(dom, IOVA0 + 19 * mib, 256);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();
}

/*
 * UNMAP of exactly one leaf (one page, or 512 pages at a 2 MiB-aligned IOVA) takes the one-leaf
 * path (own_hdom_unmap_leaf()): the leaf's exact range with its level hint, one sync; a leaf that
 * empties its table frees the table after the sync; anything that is not such a leaf changes
 * nothing there and takes the window or range path.
 */
static void unmap_one_leaf(void **state)
{
	const u64 rw = LS_IOMMU_READ | LS_IOMMU_WRITE, blk = 512;
	const u64 pg = IOVA0 + 64 * SZ_2M; /* pages: a table of their own */
	struct hvc_regs r;
	u64 free0, tables0;
	u32 dom;

	(void)state;
	dom = dom_create(16);

	/* Two pages in one table: the first goes alone, range [pg, +4 KiB) at level 3. */
	map_all(dom, pg, PA0 + 8 * PAGE_SIZE, 1, rw);
	map_all(dom, pg + PAGE_SIZE, PA0 + 3 * PAGE_SIZE, 1, rw);
	drv.syncs = 0;
	unmap_one_range(dom, pg, 1, 1, 3);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(dma_count(PA0 + 8 * PAGE_SIZE), 0);
	assert_int_equal(query_pa(dom, pg), 0);
	assert_int_equal(query_pa(dom, pg + PAGE_SIZE), PA0 + 3 * PAGE_SIZE);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 1);
	INV_ASSERT();

	/* A page that is not mapped (its neighbour is): LS_ENOENT, nothing changed. */
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, pg, 1, 0, &r), LS_ENOENT);
	assert_int_equal(drv.syncs + drv.ranges, 0);
	assert_int_equal(query_pa(dom, pg + PAGE_SIZE), PA0 + 3 * PAGE_SIZE);
	assert_int_equal(dma_count(PA0 + 3 * PAGE_SIZE), 1);
	INV_ASSERT();

	/*
	 * The last page of its table: one call, one sync, and the emptied tables go back to the
	 * pool only after that sync; the invalidation covers their range (level unknown: 0).
	 */
	drv.watch = own_hdom_of(dom);
	free0 = stat(dom, LS_IOMMU_STAT_POOL_FREE);
	tables0 = stat(dom, LS_IOMMU_STAT_TABLES);
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, pg + PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 1);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(drv.free_at_sync, free0);
	assert_true(stat(dom, LS_IOMMU_STAT_TABLES) < tables0);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_POOL_FREE),
			 free0 + tables0 - stat(dom, LS_IOMMU_STAT_TABLES));
	assert_true(drv.last_range.ia <= pg &&
		    drv.last_range.ia + drv.last_range.size >= pg + SZ_2M);
	assert_int_equal(drv.last_range.level, 0);
	assert_int_equal(dma_count(PA0 + 3 * PAGE_SIZE), 0);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	drv.watch = NULL;
	INV_ASSERT();

	/* Two blocks in one table: the first goes alone, its 2 MiB at level 2, its counts dropped. */
	map_all(dom, IOVA0, PA0, 2 * blk, rw);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 2 * blk);
	unmap_one_range(dom, IOVA0, blk, blk, 2);
	assert_int_equal(dma_count(PA0), 0);
	assert_int_equal(dma_count(PA0 + SZ_2M - PAGE_SIZE), 0);
	assert_int_equal(dma_count(PA0 + SZ_2M), 1);
	assert_int_equal(query_pa(dom, IOVA0 + SZ_2M - PAGE_SIZE), 0);
	assert_int_equal(query_pa(dom, IOVA0 + SZ_2M), PA0 + SZ_2M);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), blk);
	INV_ASSERT();

	/* One page of a block is not a leaf: the range path splits the block, the rest stays. */
	drv.syncs = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + SZ_2M, 1, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 1);
	assert_int_equal(query_pa(dom, IOVA0 + SZ_2M), 0);
	assert_int_equal(query_pa(dom, IOVA0 + SZ_2M + PAGE_SIZE), PA0 + SZ_2M + PAGE_SIZE);
	assert_int_equal(dma_count(PA0 + SZ_2M), 0);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), blk - 1);
	INV_ASSERT();

	/* 512 pages at a 2 MiB-aligned IOVA that a table maps are not a leaf: the window path. */
	map_all(dom, IOVA0 + SZ_2M, PA0 + 8 * SZ_2M, 1, rw); /* elsewhere: no merge back */
	drv.syncs = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + SZ_2M, blk, 0, &r), LS_OK);
	assert_int_equal(r.x[1], blk);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(dma_count(PA0 + 8 * SZ_2M), 0);
	assert_int_equal(dma_count(PA0 + 2 * SZ_2M - PAGE_SIZE), 0);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();
}

/*
 * Smash and merge inside a DMA domain: a 2 MiB block, unmap one page (split:
 * one table page, one invalidation range, one sync), map it back (merge: the
 * table page returns, one range for the freed table, one sync). The view
 * stats say the level and the table count each time.
 */
static void split_merge_stats(void **state)
{
	struct hvc_regs r;
	u64 t0, iova = IOVA0 + 0x200000, pa = PA0 + 0x200000;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	map_all(dom, iova, pa, 512, LS_IOMMU_READ | LS_IOMMU_WRITE);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(dom), iova + 0x5000, 0, 0,
				 &r),
			 LS_OK);
	assert_int_equal(r.x[2], LS_VIEW_KIND_DOMAIN);
	assert_int_equal(r.x[3], 2); /* one 2 MiB block */
	t0 = r.x[1];
	assert_int_equal(t0, stat(dom, LS_IOMMU_STAT_TABLES));
	drv.syncs = drv.ranges = 0;
	unmap_all(dom, iova + 0x5000, 1);
	/*
	 * Block -> table is break-before-make (Arm ARM D8.16.1; the SMMU needs it
	 * without BBML2): the engine's synchronous invalidation of the block, then
	 * the call's one range and one sync.
	 */
	assert_int_equal(drv.syncs, 2);
	assert_int_equal(drv.ranges, 2);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_SYNCS), 2);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(dom), iova + 0x6000, 0, 0,
				 &r),
			 LS_OK);
	assert_int_equal(r.x[1], t0 + 1);
	assert_int_equal(r.x[3], 3);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(dom), iova + 0x5000, 0, 0,
				 &r),
			 LS_OK);
	assert_int_equal(r.x[3], 0); /* the hole */
	drv.syncs = drv.ranges = 0;
	map_all(dom, iova + 0x5000, pa + 0x5000, 1, LS_IOMMU_READ | LS_IOMMU_WRITE);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(dom), iova, 0, 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], t0);
	assert_int_equal(r.x[3], 2); /* merged back into one block */
	/* Table -> block: the break (one range, one sync); nothing else to drop. */
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(drv.ranges, 1);
	unmap_all(dom, iova, 512);
}

/* Per-view table counts of the host: CPU stage 2 and its identity IOMMU views. */
static void view_stats_host(void **state)
{
	static struct env_rec rec[2];
	struct own_res res;
	struct hvc_regs r;
	unsigned int idx;
	u64 t0, mid = env_host_pages(512, 0x200000) + 0x5000; /* a backed 2 MiB block */
	u32 vm;

	(void)state;
	vm = env_vm_create(16, 40); /* its pool leaves the host view first */
	assert_int_equal(own_dom_attach(OWN_HOST, false, PT_FMT_ARM64_S2, true, &env_rec_ops,
					&rec[0], &idx, &res),
			 0);
	assert_int_equal(idx, 0);
	assert_int_equal(own_dom_attach(OWN_HOST, true, PT_FMT_ARM64_S1, true, &env_rec_ops,
					&rec[1], &idx, &res),
			 0);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_CPU, mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_VIEW_KIND_CPU);
	assert_int_equal(r.x[3], 2);
	t0 = r.x[1];
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_IOMMU(0), mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_VIEW_KIND_SHARED);
	assert_int_equal(r.x[1], t0);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_IOMMU(1), mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_VIEW_KIND_MIRRORED);
	assert_int_equal(r.x[3], 2);
	/* Donate one page from the middle of a 2 MiB block: both views split... */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, mid, IPA0, 1, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_CPU, mid + PAGE_SIZE, 0, 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], t0 + 1);
	assert_int_equal(r.x[3], 3);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_IOMMU(1), mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[3], 0);
	/* ... and merge back into one block when it returns. */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 1, 0, &r), LS_OK);
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_CPU, mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], t0);
	assert_int_equal(r.x[3], 2);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_IOMMU(1), mid, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[3], 2);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_HOST_IOMMU(2), mid, 0, 0, &r),
			 LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(0), 0, 0, 0, &r),
			 LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, 1ULL << 33, 0, 0, 0, &r), LS_ENOENT);
}

/* Streams leave the identity view on attach and come back on detach. */
static void attach_detach(void **state)
{
	struct hvc_regs r;
	u64 snap;
	u32 dom, d2, sid;

	(void)state;
	dom = dom_create(16);
	d2 = dom_create(16);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 5, 0, 0, &r), LS_OK);
	assert_int_equal(drv.attaches, 1);
	assert_int_equal(drv.last_sid, 5);
	assert_int_equal(drv.last_vmid, OWN_HDOM_VMID_BASE + dom);
	assert_int_equal(drv.last_root, pt_root_pa(&own_hdom_of(dom)->pt));
	assert_int_equal(own_hdom_of_sid(5, &sid), 0);
	assert_int_equal(sid, dom);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_STREAMS), 1);
	INV_ASSERT();

	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 5, 0, 0, &r), LS_EEXIST);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, NR_SIDS, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 1ULL << 32, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, 7, 6, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, 100, 6, 0, 0, &r), LS_ENOENT);
	drv.fail_attach = -EPERM; /* the driver refuses (say, not a host stream) */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 6, 0, 0, &r), LS_EPERM);
	assert_int_equal(own_hdom_of_sid(6, &sid), -ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 6, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 1ULL << 40, 0, 0, 0, &r), LS_ENOENT);
	/* Attached or mapped: destroy refuses. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(drv.attaches, 1);
	assert_int_equal(drv.detaches, 0);

	/* Straight to another domain and back, no detach (identity view) in between. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, d2, 5, 0, 0, &r), LS_OK);
	assert_int_equal(drv.attached[5], pt_root_pa(&own_hdom_of(d2)->pt));
	assert_int_equal(own_hdom_of_sid(5, &sid), 0);
	assert_int_equal(sid, d2);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_STREAMS), 0);
	assert_int_equal(stat(d2, LS_IOMMU_STAT_STREAMS), 1);
	drv.fail_attach = -EIO; /* a failed move leaves the stream where it was */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 5, 0, 0, &r), LS_EINVAL);
	assert_int_equal(own_hdom_of_sid(5, &sid), 0);
	assert_int_equal(sid, d2);
	assert_int_equal(stat(d2, LS_IOMMU_STAT_STREAMS), 1);
	drv.fail_attach = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 5, 0, 0, &r), LS_OK);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_STREAMS), 1);
	assert_int_equal(stat(d2, LS_IOMMU_STAT_STREAMS), 0);
	assert_int_equal(drv.attaches, 3);
	assert_int_equal(drv.detaches, 0);

	drv.fail_detach = -EIO;
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 5, 0, 0, 0, &r), LS_EINVAL);
	assert_int_equal(own_hdom_of_sid(5, &sid), 0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 5, 0, 0, 0, &r), LS_OK);
	assert_int_equal(drv.detaches, 1);
	assert_int_equal(drv.attached[5], 0);
	assert_int_equal(own_hdom_of_sid(5, &sid), -ENOENT);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_STREAMS), 0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 5, 0, 0, 0, &r), LS_ENOENT);
	/* Now it may go to the other domain. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, d2, 5, 0, 0, &r), LS_OK);
	assert_int_equal(drv.attached[5], pt_root_pa(&own_hdom_of(d2)->pt));

	/* A mapped domain refuses destroy until unmapped. */
	map_all(dom, IOVA0, PA0, 1, LS_IOMMU_READ);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_EBUSY);
	unmap_all(dom, IOVA0, 1);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, d2, 0, 0, 0, &r), LS_EBUSY);

	/* The stream table has room for OWN_HDOM_MAX_SIDS streams. */
	for (sid = 100; sid < 100 + OWN_HDOM_MAX_SIDS - 1; sid++)
		assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, d2, sid, 0, 0, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, d2, 250, 0, 0, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/*
 * The policy: a page mapped in a host DMA domain cannot leave the host. Donate
 * (to a VM, a pool, VM_CREATE, DOMAIN_CREATE), VM unshare and guest unshare
 * of a borrowed page all fail with LS_EBUSY and change nothing; after UNMAP
 * they succeed. Sharing with the hypervisor (the host keeps the page) is fine.
 */
static void ebusy_policy(void **state)
{
	struct hvc_regs r;
	u64 snap, pool = env_host_pages(32, LS_VM_POOL_ALIGN), vmpa = PA0 + 0x400000;
	u32 dom, vm;

	(void)state;
	dom = dom_create(16);
	vm = env_vm_create(16, 40);
	/* A VM page shared with the host: the host borrows it and may map it. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, vmpa, IPA0, 2, &r), LS_OK);
	assert_int_equal(env_guest_mem(vm, true, IPA0, 2, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 2, 0, &r), LS_OK);
	map_all(dom, IOVA0, PA0, 4, LS_IOMMU_READ | LS_IOMMU_WRITE);
	map_all(dom, IOVA0 + 0x100000, vmpa, 2, LS_IOMMU_READ);
	map_all(dom, IOVA0 + 0x200000, pool + 17 * PAGE_SIZE, 1, LS_IOMMU_READ);

	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + 0x3000, IPA0 + 0x100000, 1, &r),
			 LS_EBUSY);
	/* Whole window: one mapped page among free ones. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + 0x3000, IPA0 + 0x100000, 8, &r),
			 LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, LS_POOL_HOST, pool + 17 * PAGE_SIZE, 1, 0, &r),
			 LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, pool + 16 * PAGE_SIZE, 4, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, PA0, 4, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, LS_POOL_IOMMU(dom), PA0 + 0x2000, 1, 0, &r),
			 LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool, 32, 40, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pool, 32, 40, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA0, 2, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA0 + PAGE_SIZE, 1, 0, &r), LS_EBUSY);
	assert_int_equal(env_guest_mem(vm, false, IPA0, 2, &r), LS_EBUSY);
	/* (VM_RECLAIM of the shared pages is not refused: they stay the host's, its mapping and
	 * the DMA domain's with them; test_own.c reclaim_shared_keeps.) */
	assert_int_equal(env_snapshot(), snap);
	/* Sharing with the hypervisor keeps the host's access: allowed. */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, PA0, 1, 0, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, PA0, 1, 0, 0, &r), LS_OK);
	INV_ASSERT();

	/* Unmapped: everything goes through. */
	unmap_all(dom, IOVA0, 4);
	unmap_all(dom, IOVA0 + 0x100000, 2);
	unmap_all(dom, IOVA0 + 0x200000, 1);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + 0x3000, IPA0 + 0x100000, 1, &r),
			 LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA0, 2, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pool, 32, 40, 0, &r), LS_OK);
	INV_ASSERT();
	/* A page that left the host cannot be mapped. */
	snap = env_snapshot();
	assert_int_equal(map(dom, IOVA0, vmpa, 1, LS_IOMMU_READ, &r), LS_EPERM);
	assert_int_equal(map(dom, IOVA0, PA0 + 0x3000, 1, LS_IOMMU_READ, &r), LS_EPERM);
	assert_int_equal(map(dom, IOVA0, pool, 1, LS_IOMMU_READ, &r), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
}

/* The domain's pool runs short: LS_ENOMEM names the domain's pool; donate, retry. */
static void enomem_donate(void **state)
{
	struct hvc_regs r;
	u64 snap, i, more = env_host_pages(64, PAGE_SIZE);
	u32 dom;

	(void)state;
	dom = dom_create(16);
	/* Scattered 4 KiB mappings, one per 2 MiB: each needs a level-3 table. */
	for (i = 0;; i++) {
		snap = env_snapshot();
		if (map(dom, IOVA0 + i * 0x200000, PA0 + i * PAGE_SIZE, 1, LS_IOMMU_READ, &r) !=
		    LS_OK)
			break;
		assert_true(i < 64);
	}
	assert_int_equal((s64)r.x[0], LS_ENOMEM);
	assert_true(r.x[1] >= 1);
	assert_int_equal(r.x[2], LS_POOL_IOMMU(dom));
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_POOL_FREE), 0);
	/* Bad donations: unknown domain, out of runs. */
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, LS_POOL_IOMMU(5), more, 1, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, LS_POOL_IOMMU(dom), more, 8, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 8);
	INV_ASSERT();
	assert_int_equal(map(dom, IOVA0 + i * 0x200000, PA0 + i * PAGE_SIZE, 1, LS_IOMMU_READ, &r),
			 LS_OK);
	INV_ASSERT();
	/* Unmap splitting a block may need a page too: 2 MiB block, then an empty pool. */
	unmap_all(dom, IOVA0 + i * 0x200000, 1);
}

/* One page may be mapped at most OWN_DMA_MAX_MAPS times (LS_ENOSPC beyond). */
static void map_count_limit(void **state)
{
	struct hvc_regs r;
	u64 i, snap;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	for (i = 0; i < OWN_DMA_MAX_MAPS; i++)
		assert_int_equal(map(dom, IOVA0 + i * PAGE_SIZE, PA0, 1, LS_IOMMU_READ, &r), LS_OK);
	assert_int_equal(dma_count(PA0), OWN_DMA_MAX_MAPS);
	INV_ASSERT();
	snap = env_snapshot();
	assert_int_equal(map(dom, IOVA0 + i * PAGE_SIZE, PA0, 1, LS_IOMMU_READ, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	unmap_all(dom, IOVA0, OWN_DMA_MAX_MAPS);
	assert_int_equal(dma_count(PA0), 0);
}

/* Page @pa's own DMA map count and its 2 MiB block's, and the block's summary. */
static void blk_state(u64 pa, unsigned int *own_cnt, unsigned int *blk_cnt, u16 *sum)
{
	u64 nr, nb, ns, idx = (pa - ENV_RAM_BASE) >> PAGE_SHIFT, b = (pa - ENV_RAM_BASE) / SZ_2M;
	const u8 *c = own_dma_counts(&nr), *bc = own_block_dma_counts(&nb);
	const u16 *s2 = own_block_summaries(0, &ns);

	assert_true(idx < nr && b < nb && b < ns);
	*own_cnt = c[idx];
	*blk_cnt = bc[b];
	*sum = s2[b];
}

#define assert_blk(pa, want_own, want_blk, want_sum) \
	do {                                         \
		unsigned int o_, b_;                 \
		u16 s_;                              \
		blk_state(pa, &o_, &b_, &s_);        \
		assert_int_equal(o_, want_own);      \
		assert_int_equal(b_, want_blk);      \
		assert_int_equal(s_, want_sum);      \
	} while (0)

/*
 * A mapping of a whole uniform 2 MiB block is counted once at the block (O(1) checks and
 * counts); a change of part of the block pushes the count down to its pages, and the block
 * goes back to one count when it is uniform again (one representation per state, so the
 * snapshot is the same). The refuse policy and the 255 limit see the block's count.
 */
static void block_dma_counts(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE, P = PA0 + 0x400000;
	u64 snap, snap2, i;
	struct hvc_regs r;
	u32 dom, vm;

	(void)state;
	dom = dom_create(16);
	vm = env_vm_create(16, 40);
	assert_blk(P, 0, 0, OWN_OWNER_HOST);
	/* Two whole-block maps: the block counts 2, no page count, the block stays uniform. */
	map_all(dom, IOVA0, P, 512, RW);
	map_all(dom, IOVA0 + SZ_2M, P, 512, LS_IOMMU_READ);
	assert_blk(P, 0, 2, OWN_OWNER_HOST);
	assert_blk(P + 0x1ff000, 0, 2, OWN_OWNER_HOST);
	assert_int_equal(dma_count(P + 0x5000), 2);
	assert_int_equal(dma_count(P + SZ_2M), 0);
	/* Refused while mapped (one page, the block, a pool), and nothing changes. */
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, P + 0x5000, IPA0, 1, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, P, IPA0, 512, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, P + 0x10000, 16, 0, &r), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	/* One page of it mapped alone: the count goes down to the pages. */
	assert_int_equal(map(dom, IOVA0 + 2 * SZ_2M, P + 0x5000, 1, RW, &r), LS_OK);
	INV_ASSERT();
	assert_blk(P, 2, 0, OWN_SUM_MIXED);
	assert_blk(P + 0x5000, 3, 0, OWN_SUM_MIXED);
	assert_int_equal(dma_count(P + 0x5000), 3);
	/* The whole block mapped once more while it is mixed: counted in its pages. */
	map_all(dom, IOVA0 + 3 * SZ_2M, P, 512, RW);
	assert_blk(P, 3, 0, OWN_SUM_MIXED);
	assert_blk(P + 0x5000, 4, 0, OWN_SUM_MIXED);
	unmap_all(dom, IOVA0 + 3 * SZ_2M, 512);
	assert_blk(P + 0x5000, 3, 0, OWN_SUM_MIXED);
	/* Unmapped again: uniform, one count at the block, byte for byte as before. */
	unmap_all(dom, IOVA0 + 2 * SZ_2M, 1);
	assert_blk(P + 0x5000, 0, 2, OWN_OWNER_HOST);
	assert_int_equal(env_snapshot(), snap);
	/* A page shared with the hypervisor (the host keeps its access): pushed down, and back. */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, P + 0x7000, 1, 0, 0, &r), LS_OK);
	INV_ASSERT();
	assert_blk(P + 0x7000, 2, 0, OWN_SUM_MIXED);
	assert_int_equal(dma_count(P), 2);
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, P + 0x7000, 1, 0, 0, &r), LS_OK);
	assert_blk(P + 0x7000, 0, 2, OWN_OWNER_HOST);
	assert_int_equal(env_snapshot(), snap);
	/* A device pin (counted per page) of part of it, and the unpin. */
	assert_int_equal(own_host_pin(P + 0x8000, 2), 0);
	INV_ASSERT();
	assert_int_equal(dma_count(P + 0x9000), 3);
	assert_int_equal(dma_count(P + 0xa000), 2);
	assert_int_equal(own_host_unpin(P + 0x8000, 2), 0);
	assert_int_equal(env_snapshot(), snap);
	/* The limit counts the block: 253 more whole maps, then neither a block nor a page. */
	for (i = 0; i < OWN_DMA_MAX_MAPS - 2; i++)
		assert_int_equal(map(dom, IOVA0 + (2 + i) * SZ_2M, P, 512, LS_IOMMU_READ, &r),
				 LS_OK);
	assert_blk(P, 0, OWN_DMA_MAX_MAPS, OWN_OWNER_HOST);
	INV_ASSERT();
	snap2 = env_snapshot();
	assert_int_equal(map(dom, IOVA0 + (2 + i) * SZ_2M, P, 512, LS_IOMMU_READ, &r), LS_ENOSPC);
	assert_int_equal(map(dom, IOVA0 + (2 + i) * SZ_2M, P + 0x3000, 1, LS_IOMMU_READ, &r),
			 LS_ENOSPC);
	assert_int_equal(own_host_pin(P + 0x3000, 1), -ENOSPC);
	assert_int_equal(env_snapshot(), snap2);
	for (i = 0; i < OWN_DMA_MAX_MAPS - 2; i++)
		assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + (2 + i) * SZ_2M, 512, 0,
					 &r),
				 LS_OK);
	assert_int_equal(env_snapshot(), snap);
	/* Both unmapped: the block counts 0 and the page can go. */
	unmap_all(dom, IOVA0, 1024);
	assert_blk(P, 0, 0, OWN_OWNER_HOST);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, P + 0x5000, IPA0, 1, &r), LS_OK);
	INV_ASSERT();
	/* A whole block the VM owns (uniform, not the host's): refused whole, by MAP and batch. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, P + SZ_2M, IPA0 + SZ_2M, 512, &r),
			 LS_OK);
	{
		unsigned int o, b;
		u16 sum;

		blk_state(P + SZ_2M, &o, &b, &sum);
		assert_true(sum != OWN_SUM_MIXED && sum != OWN_OWNER_HOST); /* uniform, the VM's */
	}
	snap = env_snapshot();
	assert_int_equal(map(dom, IOVA0 + 4 * SZ_2M, P + SZ_2M, 512, RW, &r), LS_EPERM);
	assert_int_equal(map(dom, IOVA0 + 4 * SZ_2M, P + SZ_2M + 0x3000, 1, RW, &r), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/*
 * An unmap the leaf fast path declines (a window ending inside a 2 MiB leaf) goes through the
 * general walk, which drops each leaf's counts with own_dma_add(): a whole 2 MiB leaf of a
 * uniform block counts down at the block (2 -> 1, then 1 -> 0), its pages and summary stay
 * as they are, while the leaf cut by the window's end pushes its block's count down to its
 * pages and drops the counts of the pages unmapped. Unmapping the rest gives back the state
 * before the maps, byte for byte.
 */
#define MIB1 0x100000ULL

static void walk_unmap_whole_block(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE, P = PA0 + 0x400000, Q = P + SZ_2M,
		  R = Q + SZ_2M, HALF = MIB1 >> PAGE_SHIFT;
	struct hvc_regs r;
	u64 snap, nr, g;
	const u16 *s1g;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	snap = env_snapshot();
	/* P twice (its block counts 2), Q and R once: four 2 MiB leaves. */
	map_all(dom, IOVA0, P, 512, RW);
	map_all(dom, IOVA0 + SZ_2M, Q, 512, RW);
	map_all(dom, IOVA0 + 4 * SZ_2M, P, 512, LS_IOMMU_READ);
	map_all(dom, IOVA0 + 5 * SZ_2M, R, 512, LS_IOMMU_READ);
	assert_blk(P, 0, 2, OWN_OWNER_HOST);
	assert_blk(Q, 0, 1, OWN_OWNER_HOST);
	assert_blk(R, 0, 1, OWN_OWNER_HOST);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 4 * 512);

	/* 3 MiB from IOVA0: P's leaf whole, the first half of Q's; one call. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 512 + HALF, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512 + HALF);
	INV_ASSERT();
	/* P: the block's count went down by one, its pages uncounted, still uniform. */
	assert_blk(P, 0, 1, OWN_OWNER_HOST);
	assert_blk(P + 0x1ff000, 0, 1, OWN_OWNER_HOST);
	assert_int_equal(dma_count(P + 0x5000), 1);
	/* Q: pushed down to its pages, the unmapped half at 0, the block mixed. */
	assert_blk(Q, 0, 0, OWN_SUM_MIXED);
	assert_blk(Q + MIB1 - PAGE_SIZE, 0, 0, OWN_SUM_MIXED);
	assert_blk(Q + MIB1, 1, 0, OWN_SUM_MIXED);
	assert_blk(Q + 0x1ff000, 1, 0, OWN_SUM_MIXED);
	/* Their 1 GiB block is mixed (some page mapped). */
	s1g = own_block_summaries(1, &nr);
	g = (P - ENV_RAM_BASE) / SZ_1G;
	assert_true(g < nr);
	assert_int_equal(s1g[g], OWN_SUM_MIXED);

	/* The same from IOVA0 + 8 MiB: P's block 1 -> 0, R's cut in half. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 4 * SZ_2M, 512 + HALF, 0, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 512 + HALF);
	INV_ASSERT();
	assert_blk(P, 0, 0, OWN_OWNER_HOST);
	assert_int_equal(dma_count(P + 0x1ff000), 0);
	assert_blk(R, 0, 0, OWN_SUM_MIXED);
	assert_blk(R + MIB1, 1, 0, OWN_SUM_MIXED);

	/* The halves left: every block uniform again, and nothing else changed. */
	unmap_all(dom, IOVA0 + 3 * MIB1, HALF);
	unmap_all(dom, IOVA0 + 11 * MIB1, HALF);
	assert_blk(Q + MIB1, 0, 0, OWN_OWNER_HOST);
	assert_blk(R + MIB1, 0, 0, OWN_OWNER_HOST);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	assert_int_equal(env_snapshot(), snap);
}

/* The checker notices a domain reaching a page the host lost, and a wrong count. */
static void checker_detects(void **state)
{
	char msg[256];
	u32 dom;
	struct own_hdom *d;
	u64 nr;
	u8 *cnt;

	(void)state;
	dom = dom_create(16);
	map_all(dom, IOVA0, PA0, 1, LS_IOMMU_READ);
	d = (struct own_hdom *)own_hdom_of(dom);
	cnt = (u8 *)own_dma_counts(&nr);
	cnt[(PA0 - ENV_RAM_BASE) >> PAGE_SHIFT]++;
	assert_int_not_equal(inv_check(msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "DMA map count"));
	cnt[(PA0 - ENV_RAM_BASE) >> PAGE_SHIFT]--;
	INV_ASSERT();
	/* Behind the core's back: a hypervisor page in the domain. */
	assert_int_equal(pt_map(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, ENV_RAM_BASE, PT_R, NULL), 0);
	assert_int_not_equal(inv_check(msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "neither owns nor borrows"));
	assert_int_equal(pt_unmap(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	INV_ASSERT();
	d->mapped++;
	assert_int_not_equal(inv_check(msg, sizeof(msg)), 0);
	d->mapped--;
	INV_ASSERT();
	/* Device leaves: RAM as device, and MMIO the host stage-2 does not map. */
	assert_int_equal(pt_map(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, PA0 + PAGE_SIZE,
				PT_R | PT_DEVICE, NULL),
			 0);
	d->mapped++;
	assert_int_not_equal(inv_check(msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "as device"));
	assert_int_equal(pt_unmap(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	assert_int_equal(
		pt_map(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, MMIO_GAP, PT_R | PT_DEVICE, NULL), 0);
	assert_int_not_equal(inv_check(msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "host stage-2 does not"));
	assert_int_equal(pt_unmap(&d->pt, IOVA0 + PAGE_SIZE, PAGE_SIZE, NULL), 0);
	d->mapped--;
	INV_ASSERT();
}

/*
 * LS_FN_DEBUG_CHECK: the invariant walk through the dispatcher and the page-table engine's
 * walker (the image's path). Clean, x1 is 0 and x6 the RAM pages; each corruption is named
 * by code, address and whom; a walk that stopped half-way (after marking every view's
 * pages, in the middle of the DMA count-down) leaves the DB, the DMA map counts and every
 * table exactly as they were.
 */
static void debug_check_hvc(void **state)
{
	struct pt *hcpu = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	struct pt_pool *vpool;
	struct hvc_regs r;
	u64 nr, snap, i1, i2;
	u32 dom, vm;
	u8 *cnt;

	(void)state;
	dom = dom_create(16);
	map_all(dom, IOVA0, PA0, 4, LS_IOMMU_READ | LS_IOMMU_WRITE);
	vm = env_vm_create(16, 32);
	cnt = (u8 *)own_dma_counts(&nr);
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_OK);
	assert_int_equal(r.x[6], nr);
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 1, 0, 0, 0, &r), LS_EINVAL);

	/* The host maps a hypervisor page. */
	assert_int_equal(pt_map(hcpu, ENV_RAM_BASE, PAGE_SIZE, ENV_RAM_BASE, PT_RWX, NULL), 0);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_HYP_PAGE);
	assert_int_equal(r.x[2], ENV_RAM_BASE);
	assert_int_equal(r.x[3], LS_POOL_HOST);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(pt_unmap(hcpu, ENV_RAM_BASE, PAGE_SIZE, NULL), 0);

	/* A VM pool's free counter: found after every view's pages and tables were marked. */
	vpool = (struct pt_pool *)own_pool_of(vm);
	vpool->nr_free++;
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_POOL);
	assert_int_equal(r.x[3], vm);
	assert_int_equal(env_snapshot(), snap);
	vpool->nr_free--;

	/* DMA map counts: one more than the domain maps, then one fewer (the count-down stops). */
	i1 = (PA0 + PAGE_SIZE - ENV_RAM_BASE) >> PAGE_SHIFT;
	i2 = (PA0 + 2 * PAGE_SIZE - ENV_RAM_BASE) >> PAGE_SHIFT;
	cnt[i1]++;
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_DMA_COUNT);
	assert_int_equal(r.x[2], PA0 + PAGE_SIZE);
	assert_int_equal(r.x[4], 1);
	assert_int_equal(env_snapshot(), snap);
	cnt[i1]--;
	cnt[i2]--;
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_DMA_COUNT);
	assert_int_equal(r.x[2], PA0 + 2 * PAGE_SIZE);
	assert_int_equal(r.x[3], LS_CHECK_WHO_DOM(dom));
	assert_int_equal(r.x[5], ~0ULL);
	assert_int_equal(env_snapshot(), snap);
	cnt[i2]++;

	assert_int_equal(env_hvc(LS_FN_DEBUG_CHECK, 0, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], LS_CHECK_OK);
	INV_ASSERT();
}

/* The host stage-2 device mappings the MMIO tests add (host_mmio_setup()). */

static void host_mmio(u64 pa, u64 size, pt_attr_t attr)
{
	struct pt *cpu = (struct pt *)&own_view_of(OWN_HOST)->cpu;

	assert_int_equal(pt_map(cpu, pa, size, pa, attr | PT_DEVICE, NULL), 0);
}

static void host_mmio_setup(void)
{
	host_mmio(MMIO0, 16 * PAGE_SIZE, PT_RW);
	host_mmio(MMIO_RO, PAGE_SIZE, PT_R);
	host_mmio(MMIO_BLK, 0x200000, PT_RW);
	INV_ASSERT();
}

/* Hash of every DMA map count: MMIO maps must not touch them. */
static u64 dma_counts_hash(void)
{
	u64 nr, nb, i, h = 0xcbf29ce484222325ULL;
	const u8 *c = own_dma_counts(&nr), *b = own_block_dma_counts(&nb);

	for (i = 0; i < nr; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	for (i = 0; i < nb; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * MMIO the host reaches (an MSI doorbell) maps as device memory, uncounted;
 * QUERY reports the MMIO bit; UNMAP (also of a window mixing RAM and MMIO)
 * drops only the RAM pages' counts; the domain can then be destroyed.
 */
static void mmio_map_query_unmap(void **state)
{
	struct hvc_regs r;
	pt_attr_t attr;
	u64 h0, pa;
	u32 dom;

	(void)state;
	host_mmio_setup();
	dom = dom_create(16);
	h0 = dma_counts_hash();
	drv.syncs = drv.ranges = 0;
	/* The doorbell: one write-only page. */
	assert_int_equal(map(dom, IOVA0, MMIO0 + 0x3000, 1, LS_IOMMU_WRITE | LS_IOMMU_MMIO, &r),
			 LS_OK);
	assert_int_equal(r.x[1], 1);
	INV_ASSERT();
	assert_int_equal(drv.ranges, 0); /* invalid entries replaced: nothing to invalidate */
	assert_int_equal(drv.syncs, 0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], MMIO0 + 0x3000);
	assert_int_equal(r.x[2], LS_IOMMU_WRITE | LS_IOMMU_MMIO);
	/* Device memory attributes in the domain's descriptor (S2 MemAttr Device-nGnRE). */
	assert_int_equal(pt_lookup(&own_hdom_of(dom)->pt, IOVA0, &pa, &attr, NULL), 0);
	assert_int_equal(attr & (PT_DEVICE | PT_RW), PT_DEVICE | PT_W);
	/* Read-only device page, read only; the whole RW range; a 2 MiB device block. */
	map_all(dom, IOVA0 + 0x10000, MMIO_RO, 1, LS_IOMMU_READ | LS_IOMMU_MMIO);
	map_all(dom, IOVA0 + 0x100000, MMIO0, 16, MMIO_RW);
	map_all(dom, IOVA0 + 0x200000, MMIO_BLK, 512, MMIO_RW);
	assert_int_equal(env_hvc(LS_FN_VIEW_STATS, LS_VIEW_IOMMU_DOMAIN(dom), IOVA0 + 0x201000, 0,
				 0, &r),
			 LS_OK);
	assert_int_equal(r.x[3], 2); /* one 2 MiB block */
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 0x10000, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[2], LS_IOMMU_READ | LS_IOMMU_MMIO);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 1 + 1 + 16 + 512);
	assert_int_equal(dma_counts_hash(), h0); /* no map count for MMIO */
	/* The host still cannot map MMIO without the bit (RAM only). */
	assert_int_equal(map(dom, IOVA0 + 0x400000, MMIO0, 1, LS_IOMMU_READ, &r), LS_ERANGE);

	/* Unmap: one range, one sync, gone. */
	drv.syncs = drv.ranges = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0, 1, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 1);
	assert_int_equal(drv.ranges, 1);
	assert_int_equal(drv.syncs, 1);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0, 0, 0, &r), LS_ENOENT);
	INV_ASSERT();
	/* A window of RAM then MMIO (different leaves): counts drop for the RAM page only. */
	map_all(dom, IOVA0 + 0x0ff000, PA0, 1, LS_IOMMU_READ);
	assert_int_equal(dma_count(PA0), 1);
	unmap_all(dom, IOVA0 + 0x0ff000, 17);
	assert_int_equal(dma_count(PA0), 0);
	assert_int_equal(dma_counts_hash(), h0);
	unmap_all(dom, IOVA0 + 0x10000, 1);
	unmap_all(dom, IOVA0 + 0x200000, 512);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_OK);
	INV_ASSERT();
}

/* Bad MMIO maps: the documented error, x1 = 0, nothing changed (DB, counts, tables, pools). */
static void mmio_map_errors(void **state)
{
	const struct {
		u64 iova, pa, n, prot;
		s64 err;
	} t[] = {
		{ IOVA0, PA0, 1, MMIO_RW, LS_EINVAL },			    /* RAM with the bit */
		{ IOVA0, ENV_RAM_BASE, 1, MMIO_RW, LS_EINVAL },		    /* hypervisor RAM */
		{ IOVA0, ENV_RAM_BASE - PAGE_SIZE, 2, MMIO_RW, LS_EINVAL }, /* runs into RAM */
		{ IOVA0, MMIO_GAP, 1, MMIO_RW, LS_EPERM },		    /* not in host s2 */
		{ IOVA0, MMIO_GAP - PAGE_SIZE, 2, MMIO_RW, LS_EPERM },	    /* last page not */
		{ IOVA0, 0x09050000ULL, 1, LS_IOMMU_WRITE | LS_IOMMU_MMIO, LS_EPERM }, /* "SMMU" */
		{ IOVA0, MMIO_RO, 1, MMIO_RW, LS_EPERM },	  /* host may not write */
		{ IOVA0, 1ULL << 40, 1, MMIO_RW, LS_EPERM },	  /* beyond host IPA */
		{ IOVA0, MMIO0, 1, LS_IOMMU_MMIO, LS_EINVAL },	  /* no access */
		{ IOVA0, MMIO0, 1, MMIO_RW | 8, LS_EINVAL },	  /* unknown bit */
		{ IOVA0, MMIO0 + 8, 1, MMIO_RW, LS_EINVAL },	  /* unaligned */
		{ IOVA0, ~0ULL << 12, 2, MMIO_RW, LS_EINVAL },	  /* PA wraps */
		{ IOVA0, MMIO0, 0, MMIO_RW, LS_EINVAL },	  /* no pages */
		{ 1ULL << 40, MMIO0, 1, MMIO_RW, LS_ERANGE },	  /* beyond IOVA bits */
		{ IOVA0 + 0x5000, MMIO0, 1, MMIO_RW, LS_EEXIST }, /* double map */
	};
	struct hvc_regs r;
	unsigned int i;
	u64 snap;
	u32 dom;

	(void)state;
	host_mmio_setup();
	dom = dom_create(16);
	map_all(dom, IOVA0 + 0x5000, MMIO0 + 0x5000, 1, MMIO_RW);
	snap = env_snapshot();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(map(dom, t[i].iova, t[i].pa, t[i].n, t[i].prot, &r), t[i].err);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(env_snapshot(), snap);
	}
	assert_int_equal(map(5, IOVA0, MMIO0, 1, MMIO_RW, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, IOVA0 + 0x4000, 2, 0, &r), LS_ENOENT);
	assert_int_equal(env_snapshot(), snap);
	/* The MMIO mapping keeps the domain alive until unmapped. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	unmap_all(dom, IOVA0 + 0x5000, 1);
	INV_ASSERT();
}

/* A VM may make none of these calls: LS_EPERM, nothing changed. */
/*
 * Devices of VMs (vmdev.c): a stream moves from the host identity view to the VM's own
 * stage 2 (same root, VMID vm + 1), every transition of the VM then invalidates the
 * IOMMU too, and the refusals change nothing.
 */
static void vm_streams(void **state)
{
	struct hvc_regs r;
	u64 snap, pa, inv;
	u32 vm, vm2, dom, x;

	(void)state;
	vm = env_vm_create(16, 40);
	vm2 = env_vm_create(16, 40);
	dom = dom_create(16);
	pa = env_host_pages(4, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA0, 2, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 8, 0, 0, &r), LS_OK);
	INV_ASSERT();

	/* Refusals: nothing changes, the driver is not called. */
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, NR_SIDS, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 1ULL << 32, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, OWN_MAX_VMS, 7, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 8, 0, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_RELEASE_STREAM, 7, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_ASSIGN_STREAM, vm, 7, &r), LS_EPERM);
	drv.fail_attach = -EIO;
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 7, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(drv.attaches, 1);
	assert_int_equal(own_vm_stream_of(7, &x), -ENOENT);

	/* Assigned: the stream walks the VM's CPU table under the VM's VMID. */
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 7, 0, 0, &r), LS_OK);
	assert_int_equal(drv.attached[7], pt_root_pa(&own_view_of(vm)->cpu));
	assert_int_equal(drv.last_vmid, vm + 1);
	assert_int_equal(own_vm_stream_of(7, &x), 0);
	assert_int_equal(x, vm);
	INV_ASSERT();
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 7, 0, 0, &r), LS_EEXIST);
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm2, 7, 0, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 7, 0, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, 7, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(drv.attached[7], pt_root_pa(&own_view_of(vm)->cpu));

	/* A transition of the VM invalidates the IOMMU for its VMID, in the same call. */
	inv = drv.vm_inval[vm + 1];
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0 + PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_true(drv.vm_inval[vm + 1] > inv);
	/* Destroy refuses while a stream is the VM's. */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA0, 1, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_EBUSY);

	/* Released: identity view again, the VMID dropped from the IOMMU TLB, no more calls. */
	inv = drv.vm_alls[vm + 1];
	assert_int_equal(env_hvc(LS_FN_VM_RELEASE_STREAM, 7, 0, 0, 0, &r), LS_OK);
	assert_int_equal(drv.attached[7], 0);
	assert_int_equal(drv.vm_alls[vm + 1], inv + 1);
	assert_int_equal(env_hvc(LS_FN_VM_RELEASE_STREAM, 7, 0, 0, 0, &r), LS_ENOENT);
	inv = drv.vm_inval[vm2 + 1];
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm2, pa + 2 * PAGE_SIZE, IPA0, 1, &r),
			 LS_OK);
	assert_int_equal(drv.vm_inval[vm2 + 1], inv); /* vm2 has no device: CPU only */
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_OK);
	INV_ASSERT();
}

static void vm_caller(void **state)
{
	struct hvc_ctx ctx = { HVC_CALLER_VM, 0, 0 };
	struct hvc_regs r;
	u64 snap;
	u32 fn, dom;

	(void)state;
	dom = dom_create(16);
	map_all(dom, IOVA0, PA0, 1, LS_IOMMU_READ);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, 1, 0, 0, &r), LS_OK);
	ctx.vm_id = env_vm_create(16, 40);
	snap = env_snapshot();
	for (fn = LS_FN_IOMMU_DOMAIN_CREATE; fn <= LS_FN_IOMMU_MAP_BATCH; fn++) {
		memset(&r, 0, sizeof(r));
		r.x[0] = LS_HVC_ID(fn);
		r.x[1] = fn == LS_FN_IOMMU_DETACH ? 1 : dom;
		r.x[2] = fn == LS_FN_IOMMU_ATTACH ? 2 : IOVA0;
		r.x[3] = fn == LS_FN_IOMMU_MAP ? PA0 + PAGE_SIZE : 1;
		r.x[4] = 1;
		r.x[5] = LS_IOMMU_READ;
		hvc_handle(&ctx, &r);
		assert_int_equal((s64)r.x[0], LS_EPERM);
		assert_int_equal(env_snapshot(), snap);
	}
	assert_int_equal(drv.attaches, 1);
	assert_int_equal(drv.detaches, 0);
	INV_ASSERT();
}

/* LS_FN_IOMMU_MAP_BATCH: the list lives in a host page; entry = iova, pa, pages | prot << 32. */
static u64 *batch_list(u64 *pa)
{
	*pa = env_host_pages(1, PAGE_SIZE);
	return plat_phys_to_virt(*pa);
}

static void batch_set(u64 *l, unsigned int i, u64 iova, u64 pa, u64 n, u64 prot)
{
	l[3 * i] = iova;
	l[3 * i + 1] = pa;
	l[3 * i + 2] = n | prot << 32;
}

static s64 batch(u32 dom, u64 list, u64 nents, struct hvc_regs *r)
{
	return env_hvc(LS_FN_IOMMU_MAP_BATCH, dom, list, nents, 0, r);
}

/* Scattered 4 KiB and 2 MiB entries in one call: all mapped, counted, one list. */
static void batch_map(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE;
	struct hvc_regs r;
	u64 lpa, *l = batch_list(&lpa), pa;
	unsigned int i;
	u32 dom, prot;

	(void)state;
	dom = dom_create(16);
	for (i = 0; i < LS_IOMMU_BATCH_MAX - 1; i++) /* page i at IOVA i, PA 2i: no merge */
		batch_set(l, i, IOVA0 + i * PAGE_SIZE, PA0 + 2 * i * PAGE_SIZE, 1,
			  i & 1 ? LS_IOMMU_READ : RW);
	batch_set(l, i, IOVA0 + 0x200000, PA0 + 0x400000, 512, RW); /* a 2 MiB block */
	drv.syncs = 0;
	while (batch(dom, lpa, LS_IOMMU_BATCH_MAX, &r) == LS_ENOMEM) {
		assert_int_equal(r.x[2], LS_POOL_IOMMU(dom));
		assert_int_equal(env_hvc(LS_FN_POOL_DONATE, r.x[2],
					 env_host_pages(r.x[1], PAGE_SIZE), r.x[1], 0, &r),
				 LS_OK);
	}
	assert_int_equal((s64)r.x[0], LS_OK);
	assert_int_equal(r.x[1], LS_IOMMU_BATCH_MAX);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), LS_IOMMU_BATCH_MAX - 1 + 512);
	assert_int_equal(drv.syncs, 0); /* only invalid entries were filled */
	INV_ASSERT();
	for (i = 0; i < LS_IOMMU_BATCH_MAX - 1; i++) {
		assert_int_equal(own_hdom_lookup(dom, IOVA0 + i * PAGE_SIZE, &pa, &prot, NULL), 0);
		assert_int_equal(pa, PA0 + 2 * i * PAGE_SIZE);
		assert_int_equal(prot, i & 1 ? LS_IOMMU_READ : RW);
		assert_int_equal(dma_count(pa), 1);
	}
	assert_int_equal(own_hdom_lookup(dom, IOVA0 + 0x3ff000, &pa, &prot, NULL), 0);
	assert_int_equal(pa, PA0 + 0x5ff000);
	/* QUERY's x3: the leaf's size, 512 pages for the block, 1 for a page. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 0x3ff000, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], PA0 + 0x5ff000);
	assert_int_equal(r.x[3], 512);
	assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 2 * PAGE_SIZE, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], PA0 + 4 * PAGE_SIZE);
	assert_int_equal(r.x[3], 1);
	unmap_all(dom, IOVA0, LS_IOMMU_BATCH_MAX - 1);
	unmap_all(dom, IOVA0 + 0x200000, 512);
	assert_int_equal(dma_count(PA0), 0);
	INV_ASSERT();
}

/*
 * Budget units (ABI 1.5): an entry of 512 pages with IOVA and PA 2 MiB aligned counts one unit,
 * so nine such blocks (4,608 pages, over LS_IOMMU_BUDGET_PAGES) go in one call; the same nine
 * with the PA 4 KiB off count their pages and are refused, nothing changed.
 */
static void batch_block_units(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE;
	struct hvc_regs r;
	u64 lpa, *l = batch_list(&lpa), snap, t0, k;
	unsigned int i;
	u32 dom;

	(void)state;
	dom = dom_create(16);
	assert_int_equal(LS_IOMMU_BATCH_UNITS(IOVA0, PA0, 512), 1);
	assert_int_equal(LS_IOMMU_BATCH_UNITS(IOVA0, PA0 + PAGE_SIZE, 512), 512);
	snap = env_snapshot();
	for (i = 0; i < 9; i++)
		batch_set(l, i, IOVA0 + 2 * i * SZ_2M, PA0 + i * SZ_2M + PAGE_SIZE, 512, RW);
	assert_int_equal(batch(dom, lpa, 9, &r), LS_EINVAL); /* 4,608 units */
	assert_int_equal(env_snapshot(), snap);
	for (i = 0; i < 9; i++)
		batch_set(l, i, IOVA0 + 2 * i * SZ_2M, PA0 + i * SZ_2M, 512, RW);
	while (batch(dom, lpa, 9, &r) == LS_ENOMEM)
		assert_int_equal(env_hvc(LS_FN_POOL_DONATE, r.x[2],
					 env_host_pages(r.x[1], PAGE_SIZE), r.x[1], 0, &r),
				 LS_OK);
	assert_int_equal((s64)r.x[0], LS_OK);
	assert_int_equal(r.x[1], 9);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 9 * 512);
	for (i = 0; i < 9; i++) {
		assert_int_equal(env_hvc(LS_FN_IOMMU_QUERY, dom, IOVA0 + 2 * i * SZ_2M, 0, 0, &r),
				 LS_OK);
		assert_int_equal(r.x[1], PA0 + i * SZ_2M);
		assert_int_equal(r.x[3], 512); /* one 2 MiB leaf each */
	}
	INV_ASSERT();
	for (i = 0; i < 9; i++)
		unmap_all(dom, IOVA0 + 2 * i * SZ_2M, 512);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_MAPPED), 0);
	INV_ASSERT();
	/*
	 * Blocks in three 1 GiB regions with no level-2 table yet: each pays for its own table
	 * (only a block in the region where the previous entry ended rides on that entry's).
	 */
	for (i = 0; i < 3; i++)
		batch_set(l, i, IOVA0 + (i + 1) * SZ_1G, PA0 + i * SZ_2M, 512, RW);
	/* The pool used up by pages in 2 MiB regions of their own: the shortfall is exact. */
	for (k = 0; stat(dom, LS_IOMMU_STAT_POOL_FREE) > 0; k++)
		assert_int_equal(map(dom, IOVA0 + k * SZ_2M, PA0 + k * PAGE_SIZE, 1, RW, &r),
				 LS_OK);
	t0 = stat(dom, LS_IOMMU_STAT_TABLES);
	snap = env_snapshot();
	assert_int_equal(batch(dom, lpa, 3, &r), LS_ENOMEM);
	assert_int_equal(r.x[1], 3);
	assert_int_equal(env_snapshot(), snap);
	while (batch(dom, lpa, 3, &r) == LS_ENOMEM)
		assert_int_equal(env_hvc(LS_FN_POOL_DONATE, r.x[2],
					 env_host_pages(r.x[1], PAGE_SIZE), r.x[1], 0, &r),
				 LS_OK);
	assert_int_equal((s64)r.x[0], LS_OK);
	assert_int_equal(stat(dom, LS_IOMMU_STAT_TABLES), t0 + 3);
	INV_ASSERT();
	for (i = 0; i < 3; i++)
		unmap_all(dom, IOVA0 + (i + 1) * SZ_1G, 512);
	while (k--)
		unmap_all(dom, IOVA0 + k * SZ_2M, 1);
	INV_ASSERT();
}

/* Any bad entry fails the whole call with nothing mapped; the list page is checked. */
static void batch_errors(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE;
	struct hvc_regs r;
	u64 lpa, *l = batch_list(&lpa), snap, vmpa = ENV_BIG + 0x80000000ULL;
	u32 dom, vm;
	struct {
		u64 iova, pa, n, prot;
		s64 err;
	} t[] = {
		{ IOVA0 + 0x10000, PA0, 1, RW, LS_EINVAL },	/* below entry 0 */
		{ IOVA0 + 0x1000, PA0, 1, RW, LS_EINVAL },	/* overlaps entry 0 */
		{ IOVA0 + 0x20000, PA0 + 8, 1, RW, LS_EINVAL }, /* unaligned PA */
		{ IOVA0 + 0x20000, PA0, 0, RW, LS_EINVAL },	/* no pages */
		{ IOVA0 + 0x20000, PA0, 1, 0, LS_EINVAL },	/* no prot */
		{ IOVA0 + 0x20000, PA0, 1, 8, LS_EINVAL },	/* unknown prot */
		{ IOVA0 + 0x20000, PA0, LS_IOMMU_BUDGET_PAGES, RW, LS_EINVAL }, /* over budget */
		{ 1ULL << 40, PA0, 1, RW, LS_ERANGE },		      /* beyond IOVA bits */
		{ IOVA0 + 0x20000, 0x20000000ULL, 1, RW, LS_ERANGE }, /* not RAM */
		{ IOVA0 + 0x20000, ENV_RAM_BASE, 1, RW, LS_EPERM },   /* hypervisor page */
		{ IOVA0 + 0x20000, 0, 1, RW, LS_EPERM },	      /* VM private (below) */
		{ IOVA0 + 0x300000, PA0, 1, RW, LS_EEXIST },	      /* mapped before */
	};
	unsigned int i;

	(void)state;
	dom = dom_create(16);
	vm = env_vm_create(16, 40);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, vmpa, IPA0, 1, &r), LS_OK);
	t[10].pa = vmpa;
	map_all(dom, IOVA0 + 0x300000, PA0 + 0x100000, 1, RW);
	snap = env_snapshot();
	/* Entry 0 is good and maps PA0 too: its count must be undone. Entry 1 is the bad one. */
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		batch_set(l, 0, IOVA0 + 0x10000, PA0, 2, RW);
		batch_set(l, 1, t[i].iova, t[i].pa, t[i].n, t[i].prot);
		assert_int_equal(batch(dom, lpa, 2, &r), t[i].err);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(env_snapshot(), snap);
		assert_int_equal(dma_count(PA0), 0);
	}
	batch_set(l, 0, IOVA0, PA0, 1, RW);
	assert_int_equal(batch(dom, lpa, 0, &r), LS_EINVAL);
	assert_int_equal(batch(dom, lpa, LS_IOMMU_BATCH_MAX + 1, &r), LS_EINVAL);
	assert_int_equal(batch(dom, lpa + 8, 1, &r), LS_EINVAL);       /* unaligned list */
	assert_int_equal(batch(dom, 0x20000000ULL, 1, &r), LS_ERANGE); /* list not RAM */
	assert_int_equal(batch(dom, ENV_RAM_BASE, 1, &r), LS_EPERM);   /* hypervisor's page */
	assert_int_equal(batch(5, lpa, 1, &r), LS_ENOENT);
	assert_int_equal(env_snapshot(), snap);
	/* One page twice in a batch counts twice: 254 + 2 > OWN_DMA_MAX_MAPS. */
	for (i = 0; i < OWN_DMA_MAX_MAPS - 1; i++)
		assert_int_equal(map(dom, IOVA0 + 0x400000 + i * PAGE_SIZE, PA0, 1, RW, &r), LS_OK);
	snap = env_snapshot();
	batch_set(l, 0, IOVA0, PA0, 1, RW);
	batch_set(l, 1, IOVA0 + PAGE_SIZE, PA0, 1, RW);
	assert_int_equal(batch(dom, lpa, 2, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(dma_count(PA0), OWN_DMA_MAX_MAPS - 1);
	assert_int_equal(batch(dom, lpa, 1, &r), LS_OK);
	assert_int_equal(dma_count(PA0), OWN_DMA_MAX_MAPS);
	INV_ASSERT();
}

/*
 * The ownership and count checks of a span go eight pages at a time: a borrowed page inside an
 * eight-page group (the slow per-page path of that group), a VM-private one (-EPERM), a page at
 * 255 maps in the middle of a group (-ENOSPC), each with nothing changed; counts after.
 */
static void count_span_words(void **state)
{
	const u64 RW = LS_IOMMU_READ | LS_IOMMU_WRITE, base = PA0 + 0x800000;
	struct hvc_regs r;
	u64 snap, i;
	u32 dom, vm;

	(void)state;
	dom = dom_create(16);
	vm = env_vm_create(16, 40);
	/* Pages 5 (then borrowed) and 21 (private) of base go to the VM. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, base + 5 * PAGE_SIZE, IPA0, 1, &r),
			 LS_OK);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, base + 21 * PAGE_SIZE, IPA0 + PAGE_SIZE,
				 1, &r),
			 LS_OK);
	assert_int_equal(env_guest_mem(vm, true, IPA0, 1, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA0, 1, 0, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(map(dom, IOVA0, base, 32, RW, &r), LS_EPERM); /* page 21 */
	assert_int_equal(env_snapshot(), snap);
	map_all(dom, IOVA0, base, 16, RW); /* page 5 is borrowed: fine */
	for (i = 0; i < 16; i++)
		assert_int_equal(dma_count(base + i * PAGE_SIZE), 1);
	/* Page 11 up to 255 maps, then a 16-page map over it fails whole. */
	for (i = 1; i < OWN_DMA_MAX_MAPS; i++)
		assert_int_equal(map(dom, IOVA0 + 0x100000 + i * PAGE_SIZE, base + 11 * PAGE_SIZE,
				     1, RW, &r),
				 LS_OK);
	assert_int_equal(dma_count(base + 11 * PAGE_SIZE), OWN_DMA_MAX_MAPS);
	snap = env_snapshot();
	assert_int_equal(map(dom, IOVA0 + 0x200000, base, 16, RW, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(map(dom, IOVA0 + 0x200000, base + 12 * PAGE_SIZE, 4, RW, &r), LS_OK);
	assert_int_equal(dma_count(base + 12 * PAGE_SIZE), 2);
	assert_int_equal(dma_count(base + 10 * PAGE_SIZE), 1);
	unmap_all(dom, IOVA0, 16);
	unmap_all(dom, IOVA0 + 0x200000, 4);
	unmap_all(dom, IOVA0 + 0x100000 + PAGE_SIZE, OWN_DMA_MAX_MAPS - 1);
	for (i = 0; i < 16; i++)
		assert_int_equal(dma_count(base + i * PAGE_SIZE), 0);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_destroy, setup, teardown),
		cmocka_unit_test_setup_teardown(create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(no_driver, setup_nodrv, teardown),
		cmocka_unit_test_setup_teardown(map_query_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_empties_table_one_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(map_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(budget, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_window_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_one_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(split_merge_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(view_stats_host, setup, teardown),
		cmocka_unit_test_setup_teardown(attach_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(ebusy_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(enomem_donate, setup, teardown),
		cmocka_unit_test_setup_teardown(map_count_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(block_dma_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(walk_unmap_whole_block, setup, teardown),
		cmocka_unit_test_setup_teardown(checker_detects, setup, teardown),
		cmocka_unit_test_setup_teardown(debug_check_hvc, setup, teardown),
		cmocka_unit_test_setup_teardown(vm_caller, setup, teardown),
		cmocka_unit_test_setup_teardown(vm_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_map, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_block_units, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(count_span_words, setup, teardown),
		cmocka_unit_test_setup_teardown(mmio_map_query_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(mmio_map_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
