/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Byte-order readers and string helpers the loader's firmware-table parsers share
 * (fdt.c, hide.c, devmap.c): the loader links no C library.
 */
#ifndef LOCKSTEP_BOOT_BYTES_H
#define LOCKSTEP_BOOT_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Big-endian (flattened device tree, Devicetree Specification v0.4 5.1). */
static inline uint32_t ldr_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* @n big-endian 32-bit cells as one number (a DT address or size, n <= 2). */
static inline uint64_t ldr_cells(const uint8_t *v, uint32_t n)
{
	uint64_t x = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		x = x << 32 | ldr_be32(v + (size_t)4 * i);
	return x;
}

/* Little-endian (ACPI tables, ACPI 6.5 5.2). */
static inline uint32_t ldr_le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t ldr_le32(const uint8_t *p)
{
	return ldr_le16(p) | ldr_le16(p + 2) << 16;
}

static inline uint64_t ldr_le64(const uint8_t *p)
{
	return (uint64_t)ldr_le32(p) | (uint64_t)ldr_le32(p + 4) << 32;
}

static inline int ldr_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Does the NUL-separated string list [v, v + len) hold s? (NULL v: no; unterminated: no) */
static inline int ldr_list_has(const uint8_t *v, uint32_t len, const char *s)
{
	uint32_t i = 0;

	while (v && i < len) {
		uint32_t j = i;

		while (j < len && v[j])
			j++;
		if (j == len)
			return 0;
		if (ldr_streq((const char *)v + i, s))
			return 1;
		i = j + 1;
	}
	return 0;
}

#endif /* LOCKSTEP_BOOT_BYTES_H */
