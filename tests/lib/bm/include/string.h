/* SPDX-License-Identifier: GPL-2.0-only */
/* The few string functions of the bare-metal test runtime (tests/lib/bm/rt.c). */
#ifndef TESTS_BM_STRING_H
#define TESTS_BM_STRING_H

#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* TESTS_BM_STRING_H */
