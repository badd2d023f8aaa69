/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The little run time lsvm and tests/vm/vmtest need on Linux/arm64 without a C library (the
 * cross toolchain the tests use has no arm64 libc to link against): raw system calls (svc #0,
 * number in x8, arguments in x0..x5, result or -errno in x0; numbers from the kernel's
 * include/uapi/asm-generic/unistd.h), threads made with clone(), a formatted printer that
 * writes each call's output with one write(2) (lines of different threads do not mix), and
 * the string helpers the compiler may call.
 */
#ifndef LSVM_RT_H
#define LSVM_RT_H

#include <linux/types.h>

#define NR_GETCWD	 17
#define NR_IOCTL	 29
#define NR_OPENAT	 56
#define NR_CLOSE	 57
#define NR_READ		 63
#define NR_WRITE	 64
#define NR_NEWFSTATAT	 79
#define NR_EXIT		 93
#define NR_EXIT_GROUP	 94
#define NR_FUTEX	 98
#define NR_NANOSLEEP	 101
#define NR_CLOCK_GETTIME 113
#define NR_SCHED_YIELD	 124
#define NR_KILL		 129
#define NR_GETPID	 172
#define NR_MUNMAP	 215
#define NR_CLONE	 220
#define NR_MMAP		 222
#define NR_WAIT4	 260

#define AT_FDCWD_    (-100)
#define O_RDONLY_    0
#define O_RDWR_	     2
#define PROT_READ_   1
#define PROT_WRITE_  2
#define MAP_SHARED_  0x01
#define MAP_PRIVATE_ 0x02
#define MAP_ANON_    0x20
#define MAP_FAILED_  ((void *)-1)
#define SIGCHLD_     17
#define SIGBUS_	     7
#define SIGSEGV_     11
#define EINTR_	     4

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

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);
unsigned long strlen(const char *s);
int streq(const char *a, const char *b);
/* Parses decimal or 0x-hex; returns 0 and sets *v, or -1. */
int parse_u64(const char *s, unsigned long long *v);

/* printf-like: %s %c %%, %d %u %x with l/ll, %p-less; %x without "0x". */
void pr(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define out(...) pr(1, __VA_ARGS__)
#define err(...) pr(2, __VA_ARGS__)
const char *errname(long neg_errno);

int open_(const char *path, int flags);
long read_file(const char *path, void *buf, unsigned long len);
int file_exists(const char *path);
void sleep_ms(long ms);
long now_ms(void);
__attribute__((noreturn)) void exit_(int status);

/* A thread running fn(arg) on its own stack; thread_join waits for it. */
struct thread {
	volatile int done; /* the kernel clears it at the thread's exit (CLONE_CHILD_CLEARTID) */
	void (*fn)(void *);
	void *arg;
	void *stack;
};
int thread_start(struct thread *t, void (*fn)(void *), void *arg);
void thread_join(struct thread *t);

/* Runs fn(arg) in a child process; returns its wait status (or -errno). */
long in_child(void (*fn)(void *), void *arg);
#define WIFSIGNALED_(s) (((s)&0x7f) != 0 && ((s)&0x7f) != 0x7f)
#define WTERMSIG_(s)	((s)&0x7f)
#define WEXITSTATUS_(s) (((s) >> 8) & 0xff)

#endif
