// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The multiboot2 test loader's own part of the C library: memcpy and memset (the UEFI
 * loaders take libefi's), and mbedtls' stop. The rest, shared with the UEFI loaders, is
 * boot/libc.c.
 */
#include "mb2.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
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

/* mbedtls' buffer allocator found its heap corrupted: stop here, loudly. */
void ls_mbedtls_exit(int status)
{
	mb2_panic("crypto heap corrupted (mbedtls status %d)", status);
}
