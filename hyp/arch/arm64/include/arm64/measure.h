/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Measured launch at boot (measure.c): the loader's measurement log taken into the
 * hypervisor's memory, plus the hypervisor's own event (docs/attestation.md).
 */
#ifndef ARM64_MEASURE_H
#define ARM64_MEASURE_H

#include <lockstep/boot.h>

/* 0, or -EINVAL (malformed log) / -ENOSPC (no room for the hypervisor's event). */
int arm64_measure_boot(const struct ls_boot_info *bi);
/* Take the loader's attestation key (none: guests cannot attest) and zero its copy. */
void arm64_attest_key(struct ls_boot_info *bi);

#endif /* ARM64_MEASURE_H */
