// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * RAM ranges from the final UEFI memory map (UEFI 2.10,
 * EFI_BOOT_SERVICES.GetMemoryMap()). Runs after ExitBootServices: no allocation,
 * no firmware calls.
 */
#include "ldr.h"

static int mm_is_ram(uint32_t type)
{
	switch (type) {
	case LDR_EFI_LOADER_CODE:
	case LDR_EFI_LOADER_DATA:
	case LDR_EFI_BS_CODE:
	case LDR_EFI_BS_DATA:
	case LDR_EFI_RT_CODE:
	case LDR_EFI_RT_DATA:
	case LDR_EFI_CONVENTIONAL:
	case LDR_EFI_ACPI_RECLAIM:
	case LDR_EFI_ACPI_NVS:
		return 1;
	}
	return 0;
}

/* Insert [base, base + size) into the sorted, merged list out[0..n). */
static int mm_insert(struct ls_mem_range *out, unsigned int n, unsigned int max, uint64_t base,
		     uint64_t size)
{
	uint64_t end = base + size;
	unsigned int i, j;

	/* First range that ends at or after base: the new range goes there or merges. */
	for (i = 0; i < n && out[i].base + out[i].size < base; i++)
		;
	if (i < n && out[i].base <= end) {
		uint64_t lo = out[i].base < base ? out[i].base : base;
		uint64_t hi = out[i].base + out[i].size > end ? out[i].base + out[i].size : end;

		/* Swallow following ranges the grown one now touches. */
		for (j = i + 1; j < n && out[j].base <= hi; j++)
			if (out[j].base + out[j].size > hi)
				hi = out[j].base + out[j].size;
		out[i].base = lo;
		out[i].size = hi - lo;
		if (j > i + 1) {
			unsigned int gone = j - i - 1, k;

			for (k = i + 1; k + gone < n; k++)
				out[k] = out[k + gone];
			n -= gone;
		}
		return (int)n;
	}
	if (n == max)
		return -1;
	for (j = n; j > i; j--)
		out[j] = out[j - 1];
	out[i].base = base;
	out[i].size = size;
	return (int)(n + 1);
}

int mm_collect(const void *map, size_t map_size, size_t desc_size, struct ls_mem_range *out,
	       unsigned int max)
{
	const uint8_t *p = map;
	unsigned int n = 0;
	size_t off;

	if (desc_size < sizeof(struct ldr_efi_md) || desc_size % 8 || map_size % desc_size)
		return -1;
	for (off = 0; off < map_size; off += desc_size) {
		const struct ldr_efi_md *md = (const void *)(p + off);
		int r;

		if (!mm_is_ram(md->type) || md->nr_pages == 0)
			continue;
		if (md->nr_pages > (UINT64_MAX - md->phys_start) / LDR_PAGE_SIZE)
			return -1;
		r = mm_insert(out, n, max, md->phys_start, md->nr_pages * LDR_PAGE_SIZE);
		if (r < 0)
			return -1;
		n = (unsigned int)r;
	}
	return (int)n;
}
