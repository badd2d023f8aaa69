// SPDX-License-Identifier: GPL-2.0-only
/*
 * hyp/iommu/smmuv3.c on QEMU's SMMUv3 model, bare metal at EL2: a PCI "edu"
 * device (00:02.0, StreamID 0x10) DMAs through a stage-2 table built by the
 * real engine (hyp/mmu). Checks: probe/reset/enable, translated DMA in both
 * directions, an unmapped page faulting after unmap + invalidation + sync, the
 * fault reported as an event. Prints TAP lines; mk/iommu.mk collects them.
 */
#include <errno.h>

#include "hyp/iommu.h"
#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "sq.h"

#define SMMU_BASE 0x09050000ULL
#define SMMU_SIZE 0x20000ULL
#define ECAM_HIGH 0x4010000000ULL /* QEMU virt high PCIe ECAM (highmem) */
#define ECAM_LOW  0x3f000000ULL
#define PCI_MMIO  0x10000000ULL /* 32-bit PCI MMIO window, CPU == PCI address */
#define EDU_DEV	  2U
#define EDU_SID	  (EDU_DEV << 3) /* RID 00:02.0: the StreamID (iommu-map is 1:1) */
#define EDU_BUF	  0x40000ULL	 /* the device's internal 4 KiB buffer */
#define IOVA	  0x01000000ULL	 /* below 2^28, edu's default DMA mask */
#define VTCR40	  (24ULL | 1ULL << 6 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 2ULL << 16)
#define VTCR48	  (16ULL | 2ULL << 6 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 | 5ULL << 16)

/* The TAP plan (tests/run.sh): the checks of sq_main() with a stage-2 SMMU, and without. */
#define PLAN_S2	    26U
#define PLAN_S1ONLY 4U

static u8 smmu_mem[SMMU_MEM_DEFAULT] __attribute__((aligned(65536)));
static u8 pool_mem[64 * 4096] __attribute__((aligned(65536)));
static u8 buf_a[4096] __attribute__((aligned(4096)));
static u8 buf_b[4096] __attribute__((aligned(4096)));
static u8 buf_c[4096] __attribute__((aligned(4096)));
static struct smmu smmu;
static struct pt_pool pool;
static struct pt s2, s2b;

static u64 ecam;

static u32 cfg_rd(u32 dev, u32 reg)
{
	return plat_read32(ecam + ((u64)dev << 15) + reg);
}

static void cfg_wr(u32 dev, u32 reg, u32 v)
{
	plat_write32(ecam + ((u64)dev << 15) + reg, v);
}

static bool edu_find(void)
{
	static const u64 bases[] = { ECAM_HIGH, ECAM_LOW };

	for (u32 i = 0; i < 2; i++) {
		ecam = bases[i];
		if ((cfg_rd(0, 0) & 0xffff) == 0x1b36 && cfg_rd(EDU_DEV, 0) == 0x11e81234U)
			return true;
	}
	return false;
}

/* One edu DMA of 4 KiB (cmd bit 1: device buffer -> RAM), waited for (edu: 100 ms timer). */
static bool edu_dma(u64 src, u64 dst, bool to_ram)
{
	u64 start;

	plat_write32(PCI_MMIO + 0x80, (u32)src);
	plat_write32(PCI_MMIO + 0x84, (u32)(src >> 32));
	plat_write32(PCI_MMIO + 0x88, (u32)dst);
	plat_write32(PCI_MMIO + 0x8c, (u32)(dst >> 32));
	plat_write32(PCI_MMIO + 0x90, 4096);
	plat_write32(PCI_MMIO + 0x98, 1U | (to_ram ? 2U : 0U));
	start = bm_now_us();
	while (plat_read32(PCI_MMIO + 0x98) & 1U)
		if (bm_now_us() - start > 5000000ULL)
			return false;
	return true;
}

static bool all_bytes(const u8 *p, u8 v)
{
	for (u32 i = 0; i < 4096; i++)
		if (p[i] != v)
			return false;
	return true;
}

int sq_main(void)
{
	struct pt_gather g;
	u64 faults;
	int ret;
	bool same;

	bm_puts("# smmu-qemu: hyp/iommu/smmuv3.c on QEMU's SMMUv3, edu device at 00:02.0\n");
	/* IDR0.S2P (IHI 0070 6.3.1) decides which checks run. */
	bm_printf("1..%u\n", (plat_read32(SMMU_BASE) & 1U) ? PLAN_S2 : PLAN_S1ONLY);
	if (!edu_find()) {
		bm_check(false, "edu device found on PCIe bus 0");
		return 1;
	}
	bm_check(true, "edu device found on PCIe bus 0");
	cfg_wr(EDU_DEV, 0x10, (u32)PCI_MMIO); /* BAR0 */
	cfg_wr(EDU_DEV, 0x04, 0x6);	      /* memory space + bus master */
	bm_check(plat_read32(PCI_MMIO) == 0x010000edU, "edu BAR0 responds");

	if (!(plat_read32(SMMU_BASE) & 1U)) {
		/* QEMU without -global arm-smmuv3.stage=2|nested: stage 1 only. */
		u32 gbpa = plat_read32(SMMU_BASE + 0x44);

		ret = smmu_init(&smmu, SMMU_BASE, SMMU_SIZE, (u64)smmu_mem, sizeof(smmu_mem));
		bm_check(ret == -ENODEV, "stage-1-only SMMU refused (-ENODEV)");
		bm_check(plat_read32(SMMU_BASE + 0x20) == 0 &&
				 plat_read32(SMMU_BASE + 0x44) == gbpa,
			 "refused SMMU left untouched (CR0, GBPA)");
		bm_printf("# smmu-qemu: %u passed, %u failed\n", bm_passed, bm_failed);
		return bm_failed ? 1 : 0;
	}
	ret = smmu_init(&smmu, SMMU_BASE, SMMU_SIZE, (u64)smmu_mem, sizeof(smmu_mem));
	bm_check(ret == 0, "smmu_init: probe, reset, enable");
	if (ret)
		return 1;
	bm_check(plat_read32(SMMU_BASE + 0x24) == 0xd, "CR0ACK = SMMUEN | EVTQEN | CMDQEN");

	/*
	 * Before attach the stream aborts: the DMA must not reach RAM. buf_a lies above
	 * 1 GiB: mk/iommu.mk gives the edu a 40-bit dma_mask, or QEMU would clamp the
	 * address to 28 bits and the DMA could never reach buf_a whatever the SMMU did.
	 */
	memset(buf_a, 0x11, sizeof(buf_a));
	edu_dma(EDU_BUF, (u64)buf_a, true);
	bm_check(all_bytes(buf_a, 0x11), "unattached stream: DMA aborted");
	bm_check(smmu_drain_events(&smmu) >= 1 && smmu.st.cfg_errors >= 1,
		 "unattached stream: C_BAD_STE/C_BAD_STREAMID event drained");

	pt_pool_init(&pool);
	pt_pool_add(&pool, (u64)pool_mem, sizeof(pool_mem) / 4096);
	ret = pt_init(&s2, PT_FMT_ARM64_S2, 40, true, &pool, NULL, NULL);
	bm_check(ret == 0 && s2.root_pages == 2 && s2.start_level == 1,
		 "stage-2 table, 40-bit IPA");
	ret = pt_map(&s2, IOVA, 4096, (u64)buf_a, PT_RW, NULL);
	ret |= pt_map(&s2, IOVA + 0x1000, 4096, (u64)buf_b, PT_RW, NULL);
	ret |= pt_map(&s2, IOVA + 0x2000, 4096, (u64)buf_c, PT_RW, NULL);
	bm_check(ret == 0, "three IPA pages mapped to RAM buffers");
	ret = smmu_attach_host_s2(&smmu, EDU_SID, 1, &s2, 1, VTCR40);
	bm_check(ret == 0, "smmu_attach_host_s2: SID 0x10 -> stage 2, VMID 1");

	for (u32 i = 0; i < 4096; i++)
		buf_a[i] = (u8)(i * 7 + 3);
	memset(buf_b, 0, sizeof(buf_b));
	bm_check(edu_dma(IOVA, EDU_BUF, false), "DMA RAM -> device through IPA 0x1000000");
	bm_check(edu_dma(EDU_BUF, IOVA + 0x1000, true), "DMA device -> RAM through IPA 0x1001000");
	bm_check(memcmp(buf_a, buf_b, 4096) == 0,
		 "translated DMA carried the data (buf_a -> buf_b)");
	bm_check(smmu_drain_events(&smmu) == 0, "no events for mapped DMA");

	/* Unmap buf_c's page: stale IOTLB entries must go before the change counts. */
	bm_check(edu_dma(EDU_BUF, IOVA + 0x2000, true) && memcmp(buf_c, buf_a, 4096) == 0,
		 "DMA to IPA 0x1002000 (fills the SMMU TLB)");
	pt_gather_init(&g);
	ret = pt_unmap(&s2, IOVA + 0x2000, 4096, &g);
	bm_check(ret == 0 && g.nr >= 1, "pt_unmap of IPA 0x1002000 gathered an invalidation");
	memset(buf_c, 0x5a, sizeof(buf_c));
	edu_dma(EDU_BUF, IOVA + 0x2000, true);
	same = all_bytes(buf_c, 0x5a);
	bm_printf("# before SMMU invalidation the device %s the unmapped page (%s)\n",
		  same ? "could not reach" : "still reached",
		  same ? "no stale TLB entry" : "stale TLB entry: why invalidation is needed");
	ret = smmu_inval_gather(&smmu, 1, &g);
	ret |= smmu_sync(&smmu);
	bm_check(ret == 0, "CMD_TLBI_S2_IPA + CMD_SYNC completed");
	memset(buf_c, 0x5a, sizeof(buf_c));
	smmu_drain_events(&smmu); /* whatever the stale-TLB DMA above left */
	faults = smmu.st.faults;
	edu_dma(EDU_BUF, IOVA + 0x2000, true);
	bm_check(all_bytes(buf_c, 0x5a),
		 "after unmap + invalidation the DMA cannot reach the page");
	bm_check(smmu_drain_events(&smmu) >= 1 && smmu.st.faults > faults,
		 "the DMA's stage-2 fault was reported (F_TRANSLATION)");
	/* The neighbours still translate. */
	memset(buf_b, 0, sizeof(buf_b));
	bm_check(edu_dma(EDU_BUF, IOVA + 0x1000, true) && memcmp(buf_a, buf_b, 4096) == 0,
		 "IPA 0x1001000 still translates");
	/*
	 * A 48-bit table (level-0 root) as a CPU with a 48-bit IPA space would
	 * use: the SMMU (IAS 44) walks it with S2T0SZ 20. The stream switches
	 * live from the first table, through an invalid STE.
	 */
	ret = pt_init(&s2b, PT_FMT_ARM64_S2, 48, true, &pool, NULL, NULL);
	bm_check(ret == 0 && s2b.start_level == 0, "stage-2 table, 48-bit IPA (level-0 root)");
	ret = pt_map(&s2b, IOVA, 4096, (u64)buf_c, PT_RW, NULL);
	ret |= smmu_attach_host_s2(&smmu, EDU_SID, 1, &s2b, 2, VTCR48);
	bm_check(ret == 0, "SID 0x10 switched live to the 48-bit table, VMID 2");
	memset(buf_c, 0, sizeof(buf_c));
	bm_check(edu_dma(EDU_BUF, IOVA, true) && memcmp(buf_c, buf_a, 4096) == 0,
		 "DMA through the level-0 root (S2T0SZ 20) lands in buf_c");
	bm_check(smmu_drain_events(&smmu) == 0, "no events after the switch");
	bm_check(smmu_inval_ipa_range(&smmu, 1, IOVA, 0x3000, 3) == 0 &&
			 smmu_inval_vmid(&smmu, 1) == 0,
		 "range and VMID invalidations complete");
	bm_check(plat_read32(SMMU_BASE + 0x60) == plat_read32(SMMU_BASE + 0x64),
		 "no global error active (GERROR == GERRORN)");
	bm_check(!smmu.failed && smmu.st.timeouts == 0 && smmu.st.cmd_errors == 0,
		 "no timeout, no command error");
	bm_printf("# cmds %llu syncs %llu events %llu faults %llu cfg_errors %llu\n",
		  (unsigned long long)smmu.st.cmds, (unsigned long long)smmu.st.syncs,
		  (unsigned long long)smmu.st.events, (unsigned long long)smmu.st.faults,
		  (unsigned long long)smmu.st.cfg_errors);
	bm_printf("# smmu-qemu: %u passed, %u failed\n", bm_passed, bm_failed);
	return bm_failed ? 1 : 0;
}
