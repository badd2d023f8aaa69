// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-vm: a VMM that gives a protected VM a device the standard way (docs/iommu.md "Devices of
 * protected VMs", docs/uapi.md "LOCKSTEP_VM_ASSIGN_DEVICE"): it opens QEMU's edu with VFIO
 * (container, type1v2, group, device fd, BAR 0 mmap), creates a VM from the devdma guest
 * (tests/guest/devdma.c) and hands the VFIO group fd to LOCKSTEP_VM_ASSIGN_DEVICE. The edu's
 * registers stay the VMM's (BAR 0 is not moved into the VM); the edu's DMA translates through
 * the VM's stage 2 (IOVA = GPA). Run by tests/vfiovm/lstest.
 *
 *   vfio-vm BDF GROUP GUEST_IMAGE [hold|hold-nodev]
 *
 * With "hold": open, create the VM, assign, print "# holding", then sleep until killed (the
 * shell kills it with SIGKILL: the VM's teardown must give the device back). "hold-nodev" closes
 * the device fd (and BAR mapping) after the assignment, so that the shell can remove the device
 * from the PCI bus while the VM has it.
 *
 * Prints "ok - NAME" / "not ok - NAME" per check and "# ..." diagnostics (the shell wraps them
 * as TAP), then "# vfio-vm: N failed". Guest lines ("devdma: ok - ...") are printed as they come.
 * Freestanding, on tools/lsvm's run time (raw syscalls, no C library).
 */
#include <asm/ioctl.h>
#include <linux/vfio.h>
#include <lockstep/abi.h>
#include <lockstep/lockstep-uapi.h>

#include "../../tools/lsvm/rt.h"

#define NR_PREAD64    67
#define NR_PWRITE64   68
#define MAP_POPULATE_ 0x8000

#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_CNT   0x90
#define EDU_DMA_CMD   0x98
#define EDU_BUF	      0x40000UL
#define EDU_CMD_START 1
#define EDU_CMD_TORAM 2

#define PG	    4096UL
#define RAM_GPA	    0x80000000ULL
#define RAM_SIZE    (2ULL << 20)
#define CONSOLE_GPA 0x09000000ULL
#define CON_STATUS  0x09000008ULL
#define DEV_DMA	    0x09000020ULL /* tests/guest/devdma.c */
#define DEV_SUM	    0x09000028ULL
#define DMA_MAGIC   0x6564752d646d6121ULL
#define IOVA_SRC    0x1000000UL /* the VMM's own buffers in its VFIO container */
#define IOVA_DST    0x1001000UL
#define EDU_GPA	    0x40000000ULL /* mode "bar": BAR 0 in the VM (tests/guest/devbar.c) */
#define EDU_IDENT   0x010000edU

static int fails;
static const char *raw_path = "/sys/kernel/debug/lockstep/raw_hvc";
static const char *lsi_path = "/sys/kernel/debug/lockstep-iommu/stats";

static struct {
	int cont, group, dev, sys, vm, gmem, vcpu;
	volatile unsigned char *bar;
	unsigned long bar_size, cfg_off;
	unsigned char *shared; /* mmap of the guest_memfd */
	struct lockstep_run *run;
	unsigned long long *pattern, *back; /* the VMM's buffers (IOVA_SRC, IOVA_DST) */
	unsigned long long want_sum;
	unsigned int ndma, nsum;
	unsigned int sum_lo;
	int status;
	char line[256];
	unsigned int len;
	unsigned int mmio_exits, bar_exits; /* mode "bar": the VM's MMIO exits, those in the BAR */
} g;

static void check(int ok, const char *name)
{
	out("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok)
		fails++;
}

static long xioctl(int fd, unsigned long req, const void *arg)
{
	return sys(NR_IOCTL, fd, req, arg);
}

static unsigned long long hexnum(const char **s)
{
	const char *p = *s;
	unsigned long long v = 0;

	while (*p == ' ' || *p == '\n')
		p++;
	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 :
						 -1;

		if (d < 0)
			break;
		v = v * 16 + (unsigned long long)d;
	}
	*s = p;
	return v;
}

/* LS_HVC_SMMU_STATS(LS_SMMU_STAT_FAULTS) through lockstep.ko's raw_hvc: fault records so far. */
static unsigned long long smmu_faults(void)
{
	char buf[128];
	const char *p = buf;
	unsigned long long x0, x1;
	int fd = open_(raw_path, 1);
	long n;

	if (fd < 0)
		return ~0ULL;
	pr(fd, "0x%lx 0x%lx\n", (unsigned long)LS_HVC_SMMU_STATS,
	   (unsigned long)LS_SMMU_STAT_FAULTS);
	sys(NR_CLOSE, fd);
	fd = open_(raw_path, O_RDONLY_);
	if (fd < 0)
		return ~0ULL;
	n = sys(NR_READ, fd, buf, sizeof(buf) - 1);
	sys(NR_CLOSE, fd);
	if (n <= 0)
		return ~0ULL;
	buf[n] = 0;
	x0 = hexnum(&p);
	x1 = hexnum(&p);
	return x0 == 0 ? x1 : ~0ULL;
}

/* A counter of lockstep-iommu's debugfs stats ("name value" lines). */
static unsigned long long lsi_stat(const char *name)
{
	static char buf[2048];
	unsigned long len = strlen(name);
	const char *p = buf;
	long n = read_file(lsi_path, buf, sizeof(buf) - 1);
	unsigned long long v;

	if (n <= 0)
		return ~0ULL;
	buf[n] = 0;
	while (*p) {
		if (!memcmp(p, name, len) && p[len] == ' ') {
			p += len + 1;
			v = 0;
			while (*p >= '0' && *p <= '9')
				v = v * 10 + (unsigned long long)(*p++ - '0');
			return v;
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return ~0ULL;
}

/* --- VFIO and the edu ---------------------------------------------------------------------- */

static long map_dma(void *va, unsigned long iova)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (unsigned long)va,
		.iova = iova,
		.size = PG,
	};

	return xioctl(g.cont, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap_dma(unsigned long iova)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = PG };

	return xioctl(g.cont, VFIO_IOMMU_UNMAP_DMA, &u);
}

static void wr64(unsigned long off, unsigned long long v)
{
	*(volatile unsigned long long *)(g.bar + off) = v;
}

/* One edu DMA of 4 KiB; 0 when the edu reports it done (faulted or not). */
static int edu_dma(unsigned long long src, unsigned long long dst, unsigned long cmd)
{
	long t0 = now_ms();

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_CNT, PG);
	wr64(EDU_DMA_CMD, cmd | EDU_CMD_START);
	while (*(volatile unsigned long long *)(g.bar + EDU_DMA_CMD) & EDU_CMD_START) {
		if (now_ms() - t0 > 5000) {
			out("# edu DMA still busy after 5 s\n");
			return -1;
		}
		sleep_ms(2);
	}
	return 0;
}

static int vfio_open(const char *bdf, const char *grp)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	char path[32] = "/dev/vfio/";
	unsigned long n = strlen(path), i;
	unsigned short cmd;

	for (i = 0; grp[i] && n < sizeof(path) - 1; i++)
		path[n++] = grp[i];
	path[n] = 0;
	g.cont = open_("/dev/vfio/vfio", O_RDWR_);
	g.group = open_(path, O_RDWR_);
	if (g.cont < 0 || g.group < 0) {
		out("# open container %d, group %s %d\n", g.cont, path, g.group);
		return -1;
	}
	if (xioctl(g.group, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    xioctl(g.group, VFIO_GROUP_SET_CONTAINER, &g.cont) ||
	    sys(NR_IOCTL, g.cont, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		out("# group %s: status 0x%x, container or type1v2 refused\n", path, st.flags);
		return -1;
	}
	g.dev = (int)xioctl(g.group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (g.dev < 0 || xioctl(g.dev, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
		out("# %s: device fd %d or BAR 0 info refused\n", bdf, g.dev);
		return -1;
	}
	g.bar = (void *)sys(NR_MMAP, 0, ri.size, PROT_READ_ | PROT_WRITE_, MAP_SHARED_, g.dev,
			    ri.offset);
	if ((long)g.bar < 0 && (long)g.bar > -4096)
		return -1;
	g.bar_size = ri.size;
	ri.argsz = sizeof(ri);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	if (xioctl(g.dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -1;
	g.cfg_off = ri.offset;
	/* PCI Command: memory space and bus master (vfio-pci leaves DMA off). */
	if (sys(NR_PREAD64, g.dev, &cmd, 2, g.cfg_off + 4) != 2)
		return -1;
	cmd |= 0x6;
	return sys(NR_PWRITE64, g.dev, &cmd, 2, g.cfg_off + 4) == 2 ? 0 : -1;
}

static unsigned long long page_sum(const volatile unsigned long long *p)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	unsigned int i;

	for (i = 0; i < 512; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* --- the VM -------------------------------------------------------------------------------- */

static long assign(int vm, unsigned int fd, unsigned int flags, int release)
{
	struct lockstep_assign_device a = { .fd = fd, .flags = flags };

	return xioctl(vm, release ? LOCKSTEP_VM_RELEASE_DEVICE : LOCKSTEP_VM_ASSIGN_DEVICE, &a);
}

static int vm_create(const char *image)
{
	struct lockstep_create_guest_memfd gm = { .size = RAM_SIZE };
	struct lockstep_userspace_memory_region2 slot = { 0 };
	struct lockstep_populate pop = { 0 };
	struct lockstep_one_reg reg;
	unsigned long long pc = RAM_GPA, zero = 0, size;
	unsigned char *img;
	long n, msize;

	img = (unsigned char *)sys(NR_MMAP, 0, RAM_SIZE, PROT_READ_ | PROT_WRITE_,
				   MAP_PRIVATE_ | MAP_ANON_, -1, 0);
	n = read_file(image, img, RAM_SIZE);
	if (n <= 0) {
		out("# %s: %s\n", image, errname(n));
		return -1;
	}
	size = ((unsigned long long)n + PG - 1) & ~(PG - 1);
	g.sys = open_("/dev/lockstep", O_RDWR_);
	g.vm = (int)sys(NR_IOCTL, g.sys, LOCKSTEP_CREATE_VM, 0);
	msize = sys(NR_IOCTL, g.sys, LOCKSTEP_GET_VCPU_MMAP_SIZE, 0);
	g.gmem = (int)xioctl(g.vm, LOCKSTEP_CREATE_GUEST_MEMFD, &gm);
	if (g.sys < 0 || g.vm < 0 || msize <= 0 || g.gmem < 0) {
		out("# /dev/lockstep %d, VM %d, gmem %d\n", g.sys, g.vm, g.gmem);
		return -1;
	}
	slot.flags = LOCKSTEP_MEM_GUEST_MEMFD;
	slot.guest_phys_addr = RAM_GPA;
	slot.memory_size = RAM_SIZE;
	slot.guest_memfd = (unsigned int)g.gmem;
	if (xioctl(g.vm, LOCKSTEP_SET_USER_MEMORY_REGION2, &slot))
		return -1;
	g.shared = (unsigned char *)sys(NR_MMAP, 0, RAM_SIZE, PROT_READ_ | PROT_WRITE_, MAP_SHARED_,
					g.gmem, 0);
	pop.gpa = RAM_GPA;
	pop.uaddr = (unsigned long long)img;
	pop.size = size;
	if (g.shared == MAP_FAILED_ || xioctl(g.vm, LOCKSTEP_POPULATE, &pop))
		return -1;
	pop.gpa = RAM_GPA + size;
	pop.uaddr = 0;
	pop.size = RAM_SIZE - size;
	pop.flags = LOCKSTEP_POPULATE_ZERO;
	if (xioctl(g.vm, LOCKSTEP_POPULATE, &pop))
		return -1;
	g.vcpu = (int)sys(NR_IOCTL, g.vm, LOCKSTEP_CREATE_VCPU, 0);
	g.run = (struct lockstep_run *)sys(NR_MMAP, 0, msize, PROT_READ_ | PROT_WRITE_, MAP_SHARED_,
					   g.vcpu, 0);
	if (g.vcpu < 0 || (void *)g.run == MAP_FAILED_)
		return -1;
	reg.id = LOCKSTEP_REG_PC;
	reg.addr = (unsigned long long)&pc;
	if (xioctl(g.vcpu, LOCKSTEP_SET_ONE_REG, &reg))
		return -1;
	reg.id = LOCKSTEP_REG_X(0);
	reg.addr = (unsigned long long)&zero;
	return xioctl(g.vcpu, LOCKSTEP_SET_ONE_REG, &reg) ? -1 : 0;
}

static void peek_child(void *p)
{
	out("# host read of the page: 0x%llx\n", *(volatile unsigned long long *)p);
}

/* The guest's DEV_DMA: the edu writes its buffer (the VMM's pattern) at @gpa. */
static void dev_dma(unsigned long long gpa)
{
	unsigned long long f0 = smmu_faults(), f1;
	volatile unsigned long long *host = (void *)(g.shared + (gpa - RAM_GPA));
	long st;

	edu_dma(EDU_BUF, gpa, EDU_CMD_TORAM);
	f1 = smmu_faults();
	out("# DMA %u to gpa 0x%llx: SMMU fault records %llu -> %llu\n", g.ndma, gpa, f0, f1);
	switch (g.ndma++) {
	case 0:
		check(f1 == f0 && f0 != ~0ULL,
		      "assigned: the edu's DMA to the guest's private page does not fault");
		st = in_child(peek_child, (void *)host);
		check(st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_,
		      "the host cannot read that private page (guest_memfd mmap: SIGBUS)");
		break;
	case 1:
		check(f1 == f0,
		      "assigned: the edu's DMA to the page the guest shared does not fault");
		check(!memcmp((void *)host, g.pattern, PG),
		      "the device's data in the shared page is what the host sees through the gmem mmap");
		break;
	case 2:
		check(f1 == f0,
		      "assigned: the edu's DMA to the page unshared again does not fault");
		st = in_child(peek_child, (void *)host);
		check(st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_,
		      "the host can no longer read that page once unshared (SIGBUS)");
		break;
	default:
		check(f1 != ~0ULL && f1 > f0,
		      "assigned: a DMA to a GPA outside the VM's memory faults (SMMU event counted)");
		break;
	}
}

static const char *const sum_names[] = {
	"the guest read the device's data in its private page",
	"the guest read the device's data in its shared page",
	"the guest read the device's data in the page unshared again",
};

static void mmio(void)
{
	struct lockstep_run *run = g.run;
	unsigned long long addr = run->mmio.phys_addr, val = 0, sum;
	unsigned int i;

	for (i = 0; i < run->mmio.len && i < 8; i++)
		val |= (unsigned long long)run->mmio.data[i] << (8 * i);
	g.mmio_exits++;
	if (addr - EDU_GPA < g.bar_size)
		g.bar_exits++;
	if (!run->mmio.is_write) {
		run->inject_abort = 1;
		return;
	}
	if (addr == CONSOLE_GPA) {
		if (val == '\n' || g.len == sizeof(g.line) - 1) {
			g.line[g.len] = 0;
			out("%s\n", g.line);
			g.len = 0;
		}
		if (val != '\n')
			g.line[g.len++] = (char)val;
	} else if (addr == CON_STATUS) {
		g.status = (int)val;
	} else if (addr == DEV_DMA) {
		dev_dma(val);
	} else if (addr == DEV_SUM) {
		g.sum_lo = (unsigned int)val;
	} else if (addr == DEV_SUM + 4) {
		sum = g.sum_lo | val << 32;
		out("# guest checksum %u: 0x%llx (pattern 0x%llx)\n", g.nsum, sum, g.want_sum);
		check(sum == g.want_sum, sum_names[g.nsum < 3 ? g.nsum : 2]);
		g.nsum++;
	} else {
		run->inject_abort = 1;
	}
}

/* Runs the guest to its SYSTEM_OFF; 0 if it got there. */
static int vm_run(void)
{
	long r;

	for (;;) {
		r = sys(NR_IOCTL, g.vcpu, LOCKSTEP_RUN, 0);
		if (r == -EINTR_)
			continue;
		if (r < 0) {
			out("# LOCKSTEP_RUN: %s\n", errname(r));
			return -1;
		}
		switch (g.run->exit_reason) {
		case LOCKSTEP_EXIT_MMIO:
			mmio();
			break;
		case LOCKSTEP_EXIT_MEM_SHARE:
		case LOCKSTEP_EXIT_MEM_UNSHARE:
			out("# guest %s gpa 0x%llx: %s\n",
			    g.run->exit_reason == LOCKSTEP_EXIT_MEM_SHARE ? "shared" : "unshared",
			    g.run->mem_share.gpa, errname(g.run->mem_share.result));
			break;
		case LOCKSTEP_EXIT_SYSTEM_EVENT:
			return 0;
		default:
			out("# exit reason %u\n", g.run->exit_reason);
			return -1;
		}
	}
}

/* --- the test ------------------------------------------------------------------------------ */

static void fill(unsigned long long *p)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	unsigned int i;

	p[0] = DMA_MAGIC;
	for (i = 1; i < 512; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

/* Bad input before anything is assigned: each errno, and nothing assigned. */
static void bad_inputs(void)
{
	unsigned long long a0 = lsi_stat("vm_assigns");
	struct lockstep_assign_device a = { .fd = (unsigned int)g.group, .reserved = { 1, 0 } };

	check(assign(g.vm, (unsigned int)g.group, 1, 0) == -22, "ASSIGN with flags 1: EINVAL");
	check(xioctl(g.vm, LOCKSTEP_VM_ASSIGN_DEVICE, &a) == -22,
	      "ASSIGN with reserved set: EINVAL");
	check(assign(g.vm, 999, 0, 0) == -9, "ASSIGN of a closed fd: EBADF");
	check(assign(g.vm, (unsigned int)g.gmem, 0, 0) == -22,
	      "ASSIGN of a guest_memfd (not VFIO): EINVAL");
	check(assign(g.vm, (unsigned int)g.cont, 0, 0) == -22,
	      "ASSIGN of the VFIO container fd (not a group): EINVAL");
	check(assign(g.vm, (unsigned int)g.dev, 0, 0) == -95,
	      "ASSIGN of a VFIO device fd: EOPNOTSUPP (pass the group)");
	check(assign(g.vm, (unsigned int)g.group, 0, 1) == -2,
	      "RELEASE of a group not assigned: ENOENT");
	check(lsi_stat("vm_assigns") == a0 && a0 != ~0ULL && map_dma(g.back, IOVA_DST) == 0 &&
		      unmap_dma(IOVA_DST) == 0,
	      "the refused calls moved no stream: VFIO maps still work");
}

/* --- mode "bar": the edu's BAR 0 in the VM (LOCKSTEP_VM_MAP_DEVICE_BAR) ----------------------- */

static long map_bar(int vm, unsigned int fd, unsigned int bar, unsigned long long gpa,
		    unsigned int flags, int unmap)
{
	struct lockstep_device_bar b = { .fd = fd, .bar = bar, .gpa = gpa, .flags = flags };

	return xioctl(vm, unmap ? LOCKSTEP_VM_UNMAP_DEVICE_BAR : LOCKSTEP_VM_MAP_DEVICE_BAR, &b);
}

static void peek_bar(void *p)
{
	out("# host read of the edu's BAR 0: 0x%x\n", *(volatile unsigned int *)p);
}

/* The host's CPU read of BAR 0 through the VMM's VFIO mmap: killed by SIGBUS. */
static int host_bar_refused(void)
{
	long st = in_child(peek_bar, (void *)g.bar);

	return st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_;
}

static int host_bar_reads(void)
{
	return *(volatile unsigned int *)g.bar == EDU_IDENT;
}

static void bar_mode(void)
{
	struct lockstep_device_bar b = { .fd = (unsigned int)g.group,
					 .gpa = EDU_GPA,
					 .reserved32 = 1 };
	unsigned int exits;
	int vm2;
	long r;

	check(host_bar_reads(),
	      "bar: before: the host reads the edu's ident through its BAR 0 mmap");
	check(map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA, 0, 0) == -2,
	      "bar: MAP_DEVICE_BAR of a group not assigned to the VM: ENOENT");
	r = assign(g.vm, (unsigned int)g.group, 0, 0);
	check(r == 1, "bar: LOCKSTEP_VM_ASSIGN_DEVICE: 1 stream moved into the VM");
	check(map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA, 1, 0) == -22 &&
		      xioctl(g.vm, LOCKSTEP_VM_MAP_DEVICE_BAR, &b) == -22 &&
		      map_bar(g.vm, (unsigned int)g.group, 6, EDU_GPA, 0, 0) == -22 &&
		      map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA + 8, 0, 0) == -22 &&
		      map_bar(g.vm, (unsigned int)g.group, 1, EDU_GPA, 0, 0) == -22,
	      "bar: MAP with flags, reserved, bar 6, an unaligned GPA, an empty BAR: EINVAL");
	check(map_bar(g.vm, (unsigned int)g.cont, 0, EDU_GPA, 0, 0) == -2 &&
		      map_bar(g.vm, 999, 0, EDU_GPA, 0, 0) == -9,
	      "bar: MAP of the container fd: ENOENT, of a closed fd: EBADF");
	check(map_bar(g.vm, (unsigned int)g.group, 0, RAM_GPA, 0, 0) == -17,
	      "bar: MAP over the VM's memory: EEXIST");
	check(map_bar(g.vm, (unsigned int)g.group, 0, 1ULL << 40, 0, 0) == -34,
	      "bar: MAP beyond the VM's IPA space: ERANGE");
	check(map_bar(g.vm, (unsigned int)g.group, 0, 0, 0, 1) == -2,
	      "bar: UNMAP of a BAR the VM does not have: ENOENT");
	check(host_bar_reads(), "bar: after the refused calls the host still reads BAR 0");

	r = map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA, 0, 0);
	out("# LOCKSTEP_VM_MAP_DEVICE_BAR BAR 0 at GPA 0x%llx: %s\n", EDU_GPA, errname(r));
	check(r == 0, "bar: LOCKSTEP_VM_MAP_DEVICE_BAR: the edu's BAR 0 at GPA 0x40000000");
	check(map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA + 0x200000, 0, 0) == -17,
	      "bar: MAP of the same BAR again: EEXIST");
	check(host_bar_refused(), "bar: while the VM has it, the host's read of BAR 0 is refused "
				  "(SIGBUS)");

	exits = g.mmio_exits;
	check(vm_run() == 0 && g.status == 0,
	      "bar: the devbar guest ran to SYSTEM_OFF with 0 failures");
	out("# MMIO exits during the run: %u, %u of them in the BAR\n", g.mmio_exits - exits,
	    g.bar_exits);
	check(g.bar_exits == 0 && g.mmio_exits > exits,
	      "bar: the guest's edu accesses took no MMIO exit (its console did)");
	check(g.nsum == 1, "bar: the guest reported its checksum once");
	check(host_bar_refused(), "bar: the VM shut down still has the BAR: host read refused");

	check(map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA, 0, 1) == -22,
	      "bar: UNMAP with a GPA: EINVAL");
	r = map_bar(g.vm, (unsigned int)g.group, 0, 0, 0, 1);
	check(r == 0 && host_bar_reads(),
	      "bar: LOCKSTEP_VM_UNMAP_DEVICE_BAR: the host reads BAR 0 again");
	check(map_bar(g.vm, (unsigned int)g.group, 0, 0, 0, 1) == -2, "bar: UNMAP again: ENOENT");
	check(map_bar(g.vm, (unsigned int)g.group, 0, EDU_GPA, 0, 0) == -1,
	      "bar: MAP into a VM that has shut down: EPERM");
	check(assign(g.vm, (unsigned int)g.group, 0, 1) == 0,
	      "bar: RELEASE_DEVICE after the BAR came back");

	/* A second VM takes the BAR: RELEASE gives it back; a third one: its teardown does. */
	vm2 = (int)sys(NR_IOCTL, g.sys, LOCKSTEP_CREATE_VM, 0);
	check(vm2 >= 0 && assign(vm2, (unsigned int)g.group, 0, 0) == 1 &&
		      map_bar(vm2, (unsigned int)g.group, 0, EDU_GPA, 0, 0) == 0 &&
		      host_bar_refused() && assign(vm2, (unsigned int)g.group, 0, 1) == 0 &&
		      host_bar_reads(),
	      "bar: RELEASE_DEVICE with the BAR in the VM gives the BAR back (host reads it)");
	if (vm2 >= 0)
		sys(NR_CLOSE, vm2);
	vm2 = (int)sys(NR_IOCTL, g.sys, LOCKSTEP_CREATE_VM, 0);
	check(vm2 >= 0 && assign(vm2, (unsigned int)g.group, 0, 0) == 1 &&
		      map_bar(vm2, (unsigned int)g.group, 0, EDU_GPA, 0, 0) == 0 &&
		      host_bar_refused(),
	      "bar: a third VM takes the BAR");
	if (vm2 >= 0)
		sys(NR_CLOSE, vm2);
	check(host_bar_reads(),
	      "bar: closing that VM (teardown) gives the BAR back: host reads it");
}

int main(int argc, char **argv)
{
	unsigned long long f0, f1, r0;
	long r;
	int vm2;

	if (argc != 4 && !(argc == 5 && (streq(argv[4], "hold") || streq(argv[4], "hold-nodev") ||
					 streq(argv[4], "bar")))) {
		err("usage: vfio-vm BDF GROUP GUEST_IMAGE [hold|hold-nodev|bar]\n");
		return 2;
	}
	g.pattern = (void *)sys(NR_MMAP, 0, PG, PROT_READ_ | PROT_WRITE_,
				MAP_PRIVATE_ | MAP_ANON_ | MAP_POPULATE_, -1, 0);
	g.back = (void *)sys(NR_MMAP, 0, PG, PROT_READ_ | PROT_WRITE_,
			     MAP_PRIVATE_ | MAP_ANON_ | MAP_POPULATE_, -1, 0);
	fill(g.pattern);
	g.want_sum = page_sum(g.pattern);
	check(vfio_open(argv[1], argv[2]) == 0,
	      "the VMM opens the edu with VFIO (container, type1v2, group, device, BAR 0)");
	if (!g.bar)
		goto done;
	/* The pattern into the edu's buffer while the device is still the VMM's (VFIO DMA). */
	check(map_dma(g.pattern, IOVA_SRC) == 0 && map_dma(g.back, IOVA_DST) == 0 &&
		      edu_dma(IOVA_SRC, EDU_BUF, 0) == 0 &&
		      edu_dma(EDU_BUF, IOVA_DST, EDU_CMD_TORAM) == 0 &&
		      !memcmp(g.back, g.pattern, PG),
	      "before assignment: VFIO DMA both ways through the container (pattern into the edu)");
	unmap_dma(IOVA_SRC);
	unmap_dma(IOVA_DST);
	f0 = smmu_faults();
	edu_dma(EDU_BUF, RAM_GPA + 0x10000, EDU_CMD_TORAM);
	f1 = smmu_faults();
	check(f0 != ~0ULL && f1 > f0,
	      "before assignment: a DMA to a guest GPA faults in the VFIO domain (SMMU event)");
	check(vm_create(argv[3]) == 0, "a protected VM with the devdma guest (2 MiB, private)");
	if (g.vm <= 0)
		goto done;
	if (argc == 5 && streq(argv[4], "bar")) {
		bar_mode();
		goto done;
	}
	if (argc == 5) {
		r = assign(g.vm, (unsigned int)g.group, 0, 0);
		if (streq(argv[4], "hold-nodev")) {
			sys(NR_MUNMAP, g.bar, g.bar_size);
			sys(NR_CLOSE, g.dev);
		}
		out("# holding: LOCKSTEP_VM_ASSIGN_DEVICE %ld\n", r);
		for (;;)
			sleep_ms(1000);
	}
	bad_inputs();

	r0 = lsi_stat("vm_assigns");
	r = assign(g.vm, (unsigned int)g.group, 0, 0);
	out("# LOCKSTEP_VM_ASSIGN_DEVICE: %ld (streams)\n", r);
	check(r == 1 && lsi_stat("vm_assigns") == r0 + 1,
	      "LOCKSTEP_VM_ASSIGN_DEVICE of the VFIO group: 1 stream moved into the VM");
	check(assign(g.vm, (unsigned int)g.group, 0, 0) == -16,
	      "ASSIGN of the same group again: EBUSY");
	vm2 = (int)sys(NR_IOCTL, g.sys, LOCKSTEP_CREATE_VM, 0);
	check(vm2 >= 0 && assign(vm2, (unsigned int)g.group, 0, 0) == -16,
	      "ASSIGN of the group to a second VM: EBUSY");
	if (vm2 >= 0)
		sys(NR_CLOSE, vm2);
	r0 = lsi_stat("vm_refused_maps");
	r = map_dma(g.back, IOVA_DST);
	out("# VFIO_IOMMU_MAP_DMA while assigned: %s\n", errname(r));
	check(r == -16 && lsi_stat("vm_refused_maps") == r0 + 1,
	      "while the VM has the device, a VFIO MAP_DMA from the host is refused (EBUSY)");

	check(vm_run() == 0 && g.status == 0, "the devdma guest ran to SYSTEM_OFF with 0 failures");
	check(g.ndma == 4 && g.nsum == 3, "the guest asked for 4 DMAs and reported 3 checksums");

	r = assign(g.vm, (unsigned int)g.group, 0, 1);
	check(r == 0, "LOCKSTEP_VM_RELEASE_DEVICE: the device goes back to its VFIO domain");
	check(assign(g.vm, (unsigned int)g.group, 0, 1) == -2, "RELEASE again: ENOENT");
	check(assign(g.vm, (unsigned int)g.group, 0, 0) == -1,
	      "ASSIGN to a VM that has shut down: EPERM");
	f0 = smmu_faults();
	edu_dma(EDU_BUF, RAM_GPA + 0x10000, EDU_CMD_TORAM);
	f1 = smmu_faults();
	check(f1 > f0, "after release: the guest GPA faults again in the VFIO domain (SMMU event)");
	memset(g.back, 0, PG);
	check(map_dma(g.back, IOVA_DST) == 0 && edu_dma(EDU_BUF, IOVA_DST, EDU_CMD_TORAM) == 0 &&
		      !memcmp(g.back, g.pattern, PG) && unmap_dma(IOVA_DST) == 0,
	      "after release: VFIO MAP_DMA and DMA to the host's buffer work again (data checked)");

	/* A VMM that exits with the device assigned: the VM's teardown gives it back. */
	vm2 = (int)sys(NR_IOCTL, g.sys, LOCKSTEP_CREATE_VM, 0);
	r = vm2 >= 0 ? assign(vm2, (unsigned int)g.group, 0, 0) : vm2;
	r0 = lsi_stat("vm_releases");
	if (vm2 >= 0)
		sys(NR_CLOSE, vm2);
	memset(g.back, 0, PG);
	check(r == 1 && lsi_stat("vm_releases") == r0 + 1 && map_dma(g.back, IOVA_DST) == 0 &&
		      edu_dma(EDU_BUF, IOVA_DST, EDU_CMD_TORAM) == 0 &&
		      !memcmp(g.back, g.pattern, PG) && unmap_dma(IOVA_DST) == 0,
	      "closing a VM that has the device releases it (teardown): VFIO DMA works again");
	sys(NR_CLOSE, g.vm);
done:
	out("# vfio-vm: %d failed\n", fails);
	return fails ? 1 : 0;
}
