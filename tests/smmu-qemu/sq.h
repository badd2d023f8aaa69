/* SPDX-License-Identifier: GPL-2.0-only */
/* Bare-metal SMMUv3 QEMU test: runtime helpers (rt.c). */
#ifndef TESTS_SQ_H
#define TESTS_SQ_H

#include <string.h>

#include "hyp/types.h"

void sq_puts(const char *s);
void sq_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
u64 sq_now_us(void);
int sq_main(void);

#endif /* TESTS_SQ_H */
