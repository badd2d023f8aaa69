// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the svm-qemu suite: rdmsr MSR (hex) -> prints the value as 0x%016x,
 * read with pread(2) on /dev/cpu/0/msr (the kernel's msr driver: the file offset is the
 * MSR number, rdmsr_safe in the kernel). Exit status 1 and no output when the read fails
 * (the kernel got #GP: EIO). No C library (tests/lib/nolibc.h, mk/svm.mk).
 */
#include "nolibc.h"

void start_c(long *sp)
{
	unsigned long msr = nl_hex(nl_arg(sp, 1)), v = 0;
	long fd = nl_sys3(NR_OPEN, (long)"/dev/cpu/0/msr", 0, 0); /* O_RDONLY */

	if (fd < 0 || nl_sys4(NR_PREAD64, fd, (long)&v, 8, (long)msr) != 8)
		nl_exit(1);
	nl_put_hex(v, 16);
	nl_exit(0);
}

NOLIBC_START;
