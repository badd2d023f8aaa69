// SPDX-License-Identifier: GPL-2.0-only
/*
 * Conversion benchmark (make bench; figures, not pass/fail).
 *
 * A VM has SIZE of 2 MiB-backed memory (2 MiB chunks, physically scattered so
 * no 1 GiB block forms) and two IOMMU domains (one mirrored in the Arm
 * stage-1 format, one sharing the stage-2); the host has the same two. The
 * memory is converted private -> shared -> private through the real
 * dispatcher in three patterns:
 *   2m      whole 2 MiB ranges (one call per 2 MiB)
 *   alt4k   every other 4 KiB page (one call per page: the ranges are 1 page)
 *   rand4k  half the pages, picked at random, in random order
 * Lockstep: the host sorts each batch; for 2m it makes one ranged call per run
 * of adjacent pages (a call stops at 512 pages / a 2 MiB boundary), for alt4k
 * and rand4k one LS_FN_VM_CONVERT_BITMAP per 2 MiB window it touches. Naive
 * baseline: one call (one transition, one invalidation per view) per 4 KiB
 * page, in the pattern's order, i.e. a hypervisor without range transitions. The engine always merges uniform tables, so
 * the baseline's "never merged" table count is modelled (every 2 MiB region
 * touched keeps a 4 KiB table in each table of each view, every 1 GiB region a
 * 2 MiB table) and printed as such, next to the measured one.
 *
 * Usage: bench_own [-m MiB] [-p 2m|alt4k|rand4k] [-n]   (-p: one run, for callgrind)
 */
#include <lockstep/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

#define VM_IPA SZ_1G

enum pattern { P_2M, P_ALT4K, P_RAND4K, P_NR };
static const char *const pat_name[] = { "2m", "alt4k", "rand4k" };

struct result {
	double secs;
	u64 conversions; /* pages converted, both directions counted */
	u64 calls;
	u64 peak_tables; /* max table pages in use, all pools */
	u64 base_tables;
	u64 ranges; /* invalidation ranges issued, all views */
	u64 inval_calls;
	u64 model_tables; /* baseline: tables if never merged (modelled) */
};

static struct env_rec dom_rec[4];
static u64 vm_pages;
static u32 vm;
static u64 *order; /* page indices of the pattern, in call order */
static u64 *sorted;
static u64 nr_order;

static u64 tables_in_use(void)
{
	return own_pool_of(OWN_HOST)->nr_used + own_pool_of(vm)->nr_used;
}

static u64 ranges_issued(u64 *calls)
{
	u64 r = env_cpu_rec.ranges, c = env_cpu_rec.inval_calls;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		r += dom_rec[i].ranges;
		c += dom_rec[i].inval_calls;
	}
	*calls = c;
	return r;
}

static void reset_recs(void)
{
	memset(&env_cpu_rec, 0, sizeof(env_cpu_rec));
	memset(dom_rec, 0, sizeof(dom_rec));
}

static void die(const char *what, s64 st)
{
	fprintf(stderr, "bench: %s failed: %lld\n", what, (long long)st);
	exit(1);
}

static void setup(u64 mib)
{
	struct own_res res;
	unsigned int idx, i;
	u64 chunks, c, pool;
	struct hvc_regs r;
	s64 st;

	env_setup(4096);
	if (own_dom_attach(OWN_HOST, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &dom_rec[0], &idx,
			   &res) ||
	    own_dom_attach(OWN_HOST, false, PT_FMT_ARM64_S2, true, &env_rec_ops, &dom_rec[1], &idx,
			   &res))
		die("host domains", -1);
	vm = env_vm_create(512, 40);
	/* VM pool: 4 x 512 adjacent pages (one run). */
	pool = env_host_pages(3 * 512, PAGE_SIZE);
	for (i = 0; i < 3; i++) {
		st = env_hvc(LS_FN_POOL_DONATE, vm, pool + i * 512 * PAGE_SIZE, 512, 0, &r);
		if (st != LS_OK)
			die("pool donate", st);
	}
	if (own_dom_attach(vm, true, PT_FMT_ARM64_S1, true, &env_rec_ops, &dom_rec[2], &idx,
			   &res) ||
	    own_dom_attach(vm, false, PT_FMT_ARM64_S2, true, &env_rec_ops, &dom_rec[3], &idx, &res))
		die("vm domains", -1);
	/* 2 MiB chunks, chunk c at IPA c from PA (c * 7 + 3) mod chunks: no 1 GiB block. */
	chunks = (mib << 20) / SZ_2M;
	vm_pages = chunks * 512;
	for (c = 0; c < chunks; c++) {
		u64 pc = (c * 7 + 3) % chunks;

		st = env_hvc(LS_FN_HOST_DONATE_VM, vm, ENV_BIG + pc * SZ_2M, VM_IPA + c * SZ_2M,
			     512, &r);
		if (st != LS_OK || r.x[1] != 512)
			die("donate", st);
	}
}

static void consent_all(void)
{
	u64 done;
	struct hvc_regs r;

	for (done = 0; done < vm_pages; done += r.x[1])
		if (env_guest_mem(vm, true, VM_IPA + done * PAGE_SIZE, vm_pages - done, &r) !=
		    LS_OK)
			die("consent", (s64)r.x[0]);
}

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void shuffle(u64 *a, u64 n)
{
	u64 i;

	for (i = n - 1; i > 0; i--) {
		u64 j = rnd() % (i + 1), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

/* Page indices of a pattern, in call order (for 2m: every page, in order). */
static void make_order(enum pattern p)
{
	u64 i;

	free(order);
	free(sorted);
	order = malloc(vm_pages * sizeof(u64));
	sorted = malloc(vm_pages * sizeof(u64));
	nr_order = 0;
	if (p == P_2M) {
		for (i = 0; i < vm_pages; i++)
			order[nr_order++] = i;
	} else if (p == P_ALT4K) {
		for (i = 0; i < vm_pages; i += 2)
			order[nr_order++] = i;
	} else {
		for (i = 0; i < vm_pages; i++)
			order[i] = i;
		shuffle(order, vm_pages);
		nr_order = vm_pages / 2;
	}
}

static void sample(struct result *res)
{
	u64 t = tables_in_use();

	if (t > res->peak_tables)
		res->peak_tables = t;
}

static int cmp_u64(const void *x, const void *y)
{
	u64 a = *(const u64 *)x, b = *(const u64 *)y;

	return a < b ? -1 : a > b;
}

/*
 * One direction over the pattern. Lockstep: the host sorts its batch and issues
 * one call per run of adjacent pages (the call itself stops at 512 pages / 2 MiB
 * boundaries); naive: one call per page, in the pattern's order.
 */
static void convert(bool naive, bool bitmap, u32 fn, struct result *res)
{
	struct hvc_regs r;
	u64 i, j;

	if (naive) {
		for (i = 0; i < nr_order; i++) {
			if (env_hvc(fn, vm, VM_IPA + order[i] * PAGE_SIZE, 1, 0, &r) != LS_OK)
				die("convert 4k", (s64)r.x[0]);
			res->calls++;
			sample(res);
		}
		res->conversions += nr_order;
		return;
	}
	qsort(sorted, nr_order, sizeof(u64), cmp_u64);
	if (bitmap) {
		/* One LS_FN_VM_CONVERT_BITMAP per 2 MiB window holding pages of the batch. */
		for (i = 0; i < nr_order; i = j) {
			u64 win = sorted[i] / 512;

			memset(&r, 0, sizeof(r));
			r.x[1] = vm;
			r.x[2] = VM_IPA + win * SZ_2M;
			r.x[3] = fn == LS_FN_VM_SHARE_HOST ? LS_CONVERT_TO_SHARED :
							     LS_CONVERT_TO_PRIVATE;
			for (j = i; j < nr_order && sorted[j] / 512 == win; j++)
				r.x[5 + (sorted[j] % 512) / 64] |= 1ULL << (sorted[j] % 64);
			if (env_hvc_regs(LS_FN_VM_CONVERT_BITMAP, &r) != LS_OK || r.x[1] != j - i)
				die("convert bitmap", (s64)r.x[0]);
			res->calls++;
			sample(res);
		}
		res->conversions += nr_order;
		return;
	}
	for (i = 0; i < nr_order; i = j) {
		u64 done, n;

		for (j = i + 1; j < nr_order && sorted[j] == sorted[j - 1] + 1; j++)
			;
		n = j - i;
		for (done = 0; done < n; done += r.x[1]) {
			if (env_hvc(fn, vm, VM_IPA + (sorted[i] + done) * PAGE_SIZE, n - done, 0,
				    &r) != LS_OK)
				die("convert run", (s64)r.x[0]);
			res->calls++;
			sample(res);
		}
	}
	res->conversions += nr_order;
}

/* What a never-merging implementation would hold at its peak (shared state, all pages). */
static u64 model_never_merged(void)
{
	/* Views with tables: VM stage-2 + VM mirror, host stage-2 + host mirror. */
	u64 regions2m = 0, regions1g, i;
	u8 *seen = calloc(vm_pages / 512 + 1, 1);

	for (i = 0; i < nr_order; i++) {
		if (!seen[order[i] / 512]) {
			seen[order[i] / 512] = 1;
			regions2m++;
		}
	}
	free(seen);
	regions1g = (vm_pages * PAGE_SIZE + SZ_1G - 1) / SZ_1G;
	/* Each 2 MiB region: a 4 KiB table in each of the 4 tables; each 1 GiB: a 2 MiB table
	 * in the 2 host tables (the VM tables already have them for 2 MiB blocks). */
	return 4 * regions2m + 2 * regions1g;
}

/* The measured function (callgrind --toggle-collect=bench_run). */
__attribute__((noinline)) void bench_run(enum pattern p, bool naive, struct result *res);
__attribute__((noinline)) void bench_run(enum pattern p, bool naive, struct result *res)
{
	/* Scattered pages: one bitmap call per 2 MiB window; whole ranges: ranged calls. */
	bool bitmap = !naive && p != P_2M;

	if (!naive)
		memcpy(sorted, order, nr_order * sizeof(u64));
	convert(naive, bitmap, LS_FN_VM_SHARE_HOST, res);
	if (!naive)
		memcpy(sorted, order, nr_order * sizeof(u64));
	convert(naive, bitmap, LS_FN_VM_UNSHARE_HOST, res);
}

static void run_one(enum pattern p, bool naive, struct result *res, bool check)
{
	struct timespec a, b;
	char msg[256];

	memset(res, 0, sizeof(*res));
	make_order(p);
	consent_all();
	reset_recs();
	res->base_tables = tables_in_use();
	res->peak_tables = res->base_tables;
	clock_gettime(CLOCK_MONOTONIC, &a);
	bench_run(p, naive, res);
	clock_gettime(CLOCK_MONOTONIC, &b);
	res->secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	res->ranges = ranges_issued(&res->inval_calls);
	res->model_tables = res->base_tables + model_never_merged();
	if (tables_in_use() != res->base_tables)
		fprintf(stderr, "bench: %s: %llu table pages not returned\n", pat_name[p],
			(unsigned long long)(tables_in_use() - res->base_tables));
	if (check && inv_check(msg, sizeof(msg))) {
		fprintf(stderr, "bench: invariant broken after %s: %s\n", pat_name[p], msg);
		exit(1);
	}
}

static void print_row(const char *pat, const char *variant, const struct result *r)
{
	printf("%-7s %-9s %10.0f %9llu %8llu %10llu %11llu %10llu\n", pat, variant,
	       (double)r->conversions / r->secs, (unsigned long long)r->calls,
	       (unsigned long long)(r->peak_tables - r->base_tables),
	       (unsigned long long)(r->model_tables - r->base_tables),
	       (unsigned long long)r->ranges, (unsigned long long)r->inval_calls);
}

int main(int argc, char **argv)
{
	u64 mib = 1024;
	int one = -1, opt;
	bool naive_only = false;
	struct result ls, nv;
	int p;

	while ((opt = getopt(argc, argv, "m:p:n")) != -1) {
		if (opt == 'm')
			mib = strtoull(optarg, NULL, 0);
		else if (opt == 'p')
			for (p = 0; p < P_NR; p++)
				if (!strcmp(optarg, pat_name[p]))
					one = p;
		if (opt == 'n')
			naive_only = true;
	}
	if (mib < 2 || mib > 2048) {
		fprintf(stderr, "bench: -m between 2 and 2048\n");
		return 1;
	}
	setup(mib);
	if (one >= 0) {
		/* One measured run (for callgrind): prints the pages converted. */
		run_one((enum pattern)one, naive_only, &ls, false);
		printf("pages %llu\n", (unsigned long long)ls.conversions);
		return 0;
	}
	printf("VM memory %llu MiB in 2 MiB chunks; VM and host each: stage-2 + 1 mirrored "
	       "(Arm S1) + 1 shared IOMMU domain\n",
	       (unsigned long long)mib);
	printf("pages/s = page conversions per second (private->shared and back both count); "
	       "tables = peak extra table pages (all pools)\n\n");
	printf("%-7s %-9s %10s %9s %8s %10s %11s %10s\n", "pattern", "variant", "pages/s", "calls",
	       "tables", "tables-nm", "inv-ranges", "inv-calls");
	for (p = 0; p < P_NR; p++) {
		struct result r2;

		/* Each variant twice, alternating; the faster run counts (warm caches). */
		run_one((enum pattern)p, false, &ls, true);
		run_one((enum pattern)p, true, &nv, true);
		run_one((enum pattern)p, false, &r2, true);
		if (r2.secs < ls.secs)
			ls = r2;
		run_one((enum pattern)p, true, &r2, true);
		if (r2.secs < nv.secs)
			nv = r2;
		ls.model_tables = ls.peak_tables; /* lockstep merges: measured */
		print_row(pat_name[p], "lockstep", &ls);
		print_row(pat_name[p], "naive", &nv);
		printf("%-7s %-9s %9.1fx %8.1fx %7.1fx %9.1fx %10.1fx\n", pat_name[p], "ratio",
		       (double)nv.secs / ls.secs * (double)ls.conversions / (double)nv.conversions,
		       (double)nv.calls / (double)ls.calls,
		       ls.peak_tables > ls.base_tables ?
			       (double)(nv.peak_tables - nv.base_tables) /
				       (double)(ls.peak_tables - ls.base_tables) :
			       0.0,
		       ls.peak_tables > ls.base_tables ?
			       (double)(nv.model_tables - nv.base_tables) /
				       (double)(ls.peak_tables - ls.base_tables) :
			       0.0,
		       (double)nv.ranges / (double)ls.ranges);
	}
	printf("\ntables-nm: naive if tables were never merged (modelled, see bench_own.c); "
	       "ratio of tables 0.0 = lockstep needed none\n");
	env_teardown();
	return 0;
}
