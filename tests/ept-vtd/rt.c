// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal runtime of the bare-metal EPT/VT-d QEMU test, x86_64 long mode with the low
 * 4 GiB identity-mapped (start.S): the plat.h services hyp/mmu and the VT-d driver call
 * (identity "virtual" addresses, MMIO, CLFLUSH cache cleans, a polled time source),
 * COM1 output, a small printf, PCI configuration access and the libc functions the
 * compiler and hyp/mmu call.
 */
#include <stdarg.h>

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

void *memset(void *d, int c, size_t n)
{
	volatile u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile u8 *p = d;
	const volatile u8 *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	volatile u8 *p = d;
	const volatile u8 *q = s;

	if (p < q)
		return memcpy(d, s, n);
	while (n--)
		p[n] = q[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

/* ---- console ---------------------------------------------------------------- */

static void eq_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (u8)c);
}

void eq_puts(const char *s)
{
	while (*s)
		eq_putc(*s++);
}

struct eq_buf {
	char *p;
	size_t n, len;
};

static void eq_emit(struct eq_buf *b, char c)
{
	if (b->len + 1 < b->n)
		b->p[b->len] = c;
	b->len++;
}

/* %s %c %d %u %x with l/ll, a width and 0-padding: what the tests and the driver print. */
static void eq_vfmt(struct eq_buf *b, const char *f, va_list ap)
{
	for (; *f; f++) {
		char tmp[24];
		unsigned int width = 0, longs = 0, i = 0, base = 10;
		bool zero = false, neg = false;
		unsigned long long v;

		if (*f != '%') {
			eq_emit(b, *f);
			continue;
		}
		f++;
		if (*f == '#')
			f++;
		if (*f == '0') {
			zero = true;
			f++;
		}
		while (*f >= '0' && *f <= '9')
			width = width * 10 + (unsigned int)(*f++ - '0');
		while (*f == 'l') {
			longs++;
			f++;
		}
		switch (*f) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				eq_emit(b, *s++);
			continue;
		}
		case 'c':
			eq_emit(b, (char)va_arg(ap, int));
			continue;
		case '%':
			eq_emit(b, '%');
			continue;
		case 'd': {
			long long sv = longs ? va_arg(ap, long long) : va_arg(ap, int);

			neg = sv < 0;
			v = neg ? (unsigned long long)-sv : (unsigned long long)sv;
			break;
		}
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			break;
		default:
			eq_emit(b, '?');
			continue;
		}
		do {
			tmp[i++] = "0123456789abcdef"[v % base];
			v /= base;
		} while (v && i < sizeof(tmp));
		if (neg)
			eq_emit(b, '-');
		while (width > i) {
			eq_emit(b, zero ? '0' : ' ');
			width--;
		}
		while (i)
			eq_emit(b, tmp[--i]);
	}
	if (b->n)
		b->p[b->len < b->n ? b->len : b->n - 1] = 0;
}

void eq_printf(const char *fmt, ...)
{
	char line[256];
	struct eq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	eq_vfmt(&b, fmt, ap);
	va_end(ap);
	eq_puts(line);
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
u64 eq_now_us(void)
{
	u32 t = inl(pm_tmr_port) & 0xffffffU;

	pm_ticks += (t - pm_last) & 0xffffffU;
	pm_last = t;
	return pm_ticks * 1000000ULL / PM_TMR_HZ;
}

/* ---- plat.h --------------------------------------------------------------------- */

void *plat_phys_to_virt(u64 pa)
{
	return (void *)pa;
}

u64 plat_virt_to_phys(const void *va)
{
	return (u64)va;
}

/* A unit whose walks do not snoop (ECAP.C = 0) reads memory: write the lines back. */
void plat_dcache_clean(const void *va, size_t size)
{
	u64 p = (u64)va & ~63ULL, end = (u64)va + size;

	for (; p < end; p += 64)
		__asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
	__asm__ volatile("mfence" : : : "memory");
}

void plat_log(const char *fmt, ...)
{
	char line[256];
	struct eq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	eq_vfmt(&b, fmt, ap);
	va_end(ap);
	eq_puts("# ");
	eq_puts(line);
	eq_puts("\n");
}

void plat_panic(const char *fmt, ...)
{
	char line[256];
	struct eq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	eq_vfmt(&b, fmt, ap);
	va_end(ap);
	eq_puts("not ok - PANIC: ");
	eq_puts(line);
	eq_puts("\n");
	outl(0xf4, 0x7f);
	for (;;)
		__asm__ volatile("hlt");
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

u64 plat_now_us(void)
{
	return eq_now_us();
}

void plat_udelay(u32 us)
{
	u64 start = eq_now_us();

	while (eq_now_us() - start < us)
		__asm__ volatile("pause");
}

/* One CPU, no contention. */
void plat_spin_relax(unsigned int spins)
{
	(void)spins;
}
