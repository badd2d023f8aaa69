// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The C library functions the multiboot2 test loader and the boot/ files it reuses
 * (config.c, image.c, acpi.c, dmar.c, sig.c with mbedtls) call. Freestanding: loops GCC
 * would turn back into calls to these very functions are kept as loops.
 */
#include "mb2.h"

#define MB2_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void ls_mbedtls_exit(int status);

MB2_NO_LIBCALLS void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

MB2_NO_LIBCALLS void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

MB2_NO_LIBCALLS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

MB2_NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		while (n--)
			*d++ = *s++;
	else
		while (n--)
			d[n] = s[n];
	return dst;
}

MB2_NO_LIBCALLS size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

MB2_NO_LIBCALLS int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* mbedtls' buffer allocator found its heap corrupted: stop here, loudly. */
void ls_mbedtls_exit(int status)
{
	mb2_panic("crypto heap corrupted (mbedtls status %d)", status);
}
