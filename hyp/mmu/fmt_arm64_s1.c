// SPDX-License-Identifier: GPL-2.0-only
/*
 * Arm VMSAv8-64 stage-1 descriptors, 4 KiB granule, 48-bit output addresses:
 * the EL2 translation regime (HCR_EL2.E2H == 0) and SMMUv3 context descriptors
 * (IHI 0070, 5.4 "Context Descriptor": CD.TTB0 tables use this VMSAv8-64
 * format). Arm ARM DDI 0487 K.a:
 *   D8.3   "Translation table descriptor formats",
 *   "Stage 1 data access permissions", "Execute-never controls" (AP[2:1],
 *          PXN, UXN/XN),
 *   "Stage 1 memory type and Cacheability attributes"
 *          (AttrIndx into MAIR: PT_ARM64_S1_MAIR in hyp/pgtable.h),
 *   "The Access flag".
 * (Section titles are given where numbering differs between revisions.)
 */
#include <errno.h>

#include "pt_fmt.h"

#define S1_VALID     BIT(0)
#define S1_TABLE     BIT(1) /* levels 0-2: table; level 3: page */
#define S1_ADDR	     GENMASK(47, 12)
#define S1_ATTRINDX  GENMASK(4, 2) /* index into MAIR */
#define S1_AP_UNPRIV BIT(6)	   /* AP[1]: RES1 at EL2; SMMU: unprivileged access */
#define S1_AP_RO     BIT(7)	   /* AP[2]: read-only */
#define S1_SH	     GENMASK(9, 8)
#define S1_SH_INNER  0x3ULL
#define S1_AF	     BIT(10)
#define S1_PXN	     BIT(53) /* RES0 in the EL2 regime: decoded, never set */
#define S1_XN	     BIT(54) /* XN at EL2, UXN for an SMMU CD */

static void s1_geometry(unsigned int ia_bits, u8 *start_level, u8 *root_pages)
{
	/* TCR.T0SZ = 64 - ia_bits; a 4K-granule walk covers 39 bits from level 1. */
	*start_level = ia_bits > 39 ? 0 : 1;
	*root_pages = 1;
}

static int s1_attr_norm(pt_attr_t attr, pt_attr_t *out)
{
	/* Stage 1 has no write-only or execute-only page: a valid page is readable. */
	if (!(attr & PT_R))
		return -EINVAL;
	*out = attr;
	return 0;
}

static u64 s1_mk_table(u64 table_pa)
{
	return (table_pa & S1_ADDR) | S1_TABLE | S1_VALID; /* APTable/XNTable 0: no limits */
}

static u64 s1_mk_leaf(unsigned int level, u64 pa, pt_attr_t attr)
{
	u64 d = (pa & S1_ADDR) | S1_VALID | S1_AF | S1_AP_UNPRIV | FIELD_PREP(S1_SH, S1_SH_INNER);

	if (level == PT_LAST_LEVEL)
		d |= S1_TABLE;
	d |= FIELD_PREP(S1_ATTRINDX, (attr & PT_DEVICE) ? PT_ARM64_S1_MAIR_IDX_DEVICE :
							  PT_ARM64_S1_MAIR_IDX_NORMAL);
	if (!(attr & PT_W))
		d |= S1_AP_RO;
	if (!(attr & PT_X))
		d |= S1_XN;
	return d;
}

static enum pt_desc_type s1_type(u64 desc, unsigned int level)
{
	if (!(desc & S1_VALID))
		return PT_DESC_INVALID;
	if (level == PT_LAST_LEVEL)
		return (desc & S1_TABLE) ? PT_DESC_LEAF : PT_DESC_BAD;
	return (desc & S1_TABLE) ? PT_DESC_TABLE : PT_DESC_LEAF;
}

static u64 s1_addr(u64 desc)
{
	return desc & S1_ADDR;
}

static pt_attr_t s1_attr(u64 desc)
{
	pt_attr_t a = PT_R;
	u64 idx = FIELD_GET(S1_ATTRINDX, desc);

	if (!(desc & S1_AP_RO))
		a |= PT_W;
	if (!(desc & (S1_XN | S1_PXN)))
		a |= PT_X;
	if (idx == PT_ARM64_S1_MAIR_IDX_DEVICE || idx == 2) /* Attr1/Attr2: Device */
		a |= PT_DEVICE;
	return a;
}

static u64 s1_root_ptr(const struct pt *pt)
{
	return pt->root; /* TTBR0_EL2.BADDR / CD.TTB0 */
}

const struct pt_fmt pt_fmt_arm64_s1 = {
	.name = "arm64-s1",
	.min_ia_bits = 32,
	.max_ia_bits = 48,
	.oa_bits = 48,
	.leaf_levels = BIT(1) | BIT(2) | BIT(3),
	.needs_bbm = true,
	.geometry = s1_geometry,
	.attr_norm = s1_attr_norm,
	.mk_table = s1_mk_table,
	.mk_leaf = s1_mk_leaf,
	.leaf_oa = S1_ADDR,
	.type = s1_type,
	.addr = s1_addr,
	.attr = s1_attr,
	.root_ptr = s1_root_ptr,
};
