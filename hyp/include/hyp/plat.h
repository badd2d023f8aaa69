/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few services the arch-neutral core needs from the platform backend.
 * Implemented by hyp/arch/arm64/ for the hypervisor and by hyp/arch/fake/ for
 * the host-native unit tests (simulated physical memory). The core never
 * includes arch headers: only this interface.
 */
#ifndef HYP_PLAT_H
#define HYP_PLAT_H

#include "hyp/types.h"

/* Hypervisor-virtual address of physical address @pa (RAM the hypervisor maps). */
void *plat_phys_to_virt(u64 pa);
/* Physical address of hypervisor-virtual @va (inverse of plat_phys_to_virt). */
u64 plat_virt_to_phys(const void *va);
/* Read-only view of the RAM page at @pa (the VM launch measurement hashes donated pages). */
const void *plat_page_read(u64 pa);
/*
 * Make CPU writes to [va, va + size) visible to a table walker that does not
 * snoop the CPU caches (clean to the Point of Coherency on arm64).
 */
void plat_dcache_clean(const void *va, size_t size);
/*
 * A lock waiter's @spins-th turn round the loop. The hypervisor (one vCPU per
 * physical CPU, IRQs masked at EL2) just spins; the fake platform of the host tests,
 * on a shared machine with pthreads, yields now and then so a preempted ticket holder
 * does not stall every waiter for whole time slices.
 */
void plat_spin_relax(unsigned int spins);
/* Log a line (printf format, no trailing newline needed) on the hypervisor console. */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Internal invariant broken: log and stop. Never for anything the host sent. */
void plat_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define HYP_CHECK(c)                                                                     \
	do {                                                                             \
		if (!(c))                                                                \
			plat_panic("CHECK failed: %s at %s:%d", #c, __FILE__, __LINE__); \
	} while (0)

/*
 * Device registers (added for hyp/iommu). @pa is the register's physical
 * address; the backend keeps every device range it hands to a driver mapped
 * as Device-nGnRE. Ordering as Linux's writel()/readl(): plat_write*() makes
 * every earlier normal-memory write (queue entries, tables) observable by the
 * device before the register write (DMB OSHST; STR); plat_read*() completes
 * before any later normal-memory read (LDR; DMB OSHLD).
 */
u32 plat_read32(u64 pa);
void plat_write32(u64 pa, u32 val);
u64 plat_read64(u64 pa);
void plat_write64(u64 pa, u64 val);
/* Busy-wait at least @us microseconds: the time base of bounded device polls. */
void plat_udelay(u32 us);
/* Microseconds from a monotonic clock (any origin): quiet intervals of rate-limited logs. */
u64 plat_now_us(void);

/*
 * Counter @id (LS_SMMU_STAT_*) of the platform's IOMMU, answered by the core's
 * LS_HVC_SMMU_STATS handler: 0 and *val; -ENOENT when the platform has no live
 * IOMMU; -EINVAL for an unknown counter.
 */
int plat_iommu_stat(u64 id, u64 *val);

/*
 * Counter @id (LS_CPU_STAT_*) of the hypervisor's CPU @cpu, answered by the core's
 * LS_HVC_CPU_STATS handler: 0, *val and *nr_cpus (CPUs under the hypervisor); -ENOENT for
 * no such CPU; -EINVAL for an unknown counter; -EOPNOTSUPP when the platform keeps none.
 */
int plat_cpu_stat(u64 cpu, u64 id, u64 *val, u64 *nr_cpus);

#endif /* HYP_PLAT_H */
