// SPDX-License-Identifier: GPL-2.0-only
/* Freestanding runtime of tests/vfio/vfio-edu.c: entry point, string helpers, output (sys.h). */
#include <stdarg.h>

#include "sys.h"

int main(int argc, char **argv);
void cstart(long *sp);

__asm__(".globl _start\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	bl cstart\n");

void cstart(long *sp)
{
	int rc = main((int)sp[0], (char **)(sp + 1));

	sys(NR_EXIT_GROUP, rc);
	for (;;)
		;
}

void *memset(void *d, int c, unsigned long n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, unsigned long n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

unsigned long strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static char obuf[512];
static unsigned int olen;

static void put(char c)
{
	if (olen < sizeof(obuf) - 1)
		obuf[olen++] = c;
}

static void put_num(unsigned long long v, unsigned int base, int neg)
{
	char t[24];
	int i = 0;

	if (neg)
		put('-');
	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(t[--i]);
}

void out(const char *fmt, ...)
{
	va_list ap;
	const char *s;
	long long v;

	va_start(ap, fmt);
	olen = 0;
	for (; *fmt; fmt++) {
		int l = 0;

		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		while (*++fmt == 'l')
			l++;
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				put(*s);
			break;
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case 'd':
			v = l ? va_arg(ap, long long) : va_arg(ap, int);
			put_num(v < 0 ? (unsigned long long)-v : (unsigned long long)v, 10, v < 0);
			break;
		case 'u':
		case 'x':
			put_num(l ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int),
				*fmt == 'x' ? 16 : 10, 0);
			break;
		case '%':
			put('%');
			break;
		default:
			put('?');
		}
	}
	va_end(ap);
	put('\n');
	sys(NR_WRITE, 1, obuf, olen);
}

int open_(const char *path, int flags)
{
	return (int)sys(NR_OPENAT, AT_FDCWD_, path, flags, 0);
}

long now_us(void)
{
	struct ts_ t;

	sys(NR_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, &t);
	return t.sec * 1000000 + t.nsec / 1000;
}

void sleep_ms(long ms)
{
	struct ts_ t = { ms / 1000, (ms % 1000) * 1000000 };

	sys(NR_NANOSLEEP, &t, 0);
}
