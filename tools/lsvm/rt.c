// SPDX-License-Identifier: GPL-2.0-only
/* The run time of rt.h: entry point, strings, printing, files, time, threads, children. */
#include <stdarg.h>

#include "rt.h"

int main(int argc, char **argv);
void cstart(long *sp);

/* The kernel starts a static program at _start with sp -> argc, argv[], NULL, envp[]. */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x0, sp\n"
	"	bl cstart\n");

void cstart(long *sp)
{
	exit_(main((int)sp[0], (char **)(sp + 1)));
}

void exit_(int status)
{
	sys(NR_EXIT_GROUP, status);
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

int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int parse_u64(const char *s, unsigned long long *v)
{
	unsigned long long r = 0;
	unsigned int base = 10, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -1;
		r = r * base + d;
	}
	*v = r;
	return 0;
}

struct obuf {
	char b[512];
	unsigned int n;
};

static void put(struct obuf *o, char c)
{
	if (o->n < sizeof(o->b))
		o->b[o->n++] = c;
}

static void put_num(struct obuf *o, unsigned long long v, unsigned int base, int neg)
{
	char t[24];
	int i = 0;

	if (neg)
		put(o, '-');
	do {
		t[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		put(o, t[--i]);
}

void pr(int fd, const char *fmt, ...)
{
	struct obuf o;
	va_list ap;
	const char *s;
	long long v;
	unsigned long long u;

	o.n = 0;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int l = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		while (*++fmt == 'l')
			l++;
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				put(&o, *s);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd':
			v = l ? va_arg(ap, long long) : va_arg(ap, int);
			put_num(&o, v < 0 ? (unsigned long long)-v : (unsigned long long)v, 10,
				v < 0);
			break;
		case 'u':
		case 'x':
			u = l ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			put_num(&o, u, *fmt == 'x' ? 16 : 10, 0);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			break;
		}
	}
	va_end(ap);
	sys(NR_WRITE, fd, o.b, o.n);
}

const char *errname(long e)
{
	static const char *const names[] = {
		[1] = "EPERM",	 [2] = "ENOENT",  [4] = "EINTR",       [5] = "EIO",
		[9] = "EBADF",	 [11] = "EAGAIN", [12] = "ENOMEM", [14] = "EFAULT",     [16] = "EBUSY",
		[17] = "EEXIST", [19] = "ENODEV", [22] = "EINVAL",     [25] = "ENOTTY",
		[28] = "ENOSPC", [34] = "ERANGE", [95] = "EOPNOTSUPP",
	};

	if (e >= 0)
		return "OK";
	e = -e;
	if (e < (long)(sizeof(names) / sizeof(names[0])) && names[e])
		return names[e];
	return "E?";
}

int open_(const char *path, int flags)
{
	return (int)sys(NR_OPENAT, AT_FDCWD_, path, flags | 0x80000 /* O_CLOEXEC */, 0);
}

long read_file(const char *path, void *buf, unsigned long len)
{
	unsigned long got = 0;
	long r;
	int fd = open_(path, O_RDONLY_);

	if (fd < 0)
		return fd;
	while (got < len && (r = sys(NR_READ, fd, (char *)buf + got, len - got)) > 0)
		got += (unsigned long)r;
	sys(NR_CLOSE, fd);
	return (long)got;
}

int file_exists(const char *path)
{
	char st[256]; /* struct stat is 128 bytes on arm64 */

	return sys(NR_NEWFSTATAT, AT_FDCWD_, path, st, 0) == 0;
}

struct ts_ {
	long sec, nsec;
};

void sleep_ms(long ms)
{
	struct ts_ t = { ms / 1000, (ms % 1000) * 1000000 };

	sys(NR_NANOSLEEP, &t, 0);
}

long now_ms(void)
{
	struct ts_ t;

	sys(NR_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, &t);
	return t.sec * 1000 + t.nsec / 1000000;
}

/*
 * clone(flags, stack, parent_tid, tls, child_tid) (arm64 argument order). The child starts on
 * its own stack with nothing of the parent's frame: it calls the thread's function through
 * registers only, then exits the thread (not the process).
 */
#define CLONE_THREAD_FLAGS                                                               \
	(0x00000100 /* VM */ | 0x00000200 /* FS */ | 0x00000400 /* FILES */ |            \
	 0x00000800 /* SIGHAND */ | 0x00010000 /* THREAD */ | 0x00040000 /* SYSVSEM */ | \
	 0x00200000 /* CHILD_CLEARTID */)
#define THREAD_STACK (64 * 1024)

static long clone_thread(void *stack_top, volatile int *ctid, struct thread *t)
{
	register long x8 __asm__("x8") = NR_CLONE;
	register long x0 __asm__("x0") = CLONE_THREAD_FLAGS;
	register long x1 __asm__("x1") = (long)stack_top;
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = (long)ctid;
	register long x5 __asm__("x5") = (long)t;

	__asm__ volatile("svc #0\n"
			 "cbnz x0, 1f\n"
			 /* child: x5 = t; fn = t->fn (offset 8), arg = t->arg (16) */
			 "ldr x1, [x5, #8]\n"
			 "ldr x0, [x5, #16]\n"
			 "mov x29, #0\n"
			 "blr x1\n"
			 "mov x0, #0\n"
			 "mov x8, #93\n" /* exit: this thread only */
			 "svc #0\n"
			 "1:\n"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "x30", "cc");
	return x0;
}

int thread_start(struct thread *t, void (*fn)(void *), void *arg)
{
	long r;

	t->fn = fn;
	t->arg = arg;
	t->done = 1; /* cleared to 0 by the kernel when the thread exits */
	t->stack = (void *)sys(NR_MMAP, 0, THREAD_STACK, PROT_READ_ | PROT_WRITE_,
			       MAP_PRIVATE_ | MAP_ANON_, -1, 0);
	if (t->stack == MAP_FAILED_)
		return -12;
	r = clone_thread((char *)t->stack + THREAD_STACK, &t->done, t);
	return r < 0 ? (int)r : 0;
}

void thread_join(struct thread *t)
{
	int v;

	/* FUTEX_WAIT on the tid word until the kernel zeroes it (and wakes us). */
	while ((v = t->done) != 0)
		sys(NR_FUTEX, &t->done, 0 /* FUTEX_WAIT */, v, 0);
}

long in_child(void (*fn)(void *), void *arg)
{
	int status = 0;
	long pid = sys(NR_CLONE, SIGCHLD_, 0, 0, 0, 0);

	if (pid < 0)
		return pid;
	if (pid == 0) {
		fn(arg);
		exit_(0);
	}
	if (sys(NR_WAIT4, pid, &status, 0, 0) < 0)
		return -1;
	return status;
}
