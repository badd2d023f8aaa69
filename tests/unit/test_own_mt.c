// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency: several host threads (standing for host CPUs) and guest
 * threads hammer the transition hypercalls through the real dispatcher, on
 * disjoint and on overlapping ranges. The locks must keep every transition
 * atomic: afterwards the invariant checker finds every table consistent with
 * the DB, and the disjoint run ends in exactly the expected state.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "invariant.h"
#include "invariant_env.h"

#define NR_THREADS 4
#define ITERS	   5000
#define SPAN	   64 /* pages per thread area */

static u32 vms[2];
static u64 area; /* NR_THREADS * SPAN backed host pages, 2 MiB aligned */

static int setup(void **state)
{
	(void)state;
	env_setup(128);
	vms[0] = env_vm_create(128, 40);
	vms[1] = env_vm_create(128, 40);
	area = env_host_pages(512, SZ_2M);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

struct worker {
	unsigned int id;
	unsigned int seed;
	bool overlap;
	u64 ok, err;
	s64 bad; /* first status outside the expected set, 0 = none */
};

static bool expected_status(s64 st)
{
	return st == LS_OK || st == LS_EPERM || st == LS_EEXIST || st == LS_EBUSY ||
	       st == LS_ENOMEM;
}

static pthread_barrier_t start;

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	pthread_barrier_wait(&start); /* all threads race from the same moment */
	for (i = 0; i < ITERS; i++) {
		unsigned int r = (unsigned int)rand_r(&w->seed);
		u32 vm = vms[(r >> 4) & 1];
		/* Overlapping: anywhere in the whole area; disjoint: inside this thread's span. */
		u64 base = w->overlap ? 0 : (u64)w->id * SPAN;
		u64 lim = w->overlap ? NR_THREADS * SPAN : SPAN;
		u64 pg = base + ((r >> 8) % lim), n = 1 + ((r >> 20) % 8);
		u64 pa, ipa;
		s64 st;

		if (pg + n > base + lim)
			n = base + lim - pg;
		pa = area + pg * PAGE_SIZE;
		ipa = 0x100000000ULL + pg * PAGE_SIZE; /* IPA mirrors the page index */
		switch (r % 8) {
		case 0:
		case 1:
			st = env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, ipa, n, NULL);
			break;
		case 2:
			st = env_hvc(LS_FN_VM_RECLAIM, vm, ipa, n, 0, NULL);
			break;
		case 3:
			st = env_guest_mem(vm, true, ipa, n, NULL);
			break;
		case 4:
			st = env_hvc(LS_FN_VM_SHARE_HOST, vm, ipa, n, 0, NULL);
			break;
		case 5:
			st = env_hvc(LS_FN_VM_UNSHARE_HOST, vm, ipa, n, 0, NULL);
			break;
		case 6:
			st = env_guest_mem(vm, false, ipa, n, NULL);
			break;
		default:
			st = env_hvc((r >> 3) & 1 ? LS_FN_HOST_SHARE_HYP : LS_FN_HOST_UNSHARE_HYP,
				     pa, n, 0, 0, NULL);
			break;
		}
		if (st == LS_OK)
			w->ok++;
		else
			w->err++;
		if (!expected_status(st) && !w->bad)
			w->bad = st;
	}
	return NULL;
}

static void run(bool overlap, struct worker *ws)
{
	pthread_t th[NR_THREADS];
	unsigned int i;

	assert_int_equal(pthread_barrier_init(&start, NULL, NR_THREADS), 0);
	for (i = 0; i < NR_THREADS; i++) {
		ws[i] = (struct worker){ .id = i, .seed = 1234u + i * 77u, .overlap = overlap };
		assert_int_equal(pthread_create(&th[i], NULL, worker_fn, &ws[i]), 0);
	}
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&start);
	for (i = 0; i < NR_THREADS; i++) {
		if (ws[i].bad)
			fail_msg("thread %u got unexpected status %lld", i, (long long)ws[i].bad);
		assert_true(ws[i].ok > 0);
	}
	INV_ASSERT();
}

/* Give everything back to the host: unshare, reclaim, unshare from hyp. */
static void drain(void)
{
	u64 pg;
	unsigned int v;

	for (v = 0; v < 2; v++) {
		for (pg = 0; pg < NR_THREADS * SPAN; pg++) {
			u64 ipa = 0x100000000ULL + pg * PAGE_SIZE;

			env_hvc(LS_FN_VM_UNSHARE_HOST, vms[v], ipa, 1, 0, NULL);
			env_hvc(LS_FN_VM_RECLAIM, vms[v], ipa, 1, 0, NULL);
		}
	}
	for (pg = 0; pg < NR_THREADS * SPAN; pg++)
		env_hvc(LS_FN_HOST_UNSHARE_HYP, area + pg * PAGE_SIZE, 1, 0, 0, NULL);
	INV_ASSERT();
	for (pg = 0; pg < NR_THREADS * SPAN; pg++)
		assert_int_equal(own_page_state(OWN_HOST, area + pg * PAGE_SIZE), OWN_OWNED);
	assert_int_equal(own_vm_pages(vms[0]), 0);
	assert_int_equal(own_vm_pages(vms[1]), 0);
}

static void disjoint(void **state)
{
	struct worker ws[NR_THREADS];

	(void)state;
	run(false, ws);
	drain();
	/* Then both VMs can be destroyed: their pools come back. */
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vms[0], 0, 0, 0, NULL), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vms[1], 0, 0, 0, NULL), LS_OK);
	INV_ASSERT();
}

static void overlapping(void **state)
{
	struct worker ws[NR_THREADS];

	(void)state;
	run(true, ws);
	drain();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(disjoint, setup, teardown),
		cmocka_unit_test_setup_teardown(overlapping, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
