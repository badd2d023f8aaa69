/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the x86 suites' static user-space helpers (tests/svm-qemu/rdmsr.c,
 * tests/vmx-bochs/ioport.c) need without a C library (-nostdlib -static): Linux x86_64
 * system calls (the syscall ABI: number in RAX, arguments in RDI, RSI, RDX, R10; RCX and R11
 * clobbered), their hexadecimal arguments and output, and the entry. A helper defines
 * start_c(long *sp) (sp: argc, argv[0], argv[1], ..., System V AMD64 ABI 3.4.1) and puts
 * NOLIBC_START once at file scope.
 */
#ifndef TESTS_NOLIBC_H
#define TESTS_NOLIBC_H

#define NR_WRITE      1
#define NR_OPEN	      2
#define NR_PREAD64    17
#define NR_IOPERM     173
#define NR_EXIT_GROUP 231

static inline long nl_sys4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long nl_sys3(long nr, long a, long b, long c)
{
	return nl_sys4(nr, a, b, c, 0);
}

static inline void __attribute__((noreturn)) nl_exit(int code)
{
	nl_sys3(NR_EXIT_GROUP, code, 0, 0);
	for (;;)
		;
}

/* argv[@i] (0 is the program) or "" when there are fewer arguments. */
static inline const char *nl_arg(const long *sp, long i)
{
	return sp[0] > i ? (const char *)sp[1 + i] : "";
}

/* A hexadecimal number without 0x, as the suites pass them (MSR and port numbers). */
static inline unsigned long nl_hex(const char *s)
{
	unsigned long v = 0;

	for (; *s; s++)
		v = v * 16 + (unsigned long)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	return v;
}

/* "0x" and the low @digits hex digits of @v, a newline, to standard output. */
static inline void nl_put_hex(unsigned long v, int digits)
{
	char out[2 + 16 + 1];
	int i;

	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < digits; i++)
		out[2 + i] = "0123456789abcdef"[(v >> (4 * (digits - 1 - i))) & 0xf];
	out[2 + digits] = '\n';
	nl_sys3(NR_WRITE, 1, (long)out, 2 + digits + 1);
}

void start_c(long *sp) __attribute__((noreturn));

#define NOLIBC_START \
	__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n")

#endif /* TESTS_NOLIBC_H */
