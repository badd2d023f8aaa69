// SPDX-License-Identifier: GPL-2.0-only
/*
 * el2hvc (make bench-vm): 2000 guest hypercalls handled at EL2 without an exit (PSCI_VERSION
 * over HVC), then SYSTEM_OFF. tests/bench-vm/lsbench subtracts el2idle's count (the same
 * entry, shutdown and exits, no loop) and divides by 2000.
 */
#include "guest.h"

const char *guest_name = "el2hvc";

void guest_main(u64 index, u64 x0)
{
	u64 i, bad = 0;

	(void)index;
	(void)x0;
	for (i = 0; i < 2000; i++)
		bad += hvc(PSCI_VERSION, 0, 0, 0).a0 != 0x10001;
	check(bad == 0, "2000 PSCI_VERSION calls answered 1.1");
	finish();
}
