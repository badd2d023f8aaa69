/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU EL2 register setup, identical on every CPU (el2.c).
 */
#ifndef ARM64_EL2_H
#define ARM64_EL2_H

#include "hyp/types.h"

struct arm64_cpu;

void arm64_el2_setup_cpu(void);
void arm64_el1_reset_state(void);
u64 arm64_host_hcr(void);
void arm64_log_features(void);
struct arm64_cpu *arm64_this_cpu(void);

#endif /* ARM64_EL2_H */
