// SPDX-License-Identifier: GPL-2.0-only
/*
 * lsbench.ko: the IOMMU map/unmap benchmark (tests/iommu-bench/README.md).
 *
 * Binds QEMU's edu PCI device (1234:11e8) as a driver that manages its own DMA, gives it a paging
 * domain of whatever IOMMU driver owns the device (Linux's arm-smmu-v3 when booted without
 * Lockstep, Lockstep's PV IOMMU lockstep-iommu.ko under Lockstep) and times, through the same
 * Linux IOMMU API in both cases, mapping and unmapping `mib` MiB of IOVA in 4 KiB and in 2 MiB
 * chunks:
 *
 *   map        one iommu_map() per chunk (each returns with the mapping usable)
 *   unmap      one iommu_unmap() per chunk (each returns with the IOTLB invalidated and synced)
 *   map_sg     one iommu_map_sg() over a scatterlist of every chunk (dma_map_sg's path)
 *   unmap_fast one iommu_unmap_fast() per chunk into one gather, then one iommu_iotlb_sync()
 *              (VFIO type1's and iommu-dma's batched unmap)
 *
 * Chunks map a pool of physically non-adjacent buffers round-robin (4 KiB chunks: the first page
 * of 8192 order-1 allocations; 2 MiB chunks: the first half of 16 order-10 allocations), so no two
 * consecutive chunks are physically contiguous and iommu_map_sg cannot coalesce them.
 * Every phase is verified with iommu_iova_to_phys() at sampled IOVAs.
 *
 * Each phase is framed by a write of its number to the edu's liveness register (BAR0 + 4): with
 * QEMU's memory_region_ops_write trace on, tests/iommu-bench/count.awk attributes SMMU commands
 * (smmuv3_cmdq_opcode trace) to phases. Results go to the kernel log as "lsbench: " lines.
 *
 * Instruction counts (count=1; only on a boot under QEMU -icount, where TCG counts INST_RETIRED):
 * two perf counters of event INST_RETIRED bound to this task (they follow it across CPUs and
 * stop while other tasks run), read where the timer is read around each phase:
 *
 *   kernel  exclude_user + exclude_hv: the host kernel's instructions. Lockstep's host runs at
 *           EL1 (non-VHE): EL1 only. The native boot's kernel runs at EL2 with VHE: EL2 + EL1,
 *           i.e. still the whole kernel (Documentation/arch/arm64/perf.rst).
 *   el2     (el2=1, Lockstep only) exclude_user + exclude_kernel: EL2 only, the hypervisor's
 *           instructions inside the phase's hypercalls. arm_pmuv3 turns the attributes into
 *           PMEVTYPER<n>_EL0.P = 1 (not EL1), U = 1 (not EL0), NSH = 1 (EL2) (Arm ARM DDI 0487,
 *           PMEVTYPER<n>_EL0, D24.5, as host-driver/vcpu.c; the PMU chapter D13, counting by
 *           Exception level). Lockstep's product image sets MDCR_EL2.HPMD, which prohibits
 *           counting at EL2 (same chapter, "prohibited regions"), so only the benchmark image
 *           (-DLOCKSTEP_BENCH_EL2_PMU) gives a non-zero count.
 *
 * Each phase gives "lsbench: count chunk C op O chunks N kernel K el2 E", totals over the phase
 * (el2 0: not counted); the perf reads at either end add about 1,500 kernel instructions to it.
 * A counter that counted 0 fails the run.
 *
 * x86 (count=1): QEMU's TCG x86 has no PMU, but under -icount shift=0 its TSC is the virtual
 * clock, which advances by one per instruction the vCPU retires, in every mode (SVM guest and
 * host alike; a constant TSC offset in guest mode cancels out of a difference). With one vCPU,
 * the TSC difference around a phase is every instruction retired meanwhile: Linux's, Lockstep's
 * in SVM host mode inside the phase's VMMCALLs, and interrupt handlers'. It is printed as
 * "kernel" (el2 0: no mode can be told apart). Before the phases a loop of known length checks
 * that the TSC counts exactly that ("count calibration"); any other TSC (no -icount) fails the
 * run.
 *
 * null_hvc=N (Lockstep only: HVC on arm64, VMMCALL on x86): before the phases, N calls of
 * LS_HVC_VERSION, the hypercall that does nothing, timed (and counted) as one more row: the trap
 * round trip's cost alone.
 */
#define pr_fmt(fmt) "lsbench: " fmt

#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/perf_event.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#ifdef CONFIG_ARM64
#include <linux/arm-smccc.h>
#endif
#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/msr.h>
#endif
#if defined(CONFIG_ARM64) || defined(CONFIG_X86_64)
#include <lockstep/abi.h>
#endif

static unsigned int mib = 1024;
module_param(mib, uint, 0444);
MODULE_PARM_DESC(mib, "IOVA space mapped and unmapped per chunk size, in MiB");
static bool count;
module_param(count, bool, 0444);
MODULE_PARM_DESC(count, "count instructions per phase with the PMU (QEMU -icount boots only)");
static bool el2;
module_param(el2, bool, 0444);
MODULE_PARM_DESC(el2, "with count=1: also count EL2 (the hypervisor; Lockstep's benchmark image)");
static unsigned int null_hvc;
module_param(null_hvc, uint, 0444);
MODULE_PARM_DESC(null_hvc, "under Lockstep: time this many LS_HVC_VERSION round trips");

#define LSB_IOVA_BASE	 0x100000000UL /* 4 GiB: above the SW MSI window, below 40 bits */
#define LSB_POOL_BYTES	 (32UL << 20)  /* distinct memory behind the chunks */
#define LSB_EDU_LIVENESS 0x04

struct lsb_run {
	struct iommu_domain *dom;
	void __iomem *bar;
	size_t chunk;
	unsigned long nchunks;
	unsigned int npool;
	struct page **pool;
	unsigned int order;
	unsigned int phase;
	int failed;
	/* count=1: LSB_CNT_KERNEL, LSB_CNT_EL2 (el2=1); value at the phase's start */
	struct perf_event *ev[2];
	u64 c0[2];
};

#define LSB_CNT_KERNEL 0
#define LSB_CNT_EL2    1
static const char *const lsb_cnt_name[] = { "kernel", "el2" };

static phys_addr_t lsb_pa(const struct lsb_run *r, unsigned long i)
{
	return page_to_phys(r->pool[i % r->npool]);
}

static unsigned long lsb_iova(const struct lsb_run *r, unsigned long i)
{
	return LSB_IOVA_BASE + i * r->chunk;
}

#ifdef CONFIG_X86_64
/* Iterations of the calibration loop (two instructions each) and the TSC reads' own slack. */
#define LSB_CAL_LOOPS 100000UL
#define LSB_CAL_SLACK 64

/*
 * The TSC must count instructions: the difference around LSB_CAL_LOOPS iterations of "dec; jnz"
 * (2 * LSB_CAL_LOOPS instructions, interrupts off) is that plus the reads' few instructions.
 */
static int lsb_count_open(struct lsb_run *r)
{
	unsigned long n = LSB_CAL_LOOPS, flags;
	u64 t;

	(void)r;
	if (!count)
		return 0;
	local_irq_save(flags);
	t = rdtsc_ordered();
	asm volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
	t = rdtsc_ordered() - t;
	local_irq_restore(flags);
	pr_info("count calibration insns %lu tsc %llu\n", 2 * LSB_CAL_LOOPS, t);
	if (t < 2 * LSB_CAL_LOOPS || t > 2 * LSB_CAL_LOOPS + LSB_CAL_SLACK) {
		pr_err("count: the TSC does not count instructions (not QEMU -icount shift=0)\n");
		return -ENODEV;
	}
	return 0;
}

static void lsb_count_close(struct lsb_run *r)
{
	(void)r;
}

static void lsb_count_start(struct lsb_run *r)
{
	r->c0[LSB_CNT_KERNEL] = rdtsc_ordered();
}

static void lsb_count_end(struct lsb_run *r, size_t chunk, const char *op, unsigned long n)
{
	u64 d;

	if (!count)
		return;
	d = rdtsc_ordered() - r->c0[LSB_CNT_KERNEL];
	if (!d) {
		pr_err("count: chunk %zu op %s: no instruction counted\n", chunk, op);
		r->failed = 1;
	}
	pr_info("count chunk %zu op %s chunks %lu kernel %llu el2 0\n", chunk, op, n, d);
}
#else
static int lsb_count_open(struct lsb_run *r)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_INSTRUCTIONS, /* arm_pmuv3: INST_RETIRED, event 0x08 */
		.pinned = 1,			      /* never multiplexed: an exact count */
		.exclude_user = 1,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r->ev); i++) {
		if (!count || (i == LSB_CNT_EL2 && !el2))
			continue;
		attr.exclude_kernel = i == LSB_CNT_EL2;
		attr.exclude_hv = i == LSB_CNT_KERNEL;
		r->ev[i] = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
		if (IS_ERR(r->ev[i])) {
			pr_err("count: no %s instruction counter: %ld (no PMU, or no QEMU -icount)\n",
			       lsb_cnt_name[i], PTR_ERR(r->ev[i]));
			r->ev[i] = NULL;
			return -ENODEV;
		}
	}
	return 0;
}

static void lsb_count_close(struct lsb_run *r)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r->ev); i++)
		if (r->ev[i])
			perf_event_release_kernel(r->ev[i]);
}

/* The counter's value; a counter that did not count all the time it was enabled fails the run. */
static u64 lsb_count_read(struct lsb_run *r, unsigned int i)
{
	u64 enabled, running, v = perf_event_read_value(r->ev[i], &enabled, &running);

	if (running != enabled) {
		pr_err("count: %s counter ran %llu of %llu ns\n", lsb_cnt_name[i], running,
		       enabled);
		r->failed = 1;
	}
	return v;
}

static void lsb_count_start(struct lsb_run *r)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r->ev); i++)
		if (r->ev[i])
			r->c0[i] = lsb_count_read(r, i);
}

/* Prints the instructions of the phase that lsb_count_start() began; none counted fails the run. */
static void lsb_count_end(struct lsb_run *r, size_t chunk, const char *op, unsigned long n)
{
	u64 d[ARRAY_SIZE(r->ev)] = {};
	unsigned int i;

	if (!count)
		return;
	for (i = 0; i < ARRAY_SIZE(r->ev); i++) {
		if (!r->ev[i])
			continue;
		d[i] = lsb_count_read(r, i) - r->c0[i];
		if (!d[i]) {
			pr_err("count: chunk %zu op %s: no %s instruction counted\n", chunk, op,
			       lsb_cnt_name[i]);
			r->failed = 1;
		}
	}
	pr_info("count chunk %zu op %s chunks %lu kernel %llu el2 %llu\n", chunk, op, n,
		d[LSB_CNT_KERNEL], d[LSB_CNT_EL2]);
}
#endif

/* Marks the start (odd) and end (even) of a phase for the trace counter. */
static void lsb_mark(struct lsb_run *r, const char *op, bool start)
{
	if (start)
		r->phase++;
	writel(r->phase * 2 + (start ? 0 : 1), r->bar + LSB_EDU_LIVENESS);
	(void)readl(r->bar + LSB_EDU_LIVENESS);
	if (start)
		pr_info("phase %u chunk %zu op %s\n", r->phase, r->chunk, op);
}

static void lsb_report(struct lsb_run *r, const char *op, u64 ns, unsigned long calls)
{
	u64 bytes = (u64)r->nchunks * r->chunk;

	pr_info("result chunk %zu op %s calls %lu bytes %llu ns %llu ns_per_chunk %llu MiBps %llu\n",
		r->chunk, op, calls, bytes, ns, div64_u64(ns, r->nchunks),
		ns ? div64_u64(bytes * 1000000000ULL >> 20, ns) : 0);
}

/* Samples about 64 chunks (and the last): mapped to the expected PA, or unmapped. */
static void lsb_verify(struct lsb_run *r, const char *op, bool mapped)
{
	unsigned long step = max(1UL, r->nchunks / 64), i, k, bad = 0;

	for (k = 0; k <= 64; k++) {
		unsigned long off;
		phys_addr_t want, got;

		i = min(k * step, r->nchunks - 1);
		off = (i * 0x1040) & (r->chunk - 1) & PAGE_MASK;
		want = mapped ? lsb_pa(r, i) + off : 0;
		got = iommu_iova_to_phys(r->dom, lsb_iova(r, i) + off);
		if (got != want && bad++ < 4)
			pr_err("verify after %s: chunk %lu iova 0x%lx -> %pa, want %pa\n", op, i,
			       lsb_iova(r, i) + off, &got, &want);
	}
	pr_info("verify chunk %zu after %s: %s\n", r->chunk, op, bad ? "FAIL" : "ok");
	if (bad)
		r->failed = 1;
}

static int lsb_map_each(struct lsb_run *r)
{
	unsigned long i;
	u64 t0;
	int ret;

	lsb_mark(r, "map", true);
	lsb_count_start(r);
	t0 = ktime_get_ns();
	for (i = 0; i < r->nchunks; i++) {
		ret = iommu_map(r->dom, lsb_iova(r, i), lsb_pa(r, i), r->chunk,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		if (ret) {
			pr_err("iommu_map chunk %lu: %d\n", i, ret);
			r->failed = 1;
			return ret;
		}
		if (!(i & 4095))
			cond_resched();
	}
	t0 = ktime_get_ns() - t0;
	lsb_count_end(r, r->chunk, "map", r->nchunks);
	lsb_mark(r, "map", false);
	lsb_report(r, "map", t0, r->nchunks);
	lsb_verify(r, "map", true);
	return 0;
}

static int lsb_unmap_each(struct lsb_run *r)
{
	unsigned long i;
	u64 t0;

	lsb_mark(r, "unmap", true);
	lsb_count_start(r);
	t0 = ktime_get_ns();
	for (i = 0; i < r->nchunks; i++) {
		if (iommu_unmap(r->dom, lsb_iova(r, i), r->chunk) != r->chunk) {
			pr_err("iommu_unmap chunk %lu: short\n", i);
			r->failed = 1;
			return -EIO;
		}
		if (!(i & 4095))
			cond_resched();
	}
	t0 = ktime_get_ns() - t0;
	lsb_count_end(r, r->chunk, "unmap", r->nchunks);
	lsb_mark(r, "unmap", false);
	lsb_report(r, "unmap", t0, r->nchunks);
	lsb_verify(r, "unmap", false);
	return 0;
}

static int lsb_map_sg(struct lsb_run *r)
{
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned long i;
	ssize_t got;
	u64 t0;
	int ret;

	ret = sg_alloc_table(&sgt, r->nchunks, GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(&sgt, sg, i) sg_set_page(sg, r->pool[i % r->npool], r->chunk, 0);
	lsb_mark(r, "map_sg", true);
	lsb_count_start(r);
	t0 = ktime_get_ns();
	got = iommu_map_sg(r->dom, LSB_IOVA_BASE, sgt.sgl, sgt.orig_nents, IOMMU_READ | IOMMU_WRITE,
			   GFP_KERNEL);
	t0 = ktime_get_ns() - t0;
	lsb_count_end(r, r->chunk, "map_sg", r->nchunks);
	lsb_mark(r, "map_sg", false);
	sg_free_table(&sgt);
	if (got != (ssize_t)(r->nchunks * r->chunk)) {
		pr_err("iommu_map_sg: %zd\n", got);
		r->failed = 1;
		return got < 0 ? (int)got : -EIO;
	}
	lsb_report(r, "map_sg", t0, 1);
	lsb_verify(r, "map_sg", true);
	return 0;
}

static int lsb_unmap_fast(struct lsb_run *r)
{
	struct iommu_iotlb_gather g;
	unsigned long i;
	u64 t0;

	lsb_mark(r, "unmap_fast", true);
	lsb_count_start(r);
	t0 = ktime_get_ns();
	iommu_iotlb_gather_init(&g);
	for (i = 0; i < r->nchunks; i++) {
		if (iommu_unmap_fast(r->dom, lsb_iova(r, i), r->chunk, &g) != r->chunk) {
			pr_err("iommu_unmap_fast chunk %lu: short\n", i);
			r->failed = 1;
			iommu_iotlb_sync(r->dom, &g);
			return -EIO;
		}
		if (!(i & 4095))
			cond_resched();
	}
	iommu_iotlb_sync(r->dom, &g);
	t0 = ktime_get_ns() - t0;
	lsb_count_end(r, r->chunk, "unmap_fast", r->nchunks);
	lsb_mark(r, "unmap_fast", false);
	lsb_report(r, "unmap_fast", t0, r->nchunks);
	lsb_verify(r, "unmap_fast", false);
	return 0;
}

/*
 * null_hvc=N: N round trips of LS_HVC_VERSION (docs/hypercalls.md: no state change, x1 = the ABI
 * version) from EL1, preemption off: what the trap alone costs (HVC, Lockstep's vector, save,
 * dispatch, restore, ERET) beside the phases' hypercalls. Line "null_hvc calls N ns T ns_per_call
 * P" and, with count=1, "count chunk 0 op null_hvc chunks N ...".
 */
#ifdef CONFIG_X86_64
/*
 * LS_HVC_VERSION by VMMCALL (AMD SVM) or VMCALL (Intel VMX), as host-driver/lockstep.c: function
 * in RAX, results back in RAX (status) and RBX (x1, the version); docs/hypercalls.md.
 */
static unsigned long lsb_x86_version(unsigned long *a1)
{
	unsigned long a0 = LS_HVC_VERSION, b = 0, c = 0, d = 0;

	/* The other argument registers as the driver passes them: not kept across the call. */
	if (boot_cpu_has(X86_FEATURE_VMMCALL))
		asm volatile("vmmcall"
			     : "+a"(a0), "+b"(b), "+c"(c), "+d"(d)
			     :
			     : "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			       "memory");
	else
		asm volatile("vmcall"
			     : "+a"(a0), "+b"(b), "+c"(c), "+d"(d)
			     :
			     : "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
			       "memory");
	*a1 = b;
	return a0;
}
#endif

static void lsb_null_hvc(struct lsb_run *r)
{
#ifdef CONFIG_ARM64
	struct arm_smccc_res res;
	unsigned int i;
	u64 t0;

	if (!null_hvc)
		return;
	arm_smccc_1_1_hvc(LS_HVC_VERSION, &res);
	/* Any minor of this major: make bench-compare runs it on older trees too. */
	if (res.a0 != LS_OK || res.a1 >> 16 != LS_ABI_MAJOR) {
		pr_err("null_hvc: LS_HVC_VERSION answered 0x%lx 0x%lx (Lockstep not there?)\n",
		       res.a0, res.a1);
		r->failed = 1;
		return;
	}
	lsb_count_start(r); /* perf reads may sleep: outside the preemption-off window */
	preempt_disable();
	t0 = ktime_get_ns();
	for (i = 0; i < null_hvc; i++)
		arm_smccc_1_1_hvc(LS_HVC_VERSION, &res);
	t0 = ktime_get_ns() - t0;
	preempt_enable();
	lsb_count_end(r, 0, "null_hvc", null_hvc);
	pr_info("null_hvc calls %u ns %llu ns_per_call %llu\n", null_hvc, t0,
		div64_u64(t0, null_hvc));
#elif defined(CONFIG_X86_64)
	unsigned long a0, a1;
	unsigned int i;
	u64 t0;

	if (!null_hvc)
		return;
	a0 = lsb_x86_version(&a1);
	if (a0 != LS_OK || a1 >> 16 != LS_ABI_MAJOR) {
		pr_err("null_hvc: LS_HVC_VERSION answered 0x%lx 0x%lx (Lockstep not there?)\n", a0,
		       a1);
		r->failed = 1;
		return;
	}
	preempt_disable();
	lsb_count_start(r);
	t0 = ktime_get_ns();
	for (i = 0; i < null_hvc; i++)
		lsb_x86_version(&a1);
	t0 = ktime_get_ns() - t0;
	lsb_count_end(r, 0, "null_hvc", null_hvc);
	preempt_enable();
	pr_info("null_hvc calls %u ns %llu ns_per_call %llu\n", null_hvc, t0,
		div64_u64(t0, null_hvc));
#else
	if (null_hvc) {
		pr_err("null_hvc: arm64 and x86_64 only\n");
		r->failed = 1;
	}
#endif
}

static void lsb_pool_free(struct lsb_run *r)
{
	unsigned int i;

	for (i = 0; i < r->npool && r->pool; i++)
		if (r->pool[i])
			__free_pages(r->pool[i], r->order);
	kvfree(r->pool);
	r->pool = NULL;
}

/* Buffers of r->chunk bytes, each the first half of a block twice as big: never adjacent. */
static int lsb_pool_alloc(struct lsb_run *r)
{
	unsigned int i;

	r->order = get_order(r->chunk) + 1;
	r->npool = LSB_POOL_BYTES / r->chunk;
	r->pool = kvcalloc(r->npool, sizeof(*r->pool), GFP_KERNEL);
	if (!r->pool)
		return -ENOMEM;
	for (i = 0; i < r->npool; i++) {
		r->pool[i] = alloc_pages(GFP_KERNEL | __GFP_NOWARN, r->order);
		if (!r->pool[i]) {
			pr_err("pool: order-%u allocation %u failed\n", r->order, i);
			lsb_pool_free(r);
			return -ENOMEM;
		}
	}
	return 0;
}

static void lsb_run_chunk(struct lsb_run *r, size_t chunk)
{
	r->chunk = chunk;
	r->nchunks = ((unsigned long)mib << 20) / chunk;
	if (lsb_pool_alloc(r)) {
		r->failed = 1;
		return;
	}
	pr_info("chunk %zu: %lu chunks over %u buffers of order %u\n", chunk, r->nchunks, r->npool,
		r->order);
	if (!lsb_map_each(r))
		lsb_unmap_each(r);
	if (!lsb_map_sg(r))
		lsb_unmap_fast(r);
	lsb_pool_free(r);
}

static int lsb_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct lsb_run r = {};
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	r.bar = pcim_iomap(pdev, 0, 0);
	if (!r.bar)
		return -ENOMEM;
	r.dom = iommu_paging_domain_alloc(&pdev->dev);
	if (IS_ERR(r.dom)) {
		pr_err("no paging domain for %s: %ld\n", pci_name(pdev), PTR_ERR(r.dom));
		return PTR_ERR(r.dom);
	}
	ret = iommu_attach_device(r.dom, &pdev->dev);
	if (ret) {
		pr_err("attach %s: %d\n", pci_name(pdev), ret);
		iommu_domain_free(r.dom);
		return ret;
	}
	pr_info("%s: paging domain attached, %u MiB per chunk size, pgsize_bitmap 0x%lx\n",
		pci_name(pdev), mib, r.dom->pgsize_bitmap);
	if (lsb_count_open(&r)) {
		r.failed = 1;
	} else {
		lsb_null_hvc(&r);
		lsb_run_chunk(&r, SZ_4K);
		lsb_run_chunk(&r, SZ_2M);
	}
	lsb_count_close(&r);
	iommu_detach_device(r.dom, &pdev->dev);
	iommu_domain_free(r.dom);
	pr_info("done: %s\n", r.failed ? "FAILED" : "ok");
	return 0;
}

static const struct pci_device_id lsb_ids[] = { { PCI_DEVICE(0x1234, 0x11e8) }, {} };
MODULE_DEVICE_TABLE(pci, lsb_ids);

static struct pci_driver lsb_driver = {
	.name = "lsbench",
	.id_table = lsb_ids,
	.probe = lsb_probe,
	.driver_managed_dma = true,
};
module_pci_driver(lsb_driver);

MODULE_DESCRIPTION("Lockstep IOMMU map/unmap benchmark (same Linux IOMMU API, any IOMMU driver)");
MODULE_LICENSE("GPL");
