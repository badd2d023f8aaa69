/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PSCI relay (psci.c): the host's PSCI calls, through SMC to the firmware.
 */
#ifndef ARM64_PSCI_H
#define ARM64_PSCI_H

#include "hyp/types.h"

struct arm64_regs;

void arm64_psci_handle(struct arm64_regs *regs);
bool arm64_psci_init(void);

#endif /* ARM64_PSCI_H */
