// SPDX-License-Identifier: GPL-2.0-only
/* The hypercall dispatcher: standard queries, function-number bounds, callers, results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "invariant.h"
#include "invariant_env.h"

static int setup(void **state)
{
	(void)state;
	env_setup(32);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

static void call_raw(u64 id, struct hvc_regs *r, enum hvc_caller caller)
{
	struct hvc_ctx ctx = { caller, 0, 0 };

	memset(r, 0, sizeof(*r));
	r->x[0] = id;
	hvc_handle(&ctx, r);
}

static void standard_queries(void **state)
{
	struct hvc_regs r;

	(void)state;
	call_raw(LS_HVC_CALL_UID, &r, HVC_CALLER_HOST);
	assert_int_equal(r.x[0], LS_UID_W0);
	assert_int_equal(r.x[1], LS_UID_W1);
	assert_int_equal(r.x[2], LS_UID_W2);
	assert_int_equal(r.x[3], LS_UID_W3);
	call_raw(LS_HVC_VERSION, &r, HVC_CALLER_HOST);
	assert_int_equal(r.x[0], LS_OK);
	assert_int_equal(r.x[1], LS_ABI_VERSION);
	hvc_set_features(LS_FEAT_HOST_S2);
	call_raw(LS_HVC_FEATURES, &r, HVC_CALLER_HOST);
	assert_int_equal(r.x[0], LS_OK);
	assert_int_equal(r.x[1], LS_FEAT_HOST_S2);
}

static void unknown_functions(void **state)
{
	static const u64 ids[] = {
		LS_HVC_ID(0x000b), /* retired: the old guest share call */
		LS_HVC_ID(0x0017), /* past the range conversions (0x15, 0x16) */
		LS_HVC_ID(0xffff),
		LS_HVC_ID(0x0100),
		LS_HVC_VERSION & ~(u64)LS_SMCCC_64,		     /* SMC32 form */
		(LS_HVC_VERSION & ~(u64)(0x3fU << 24)) | (5U << 24), /* another OEN */
		0,
	};
	struct hvc_regs r;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		call_raw(ids[i], &r, HVC_CALLER_HOST);
		if ((s64)r.x[0] != LS_ENOTSUPP)
			fail_msg("id %#llx: status %lld", (unsigned long long)ids[i],
				 (long long)r.x[0]);
	}
	INV_ASSERT();
}

/* Results: x1 = pages done, x2/x3 cleared; on ENOMEM x1 = need, x2 = pool. */
static void result_registers(void **state)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(4, PAGE_SIZE);

	(void)state;
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa, 4, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 4);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa, 4, 0, 0, &r), LS_EPERM);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_SHARED_OWNED);
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, pa, 4, 0, 0, &r), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	INV_ASSERT();
}

/* Every ABI status the core can produce is reachable through the dispatcher. */
static void status_codes(void **state)
{
	u64 pa = env_host_pages(16, PAGE_SIZE);
	struct hvc_regs r;
	u32 vm;

	(void)state;
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa, 0, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, 0, 1, 0, 0, &r), LS_ERANGE);
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, ENV_RAM_BASE, 1, 0, 0, &r), LS_EPERM);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, 0, 0, 0, 0, &r), LS_ENOENT);
	vm = env_vm_create(16, 32);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, 0, 1, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa + PAGE_SIZE, 0, 1, &r), LS_EEXIST);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_EBUSY);
	INV_ASSERT();
}

/* Host-only calls from a VM and guest calls from the host are refused and change nothing. */
static void wrong_callers(void **state)
{
	static const u32 host_only[] = {
		LS_FN_HOST_SHARE_HYP,	 LS_FN_HOST_UNSHARE_HYP, LS_FN_HOST_DONATE_VM,
		LS_FN_VM_RECLAIM,	 LS_FN_VM_SHARE_HOST,	 LS_FN_VM_UNSHARE_HOST,
		LS_FN_VM_CREATE,	 LS_FN_VM_DESTROY,	 LS_FN_POOL_DONATE,
		LS_FN_VM_CONVERT_BITMAP,
	};
	u64 pa = env_host_pages(16, PAGE_SIZE), snap;
	struct hvc_regs r;
	unsigned int i;
	u32 vm;

	(void)state;
	vm = env_vm_create(16, 32);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, 0, 1, &r), LS_OK);
	snap = env_snapshot();
	for (i = 0; i < ARRAY_SIZE(host_only); i++) {
		/* Arguments that would succeed from the host. */
		if (env_hvc_vm(vm, host_only[i], vm, 0, &r) != LS_EPERM)
			fail_msg("fn %u from a VM: %lld", host_only[i], (long long)r.x[0]);
	}
	/*
	 * The refusal writes 0 to x1..x3 (docs/hypercalls.md "Convention"): each host-only
	 * call, and every other function a VM gets LS_EPERM for, from a VM with non-zero
	 * x1..x3; the guest calls from the host likewise.
	 */
	for (i = 0; i <= 0xff; i++) {
		struct hvc_ctx ctx = { HVC_CALLER_VM, vm, 0 };

		memset(&r, 0, sizeof(r));
		r.x[0] = LS_HVC_ID(i);
		r.x[1] = 0x1111;
		r.x[2] = 0x2222;
		r.x[3] = 0x3333;
		hvc_handle(&ctx, &r);
		if ((s64)r.x[0] == LS_EPERM && (r.x[1] || r.x[2] || r.x[3]))
			fail_msg("fn %#x refused for a VM left x1 %#llx x2 %#llx x3 %#llx", i,
				 (unsigned long long)r.x[1], (unsigned long long)r.x[2],
				 (unsigned long long)r.x[3]);
	}
	for (i = 0; i < ARRAY_SIZE(host_only); i++) {
		struct hvc_ctx ctx = { HVC_CALLER_VM, vm, 0 };

		r.x[0] = LS_HVC_ID(host_only[i]);
		r.x[1] = r.x[2] = r.x[3] = ~0ULL;
		hvc_handle(&ctx, &r);
		assert_int_equal((s64)r.x[0], LS_EPERM);
		assert_true(r.x[1] == 0 && r.x[2] == 0 && r.x[3] == 0);
	}
	/* The retired guest calls (0x000b, 0x000c) are unknown functions to the host now. */
	assert_int_equal(env_hvc(0x000b, 0x4000, 1, 7, 0, &r), LS_ENOTSUPP);
	assert_int_equal(env_hvc(0x000c, 0x4000, 1, 7, 0, &r), LS_ENOTSUPP);
	assert_int_equal(env_snapshot(), snap);
	/* The same guest call from the VM works; from another VM id it names no VM. */
	assert_int_equal(env_guest_mem(vm, true, 0, 1, &r), LS_OK);
	assert_int_equal(env_guest_mem(vm + 1, true, 0, 1, &r), LS_ENOENT);
	INV_ASSERT();
}

/*
 * LS_HVC_SMMU_STATS is a core table entry answered through plat_iommu_stat():
 * the fake platform has no IOMMU (-ENOENT -> LS_ENOENT), and a VM may not ask.
 */
static void iommu_stats_from_platform(void **state)
{
	struct hvc_regs r;

	(void)state;
	call_raw(LS_HVC_SMMU_STATS, &r, HVC_CALLER_HOST);
	assert_int_equal((s64)r.x[0], LS_ENOENT);
	assert_int_equal(r.x[2], LS_SMMU_STAT_NR);
	call_raw(LS_HVC_SMMU_STATS, &r, HVC_CALLER_VM);
	assert_int_equal((s64)r.x[0], LS_EPERM);
}

/*
 * LS_HVC_CPU_STATS, also a core table entry, answered through plat_cpu_stat(): the fake
 * platform keeps no per-CPU counters (-EOPNOTSUPP -> LS_ENOTSUPP, x1 = 0, x3 the number
 * of counters), and a VM may not ask.
 */
static void cpu_stats_from_platform(void **state)
{
	struct hvc_regs r;

	(void)state;
	call_raw(LS_HVC_CPU_STATS, &r, HVC_CALLER_HOST);
	assert_int_equal((s64)r.x[0], LS_ENOTSUPP);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[3], LS_CPU_STAT_NR);
	call_raw(LS_HVC_CPU_STATS, &r, HVC_CALLER_VM);
	assert_int_equal((s64)r.x[0], LS_EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(standard_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(result_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(status_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_callers, setup, teardown),
		cmocka_unit_test_setup_teardown(iommu_stats_from_platform, setup, teardown),
		cmocka_unit_test_setup_teardown(cpu_stats_from_platform, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
