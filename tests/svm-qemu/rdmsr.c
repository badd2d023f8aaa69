// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the svm-qemu suite: rdmsr MSR (hex) -> prints the value as 0x%016x,
 * read with pread(2) on /dev/cpu/0/msr (the kernel's msr driver: the file offset is the
 * MSR number, rdmsr_safe in the kernel). Exit status 1 and no output when the read fails
 * (the kernel got #GP: EIO). No C library (-nostdlib -static, mk/svm.mk).
 */
static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static long sys4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static void __attribute__((noreturn)) leave(int code)
{
	sys3(231, code, 0, 0); /* exit_group */
	for (;;)
		;
}

void start_c(long *sp) __attribute__((noreturn));

void start_c(long *sp)
{
	const char *arg = sp[0] > 1 ? (const char *)sp[2] : "";
	unsigned long msr = 0, v = 0;
	char out[19];
	long fd;
	int i;

	for (; *arg; arg++)
		msr = msr * 16 +
		      (unsigned long)(*arg <= '9' ? *arg - '0' : (*arg | 0x20) - 'a' + 10);
	fd = sys3(2, (long)"/dev/cpu/0/msr", 0, 0);		 /* open, O_RDONLY */
	if (fd < 0 || sys4(17, fd, (long)&v, 8, (long)msr) != 8) /* pread64 */
		leave(1);
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < 16; i++)
		out[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	out[18] = '\n';
	sys3(1, 1, (long)out, sizeof(out)); /* write */
	leave(0);
}

/* The initial stack: argc, argv[0], argv[1], ... (System V AMD64 ABI 3.4.1). */
__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n");
