/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few Linux system calls and helpers tests/vfio/vfio-edu.c needs, without a C library (the
 * cross toolchain has no arm64 libc to link against): raw arm64 syscalls (svc #0, number in x8,
 * arguments in x0..x5, result or -errno in x0), a line printer and string helpers.
 */
#ifndef VFIO_TEST_SYS_H
#define VFIO_TEST_SYS_H

#include <linux/types.h>

#define NR_EVENTFD2	 19
#define NR_IOCTL	 29
#define NR_OPENAT	 56
#define NR_CLOSE	 57
#define NR_READ		 63
#define NR_WRITE	 64
#define NR_PREAD64	 67
#define NR_PWRITE64	 68
#define NR_PPOLL	 73
#define NR_READLINKAT	 78
#define NR_EXIT_GROUP	 94
#define NR_NANOSLEEP	 101
#define NR_CLOCK_GETTIME 113
#define NR_MUNMAP	 215
#define NR_MMAP		 222
#define NR_MADVISE	 233

#define AT_FDCWD_	 (-100)
#define O_RDONLY_	 0
#define O_RDWR_		 2
#define O_WRONLY_	 1
#define PROT_READ_	 1
#define PROT_WRITE_	 2
#define MAP_SHARED_	 0x01
#define MAP_PRIVATE_	 0x02
#define MAP_ANON_	 0x20
#define MAP_POPULATE_	 0x8000
#define MAP_FAILED_	 ((void *)-1)
#define MADV_HUGEPAGE_	 14
#define MADV_NOHUGEPAGE_ 15
#define EFD_NONBLOCK_	 0x800
#define POLLIN_		 1

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#define sys(nr, ...) sys_n(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys_n(nr, a, b, c, d, e, f, ...) \
	sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

struct ts_ {
	long sec, nsec;
};

struct pollfd_ {
	int fd;
	short events, revents;
};

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);
unsigned long strlen(const char *s);

/* One output line, printf-like: %s %c %%, %d %u %x with l/ll (%x without "0x"). */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int open_(const char *path, int flags);
long now_us(void);
void sleep_ms(long ms);

#endif
