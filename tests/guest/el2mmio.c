// SPDX-License-Identifier: GPL-2.0-only
/*
 * el2mmio (make bench-vm): 2000 MMIO writes to lsvm's sink register 0x09000018, each an exit
 * to the host and back, then SYSTEM_OFF. tests/bench-vm/lsbench subtracts el2idle's count and
 * divides by 2000: Lockstep's EL2 instructions per MMIO round trip.
 */
#include "guest.h"

const char *guest_name = "el2mmio";

void guest_main(u64 index, u64 x0)
{
	u64 i;

	(void)index;
	(void)x0;
	for (i = 0; i < 2000; i++)
		mmio_write32(0x09000018UL, (u32)i);
	check(1, "2000 sink writes issued");
	finish();
}
