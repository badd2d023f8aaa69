/* SPDX-License-Identifier: GPL-2.0-only */
/* The string functions the core and the compiler (struct copies) need; x86/lib.c. */
#ifndef X86_LIBC_STRING_H
#define X86_LIBC_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif /* X86_LIBC_STRING_H */
