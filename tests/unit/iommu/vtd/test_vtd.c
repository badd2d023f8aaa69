// SPDX-License-Identifier: GPL-2.0-only
/*
 * hyp/iommu/vtd/vtd.c against the simulated VT-d unit (vtd_sim.c), the real
 * page-table engine (hyp/mmu) and, for the host view and host DMA domains,
 * the real ownership core (hyp/mem) over fake simulated memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../../../hyp/iommu/vtd/vtd.h"
#include "../../../../hyp/iommu/vtd/vtd_regs.h"
#include "fake.h"
#include "harness.h"
#include "invariant_env.h"
#include "hyp/plat.h"
#include "vtd_sim.h"

#include <lockstep/abi.h>

#define VMEM_PAGES 64ULL
#define SID_EDU	   0x18U /* 00:03.0 */
#define DID_A	   5U
#define DID_B	   6U

static struct vtd vtd;
static struct pt_pool pool;
static struct th_pt tpt;
static u64 vmem;

static unsigned int count_str(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- fixtures ----------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	th_reset();
	vsim_reset();
	memset(&vtd, 0, sizeof(vtd));
	vmem = fake_alloc_pages(VMEM_PAGES, PAGE_SIZE);
	th_pool_fill(&pool, 256);
	return 0;
}

static void init_ok(void)
{
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, VMEM_PAGES * PAGE_SIZE), 0);
	assert_int_equal(vsim.bad_writes, 0);
	assert_int_equal(vsim.bad_descs, 0);
	/* Streams the tests may put in domains (what vtd_register_domains records). */
	vtd.dom_ranges[0] = (struct vtd_sid_range){ 0, 0x200 };
	vtd.nr_dom_ranges = 1;
}

/* A VT-d second-level table of @ia_bits with [0x100000, +1 MiB) RW and a 2 MiB block RO. */
static void table_init(unsigned int ia_bits, bool coherent)
{
	struct pt_gather g;

	assert_int_equal(th_pt_init(&tpt, PT_FMT_VTD_SL, ia_bits, &pool), 0);
	tpt.pt.coherent = coherent;
	pt_gather_init(&g);
	assert_int_equal(pt_map(&tpt.pt, 0x100000, 0x100000, 0x40100000, PT_RW, &g), 0);
	assert_int_equal(pt_map(&tpt.pt, 0x400000, SZ_2M, 0x40400000, PT_R, &g), 0);
}

/* ---- probe and enable ----------------------------------------------------- */

static void expect_refused(int err, const char *why)
{
	const char *log;

	vsim.reg_writes = 0;
	th_log_start();
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, VMEM_PAGES * PAGE_SIZE), err);
	log = th_log_end();
	/* Refused at probe: not one register written, and the reason in the log. */
	assert_int_equal(vsim.reg_writes, 0);
	if (!strstr(log, why))
		fail_msg("log lacks \"%s\":\n%s", why, log);
	vsim_reset();
}

static void test_probe_refusals(void **state)
{
	(void)state;
	vsim.ecap &= ~ECAP_QI;
	expect_refused(-ENODEV, "no queued invalidation");
	vsim.cap &= ~CAP_SAGAW;
	expect_refused(-ENODEV, "no 3- or 4-level");
	vsim.cap &= ~FIELD_PREP(CAP_SLLPS, SLLPS_2M);
	expect_refused(-ENOTSUP, "no 2 MiB second-level pages");
	vsim.ecap &= ~ECAP_SC;
	expect_refused(-ENOTSUP, "no snoop control");
	vsim.cap |= CAP_CM;
	expect_refused(-ENOTSUP, "caching mode");
	vsim.cap |= CAP_RWBF;
	expect_refused(-ENOTSUP, "write-buffer flushing");
	vsim.ver = 0;
	expect_refused(-ENODEV, "version register");
	vsim.cap = (vsim.cap & ~CAP_FRO) | FIELD_PREP(CAP_FRO, 0x3ff);
	expect_refused(-ENODEV, "fault recording registers");
	/* Bad arguments and too little table memory: nothing written either. */
	assert_int_equal(vtd_init(&vtd, VSIM_BASE + 8, vmem, VMEM_PAGES * PAGE_SIZE), -EINVAL);
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem + 8, VMEM_PAGES * PAGE_SIZE), -EINVAL);
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, 2 * PAGE_SIZE), -ENOMEM);
	assert_int_equal(vsim.reg_writes, 0);
	/* 1 GiB pages are not required (the format never makes them). */
	vsim.cap &= ~FIELD_PREP(CAP_SLLPS, SLLPS_1G);
	init_ok();
}

static void test_enable_sequence(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	/* SRTP, QIE, global context cache + IOTLB, wait, then TE: nothing else, in order. */
	assert_string_equal(vsim.trace, "RQciwT");
	assert_int_equal(vsim.rtaddr_latched, vtd.root_pa);
	assert_int_equal(FIELD_GET(RTADDR_TTM, vsim.rtaddr_latched), 0);
	assert_int_equal(vsim.gsts & (GCMD_TE | GCMD_QIE | GCMD_SRTP),
			 GCMD_TE | GCMD_QIE | GCMD_SRTP);
	assert_int_equal(vsim.cc[QI_CC_G_GLOBAL], 1);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_GLOBAL], 1);
	assert_int_equal(vsim.waits, 1);
	assert_int_equal(vsim.fectl, FECTL_IM);
	assert_false(vtd.failed);
	/* Every stream blocked until attached: root entry not present, recorded. */
	assert_int_equal(vsim_dma(SID_EDU, 0x1000, false, false, &pa), FR_ROOT_NP);
	assert_int_equal(vtd_drain_faults(&vtd), 1);
}

/* Firmware left translation and its queue on: queue off, tables replaced, TE kept on. */
static void test_enable_taken_over(void **state)
{
	(void)state;
	vsim.gsts = GCMD_TE | GCMD_QIE | GCMD_SRTP;
	vsim.rtaddr_latched = 0x1000;
	vsim.iqh = vsim.iqt = 0x40;
	vsim.frcd[2][1] = FRCD_HI_F | FIELD_PREP(FRCD_HI_FR, FR_READ); /* a stale record */
	init_ok();
	assert_string_equal(vsim.trace, "qRQciw");
	assert_int_equal(vsim.rtaddr_latched, vtd.root_pa);
	assert_true(vsim.gsts & GCMD_TE);
	assert_int_equal(vsim.frcd[2][1] & FRCD_HI_F, 0);
}

static void test_gcmd_timeout(void **state)
{
	(void)state;
	vsim.gcmd_stuck = true;
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, VMEM_PAGES * PAGE_SIZE), -ETIMEDOUT);
	assert_int_equal(vtd.st.timeouts, 1);
	assert_false(vtd.enabled);
	assert_int_equal(vsim.gsts & GCMD_TE, 0);
}

/* ---- context entries ------------------------------------------------------- */

static void test_context_entries(void **state)
{
	u64 ce[2], before[2], root, descs;
	struct th_pt other;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), -ENOENT);
	descs = vtd.st.descs;
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	/* Not present -> present: no invalidation needed without caching mode, none issued. */
	assert_int_equal(vtd.st.descs, descs);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
	assert_int_equal(ce[0], tpt.pt.root | CE_LO_P); /* TT = 00, FPD = 0 */
	assert_int_equal(FIELD_GET(CE_HI_AW, ce[1]), 1);
	assert_int_equal(FIELD_GET(CE_HI_DID, ce[1]), DID_A);
	root = *(u64 *)plat_phys_to_virt(vtd.root_pa + 16ULL * 0);
	assert_int_equal(root, vtd.ctx_pa[0] | RE_LO_P);
	/* Another devfn of the same bus: nothing written to it. */
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU + 1, before), 0);
	assert_int_equal(before[0] | before[1], 0);

	/* Refusals change nothing. */
	memcpy(before, ce, sizeof(ce));
	assert_int_equal(th_pt_init(&other, PT_FMT_ARM64_S2, 39, &pool), 0);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &other.pt, DID_B), -EINVAL);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, VTD_HOST_DID), -EINVAL);
	vtd.nr_dids = 16; /* CAP.ND = 0 */
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, 16), -EINVAL);
	vtd.nr_dids = 1U << 16;
	assert_int_equal(vtd_attach_pt(&vtd, 0x300, &tpt.pt, DID_B), -EPERM);
	vtd.sagaw = SAGAW_48;
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_B), -EINVAL);
	vtd.sagaw = SAGAW_39 | SAGAW_48;
	vtd.mgaw = 38;
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_B), -EINVAL);
	vtd.mgaw = 48;
	vtd.coherent = false;
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_B), -EINVAL);
	vtd.coherent = true;
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
	assert_memory_equal(ce, before, sizeof(ce));

	/* A 48-bit table: AW 2 (4-level). */
	assert_int_equal(th_pt_init(&other, PT_FMT_VTD_SL, 48, &pool), 0);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU + 8, &other.pt, DID_B), 0);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU + 8, ce), 0);
	assert_int_equal(FIELD_GET(CE_HI_AW, ce[1]), 2);
	assert_int_equal(ce[0] & CE_LO_SLPTPTR, other.pt.root);
	/* A second bus: its own context table, root entry present. */
	assert_int_equal(vtd_attach_pt(&vtd, 0x100, &tpt.pt, DID_A), 0);
	assert_true(vtd.ctx_pa[1] != 0);
	assert_int_equal(vsim.bad_writes + vsim.bad_descs, 0);
}

/* Switching a live stream: old entry invalidated before the new one, which then translates. */
static void test_context_switch(void **state)
{
	struct th_pt other;
	struct pt_gather g;
	u64 pa, cc, it, w;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, true, false, &pa), 0);
	assert_int_equal(pa, 0x40100000);
	assert_true(vsim_ctx_cached(SID_EDU));
	assert_int_equal(vsim_tlb_count(DID_A, 0x100000, PAGE_SIZE), 1);

	assert_int_equal(th_pt_init(&other, PT_FMT_VTD_SL, 39, &pool), 0);
	pt_gather_init(&g);
	assert_int_equal(pt_map(&other.pt, 0x100000, PAGE_SIZE, 0x40200000, PT_RW, &g), 0);
	cc = vsim.cc[QI_CC_G_DEVICE];
	it = vsim.iotlb[QI_IOTLB_G_DOMAIN];
	w = vsim.waits;
	vsim.ntrace = 0;
	memset(vsim.trace, 0, sizeof(vsim.trace));
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &other.pt, DID_B), 0);
	/* Old: device context + old domain's IOTLB + wait; the new one needs none (CM = 0). */
	assert_string_equal(vsim.trace, "ciw");
	assert_int_equal(vsim.cc[QI_CC_G_DEVICE], cc + 1);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_DOMAIN], it + 1);
	assert_int_equal(vsim.waits, w + 1);
	assert_int_equal(vsim_tlb_count(DID_A, 0, 1ULL << 39), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, true, false, &pa), 0);
	assert_int_equal(pa, 0x40200000);
	/* Detach: blocked, the context cache dropped. */
	assert_int_equal(vtd_detach(&vtd, SID_EDU, 1), 0);
	assert_false(vsim_ctx_cached(SID_EDU));
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, true, false, &pa), FR_CTX_NP);
}

/* ---- DMA through the table -------------------------------------------------- */

static void test_dma_translation(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	for (u64 off = 0; off < 0x100000; off += 0x10000 + 0x123) {
		assert_int_equal(vsim_dma(SID_EDU, 0x100000 + off, true, false, &pa), 0);
		assert_int_equal(pa, 0x40100000 + off);
	}
	/* The 2 MiB block: one 2 MiB leaf in the IOTLB, read-only. */
	assert_int_equal(vsim_dma(SID_EDU, 0x5ff008, false, false, &pa), 0);
	assert_int_equal(pa, 0x405ff008);
	assert_int_equal(vsim_tlb_count(DID_A, 0x400000, PAGE_SIZE), 1);
	assert_int_equal(vsim_tlb_count(DID_A, 0x5ff000, PAGE_SIZE), 1);
	assert_int_equal(vsim_dma(SID_EDU, 0x400000, true, false, &pa), FR_WRITE);
	/* Unmapped: read / write not permitted; beyond 39 bits; translated (ATS) request. */
	assert_int_equal(vsim_dma(SID_EDU, 0x200000, false, false, &pa), FR_READ);
	assert_int_equal(vsim_dma(SID_EDU, 0x200000, true, false, &pa), FR_WRITE);
	assert_int_equal(vsim_dma(SID_EDU, 1ULL << 39, false, false, &pa), FR_ADDR_MGAW);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, false, true, &pa), FR_TT_BLOCKED);
	assert_int_equal(vtd_drain_faults(&vtd), VSIM_NFR); /* 5 faults, 4 records: overflow */
	assert_true(vtd.failed);
}

/* ---- invalidation ------------------------------------------------------------- */

static void unmap_inval(u64 ia, u64 size, u64 exp_psi, u64 exp_dsi)
{
	struct pt_gather g;
	u64 psi = vsim.iotlb[QI_IOTLB_G_PAGE], dsi = vsim.iotlb[QI_IOTLB_G_DOMAIN], pa;

	for (u64 a = 0x100000; a < 0x200000; a += PAGE_SIZE) {
		if (pt_lookup(&tpt.pt, a, NULL, NULL, NULL))
			continue;
		assert_int_equal(vsim_dma(SID_EDU, a, false, false, &pa), 0);
		assert_int_equal(pa, a + 0x40000000);
	}
	pt_gather_init(&g);
	assert_int_equal(pt_unmap(&tpt.pt, ia, size, &g), 0);
	assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
	assert_int_equal(vtd_sync(&vtd), 0);
	/* Gone from the IOTLB, and the next DMA walks the table and faults. */
	assert_int_equal(vsim_tlb_count(DID_A, ia, size), 0);
	assert_int_equal(vsim_dma(SID_EDU, ia, false, false, &pa), FR_READ);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE] - psi, exp_psi);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_DOMAIN] - dsi, exp_dsi);
	assert_int_equal(vtd_drain_faults(&vtd), 1);
}

static void test_inval_after_unmap(void **state)
{
	struct pt_gather g;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	/* 8 aligned pages: one page-selective descriptor, AM = 3. */
	unmap_inval(0x108000, 8 * PAGE_SIZE, 1, 0);
	assert_int_equal(vsim.max_am, 3);
	/* Pages outside the range stay cached: exactly the range went. */
	assert_int_equal(vsim_tlb_count(DID_A, 0x100000, 0x8000), 8);
	assert_int_equal(vsim_tlb_count(DID_A, 0x110000, 0xf0000), 0xf0);
	/* 3 pages at an odd page: 1 + 2 pages (AM 0 then AM 1). */
	unmap_inval(0x101000, 3 * PAGE_SIZE, 2, 0);
	/* Many scattered pages: past VTD_INVAL_MAX_DESCS -> one domain-selective. */
	{
		u64 psi = vsim.iotlb[QI_IOTLB_G_PAGE], dsi = vsim.iotlb[QI_IOTLB_G_DOMAIN];
		u64 pa;

		pt_gather_init(&g);
		pt_gather_add(&g, 0x120000, 63 * PAGE_SIZE, 3);
		pt_gather_add(&g, 0x170000, 64 * PAGE_SIZE + PAGE_SIZE, 3);
		assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
		assert_int_equal(vtd_sync(&vtd), 0);
		/* 63 pages at pfn 0x120: 32+16+8+4+2+1; 65 at 0x170: 16+32+16+1. */
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE], psi + 10);
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_DOMAIN], dsi);
		/* 11 ranges of 7 pages at odd pfns: 1+2+4 each, 33 in all -> the domain. */
		pt_gather_init(&g);
		for (u64 k = 0; k < 11; k++)
			pt_gather_add(&g, 0x101000 + k * 0x10000, 7 * PAGE_SIZE, 3);
		psi = vsim.iotlb[QI_IOTLB_G_PAGE];
		assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
		assert_int_equal(vtd_sync(&vtd), 0);
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE], psi);
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_DOMAIN], dsi + 1);
		/* 10 of them: 30 page-selective descriptors. */
		g.nr = 10;
		assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
		assert_int_equal(vtd_sync(&vtd), 0);
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE], psi + 30);
		dsi = vsim.iotlb[QI_IOTLB_G_DOMAIN];
		g.all = true;
		assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
		assert_int_equal(vtd_sync(&vtd), 0);
		assert_int_equal(vsim.iotlb[QI_IOTLB_G_DOMAIN], dsi + 1);
		assert_int_equal(vsim_tlb_count(DID_A, 0, 1ULL << 39), 0);
		(void)pa;
	}
	/* Without CAP.PSI: domain-selective. */
	vtd.psi = false;
	unmap_inval(0x1f0000, PAGE_SIZE, 0, 1);
	vtd.psi = true;
	/* MAMV caps the mask. */
	vtd.mamv = 1;
	unmap_inval(0x1e0000, 8 * PAGE_SIZE, 4, 0);
	assert_int_equal(vsim.bad_descs, 0);
	assert_false(vtd.failed);
	/* Bad ranges are refused, nothing queued. */
	pt_gather_init(&g);
	pt_gather_add(&g, 0x1000, 0x800, 3);
	assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), -EINVAL);
}

static void test_queue_wrap(void **state)
{
	struct pt_gather g;
	u64 descs, psi;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	/* 16 single pages per gather, 40 gathers before one wait: the queue fills and wraps. */
	descs = vtd.st.descs;
	psi = vsim.iotlb[QI_IOTLB_G_PAGE];
	vsim.per_tick = 1;
	for (int k = 0; k < 40; k++) {
		pt_gather_init(&g);
		for (u64 i = 0; i < 16; i++)
			pt_gather_add(&g, 0x100000 + i * 2 * PAGE_SIZE, PAGE_SIZE, 3);
		assert_int_equal(vtd_inval_gather(&vtd, DID_A, &g), 0);
	}
	assert_int_equal(vtd_sync(&vtd), 0);
	assert_int_equal(vtd.st.descs - descs, 641);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE] - psi, 640);
	assert_true(vsim.wraps >= 2);
	assert_int_equal(vsim.iqh, vsim.iqt);
	assert_int_equal(vsim.iqt >> 4, vtd.iq_tail);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	assert_int_equal(vtd.st.timeouts, 0);
}

static void test_wait_timeout_fails_closed(void **state)
{
	u64 pa, ce[2];

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU + 1, &tpt.pt, DID_A), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, false, false, &pa), 0);
	vsim.stall = true;
	th_log_start();
	vtd_own_iommu_ops.sync(&vtd);
	assert_non_null(strstr(th_log_end(), "FAILING CLOSED"));
	assert_true(vtd.failed);
	assert_int_equal(vtd.st.timeouts, 1);
	/* Root table blank and latched again; the stream not cached faults. */
	assert_int_equal(*(u64 *)plat_phys_to_virt(vtd.root_pa), 0);
	assert_int_equal(vsim.rtaddr_latched, vtd.root_pa);
	assert_int_equal(vsim.trace[vsim.ntrace - 1], 'R');
	assert_int_equal(vsim_dma(SID_EDU + 1, 0x100000, false, false, &pa), FR_ROOT_NP);
	/* Everything after: -EIO. */
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_B), -EIO);
	assert_int_equal(vtd_sync(&vtd), -EIO);
	assert_int_equal(vtd_detach(&vtd, SID_EDU, 1), -EIO);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
}

static void test_queue_error_fails_closed(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	/* The unit refuses page-selective invalidation it does not have: IQE. */
	vsim.cap &= ~CAP_PSI;
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, false, false, &pa), 0);
	{
		struct pt_gather g;

		pt_gather_init(&g);
		pt_gather_add(&g, 0x100000, PAGE_SIZE, 3);
		vtd_own_iommu_ops.invalidate(&vtd, DID_A, &g);
	}
	vtd_own_iommu_ops.sync(&vtd);
	assert_int_equal(vsim.bad_descs, 1);
	assert_int_equal(vtd.st.iq_errors, 1);
	assert_true(vtd.failed);
	assert_int_equal(vsim_dma(SID_EDU + 2, 0x100000, false, false, &pa), FR_ROOT_NP);
}

/* ---- fault recording --------------------------------------------------------- */

static void test_fault_decode(void **state)
{
	const char *log;
	u64 pa;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x234567, false, false, &pa), FR_READ);
	assert_int_equal(vsim_dma(SID_EDU, 0x400000, true, false, &pa), FR_WRITE);
	assert_int_equal(vsim_dma(0x0109, 0x1000, true, false, &pa), FR_ROOT_NP);
	assert_true(plat_read32(VSIM_BASE + VTD_FSTS_REG) & FSTS_PPF);
	th_log_start();
	assert_int_equal(vtd_drain_faults(&vtd), 3);
	log = th_log_end();
	assert_non_null(strstr(log, "00:03.0 read at 0x234000: reason 0x6 (read not permitted)"));
	assert_non_null(strstr(log, "00:03.0 write at 0x400000: reason 0x5 (write not permitted)"));
	assert_non_null(
		strstr(log, "01:01.1 write at 0x1000: reason 0x1 (root entry not present)"));
	assert_int_equal(vtd.st.faults, 3);
	for (u32 i = 0; i < VSIM_NFR; i++)
		assert_int_equal(vsim.frcd[i][1] & FRCD_HI_F, 0);
	assert_int_equal(plat_read32(VSIM_BASE + VTD_FSTS_REG) & FSTS_PPF, 0);
	/* Round robin continues from FRI: 4 more, all read. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(vsim_dma(SID_EDU, 0x300000, false, false, &pa), FR_READ);
	assert_int_equal(vtd_drain_faults(&vtd), 4);
	assert_int_equal(vtd_drain_faults(&vtd), 0);
	assert_false(vtd.failed);
}

static void test_fault_ratelimit(void **state)
{
	const char *log;
	u64 pa;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	th_log_start();
	for (int r = 0; r < 5; r++) {
		for (int i = 0; i < 4; i++)
			assert_int_equal(vsim_dma(SID_EDU, 0x300000, false, false, &pa), FR_READ);
		assert_int_equal(vtd_drain_faults(&vtd), 4);
	}
	vsim.clock_us += 2 * VTD_FAULT_WINDOW_US;
	assert_int_equal(vsim_dma(SID_EDU, 0x300000, false, false, &pa), FR_READ);
	assert_int_equal(vtd_drain_faults(&vtd), 1);
	log = th_log_end();
	/* 20 in the first window: 8 full lines, then a summary of the 12 others. */
	assert_int_equal(vtd.st.faults, 21);
	assert_int_equal(vtd.st.faults_logged, VTD_FAULT_LOG_BURST + 1);
	assert_int_equal(count_str(log, "vtd: DMA fault:"), VTD_FAULT_LOG_BURST + 1);
	assert_non_null(strstr(log, "12 more faults not logged in full"));
}

static void test_fault_overflow_fails_closed(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	table_init(39, true);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, false, false, &pa), 0);
	for (u32 i = 0; i <= VSIM_NFR; i++)
		assert_int_equal(vsim_dma(SID_EDU, 0x300000, false, false, &pa), FR_READ);
	assert_true(vsim.fsts & FSTS_PFO);
	th_log_start();
	assert_int_equal(vtd_drain_faults(&vtd), VSIM_NFR);
	assert_non_null(strstr(th_log_end(), "primary fault overflow"));
	assert_int_equal(vtd.st.fault_overflows, 1);
	assert_true(vtd.failed);
	assert_int_equal(vsim.fsts & FSTS_PFO, 0);
	/* The queue still worked: contexts and IOTLB dropped globally, the stream faults. */
	assert_false(vsim_ctx_cached(SID_EDU));
	assert_int_equal(vsim_tlb_count(DID_A, 0, 1ULL << 39), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, false, false, &pa), FR_ROOT_NP);
}

/* ---- non-coherent walks --------------------------------------------------------- */

static void test_noncoherent(void **state)
{
	u64 pa;

	(void)state;
	vsim.ecap &= ~ECAP_C;
	init_ok();
	assert_false(vtd.coherent);
	table_init(39, false);
	/* A table written without cleans is refused on a non-snooping unit... */
	tpt.pt.coherent = true;
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), -EINVAL);
	tpt.pt.coherent = false;
	/* ...the cleaned one works, and the unit never read a line the CPU had not cleaned. */
	assert_int_equal(th_check_cleaned(&tpt.pt), 0);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_A), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, true, false, &pa), 0);
	assert_int_equal(pa, 0x40100000);
	assert_int_equal(vtd_attach_pt(&vtd, SID_EDU, &tpt.pt, DID_B), 0);
	assert_int_equal(vsim_dma(SID_EDU, 0x100000, true, false, &pa), 0);
	assert_int_equal(vsim.stale_reads, 0);
}

/* ---- through the ownership core ---------------------------------------------- */

#define HOST_SIDS 0x20U

static void core_env(void)
{
	static const struct vtd_sid_range r[1] = { { 0, HOST_SIDS } };
	unsigned int idx;

	env_setup(256);
	vsim_reset();
	memset(&vtd, 0, sizeof(vtd));
	vmem = fake_alloc_pages(VMEM_PAGES, PAGE_SIZE);
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, VMEM_PAGES * PAGE_SIZE), 0);
	assert_int_equal(vtd_register_domains(&vtd, r, 1), -EINVAL); /* no host view yet */
	assert_int_equal(vtd_attach_host(&vtd, 0, HOST_SIDS, &idx), 0);
	assert_true(vtd.host_live);
	assert_int_equal(vtd_register_domains(&vtd, r, 1), 0);
}

static void test_core_host_view(void **state)
{
	const struct own_view *hv;
	struct own_res res;
	u64 page, pa, ce[2], w;
	u32 vm;

	(void)state;
	core_env();
	hv = own_view_of(OWN_HOST);
	/*
	 * The CPU table is Arm stage 2 here: the unit walks a VT-d mirror kept by the core, in
	 * the format with 1 GiB leaves since the simulated unit, as QEMU's, has CAP.SLLPS bit 1
	 * (a unit without it: PT_FMT_VTD_SL, test_core_ept_mirror).
	 */
	assert_true(hv->dom[vtd.host_dom_idx].mirrored);
	assert_true(FIELD_GET(CAP_SLLPS, vtd.cap) & SLLPS_1G);
	assert_int_equal(vtd.sl_fmt, PT_FMT_VTD_SL_1G);
	assert_int_equal(hv->dom[vtd.host_dom_idx].pt.fmt, PT_FMT_VTD_SL_1G);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
	assert_int_equal(ce[0] & CE_LO_SLPTPTR, hv->dom[vtd.host_dom_idx].pt.root);
	assert_int_equal(FIELD_GET(CE_HI_DID, ce[1]), VTD_HOST_DID);
	page = env_host_pages(2, PAGE_SIZE);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page); /* identity */
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 1);

	vm = env_vm_create(64, 40);
	memset(&res, 0, sizeof(res));
	w = vsim.waits;
	assert_int_equal(own_host_donate_vm(vm, page, 0x10000000, 1, &res), 0);
	/* The transition invalidated the unit and waited. */
	assert_true(vsim.waits > w);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), FR_WRITE);
	assert_int_equal(vsim_dma(SID_EDU, page + PAGE_SIZE, true, false, &pa), 0);
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_reclaim_vm(vm, 0x10000000, 1, &res), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, false, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_false(vtd.failed);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	env_teardown();
}

static void test_core_dom_map_unmap(void **state)
{
	struct hvc_regs r;
	u64 pages, pa, iova = 0x200000, pool_pa, psi;
	u16 did;
	u32 dom;

	(void)state;
	core_env();
	pool_pa = env_host_pages(64, LS_VM_POOL_ALIGN);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pool_pa, 64, 39, 0, &r), LS_OK);
	dom = (u32)r.x[1];
	did = (u16)(OWN_HDOM_VMID_BASE + dom);
	pages = env_host_pages(16, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, SID_EDU, 0, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, HOST_SIDS, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, iova, pages, 16,
				  LS_IOMMU_READ | LS_IOMMU_WRITE, &r),
			 LS_OK);
	for (u64 i = 0; i < 16; i++) {
		assert_int_equal(vsim_dma(SID_EDU, iova + i * PAGE_SIZE, true, false, &pa), 0);
		assert_int_equal(pa, pages + i * PAGE_SIZE);
	}
	assert_int_equal(vsim_tlb_count(did, iova, 16 * PAGE_SIZE), 16);
	vsim.max_am = 0;
	/* Unmap pages 8..15: exactly those leave the IOTLB (one AM = 3 descriptor). */
	psi = vsim.iotlb[QI_IOTLB_G_PAGE];
	assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, iova + 8 * PAGE_SIZE, 8, 0, &r), LS_OK);
	assert_int_equal(vsim_tlb_count(did, iova + 8 * PAGE_SIZE, 8 * PAGE_SIZE), 0);
	assert_int_equal(vsim_tlb_count(did, iova, 16 * PAGE_SIZE), 8);
	assert_int_equal(vsim_dma(SID_EDU, iova + 8 * PAGE_SIZE, false, false, &pa), FR_READ);
	assert_int_equal(vsim.iotlb[QI_IOTLB_G_PAGE], psi + 1);
	assert_int_equal(vsim.max_am, 3);
	/* Detach: back on the host identity view. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, SID_EDU, 0, 0, 0, &r), LS_OK);
	assert_int_equal(vsim_dma(SID_EDU, pages, false, false, &pa), 0);
	assert_int_equal(pa, pages);
	assert_false(vtd.failed);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	env_teardown();
}

/* ---- sharing another format's table (vtd_sl_shareable) ------------------------ */

/* QEMU 10's intel-iommu with aw-bits=48, snoop-control=on (vsim_reset's unit). */
#define Q_CAP                                                                    \
	(FIELD_PREP(CAP_SAGAW, SAGAW_39 | SAGAW_48) | FIELD_PREP(CAP_MGAW, 47) | \
	 FIELD_PREP(CAP_SLLPS, SLLPS_2M | SLLPS_1G))
#define Q_ECAP (ECAP_C | ECAP_QI | ECAP_SC)

struct share_vec {
	const char *name;
	u64 cap, ecap;
	enum pt_fmt_id fmt;
	unsigned int ia_bits;
	int ret;
	const char *why; /* substring of the reason, NULL when shareable */
};

/*
 * VT-d 9.3 (context entry AW / CAP.SAGAW), 9.8 (second-level entries: R W bits 0-1, PS bit
 * 7, SNP bit 11 reserved without ECAP.SC, TM bit 62 reserved without ECAP.DT, bits 2-6 and
 * 8-10 ignored in legacy mode), 11.4.2 (CAP.SLLPS, MGAW); Intel SDM Vol. 3C 29.3.2 tables
 * 29-2/29-4/29-6 (the EPT leaves: R W X bits 0-2, memory type 5:3, ignore PAT 6, bit 7
 * large page, bit 11 ignored, which the core's EPT sets on normal memory).
 */
static const struct share_vec share_vecs[] = {
	{ "EPT 39-bit on QEMU's unit: 4-level walk, 1G/2M/4K, SNP with SC", Q_CAP, Q_ECAP,
	  PT_FMT_X86_EPT, 39, 0, NULL },
	{ "EPT 48-bit on QEMU's unit", Q_CAP, Q_ECAP, PT_FMT_X86_EPT, 48, 0, NULL },
	{ "EPT with ECAP.DT and SLADS too (TM never written, A/D ignored in legacy mode)", Q_CAP,
	  Q_ECAP | ECAP_DT | ECAP_SLADS | ECAP_PT, PT_FMT_X86_EPT, 39, 0, NULL },
	{ "EPT, SLLPS without 1 GiB: the EPT maps 1 GiB leaves",
	  Q_CAP & ~FIELD_PREP(CAP_SLLPS, SLLPS_1G), Q_ECAP, PT_FMT_X86_EPT, 39, -ENOTSUP,
	  "1 GiB leaves" },
	{ "EPT, SLLPS without 2 MiB", Q_CAP & ~FIELD_PREP(CAP_SLLPS, SLLPS_2M), Q_ECAP,
	  PT_FMT_X86_EPT, 39, -ENOTSUP, "2 MiB leaves" },
	{ "EPT, no snoop control: SNP is reserved", Q_CAP, Q_ECAP & ~ECAP_SC, PT_FMT_X86_EPT, 39,
	  -ENOTSUP, "ECAP.SC" },
	{ "EPT, SAGAW 39-bit only: the EPT always walks 4 levels",
	  Q_CAP & ~FIELD_PREP(CAP_SAGAW, SAGAW_48), Q_ECAP, PT_FMT_X86_EPT, 39, -ENOTSUP,
	  "48-bit AGAW" },
	{ "EPT 48-bit, MGAW 39", (Q_CAP & ~CAP_MGAW) | FIELD_PREP(CAP_MGAW, 38), Q_ECAP,
	  PT_FMT_X86_EPT, 48, -ENOTSUP, "MGAW" },
	{ "NPT on QEMU's unit: no SNP on normal memory", Q_CAP, Q_ECAP, PT_FMT_X86_NPT, 39,
	  -ENOTSUP, "SNP" },
	{ "VT-d SL 39-bit on QEMU's unit", Q_CAP, Q_ECAP, PT_FMT_VTD_SL, 39, 0, NULL },
	{ "VT-d SL, SAGAW 48-bit only: 3-level walk", Q_CAP & ~FIELD_PREP(CAP_SAGAW, SAGAW_39),
	  Q_ECAP, PT_FMT_VTD_SL, 39, -ENOTSUP, "39-bit AGAW" },
	{ "VT-d SL, no snoop control", Q_CAP, Q_ECAP & ~ECAP_SC, PT_FMT_VTD_SL, 39, -ENOTSUP,
	  "ECAP.SC" },
	{ "Arm stage 2 (valid bit 0, S2AP in 7:6, AF bit 10)", Q_CAP, Q_ECAP, PT_FMT_ARM64_S2, 40,
	  -ENOTSUP, "" },
	{ "EPT, width below the format's", Q_CAP, Q_ECAP, PT_FMT_X86_EPT, 20, -EINVAL, "width" },
	{ "unknown format", Q_CAP, Q_ECAP, PT_FMT_NR, 39, -EINVAL, "unknown" },
};

static void test_share_vectors(void **state)
{
	const char *why;
	unsigned int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(share_vecs) / sizeof(share_vecs[0]); i++) {
		const struct share_vec *t = &share_vecs[i];
		int ret = vtd_sl_shareable(t->cap, t->ecap, t->fmt, t->ia_bits, &why);

		if (ret != t->ret || (!t->why && why) ||
		    (t->why && (!why || !strstr(why, t->why)))) {
			print_error("share vector \"%s\": %d (%s), expected %d (%s)\n", t->name,
				    ret, why ? why : "-", t->ret, t->why ? t->why : "-");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	/* The EPT leaf the check read is the manual's: SDM table 29-6 + bit 11 (SNP for VT-d). */
	{
		u64 d;

		assert_int_equal(pt_fmt_encode(PT_FMT_X86_EPT, 3, 0x40003000, PT_RWX, false, &d),
				 0);
		assert_int_equal(d, 0x40003877ULL);
		assert_int_equal(pt_fmt_encode(PT_FMT_X86_EPT, 2, 0x40000000, PT_RW | PT_DEVICE,
					       false, &d),
				 0);
		assert_int_equal(d, 0x400000c3ULL); /* UC, ignore PAT, 2 MiB, no SNP */
		assert_int_equal(pt_fmt_encode(PT_FMT_X86_EPT, 0, 0x40000000, PT_R, false, &d),
				 -EINVAL); /* no leaf at the PML4 */
		assert_int_equal(pt_fmt_encode(PT_FMT_X86_EPT, 1, 0x40000000, 0, true, &d), 0);
		assert_int_equal(d, 0x40000007ULL);
	}
}

/*
 * x86: the host CPU table is EPT. On a unit with every EPT page size and snoop control the
 * unit walks the EPT itself (shared); on one without 1 GiB pages a VT-d mirror the core
 * keeps in lockstep (2 MiB leaves at most).
 */
static u16 *ept_db;
static u64 fmt_env_cap_clear, fmt_env_ecap_clear; /* what the simulated unit lacks in fmt_env */

static void fmt_env(enum pt_fmt_id cpu_fmt)
{
	struct own_range ram = { ENV_RAM_BASE, ENV_RAM_SIZE };
	struct own_range hyp[2];
	struct own_config cfg;
	u64 db_bytes = own_db_bytes(&ram, 1);
	unsigned int idx;

	fake_mem_reset();
	ept_db = malloc(db_bytes);
	assert_non_null(ept_db);
	hyp[0].base = fake_alloc_pages(16, PAGE_SIZE);
	hyp[0].size = 16 * PAGE_SIZE;
	hyp[1].base = fake_alloc_pages(256, PAGE_SIZE);
	hyp[1].size = 256 * PAGE_SIZE;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = &ram;
	cfg.nr_ram = 1;
	cfg.hyp = hyp;
	cfg.nr_hyp = 2;
	cfg.db = ept_db;
	cfg.db_bytes = db_bytes;
	cfg.host_pool_pa = hyp[1].base;
	cfg.host_pool_pages = 256;
	cfg.host_ia_bits = 39;
	cfg.cpu_fmt = cpu_fmt;
	cfg.cpu_coherent = true;
	cfg.cpu_ops = &env_rec_ops;
	cfg.cpu_priv = &env_cpu_rec;
	assert_int_equal(own_init(&cfg), 0);
	hvc_set_features(0);
	vsim_reset();
	vsim.cap &= ~fmt_env_cap_clear;
	vsim.ecap &= ~fmt_env_ecap_clear;
	fmt_env_cap_clear = fmt_env_ecap_clear = 0; /* for this environment only */
	memset(&vtd, 0, sizeof(vtd));
	vmem = fake_alloc_pages(VMEM_PAGES, PAGE_SIZE);
	assert_int_equal(vtd_init(&vtd, VSIM_BASE, vmem, VMEM_PAGES * PAGE_SIZE), 0);
	assert_int_equal(vtd_attach_host(&vtd, 0, HOST_SIDS, &idx), 0);
}

static void test_core_ept_mirror(void **state)
{
	const struct own_view *hv;
	const struct pt *mirror;
	const char *log;
	struct own_res res;
	unsigned int level;
	u64 page, pa, big = ENV_BIG + 0x12345000;
	u32 vm;

	(void)state;
	fmt_env_cap_clear = FIELD_PREP(CAP_SLLPS, SLLPS_1G);
	th_log_start();
	fmt_env(PT_FMT_X86_EPT);
	log = th_log_end();
	/* The fallback is logged with its reason. */
	if (!strstr(log, "host view mirrored") || !strstr(log, "1 GiB leaves"))
		fail_msg("no mirrored fallback with its reason in the log:\n%s", log);
	hv = own_view_of(OWN_HOST);
	mirror = &hv->dom[vtd.host_dom_idx].pt;
	assert_int_equal(hv->cpu.fmt, PT_FMT_X86_EPT);
	assert_true(hv->dom[vtd.host_dom_idx].mirrored);
	assert_int_equal(mirror->fmt, PT_FMT_VTD_SL);
	assert_int_equal(mirror->start_level, 1); /* 39-bit host: 3-level, context AW 1 */
	/* A 1 GiB EPT page is a run of 2 MiB leaves in the mirror, and DMA finds it. */
	assert_int_equal(pt_lookup(&hv->cpu, big, NULL, NULL, &level), 0);
	assert_int_equal(level, 1);
	assert_int_equal(pt_lookup(mirror, big, NULL, NULL, &level), 0);
	assert_int_equal(level, 2);
	assert_int_equal(vsim_dma(SID_EDU, big, true, false, &pa), 0);
	assert_int_equal(pa, big);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, ALIGN_DOWN(big, SZ_2M), SZ_2M), 1);
	/* Donating a page to a VM takes it out of the mirror and the IOTLB in the same call. */
	page = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(vsim_dma(SID_EDU, page, false, false, &pa), 0);
	vm = env_vm_create(64, 39);
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_donate_vm(vm, page, 0x10000000, 1, &res), 0);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, false, false, &pa), FR_READ);
	assert_int_equal(vsim_dma(SID_EDU, page + PAGE_SIZE, false, false, &pa), 0);
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_reclaim_vm(vm, 0x10000000, 1, &res), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_false(vtd.failed);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	free(ept_db);
	ept_db = NULL;
}

/*
 * The EPT shared: the context entries point at the EPT root itself, DMA goes through its
 * 1 GiB leaves, and a donate changes that one table and invalidates both the CPU's TLB
 * and the unit's IOTLB (with a wait) before it returns.
 */
static void test_core_ept_shared(void **state)
{
	const struct own_view *hv;
	struct own_res res;
	unsigned int level;
	u64 page, pa, ce[2], big = ENV_BIG + 0x12345000, tables, cpu_inv, psi, waits;
	const char *log;
	u32 vm;

	(void)state;
	th_log_start();
	fmt_env(PT_FMT_X86_EPT);
	log = th_log_end();
	if (!strstr(log, "shared table") || strstr(log, "mirrored"))
		fail_msg("the EPT was not shared:\n%s", log);
	hv = own_view_of(OWN_HOST);
	assert_int_equal(hv->cpu.fmt, PT_FMT_X86_EPT);
	assert_false(hv->dom[vtd.host_dom_idx].mirrored);
	assert_ptr_equal(vtd.host_pt, &hv->cpu);
	assert_int_equal(hv->dom[vtd.host_dom_idx].pt.root, 0); /* no mirror table */
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
	assert_int_equal(ce[0] & CE_LO_SLPTPTR, hv->cpu.root);
	assert_int_equal(FIELD_GET(CE_HI_AW, ce[1]), 2); /* the EPT's 4-level walk */
	assert_int_equal(FIELD_GET(CE_HI_DID, ce[1]), VTD_HOST_DID);
	/* The unit walks the EPT's 1 GiB leaf as one SL-PDPE page. */
	assert_int_equal(pt_lookup(&hv->cpu, big, NULL, NULL, &level), 0);
	assert_int_equal(level, 1);
	assert_int_equal(vsim_dma(SID_EDU, big, true, false, &pa), 0);
	assert_int_equal(pa, big);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, ALIGN_DOWN(big, SZ_1G), SZ_1G), 1);
	page = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 1);
	vm = env_vm_create(64, 39);
	tables = hv->cpu.nr_tables;
	cpu_inv = env_cpu_rec.inval_calls;
	psi = vsim.iotlb[QI_IOTLB_G_PAGE] + vsim.iotlb[QI_IOTLB_G_DOMAIN];
	waits = vsim.waits;
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_donate_vm(vm, page, 0x10000000, 1, &res), 0);
	/* One table changed: the EPT lost the page (its table count moved or not, no mirror). */
	assert_int_not_equal(pt_lookup(&hv->cpu, page, NULL, NULL, NULL), 0);
	assert_int_equal(hv->dom[vtd.host_dom_idx].pt.root, 0);
	assert_true(hv->cpu.nr_tables >= tables);
	/* Both invalidations, the unit's waited for, in the same call. */
	assert_true(env_cpu_rec.inval_calls > cpu_inv);
	assert_true(vsim.iotlb[QI_IOTLB_G_PAGE] + vsim.iotlb[QI_IOTLB_G_DOMAIN] > psi);
	assert_true(vsim.waits > waits);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), FR_WRITE);
	assert_int_equal(vsim_dma(SID_EDU, page, false, false, &pa), FR_READ);
	assert_int_equal(vsim_dma(SID_EDU, page + PAGE_SIZE, false, false, &pa), 0);
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_reclaim_vm(vm, 0x10000000, 1, &res), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_false(vtd.failed);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	free(ept_db);
	ept_db = NULL;
}

/*
 * A unit whose walks do not snoop (ECAP.C = 0) cannot share the EPT the CPU writes
 * without cache cleans: mirrored (cleaned), the reason logged, and DMA never reads a
 * line the CPU did not clean.
 */
static void test_core_ept_noncoherent(void **state)
{
	const struct own_view *hv;
	const char *log;
	u64 page, pa;

	(void)state;
	fmt_env_ecap_clear = ECAP_C;
	th_log_start();
	fmt_env(PT_FMT_X86_EPT);
	log = th_log_end();
	if (!strstr(log, "host view mirrored") || !strstr(log, "ECAP.C = 0"))
		fail_msg("no mirrored fallback with its reason in the log:\n%s", log);
	hv = own_view_of(OWN_HOST);
	assert_true(hv->dom[vtd.host_dom_idx].mirrored);
	assert_false(hv->dom[vtd.host_dom_idx].pt.coherent);
	page = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_int_equal(vsim.stale_reads, 0);
	assert_false(vtd.failed);
	free(ept_db);
	ept_db = NULL;
}

/* A host CPU table already in the VT-d format: shared, no mirror, only invalidation. */
static void test_core_shared_view(void **state)
{
	const struct own_view *hv;
	struct own_res res;
	u64 page, pa, ce[2];
	u32 vm;

	(void)state;
	fmt_env(PT_FMT_VTD_SL);
	hv = own_view_of(OWN_HOST);
	assert_false(hv->dom[vtd.host_dom_idx].mirrored);
	assert_ptr_equal(vtd.host_pt, &hv->cpu);
	assert_int_equal(vtd_read_ctx(&vtd, SID_EDU, ce), 0);
	assert_int_equal(ce[0] & CE_LO_SLPTPTR, hv->cpu.root);
	page = env_host_pages(1, PAGE_SIZE);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), 0);
	assert_int_equal(pa, page);
	vm = env_vm_create(64, 39);
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_donate_vm(vm, page, 0x10000000, 1, &res), 0);
	assert_int_equal(vsim_tlb_count(VTD_HOST_DID, page, PAGE_SIZE), 0);
	assert_int_equal(vsim_dma(SID_EDU, page, true, false, &pa), FR_WRITE);
	assert_false(vtd.failed);
	assert_int_equal(vsim.bad_descs + vsim.bad_writes, 0);
	free(ept_db);
	ept_db = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_probe_refusals, setup),
		cmocka_unit_test_setup(test_enable_sequence, setup),
		cmocka_unit_test_setup(test_enable_taken_over, setup),
		cmocka_unit_test_setup(test_gcmd_timeout, setup),
		cmocka_unit_test_setup(test_context_entries, setup),
		cmocka_unit_test_setup(test_context_switch, setup),
		cmocka_unit_test_setup(test_dma_translation, setup),
		cmocka_unit_test_setup(test_inval_after_unmap, setup),
		cmocka_unit_test_setup(test_queue_wrap, setup),
		cmocka_unit_test_setup(test_wait_timeout_fails_closed, setup),
		cmocka_unit_test_setup(test_queue_error_fails_closed, setup),
		cmocka_unit_test_setup(test_fault_decode, setup),
		cmocka_unit_test_setup(test_fault_ratelimit, setup),
		cmocka_unit_test_setup(test_fault_overflow_fails_closed, setup),
		cmocka_unit_test_setup(test_noncoherent, setup),
		cmocka_unit_test(test_core_host_view),
		cmocka_unit_test(test_core_dom_map_unmap),
		cmocka_unit_test(test_share_vectors),
		cmocka_unit_test(test_core_ept_mirror),
		cmocka_unit_test(test_core_ept_shared),
		cmocka_unit_test(test_core_ept_noncoherent),
		cmocka_unit_test(test_core_shared_view),
	};

	return cmocka_run_group_tests_name("vtd", tests, NULL, NULL);
}
