// SPDX-License-Identifier: GPL-2.0-only
/*
 * The arch-neutral half of the bare-metal test runtime (bm.h): the libc functions the
 * compiler and hyp/mmu call, the console's printf, and the plat.h services that need no
 * hardware (identity addresses, the log, a stop, time from the arch's counter).
 */
#include "bm.h"
#include "hyp/plat.h"

/* Byte by byte through volatile pointers: the compiler must not turn them into calls to
 * themselves, and arm64's test runs with the MMU off (Device memory: no unaligned access). */
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

void bm_puts(const char *s)
{
	while (*s)
		bm_putc(*s++);
}

struct bm_buf {
	char *p;
	size_t n, len;
};

static void bm_emit(struct bm_buf *b, char c)
{
	if (b->len + 1 < b->n)
		b->p[b->len] = c;
	b->len++;
}

static void bm_vfmt(struct bm_buf *b, const char *f, va_list ap)
{
	for (; *f; f++) {
		char tmp[24];
		unsigned int width = 0, longs = 0, i = 0, base = 10;
		bool zero = false, neg = false;
		unsigned long long v;

		if (*f != '%') {
			bm_emit(b, *f);
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
				bm_emit(b, *s++);
			continue;
		}
		case 'c':
			bm_emit(b, (char)va_arg(ap, int));
			continue;
		case '%':
			bm_emit(b, '%');
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
			bm_emit(b, '0');
			bm_emit(b, 'x');
			break;
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			break;
		default:
			bm_emit(b, '?');
			continue;
		}
		do {
			tmp[i++] = "0123456789abcdef"[v % base];
			v /= base;
		} while (v && i < sizeof(tmp));
		if (neg)
			bm_emit(b, '-');
		while (width > i) {
			bm_emit(b, zero ? '0' : ' ');
			width--;
		}
		while (i)
			bm_emit(b, tmp[--i]);
	}
	if (b->n)
		b->p[b->len < b->n ? b->len : b->n - 1] = 0;
}

/* One line of at most 255 characters, @pre and @post around it. */
static void bm_vline(const char *pre, const char *post, const char *fmt, va_list ap)
{
	char line[256];
	struct bm_buf b = { line, sizeof(line), 0 };

	bm_vfmt(&b, fmt, ap);
	bm_puts(pre);
	bm_puts(line);
	bm_puts(post);
}

void bm_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_vline("", "", fmt, ap);
	va_end(ap);
}

/* ---- TAP ----------------------------------------------------------------------- */

unsigned int bm_passed, bm_failed;

void bm_check(bool ok, const char *what)
{
	if (ok)
		bm_passed++;
	else
		bm_failed++;
	bm_printf("%sok %u - %s\n", ok ? "" : "not ", bm_passed + bm_failed, what);
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

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_vline("# ", "\n", fmt, ap);
	va_end(ap);
}

void plat_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_vline("not ok - PANIC: ", "\n", fmt, ap);
	va_end(ap);
	bm_halt();
}

u64 plat_now_us(void)
{
	return bm_now_us();
}

void plat_udelay(u32 us)
{
	u64 start = bm_now_us();

	while (bm_now_us() - start < us)
		;
}

/* One CPU, no contention: a lock waiter never has to give the CPU away. */
void plat_spin_relax(unsigned int spins)
{
	(void)spins;
}
