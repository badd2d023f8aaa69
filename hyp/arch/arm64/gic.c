// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GIC guard's glue (arm64/gic.h): the frames from the boot info, the shadow command
 * queues from the pool, the EL2 mappings, the frames out of the host's stage 2, and the
 * decoding of a host access that faulted on one of them (ESR_EL2 ISS for a data abort, Arm
 * ARM D24.2.40: ISV, SAS, SSE, SRT, SF, WnR). The policy is in gic_emul.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/gic.h"
#include "arm64/sysreg.h"
#include "arm64/trap.h"
#include "hyp/own.h"
#include "hyp/pgtable.h"
#include "hyp/plat.h"
#include "lockstep/boot.h"

/* Data abort ISS (Arm ARM D24.2.40). */
#define ESR_DABT_ISV BIT(24)
#define ESR_DABT_SAS GENMASK(23, 22)
#define ESR_DABT_SSE BIT(21)
#define ESR_DABT_SRT GENMASK(20, 16)
#define ESR_DABT_SF  BIT(15)

static struct gic_desc arm64_gic;
static struct ls_mem_range arm64_gicr[LS_BOOT_MAX_GICR];
static unsigned int arm64_nr_gicr;
static bool arm64_gic_on;

int arm64_gic_discover(const struct ls_boot_info *bi, u64 *pool_at, u64 pool_end)
{
	unsigned int i;
	u64 at;

	if (bi->size < offsetof(struct ls_boot_info, its) + sizeof(bi->its) || !bi->gicd_base) {
		plat_log("gic: the loader described no GICv3: the GIC's table walks are NOT "
			 "guarded");
		return 0;
	}
	if (bi->nr_gicr > LS_BOOT_MAX_GICR || bi->nr_its > LS_BOOT_MAX_ITS || !bi->nr_gicr)
		return -EINVAL;
	arm64_gic.gicd = bi->gicd_base;
	arm64_nr_gicr = bi->nr_gicr;
	for (i = 0; i < bi->nr_gicr; i++) {
		if (!IS_ALIGNED(bi->gicr[i].base, GIC_FRAME) || bi->gicr[i].size < 2 * GIC_FRAME)
			return -EINVAL;
		arm64_gicr[i] = bi->gicr[i];
	}
	arm64_gic.nr_its = bi->nr_its;
	at = ALIGN_UP(*pool_at, GIC_FRAME);
	for (i = 0; i < bi->nr_its; i++) {
		if (!IS_ALIGNED(bi->its[i], GIC_FRAME))
			return -EINVAL;
		if (at + (u64)GIC_SHADOW_PAGES * PAGE_SIZE > pool_end)
			return -ENOMEM;
		arm64_gic.its[i] = bi->its[i];
		arm64_gic.shadow_pa[i] = at;
		memset(plat_phys_to_virt(at), 0, (size_t)GIC_SHADOW_PAGES * PAGE_SIZE);
		at += (u64)GIC_SHADOW_PAGES * PAGE_SIZE;
	}
	*pool_at = at;
	arm64_gic_on = true;
	return 0;
}

/* Device-nGnRE at EL2: the distributor, every redistributor range, each ITS's two frames. */
int arm64_gic_map_el2(struct pt *s1)
{
	unsigned int i;
	int ret;

	if (!arm64_gic_on)
		return 0;
	ret = pt_map(s1, arm64_gic.gicd, GIC_FRAME, arm64_gic.gicd, PT_RW | PT_DEVICE, NULL);
	for (i = 0; !ret && i < arm64_nr_gicr; i++)
		ret = pt_map(s1, arm64_gicr[i].base, ALIGN_UP(arm64_gicr[i].size, PAGE_SIZE),
			     arm64_gicr[i].base, PT_RW | PT_DEVICE, NULL);
	for (i = 0; !ret && i < arm64_gic.nr_its; i++)
		ret = pt_map(s1, arm64_gic.its[i], 2 * GIC_FRAME, arm64_gic.its[i],
			     PT_RW | PT_DEVICE, NULL);
	return ret;
}

/* Every redistributor of the ranges (12.10.27 GICR_TYPER.Last ends a range). */
static int arm64_gic_find_rds(void)
{
	unsigned int i;
	u64 at;

	for (i = 0; i < arm64_nr_gicr; i++) {
		for (at = arm64_gicr[i].base;
		     at + 2 * GIC_FRAME <= arm64_gicr[i].base + arm64_gicr[i].size;) {
			u64 typer = plat_read64(at + GICR_TYPER);

			if (arm64_gic.nr_rd == GIC_MAX_RD)
				return -ENOSPC;
			arm64_gic.rd[arm64_gic.nr_rd++] = at;
			/* GICv4 (VLPIS): two more frames, VLPI and reserved (12.10). */
			at += (typer & GICR_TYPER_VLPIS) ? 4 * GIC_FRAME : 2 * GIC_FRAME;
			if (typer & GICR_TYPER_LAST)
				break;
		}
	}
	return 0;
}

/* The frames taken from the host's stage 2, in order, so a failure gives back exactly these. */
static u64 gic_taken[2 * GIC_MAX_RD + GIC_MAX_ITS];
static unsigned int gic_nr_taken;

static int gic_take_frame(struct pt *s2, u64 pa)
{
	int ret = pt_unmap(s2, pa, GIC_FRAME, NULL);

	if (!ret)
		gic_taken[gic_nr_taken++] = pa;
	return ret;
}

/*
 * Before the host runs: the control frames out of the host's stage 2 (the ITS's translation
 * frame, the MSI doorbell, stays), the emulation started. A failure leaves the GIC to the host
 * and says so: every frame taken so far (RD_base, GICv4 VLPI, ITS control) goes back.
 */
void arm64_gic_take(void)
{
	struct pt *s2 = (struct pt *)&own_view_of(OWN_HOST)->cpu;
	unsigned int i, vlpi = 0;
	int ret;

	if (!arm64_gic_on)
		return;
	ret = arm64_gic_find_rds();
	if (!ret)
		ret = gic_emul_init(&arm64_gic);
	for (i = 0; !ret && i < arm64_gic.nr_rd; i++) {
		ret = gic_take_frame(s2, arm64_gic.rd[i]);
		if (!ret && (plat_read64(arm64_gic.rd[i] + GICR_TYPER) & GICR_TYPER_VLPIS)) {
			/* GICv4 vPE tables (GICR_VPROPBASER/VPENDBASER): denied, not emulated. */
			ret = gic_take_frame(s2, arm64_gic.rd[i] + 2 * GIC_FRAME);
			vlpi++;
		}
	}
	for (i = 0; !ret && i < arm64_gic.nr_its; i++)
		ret = gic_take_frame(s2, arm64_gic.its[i]);
	if (ret) {
		plat_log("gic: could not take the GIC's frames (%d): its table walks are NOT "
			 "guarded; %u frame(s) given back to the host",
			 ret, gic_nr_taken);
		for (i = 0; i < gic_nr_taken; i++)
			(void)pt_map(s2, gic_taken[i], GIC_FRAME, gic_taken[i], PT_RW | PT_DEVICE,
				     NULL);
		gic_nr_taken = 0;
		arm64_gic_on = false;
		return;
	}
	plat_log("gic: guarding %u redistributor(s) and %u ITS(s): LPI and ITS tables must be "
		 "host memory (pinned), ITS commands run from a shadow queue%s",
		 arm64_gic.nr_rd, arm64_gic.nr_its, vlpi ? "; GICv4 vLPI frames denied" : "");
}

/* A host data abort at @ipa: true if it was a GIC register access, emulated or refused. */
bool arm64_gic_host_abort(struct arm64_regs *regs, u64 ipa, u64 esr)
{
	unsigned int size = 1U << FIELD_GET(ESR_DABT_SAS, esr);
	unsigned int rt = (unsigned int)FIELD_GET(ESR_DABT_SRT, esr);
	bool write = esr & ESR_ABT_WNR;
	u64 val = 0;

	if (!arm64_gic_on || !gic_emul_claims(ipa))
		return false;
	if (!(esr & ESR_DABT_ISV) || (esr & ESR_ABT_S1PTW)) {
		plat_log("cpu %u: host GIC access at %#llx without a valid syndrome (ESR %#llx): "
			 "injecting an abort",
			 arm64_this_cpu()->idx, (unsigned long long)ipa, (unsigned long long)esr);
		arm64_inject_abort(esr, read_sysreg(far_el2));
		return true;
	}
	if (write)
		val = rt == 31 ? 0 : regs->x[rt];
	gic_emul_access(ipa, size, write, &val);
	if (!write && rt != 31) {
		if ((esr & ESR_DABT_SSE) && size < 8 && (val & (1ULL << (8 * size - 1))))
			val |= ~0ULL << (8 * size);
		if (!(esr & ESR_DABT_SF))
			val &= 0xffffffffULL;
		regs->x[rt] = val;
	}
	write_sysreg(read_sysreg(elr_el2) + 4, elr_el2);
	return true;
}
