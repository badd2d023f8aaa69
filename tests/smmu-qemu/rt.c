// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arm64 half of the bare-metal SMMUv3 QEMU test's runtime (tests/lib/bm: the rest):
 * PL011 output, MMIO with the barriers the SMMU's queues need, the generic timer, and no
 * cache maintenance (the MMU and caches are off).
 */
#include "bm.h"
#include "hyp/plat.h"

#define UART_DR	     0x09000000ULL /* QEMU virt PL011 data register */
#define UART_FR	     0x09000018ULL
#define UART_FR_TXFF (1U << 5)

void bm_putc(char c)
{
	if (c == '\n')
		bm_putc('\r');
	while (plat_read32(UART_FR) & UART_FR_TXFF)
		;
	plat_write32(UART_DR, (u8)c);
}

/* QEMU exits at the end of the test through semihosting (start.S); a panic waits. */
void bm_halt(void)
{
	for (;;)
		__asm__ volatile("wfe");
}

u64 bm_now_us(void)
{
	u64 f, c;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(c) : : "memory");
	return f ? c / (f / 1000000ULL ? f / 1000000ULL : 1) : c;
}

void plat_dcache_clean(const void *va, size_t size)
{
	(void)va;
	(void)size; /* caches are off */
}

u32 plat_read32(u64 pa)
{
	u32 v;

	__asm__ volatile("ldr %w0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(pa) : "memory");
	return v;
}

void plat_write32(u64 pa, u32 val)
{
	__asm__ volatile("dmb oshst\n\tstr %w0, [%1]" : : "rZ"(val), "r"(pa) : "memory");
}

u64 plat_read64(u64 pa)
{
	u64 v;

	__asm__ volatile("ldr %0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(pa) : "memory");
	return v;
}

void plat_write64(u64 pa, u64 val)
{
	__asm__ volatile("dmb oshst\n\tstr %x0, [%1]" : : "rZ"(val), "r"(pa) : "memory");
}
