// SPDX-License-Identifier: GPL-2.0-only
/*
 * hyp/iommu/smmuv3.c against the simulated SMMU (smmu_sim.c) and the real
 * page-table engine (hyp/mmu) over fake simulated memory.
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

#include "../../../hyp/iommu/smmuv3_regs.h"
#include "fake.h"
#include "harness.h"
#include "invariant_env.h"
#include "hyp/iommu.h"
#include "hyp/plat.h"
#include "smmu_sim.h"

#include <lockstep/abi.h>

#define SMEM_SIZE (256ULL * 1024)
/* VTCR_EL2 for a 40-bit IPA from level 1 (2 concatenated roots), WB/WB/ISH walks, 40-bit PS. */
#define VTCR40	  (24ULL | 1ULL << 6 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 2ULL << 16)
/* 48-bit IPA from level 0, 48-bit PS. */
#define VTCR48	  (16ULL | 2ULL << 6 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 5ULL << 16)

static struct smmu smmu;
static struct pt_pool pool;
static struct th_pt hpt;
static u64 smem;

/* ---- fixtures ----------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	th_reset();
	sim_reset();
	memset(&smmu, 0, sizeof(smmu));
	smem = fake_alloc_pages(SMEM_SIZE / PAGE_SIZE, 64ULL * 1024);
	th_pool_fill(&pool, 256);
	assert_int_equal(th_pt_init(&hpt, PT_FMT_ARM64_S2, 40, &pool), 0);
	return 0;
}

static void init_ok(void)
{
	assert_int_equal(smmu_init(&smmu, SIM_BASE, SIM_SIZE, smem, SMEM_SIZE), 0);
	assert_int_equal(sim.bad_writes, 0);
	assert_int_equal(sim.bad_access, 0);
}

/* Identity-map host RAM [0x40000000, +64 MiB) like the host stage 2 would. */
static void map_host(struct pt_gather *g)
{
	pt_gather_init(g);
	assert_int_equal(pt_map(&hpt.pt, 0x40000000, 64ULL << 20, 0x40000000, PT_RW, g), 0);
}

/* ---- probe and init ------------------------------------------------------ */

static void expect_refused(u32 idr, u32 val, int err)
{
	sim_reset();
	sim.idr[idr] = val;
	assert_int_equal(smmu_init(&smmu, SIM_BASE, SIM_SIZE, smem, SMEM_SIZE), err);
	/* Refused at probe: not one register written. */
	assert_int_equal(sim.reg_writes, 0);
}

static void test_probe_refusals(void **state)
{
	u32 idr0;

	(void)state;
	sim_reset();
	idr0 = sim.idr[0];
	expect_refused(0, idr0 & ~(u32)IDR0_S2P, -ENODEV);
	expect_refused(0, (idr0 & ~(u32)IDR0_TTF) | (u32)FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH32),
		       -ENODEV);
	expect_refused(
		0, (idr0 & ~(u32)IDR0_TTENDIAN) | (u32)FIELD_PREP(IDR0_TTENDIAN, IDR0_TTENDIAN_BE),
		-ENODEV);
	expect_refused(0, idr0 & ~(u32)IDR0_COHACC, -ENOTSUP);
	expect_refused(5, (u32)FIELD_PREP(IDR5_OAS, 4) | (u32)IDR5_GRAN64K, -ENODEV);
	expect_refused(5, (u32)FIELD_PREP(IDR5_OAS, 7) | (u32)IDR5_GRAN4K, -ENODEV);
	expect_refused(1,
		       (u32)(FIELD_PREP(IDR1_SIDSIZE, 16) | FIELD_PREP(IDR1_CMDQS, 8) |
			     FIELD_PREP(IDR1_EVENTQS, 8) | IDR1_TABLES_PRESET),
		       -ENOTSUP);

	/* Bad arguments and too little table memory: nothing written either. */
	sim_reset();
	assert_int_equal(smmu_init(&smmu, SIM_BASE + 0x1000, SIM_SIZE, smem, SMEM_SIZE), -EINVAL);
	assert_int_equal(smmu_init(&smmu, SIM_BASE, 0x10000, smem, SMEM_SIZE), -EINVAL);
	assert_int_equal(smmu_init(&smmu, SIM_BASE, SIM_SIZE, smem + 8, SMEM_SIZE), -EINVAL);
	assert_int_equal(smmu_init(&smmu, SIM_BASE, SIM_SIZE, smem, 4096), -ENOMEM);
	assert_int_equal(sim.reg_writes, 0);
}

static void test_init_two_level(void **state)
{
	(void)state;
	th_log_start();
	init_ok();
	assert_non_null(strstr(th_log_end(), "2-level stream table"));
	/* Enabled with both queues, GBPA aborting, IRQs off, private TLB maintenance. */
	assert_int_equal(sim.cr0ack, CR0_SMMUEN | CR0_CMDQEN | CR0_EVTQEN);
	assert_true(sim.gbpa & GBPA_ABORT);
	assert_false(sim.gbpa & GBPA_UPDATE);
	assert_int_equal(sim.irq_ctrl, 0);
	assert_int_equal(sim.cr2, CR2_PTM | CR2_RECINVSID);
	/* Stream table: 2-level, split 8, 16 SID bits; queues capped at 4 KiB. */
	assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_FMT, sim.strtab_cfg), STRTAB_FMT_2LVL);
	assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_SPLIT, sim.strtab_cfg), 8);
	assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, sim.strtab_cfg), 16);
	assert_int_equal(FIELD_GET(Q_BASE_LOG2SIZE, sim.cmdq_base), 8);
	assert_int_equal(FIELD_GET(Q_BASE_LOG2SIZE, sim.evtq_base), 7);
	/* Init invalidated everything before use: CFGI_ALL, TLBI_NSNH_ALL, then CMD_SYNC. */
	assert_int_equal(sim.nlog, 3);
	assert_int_equal(FIELD_GET(CMD0_OP, sim.log[0][0]), CMD_CFGI_STE_RANGE);
	assert_int_equal(FIELD_GET(CMD1_CFGI_RANGE, sim.log[0][1]), 31);
	assert_int_equal(FIELD_GET(CMD0_OP, sim.log[1][0]), CMD_TLBI_NSNH_ALL);
	assert_int_equal(FIELD_GET(CMD0_OP, sim.log[2][0]), CMD_SYNC);
	/* Every stream aborts (and is reported) until attached. */
	{
		u64 pa;

		assert_int_equal(sim_dma(0x10, 0x40000000, false, &pa), EVT_C_BAD_STREAMID);
		assert_int_equal(smmu_drain_events(&smmu), 1);
		assert_int_equal(smmu.st.cfg_errors, 1);
	}
}

static void test_init_linear(void **state)
{
	u64 pa;

	(void)state;
	sim.idr[0] &= ~(u32)IDR0_ST_LEVEL;
	sim.idr[1] = (u32)(FIELD_PREP(IDR1_SIDSIZE, 6) | FIELD_PREP(IDR1_CMDQS, 5) |
			   FIELD_PREP(IDR1_EVENTQS, 5));
	init_ok();
	assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_FMT, sim.strtab_cfg), STRTAB_FMT_LINEAR);
	assert_int_equal(FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, sim.strtab_cfg), 6);
	assert_int_equal(FIELD_GET(Q_BASE_LOG2SIZE, sim.cmdq_base), 5);
	/* Linear table: STE base aligned to its 4 KiB size. */
	assert_int_equal(sim.strtab_base & STRTAB_BASE_ADDR & 0xfff, 0);
	assert_int_equal(sim_dma(3, 0x40000000, false, &pa), EVT_C_BAD_STE);
	assert_int_equal(smmu_attach_host_s2(&smmu, 64, 1, &hpt.pt, 1, VTCR40), -ERANGE);
}

static void test_init_timeout_fails_closed(void **state)
{
	(void)state;
	sim.cr0ack_stuck = true;
	assert_int_equal(smmu_init(&smmu, SIM_BASE, SIM_SIZE, smem, SMEM_SIZE), -ETIMEDOUT);
	assert_true(smmu.failed);
	assert_int_equal(sim.cr0, 0);
	assert_true(sim.gbpa & GBPA_ABORT);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 1, VTCR40), -EIO);
	assert_int_equal(smmu_sync(&smmu), -EIO);
}

/* ---- attach -------------------------------------------------------------- */

static void test_attach_shared_s2(void **state)
{
	struct pt_gather g;
	u64 ste[8], pa, lpa;
	pt_attr_t attr;
	unsigned int lvl;

	(void)state;
	init_ok();
	map_host(&g);
	assert_int_equal(hpt.pt.start_level, 1);
	assert_int_equal(hpt.pt.root_pages, 2);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0x108, 2, &hpt.pt, 7, VTCR40), 0);
	/* L1 descriptor 1 got an L2 table of 256 STEs (Span 9). */
	assert_true(sim_fetch_ste(0x108, ste));
	assert_int_equal(ste[0], STE0_V | FIELD_PREP(STE0_CONFIG, STE_CFG_S2));
	assert_int_equal(FIELD_GET(STE1_EATS, ste[1]), 0);
	/* The host's identity view keeps the incoming attributes (no override). */
	assert_false(ste[1] & STE1_MTCFG);
	assert_int_equal(FIELD_GET(STE1_SHCFG, ste[1]), STE_SHCFG_INCOMING);
	assert_int_equal(FIELD_GET(STE2_S2VMID, ste[2]), 7);
	assert_int_equal(FIELD_GET(STE2_S2T0SZ, ste[2]), 24);
	assert_int_equal(FIELD_GET(STE2_S2SL0, ste[2]), 1);
	assert_int_equal(FIELD_GET(STE2_S2IR0, ste[2]), 1);
	assert_int_equal(FIELD_GET(STE2_S2OR0, ste[2]), 1);
	assert_int_equal(FIELD_GET(STE2_S2SH0, ste[2]), 3);
	assert_int_equal(FIELD_GET(STE2_S2PS, ste[2]), 2);
	assert_true(ste[2] & STE2_S2AA64);
	assert_true(ste[2] & STE2_S2R);
	assert_int_equal(ste[3] & STE3_S2TTB, hpt.pt.root);
	assert_true(sim_fetch_ste(0x109, ste));
	assert_int_equal(FIELD_GET(STE2_S2VMID, ste[2]), 7);
	assert_false(sim_fetch_ste(0x10a, ste) && (ste[0] & STE0_V));
	/* A device DMA walks the very table the CPU uses: same answer as pt_lookup. */
	for (u64 ipa = 0x40000000; ipa < 0x44000000; ipa += 0x1234567) {
		assert_int_equal(sim_dma(0x108, ipa, true, &pa), 0);
		assert_int_equal(pt_lookup(&hpt.pt, ipa, &lpa, &attr, &lvl), 0);
		assert_int_equal(pa, lpa);
	}
	/* Outside the map: a stage-2 translation fault, recorded and decoded. */
	assert_int_equal(sim_dma(0x109, 0x80000000, false, &pa), EVT_F_TRANSLATION);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 1);
	assert_non_null(strstr(th_log_end(), "F_TRANSLATION sid 0x109 addr 0x80000000"));
	assert_int_equal(smmu.st.faults, 1);
	assert_int_equal(sim.bad_ste, 0);
	assert_int_equal(sim.bad_writes, 0);
	assert_true(smmu.host.live);
	assert_int_equal(smmu.host.vmid, 7);
}

static void test_attach_48bit_clipped_to_ias(void **state)
{
	struct th_pt big;
	struct pt_gather g;
	u64 ste[8], pa;

	(void)state;
	init_ok();
	assert_int_equal(th_pt_init(&big, PT_FMT_ARM64_S2, 48, &pool), 0);
	assert_int_equal(big.pt.start_level, 0);
	pt_gather_init(&g);
	assert_int_equal(pt_map(&big.pt, 0x40000000, 2ULL << 20, 0x40000000, PT_RW, &g), 0);
	/* The SMMU has 44-bit IAS: same level-0 root, S2T0SZ 20 instead of 16. */
	th_log_start();
	assert_int_equal(smmu_attach_host_s2(&smmu, 1, 1, &big.pt, 3, VTCR48), 0);
	assert_non_null(strstr(th_log_end(), "48-bit table with a 44-bit input"));
	assert_true(sim_fetch_ste(1, ste));
	assert_int_equal(FIELD_GET(STE2_S2T0SZ, ste[2]), 20);
	assert_int_equal(FIELD_GET(STE2_S2SL0, ste[2]), 2);
	assert_int_equal(FIELD_GET(STE2_S2PS, ste[2]), 4); /* 48 capped to OAS 44 */
	assert_int_equal(sim_dma(1, 0x40001000, false, &pa), 0);
	assert_int_equal(pa, 0x40001000);
	assert_int_equal(sim.bad_ste, 0);
	/* An SMMU whose IAS cannot reach the level-0 root refuses. */
	smmu.ias_bits = 36;
	assert_int_equal(smmu_attach_host_s2(&smmu, 2, 1, &big.pt, 3, VTCR48), -EINVAL);
}

static void test_attach_rejects_incompatible(void **state)
{
	u32 nlog;
	u64 ste[8];
	struct pt bad;

	(void)state;
	init_ok();
	nlog = sim.nlog;
	/* T0SZ that does not describe the table, SL0 of another level, 64K granule, LPA2. */
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 1, (VTCR40 & ~0x3fULL) | 25),
			 -EINVAL);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 1, VTCR40 & ~(3ULL << 6)),
			 -EINVAL);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 1, VTCR40 | 1ULL << 14),
			 -EINVAL);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 1, VTCR40 | BIT(32)), -EINVAL);
	/* Root concatenation that does not match the IPA size. */
	bad = hpt.pt;
	bad.root_pages = 1;
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &bad, 1, VTCR40), -EINVAL);
	/* Not a stage-2 table. */
	bad = hpt.pt;
	bad.fmt = PT_FMT_ARM64_S1;
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &bad, 1, VTCR40), -EINVAL);
	/* Block<->table swaps without BBM need BBML2. */
	bad = hpt.pt;
	bad.bbm_free = true;
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &bad, 1, VTCR40), -EINVAL);
	/* 8-bit VMIDs only. */
	smmu.vmid16 = false;
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &hpt.pt, 300, VTCR40), -EINVAL);
	smmu.vmid16 = true;
	/* SIDs beyond the table; empty range. */
	assert_int_equal(smmu_attach_host_s2(&smmu, 0xffff, 2, &hpt.pt, 1, VTCR40), -ERANGE);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 0, &hpt.pt, 1, VTCR40), -ERANGE);
	/* None of that issued a command or built an L2 table. */
	assert_int_equal(sim.nlog, nlog);
	assert_false(sim_fetch_ste(0, ste));
	/* With BBML2 the bbm_free table is accepted. */
	smmu.bbml = 2;
	bad = hpt.pt;
	bad.bbm_free = true;
	assert_int_equal(smmu_attach_host_s2(&smmu, 0, 1, &bad, 1, VTCR40), 0);
}

static void test_attach_live_switch(void **state)
{
	struct pt_gather g;
	u64 old[8], neu[8], pa;
	bool seen_invalid = false;
	u32 i;

	(void)state;
	init_ok();
	map_host(&g);
	assert_int_equal(smmu_attach_host_s2(&smmu, 5, 1, &hpt.pt, 1, VTCR40), 0);
	assert_true(sim_fetch_ste(5, old));
	assert_int_equal(sim_dma(5, 0x40000000, false, &pa), 0); /* config now cached */
	/* The SMMU fetches stream 5's STE at every tick while we switch it. */
	sim.watch = true;
	sim.watch_sid = 5;
	sim.nhist = 0;
	assert_int_equal(smmu_attach_host_s2(&smmu, 5, 1, &hpt.pt, 2, VTCR40), 0);
	assert_true(sim_fetch_ste(5, neu));
	assert_int_equal(FIELD_GET(STE2_S2VMID, neu[2]), 2);
	/* Attaching the same configuration again changes nothing and issues nothing. */
	{
		u32 nlog = sim.nlog, nhist = sim.nhist;

		sim.watch = false;
		assert_int_equal(smmu_attach_host_s2(&smmu, 5, 1, &hpt.pt, 2, VTCR40), 0);
		assert_int_equal(sim.nlog, nlog);
		sim.nhist = nhist;
		sim.watch = true;
	}
	assert_true(sim.nhist > 3);
	/* Every fetch saw the old STE, an invalid one, or the new one: never a mix. */
	for (i = 0; i < sim.nhist; i++) {
		const u64 *h = sim.hist[i].ste;

		assert_true(sim.hist[i].present);
		if (!(h[0] & STE0_V)) {
			seen_invalid = true;
			continue;
		}
		assert_true(memcmp(h, old, 32) == 0 || memcmp(h, neu, 32) == 0);
		if (memcmp(h, neu, 32) == 0)
			assert_true(seen_invalid); /* new only after a break */
	}
	assert_true(seen_invalid);
	/* And the cached configuration was dropped: DMA now runs under VMID 2. */
	sim.watch = false;
	assert_int_equal(sim_dma(5, 0x40000000, false, &pa), 0);
	assert_int_equal(sim_tlb_count(2, 0x40000000, PAGE_SIZE), 1);
}

static void test_detach(void **state)
{
	struct pt_gather g;
	u64 pa;

	(void)state;
	init_ok();
	map_host(&g);
	assert_int_equal(smmu_attach_host_s2(&smmu, 9, 1, &hpt.pt, 1, VTCR40), 0);
	assert_int_equal(sim_dma(9, 0x40000000, false, &pa), 0);
	assert_int_equal(smmu_detach(&smmu, 9, 1), 0);
	assert_int_equal(sim_dma(9, 0x40000000, false, &pa), EVT_C_BAD_STE);
	assert_int_equal(smmu_detach(&smmu, 0x20000, 1), -ERANGE);
}

/* ---- invalidation ---------------------------------------------------------- */

static u64 rnd_state = 0x123456789abcdefULL;

static u64 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void test_inval_range_exact(void **state)
{
	(void)state;
	init_ok();
	for (int it = 0; it < 300; it++) {
		u64 base = 0x40000000 + (rnd() % 4096) * PAGE_SIZE;
		u64 pages = 1 + rnd() % 700;
		u64 size = pages * PAGE_SIZE;
		u32 before, out1;

		memset(sim.tlb, 0, sizeof(sim.tlb));
		/* Pages around and inside the range, for VMID 1 and VMID 2. */
		for (u64 a = base - 8 * PAGE_SIZE; a < base + size + 8 * PAGE_SIZE;
		     a += PAGE_SIZE * (1 + pages / 40)) {
			sim_tlb_fill(1, a, PAGE_SIZE, a);
			sim_tlb_fill(2, a, PAGE_SIZE, a);
		}
		sim_tlb_fill(1, base + size - PAGE_SIZE, PAGE_SIZE, 0);
		sim_tlb_fill(1, base + size, PAGE_SIZE, 0);
		sim_tlb_fill(1, base - PAGE_SIZE, PAGE_SIZE, 0);
		before = sim_tlb_count(2, 0, ~0ULL >> 1);
		out1 = sim_tlb_count(1, 0, base) + sim_tlb_count(1, base + size, 1ULL << 40);
		assert_true(sim_tlb_count(1, base, size) >= 1);
		sim_log_clear();
		assert_int_equal(smmu_inval_ipa_range(&smmu, 1, base, size, 3), 0);
		/* Exactly the range went: nothing inside left, everything outside kept. */
		assert_int_equal(sim_tlb_count(1, base, size), 0);
		assert_int_equal(sim_tlb_count(1, 0, base) +
					 sim_tlb_count(1, base + size, 1ULL << 40),
				 out1);
		assert_true(sim_tlb_count(1, base + size, PAGE_SIZE) >= 1);
		assert_true(sim_tlb_count(1, base - PAGE_SIZE, PAGE_SIZE) >= 1);
		assert_int_equal(sim_tlb_count(2, 0, ~0ULL >> 1), before);
		/* Range commands with TTL 3, then one SYNC, last. */
		assert_true(sim_count_op(CMD_TLBI_S2_IPA) >= 1);
		assert_true(sim_count_op(CMD_TLBI_S2_IPA) <= 13);
		assert_int_equal(FIELD_GET(CMD1_TLBI_TTL, sim.log[0][1]), 3);
		assert_int_equal(FIELD_GET(CMD0_OP, sim.log[sim.nlog - 1][0]), CMD_SYNC);
		assert_int_equal(sim_count_op(CMD_SYNC), 1);
	}
	assert_int_equal(smmu.st.timeouts, 0);
}

static void test_inval_no_ril(void **state)
{
	(void)state;
	sim.idr[3] = 0;
	init_ok();
	assert_false(smmu.ril);
	for (u64 a = 0x40000000; a < 0x40010000; a += PAGE_SIZE)
		sim_tlb_fill(1, a, PAGE_SIZE, a);
	sim_log_clear();
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40002000, 0x5000, 0), 0);
	assert_int_equal(sim_count_op(CMD_TLBI_S2_IPA), 5);
	assert_int_equal(sim_tlb_count(1, 0x40002000, 0x5000), 0);
	assert_int_equal(sim_tlb_count(1, 0x40000000, 0x10000), 11);
	/* Level 2 leaves: one command per 2 MiB block. */
	sim_tlb_fill(1, 0x40200000, SZ_2M, 0x40200000);
	sim_tlb_fill(1, 0x40400000, SZ_2M, 0x40400000);
	sim_log_clear();
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40200000, 2 * SZ_2M, 2), 0);
	assert_int_equal(sim_count_op(CMD_TLBI_S2_IPA), 2);
	assert_int_equal(sim_tlb_count(1, 0x40200000, 2 * SZ_2M), 0);
	/* A big range becomes one TLBI_S12_VMALL. */
	sim_log_clear();
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, 1ULL << 30, 0), 0);
	assert_int_equal(sim_count_op(CMD_TLBI_S2_IPA), 0);
	assert_int_equal(sim_count_op(CMD_TLBI_S12_VMALL), 1);
	assert_int_equal(sim_tlb_count(1, 0, ~0ULL >> 1), 0);
	/* Bad arguments: nothing issued. */
	sim_log_clear();
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000800, 0x1000, 0), -EINVAL);
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, 0, 0), -EINVAL);
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, 0x1000, 4), -EINVAL);
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, ~0xfffULL, 0x2000, 0), -EINVAL);
	assert_int_equal(sim.nlog, 0);
}

static void test_cmdq_wrap(void **state)
{
	(void)state;
	/* 4-entry command queue, one command consumed per microsecond. */
	sim.idr[1] = (u32)(FIELD_PREP(IDR1_SIDSIZE, 16) | FIELD_PREP(IDR1_CMDQS, 2) |
			   FIELD_PREP(IDR1_EVENTQS, 2));
	sim.idr[3] = 0;
	init_ok();
	assert_int_equal(smmu.cmdq.log2n, 2);
	for (u64 a = 0x40000000; a < 0x40000000 + 40 * PAGE_SIZE; a += PAGE_SIZE)
		sim_tlb_fill(4, a, PAGE_SIZE, a);
	sim_log_clear();
	for (int i = 0; i < 5; i++)
		assert_int_equal(smmu_inval_ipa_range(&smmu, 4, 0x40000000 + (u64)i * 8 * PAGE_SIZE,
						      8 * PAGE_SIZE, 3),
				 0);
	assert_int_equal(sim_count_op(CMD_TLBI_S2_IPA), 40);
	assert_int_equal(sim_count_op(CMD_SYNC), 5);
	assert_int_equal(sim_tlb_count(4, 0, ~0ULL >> 1), 0);
	assert_true(sim.cmdq_wraps >= 10);
	/* Commands arrived in order: each SYNC after exactly its 8 TLBIs. */
	for (u32 i = 0; i < sim.nlog; i++)
		assert_int_equal(FIELD_GET(CMD0_OP, sim.log[i][0]),
				 i % 9 == 8 ? CMD_SYNC : CMD_TLBI_S2_IPA);
	assert_int_equal(smmu.cmdq.prod, sim.cmdq_prod);
	assert_int_equal(smmu.cmdq.cons, sim.cmdq_cons);
}

static void test_sync_timeout_fails_closed(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	sim.stall = true;
	th_log_start();
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, PAGE_SIZE, 3), -ETIMEDOUT);
	assert_non_null(strstr(th_log_end(), "FAILING CLOSED"));
	assert_true(smmu.failed);
	assert_int_equal(smmu.st.timeouts, 1);
	/* Translation off with GBPA.ABORT: DMA aborts instead of using stale entries. */
	sim_tick();
	assert_int_equal(sim.cr0ack & CR0_SMMUEN, 0);
	assert_int_equal(sim_dma(0, 0x40000000, false, &pa), 0xff);
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, PAGE_SIZE, 3), -EIO);
	assert_int_equal(smmu_inval_vmid(&smmu, 1), -EIO);
}

static void test_cmd_error_skipped(void **state)
{
	(void)state;
	init_ok();
	sim.ill_op = CMD_TLBI_S12_VMALL;
	th_log_start();
	assert_int_equal(smmu_inval_vmid(&smmu, 1), -EIO);
	assert_non_null(strstr(th_log_end(), "CERROR_ILL"));
	assert_int_equal(smmu.st.cmd_errors, 1);
	assert_int_equal(sim.gerror, sim.gerrorn);
	assert_false(smmu.failed);
	/* An error found by the GERROR handler (not by a waiter) still fails the next sync. */
	{
		struct pt_gather g;

		pt_gather_init(&g);
		g.all = true;
		assert_int_equal(smmu_inval_gather(&smmu, 1, &g), 0);
		plat_udelay(4);
		assert_int_equal(smmu_handle_gerror(&smmu), 1);
		assert_int_equal(smmu.st.cmd_errors, 2);
		assert_int_equal(smmu_sync(&smmu), -EIO);
		assert_int_equal(smmu_sync(&smmu), 0);
	}
	/* The queue goes on. */
	sim.ill_op = 0;
	sim_tlb_fill(1, 0x40000000, PAGE_SIZE, 0);
	assert_int_equal(smmu_inval_ipa_range(&smmu, 1, 0x40000000, PAGE_SIZE, 3), 0);
	assert_int_equal(sim_tlb_count(1, 0x40000000, PAGE_SIZE), 0);
}

static void test_events_and_overflow(void **state)
{
	const char *log;

	(void)state;
	sim.idr[1] = (u32)(FIELD_PREP(IDR1_SIDSIZE, 16) | FIELD_PREP(IDR1_CMDQS, 8) |
			   FIELD_PREP(IDR1_EVENTQS, 2));
	init_ok();
	sim_event(EVT_F_PERMISSION, 0x20, 0x40001000, 0x40001000, false, true);
	sim_event(EVT_C_BAD_STE, 0x21, 0x1000, 0, true, false);
	sim_event(EVT_F_WALK_EABT, 0x22, 0x5000, 0x5000, true, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 3);
	log = th_log_end();
	assert_non_null(strstr(log, "F_PERMISSION sid 0x20 addr 0x40001000 ipa 0x40001000 write"));
	assert_non_null(strstr(log, "C_BAD_STE sid 0x21"));
	assert_non_null(strstr(log, "F_WALK_EABT sid 0x22"));
	assert_int_equal(smmu.st.events, 3);
	assert_int_equal(smmu.st.faults, 2);
	assert_int_equal(smmu.st.cfg_errors, 1);
	assert_int_equal(sim.evtq_cons, sim.evtq_prod);
	assert_int_equal(smmu_drain_events(&smmu), 0);
	/* 4-entry queue: 6 events overflow it; the driver counts and acknowledges. */
	for (int i = 0; i < 6; i++)
		sim_event(EVT_F_TRANSLATION, 0x30, 0x1000 * (u64)i, 0, true, true);
	assert_int_equal(smmu_drain_events(&smmu), 4);
	assert_int_equal(smmu.st.evtq_overflows, 1);
	assert_int_equal(sim.evtq_cons & Q_OVF, sim.evtq_prod & Q_OVF);
	sim_event(EVT_F_TRANSLATION, 0x30, 0, 0, true, true);
	assert_int_equal(smmu_drain_events(&smmu), 1);
	assert_int_equal(smmu.st.evtq_overflows, 1);
}

static void test_gerror(void **state)
{
	u64 pa;

	(void)state;
	init_ok();
	sim.gerror ^= (u32)GERROR_EVTQ_ABT_ERR;
	th_log_start();
	assert_int_equal(smmu_handle_gerror(&smmu), 1);
	assert_non_null(strstr(th_log_end(), "global error EVTQ_ABT_ERR"));
	assert_int_equal(sim.gerror, sim.gerrorn);
	assert_false(smmu.failed);
	assert_int_equal(smmu_handle_gerror(&smmu), 0);
	/* Service failure mode: fail closed. */
	sim.gerror ^= (u32)GERROR_SFM_ERR;
	assert_int_equal(smmu_drain_events(&smmu), 0);
	assert_true(smmu.failed);
	sim_tick();
	assert_int_equal(sim_dma(0, 0x40000000, false, &pa), 0xff);
}

/*
 * smmu_poll_events (hypercall exit / abort trap path): nothing pending = two register
 * reads and no write; an event or a global error = a locked drain; a repeated event
 * is counted but not logged again (rate limit, test_evt_ratelimit).
 */
static void test_poll_events(void **state)
{
	u64 writes;
	const char *log;

	(void)state;
	init_ok();
	writes = sim.reg_writes;
	assert_int_equal(smmu_poll_events(&smmu), 0);
	assert_int_equal(sim.reg_writes, writes);
	sim_event(EVT_F_TRANSLATION, 0x10, 0x2000, 0x2000, true, true);
	assert_int_equal(smmu_poll_events(&smmu), 1);
	assert_int_equal(smmu.st.faults, 1);
	assert_int_equal(sim.evtq_cons, sim.evtq_prod);
	assert_false(hyp_spin_is_locked(&smmu.lock));
	sim.gerror ^= (u32)GERROR_EVTQ_ABT_ERR;
	assert_int_equal(smmu_poll_events(&smmu), 0);
	assert_int_equal(sim.gerror, sim.gerrorn);
	assert_int_equal(smmu.st.gerrors, 1);
	/* A repeat of the same key within the quiet interval: counted, not logged. */
	sim_event(EVT_F_TRANSLATION, 0x10, 0x2000, 0x2000, true, true);
	th_log_start();
	assert_int_equal(smmu_poll_events(&smmu), 1);
	log = th_log_end();
	assert_null(strstr(log, "sid 0x10"));
	assert_int_equal(smmu.st.faults, 2);
	assert_int_equal(smmu_poll_events(NULL), -EINVAL);
}

/* Occurrences of @needle in @hay. */
static u32 count_str(const char *hay, const char *needle)
{
	u32 n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * The event log rate limit: a storm from one stream costs one line and one exact
 * "N more" summary; another stream's first event in the middle of it is still
 * logged; a key back after a quiet interval and an evicted key are summarised; a
 * stream faulting on many pages in one drain costs SMMU_EVT_LOG_MAX lines + one.
 * Counting stays exact throughout.
 */
static void test_evt_ratelimit(void **state)
{
	const char *log;
	char want[128];

	(void)state;
	init_ok();
	/* Storm: 100 faults of stream 0x10 on one page, then stream 0x20's first fault. */
	for (u32 i = 0; i < 100; i++)
		sim_event(EVT_F_TRANSLATION, 0x10, 0x5000 + 4 * i, 0x5000, true, true);
	sim_event(EVT_F_TRANSLATION, 0x20, 0x7000, 0x7000, false, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 101);
	log = th_log_end();
	assert_int_equal(count_str(log, "sid 0x10"), 1);
	assert_non_null(strstr(log, "F_TRANSLATION sid 0x10 addr 0x5000 "));
	assert_non_null(strstr(log, "F_TRANSLATION sid 0x20 addr 0x7000 "));
	assert_int_equal(smmu.st.events, 101);
	assert_int_equal(smmu.st.faults, 101);
	/* The storm goes on (no quiet interval yet): counted only. */
	sim.clock_us += SMMU_EVT_QUIET_US / 2;
	for (u32 i = 0; i < 20; i++)
		sim_event(EVT_F_TRANSLATION, 0x10, 0x5ffc, 0x5000, true, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 20);
	log = th_log_end();
	assert_null(strstr(log, "sid 0x10"));
	/* Quiet for the interval, then the key again: exact summary (99 + 20), then logged. */
	sim.clock_us += SMMU_EVT_QUIET_US;
	sim_event(EVT_F_TRANSLATION, 0x10, 0x5008, 0x5000, true, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 1);
	log = th_log_end();
	assert_non_null(strstr(
		log, "119 more F_TRANSLATION events from sid 0x10 on page 0x5000 over 500 ms"));
	assert_non_null(strstr(log, "F_TRANSLATION sid 0x10 addr 0x5008 "));
	assert_int_equal(smmu.st.faults, 122);
	/* A storm that just stops: the next drain (any event) summarises it once quiet. */
	for (u32 i = 0; i < 7; i++)
		sim_event(EVT_F_TRANSLATION, 0x10, 0x5010, 0x5000, true, true);
	assert_int_equal(smmu_drain_events(&smmu), 7);
	sim.clock_us += SMMU_EVT_QUIET_US;
	sim_event(EVT_C_BAD_STE, 0x21, 0, 0, true, false);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 1);
	log = th_log_end();
	assert_non_null(
		strstr(log, "7 more F_TRANSLATION events from sid 0x10 on page 0x5000 over 0 ms, "
			    "counted, not logged (quiet for 1 s)"));
	assert_non_null(strstr(log, "C_BAD_STE sid 0x21"));
	assert_int_equal(smmu.st.cfg_errors, 1);
	/* Eviction: 0x10 repeats 5 times, then 16 new keys push it (least recent) out. */
	for (u32 i = 0; i < 6; i++)
		sim_event(EVT_F_TRANSLATION, 0x10, 0x5020, 0x5000, true, true);
	assert_int_equal(smmu_drain_events(&smmu), 6);
	sim.clock_us += 10;
	for (u32 i = 0; i < SMMU_EVT_KEYS; i++)
		sim_event(EVT_F_PERMISSION, 0x30 + i, 0x9000, 0x9000, false, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), (int)SMMU_EVT_KEYS);
	log = th_log_end();
	assert_non_null(
		strstr(log, "5 more F_TRANSLATION events from sid 0x10 on page 0x5000 over 0 ms, "
			    "counted, not logged (evicted)"));
	assert_int_equal(count_str(log, "F_PERMISSION sid 0x3"), SMMU_EVT_KEYS);
	/* One stream on 20 new pages in one drain: SMMU_EVT_LOG_MAX lines, one summary. */
	for (u32 i = 0; i < 20; i++)
		sim_event(EVT_F_ACCESS, 0x40, 0x100000 + 0x1000 * (u64)i, 0, true, true);
	sim_event(EVT_F_ACCESS, 0x41, 0x100000, 0, true, true);
	th_log_start();
	assert_int_equal(smmu_drain_events(&smmu), 21);
	log = th_log_end();
	assert_int_equal(count_str(log, "F_ACCESS sid 0x40 addr"), SMMU_EVT_LOG_MAX);
	snprintf(want, sizeof(want),
		 "sid 0x40: %u more events on other pages or types in this "
		 "drain",
		 20 - SMMU_EVT_LOG_MAX);
	assert_non_null(strstr(log, want));
	assert_non_null(strstr(log, "F_ACCESS sid 0x41 addr 0x100000 "));
	assert_int_equal(smmu.st.events, 101 + 20 + 1 + 7 + 1 + 6 + SMMU_EVT_KEYS + 21);
	assert_int_equal(smmu.st.faults, 101 + 20 + 1 + 7 + 6 + SMMU_EVT_KEYS + 21);
}

/*
 * Host stream ranges from the loader: bad ones refused one by one with a reason
 * (empty, beyond SIDSIZE, overlapping an accepted one, above the total cap), the
 * rest sorted; the L2 stream-table memory they need counts each 256-SID span once.
 */
static void test_sid_ranges(void **state)
{
	struct smmu_sid_range out[SMMU_SID_RANGES_MAX];
	const char *log;

	(void)state;
	{
		const struct smmu_sid_range in[] = { { 0x100, 0x10 }, { 0, 0x20 } };

		assert_int_equal(smmu_sid_ranges_check(in, 2, 16, out), 2);
		assert_int_equal(out[0].base, 0);
		assert_int_equal(out[0].nr, 0x20);
		assert_int_equal(out[1].base, 0x100);
		assert_int_equal(out[1].nr, 0x10);
	}
	{
		const struct smmu_sid_range in[] = {
			{ 0, 0x20 },	   /* ok */
			{ 5, 0 },	   /* empty */
			{ 0xff00, 0x200 }, /* beyond 16 bits */
			{ 0x10, 0x20 },	   /* overlaps the first */
			{ 0x20, 0x10 },	   /* touches it: ok */
			{ 0xffff, 1 },	   /* the last SID: ok */
		};

		th_log_start();
		assert_int_equal(smmu_sid_ranges_check(in, 6, 16, out), 3);
		log = th_log_end();
		assert_non_null(strstr(log, "stream range 1 (base 0x5) is empty: refused"));
		assert_non_null(strstr(log, "0xff00..0x100ff beyond the SMMU's 16-bit StreamIDs"));
		assert_non_null(strstr(log, "0x10..0x2f overlaps 0x0..0x1f: refused"));
		assert_int_equal(out[0].base, 0);
		assert_int_equal(out[1].base, 0x20);
		assert_int_equal(out[2].base, 0xffff);
	}
	{
		/* The whole 16-bit space is the cap: one more stream is refused. */
		const struct smmu_sid_range in[] = { { 0, 1U << 16 }, { 1U << 16, 1 } };

		th_log_start();
		assert_int_equal(smmu_sid_ranges_check(in, 2, 20, out), 1);
		assert_non_null(
			strstr(th_log_end(), "would make 65537 host streams, above the cap"));
		assert_int_equal(smmu_sid_ranges_l2_bytes(out, 1), 256ULL * 16384);
	}
	{
		const struct smmu_sid_range in[] = { { 0xffffffffU, 2 } };

		assert_int_equal(smmu_sid_ranges_check(in, 1, 32, out), 0); /* wraps: beyond */
		assert_int_equal(smmu_sid_ranges_check(in, SMMU_SID_RANGES_MAX + 1, 16, out),
				 -EINVAL);
		assert_int_equal(smmu_sid_ranges_check(in, 1, 0, out), -EINVAL);
		assert_int_equal(smmu_sid_ranges_check(NULL, 1, 16, out), -EINVAL);
	}
	{
		/* Spans: 0x80..0x27f touches 3; ranges sharing a span count it once. */
		const struct smmu_sid_range a[] = { { 0x80, 0x200 } };
		const struct smmu_sid_range b[] = { { 0, 0x20 }, { 0x30, 0x10 } };
		const struct smmu_sid_range c[] = { { 0xf0, 0x20 }, { 0x110, 1 }, { 0x300, 1 } };

		assert_int_equal(smmu_sid_ranges_l2_bytes(a, 1), 3ULL * 16384);
		assert_int_equal(smmu_sid_ranges_l2_bytes(b, 2), 16384);
		assert_int_equal(smmu_sid_ranges_l2_bytes(c, 3), 3ULL * 16384);
		assert_int_equal(smmu_sid_ranges_l2_bytes(c, 0), 0);
	}
}

/* The ownership layer's view ops: unmap in the shared table, then invalidate + sync. */
static void test_own_ops_after_unmap(void **state)
{
	struct pt_gather g;
	u64 pa;

	(void)state;
	init_ok();
	map_host(&g);
	assert_int_equal(smmu_attach_host_s2(&smmu, 0x40, 1, &hpt.pt, 1, VTCR40), 0);
	assert_int_equal(sim_dma(0x40, 0x40123000, true, &pa), 0);
	assert_int_equal(sim_dma(0x40, 0x40800000, true, &pa), 0);
	assert_true(sim_tlb_count(1, 0x40000000, 64ULL << 20) >= 2);
	/* Take one page away from the host (e.g. donated to the hypervisor). */
	pt_gather_init(&g);
	assert_int_equal(pt_unmap(&hpt.pt, 0x40123000, PAGE_SIZE, &g), 0);
	assert_true(g.nr >= 1);
	sim_log_clear();
	smmu_own_inval_ops.invalidate(&smmu.host, OWN_HOST, &g);
	smmu_own_inval_ops.sync(&smmu.host, OWN_HOST);
	assert_false(smmu.failed);
	assert_int_equal(FIELD_GET(CMD0_OP, sim.log[sim.nlog - 1][0]), CMD_SYNC);
	assert_int_equal(sim_tlb_count(1, 0x40123000, PAGE_SIZE), 0);
	/* The device can no longer reach the page; the rest still translates. */
	assert_int_equal(sim_dma(0x40, 0x40123000, true, &pa), EVT_F_TRANSLATION);
	assert_int_equal(sim_dma(0x40, 0x40124000, true, &pa), 0);
	assert_int_equal(pa, 0x40124000);
	assert_int_equal(smmu_drain_events(&smmu), 1);
	/* A gather that overflowed invalidates the whole VMID. */
	pt_gather_init(&g);
	g.all = true;
	sim_log_clear();
	smmu_own_inval_ops.invalidate(&smmu.host, OWN_HOST, &g);
	smmu_own_inval_ops.sync(&smmu.host, OWN_HOST);
	assert_int_equal(sim_count_op(CMD_TLBI_S12_VMALL), 1);
	assert_int_equal(sim_tlb_count(1, 0, ~0ULL >> 1), 0);
}

/*
 * The whole lockstep path: the ownership core's host view (its CPU stage 2)
 * shared with the SMMU, the SMMU registered as a view domain; a host page
 * donated to a VM must become unreachable by DMA within the transition (no
 * call from the test), and reachable again once reclaimed.
 */
static void test_own_lockstep(void **state)
{
	const struct own_view *hv;
	struct own_res res;
	unsigned int idx;
	u64 page, pa, ipa = 0x10000000;
	u32 vm;

	(void)state;
	env_setup(256);
	sim_reset();
	memset(&smmu, 0, sizeof(smmu));
	smem = fake_alloc_pages(SMEM_SIZE / PAGE_SIZE, 64ULL * 1024);
	init_ok();
	hv = own_view_of(OWN_HOST);
	assert_non_null(hv);
	/* A VTCR that does not describe the host table: refused, nothing registered. */
	assert_int_equal(smmu_attach_host(&smmu, 0x10, 1, 1, VTCR48, &idx), -EINVAL);
	assert_false(smmu.host_dom);
	assert_int_equal(smmu_attach_host(&smmu, 0x10, 1, 1, VTCR40, &idx), 0);
	assert_true(smmu.host_dom);
	assert_true(hv->dom[idx].used);
	assert_ptr_equal(hv->dom[idx].priv, &smmu.host);
	assert_int_equal(FIELD_GET(STE2_S2VMID, smmu.host.ste[2]), 1);
	assert_int_equal(smmu.host.ste[3], hv->cpu.root);
	page = env_host_pages(2, PAGE_SIZE);
	assert_int_equal(sim_dma(0x10, page, true, &pa), 0);
	assert_int_equal(pa, page); /* the host's identity map */
	assert_int_equal(sim_tlb_count(1, page, PAGE_SIZE), 1);

	vm = env_vm_create(64, 40);
	sim_log_clear();
	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_donate_vm(vm, page, ipa, 1, &res), 0);
	/* The transition itself invalidated the SMMU and waited for it. */
	assert_true(sim_count_op(CMD_TLBI_S2_IPA) + sim_count_op(CMD_TLBI_S12_VMALL) >= 1);
	assert_true(sim_count_op(CMD_SYNC) >= 1);
	assert_int_equal(FIELD_GET(CMD0_OP, sim.log[sim.nlog - 1][0]), CMD_SYNC);
	assert_int_equal(sim_tlb_count(1, page, PAGE_SIZE), 0);
	assert_int_equal(sim_dma(0x10, page, true, &pa), EVT_F_TRANSLATION);
	assert_int_equal(sim_dma(0x10, page + PAGE_SIZE, true, &pa), 0);
	assert_int_equal(pa, page + PAGE_SIZE);

	memset(&res, 0, sizeof(res));
	assert_int_equal(own_host_reclaim_vm(vm, ipa, 1, &res), 0);
	assert_int_equal(sim_dma(0x10, page, false, &pa), 0);
	assert_int_equal(pa, page);
	assert_false(smmu.failed);
	assert_int_equal(smmu.st.timeouts, 0);
	assert_int_equal(sim.bad_ste, 0);
	assert_int_equal(own_dom_detach(OWN_HOST, idx), 0);
	env_teardown();
}

/* ---- host DMA domains through the real core (own_iommu_ops) --------------- */

#define DOM_SIDS 32U
#define DOM_SID	 0x18U /* edu at 00:03.0 on QEMU virt */
/* A second host range (as a second root bus would give), leaving a gap after DOM_SIDS. */
#define DOM_SID2 0x100U
#define DOM_NR2	 0x10U

static const struct smmu_sid_range dom_ranges[2] = { { 0, DOM_SIDS }, { DOM_SID2, DOM_NR2 } };

/*
 * The core with a host view, the SMMU taken, host streams [0, DOM_SIDS) and
 * [DOM_SID2, DOM_SID2 + DOM_NR2) attached and registered.
 */
static void dom_env(void)
{
	static const struct smmu_sid_range unsorted[2] = { { DOM_SID2, DOM_NR2 }, { 0, DOM_SIDS } };
	unsigned int idx;

	env_setup(256);
	sim_reset();
	memset(&smmu, 0, sizeof(smmu));
	smem = fake_alloc_pages(SMEM_SIZE / PAGE_SIZE, 64ULL * 1024);
	init_ok();
	/* no host view yet */
	assert_int_equal(smmu_register_domains(&smmu, dom_ranges, 2), -EINVAL);
	assert_int_equal(smmu_attach_host(&smmu, 0, DOM_SIDS, 0, VTCR40, &idx), 0);
	assert_int_equal(smmu_attach_host(&smmu, DOM_SID2, DOM_NR2, 0, VTCR40, &idx), 0);
	assert_int_equal(smmu_register_domains(&smmu, unsorted, 2), -EINVAL);
	assert_int_equal(smmu_register_domains(&smmu, dom_ranges, 0), -EINVAL);
	assert_int_equal(smmu_register_domains(&smmu, dom_ranges, 2), 0);
	assert_int_equal(smmu.dom_sids, DOM_SID2 + DOM_NR2);
	assert_int_equal(smmu_register_domains(&smmu, dom_ranges, 2), -EBUSY);
}

static u32 dom_new(unsigned int ia_bits)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(64, LS_VM_POOL_ALIGN);

	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_CREATE, pa, 64, ia_bits, 0, &r), LS_OK);
	return (u32)r.x[1];
}

static u64 dom_stat(u32 dom, unsigned int id)
{
	struct hvc_regs r;

	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_STATS, dom, id, 0, 0, &r), LS_OK);
	return r.x[1];
}

/* Every STE fetch seen while switching was old, invalid, or new: never a mix. */
static void check_switch(const u64 *old, const u64 *neu)
{
	bool seen_invalid = false;

	assert_true(sim.nhist > 3);
	for (u32 i = 0; i < sim.nhist; i++) {
		const u64 *h = sim.hist[i].ste;

		if (!sim.hist[i].present || !(h[0] & STE0_V)) {
			seen_invalid = true;
			continue;
		}
		assert_true(memcmp(h, old, 32) == 0 || memcmp(h, neu, 32) == 0);
		if (memcmp(h, neu, 32) == 0)
			assert_true(seen_invalid);
	}
	assert_true(seen_invalid);
}

static void test_dom_attach_detach(void **state)
{
	const struct own_hdom *d;
	struct hvc_regs r;
	u64 host[8], ste[8], after[8], pa, page;
	u32 dom, big;

	(void)state;
	dom_env();
	page = env_host_pages(1, PAGE_SIZE);
	dom = dom_new(40);
	d = own_hdom_of(dom);
	assert_non_null(d);
	assert_true(sim_fetch_ste(DOM_SID, host));
	assert_memory_equal(host, smmu.host.ste, 32);
	assert_int_equal(sim_dma(DOM_SID, page, true, &pa), 0); /* identity, config cached */
	assert_int_equal(pa, page);

	/* Attach: switched live (old -> invalid -> new), STE = the domain's table. */
	sim.watch = true;
	sim.watch_sid = DOM_SID;
	sim.nhist = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SID, 0, 0, &r), LS_OK);
	sim.watch = false;
	assert_true(sim_fetch_ste(DOM_SID, ste));
	check_switch(host, ste);
	assert_int_equal(ste[3] & STE3_S2TTB, d->pt.root);
	assert_int_equal(FIELD_GET(STE2_S2VMID, ste[2]), OWN_HDOM_VMID_BASE + dom);
	assert_int_equal(FIELD_GET(STE2_S2T0SZ, ste[2]), 64 - 40);
	assert_int_equal(FIELD_GET(STE2_S2SL0, ste[2]), 2U - d->pt.start_level);
	assert_int_equal(FIELD_GET(STE0_CONFIG, ste[0]), STE_CFG_S2);
	/* LS_FEAT_DMA_COHERENT: incoming attributes replaced by Normal WB inner shareable. */
	assert_true(ste[1] & STE1_MTCFG);
	assert_int_equal(FIELD_GET(STE1_MEMATTR, ste[1]), STE_MEMATTR_WB);
	assert_int_equal(FIELD_GET(STE1_SHCFG, ste[1]), STE_SHCFG_ISH);
	/* The empty domain: the host page is not reachable any more. */
	assert_int_equal(sim_dma(DOM_SID, page, true, &pa), EVT_F_TRANSLATION);
	/* Its neighbours keep the host's view. */
	assert_int_equal(sim_dma(DOM_SID + 1, page, true, &pa), 0);
	assert_int_equal(dom_stat(dom, LS_IOMMU_STAT_STREAMS), 1);

	/* Straight to another domain and back: through an invalid STE, never the host's. */
	{
		u32 d2 = dom_new(40);
		u64 ste2[8];

		sim.watch = true;
		sim.nhist = 0;
		assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, d2, DOM_SID, 0, 0, &r), LS_OK);
		sim.watch = false;
		assert_true(sim_fetch_ste(DOM_SID, ste2));
		check_switch(ste, ste2);
		assert_int_equal(ste2[3] & STE3_S2TTB, own_hdom_of(d2)->pt.root);
		assert_int_equal(sim_dma(DOM_SID, page, true, &pa), EVT_F_TRANSLATION);
		sim.watch = true;
		sim.nhist = 0;
		assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SID, 0, 0, &r), LS_OK);
		sim.watch = false;
		check_switch(ste2, ste);
		assert_true(sim_fetch_ste(DOM_SID, after));
		assert_memory_equal(after, ste, 32);
		assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, d2, 0, 0, 0, &r), LS_OK);
	}

	/* A domain wider than the SMMU's IAS (44): refused, stream unchanged. */
	big = dom_new(48);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, big, DOM_SID + 1, 0, 0, &r), LS_EINVAL);
	assert_true(sim_fetch_ste(DOM_SID + 1, after));
	assert_memory_equal(after, host, 32);
	/*
	 * Streams beyond the registered ones: the core refuses; in the gap between the
	 * two ranges the core asks the driver, which refuses (not a host stream).
	 */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SID2 + DOM_NR2, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SIDS, 0, 0, &r), LS_EPERM);
	assert_false(sim_fetch_ste(DOM_SIDS, after) && (after[0] & STE0_V));
	assert_int_equal(smmu_attach_pt(&smmu, DOM_SIDS, &d->pt, 0xf0), -EPERM);
	assert_int_equal(smmu_detach_to_host(&smmu, DOM_SIDS), -EPERM);
	assert_int_equal(smmu_attach_pt(&smmu, DOM_SID2 + DOM_NR2, &d->pt, 0xf0), -EPERM);
	/* The second range joins domains like the first. */
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SID2 + 3, 0, 0, &r), LS_OK);
	assert_true(sim_fetch_ste(DOM_SID2 + 3, after));
	assert_int_equal(after[3] & STE3_S2TTB, pt_root_pa(&d->pt));
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, DOM_SID2 + 3, 0, 0, 0, &r), LS_OK);
	assert_true(sim_fetch_ste(DOM_SID2 + 3, after));
	assert_memory_equal(after, host, 32);

	/* Detach: live switch back to exactly the boot STE (identity view). */
	sim.watch = true;
	sim.nhist = 0;
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, DOM_SID, 0, 0, 0, &r), LS_OK);
	sim.watch = false;
	check_switch(ste, host);
	assert_true(sim_fetch_ste(DOM_SID, after));
	assert_memory_equal(after, host, 32);
	assert_int_equal(sim_dma(DOM_SID, page, true, &pa), 0);
	assert_int_equal(pa, page);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DETACH, DOM_SID, 0, 0, 0, &r), LS_ENOENT);

	/* Destroy: the whole VMID dropped, then one sync. */
	sim_log_clear();
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, dom, 0, 0, 0, &r), LS_OK);
	assert_int_equal(sim_count_op(CMD_TLBI_S12_VMALL), 1);
	assert_int_equal(FIELD_GET(CMD0_TLBI_VMID, sim.log[0][0]), OWN_HDOM_VMID_BASE + dom);
	assert_int_equal(sim_count_op(CMD_SYNC), 1);
	assert_int_equal(env_hvc(LS_FN_IOMMU_DOMAIN_DESTROY, big, 0, 0, 0, &r), LS_OK);
	assert_int_equal(sim.bad_ste, 0);
	assert_false(smmu.failed);
	env_teardown();
}

/* Fill the TLB with 4K entries of @vmid over [ia - 8 pages, ia + size + 8 pages). */
static void tlb_fill_around(u16 vmid, u64 ia, u64 size)
{
	memset(sim.tlb, 0, sizeof(sim.tlb));
	for (u64 a = ia - 8 * PAGE_SIZE; a < ia + size + 8 * PAGE_SIZE; a += PAGE_SIZE)
		sim_tlb_fill(vmid, a, PAGE_SIZE, a);
}

static void test_dom_map_unmap_inval(void **state)
{
	struct hvc_regs r;
	u64 pages, pa, iova = 0x200000, blk;
	u16 vmid;
	u32 dom;

	(void)state;
	dom_env();
	dom = dom_new(40);
	vmid = (u16)(OWN_HDOM_VMID_BASE + dom);
	pages = env_host_pages(16, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_IOMMU_ATTACH, dom, DOM_SID, 0, 0, &r), LS_OK);

	/* MAP into empty space: no invalidation needed, none issued. */
	sim_log_clear();
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, iova, pages, 16,
				  LS_IOMMU_READ | LS_IOMMU_WRITE, &r),
			 LS_OK);
	assert_int_equal(sim_count_op(CMD_TLBI_S2_IPA), 0);
	assert_int_equal(sim_count_op(CMD_SYNC), 0);
	for (u64 i = 0; i < 16; i++) {
		assert_int_equal(sim_dma(DOM_SID, iova + i * PAGE_SIZE, true, &pa), 0);
		assert_int_equal(pa, pages + i * PAGE_SIZE);
	}
	/* Double map: LS_EEXIST, nothing issued. */
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, iova, pages, 1, LS_IOMMU_READ, &r),
			 LS_EEXIST);
	assert_int_equal(sim.nlog, 0);

	/* UNMAP pages 3..9: exactly that range leaves the TLB, one CMD_SYNC, last. */
	for (int pass = 0; pass < 2; pass++) {
		u64 lo = iova + 3 * PAGE_SIZE, sz = 7 * PAGE_SIZE;
		u64 r0 = dom_stat(dom, LS_IOMMU_STAT_INVAL_RANGES),
		    s0 = dom_stat(dom, LS_IOMMU_STAT_SYNCS);
		u32 outside;

		tlb_fill_around(vmid, iova, 16 * PAGE_SIZE);
		sim_tlb_fill((u16)(vmid + 1), lo, PAGE_SIZE, 0); /* another VMID */
		outside = sim_tlb_count(vmid, 0, lo) + sim_tlb_count(vmid, lo + sz, 1ULL << 40);
		sim_log_clear();
		/* Pass 1, the same again: nothing mapped -> LS_ENOENT, nothing issued. */
		assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, lo, 7, 0, &r),
				 pass ? LS_ENOENT : LS_OK);
		if (pass) {
			assert_int_equal(sim.nlog, 0);
			break;
		}
		assert_int_equal(sim_tlb_count(vmid, lo, sz), 0);
		assert_int_equal(sim_tlb_count(vmid, 0, lo) +
					 sim_tlb_count(vmid, lo + sz, 1ULL << 40),
				 outside);
		assert_int_equal(sim_tlb_count((u16)(vmid + 1), lo, PAGE_SIZE), 1);
		assert_true(sim_count_op(CMD_TLBI_S2_IPA) >= 1);
		for (u32 i = 0; i < sim.nlog; i++)
			if (FIELD_GET(CMD0_OP, sim.log[i][0]) == CMD_TLBI_S2_IPA)
				assert_int_equal(FIELD_GET(CMD0_TLBI_VMID, sim.log[i][0]), vmid);
		assert_int_equal(sim_count_op(CMD_SYNC), 1);
		assert_int_equal(FIELD_GET(CMD0_OP, sim.log[sim.nlog - 1][0]), CMD_SYNC);
		assert_int_equal(dom_stat(dom, LS_IOMMU_STAT_INVAL_RANGES), r0 + 1);
		assert_int_equal(dom_stat(dom, LS_IOMMU_STAT_SYNCS), s0 + 1);
		assert_int_equal(sim_dma(DOM_SID, lo, true, &pa), EVT_F_TRANSLATION);
		assert_int_equal(sim_dma(DOM_SID, lo - PAGE_SIZE, true, &pa), 0);
		assert_int_equal(sim_dma(DOM_SID, lo + sz, true, &pa), 0);
	}

	/* A 2 MiB block, then one 4 KiB page out of it: the split's extra sync. */
	blk = env_host_pages(512, 2ULL << 20);
	sim_log_clear();
	assert_int_equal(env_hvc5(LS_FN_IOMMU_MAP, dom, 0x40000000, blk, 512, LS_IOMMU_READ, &r),
			 LS_OK);
	assert_int_equal(sim_dma(DOM_SID, 0x40000000 + 5 * PAGE_SIZE, false, &pa), 0);
	assert_int_equal(pa, blk + 5 * PAGE_SIZE);
	{
		u64 s0 = dom_stat(dom, LS_IOMMU_STAT_SYNCS);
		u64 r0 = dom_stat(dom, LS_IOMMU_STAT_INVAL_RANGES);
		u64 cmds0;

		sim_log_clear();
		cmds0 = smmu.st.inval_ranges;
		assert_int_equal(env_hvc(LS_FN_IOMMU_UNMAP, dom, 0x40001000, 1, 0, &r), LS_OK);
		/* Every sync the core counted reached the SMMU, and the call ended on one. */
		assert_int_equal(sim_count_op(CMD_SYNC), dom_stat(dom, LS_IOMMU_STAT_SYNCS) - s0);
		assert_true(sim_count_op(CMD_SYNC) >= 1);
		assert_int_equal(FIELD_GET(CMD0_OP, sim.log[sim.nlog - 1][0]), CMD_SYNC);
		assert_true(dom_stat(dom, LS_IOMMU_STAT_INVAL_RANGES) > r0);
		assert_true(smmu.st.inval_ranges > cmds0);
		print_message("# 4K out of a live 2M block: %u CMD_TLBI_S2_IPA, %u CMD_SYNC\n",
			      sim_count_op(CMD_TLBI_S2_IPA), sim_count_op(CMD_SYNC));
	}
	assert_int_equal(sim_dma(DOM_SID, 0x40001000, false, &pa), EVT_F_TRANSLATION);
	assert_int_equal(sim_dma(DOM_SID, 0x40000000, false, &pa), 0);
	assert_int_equal(pa, blk);
	assert_int_equal(sim_dma(DOM_SID, 0x40002000, false, &pa), 0);
	assert_int_equal(pa, blk + 2 * PAGE_SIZE);
	assert_int_equal(sim.bad_ste, 0);
	assert_int_equal(smmu.st.timeouts, 0);
	assert_false(smmu.failed);
	env_teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_probe_refusals, setup),
		cmocka_unit_test_setup(test_init_two_level, setup),
		cmocka_unit_test_setup(test_init_linear, setup),
		cmocka_unit_test_setup(test_init_timeout_fails_closed, setup),
		cmocka_unit_test_setup(test_attach_shared_s2, setup),
		cmocka_unit_test_setup(test_attach_48bit_clipped_to_ias, setup),
		cmocka_unit_test_setup(test_attach_rejects_incompatible, setup),
		cmocka_unit_test_setup(test_attach_live_switch, setup),
		cmocka_unit_test_setup(test_detach, setup),
		cmocka_unit_test_setup(test_inval_range_exact, setup),
		cmocka_unit_test_setup(test_inval_no_ril, setup),
		cmocka_unit_test_setup(test_cmdq_wrap, setup),
		cmocka_unit_test_setup(test_sync_timeout_fails_closed, setup),
		cmocka_unit_test_setup(test_cmd_error_skipped, setup),
		cmocka_unit_test_setup(test_events_and_overflow, setup),
		cmocka_unit_test_setup(test_gerror, setup),
		cmocka_unit_test_setup(test_poll_events, setup),
		cmocka_unit_test_setup(test_evt_ratelimit, setup),
		cmocka_unit_test(test_sid_ranges),
		cmocka_unit_test_setup(test_own_ops_after_unmap, setup),
		cmocka_unit_test(test_own_lockstep),
		cmocka_unit_test(test_dom_attach_detach),
		cmocka_unit_test(test_dom_map_unmap_inval),
	};

	return cmocka_run_group_tests_name("smmu", tests, NULL, NULL);
}
