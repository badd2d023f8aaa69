// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host DMA domain benchmark of the core (make bench-hdom; figures, not pass/fail).
 *
 * The hypervisor's side of what lsbench.ko (tests/iommu-bench) makes Linux do through
 * lockstep-iommu.ko, on the fake platform: the same calls the PV driver sends for each phase,
 * through the real dispatcher, with a driver that only counts invalidations and syncs.
 *   map_sg      LS_FN_IOMMU_MAP_BATCH, 170 entries or 4096 pages a call (the driver's batch)
 *   unmap_fast  LS_FN_IOMMU_UNMAP of the gathered IOVA span, looping on the pages done (one
 *               call per 16 MiB window, or per 4096 leaves with ABI 1.6)
 *   map         LS_FN_IOMMU_MAP, one call per chunk
 *   unmap       LS_FN_IOMMU_UNMAP, one call per chunk
 * for 4 KiB and 2 MiB chunks over -m MiB of IOVA. The chunks map a 32 MiB pool of buffers
 * round-robin, each buffer the first half of a block twice its size (as lsbench does), so
 * nothing coalesces and every page is mapped several times.
 *
 * Each phase runs in its own function (ph_<chunk>_<op>): under valgrind --tool=callgrind
 * their inclusive costs are the instructions of the phase (the lists are built before).
 * Usage: bench_hdom [-m MiB] [-c 4k|2m]
 */
#include <lockstep/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define IOVA0	 0x40000000ULL /* 1 GiB aligned */
#define POOL_PA	 ENV_BIG       /* 32 MiB of buffers in 64 MiB of unbacked host RAM */
#define POOL_SZ	 (32ULL << 20)
#define RW	 (LS_IOMMU_READ | LS_IOMMU_WRITE)
#define DOM_POOL 16U /* then 512-page donations, as the PV driver grows it */

static struct {
	u64 ranges, syncs;
} drv;

static int drv_attach(void *d, u32 sid, const struct pt *pt, u16 vmid)
{
	(void)d, (void)sid, (void)pt, (void)vmid;
	return 0;
}

static int drv_detach(void *d, u32 sid)
{
	(void)d, (void)sid;
	return 0;
}

static void drv_inval(void *d, u16 vmid, const struct pt_gather *g)
{
	(void)d, (void)vmid;
	drv.ranges += g->all ? 1 : g->nr;
}

static void drv_sync(void *d)
{
	(void)d;
	drv.syncs++;
}

static const struct own_iommu_ops drv_ops = { drv_attach, drv_detach, drv_inval, drv_sync };

static u32 dom;
static u64 chunk, nr_chunks, calls;
static u64 *lists_pa;	       /* their PAs */
static u64 nr_lists, per_list; /* entries a list: 170, or fewer to stay within 4096 pages */

static void die(const char *what, s64 st)
{
	fprintf(stderr, "bench_hdom: %s failed: %lld\n", what, (long long)st);
	exit(1);
}

/* Chunk @i's PA: buffer i mod (pool / chunk / 2) of the pool, each at twice its size. */
static u64 chunk_pa(u64 i)
{
	return POOL_PA + (i % (POOL_SZ / chunk / 2)) * 2 * chunk;
}

static u64 chunk_iova(u64 i)
{
	return IOVA0 + i * chunk;
}

static void setup(u64 mib)
{
	u64 pool, i, l, n;
	struct hvc_regs r;
	s64 st;

	env_setup(64);
	if (own_iommu_register(&drv_ops, &drv, 256, PT_FMT_ARM64_S2, true))
		die("register", -1);
	pool = env_host_pages(DOM_POOL, LS_VM_POOL_ALIGN);
	st = env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pool, DOM_POOL, 40, 0, &r);
	if (st != LS_OK)
		die("domain create", st);
	dom = (u32)r.x[1];
	for (i = 0; i < 2; i++) {
		st = env_hvc(LS_FN_POOL_DONATE, LS_POOL_IOMMU(dom), env_host_pages(512, PAGE_SIZE),
			     512, 0, &r);
		if (st != LS_OK)
			die("pool donate", st);
	}
	nr_chunks = (mib << 20) / chunk;
	/* As lockstep-iommu.ko queues: entries up to the call's budget in units (ABI 1.5). */
	per_list = MIN((u64)LS_IOMMU_BATCH_MAX,
		       LS_IOMMU_BUDGET_PAGES / LS_IOMMU_BATCH_UNITS(chunk_iova(0), chunk_pa(0),
								    chunk >> PAGE_SHIFT));
	nr_lists = (nr_chunks + per_list - 1) / per_list;
	lists_pa = calloc(nr_lists, sizeof(u64));
	for (l = 0; l < nr_lists; l++) {
		u64 *e;

		lists_pa[l] = env_host_pages(1, PAGE_SIZE);
		e = plat_phys_to_virt(lists_pa[l]);
		n = MIN(per_list, nr_chunks - l * per_list);
		for (i = 0; i < n; i++) {
			u64 c = l * per_list + i;

			e[3 * i] = chunk_iova(c);
			e[3 * i + 1] = chunk_pa(c);
			e[3 * i + 2] = (chunk >> PAGE_SHIFT) | (u64)RW << 32;
		}
	}
}

static void reset(void)
{
	memset(&drv, 0, sizeof(drv));
	calls = 0;
}

static void report(const char *op)
{
	printf("chunk %s op %-10s chunks %llu calls %llu ranges %llu syncs %llu\n",
	       chunk == PAGE_SIZE ? "4k" : "2m", op, (unsigned long long)nr_chunks,
	       (unsigned long long)calls, (unsigned long long)drv.ranges,
	       (unsigned long long)drv.syncs);
}

static void map_sg(void)
{
	struct hvc_regs r;
	u64 l, n;
	s64 st;

	for (l = 0; l < nr_lists; l++) {
		n = MIN(per_list, nr_chunks - l * per_list);
		st = env_hvc(LS_FN_IOMMU_MAP_BATCH, dom, lists_pa[l], n, 0, &r);
		calls++;
		if (st != LS_OK)
			die("map batch", st);
	}
}

static void unmap_fast(void)
{
	u64 iova = IOVA0, end = IOVA0 + nr_chunks * chunk;
	struct hvc_regs r;
	s64 st;

	for (; iova < end; iova += r.x[1] << PAGE_SHIFT) {
		st = env_hvc(LS_FN_IOMMU_UNMAP, dom, iova, (end - iova) >> PAGE_SHIFT, 0, &r);
		calls++;
		if (st != LS_OK || !r.x[1])
			die("unmap window", st);
	}
}

static void map_each(void)
{
	struct hvc_regs r;
	u64 i;
	s64 st;

	for (i = 0; i < nr_chunks; i++) {
		st = env_hvc5(LS_FN_IOMMU_MAP, dom, chunk_iova(i), chunk_pa(i), chunk >> PAGE_SHIFT,
			      RW, &r);
		calls++;
		if (st != LS_OK)
			die("map", st);
	}
}

static void unmap_each(void)
{
	struct hvc_regs r;
	u64 i;
	s64 st;

	for (i = 0; i < nr_chunks; i++) {
		st = env_hvc(LS_FN_IOMMU_UNMAP, dom, chunk_iova(i), chunk >> PAGE_SHIFT, 0, &r);
		calls++;
		if (st != LS_OK)
			die("unmap", st);
	}
}

/* One function per phase and chunk size, for callgrind's inclusive costs (noipa: not merged). */
#define PHASE(name, fn)                               \
	__attribute__((noipa)) static void name(void) \
	{                                             \
		reset();                              \
		fn();                                 \
	}
PHASE(ph_4k_map_sg, map_sg)
PHASE(ph_4k_unmap_fast, unmap_fast)
PHASE(ph_4k_map, map_each)
PHASE(ph_4k_unmap, unmap_each)
PHASE(ph_2m_map_sg, map_sg)
PHASE(ph_2m_unmap_fast, unmap_fast)
PHASE(ph_2m_map, map_each)
PHASE(ph_2m_unmap, unmap_each)

static void check(const char *after)
{
	char msg[256];

	if (inv_check(msg, sizeof(msg))) {
		fprintf(stderr, "bench_hdom: invariant broken after %s: %s\n", after, msg);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	u64 mib = 64;
	bool big = true, small = true;
	int o;

	while ((o = getopt(argc, argv, "m:c:")) != -1) {
		if (o == 'm')
			mib = strtoull(optarg, NULL, 0);
		else if (o == 'c' && !strcmp(optarg, "4k"))
			big = false;
		else if (o == 'c' && !strcmp(optarg, "2m"))
			small = false;
		else {
			fprintf(stderr, "usage: bench_hdom [-m MiB] [-c 4k|2m]\n");
			return 2;
		}
	}
	if (!mib || mib > 1024 || mib % 2)
		die("-m (2..1024 MiB, even)", (s64)mib);
	if (small) {
		chunk = PAGE_SIZE;
		setup(mib);
		ph_4k_map_sg();
		report("map_sg");
		check("4k map_sg");
		ph_4k_unmap_fast();
		report("unmap_fast");
		check("4k unmap_fast");
		ph_4k_map();
		report("map");
		ph_4k_unmap();
		report("unmap");
		check("4k unmap");
	}
	if (big) {
		chunk = SZ_2M;
		setup(mib);
		ph_2m_map_sg();
		report("map_sg");
		check("2m map_sg");
		ph_2m_unmap_fast();
		report("unmap_fast");
		check("2m unmap_fast");
		ph_2m_map();
		report("map");
		ph_2m_unmap();
		report("unmap");
		check("2m unmap");
	}
	env_teardown();
	return 0;
}
