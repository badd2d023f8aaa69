// SPDX-License-Identifier: GPL-2.0-only
/*
 * isolation: writes a pattern into a private page, prints its GPA, and spins (busy, no exit
 * of its own) for ROUND_S seconds of its virtual counter at a time, polling the lsvm doorbell
 * (one MMIO exit) between rounds until the test rings it; then checks the pattern is intact
 * and shuts down. The rounds are long so that the host's ticks on the vCPU's CPU can only come
 * from interrupts that end the guest's run (the EL2 timer), not from the guest's own exits. Meanwhile tests/vm/lstest tries to read
 * the page from the host by CPU and by DMA, and counts host interrupts on the vCPU's CPU.
 */
#include "guest.h"

#define PATTERN(i) (0x4c53495300000000UL | ((i)*0x01010101UL)) /* "LSIS" | i */
#define ROUND_S	   4					       /* seconds of CNTVCT_EL0 per round */

const char *guest_name = "isolation";
static volatile u64 secret[512] __attribute__((aligned(4096)));

void guest_main(u64 index, u64 x0)
{
	u64 i, rounds = 0, bad = 0, freq, t0, t;

	(void)index;
	(void)x0;
	for (i = 0; i < 512; i++)
		secret[i] = PATTERN(i);
	note("pattern ");
	puthex(PATTERN(0));
	puts(" at gpa ");
	puthex((u64)secret);
	putch('\n');
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	do {
		asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t0));
		do
			asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
		while (t - t0 < ROUND_S * freq);
		rounds++;
	} while (!mmio_read32(CON_DOOR));
	for (i = 0; i < 512; i++)
		bad += secret[i] != PATTERN(i);
	note("spun ");
	putdec(rounds);
	puts(" rounds\n");
	check(bad == 0, "the private page kept its pattern");
	finish();
}
