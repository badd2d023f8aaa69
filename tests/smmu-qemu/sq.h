/* SPDX-License-Identifier: GPL-2.0-only */
/* Bare-metal SMMUv3 QEMU test: the runtime is tests/lib/bm (bm.h) with rt.c's arm64 part. */
#ifndef TESTS_SQ_H
#define TESTS_SQ_H

#include "bm.h"

int sq_main(void);

#endif /* TESTS_SQ_H */
