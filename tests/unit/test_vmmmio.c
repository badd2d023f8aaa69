// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO of VMs (hyp/mem/vmmmio.c) through the real dispatcher: LS_FN_VM_MAP_MMIO takes a
 * device range from the host's stage 2 into a VM's as device RW memory, LS_FN_VM_UNMAP_MMIO
 * gives the exact range back with the host's attributes, VM_DESTROY gives every range back;
 * every refusal leaves the state as it was (snapshot); the host cannot reach a taken range
 * (its view walk and the abort path's retry say so); the VM's memory calls refuse its MMIO;
 * the invariant walk catches a host leaf over a taken range and a VM device leaf outside one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "../../hyp/mem/own_internal.h"
#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define NR_SIDS	 64U
/* Host MMIO (what boot_map_host_devices() maps on arm64): 16 RW pages, a gap, a RO page,
 * a 2 MiB RW block, and one RWX page beside RW ones (two attribute sets). */
#define MMIO0	 0x08000000ULL
#define MMIO_GAP (MMIO0 + 16 * PAGE_SIZE)
#define MMIO_RO	 0x08100000ULL
#define MMIO_BLK 0x08200000ULL
#define MMIO_MIX 0x08400000ULL
#define IPA_M	 0x90000000ULL /* the VM's MMIO window: never RAM of the VM */
#define IPA_RAM	 0x10000000ULL

/* Recording fake IOMMU driver: VM VMIDs' invalidations. */
static struct {
	u64 vm_inval[OWN_MAX_VMS + 1];
	u64 syncs;
} drv;

static int drv_attach(void *d, u32 sid, const struct pt *pt, u16 vmid)
{
	(void)d;
	(void)sid;
	(void)pt;
	(void)vmid;
	return 0;
}

static int drv_detach(void *d, u32 sid)
{
	(void)d;
	(void)sid;
	return 0;
}

static void drv_inval(void *d, u16 vmid, const struct pt_gather *g)
{
	(void)d;
	(void)g;
	if (vmid >= 1 && vmid <= OWN_MAX_VMS)
		drv.vm_inval[vmid]++;
}

static void drv_sync(void *d)
{
	(void)d;
	drv.syncs++;
}

static const struct own_iommu_ops drv_ops = { drv_attach, drv_detach, drv_inval, drv_sync };

static struct pt *host_cpu(void)
{
	return (struct pt *)&own_view_of(OWN_HOST)->cpu;
}

static void host_mmio(u64 pa, u64 size, pt_attr_t attr)
{
	assert_int_equal(pt_map(host_cpu(), pa, size, pa, attr | PT_DEVICE, NULL), 0);
}

static u32 vm;

static int setup(void **state)
{
	(void)state;
	env_setup(64);
	memset(&drv, 0, sizeof(drv));
	assert_int_equal(own_iommu_register(&drv_ops, &drv, NR_SIDS, PT_FMT_ARM64_S2, true), 0);
	host_mmio(MMIO0, 16 * PAGE_SIZE, PT_RW);
	host_mmio(MMIO_RO, PAGE_SIZE, PT_R);
	host_mmio(MMIO_BLK, SZ_2M, PT_RW);
	host_mmio(MMIO_MIX, PAGE_SIZE, PT_RW);
	host_mmio(MMIO_MIX + PAGE_SIZE, PAGE_SIZE, PT_RWX);
	vm = env_vm_create(16, 40);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static s64 take(u32 v, u64 ipa, u64 pa, u64 n, struct hvc_regs *r)
{
	return env_hvc(LS_FN_VM_MAP_MMIO, v, ipa, pa, n, r);
}

static s64 give(u32 v, u64 ipa, u64 n, struct hvc_regs *r)
{
	return env_hvc(LS_FN_VM_UNMAP_MMIO, v, ipa, n, 0, r);
}

/* The host's CPU view maps @pa (the fake backend's walk, as the abort path asks). */
static bool host_maps(u64 pa, pt_attr_t *attr)
{
	return pt_lookup(host_cpu(), pa, NULL, attr, NULL) == 0;
}

static unsigned int nr_ranges(u32 v)
{
	struct own_mmio m;
	unsigned int i = 0;

	while (own_vm_mmio_of(v, i, &m) == 0)
		i++;
	return i;
}

/*
 * Take 4 pages from the middle of the host's RW run and 1 page of its 2 MiB block: the host
 * loses exactly those (its abort path sees no mapping to retry), the VM maps them as device
 * RW at its IPAs, both views invalidated and synced; give back: the host maps them with the
 * attributes they had, and every table page returns to both pools.
 */
static void take_give(void **state)
{
	const struct pt_pool *hp = own_pool_of(OWN_HOST), *vp = own_pool_of(vm);
	u64 hfree = hp->nr_free, vfree = vp->nr_free, inval, syncs;
	struct own_mmio m;
	struct hvc_regs r;
	pt_attr_t attr;
	u64 pa;

	(void)state;
	inval = env_cpu_rec.inval_calls;
	syncs = env_cpu_rec.syncs;
	assert_int_equal(take(vm, IPA_M, MMIO0 + 4 * PAGE_SIZE, 4, &r), LS_OK);
	assert_int_equal(r.x[1], 4);
	/*
	 * The host's entries invalidated and synced; the VM's new ones need none (an entry
	 * that faults is never cached: Arm ARM D8.16 "Translation Lookaside Buffers").
	 */
	assert_int_equal(env_cpu_rec.inval_calls, inval + 1);
	assert_int_equal(env_cpu_rec.syncs, syncs + 1);
	for (pa = MMIO0; pa < MMIO0 + 16 * PAGE_SIZE; pa += PAGE_SIZE) {
		bool in = pa >= MMIO0 + 4 * PAGE_SIZE && pa < MMIO0 + 8 * PAGE_SIZE;

		assert_int_equal(host_maps(pa, NULL), !in);
		assert_int_equal(own_host_fault_retry(pa), !in);
	}
	assert_int_equal(pt_lookup(&own_view_of(vm)->cpu, IPA_M + 0x2000, &pa, &attr, NULL), 0);
	assert_int_equal(pa, MMIO0 + 6 * PAGE_SIZE);
	assert_int_equal(attr, PT_RW | PT_DEVICE);
	assert_int_equal(own_vm_mmio_of(vm, 0, &m), 0);
	assert_int_equal(m.ipa, IPA_M);
	assert_int_equal(m.pa, MMIO0 + 4 * PAGE_SIZE);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.host_attr, PT_RW | PT_DEVICE);
	INV_ASSERT();

	/* One page of the host's 2 MiB device block: the block splits in the host's table. */
	assert_int_equal(take(vm, IPA_M + SZ_2M, MMIO_BLK + 0x5000, 1, &r), LS_OK);
	assert_false(host_maps(MMIO_BLK + 0x5000, NULL));
	assert_true(host_maps(MMIO_BLK + 0x4000, &attr));
	assert_int_equal(attr, PT_RW | PT_DEVICE);
	assert_true(host_maps(MMIO_BLK + 0x6000, NULL));
	assert_int_equal(nr_ranges(vm), 2);
	INV_ASSERT();

	/* Give back: exact ranges; the host's attributes and block come back. */
	assert_int_equal(give(vm, IPA_M + SZ_2M, 1, &r), LS_OK);
	assert_int_equal(r.x[1], 1);
	assert_true(host_maps(MMIO_BLK + 0x5000, &attr));
	assert_int_equal(attr, PT_RW | PT_DEVICE);
	assert_int_equal(pt_lookup(&own_view_of(vm)->cpu, IPA_M + SZ_2M, NULL, NULL, NULL),
			 -ENOENT);
	INV_ASSERT();
	inval = env_cpu_rec.inval_calls;
	assert_int_equal(give(vm, IPA_M, 4, &r), LS_OK);
	assert_true(env_cpu_rec.inval_calls >= inval + 1); /* the VM's, before the host maps */
	for (pa = MMIO0; pa < MMIO0 + 16 * PAGE_SIZE; pa += PAGE_SIZE)
		assert_true(host_maps(pa, NULL));
	assert_int_equal(nr_ranges(vm), 0);
	assert_int_equal(hp->nr_free, hfree);
	assert_int_equal(vp->nr_free, vfree);
	INV_ASSERT();
}

/* Every refusal of a take: its error, x1 = 0, nothing changed (snapshot, ranges). */
static void take_errors(void **state)
{
	const struct {
		u32 vm;
		u64 ipa, pa, n;
		s64 err;
	} t[] = {
		{ 0, IPA_M, MMIO0, 0, LS_EINVAL },			  /* no pages */
		{ 0, IPA_M, MMIO0 + 8, 1, LS_EINVAL },			  /* PA unaligned */
		{ 0, IPA_M + 8, MMIO0, 1, LS_EINVAL },			  /* IPA unaligned */
		{ 0, IPA_M, ~0ULL & ~0xfffULL, 2, LS_EINVAL },		  /* PA wraps */
		{ 0, ~0ULL & ~0xfffULL, MMIO0, 2, LS_EINVAL },		  /* IPA wraps */
		{ 0, IPA_M, MMIO0, LS_VM_MMIO_MAX_PAGES + 1, LS_EINVAL }, /* too long */
		{ 0, IPA_M, ENV_RAM_BASE + 0x100000, 1, LS_EINVAL },	  /* RAM */
		{ 0, IPA_M, ENV_RAM_BASE - PAGE_SIZE, 2, LS_EINVAL },	  /* MMIO then RAM */
		{ 0, IPA_M, ENV_RAM_BASE, 1, LS_EINVAL },		  /* the hypervisor's */
		{ 0, IPA_M, MMIO_MIX, 2, LS_EINVAL },			  /* two attribute sets */
		{ 0, IPA_M, MMIO_GAP, 1, LS_EPERM },			  /* not mapped (kept) */
		{ 0, IPA_M, MMIO0 + 15 * PAGE_SIZE, 2, LS_EPERM },	  /* runs into the gap */
		{ 0, IPA_M, MMIO_RO, 1, LS_EPERM },			  /* read-only */
		{ 0, IPA_M, 1ULL << 50, 1, LS_EPERM },		       /* beyond the host's IPA */
		{ 0, 1ULL << 40, MMIO0, 1, LS_ERANGE },		       /* beyond the VM's IPA */
		{ 0, (1ULL << 40) - PAGE_SIZE, MMIO0, 2, LS_ERANGE },  /* across its end */
		{ 0, IPA_RAM, MMIO0, 1, LS_EEXIST },		       /* the VM's memory */
		{ 0, IPA_M + SZ_1G - PAGE_SIZE, MMIO0, 2, LS_EEXIST }, /* into a taken one */
		{ 0, IPA_M + SZ_2M, MMIO_BLK + 0x3000, 2, LS_EBUSY },  /* PA taken */
		{ 1, IPA_M + SZ_2M, MMIO_BLK + 0x4000, 1, LS_EBUSY },  /* by another VM */
		{ 2, IPA_M, MMIO0, 1, LS_ENOENT },		       /* no such VM */
		{ OWN_MAX_VMS, IPA_M, MMIO0, 1, LS_ENOENT },
	};
	u32 vms[3], dom;
	struct hvc_regs r;
	unsigned int i;
	u64 snap, ram, pool;

	(void)state;
	vms[0] = vm;
	vms[1] = env_vm_create(16, 40);
	vms[2] = 7; /* never created */
	ram = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, ram, IPA_RAM, 1, &r), LS_OK);
	assert_int_equal(take(vm, IPA_M + SZ_1G, MMIO_BLK + 0x4000, 1, &r), LS_OK);
	INV_ASSERT();
	snap = env_snapshot();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		u32 v = t[i].vm == OWN_MAX_VMS ? OWN_MAX_VMS : vms[t[i].vm];

		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(take(v, t[i].ipa, t[i].pa, t[i].n, &r), t[i].err);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(env_snapshot(), snap);
	}
	/* A VM may not call it. */
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_MAP_MMIO, vm, IPA_M, &r), LS_EPERM);
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_UNMAP_MMIO, vm, IPA_M + SZ_1G, &r), LS_EPERM);
	/* The VM shut down, dying, or the IPA a hole of its memory. */
	own.vm[vm].vm_run.shutdown = true;
	assert_int_equal(take(vm, IPA_M, MMIO0, 1, &r), LS_EPERM);
	own.vm[vm].vm_run.shutdown = false;
	own.vm[vm].vm_run.dying = true;
	assert_int_equal(take(vm, IPA_M, MMIO0, 1, &r), LS_EPERM);
	own.vm[vm].vm_run.dying = false;
	own.vm[vm].vm_run.hole[0] = (struct own_range){ IPA_M + PAGE_SIZE, PAGE_SIZE };
	own.vm[vm].vm_run.nr_holes = 1;
	assert_int_equal(take(vm, IPA_M, MMIO0, 2, &r), LS_EINVAL);
	own.vm[vm].vm_run.nr_holes = 0;
	assert_int_equal(env_snapshot(), snap);

	/* Mapped in a host DMA domain (an MSI doorbell-style MMIO map): EBUSY. */
	pool = env_host_pages(16, LS_VM_POOL_ALIGN);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pool, 16, 40, 0, &r), LS_OK);
	dom = (u32)r.x[1];
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, 0x100000, MMIO0 + 0x3000, 1,
				  LS_IOMMU_READ | LS_IOMMU_WRITE | LS_IOMMU_MMIO, &r),
			 LS_OK);
	snap = env_snapshot();
	assert_int_equal(take(vm, IPA_M, MMIO0, 4, &r), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	/* ...and a taken range cannot be mapped into one: the host stage 2 has it no more. */
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, 0x200000, MMIO_BLK + 0x4000, 1,
				  LS_IOMMU_READ | LS_IOMMU_WRITE | LS_IOMMU_MMIO, &r),
			 LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(nr_ranges(vm), 1);
	INV_ASSERT();
}

/* At most LS_VM_MAX_MMIO ranges per VM; -ENOMEM names the pool and nothing changes. */
static void table_full_and_nomem(void **state)
{
	struct hvc_regs r;
	unsigned int i, nomem = 0;
	u64 snap, pa;

	(void)state;
	/* Each range 8 GiB from the last: new tables each time, the VM's pool drains. */
	for (i = 0; i < LS_VM_MAX_MMIO;) {
		s64 ret = take(vm, IPA_M + (u64)i * SZ_1G * 8, MMIO0 + i * PAGE_SIZE, 1, &r);

		if (ret == LS_ENOMEM) {
			nomem++;
			assert_int_equal(r.x[2], vm);
			assert_true(r.x[1] > 0);
			assert_int_equal(nr_ranges(vm), i);
			pa = env_host_pages(r.x[1], PAGE_SIZE);
			assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, pa, r.x[1], 0, &r), LS_OK);
			continue;
		}
		assert_int_equal(ret, LS_OK);
		i++;
	}
	assert_true(nomem > 0);
	INV_ASSERT();
	snap = env_snapshot();
	assert_int_equal(take(vm, IPA_M + SZ_2M, MMIO0 + 10 * PAGE_SIZE, 1, &r), LS_ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	/* One back: room for one again. */
	assert_int_equal(give(vm, IPA_M + 3 * SZ_1G * 8, 1, &r), LS_OK);
	assert_int_equal(take(vm, IPA_M + SZ_2M, MMIO0 + 10 * PAGE_SIZE, 1, &r), LS_OK);
	INV_ASSERT();
}

/* Give-back refusals: only the exact range of that VM; nothing changed. */
static void give_errors(void **state)
{
	struct hvc_regs r;
	u64 snap;
	u32 vm2;

	(void)state;
	vm2 = env_vm_create(16, 40);
	assert_int_equal(take(vm, IPA_M, MMIO0, 4, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(give(vm, IPA_M, 3, &r), LS_ENOENT);		 /* part of it */
	assert_int_equal(give(vm, IPA_M, 5, &r), LS_ENOENT);		 /* more */
	assert_int_equal(give(vm, IPA_M + PAGE_SIZE, 3, &r), LS_ENOENT); /* its tail */
	assert_int_equal(give(vm2, IPA_M, 4, &r), LS_ENOENT);		 /* another VM */
	assert_int_equal(give(OWN_MAX_VMS, IPA_M, 4, &r), LS_ENOENT);	 /* no VM */
	assert_int_equal(give(vm, IPA_M, 0, &r), LS_EINVAL);		 /* no pages */
	assert_int_equal(give(vm, IPA_M + 8, 4, &r), LS_EINVAL);	 /* unaligned */
	assert_int_equal(give(vm, ~0ULL & ~0xfffULL, 4, &r), LS_EINVAL); /* wraps */
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(give(vm, IPA_M, 4, &r), LS_OK);
	assert_int_equal(give(vm, IPA_M, 4, &r), LS_ENOENT); /* once */
	INV_ASSERT();
}

/*
 * The VM's memory calls never treat its MMIO as memory: donate over it EEXIST, reclaim,
 * share and unshare EPERM (they would otherwise look up a DB entry MMIO does not have).
 */
static void memory_calls_refuse_mmio(void **state)
{
	struct hvc_regs r;
	u64 snap, pa = env_host_pages(1, PAGE_SIZE);

	(void)state;
	assert_int_equal(take(vm, IPA_M, MMIO0, 2, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, IPA_M, 1, &r), LS_EEXIST);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, IPA_M, 1, 0, &r), LS_EPERM);
	assert_int_equal(env_guest_mem(vm, true, IPA_M, 1, &r), LS_EPERM);
	assert_int_equal(env_guest_mem(vm, false, IPA_M, 1, &r), LS_EPERM);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, IPA_M, 1, 0, &r), LS_EPERM);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, IPA_M, 1, 0, &r), LS_EPERM);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

/* VM_DESTROY gives every range back (the host's attributes), with its pool pages. */
static void destroy_gives_back(void **state)
{
	const struct pt_pool *hp = own_pool_of(OWN_HOST);
	u64 htables = own_view_of(OWN_HOST)->cpu.nr_tables, hfree = hp->nr_free;
	struct hvc_regs r;
	pt_attr_t attr;

	(void)state;
	assert_int_equal(take(vm, IPA_M, MMIO0 + 2 * PAGE_SIZE, 3, &r), LS_OK);
	assert_int_equal(take(vm, IPA_M + SZ_2M, MMIO_BLK + 0x100000ULL, 16, &r), LS_OK);
	assert_false(host_maps(MMIO_BLK + 0x100000ULL, NULL));
	INV_ASSERT();
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 16); /* the pool */
	assert_true(host_maps(MMIO0 + 2 * PAGE_SIZE, &attr));
	assert_int_equal(attr, PT_RW | PT_DEVICE);
	assert_true(host_maps(MMIO_BLK + 0x100000ULL + 15 * PAGE_SIZE, &attr));
	assert_int_equal(attr, PT_RW | PT_DEVICE);
	assert_int_equal(own_vm_mmio_of(vm, 0, NULL), -ENOENT);
	assert_int_equal(own_view_of(OWN_HOST)->cpu.nr_tables, htables);
	assert_int_equal(hp->nr_free, hfree);
	INV_ASSERT();
	/* The ranges can be taken by another VM now. */
	vm = env_vm_create(16, 40);
	assert_int_equal(take(vm, IPA_M, MMIO_BLK + 0x100000ULL, 16, &r), LS_OK);
	INV_ASSERT();
}

/* With an assigned stream, a give-back invalidates the VM's IOTLB too. */
static void assigned_stream_iotlb(void **state)
{
	struct hvc_regs r;
	u64 inv;

	(void)state;
	assert_int_equal(env_hvc(LS_FN_VM_ASSIGN_STREAM, vm, 5, 0, 0, &r), LS_OK);
	inv = drv.vm_inval[vm + 1];
	assert_int_equal(take(vm, IPA_M, MMIO0, 1, &r), LS_OK);
	assert_int_equal(drv.vm_inval[vm + 1], inv); /* a new entry: nothing cached */
	INV_ASSERT();
	assert_int_equal(give(vm, IPA_M, 1, &r), LS_OK);
	assert_true(drv.vm_inval[vm + 1] > inv); /* the device loses it before the host */
	assert_int_equal(env_hvc(LS_FN_VM_RELEASE_STREAM, 5, 0, 0, 0, &r), LS_OK);
	INV_ASSERT();
}

/* The invariant walk: a host leaf over a taken range, a VM device leaf outside its ranges. */
static void invariant_catches(void **state)
{
	struct own_check_res res;
	struct hvc_regs r;
	char msg[256];

	(void)state;
	assert_int_equal(take(vm, IPA_M, MMIO0 + 4 * PAGE_SIZE, 2, &r), LS_OK);
	INV_ASSERT();
	/* The host's stage 2 maps a taken page again behind the core's back. */
	host_mmio(MMIO0 + 5 * PAGE_SIZE, PAGE_SIZE, PT_RW);
	assert_int_equal(own_check(&own_check_engine, &res), -EFAULT);
	assert_int_equal(res.code, OWN_CHK_HOST_TAKEN);
	assert_int_equal(res.addr, MMIO0 + 5 * PAGE_SIZE);
	assert_int_equal(res.a, vm);
	assert_int_equal(inv_check(msg, sizeof(msg)), -1);
	assert_int_equal(pt_unmap(host_cpu(), MMIO0 + 5 * PAGE_SIZE, PAGE_SIZE, NULL), 0);
	INV_ASSERT();
	/* The VM maps device memory it did not take. */
	assert_int_equal(pt_map((struct pt *)&own_view_of(vm)->cpu, IPA_M + SZ_2M, PAGE_SIZE,
				MMIO0 + 9 * PAGE_SIZE, PT_RW | PT_DEVICE, NULL),
			 0);
	assert_int_equal(own_check(&own_check_engine, &res), -EFAULT);
	assert_int_equal(res.code, OWN_CHK_VM_DEVICE);
	assert_int_equal(res.addr, IPA_M + SZ_2M);
	assert_int_equal(
		pt_unmap((struct pt *)&own_view_of(vm)->cpu, IPA_M + SZ_2M, PAGE_SIZE, NULL), 0);
	/* ...or its own range executable. */
	assert_int_equal(pt_set_attr((struct pt *)&own_view_of(vm)->cpu, IPA_M, PAGE_SIZE,
				     PT_RWX | PT_DEVICE, NULL),
			 0);
	assert_int_equal(own_check(&own_check_engine, &res), -EFAULT);
	assert_int_equal(res.code, OWN_CHK_VM_DEVICE);
	assert_int_equal(pt_set_attr((struct pt *)&own_view_of(vm)->cpu, IPA_M, PAGE_SIZE,
				     PT_RW | PT_DEVICE, NULL),
			 0);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(take_give, setup, teardown),
		cmocka_unit_test_setup_teardown(take_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(table_full_and_nomem, setup, teardown),
		cmocka_unit_test_setup_teardown(give_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_calls_refuse_mmio, setup, teardown),
		cmocka_unit_test_setup_teardown(destroy_gives_back, setup, teardown),
		cmocka_unit_test_setup_teardown(assigned_stream_iotlb, setup, teardown),
		cmocka_unit_test_setup_teardown(invariant_catches, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
