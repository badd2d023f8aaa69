// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants tests/pviommu/lstest needs, as shell assignments
 * (/etc/lockstep-pviommu.env), formatted as lockstep.ko's raw_hvc prints registers.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_HVC_SMMU_STATS=0x%llx\n", X(LS_HVC_SMMU_STATS));
	printf("LS_HVC_IOMMU_DOMAIN_STATS=0x%llx\n", X(LS_HVC_IOMMU_DOMAIN_STATS));
	printf("LS_HVC_IOMMU_QUERY=0x%llx\n", X(LS_HVC_IOMMU_QUERY));
	printf("LS_IOMMU_WRITE=%d\nLS_IOMMU_MMIO=%d\n", LS_IOMMU_WRITE, LS_IOMMU_MMIO);
	printf("LS_FEAT_SMMU=%llu\n", X(LS_FEAT_SMMU));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	printf("LS_IOMMU_MAX_DOMAINS=%d\n", LS_IOMMU_MAX_DOMAINS);
	printf("DS_MAPPED=%d\nDS_TABLES=%d\nDS_POOL_TOTAL=%d\nDS_INVAL=%d\nDS_SYNCS=%d\n"
	       "DS_STREAMS=%d\n",
	       LS_IOMMU_STAT_MAPPED, LS_IOMMU_STAT_TABLES, LS_IOMMU_STAT_POOL_TOTAL,
	       LS_IOMMU_STAT_INVAL_RANGES, LS_IOMMU_STAT_SYNCS, LS_IOMMU_STAT_STREAMS);
	printf("ST_EVENTS=%d\nST_FAULTS=%d\nST_GERRORS=%d\nST_OVERFLOWS=%d\nST_FAILED=%d\n",
	       LS_SMMU_STAT_EVENTS, LS_SMMU_STAT_FAULTS, LS_SMMU_STAT_GERRORS,
	       LS_SMMU_STAT_OVERFLOWS, LS_SMMU_STAT_FAILED);
	printf("ST_CMDS=%d\nST_SYNCS=%d\n", LS_SMMU_STAT_CMDS, LS_SMMU_STAT_SYNCS);
	return 0;
}
