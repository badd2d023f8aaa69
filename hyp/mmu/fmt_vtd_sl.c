// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d second-level paging entries (VT-d spec rev 3.x, 3.7 "Second-Level
 * Translation", 9.8 "Second-Level Paging Entries"). 3-level (39-bit AGAW,
 * start level 1) or 4-level (48-bit AGAW, start level 0) walks. Two formats with
 * the same entries: PT_FMT_VTD_SL maps 2 MiB super-pages at most (CAP_REG.SLLPS
 * bit 0, which the driver requires); PT_FMT_VTD_SL_1G also 1 GiB ones (an
 * SL-PDPE with PS, 9.8), for a unit whose CAP_REG.SLLPS bit 1 says it walks them
 * (11.4.2): the driver picks it per unit. DMA has no execute permission: PT_X is
 * dropped.
 * Snoop (SNP, bit 11) is set for normal memory so DMA stays coherent with CPU
 * caches; device (peer MMIO) mappings leave it clear.
 */
#include <errno.h>

#include "pt_fmt.h"

#define SL_R	BIT(0)
#define SL_W	BIT(1)
#define SL_PS	BIT(7) /* super-page: SL-PDE (2 MiB) or, with SLLPS bit 1, SL-PDPE (1 GiB) */
#define SL_SNP	BIT(11)
#define SL_ADDR GENMASK(51, 12)

static void sl_geometry(unsigned int ia_bits, u8 *start_level, u8 *root_pages)
{
	*start_level = ia_bits > 39 ? 0 : 1;
	*root_pages = 1;
}

static int sl_attr_norm(pt_attr_t attr, pt_attr_t *out)
{
	attr &= ~(pt_attr_t)PT_X;
	if (!(attr & (PT_R | PT_W)))
		return -EINVAL; /* R = W = 0 is "not present" */
	*out = attr;
	return 0;
}

static u64 sl_mk_table(u64 table_pa)
{
	return (table_pa & SL_ADDR) | SL_R | SL_W;
}

static u64 sl_mk_leaf(unsigned int level, u64 pa, pt_attr_t attr)
{
	u64 d = pa & SL_ADDR;

	if (attr & PT_R)
		d |= SL_R;
	if (attr & PT_W)
		d |= SL_W;
	if (!(attr & PT_DEVICE))
		d |= SL_SNP;
	if (level != PT_LAST_LEVEL)
		d |= SL_PS;
	return d;
}

static enum pt_desc_type sl_type(u64 desc, unsigned int level)
{
	if (!(desc & (SL_R | SL_W)))
		return PT_DESC_INVALID;
	if (level == PT_LAST_LEVEL)
		return PT_DESC_LEAF;
	if (!(desc & SL_PS))
		return PT_DESC_TABLE;
	/* PS in an SL-PML4E is reserved; at level 1 the engine takes it only from the 1G format. */
	return level == 0 ? PT_DESC_BAD : PT_DESC_LEAF;
}

static u64 sl_addr(u64 desc)
{
	return desc & SL_ADDR;
}

static pt_attr_t sl_attr(u64 desc)
{
	pt_attr_t a = 0;

	if (desc & SL_R)
		a |= PT_R;
	if (desc & SL_W)
		a |= PT_W;
	if (!(desc & SL_SNP))
		a |= PT_DEVICE;
	return a;
}

static u64 sl_root_ptr(const struct pt *pt)
{
	return pt->root; /* context entry SLPTPTR; AW is set from ia_bits by the driver */
}

/* The two formats differ only in their leaf levels. */
#define SL_FMT(fmt_name, levels)                                                           \
	{                                                                                  \
		.name = (fmt_name), .min_ia_bits = 32, .max_ia_bits = 48, .oa_bits = 52,   \
		.leaf_levels = (levels), .needs_bbm = false, .geometry = sl_geometry,      \
		.attr_norm = sl_attr_norm, .mk_table = sl_mk_table, .mk_leaf = sl_mk_leaf, \
		.leaf_oa = SL_ADDR, .type = sl_type, .addr = sl_addr, .attr = sl_attr,     \
		.root_ptr = sl_root_ptr,                                                   \
	}

const struct pt_fmt pt_fmt_vtd_sl = SL_FMT("vtd-sl", BIT(2) | BIT(3));

/* The same entries with 1 GiB leaves: only for units with CAP_REG.SLLPS bit 1 (vtd.c). */
const struct pt_fmt pt_fmt_vtd_sl_1g = SL_FMT("vtd-sl-1g", BIT(1) | BIT(2) | BIT(3));
