// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: round trips timed by the guest's virtual counter (figures, not pass/fail): N guest
 * hypercalls handled at EL2 (PSCI_VERSION over HVC) and N MMIO writes to the lsvm sink
 * register 0x09000018, each an exit to the VMM and back (hypervisor -> lockstep.ko -> lsvm ->
 * LOCKSTEP_RUN -> hypervisor). Under TCG these are wall times of an emulation, for reference.
 */
#include "guest.h"

#define N	 1000
#define CON_SINK 0x09000018UL

const char *guest_name = "bench";

static u64 cntvct(void)
{
	u64 t;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
	return t;
}

static void report(const char *what, u64 ticks, u64 freq)
{
	note(what);
	puts(": ");
	putdec(N);
	puts(" round trips, ");
	putdec(ticks * 1000000000UL / freq / N);
	puts(" ns each\n");
}

void guest_main(u64 index, u64 x0)
{
	u64 freq, t0, t1, t2, i, bad = 0;

	(void)index;
	(void)x0;
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	t0 = cntvct();
	for (i = 0; i < N; i++)
		bad += hvc(PSCI_VERSION, 0, 0, 0).a0 != 0x10001;
	t1 = cntvct();
	for (i = 0; i < N; i++)
		mmio_write32(CON_SINK, (u32)i);
	t2 = cntvct();
	report("guest HVC handled at EL2", t1 - t0, freq);
	report("guest MMIO exit to the VMM", t2 - t1, freq);
	check(bad == 0, "1000 HVC and 1000 MMIO round trips completed");
	finish();
}
