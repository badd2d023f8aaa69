// SPDX-License-Identifier: GPL-2.0-only
/* The guest payloads' library: console, SMCCC over HVC, checks, default exception handling. */
#include "guest.h"

volatile u64 failures;

/* Single-register loads and stores: the data abort syndrome is valid (ISV = 1, Arm ARM
 * D17.2.40 ESR_ELx ISS for data aborts), so each access is an MMIO exit. */
void putch(char c)
{
	asm volatile("strb %w0, [%1]" : : "r"(c), "r"(CON_DATA) : "memory");
}

u64 mmio_read32(u64 addr)
{
	u32 v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

void mmio_write32(u64 addr, u32 v)
{
	asm volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}

void puts(const char *s)
{
	while (*s)
		putch(*s++);
}

void puthex(u64 v)
{
	int i, started = 0;

	puts("0x");
	for (i = 60; i >= 0; i -= 4) {
		u64 d = (v >> i) & 0xf;

		if (d || started || i == 0) {
			putch("0123456789abcdef"[d]);
			started = 1;
		}
	}
}

void putdec(u64 v)
{
	char t[24];
	int i = 0;

	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		putch(t[--i]);
}

void check(int ok, const char *what)
{
	puts(guest_name);
	puts(ok ? ": ok - " : ": not ok - ");
	puts(what);
	putch('\n');
	if (!ok)
		failures++;
}

void note(const char *s)
{
	puts(guest_name);
	puts(": ");
	puts(s);
}

struct smccc_res hvc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 asm("x0") = fn;
	register u64 x1 asm("x1") = a1;
	register u64 x2 asm("x2") = a2;
	register u64 x3 asm("x3") = a3;
	struct smccc_res r;

	asm volatile("hvc #0"
		     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     :
		     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
		       "x16", "x17", "memory");
	r.a0 = (long)x0;
	r.a1 = x1;
	r.a2 = x2;
	r.a3 = x3;
	return r;
}

void finish(void)
{
	note("");
	putdec(failures);
	puts(" failed\n");
	mmio_write32(CON_STATUS, (u32)failures);
	hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		asm volatile("wfi");
}

void *memset(void *d, int c, unsigned long n)
{
	volatile unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

/* Default handlers (a guest that expects exceptions defines its own exception()). */
__attribute__((weak)) u64 exception(u64 *frame, u64 esr, u64 elr)
{
	(void)frame;
	note("unexpected exception, ESR ");
	puthex(esr);
	puts(" ELR ");
	puthex(elr);
	putch('\n');
	failures += 100;
	finish();
}

void bad_vector(u64 off)
{
	note("unexpected exception vector ");
	puthex(off);
	putch('\n');
	failures += 100;
	finish();
}

__attribute__((weak)) void guest_secondary(u64 index, u64 context)
{
	(void)index;
	(void)context;
	note("unexpected secondary vCPU\n");
	hvc(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		;
}
