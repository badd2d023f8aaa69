// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmtest: the vm suite's helper inside the test machine (tests/vm/lstest).
 *
 *   vmtest stats        the driver's LOCKSTEP_GET_STATS as shell assignments
 *   vmtest peek PA      read the u64 at PA through /sys/kernel/debug/lockstep/phys in a child:
 *                       "peek PA: value 0x..." (exit 0) or "peek PA: SIGBUS" (exit 2)
 *   vmtest bad IMAGE    every refused ioctl of docs/uapi.md with its errno, each followed by a
 *                       check that it changed nothing; then IMAGE (a guest that shuts down)
 *                       runs and the calls refused after the first run are tried. One line
 *                       per check: "PASS name" or "FAIL name", after "PLAN n".
 */
#include <asm/ioctl.h>
#include <lockstep/lockstep-uapi.h>

#include "../../tools/lsvm/rt.h"

#define PAGE	4096ULL
#define RAM_GPA 0x80000000ULL
#define NCHECKS 71

static int sysfd;
static unsigned int nchecks;

static long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return sys(NR_IOCTL, fd, cmd, arg);
}

static int gstats(struct lockstep_global_stats *st)
{
	return (int)xioctl(sysfd, LOCKSTEP_GET_STATS, (unsigned long)st);
}

static int cmd_stats(void)
{
	struct lockstep_global_stats st;
	long r = gstats(&st);

	if (r) {
		err("vmtest: LOCKSTEP_GET_STATS: %s\n", errname(r));
		return 1;
	}
	out("vms=%llu vms_created=%llu pages_held=%llu host_pool_pages=%llu reclaimed=%llu "
	    "reclaimed_nonzero=%llu gmem_pages=%llu hyp_timer_irqs=%llu\n",
	    st.vms, st.vms_created, st.pages_held, st.host_pool_pages, st.reclaimed_pages,
	    st.reclaimed_nonzero, st.gmem_pages, st.hyp_timer_irqs);
	return 0;
}

static unsigned long long peek_pa;

static void peek_child(void *arg)
{
	int fd = open_("/sys/kernel/debug/lockstep/phys", O_RDONLY_);
	volatile unsigned long long *p;

	(void)arg;
	if (fd < 0) {
		out("peek 0x%llx: open: %s\n", peek_pa, errname(fd));
		exit_(1);
	}
	p = (volatile unsigned long long *)sys(NR_MMAP, 0, PAGE, PROT_READ_, MAP_SHARED_, fd,
					       peek_pa & ~(PAGE - 1));
	if ((long)p < 0 && (long)p > -4096) {
		out("peek 0x%llx: mmap: %s\n", peek_pa, errname((long)p));
		exit_(1);
	}
	out("peek 0x%llx: value 0x%llx\n", peek_pa, p[(peek_pa & (PAGE - 1)) / 8]);
}

static int cmd_peek(const char *a)
{
	long st;

	if (parse_u64(a, &peek_pa))
		return 1;
	st = in_child(peek_child, 0);
	if (st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_) {
		out("peek 0x%llx: SIGBUS\n", peek_pa);
		return 2;
	}
	return st >= 0 && !WIFSIGNALED_(st) ? WEXITSTATUS_(st) : 1;
}

/* --- bad ioctls --------------------------------------------------------------------------- */

struct snap {
	struct lockstep_global_stats g;
	struct lockstep_vm_stats v;
};

static int vmfd = -1;

static void snap(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	gstats(&s->g);
	if (vmfd >= 0)
		xioctl(vmfd, LOCKSTEP_VM_GET_STATS, (unsigned long)&s->v);
}

static int same(const struct snap *a, const struct snap *b)
{
	return a->g.vms == b->g.vms && a->g.pages_held == b->g.pages_held &&
	       a->g.gmem_pages == b->g.gmem_pages && a->v.populated_pages == b->v.populated_pages &&
	       a->v.vcpu_pages == b->v.vcpu_pages && a->v.shared_pages == b->v.shared_pages;
}

static void verdict(int ok, const char *name, long got, long want)
{
	nchecks++;
	out("%s %s (got %s, want %s)\n", ok ? "PASS" : "FAIL", name, errname(got), errname(want));
}

/* One refused call: its errno, and nothing changed. */
#define BAD(name, want, call)                                                                      \
	do {                                                                                       \
		struct snap s0_, s1_;                                                              \
		long r_;                                                                           \
		snap(&s0_);                                                                        \
		r_ = (call);                                                                       \
		snap(&s1_);                                                                        \
		verdict(r_ == -(want) && same(&s0_, &s1_), name ", nothing changed", r_, -(want)); \
	} while (0)
#define GOOD(name, call)                       \
	do {                                   \
		long r_ = (call);              \
		verdict(r_ >= 0, name, r_, 0); \
	} while (0)

/*
 * LS_ENOMEM: 16 single pages 1 GiB apart need a level-2 and a level-3 table each, more than
 * the 16-page pool LOCKSTEP_CREATE_VM gives the VM: POPULATE must be answered by donations to
 * the VM's pool (LS_FN_POOL_DONATE) that the driver accounts, and that come back at teardown.
 */
static void enomem_case(void)
{
	static unsigned char src[4096] __attribute__((aligned(4096)));
	struct lockstep_create_guest_memfd gm = { 0 };
	struct lockstep_userspace_memory_region2 r;
	struct lockstep_populate p;
	struct lockstep_vm_stats st;
	int vm = (int)xioctl(sysfd, LOCKSTEP_CREATE_VM, 0), gmem, i, ok = 1;
	long rc = 0;

	gm.size = 16 * PAGE;
	gmem = (int)xioctl(vm, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm);
	for (i = 0; i < 16 && ok; i++) {
		memset(&r, 0, sizeof(r));
		r.slot = (unsigned int)i;
		r.flags = LOCKSTEP_MEM_GUEST_MEMFD;
		r.guest_phys_addr = (unsigned long long)(i + 1) << 30;
		r.memory_size = PAGE;
		r.guest_memfd = (unsigned int)gmem;
		r.guest_memfd_offset = (unsigned long long)i * PAGE;
		rc = xioctl(vm, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&r);
		memset(&p, 0, sizeof(p));
		p.gpa = r.guest_phys_addr;
		p.uaddr = (unsigned long long)src;
		p.size = PAGE;
		if (!rc)
			rc = xioctl(vm, LOCKSTEP_POPULATE, (unsigned long)&p);
		ok = vm >= 0 && gmem >= 0 && rc == 0;
	}
	verdict(ok, "POPULATE of 16 pages 1 GiB apart (tables beyond the creation pool)", rc, 0);
	memset(&st, 0, sizeof(st));
	rc = xioctl(vm, LOCKSTEP_VM_GET_STATS, (unsigned long)&st);
	out("# enomem: pool_pages %llu, enomem_retries %llu, populated %llu; hyp pool total %llu, "
	    "free %llu\n",
	    st.pool_pages, st.enomem_retries, st.populated_pages, st.hyp[7], st.hyp[6]);
	verdict(rc == 0 && st.enomem_retries > 0 && st.pool_pages > 16 && st.populated_pages == 16,
		"LS_ENOMEM answered by donations to the VM's pool (accounted)", rc, 0);
	verdict(rc == 0 && st.hyp[7] == st.pool_pages,
		"the hypervisor's pool total equals the driver's account of it", rc, 0);
	sys(NR_CLOSE, gmem);
	sys(NR_CLOSE, vm);
}

static void sigbus_probe(void *p)
{
	out("read 0x%llx\n", *(volatile unsigned long long *)p);
}

static int cmd_bad(const char *image)
{
	static unsigned char img[64 * 1024] __attribute__((aligned(4096)));
	struct lockstep_create_guest_memfd gm;
	struct lockstep_userspace_memory_region2 r;
	struct lockstep_populate p;
	struct lockstep_one_reg reg;
	struct lockstep_global_stats g0, g1;
	struct lockstep_run *run;
	unsigned long long val, pc = RAM_GPA, pagesz, img_size;
	long n, rc, st;
	int vm2, gmem = -1, vcpu, other_gmem, i, rofd;
	void *map;

	out("PLAN %d\n", NCHECKS);
	n = read_file(image, img, sizeof(img));
	if (n <= 0) {
		err("vmtest: %s: %s\n", image, errname(n));
		return 1;
	}
	img_size = ((unsigned long long)n + PAGE - 1) & ~(PAGE - 1);
	gstats(&g0);

	/* /dev/lockstep */
	rofd = open_("/dev/lockstep", O_RDONLY_);
	BAD("CREATE_VM on /dev/lockstep opened read-only: EBADF", 9,
	    xioctl(rofd, LOCKSTEP_CREATE_VM, 0));
	sys(NR_CLOSE, rofd);
	BAD("CREATE_VM with type 1: EINVAL", 22, xioctl(sysfd, LOCKSTEP_CREATE_VM, 1));
	BAD("GET_API_VERSION with arg 1: EINVAL", 22, xioctl(sysfd, LOCKSTEP_GET_API_VERSION, 1));
	BAD("unknown ioctl on /dev/lockstep: ENOTTY", 25, xioctl(sysfd, _IO(LOCKSTEPIO, 0x7f), 0));
	vmfd = (int)xioctl(sysfd, LOCKSTEP_CREATE_VM, 0);
	GOOD("CREATE_VM", vmfd);
	if (vmfd < 0)
		goto out;
	BAD("unknown ioctl on a VM fd: ENOTTY", 25, xioctl(vmfd, LOCKSTEP_RUN, 0));

	/* guest_memfd */
#define GMEM(sz, fl, res)                                                                     \
	(memset(&gm, 0, sizeof(gm)), gm.size = (sz), gm.flags = (fl), gm.reserved[0] = (res), \
	 xioctl(vmfd, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm))
	BAD("CREATE_GUEST_MEMFD size 0: EINVAL", 22, GMEM(0, 0, 0));
	BAD("CREATE_GUEST_MEMFD size not page aligned: EINVAL", 22, GMEM(PAGE + 1, 0, 0));
	BAD("CREATE_GUEST_MEMFD flags 1: EINVAL", 22, GMEM(PAGE, 1, 0));
	BAD("CREATE_GUEST_MEMFD reserved[0] 1: EINVAL", 22, GMEM(PAGE, 0, 1));
	BAD("CREATE_GUEST_MEMFD beyond LOCKSTEP_GMEM_MAX_SIZE: EINVAL", 22,
	    GMEM(LOCKSTEP_GMEM_MAX_SIZE + PAGE, 0, 0));
	gmem = (int)GMEM(1ULL << 20, 0, 0);
	GOOD("CREATE_GUEST_MEMFD 1 MiB", gmem);
	gstats(&g1);
	verdict(g1.gmem_pages == g0.gmem_pages + 256, "the guest_memfd holds 256 pages", 0, 0);

	/* memslots */
#define SLOT(sl, fl, gpa, sz, ua, fd, off, pad)                                              \
	(memset(&r, 0, sizeof(r)), r.slot = (sl), r.flags = (fl), r.guest_phys_addr = (gpa), \
	 r.memory_size = (sz), r.userspace_addr = (ua), r.guest_memfd = (unsigned int)(fd),  \
	 r.guest_memfd_offset = (off), r.pad2[0] = (pad),                                    \
	 xioctl(vmfd, LOCKSTEP_SET_USER_MEMORY_REGION2, (unsigned long)&r))
#define GF LOCKSTEP_MEM_GUEST_MEMFD
	BAD("memslot 16 (LOCKSTEP_MAX_SLOTS): EINVAL", 22,
	    SLOT(16, GF, RAM_GPA, PAGE, 0, gmem, 0, 0));
	BAD("memslot without LOCKSTEP_MEM_GUEST_MEMFD: EINVAL", 22,
	    SLOT(0, 0, RAM_GPA, PAGE, 0, gmem, 0, 0));
	BAD("memslot with userspace_addr: EINVAL", 22,
	    SLOT(0, GF, RAM_GPA, PAGE, 0x10000, gmem, 0, 0));
	BAD("memslot GPA not page aligned: EINVAL", 22,
	    SLOT(0, GF, RAM_GPA + 8, PAGE, 0, gmem, 0, 0));
	BAD("memslot past the guest_memfd's end: EINVAL", 22,
	    SLOT(0, GF, RAM_GPA, 2ULL << 20, 0, gmem, 0, 0));
	BAD("memslot GPA range beyond the IPA space: EINVAL", 22,
	    SLOT(0, GF, 1ULL << 40, PAGE, 0, gmem, 0, 0));
	BAD("memslot on a VM fd instead of a guest_memfd: EINVAL", 22,
	    SLOT(0, GF, RAM_GPA, PAGE, 0, vmfd, 0, 0));
	BAD("memslot on a closed fd: EBADF", 9, SLOT(0, GF, RAM_GPA, PAGE, 0, 999, 0, 0));
	BAD("memslot pad2[0] 1: EINVAL", 22, SLOT(0, GF, RAM_GPA, PAGE, 0, gmem, 0, 1));
	BAD("delete of an unused memslot: EINVAL", 22, SLOT(3, GF, RAM_GPA, 0, 0, gmem, 0, 0));
	vm2 = (int)xioctl(sysfd, LOCKSTEP_CREATE_VM, 0);
	memset(&gm, 0, sizeof(gm));
	gm.size = PAGE;
	other_gmem = (int)xioctl(vm2, LOCKSTEP_CREATE_GUEST_MEMFD, (unsigned long)&gm);
	BAD("memslot on another VM's guest_memfd: EINVAL", 22,
	    SLOT(0, GF, RAM_GPA, PAGE, 0, other_gmem, 0, 0));
	sys(NR_CLOSE, other_gmem);
	sys(NR_CLOSE, vm2);
	GOOD("memslot 0: 1 MiB of the guest_memfd at 0x80000000",
	     SLOT(0, GF, RAM_GPA, 1ULL << 20, 0, gmem, 0, 0));
	BAD("memslot 0 again: EEXIST", 17,
	    SLOT(0, GF, RAM_GPA + (4ULL << 20), PAGE, 0, gmem, 0, 0));
	BAD("memslot overlapping slot 0's GPAs: EEXIST", 17,
	    SLOT(1, GF, RAM_GPA + (512ULL << 10), 1ULL << 20, 0, gmem, 0, 0));
	BAD("memslot binding guest_memfd pages already bound: EEXIST", 17,
	    SLOT(1, GF, RAM_GPA + (4ULL << 20), PAGE, 0, gmem, 0, 0));

	/* POPULATE */
#define POP(gpa_, ua, sz, fl, res)                                                                \
	(memset(&p, 0, sizeof(p)), p.gpa = (gpa_), p.uaddr = (ua), p.size = (sz), p.flags = (fl), \
	 p.reserved[0] = (res), xioctl(vmfd, LOCKSTEP_POPULATE, (unsigned long)&p))
#define IMG ((unsigned long long)img)
	BAD("POPULATE gpa not page aligned: EINVAL", 22, POP(RAM_GPA + 8, IMG, PAGE, 0, 0));
	BAD("POPULATE size 0: EINVAL", 22, POP(RAM_GPA, IMG, 0, 0, 0));
	BAD("POPULATE size not page aligned: EINVAL", 22, POP(RAM_GPA, IMG, 100, 0, 0));
	BAD("POPULATE source not page aligned: EINVAL", 22, POP(RAM_GPA, IMG + 8, PAGE, 0, 0));
	BAD("POPULATE flags 2: EINVAL", 22, POP(RAM_GPA, IMG, PAGE, 2, 0));
	BAD("POPULATE reserved[0] 1: EINVAL", 22, POP(RAM_GPA, IMG, PAGE, 0, 1));
	BAD("POPULATE ZERO with a source address: EINVAL", 22,
	    POP(RAM_GPA, IMG, PAGE, LOCKSTEP_POPULATE_ZERO, 0));
	BAD("POPULATE of a GPA in no memslot: ENOENT", 2, POP(0x40000000ULL, IMG, PAGE, 0, 0));
	BAD("POPULATE running past the memslot's end: ENOENT", 2,
	    POP(RAM_GPA + (1ULL << 20) - PAGE, IMG, 2 * PAGE, 0, 0));
	BAD("POPULATE from an unmapped source: EFAULT", 14, POP(RAM_GPA, 0x1000, PAGE, 0, 0));
	/* The source a mapping of the same guest_memfd (its pages are not shared: SIGBUS-like
	 * fault, EFAULT), which a driver holding the guest_memfd's lock would deadlock on. */
	map = (void *)sys(NR_MMAP, 0, PAGE, PROT_READ_, MAP_SHARED_, gmem, 0);
	BAD("POPULATE from the guest_memfd's own mapping: EFAULT", 14,
	    POP(RAM_GPA, (unsigned long long)map, PAGE, 0, 0));
	sys(NR_MUNMAP, map, PAGE);
	GOOD("POPULATE the image", POP(RAM_GPA, IMG, img_size, 0, 0));
	verdict(p.done == img_size, "POPULATE reports every byte done", 0, 0);
	BAD("POPULATE of a page already populated: EEXIST", 17, POP(RAM_GPA, IMG, PAGE, 0, 0));
	BAD("POPULATE overlapping populated pages: EEXIST", 17,
	    POP(RAM_GPA + img_size - PAGE, IMG, 2 * PAGE, 0, 0));
	BAD("deleting a memslot with populated pages: EBUSY", 16,
	    SLOT(0, GF, RAM_GPA, 0, 0, gmem, 0, 0));
	GOOD("POPULATE the rest with zeros",
	     POP(RAM_GPA + img_size, 0, (1ULL << 20) - img_size, LOCKSTEP_POPULATE_ZERO, 0));

	/* guest_memfd mmap: shared pages only */
	map = (void *)sys(NR_MMAP, 0, PAGE, PROT_READ_, MAP_PRIVATE_, gmem, 0);
	verdict(map == (void *)-22L, "mmap of a guest_memfd MAP_PRIVATE: EINVAL", (long)map, -22);
	map = (void *)sys(NR_MMAP, 0, PAGE, PROT_READ_, MAP_SHARED_, gmem, 0);
	st = (long)map < 0 && (long)map > -4096 ? -1 : in_child(sigbus_probe, map);
	verdict(st >= 0 && WIFSIGNALED_(st) && WTERMSIG_(st) == SIGBUS_,
		"reading a private page through the guest_memfd mmap: SIGBUS", 0, 0);
	sys(NR_MUNMAP, map, PAGE); /* a mapping holds the guest_memfd open */

	/* vCPUs and registers */
	BAD("CREATE_VCPU index 8: EINVAL", 22, xioctl(vmfd, LOCKSTEP_CREATE_VCPU, 8));
	BAD("CREATE_VCPU with an unknown flag: EINVAL", 22,
	    xioctl(vmfd, LOCKSTEP_CREATE_VCPU, 1ULL << 40));
	vcpu = (int)xioctl(vmfd, LOCKSTEP_CREATE_VCPU, 0);
	GOOD("CREATE_VCPU 0", vcpu);
	if (vcpu < 0)
		goto out;
	BAD("CREATE_VCPU 0 again: EEXIST", 17, xioctl(vmfd, LOCKSTEP_CREATE_VCPU, 0));
	reg.addr = (unsigned long long)&val;
	reg.id = LOCKSTEP_REG_ARM64 | LOCKSTEP_REG_SIZE_U64 | LOCKSTEP_REG_ARM_CORE | 70;
	BAD("GET_ONE_REG of an id the driver has not (spsr): ENOENT", 2,
	    xioctl(vcpu, LOCKSTEP_GET_ONE_REG, (unsigned long)&reg));
	reg.id = LOCKSTEP_REG_MPIDR_EL1;
	val = 5;
	BAD("SET_ONE_REG of MPIDR_EL1 (read-only): EINVAL", 22,
	    xioctl(vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	reg.id = LOCKSTEP_REG_PSTATE;
	val = 0x3c9; /* EL2h: not a state a guest may start in */
	BAD("SET_ONE_REG PSTATE = EL2h: EINVAL", 22,
	    xioctl(vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	reg.id = LOCKSTEP_REG_PC;
	reg.addr = 0x1000;
	BAD("SET_ONE_REG from an unmapped value address: EFAULT", 14,
	    xioctl(vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	reg.addr = (unsigned long long)&pc;
	GOOD("SET_ONE_REG PC", xioctl(vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	reg.addr = (unsigned long long)&val;
	val = 0;
	rc = xioctl(vcpu, LOCKSTEP_GET_ONE_REG, (unsigned long)&reg);
	verdict(rc == 0 && val == RAM_GPA, "GET_ONE_REG PC reads back 0x80000000", rc, 0);
	BAD("RUN with a non-zero argument: EINVAL", 22, xioctl(vcpu, LOCKSTEP_RUN, 1));
	pagesz = (unsigned long long)xioctl(sysfd, LOCKSTEP_GET_VCPU_MMAP_SIZE, 0);
	map = (void *)sys(NR_MMAP, 0, PAGE, PROT_READ_, MAP_SHARED_, vcpu, PAGE);
	verdict(map == (void *)-22L, "mmap of a vCPU fd at offset 4096: EINVAL", (long)map, -22);
	run = (struct lockstep_run *)sys(NR_MMAP, 0, pagesz, PROT_READ_ | PROT_WRITE_, MAP_SHARED_,
					 vcpu, 0);
	if ((long)run < 0 && (long)run > -4096)
		goto out;
	run->immediate_exit = 1;
	rc = xioctl(vcpu, LOCKSTEP_RUN, 0);
	verdict(rc == -EINTR_ && run->exit_reason == LOCKSTEP_EXIT_INTR,
		"RUN with immediate_exit: EINTR, exit reason INTR", rc, -EINTR_);
	run->immediate_exit = 0;
	reg.addr = (unsigned long long)&val;
	rc = xioctl(vcpu, LOCKSTEP_GET_ONE_REG, (unsigned long)&reg);
	verdict(rc == 0, "an immediate exit is not a run: GET_ONE_REG still allowed", rc, 0);

	/* Run the guest to its shutdown; MMIO writes are accepted, reads read 0. */
	for (i = 0; i < 100000; i++) {
		rc = xioctl(vcpu, LOCKSTEP_RUN, 0);
		if (rc < 0 && rc != -EINTR_)
			break;
		if (rc == 0 && run->exit_reason == LOCKSTEP_EXIT_MMIO) {
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			continue;
		}
		if (rc == 0 && run->exit_reason == LOCKSTEP_EXIT_SYSTEM_EVENT)
			break;
		if (rc == 0)
			run->inject_abort = 1;
	}
	verdict(rc == 0 && run->exit_reason == LOCKSTEP_EXIT_SYSTEM_EVENT &&
			run->system_event.type == LOCKSTEP_SYSTEM_EVENT_SHUTDOWN,
		"the guest ran to its SYSTEM_OFF (SYSTEM_EVENT SHUTDOWN)", rc, 0);
	BAD("POPULATE after the first run: EPERM", 1,
	    POP(RAM_GPA + (1ULL << 20) - PAGE, IMG, PAGE, 0, 0));
	BAD("SET_ONE_REG after the first run: EPERM", 1,
	    xioctl(vcpu, LOCKSTEP_SET_ONE_REG, (unsigned long)&reg));
	BAD("GET_ONE_REG after the first run: EPERM", 1,
	    xioctl(vcpu, LOCKSTEP_GET_ONE_REG, (unsigned long)&reg));
	BAD("CREATE_VCPU after the first run: EPERM", 1, xioctl(vmfd, LOCKSTEP_CREATE_VCPU, 1));
	rc = xioctl(vcpu, LOCKSTEP_RUN, 0);
	verdict(rc == 0 && run->exit_reason == LOCKSTEP_EXIT_SYSTEM_EVENT,
		"RUN after the shutdown reports the shutdown again", rc, 0);
	sys(NR_MUNMAP, run, pagesz);
	sys(NR_CLOSE, vcpu);
out:
	if (vmfd >= 0)
		sys(NR_CLOSE, vmfd);
	if (gmem >= 0)
		sys(NR_CLOSE, gmem);
	vmfd = -1;
	enomem_case();
	gstats(&g1);
	verdict(g1.vms == g0.vms && g1.pages_held == g0.pages_held &&
			g1.gmem_pages == g0.gmem_pages &&
			g1.reclaimed_nonzero == g0.reclaimed_nonzero,
		"after close: no VM, no page held, no guest_memfd page left", 0, 0);
	out("# vmtest: VMs %llu -> %llu, pages held %llu -> %llu, gmem pages %llu -> %llu\n",
	    g0.vms, g1.vms, g0.pages_held, g1.pages_held, g0.gmem_pages, g1.gmem_pages);
	out("# vmtest: %u checks; reclaimed %llu pages (%llu not zero)\n", nchecks,
	    g1.reclaimed_pages - g0.reclaimed_pages, g1.reclaimed_nonzero - g0.reclaimed_nonzero);
	return nchecks == NCHECKS ? 0 : 3;
}

int main(int argc, char **argv)
{
	sysfd = open_("/dev/lockstep", O_RDWR_);
	if (sysfd < 0) {
		err("vmtest: /dev/lockstep: %s\n", errname(sysfd));
		return 1;
	}
	if (argc == 2 && streq(argv[1], "stats"))
		return cmd_stats();
	if (argc == 3 && streq(argv[1], "peek"))
		return cmd_peek(argv[2]);
	if (argc == 3 && streq(argv[1], "bad"))
		return cmd_bad(argv[2]);
	err("usage: vmtest stats | peek PA | bad IMAGE\n");
	return 1;
}
