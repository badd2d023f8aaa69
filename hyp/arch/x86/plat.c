// SPDX-License-Identifier: GPL-2.0-only
/*
 * plat.h services on x86. The hypervisor runs on its own identity map (boot.c), so
 * physical and hypervisor-virtual addresses are equal; x86 table walks (CPU and nested)
 * snoop the caches, so there is nothing to clean. The device-register and time services
 * of plat.h serve the IOMMU drivers, which this image does not link yet (docs/x86.md
 * "What is left"): they are not provided, and a driver that needs them fails the link.
 */
#include <errno.h>

#include "hyp/plat.h"

void *plat_phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

u64 plat_virt_to_phys(const void *va)
{
	return (u64)(uintptr_t)va;
}

void plat_dcache_clean(const void *va, size_t size)
{
	(void)va;
	(void)size;
	/* Coherent walkers; a compiler barrier keeps the stores where the caller put them. */
	__asm__ volatile("" : : : "memory");
}

void plat_spin_relax(unsigned int spins)
{
	(void)spins;
	__asm__ volatile("pause");
}

/* No IOMMU is live in this image: LS_HVC_SMMU_STATS answers not supported. */
int plat_iommu_stat(u64 id, u64 *val)
{
	(void)id;
	*val = 0;
	return -ENOENT;
}
