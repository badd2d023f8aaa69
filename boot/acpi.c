// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Platform discovery from ACPI when the firmware offers no device tree: RSDP
 * (ACPI 6.5 section 5.2.5.3) -> XSDT (5.2.8) -> SPCR (Microsoft "Serial Port
 * Console Redirection Table", revision 2) for the console, IORT for the SMMUv3. Tables are read in place through the
 * firmware's identity map; lengths and checksums are checked before use.
 */
#include "ldr.h"

#define ACPI_HDR_LEN   36u
#define ACPI_TABLE_MAX (1u << 20) /* sanity bound on a table's length */

/* SPCR Interface Type values for PL011-compatible UARTs (DBG2 port subtypes). */
#define SPCR_IF_PL011	0x03
#define SPCR_IF_SBSA_32 0x0d
#define SPCR_IF_SBSA	0x0e

static uint32_t acpi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t acpi_le64(const uint8_t *p)
{
	return (uint64_t)acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32;
}

static int acpi_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static int acpi_sig(const uint8_t *p, const char *sig, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return 0;
	return 1;
}

/* A system description table at phys, checked; NULL if absent or corrupt. */
static const uint8_t *acpi_table(uint64_t phys)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)phys;
	uint32_t len;

	if (!t)
		return NULL;
	len = acpi_le32(t + 4);
	if (len < ACPI_HDR_LEN || len > ACPI_TABLE_MAX || !acpi_sum_ok(t, len))
		return NULL;
	return t;
}

/* The first table with signature sig listed in the XSDT, checked; NULL if none. */
static const uint8_t *acpi_find_table(const void *rsdp, const char *sig)
{
	const uint8_t *r = rsdp, *x;
	uint32_t len, i;

	if (!r || !acpi_sig(r, "RSD PTR ", 8) || r[15] < 2) /* XSDT needs revision >= 2 */
		return NULL;
	len = acpi_le32(r + 20);
	if (len < 36 || len > 4096 || !acpi_sum_ok(r, 20) || !acpi_sum_ok(r, len))
		return NULL;
	x = acpi_table(acpi_le64(r + 24));
	if (!x || !acpi_sig(x, "XSDT", 4))
		return NULL;
	len = acpi_le32(x + 4);
	for (i = ACPI_HDR_LEN; i + 8 <= len; i += 8) {
		const uint8_t *t = acpi_table(acpi_le64(x + i));

		if (t && acpi_sig(t, sig, 4))
			return t;
	}
	return NULL;
}

const char *acpi_locate(const void *rsdp, const char *sig, uint64_t *xsdt, uint32_t *entry_off,
			uint64_t *table)
{
	const uint8_t *r = rsdp, *x;
	uint32_t len, i;

	if (!r || !acpi_sig(r, "RSD PTR ", 8) || r[15] < 2)
		return "no ACPI 2.0+ RSDP";
	len = acpi_le32(r + 20);
	if (len < 36 || len > 4096 || !acpi_sum_ok(r, 20) || !acpi_sum_ok(r, len))
		return "RSDP length or checksum bad";
	x = acpi_table(acpi_le64(r + 24));
	if (!x || !acpi_sig(x, "XSDT", 4))
		return "XSDT missing, too long or bad checksum";
	len = acpi_le32(x + 4);
	for (i = ACPI_HDR_LEN; i + 8 <= len; i += 8) {
		const uint8_t *t = (const uint8_t *)(uintptr_t)acpi_le64(x + i);

		if (!t || !acpi_sig(t, sig, 4))
			continue;
		if (!acpi_table(acpi_le64(x + i)))
			return "table length or checksum bad";
		*xsdt = (uint64_t)(uintptr_t)x;
		*entry_off = i;
		*table = acpi_le64(x + i);
		return NULL;
	}
	return "table not listed in the XSDT";
}

uint64_t acpi_find_pl011(const void *rsdp)
{
	const uint8_t *spcr = acpi_find_table(rsdp, "SPCR");

	/* Interface Type at 36; Base Address, a Generic Address Structure, at 40. */
	if (!spcr || acpi_le32(spcr + 4) < 52)
		return 0;
	if (spcr[36] != SPCR_IF_PL011 && spcr[36] != SPCR_IF_SBSA_32 && spcr[36] != SPCR_IF_SBSA)
		return 0;
	if (spcr[40] != 0) /* GAS address space 0: system memory (ACPI 6.5 5.2.3.2) */
		return 0;
	return acpi_le64(spcr + 44);
}

/*
 * IORT (Arm DEN 0049 "IO Remapping Table"): after the 36-byte header, the number of
 * nodes (u32 at 36) and the offset of the node array (u32 at 40). Every node starts
 * with Type (u8), Length (u16), Revision (u8), Identifier (u32), Number of ID
 * mappings (u32), Reference to ID array (u32); an SMMUv3 node (type 4) then has its
 * Base Address (u64) at offset 16.
 */
#define IORT_NODE_SMMUV3 4

int acpi_find_smmuv3(const void *rsdp, uint64_t *base)
{
	const uint8_t *t = acpi_find_table(rsdp, "IORT");
	uint32_t len, nr, off, i;

	if (!t)
		return -1;
	len = acpi_le32(t + 4);
	if (len < 48)
		return -1;
	nr = acpi_le32(t + 36);
	off = acpi_le32(t + 40);
	for (i = 0; i < nr; i++) {
		uint32_t nlen;

		if (off < 48 || off > len || len - off < 16)
			return -1;
		nlen = (uint32_t)t[off + 1] | (uint32_t)t[off + 2] << 8;
		if (nlen < 16 || nlen > len - off)
			return -1;
		if (t[off] == IORT_NODE_SMMUV3) {
			if (nlen < 24)
				return -1;
			*base = acpi_le64(t + off + 16);
			return 0;
		}
		off += nlen;
	}
	return -1;
}
