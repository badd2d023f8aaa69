// SPDX-License-Identifier: GPL-2.0-only
/*
 * Glue between the SMMUv3 driver and the ownership core (hyp/mem): make
 * streams translate through the host view's CPU stage 2 and register the SMMU
 * as one of that view's domains, so every transition invalidates it.
 */
#include <errno.h>

#include "hyp/iommu.h"
#include "hyp/plat.h"

int smmu_attach_host(struct smmu *s, u32 sid, u32 nr, u16 vmid, u64 vtcr, unsigned int *dom_idx)
{
	const struct own_view *hv = own_view_of(OWN_HOST);
	struct own_res res = { 0 };
	int ret;

	if (!s || !dom_idx || !hv)
		return -EINVAL;
	if (!s->host_dom) {
		/*
		 * Domain first: from here on every host transition also invalidates
		 * the SMMU (harmless while no STE uses the table yet), so no change
		 * can slip between the STE write and the registration.
		 */
		ret = own_dom_attach(OWN_HOST, false, PT_FMT_ARM64_S2, true, &smmu_own_inval_ops,
				     &s->host, dom_idx, &res);
		if (ret) {
			plat_log("smmu: own_dom_attach for the host failed: %d", ret);
			return ret;
		}
		s->host_dom = true;
		s->host_dom_idx = *dom_idx;
	}
	*dom_idx = s->host_dom_idx;
	ret = smmu_attach_host_s2(s, sid, nr, &hv->cpu, vmid, vtcr);
	if (ret && !s->host.live) {
		own_dom_detach(OWN_HOST, s->host_dom_idx);
		s->host_dom = false;
	}
	return ret;
}

int smmu_register_domains(struct smmu *s, u32 nr_sids)
{
	u32 prev;
	int ret;

	if (!s || !s->enabled || !s->host.live || !nr_sids ||
	    (u64)nr_sids > ((u64)1 << s->strtab_log2))
		return -EINVAL;
	/* Before registering: the core may call attach as soon as it is registered. */
	prev = s->dom_sids;
	s->dom_sids = nr_sids;
	/* smmu_init refuses a non-coherent SMMU: domain tables need no cache maintenance. */
	ret = own_iommu_register(&smmu_own_iommu_ops, s, nr_sids, PT_FMT_ARM64_S2, true);
	if (ret) {
		s->dom_sids = prev;
		plat_log("smmu: registering for host DMA domains failed: %d", ret);
	}
	return ret;
}
