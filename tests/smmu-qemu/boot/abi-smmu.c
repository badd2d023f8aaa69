// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants the smmu-boot guest script needs, as shell
 * assignments (/etc/lockstep-smmu.env), formatted as raw_hvc prints registers.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_HVC_SMMU_STATS=0x%llx\n", X(LS_HVC_SMMU_STATS));
	printf("LS_HVC_HOST_SHARE_HYP=0x%llx\n", X(LS_HVC_HOST_SHARE_HYP));
	printf("LS_HVC_HOST_UNSHARE_HYP=0x%llx\n", X(LS_HVC_HOST_UNSHARE_HYP));
	printf("LS_HVC_VM_CREATE=0x%llx\n", X(LS_HVC_VM_CREATE));
	printf("LS_HVC_VM_DESTROY=0x%llx\n", X(LS_HVC_VM_DESTROY));
	printf("LS_HVC_HOST_DONATE_VM=0x%llx\n", X(LS_HVC_HOST_DONATE_VM));
	printf("LS_HVC_VM_RECLAIM=0x%llx\n", X(LS_HVC_VM_RECLAIM));
	printf("LS_VM_POOL_MIN=%d\n", LS_VM_POOL_MIN);
	printf("LS_FEAT_SMMU=%llu\n", X(LS_FEAT_SMMU));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	printf("LS_X_EINVAL=0x%016llx\n", X(LS_EINVAL));
	printf("LS_SMMU_STAT_NR=%d\n", LS_SMMU_STAT_NR);
	printf("ST_EVENTS=%d\nST_FAULTS=%d\nST_CFG_ERRORS=%d\nST_GERRORS=%d\n", LS_SMMU_STAT_EVENTS,
	       LS_SMMU_STAT_FAULTS, LS_SMMU_STAT_CFG_ERRORS, LS_SMMU_STAT_GERRORS);
	printf("ST_OVERFLOWS=%d\nST_CMDS=%d\nST_SYNCS=%d\nST_INVAL_IPA=%d\nST_INVAL_ALL=%d\n",
	       LS_SMMU_STAT_OVERFLOWS, LS_SMMU_STAT_CMDS, LS_SMMU_STAT_SYNCS,
	       LS_SMMU_STAT_INVAL_IPA, LS_SMMU_STAT_INVAL_ALL);
	printf("ST_TIMEOUTS=%d\nST_HOST_MMIO=%d\nST_FAILED=%d\n", LS_SMMU_STAT_TIMEOUTS,
	       LS_SMMU_STAT_HOST_MMIO, LS_SMMU_STAT_FAILED);
	printf("LS_HVC_IOMMU_DOMAIN_CREATE=0x%llx\n", X(LS_HVC_IOMMU_DOMAIN_CREATE));
	printf("LS_HVC_IOMMU_DOMAIN_DESTROY=0x%llx\n", X(LS_HVC_IOMMU_DOMAIN_DESTROY));
	printf("LS_HVC_IOMMU_ATTACH=0x%llx\n", X(LS_HVC_IOMMU_ATTACH));
	printf("LS_HVC_IOMMU_DETACH=0x%llx\n", X(LS_HVC_IOMMU_DETACH));
	printf("LS_HVC_IOMMU_MAP=0x%llx\n", X(LS_HVC_IOMMU_MAP));
	printf("LS_HVC_IOMMU_UNMAP=0x%llx\n", X(LS_HVC_IOMMU_UNMAP));
	printf("LS_HVC_IOMMU_QUERY=0x%llx\n", X(LS_HVC_IOMMU_QUERY));
	printf("LS_HVC_IOMMU_DOMAIN_STATS=0x%llx\n", X(LS_HVC_IOMMU_DOMAIN_STATS));
	printf("LS_IOMMU_READ=%d\nLS_IOMMU_WRITE=%d\n", LS_IOMMU_READ, LS_IOMMU_WRITE);
	printf("LS_VM_POOL_ALIGN=%d\n", LS_VM_POOL_ALIGN);
	printf("LS_X_EPERM=0x%016llx\n", X(LS_EPERM));
	printf("LS_X_EEXIST=0x%016llx\n", X(LS_EEXIST));
	printf("LS_X_ENOENT=0x%016llx\n", X(LS_ENOENT));
	printf("LS_X_EBUSY=0x%016llx\n", X(LS_EBUSY));
	printf("DS_MAPPED=%d\nDS_TABLES=%d\nDS_POOL_FREE=%d\nDS_POOL_TOTAL=%d\n",
	       LS_IOMMU_STAT_MAPPED, LS_IOMMU_STAT_TABLES, LS_IOMMU_STAT_POOL_FREE,
	       LS_IOMMU_STAT_POOL_TOTAL);
	printf("DS_INVAL_RANGES=%d\nDS_SYNCS=%d\nDS_STREAMS=%d\n", LS_IOMMU_STAT_INVAL_RANGES,
	       LS_IOMMU_STAT_SYNCS, LS_IOMMU_STAT_STREAMS);
	return 0;
}
