/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exceptions taken to EL2 (trap.c), entered from vectors.S.
 */
#ifndef ARM64_TRAP_H
#define ARM64_TRAP_H

#include "hyp/types.h"

struct arm64_regs;

void arm64_trap_lower(struct arm64_regs *regs);
void arm64_trap_current(struct arm64_regs *regs, u64 kind);
void arm64_inject_abort(u64 esr_el2, u64 far);

#endif /* ARM64_TRAP_H */
