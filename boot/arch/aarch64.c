// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * AArch64 parts of the loader (efi_ldr.h "arch"): exception level, MPIDR, cache
 * maintenance for the hypervisor image written through the D-cache. The EL2 handoff
 * itself is boot/handoff.c (AArch64 only); boot/arch/x86_64.c is the x86_64 side.
 */
#include "../efi_ldr.h"

/* --- AArch64 system registers (Arm ARM DDI 0487: CurrentEL, MPIDR_EL1, CTR_EL0) --- */

unsigned int arch_current_el(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return (unsigned int)((el >> 2) & 3); /* CurrentEL.EL, bits [3:2] */
}

uint64_t arch_read_mpidr(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v;
}

static unsigned int arch_dcache_line(void)
{
	uint64_t ctr;

	/* CTR_EL0.DminLine, bits [19:16]: log2 of the smallest D-cache line in words. */
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return 4u << ((ctr >> 16) & 0xf);
}

/*
 * Clean [base, base + size) to the Point of Coherency (Arm ARM DDI 0487, C5.3 "A64
 * System instructions for cache maintenance", DC CVAC), then DSB to complete it.
 */
void arch_clean_dcache_poc(uint64_t base, uint64_t size)
{
	uint64_t line = arch_dcache_line(), a;

	for (a = base & ~(line - 1); a < base + size; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
}

/*
 * Invalidate the instruction cache after writing code (Arm ARM DDI 0487,
 * "Synchronization and coherency issues between data and instruction accesses"):
 * the D-side clean above, then IC IALLU, DSB, ISB.
 */
void arch_sync_icache(void)
{
	__asm__ volatile("ic iallu\n\tdsb sy\n\tisb" : : : "memory");
}

void arch_mask_interrupts(void)
{
	__asm__ volatile("msr daifset, #0xf" : : : "memory"); /* D, A, I, F */
}

/* --- PL011 console after ExitBootServices (PL011 TRM DDI 0183, register summary) -- */

#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_TXFF (1u << 5) /* transmit FIFO full */

void arch_early_putc(uint64_t uart, char c)
{
	volatile uint32_t *base = (volatile uint32_t *)(uintptr_t)uart;
	unsigned int spin;

	if (!base)
		return;
	/* Bounded wait: a stuck UART must not hang the boot. */
	for (spin = 0; spin < 1000000 && (base[PL011_FR / 4] & PL011_FR_TXFF); spin++)
		;
	base[PL011_DR / 4] = (uint32_t)(unsigned char)c;
}
