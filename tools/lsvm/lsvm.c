// SPDX-License-Identifier: GPL-2.0-only
/*
 * lsvm: a small VMM for Lockstep's protected VMs, and the reference user of docs/uapi.md.
 *
 *   lsvm [-n VCPUS] [-m RAM_MIB] [-P POP_MIB] [-S STOPFILE] [-q] IMAGE
 *
 * Creates a VM with VCPUS vCPUs (one thread each; vCPU 0 starts at the image, the others are
 * created off and wait for the guest's PSCI CPU_ON), a guest_memfd of RAM_MIB MiB bound at
 * GPA 0x80000000 (memslot 0), loads the flat IMAGE at its start with LOCKSTEP_POPULATE (the
 * rest of RAM, or of its first POP_MIB MiB with -P, populated with zeros), sets PC = 0x80000000, x0 = 0, and runs it until the guest
 * shuts down. The guest sees one device, the lsvm console, at GPA 0x09000000 (MMIO exits):
 *
 *   0x09000000  write 1 byte: the character is printed (lines per vCPU, whole lines at a time)
 *   0x09000008  write: the guest's exit status, lsvm's own at the end (default 0)
 *   0x09000010  read: 1 if STOPFILE exists (-S), else 0 (a doorbell a spinning guest polls)
 *   0x09000018  write: ignored (a sink for round-trip measurements)
 *
 * Any other MMIO, and every memory fault reported to user space, is refused (the guest takes
 * an external abort). When the guest shares a page (MEM_SHARE), lsvm reads it through its
 * mmap of the guest_memfd and writes LSVM_SHARE_MAGIC at offset 8; when it unshares it, lsvm
 * checks in a child process that reading it now fails (SIGBUS). At the end: the exit
 * statistics of all vCPUs ("lsvm: exits: ..."), the VM's page accounting, and exit status =
 * the guest's (SYSTEM_OFF) or 128 + 2 after SYSTEM_RESET, 1 on an error.
 */
#include <asm/ioctl.h>
#include <lockstep/lockstep-uapi.h>

#include "rt.h"

#define RAM_GPA		 0x80000000ULL
#define CONSOLE_GPA	 0x09000000ULL
#define CONSOLE_STATUS	 (CONSOLE_GPA + 0x8)
#define CONSOLE_DOOR	 (CONSOLE_GPA + 0x10)
#define CONSOLE_SINK	 (CONSOLE_GPA + 0x18)
#define LSVM_SHARE_MAGIC 0x6c73766d2d6f6b21ULL /* "lsvm-ok!" */
#define PAGE		 4096ULL
#define MAX_IMAGE	 (16ULL << 20)

struct vcpu {
	int index, fd;
	struct lockstep_run *run;
	struct thread thr;
	char line[1024]; /* a console line (longer ones are split, no byte lost) */
	unsigned int len;
	long error;
	int shutdown_type;
	unsigned long long mmio_refused, faults_refused, share_reads, unshare_sigbus,
		unshare_readable;
};

static struct {
	int sys, vm, gmem;
	unsigned int nvcpus;
	unsigned long long ram, pop;
	unsigned char *shared; /* mmap of the whole guest_memfd */
	const char *stopfile;
	int quiet;
	volatile int status;
	struct vcpu vcpus[LOCKSTEP_MAX_VCPUS];
} g;

static long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return sys(NR_IOCTL, fd, cmd, arg);
}

static void console_byte(struct vcpu *v, char c)
{
	if (c == '\n' || v->len == sizeof(v->line) - 1) {
		v->line[v->len] = 0;
		out("%s\n", v->line);
		v->len = 0;
		if (c == '\n')
			return;
	}
	v->line[v->len++] = c;
}

static int mmio(struct vcpu *v)
{
	struct lockstep_run *run = v->run;
	unsigned long long addr = run->mmio.phys_addr, val = 0;
	unsigned int i;

	for (i = 0; i < run->mmio.len && i < 8; i++)
		val |= (unsigned long long)run->mmio.data[i] << (8 * i);
	if (run->mmio.is_write && addr == CONSOLE_GPA) {
		console_byte(v, (char)val);
		return 0;
	}
	if (run->mmio.is_write && addr == CONSOLE_SINK)
		return 0;
	if (run->mmio.is_write && addr == CONSOLE_STATUS) {
		g.status = (int)val;
		return 0;
	}
	if (!run->mmio.is_write && addr >= CONSOLE_GPA && addr < CONSOLE_GPA + 0x20) {
		val = addr == CONSOLE_DOOR && g.stopfile && file_exists(g.stopfile);
		for (i = 0; i < 8; i++)
			run->mmio.data[i] = (unsigned char)(val >> (8 * i));
		return 0;
	}
	/* No device there: refuse, the guest takes an external abort. */
	v->mmio_refused++;
	run->inject_abort = 1;
	if (!g.quiet)
		err("lsvm: vcpu %d: MMIO %s of %u bytes at 0x%llx refused\n", v->index,
		    run->mmio.is_write ? "write" : "read", run->mmio.len, addr);
	return 0;
}

static void probe_read(void *p)
{
	volatile unsigned long long *q = p;

	out("lsvm: child read 0x%llx\n", *q);
}

/* The guest shared or unshared a range: look at it through the guest_memfd mapping. */
static void mem_share(struct vcpu *v, int share)
{
	struct lockstep_run *run = v->run;
	unsigned long long gpa = run->mem_share.gpa, size = run->mem_share.size;
	volatile unsigned long long *p;
	long st;

	out("lsvm: vcpu %d: guest %s gpa 0x%llx size 0x%llx: %s\n", v->index,
	    share ? "shared" : "unshared", gpa, size, errname(run->mem_share.result));
	if (run->mem_share.result || gpa < RAM_GPA || gpa + size > RAM_GPA + g.ram || !size)
		return;
	p = (volatile unsigned long long *)(g.shared + (gpa - RAM_GPA));
	if (share) {
		out("lsvm: shared page reads 0x%llx; writing 0x%llx at +8\n", p[0],
		    LSVM_SHARE_MAGIC);
		p[1] = LSVM_SHARE_MAGIC;
		v->share_reads++;
		return;
	}
	st = in_child(probe_read, (void *)p);
	if (st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_) {
		out("lsvm: unshared page: host read refused (SIGBUS)\n");
		v->unshare_sigbus++;
	} else {
		out("lsvm: unshared page: host read NOT refused (wait status 0x%lx)\n", st);
		v->unshare_readable++;
	}
}

static void vcpu_loop(void *arg)
{
	struct vcpu *v = arg;
	struct lockstep_run *run = v->run;
	long r;

	for (;;) {
		r = xioctl(v->fd, LOCKSTEP_RUN, 0);
		if (r == -EINTR_)
			continue;
		if (r < 0) {
			err("lsvm: vcpu %d: LOCKSTEP_RUN: %s\n", v->index, errname(r));
			v->error = r;
			return;
		}
		switch (run->exit_reason) {
		case LOCKSTEP_EXIT_MMIO:
			mmio(v);
			break;
		case LOCKSTEP_EXIT_MEMORY_FAULT:
			/* Nothing can be populated after the first run: refuse. */
			v->faults_refused++;
			if (!g.quiet)
				err("lsvm: vcpu %d: memory fault gpa 0x%llx size 0x%llx%s refused\n",
				    v->index, run->memory_fault.gpa, run->memory_fault.size,
				    run->memory_fault.flags & LOCKSTEP_MEMORY_EXIT_FLAG_PRIVATE ?
					    " (private)" :
					    "");
			run->inject_abort = 1;
			break;
		case LOCKSTEP_EXIT_MEM_SHARE:
		case LOCKSTEP_EXIT_MEM_UNSHARE:
			mem_share(v, run->exit_reason == LOCKSTEP_EXIT_MEM_SHARE);
			break;
		case LOCKSTEP_EXIT_SYSTEM_EVENT:
			v->shutdown_type = (int)run->system_event.type;
			if (v->len)
				console_byte(v, '\n');
			return;
		default:
			err("lsvm: vcpu %d: unexpected exit reason %u\n", v->index,
			    run->exit_reason);
			v->error = -5;
			return;
		}
	}
}

static void usage(void)
{
	err("usage: lsvm [-n VCPUS] [-m RAM_MIB] [-P POP_MIB] [-S STOPFILE] [-q] IMAGE\n");
	exit_(1);
}

#define CHECK(what, expr)                                                   \
	do {                                                                \
		long r_ = (expr);                                           \
		if (r_ < 0) {                                               \
			err("lsvm: %s: %s (%ld)\n", what, errname(r_), r_); \
			exit_(1);                                           \
		}                                                           \
	} while (0)

static unsigned char *load_image(const char *path, unsigned long long *size)
{
	unsigned char *buf;
	long n;

	buf = (unsigned char *)sys(NR_MMAP, 0, MAX_IMAGE, PROT_READ_ | PROT_WRITE_,
				   MAP_PRIVATE_ | MAP_ANON_, -1, 0);
	if (buf == MAP_FAILED_)
		CHECK("mmap", -12);
	n = read_file(path, buf, MAX_IMAGE);
	CHECK(path, n);
	if (n == 0 || (unsigned long long)n > g.pop) {
		err("lsvm: %s: %ld bytes: empty or larger than RAM\n", path, n);
		exit_(1);
	}
	*size = ((unsigned long long)n + PAGE - 1) & ~(PAGE - 1);
	return buf;
}

int main(int argc, char **argv)
{
	struct lockstep_create_guest_memfd gm = { 0 };
	struct lockstep_userspace_memory_region2 slot = { 0 };
	struct lockstep_populate pop = { 0 };
	struct lockstep_run_counters sum = { 0 };
	struct lockstep_vm_stats vst;
	struct lockstep_one_reg reg;
	unsigned long long v, img_size, zero = 0, pc = RAM_GPA, refused = 0, freds = 0, shr = 0,
					sigbus = 0, readable = 0;
	unsigned char *img;
	const char *image = 0;
	long mmap_size, r, t0, t1;
	unsigned int i, j;
	int failed = 0, reset = 0;

	g.nvcpus = 1;
	g.ram = 2ULL << 20;
	for (i = 1; i < (unsigned int)argc; i++) {
		if (streq(argv[i], "-n") && i + 1 < (unsigned int)argc) {
			if (parse_u64(argv[++i], &v) || !v || v > LOCKSTEP_MAX_VCPUS)
				usage();
			g.nvcpus = (unsigned int)v;
		} else if (streq(argv[i], "-m") && i + 1 < (unsigned int)argc) {
			if (parse_u64(argv[++i], &v) || !v || v > 1024)
				usage();
			g.ram = v << 20;
		} else if (streq(argv[i], "-P") && i + 1 < (unsigned int)argc) {
			if (parse_u64(argv[++i], &v) || !v || v > 1024)
				usage();
			g.pop = v << 20;
		} else if (streq(argv[i], "-S") && i + 1 < (unsigned int)argc) {
			g.stopfile = argv[++i];
		} else if (streq(argv[i], "-q")) {
			g.quiet = 1;
		} else if (argv[i][0] != '-' && !image) {
			image = argv[i];
		} else {
			usage();
		}
	}
	if (!image || g.pop > g.ram)
		usage();
	if (!g.pop)
		g.pop = g.ram;
	img = load_image(image, &img_size);

	/* docs/uapi.md "A complete example" is this sequence. */
	g.sys = open_("/dev/lockstep", O_RDWR_);
	CHECK("open /dev/lockstep", g.sys);
	r = xioctl(g.sys, LOCKSTEP_GET_API_VERSION, 0);
	if (r != LOCKSTEP_API_VERSION) {
		err("lsvm: API version %ld, expected %d\n", r, LOCKSTEP_API_VERSION);
		return 1;
	}
	g.vm = (int)xioctl(g.sys, LOCKSTEP_CREATE_VM, 0);
	CHECK("LOCKSTEP_CREATE_VM", g.vm);
	mmap_size = xioctl(g.sys, LOCKSTEP_GET_VCPU_MMAP_SIZE, 0);
	CHECK("LOCKSTEP_GET_VCPU_MMAP_SIZE", mmap_size);

	gm.size = g.ram;
	g.gmem = (int)xioctl(g.vm, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm);
	CHECK("LOCKSTEP_CREATE_GUEST_MEMFD", g.gmem);
	slot.slot = 0;
	slot.flags = LOCKSTEP_MEM_GUEST_MEMFD;
	slot.guest_phys_addr = RAM_GPA;
	slot.memory_size = g.ram;
	slot.guest_memfd = (unsigned int)g.gmem;
	slot.guest_memfd_offset = 0;
	CHECK("LOCKSTEP_SET_USER_MEMORY_REGION2",
	      xioctl(g.vm, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&slot));
	g.shared = (unsigned char *)sys(NR_MMAP, 0, g.ram, PROT_READ_ | PROT_WRITE_, MAP_SHARED_,
					g.gmem, 0);
	if (g.shared == MAP_FAILED_)
		CHECK("mmap guest_memfd", -12);

	pop.gpa = RAM_GPA;
	pop.uaddr = (unsigned long long)img;
	pop.size = img_size;
	CHECK("LOCKSTEP_POPULATE (image)", xioctl(g.vm, LOCKSTEP_POPULATE, (unsigned long)&pop));
	if (img_size < g.pop) {
		pop.gpa = RAM_GPA + img_size;
		pop.uaddr = 0;
		pop.size = g.pop - img_size;
		pop.flags = LOCKSTEP_POPULATE_ZERO;
		CHECK("LOCKSTEP_POPULATE (zeros)",
		      xioctl(g.vm, LOCKSTEP_POPULATE, (unsigned long)&pop));
	}

	for (i = 0; i < g.nvcpus; i++) {
		struct vcpu *vc = &g.vcpus[i];

		vc->index = (int)i;
		vc->fd = (int)xioctl(g.vm, LOCKSTEP_CREATE_VCPU,
				     i | (i ? LOCKSTEP_CREATE_VCPU_POWER_OFF : 0));
		CHECK("LOCKSTEP_CREATE_VCPU", vc->fd);
		vc->run = (struct lockstep_run *)sys(
			NR_MMAP, 0, mmap_size, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, vc->fd, 0);
		if ((void *)vc->run == MAP_FAILED_)
			CHECK("mmap vcpu", -12);
	}
	/* vCPU 0: PC at the image, x0 = 0 (vCPUs 1.. get theirs from CPU_ON). */
	reg.id = LOCKSTEP_REG_PC;
	reg.addr = (unsigned long long)&pc;
	CHECK("SET_ONE_REG pc", xioctl(g.vcpus[0].fd, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	reg.id = LOCKSTEP_REG_X(0);
	reg.addr = (unsigned long long)&zero;
	CHECK("SET_ONE_REG x0", xioctl(g.vcpus[0].fd, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	if (!g.quiet && xioctl(g.vm, LOCKSTEP_VM_GET_STATS, (unsigned long)&vst) == 0)
		out("lsvm: vm %llu: %s: %llu bytes at 0x%llx, %llu MiB RAM, %u vCPU%s\n", vst.vm_id,
		    image, img_size, RAM_GPA, g.ram >> 20, g.nvcpus, g.nvcpus > 1 ? "s" : "");

	t0 = now_ms();
	for (i = 0; i < g.nvcpus; i++)
		CHECK("thread", thread_start(&g.vcpus[i].thr, vcpu_loop, &g.vcpus[i]));
	for (i = 0; i < g.nvcpus; i++)
		thread_join(&g.vcpus[i].thr);
	t1 = now_ms();

	for (i = 0; i < g.nvcpus; i++) {
		struct vcpu *vc = &g.vcpus[i];
		__u64 *s = (__u64 *)&sum, *c = (__u64 *)&vc->run->counters;

		for (j = 0; j < sizeof(sum) / sizeof(__u64); j++)
			s[j] += c[j];
		refused += vc->mmio_refused;
		freds += vc->faults_refused;
		shr += vc->share_reads;
		sigbus += vc->unshare_sigbus;
		readable += vc->unshare_readable;
		failed |= vc->error != 0;
		reset |= vc->shutdown_type == LOCKSTEP_SYSTEM_EVENT_RESET;
	}
	out("lsvm: exits: mmio %llu, irq %llu, wfx %llu, cpu_on %llu, cpu_off_waits %llu, "
	    "memory_fault %llu, refused_faults %llu, mem_share %llu, mem_unshare %llu, "
	    "signals %llu, aborts_injected %llu, runs %llu\n",
	    sum.mmio, sum.irq, sum.wfx, sum.cpu_on, sum.cpu_off_waits, sum.memory_fault,
	    sum.refused_faults, sum.mem_share, sum.mem_unshare, sum.signals, sum.aborts_injected,
	    sum.runs);
	out("lsvm: ran %ld ms, %llu returns to user space\n", t1 - t0, sum.exits_user);
	out("lsvm: vmm: mmio_refused %llu, faults_refused %llu, share_reads %llu, "
	    "unshare_sigbus %llu, unshare_readable %llu\n",
	    refused, freds, shr, sigbus, readable);
	if (xioctl(g.vm, LOCKSTEP_VM_GET_STATS, (unsigned long)&vst) == 0)
		out("lsvm: vm %llu: pool_pages %llu, vcpu_pages %llu, populated %llu, shared %llu, "
		    "enomem_retries %llu; hyp: pages %llu, vcpus %llu, runs %llu, exits %llu, "
		    "guest_hvc %llu, guest_errors %llu\n",
		    vst.vm_id, vst.pool_pages, vst.vcpu_pages, vst.populated_pages,
		    vst.shared_pages, vst.enomem_retries, vst.hyp[0], vst.hyp[1], vst.hyp[2],
		    vst.hyp[3], vst.hyp[4], vst.hyp[5]);
	if (failed)
		return 1;
	if (reset)
		return 128 + 2;
	out("lsvm: guest shut down, status %d\n", g.status);
	return g.status;
}
