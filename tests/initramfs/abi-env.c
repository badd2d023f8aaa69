// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tool: print the ABI constants the in-guest tests need as shell
 * assignments (/etc/lockstep-abi.env), so the initramfs never restates them.
 * Register values are formatted the way the driver's raw_hvc file prints them.
 */
#include <stdint.h>
#include <stdio.h>

#include <lockstep/abi.h>

#define X(v) ((unsigned long long)(uint64_t)(int64_t)(v))

int main(void)
{
	printf("LS_ABI=%d.%d\n", LS_ABI_MAJOR, LS_ABI_MINOR);
	printf("LS_HVC_VERSION=0x%llx\n", X(LS_HVC_VERSION));
	printf("LS_HVC_FEATURES=0x%llx\n", X(LS_HVC_FEATURES));
	printf("LS_X_OK=0x%016llx\n", X(LS_OK));
	printf("LS_X_ABI_VERSION=0x%016llx\n", X(LS_ABI_VERSION));
	printf("LS_X_ENOTSUPP=0x%016llx\n", X(LS_ENOTSUPP));
	printf("LS_HVC_MEASURE_READ=0x%llx\n", X(LS_HVC_MEASURE_READ));
	printf("LS_X_ERANGE=0x%016llx\n", X(LS_ERANGE));
	/*
	 * Unknown calls: the last function number of Lockstep's own vendor-hyp range,
	 * and a fast SMC64 ID with OEN 8 (reserved, SMCCC DEN 0028 table 6-2).
	 */
	printf("LS_X_UNKNOWN_FNS=\"0x%llx 0x%llx\"\n", X(LS_HVC_ID(0xfffe)),
	       X(LS_SMCCC_FAST | LS_SMCCC_64 | (8U << LS_SMCCC_OEN_SHIFT) | 1U));
	return 0;
}
