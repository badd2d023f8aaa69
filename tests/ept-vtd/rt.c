// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86_64 half of the bare-metal EPT/VT-d QEMU test's runtime (tests/lib/bm: the rest),
 * long mode with the low 4 GiB identity-mapped (start.S): COM1 output, PCI configuration
 * access, the ACPI PM timer, CLFLUSH cache cleans, MMIO, and the stop through QEMU's
 * isa-debug-exit.
 */
#include "eq.h"
#include "hyp/plat.h"

#define COM1	    0x3f8
#define PM_TMR_HZ   3579545ULL /* ACPI 6.x 4.8.3.3 "Power Management Timer" */
#define LPC_DEV	    31U	       /* q35: ICH9 LPC bridge 00:1f.0 */
#define LPC_PMBASE  0x40U      /* ICH9 LPC config: ACPI base address */
#define LPC_ACPI_CN 0x44U      /* ICH9 LPC config: ACPI control, bit 7 ACPI enable */
#define PMBASE_DEF  0x600U     /* where SeaBIOS puts it on q35 */

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* ---- console ---------------------------------------------------------------- */

void bm_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (u8)c);
}

/* isa-debug-exit (mk/eptvtd.mk): QEMU exits with status 2 * 7Fh + 1, not the pass value 1. */
void bm_halt(void)
{
	outl(0xf4, 0x7f);
	for (;;)
		__asm__ volatile("hlt");
}

/* ---- PCI, time ------------------------------------------------------------------ */

u32 eq_cfg_rd(u32 dev, u32 fn, u32 reg)
{
	outl(0xcf8, 0x80000000U | dev << 11 | fn << 8 | (reg & 0xfcU));
	return inl(0xcfc);
}

void eq_cfg_wr(u32 dev, u32 fn, u32 reg, u32 v)
{
	outl(0xcf8, 0x80000000U | dev << 11 | fn << 8 | (reg & 0xfcU));
	outl(0xcfc, v);
}

static u16 pm_tmr_port;
static u32 pm_last;
static u64 pm_ticks;

bool eq_time_init(void)
{
	u32 base = eq_cfg_rd(LPC_DEV, 0, LPC_PMBASE) & 0xff80U;

	if ((eq_cfg_rd(LPC_DEV, 0, 0) & 0xffffU) != 0x8086U)
		return false;
	if (!base || !(eq_cfg_rd(LPC_DEV, 0, LPC_ACPI_CN) & 0x80U)) {
		base = PMBASE_DEF;
		eq_cfg_wr(LPC_DEV, 0, LPC_PMBASE, base | 1U);
		eq_cfg_wr(LPC_DEV, 0, LPC_ACPI_CN, eq_cfg_rd(LPC_DEV, 0, LPC_ACPI_CN) | 0x80U);
	}
	pm_tmr_port = (u16)(base + 8U);
	pm_last = inl(pm_tmr_port) & 0xffffffU;
	return true;
}

/* The 24-bit PM timer wraps every 4.7 s: every poll reads it far more often than that. */
u64 bm_now_us(void)
{
	u32 t = inl(pm_tmr_port) & 0xffffffU;

	pm_ticks += (t - pm_last) & 0xffffffU;
	pm_last = t;
	return pm_ticks * 1000000ULL / PM_TMR_HZ;
}

/* ---- plat.h --------------------------------------------------------------------- */

/* A unit whose walks do not snoop (ECAP.C = 0) reads memory: write the lines back. */
void plat_dcache_clean(const void *va, size_t size)
{
	u64 p = (u64)va & ~63ULL, end = (u64)va + size;

	for (; p < end; p += 64)
		__asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
	__asm__ volatile("mfence" : : : "memory");
}

/* MMIO: uncached by the page tables (start.S: PCD on the top GiB), ordered by volatile. */
u32 plat_read32(u64 pa)
{
	return *(volatile u32 *)pa;
}

void plat_write32(u64 pa, u32 val)
{
	*(volatile u32 *)pa = val;
}

u64 plat_read64(u64 pa)
{
	return *(volatile u64 *)pa;
}

void plat_write64(u64 pa, u64 val)
{
	*(volatile u64 *)pa = val;
}
