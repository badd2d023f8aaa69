// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: the ABI constants tests/vfio/lstest needs, as shell assignments
 * (/etc/lockstep-vfio.env), formatted as lockstep.ko's raw_hvc prints registers.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_FEAT_DMA_COHERENT=%llu\n", X(LS_FEAT_DMA_COHERENT));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	return 0;
}
