// SPDX-License-Identifier: GPL-2.0-only
/*
 * The physical memory map (ram.h): RAM as the final UEFI memory map gave it, the
 * hypervisor region, merged into the ownership core's RAM ranges. pKVM keeps
 * hyp_memory[] and addr_is_memory() apart from setup.c the same way: the boot path,
 * the PSCI relay, the SMMU code and the trap handler all ask here, and this unit
 * asks nobody.
 */
#include <errno.h>

#include "arm64/ram.h"

/* RAM plus the hypervisor region, sorted and merged: the ownership core's RAM. */
static struct own_range boot_ram[OWN_MAX_RANGES];
static unsigned int boot_nr_ram;
static struct own_range boot_hyp;

bool arm64_is_ram(u64 pa, u64 size)
{
	unsigned int i;

	if (pa + size < pa)
		return false;
	if (pa < boot_hyp.base + boot_hyp.size && boot_hyp.base < pa + size)
		return false;
	for (i = 0; i < boot_nr_ram; i++)
		if (pa >= boot_ram[i].base && pa + size <= boot_ram[i].base + boot_ram[i].size)
			return true;
	return false;
}

/* boot_ram = sorted union of the boot info's RAM and the hypervisor region. */
static int boot_collect_ram(const struct ls_boot_info *bi)
{
	struct own_range all[LS_BOOT_MAX_MEM + 1];
	unsigned int n = 0, i, j;

	for (i = 0; i < bi->nr_mem; i++)
		all[n++] = (struct own_range){ bi->mem[i].base, bi->mem[i].size };
	all[n++] = boot_hyp;
	for (i = 1; i < n; i++) /* insertion sort by base */
		for (j = i; j && all[j].base < all[j - 1].base; j--) {
			struct own_range t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	boot_nr_ram = 0;
	for (i = 0; i < n; i++) {
		struct own_range *last = boot_nr_ram ? &boot_ram[boot_nr_ram - 1] : NULL;

		if (last && all[i].base <= last->base + last->size) {
			u64 end = MAX(last->base + last->size, all[i].base + all[i].size);

			last->size = end - last->base;
			continue;
		}
		if (boot_nr_ram == OWN_MAX_RANGES)
			return -E2BIG;
		boot_ram[boot_nr_ram++] = all[i];
	}
	return 0;
}

int arm64_ram_init(const struct ls_boot_info *bi)
{
	boot_hyp = (struct own_range){ bi->hyp_base, bi->hyp_size };
	return boot_collect_ram(bi);
}

const struct own_range *arm64_ram_ranges(unsigned int *nr)
{
	*nr = boot_nr_ram;
	return boot_ram;
}

const struct own_range *arm64_hyp_range(void)
{
	return &boot_hyp;
}
