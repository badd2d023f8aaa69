// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated VT-d unit (see vtd_sim.h). Register layout from vtd_regs.h; the
 * second-level walk below decodes entries from the spec (VT-d 9.8) by itself.
 */
#include <string.h>

#include "../../../../hyp/iommu/vtd/vtd_regs.h"
#include "fake.h"
#include "hyp/plat.h"
#include "vtd_sim.h"

struct vsim vsim;

static void vsim_trace(char c)
{
	if (vsim.ntrace < VSIM_TRACE - 1)
		vsim.trace[vsim.ntrace++] = c;
}

void vsim_reset(void)
{
	memset(&vsim, 0, sizeof(vsim));
	vsim.ver = 0x10; /* 1.0, as QEMU in legacy mode */
	vsim.cap = FIELD_PREP(CAP_ND, 6) | FIELD_PREP(CAP_SAGAW, SAGAW_39 | SAGAW_48) |
		   FIELD_PREP(CAP_MGAW, 47) | FIELD_PREP(CAP_FRO, VSIM_FRO / 16) |
		   FIELD_PREP(CAP_SLLPS, SLLPS_2M | SLLPS_1G) | CAP_PSI |
		   FIELD_PREP(CAP_NFR, VSIM_NFR - 1) | FIELD_PREP(CAP_MAMV, 18);
	vsim.ecap = ECAP_C | ECAP_QI | ECAP_SC;
	vsim.per_tick = 1;
}

static u64 *vsim_mem(u64 pa)
{
	return plat_phys_to_virt(pa);
}

/* A table read by the unit: a non-coherent unit sees only what was cleaned. */
static u64 vsim_read_ent(u64 pa)
{
	if (!(vsim.ecap & ECAP_C) && !fake_poc_equal(ALIGN_DOWN(pa, 8), 8))
		vsim.stale_reads++;
	return *vsim_mem(pa);
}

/* ---- caches --------------------------------------------------------------- */

bool vsim_ctx_cached(u32 sid)
{
	return vsim.ctx[sid & 0xffff].v;
}

u32 vsim_tlb_count(u16 did, u64 iova, u64 size)
{
	u32 n = 0;

	for (u32 i = 0; i < VSIM_TLB; i++) {
		const struct vsim_tlbe *e = &vsim.tlb[i];

		if (e->v && e->did == did && e->iova < iova + size && iova < e->iova + e->size)
			n++;
	}
	return n;
}

static void vsim_tlb_fill(u16 did, u64 iova, u64 size, u64 pa, bool r, bool w)
{
	for (u32 i = 0; i < VSIM_TLB; i++) {
		if (!vsim.tlb[i].v) {
			vsim.tlb[i] = (struct vsim_tlbe){ true, did, iova, size, pa, r, w };
			return;
		}
	}
	plat_panic("vsim: IOTLB full");
}

/* ---- faults (VT-d 7.2.1 primary fault logging) ------------------------------- */

void vsim_fault(u32 sid, u64 addr, bool write, u8 reason)
{
	u64 *rec = vsim.frcd[vsim.fri];

	if (vsim.fsts & FSTS_PFO)
		return; /* overflowed: nothing recorded until software clears PFO */
	if (rec[1] & FRCD_HI_F) {
		vsim.fsts |= FSTS_PFO;
		return;
	}
	rec[0] = addr & FRCD_LO_FI;
	rec[1] = FRCD_HI_F | FIELD_PREP(FRCD_HI_FR, reason) | FIELD_PREP(FRCD_HI_SID, sid) |
		 (write ? 0 : FRCD_HI_T);
	vsim.fri = (vsim.fri + 1) % VSIM_NFR;
}

/* ---- DMA: context and second-level walks ----------------------------------- */

static int vsim_context(u32 sid, u64 *lo, u64 *hi)
{
	struct vsim_ctxc *c = &vsim.ctx[sid & 0xffff];
	u64 rpa = (vsim.rtaddr_latched & RTADDR_RTA) + 16ULL * ((sid >> 8) & 0xff);
	u64 r0, r1, cpa, aw, tt;

	if (c->v) {
		*lo = c->lo;
		*hi = c->hi;
		return 0;
	}
	r0 = vsim_read_ent(rpa);
	r1 = vsim_read_ent(rpa + 8);
	if (!(r0 & 1))
		return FR_ROOT_NP;
	if ((r0 & GENMASK(11, 1)) || r1)
		return FR_ROOT_RSVD;
	cpa = (r0 & GENMASK(63, 12)) + 16ULL * (sid & 0xff);
	*lo = vsim_read_ent(cpa);
	*hi = vsim_read_ent(cpa + 8);
	if (!(*lo & 1))
		return FR_CTX_NP;
	/* Legacy context entry: lo 11:4 reserved, hi 63:24 and 7 reserved. */
	if ((*lo & GENMASK(11, 4)) || (*hi & (GENMASK(63, 24) | BIT(7))))
		return FR_CTX_RSVD;
	tt = (*lo >> 2) & 3;
	aw = *hi & 7;
	if (tt == 3 || (tt == 1 && !(vsim.ecap & ECAP_DT)) || tt == 2 ||
	    !(FIELD_GET(CAP_SAGAW, vsim.cap) & (1ULL << aw)) || aw < 1 || aw > 2)
		return FR_CTX_INV;
	c->v = true;
	c->lo = *lo;
	c->hi = *hi;
	return 0;
}

/* Independent VT-d 9.8 decoder: levels from the top, 9 bits each, 4 KiB pages. */
static int vsim_walk(u64 root, unsigned int levels, u64 iova, u64 *pa, u64 *size, bool *r, bool *w)
{
	u64 table = root;
	bool rr = true, ww = true;

	for (unsigned int l = levels; l >= 1; l--) {
		unsigned int shift = 12 + 9 * (l - 1);
		u64 e = vsim_read_ent(table + 8 * ((iova >> shift) & 511));
		bool ps = (e >> 7) & 1;

		if (!(e & 3))
			return -1; /* not present: reported as the access the request made */
		/* Reserved: SNP without snoop control; address bits above 48 (HAW). */
		if (((e >> 11) & 1) && !(vsim.ecap & ECAP_SC))
			return FR_SL_RSVD;
		if (e & GENMASK(51, 48))
			return FR_SL_RSVD;
		rr = rr && (e & 1);
		ww = ww && (e & 2);
		if (l == 1 || ps) {
			u64 sz = 1ULL << shift;

			/* Large pages only where SLLPS allows, never at the top of a 4-level walk. */
			if (l > 1 &&
			    (l == 4 || (l == 3 && !(FIELD_GET(CAP_SLLPS, vsim.cap) & SLLPS_1G)) ||
			     (l == 2 && !(FIELD_GET(CAP_SLLPS, vsim.cap) & SLLPS_2M))))
				return FR_SL_RSVD;
			if (l > 1 && (e & GENMASK(shift - 1, 12)))
				return FR_SL_RSVD;
			*pa = (e & GENMASK(47, 12)) & ~(sz - 1);
			*size = sz;
			*r = rr;
			*w = ww;
			return 0;
		}
		table = e & GENMASK(47, 12);
	}
	return FR_SL_ACCESS;
}

int vsim_dma(u32 sid, u64 iova, bool write, bool translated, u64 *pa)
{
	u64 lo = 0, hi = 0, base, size, out;
	unsigned int levels;
	bool r, w;
	u16 did;
	int fr;

	if (!(vsim.gsts & GCMD_TE)) {
		*pa = iova; /* translation off: untranslated pass-through */
		return 0;
	}
	fr = vsim_context(sid, &lo, &hi);
	if (!fr && translated && ((lo >> 2) & 3) == 0)
		fr = FR_TT_BLOCKED;
	if (fr)
		goto fault;
	levels = (unsigned int)(hi & 7) + 2;
	did = (u16)((hi >> 8) & 0xffff);
	if (iova >> (12 + 9 * levels) || iova >> (FIELD_GET(CAP_MGAW, vsim.cap) + 1)) {
		fr = FR_ADDR_MGAW;
		goto fault;
	}
	for (u32 i = 0; i < VSIM_TLB; i++) {
		const struct vsim_tlbe *e = &vsim.tlb[i];

		if (e->v && e->did == did && iova >= e->iova && iova - e->iova < e->size) {
			if (write ? !e->w : !e->r) {
				fr = write ? FR_WRITE : FR_READ;
				goto fault;
			}
			*pa = e->pa + (iova - e->iova);
			return 0;
		}
	}
	fr = vsim_walk(lo & GENMASK(63, 12), levels, iova, &out, &size, &r, &w);
	if (fr < 0)
		fr = write ? FR_WRITE : FR_READ;
	if (!fr && (write ? !w : !r))
		fr = write ? FR_WRITE : FR_READ;
	if (fr)
		goto fault;
	base = iova & ~(size - 1);
	vsim_tlb_fill(did, base, size, out, r, w);
	*pa = out + (iova - base);
	return 0;
fault:
	if (!(lo & CE_LO_FPD))
		vsim_fault(sid, iova, write, (u8)fr);
	return fr;
}

/* ---- the invalidation queue ------------------------------------------------------ */

static u32 vsim_iq_n(void)
{
	return 256U << FIELD_GET(IQA_QS, vsim.iqa_latched);
}

/* One descriptor; false if the unit refuses it (reserved bits, bad granularity...). */
static bool vsim_exec(u64 lo, u64 hi)
{
	u64 type = lo & 0xf, g = (lo >> 4) & 3;
	u16 did = (u16)((lo >> 16) & 0xffff);

	if (lo & QI_TYPE_HI)
		return false;
	switch (type) {
	case QI_TYPE_CC:
		if (!g || (lo & (GENMASK(63, 50) | GENMASK(15, 6))) || hi)
			return false;
		for (u32 s = 0; s < (1U << 16); s++) {
			struct vsim_ctxc *c = &vsim.ctx[s];

			if (c->v && (g == 1 || (g == 2 && ((c->hi >> 8) & 0xffff) == did) ||
				     (g == 3 && s == ((lo >> 32) & 0xffff))))
				c->v = false;
		}
		vsim.cc[g]++;
		vsim_trace('c');
		return true;
	case QI_TYPE_IOTLB: {
		u32 am = (u32)(hi & 0x3f);
		u64 addr = hi & GENMASK(63, 12), sz = (1ULL << am) << 12;

		if (!g || (lo & (GENMASK(63, 32) | GENMASK(15, 8))) || (hi & GENMASK(11, 7)))
			return false;
		if (g == 3 && (!(vsim.cap & CAP_PSI) || am > FIELD_GET(CAP_MAMV, vsim.cap) ||
			       (addr & (sz - 1))))
			return false;
		if (g != 3 && hi)
			return false;
		for (u32 i = 0; i < VSIM_TLB; i++) {
			struct vsim_tlbe *e = &vsim.tlb[i];

			if (e->v &&
			    (g == 1 || (e->did == did && (g == 2 || (e->iova < addr + sz &&
								     addr < e->iova + e->size)))))
				e->v = false;
		}
		if (g == 3 && am > vsim.max_am)
			vsim.max_am = am;
		vsim.iotlb[g]++;
		vsim_trace('i');
		return true;
	}
	case QI_TYPE_WAIT:
		if ((lo & GENMASK(31, 8)) || (hi & 3))
			return false;
		if (lo & QI_WAIT_SW) {
			u64 sa = hi & GENMASK(63, 2);

			if (!fake_pa_valid(sa, 4))
				return false;
			*(volatile u32 *)plat_phys_to_virt(sa) = (u32)(lo >> 32);
		}
		if (lo & QI_WAIT_IF)
			vsim.ics |= ICS_IWC;
		vsim.waits++;
		vsim_trace('w');
		return true;
	default:
		return false;
	}
}

static void vsim_consume(u32 budget)
{
	u32 n = vsim_iq_n(), done = 0;

	if (!(vsim.gsts & GCMD_QIE) || vsim.stall || (vsim.fsts & FSTS_IQE))
		return;
	while ((vsim.iqh >> 4) != (vsim.iqt >> 4) && (!budget || done < budget)) {
		u64 pa = (vsim.iqa_latched & IQA_IQA) + (vsim.iqh >> 4) * 16;
		u64 lo = vsim_read_ent(pa), hi = vsim_read_ent(pa + 8);

		if (!vsim_exec(lo, hi)) {
			vsim.bad_descs++;
			vsim.fsts |= FSTS_IQE; /* IQH stays on the bad descriptor */
			return;
		}
		vsim.iqh = (((vsim.iqh >> 4) + 1) % n) << 4;
		if (!vsim.iqh)
			vsim.wraps++;
		done++;
	}
}

/* ---- registers ----------------------------------------------------------------- */

static void vsim_gcmd(u32 val)
{
	u32 persist = GCMD_TE | GCMD_EAFL | GCMD_QIE | GCMD_IRE | GCMD_CFI;
	u32 changed = (val ^ vsim.gsts) & persist, oneshot = val & (u32)GSTS_ONESHOT;
	u32 next = vsim.gsts;

	/* VT-d 11.4.4: one command per write, the other enables as GSTS reports them. */
	if (__builtin_popcount(changed) + __builtin_popcount(oneshot) != 1) {
		vsim.bad_writes++;
		return;
	}
	if (oneshot == GCMD_SRTP) {
		vsim.rtaddr_latched = vsim.rtaddr;
		vsim.gsts &= ~(u32)GCMD_SRTP; /* RTPS reads 0 until latched */
		next = vsim.gsts | (u32)GCMD_SRTP;
	} else if (oneshot) {
		vsim.bad_writes++; /* SFL, WBF, SIRTP: not expected from this driver */
		return;
	} else if (changed == GCMD_QIE) {
		if (val & GCMD_QIE) {
			if (vsim.iqt) {
				vsim.bad_writes++; /* QEMU refuses QIE with a non-zero tail */
				return;
			}
			vsim.iqa_latched = vsim.iqa;
			vsim.iqh = 0;
		} else if (vsim.iqh != vsim.iqt) {
			vsim.bad_writes++;
			return;
		}
		next = val & GCMD_QIE ? next | (u32)GCMD_QIE : next & ~(u32)GCMD_QIE;
	} else if (changed == GCMD_TE) {
		if ((val & GCMD_TE) && !vsim.rtaddr_latched) {
			vsim.bad_writes++;
			return;
		}
		next = val & GCMD_TE ? next | (u32)GCMD_TE : next & ~(u32)GCMD_TE;
	} else {
		vsim.bad_writes++;
		return;
	}
	vsim.pend = true;
	vsim.pend_gsts = next;
}

void vsim_tick(void)
{
	vsim.ticks++;
	if (vsim.pend && !vsim.gcmd_stuck) {
		u32 up = vsim.pend_gsts & ~vsim.gsts, down = vsim.gsts & ~vsim.pend_gsts;

		if (up & GCMD_SRTP)
			vsim_trace('R');
		if (up & GCMD_QIE)
			vsim_trace('Q');
		if (down & GCMD_QIE)
			vsim_trace('q');
		if (up & GCMD_TE)
			vsim_trace('T');
		if (down & GCMD_TE)
			vsim_trace('t');
		vsim.gsts = vsim.pend_gsts;
		vsim.pend = false;
	}
	vsim_consume(vsim.per_tick);
}

static bool vsim_off(u64 pa, u32 *off)
{
	if (pa < VSIM_BASE || pa >= VSIM_BASE + VTD_REG_SIZE) {
		plat_panic("vsim: access outside the register page: 0x%llx",
			   (unsigned long long)pa);
	}
	*off = (u32)(pa - VSIM_BASE);
	return true;
}

static u64 vsim_frcd_read(u32 off)
{
	u32 i = (off - VSIM_FRO) / 16, q = ((off - VSIM_FRO) % 16) / 8;

	return vsim.frcd[i][q];
}

static bool vsim_is_frcd(u32 off)
{
	return off >= VSIM_FRO && off < VSIM_FRO + VSIM_NFR * 16;
}

u32 plat_read32(u64 pa)
{
	u32 off;
	u32 fsts;

	vsim_off(pa, &off);
	switch (off) {
	case VTD_VER_REG:
		return vsim.ver;
	case VTD_GSTS_REG:
		return vsim.gsts;
	case VTD_FSTS_REG:
		fsts = vsim.fsts | (u32)FIELD_PREP(FSTS_FRI, vsim.fri);
		for (u32 i = 0; i < VSIM_NFR; i++)
			if (vsim.frcd[i][1] & FRCD_HI_F)
				fsts |= (u32)FSTS_PPF;
		return fsts;
	case VTD_FECTL_REG:
		return vsim.fectl;
	case VTD_ICS_REG:
		return vsim.ics;
	default:
		if (vsim_is_frcd(off & ~7U))
			return (u32)(vsim_frcd_read(off & ~7U) >> (8 * (off & 4)));
		return 0;
	}
}

u64 plat_read64(u64 pa)
{
	u32 off;

	vsim_off(pa, &off);
	switch (off) {
	case VTD_CAP_REG:
		return vsim.cap;
	case VTD_ECAP_REG:
		return vsim.ecap;
	case VTD_RTADDR_REG:
		return vsim.rtaddr;
	case VTD_IQH_REG:
		return vsim.iqh;
	case VTD_IQT_REG:
		return vsim.iqt;
	case VTD_IQA_REG:
		return vsim.iqa;
	default:
		if (vsim_is_frcd(off))
			return vsim_frcd_read(off);
		return (u64)plat_read32(pa) | (u64)plat_read32(pa + 4) << 32;
	}
}

void plat_write32(u64 pa, u32 val)
{
	u32 off;

	vsim_off(pa, &off);
	vsim.reg_writes++;
	switch (off) {
	case VTD_GCMD_REG:
		vsim_gcmd(val);
		break;
	case VTD_FSTS_REG:
		vsim.fsts &= ~(val & (u32)FSTS_RW1C);
		break;
	case VTD_FECTL_REG:
		vsim.fectl = val & (u32)FECTL_IM;
		break;
	case VTD_ICS_REG:
		vsim.ics &= ~(val & (u32)ICS_IWC);
		break;
	default:
		/* The top dword of a fault record: F is RW1C, the rest read-only. */
		if (vsim_is_frcd(off) && (off - VSIM_FRO) % 16 == 12) {
			if (val & (u32)(FRCD_HI_F >> 32))
				vsim.frcd[(off - VSIM_FRO) / 16][1] &= ~FRCD_HI_F;
			break;
		}
		vsim.bad_writes++;
	}
}

void plat_write64(u64 pa, u64 val)
{
	u32 off;

	vsim_off(pa, &off);
	vsim.reg_writes++;
	switch (off) {
	case VTD_RTADDR_REG:
		vsim.rtaddr = val;
		break;
	case VTD_IQA_REG:
		if (vsim.gsts & GCMD_QIE)
			vsim.bad_writes++;
		vsim.iqa = val;
		if (val & IQA_DW)
			vsim.bad_writes++; /* 256-bit descriptors: not this driver's */
		break;
	case VTD_IQT_REG:
		if ((val & ~IQ_HT_QH) || (val >> 4) >= vsim_iq_n())
			vsim.bad_writes++;
		vsim.iqt = val & IQ_HT_QH;
		break;
	default:
		vsim.bad_writes++;
	}
}

u64 plat_now_us(void)
{
	return vsim.ticks + vsim.clock_us;
}

void plat_udelay(u32 us)
{
	for (u32 i = 0; i < us; i++)
		vsim_tick();
}
