// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d remapping unit: probe, legacy-mode root/context tables, queued
 * invalidation, fault recording, and the ownership core's IOMMU ops.
 * Spec sections beside each field in vtd_regs.h; docs/iommu.md "VT-d".
 *
 * Memory ordering: root/context entries and queue descriptors are normal
 * memory; the unit sees them once it observes a later register write
 * (plat_write*() orders earlier stores first, plat.h) or, for table entries
 * fetched on a DMA, once the context cache and IOTLB no longer hold the old
 * values: every change of a present entry is followed by the invalidation the
 * spec asks for (VT-d 6.5.3.3 "Guidance to Software for Invalidations") and a
 * wait descriptor whose status write is polled. When walks do not snoop
 * (ECAP.C = 0) every entry and descriptor written is cleaned first.
 */
#include <errno.h>
#include <string.h>

#include "hyp/plat.h"
#include "vtd.h"
#include "vtd_regs.h"

/* ---- MMIO and polling ----------------------------------------------------- */

static u32 vtd_rd32(const struct vtd *v, u32 off)
{
	return plat_read32(v->base + off);
}

static void vtd_wr32(const struct vtd *v, u32 off, u32 val)
{
	plat_write32(v->base + off, val);
}

static u64 vtd_rd64(const struct vtd *v, u32 off)
{
	return plat_read64(v->base + off);
}

static void vtd_wr64(const struct vtd *v, u32 off, u64 val)
{
	plat_write64(v->base + off, val);
}

/* Wait until (reg & mask) == want, at most @us microseconds. */
static int vtd_poll32(struct vtd *v, u32 off, u32 mask, u32 want, u32 us, const char *what)
{
	u32 val = 0;

	for (u32 t = 0; t <= us; t++) {
		val = vtd_rd32(v, off);
		if ((val & mask) == want)
			return 0;
		plat_udelay(1);
	}
	v->st.timeouts++;
	plat_log("vtd: timeout waiting for %s (reg 0x%x = 0x%x)", what, off, val);
	return -ETIMEDOUT;
}

/*
 * One global command (VT-d 11.4.4): write the persistent enables GSTS reports
 * (one-shot status bits masked off) with @bit set or cleared, then poll the
 * matching GSTS bit (VT-d 11.4.5) until it follows. SRTP is one-shot: its
 * status RTPS reads 1 once the root table pointer is latched.
 */
static int vtd_gcmd(struct vtd *v, u32 bit, bool on, const char *what)
{
	u32 sts = vtd_rd32(v, VTD_GSTS_REG) & ~(u32)GSTS_ONESHOT;

	vtd_wr32(v, VTD_GCMD_REG, on ? sts | bit : sts & ~bit);
	return vtd_poll32(v, VTD_GSTS_REG, bit, on ? bit : 0, VTD_ACK_TIMEOUT_US, what);
}

static void vtd_clean(const struct vtd *v, const void *va, size_t size)
{
	if (!v->coherent)
		plat_dcache_clean(va, size);
}

/* ---- Table memory ------------------------------------------------------- */

/* One zeroed 4 KiB page of the driver's region; 0 when exhausted. */
static u64 vtd_page_alloc(struct vtd *v)
{
	u64 pa;
	u8 *va;

	if (v->mem_size - v->mem_used < PAGE_SIZE)
		return 0;
	pa = v->mem_pa + v->mem_used;
	va = plat_phys_to_virt(pa);
	for (u64 i = 0; i < PAGE_SIZE; i++)
		va[i] = 0;
	vtd_clean(v, va, PAGE_SIZE);
	v->mem_used += PAGE_SIZE;
	return pa;
}

static volatile u64 *vtd_root_ent(const struct vtd *v, u32 bus)
{
	return (volatile u64 *)plat_phys_to_virt(v->root_pa + 16ULL * bus);
}

static volatile u64 *vtd_ctx_ent(const struct vtd *v, u32 sid)
{
	return (volatile u64 *)plat_phys_to_virt(v->ctx_pa[SID_BUS(sid)] + 16ULL * SID_DEVFN(sid));
}

/* ---- Fail closed ------------------------------------------------------------ */

/*
 * Something the isolation depends on did not complete (an invalidation wait,
 * a queue error) or faults were lost. VT-d has no "abort everything" switch
 * in legacy mode (clearing TE would let DMA through untranslated), so: every
 * root entry not present, the blank root table latched again with SRTP (a
 * GCMD/GSTS handshake, independent of the queue), a global context-cache and
 * IOTLB invalidation attempted when the queue may still work, and every later
 * call refused with -EIO. Context entries the unit still caches survive only
 * if that invalidation cannot complete (docs/vtd.md "Flows", fail closed).
 */
static int vtd_queue(struct vtd *v, u64 lo, u64 hi);
static int vtd_wait(struct vtd *v);

static void vtd_fail_closed(struct vtd *v, const char *why, bool queue_ok)
{
	volatile u64 *re;

	if (v->failed)
		return;
	plat_log("vtd: FAILING CLOSED (%s): all root entries cleared, DMA faults", why);
	v->failed = true;
	re = vtd_root_ent(v, 0);
	for (u32 i = 0; i < 2 * VTD_ROOT_ENTRIES; i++)
		re[i] = 0;
	vtd_clean(v, (const void *)re, PAGE_SIZE);
	vtd_wr64(v, VTD_RTADDR_REG, v->root_pa | FIELD_PREP(RTADDR_TTM, RTADDR_TTM_LEGACY));
	(void)vtd_gcmd(v, GCMD_SRTP, true, "GSTS.RTPS (fail closed)");
	if (queue_ok) {
		v->enabled = true; /* let the last descriptors through */
		if (!vtd_queue(v,
			       FIELD_PREP(QI_TYPE, QI_TYPE_CC) |
				       FIELD_PREP(QI_CC_G, QI_CC_G_GLOBAL),
			       0) &&
		    !vtd_queue(v,
			       FIELD_PREP(QI_TYPE, QI_TYPE_IOTLB) |
				       FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_GLOBAL),
			       0))
			(void)vtd_wait(v);
	}
	v->enabled = false;
}

/* ---- Invalidation queue (VT-d 6.5.2) ------------------------------------------ */

static u32 vtd_iq_head(const struct vtd *v)
{
	return (u32)(FIELD_GET(IQ_HT_QH, vtd_rd64(v, VTD_IQH_REG)) % VTD_IQ_ENTRIES);
}

/*
 * Queue error (VT-d 6.5.2.10): the unit stopped at IQH on a descriptor it
 * refuses. IQE is left set so the queue stays stopped: the caller fails closed
 * (clearing it would only make the unit fetch the same descriptor again).
 */
static int vtd_check_iqe(struct vtd *v)
{
	u32 fsts = vtd_rd32(v, VTD_FSTS_REG);

	if (!(fsts & FSTS_IQE))
		return 0;
	if (!v->st.iq_errors++)
		plat_log("vtd: invalidation queue error at descriptor %u", vtd_iq_head(v));
	return -EIO;
}

/*
 * Write one descriptor at the tail and publish it (IQT). The queue is full
 * when the next tail would equal the head (VT-d 6.5.2: one slot stays empty);
 * wait for space with a bound.
 */
static int vtd_queue(struct vtd *v, u64 lo, u64 hi)
{
	u32 next = (v->iq_tail + 1) % VTD_IQ_ENTRIES;
	volatile u64 *d;
	u32 t;
	int ret;

	if (!v->enabled)
		return v->failed ? -EIO : -EINVAL;
	for (t = 0; next == vtd_iq_head(v); t++) {
		ret = vtd_check_iqe(v);
		if (ret)
			return ret;
		if (t == VTD_WAIT_TIMEOUT_US) {
			v->st.timeouts++;
			plat_log("vtd: invalidation queue full for %u us", t);
			return -ETIMEDOUT;
		}
		plat_udelay(1);
	}
	d = (volatile u64 *)plat_phys_to_virt(v->iq_pa + ((u64)v->iq_tail << IQ_DESC_SHIFT));
	d[0] = lo;
	d[1] = hi;
	vtd_clean(v, (const void *)d, 16);
	v->iq_tail = next;
	v->st.descs++;
	vtd_wr64(v, VTD_IQT_REG, (u64)next << IQ_DESC_SHIFT);
	return 0;
}

/*
 * Invalidation wait descriptor (VT-d 6.5.2.8) with SW = 1 (write Status Data
 * to Status Address once every earlier descriptor completed) and FN = 1 (later
 * descriptors wait for it), then poll the status word with a bound. A fresh
 * sequence number each time, so a stale write never satisfies a later wait.
 */
static int vtd_wait(struct vtd *v)
{
	const volatile u32 *status = plat_phys_to_virt(v->status_pa);
	u32 seq = ++v->wait_seq;
	int ret;

	ret = vtd_queue(v,
			FIELD_PREP(QI_TYPE, QI_TYPE_WAIT) | QI_WAIT_SW | QI_WAIT_FN |
				FIELD_PREP(QI_WAIT_SDATA, seq),
			v->status_pa & QI_WAIT_SADDR);
	if (ret)
		return ret;
	for (u32 t = 0; t <= VTD_WAIT_TIMEOUT_US; t++) {
		if (*status == seq) {
			v->st.waits++;
			return 0;
		}
		ret = vtd_check_iqe(v);
		if (ret)
			return ret;
		plat_udelay(1);
	}
	v->st.timeouts++;
	plat_log("vtd: invalidation wait %u not complete after %u us (IQH %u, IQT %u)", seq,
		 VTD_WAIT_TIMEOUT_US, vtd_iq_head(v), v->iq_tail);
	return -ETIMEDOUT;
}

/* VT-d 6.5.2.1: device-selective context-cache invalidation of @sid in domain @did. */
static int vtd_cc_device(struct vtd *v, u16 did, u32 sid)
{
	v->st.cc_inv++;
	return vtd_queue(v,
			 FIELD_PREP(QI_TYPE, QI_TYPE_CC) | FIELD_PREP(QI_CC_G, QI_CC_G_DEVICE) |
				 FIELD_PREP(QI_CC_DID, did) | FIELD_PREP(QI_CC_SID, sid),
			 0);
}

/* VT-d 6.5.2.2: every IOTLB and paging-structure cache entry of domain @did. */
static int vtd_iotlb_domain(struct vtd *v, u16 did)
{
	v->st.iotlb_domain++;
	return vtd_queue(v,
			 FIELD_PREP(QI_TYPE, QI_TYPE_IOTLB) |
				 FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_DOMAIN) |
				 FIELD_PREP(QI_IOTLB_DID, did),
			 0);
}

/*
 * Page-selective-within-domain descriptors covering [ia, ia + size): each one
 * 2^AM pages at an address aligned to 2^AM pages (VT-d 6.5.2.2, AM <= MAMV),
 * the largest block alignment and size allow first. IH = 0: the paging-
 * structure caches for the range go too (tables may have been split or
 * merged). @count: only count the descriptors.
 */
static u64 vtd_iotlb_pages(struct vtd *v, u16 did, u64 ia, u64 size, bool count, int *ret)
{
	u64 pfn = ia >> PAGE_SHIFT, left = size >> PAGE_SHIFT, n = 0;

	while (left) {
		u32 am = pfn ? (u32)__builtin_ctzll(pfn) : 63U;
		u32 fit = 63U - (u32)__builtin_clzll(left);

		am = MIN(MIN(am, fit), v->mamv);
		if (!count && !*ret) {
			v->st.iotlb_page++;
			*ret = vtd_queue(v,
					 FIELD_PREP(QI_TYPE, QI_TYPE_IOTLB) |
						 FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_PAGE) |
						 FIELD_PREP(QI_IOTLB_DID, did),
					 FIELD_PREP(QI_IOTLB_AM, am) |
						 ((pfn << PAGE_SHIFT) & QI_IOTLB_ADDR));
		}
		pfn += 1ULL << am;
		left -= 1ULL << am;
		n++;
	}
	return n;
}

static int vtd_check_range(u64 ia, u64 size)
{
	if (!size || !IS_ALIGNED(ia, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || ia + size < ia ||
	    ia + size > ((u64)1 << 57))
		return -EINVAL;
	return 0;
}

int vtd_inval_gather(struct vtd *v, u16 did, const struct pt_gather *g)
{
	u64 n = 0;
	int ret = 0;

	if (!v || !v->enabled)
		return v && v->failed ? -EIO : -EINVAL;
	if (!g || g->nr > PT_GATHER_MAX || did >= v->nr_dids)
		return -EINVAL;
	for (u32 i = 0; i < g->nr && !g->all; i++)
		if (vtd_check_range(g->r[i].ia, g->r[i].size))
			return -EINVAL;
	if (g->all || !v->psi)
		return (g->all || g->nr) ? vtd_iotlb_domain(v, did) : 0;
	for (u32 i = 0; i < g->nr; i++)
		n += vtd_iotlb_pages(v, did, g->r[i].ia, g->r[i].size, true, &ret);
	if (n > VTD_INVAL_MAX_DESCS)
		return vtd_iotlb_domain(v, did); /* covers every range */
	for (u32 i = 0; i < g->nr && !ret; i++)
		vtd_iotlb_pages(v, did, g->r[i].ia, g->r[i].size, false, &ret);
	return ret;
}

int vtd_sync(struct vtd *v)
{
	if (!v || !v->enabled)
		return v && v->failed ? -EIO : -EINVAL;
	return vtd_wait(v);
}

/* ---- Fault recording (VT-d 7.2, 11.4.9, 11.4.14) ------------------------------- */

static const char *vtd_fr_name(u32 fr)
{
	switch (fr) {
	case FR_ROOT_NP:
		return "root entry not present";
	case FR_CTX_NP:
		return "context entry not present";
	case FR_CTX_INV:
		return "invalid context entry";
	case FR_ADDR_MGAW:
		return "address beyond the domain's width";
	case FR_WRITE:
		return "write not permitted";
	case FR_READ:
		return "read not permitted";
	case FR_SL_ACCESS:
		return "second-level entry access error";
	case FR_ROOT_ACCESS:
		return "root entry access error";
	case FR_CTX_ACCESS:
		return "context entry access error";
	case FR_ROOT_RSVD:
		return "reserved bit in root entry";
	case FR_CTX_RSVD:
		return "reserved bit in context entry";
	case FR_SL_RSVD:
		return "reserved bit in second-level entry";
	case FR_TT_BLOCKED:
		return "translation type blocked (translated request / ATS)";
	default:
		return "other";
	}
}

static void vtd_fault_log(struct vtd *v, u64 lo, u64 hi)
{
	u64 now = plat_now_us();
	u32 sid = (u32)FIELD_GET(FRCD_HI_SID, hi), fr = (u32)FIELD_GET(FRCD_HI_FR, hi);

	if (now - v->flt_window_us >= VTD_FAULT_WINDOW_US) {
		if (v->flt_quiet)
			plat_log("vtd: %llu more faults not logged in full",
				 (unsigned long long)v->flt_quiet);
		v->flt_window_us = now;
		v->flt_logged = 0;
		v->flt_quiet = 0;
	}
	if (v->flt_logged >= VTD_FAULT_LOG_BURST) {
		v->flt_quiet++;
		return;
	}
	v->flt_logged++;
	v->st.faults_logged++;
	plat_log("vtd: DMA fault: %02x:%02x.%u %s at 0x%llx: reason 0x%x (%s)%s", sid >> 8,
		 (sid >> 3) & 0x1f, sid & 7, (hi & FRCD_HI_T) ? "read" : "write",
		 (unsigned long long)(lo & FRCD_LO_FI), fr, vtd_fr_name(fr),
		 (hi & FRCD_HI_PP) ? " (with PASID)" : "");
}

static int vtd_drain_locked(struct vtd *v)
{
	u32 fsts, idx, n = 0;

	fsts = vtd_rd32(v, VTD_FSTS_REG);
	/*
	 * Records are written round-robin from FSTS.FRI (VT-d 7.2.1); read them
	 * all from there, clear each F (RW1C, in the record's top dword).
	 */
	idx = (u32)FIELD_GET(FSTS_FRI, fsts) % v->nfr;
	for (u32 i = 0; i < v->nfr; i++, idx = (idx + 1) % v->nfr) {
		u32 off = v->fro + idx * FRCD_BYTES;
		u64 hi = vtd_rd64(v, off + 8), lo;

		if (!(hi & FRCD_HI_F))
			continue;
		lo = vtd_rd64(v, off);
		v->st.faults++;
		n++;
		vtd_fault_log(v, lo, hi);
		vtd_wr32(v, off + 12, (u32)(FRCD_HI_F >> 32));
	}
	if (fsts & FSTS_PFO) {
		/* Records were lost: what the unit did is no longer known in full. */
		v->st.fault_overflows++;
		vtd_wr32(v, VTD_FSTS_REG, (u32)FSTS_PFO);
		vtd_fail_closed(v, "primary fault overflow: fault records lost", true);
	}
	return (int)n;
}

int vtd_drain_faults(struct vtd *v)
{
	int ret;

	if (!v || (!v->enabled && !v->failed))
		return -EINVAL;
	hyp_spin_lock(&v->lock);
	ret = vtd_drain_locked(v);
	hyp_spin_unlock(&v->lock);
	return ret;
}

/* ---- Probe and enable ------------------------------------------------------------ */

static int vtd_probe(struct vtd *v)
{
	u32 sllps;

	v->ver = vtd_rd32(v, VTD_VER_REG);
	v->cap = vtd_rd64(v, VTD_CAP_REG);
	v->ecap = vtd_rd64(v, VTD_ECAP_REG);
	plat_log("vtd: unit at 0x%llx: version %u.%u, CAP 0x%llx, ECAP 0x%llx",
		 (unsigned long long)v->base, (u32)FIELD_GET(VER_MAX, v->ver),
		 (u32)FIELD_GET(VER_MIN, v->ver), (unsigned long long)v->cap,
		 (unsigned long long)v->ecap);
	if (!FIELD_GET(VER_MAX, v->ver)) {
		plat_log("vtd: refused: version register reads 0x%x (no unit?)", v->ver);
		return -ENODEV;
	}
	if (!(v->ecap & ECAP_QI)) {
		plat_log("vtd: refused: no queued invalidation (ECAP.QI = 0)");
		return -ENODEV;
	}
	v->sagaw = (u32)FIELD_GET(CAP_SAGAW, v->cap);
	if (!(v->sagaw & (SAGAW_39 | SAGAW_48))) {
		plat_log("vtd: refused: no 3- or 4-level second-level tables (SAGAW 0x%x)",
			 v->sagaw);
		return -ENODEV;
	}
	/*
	 * The core's VT-d formats (hyp/mmu/fmt_vtd_sl.c) map 2 MiB leaves, and 1 GiB ones
	 * (SL-PDPE with PS, VT-d 9.8) only in the tables of a unit whose CAP.SLLPS bit 1 says
	 * it walks them (VT-d 11.4.2): the host view's mirror and the host DMA domains.
	 */
	sllps = (u32)FIELD_GET(CAP_SLLPS, v->cap);
	if (!(sllps & SLLPS_2M)) {
		plat_log(
			"vtd: refused: no 2 MiB second-level pages (SLLPS 0x%x), the tables use them",
			sllps);
		return -ENOTSUP;
	}
	v->sl_fmt = (sllps & SLLPS_1G) ? PT_FMT_VTD_SL_1G : PT_FMT_VTD_SL;
	/* The format sets SNP (bit 11) on normal memory: reserved unless Snoop Control. */
	if (!(v->ecap & ECAP_SC)) {
		plat_log("vtd: refused: no snoop control (ECAP.SC = 0), SL entries set SNP");
		return -ENOTSUP;
	}
	/*
	 * Caching mode: not-present entries may be cached, so every map would need
	 * an invalidation; the core only invalidates what it unmaps or changes.
	 */
	if (v->cap & CAP_CM) {
		plat_log("vtd: refused: caching mode (CAP.CM = 1) needs invalidation on map");
		return -ENOTSUP;
	}
	if (v->cap & CAP_RWBF) {
		plat_log("vtd: refused: required write-buffer flushing (CAP.RWBF = 1)");
		return -ENOTSUP;
	}
	v->mgaw = (u32)FIELD_GET(CAP_MGAW, v->cap) + 1;
	v->nr_dids = 1U << (4 + 2 * (u32)FIELD_GET(CAP_ND, v->cap));
	if (v->nr_dids > VTD_SIDS)
		v->nr_dids = VTD_SIDS; /* 16-bit DID field */
	v->mamv = (u32)FIELD_GET(CAP_MAMV, v->cap);
	v->psi = (v->cap & CAP_PSI) != 0;
	v->fro = (u32)FIELD_GET(CAP_FRO, v->cap) * 16U;
	v->nfr = (u32)FIELD_GET(CAP_NFR, v->cap) + 1;
	if ((u64)v->fro + (u64)v->nfr * FRCD_BYTES > VTD_REG_SIZE || v->fro < 0x100) {
		plat_log("vtd: refused: fault recording registers at 0x%x (x%u) outside the page",
			 v->fro, v->nfr);
		return -ENODEV;
	}
	v->coherent = (v->ecap & ECAP_C) != 0;
	if (!v->coherent)
		plat_log("vtd: walks do not snoop (ECAP.C = 0): tables are cleaned to memory");
	if (v->ecap & ECAP_DT)
		plat_log("vtd: device-TLBs (ATS) not used: context entries accept untranslated "
			 "requests only");
	return 0;
}

int vtd_init(struct vtd *v, u64 base, u64 mem_pa, u64 mem_size)
{
	u32 sts;
	int ret;

	if (!v || !IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(mem_pa, PAGE_SIZE) ||
	    !IS_ALIGNED(mem_size, PAGE_SIZE))
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	hyp_spin_init(&v->lock);
	v->base = base;
	ret = vtd_probe(v);
	if (ret)
		return ret;
	if (mem_size < VTD_MEM_MIN)
		return -ENOMEM;
	v->mem_pa = mem_pa;
	v->mem_size = mem_size;
	v->root_pa = vtd_page_alloc(v);
	v->iq_pa = vtd_page_alloc(v);
	v->status_pa = vtd_page_alloc(v);

	sts = vtd_rd32(v, VTD_GSTS_REG);
	if (sts & GCMD_TE)
		plat_log("vtd: translation already on: kept on while the tables are replaced");
	/* A queue the firmware left on: off first (IQA may only change with QIE = 0). */
	if (sts & GCMD_QIE) {
		ret = vtd_gcmd(v, GCMD_QIE, false, "GSTS.QIES clear");
		if (ret)
			return ret;
	}
	/* VT-d 11.4.6 + 11.4.4 SRTP: the (empty) root table; every request faults until attached. */
	vtd_wr64(v, VTD_RTADDR_REG, v->root_pa | FIELD_PREP(RTADDR_TTM, RTADDR_TTM_LEGACY));
	ret = vtd_gcmd(v, GCMD_SRTP, true, "GSTS.RTPS");
	if (ret)
		return ret;
	/* VT-d 6.5.2: tail 0, base and size, then QIE (the unit resets its head to 0). */
	vtd_wr64(v, VTD_IQT_REG, 0);
	vtd_wr64(v, VTD_IQA_REG, (v->iq_pa & IQA_IQA) | FIELD_PREP(IQA_QS, 0));
	ret = vtd_gcmd(v, GCMD_QIE, true, "GSTS.QIES");
	if (ret)
		return ret;
	v->enabled = true; /* the queue works from here on */
	/* SRTP invalidates nothing (VT-d 11.4.4): global context-cache and IOTLB, then wait. */
	v->st.cc_inv++;
	v->st.iotlb_global++;
	ret = vtd_queue(v, FIELD_PREP(QI_TYPE, QI_TYPE_CC) | FIELD_PREP(QI_CC_G, QI_CC_G_GLOBAL),
			0);
	if (!ret)
		ret = vtd_queue(v,
				FIELD_PREP(QI_TYPE, QI_TYPE_IOTLB) |
					FIELD_PREP(QI_IOTLB_G, QI_IOTLB_G_GLOBAL),
				0);
	if (!ret)
		ret = vtd_wait(v);
	if (ret) {
		v->enabled = false;
		return ret;
	}
	/* Faults are polled (vtd_drain_faults): interrupt masked; older records dropped. */
	vtd_wr32(v, VTD_FECTL_REG, (u32)FECTL_IM);
	for (u32 i = 0; i < v->nfr; i++)
		vtd_wr32(v, v->fro + i * FRCD_BYTES + 12, (u32)(FRCD_HI_F >> 32));
	vtd_wr32(v, VTD_FSTS_REG, (u32)FSTS_RW1C);
	ret = (sts & GCMD_TE) ? 0 : vtd_gcmd(v, GCMD_TE, true, "GSTS.TES");
	if (ret) {
		v->enabled = false;
		return ret;
	}
	plat_log("vtd: enabled: %u-bit MGAW, SAGAW 0x%x, %u domain ids, %u fault records%s, "
		 "leaves up to %s",
		 v->mgaw, v->sagaw, v->nr_dids, v->nfr, v->psi ? ", page-selective IOTLB" : "",
		 v->sl_fmt == PT_FMT_VTD_SL_1G ? "1 GiB" : "2 MiB");
	return 0;
}

/* ---- Context entries (VT-d 9.3) -------------------------------------------------- */

int vtd_read_ctx(const struct vtd *v, u32 sid, u64 out[2])
{
	volatile u64 *ce;

	if (!v || sid >= VTD_SIDS || !v->ctx_pa[SID_BUS(sid)])
		return -ENOENT;
	ce = vtd_ctx_ent(v, sid);
	out[0] = ce[0];
	out[1] = ce[1];
	return 0;
}

/* The context table of @bus, allocated and hooked into the root entry when missing. */
static int vtd_ctx_table(struct vtd *v, u32 bus)
{
	volatile u64 *re;
	u64 pa;

	if (v->ctx_pa[bus])
		return 0;
	pa = vtd_page_alloc(v);
	if (!pa) {
		plat_log("vtd: no table memory left for the context table of bus %02x", bus);
		return -ENOMEM;
	}
	v->ctx_pa[bus] = pa;
	/*
	 * Not present -> present: nothing to invalidate without caching mode
	 * (refused at probe): the unit caches no not-present root entry.
	 */
	re = vtd_root_ent(v, bus);
	re[1] = 0;
	re[0] = (pa & RE_LO_CTP) | RE_LO_P;
	vtd_clean(v, (const void *)re, 16);
	return 0;
}

/*
 * Replace the context entry of @sid by (lo, hi) (lo = 0: not present). A
 * 128-bit entry cannot be written atomically, so a present entry is first
 * made not present and invalidated (VT-d 6.5.3.3: device-selective context
 * cache, then domain-selective IOTLB of the old domain id, then a wait); the
 * new one is written high half first, Present last. DMA from @sid faults in
 * between. Writing a present entry over a not-present one needs no
 * invalidation: without caching mode (refused at probe) the unit caches no
 * not-present entry (VT-d 6.1), so attaching a whole bus at boot costs no
 * descriptor at all.
 */
static int vtd_ctx_write(struct vtd *v, u32 sid, u64 lo, u64 hi)
{
	volatile u64 *ce = vtd_ctx_ent(v, sid);

	if (ce[0] & CE_LO_P) {
		u16 old = (u16)FIELD_GET(CE_HI_DID, ce[1]);
		int ret;

		ce[0] = 0;
		vtd_clean(v, (const void *)ce, 16);
		ret = vtd_cc_device(v, old, sid);
		if (!ret)
			ret = vtd_iotlb_domain(v, old);
		if (!ret)
			ret = vtd_wait(v);
		if (ret) {
			vtd_fail_closed(v, "context entry invalidation did not complete", false);
			return -EIO;
		}
	}
	if (!(lo & CE_LO_P))
		return 0;
	ce[1] = hi;
	ce[0] = lo;
	vtd_clean(v, (const void *)ce, 16);
	return 0;
}

/* ---- Sharing another format's table (docs/vtd.md "EPT shared with VT-d") ---------- */

/*
 * What is wrong with @d, an entry of another format at @level, for a unit in legacy mode
 * (VT-d 9.8, the SLE_* table in vtd_regs.h), or NULL: @leaf says whether the walker reached
 * it as a leaf, @pa the address it must carry, @haw the unit's address width.
 */
static const char *vtd_sle_problem(u64 ecap, u64 d, unsigned int level, bool leaf, u64 pa, u32 haw)
{
	u64 align = leaf ? ((u64)1 << (12 + 9 * (3 - level))) - 1 : PAGE_SIZE - 1;

	if ((d & SLE_TM) && !(ecap & ECAP_DT))
		return "bit 62 set: TM, reserved without ECAP.DT";
	if (haw < 52 && (d & GENMASK(51, haw)))
		return "address bits at or above the unit's address width";
	if (!leaf) {
		if (d & SLE_PS)
			return "PS (bit 7) set in a table entry";
		if (d & SLE_SNP)
			return "bit 11 set in a table entry (reserved)";
		if ((d & (SLE_R | SLE_W)) != (SLE_R | SLE_W))
			return "a table entry without R and W would cut access below it";
	} else {
		if (level < 3 && !(d & SLE_PS))
			return "a large leaf without PS (bit 7): the unit would walk it as a table";
		if ((d & SLE_SNP) && !(ecap & ECAP_SC))
			return "SNP (bit 11) set, reserved without snoop control (ECAP.SC)";
		if (d & SLE_ADDR & align)
			return "address bits below a large page's size (reserved)";
	}
	if ((d & SLE_ADDR & ~align) != pa)
		return "the unit reads another address than the entry maps";
	return NULL;
}

int vtd_sl_shareable(u64 cap, u64 ecap, enum pt_fmt_id fmt, unsigned int ia_bits, const char **why)
{
	u32 sllps = (u32)FIELD_GET(CAP_SLLPS, cap), sagaw = (u32)FIELD_GET(CAP_SAGAW, cap);
	u32 mgaw = (u32)FIELD_GET(CAP_MGAW, cap) + 1;
	u8 leaves = pt_fmt_leaf_levels(fmt);
	int start = pt_fmt_start_level(fmt, ia_bits);
	/* Table pages and leaves come from RAM the identity view maps: below 2^ia_bits. */
	const u64 top = ((u64)1 << ia_bits) - PAGE_SIZE, low = PAGE_SIZE;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!leaves || start < 0) {
		*why = "unknown format or width";
		return -EINVAL;
	}
	/* The context entry's AW names a 3-level (39-bit) or 4-level (48-bit) walk (VT-d 9.3). */
	if (start > 1)
		*why = "a walk shorter than 3 levels has no VT-d AW";
	else if (!(sagaw & (start == 0 ? SAGAW_48 : SAGAW_39)))
		*why = start == 0 ? "a 4-level walk and CAP.SAGAW lacks 48-bit AGAW" :
				    "a 3-level walk and CAP.SAGAW lacks 39-bit AGAW";
	else if (ia_bits > mgaw)
		*why = "input addresses wider than CAP.MGAW";
	else if (leaves & BIT(0))
		*why = "leaves at level 0 (PS is reserved in an SL-PML4E)";
	else if ((leaves & BIT(1)) && !(sllps & SLLPS_1G))
		*why = "1 GiB leaves and CAP.SLLPS has no 1 GiB pages";
	else if ((leaves & BIT(2)) && !(sllps & SLLPS_2M))
		*why = "2 MiB leaves and CAP.SLLPS has no 2 MiB pages";
	if (*why)
		return -ENOTSUP;
	/* Every table entry the walk can meet, at a low and a high table address. */
	for (unsigned int l = (unsigned int)start; l < 3 && !*why; l++) {
		for (unsigned int k = 0; k < 2 && !*why; k++) {
			u64 d, pa = k ? top : low;

			if (pt_fmt_encode(fmt, l, pa, 0, true, &d))
				*why = "the format has no table entry at a level of the walk";
			else
				*why = vtd_sle_problem(ecap, d, l, false, pa, mgaw);
		}
	}
	/*
	 * Every leaf the format can write, read as the unit reads it, must grant what the
	 * VT-d format's own leaf for the same attributes grants (R, W) with the same snoop
	 * behaviour (SNP): the mirror the shared table replaces is the reference.
	 */
	for (unsigned int l = 1; l <= 3 && !*why; l++) {
		if (!(leaves & BIT(l)))
			continue;
		for (pt_attr_t a = 0; a <= (PT_RWX | PT_DEVICE) && !*why; a++) {
			u64 d, ref, pa = ALIGN_DOWN(top, (u64)1 << (12 + 9 * (3 - l)));

			if (pt_fmt_encode(fmt, l, pa, a, false, &d))
				continue; /* the format cannot write this attribute */
			if (pt_fmt_encode(PT_FMT_VTD_SL, 3, 0, a, false, &ref))
				ref = 0; /* the VT-d format maps nothing for it: no access */
			if ((d & (SLE_R | SLE_W)) != (ref & (SLE_R | SLE_W)))
				*why = "a leaf grants DMA other access (R/W) than the VT-d format would";
			else if (!(d & (SLE_R | SLE_W)))
				continue; /* not present to the unit, as intended */
			else if ((d & SLE_SNP) != (ref & SLE_SNP))
				*why = "a leaf's snoop behaviour (SNP, bit 11) differs from the VT-d "
				       "format's";
			else
				*why = vtd_sle_problem(ecap, d, l, true, pa, mgaw);
		}
	}
	return *why ? -ENOTSUP : 0;
}

/* Context entry fields for @pt under @did (0 and lo/hi, or -errno with the reason logged). */
static int vtd_ctx_fields(const struct vtd *v, u32 sid, const struct pt *pt, u16 did, u64 *lo,
			  u64 *hi)
{
	u32 aw;

	const char *why = NULL;

	if (!pt || !pt->root || !IS_ALIGNED(pt->root, PAGE_SIZE) || pt->start_level > 1) {
		plat_log("vtd: stream 0x%x: not a VT-d second-level table", sid);
		return -EINVAL;
	}
	/* Another format's table (the EPT) only when the unit reads it as its own. */
	if (pt->fmt != PT_FMT_VTD_SL && pt->fmt != v->sl_fmt &&
	    vtd_sl_shareable(v->cap, v->ecap, pt->fmt, pt->ia_bits, &why)) {
		plat_log("vtd: stream 0x%x: the unit cannot walk this table: %s", sid, why);
		return -EINVAL;
	}
	/* Start level 0: 4-level, 48-bit AGAW (AW 2); start level 1: 3-level, 39-bit (AW 1). */
	aw = pt->start_level == 0 ? 2U : 1U;
	if (!(v->sagaw & (1U << aw))) {
		plat_log("vtd: stream 0x%x: %u-level table, the unit supports SAGAW 0x%x", sid,
			 aw + 2, v->sagaw);
		return -EINVAL;
	}
	if (pt->ia_bits > v->mgaw) {
		plat_log("vtd: stream 0x%x: %u-bit table above the unit's %u-bit MGAW", sid,
			 pt->ia_bits, v->mgaw);
		return -EINVAL;
	}
	if (pt->coherent && !v->coherent) {
		plat_log("vtd: stream 0x%x: table written without cache cleans, walks do not snoop",
			 sid);
		return -EINVAL;
	}
	if (did >= v->nr_dids) {
		plat_log("vtd: stream 0x%x: domain id 0x%x beyond the unit's %u", sid, did,
			 v->nr_dids);
		return -EINVAL;
	}
	*lo = (pt->root & CE_LO_SLPTPTR) | FIELD_PREP(CE_LO_TT, CE_TT_UNTRANS) | CE_LO_P;
	*hi = FIELD_PREP(CE_HI_AW, aw) | FIELD_PREP(CE_HI_DID, did);
	return 0;
}

static int vtd_check_sids(const struct vtd *v, u32 sid, u32 nr)
{
	if (!v || !v->enabled)
		return v && v->failed ? -EIO : -EINVAL;
	if (!nr || sid >= VTD_SIDS || nr > VTD_SIDS - sid)
		return -EINVAL;
	return 0;
}

/* Context tables for every bus of [sid, sid + nr): all or nothing. */
static int vtd_ctx_tables(struct vtd *v, u32 sid, u32 nr)
{
	u32 need = 0;

	for (u32 b = SID_BUS(sid); b <= SID_BUS(sid + nr - 1); b++)
		need += v->ctx_pa[b] ? 0U : 1U;
	if ((u64)need * PAGE_SIZE > v->mem_size - v->mem_used) {
		plat_log("vtd: %u context tables needed, table memory short", need);
		return -ENOMEM;
	}
	for (u32 b = SID_BUS(sid); b <= SID_BUS(sid + nr - 1); b++)
		(void)vtd_ctx_table(v, b);
	return 0;
}

static int vtd_attach_range(struct vtd *v, u32 sid, u32 nr, const struct pt *pt, u16 did)
{
	u64 lo = 0, hi = 0;
	int ret = vtd_check_sids(v, sid, nr);

	if (!ret)
		ret = vtd_ctx_fields(v, sid, pt, did, &lo, &hi);
	if (!ret)
		ret = vtd_ctx_tables(v, sid, nr);
	for (u32 i = 0; i < nr && !ret; i++)
		ret = vtd_ctx_write(v, sid + i, lo, hi);
	return ret;
}

static bool vtd_is_dom_sid(const struct vtd *v, u32 sid)
{
	for (u32 i = 0; i < v->nr_dom_ranges; i++)
		if (sid >= v->dom_ranges[i].base &&
		    sid - v->dom_ranges[i].base < v->dom_ranges[i].nr)
			return true;
	return false;
}

int vtd_attach_pt(struct vtd *v, u32 sid, const struct pt *pt, u16 did)
{
	int ret = vtd_check_sids(v, sid, 1);

	if (ret)
		return ret;
	if (!vtd_is_dom_sid(v, sid)) {
		plat_log("vtd: stream 0x%x is not one of the host's streams: no DMA domain", sid);
		return -EPERM;
	}
	if (did == VTD_HOST_DID) {
		plat_log("vtd: domain id %u is the host view's", did);
		return -EINVAL;
	}
	ret = vtd_attach_range(v, sid, 1, pt, did);
	if (!ret)
		plat_log("vtd: stream 0x%x -> DMA domain (root 0x%llx, DID 0x%x, %u-bit IOVA)", sid,
			 (unsigned long long)pt->root, did, pt->ia_bits);
	return ret;
}

int vtd_detach_to_host(struct vtd *v, u32 sid)
{
	int ret = vtd_check_sids(v, sid, 1);

	if (ret)
		return ret;
	if (!vtd_is_dom_sid(v, sid))
		return -EPERM;
	if (v->host_live)
		return vtd_attach_range(v, sid, 1, v->host_pt, VTD_HOST_DID);
	return vtd_detach(v, sid, 1);
}

int vtd_detach(struct vtd *v, u32 sid, u32 nr)
{
	int ret = vtd_check_sids(v, sid, nr);

	for (u32 i = 0; i < nr && !ret; i++)
		if (v->ctx_pa[SID_BUS(sid + i)])
			ret = vtd_ctx_write(v, sid + i, 0, 0);
	return ret;
}

/* ---- The ownership core: host view and host DMA domains ------------------------ */

int vtd_attach_host(struct vtd *v, u32 sid, u32 nr, unsigned int *dom_idx)
{
	const struct own_view *hv = own_view_of(OWN_HOST);
	struct own_res res = { 0 };
	bool mirrored;
	int ret;

	if (!v || !dom_idx || !hv)
		return -EINVAL;
	ret = vtd_check_sids(v, sid, nr);
	if (ret)
		return ret;
	if (!v->host_dom) {
		const char *why = NULL;

		/*
		 * Shared when the unit can walk the CPU table itself (a VT-d table, or an
		 * EPT whose every entry the unit reads as the VT-d format's): one table,
		 * each transition invalidates the CPU's TLB and the unit's IOTLB. Else the
		 * core mirrors it in the VT-d format, in the same transactions.
		 */
		mirrored = hv->cpu.fmt != PT_FMT_VTD_SL &&
			   vtd_sl_shareable(v->cap, v->ecap, hv->cpu.fmt, hv->cpu.ia_bits, &why);
		if (!mirrored && hv->cpu.coherent && !v->coherent) {
			mirrored = true;
			why = "the CPU table is written without cache cleans and the unit's walks "
			      "do not snoop (ECAP.C = 0)";
		}
		if (mirrored)
			plat_log(
				"vtd: host view mirrored in the VT-d format: the CPU table (format "
				"%u) is not shared: %s",
				(u32)hv->cpu.fmt, why);
		/*
		 * Domain first: from here on every host transition also invalidates
		 * the unit, so no change slips between the context writes and the
		 * registration.
		 */
		ret = own_dom_attach(OWN_HOST, mirrored, v->sl_fmt, v->coherent, &vtd_own_inval_ops,
				     v, dom_idx, &res);
		if (ret) {
			plat_log("vtd: own_dom_attach for the host failed: %d", ret);
			return ret;
		}
		v->host_dom = true;
		v->host_dom_idx = *dom_idx;
		v->host_pt = mirrored ? &hv->dom[*dom_idx].pt : &hv->cpu;
	}
	mirrored = v->host_pt != &hv->cpu;
	*dom_idx = v->host_dom_idx;
	ret = vtd_attach_range(v, sid, nr, v->host_pt, VTD_HOST_DID);
	if (ret && !v->host_live) {
		own_dom_detach(OWN_HOST, v->host_dom_idx);
		v->host_dom = false;
		v->host_pt = NULL;
		return ret;
	}
	if (!ret) {
		v->host_live = true;
		plat_log("vtd: streams 0x%x..0x%x -> host view (%s, root 0x%llx, DID %u)", sid,
			 sid + nr - 1, mirrored ? "VT-d mirror" : "shared table",
			 (unsigned long long)v->host_pt->root, VTD_HOST_DID);
	}
	return ret;
}

int vtd_register_domains(struct vtd *v, const struct vtd_sid_range *r, u32 n)
{
	int ret;

	if (!v || !r || !v->enabled || !v->host_live || !n || n > VTD_SID_RANGES_MAX)
		return -EINVAL;
	for (u32 i = 0; i < n; i++)
		if (!r[i].nr || (u64)r[i].base + r[i].nr > VTD_SIDS ||
		    (i && r[i].base < r[i - 1].base + r[i - 1].nr))
			return -EINVAL;
	/* Before registering: the core may call attach as soon as it is registered. */
	for (u32 i = 0; i < n; i++)
		v->dom_ranges[i] = r[i];
	v->nr_dom_ranges = n;
	ret = own_iommu_register(&vtd_own_iommu_ops, v, r[n - 1].base + r[n - 1].nr, v->sl_fmt,
				 v->coherent);
	if (ret) {
		v->nr_dom_ranges = 0;
		plat_log("vtd: registering for host DMA domains failed: %d", ret);
	}
	return ret;
}

static void vtd_locked_inval(struct vtd *v, u16 did, const struct pt_gather *g)
{
	int ret;

	if (!g->nr && !g->all)
		return;
	hyp_spin_lock(&v->lock);
	ret = vtd_inval_gather(v, did, g);
	if (ret && !v->failed) {
		plat_log("vtd: invalidation for DID 0x%x failed: %d", did, ret);
		vtd_fail_closed(v, "invalidation could not be queued", false);
	}
	hyp_spin_unlock(&v->lock);
}

static void vtd_locked_sync(struct vtd *v)
{
	int ret;

	hyp_spin_lock(&v->lock);
	ret = vtd_sync(v);
	if (ret && !v->failed) {
		plat_log("vtd: invalidation wait failed: %d", ret);
		vtd_fail_closed(v, "invalidation wait did not complete", false);
	}
	hyp_spin_unlock(&v->lock);
}

static void vtd_view_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	(void)who;
	vtd_locked_inval(priv, VTD_HOST_DID, g);
}

static void vtd_view_sync(void *priv, u32 who)
{
	(void)who;
	vtd_locked_sync(priv);
}

const struct own_inval_ops vtd_own_inval_ops = {
	.invalidate = vtd_view_invalidate,
	.sync = vtd_view_sync,
};

static int vtd_dom_attach(void *drv, u32 sid, const struct pt *pt, u16 vmid)
{
	struct vtd *v = drv;
	int ret;

	hyp_spin_lock(&v->lock);
	ret = vtd_attach_pt(v, sid, pt, vmid);
	hyp_spin_unlock(&v->lock);
	return ret;
}

static int vtd_dom_detach(void *drv, u32 sid)
{
	struct vtd *v = drv;
	int ret;

	hyp_spin_lock(&v->lock);
	ret = vtd_detach_to_host(v, sid);
	hyp_spin_unlock(&v->lock);
	return ret;
}

static void vtd_dom_invalidate(void *drv, u16 vmid, const struct pt_gather *g)
{
	vtd_locked_inval(drv, vmid, g);
}

static void vtd_dom_sync(void *drv)
{
	vtd_locked_sync(drv);
}

const struct own_iommu_ops vtd_own_iommu_ops = {
	.attach = vtd_dom_attach,
	.detach = vtd_dom_detach,
	.invalidate = vtd_dom_invalidate,
	.sync = vtd_dom_sync,
};
