// SPDX-License-Identifier: GPL-2.0-only
/*
 * The EPT walked by VT-d, bare metal on QEMU (q35, intel-iommu, edu): an identity map
 * of RAM built by the real engine (hyp/mmu) in the EPT format, with 4 KiB, 2 MiB and
 * 1 GiB leaves, handed as it is to the real VT-d driver (hyp/iommu/vtd) for the edu
 * device's source id, which accepts it only through vtd_sl_shareable on the unit's own
 * CAP/ECAP. Proven with edu DMA: reads and writes through each leaf size land where the
 * EPT says (identity, and aliases whose IOVA differs from the PA), an absent page and a
 * read-only one fault with a recorded fault naming the address, and an unmap followed by
 * the driver's IOTLB invalidation and wait takes effect at once (QEMU's IOTLB would
 * otherwise keep the old translation). Prints TAP; mk/eptvtd.mk collects it.
 */
#include <errno.h>

#include "../../hyp/iommu/vtd/vtd.h"
#include "../../hyp/iommu/vtd/vtd_regs.h"
#include "eq.h"
#include "hyp/pgtable.h"
#include "hyp/plat.h"

#define VTD_BASE 0xfed90000ULL /* q35's DMAR unit (QEMU Q35_HOST_BRIDGE_IOMMU_ADDR) */
#define EDU_DEV	 3U
#define EDU_SID	 (EDU_DEV << 3) /* RID 00:03.0 */
#define EDU_BUF	 0x40000ULL	/* the device's internal 4 KiB buffer */
#define EDU_DID	 2U
#define RAM_SIZE 0x80000000ULL /* -m 2G: all of it below 4 GiB on q35 */
#define IA_BITS	 39U
#define PLAN	 27U

/* Test addresses (IOVA = PA unless said). [256M, 258M) is split down to 4 KiB pages. */
#define P_4K	 0x10005000ULL	/* 4 KiB leaf */
#define P_DONATE 0x10007000ULL	/* 4 KiB leaf, unmapped during the test */
#define P_ABSENT 0x10008000ULL	/* never mapped */
#define P_RO	 0x10009000ULL	/* 4 KiB leaf, read-only */
#define P_2M	 0x20000000ULL	/* 2 MiB leaf */
#define P_1G	 0x40123000ULL	/* inside the 1 GiB leaf [1G, 2G) */
#define A_1G	 0x100000000ULL /* alias: a 1 GiB leaf -> PA 1 GiB */
#define A_1G_PA	 0x40000000ULL
#define A_2M	 0x140000000ULL /* alias: a 2 MiB leaf -> PA 0x30000000 */
#define A_2M_PA	 0x30000000ULL
#define A_4K	 0x140203000ULL /* alias: a 4 KiB leaf -> PA 0x10006000 */
#define A_4K_PA	 0x10006000ULL
#define A_OFF	 0x5000ULL /* offset of the DMA inside an alias */

static u8 vtd_mem[16 * 4096] __attribute__((aligned(4096)));
static u8 pool_mem[64 * 4096] __attribute__((aligned(4096)));
static u8 src[4096] __attribute__((aligned(4096)));
static u8 back[4096] __attribute__((aligned(4096)));
static struct vtd vtd;
static struct pt_pool pool;
static struct pt ept;
static u64 edu_bar;

/* One edu DMA of 4 KiB (cmd bit 1: device buffer -> RAM), waited for (edu: 100 ms timer). */
static bool edu_dma(u64 from, u64 to, bool to_ram)
{
	u64 start;

	/* 64-bit accesses: a 32-bit write of 0x80 / 0x88 replaces the whole address. */
	plat_write64(edu_bar + 0x80, from);
	plat_write64(edu_bar + 0x88, to);
	plat_write32(edu_bar + 0x90, 4096);
	plat_write32(edu_bar + 0x98, 1U | (to_ram ? 2U : 0U));
	start = bm_now_us();
	while (plat_read32(edu_bar + 0x98) & 1U)
		if (bm_now_us() - start > 5000000ULL)
			return false;
	return true;
}

static bool all_bytes(const volatile u8 *p, u8 v)
{
	for (u32 i = 0; i < 4096; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* The edu buffer filled with @v (a DMA from the identity-mapped @src page). */
static bool edu_fill(u8 v)
{
	memset(src, v, sizeof(src));
	return edu_dma((u64)src, EDU_BUF, false);
}

/* Edu buffer (filled with @v) -> @iova; true when the bytes are at @pa afterwards. */
static bool dma_write_lands(u64 iova, u64 pa, u8 v)
{
	memset((void *)pa, 0, 4096);
	return edu_fill(v) && edu_dma(EDU_BUF, iova, true) && all_bytes((const u8 *)pa, v);
}

/* @pa (written by the CPU with @v) read by DMA at @iova, then copied back to `back`. */
static bool dma_read_gets(u64 iova, u64 pa, u8 v)
{
	memset((void *)pa, v, 4096);
	memset(back, 0, sizeof(back));
	return edu_fill(0) && edu_dma(iova, EDU_BUF, false) && edu_dma(EDU_BUF, (u64)back, true) &&
	       all_bytes(back, v);
}

/* The first recorded fault (VT-d 11.4.14): 0 and its fields, or -ENOENT. */
static int fault_first(u64 *addr, u32 *sid, u32 *reason, bool *write)
{
	for (u32 i = 0; i < vtd.nfr; i++) {
		u64 reg = VTD_BASE + vtd.fro + i * FRCD_BYTES;
		u64 hi = plat_read64(reg + 8);

		if (!(hi & FRCD_HI_F))
			continue;
		*addr = plat_read64(reg) & FRCD_LO_FI;
		*sid = (u32)FIELD_GET(FRCD_HI_SID, hi);
		*reason = (u32)FIELD_GET(FRCD_HI_FR, hi);
		*write = !(hi & FRCD_HI_T);
		return 0;
	}
	return -ENOENT;
}

/* A faulting DMA: recorded with @iova's page, edu's source id and @reason, then drained. */
static bool fault_names(u64 iova, u32 reason, bool write)
{
	u64 addr = 0;
	u32 sid = 0, fr = 0;
	bool w = false;
	int ret = fault_first(&addr, &sid, &fr, &w);

	if (!ret)
		bm_printf("# fault record: addr 0x%llx sid 0x%x reason 0x%x %s\n",
			  (unsigned long long)addr, sid, fr, w ? "write" : "read");
	ret = !ret && addr == (iova & ~0xfffULL) && sid == EDU_SID && fr == reason && w == write;
	return ret && vtd_drain_faults(&vtd) >= 1 &&
	       !(plat_read32(VTD_BASE + VTD_FSTS_REG) & FSTS_PPF);
}

static unsigned int leaf_level(u64 ia)
{
	unsigned int level = 0;

	return pt_lookup(&ept, ia, NULL, NULL, &level) ? 0U : level;
}

static bool build_ept(void)
{
	struct pt_gather g;
	bool ok = true;

	pt_pool_init(&pool);
	pt_pool_add(&pool, (u64)pool_mem, sizeof(pool_mem) / 4096);
	if (pt_init(&ept, PT_FMT_X86_EPT, IA_BITS, vtd.coherent, &pool, NULL, NULL))
		return false;
	pt_gather_init(&g);
	/* The host's identity map: 1 GiB leaves where alignment allows. */
	ok = ok && !pt_map(&ept, 0, RAM_SIZE, 0, PT_RWX, &g);
	/* A hole (hypervisor memory, say) splits GiB 0 into 2 MiB and [256M, 258M) into 4 KiB. */
	ok = ok && !pt_unmap(&ept, P_ABSENT, 4096, &g);
	ok = ok && !pt_set_attr(&ept, P_RO, 4096, PT_R, &g);
	/* Aliases: the IOVA differs from the PA, so only the leaf's address can put data there. */
	ok = ok && !pt_map(&ept, A_1G, SZ_1G, A_1G_PA, PT_RW, &g);
	ok = ok && !pt_map(&ept, A_2M, SZ_2M, A_2M_PA, PT_RW, &g);
	ok = ok && !pt_map(&ept, A_4K, 4096, A_4K_PA, PT_RW, &g);
	return ok;
}

int eq_main(void)
{
	struct pt_gather g;
	u64 ce[2] = { 0, 0 }, psi;
	const char *why = NULL;
	int ret;

	bm_puts("# ept-vtd: the EPT built by hyp/mmu walked by QEMU's intel-iommu, edu at 00:03.0\n");
	bm_printf("1..%u\n", PLAN);
	bm_check(eq_time_init(), "ICH9 ACPI PM timer as the time source");
	bm_check(eq_cfg_rd(EDU_DEV, 0, 0) == 0x11e81234U, "edu device found at 00:03.0");
	edu_bar = eq_cfg_rd(EDU_DEV, 0, 0x10) & ~0xfULL;
	if (!edu_bar) {
		edu_bar = 0xfe000000ULL;
		eq_cfg_wr(EDU_DEV, 0, 0x10, (u32)edu_bar);
	}
	eq_cfg_wr(EDU_DEV, 0, 0x04, 0x6); /* memory space + bus master */
	bm_check(plat_read32(edu_bar) == 0x010000edU, "edu BAR0 responds");

	ret = vtd_init(&vtd, VTD_BASE, (u64)vtd_mem, sizeof(vtd_mem));
	bm_check(!ret, "vtd_init on QEMU's intel-iommu (legacy mode, snoop control)");
	if (ret)
		return 1;
	ret = vtd_sl_shareable(vtd.cap, vtd.ecap, PT_FMT_X86_EPT, IA_BITS, &why);
	bm_printf("# CAP 0x%llx ECAP 0x%llx: EPT shareable: %d (%s)\n", (unsigned long long)vtd.cap,
		  (unsigned long long)vtd.ecap, ret, why ? why : "yes");
	bm_check(!ret, "vtd_sl_shareable accepts the EPT format on this unit's CAP/ECAP");
	bm_check(build_ept(),
		 "EPT identity map of 2 GiB with a hole, a read-only page and aliases");
	bm_check(leaf_level(P_4K) == 3 && leaf_level(P_2M) == 2 && leaf_level(P_1G) == 1 &&
			 leaf_level(A_4K) == 3 && leaf_level(A_2M) == 2 && leaf_level(A_1G) == 1,
		 "EPT leaves: 4 KiB, 2 MiB and 1 GiB, identity and aliases");

	/* The edu's stream is the only one that may leave the host view (vtd_register_domains). */
	vtd.dom_ranges[0] = (struct vtd_sid_range){ EDU_SID, 1 };
	vtd.nr_dom_ranges = 1;
	ret = vtd_attach_pt(&vtd, EDU_SID, &ept, EDU_DID);
	bm_check(!ret && !vtd_read_ctx(&vtd, EDU_SID, ce) && (ce[0] & CE_LO_SLPTPTR) == ept.root &&
			 (ce[0] & CE_LO_P) && FIELD_GET(CE_HI_AW, ce[1]) == 2 &&
			 FIELD_GET(CE_HI_DID, ce[1]) == EDU_DID,
		 "context entry of 00:03.0: SLPTPTR = the EPT root, AW 4-level, DID");
	bm_printf("# context entry 0x%llx 0x%llx, EPT root 0x%llx, EPTP 0x%llx\n",
		  (unsigned long long)ce[1], (unsigned long long)ce[0],
		  (unsigned long long)ept.root, (unsigned long long)pt_root_pa(&ept));

	bm_check(dma_write_lands(P_4K, P_4K, 0xa1), "DMA write through a 4 KiB EPT leaf lands");
	bm_check(dma_read_gets(P_4K, P_4K, 0xa2), "DMA read through a 4 KiB EPT leaf");
	bm_check(dma_write_lands(P_2M + 0x3000, P_2M + 0x3000, 0xa3),
		 "DMA write through a 2 MiB EPT leaf lands");
	bm_check(dma_read_gets(P_2M + 0x7000, P_2M + 0x7000, 0xa4),
		 "DMA read through a 2 MiB EPT leaf");
	bm_check(dma_write_lands(P_1G, P_1G, 0xa5), "DMA write through a 1 GiB EPT leaf lands");
	bm_check(dma_read_gets(P_1G + 0x10000, P_1G + 0x10000, 0xa6),
		 "DMA read through a 1 GiB EPT leaf");
	bm_check(dma_write_lands(A_4K, A_4K_PA, 0xb1),
		 "DMA write to a 4 KiB alias lands at its PA");
	bm_check(dma_write_lands(A_2M + A_OFF, A_2M_PA + A_OFF, 0xb2),
		 "DMA write to a 2 MiB alias lands at its PA");
	bm_check(dma_write_lands(A_1G + A_OFF, A_1G_PA + A_OFF, 0xb3),
		 "DMA write to a 1 GiB alias lands at its PA");
	bm_check(dma_read_gets(A_1G + 0x20000, A_1G_PA + 0x20000, 0xb4),
		 "DMA read from a 1 GiB alias reads its PA");
	bm_check(vtd_drain_faults(&vtd) == 0, "no fault recorded so far");

	/* Absent: the hole. The write must not land anywhere, the unit records it. */
	memset((void *)P_ABSENT, 0, 4096);
	bm_check(edu_fill(0xc1) && edu_dma(EDU_BUF, P_ABSENT, true) && all_bytes((u8 *)P_ABSENT, 0),
		 "DMA write to an absent page does not land");
	bm_check(fault_names(P_ABSENT, FR_WRITE, true),
		 "a write fault is recorded for the absent page's address and edu's RID");
	/*
	 * Read-only: writes fault, reads pass. The write comes first: QEMU records a fault
	 * only when it walks the table, and a write that hits the read-only translation a
	 * read left in its IOTLB is refused without a record.
	 */
	memset((void *)P_RO, 0x5a, 4096);
	bm_check(edu_fill(0xc3) && edu_dma(EDU_BUF, P_RO, true) && all_bytes((u8 *)P_RO, 0x5a),
		 "DMA write to a read-only EPT leaf does not land");
	bm_check(fault_names(P_RO, FR_WRITE, true),
		 "a write fault is recorded for the read-only page");
	bm_check(dma_read_gets(P_RO, P_RO, 0xc2), "DMA read of a read-only EPT leaf");

	/* Donate-like: the page leaves the EPT; the driver's invalidation + wait makes it final. */
	bm_check(dma_write_lands(P_DONATE, P_DONATE, 0xd1), "DMA write to a page before its unmap");
	pt_gather_init(&g);
	psi = vtd.st.iotlb_page;
	ret = pt_unmap(&ept, P_DONATE, 4096, &g);
	ret = ret ? ret : vtd_inval_gather(&vtd, EDU_DID, &g);
	ret = ret ? ret : vtd_sync(&vtd);
	bm_check(!ret && vtd.st.iotlb_page == psi + 1 && !vtd.failed,
		 "unmap + page-selective IOTLB invalidation + wait");
	memset((void *)P_DONATE, 0x77, 4096);
	bm_check(edu_fill(0xd2) && edu_dma(EDU_BUF, P_DONATE, true) &&
			 all_bytes((u8 *)P_DONATE, 0x77) && fault_names(P_DONATE, FR_WRITE, true),
		 "after the invalidation the DMA write faults and does not land");

	bm_printf("# %u passed, %u failed\n", bm_passed, bm_failed);
	return bm_failed ? 1 : 0;
}
