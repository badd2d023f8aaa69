// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Hypervisor image validation and reserved-region layout
 * (contract: include/lockstep/boot.h).
 */
#include "ldr.h"

uint32_t ldr_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;
	int b;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

const char *img_check(const void *buf, size_t len)
{
	const struct ls_image_hdr *h = buf;

	if (len < sizeof(*h))
		return "file shorter than the image header (truncated)";
	if (h->magic != LS_IMAGE_MAGIC)
		return "bad magic (not a Lockstep image)";
	if (h->hdr_version != LS_IMAGE_HDR_VERSION)
		return "unsupported header version";
	if (h->hdr_size < sizeof(*h) || h->hdr_size > h->image_size)
		return "bad header size";
	if (h->image_size > len)
		return "file shorter than image_size (truncated)";
	if (h->image_size < len && len - h->image_size != sizeof(struct ls_image_sig))
		return "file longer than image_size (and not by one signature trailer)";
	if (h->mem_size < h->image_size || h->mem_size > LDR_IMAGE_MEM_MAX ||
	    h->mem_size % LDR_PAGE_SIZE)
		return "bad mem_size (below image_size, too large or not 4 KiB aligned)";
	if (h->entry_offset >= h->image_size || h->entry_offset % 4)
		return "bad entry_offset";
	if (ldr_crc32(0, (const uint8_t *)buf + h->hdr_size, h->image_size - h->hdr_size) !=
	    h->crc32)
		return "CRC32 mismatch (corrupt image)";
	return NULL;
}

const char *layout_compute(const struct ls_image_hdr *hdr, const struct ldr_config *cfg,
			   struct ldr_layout *lay)
{
	struct ldr_layout l;

	if (cfg->cpus < 1 || cfg->cpus > LS_BOOT_MAX_CPUS)
		return "cpus out of range";
	if (cfg->stack_kib == 0 || (cfg->stack_kib * 1024ULL) % LDR_PAGE_SIZE)
		return "stack size not a multiple of 4 KiB";
	if (cfg->pool_mib == 0 || cfg->pool_mib > LDR_POOL_MIB_MAX)
		return "pool size out of range";
	if (hdr->mem_size == 0 || hdr->mem_size % LDR_PAGE_SIZE ||
	    hdr->mem_size > LDR_IMAGE_MEM_MAX)
		return "bad image mem_size";
	_Static_assert(sizeof(struct ls_boot_info) <= LDR_PAGE_SIZE, "boot info fits its page");
	if (sizeof(struct ls_boot_info) > LDR_PAGE_SIZE)
		return "internal: boot info larger than a page";

	l.image_size = hdr->mem_size;
	l.stack_off = l.image_size;
	l.stack_size = cfg->stack_kib * 1024ULL;
	l.nr_cpus = cfg->cpus;
	l.info_off = l.stack_off + l.stack_size * l.nr_cpus;
	l.pool_off = l.info_off + LDR_PAGE_SIZE;
	l.pool_size = (uint64_t)cfg->pool_mib << 20;
	l.total = (l.pool_off + l.pool_size + LDR_REGION_ALIGN - 1) & ~(LDR_REGION_ALIGN - 1);
	*lay = l;
	return NULL;
}
