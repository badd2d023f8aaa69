/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stage-2 TLB invalidation by VMID (plat.c) for hyp/mem: host 0, VM n: n + 1.
 */
#ifndef ARM64_S2_H
#define ARM64_S2_H

#include "hyp/own.h"

extern const struct own_inval_ops arm64_s2_inval_ops;
void arm64_s2_flush_all(void);

#endif /* ARM64_S2_H */
