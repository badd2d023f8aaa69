// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The ACPI DMAR table: where the VT-d remapping units are, which devices each one
 * translates, and which memory the firmware keeps DMA-reachable (RMRRs).
 *
 * Layout from the Intel VT-d specification (rev. 4.1, chapter 8 "BIOS
 * Considerations"), cited beside each field:
 *   8.1 DMA Remapping Reporting Structure (the table: header, HAW, flags);
 *   8.2 Remapping Structure Types (type u16, length u16 at the head of each);
 *   8.3 DMA Remapping Hardware Unit Definition (DRHD) Structure;
 *   8.3.1 Device Scope Structure;
 *   8.4 Reserved Memory Region Reporting (RMRR) Structure.
 * Other structures (ATSR 8.5, RHSA 8.6, ANDD 8.7, SATC 8.8, SIDP) are length-checked
 * and counted but not interpreted. Pure C over a byte buffer: the loader reads the
 * firmware's table in place, the unit tests feed it fixtures.
 */
#include "ldr.h"

#define DMAR_HDR_LEN   48u /* 8.1: ACPI header (36) + HAW (1) + flags (1) + reserved (10) */
#define DMAR_DRHD_LEN  16u /* 8.3: fixed part before the device scopes */
#define DMAR_RMRR_LEN  24u /* 8.4: fixed part before the device scopes */
#define DMAR_SCOPE_LEN 6u  /* 8.3.1: fixed part before the path */

static uint16_t dm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t dm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t dm_le64(const uint8_t *p)
{
	return (uint64_t)dm_le32(p) | (uint64_t)dm_le32(p + 4) << 32;
}

/*
 * 8.3.1 Device Scope Structures from off to end of structure s: Type (u8, off 0),
 * Length (u8, 1: 6 + 2 * path entries), Flags (u8, 2), Reserved (u8, 3), Enumeration
 * ID (u8, 4: IOAPIC ID / HPET number), Start Bus Number (u8, 5), Path (off 6: pairs of
 * Device, Function).
 */
static const char *dm_scopes(const uint8_t *s, uint32_t off, uint32_t end, struct ldr_dmar *d,
			     uint32_t *first, uint32_t *nr)
{
	*first = d->nr_scope;
	*nr = 0;
	while (off < end) {
		struct ldr_dmar_scope *sc;
		uint32_t slen, i;

		if (end - off < DMAR_SCOPE_LEN)
			return "device scope truncated";
		slen = s[off + 1];
		if (slen < DMAR_SCOPE_LEN || slen > end - off || (slen - DMAR_SCOPE_LEN) % 2)
			return "device scope length bad";
		if (slen == DMAR_SCOPE_LEN)
			return "device scope without a path";
		if (s[off] < LDR_DMAR_SCOPE_ENDPOINT || s[off] > LDR_DMAR_SCOPE_NAMESPACE)
			return "device scope of unknown type";
		if (d->nr_scope >= LDR_DMAR_MAX_SCOPES)
			return "too many device scopes";
		sc = &d->scope[d->nr_scope++];
		sc->type = s[off];
		sc->flags = s[off + 2];
		sc->enum_id = s[off + 4];
		sc->bus = s[off + 5];
		sc->depth = (uint8_t)((slen - DMAR_SCOPE_LEN) / 2);
		for (i = 0; i < sc->depth && i < LDR_DMAR_PATH_MAX; i++) {
			sc->path[i][0] = s[off + 6 + 2 * i];
			sc->path[i][1] = s[off + 7 + 2 * i];
			if (sc->path[i][0] > 31 || sc->path[i][1] > 7)
				return "device scope path entry out of range";
		}
		if (sc->depth > LDR_DMAR_PATH_MAX)
			return "device scope path deeper than the loader keeps";
		(*nr)++;
		off += slen;
	}
	return NULL;
}

const char *dmar_parse(const uint8_t *t, uint32_t len, struct ldr_dmar *out)
{
	/* Large (scope array): built in a static buffer, copied out only on success. */
	static struct ldr_dmar d;
	uint32_t off, i;
	uint8_t sum = 0;
	const char *err;

	if (len < DMAR_HDR_LEN || t[0] != 'D' || t[1] != 'M' || t[2] != 'A' || t[3] != 'R')
		return "not a DMAR table";
	if (dm_le32(t + 4) != len)
		return "DMAR length field does not match the table";
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	if (sum)
		return "DMAR checksum bad";
	d = (struct ldr_dmar){ 0 };
	/* 8.1: Host Address Width (off 36) is N - 1 for N address bits; Flags at 37. */
	d.haw = (uint8_t)(t[36] + 1);
	d.flags = t[37];
	for (off = DMAR_HDR_LEN; off < len;) {
		uint32_t type, slen;

		/* 8.2: every remapping structure begins with Type (u16) and Length (u16). */
		if (len - off < 4)
			return "remapping structure header truncated";
		type = dm_le16(t + off);
		slen = dm_le16(t + off + 2);
		if (slen < 4 || slen > len - off)
			return "remapping structure length bad";
		if (type == LDR_DMAR_TYPE_DRHD) {
			struct ldr_dmar_unit *u;

			if (slen < DMAR_DRHD_LEN)
				return "DRHD shorter than 16 bytes";
			if (d.nr_unit >= LDR_DMAR_MAX_UNITS)
				return "too many DRHD units";
			u = &d.unit[d.nr_unit];
			/*
			 * 8.3: Flags (u8, off 4; bit 0 INCLUDE_PCI_ALL), Size (u8, off 5;
			 * bits 3:0: the register set is 2^N 4 KiB pages), Segment Number
			 * (u16, off 6), Register Base Address (u64, off 8; 4 KiB aligned),
			 * Device Scope[] from off 16.
			 */
			u->flags = t[off + 4];
			u->size_pages = 1u << (t[off + 5] & 0xf);
			u->segment = dm_le16(t + off + 6);
			u->base = dm_le64(t + off + 8);
			if (!u->base || u->base & (LDR_PAGE_SIZE - 1))
				return "DRHD register base zero or not 4 KiB aligned";
			/*
			 * 8.3: an INCLUDE_PCI_ALL unit of a segment is listed after every other
			 * DRHD of that segment (so at most one, and last).
			 */
			for (i = 0; i < d.nr_unit; i++)
				if (d.unit[i].segment == u->segment &&
				    d.unit[i].flags & LDR_DMAR_INCLUDE_PCI_ALL)
					return "DRHD listed after the segment's INCLUDE_PCI_ALL unit";
			err = dm_scopes(t + off, DMAR_DRHD_LEN, slen, &d, &u->first_scope,
					&u->nr_scope);
			if (err)
				return err;
			d.nr_unit++;
		} else if (type == LDR_DMAR_TYPE_RMRR) {
			struct ldr_dmar_rmrr *r;

			if (slen < DMAR_RMRR_LEN)
				return "RMRR shorter than 24 bytes";
			if (d.nr_rmrr >= LDR_DMAR_MAX_RMRR)
				return "too many RMRRs";
			r = &d.rmrr[d.nr_rmrr];
			/*
			 * 8.4: Reserved (u16, off 4), Segment Number (u16, off 6), Reserved
			 * Memory Region Base Address (u64, off 8; 4 KiB aligned), Limit Address
			 * (u64, off 16; inclusive, limit + 1 4 KiB aligned), Device Scope[]
			 * from off 24 (endpoints or sub-hierarchies that use the region).
			 */
			r->segment = dm_le16(t + off + 6);
			r->base = dm_le64(t + off + 8);
			r->limit = dm_le64(t + off + 16);
			if (r->base & (LDR_PAGE_SIZE - 1) || (r->limit + 1) & (LDR_PAGE_SIZE - 1) ||
			    r->limit < r->base)
				return "RMRR range not 4 KiB aligned or empty";
			err = dm_scopes(t + off, DMAR_RMRR_LEN, slen, &d, &r->first_scope,
					&r->nr_scope);
			if (err)
				return err;
			if (!r->nr_scope)
				return "RMRR without a device scope";
			d.nr_rmrr++;
		} else {
			d.nr_other++; /* ATSR, RHSA, ANDD, SATC, SIDP or newer */
		}
		off += slen;
	}
	*out = d;
	return NULL;
}

/* --- text: one line per structure, for the loader's log and the tests --------- */

struct dm_buf {
	char *p;
	size_t cap, n;
};

static void dm_putc(struct dm_buf *b, char c)
{
	if (b->n + 1 < b->cap)
		b->p[b->n] = c;
	b->n++;
}

static void dm_puts(struct dm_buf *b, const char *s)
{
	while (*s)
		dm_putc(b, *s++);
}

static void dm_hex(struct dm_buf *b, uint64_t v, unsigned int min_digits, int prefix)
{
	char tmp[16];
	unsigned int n = 0;

	if (prefix)
		dm_puts(b, "0x");
	do {
		tmp[n++] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v && n < sizeof(tmp));
	while (n < min_digits && n < sizeof(tmp))
		tmp[n++] = '0';
	while (n)
		dm_putc(b, tmp[--n]);
}

static void dm_dec(struct dm_buf *b, uint32_t v)
{
	char tmp[10];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		dm_putc(b, tmp[--n]);
}

static void dm_scope_text(struct dm_buf *b, const struct ldr_dmar_scope *sc)
{
	static const char *const names[] = { "?", "endpoint", "bridge", "IOAPIC", "HPET", "ACPI" };
	unsigned int i;

	dm_puts(b, names[sc->type <= LDR_DMAR_SCOPE_NAMESPACE ? sc->type : 0]);
	if (sc->type >= LDR_DMAR_SCOPE_IOAPIC) {
		dm_puts(b, " id ");
		dm_dec(b, sc->enum_id);
	}
	/* Start bus, then device.function per hop (8.3.1.1: a bridge path is walked). */
	dm_putc(b, ' ');
	dm_hex(b, sc->bus, 2, 0);
	for (i = 0; i < sc->depth && i < LDR_DMAR_PATH_MAX; i++) {
		dm_putc(b, i ? '/' : ':');
		dm_hex(b, sc->path[i][0], 2, 0);
		dm_putc(b, '.');
		dm_hex(b, sc->path[i][1], 1, 0);
	}
}

static void dm_scopes_text(struct dm_buf *b, const struct ldr_dmar *d, uint32_t first, uint32_t nr)
{
	uint32_t i;

	if (!nr)
		return;
	dm_puts(b, "; scope");
	for (i = 0; i < nr; i++) {
		dm_puts(b, i ? ", " : " ");
		dm_scope_text(b, &d->scope[first + i]);
	}
}

size_t dmar_line(const struct ldr_dmar *d, uint32_t idx, char *buf, size_t cap)
{
	struct dm_buf b = { buf, cap, 0 };

	if (idx == 0) {
		/* 8.1 Flags: bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT, bit 2 DMA_CTRL_PLATFORM_OPT_IN. */
		dm_puts(&b, "host address width ");
		dm_dec(&b, d->haw);
		dm_puts(&b, ", flags ");
		dm_hex(&b, d->flags, 1, 1);
		if (d->flags & 1)
			dm_puts(&b, " INTR_REMAP");
		if (d->flags & 2)
			dm_puts(&b, " X2APIC_OPT_OUT");
		if (d->flags & 4)
			dm_puts(&b, " DMA_CTRL_PLATFORM_OPT_IN");
		dm_puts(&b, "; ");
		dm_dec(&b, d->nr_unit);
		dm_puts(&b, " unit(s), ");
		dm_dec(&b, d->nr_rmrr);
		dm_puts(&b, " RMRR(s), ");
		dm_dec(&b, d->nr_other);
		dm_puts(&b, " other structure(s)");
	} else if (idx <= d->nr_unit) {
		const struct ldr_dmar_unit *u = &d->unit[idx - 1];

		dm_puts(&b, "unit ");
		dm_hex(&b, u->base, 1, 1);
		dm_puts(&b, " segment ");
		dm_dec(&b, u->segment);
		dm_puts(&b, " size ");
		dm_dec(&b, u->size_pages * 4);
		dm_puts(&b, " KiB");
		if (u->flags & LDR_DMAR_INCLUDE_PCI_ALL)
			dm_puts(&b, " INCLUDE_PCI_ALL");
		dm_scopes_text(&b, d, u->first_scope, u->nr_scope);
	} else if (idx <= d->nr_unit + d->nr_rmrr) {
		const struct ldr_dmar_rmrr *r = &d->rmrr[idx - 1 - d->nr_unit];

		dm_puts(&b, "RMRR ");
		dm_hex(&b, r->base, 1, 1);
		dm_putc(&b, '-');
		dm_hex(&b, r->limit, 1, 1);
		dm_puts(&b, " segment ");
		dm_dec(&b, r->segment);
		dm_scopes_text(&b, d, r->first_scope, r->nr_scope);
	} else {
		return 0;
	}
	if (cap)
		buf[b.n < cap ? b.n : cap - 1] = '\0';
	return b.n;
}

int dmar_rid_translated(const struct ldr_dmar *d, uint16_t seg, uint8_t bus, uint8_t dev,
			uint8_t fn)
{
	uint32_t u, k;
	int all = 0;

	for (u = 0; u < d->nr_unit; u++) {
		const struct ldr_dmar_unit *un = &d->unit[u];

		if (un->segment != seg)
			continue;
		if (un->flags & LDR_DMAR_INCLUDE_PCI_ALL)
			all = 1;
		for (k = 0; k < un->nr_scope && un->first_scope + k < d->nr_scope; k++) {
			const struct ldr_dmar_scope *sc = &d->scope[un->first_scope + k];

			if (sc->type == LDR_DMAR_SCOPE_ENDPOINT && sc->depth == 1 &&
			    sc->bus == bus && sc->path[0][0] == dev && sc->path[0][1] == fn)
				return 1;
		}
	}
	return all;
}
