// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD nested page tables (NPT): the x86-64 long-mode 4-level layout (PML4 = level 0,
 * PDPT = 1, PD = 2, PT = 3) walked with the host's paging mode at VMRUN.
 *
 *  - Entry formats: AMD APM Vol. 2 (rev. 3.42) 5.3.3 "4-Kbyte Page Translation" (figures
 *    5-18..5-21), 5.3.4 "2-Mbyte Page Translation" (PDE.PS, figure 5-24), 5.3.5 "1-Gbyte
 *    Page Translation" (PDPE.PS, figure 5-27; needs CPUID 8000_0001h EDX[26] Page1GB),
 *    5.4.1 "Field Definitions": P bit 0, R/W bit 1, U/S bit 2, PWT bit 3, PCD bit 4, PS
 *    bit 7 (must be zero in a PML4E), PAT bit 12 of a large page (bit 7 of a PTE), address
 *    bits [51:12], NX bit 63 (valid only with EFER.NXE set).
 *  - 15.25.5 "Nested Table Walk": every access the nested walk makes is a user access, so
 *    U/S must be 1 at every level or the access faults (#VMEXIT(NPF)); write and execute
 *    rights are the AND of every level's R/W and NX (5.6 "Page-Protection Checks").
 *  - 15.25.8 "Combining Nested and Guest Attributes": the memory type is the combination
 *    of the guest's and the nested entry's (PAT index PAT:PCD:PWT into the host's PAT,
 *    5.7 "Page-Attribute Table Mechanism"). Normal memory uses index 0 (WB at the PAT's
 *    reset value), device memory index 3 (PCD = PWT = 1: UC at reset); UC dominates the
 *    combination, so a host mapping of MMIO never becomes cacheable.
 *
 * The hypervisor runs with EFER.NXE set (NX is then a defined bit in the nested walk).
 */
#include <errno.h>

#include "pt_fmt.h"

#define NPT_P	 BIT(0) /* 5.4.1: present */
#define NPT_RW	 BIT(1) /* 5.4.1: writes allowed */
#define NPT_US	 BIT(2) /* 5.4.1: user; 15.25.5: required by the nested walk */
#define NPT_PWT	 BIT(3) /* 5.4.1: PAT index bit 0 */
#define NPT_PCD	 BIT(4) /* 5.4.1: PAT index bit 1 */
/*
 * 5.4.1: Accessed (every level) and Dirty (leaves). The processor sets them in the nested
 * table as it walks it for the guest (15.25.5), so a table the core merges would no longer
 * look uniform once the host touched its pages. Written set: the walker has nothing to
 * change, and an entry stays exactly what the format encoded.
 */
#define NPT_A	 BIT(5)
#define NPT_D	 BIT(6)
#define NPT_PS	 BIT(7) /* 5.4.1: PDPE 1 GiB page, PDE 2 MiB page; MBZ in a PML4E */
#define NPT_ADDR GENMASK(51, 12)
#define NPT_NX	 BIT(63) /* 5.4.1: no execute (EFER.NXE = 1) */

static void npt_geometry(unsigned int ia_bits, u8 *start_level, u8 *root_pages)
{
	(void)ia_bits;
	*start_level = 0; /* long mode always walks 4 levels; ia_bits only bounds the range */
	*root_pages = 1;
}

static int npt_attr_norm(pt_attr_t attr, pt_attr_t *out)
{
	/* P = 1 grants read: there is no write-only or execute-only x86 page. */
	if (!(attr & PT_R))
		return -EINVAL;
	*out = attr;
	return 0;
}

static u64 npt_mk_table(u64 table_pa)
{
	/* Rights AND down the walk (5.6): a table grants everything, the leaf decides. */
	return (table_pa & NPT_ADDR) | NPT_P | NPT_RW | NPT_US | NPT_A;
}

static u64 npt_mk_leaf(unsigned int level, u64 pa, pt_attr_t attr)
{
	u64 d = (pa & NPT_ADDR) | NPT_P | NPT_US | NPT_A | NPT_D;

	if (attr & PT_W)
		d |= NPT_RW;
	if (!(attr & PT_X))
		d |= NPT_NX;
	if (attr & PT_DEVICE)
		d |= NPT_PCD | NPT_PWT; /* PAT entry 3: UC */
	if (level != PT_LAST_LEVEL)
		d |= NPT_PS;
	return d;
}

static enum pt_desc_type npt_type(u64 desc, unsigned int level)
{
	if (!(desc & NPT_P))
		return PT_DESC_INVALID;
	if (!(desc & NPT_US))
		return PT_DESC_BAD; /* 15.25.5: the nested walk would fault on it */
	if (level == PT_LAST_LEVEL)
		return PT_DESC_LEAF;
	if (!(desc & NPT_PS))
		return PT_DESC_TABLE;
	if (level == 0)
		return PT_DESC_BAD; /* PML4E.PS must be zero */
	return PT_DESC_LEAF;
}

static u64 npt_addr(u64 desc)
{
	/*
	 * A large page's bit 12 is its PAT bit, never set here: left in the address it makes
	 * the leaf misaligned, so the engine's strict decode refuses it.
	 */
	return desc & NPT_ADDR;
}

static pt_attr_t npt_attr(u64 desc)
{
	pt_attr_t a = PT_R;

	if (desc & NPT_RW)
		a |= PT_W;
	if (!(desc & NPT_NX))
		a |= PT_X;
	if (desc & NPT_PCD)
		a |= PT_DEVICE;
	return a;
}

static u64 npt_root_ptr(const struct pt *pt)
{
	/* VMCB N_CR3 (15.25.4): the PML4 base; PWT = PCD = 0, the table pages are WB. */
	return pt->root;
}

const struct pt_fmt pt_fmt_x86_npt = {
	.name = "x86-npt",
	.min_ia_bits = 32,
	.max_ia_bits = 48,
	.oa_bits = 52,
	.leaf_levels = BIT(1) | BIT(2) | BIT(3),
	.needs_bbm = false, /* x86 updates live entries in place, then invalidates */
	.geometry = npt_geometry,
	.attr_norm = npt_attr_norm,
	.mk_table = npt_mk_table,
	.mk_leaf = npt_mk_leaf,
	.leaf_oa = NPT_ADDR,
	.type = npt_type,
	.addr = npt_addr,
	.attr = npt_attr,
	.root_ptr = npt_root_ptr,
};
