// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmemtest: the gmem suite inside the test machine (tests/gmem/lstest, mk/gmem.mk). Linux's
 * guest_memfd selftests (tools/testing/selftests/kvm/guest_memfd_test.c and the conversion
 * tests of the KVM_SET_MEMORY_ATTRIBUTES2 series) ported to lockstep.ko's uAPI (docs/uapi.md,
 * docs/gmem.md), each check named after the upstream test it follows; then a running guest
 * (tests/guest/gmem.c) whose memory the VMM converts both ways, with the hypervisor's table
 * counts of the VM's stage 2 and the host's stage 2 before, during and after.
 *
 *   gmemtest IMAGE BDF GROUP
 *                     one line per check, "PASS name" or "FAIL name", after "PLAN n";
 *                     "# ..." lines are diagnostics. Exit 0 when every planned check ran.
 *                     BDF and GROUP: QEMU's edu bound to vfio-pci and its IOMMU group (tests/
 *                     gmem/edu.c), assigned to the guest for the stress rounds
 *   gmemtest -b IMAGE make bench-gmem: conversion figures by range size, whole range against
 *                     one ioctl per 4 KiB page ("BENCH" lines, no verdicts)
 */
#include <asm/ioctl.h>
#include <lockstep/abi.h>
#include <lockstep/lockstep-uapi.h>

#include "../../tools/lsvm/rt.h"

#define NR_FALLOCATE 47
#define NR_PIPE2     59
#define NR_LSEEK     62
#define NR_VMSPLICE  75
#define NR_FSTAT     80

#define FALLOC_KEEP_SIZE  0x01 /* <linux/falloc.h> */
#define FALLOC_PUNCH_HOLE 0x02

#define PAGE	 4096ULL
#define RAM_GPA	 0x80000000ULL
#define RAM_SIZE (6ULL << 20)
#define DATA_OFF (2ULL << 20) /* the guest's DATA block (tests/guest/gmem.c): gmem offset */
#define CON	 0x09000000ULL
#define CON_STAT 0x09000008ULL
#define GCMD	 0x09001000ULL
#define GRES	 0x09001008ULL
#define NCHECKS	 (86 + 4 + PUNCH_NCHECKS + GIG_NCHECKS) /* 4: the edu; punchrun.c, gmem1g.c */

enum {
	OP_SHARE = 1,
	OP_UNSHARE,
	OP_FILL,
	OP_CHECK,
	OP_ZERO,
	OP_PEEK,
	OP_DONE,
	OP_SMP,
	OP_BASE,
	OP_SHARE2M,
	OP_STRESS
};
#define PRIV	      LOCKSTEP_MEMORY_ATTRIBUTE_PRIVATE
#define PRESERVE      LOCKSTEP_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define ZERO	      LOCKSTEP_SET_MEMORY_ATTRIBUTES2_ZERO
#define NVCPUS	      4
#define SMP_ROUNDS    16
#define STRESS_ROUNDS 128 /* per vCPU */
#define STRESS_BATCH  16  /* rounds per vCPU between two quiescent invariant walks */

static int sysfd;
static unsigned long long ram_size = RAM_SIZE; /* the VM's guest_memfd (bench: larger) */
static unsigned int nchecks, nfailed;

static long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return sys(NR_IOCTL, fd, cmd, arg);
}

static void verdict(int ok, const char *name, long got)
{
	nchecks++;
	nfailed += !ok;
	out("%s %s (got %s)\n", ok ? "PASS" : "FAIL", name, errname(got));
}
#define CHECK(name, cond) verdict(!!(cond), name, 0)

static void gstats(struct lockstep_global_stats *st)
{
	memset(st, 0, sizeof(*st));
	xioctl(sysfd, LOCKSTEP_GET_STATS, (unsigned long)st);
}

/* --- the hypervisor's views (debugfs raw_hvc, docs/hypercalls.md) ------------------------- */

static int hexword(const char **s, unsigned long long *v)
{
	char w[24];
	int n = 0;

	while (**s == ' ' || **s == '\n')
		(*s)++;
	while (**s && **s != ' ' && **s != '\n' && n < 23)
		w[n++] = *(*s)++;
	w[n] = 0;
	return n ? parse_u64(w, v) : -1;
}

/* One hypercall through /sys/kernel/debug/lockstep/raw_hvc; x[0..3] the result registers. */
static int raw(unsigned long long fn, unsigned long long a1, unsigned long long a2,
	       unsigned long long x[4])
{
	char buf[128];
	const char *p = buf;
	int fd, i;
	long n;

	fd = open_("/sys/kernel/debug/lockstep/raw_hvc", O_RDWR_);
	if (fd < 0)
		return -1;
	n = 0;
	{
		/* "0xFN 0xA1 0xA2" */
		static const char hx[] = "0123456789abcdef";
		unsigned long long v[3] = { fn, a1, a2 };
		int j, k;

		for (j = 0; j < 3; j++) {
			buf[n++] = '0';
			buf[n++] = 'x';
			for (k = 60; k >= 0; k -= 4)
				buf[n++] = hx[(v[j] >> k) & 15];
			buf[n++] = ' ';
		}
		buf[n - 1] = '\n';
	}
	if (sys(NR_WRITE, fd, buf, n) != n) {
		sys(NR_CLOSE, fd);
		return -1;
	}
	sys(NR_LSEEK, fd, 0, 0);
	n = sys(NR_READ, fd, buf, sizeof(buf) - 1);
	sys(NR_CLOSE, fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (i = 0; i < 4; i++)
		if (hexword(&p, &x[i]))
			return -1;
	return 0;
}

/* Rounds of the host's disk I/O loop so far (tests/gmem/lstest writes "rounds bad" to
 * /run/io.count after each, and the same for its network loop to /run/net.count); -1 if there
 * is none. */
static long long loop_rounds(const char *path)
{
	char buf[64];
	unsigned long long v;
	long n = 0;
	int i, k;

	for (i = 0; i < 50 && n <= 0; i++) { /* the shell truncates, then writes */
		n = read_file(path, buf, sizeof(buf) - 1);
		if (n <= 0)
			sleep_ms(10);
	}
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (k = 0; buf[k] && buf[k] != ' ' && buf[k] != '\n'; k++)
		;
	buf[k] = 0;
	return parse_u64(buf, &v) ? -1 : (long long)v;
}

static long long io_rounds(void)
{
	return loop_rounds("/run/io.count");
}

/* One SMMU counter (LS_SMMU_STAT_*); ~0 if the call failed. */
static unsigned long long smmu_stat(unsigned long long id)
{
	unsigned long long x[4] = { 1, 0, 0, 0 };

	if (raw(LS_HVC_SMMU_STATS, id, 0, x) || x[0] != LS_OK)
		return ~0ULL;
	return x[1];
}

/* A host view at @pa: table pages of the view, level of the leaf (0 = unmapped). */
static void view_at(unsigned long long view, unsigned long long pa, unsigned long long *tables,
		    unsigned long long *level)
{
	unsigned long long x[4] = { 1, 0, 0, 0 };

	if (raw(LS_HVC_VIEW_STATS, view, pa, x) || x[0] != LS_OK) {
		*tables = *level = ~0ULL;
		return;
	}
	*tables = x[1];
	*level = x[3];
}

static void host_view(unsigned long long pa, unsigned long long *tables, unsigned long long *level)
{
	view_at(LS_VIEW_HOST_CPU, pa, tables, level);
}

/* --- the hypervisor's invariant walk (debugfs check, LS_HVC_DEBUG_CHECK) ------------------ */

struct walk {
	unsigned long long code, addr, who, a, b, pages, ns;
};

/* One walk through /sys/kernel/debug/lockstep/check: 0 and its verdict, -1 if none ran. */
static int inv_walk(struct walk *w)
{
	static const char *const key[] = { "code", "addr", "who", "a", "b", "pages", "ns" };
	unsigned long long *val[] = { &w->code, &w->addr, &w->who, &w->a, &w->b, &w->pages, &w->ns };
	char buf[256];
	long n = read_file("/sys/kernel/debug/lockstep/check", buf, sizeof(buf) - 1);
	const char *p = buf;
	unsigned int i;

	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (i = 0; i < 7; i++) {
		unsigned long len = strlen(key[i]);

		while (*p == ' ')
			p++;
		if (memcmp(p, key[i], len) || p[len] != ' ')
			return -1;
		p += len;
		if (hexword(&p, val[i]))
			return -1;
	}
	return 0;
}

/* The stress rounds' walks, per vCPU: only the VMM thread of that vCPU writes its entry. */
struct wstat {
	unsigned int walks, failed, bad;
	unsigned long long ns_sum, ns_max;
	struct walk first;
};
static struct wstat wk[4];

static void walk_round(struct wstat *st)
{
	struct walk w;

	if (inv_walk(&w)) {
		st->failed++;
		return;
	}
	st->walks++;
	st->ns_sum += w.ns;
	if (w.ns > st->ns_max)
		st->ns_max = w.ns;
	if (w.code && !st->bad++)
		st->first = w;
}

/* The PA of the gmem page behind @gpa, from /sys/kernel/debug/lockstep/vms; 0 if none. */
static unsigned long long pa_of(unsigned long long gpa)
{
	static char buf[16384];
	long n = read_file("/sys/kernel/debug/lockstep/vms", buf, sizeof(buf) - 1);
	const char *p = buf;
	unsigned long long g, pa, cnt;

	if (n <= 0)
		return 0;
	buf[n] = 0;
	while (*p) {
		const char *q = p;

		if (!memcmp(q, "pages gpa ", 10)) {
			q += 10;
			if (!hexword(&q, &g) && !memcmp(q, " pa ", 4)) {
				q += 4;
				if (!hexword(&q, &pa) && !memcmp(q, " n ", 3)) {
					q += 3;
					if (!hexword(&q, &cnt) && gpa >= g && gpa < g + cnt * PAGE)
						return pa + (gpa - g);
				}
			}
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return 0;
}

/* --- a VM with one guest_memfd ----------------------------------------------------------- */

struct vm {
	int fd, gmem, vcpu;
	struct lockstep_run *run;
	volatile unsigned char *map; /* the whole guest_memfd, MAP_SHARED */
	long last_res, status;
	unsigned int share_exits, share_converted, faults, lazy;
	int smp_mode; /* MEM_SHARE exits are SMP rounds: smp_share() */
	unsigned int smp_rounds, smp_bad;
	int sec_fd[NVCPUS];
	struct lockstep_run *sec_run[NVCPUS];
	unsigned long long fault_gpa, fault_flags;
	char line[256];
	unsigned int linelen;
};

static long populate(struct vm *v, unsigned long long gpa, const void *src, unsigned long long size)
{
	struct lockstep_populate p;

	memset(&p, 0, sizeof(p));
	p.gpa = gpa;
	p.uaddr = (unsigned long long)src;
	p.size = size;
	p.flags = src ? 0 : LOCKSTEP_POPULATE_ZERO;
	return xioctl(v->fd, LOCKSTEP_POPULATE, (unsigned long)&p);
}

static int vm_create(struct vm *v, unsigned long long gflags)
{
	struct lockstep_create_guest_memfd gm;
	struct lockstep_userspace_memory_region2 r;
	int i;

	memset(v, 0, sizeof(*v));
	v->gmem = v->vcpu = -1;
	for (i = 0; i < NVCPUS; i++)
		v->sec_fd[i] = -1;
	v->fd = (int)xioctl(sysfd, LOCKSTEP_CREATE_VM, 0);
	if (v->fd < 0)
		return -1;
	memset(&gm, 0, sizeof(gm));
	gm.size = ram_size;
	gm.flags = gflags;
	v->gmem = (int)xioctl(v->fd, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm);
	if (v->gmem < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.flags = LOCKSTEP_MEM_GUEST_MEMFD;
	r.guest_phys_addr = RAM_GPA;
	r.memory_size = ram_size;
	r.guest_memfd = (unsigned int)v->gmem;
	if (xioctl(v->fd, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&r))
		return -1;
	v->map = (volatile unsigned char *)sys(NR_MMAP, 0, ram_size, PROT_READ_ | PROT_WRITE_,
					       MAP_SHARED_, v->gmem, 0);
	if ((long)v->map < 0 && (long)v->map > -4096)
		return -1;
	return 0;
}

static int vm_start(struct vm *v, const void *img, unsigned long long img_size)
{
	struct lockstep_one_reg reg;
	unsigned long long pc = RAM_GPA;
	int i;

	if (populate(v, RAM_GPA, img, img_size) ||
	    populate(v, RAM_GPA + img_size, 0, ram_size - img_size))
		return -1;
	v->vcpu = (int)xioctl(v->fd, LOCKSTEP_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return -1;
	reg.id = LOCKSTEP_REG_PC;
	reg.addr = (unsigned long long)&pc;
	if (xioctl(v->vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg))
		return -1;
	v->run = (struct lockstep_run *)sys(NR_MMAP, 0, PAGE, PROT_READ_ | PROT_WRITE_, MAP_SHARED_,
					    v->vcpu, 0);
	if ((long)v->run < 0 && (long)v->run > -4096)
		return -1;
	/* vCPUs 1..3 start off; the guest's PSCI CPU_ON starts them (the SMP command). */
	for (i = 1; i < NVCPUS; i++) {
		v->sec_fd[i] = (int)xioctl(v->fd, LOCKSTEP_CREATE_VCPU,
					   LOCKSTEP_CREATE_VCPU_POWER_OFF | (unsigned long long)i);
		if (v->sec_fd[i] < 0)
			return -1;
		v->sec_run[i] = (struct lockstep_run *)sys(
			NR_MMAP, 0, PAGE, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, v->sec_fd[i], 0);
		if ((long)v->sec_run[i] < 0 && (long)v->sec_run[i] > -4096)
			return -1;
	}
	return 0;
}

static void vm_close(struct vm *v)
{
	int i;

	if (v->run && !((long)v->run < 0 && (long)v->run > -4096))
		sys(NR_MUNMAP, v->run, PAGE);
	if (v->map && !((long)v->map < 0 && (long)v->map > -4096))
		sys(NR_MUNMAP, v->map, ram_size);
	if (v->vcpu >= 0)
		sys(NR_CLOSE, v->vcpu);
	for (i = 1; i < NVCPUS; i++) {
		if (v->sec_run[i] && !((long)v->sec_run[i] < 0 && (long)v->sec_run[i] > -4096))
			sys(NR_MUNMAP, v->sec_run[i], PAGE); /* a mapping holds the vCPU (and VM) */
		if (v->sec_fd[i] >= 0)
			sys(NR_CLOSE, v->sec_fd[i]);
	}
	if (v->gmem >= 0)
		sys(NR_CLOSE, v->gmem);
	if (v->fd >= 0)
		sys(NR_CLOSE, v->fd);
	v->run = 0;
	v->map = 0;
	v->vcpu = v->gmem = v->fd = -1;
}

static long setattr(struct vm *v, unsigned long long off, unsigned long long size,
		    unsigned long long attr, unsigned long long flags, unsigned long long *err_off);
static unsigned long long pattern(unsigned long long page, unsigned long long w);

/*
 * An SMP round (tests/guest/gmem.c "SMP"): the guest offered its page; convert it to shared,
 * check the guest's data (pattern ^ round << 40), answer ~word 0 at word 1, convert it back
 * (PRESERVE). Called by the thread of the vCPU that exited.
 */
static void smp_share(struct vm *v, struct lockstep_run *run, unsigned int *rounds,
		      unsigned int *bad)
{
	unsigned long long off = run->mem_share.gpa - RAM_GPA, p = (off - DATA_OFF) / PAGE, w0, r;
	volatile unsigned long long *q = (volatile unsigned long long *)(v->map + off);

	if (setattr(v, off, PAGE, 0, PRESERVE, 0)) {
		(*bad)++;
		return;
	}
	w0 = q[0];
	r = (w0 ^ pattern(p, 0)) >> 40;
	*bad += ((w0 ^ pattern(p, 0)) & ((1ULL << 40) - 1)) ||
		q[511] != (pattern(p, 511) ^ r << 40);
	q[1] = ~w0;
	if (v->smp_mode == 2) {
		/* stress: back to private over the vCPU's whole window of 8 pages (100 + 8 i ..),
		 * a mixed range: one shared page among private ones, one hypercall */
		unsigned long long w = 100 + (p - 100) / 8 * 8;

		*bad += setattr(v, DATA_OFF + w * PAGE, 8 * PAGE, PRIV, PRESERVE, 0) != 0;
		/* vCPU 0's thread, mid-batch: the hypervisor's invariant walk while the other
		 * threads keep converting */
		if (w == 100 && *rounds % STRESS_BATCH == STRESS_BATCH / 2)
			walk_round(&wk[0]);
	} else {
		*bad += setattr(v, off, PAGE, PRIV, PRESERVE, 0) != 0;
	}
	(*rounds)++;
}

struct sec {
	struct vm *v;
	int index;
	unsigned int rounds, bad, other;
	long rc;
	struct thread t;
};

/* The RUN loop of vCPU 1..3: MEM_SHARE rounds until the VM shuts down. */
static void sec_main(void *arg)
{
	struct sec *s = arg;
	struct lockstep_run *run = s->v->sec_run[s->index];
	long rc;

	for (;;) {
		rc = xioctl(s->v->sec_fd[s->index], LOCKSTEP_RUN, 0);
		if (rc == -EINTR_)
			continue;
		if (rc < 0) {
			s->rc = rc;
			return;
		}
		switch (run->exit_reason) {
		case LOCKSTEP_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0, sizeof(run->mmio.data));
			continue;
		case LOCKSTEP_EXIT_MEM_SHARE:
			smp_share(s->v, run, &s->rounds, &s->bad);
			continue;
		case LOCKSTEP_EXIT_MEM_UNSHARE:
			continue;
		case LOCKSTEP_EXIT_SYSTEM_EVENT:
			return;
		default:
			s->other++;
			if (run->exit_reason == LOCKSTEP_EXIT_MEMORY_FAULT)
				run->inject_abort = 1;
			continue;
		}
	}
}

static int edu_mmio(struct lockstep_run *run); /* edu.c */

/* Run until the guest reads GCMD (0), shuts down (1) or something else happens (< 0). */
static int vm_until_cmd(struct vm *v)
{
	struct lockstep_run *run = v->run;
	unsigned long long data;
	long rc;
	int i;

	for (i = 0; i < 1000000; i++) {
		rc = xioctl(v->vcpu, LOCKSTEP_RUN, 0);
		if (rc == -EINTR_)
			continue;
		if (rc < 0)
			return (int)rc;
		switch (run->exit_reason) {
		case LOCKSTEP_EXIT_MMIO:
			memcpy(&data, run->mmio.data, sizeof(data));
			if (edu_mmio(run))
				continue;
			if (!run->mmio.is_write) {
				if (run->mmio.phys_addr == GCMD)
					return 0; /* pending: gcmd() answers it */
				memset(run->mmio.data, 0, sizeof(run->mmio.data));
			} else if (run->mmio.phys_addr == CON) {
				char c = (char)data;

				if (c == '\n' || v->linelen == sizeof(v->line) - 1) {
					v->line[v->linelen] = 0;
					out("# guest| %s\n", v->line);
					v->linelen = 0;
				} else {
					v->line[v->linelen++] = c;
				}
			} else if (run->mmio.phys_addr == GRES) {
				v->last_res = (long)(data & 0xffffffffULL);
			} else if (run->mmio.phys_addr == CON_STAT) {
				v->status = (long)(data & 0xffffffffULL);
			}
			continue;
		case LOCKSTEP_EXIT_MEM_SHARE:
			v->share_exits++;
			v->share_converted +=
				!!(run->mem_share.flags & LOCKSTEP_MEM_SHARE_CONVERTED);
			if (v->smp_mode)
				smp_share(v, run, &v->smp_rounds, &v->smp_bad);
			continue;
		case LOCKSTEP_EXIT_MEM_UNSHARE:
			continue;
		case LOCKSTEP_EXIT_SYSTEM_EVENT:
			return 1;
		case LOCKSTEP_EXIT_MEMORY_FAULT:
			/* A hole of the memslot: populate it with a zero page and re-run (the
			 * access repeats); anything else is refused. */
			v->fault_gpa = run->memory_fault.gpa;
			v->fault_flags = run->memory_fault.flags;
			rc = populate(v, run->memory_fault.gpa, 0, PAGE);
			out("# memory fault gpa 0x%llx flags 0x%llx: POPULATE_ZERO %s\n",
			    run->memory_fault.gpa, run->memory_fault.flags, errname(rc));
			if (rc) {
				v->faults++;
				run->inject_abort = 1;
			} else {
				v->lazy++;
			}
			continue;
		default:
			out("# unexpected exit %u\n", run->exit_reason);
			return -1;
		}
	}
	return -1;
}

/* One command to the guest (tests/guest/gmem.c); its result, or -1000 if it did not answer. */
static long gcmd(struct vm *v, unsigned int op, unsigned int page, unsigned int n)
{
	unsigned long long c = op | (unsigned long long)page << 8 | (unsigned long long)n << 20;

	memcpy(v->run->mmio.data, &c, sizeof(c));
	v->last_res = -1000;
	if (vm_until_cmd(v) != (op == OP_DONE ? 1 : 0))
		return -1000;
	return op == OP_DONE ? 0 : v->last_res;
}

static long setattr(struct vm *v, unsigned long long off, unsigned long long size,
		    unsigned long long attr, unsigned long long flags, unsigned long long *err_off)
{
	struct lockstep_memory_attributes2 a;
	long rc;

	memset(&a, 0, sizeof(a));
	a.offset = off;
	a.size = size;
	a.attributes = attr;
	a.flags = flags;
	a.error_offset = 0xbad;
	rc = xioctl(v->gmem, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, (unsigned long)&a);
	if (err_off)
		*err_off = a.error_offset;
	return rc;
}
#define DPAGE(i) (DATA_OFF + (unsigned long long)(i)*PAGE)

static unsigned long long now_ns(void)
{
	long t[2] = { 0, 0 };

	sys(NR_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, t);
	return (unsigned long long)t[0] * 1000000000ULL + (unsigned long long)t[1];
}

#include "edu.c" /* the assigned device of the stress rounds */

static void sigbus_probe(void *p)
{
	out("# read 0x%llx\n", *(volatile unsigned long long *)p);
}

/* Reading @p from the host ends in SIGBUS (in a child process). */
/*
 * A host device's DMA reads guest_memfd page @p (shared): an O_DIRECT write of it to the
 * scratch disk (virtio-blk, iommu_platform=on: its DMA goes through the host's IOMMU view),
 * then an O_DIRECT read of it back into an ordinary buffer. 30 MiB into the 32 MiB disk,
 * beyond tests/gmem/lstest's I/O loop (its first 16 MiB); lstest writes the disk's path to
 * /run/scratch. Returns the buffer with the device's copy of the page, or 0.
 */
#define NR_PREAD64  67
#define NR_PWRITE64 68
#define O_DIRECT_   0x10000 /* arm64 <asm/fcntl.h> */
#define SCRATCH_OFF (30ULL << 20)
static void *host_dma_copy(const volatile unsigned char *p)
{
	static unsigned char *buf;
	char path[64];
	long n;
	int fd;

	n = read_file("/run/scratch", path, sizeof(path) - 1);
	if (n <= 1)
		return 0;
	path[n - 1] = 0; /* the newline */
	if (!buf)
		buf = (unsigned char *)sys(NR_MMAP, 0, PAGE, PROT_READ_ | PROT_WRITE_,
					   MAP_PRIVATE_ | MAP_ANON_, -1, 0);
	fd = open_(path, O_RDWR_ | O_DIRECT_);
	if (fd < 0 || buf == MAP_FAILED_) {
		out("# host DMA: %s: %s\n", path, errname(fd));
		return 0;
	}
	memset(buf, 0, PAGE);
	n = sys(NR_PWRITE64, fd, (const void *)p, PAGE, SCRATCH_OFF);
	if (n == (long)PAGE)
		n = sys(NR_PREAD64, fd, buf, PAGE, SCRATCH_OFF);
	sys(NR_CLOSE, fd);
	if (n != (long)PAGE) {
		out("# host DMA through %s: %s\n", path, errname(n));
		return 0;
	}
	return buf;
}

static int host_sigbus(volatile unsigned char *p)
{
	long st = in_child(sigbus_probe, (void *)p);

	return st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_;
}

static unsigned long long word(struct vm *v, unsigned long long off, unsigned int w)
{
	return ((volatile unsigned long long *)(v->map + off))[w];
}

static unsigned long long word_of(const unsigned char *p, unsigned int w)
{
	return ((const unsigned long long *)p)[w];
}

static unsigned long long pattern(unsigned long long page, unsigned long long w)
{
	return 0x676d656d00000000ULL | page << 16 | w; /* tests/guest/gmem.c */
}

static void vm_stats(struct vm *v, struct lockstep_vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	xioctl(v->fd, LOCKSTEP_VM_GET_STATS, (unsigned long)st);
}

/* Table pages of the VM's stage 2: its pool's pages in use (LS_VM_STAT_POOL_TOTAL - FREE). */
static unsigned long long vm_tables(struct vm *v)
{
	struct lockstep_vm_stats st;

	vm_stats(v, &st);
	return st.hyp[LS_VM_STAT_POOL_TOTAL] - st.hyp[LS_VM_STAT_POOL_FREE];
}

/* --- guest_memfd_test.c, without a running guest --------------------------------------------- */

static void fd_tests(void)
{
	struct lockstep_create_guest_memfd gm;
	unsigned long long st1[16], st2[16], eo;
	struct lockstep_vm_stats s0, s1;
	struct lockstep_global_stats g0, g1;
	static unsigned char page[4096] __attribute__((aligned(4096)));
	char buf[64];
	struct vm v;
	int fd2, ok;
	long rc, r2;

	if (vm_create(&v, 0)) {
		out("# vm_create failed\n");
		vm_close(&v);
		return;
	}
	/* test_create_guest_memfd_invalid_sizes, test_guest_memfd_flags */
#define GMEM(sz, fl)                                                  \
	(memset(&gm, 0, sizeof(gm)), gm.size = (sz), gm.flags = (fl), \
	 xioctl(v.fd, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm))
	rc = GMEM(0, 0);
	r2 = GMEM(PAGE + 1, 0);
	verdict(rc == -22 && r2 == -22,
		"test_create_guest_memfd_invalid_sizes: size 0 and size 4097 refused (EINVAL)", rc);
	rc = GMEM(PAGE, 1);
	r2 = GMEM(PAGE, 1ULL << 63);
	verdict(rc == -22 && r2 == -22,
		"test_guest_memfd_flags: unknown flags (bit 0, bit 63) refused (EINVAL)", rc);
	rc = GMEM(PAGE, LOCKSTEP_GMEM_FLAG_VMM_CONVERTS);
	verdict(rc >= 0, "test_guest_memfd_flags: LOCKSTEP_GMEM_FLAG_VMM_CONVERTS accepted", rc);
	if (rc >= 0)
		sys(NR_CLOSE, rc);

	/* test_file_read_write */
	rc = sys(NR_READ, v.gmem, buf, sizeof(buf));
	r2 = sys(NR_WRITE, v.gmem, buf, sizeof(buf));
	verdict(rc == -22 && r2 == -22, "test_file_read_write: read() and write() refused (EINVAL)",
		rc);

	/* test_file_size, test_create_guest_memfd_multiple */
	fd2 = (int)GMEM(8 * PAGE, 0);
	memset(st1, 0, sizeof(st1));
	memset(st2, 0, sizeof(st2));
	rc = sys(NR_FSTAT, v.gmem, st1);
	r2 = fd2 >= 0 ? sys(NR_FSTAT, fd2, st2) : fd2;
	verdict(rc == 0 && st1[6] == RAM_SIZE && (st1[2] & 0170000) == 0100000,
		"test_file_size: fstat gives a regular file of the guest_memfd's size", rc);
	verdict(r2 == 0 && st2[6] == 8 * PAGE && st1[1] != st2[1],
		"test_create_guest_memfd_multiple: a second guest_memfd has its own inode and size",
		r2);

	/* test_fallocate, test_invalid_punch_hole */
	rc = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE, 0, RAM_SIZE);
	verdict(rc == 0, "test_fallocate: allocating (KEEP_SIZE) the whole file succeeds", rc);
	rc = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 0, RAM_SIZE);
	verdict(rc == 0, "test_fallocate: PUNCH_HOLE of host pages succeeds", rc);
	ok = sys(NR_FALLOCATE, v.gmem, 0, 0, PAGE) == -95 &&
	     sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | 0x10, 0, PAGE) == -95;
	CHECK("test_fallocate: without KEEP_SIZE, or an unknown mode bit: EOPNOTSUPP", ok);
	ok = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 1, PAGE) == -22 &&
	     sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 0, PAGE - 1) == -22 &&
	     sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, RAM_SIZE, PAGE) == -22;
	CHECK("test_invalid_punch_hole: unaligned offset or length, or past the end: EINVAL", ok);

	/* Private pages before the first run: punching reclaims them (scrubbed), the hole
	 * can be populated again. */
	memset(page, 0x5a, sizeof(page));
	rc = populate(&v, RAM_GPA + 5 * PAGE, page, PAGE);
	gstats(&g0);
	vm_stats(&v, &s0);
	r2 = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 4 * PAGE, 4 * PAGE);
	gstats(&g1);
	vm_stats(&v, &s1);
	verdict(rc == 0 && r2 == 0 && s0.populated_pages == 1 && s1.populated_pages == 0 &&
			g1.reclaimed_pages == g0.reclaimed_pages + 1 &&
			g1.reclaimed_nonzero == g0.reclaimed_nonzero &&
			g1.pages_held == g0.pages_held - 1,
		"test_fallocate: PUNCH_HOLE of a private page reclaims it, scrubbed (checked zero)",
		r2);
	rc = populate(&v, RAM_GPA + 5 * PAGE, page, PAGE);
	verdict(rc == 0, "test_fallocate: the punched page can be populated again", rc);
	gstats(&g0);
	ok = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 5 * PAGE + 1, PAGE) ==
		     -22 &&
	     sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, 5 * PAGE, RAM_SIZE) ==
		     -22 &&
	     sys(NR_FALLOCATE, v.gmem, FALLOC_PUNCH_HOLE, 5 * PAGE, PAGE) == -95;
	gstats(&g1);
	vm_stats(&v, &s1);
	CHECK("test_invalid_punch_hole: refused punches over a private page change nothing (still "
	      "populated, nothing reclaimed)",
	      ok && s1.populated_pages == 1 && g1.reclaimed_pages == g0.reclaimed_pages);

	/* test_fault_private, test_fault_overflow */
	CHECK("test_fault_private: the host reading a private page through mmap: SIGBUS",
	      host_sigbus(v.map + 5 * PAGE));
	CHECK("test_fault_private: a page never populated (the host's): SIGBUS too",
	      host_sigbus(v.map + 6 * PAGE));
	{
		volatile unsigned char *big = (volatile unsigned char *)sys(
			NR_MMAP, 0, 2 * RAM_SIZE, PROT_READ_, MAP_SHARED_, v.gmem, 0);

		ok = !((long)big < 0 && (long)big > -4096) && host_sigbus(big + RAM_SIZE);
		CHECK("test_fault_overflow: an access past the guest_memfd's size: SIGBUS", ok);
		if (!((long)big < 0 && (long)big > -4096))
			sys(NR_MUNMAP, big, 2 * RAM_SIZE);
	}

	/* SET_MEMORY_ATTRIBUTES2: bad input, each refused with its errno and nothing changed */
	vm_stats(&v, &s0);
	gstats(&g0);
#define BADATTR(name, want, off, size, attr, flags)                                  \
	do {                                                                         \
		rc = setattr(&v, off, size, attr, flags, 0);                         \
		vm_stats(&v, &s1);                                                   \
		verdict(rc == -(want) && s1.populated_pages == s0.populated_pages && \
				s1.shared_pages == s0.shared_pages,                  \
			"SET_MEMORY_ATTRIBUTES2 " name ", nothing changed", rc);     \
	} while (0)
	BADATTR("offset not page aligned: EINVAL", 22, 5 * PAGE + 8, PAGE, 0, 0);
	BADATTR("size 0: EINVAL", 22, 5 * PAGE, 0, 0, 0);
	BADATTR("size not page aligned: EINVAL", 22, 5 * PAGE, 100, 0, 0);
	BADATTR("range wrapping around: EINVAL", 22, ~(PAGE - 1), 2 * PAGE, 0, 0);
	BADATTR("range past the end: EINVAL", 22, RAM_SIZE - PAGE, 2 * PAGE, 0, 0);
	BADATTR("unknown attribute (bit 0): EINVAL", 22, 5 * PAGE, PAGE, 1, 0);
	BADATTR("unknown flag (bit 2): EINVAL", 22, 5 * PAGE, PAGE, 0, 4);
	BADATTR("ZERO and PRESERVE both: EINVAL", 22, 5 * PAGE, PAGE, 0, ZERO | PRESERVE);
	{
		struct lockstep_memory_attributes2 a;

		memset(&a, 0, sizeof(a));
		a.offset = 5 * PAGE;
		a.size = PAGE;
		a.reserved[0] = 1;
		rc = xioctl(v.gmem, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, (unsigned long)&a);
		verdict(rc == -22, "SET_MEMORY_ATTRIBUTES2 reserved[0] 1: EINVAL", rc);
	}
	rc = xioctl(v.gmem, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, 0x1000);
	verdict(rc == -14, "SET_MEMORY_ATTRIBUTES2 from an unmapped address: EFAULT", rc);
	rc = xioctl(v.fd, LOCKSTEP_SET_MEMORY_ATTRIBUTES2, 0);
	verdict(rc == -25, "SET_MEMORY_ATTRIBUTES2 on a VM fd: ENOTTY", rc);
	rc = setattr(&v, 4 * PAGE, 3 * PAGE, 0, 0, &eo);
	vm_stats(&v, &s1);
	verdict(rc == -2 && eo == 4 * PAGE && s1.shared_pages == s0.shared_pages,
		"SET_MEMORY_ATTRIBUTES2 over a page that is not the VM's: ENOENT, error_offset at it, "
		"nothing changed",
		rc);
	rc = setattr(&v, 5 * PAGE, PAGE, 0, PRESERVE, &eo);
	vm_stats(&v, &s1);
	verdict(rc == -1 && eo == 5 * PAGE && s1.shared_pages == 0,
		"SET_MEMORY_ATTRIBUTES2 private -> shared without the guest's consent: EPERM, "
		"error_offset at the page, nothing changed",
		rc);
	rc = setattr(&v, 5 * PAGE, PAGE, PRIV, 0, &eo);
	gstats(&g1);
	verdict(rc == 0 && g1.convert_hvcs == g0.convert_hvcs,
		"SET_MEMORY_ATTRIBUTES2 private -> private: nothing to do, no hypercall", rc);
	if (fd2 >= 0)
		sys(NR_CLOSE, fd2);
	vm_close(&v);
}

/* --- a running guest: conversions both ways ---------------------------------------------- */

#include "punchrun.c" /* punching private memory of the running guest */

static void guest_tests(const char *image)
{
	static unsigned char img[64 * 1024] __attribute__((aligned(4096)));
	unsigned long long img_size, pa, ht0, hl0, ht1, hl1, ht2, hl2, vt0, vt1, vt2, eo;
	unsigned long long it0, il0, it1, il1, it2, il2, t0, t1, tsh, tun;
	static struct sec sec[NVCPUS];
	unsigned int rounds, bad, other, lazy;
	int i, nsec = 0;
	struct lockstep_global_stats g0, g1;
	struct lockstep_vm_stats s0, s1;
	struct vm v;
	long n, rc, r2;
	int pfd[2] = { -1, -1 }, tfd[2] = { -1, -1 }, ok;
	static unsigned char kept[4096], sink2[4096];
	long tn = -1;
	struct {
		void *base;
		unsigned long len;
	} iov;

	n = read_file(image, img, sizeof(img));
	if (n <= 0 || vm_create(&v, LOCKSTEP_GMEM_FLAG_VMM_CONVERTS)) {
		out("# guest setup failed: %s\n", errname(n));
		vm_close(&v);
		return;
	}
	img_size = ((unsigned long long)n + PAGE - 1) & ~(PAGE - 1);
	rc = vm_start(&v, img, img_size);
	/* A hole in the third 2 MiB block: DATA page 600 punched before the first run. */
	r2 = rc ? rc :
		  sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, DPAGE(600), PAGE);
	verdict(r2 == 0, "running guest: page 600 punched before the first run", r2);
	out("# VM stage 2 with page 600 punched: %llu table pages\n", vm_tables(&v));
	if (!rc)
		rc = vm_until_cmd(&v);
	verdict(rc == 0, "running guest: the gmem guest runs and asks for its first command", rc);
	if (rc)
		goto out;
	rc = gcmd(&v, OP_FILL, 0, 64);
	r2 = gcmd(&v, OP_CHECK, 0, 64);
	verdict(rc == 0 && r2 == 0,
		"running guest: the guest writes and reads back its 64 private pages", r2);

	/* convert_one_page_start_private: a 4 KiB page inside the 2 MiB private block */
	pa = pa_of(RAM_GPA + DPAGE(5));
	host_view(pa, &ht0, &hl0);
	view_at(LS_VIEW_HOST_IOMMU(0), pa, &it0, &il0);
	vt0 = vm_tables(&v);
	out("# page 5: pa 0x%llx; host stage 2: %llu table pages, level %llu; VM stage 2: %llu "
	    "table pages\n",
	    pa, ht0, hl0, vt0);
	rc = gcmd(&v, OP_SHARE, 5, 1);
	verdict(rc == 0 && v.share_exits == 1 && v.share_converted == 0,
		"convert_one_page_start_private: the guest's MEM_SHARE exits to the VMM unconverted "
		"(VMM_CONVERTS)",
		rc);
	CHECK("convert_one_page_start_private: the guest's consent alone exposes nothing "
	      "(host read SIGBUS)",
	      host_sigbus(v.map + DPAGE(5)));
	gstats(&g0);
	rc = setattr(&v, DPAGE(5), PAGE, 0, PRESERVE, &eo);
	gstats(&g1);
	verdict(rc == 0 && eo == 0 && g1.convert_hvcs == g0.convert_hvcs + 1,
		"convert_one_page_start_private: private -> shared (PRESERVE) in one hypercall",
		rc);
	ok = rc == 0 && word(&v, DPAGE(5), 0) == pattern(5, 0) &&
	     word(&v, DPAGE(5), 511) == pattern(5, 511);
	CHECK("convert_one_page_start_private: the host reads the guest's data through mmap", ok);
	{
		const unsigned long long *d = host_dma_copy(v.map + DPAGE(5));
		unsigned int w;

		ok = d != 0;
		for (w = 0; ok && w < PAGE / 8; w++)
			ok = d[w] == pattern(5, w);
		CHECK("convert_one_page_start_private: a host device's DMA reads the guest's data "
		      "there too (virtio-blk behind the SMMU, O_DIRECT from the gmem mmap)",
		      ok);
	}
	host_view(pa, &ht1, &hl1);
	view_at(LS_VIEW_HOST_IOMMU(0), pa, &it1, &il1);
	vt1 = vm_tables(&v);
	out("# page 5 shared: host stage 2 %llu table pages, level %llu; VM stage 2 %llu\n", ht1,
	    hl1, vt1);
	CHECK("convert_one_page_start_private: the host stage 2 maps the page alone (level 3, "
	      "one more table page)",
	      hl0 == 0 && hl1 == 3 && ht1 == ht0 + 1);
	CHECK("convert_one_page_start_private: the VM's 2 MiB block split (one more table page)",
	      vt1 == vt0 + 1);
	out("# host IOMMU view 0 at page 5: %llu table pages, level %llu -> %llu, level %llu\n",
	    it0, il0, it1, il1);
	CHECK("convert_one_page_start_private: the host's IOMMU view maps the page alone too "
	      "(level 3)",
	      il0 == 0 && il1 == 3 && it1 > it0);
	((volatile unsigned long long *)(v.map + DPAGE(5)))[1] = 0xfeed1234ULL;
	rc = gcmd(&v, OP_PEEK, 5, 1);
	verdict(rc == 0xfeed1234L,
		"convert_one_page_start_private: the guest reads the host's data", rc);
	gstats(&g0);
	rc = setattr(&v, DPAGE(5), PAGE, PRIV, PRESERVE, &eo);
	gstats(&g1);
	host_view(pa, &ht2, &hl2);
	view_at(LS_VIEW_HOST_IOMMU(0), pa, &it2, &il2);
	vt2 = vm_tables(&v);
	out("# page 5 private again: host stage 2 %llu table pages, level %llu; VM stage 2 %llu\n",
	    ht2, hl2, vt2);
	verdict(rc == 0 && g1.convert_hvcs == g0.convert_hvcs + 1,
		"convert_one_page_start_private: shared -> private (PRESERVE) in one hypercall",
		rc);
	CHECK("convert_one_page_start_private: private again, the host's read is SIGBUS",
	      host_sigbus(v.map + DPAGE(5)));
	CHECK("convert_one_page_start_private: the host stage 2 merged back (unmapped, table count "
	      "as before)",
	      hl2 == 0 && ht2 == ht0);
	CHECK("convert_one_page_start_private: the VM's stage 2 merged back into its 2 MiB block",
	      vt2 == vt0);
	CHECK("convert_one_page_start_private: the host's IOMMU view merged back (unmapped, table "
	      "count as before)",
	      il2 == 0 && it2 == it0);
	rc = gcmd(&v, OP_PEEK, 5, 1);
	r2 = gcmd(&v, OP_CHECK, 0, 5);
	verdict(rc == 0xfeed1234L && r2 == 0 && gcmd(&v, OP_CHECK, 6, 58) == 0,
		"convert_one_page_start_private: contents preserved, neighbours untouched", rc);

	/* convert_one_page_start_shared: the page starts shared, goes private with ZERO */
	rc = gcmd(&v, OP_SHARE, 7, 1);
	r2 = setattr(&v, DPAGE(7), PAGE, 0, 0, 0);
	verdict(rc == 0 && r2 == 0, "convert_one_page_start_shared: page 7 shared", r2);
	((volatile unsigned long long *)(v.map + DPAGE(7)))[0] = 0x1111ULL;
	rc = setattr(&v, DPAGE(7), PAGE, PRIV, ZERO, 0);
	r2 = gcmd(&v, OP_ZERO, 7, 1);
	verdict(rc == 0 && r2 == 0,
		"convert_one_page_start_shared: shared -> private with ZERO: the guest reads zeros",
		rc);
	rc = gcmd(&v, OP_FILL, 7, 1);
	rc |= gcmd(&v, OP_SHARE, 7, 1);
	r2 = setattr(&v, DPAGE(7), PAGE, 0, ZERO, 0);
	ok = rc == 0 && r2 == 0 && word(&v, DPAGE(7), 0) == 0 && word(&v, DPAGE(7), 511) == 0;
	CHECK("convert_one_page_start_shared: private -> shared with ZERO: the host reads zeros",
	      ok);
	rc = setattr(&v, DPAGE(7), PAGE, PRIV, PRESERVE, 0);
	verdict(rc == 0, "convert_one_page_start_shared: back to private", rc);
	rc = setattr(&v, DPAGE(7), PAGE, 0, 0, &eo);
	verdict(rc == -1 && eo == DPAGE(7),
		"convert_one_page_start_shared: sharing again needs new consent (EPERM)", rc);

	/* only the requested range changes; one hypercall per run of pages in one state */
	rc = gcmd(&v, OP_SHARE, 16, 16);
	r2 = setattr(&v, DPAGE(20), 4 * PAGE, 0, PRESERVE, 0);
	vm_stats(&v, &s0);
	ok = rc == 0 && r2 == 0 && s0.shared_pages == 4 && host_sigbus(v.map + DPAGE(19)) &&
	     word(&v, DPAGE(20), 0) == pattern(20, 0) && word(&v, DPAGE(23), 0) == pattern(23, 0) &&
	     host_sigbus(v.map + DPAGE(24));
	CHECK("convert_multiple_pages: only the 4 requested pages of 16 offered became shared", ok);
	gstats(&g0);
	rc = setattr(&v, DPAGE(16), 16 * PAGE, 0, PRESERVE, 0);
	gstats(&g1);
	vm_stats(&v, &s1);
	verdict(rc == 0 && s1.shared_pages == 16 && g1.convert_hvcs == g0.convert_hvcs + 1 &&
			g1.convert_pages == g0.convert_pages + 12,
		"convert_multiple_pages: the rest of 16 pages: the two private runs of one 2 MiB "
		"window in one hypercall (LS_FN_VM_CONVERT_BITMAP), 12 pages",
		rc);
	gstats(&g0);
	rc = setattr(&v, DPAGE(16), 16 * PAGE, PRIV, PRESERVE, 0);
	gstats(&g1);
	vm_stats(&v, &s1);
	verdict(rc == 0 && s1.shared_pages == 0 && g1.convert_hvcs == g0.convert_hvcs + 1,
		"convert_multiple_pages: 16 shared pages back to private in one hypercall", rc);
	rc = gcmd(&v, OP_CHECK, 16, 16);
	verdict(rc == 0, "convert_multiple_pages: the guest's data survived both ways", rc);

	/* convert_with_pinned_page: EAGAIN and error_offset at the pinned page */
	rc = gcmd(&v, OP_SHARE, 40, 2);
	r2 = setattr(&v, DPAGE(40), 2 * PAGE, 0, PRESERVE, 0);
	ok = rc == 0 && r2 == 0 && sys(NR_PIPE2, pfd, 0) == 0;
	iov.base = (void *)(v.map + DPAGE(41));
	iov.len = PAGE;
	n = ok ? sys(NR_VMSPLICE, pfd[1], &iov, 1, 0) : -1;
	verdict(n == (long)PAGE, "convert_with_pinned_page: page 41 spliced into a pipe (vmsplice)",
		n);
	vm_stats(&v, &s0);
	rc = setattr(&v, DPAGE(40), 2 * PAGE, PRIV, PRESERVE, &eo);
	vm_stats(&v, &s1);
	verdict(rc == -11 && eo == DPAGE(41),
		"convert_with_pinned_page: shared -> private: EAGAIN, error_offset at the pinned page",
		rc);
	ok = s0.shared_pages == 2 && s1.shared_pages == 2 &&
	     word(&v, DPAGE(40), 0) == pattern(40, 0) && word(&v, DPAGE(41), 0) == pattern(41, 0);
	CHECK("convert_with_pinned_page: nothing converted: both pages still shared and readable",
	      ok);
	{
		static unsigned char sink[4096];

		/* Nothing spliced: an empty pipe would block the read. */
		n = n == (long)PAGE ? sys(NR_READ, pfd[0], sink, sizeof(sink)) : -1;
		verdict(n == (long)PAGE && !memcmp(sink, (void *)(v.map + DPAGE(41)), PAGE),
			"convert_with_pinned_page: the pipe read the shared page's data", n);
	}
	rc = setattr(&v, DPAGE(40), 2 * PAGE, PRIV, PRESERVE, &eo);
	verdict(rc == 0,
		"convert_with_pinned_page: once the pipe is drained the conversion succeeds", rc);
	if (pfd[0] >= 0) {
		sys(NR_CLOSE, pfd[0]);
		sys(NR_CLOSE, pfd[1]);
	}

	/* reset_shared_memory_after_punch, test_fallocate on a running VM */
	rc = gcmd(&v, OP_SHARE, 50, 1);
	r2 = setattr(&v, DPAGE(50), PAGE, 0, PRESERVE, 0);
	ok = rc == 0 && r2 == 0 && word(&v, DPAGE(50), 3) == pattern(50, 3);
	rc = sys(NR_FALLOCATE, v.gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, DPAGE(50), PAGE);
	ok = ok && rc == 0 && word(&v, DPAGE(50), 0) == 0 && word(&v, DPAGE(50), 3) == 0;
	verdict(ok, "reset_shared_memory_after_punch: a punched shared page reads zero (host)", rc);
	rc = gcmd(&v, OP_ZERO, 50, 1);
	verdict(rc == 0, "reset_shared_memory_after_punch: ... and zero for the guest", rc);
	punch_running(&v); /* punchrun.c: private pages 60 and 61 punched, the guest faults */

	/* private_mem_kvm_exits_test: the guest touches the punched page: a memory fault exit
	 * (PRIVATE) the VMM resolves with a zero page; the access completes. */
	out("# VM stage 2 before the guest touches the punched page: %llu table pages\n",
	    vm_tables(&v));
	lazy = v.lazy;
	rc = gcmd(&v, OP_ZERO, 600, 1);
	out("# VM stage 2 after the fault on the punched page was resolved: %llu table pages\n",
	    vm_tables(&v));
	verdict(rc == 0 && v.lazy == lazy + 1 && v.fault_gpa == RAM_GPA + DPAGE(600) &&
			(v.fault_flags & LOCKSTEP_MEMORY_EXIT_FLAG_PRIVATE),
		"private_mem_kvm_exits_test: touching a punched page: MEMORY_FAULT (PRIVATE) at its "
		"GPA, resolved by POPULATE_ZERO, the guest reads zero",
		rc);
	rc = gcmd(&v, OP_FILL, 600, 1);
	r2 = gcmd(&v, OP_CHECK, 600, 1);
	verdict(rc == 0 && r2 == 0 && v.lazy == lazy + 1,
		"private_mem_kvm_exits_test: the repopulated page is ordinary private memory", r2);
	{
		static unsigned char src[4096] __attribute__((aligned(4096)));

		rc = populate(&v, RAM_GPA + DPAGE(600), src, PAGE);
		verdict(rc == -1, "POPULATE with a source after the first run is still EPERM", rc);
	}

	/* the guest's own MEM_UNSHARE of a page the VMM converted */
	rc = gcmd(&v, OP_UNSHARE, 50, 1);
	vm_stats(&v, &s1);
	verdict(rc == 0 && s1.shared_pages == 0 && host_sigbus(v.map + DPAGE(50)),
		"running guest: MEM_UNSHARE of a converted page: private again, the host's read is SIGBUS",
		rc);

	/* private_mem_conversions_test: 4 vCPUs convert their own pages of one 2 MiB block at the
	 * same time, each exit handled by its vCPU's thread. */
	vt0 = vm_tables(&v);
	for (i = 1, r2 = 0; i < NVCPUS; i++) {
		sec[i].v = &v;
		sec[i].index = i;
		r2 |= thread_start(&sec[i].t, sec_main, &sec[i]);
	}
	nsec = r2 ? 0 : NVCPUS;
	v.smp_mode = 1;
	t0 = now_ns();
	rc = r2 ? -1 : gcmd(&v, OP_SMP, 0, SMP_ROUNDS);
	t1 = now_ns();
	v.smp_mode = 0;
	vt1 = vm_tables(&v);
	vm_stats(&v, &s1);
	rounds = v.smp_rounds;
	bad = v.smp_bad;
	for (i = 1, other = 0; i < NVCPUS; i++) {
		rounds += sec[i].rounds;
		bad += sec[i].bad;
		other += sec[i].other;
	}
	out("# SMP: %u rounds in %llu ms, %u bad on the host, %u other exits; VM stage 2 %llu -> "
	    "%llu table pages\n",
	    rounds, (t1 - t0) / 1000000, bad, other, vt0, vt1);
	verdict(rc == 0,
		"private_mem_conversions_test: 4 vCPUs x 16 rounds converting their pages of one "
		"2 MiB block at once: the guest saw every answer of the host",
		rc);
	CHECK("private_mem_conversions_test: the VMM's 4 threads converted and checked every round "
	      "(64, none bad, no other exit)",
	      rounds == NVCPUS * SMP_ROUNDS && bad == 0 && other == 0);
	CHECK("private_mem_conversions_test: every page private again, the VM's stage 2 back to its "
	      "table count",
	      s1.shared_pages == 0 && vt1 == vt0);

	/*
	 * stress: the same 4 vCPUs, STRESS_ROUNDS each, while tests/gmem/lstest keeps the host's
	 * virtio-blk disk busy behind the SMMU. Every round the guest fills its page, MEM_SHAREs it,
	 * the VMM thread converts it to shared, checks the data, answers, and converts the vCPU's
	 * whole window of 8 pages back to private (a mixed range); the guest checks the answer and
	 * its own data. The four windows are pages 100..131 of one 2 MiB block: every conversion
	 * splits or merges the same level-3 table of every view, from four threads at once.
	 */
	{
		unsigned long long spa = pa_of(RAM_GPA + DPAGE(100)), ev0, ev1, fa0, fa1, sy0, sy1;
		unsigned long long iv0, iv1;
		long long io0, io1, net0, net1;
		struct walk wb, we;
		int wbrc, werc, dma_priv;
		long ea, er;

		memset(&wb, 0xff, sizeof(wb));
		memset(&we, 0xff, sizeof(we));
		wbrc = inv_walk(&wb);
		vt0 = vm_tables(&v);
		host_view(spa, &ht0, &hl0);
		view_at(LS_VIEW_HOST_IOMMU(0), spa, &it0, &il0);
		ev0 = smmu_stat(LS_SMMU_STAT_EVENTS);
		fa0 = smmu_stat(LS_SMMU_STAT_FAULTS);
		sy0 = smmu_stat(LS_SMMU_STAT_SYNCS);
		iv0 = smmu_stat(LS_SMMU_STAT_INVAL_IPA);
		v.smp_rounds = v.smp_bad = 0;
		for (i = 1; i < nsec; i++)
			sec[i].rounds = sec[i].bad = sec[i].other = 0;
		io0 = io_rounds();
		net0 = loop_rounds("/run/net.count");
		/* the edu into the running VM: its DMA now translates through the VM's stage 2 */
		ea = edu.bar ? edu_assign(&v, 0) : -1;
		out("# stress: LOCKSTEP_VM_ASSIGN_DEVICE of the edu's group: %ld\n", ea);
		v.smp_mode = 2;
		t0 = now_ns();
		/* in batches: the invariant walk after each, every vCPU quiescent; vCPU 0 drives
		 * the edu's DMA rounds while the others convert (OP_STRESS) */
		for (i = 0, rc = nsec ? 0 : -1; i < STRESS_ROUNDS / STRESS_BATCH && rc == 0; i++) {
			rc = gcmd(&v, OP_STRESS, 0, STRESS_BATCH);
			walk_round(&wk[1]);
		}
		t1 = now_ns();
		v.smp_mode = 0;
		for (i = 0, dma_priv = 1; i < 4; i++)
			dma_priv = dma_priv && host_sigbus(v.map + DPAGE(96 + i)) &&
				   host_sigbus(v.map + DPAGE(132 + i));
		er = ea == 1 ? edu_assign(&v, 1) : -1;
		io1 = io_rounds();
		net1 = loop_rounds("/run/net.count");
		vt1 = vm_tables(&v);
		host_view(spa, &ht1, &hl1);
		view_at(LS_VIEW_HOST_IOMMU(0), spa, &it1, &il1);
		vm_stats(&v, &s1);
		ev1 = smmu_stat(LS_SMMU_STAT_EVENTS);
		fa1 = smmu_stat(LS_SMMU_STAT_FAULTS);
		sy1 = smmu_stat(LS_SMMU_STAT_SYNCS);
		iv1 = smmu_stat(LS_SMMU_STAT_INVAL_IPA);
		werc = inv_walk(&we);
		rounds = v.smp_rounds;
		bad = v.smp_bad;
		for (i = 1, other = 0; i < nsec; i++) {
			rounds += sec[i].rounds;
			bad += sec[i].bad;
			other += sec[i].other;
		}
		out("# stress: %u rounds in %llu ms, %u bad on the host, %u other exits; SMMU events "
		    "%llu -> %llu, faults %llu -> %llu, CMD_SYNCs +%llu, TLBI_S2_IPA +%llu\n",
		    rounds, (t1 - t0) / 1000000, bad, other, ev0, ev1, fa0, fa1, sy1 - sy0,
		    iv1 - iv0);
		out("# stress: table pages: VM stage 2 %llu -> %llu, host stage 2 %llu -> %llu (level "
		    "%llu -> %llu), host IOMMU view 0 %llu -> %llu\n",
		    vt0, vt1, ht0, ht1, hl0, hl1, it0, it1);
		verdict(rc == 0,
			"stress: 4 vCPUs x 128 rounds of MEM_SHARE -> VMM conversions during host disk "
			"I/O: the guest found every round's data right",
			rc);
		CHECK("stress: the VMM's 4 threads converted and checked every round (512, none bad, "
		      "no other exit)",
		      rounds == NVCPUS * STRESS_ROUNDS && bad == 0 && other == 0);
		out("# stress: the host's disk I/O loop went from round %lld to %lld meanwhile\n",
		    io0, io1);
		CHECK("stress: the host's disk I/O (scratch disk behind the SMMU) made progress during "
		      "the rounds",
		      io0 >= 0 && io1 > io0);
		out("# stress: the host's network loop went from round %lld to %lld meanwhile\n",
		    net0, net1);
		CHECK("stress: the host's TCP traffic (virtio-net behind the SMMU) made progress during "
		      "the rounds",
		      net1 > net0 && net1 > 0);
		CHECK("stress: no SMMU event during the rounds (events and faults unchanged)",
		      ev0 != ~0ULL && ev1 == ev0 && fa1 == fa0);
		CHECK("stress: all pages back: none shared, the VM's stage 2, the host's stage 2 and "
		      "its IOMMU view at their table counts, the block unmapped from the host",
		      s1.shared_pages == 0 && vt1 == vt0 && ht1 == ht0 && it1 == it0 && hl1 == 0 &&
			      il1 == 0);
		out("# stress: invariant walks: %u after the %u batches (%u unreadable, %u with a "
		    "violation), %u mid-batch (%u, %u), %llu RAM pages each, mean %llu us, max %llu "
		    "us; before the rounds code %llu, after code %llu (%llu us)\n",
		    wk[1].walks, STRESS_ROUNDS / STRESS_BATCH, wk[1].failed, wk[1].bad, wk[0].walks,
		    wk[0].failed, wk[0].bad, we.pages,
		    (wk[0].ns_sum + wk[1].ns_sum) /
			    (wk[0].walks + wk[1].walks + !(wk[0].walks + wk[1].walks)) / 1000,
		    (wk[0].ns_max > wk[1].ns_max ? wk[0].ns_max : wk[1].ns_max) / 1000, wb.code,
		    we.code, we.ns / 1000);
		for (i = 0; i < 2; i++)
			if (wk[i].bad)
				out("# stress: first violation (%s): code %llu addr 0x%llx who 0x%llx a 0x%llx "
				    "b 0x%llx (LS_CHECK_*, include/lockstep/abi.h)\n",
				    i ? "after a batch" : "mid-batch", wk[i].first.code,
				    wk[i].first.addr, wk[i].first.who, wk[i].first.a,
				    wk[i].first.b);
		CHECK("stress: the hypervisor's invariant walk (LS_HVC_DEBUG_CHECK) clean after every "
		      "batch of rounds (8 x 4 vCPUs x 16) and in the middle of each, the other vCPUs "
		      "converting meanwhile",
		      wk[1].walks == STRESS_ROUNDS / STRESS_BATCH &&
			      wk[0].walks == STRESS_ROUNDS / STRESS_BATCH &&
			      rounds == NVCPUS * STRESS_ROUNDS && !wk[0].failed && !wk[0].bad &&
			      !wk[1].failed && !wk[1].bad);
		CHECK("stress: the invariant walk clean before the rounds and at the end",
		      wbrc == 0 && werc == 0 && wb.code == 0 && we.code == 0 && we.pages > 0);
		verdict(ea == 1,
			"stress: the edu (its VFIO group) assigned to the running VM before the rounds: "
			"1 stream into the VM's stage 2",
			ea);
		out("# stress: the guest's DMA rounds: %u copies of 4 KiB (private page -> edu -> "
		    "private page) in %llu ms, mean %llu ms a copy (two edu DMAs; QEMU's edu takes "
		    "100 ms of virtual time each), %u not done, %u bad in the guest's check\n",
		    edu.copies, (t1 - t0) / 1000000, edu.ns / 1000000 / (edu.copies + !edu.copies),
		    edu.busy, edu.guest_bad);
		CHECK("stress: the assigned edu DMA-copied between private pages beside the converted "
		      "windows through the rounds (at least once a batch, while the other vCPUs "
		      "converted): every copy done, every page right in the guest's check",
		      rc == 0 && edu.copies >= STRESS_ROUNDS / STRESS_BATCH && edu.busy == 0 &&
			      edu.guest_bad == 0);
		CHECK("stress: the DMA pages stayed private: the host's read of each is SIGBUS",
		      dma_priv);
		verdict(er == 0,
			"stress: the edu released back to its VFIO domain after the rounds", er);
	}

	/* A whole 2 MiB block, 2 MiB aligned: one hypercall each way, no table split anywhere. */
	rc = gcmd(&v, OP_SHARE, 0, 512);
	host_view(pa, &ht0, &hl0);
	vt0 = vm_tables(&v);
	gstats(&g0);
	t0 = now_ns();
	r2 = setattr(&v, DPAGE(0), 512 * PAGE, 0, PRESERVE, 0);
	t1 = now_ns();
	gstats(&g1);
	host_view(pa, &ht1, &hl1);
	vt1 = vm_tables(&v);
	out("# 2 MiB block shared: %llu us; host stage 2 %llu -> %llu table pages, level %llu; VM "
	    "stage 2 %llu -> %llu\n",
	    (t1 - t0) / 1000, ht0, ht1, hl1, vt0, vt1);
	verdict(rc == 0 && r2 == 0 && g1.convert_hvcs == g0.convert_hvcs + 1 &&
			word(&v, DPAGE(63), 0) == pattern(63, 0),
		"convert_2m_block: a whole 2 MiB block private -> shared in one hypercall", r2);
	CHECK("convert_2m_block: nothing split: the VM's table count unchanged, the host maps a "
	      "2 MiB block (level 2)",
	      vt1 == vt0 && hl1 == 2 && ht1 <= ht0);
	gstats(&g0);
	t0 = now_ns();
	rc = setattr(&v, DPAGE(0), 512 * PAGE, PRIV, PRESERVE, 0);
	t1 = now_ns();
	gstats(&g1);
	host_view(pa, &ht2, &hl2);
	vt2 = vm_tables(&v);
	out("# 2 MiB block private again: %llu us; host stage 2 %llu table pages, level %llu; VM "
	    "stage 2 %llu\n",
	    (t1 - t0) / 1000, ht2, hl2, vt2);
	verdict(rc == 0 && g1.convert_hvcs == g0.convert_hvcs + 1 && vt2 == vt0 && hl2 == 0 &&
			ht2 == ht0,
		"convert_2m_block: back to private in one hypercall, every count as before", rc);
	/* One page, both ways, timed (figures only: TCG). */
	for (i = 0, tsh = tun = 0; i < 8; i++) {
		rc = gcmd(&v, OP_SHARE, 9, 1);
		t0 = now_ns();
		rc |= setattr(&v, DPAGE(9), PAGE, 0, PRESERVE, 0);
		t1 = now_ns();
		rc |= setattr(&v, DPAGE(9), PAGE, PRIV, PRESERVE, 0);
		tsh += t1 - t0;
		tun += now_ns() - t1;
		if (rc)
			break;
	}
	out("# 4 KiB page in a 2 MiB block: private -> shared %llu us, shared -> private %llu us "
	    "(mean of %d, ioctl to return, QEMU TCG)\n",
	    tsh / 8000, tun / 8000, i);

	/*
	 * teardown_with_pinned_shared_page: the host still holds a shared page (spliced into a
	 * pipe) when the VM goes. The page comes back to the host as it is (VM_RECLAIM of a
	 * shared page): the pipe reads it after the teardown, and nothing faults.
	 */
	rc = gcmd(&v, OP_SHARE, 42, 1);
	r2 = setattr(&v, DPAGE(42), PAGE, 0, PRESERVE, 0);
	ok = rc == 0 && r2 == 0 && sys(NR_PIPE2, tfd, 0) == 0;
	iov.base = (void *)(v.map + DPAGE(42));
	iov.len = PAGE;
	if (ok)
		memcpy(kept, (void *)(v.map + DPAGE(42)), PAGE);
	tn = ok ? sys(NR_VMSPLICE, tfd[1], &iov, 1, 0) : -1;
	verdict(tn == (long)PAGE,
		"teardown_with_pinned_shared_page: shared page 42 spliced into a pipe (vmsplice)",
		tn);

	rc = gcmd(&v, OP_DONE, 0, 0);
	for (i = 1; i < nsec; i++)
		thread_join(&sec[i].t); /* the shutdown ended their RUN */
	verdict(rc != -1000 && v.run->exit_reason == LOCKSTEP_EXIT_SYSTEM_EVENT && v.status == 0 &&
			v.faults == 0,
		"running guest: shut down with status 0, no memory fault", v.status);
out:
	vm_close(&v);
	/* Nothing spliced: an empty pipe would block the read. */
	n = tn == (long)PAGE ? sys(NR_READ, tfd[0], sink2, sizeof(sink2)) : -1;
	verdict(n == (long)PAGE && !memcmp(sink2, kept, PAGE) && word_of(kept, 0) != 0,
		"teardown_with_pinned_shared_page: after the VM is gone the pipe reads the page's "
		"data, no fault",
		n);
	if (tfd[0] >= 0) {
		sys(NR_CLOSE, tfd[0]);
		sys(NR_CLOSE, tfd[1]);
	}
}

/* --- make bench-gmem: conversion cost by range size (docs/gmem.md "Benchmark") ----------- */

#define BENCH_RAM (12ULL << 20) /* DATA pages 0..2559: the 8 MiB range fits */

/* What the counters say at one moment. */
struct bsnap {
	unsigned long long hvcs, pages, vmt, ht, it, cmds, syncs, inv_ipa, inv_all, el2;
};

/* A decimal debugfs counter of lockstep.ko; 0 if there is none (bench_el2_pmu=0). */
static unsigned long long debugfs_u64(const char *path)
{
	char buf[32];
	unsigned long long v;
	long n = read_file(path, buf, sizeof(buf) - 1);
	int k;

	if (n <= 0)
		return 0;
	buf[n] = 0;
	for (k = 0; buf[k] >= '0' && buf[k] <= '9'; k++)
		;
	buf[k] = 0;
	return parse_u64(buf, &v) ? 0 : v;
}

static void bsnap(struct vm *v, unsigned long long pa, struct bsnap *b)
{
	struct lockstep_global_stats g;
	unsigned long long lvl;

	gstats(&g);
	b->hvcs = g.convert_hvcs;
	b->pages = g.convert_pages;
	b->vmt = vm_tables(v);
	host_view(pa, &b->ht, &lvl);
	view_at(LS_VIEW_HOST_IOMMU(0), pa, &b->it, &lvl);
	b->cmds = smmu_stat(LS_SMMU_STAT_CMDS);
	b->syncs = smmu_stat(LS_SMMU_STAT_SYNCS);
	b->inv_ipa = smmu_stat(LS_SMMU_STAT_INVAL_IPA);
	b->inv_all = smmu_stat(LS_SMMU_STAT_INVAL_ALL);
	/* lockstep.ko bench_el2_pmu=1 on the benchmark image: EL2 instructions retired inside
	 * the conversion hypercalls (host-driver/vcpu.c ls_bench_hvc()) */
	b->el2 = debugfs_u64("/sys/kernel/debug/lockstep/bench_convert_el2_insns");
}

/* Sums over the repetitions of one (size, path, direction). */
struct bsum {
	unsigned long long ns, ioctls, hvcs, pages, cmds, syncs, inv_ipa, inv_all, el2;
	long long dvm, dht, dit; /* table pages: after - before (the last repetition) */
	unsigned int reps, errors;
};

static void bsum_add(struct bsum *s, const struct bsnap *a, const struct bsnap *b,
		     unsigned long long ns, unsigned long long ioctls)
{
	s->ns += ns;
	s->ioctls += ioctls;
	s->hvcs += b->hvcs - a->hvcs;
	s->pages += b->pages - a->pages;
	s->cmds += b->cmds - a->cmds;
	s->syncs += b->syncs - a->syncs;
	s->inv_ipa += b->inv_ipa - a->inv_ipa;
	s->inv_all += b->inv_all - a->inv_all;
	s->el2 += b->el2 - a->el2;
	s->dvm = (long long)(b->vmt - a->vmt);
	s->dht = (long long)(b->ht - a->ht);
	s->dit = (long long)(b->it - a->it);
	s->reps++;
}

/* Convert DATA pages [first, first + n) to @attr: one ioctl for the range, or one per page. */
static unsigned long long bconvert(struct vm *v, unsigned int first, unsigned int n, int naive,
				   unsigned long long attr, unsigned int *errors,
				   unsigned long long *ioctls)
{
	unsigned long long t0 = now_ns(), t1;
	unsigned int i;

	if (!naive) {
		*errors += setattr(v, DPAGE(first), (unsigned long long)n * PAGE, attr, PRESERVE,
				   0) != 0;
		*ioctls = 1;
	} else {
		for (i = 0; i < n; i++)
			*errors += setattr(v, DPAGE(first + i), PAGE, attr, PRESERVE, 0) != 0;
		*ioctls = n;
	}
	t1 = now_ns();
	return t1 - t0;
}

/* One BENCH line, plain fields (tests/gmem/bench.sh makes the table): size path dir reps,
 * per repetition ioctls and hypercalls, ns per ioctl, pages per second, table pages after -
 * before (VM, host CPU, host IOMMU 0), per repetition SMMU commands, CMD_SYNCs, TLBI_S2_IPA,
 * TLBI_S12_VMALL, failed ioctls, EL2 instructions (0 unless counted). */
static void bprint(const char *size, const char *path, const char *dir, const struct bsum *s,
		   unsigned int n)
{
	unsigned long long r = s->reps ? s->reps : 1;

	out("BENCH %s %s %s %u %llu %llu %llu %llu %lld %lld %lld %llu %llu %llu %llu %u %llu\n",
	    size, path, dir, s->reps, s->ioctls / r, s->hvcs / r,
	    s->ns / (s->ioctls ? s->ioctls : 1),
	    s->ns ? (unsigned long long)n * r * 1000000000ULL / s->ns : 0, s->dvm, s->dht, s->dit,
	    s->cmds / r, s->syncs / r, s->inv_ipa / r, s->inv_all / r, s->errors, s->el2 / r);
}

/*
 * One row pair: DATA pages [first, first + n), @reps times: the guest offers the range
 * (MEM_SHARE of every page, not timed), the VMM converts it to shared, then back to private;
 * counters read before and after each conversion, outside the timed part.
 */
static void bench_one(struct vm *v, const char *size, unsigned int first, unsigned int n,
		      unsigned int reps, int naive)
{
	unsigned long long pa = pa_of(RAM_GPA + DPAGE(first)), ns, ioctls;
	struct bsum sh, bk;
	struct bsnap a, b;
	unsigned int r;
	long rc;

	memset(&sh, 0, sizeof(sh));
	memset(&bk, 0, sizeof(bk));
	for (r = 0; r < reps; r++) {
		rc = gcmd(v, OP_SHARE, first, n);
		if (rc) {
			out("# bench: the guest's MEM_SHARE of %u pages at %u: %ld\n", n, first,
			    rc);
			sh.errors++;
			break;
		}
		bsnap(v, pa, &a);
		ns = bconvert(v, first, n, naive, 0, &sh.errors, &ioctls);
		bsnap(v, pa, &b);
		bsum_add(&sh, &a, &b, ns, ioctls);
		bsnap(v, pa, &a);
		ns = bconvert(v, first, n, naive, PRIV, &bk.errors, &ioctls);
		bsnap(v, pa, &b);
		bsum_add(&bk, &a, &b, ns, ioctls);
	}
	bprint(size, naive ? "naive" : "range", "to-sh", &sh, n);
	bprint(size, naive ? "naive" : "range", "to-pr", &bk, n);
}

static void gig_bench(struct vm *v); /* gmem1g.c */

static int bench(const char *image)
{
	static unsigned char img[64 * 1024] __attribute__((aligned(4096)));
	unsigned long long img_size;
	struct vm v;
	long n, rc;
	int i;

	ram_size = BENCH_RAM;
	n = read_file(image, img, sizeof(img));
	if (n <= 0 || vm_create(&v, LOCKSTEP_GMEM_FLAG_VMM_CONVERTS)) {
		out("# bench: VM setup failed: %s\n", errname(n));
		vm_close(&v);
		return 1;
	}
	img_size = ((unsigned long long)n + PAGE - 1) & ~(PAGE - 1);
	rc = vm_start(&v, img, img_size);
	if (!rc)
		rc = vm_until_cmd(&v);
	if (!rc)
		rc = gcmd(&v, OP_FILL, 0, 2048);
	if (rc) {
		out("# bench: the guest did not start: %ld\n", rc);
		vm_close(&v);
		return 1;
	}
	out("# guest_memfd %llu MiB at GPA 0x%llx; DATA (2 MiB-aligned) at GPA 0x%llx; QEMU TCG\n",
	    ram_size >> 20, RAM_GPA, RAM_GPA + DATA_OFF);
	for (i = 0; i < 2; i++) {
		bench_one(&v, "4KiB", 5, 1, 16, i);    /* a page inside a 2 MiB block */
		bench_one(&v, "2MiB", 512, 512, 3, i); /* one whole 2 MiB block */
		bench_one(&v, "8MiB", 0, 2048, 1, i);  /* four whole blocks */
		bench_one(&v, "64KiB", 600, 16, 4, i); /* 16 pages inside a block */
	}
	gig_bench(&v); /* gmem1g.c */
	rc = gcmd(&v, OP_CHECK, 0, 2048);
	out("# bench: after every conversion the guest's 2048 pages hold their data: %s (%ld bad)\n",
	    rc == 0 ? "yes" : "NO", rc);
	rc = gcmd(&v, OP_DONE, 0, 0);
	vm_close(&v);
	return rc != 0;
}

#include "gmem1g.c" /* the 1 GiB guest_memfd tests */

int main(int argc, char **argv)
{
	struct lockstep_global_stats g0, g1;

	if (argc != 4 && !(argc == 3 && !memcmp(argv[1], "-b", 3))) {
		err("usage: gmemtest IMAGE BDF GROUP | gmemtest -b IMAGE\n");
		return 1;
	}
	sysfd = open_("/dev/lockstep", O_RDWR_);
	if (sysfd < 0) {
		err("gmemtest: /dev/lockstep: %s\n", errname(sysfd));
		return 1;
	}
	if (argc == 3)
		return bench(argv[2]);
	out("PLAN %d\n", NCHECKS);
	if (edu_open(argv[2], argv[3]))
		out("# edu %s (group %s): VFIO open failed\n", argv[2], argv[3]);
	gstats(&g0);
	fd_tests();
	guest_tests(argv[1]);
	gig_tests(argv[1]);
	gstats(&g1);
	verdict(g1.vms == g0.vms && g1.pages_held == g0.pages_held &&
			g1.gmem_pages == g0.gmem_pages &&
			g1.reclaimed_nonzero == g0.reclaimed_nonzero,
		"after close: no VM, no page held, no guest_memfd page left, every page came back zero",
		0);
	out("# gmemtest: %u checks, %u failed; conversions: %llu hypercalls, %llu pages\n", nchecks,
	    nfailed, g1.convert_hvcs - g0.convert_hvcs, g1.convert_pages - g0.convert_pages);
	return nchecks == NCHECKS ? 0 : 3;
}
