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

int smmu_register_domains(struct smmu *s, const struct smmu_sid_range *r, u32 n)
{
	struct smmu_sid_range prev[SMMU_SID_RANGES_MAX];
	u32 prev_n, prev_sids, end;
	int ret;

	if (!s || !r || !s->enabled || !s->host.live || !n || n > SMMU_SID_RANGES_MAX)
		return -EINVAL;
	for (u32 i = 0; i < n; i++)
		if (!r[i].nr || (u64)r[i].base + r[i].nr > ((u64)1 << s->strtab_log2) ||
		    (i && r[i].base < r[i - 1].base + r[i - 1].nr))
			return -EINVAL;
	end = r[n - 1].base + r[n - 1].nr;
	/* Before registering: the core may call attach as soon as it is registered. */
	prev_n = s->nr_dom_ranges;
	prev_sids = s->dom_sids;
	for (u32 i = 0; i < SMMU_SID_RANGES_MAX; i++)
		prev[i] = s->dom_ranges[i];
	for (u32 i = 0; i < n; i++)
		s->dom_ranges[i] = r[i];
	s->nr_dom_ranges = n;
	s->dom_sids = end;
	/* smmu_init refuses a non-coherent SMMU: domain tables need no cache maintenance. */
	ret = own_iommu_register(&smmu_own_iommu_ops, s, end, PT_FMT_ARM64_S2, true);
	if (ret) {
		for (u32 i = 0; i < SMMU_SID_RANGES_MAX; i++)
			s->dom_ranges[i] = prev[i];
		s->nr_dom_ranges = prev_n;
		s->dom_sids = prev_sids;
		plat_log("smmu: registering for host DMA domains failed: %d", ret);
	}
	return ret;
}

/* ---- Host stream ranges from the firmware description ---------------------- */

int smmu_sid_ranges_check(const struct smmu_sid_range *in, u32 n, u32 sid_bits,
			  struct smmu_sid_range *out)
{
	u64 total = 0, lim;
	u32 k = 0;

	if (!in || !out || n > SMMU_SID_RANGES_MAX || !sid_bits || sid_bits > 32)
		return -EINVAL;
	lim = (u64)1 << sid_bits;
	for (u32 i = 0; i < n; i++) {
		u64 b = in[i].base, e = b + in[i].nr;
		u32 j;
		bool clash = false;

		if (!in[i].nr) {
			plat_log("smmu: stream range %u (base 0x%llx) is empty: refused", i,
				 (unsigned long long)b);
			continue;
		}
		if (e > lim) {
			plat_log("smmu: stream range 0x%llx..0x%llx beyond the SMMU's %u-bit "
				 "StreamIDs: refused",
				 (unsigned long long)b, (unsigned long long)(e - 1), sid_bits);
			continue;
		}
		for (j = 0; j < k && !clash; j++)
			clash = b < (u64)out[j].base + out[j].nr && out[j].base < e;
		if (clash) {
			plat_log("smmu: stream range 0x%llx..0x%llx overlaps 0x%x..0x%x: refused",
				 (unsigned long long)b, (unsigned long long)(e - 1),
				 out[j - 1].base, out[j - 1].base + out[j - 1].nr - 1);
			continue;
		}
		if (total + in[i].nr > SMMU_HOST_SIDS_MAX) {
			plat_log("smmu: stream range 0x%llx..0x%llx would make %llu host streams, "
				 "above the cap of %u: refused",
				 (unsigned long long)b, (unsigned long long)(e - 1),
				 (unsigned long long)(total + in[i].nr), SMMU_HOST_SIDS_MAX);
			continue;
		}
		total += in[i].nr;
		/* Insert sorted by base. */
		for (j = k; j > 0 && out[j - 1].base > b; j--)
			out[j] = out[j - 1];
		out[j] = in[i];
		k++;
	}
	return (int)k;
}

u64 smmu_sid_ranges_l2_bytes(const struct smmu_sid_range *r, u32 n)
{
	u64 spans = 0, last = ~0ULL;

	for (u32 i = 0; i < n; i++) {
		u64 first, end;

		if (!r[i].nr)
			continue;
		first = r[i].base >> SMMU_STRTAB_SPLIT;
		end = ((u64)r[i].base + r[i].nr - 1) >> SMMU_STRTAB_SPLIT;
		/* Sorted and disjoint: only the previous range's last span can be shared. */
		if (first == last)
			first++;
		if (end >= first)
			spans += end - first + 1;
		last = end;
	}
	return spans * ((u64)64 << SMMU_STRTAB_SPLIT); /* 64-byte STEs (SMMU 5.2) */
}
