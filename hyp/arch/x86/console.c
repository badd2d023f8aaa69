// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's console: COM1, a 16550-compatible UART at I/O port 0x3f8 (PC
 * convention; QEMU q35's isa-serial), shared with the host's console (Linux writes it
 * too: lines may interleave). Registers: THR at +0 (DLAB = 0), LSR at +5, bit 5 THRE
 * (transmitter holding register empty). The firmware has programmed the line (115200
 * 8N1); Lockstep only writes characters. Bounded waits: a stuck UART never hangs the
 * hypervisor.
 *
 * A small printf (x86_vsnprintf): %d %u %x %s %c %p %%, the flags '#', '0', '-', a
 * width, and the l / ll / z length modifiers: what plat_log callers use.
 */
#include <stdarg.h>

#include "hyp/plat.h"
#include "hyp/spinlock.h"
#include "x86/x86.h"

#define COM1	     0x3f8
#define UART_LSR     5
#define UART_LSR_THR 0x20

static void con_putc(char c)
{
	unsigned int spin;

	for (spin = 0; spin < 100000 && !(x86_inb(COM1 + UART_LSR) & UART_LSR_THR); spin++)
		__asm__ volatile("pause");
	x86_outb(COM1, (u8)c);
}

static void con_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			con_putc('\r');
		con_putc(*s);
	}
}

void x86_console_init(void)
{
}

struct pf_out {
	char *buf;
	size_t size, len;
};

static void pf_put(struct pf_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pf_num(struct pf_out *o, unsigned long long v, unsigned int base, bool neg, bool alt,
		   char pad, int width, bool left)
{
	char tmp[24];
	int n = 0, len, i;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0) + (alt ? 2 : 0);
	if (!left && pad == ' ')
		for (i = len; i < width; i++)
			pf_put(o, ' ');
	if (neg)
		pf_put(o, '-');
	if (alt) {
		pf_put(o, '0');
		pf_put(o, 'x');
	}
	if (!left && pad == '0')
		for (i = len; i < width; i++)
			pf_put(o, '0');
	while (n)
		pf_put(o, tmp[--n]);
	if (left)
		for (i = len; i < width; i++)
			pf_put(o, ' ');
}

int x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct pf_out o = { buf, size, 0 };
	unsigned long long u;
	long long s;
	const char *str;
	bool alt, left;
	char pad;
	int width, lng;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			pf_put(&o, *fmt);
			continue;
		}
		alt = left = false;
		pad = ' ';
		width = lng = 0;
		for (fmt++; *fmt == '#' || *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				pad = '0';
			else
				left = true;
		}
		for (; (unsigned int)(*fmt - '0') <= 9; fmt++)
			width = width * 10 + (*fmt - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			s = lng ? va_arg(ap, long long) : va_arg(ap, int);
			u = s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s;
			pf_num(&o, u, 10, s < 0, false, pad, width, left);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			pf_num(&o, u, *fmt == 'u' ? 10 : 16, false, alt && *fmt == 'x', pad, width,
			       left);
			break;
		case 'p':
			pf_num(&o, (unsigned long long)(uintptr_t)va_arg(ap, void *), 16, false,
			       true, pad, width, left);
			break;
		case 's':
			str = va_arg(ap, const char *);
			for (str = str ? str : "(null)"; *str; str++)
				pf_put(&o, *str);
			break;
		case 'c':
			pf_put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			pf_put(&o, '%');
			break;
		default: /* unknown conversion: print it, do not guess its argument */
			pf_put(&o, '%');
			if (!*fmt)
				goto out;
			pf_put(&o, *fmt);
			break;
		}
	}
out:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

static struct hyp_spinlock con_lock;

static void con_vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[256];

	x86_vsnprintf(line, sizeof(line), fmt, ap);
	hyp_spin_lock(&con_lock);
	con_puts(prefix);
	con_puts(line);
	con_puts("\n");
	hyp_spin_unlock(&con_lock);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vlog("lockstep: ", fmt, ap);
	va_end(ap);
}

void plat_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vlog("lockstep: PANIC: ", fmt, ap);
	va_end(ap);
	for (;;)
		__asm__ volatile("cli; hlt");
}
