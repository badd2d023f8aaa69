// SPDX-License-Identifier: GPL-2.0-only
/*
 * The platform services of hyp/include/hyp/plat.h on arm64 at EL2, the host
 * stage-2 TLB invalidation the ownership core calls (struct own_inval_ops),
 * and the one system call newlib's libc.a wants.
 *
 * EL2 runs on an identity map (VA == PA) of the hypervisor region, all RAM
 * and the console, so address conversion is the identity.
 */
#include <errno.h>

#include "arm64/arm64.h"
#include "arm64/iommu.h"
#include "arm64/s2.h"
#include "arm64/sysreg.h"
#include "hyp/own.h"
#include "hyp/plat.h"

void *plat_phys_to_virt(u64 pa)
{
	return (void *)pa;
}

/* All RAM is mapped at EL2 by identity (docs/arm64.md), as for plat_phys_to_virt. */
const void *plat_page_read(u64 pa)
{
	return (const void *)pa;
}

u64 plat_virt_to_phys(const void *va)
{
	return (u64)va;
}

static u64 arm64_dcache_line(void)
{
	/* CTR_EL0.DminLine [19:16]: log2 of the smallest D-cache line in 4-byte words. */
	return 4ULL << FIELD_GET(GENMASK(19, 16), read_sysreg(ctr_el0));
}

void plat_dcache_clean(const void *va, size_t size)
{
	u64 line = arm64_dcache_line();
	u64 a = ALIGN_DOWN((u64)va, line), end = (u64)va + size;

	/* DC CVAC: clean to the Point of Coherency (Arm ARM, DC CVAC); DSB completes it. */
	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	dsb(ish);
}

/*
 * MMIO with Linux's writel/readl ordering (plat.h): DMB OSHST before a store
 * orders earlier normal-memory writes before the device sees the register
 * write; DMB OSHLD after a load orders it before later normal-memory reads.
 */
u32 plat_read32(u64 pa)
{
	u32 v;

	__asm__ volatile("ldr %w0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(pa) : "memory");
	return v;
}

void plat_write32(u64 pa, u32 val)
{
	__asm__ volatile("dmb oshst\n\tstr %w0, [%1]" : : "rZ"(val), "r"(pa) : "memory");
}

u64 plat_read64(u64 pa)
{
	u64 v;

	__asm__ volatile("ldr %0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(pa) : "memory");
	return v;
}

void plat_write64(u64 pa, u64 val)
{
	__asm__ volatile("dmb oshst\n\tstr %x0, [%1]" : : "rZ"(val), "r"(pa) : "memory");
}

void plat_udelay(u32 us)
{
	/* The generic timer's physical count (Arm ARM, "The Generic Timer"); CNTFRQ_EL0 set by firmware. */
	u64 freq = read_sysreg(cntfrq_el0), start, ticks;

	if (!freq)
		freq = 1000000000ULL; /* unset: assume the fastest plausible counter */
	ticks = (freq * us + 999999ULL) / 1000000ULL;
	isb();
	start = read_sysreg(cntpct_el0);
	do {
		isb();
	} while (read_sysreg(cntpct_el0) - start < ticks);
}

u64 plat_now_us(void)
{
	/* The same generic timer count as plat_udelay, in microseconds. */
	u64 freq = read_sysreg(cntfrq_el0), c;

	isb();
	c = read_sysreg(cntpct_el0);
	if (!freq)
		return c;
	/* c / freq seconds, without overflowing c * 10^6. */
	return c / freq * 1000000ULL + c % freq * 1000000ULL / freq;
}

/* ---- host and VM stage-2 TLB invalidation --------------------------------- */

#define S2_INVAL_MAX_OPS 512U /* more TLBI by IPA than this: invalidate the VMID */

static u64 arm64_vmid_of(u32 who)
{
	return who == OWN_HOST ? 0 : (u64)who + 1;
}

/*
 * TLBI by IPA and VMALL act on the VMID in VTTBR_EL2 (Arm ARM,
 * "TLB maintenance instructions"). Host calls leave the host's VTTBR loaded;
 * for a VM, load its VTTBR (its real root: a speculative walk must not use a
 * stale one) around the invalidation and restore it.
 */
static u64 arm64_vttbr_enter(u32 who)
{
	u64 old = read_sysreg(vttbr_el2);
	const struct own_view *v;

	if (who == OWN_HOST)
		return old;
	v = own_view_of(who);
	HYP_CHECK(v);
	write_sysreg(pt_root_pa(&v->cpu) | (arm64_vmid_of(who) << 48), vttbr_el2);
	isb();
	return old;
}

static void arm64_vttbr_exit(u32 who, u64 old)
{
	if (who == OWN_HOST)
		return;
	write_sysreg(old, vttbr_el2);
	isb();
}

static void arm64_s2_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	u64 old, ops = 0, step, a;
	unsigned int i;

	(void)priv;
	if (!g->all)
		for (i = 0; i < g->nr; i++) {
			step = g->r[i].level ? (1ULL << (12 + 9 * (3 - g->r[i].level))) : PAGE_SIZE;
			ops += (g->r[i].size + step - 1) / step;
		}
	/* Make the descriptor writes visible to the walkers before invalidating. */
	dsb(ishst);
	old = arm64_vttbr_enter(who);
	if (g->all || ops > S2_INVAL_MAX_OPS) {
		__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	} else {
		for (i = 0; i < g->nr; i++) {
			step = g->r[i].level ? (1ULL << (12 + 9 * (3 - g->r[i].level))) : PAGE_SIZE;
			for (a = g->r[i].ia; a < g->r[i].ia + g->r[i].size; a += step)
				__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(a >> 12) : "memory");
		}
		/*
		 * Entries combining stage 1 and stage 2 are tagged by VA, not IPA:
		 * after the IPA invalidation completes, drop all stage-1 entries
		 * of the VMID (Arm ARM, "TLB maintenance", stage 2 invalidation).
		 */
		dsb(ish);
		__asm__ volatile("tlbi vmalle1is" : : : "memory");
	}
	dsb(ish);
	arm64_vttbr_exit(who, old);
}

static void arm64_s2_sync(void *priv, u32 who)
{
	(void)priv;
	(void)who;
	/* The TLBIs above are completed by their DSB ISH; this orders later accesses. */
	dsb(ish);
	isb();
}

const struct own_inval_ops arm64_s2_inval_ops = {
	.invalidate = arm64_s2_invalidate,
	.sync = arm64_s2_sync,
};

void arm64_s2_flush_all(void)
{
	dsb(ishst);
	__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	dsb(ish);
	isb();
}

/* ---- newlib ---------------------------------------------------------------- */

void *sbrk(ptrdiff_t incr);

/*
 * newlib's printf family references malloc (for buffers it never needs with
 * the string outputs Lockstep uses). EL2 has no heap: fail every request.
 * (newlib is built with MISSING_SYSCALL_NAMES: _sbrk_r calls sbrk.)
 */
void *sbrk(ptrdiff_t incr)
{
	(void)incr;
	errno = ENOMEM;
	return (void *)-1;
}

/* LS_HVC_SMMU_STATS: the platform's IOMMU answers (arm64/iommu.h). */
int plat_iommu_stat(u64 id, u64 *val)
{
	return arm64_iommu->stat(id, val);
}

/*
 * LS_HVC_CPU_STATS: no per-CPU counters on arm64 (its TLB maintenance is broadcast by the
 * hardware, TLBI ... IS: there is no shootdown to count).
 */
int plat_cpu_stat(u64 cpu, u64 id, u64 *val, u64 *nr_cpus)
{
	(void)cpu;
	(void)id;
	*val = 0;
	*nr_cpus = 0;
	return -EOPNOTSUPP;
}

void plat_spin_relax(unsigned int spins)
{
	(void)spins;
}
