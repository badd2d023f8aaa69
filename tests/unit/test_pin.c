// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device pins (hyp/mem/pin.c): host pages a DMA master outside every IOMMU (the GIC's
 * tables) uses. A pinned page cannot leave the host; pins of anything but host RAM are
 * refused with nothing changed; the invariant checker accounts for every pin.
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

#define PA0  (ENV_BIG + 0x200000ULL)
#define IPA0 0x10000000ULL

static int setup(void **state)
{
	(void)state;
	env_setup(64);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	env_teardown();
	return 0;
}

/* A pinned page stays the host's: donation is LS_EBUSY until the pin goes. */
static void pin_blocks_donation(void **state)
{
	struct hvc_regs r;
	u32 vm = env_vm_create(16, 40);
	u64 snap;

	(void)state;
	assert_int_equal(own_host_pin(PA0, 2), 0);
	INV_ASSERT();
	assert_int_equal(env_dma_count(PA0), 1);
	assert_int_equal(env_dma_count(PA0 + PAGE_SIZE), 1);
	assert_int_equal(env_dma_count(PA0 + 2 * PAGE_SIZE), 0);
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + PAGE_SIZE, IPA0, 1, &r), LS_EBUSY);
	assert_int_equal(env_snapshot(), snap);
	/* The page next to the pin is free to go. */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + 2 * PAGE_SIZE, IPA0, 1, &r),
			 LS_OK);
	INV_ASSERT();
	/* Pins nest: a second pin of one of the pages, then both go. */
	assert_int_equal(own_host_pin(PA0 + PAGE_SIZE, 1), 0);
	assert_int_equal(env_dma_count(PA0 + PAGE_SIZE), 2);
	INV_ASSERT();
	assert_int_equal(own_host_unpin(PA0, 2), 0);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0, IPA0 + PAGE_SIZE, 1, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + PAGE_SIZE, IPA0 + 2 * PAGE_SIZE, 1,
				 &r),
			 LS_EBUSY);
	assert_int_equal(own_host_unpin(PA0 + PAGE_SIZE, 1), 0);
	assert_int_equal(env_dma_count(PA0 + PAGE_SIZE), 0);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, PA0 + PAGE_SIZE, IPA0 + 2 * PAGE_SIZE, 1,
				 &r),
			 LS_OK);
	INV_ASSERT();
}

/* Refusals: nothing changes. */
static void pin_refused(void **state)
{
	struct hvc_regs r;
	u32 vm = env_vm_create(16, 40);
	unsigned int i;
	u64 snap, pool, vmpa = PA0 + 16 * PAGE_SIZE;

	(void)state;
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, vmpa, IPA0, 1, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(own_host_pin(vmpa, 1), -EPERM);	     /* the VM's */
	assert_int_equal(own_host_pin(vmpa - PAGE_SIZE, 2), -EPERM); /* partly the VM's */
	assert_int_equal(own_host_pin(0x1000, 1), -ERANGE);	     /* not RAM */
	assert_int_equal(own_host_pin(ENV_RAM_BASE + ENV_RAM_SIZE - PAGE_SIZE, 2), -ERANGE);
	assert_int_equal(own_host_pin(PA0 + 8, 1), -EINVAL); /* unaligned */
	assert_int_equal(own_host_pin(PA0, 0), -EINVAL);
	assert_int_equal(own_host_pin(PA0, OWN_PIN_MAX_PAGES + 1), -EINVAL);
	assert_int_equal(own_host_pin(~0ULL & ~0xfffULL, 2), -EINVAL); /* wraps */
	assert_int_equal(own_host_unpin(PA0, 1), -ENOENT);	       /* never pinned */
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
	/* The hypervisor's own pages (a VM's table pool) are never pinned either. */
	pool = env_host_pages(16, LS_VM_POOL_ALIGN);
	assert_int_equal(env_hvc(LS_FN_VM_CREATE, pool, 16, 40, 0, &r), LS_OK);
	snap = env_snapshot();
	assert_int_equal(own_host_pin(pool, 1), -EPERM);
	assert_int_equal(own_host_pin(pool + 15 * PAGE_SIZE, 1), -EPERM);
	assert_int_equal(env_snapshot(), snap);
	/* Unpin names the exact range. */
	assert_int_equal(own_host_pin(PA0, 4), 0);
	snap = env_snapshot();
	assert_int_equal(own_host_unpin(PA0, 2), -ENOENT);
	assert_int_equal(own_host_unpin(PA0 + PAGE_SIZE, 3), -ENOENT);
	assert_int_equal(env_snapshot(), snap);
	/* The table is finite: one slot used, 63 more, then -ENOSPC. */
	for (i = 1; i < OWN_MAX_PINS; i++)
		assert_int_equal(own_host_pin(PA0 + 32 * PAGE_SIZE, 1), 0);
	snap = env_snapshot();
	assert_int_equal(own_host_pin(PA0 + 33 * PAGE_SIZE, 1), -ENOSPC);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(env_dma_count(PA0 + 32 * PAGE_SIZE), OWN_MAX_PINS - 1);
	INV_ASSERT();
}

/* The count saturates like a DMA domain's: 255 uses of a page, then -ENOSPC. */
static void pin_count_limit(void **state)
{
	u64 snap;
	unsigned int i;

	(void)state;
	for (i = 0; i < OWN_MAX_PINS; i++)
		assert_int_equal(own_host_pin(PA0, 1), 0);
	assert_int_equal(env_dma_count(PA0), OWN_MAX_PINS);
	for (i = 0; i < OWN_MAX_PINS; i++)
		assert_int_equal(own_host_unpin(PA0, 1), 0);
	assert_int_equal(env_dma_count(PA0), 0);
	assert_int_equal(own_host_unpin(PA0, 1), -ENOENT);
	snap = env_snapshot();
	assert_int_equal(own_host_pin(PA0, 1), 0);
	assert_int_equal(own_host_unpin(PA0, 1), 0);
	assert_int_equal(env_snapshot(), snap);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(pin_blocks_donation, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(pin_count_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
