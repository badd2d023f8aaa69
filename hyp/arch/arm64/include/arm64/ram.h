/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The physical memory map the loader handed over (ram.c): RAM, the hypervisor
 * region, and the device windows the host may reach. Filled once at boot, read-only
 * after; no unit calls back into the one that fills it.
 */
#ifndef ARM64_RAM_H
#define ARM64_RAM_H

#include <lockstep/boot.h>

#include "hyp/own.h"
#include "hyp/types.h"

/* From the boot info: RAM and the hypervisor region, sorted and merged. 0 or -errno. */
int arm64_ram_init(const struct ls_boot_info *bi);
/* [pa, pa + size) lies in RAM and outside the hypervisor region. */
bool arm64_is_ram(u64 pa, u64 size);
/* The core's RAM ranges (RAM plus the hypervisor region) and the hypervisor region. */
const struct own_range *arm64_ram_ranges(unsigned int *nr);
const struct own_range *arm64_hyp_range(void);

#endif /* ARM64_RAM_H */
