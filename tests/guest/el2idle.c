// SPDX-License-Identifier: GPL-2.0-only
/*
 * el2idle (make bench-vm): the baseline of el2hvc and el2mmio, the same program without the
 * loop: one check line, SYSTEM_OFF.
 */
#include "guest.h"

const char *guest_name = "el2idle";

void guest_main(u64 index, u64 x0)
{
	(void)index;
	(void)x0;
	check(1, "baseline");
	finish();
}
