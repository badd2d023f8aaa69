// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arm VMSAv8-64 stage-2 descriptors, 4 KiB granule, 48-bit output addresses
 * (no FEAT_LPA/LPA2). Arm ARM DDI 0487 K.a:
 *   D8.3   "Translation table descriptor formats" (table/block/page encodings),
 *   "Stage 2 memory type and Cacheability attributes when FEAT_S2FWB is
 *          disabled" (MemAttr,
 *          HCR_EL2.FWB == 0),
 *   "Stage 2 data access permissions" (S2AP), "Stage 2 execute-never" (XN),
 *   "The Access flag" (AF),
 *   "Concatenated translation tables" (D8.2 in K.a): the
 *   stage-2 start level and root concatenation (VTCR_EL2.SL0/T0SZ).
 */
#include <errno.h>

#include "pt_fmt.h"

#define S2_VALID	     BIT(0)
#define S2_TABLE	     BIT(1)	     /* levels 0-2: table; level 3: page */
#define S2_ADDR		     GENMASK(47, 12) /* next-level table / output address */
#define S2_MEMATTR	     GENMASK(5, 2)   /* MemAttr[3:0] */
#define S2_MEMATTR_DEV_nGnRE 0x1ULL	     /* 0b0001: Device-nGnRE */
#define S2_MEMATTR_NORMAL_WB 0xfULL	     /* 0b1111: Normal, Outer WB, Inner WB */
#define S2_S2AP_R	     BIT(6)	     /* S2AP[0]: read */
#define S2_S2AP_W	     BIT(7)	     /* S2AP[1]: write */
#define S2_SH		     GENMASK(9, 8)
#define S2_SH_INNER	     0x3ULL
#define S2_AF		     BIT(10) /* access flag: set, we do not track access */
#define S2_XN		     BIT(54) /* XN[1] (XN[0] = bit 53 only with FEAT_XNX) */

static void s2_geometry(unsigned int ia_bits, u8 *start_level, u8 *root_pages)
{
	/*
	 * Like VTCR_EL2 with SL0: start at level 1 and concatenate up to 16 level-1
	 * tables (each covers 39 bits) for IPAs up to 43 bits; start at level 0 above.
	 */
	if (ia_bits > 43) {
		*start_level = 0;
		*root_pages = 1;
	} else {
		*start_level = 1;
		*root_pages = (u8)(ia_bits > 39 ? 1U << (ia_bits - 39) : 1U);
	}
}

static int s2_attr_norm(pt_attr_t attr, pt_attr_t *out)
{
	/* Every combination is expressible: S2AP covers none/R/W/RW, XN covers X. */
	*out = attr;
	return 0;
}

static u64 s2_mk_table(u64 table_pa)
{
	return (table_pa & S2_ADDR) | S2_TABLE | S2_VALID;
}

static u64 s2_mk_leaf(unsigned int level, u64 pa, pt_attr_t attr)
{
	u64 d = (pa & S2_ADDR) | S2_VALID | S2_AF | FIELD_PREP(S2_SH, S2_SH_INNER);

	if (level == PT_LAST_LEVEL)
		d |= S2_TABLE; /* page descriptor: bits[1:0] = 0b11 */
	d |= FIELD_PREP(S2_MEMATTR,
			(attr & PT_DEVICE) ? S2_MEMATTR_DEV_nGnRE : S2_MEMATTR_NORMAL_WB);
	if (attr & PT_R)
		d |= S2_S2AP_R;
	if (attr & PT_W)
		d |= S2_S2AP_W;
	if (!(attr & PT_X))
		d |= S2_XN;
	return d;
}

static enum pt_desc_type s2_type(u64 desc, unsigned int level)
{
	if (!(desc & S2_VALID))
		return PT_DESC_INVALID;
	if (level == PT_LAST_LEVEL) /* 0b01 at level 3 is reserved */
		return (desc & S2_TABLE) ? PT_DESC_LEAF : PT_DESC_BAD;
	if (desc & S2_TABLE)
		return PT_DESC_TABLE;
	return PT_DESC_LEAF; /* block; the engine rejects level 0 */
}

static u64 s2_addr(u64 desc)
{
	return desc & S2_ADDR;
}

static pt_attr_t s2_attr(u64 desc)
{
	pt_attr_t a = 0;

	if (desc & S2_S2AP_R)
		a |= PT_R;
	if (desc & S2_S2AP_W)
		a |= PT_W;
	if (!(desc & S2_XN))
		a |= PT_X;
	if (FIELD_GET(S2_MEMATTR, desc) == S2_MEMATTR_DEV_nGnRE)
		a |= PT_DEVICE;
	return a;
}

static u64 s2_root_ptr(const struct pt *pt)
{
	return pt->root; /* VTTBR_EL2.BADDR; VMID and CnP are the caller's */
}

const struct pt_fmt pt_fmt_arm64_s2 = {
	.name = "arm64-s2",
	.min_ia_bits = 32,
	.max_ia_bits = 48,
	.oa_bits = 48,
	.leaf_levels = BIT(1) | BIT(2) | BIT(3),
	.needs_bbm = true,
	.geometry = s2_geometry,
	.attr_norm = s2_attr_norm,
	.mk_table = s2_mk_table,
	.mk_leaf = s2_mk_leaf,
	.leaf_oa = S2_ADDR,
	.type = s2_type,
	.addr = s2_addr,
	.attr = s2_attr,
	.root_ptr = s2_root_ptr,
};
