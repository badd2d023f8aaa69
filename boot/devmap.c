// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Which device MMIO the host may reach (docs/iommu.md "Which DMA masters Lockstep
 * covers", docs/boot.md "Devices hidden from the host").
 *
 * Default deny. A device window goes into the host stage-2 only when the firmware
 * description says the device is either not a DMA master (interrupt controller,
 * UART, RTC, GPIO, NOR flash) or a master whose every DMA the SMMU Lockstep owns
 * translates (a PCIe root complex all of whose requester IDs map to that SMMU, a
 * node whose iommus all name it). Every other device with registers is denied,
 * and recorded so that the loader can hide it from Linux. Pure C over byte
 * buffers: the same code runs in BOOTAA64.EFI and in boot/tests.
 */
#include "bytes.h"
#include "ldr.h"

#define FDT_MAGIC    0xd00dfeedu
#define DM_DEPTH_MAX 16
#define DM_PAGE	     4096ULL

static int dm_memeq(const void *a, const char *b, uint32_t n)
{
	const uint8_t *p = a;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)b[i])
			return 0;
	return 1;
}

static void dm_name(char *d, uint32_t cap, const char *a, const char *b)
{
	uint32_t n = 0;

	while (a && *a && n + 1 < cap)
		d[n++] = *a++;
	while (b && *b && n + 1 < cap)
		d[n++] = *b++;
	d[n] = '\0';
}

void devmap_init(struct ldr_devmap *m)
{
	uint32_t i;
	uint8_t *p = (uint8_t *)m;

	for (i = 0; i < sizeof(*m); i++)
		p[i] = 0;
}

static void dm_window(struct ldr_devmap *m, int allow, uint64_t base, uint64_t size)
{
	struct ls_mem_range *w = allow ? m->allow : m->deny;
	uint32_t *nr = allow ? &m->nr_allow : &m->nr_deny;

	if (!size || base + size < base)
		return;
	if (*nr == LDR_WIN_MAX) {
		m->overflow = 1;
		return;
	}
	w[*nr].base = base;
	w[*nr].size = size;
	(*nr)++;
}

/* The GIC guard's frames (boot.h gicd_base, gicr, its). */
static void dm_gicr(struct ldr_devmap *m, uint64_t base, uint64_t size)
{
	if (m->nr_gicr == LS_BOOT_MAX_GICR) {
		m->gic_overflow = 1;
		return;
	}
	m->gicr[m->nr_gicr].base = base;
	m->gicr[m->nr_gicr].size = size;
	m->nr_gicr++;
}

static void dm_its(struct ldr_devmap *m, uint64_t base)
{
	if (m->nr_its == LS_BOOT_MAX_ITS) {
		m->gic_overflow = 1;
		return;
	}
	m->its[m->nr_its++] = base;
}

/* Record a device and its windows; returns its index in m->dev or -1 if dev[] is full. */
static int dm_device(struct ldr_devmap *m, uint32_t src, const char *name, const char *name2,
		     uint32_t verdict, const char *why, const struct ls_mem_range *win,
		     uint32_t nwin, uint32_t hide_off)
{
	struct ldr_dev *d;
	uint32_t i;

	for (i = 0; i < nwin; i++)
		dm_window(m, verdict == LDR_DEV_ALLOW, win[i].base, win[i].size);
	if (m->nr_dev == LDR_DEV_MAX) {
		m->dropped++;
		return -1;
	}
	d = &m->dev[m->nr_dev];
	dm_name(d->name, sizeof(d->name), name, name2);
	d->verdict = verdict;
	d->why = why;
	d->hide_off = hide_off;
	d->base = nwin ? win[0].base : 0;
	d->size = nwin ? win[0].size : 0;
	d->nwin = nwin;
	d->src = src;
	return (int)m->nr_dev++;
}

/* ---- Device tree ----------------------------------------------------------------- */

/* Compatibles of devices that are not DMA masters (docs/iommu.md table). */
static const struct {
	const char *compat, *why;
} dm_dt_allow[] = {
	{ "arm,gic-v3", "GICv3 distributor/redistributors (LPI tables: see docs/iommu.md)" },
	{ "arm,gic-v3-its", "GICv3 ITS (its tables: see docs/iommu.md)" },
	{ "arm,gic-400", "GICv2 interrupt controller" },
	{ "arm,cortex-a15-gic", "GICv2 interrupt controller" },
	{ "arm,pl011", "PL011 UART: no DMA of its own" },
	{ "arm,sbsa-uart", "SBSA UART: no DMA" },
	{ "arm,pl031", "PL031 RTC: no DMA" },
	{ "arm,pl061", "PL061 GPIO: no DMA" },
	{ "cfi-flash", "CFI NOR flash (UEFI variables): no DMA" },
	{ "arm,armv7-timer-mem", "memory-mapped generic timer: no DMA" },
};

/* Known DMA masters, denied with a precise reason (anything unknown is denied too). */
static const struct {
	const char *compat, *why;
} dm_dt_deny[] = {
	{ "virtio,mmio", "virtio-mmio transport: a DMA master outside every SMMU" },
	{ "qemu,fw-cfg-mmio", "fw-cfg: its DMA interface writes any physical address" },
};

struct dm_level {
	uint32_t acells, scells; /* this node's #address-cells / #size-cells (for children) */
	const uint8_t *ranges;	 /* this node's ranges (NULL: none; len 0: identity) */
	uint32_t ranges_len;
	int has_ranges, translatable;
};

struct dm_dtnode {
	uint32_t off; /* structure-block offset of its BEGIN_NODE */
	const char *name;
	const uint8_t *compat, *reg, *iommus, *imap, *ranges, *dtype;
	uint32_t compat_len, reg_len, iommus_len, imap_len, ranges_len, dtype_len;
	uint32_t phandle, imap_mask, has_imap_mask, disabled, iommu_cells;
	uint32_t redist_regions; /* #redistributor-regions (arm,gic-v3), 0 if absent */
};

struct dm_dt {
	struct ldr_devmap *m;
	const uint8_t *b;
	uint32_t off_struct, size_struct, off_strings, size_strings;
	uint64_t smmu_base;
	uint32_t smmu_phandle, smmu_cells;
	struct dm_level lv[DM_DEPTH_MAX + 1];
	char path[LDR_DEV_NAME];
	/* The walk in progress (dm_dt_pass). */
	int pass, pending;
	uint32_t plen[DM_DEPTH_MAX + 1];
	struct dm_dtnode n; /* the node whose properties are being read */
	const char *err;
};

/*
 * Translate addr (in the address space of the node at depth d's parent, i.e. the
 * space defined by depth d-1) to a CPU physical address through every ancestor's
 * ranges (Devicetree Specification v0.4, 2.3.8). 0 on success.
 */
static int dm_translate(const struct dm_dt *t, int d, uint64_t *addr, uint64_t size)
{
	int lvl;

	for (lvl = d - 1; lvl >= 1; lvl--) {
		const struct dm_level *l = &t->lv[lvl], *pl = &t->lv[lvl - 1];
		uint32_t ca = l->acells, pa = pl->acells, cs = l->scells, stride, i;
		int hit = 0;

		if (!l->has_ranges)
			return -1;
		if (!l->ranges_len)
			continue; /* empty ranges: identity */
		if (ca < 1 || ca > 2 || pa < 1 || pa > 2 || cs > 2)
			return -1;
		stride = 4 * (ca + pa + cs);
		for (i = 0; i + stride <= l->ranges_len; i += stride) {
			uint64_t c = ldr_cells(l->ranges + i, ca);
			uint64_t p = ldr_cells(l->ranges + i + (size_t)4 * ca, pa);
			uint64_t s = ldr_cells(l->ranges + i + (size_t)4 * (ca + pa), cs);

			if (*addr >= c && *addr - c < s && size <= s - (*addr - c)) {
				*addr = p + (*addr - c);
				hit = 1;
				break;
			}
		}
		if (!hit)
			return -1;
	}
	return 0;
}

/* Does every iommus entry (or, with is_map, every iommu-map entry) name the SMMU? */
static int dm_all_smmu(const struct dm_dt *t, const uint8_t *v, uint32_t len, int is_map)
{
	uint32_t stride = is_map ? 4 : 1 + t->smmu_cells, i;

	if (!t->smmu_phandle || !len || len % (4 * stride))
		return 0;
	for (i = 0; i < len / (4 * stride); i++)
		if (ldr_be32(v + (size_t)4 * (i * stride + (is_map ? 1 : 0))) != t->smmu_phandle)
			return 0;
	return 1;
}

/* Record the RIDs of an iommu-map (pci-iommu.yaml: <rid-base phandle sid-base length>). */
static void dm_imap_rids(struct ldr_devmap *m, const struct dm_dtnode *n)
{
	uint32_t i, cnt = n->imap_len / 16;

	for (i = 0; i < cnt && m->nr_pci_rids < LS_BOOT_MAX_SID_RANGES; i++) {
		m->pci_rids[m->nr_pci_rids].base = ldr_be32(n->imap + (size_t)16 * i);
		m->pci_rids[m->nr_pci_rids].count = ldr_be32(n->imap + (size_t)16 * i + 12);
		m->nr_pci_rids++;
	}
	m->pci_rids_known = 1;
}

/* A node's properties are all known: classify it. */
static void dm_dt_node(struct dm_dt *t, int d, const struct dm_dtnode *n)
{
	const struct dm_level *pl = &t->lv[d - 1];
	struct ls_mem_range win[LDR_DEV_WIN];
	uint32_t nwin = 0, ac = pl->acells, sc = pl->scells, stride, i;
	const char *why = NULL;
	int is_pci, allow = 0;

	if (n->disabled || !n->reg || d < 1 || !pl->translatable)
		return;
	if (n->dtype && ldr_list_has(n->dtype, n->dtype_len, "memory"))
		return; /* RAM: the UEFI memory map is the authority */
	if (dm_memeq(t->path, "/reserved-memory/", 17))
		return;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return; /* no CPU address (a bus of its own) */
	stride = 4 * (ac + sc);
	for (i = 0; i + stride <= n->reg_len && nwin < LDR_DEV_WIN; i += stride) {
		uint64_t a = ldr_cells(n->reg + i, ac),
			 s = ldr_cells(n->reg + i + (size_t)4 * ac, sc);

		if (!s || dm_translate(t, d, &a, s))
			continue;
		win[nwin].base = a;
		win[nwin].size = s;
		nwin++;
	}
	if (!nwin)
		return;
	if (ldr_list_has(n->compat, n->compat_len, "arm,smmu-v3") && win[0].base == t->smmu_base)
		return; /* Lockstep's own: never the host's (boot/hide.c hides it) */
	/* GICv3 bindings (arm,gic-v3.yaml): reg = GICD, then the GICR regions, then others. */
	if (ldr_list_has(n->compat, n->compat_len, "arm,gic-v3")) {
		uint32_t nr = n->redist_regions ? n->redist_regions : 1;

		t->m->gicd = win[0].base;
		for (i = 1; i <= nr && i < nwin; i++)
			dm_gicr(t->m, win[i].base, win[i].size);
	} else if (ldr_list_has(n->compat, n->compat_len, "arm,gic-v3-its")) {
		dm_its(t->m, win[0].base);
	}
	is_pci = (n->dtype && ldr_list_has(n->dtype, n->dtype_len, "pci")) ||
		 ldr_list_has(n->compat, n->compat_len, "pci-host-ecam-generic");
	for (i = 0; !why && i < sizeof(dm_dt_allow) / sizeof(dm_dt_allow[0]); i++)
		if (ldr_list_has(n->compat, n->compat_len, dm_dt_allow[i].compat)) {
			why = dm_dt_allow[i].why;
			allow = 1;
		}
	for (i = 0; !why && i < sizeof(dm_dt_deny) / sizeof(dm_dt_deny[0]); i++)
		if (ldr_list_has(n->compat, n->compat_len, dm_dt_deny[i].compat))
			why = dm_dt_deny[i].why;
	if (!why && is_pci) {
		if (n->imap && dm_all_smmu(t, n->imap, n->imap_len, 1) && !n->has_imap_mask) {
			/* ranges: <phys.hi phys.mid phys.lo  cpu-addr  size.hi size.lo> */
			uint32_t pa = pl->acells, rs = 4 * (3 + pa + 2);

			for (i = 0; n->ranges && i + rs <= n->ranges_len && nwin < LDR_DEV_WIN;
			     i += rs) {
				uint64_t a = ldr_cells(n->ranges + i + 12, pa);
				uint64_t s = ldr_cells(n->ranges + i + 12 + (size_t)4 * pa, 2);

				if (!s || dm_translate(t, d, &a, s))
					continue;
				win[nwin].base = a;
				win[nwin].size = s;
				nwin++;
			}
			dm_imap_rids(t->m, n);
			why = "PCIe root complex whose iommu-map names only the SMMU Lockstep owns "
			      "(every function checked against it: boot/pcicheck.c)";
			allow = 1;
		} else {
			why = "PCIe root complex without an iommu-map to the SMMU Lockstep owns";
		}
	}
	if (!why && n->iommus) {
		if (dm_all_smmu(t, n->iommus, n->iommus_len, 0)) {
			why = "DMA translated by the SMMU Lockstep owns (iommus)";
			allow = 1;
		} else {
			why = "DMA behind an IOMMU Lockstep does not own";
		}
	}
	if (!why)
		why = "unknown device: not known to be free of DMA, not behind the SMMU";
	dm_device(t->m, LDR_SRC_DT, t->path, NULL, allow ? LDR_DEV_ALLOW : LDR_DEV_DENY, why, win,
		  nwin, allow ? UINT32_MAX : n->off);
}

/*
 * A node's properties are all known once its first child begins or it ends (properties
 * come first in a node, DT spec 5.4.1): pass 0 notes the SMMU's phandle and
 * #iommu-cells, pass 1 classifies; and its children's addresses are translatable if it
 * is and has ranges.
 */
static void dm_dt_flush(struct dm_dt *t, int depth)
{
	const struct dm_dtnode *n = &t->n;

	if (!t->pending)
		return;
	t->pending = 0;
	if (t->pass == 0) {
		if (ldr_list_has(n->compat, n->compat_len, "arm,smmu-v3") && n->reg &&
		    n->reg_len >= 8 && ldr_cells(n->reg, 2) == t->smmu_base &&
		    t->lv[depth - 1 < 0 ? 0 : depth - 1].acells == 2) {
			t->smmu_phandle = n->phandle;
			t->smmu_cells = n->iommu_cells;
		}
	} else if (depth >= 1) {
		dm_dt_node(t, depth, n);
	}
	t->lv[depth].translatable = depth == 0 ||
				    (t->lv[depth - 1].translatable && t->lv[depth].has_ranges &&
				     !(n->dtype && ldr_list_has(n->dtype, n->dtype_len, "pci")) &&
				     !n->disabled);
}

static int dm_dt_begin(void *ctx, int depth, uint32_t off, const char *name)
{
	struct dm_dt *t = ctx;
	uint32_t len = 0, base, i;

	if (depth > DM_DEPTH_MAX) {
		t->err = "DT: nodes nested too deep";
		return 1;
	}
	if (depth > 0)
		dm_dt_flush(t, depth - 1);
	while (name[len])
		len++;
	if (depth == 0) {
		t->path[0] = '\0';
		t->plen[0] = 0;
	} else {
		base = t->plen[depth - 1];
		for (i = 0; i <= len && base + 1 + i < LDR_DEV_NAME - 1; i++)
			t->path[base + 1 + i] = name[i];
		if (base < LDR_DEV_NAME - 1)
			t->path[base] = '/';
		t->plen[depth] = base + 1 + len < LDR_DEV_NAME - 1 ? base + 1 + len :
								     LDR_DEV_NAME - 1;
		t->path[t->plen[depth]] = '\0';
	}
	t->lv[depth] = (struct dm_level){ .acells = 2, .scells = 1 };
	t->n = (struct dm_dtnode){ .off = off, .name = name, .iommu_cells = 1 };
	t->pending = 1;
	return 0;
}

static int dm_dt_end(void *ctx, int depth)
{
	struct dm_dt *t = ctx;

	dm_dt_flush(t, depth);
	if (depth > 0)
		t->path[t->plen[depth - 1]] = '\0';
	return 0;
}

static int dm_dt_prop(void *ctx, int depth, uint32_t off, const char *pn, const uint8_t *v,
		      uint32_t len)
{
	struct dm_dt *t = ctx;
	struct dm_dtnode *n = &t->n;

	(void)off;
	if (ldr_streq(pn, "#address-cells") && len == 4)
		t->lv[depth].acells = ldr_be32(v);
	else if (ldr_streq(pn, "#size-cells") && len == 4)
		t->lv[depth].scells = ldr_be32(v);
	else if (ldr_streq(pn, "ranges")) {
		t->lv[depth].has_ranges = 1;
		t->lv[depth].ranges = v;
		t->lv[depth].ranges_len = len;
		n->ranges = v;
		n->ranges_len = len;
	} else if (ldr_streq(pn, "compatible")) {
		n->compat = v;
		n->compat_len = len;
	} else if (ldr_streq(pn, "reg")) {
		n->reg = v;
		n->reg_len = len;
	} else if (ldr_streq(pn, "status")) {
		n->disabled = !ldr_list_has(v, len, "okay") && !ldr_list_has(v, len, "ok");
	} else if (ldr_streq(pn, "device_type")) {
		n->dtype = v;
		n->dtype_len = len;
	} else if (ldr_streq(pn, "iommus")) {
		n->iommus = v;
		n->iommus_len = len;
	} else if (ldr_streq(pn, "iommu-map")) {
		n->imap = v;
		n->imap_len = len;
	} else if (ldr_streq(pn, "iommu-map-mask") && len == 4) {
		n->imap_mask = ldr_be32(v);
		n->has_imap_mask = 1;
	} else if (ldr_streq(pn, "phandle") && len == 4) {
		n->phandle = ldr_be32(v);
	} else if (ldr_streq(pn, "#iommu-cells") && len == 4) {
		n->iommu_cells = ldr_be32(v);
	} else if (ldr_streq(pn, "#redistributor-regions") && len == 4) {
		n->redist_regions = ldr_be32(v);
	}
	return 0;
}

/* One pass over the structure block through the shared walker (fdt_scan, boot/hide.c). */
static const char *dm_dt_pass(struct dm_dt *t, int pass)
{
	static const struct fdt_scan_ops ops = { .begin = dm_dt_begin,
						 .prop = dm_dt_prop,
						 .end = dm_dt_end };
	const char *err;

	t->pass = pass;
	t->pending = 0;
	t->err = NULL;
	err = fdt_scan(t->b, t->off_struct, t->size_struct, t->off_strings, t->size_strings, &ops,
		       t);
	return err ? err : t->err;
}

const char *devmap_fdt(struct ldr_devmap *m, const void *fdt, uint32_t size, uint64_t smmu_base)
{
	static struct dm_dt t; /* large; the loader is single-threaded */
	const uint8_t *b = fdt;
	const char *err;
	uint32_t total;

	if (size < 40 || ldr_be32(b) != FDT_MAGIC)
		return "DT: bad magic";
	total = ldr_be32(b + 4);
	t = (struct dm_dt){ .m = m, .b = b, .smmu_base = smmu_base };
	t.off_struct = ldr_be32(b + 8);
	t.off_strings = ldr_be32(b + 12);
	t.size_strings = ldr_be32(b + 32);
	t.size_struct = ldr_be32(b + 36);
	if (total > size || total < 40 || ldr_be32(b + 20) < 17 || t.off_struct > total ||
	    t.size_struct > total - t.off_struct || t.off_strings > total ||
	    t.size_strings > total - t.off_strings)
		return "DT: header sizes out of the blob (or version < 17)";
	err = dm_dt_pass(&t, 0);
	if (!err && t.smmu_phandle && t.smmu_cells > 4)
		err = "DT: SMMUv3 #iommu-cells above 4";
	if (!err)
		err = dm_dt_pass(&t, 1);
	if (!err)
		m->flags |= LS_BOOT_MMIO_FROM_DT;
	return err;
}

/* ---- ACPI ------------------------------------------------------------------------ */

#define ACPI_HDR 36u

static int dm_sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

static const uint8_t *dm_table(uint64_t phys)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)phys;
	uint32_t len;

	if (!t)
		return NULL;
	len = ldr_le32(t + 4);
	if (len < ACPI_HDR || len > (8u << 20) || !dm_sum_ok(t, len))
		return NULL;
	return t;
}

/*
 * Every table with signature sig, in order: the idx-th, or NULL. Through the XSDT (64-bit
 * entries) when the RSDP has one (revision >= 2, ACPI 6.5 5.2.5.3), else through the RSDT
 * (32-bit entries, 5.2.7): a BIOS machine's ACPI 1.0 RSDP (revision 0), as SeaBIOS gives.
 */
static const uint8_t *dm_acpi_find(const void *rsdp, const char *sig, uint32_t idx)
{
	const uint8_t *r = rsdp, *x;
	uint32_t len, i, esz = 8;

	if (!r || !dm_memeq(r, "RSD PTR ", 8) || !dm_sum_ok(r, 20))
		return NULL;
	if (r[15] >= 2) {
		len = ldr_le32(r + 20);
		if (len < 36 || len > 4096 || !dm_sum_ok(r, len))
			return NULL;
		x = dm_table(ldr_le64(r + 24));
		if (!x || !dm_memeq(x, "XSDT", 4))
			return NULL;
	} else {
		x = dm_table(ldr_le32(r + 16));
		if (!x || !dm_memeq(x, "RSDT", 4))
			return NULL;
		esz = 4;
	}
	len = ldr_le32(x + 4);
	for (i = ACPI_HDR; i + esz <= len; i += esz) {
		const uint8_t *t = dm_table(esz == 8 ? ldr_le64(x + i) : ldr_le32(x + i));

		if (t && dm_memeq(t, sig, 4) && idx-- == 0)
			return t;
	}
	return NULL;
}

/* MADT (ACPI 6.5 5.2.12): GIC distributor, redistributors, ITS, CPU interfaces. */
static void dm_madt(struct ldr_devmap *m, const uint8_t *t)
{
	uint32_t len = ldr_le32(t + 4), off = ACPI_HDR + 8;

	while (off + 2 <= len) {
		const uint8_t *e = t + off;
		uint32_t el = e[1];
		struct ls_mem_range w[3];
		uint32_t nw = 0;

		if (el < 2 || el > len - off)
			break;
		switch (e[0]) {
		case 0x01: /* I/O APIC (5.2.12.3): address +4, 32 bits; one 4 KiB page */
			if (el >= 12) {
				w[0] = (struct ls_mem_range){ ldr_le32(e + 4), 0x1000 };
				dm_device(m, LDR_SRC_TABLE, "MADT IOAPIC", NULL, LDR_DEV_ALLOW,
					  "I/O APIC (interrupt controller): no DMA", w, 1,
					  UINT32_MAX);
			}
			break;
		case 0x0b: /* GICC (5.2.12.14): base +32, GICV +40, GICH +48, GICR +60 */
			if (el >= 68) {
				if (ldr_le64(e + 32))
					w[nw++] = (struct ls_mem_range){ ldr_le64(e + 32), 0x2000 };
				if (ldr_le64(e + 40))
					w[nw++] = (struct ls_mem_range){ ldr_le64(e + 40), 0x2000 };
				if (ldr_le64(e + 60)) {
					w[nw++] =
						(struct ls_mem_range){ ldr_le64(e + 60), 0x20000 };
					/* Used only when no GICR structure exists (5.2.12.14). */
					if (!m->nr_gicr || m->gicr_from_gicc) {
						dm_gicr(m, ldr_le64(e + 60), 0x20000);
						m->gicr_from_gicc = 1;
					}
				}
				/* GICH (+48) is the hypervisor's virtual interface control: denied. */
				if (nw)
					dm_device(m, LDR_SRC_TABLE, "MADT GICC", NULL,
						  LDR_DEV_ALLOW,
						  "GIC CPU interface / redistributor", w, nw,
						  UINT32_MAX);
			}
			break;
		case 0x0c: /* GICD (5.2.12.15): base +8; 64 KiB (GICv3 IHI 0069 12.1) */
			if (el >= 16) {
				w[0] = (struct ls_mem_range){ ldr_le64(e + 8), 0x10000 };
				m->gicd = w[0].base;
				dm_device(m, LDR_SRC_TABLE, "MADT GICD", NULL, LDR_DEV_ALLOW,
					  "GIC distributor (interrupt controller)", w, 1,
					  UINT32_MAX);
			}
			break;
		case 0x0e: /* GICR (5.2.12.17): discovery range base +4, length +12 */
			if (el >= 16) {
				w[0] = (struct ls_mem_range){ ldr_le64(e + 4), ldr_le32(e + 12) };
				if (m->gicr_from_gicc) { /* a GICR structure wins over GICC bases */
					m->nr_gicr = 0;
					m->gicr_from_gicc = 0;
				}
				dm_gicr(m, w[0].base, w[0].size);
				dm_device(m, LDR_SRC_TABLE, "MADT GICR", NULL, LDR_DEV_ALLOW,
					  "GIC redistributors (LPI tables: see docs/iommu.md)", w,
					  1, UINT32_MAX);
			}
			break;
		case 0x0f: /* ITS (5.2.12.18): base +8; two 64 KiB frames (IHI 0069 12.19) */
			if (el >= 16) {
				w[0] = (struct ls_mem_range){ ldr_le64(e + 8), 0x20000 };
				dm_its(m, w[0].base);
				dm_device(m, LDR_SRC_TABLE, "MADT ITS", NULL, LDR_DEV_ALLOW,
					  "GIC ITS (its tables: see docs/iommu.md)", w, 1,
					  UINT32_MAX);
			}
			break;
		}
		off += el;
	}
}

/* ---- AML (ACPI 6.5 chapter 20), just enough to find devices and their windows ---- */

#define AML_SCOPE    0x10
#define AML_NAME     0x08
#define AML_METHOD   0x14
#define AML_EXT	     0x5b
#define AML_DEVICE   0x82 /* after 0x5b */
#define AML_OPREGION 0x80 /* after 0x5b */
#define AML_NOOP     0xa3

struct dm_amldev {
	char seg[5];
	char hid[9];
	uint32_t hid_at, hid_len; /* the Name(_HID, ...) object */
	uint32_t uid_at, uid_len; /* the Name(_UID, ...) object */
	uint32_t sta_at, sta_len; /* Name(_STA, ...) or Method(_STA) */
	int sta_method;
	struct ls_mem_range win[LDR_DEV_WIN];
	uint32_t nwin;
};

struct dm_aml {
	struct ldr_devmap *m;
	const uint8_t *a;
	uint32_t len;
	uint32_t table_off; /* offset of a[0] in its table (for hide offsets) */
	uint32_t table_idx;
	int pci_ok; /* PCI segment 0 root complex is behind the SMMU */
	const char *pci_why;
	const char *err;
	struct ls_mem_range module_win[LDR_DEV_WIN];
	uint32_t nmodule;
};

static int dm_pkglen(const struct dm_aml *x, uint32_t at, uint32_t *len, uint32_t *hdr)
{
	uint32_t b0, n, v, i;

	if (at >= x->len)
		return -1;
	b0 = x->a[at];
	n = b0 >> 6;
	if (at + n >= x->len)
		return -1;
	if (!n) {
		v = b0 & 0x3f;
	} else {
		if (b0 & 0x30)
			return -1; /* bits 5:4 must be zero with follow bytes */
		v = b0 & 0x0f;
		for (i = 0; i < n; i++)
			v |= (uint32_t)x->a[at + 1 + i] << (4 + 8 * i);
	}
	*len = v; /* counts from at, includes the length bytes */
	*hdr = n + 1;
	return v < n + 1 || at + v > x->len ? -1 : 0;
}

/* NameString: prefixes, then NullName, NameSeg, DualNamePrefix or MultiNamePrefix. */
static int dm_namestring(const struct dm_aml *x, uint32_t at, uint32_t *next, char last[5])
{
	uint32_t segs, i;

	while (at < x->len && (x->a[at] == '\\' || x->a[at] == '^'))
		at++;
	if (at >= x->len)
		return -1;
	if (x->a[at] == 0x00) {
		segs = 0;
		at++;
	} else if (x->a[at] == 0x2e) {
		segs = 2;
		at++;
	} else if (x->a[at] == 0x2f) {
		if (at + 1 >= x->len)
			return -1;
		segs = x->a[at + 1];
		at += 2;
	} else {
		segs = 1;
	}
	if (segs > 32 || at + 4 * segs > x->len)
		return -1;
	for (i = 0; i < 4; i++)
		last[i] = segs ? (char)x->a[at + 4 * (segs - 1) + i] : '\0';
	last[4] = '\0';
	*next = at + 4 * segs;
	return 0;
}

/* An integer constant (ZeroOp, OneOp, OnesOp, Byte/Word/DWord/QWordConst). */
static int dm_integer(const struct dm_aml *x, uint32_t at, uint32_t *next, uint64_t *v)
{
	static const uint8_t sizes[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 0, 8 };
	uint32_t op, n, i;

	if (at >= x->len)
		return -1;
	op = x->a[at];
	if (op == 0x00 || op == 0x01 || op == 0xff) {
		*v = op == 0xff ? ~0ULL : op;
		*next = at + 1;
		return 0;
	}
	if (op < 0x0a || op > 0x0e || op == 0x0d)
		return -1;
	n = sizes[op];
	if (at + 1 + n > x->len)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)x->a[at + 1 + i] << (8 * i);
	*next = at + 1 + n;
	return 0;
}

/* Skip a DataRefObject (the value of a Name). */
static int dm_skip_data(const struct dm_aml *x, uint32_t at, uint32_t *next)
{
	uint64_t v;
	uint32_t len, hdr;

	if (at >= x->len)
		return -1;
	if (!dm_integer(x, at, next, &v))
		return 0;
	switch (x->a[at]) {
	case 0x0d: /* String */
		for (len = at + 1; len < x->len && x->a[len]; len++)
			;
		if (len >= x->len)
			return -1;
		*next = len + 1;
		return 0;
	case 0x11: /* Buffer */
	case 0x12: /* Package */
	case 0x13: /* VarPackage */
		if (dm_pkglen(x, at + 1, &len, &hdr))
			return -1;
		*next = at + 1 + len;
		return 0;
	case AML_EXT: /* RevisionOp */
		if (at + 1 < x->len && x->a[at + 1] == 0x30) {
			*next = at + 2;
			return 0;
		}
		return -1;
	}
	return -1;
}

/* EISA ID (compressed PNP ID, ACPI 6.5 6.1.5) as its 7-character text. */
static void dm_eisaid(uint32_t v, char out[9])
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t be = (v & 0xff) << 24 | (v & 0xff00) << 8 | (v >> 8 & 0xff00) | v >> 24;

	out[0] = (char)('@' + (be >> 26 & 0x1f));
	out[1] = (char)('@' + (be >> 21 & 0x1f));
	out[2] = (char)('@' + (be >> 16 & 0x1f));
	out[3] = hex[be >> 12 & 0xf];
	out[4] = hex[be >> 8 & 0xf];
	out[5] = hex[be >> 4 & 0xf];
	out[6] = hex[be & 0xf];
	out[7] = '\0';
}

static void dm_addwin(struct ls_mem_range *w, uint32_t *n, uint64_t base, uint64_t size)
{
	if (size && base + size > base && *n < LDR_DEV_WIN) {
		w[*n].base = base;
		w[*n].size = size;
		(*n)++;
	}
}

/*
 * Memory windows of a resource template (ACPI 6.5 6.4 "Resource Data Types for
 * ACPI"): Memory32Fixed, Memory32, QWord/DWord/Extended address spaces of memory
 * type, and I/O address spaces with a translation (an arm64 PCI I/O window is
 * CPU memory at min + translation).
 */
static void dm_resources(const uint8_t *r, uint32_t len, struct ls_mem_range *w, uint32_t *n)
{
	uint32_t off = 0;

	while (off < len) {
		uint32_t tag = r[off], dl;
		const uint8_t *d;

		if (!(tag & 0x80)) { /* small item: length in bits 2:0 */
			if ((tag >> 3 & 0xf) == 0xf)
				return; /* End Tag */
			off += 1 + (tag & 7);
			continue;
		}
		if (off + 3 > len)
			return;
		dl = ldr_le16(r + off + 1);
		if (off + 3 + dl > len)
			return;
		d = r + off + 3;
		switch (tag) {
		case 0x86: /* Memory32Fixed (6.4.3.4): info, base, length */
			if (dl >= 9)
				dm_addwin(w, n, ldr_le32(d + 1), ldr_le32(d + 5));
			break;
		case 0x85: /* Memory32 (6.4.3.3): info, min, max, align, length */
			if (dl >= 17)
				dm_addwin(w, n, ldr_le32(d + 1), ldr_le32(d + 13));
			break;
		case 0x87: /* DWord address (6.4.3.5.2) */
		case 0x8a: /* QWord address (6.4.3.5.1) */
		case 0x8b: /* Extended address (6.4.3.5.4) */
		{
			uint32_t sz = tag == 0x87 ? 4 : 8, f = tag == 0x8b ? 5 : 3;
			uint64_t min, tra, l;

			if (dl < f + 5 * sz)
				break;
			min = sz == 4 ? ldr_le32(d + f + sz) : ldr_le64(d + f + sz);
			tra = sz == 4 ? ldr_le32(d + f + (size_t)3 * sz) :
					ldr_le64(d + f + (size_t)3 * sz);
			l = sz == 4 ? ldr_le32(d + f + (size_t)4 * sz) :
				      ldr_le64(d + f + (size_t)4 * sz);
			if (d[0] == 0 || (d[0] == 1 && tra))
				dm_addwin(w, n, min + tra, l);
			break;
		}
		}
		off += 3 + dl;
	}
}

/* _HID values of devices that are not DMA masters (docs/iommu.md table). */
static const struct {
	const char *hid, *why;
} dm_acpi_allow[] = {
	{ "ARMH0011", "PL011 UART: no DMA of its own" },
	{ "ARMHB000", "SBSA UART: no DMA" },
	{ "ARMH0061", "PL061 GPIO: no DMA" },
	{ "ARMH0031", "PL031 RTC: no DMA" },
	{ "ACPI0013", "ACPI Generic Event Device: registers only" },
	{ "PNP0103", "HPET (timer): no DMA" },
};

static const struct {
	const char *hid, *why;
} dm_acpi_deny[] = {
	{ "LNRO0005", "virtio-mmio transport: a DMA master outside every SMMU" },
	{ "QEMU0002", "fw-cfg: its DMA interface writes any physical address" },
};

/* Reservations, not devices: neither mapped for them nor hidden. */
static const char *const dm_acpi_ignore[] = { "PNP0C02", "PNP0C01" };

static void dm_aml_device_done(struct dm_aml *x, struct dm_amldev *d)
{
	const char *why = NULL;
	uint32_t i, verdict = LDR_DEV_DENY, hide = UINT32_MAX;
	char name[LDR_DEV_NAME];

	if (!d->nwin)
		return; /* no registers the host could program */
	for (i = 0; i < sizeof(dm_acpi_ignore) / sizeof(dm_acpi_ignore[0]); i++)
		if (ldr_streq(d->hid, dm_acpi_ignore[i]))
			return;
	for (i = 0; !why && i < sizeof(dm_acpi_allow) / sizeof(dm_acpi_allow[0]); i++)
		if (ldr_streq(d->hid, dm_acpi_allow[i].hid)) {
			why = dm_acpi_allow[i].why;
			verdict = LDR_DEV_ALLOW;
		}
	if (!why && (ldr_streq(d->hid, "PNP0A08") || ldr_streq(d->hid, "PNP0A03"))) {
		if (x->pci_ok) {
			why = x->m->iommu_vtd ?
				      "PCI root complex behind the VT-d units Lockstep owns (every "
				      "function checked against the DMAR: boot/pcicheck.c)" :
				      "PCIe root complex behind the SMMU Lockstep owns (every function "
				      "checked against the IORT: boot/pcicheck.c)";
			verdict = LDR_DEV_ALLOW;
		} else {
			why = x->pci_why ? x->pci_why :
					   "PCIe root complex not entirely behind the SMMU";
		}
	}
	for (i = 0; !why && i < sizeof(dm_acpi_deny) / sizeof(dm_acpi_deny[0]); i++)
		if (ldr_streq(d->hid, dm_acpi_deny[i].hid))
			why = dm_acpi_deny[i].why;
	if (!why)
		why = "unknown device: not known to be free of DMA, not behind the SMMU";
	if (verdict == LDR_DEV_DENY) {
		/* Hide: _STA returns 0 (docs/boot.md); where the object to patch is. */
		if (d->sta_at)
			hide = d->sta_at;
		else if (d->uid_at && d->uid_len >= 6)
			hide = d->uid_at;
		else if (d->hid_at && d->hid_len >= 6)
			hide = d->hid_at;
	}
	dm_name(name, sizeof(name), d->seg, " ");
	dm_name(name + 5, sizeof(name) - 5, d->hid[0] ? d->hid : "(no _HID)", NULL);
	i = (uint32_t)dm_device(x->m, LDR_SRC_AML, name, NULL, verdict, why, d->win, d->nwin,
				hide == UINT32_MAX ? UINT32_MAX : hide + x->table_off);
	if ((int)i >= 0) {
		x->m->dev[i].acpi_table = x->table_idx;
		x->m->dev[i].hide_kind = d->sta_at ? (d->sta_method ? 2 : 1) : 0;
	}
}

/* OperationRegion (name, space, offset, length): SystemMemory regions are windows. */
static int dm_opregion(struct dm_aml *x, uint32_t at, uint32_t *next, struct ls_mem_range *w,
		       uint32_t *n)
{
	char seg[5];
	uint32_t p;
	uint64_t off, len;
	uint8_t space;

	if (dm_namestring(x, at, &p, seg) || p >= x->len)
		return -1;
	space = x->a[p++];
	if (dm_integer(x, p, &p, &off) || dm_integer(x, p, &p, &len))
		return -1; /* computed offsets: not understood */
	if (space == 0x00) /* SystemMemory */
		dm_addwin(w, n, off, len);
	*next = p;
	return 0;
}

/*
 * Walk the object list [at, end) at one scope. dev is the enclosing device (NULL at
 * module level). Objects the walker does not know stop it with an error: the
 * devices it could not see stay denied (default deny), only not hidden.
 */
static int dm_aml_list(struct dm_aml *x, uint32_t at, uint32_t end, struct dm_amldev *dev,
		       int depth)
{
	while (at < end) {
		uint32_t op = x->a[at], len, hdr, p;
		char seg[5];

		if (depth > 16) {
			x->err = "AML: scopes nested too deep";
			return -1;
		}
		if (op == AML_SCOPE ||
		    (op == AML_EXT && at + 1 < end && x->a[at + 1] == AML_DEVICE)) {
			uint32_t s = op == AML_SCOPE ? at + 1 : at + 2;

			if (dm_pkglen(x, s, &len, &hdr) || s + len > end ||
			    dm_namestring(x, s + hdr, &p, seg) || p > s + len) {
				x->err = "AML: malformed Scope or Device";
				return -1;
			}
			if (op == AML_SCOPE) {
				if (dm_aml_list(x, p, s + len, dev, depth + 1))
					return -1;
			} else {
				struct dm_amldev d = { 0 };

				dm_name(d.seg, sizeof(d.seg), seg, NULL);
				if (dm_aml_list(x, p, s + len, &d, depth + 1))
					return -1;
				dm_aml_device_done(x, &d);
			}
			at = s + len;
		} else if (op == AML_NAME) {
			uint32_t vat;

			if (dm_namestring(x, at + 1, &vat, seg) || dm_skip_data(x, vat, &p) ||
			    p > end) {
				x->err = "AML: malformed Name";
				return -1;
			}
			if (dev && ldr_streq(seg, "_HID")) {
				uint64_t v;
				uint32_t q, i;

				dev->hid_at = at;
				dev->hid_len = p - at;
				if (x->a[vat] == 0x0d) {
					for (i = 0; i < 8 && x->a[vat + 1 + i]; i++)
						dev->hid[i] = (char)x->a[vat + 1 + i];
					dev->hid[i] = '\0';
				} else if (!dm_integer(x, vat, &q, &v)) {
					dm_eisaid((uint32_t)v, dev->hid);
				}
			} else if (dev && ldr_streq(seg, "_UID")) {
				dev->uid_at = at;
				dev->uid_len = p - at;
			} else if (dev && ldr_streq(seg, "_STA")) {
				dev->sta_at = at;
				dev->sta_len = p - at;
			} else if (dev && ldr_streq(seg, "_CRS") && x->a[vat] == 0x11) {
				uint32_t bl, bh, q;
				uint64_t bsz;

				/* Buffer: PkgLength, BufferSize (an integer), then the bytes. */
				if (!dm_pkglen(x, vat + 1, &bl, &bh) &&
				    !dm_integer(x, vat + 1 + bh, &q, &bsz) && q <= vat + 1 + bl)
					dm_resources(x->a + q, vat + 1 + bl - q, dev->win,
						     &dev->nwin);
			}
			at = p;
		} else if (op == AML_METHOD) {
			if (dm_pkglen(x, at + 1, &len, &hdr) || at + 1 + len > end) {
				x->err = "AML: malformed Method";
				return -1;
			}
			if (dev && !dm_namestring(x, at + 1 + hdr, &p, seg) &&
			    ldr_streq(seg, "_STA")) {
				dev->sta_at = at;
				dev->sta_len = 1 + len;
				dev->sta_method = 1;
			}
			at += 1 + len;
		} else if (op == AML_EXT && at + 1 < end && x->a[at + 1] == AML_OPREGION) {
			if (dev ? dm_opregion(x, at + 2, &p, dev->win, &dev->nwin) :
				  dm_opregion(x, at + 2, &p, x->module_win, &x->nmodule)) {
				x->err = "AML: OperationRegion with a computed address";
				return -1;
			}
			at = p;
		} else if (op == AML_EXT && at + 1 < end &&
			   (x->a[at + 1] == 0x81 || x->a[at + 1] == 0x83 || x->a[at + 1] == 0x84 ||
			    x->a[at + 1] == 0x85 || x->a[at + 1] == 0x86 || x->a[at + 1] == 0x87)) {
			/* Field, Processor, PowerResource, ThermalZone, IndexField, BankField */
			if (dm_pkglen(x, at + 2, &len, &hdr) || at + 2 + len > end) {
				x->err = "AML: malformed Field-like object";
				return -1;
			}
			at += 2 + len;
		} else if (op == AML_EXT && at + 1 < end &&
			   (x->a[at + 1] == 0x01 || x->a[at + 1] == 0x02)) {
			/* Mutex (name, flags), Event (name) */
			if (dm_namestring(x, at + 2, &p, seg)) {
				x->err = "AML: malformed Mutex/Event";
				return -1;
			}
			at = p + (x->a[at + 1] == 0x01 ? 1 : 0);
		} else if (op == 0x15) { /* External (name, type, argcount) */
			if (dm_namestring(x, at + 1, &p, seg)) {
				x->err = "AML: malformed External";
				return -1;
			}
			at = p + 2;
		} else if (op == 0xa0 || op == 0xa1 || op == 0xa2) { /* If, Else, While */
			if (dm_pkglen(x, at + 1, &len, &hdr) || at + 1 + len > end) {
				x->err = "AML: malformed If/Else";
				return -1;
			}
			at += 1 + len;
		} else if (op == AML_NOOP) {
			at++;
		} else {
			x->err = "AML: object not understood at device or module level";
			return -1;
		}
	}
	return 0;
}

const char *devmap_aml(struct ldr_devmap *m, const uint8_t *table, uint32_t len, uint32_t idx,
		       int pci_ok, const char *pci_why)
{
	struct dm_aml x = { .m = m, .pci_ok = pci_ok, .pci_why = pci_why, .table_idx = idx };
	uint32_t i;

	if (len < ACPI_HDR)
		return "AML: table shorter than its header";
	x.a = table + ACPI_HDR;
	x.len = len - ACPI_HDR;
	x.table_off = ACPI_HDR;
	if (dm_aml_list(&x, 0, x.len, NULL, 0))
		return x.err;
	/* Module-level SystemMemory regions (no device): firmware registers AML uses. */
	for (i = 0; i < x.nmodule; i++)
		dm_device(m, LDR_SRC_TABLE, "AML OperationRegion", NULL, LDR_DEV_ALLOW,
			  "module-level SystemMemory region used by the firmware's AML",
			  &x.module_win[i], 1, UINT32_MAX);
	return NULL;
}

const char *devmap_acpi(struct ldr_devmap *m, const void *rsdp, uint64_t smmu_base)
{
	const uint8_t *t, *iort;
	const char *err = NULL, *pci_why = NULL;
	uint32_t i;
	/*
	 * Behind VT-d every PCI function's DMA is checked against the DMAR (boot/pcicheck.c),
	 * with or without an ECAM: a root reached through the CF8h/CFCh ports only (no MCFG,
	 * e.g. Bochs's i440FX) is as translated as one with an MCFG entry.
	 */
	int pci_ok = m->iommu_vtd;

	if (!dm_acpi_find(rsdp, "FACP", 0))
		return "ACPI: no valid RSDP/XSDT or no FADT";
	t = dm_acpi_find(rsdp, "APIC", 0);
	if (t)
		dm_madt(m, t);
	t = dm_acpi_find(rsdp, "SPCR", 0);
	if (t && ldr_le32(t + 4) >= 52 && t[40] == 0) { /* Generic Address, SystemMemory */
		struct ls_mem_range w = { ldr_le64(t + 44), 0x1000 };

		dm_device(m, LDR_SRC_TABLE, "SPCR console", NULL, LDR_DEV_ALLOW,
			  "serial console: no DMA", &w, 1, UINT32_MAX);
	}
	iort = dm_acpi_find(rsdp, "IORT", 0);
	/* MCFG (PCI Firmware 3.2, 4.1.2): ECAM per segment: base +0, segment +8, buses +10/+11. */
	t = dm_acpi_find(rsdp, "MCFG", 0);
	for (i = 44; t && i + 16 <= ldr_le32(t + 4); i += 16) {
		const uint8_t *e = t + i;
		uint32_t seg = ldr_le16(e + 8);
		struct ls_mem_range w = { ldr_le64(e) + ((uint64_t)e[10] << 20),
					  (uint64_t)(e[11] - e[10] + 1) << 20 };
		struct ls_sid_range r[LS_BOOT_MAX_SID_RANGES];
		uint32_t nr = 0;
		const char *why = m->iommu_vtd ? NULL :
				  !smmu_base   ? "no SMMU owned by Lockstep" :
				  !iort	       ? "no IORT: which RIDs reach the SMMU is unknown" :
					  iort_rc_rids(iort, ldr_le32(iort + 4), smmu_base, seg, r,
						       LS_BOOT_MAX_SID_RANGES, &nr);

		if (e[11] < e[10])
			continue;
		if (seg == 0) {
			pci_ok = !why;
			pci_why = why;
			for (m->nr_pci_rids = 0; !why && m->nr_pci_rids < nr; m->nr_pci_rids++)
				m->pci_rids[m->nr_pci_rids] = r[m->nr_pci_rids];
			m->pci_rids_known = 1;
		}
		dm_device(m, LDR_SRC_TABLE, "MCFG ECAM", NULL, why ? LDR_DEV_DENY : LDR_DEV_ALLOW,
			  why ? why :
			  m->iommu_vtd ?
				"PCIe configuration space; every function's DMA goes "
				"through VT-d (boot/pcicheck.c)" :
				"PCIe configuration space of a root complex behind the SMMU",
			  &w, 1, UINT32_MAX);
	}
	/* HPET (IA-PC HPET 1.0a, 3.2.4 Table 3): Base Address, a GAS at +40 (address +44). */
	t = dm_acpi_find(rsdp, "HPET", 0);
	if (t && ldr_le32(t + 4) >= 56 && t[40] == 0) { /* GAS space 0: system memory */
		struct ls_mem_range w = { ldr_le64(t + 44), 0x400 };

		dm_device(m, LDR_SRC_TABLE, "HPET table", NULL, LDR_DEV_ALLOW,
			  "HPET (timer): no DMA", &w, 1, UINT32_MAX);
	}
	/* DSDT (from the FADT's X_DSDT, else DSDT) and every SSDT. */
	t = dm_acpi_find(rsdp, "FACP", 0);
	if (ldr_le32(t + 4) >= 148 && ldr_le64(t + 140))
		t = dm_table(ldr_le64(t + 140));
	else
		t = dm_table(ldr_le32(t + 40));
	if (!t || !dm_memeq(t, "DSDT", 4))
		return "ACPI: FADT names no valid DSDT";
	err = devmap_aml(m, t, ldr_le32(t + 4), 0, pci_ok, pci_why);
	for (i = 0; !err && (t = dm_acpi_find(rsdp, "SSDT", i)) != NULL; i++)
		err = devmap_aml(m, t, ldr_le32(t + 4), i + 1, pci_ok, pci_why);
	if (!err)
		m->flags |= LS_BOOT_MMIO_FROM_ACPI;
	return err;
}

/* ---- Patching AML to hide a device (docs/boot.md) ---------------------------------- */

const char *acpi_hide_device(uint8_t *table, uint32_t len, uint32_t at, uint32_t kind)
{
	struct dm_aml x = { .a = table, .len = len };
	uint32_t p, end, plen, hdr, i;
	char seg[5];

	if (at >= len)
		return "AML: hide offset out of the table";
	if (kind == 2) {
		/* Method(_STA) { Return (Zero) }, padded with Noop: same PkgLength. */
		if (table[at] != AML_METHOD || dm_pkglen(&x, at + 1, &plen, &hdr) ||
		    dm_namestring(&x, at + 1 + hdr, &p, seg) || !ldr_streq(seg, "_STA") ||
		    p + 3 > at + 1 + plen)
			return "AML: Method(_STA) not where it was found";
		end = at + 1 + plen;
		table[p] = 0x00;     /* flags: no arguments, not serialized */
		table[p + 1] = 0xa4; /* ReturnOp */
		table[p + 2] = 0x00; /* ZeroOp */
		for (i = p + 3; i < end; i++)
			table[i] = AML_NOOP;
	} else {
		/* Name(_UID|_HID|_STA, x) of n >= 6 bytes -> Name(_STA, Zero) + Noop. */
		if (table[at] != AML_NAME || dm_namestring(&x, at + 1, &p, seg) ||
		    dm_skip_data(&x, p, &end) || end - at < 6 || p != at + 5)
			return "AML: Name not where it was found";
		table[at + 1] = '_';
		table[at + 2] = 'S';
		table[at + 3] = 'T';
		table[at + 4] = 'A';
		table[at + 5] = 0x00;
		for (i = at + 6; i < end; i++)
			table[i] = AML_NOOP;
	}
	table[9] = 0;
	{
		uint8_t s = 0;

		for (i = 0; i < len; i++)
			s = (uint8_t)(s + table[i]);
		table[9] = (uint8_t)(0u - s);
	}
	return NULL;
}

/* ---- The final list ----------------------------------------------------------------- */

void devmap_add_runtime(struct ldr_devmap *m, uint64_t base, uint64_t size)
{
	dm_device(m, LDR_SRC_EFI, "EFI runtime MMIO", NULL, LDR_DEV_ALLOW,
		  "UEFI runtime services registers (flash, RTC): no DMA",
		  &(struct ls_mem_range){ base, size }, 1, UINT32_MAX);
	m->flags |= LS_BOOT_MMIO_FROM_EFI_RT;
}

void devmap_add_allowed(struct ldr_devmap *m, const char *name, const char *why, uint64_t base,
			uint64_t size)
{
	dm_device(m, LDR_SRC_EFI, name, NULL, LDR_DEV_ALLOW, why,
		  &(struct ls_mem_range){ base, size }, 1, UINT32_MAX);
}

static int dm_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

int devmap_finish(struct ldr_devmap *m, uint64_t smmu_base, uint64_t smmu_size,
		  struct ls_mem_range *out, uint32_t max)
{
	struct ls_mem_range w[LDR_WIN_MAX];
	uint32_t n = 0, i, j, k;

	if (m->overflow)
		return -1;
	for (i = 0; i < m->nr_allow; i++) {
		uint64_t b = m->allow[i].base & ~(DM_PAGE - 1);
		uint64_t e = (m->allow[i].base + m->allow[i].size + DM_PAGE - 1) & ~(DM_PAGE - 1);
		int bad = e <= b;

		/* Deny wins: a page that holds a denied device's registers is not mapped. */
		for (j = 0; !bad && j < m->nr_deny; j++)
			bad = dm_overlap(b, e - b, m->deny[j].base, m->deny[j].size);
		if (!bad && smmu_size)
			bad = dm_overlap(b, e - b, smmu_base, smmu_size);
		if (bad) {
			m->conflicts++;
			continue;
		}
		for (j = n; j > 0 && w[j - 1].base > b; j--)
			w[j] = w[j - 1];
		w[j].base = b;
		w[j].size = e - b;
		n++;
	}
	for (i = 0, k = 0; i < n; i++) {
		if (k && w[i].base <= out[k - 1].base + out[k - 1].size) {
			uint64_t e = w[i].base + w[i].size;

			if (e > out[k - 1].base + out[k - 1].size)
				out[k - 1].size = e - out[k - 1].base;
			continue;
		}
		if (k == max)
			return -1;
		out[k++] = w[i];
	}
	return (int)k;
}

int devmap_rid_translated(const struct ldr_devmap *m, uint32_t rid)
{
	uint32_t i;

	for (i = 0; i < m->nr_pci_rids; i++)
		if (rid >= m->pci_rids[i].base && rid - m->pci_rids[i].base < m->pci_rids[i].count)
			return 1;
	return 0;
}

/* ---- virtio-pci devices whose DMA bypasses the IOMMU ------------------------------ */

int virtio_pci_is_virtio(uint16_t vendor, uint16_t device)
{
	/* Virtio 1.2 4.1.2.1: vendor 0x1af4, transitional 0x1000-0x103f, modern 0x1040-0x107f. */
	return vendor == 0x1af4 && device >= 0x1000 && device <= 0x107f;
}

const char *virtio_pci_common_cap(const uint8_t *cfg, uint32_t len, uint32_t *bar, uint32_t *off)
{
	uint32_t p, hops = 0;

	if (len < 0x40)
		return "config space too short";
	if (!(ldr_le16(cfg + 6) & 0x10)) /* Status.Capabilities List (PCI 3.0 6.2.3) */
		return "no capability list (a legacy-only virtio device)";
	for (p = cfg[0x34] & 0xfc; p && hops < 48; p = cfg[p + 1] & 0xfc, hops++) {
		if (p + 16 > len)
			return "capability beyond config space";
		/* struct virtio_pci_cap (4.1.4): vndr 0x09, next, len, cfg_type, bar, ..., offset @8 */
		if (cfg[p] == 0x09 && cfg[p + 2] >= 16 && cfg[p + 3] == 1) {
			if (cfg[p + 4] > 5)
				return "common configuration in a reserved BAR";
			*bar = cfg[p + 4];
			*off = ldr_le32(cfg + p + 8);
			return NULL;
		}
	}
	return "no VIRTIO_PCI_CAP_COMMON_CFG capability (a legacy-only virtio device)";
}
