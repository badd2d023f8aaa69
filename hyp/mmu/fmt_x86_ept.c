// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel EPT, 4-level walk (PML4 = level 0, PDPT = 1, PD = 2, PT = 3). Intel SDM
 * Vol. 3C 29.3.2 "EPT Translation Mechanism" (tables 29-1..29-6: entry
 * formats), 29.3.3.1 "EPT Misconfigurations", 29.3.7 "EPT and Memory Typing",
 * 25.6.11 "Extended-Page-Table Pointer (EPTP)". Accessed/dirty flags off.
 *
 * Leaves of normal memory also carry bit 11, which the CPU ignores in every EPT
 * entry (tables 29-2, 29-4, 29-6: "Ignored") and a VT-d unit walking the same
 * table reads as SNP, snoop (VT-d 9.8): the host's DMA view can then be this
 * table itself with the DMA semantics of the VT-d format's mirror
 * (fmt_vtd_sl.c: SNP on normal memory, clear on device memory). Xen's shared
 * EPT does the same. vtd_sl_shareable (hyp/iommu/vtd) decides from these
 * encoders whether a unit can walk the table; docs/vtd.md "EPT shared with VT-d".
 */
#include <errno.h>

#include "pt_fmt.h"

#define EPT_R	    BIT(0)
#define EPT_W	    BIT(1)
#define EPT_X	    BIT(2) /* supervisor-mode execute */
#define EPT_RWX	    (EPT_R | EPT_W | EPT_X)
#define EPT_MT	    GENMASK(5, 3) /* EPT memory type (leaves only) */
#define EPT_MT_UC   0x0ULL
#define EPT_MT_WB   0x6ULL
#define EPT_IPAT    BIT(6)  /* ignore guest PAT */
#define EPT_LARGE   BIT(7)  /* PDPTE: 1 GiB page, PDE: 2 MiB page */
#define EPT_VTD_SNP BIT(11) /* ignored by the CPU; VT-d SNP when a unit shares the table */
#define EPT_ADDR    GENMASK(51, 12)
#define EPTP_MT_WB  0x6ULL	/* EPTP[2:0]: paging-structure memory type */
#define EPTP_WALK_4 (3ULL << 3) /* EPTP[5:3]: walk length - 1 */

static void ept_geometry(unsigned int ia_bits, u8 *start_level, u8 *root_pages)
{
	(void)ia_bits;
	*start_level = 0; /* always the 4-level walk; ia_bits only bounds the range */
	*root_pages = 1;
}

static int ept_attr_norm(pt_attr_t attr, pt_attr_t *out)
{
	/*
	 * R = W = X = 0 is "not present"; write without read is a misconfiguration
	 * and execute-only needs an optional capability: require R.
	 */
	if (!(attr & PT_R))
		return -EINVAL;
	*out = attr;
	return 0;
}

static u64 ept_mk_table(u64 table_pa)
{
	return (table_pa & EPT_ADDR) | EPT_RWX; /* access rights AND down the walk */
}

static u64 ept_mk_leaf(unsigned int level, u64 pa, pt_attr_t attr)
{
	u64 d = (pa & EPT_ADDR) | EPT_IPAT;

	if (attr & PT_DEVICE)
		d |= FIELD_PREP(EPT_MT, EPT_MT_UC);
	else
		d |= FIELD_PREP(EPT_MT, EPT_MT_WB) | EPT_VTD_SNP;
	if (attr & PT_R)
		d |= EPT_R;
	if (attr & PT_W)
		d |= EPT_W;
	if (attr & PT_X)
		d |= EPT_X;
	if (level != PT_LAST_LEVEL)
		d |= EPT_LARGE;
	return d;
}

static enum pt_desc_type ept_type(u64 desc, unsigned int level)
{
	if (!(desc & EPT_RWX))
		return PT_DESC_INVALID; /* 29.3.2: not present */
	if ((desc & (EPT_R | EPT_W)) == EPT_W)
		return PT_DESC_BAD; /* 29.3.3.1: write without read */
	if (level == PT_LAST_LEVEL)
		return PT_DESC_LEAF;
	if (!(desc & EPT_LARGE))
		return PT_DESC_TABLE;
	if (level == 0)
		return PT_DESC_BAD; /* PML4E bit 7 is reserved */
	return PT_DESC_LEAF;
}

static u64 ept_addr(u64 desc)
{
	return desc & EPT_ADDR;
}

static pt_attr_t ept_attr(u64 desc)
{
	pt_attr_t a = 0;

	if (desc & EPT_R)
		a |= PT_R;
	if (desc & EPT_W)
		a |= PT_W;
	if (desc & EPT_X)
		a |= PT_X;
	if (FIELD_GET(EPT_MT, desc) == EPT_MT_UC)
		a |= PT_DEVICE;
	return a;
}

static u64 ept_root_ptr(const struct pt *pt)
{
	return pt->root | EPTP_WALK_4 | EPTP_MT_WB;
}

const struct pt_fmt pt_fmt_x86_ept = {
	.name = "x86-ept",
	.min_ia_bits = 32,
	.max_ia_bits = 48,
	.oa_bits = 52,
	.leaf_levels = BIT(1) | BIT(2) | BIT(3),
	.needs_bbm = false, /* x86 updates live entries in place, then invalidates */
	.geometry = ept_geometry,
	.attr_norm = ept_attr_norm,
	.mk_table = ept_mk_table,
	.mk_leaf = ept_mk_leaf,
	.leaf_oa = EPT_ADDR,
	.type = ept_type,
	.addr = ept_addr,
	.attr = ept_attr,
	.root_ptr = ept_root_ptr,
};
