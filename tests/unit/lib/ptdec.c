// SPDX-License-Identifier: GPL-2.0-only
/*
 * Independent table decoders (tests only, see ptdec.h). Each format is decoded from its
 * manual's field tables, with masks written out here rather than taken from hyp/mmu:
 *
 *  - Arm VMSAv8-64, 4 KiB granule, 48-bit OA (Arm ARM DDI 0487 K.a D8.3 "Translation table
 *    descriptor formats"): bits[1:0] 0b11 table (levels 0-2) or page (level 3), 0b01 block
 *    (levels 1-2; reserved at levels 0 and 3), bit 0 clear invalid. Next-level table
 *    address bits [47:12]; block output [47:30] (level 1) / [47:21] (level 2); AF bit 10
 *    (clear: an Access flag fault, so the leaf reaches nothing).
 *    Stage 2 (D8.5 "Stage 2 memory type and Cacheability attributes", "Stage 2 data access
 *    permissions", "Stage 2 execute-never"): MemAttr[3:0] bits [5:2], Device when
 *    MemAttr[3:2] == 0b00; S2AP bits [7:6] (bit 6 read, bit 7 write); XN[1:0] bits
 *    [54:53], executable only when both are 0.
 *    Stage 1, EL2 regime (D8.4 "Stage 1 data access permissions", "Execute-never"):
 *    AttrIndx bits [4:2] selects a MAIR_EL2 byte, Device when its high nibble is 0b0000
 *    (D23.2 MAIR_EL2); AP[2] bit 7 read-only; XN bit 54. Table descriptors limit what is
 *    below them (D8.4 "Hierarchical control"): XNTable bit 60, APTable[1] bit 62 (no
 *    write).
 *  - Intel EPT (SDM Vol. 3C 29.3.2 "EPT Translation Mechanism", Tables 29-1 to 29-6): bits
 *    R 0, W 1, X 2, present when any is set; write without read is a misconfiguration
 *    (29.3.3.1); bit 7 reserved in a PML4E, a 1 GiB page in a PDPTE, a 2 MiB page in a PDE;
 *    address bits [51:12] (tables, 4 KiB pages), [51:30] (1 GiB), [51:21] (2 MiB), the bits
 *    between the page's alignment and bit 12 reserved; leaf memory type bits [5:3] (0 UC,
 *    1 WC, 4 WT, 5 WP, 6 WB, others reserved: a misconfiguration), Device = UC. Access
 *    rights are the AND of every level's (29.3.3.2 "EPT Violations").
 *  - Intel VT-d second level (VT-d spec 3.x, 9.8 "Second-Level Paging Entries", 3.7.1):
 *    R bit 0, W bit 1, not present when both are clear; PS bit 7 reserved in an SL-PML4E,
 *    a 1 GiB page in an SL-PDPE (only with CAP_REG.SLLPS bit 1, 11.4.2: PT_FMT_VTD_SL_1G;
 *    decoded as bad for PT_FMT_VTD_SL), a 2 MiB page in an SL-PDE; address bits as EPT. No execute
 *    for DMA. Snoop (SNP bit 11): Lockstep's convention (fmt_vtd_sl.c) sets it for normal
 *    memory and leaves it clear for peer MMIO, so Device = SNP clear. Rights AND down the
 *    walk.
 *  - AMD nested paging (APM Vol. 2 rev. 3.42, 5.3.3-5.3.5 and 5.4.1 for the long-mode entry
 *    formats, 15.25.5 "Nested Table Walk", 15.25.8 for the memory type): P bit 0 (clear:
 *    not present), R/W bit 1, U/S bit 2 (the nested walk is a user access: an entry without
 *    it faults, so it is decoded as bad), PWT bit 3 and PCD bit 4 (PAT index 3 = UC at the
 *    PAT's reset value: Device when PCD is set, Lockstep's convention), PS bit 7 (MBZ in a
 *    PML4E, a 1 GiB page in a PDPE, a 2 MiB page in a PDE), PAT bit 12 of a large page
 *    (never set by Lockstep: decoded as bad), address bits [51:12] / [51:30] / [51:21],
 *    reserved bits between the alignment and bit 13 MBZ, NX bit 63. Every present entry
 *    grants read; W and X are the AND of every level's R/W and !NX (5.6).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hyp/plat.h"
#include "ptdec.h"

#define M(hi, lo) ((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))

static unsigned int ptdec_shift(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

/* ---- Arm VMSAv8-64 ----------------------------------------------------------------- */

static enum ptdec_type arm_desc(bool s2, unsigned int level, u64 d, u64 *addr, pt_attr_t *attr)
{
	u64 mair_byte;

	if (!(d & 1))
		return PTDEC_INVALID;
	if (level < 3 && (d & 2)) {
		*addr = d & M(47, 12);
		return PTDEC_TABLE;
	}
	if ((level == 3 && !(d & 2)) || level == 0)
		return PTDEC_BAD; /* reserved encodings with a 4 KiB granule, 48-bit OA */
	*addr = d & M(47, ptdec_shift(level));
	if (!(d & (1ULL << 10)))
		return PTDEC_BAD; /* AF clear: every access faults */
	*attr = 0;
	if (s2) {
		if (d & (1ULL << 6))
			*attr |= PT_R;
		if (d & (1ULL << 7))
			*attr |= PT_W;
		if (!(d & M(54, 53)))
			*attr |= PT_X;
		if (!((d >> 4) & 3))
			*attr |= PT_DEVICE;
	} else {
		*attr = PT_R;
		if (!(d & (1ULL << 7)))
			*attr |= PT_W;
		if (!(d & (1ULL << 54)))
			*attr |= PT_X;
		mair_byte = (PT_ARM64_S1_MAIR >> (8 * ((d >> 2) & 7))) & 0xff;
		if (!(mair_byte >> 4))
			*attr |= PT_DEVICE;
	}
	return PTDEC_LEAF;
}

/* What an Arm stage-1 table descriptor takes away from everything below it. */
static pt_attr_t arm_s1_table_limit(u64 d)
{
	pt_attr_t keep = PT_RWX | PT_DEVICE;

	if (d & (1ULL << 60))
		keep &= ~(pt_attr_t)PT_X;
	if (d & (1ULL << 62))
		keep &= ~(pt_attr_t)PT_W;
	return keep;
}

/* ---- Intel EPT and VT-d second level ------------------------------------------------ */

/* @sl1g: a VT-d SL-PDPE may be a 1 GiB page (the unit has CAP_REG.SLLPS bit 1). */
static enum ptdec_type x86_desc(bool ept, bool sl1g, unsigned int level, u64 d, u64 *addr,
				pt_attr_t *attr)
{
	u64 mt;
	unsigned int sh;

	if (!(d & (ept ? 7ULL : 3ULL)))
		return PTDEC_INVALID;
	if (ept && (d & 3) == 2)
		return PTDEC_BAD; /* write without read: EPT misconfiguration */
	if (level < 3 && !(d & (1ULL << 7))) {
		*addr = d & M(51, 12);
		if (attr) {
			*attr = (d & 1 ? PT_R : 0) | (d & 2 ? PT_W : 0) |
				(ept && (d & 4) ? PT_X : 0);
		}
		return PTDEC_TABLE;
	}
	if (level == 0 || (!ept && !sl1g && level == 1))
		return PTDEC_BAD; /* bit 7 reserved (PML4E), or a 1 GiB SL page without SLLPS */
	sh = ptdec_shift(level);
	if (d & M(sh - 1, 12))
		return PTDEC_BAD; /* reserved address bits below a large page's alignment */
	*addr = d & M(51, sh);
	*attr = (d & 1 ? PT_R : 0) | (d & 2 ? PT_W : 0);
	if (ept) {
		if (d & 4)
			*attr |= PT_X;
		mt = (d >> 3) & 7;
		if (mt == 2 || mt == 3 || mt == 7)
			return PTDEC_BAD; /* reserved memory type: misconfiguration */
		if (mt == 0)
			*attr |= PT_DEVICE;
	} else if (!(d & (1ULL << 11))) {
		*attr |= PT_DEVICE;
	}
	return PTDEC_LEAF;
}

/* ---- AMD nested paging ------------------------------------------------------------- */

static enum ptdec_type npt_desc(unsigned int level, u64 d, u64 *addr, pt_attr_t *attr)
{
	unsigned int sh;

	if (!(d & 1))
		return PTDEC_INVALID;
	if (!(d & 4))
		return PTDEC_BAD; /* U/S clear: the nested walk's user access faults */
	*attr = PT_R | (d & 2 ? PT_W : 0) | (d >> 63 ? 0 : PT_X);
	if (level < 3 && !(d & (1ULL << 7))) {
		*addr = d & M(51, 12);
		return PTDEC_TABLE;
	}
	if (level == 0)
		return PTDEC_BAD; /* PML4E.PS MBZ */
	sh = ptdec_shift(level);
	if (level < 3 && (d & M(sh - 1, 12)))
		return PTDEC_BAD; /* PAT bit 12 (unused) or MBZ bits below the alignment */
	*addr = d & M(51, sh);
	if (d & (1ULL << 4))
		*attr |= PT_DEVICE;
	return PTDEC_LEAF;
}

enum ptdec_type ptdec_desc(enum pt_fmt_id fmt, unsigned int level, u64 desc, u64 *addr,
			   pt_attr_t *attr)
{
	pt_attr_t dummy;

	if (!attr)
		attr = &dummy;
	switch (fmt) {
	case PT_FMT_ARM64_S2:
		return arm_desc(true, level, desc, addr, attr);
	case PT_FMT_ARM64_S1:
		return arm_desc(false, level, desc, addr, attr);
	case PT_FMT_X86_EPT:
		return x86_desc(true, false, level, desc, addr, attr);
	case PT_FMT_VTD_SL:
	case PT_FMT_VTD_SL_1G:
		return x86_desc(false, fmt == PT_FMT_VTD_SL_1G, level, desc, addr, attr);
	case PT_FMT_X86_NPT:
		return npt_desc(level, desc, addr, attr);
	default:
		return PTDEC_BAD;
	}
}

/* What a table descriptor lets through to the levels below (the AND of rights). */
static pt_attr_t ptdec_table_limit(enum pt_fmt_id fmt, unsigned int level, u64 d)
{
	pt_attr_t a = 0;
	u64 addr;

	switch (fmt) {
	case PT_FMT_ARM64_S1:
		return arm_s1_table_limit(d);
	case PT_FMT_X86_EPT:
	case PT_FMT_VTD_SL:
	case PT_FMT_VTD_SL_1G:
		x86_desc(fmt == PT_FMT_X86_EPT, false, level, d, &addr, &a);
		return a | PT_DEVICE | (fmt != PT_FMT_X86_EPT ? PT_X : 0);
	case PT_FMT_X86_NPT:
		npt_desc(level, d, &addr, &a);
		return a | PT_DEVICE;
	default:
		return PT_RWX | PT_DEVICE;
	}
}

/* ---- walk ------------------------------------------------------------------------ */

struct ptdec_walk {
	const struct pt *pt;
	int (*leaf)(const struct ptdec_leaf *l, void *arg);
	int (*table)(u64 table_pa, unsigned int level, void *arg);
	void *arg;
	char *err;
	size_t err_len;
};

static int ptdec_bad(struct ptdec_walk *w, const char *what, unsigned int level, u64 ia, u64 d)
{
	if (w->err)
		snprintf(w->err, w->err_len, "%s at level %u, IA %#llx: descriptor %#llx", what,
			 level, (unsigned long long)ia, (unsigned long long)d);
	return -EINVAL;
}

static int ptdec_table(struct ptdec_walk *w, u64 table_pa, unsigned int level, u64 ia0,
		       unsigned int nr, pt_attr_t limit)
{
	const u64 *t = plat_phys_to_virt(table_pa);
	unsigned int sh = ptdec_shift(level), i;
	struct ptdec_leaf l;
	u64 addr, d, ia;
	pt_attr_t attr;
	int ret;

	if (table_pa & 0xfff)
		return ptdec_bad(w, "misaligned table", level, ia0, table_pa);
	for (i = 0; i < nr; i++) {
		d = t[i];
		ia = ia0 + ((u64)i << sh);
		switch (ptdec_desc(w->pt->fmt, level, d, &addr, &attr)) {
		case PTDEC_INVALID:
			continue;
		case PTDEC_BAD:
			return ptdec_bad(w, "bad descriptor", level, ia, d);
		case PTDEC_TABLE:
			if (w->table && (ret = w->table(addr, level + 1, w->arg)))
				return ret;
			ret = ptdec_table(w, addr, level + 1, ia, 512,
					  limit & ptdec_table_limit(w->pt->fmt, level, d));
			if (ret)
				return ret;
			continue;
		case PTDEC_LEAF:
			if (ia >> w->pt->ia_bits)
				return ptdec_bad(w, "leaf beyond the input range", level, ia, d);
			l.ia = ia;
			l.pa = addr;
			l.size = 1ULL << sh;
			l.desc = d;
			l.attr = attr & limit;
			l.level = level;
			if (w->leaf && (ret = w->leaf(&l, w->arg)))
				return ret;
			continue;
		}
	}
	return 0;
}

int ptdec_walk(const struct pt *pt, int (*leaf)(const struct ptdec_leaf *l, void *arg),
	       int (*table)(u64 table_pa, unsigned int level, void *arg), void *arg, char *err,
	       size_t err_len)
{
	struct ptdec_walk w = { pt, leaf, table, arg, err, err_len };
	unsigned int p;
	int ret;

	if (err && err_len)
		err[0] = 0;
	if (!pt->root || pt->start_level > 3 || !pt->root_pages)
		return ptdec_bad(&w, "no root", pt->start_level, 0, pt->root);
	for (p = 0; p < pt->root_pages; p++)
		if (table && (ret = table(pt->root + ((u64)p << 12), pt->start_level, arg)))
			return ret;
	/* Concatenated root pages are one table of root_pages * 512 entries (D8.2). */
	return ptdec_table(&w, pt->root, pt->start_level, 0, 512U * pt->root_pages,
			   PT_RWX | PT_DEVICE);
}

/* ---- lookup ------------------------------------------------------------------------ */

static u64 *ptdec_find(const struct pt *pt, u64 ia, struct ptdec_leaf *out)
{
	unsigned int level = pt->start_level, sh;
	pt_attr_t limit = PT_RWX | PT_DEVICE, attr;
	u64 table = pt->root, addr, *slot;
	u64 idx;

	if (!pt->root || ia >> pt->ia_bits)
		return NULL;
	for (;;) {
		sh = ptdec_shift(level);
		idx = ia >> sh;
		if (level != pt->start_level)
			idx &= 511;
		else if (idx >= 512ULL * pt->root_pages)
			return NULL;
		slot = (u64 *)plat_phys_to_virt(table) + idx;
		switch (ptdec_desc(pt->fmt, level, *slot, &addr, &attr)) {
		case PTDEC_TABLE:
			limit &= ptdec_table_limit(pt->fmt, level, *slot);
			table = addr;
			level++;
			continue;
		case PTDEC_LEAF:
			if (out) {
				out->ia = ia & ~((1ULL << sh) - 1);
				out->pa = addr + (ia & ((1ULL << sh) - 1));
				out->size = 1ULL << sh;
				out->desc = *slot;
				out->attr = attr & limit;
				out->level = level;
			}
			return slot;
		default:
			return NULL;
		}
	}
}

int ptdec_lookup(const struct pt *pt, u64 ia, struct ptdec_leaf *out)
{
	return ptdec_find(pt, ia, out) ? 0 : -ENOENT;
}

u64 *ptdec_leaf_slot(const struct pt *pt, u64 ia, unsigned int *level)
{
	struct ptdec_leaf l;
	u64 *slot = ptdec_find(pt, ia, &l);

	if (slot && level)
		*level = l.level;
	return slot;
}
