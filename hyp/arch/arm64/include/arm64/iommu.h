/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The platform's IOMMU in the arm64 boot path, chosen once (boot.c), like pKVM's
 * select_iommu_ops() or a Jailhouse unit: the SMMUv3 glue (smmu.c) or none.
 * In boot order: discover (validate the loader's frame, carve the driver's
 * table memory from the pool), map_el2 (the frame as device in the EL2
 * stage-1), take (after own_init and VTCR: frame out of the host stage-2, reset,
 * host streams on the host stage-2; failures are logged and Lockstep goes on
 * without). Then: features (LS_FEAT_* bits it adds), poll (drain events and
 * global errors: every hypercall exit and abort trap), host_abort (a host
 * stage-2 abort in its frame: logged, counted, true), stat (LS_HVC_SMMU_STATS,
 * plat_iommu_stat).
 */
#ifndef ARM64_IOMMU_H
#define ARM64_IOMMU_H

#include <lockstep/boot.h>

#include "hyp/pgtable.h"
#include "hyp/types.h"

struct arm64_iommu_ops {
	const char *name;
	int (*discover)(const struct ls_boot_info *bi, unsigned int pa_bits, u64 *pool_at,
			u64 pool_end);
	int (*map_el2)(struct pt *s1);
	void (*take)(u64 vtcr);
	u64 (*features)(void);
	void (*poll)(void);
	bool (*host_abort)(u64 ipa, bool write);
	int (*stat)(u64 id, u64 *val);
};

extern const struct arm64_iommu_ops arm64_smmuv3_ops; /* smmu.c */
extern const struct arm64_iommu_ops *arm64_iommu;     /* boot.c: the one in use */

#endif /* ARM64_IOMMU_H */
