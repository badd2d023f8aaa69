// SPDX-License-Identifier: GPL-2.0-only
/*
 * Installation on the boot CPU (called from arm64_entry, head.S, at EL2 with
 * the firmware's identity map live and this CPU's EL2 stack).
 *
 * Two phases, so that a failure leaves the machine exactly as the loader
 * handed it over (boot.h: return at EL2 with x0 < 0, nothing installed):
 *   prepare  validate the boot info; carve the table pool; build the EL2
 *            stage-1 and the host stage-2 in memory; compute every register
 *            value. Only memory of the hypervisor region is written.
 *   commit   cannot fail: switch EL2 to our stage-1, vectors, per-CPU EL2
 *            registers, stage-2 on, EL1 translation regime copied from the
 *            firmware's EL2 one, banner; head.S then ERETs to the caller at EL1.
 */
#include <errno.h>
#include <string.h>

#include "arm64/arm64.h"
#include "arm64/console.h"
#include "arm64/el2.h"
#include "arm64/gic.h"
#include "arm64/iommu.h"
#include "arm64/measure.h"
#include "arm64/psci.h"
#include "arm64/ram.h"
#include "arm64/s2.h"
#include "arm64/setup.h"
#include "arm64/exc.h"
#include "arm64/sysreg.h"
#include "hyp/hvc.h"
#include "hyp/own.h"
#include "hyp/plat.h"

#include <lockstep/abi.h>

/* Linker script symbols (lockstep.lds). */
extern char _start[], __text_end[], __rodata_end[], _end[];

struct arm64_el2_cfg arm64_el2;

/* ---- the platform's IOMMU, chosen once (arm64/iommu.h) ---- */

static int none_discover(const struct ls_boot_info *bi, unsigned int pa_bits, u64 *pool_at,
			 u64 pool_end)
{
	/* Nothing to carve from the pool: *pool_at stays where it is. */
	*pool_at += 0;
	(void)bi;
	(void)pa_bits;
	(void)pool_end;
	plat_log("smmu: none described by the loader: DMA is not isolated");
	return 0;
}

static int none_map_el2(struct pt *s1)
{
	(void)s1;
	return 0;
}

static void none_take(u64 vtcr)
{
	(void)vtcr;
}

static u64 none_features(void)
{
	return 0;
}

static void none_poll(void)
{
}

static bool none_host_abort(u64 ipa, bool write)
{
	(void)ipa;
	(void)write;
	return false;
}

static int none_stat(u64 id, u64 *val)
{
	(void)id;
	*val = 0;
	return -ENOENT;
}

static const struct arm64_iommu_ops arm64_no_iommu = {
	.name = "none",
	.discover = none_discover,
	.map_el2 = none_map_el2,
	.take = none_take,
	.features = none_features,
	.poll = none_poll,
	.host_abort = none_host_abort,
	.stat = none_stat,
};

const struct arm64_iommu_ops *arm64_iommu = &arm64_no_iommu;

/* The loader found an SMMUv3 (boot.h smmu_base): its glue, else none. */
static void boot_select_iommu(const struct ls_boot_info *bi)
{
	arm64_iommu = bi->smmu_base ? &arm64_smmuv3_ops : &arm64_no_iommu;
}
u64 arm64_hyp_base, arm64_hyp_size;

#define S1_POOL_PAGES	  64U /* EL2 stage-1 tables: a few dozen at most */
#define HOST_IPA_BITS_MIN 40U /* QEMU virt's high MMIO ends at 1 TiB */

static struct pt_pool arm64_s1_pool;
static struct pt arm64_s1;

/* The firmware's EL2 regime, read before anything changes: becomes the host's EL1 one. */
struct fw_regime {
	u64 sctlr, tcr, mair, ttbr0, vbar;
};

static bool range_inside(u64 base, u64 size, u64 rbase, u64 rsize)
{
	return size && base + size > base && base >= rbase && base + size <= rbase + rsize;
}

static int boot_check_info(const struct ls_boot_info *bi)
{
	u64 img = (u64)_start, img_end = (u64)_end;
	unsigned int i;

	if (bi->size < sizeof(*bi))
		return -EINVAL;
	if (!bi->hyp_size || !IS_ALIGNED(bi->hyp_base, SZ_2M) || !IS_ALIGNED(bi->hyp_size, SZ_2M) ||
	    bi->hyp_base + bi->hyp_size < bi->hyp_base)
		return -EINVAL;
	if (img != bi->hyp_base || !range_inside(img, img_end - img, bi->hyp_base, bi->hyp_size))
		return -EINVAL;
	if (!bi->nr_cpus || bi->nr_cpus > LS_BOOT_MAX_CPUS || !bi->stack_size ||
	    !IS_ALIGNED(bi->stack_size, PAGE_SIZE) || !IS_ALIGNED(bi->stack_base, PAGE_SIZE) ||
	    !range_inside(bi->stack_base, bi->stack_size * bi->nr_cpus, bi->hyp_base, bi->hyp_size))
		return -EINVAL;
	if (!IS_ALIGNED(bi->pool_base, PAGE_SIZE) || !IS_ALIGNED(bi->pool_size, PAGE_SIZE) ||
	    !range_inside(bi->pool_base, bi->pool_size, bi->hyp_base, bi->hyp_size))
		return -EINVAL;
	if (!bi->nr_mem || bi->nr_mem > LS_BOOT_MAX_MEM)
		return -EINVAL;
	for (i = 0; i < bi->nr_mem; i++) {
		const struct ls_mem_range *m = &bi->mem[i];

		if (!m->size || !IS_ALIGNED(m->base, PAGE_SIZE) ||
		    !IS_ALIGNED(m->size, PAGE_SIZE) || m->base + m->size < m->base ||
		    (i && m->base < bi->mem[i - 1].base + bi->mem[i - 1].size))
			return -EINVAL;
	}
	return 0;
}

/* Map [base, base + size) minus the hypervisor region with @attr in @pt (identity). */
static int boot_map_outside_hyp(struct pt *pt, u64 base, u64 size, pt_attr_t attr)
{
	const struct own_range *hyp = arm64_hyp_range();
	u64 end = base + size, hb = hyp->base, he = hyp->base + hyp->size;
	int ret = 0;

	if (base < hb)
		ret = pt_map(pt, base, MIN(end, hb) - base, base, attr, NULL);
	if (!ret && end > he)
		ret = pt_map(pt, MAX(base, he), end - MAX(base, he), MAX(base, he), attr, NULL);
	return ret;
}

/*
 * EL2 stage-1: identity map. Image text RX, read-only data R, the rest of the
 * hypervisor region RW; all other RAM RW (never executable at EL2); the UART
 * as device. SCTLR_EL2.WXN backs "writable => never executable".
 */
static int boot_build_s1(const struct ls_boot_info *bi, unsigned int va_bits)
{
	u64 text = (u64)_start, text_end = (u64)__text_end, ro_end = (u64)__rodata_end;
	unsigned int i;
	int ret;

	ret = pt_init(&arm64_s1, PT_FMT_ARM64_S1, va_bits, true, &arm64_s1_pool, NULL, NULL);
	if (ret)
		return ret;
	ret = pt_map(&arm64_s1, text, text_end - text, text, PT_R | PT_X, NULL);
	if (!ret && ro_end > text_end)
		ret = pt_map(&arm64_s1, text_end, ro_end - text_end, text_end, PT_R, NULL);
	if (!ret)
		ret = pt_map(&arm64_s1, ro_end, bi->hyp_base + bi->hyp_size - ro_end, ro_end, PT_RW,
			     NULL);
	for (i = 0; !ret && i < bi->nr_mem; i++)
		ret = boot_map_outside_hyp(&arm64_s1, bi->mem[i].base, bi->mem[i].size, PT_RW);
	if (!ret && bi->uart_base && !arm64_is_ram(ALIGN_DOWN(bi->uart_base, PAGE_SIZE), PAGE_SIZE))
		ret = pt_map(&arm64_s1, ALIGN_DOWN(bi->uart_base, PAGE_SIZE), PAGE_SIZE,
			     ALIGN_DOWN(bi->uart_base, PAGE_SIZE), PT_RW | PT_DEVICE, NULL);
	return ret;
}

/*
 * Host stage-2, device part: default deny. Only the device windows the loader
 * listed (boot.h host_mmio: devices that are not DMA masters, or whose DMA the
 * SMMU Lockstep owns translates; docs/iommu.md) are mapped, as Device-nGnRE;
 * every other non-RAM IPA stays invalid, so a host access aborts to EL2
 * (trap.c), is logged and gets a synchronous external abort. The ownership
 * core's table is the one live table: at boot no other CPU runs and no
 * transaction is open, so mapping into it directly (not through an ownership
 * transition: these are not RAM pages and have no owner) is safe.
 */
static int boot_check_mmio(const struct ls_boot_info *bi, unsigned int ipa_bits)
{
	unsigned int i, j, nr_ram;
	const struct own_range *ram = arm64_ram_ranges(&nr_ram);

	if (bi->nr_host_mmio > LS_BOOT_MAX_MMIO)
		return -EINVAL;
	for (i = 0; i < bi->nr_host_mmio; i++) {
		const struct ls_mem_range *m = &bi->host_mmio[i];

		if (!m->size || !IS_ALIGNED(m->base, PAGE_SIZE) ||
		    !IS_ALIGNED(m->size, PAGE_SIZE) || m->base + m->size < m->base ||
		    m->base + m->size > (1ULL << ipa_bits) ||
		    (i && m->base < bi->host_mmio[i - 1].base + bi->host_mmio[i - 1].size))
			return -EINVAL;
		for (j = 0; j < nr_ram; j++)
			if (m->base < ram[j].base + ram[j].size && ram[j].base < m->base + m->size)
				return -EINVAL;
		if (bi->smmu_base && m->base < bi->smmu_base + bi->smmu_size &&
		    bi->smmu_base < m->base + m->size)
			return -EINVAL;
	}
	return 0;
}

static int boot_map_host_devices(const struct ls_boot_info *bi)
{
	const struct own_view *v = own_view_of(OWN_HOST);
	struct pt *s2 = (struct pt *)&v->cpu;
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < bi->nr_host_mmio; i++)
		ret = pt_map(s2, bi->host_mmio[i].base, bi->host_mmio[i].size,
			     bi->host_mmio[i].base, PT_RW | PT_DEVICE, NULL);
	return ret;
}

static int boot_host_s2(const struct ls_boot_info *bi, unsigned int ipa_bits, u64 *pool_at)
{
	struct own_config cfg = { 0 };
	u64 db_bytes, pool_end = bi->pool_base + bi->pool_size;
	int ret;

	unsigned int nr_ram;
	const struct own_range *ram = arm64_ram_ranges(&nr_ram);

	db_bytes = ALIGN_UP(own_db_bytes(ram, nr_ram), PAGE_SIZE);
	if (*pool_at + db_bytes + 16 * PAGE_SIZE > pool_end) {
		plat_log(
			"table pool too small: %llu KiB, the ownership database alone needs %llu KiB",
			(unsigned long long)(bi->pool_size >> 10),
			(unsigned long long)(db_bytes >> 10));
		return -ENOMEM;
	}
	cfg.ram = ram;
	cfg.nr_ram = nr_ram;
	cfg.hyp = arm64_hyp_range();
	cfg.nr_hyp = 1;
	cfg.db = plat_phys_to_virt(*pool_at);
	cfg.db_bytes = db_bytes;
	memset(cfg.db, 0, db_bytes);
	*pool_at += db_bytes;
	cfg.host_pool_pa = *pool_at;
	cfg.host_pool_pages = (pool_end - *pool_at) >> PAGE_SHIFT;
	cfg.host_ia_bits = ipa_bits;
	cfg.cpu_fmt = PT_FMT_ARM64_S2;
	cfg.cpu_coherent = true; /* VTCR_EL2 walks are Inner/Outer WB, Inner Shareable */
	cfg.cpu_ops = &arm64_s2_inval_ops;
	ret = own_init(&cfg);
	if (ret) {
		plat_log("ownership init failed: %d", ret);
		return ret;
	}
	ret = boot_map_host_devices(bi);
	if (ret)
		plat_log("host stage-2 device map failed: %d", ret);
	return ret;
}

/*
 * The caller (the loader's ExitBootServices wrapper, then the Linux EFI stub)
 * continues at EL1 on exactly the translation it had at EL2: same tables, same
 * memory types, same cacheability, same vectors. Sound because (docs/arm64.md):
 * the firmware's tables are an identity map in its own memory, which stays host
 * RAM under stage 2; the EL2 descriptor format is the EL1&0 one with AP[1]
 * (EL0 access) as edk2 leaves it for EL2 (0: no EL0 access, so no implicit
 * PXN), XN in the UXN position (PXN 0: EL1 may execute what EL2 could);
 * stage 2 maps RAM Normal WB, so the stage-1 attributes decide.
 */
static void boot_el1_regime(const struct fw_regime *fw)
{
	u64 sctlr = SCTLR_EL1_RES1 | (fw->sctlr & (SCTLR_M | SCTLR_A | SCTLR_C | SCTLR_SA |
						   SCTLR_I | SCTLR_WXN | SCTLR_EE));

	write_sysreg(fw->mair, mair_el1);
	write_sysreg(arm64_tcr_el1_from_el2(fw->tcr), tcr_el1);
	write_sysreg(fw->ttbr0, ttbr0_el1);
	write_sysreg(0, ttbr1_el1);
	write_sysreg(fw->vbar, vbar_el1);
	write_sysreg(FIELD_PREP(CPACR_FPEN, 3), cpacr_el1); /* FP/SIMD as at EL2: no traps */
	isb();
	write_sysreg(sctlr, sctlr_el1);
	isb();
}

/* Leaves of the host stage-2 by level and kind, for the banner ("largest blocks"). */
struct s2_census {
	u64 ram[4], dev[4], holes;
};

static int boot_s2_count(const struct pt_leaf *leaf, void *arg)
{
	struct s2_census *c = arg;

	if (!leaf->valid)
		c->holes++;
	else if (leaf->attr & PT_DEVICE)
		c->dev[leaf->level & 3]++;
	else
		c->ram[leaf->level & 3]++;
	return 0;
}

static void boot_log_s2(unsigned int ipa_bits)
{
	const struct pt *s2 = &own_view_of(OWN_HOST)->cpu;
	struct s2_census c = { 0 };

	if (pt_walk(s2, 0, 1ULL << ipa_bits, boot_s2_count, &c))
		return;
	plat_log("host stage-2 leaves: RAM %llu x 1G %llu x 2M %llu x 4K, device %llu x 1G "
		 "%llu x 2M %llu x 4K, %llu unmapped",
		 (unsigned long long)c.ram[1], (unsigned long long)c.ram[2],
		 (unsigned long long)c.ram[3], (unsigned long long)c.dev[1],
		 (unsigned long long)c.dev[2], (unsigned long long)c.dev[3],
		 (unsigned long long)c.holes);
}

static void boot_log_banner(const struct ls_boot_info *bi, unsigned int ipa_bits)
{
	unsigned int i;

	plat_log("reserved %#llx-%#llx (%llu MiB): image %llu KiB, %u stacks of %llu KiB, "
		 "pool %#llx+%llu MiB",
		 (unsigned long long)bi->hyp_base,
		 (unsigned long long)(bi->hyp_base + bi->hyp_size - 1),
		 (unsigned long long)(bi->hyp_size >> 20),
		 (unsigned long long)(((u64)_end - (u64)_start) >> 10), bi->nr_cpus,
		 (unsigned long long)(bi->stack_size >> 10), (unsigned long long)bi->pool_base,
		 (unsigned long long)(bi->pool_size >> 20));
	for (i = 0; i < bi->nr_mem; i++)
		plat_log("RAM %#llx-%#llx", (unsigned long long)bi->mem[i].base,
			 (unsigned long long)(bi->mem[i].base + bi->mem[i].size - 1));
	plat_log("host stage-2: %u-bit IPA, RAM normal, hypervisor region unmapped, device MMIO "
		 "default deny: %u windows the loader listed (%s%s%s), nothing else",
		 ipa_bits, bi->nr_host_mmio,
		 (bi->host_mmio_flags & LS_BOOT_MMIO_FROM_DT) ? "DT " : "",
		 (bi->host_mmio_flags & LS_BOOT_MMIO_FROM_ACPI) ? "ACPI " : "",
		 (bi->host_mmio_flags & LS_BOOT_MMIO_FROM_EFI_RT) ? "EFI-runtime" : "");
	for (i = 0; i < bi->nr_host_mmio; i++)
		plat_log("host MMIO %#llx-%#llx", (unsigned long long)bi->host_mmio[i].base,
			 (unsigned long long)(bi->host_mmio[i].base + bi->host_mmio[i].size - 1));
	if (bi->nr_untranslated)
		plat_log("WARNING: %u DMA master(s) outside every SMMU were let through by the "
			 "loader (unsafe_untranslated_dma=1): the host can reach ANY memory, "
			 "the hypervisor's included, through them. Isolation is OFF.",
			 bi->nr_untranslated);
#ifdef LOCKSTEP_BENCH_EL2_PMU
	plat_log("WARNING: benchmark image: the host's PMU counts EL2 events (MDCR_EL2.HPMD = 0), "
		 "a side channel into Lockstep. Never boot this image outside the benchmarks "
		 "(make bench-vm, bench-gmem, bench-iommu).");
#endif
	plat_log("table pages: EL2 stage-1 %llu of %u, host stage-2 %llu (host pool %llu free)",
		 (unsigned long long)arm64_s1_pool.nr_used, S1_POOL_PAGES,
		 (unsigned long long)own_pool_of(OWN_HOST)->nr_used,
		 (unsigned long long)own_pool_of(OWN_HOST)->nr_free);
	boot_log_s2(ipa_bits);
}

/*
 * Splitting or merging a live block of the host stage-2 keeps the neighbour
 * pages translating (no transient fault for a CPU access or live DMA) only if
 * every walker of the table accepts a block <-> table swap with identical
 * output and attributes without break-before-make: the CPU with FEAT_BBM level
 * 2 (ID_AA64MMFR2_EL1.BBM; Arm ARM D8.16.2 "Support levels for changing block
 * size"), and an SMMU sharing the table with BBML2 (checked in smmu.c). Level 2
 * may still raise a TLB conflict abort, which trap.c resolves by invalidating
 * the local stage-1+2 TLB and retrying. Without it the engine breaks first; a
 * CPU access in that window is retried too (own_host_fault_retry).
 */
static void arm64_host_s2_bbm(void)
{
	struct pt *s2 = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	unsigned int bbm = (unsigned int)FIELD_GET(ID_AA64MMFR2_BBM, read_sysreg(id_aa64mmfr2_el1));

	s2->bbm_free = bbm >= 2;
	plat_log("host stage-2: FEAT_BBM level %u: block splits and merges %s", bbm,
		 bbm >= 2 ? "keep neighbour pages translating (no break)" : "break before make");
}

/* Address sizes of this boot (boot_phase_sizes). */
struct boot_bits {
	unsigned int pa, va, ipa;
};

/* Phase 1: the boot info is sane, the console speaks, the firmware's EL2 is one we run on. */
static int boot_phase_check(struct ls_boot_info *bi)
{
	if (boot_check_info(bi))
		return -EINVAL;
	arm64_console_init(bi->uart_base);
	arm64_console_puts("Lockstep v" LOCKSTEP_VERSION_STR "\n");
	if (read_sysreg(hcr_el2) & HCR_E2H) {
		plat_log("the firmware runs EL2 with HCR_EL2.E2H set (VHE): not supported");
		return -ENOTSUP;
	}
	if (arm64_measure_boot(bi))
		return -EINVAL;
	arm64_attest_key(bi);
	return 0;
}

/*
 * Phase 2: the memory map (ram.c) and the address sizes: PA from
 * ID_AA64MMFR0_EL1.PARange capped at the formats' 48 bits, IPA wide enough for RAM
 * and the device windows QEMU virt places up to 1 TiB; the host device list checked.
 */
static int boot_phase_sizes(const struct ls_boot_info *bi, struct boot_bits *bits)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1), ram_top;
	const struct own_range *ram;
	unsigned int nr_ram;
	int ret;

	arm64_hyp_base = bi->hyp_base;
	arm64_hyp_size = bi->hyp_size;
	ret = arm64_ram_init(bi);
	if (ret) {
		plat_log("more than %u RAM ranges", OWN_MAX_RANGES);
		return ret;
	}
	ram = arm64_ram_ranges(&nr_ram);
	ram_top = ram[nr_ram - 1].base + ram[nr_ram - 1].size;
	bits->pa = MIN(arm64_parange_bits(FIELD_GET(ID_MMFR0_PARANGE, mmfr0)), 48U);
	bits->va = bits->pa;
	bits->ipa = MIN(MAX(HOST_IPA_BITS_MIN, 64U - (unsigned int)__builtin_clzll(ram_top - 1)),
			bits->pa);
	if (ram_top > (1ULL << bits->ipa) ||
	    (bi->uart_base && bi->uart_base >= (1ULL << bits->va))) {
		plat_log("RAM or console beyond the %u-bit physical address space", bits->pa);
		return -ERANGE;
	}
	if (boot_check_mmio(bi, bits->ipa)) {
		plat_log("boot info: host device MMIO list malformed (unsorted, unaligned, beyond "
			 "the %u-bit IPA space, or overlapping RAM, the hypervisor or the SMMU)",
			 bits->ipa);
		return -EINVAL;
	}
	return 0;
}

/*
 * Phase 3: the tables, in pool order: EL2 stage-1 tables, the IOMMU's memory, then
 * the ownership database and the host's tables (the host stage-2 with its device
 * windows).
 */
static int boot_phase_tables(const struct ls_boot_info *bi, const struct boot_bits *bits)
{
	u64 pool_at;
	int ret;

	pt_pool_init(&arm64_s1_pool);
	if (bi->pool_size < (u64)S1_POOL_PAGES * PAGE_SIZE)
		return -ENOMEM;
	memset(plat_phys_to_virt(bi->pool_base), 0, S1_POOL_PAGES * PAGE_SIZE);
	pt_pool_add(&arm64_s1_pool, bi->pool_base, S1_POOL_PAGES);
	pool_at = bi->pool_base + S1_POOL_PAGES * PAGE_SIZE;
	boot_select_iommu(bi);
	ret = arm64_iommu->discover(bi, bits->pa, &pool_at, bi->pool_base + bi->pool_size);
	if (!ret)
		ret = arm64_gic_discover(bi, &pool_at, bi->pool_base + bi->pool_size);
	if (!ret)
		ret = boot_build_s1(bi, bits->va);
	if (!ret)
		ret = arm64_iommu->map_el2(&arm64_s1);
	if (!ret)
		ret = arm64_gic_map_el2(&arm64_s1);
	if (ret) {
		plat_log("EL2 stage-1 build failed: %d", ret);
		return ret;
	}
	return boot_host_s2(bi, bits->ipa, &pool_at);
}

/* Phase 4: register values every CPU loads (head.S reads the first four with the MMU off). */
static void boot_phase_registers(const struct boot_bits *bits)
{
	const struct pt *s2 = &own_view_of(OWN_HOST)->cpu;

	arm64_el2.pa_bits = bits->pa;
	arm64_el2.ipa_bits = bits->ipa;
	arm64_el2.mair = PT_ARM64_S1_MAIR;
	arm64_el2.tcr = TCR_EL2_RES1 | FIELD_PREP(TCR_T0SZ, 64 - bits->va) |
			FIELD_PREP(TCR_IRGN0, TCR_RGN_WBWA) | FIELD_PREP(TCR_ORGN0, TCR_RGN_WBWA) |
			FIELD_PREP(TCR_SH0, TCR_SH_INNER) | FIELD_PREP(TCR_TG0, TCR_TG0_4K) |
			FIELD_PREP(TCR_EL2_PS, arm64_bits_parange(bits->pa));
	arm64_el2.ttbr = pt_root_pa(&arm64_s1);
	arm64_el2.sctlr = SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I | SCTLR_WXN;
	/* SL0 for the 4K granule: 0 = level 2, 1 = level 1, 2 = level 0. */
	arm64_el2.vtcr = VTCR_RES1 | FIELD_PREP(VTCR_T0SZ, 64 - s2->ia_bits) |
			 FIELD_PREP(VTCR_SL0, 2U - s2->start_level) |
			 FIELD_PREP(VTCR_IRGN0, TCR_RGN_WBWA) |
			 FIELD_PREP(VTCR_ORGN0, TCR_RGN_WBWA) | FIELD_PREP(VTCR_SH0, TCR_SH_INNER) |
			 FIELD_PREP(VTCR_TG0, TCR_TG0_4K) |
			 FIELD_PREP(VTCR_PS, arm64_bits_parange(bits->pa));
	arm64_el2.vttbr = pt_root_pa(s2); /* VMID 0: the host */
}

/*
 * Phase 5: the IOMMU (if any) takes its frame out of the host stage-2, resets,
 * puts the host streams on the host stage-2 with this VTCR. Never fails the
 * install: without an SMMU, Lockstep runs without DMA isolation and says so.
 */
static void boot_phase_iommu(void)
{
	arm64_host_s2_bbm();
	arm64_gic_take();
	arm64_iommu->take(arm64_el2.vtcr);
	arm64_el2.hcr = arm64_host_hcr();
	arm64_el2.vbar = (u64)arm64_vectors;
}

/* Phase 6: CPU slots (stacks from the boot info; slot 0 is this CPU), image to PoC. */
static void boot_phase_cpus(const struct ls_boot_info *bi)
{
	unsigned int i;

	arm64_nr_cpus = bi->nr_cpus;
	for (i = 0; i < arm64_nr_cpus; i++) {
		arm64_cpus[i].idx = i;
		arm64_cpus[i].stack_top = bi->stack_base + (u64)(i + 1) * bi->stack_size;
	}
	arm64_cpus[0].mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffULL;
	arm64_cpus[0].bound = true;
	arm64_cpus[0].booted = true;
	/*
	 * CPUs woken by PSCI start with the MMU and caches off and read the code,
	 * arm64_el2 and their slot from memory: clean the whole image (text,
	 * relocated data, bss) to the Point of Coherency.
	 */
	plat_dcache_clean(_start, (size_t)((u64)_end - (u64)_start));
}

/* Phase 7, the commit: nothing here can fail. */
static void boot_phase_commit(const struct ls_boot_info *bi, const struct fw_regime *fw,
			      const struct boot_bits *bits)
{
	write_sysreg((u64)&arm64_cpus[0], tpidr_el2);
	arm64_mmu_switch(arm64_el2.mair, arm64_el2.tcr, arm64_el2.ttbr, arm64_el2.sctlr);
	arm64_el2_setup_cpu();
	boot_el1_regime(fw);
	hvc_set_features(LS_FEAT_HOST_S2 | LS_FEAT_PSCI_RELAY | LS_FEAT_VCPUS |
			 arm64_iommu->features());
	boot_log_banner(bi, bits->ipa);
	arm64_log_features();
	if (!arm64_psci_init())
		plat_log("firmware PSCI_VERSION failed: secondary CPUs will not start");
	plat_log("cpu 0: EL2 ready (MPIDR %#llx)", (unsigned long long)arm64_cpus[0].mpidr);
}

long arm64_boot(struct ls_boot_info *bi)
{
	/* The firmware's EL2 regime, read before anything changes. */
	struct fw_regime fw = {
		.sctlr = read_sysreg(sctlr_el2),
		.tcr = read_sysreg(tcr_el2),
		.mair = read_sysreg(mair_el2),
		.ttbr0 = read_sysreg(ttbr0_el2),
		.vbar = read_sysreg(vbar_el2),
	};
	struct boot_bits bits;
	int ret;

	/* ---- prepare: only memory of the hypervisor region is written ---- */
	ret = boot_phase_check(bi);
	if (!ret)
		ret = boot_phase_sizes(bi, &bits);
	if (!ret)
		ret = boot_phase_tables(bi, &bits);
	if (ret)
		return ret;
	boot_phase_registers(&bits);
	boot_phase_iommu();
	boot_phase_cpus(bi);
	/* ---- commit ---- */
	boot_phase_commit(bi, &fw, &bits);
	return 0;
}
