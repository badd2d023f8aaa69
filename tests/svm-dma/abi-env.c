// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants tests/svm-dma/init needs, as shell assignments
 * (/etc/svm-dma.env in its initramfs), taken from include/lockstep/abi.h so that the
 * script never restates them. Status values are formatted the way raw_hvc prints them.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v)	 ((unsigned long long)(uint64_t)(int64_t)(v))
#define HVC(n)	 printf("%s=0x%llx\n", #n, X(n))
#define STAT(n)	 printf("%s=0x%016llx\n", "LS_X_" #n, X(LS_##n))
#define CONST(n) printf("%s=%llu\n", #n, X(n))

int main(void)
{
	HVC(LS_HVC_HOST_DONATE_VM);
	HVC(LS_HVC_VM_RECLAIM);
	HVC(LS_HVC_VM_CREATE);
	HVC(LS_HVC_VM_DESTROY);
	HVC(LS_HVC_POOL_DONATE);
	HVC(LS_HVC_VIEW_STATS);
	HVC(LS_HVC_SMMU_STATS);
	STAT(OK);
	STAT(ENOMEM);
	CONST(LS_SMMU_STAT_FAULTS);
	CONST(LS_SMMU_STAT_FAILED);
	CONST(LS_VIEW_HOST_CPU);
	printf("LS_VIEW_HOST_IOMMU0=%llu\n", X(LS_VIEW_HOST_IOMMU(0)));
	CONST(LS_VIEW_KIND_CPU);
	CONST(LS_VIEW_KIND_MIRRORED);
	return 0;
}
