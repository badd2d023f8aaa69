// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The C library functions the loaders' shared code and mbedtls (boot/sig.c) call that the
 * loader's environment does not provide, for both loaders: the UEFI ones (gnu-efi's libefi
 * has memcpy and memset) and the multiboot2 test loader (boot/mb2/libc.c has its own
 * memcpy and memset). Never the host tests. Freestanding: loops GCC would turn back into
 * calls to these very functions are kept as loops.
 */
#include <stddef.h>

#define LDR_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

LDR_NO_LIBCALLS int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

/*
 * Forwards through memcpy when that cannot overwrite the source before it is read: both
 * loaders' memcpy copies forwards (libefi's a byte loop, the multiboot2 loader's REP MOVSB,
 * which moves the kernel in Bochs much faster than a loop); backwards otherwise.
 */
LDR_NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

LDR_NO_LIBCALLS size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

LDR_NO_LIBCALLS int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}
