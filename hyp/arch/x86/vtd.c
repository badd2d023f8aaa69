// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VT-d units (driver: hyp/iommu/vtd, docs/vtd.md) in the x86 boot path: every unit
 * of the boot info (the DMAR the loader parsed, boot.h "vtd") is probed and enabled with
 * table memory carved from the pool, and the host's DMA (every source id, 0..0xffff) goes
 * through a VT-d second-level mirror of the host's nested table that the ownership core
 * keeps in lockstep (own_dom_attach mirrored: NPT entries are not VT-d entries). A unit
 * the driver refuses is logged and left to nobody: the host does not see it either (the
 * loader removed the DMAR), so its DMA is untranslated; the loader's warning says so.
 */
#include <errno.h>

#include <lockstep/abi.h>
#include <lockstep/boot.h>

#include "hyp/plat.h"
#include "hyp/spinlock.h"
#include "vtd.h"
#include "x86/x86.h"

#define VTD_MEM_PER_UNIT SZ_2M /* root, 256 context tables, queue, status: about 1.1 MiB */

static struct vtd units[LS_BOOT_MAX_VTD];
static bool live[LS_BOOT_MAX_VTD];
static unsigned int nr_units, nr_live;

u64 x86_vtd_mem_bytes(const struct ls_boot_info *bi)
{
	return (u64)MIN(bi->nr_vtd, (u32)LS_BOOT_MAX_VTD) * VTD_MEM_PER_UNIT;
}

/*
 * Host DMA domains (the LS_HVC_IOMMU_* hypercalls, docs/hypercalls.md "Host DMA domains") on
 * the one live unit: every source id may move into a domain (vtd_register_domains: DID = the
 * core's VMID; docs/vtd.md). The core takes one IOMMU driver: with several units a source id
 * would have to be routed to the unit whose scope holds it, which the boot info does not
 * carry, so no domain is offered then (the hypercalls answer NOT_SUPPORTED).
 */
static void register_domains(void)
{
	static const struct vtd_sid_range all = { 0, 0x10000 };
	unsigned int i;
	int ret;

	if (nr_live != 1 || nr_units != 1) {
		if (nr_live)
			plat_log("host DMA domains not offered: %u VT-d units (one is supported)",
				 nr_units);
		return;
	}
	for (i = 0; i < nr_units && !live[i]; i++)
		;
	ret = vtd_register_domains(&units[i], &all, 1);
	if (!ret)
		plat_log("VT-d unit %#llx: host DMA domains offered (source ids 0x0..0xffff)",
			 (unsigned long long)units[i].base);
}

void x86_vtd_init(const struct ls_boot_info *bi, u64 mem_pa)
{
	unsigned int i, idx;
	int ret;

	nr_units = MIN(bi->nr_vtd, (u32)LS_BOOT_MAX_VTD);
	for (i = 0; i < nr_units; i++) {
		struct vtd *v = &units[i];

		ret = vtd_init(v, bi->vtd[i].base, mem_pa + (u64)i * VTD_MEM_PER_UNIT,
			       VTD_MEM_PER_UNIT);
		if (!ret)
			ret = vtd_attach_host(v, 0, 0x10000, &idx);
		if (ret) {
			plat_log("VT-d unit %#llx not taken (%d): its DMA is NOT isolated",
				 (unsigned long long)bi->vtd[i].base, ret);
			continue;
		}
		live[i] = true;
		nr_live++;
		plat_log("VT-d unit %#llx: host DMA through a mirror of its nested table "
			 "(domain %u of the host view)",
			 (unsigned long long)bi->vtd[i].base, idx);
	}
	register_domains();
}

/* Every CPU polls after its exits; one at a time drains the fault recording registers. */
static struct hyp_spinlock poll_lock;

void x86_vtd_poll(void)
{
	unsigned int i;

	hyp_spin_lock(&poll_lock);
	for (i = 0; i < nr_units; i++)
		if (live[i])
			vtd_drain_faults(&units[i]);
	hyp_spin_unlock(&poll_lock);
}

unsigned int x86_vtd_live(void)
{
	return nr_live;
}

/*
 * LS_HVC_SMMU_STATS on x86 (docs/hypercalls.md): the VT-d units' counters, summed, under the
 * SMMU names. A VT-d fault record is both an "event" and a "fault"; invalidation waits are
 * the "syncs", page-selective IOTLB invalidations "inval_ipa", global and domain-selective
 * ones "inval_all"; invalidation queue errors are the "gerrors".
 */
int plat_iommu_stat(u64 id, u64 *val)
{
	unsigned int i;
	u64 sum = 0;

	*val = 0;
	if (!nr_live)
		return -ENOENT;
	for (i = 0; i < nr_units; i++) {
		const struct vtd *v = &units[i];

		if (!live[i])
			continue;
		switch (id) {
		case LS_SMMU_STAT_EVENTS:
		case LS_SMMU_STAT_FAULTS:
			sum += v->st.faults;
			break;
		case LS_SMMU_STAT_GERRORS:
			sum += v->st.iq_errors;
			break;
		case LS_SMMU_STAT_OVERFLOWS:
			sum += v->st.fault_overflows;
			break;
		case LS_SMMU_STAT_CMDS:
			sum += v->st.descs;
			break;
		case LS_SMMU_STAT_SYNCS:
			sum += v->st.waits;
			break;
		case LS_SMMU_STAT_INVAL_IPA:
			sum += v->st.iotlb_page;
			break;
		case LS_SMMU_STAT_INVAL_ALL:
			sum += v->st.iotlb_global + v->st.iotlb_domain;
			break;
		case LS_SMMU_STAT_TIMEOUTS:
			sum += v->st.timeouts;
			break;
		case LS_SMMU_STAT_FAILED:
			sum |= v->failed;
			break;
		case LS_SMMU_STAT_STREAMS:
			sum = 0x10000;
			break;
		case LS_SMMU_STAT_CFG_ERRORS:
		case LS_SMMU_STAT_HOST_MMIO:
			break;
		default:
			return -EINVAL;
		}
	}
	*val = sum;
	return 0;
}
