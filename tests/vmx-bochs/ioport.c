// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the vmx-bochs suite (docs/x86.md "I/O ports"): one I/O instruction from
 * user space, after ioperm(2) opened the port (so the CPU's own permission check passes and
 * only the hypervisor's I/O bitmap decides).
 *   ioport inl PORT      IN EAX, DX; prints the value as 0x%08x
 *   ioport insl PORT N   REP INSD of N (at most 16) dwords into a buffer; prints the first
 * PORT and N in hex. Exit status 1 if ioperm fails, 2 for a bad command; a #GP kills it
 * (SIGSEGV). No C library (tests/lib/nolibc.h, mk/vmx.mk).
 */
#include "nolibc.h"

void start_c(long *sp)
{
	const char *op = nl_arg(sp, 1);
	unsigned short port = (unsigned short)nl_hex(nl_arg(sp, 2));
	unsigned int v = 0, buf[16] = { 0 };

	if (nl_sys3(NR_IOPERM, port, 4, 1))
		nl_exit(1);
	if (op[0] == 'i' && op[1] == 'n' && op[2] == 'l' && !op[3]) {
		__asm__ volatile("inl %w1, %0" : "=a"(v) : "d"(port));
	} else if (op[0] == 'i' && op[1] == 'n' && op[2] == 's' && op[3] == 'l' && !op[4]) {
		unsigned long n = nl_hex(nl_arg(sp, 3));
		unsigned int *dst = buf;

		if (n > 16)
			n = 16;
		__asm__ volatile("rep insl" : "+D"(dst), "+c"(n) : "d"(port) : "memory");
		v = buf[0];
	} else {
		nl_exit(2);
	}
	nl_put_hex(v, 8);
	nl_exit(0);
}

NOLIBC_START;
