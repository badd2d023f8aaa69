// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal runtime for the bare-metal SMMUv3 QEMU test: the plat.h services
 * (identity "virtual" addresses: the MMU is off), PL011 output, a small
 * vsnprintf, and the few libc functions the compiler and hyp/mmu call.
 */
#include <stdarg.h>

#include "hyp/plat.h"
#include "sq.h"

#define UART_DR	     0x09000000ULL /* QEMU virt PL011 data register */
#define UART_FR	     0x09000018ULL
#define UART_FR_TXFF (1U << 5)

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

static void sq_putc(char c)
{
	while (plat_read32(UART_FR) & UART_FR_TXFF)
		;
	plat_write32(UART_DR, (u8)c);
}

void sq_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			sq_putc('\r');
		sq_putc(*s++);
	}
}

struct sq_buf {
	char *p;
	size_t n, len;
};

static void sq_emit(struct sq_buf *b, char c)
{
	if (b->len + 1 < b->n)
		b->p[b->len] = c;
	b->len++;
}

static void sq_vfmt(struct sq_buf *b, const char *f, va_list ap)
{
	for (; *f; f++) {
		char tmp[24];
		unsigned int width = 0, longs = 0, i = 0, base = 10;
		bool zero = false, neg = false;
		unsigned long long v;

		if (*f != '%') {
			sq_emit(b, *f);
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

			while (*s)
				sq_emit(b, *s++);
			continue;
		}
		case 'c':
			sq_emit(b, (char)va_arg(ap, int));
			continue;
		case '%':
			sq_emit(b, '%');
			continue;
		case 'd': {
			long long sv = longs ? va_arg(ap, long long) : va_arg(ap, int);

			neg = sv < 0;
			v = neg ? (unsigned long long)-sv : (unsigned long long)sv;
			break;
		}
		case 'p':
			v = (unsigned long long)(unsigned long)va_arg(ap, void *);
			base = 16;
			sq_emit(b, '0');
			sq_emit(b, 'x');
			break;
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			break;
		default:
			sq_emit(b, '?');
			continue;
		}
		do {
			tmp[i++] = "0123456789abcdef"[v % base];
			v /= base;
		} while (v && i < sizeof(tmp));
		if (neg)
			sq_emit(b, '-');
		while (width > i) {
			sq_emit(b, zero ? '0' : ' ');
			width--;
		}
		while (i)
			sq_emit(b, tmp[--i]);
	}
	if (b->n)
		b->p[b->len < b->n ? b->len : b->n - 1] = 0;
}

void sq_printf(const char *fmt, ...)
{
	char line[256];
	struct sq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	sq_vfmt(&b, fmt, ap);
	va_end(ap);
	sq_puts(line);
}

/* ---- plat.h --------------------------------------------------------------- */

void *plat_phys_to_virt(u64 pa)
{
	return (void *)pa;
}

u64 plat_virt_to_phys(const void *va)
{
	return (u64)va;
}

void plat_dcache_clean(const void *va, size_t size)
{
	(void)va;
	(void)size; /* caches are off */
}

void plat_log(const char *fmt, ...)
{
	char line[256];
	struct sq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	sq_vfmt(&b, fmt, ap);
	va_end(ap);
	sq_puts("# ");
	sq_puts(line);
	sq_puts("\n");
}

void plat_panic(const char *fmt, ...)
{
	char line[256];
	struct sq_buf b = { line, sizeof(line), 0 };
	va_list ap;

	va_start(ap, fmt);
	sq_vfmt(&b, fmt, ap);
	va_end(ap);
	sq_puts("not ok - PANIC: ");
	sq_puts(line);
	sq_puts("\n");
	for (;;)
		__asm__ volatile("wfe");
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

u64 sq_now_us(void)
{
	u64 f, c;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	__asm__ volatile("isb\n\tmrs %0, cntpct_el0" : "=r"(c) : : "memory");
	return f ? c / (f / 1000000ULL ? f / 1000000ULL : 1) : c;
}

u64 plat_now_us(void)
{
	return sq_now_us();
}

void plat_udelay(u32 us)
{
	u64 start = sq_now_us();

	while (sq_now_us() - start < us)
		;
}

/* One CPU, no contention: a lock waiter never has to give the CPU away. */
void plat_spin_relax(unsigned int spins)
{
	(void)spins;
}
