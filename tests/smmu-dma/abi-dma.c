// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants the smmu-dma guest script needs, as shell assignments
 * (/etc/smmu-dma.env), in the format lockstep.ko's raw_hvc prints registers (x0 as a
 * 16-digit hex number, so that negative error codes compare as strings).
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_HVC_SMMU_STATS=0x%llx\n", X(LS_HVC_SMMU_STATS));
	printf("LS_HVC_VIEW_STATS=0x%llx\n", X(LS_HVC_VIEW_STATS));
	printf("LS_HVC_VM_CREATE=0x%llx\n", X(LS_HVC_VM_CREATE));
	printf("LS_HVC_VM_DESTROY=0x%llx\n", X(LS_HVC_VM_DESTROY));
	printf("LS_HVC_HOST_DONATE_VM=0x%llx\n", X(LS_HVC_HOST_DONATE_VM));
	printf("LS_HVC_VM_RECLAIM=0x%llx\n", X(LS_HVC_VM_RECLAIM));
	printf("LS_HVC_POOL_DONATE=0x%llx\n", X(LS_HVC_POOL_DONATE));
	printf("LS_POOL_HOST=0x%llx\n", X(LS_POOL_HOST));
	printf("LS_VM_POOL_MIN=%d\n", LS_VM_POOL_MIN);
	printf("LS_FEAT_SMMU=%llu\n", X(LS_FEAT_SMMU));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	printf("LS_X_ENOMEM=0x%016llx\n", X(LS_ENOMEM));
	printf("LS_VIEW_HOST_CPU=%llu\n", X(LS_VIEW_HOST_CPU));
	printf("LS_VIEW_HOST_IOMMU0=%llu\n", X(LS_VIEW_HOST_IOMMU(0)));
	printf("LS_VIEW_KIND_CPU=%d\nLS_VIEW_KIND_SHARED=%d\n", LS_VIEW_KIND_CPU,
	       LS_VIEW_KIND_SHARED);
	printf("ST_EVENTS=%d\nST_FAULTS=%d\nST_CFG_ERRORS=%d\nST_GERRORS=%d\n", LS_SMMU_STAT_EVENTS,
	       LS_SMMU_STAT_FAULTS, LS_SMMU_STAT_CFG_ERRORS, LS_SMMU_STAT_GERRORS);
	printf("ST_OVERFLOWS=%d\nST_SYNCS=%d\nST_INVAL_IPA=%d\nST_FAILED=%d\n",
	       LS_SMMU_STAT_OVERFLOWS, LS_SMMU_STAT_SYNCS, LS_SMMU_STAT_INVAL_IPA,
	       LS_SMMU_STAT_FAILED);
	return 0;
}
