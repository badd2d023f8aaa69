// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The C library functions the multiboot2 test loader and the boot/ files it reuses
 * (config.c, image.c, dmar.c, sig.c with mbedtls) call. Freestanding: loops GCC
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

/*
 * memcpy and memset with REP MOVSB / REP STOSB (Intel SDM Vol. 2B; "fast strings"): the
 * loader copies the kernel and zeroes the hypervisor's region, tens of MiB, and Bochs runs
 * string instructions much faster than the equivalent loops.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
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

/* Forwards with REP MOVSB when that cannot overwrite the source before it is read. */
MB2_NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
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
