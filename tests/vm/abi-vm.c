// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants tests/vm/lstest needs as shell assignments (/etc/vm.env), in the
 * format lockstep.ko's raw_hvc prints registers (x0 as 16 hex digits).
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_HVC_SMMU_STATS=0x%llx\n", X(LS_HVC_SMMU_STATS));
	printf("LS_FEAT_SMMU=%llu\n", X(LS_FEAT_SMMU));
	printf("LS_FEAT_VCPUS=%llu\n", X(LS_FEAT_VCPUS));
	printf("ST_EVENTS=%d\n", LS_SMMU_STAT_EVENTS);
	printf("ST_FAULTS=%d\n", LS_SMMU_STAT_FAULTS);
	printf("LS_HVC_VM_STATS=0x%llx\n", X(LS_HVC_VM_STATS));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	printf("LS_X_ENOENT=0x%016llx\n", X(LS_ENOENT));
	return 0;
}
