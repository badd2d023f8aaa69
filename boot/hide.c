// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Hide the SMMUv3 Lockstep owns from the host's firmware description, so that
 * Linux's arm-smmu-v3 driver never probes it while the PCI devices behind it still
 * probe (their DMA then goes through Lockstep's host identity stage-2). Both
 * rewriters work on a caller-provided copy with room, validate every length and
 * offset first, and leave the output untouched when they refuse (docs/boot.md,
 * "Hiding the SMMU from the host").
 */
#include "bytes.h"
#include "ldr.h"

/* ---- ACPI IORT (Arm DEN 0049E, "IO Remapping Table") ----------------------------- */

#define ACPI_HDR_LEN	36u
#define IORT_HDR_LEN	48u /* ACPI header, node count (36), node array offset (40), reserved */
#define IORT_NODE_HDR	16u /* type, length, revision, identifier, mapping count, mapping offset */
#define IORT_MAP_LEN	20u /* DEN 0049E 3.4 "ID mappings": in, count-1, out, reference, flags */
#define IORT_MAP_SINGLE 1u  /* flags bit 0: single mapping (input base ignored) */

/* Node types (DEN 0049E table 4). */
#define IORT_ITS      0
#define IORT_NAMED    1
#define IORT_RC	      2
#define IORT_SMMUV3   4
#define IORT_PMCG     5
#define IORT_PMCG_REF 28u /* PMCG "Node reference" (DEN 0049E 3.1.6) */

static void h_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void h_copy(uint8_t *d, const uint8_t *s, size_t n)
{
	size_t i;

	if (d < s)
		for (i = 0; i < n; i++)
			d[i] = s[i];
	else
		for (i = n; i-- > 0;)
			d[i] = s[i];
}

void acpi_fix_checksum(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	t[9] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0u - sum);
}

struct iort_node {
	uint32_t off, len, nmap, map_off; /* in the input table */
	uint32_t new_off, new_len, new_nmap;
};

struct iort_parse {
	const uint8_t *t;
	uint32_t len, nr, smmu; /* smmu: index of the node hidden */
	struct iort_node n[LDR_IORT_MAX_NODES];
};

static int iort_index_of(const struct iort_parse *p, uint32_t off)
{
	uint32_t i;

	for (i = 0; i < p->nr; i++)
		if (p->n[i].off == off)
			return (int)i;
	return -1;
}

static const uint8_t *iort_map(const struct iort_parse *p, uint32_t node, uint32_t m)
{
	return p->t + p->n[node].off + p->n[node].map_off + (size_t)m * IORT_MAP_LEN;
}

/*
 * Compose one mapping of a device node whose output is the SMMU with the SMMU's
 * own mappings (DEN 0049E 3.4: IDs [in, in + count] map to [out, out + count] of
 * the referenced node): every overlap of the device's output range with an SMMU
 * input range becomes a mapping straight to the SMMU's output node. The SMMU's
 * single mappings are its own MSI device IDs, not a translation of its inputs.
 * Writes the mappings to out (if not NULL) and returns how many.
 */
static uint32_t iort_compose(const struct iort_parse *p, const uint8_t *dm, uint8_t *out)
{
	uint32_t din = ldr_le32(dm), dcnt = ldr_le32(dm + 4), dout = ldr_le32(dm + 8);
	uint32_t dflags = ldr_le32(dm + 16), s = p->smmu, m, n = 0;
	uint64_t lo = dout, hi = (uint64_t)dout + ((dflags & IORT_MAP_SINGLE) ? 0 : dcnt);

	for (m = 0; m < p->n[s].nmap; m++) {
		const uint8_t *sm = iort_map(p, s, m);
		uint32_t sin = ldr_le32(sm), scnt = ldr_le32(sm + 4), sout = ldr_le32(sm + 8);
		uint64_t a, b;

		if (ldr_le32(sm + 16) & IORT_MAP_SINGLE)
			continue;
		a = lo > sin ? lo : sin;
		b = hi < (uint64_t)sin + scnt ? hi : (uint64_t)sin + scnt;
		if (a > b)
			continue;
		if (out) {
			uint8_t *o = out + (size_t)n * IORT_MAP_LEN;

			h_put32(o, (dflags & IORT_MAP_SINGLE) ? din : (uint32_t)(din + (a - lo)));
			h_put32(o + 4, (uint32_t)(b - a));
			h_put32(o + 8, (uint32_t)(sout + (a - sin)));
			h_put32(o + 12, ldr_le32(sm + 12)); /* fixed up to the new offset later */
			h_put32(o + 16, dflags);
		}
		n++;
	}
	return n;
}

static const char *iort_parse(struct iort_parse *p, const uint8_t *t, uint32_t len)
{
	uint32_t i, j, arr, off, found = 0;

	if (len < IORT_HDR_LEN || ldr_le32(t + 4) != len)
		return "IORT: length field does not match the table";
	p->t = t;
	p->len = len;
	p->nr = ldr_le32(t + 36);
	arr = ldr_le32(t + 40);
	if (p->nr == 0 || p->nr > LDR_IORT_MAX_NODES)
		return "IORT: node count 0 or above the loader's bound";
	if (arr < IORT_HDR_LEN || arr > len)
		return "IORT: node array offset out of the table";
	for (i = 0, off = arr; i < p->nr; i++) {
		struct iort_node *n = &p->n[i];

		if (len - off < IORT_NODE_HDR)
			return "IORT: node header beyond the table";
		n->off = off;
		n->len = (uint32_t)t[off + 1] | (uint32_t)t[off + 2] << 8;
		n->nmap = ldr_le32(t + off + 8);
		n->map_off = ldr_le32(t + off + 12);
		if (n->len < IORT_NODE_HDR || n->len > len - off)
			return "IORT: node length out of the table";
		if (n->nmap && (n->map_off < IORT_NODE_HDR || n->map_off > n->len ||
				n->nmap > (n->len - n->map_off) / IORT_MAP_LEN))
			return "IORT: ID mapping array out of its node";
		if (t[off] == IORT_PMCG && n->len < IORT_PMCG_REF + 4)
			return "IORT: PMCG node too short";
		if (t[off] == IORT_SMMUV3 && !found) {
			p->smmu = i;
			found = 1;
		}
		off += n->len;
	}
	if (!found)
		return "IORT: no SMMUv3 node";
	/* Every reference must name a node; only RCs and named components may use the SMMU. */
	for (i = 0; i < p->nr; i++) {
		uint8_t type = t[p->n[i].off];

		for (j = 0; j < p->n[i].nmap; j++) {
			int r = iort_index_of(p, ldr_le32(iort_map(p, i, j) + 12));

			if (r < 0)
				return "IORT: ID mapping output reference is not a node";
			if ((uint32_t)r == p->smmu && type != IORT_RC && type != IORT_NAMED)
				return "IORT: a node other than a root complex or named component "
				       "maps IDs to the SMMUv3";
			if ((uint32_t)r == p->smmu && i == p->smmu)
				return "IORT: SMMUv3 maps IDs to itself";
		}
		if (type == IORT_PMCG) {
			int r = iort_index_of(p, ldr_le32(t + p->n[i].off + IORT_PMCG_REF));

			if (r < 0 || (uint32_t)r == p->smmu)
				return "IORT: PMCG node references the SMMUv3 or no node";
		}
	}
	/* The SMMU's outputs must be nodes that stay (an ITS group, usually). */
	for (j = 0; j < p->n[p->smmu].nmap; j++) {
		int r = iort_index_of(p, ldr_le32(iort_map(p, p->smmu, j) + 12));

		if (t[p->n[r].off] == IORT_SMMUV3)
			return "IORT: SMMUv3 output is another SMMUv3 (nested)";
	}
	return NULL;
}

const char *iort_hide_smmuv3(const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t cap,
			     struct iort_hide_report *rep)
{
	static struct iort_parse p; /* too big for the loader's stack; single-threaded */
	uint32_t i, j, arr, pos, total;
	const char *err;

	err = iort_parse(&p, in, in_len);
	if (err)
		return err;
	arr = ldr_le32(in + 40);
	/* Pass 1: sizes and new offsets. */
	pos = arr;
	for (i = 0; i < p.nr; i++) {
		struct iort_node *n = &p.n[i];
		uint32_t nm = 0, uses = 0;

		n->new_off = pos;
		if (i == p.smmu) {
			n->new_len = 0;
			continue;
		}
		for (j = 0; j < n->nmap; j++) {
			const uint8_t *m = iort_map(&p, i, j);

			if (ldr_le32(m + 12) == p.n[p.smmu].off) {
				nm += iort_compose(&p, m, NULL);
				uses = 1;
			} else {
				nm++;
			}
		}
		n->new_nmap = nm;
		n->new_len = n->len;
		if (uses) {
			/* The mapping count changes: the array must end the node. */
			if (n->map_off + n->nmap * IORT_MAP_LEN != n->len)
				return "IORT: data after the ID mappings of a node using the SMMUv3";
			if ((uint64_t)n->map_off + (uint64_t)nm * IORT_MAP_LEN > 0xffff)
				return "IORT: composed node longer than 64 KiB";
			n->new_len = n->map_off + nm * IORT_MAP_LEN;
		}
		if (n->new_len > UINT32_MAX - pos)
			return "IORT: rewritten table too long";
		pos += n->new_len;
	}
	total = pos;
	if (total > cap)
		return "IORT: no room for the rewritten table";
	/* Pass 2: write (out never aliases in). */
	h_copy(out, in, arr);
	for (i = 0; i < p.nr; i++) {
		const struct iort_node *n = &p.n[i];
		uint8_t *o = out + n->new_off;
		uint32_t k = 0, end;

		if (i == p.smmu)
			continue;
		h_copy(o, in + n->off, n->nmap ? n->map_off : n->len);
		if (!n->nmap) {
			if (in[n->off] == IORT_PMCG) {
				int r = iort_index_of(&p, ldr_le32(o + IORT_PMCG_REF));

				h_put32(o + IORT_PMCG_REF, p.n[r].new_off);
			}
			continue;
		}
		end = n->map_off + n->nmap * IORT_MAP_LEN; /* <= n->len (iort_parse) */
		if (end < n->len)
			h_copy(o + end, in + n->off + end, n->len - end);
		for (j = 0; j < n->nmap; j++) {
			const uint8_t *m = iort_map(&p, i, j);
			uint8_t *om = o + n->map_off + (size_t)k * IORT_MAP_LEN;
			uint32_t c, q;

			if (ldr_le32(m + 12) == p.n[p.smmu].off) {
				c = iort_compose(&p, m, om);
				rep->composed += c;
				rep->redirected++;
				if (!c)
					rep->dropped++;
			} else {
				h_copy(om, m, IORT_MAP_LEN);
				c = 1;
			}
			for (q = 0; q < c; q++) {
				uint8_t *x = om + (size_t)q * IORT_MAP_LEN;

				h_put32(x + 12, p.n[iort_index_of(&p, ldr_le32(x + 12))].new_off);
			}
			k += c;
		}
		h_put32(o + 8, n->new_nmap);
		if (in[n->off] == IORT_PMCG) {
			int r = iort_index_of(&p, ldr_le32(o + IORT_PMCG_REF));

			h_put32(o + IORT_PMCG_REF, p.n[r].new_off);
		}
		/* Node length (u16 at 1). */
		o[1] = (uint8_t)n->new_len;
		o[2] = (uint8_t)(n->new_len >> 8);
	}
	h_put32(out + 4, total);
	h_put32(out + 36, p.nr - 1);
	acpi_fix_checksum(out, total);
	rep->smmu_off = p.n[p.smmu].off;
	rep->new_len = total;
	rep->nodes = p.nr - 1;
	return NULL;
}

/* ---- Flattened device tree (Devicetree Specification v0.4, chapter 5) ------------ */

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u
#define FDT_DEPTH_MAX  32

static void h_putbe32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

struct fdt_ed {
	uint8_t *b;
	uint32_t total, off_struct, size_struct, off_strings, size_strings;
};

/* Visit every property: cb(ctx, node index, node offset, prop offset, name, val, len). */
typedef int (*fdt_prop_cb)(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			   const char *name, const uint8_t *val, uint32_t len);

const char *fdt_scan(const uint8_t *b, uint32_t off_struct, uint32_t size_struct,
		     uint32_t off_strings, uint32_t size_strings, const struct fdt_scan_ops *ops,
		     void *ctx)
{
	const uint8_t *s = b + off_struct;
	uint32_t off = 0, end = size_struct;
	int depth = -1;

	while (off + 4 <= end) {
		uint32_t tok = ldr_be32(s + off), at = off;

		off += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)s + off;
			uint32_t n = 0;

			while (off + n < end && s[off + n])
				n++;
			if (off + n >= end || ++depth >= FDT_DEPTH_MAX)
				return "DT: bad node name or too deep";
			off += (n + 4) & ~3u;
			if (ops->begin && ops->begin(ctx, depth, at, name))
				return NULL;
		} else if (tok == FDT_END_NODE) {
			if (depth < 0)
				return "DT: unbalanced END_NODE";
			if (ops->end && ops->end(ctx, depth))
				return NULL;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len, nameoff, i;

			if (depth < 0 || end - off < 8)
				return "DT: property outside a node or truncated";
			len = ldr_be32(s + off);
			nameoff = ldr_be32(s + off + 4);
			if (len > end - off - 8 || nameoff >= size_strings)
				return "DT: property length or name out of bounds";
			for (i = nameoff; i < size_strings && b[off_strings + i]; i++)
				;
			if (i == size_strings)
				return "DT: property name not terminated";
			if (ops->prop &&
			    ops->prop(ctx, depth, at, (const char *)b + off_strings + nameoff,
				      s + off + 8, len))
				return NULL;
			off += 8 + ((len + 3) & ~3u);
		} else if (tok == FDT_END) {
			return depth == -1 ? NULL : "DT: END inside a node";
		} else if (tok != FDT_NOP) {
			return "DT: unknown token";
		}
	}
	return "DT: structure block without END";
}

/* fdt_ed_walk on fdt_scan: properties with the index and offset of their node. */
struct fdt_ed_walk_ctx {
	fdt_prop_cb cb;
	void *ctx;
	uint32_t node, node_off;
};

static int fdt_ed_walk_begin(void *ctx, int depth, uint32_t off, const char *name)
{
	struct fdt_ed_walk_ctx *w = ctx;

	(void)depth;
	(void)name;
	w->node++;
	w->node_off = off;
	return 0;
}

static int fdt_ed_walk_prop(void *ctx, int depth, uint32_t off, const char *name,
			    const uint8_t *val, uint32_t len)
{
	struct fdt_ed_walk_ctx *w = ctx;

	(void)depth;
	return w->cb ? w->cb(w->ctx, w->node, w->node_off, off, name, val, len) : 0;
}

static const char *fdt_ed_walk(const struct fdt_ed *e, fdt_prop_cb cb, void *ctx)
{
	static const struct fdt_scan_ops ops = { .begin = fdt_ed_walk_begin,
						 .prop = fdt_ed_walk_prop };
	struct fdt_ed_walk_ctx w = { .cb = cb, .ctx = ctx };

	return fdt_scan(e->b, e->off_struct, e->size_struct, e->off_strings, e->size_strings, &ops,
			&w);
}

static const char *fdt_ed_open(struct fdt_ed *e, uint8_t *b, uint32_t cap)
{
	if (cap < 40 || ldr_be32(b) != FDT_MAGIC)
		return "DT: bad magic";
	e->b = b;
	e->total = ldr_be32(b + 4);
	e->off_struct = ldr_be32(b + 8);
	e->off_strings = ldr_be32(b + 12);
	e->size_strings = ldr_be32(b + 32);
	e->size_struct = ldr_be32(b + 36);
	if (e->total < 40 || e->total > cap || ldr_be32(b + 20) < 17 || e->off_struct % 4 ||
	    e->off_struct > e->total || e->size_struct > e->total - e->off_struct ||
	    e->off_strings > e->total || e->size_strings > e->total - e->off_strings)
		return "DT: header sizes out of the blob (or version < 17)";
	return NULL;
}

/*
 * Insert n bytes at blob offset at, growing the structure block (in_struct) or the
 * strings block; the header offsets of the blocks after the insertion point move.
 */
static const char *fdt_ed_insert(struct fdt_ed *e, uint32_t cap, uint32_t at, const uint8_t *src,
				 uint32_t n, int in_struct)
{
	static const uint32_t hdr_offs[] = { 8, 12, 16 }; /* struct, strings, mem_rsvmap */
	unsigned int i;

	if (n > cap - e->total)
		return "DT: no room in the copy";
	h_copy(e->b + at + n, e->b + at, e->total - at);
	h_copy(e->b + at, src, n);
	for (i = 0; i < 3; i++) {
		uint32_t o = ldr_be32(e->b + hdr_offs[i]);

		/* Blocks starting at or after the insertion point move (not the one grown). */
		if (o > at || (o == at && !((i == 0 && in_struct) || (i == 1 && !in_struct))))
			h_putbe32(e->b + hdr_offs[i], o + n);
	}
	e->total += n;
	h_putbe32(e->b + 4, e->total);
	if (in_struct)
		e->size_struct += n;
	else
		e->size_strings += n;
	h_putbe32(e->b + 36, e->size_struct);
	h_putbe32(e->b + 32, e->size_strings);
	e->off_struct = ldr_be32(e->b + 8);
	e->off_strings = ldr_be32(e->b + 12);
	return NULL;
}

/* Replace the property at struct offset prop_off (tag, header, padded value) by NOPs. */
static void fdt_ed_nop(struct fdt_ed *e, uint32_t prop_off)
{
	uint8_t *p = e->b + e->off_struct + prop_off;
	uint32_t words = (8 + ((ldr_be32(p + 4) + 3) & ~3u)) / 4 + 1, i;

	for (i = 0; i < words; i++)
		h_putbe32(p + (size_t)4 * i, FDT_NOP);
}

struct fdt_hide_ctx {
	uint64_t base;
	uint32_t cur_node, cur_node_off, cur_reg_ok, cur_compat;
	uint32_t cur_phandle, cur_status_off, cur_iommu_cells;
	/* The SMMU node found. */
	uint32_t node, node_off, phandle, status_off, iommu_cells;
	int found;
	/* Pass 2: references. */
	uint32_t refs[LDR_FDT_MAX_EDITS];
	uint32_t nr_refs;
	const char *err;
};

static void fdt_hide_node_done(struct fdt_hide_ctx *c)
{
	if (c->found || c->cur_node == UINT32_MAX || !c->cur_compat || !c->cur_reg_ok)
		return;
	c->found = 1;
	c->node = c->cur_node;
	c->node_off = c->cur_node_off;
	c->phandle = c->cur_phandle;
	c->status_off = c->cur_status_off;
	c->iommu_cells = c->cur_iommu_cells;
}

/*
 * Pass 1: the first node compatible with "arm,smmu-v3" whose first reg address is
 * base (the node Lockstep took), with its phandle, status and #iommu-cells. reg is
 * read with 2 address cells, which is what every arm64 platform (and QEMU virt)
 * uses at the level of the SMMU; another layout simply does not match.
 */
static int fdt_hide_find(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			 const char *name, const uint8_t *val, uint32_t len)
{
	struct fdt_hide_ctx *c = ctx;

	if (node != c->cur_node) {
		fdt_hide_node_done(c);
		c->cur_node = node;
		c->cur_node_off = node_off;
		c->cur_reg_ok = c->cur_compat = 0;
		c->cur_phandle = 0;
		c->cur_status_off = UINT32_MAX;
		c->cur_iommu_cells = UINT32_MAX;
	}
	if (ldr_streq(name, "compatible"))
		c->cur_compat = (uint32_t)ldr_list_has(val, len, "arm,smmu-v3");
	else if (ldr_streq(name, "reg"))
		c->cur_reg_ok = len >= 8 &&
				((uint64_t)ldr_be32(val) << 32 | ldr_be32(val + 4)) == c->base;
	else if (ldr_streq(name, "phandle") && len == 4)
		c->cur_phandle = ldr_be32(val);
	else if (ldr_streq(name, "status"))
		c->cur_status_off = prop_off;
	else if (ldr_streq(name, "#iommu-cells") && len == 4)
		c->cur_iommu_cells = ldr_be32(val);
	return 0;
}

/*
 * Pass 2: properties that reference the SMMU by phandle: iommu-map (DT binding
 * pci-iommu.yaml: <rid-base iommu-phandle iommu-base length>, one cell of
 * specifier for an SMMUv3), its iommu-map-mask, and iommus
 * (<phandle specifier...>). Only properties whose every entry names the SMMU are
 * removed; one that mixes in another IOMMU is refused (the loader does not know
 * the other IOMMU's cell count).
 */
static int fdt_hide_refs(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			 const char *name, const uint8_t *val, uint32_t len)
{
	struct fdt_hide_ctx *c = ctx;
	uint32_t stride, i, hits = 0, entries;
	int is_map = ldr_streq(name, "iommu-map");

	(void)node;
	(void)node_off;
	if (!is_map && !ldr_streq(name, "iommus"))
		return 0;
	stride = is_map ? 4 : 1 + c->iommu_cells;
	if (len == 0 || len % (4 * stride)) {
		c->err = "DT: iommu-map/iommus length is not a whole number of entries";
		return 1;
	}
	entries = len / (4 * stride);
	for (i = 0; i < entries; i++)
		if (ldr_be32(val + (size_t)4 * (i * stride + (is_map ? 1 : 0))) == c->phandle)
			hits++;
	if (!hits)
		return 0;
	if (hits != entries) {
		c->err = "DT: iommu-map/iommus mixes the SMMUv3 with another IOMMU";
		return 1;
	}
	if (c->nr_refs == LDR_FDT_MAX_EDITS) {
		c->err = "DT: too many references to the SMMUv3";
		return 1;
	}
	c->refs[c->nr_refs++] = prop_off;
	return 0;
}

/* Pass 3: the iommu-map-mask of the nodes whose iommu-map goes. */
struct fdt_mask_ctx {
	uint32_t masks[LDR_FDT_MAX_EDITS];
	uint32_t nr;
	uint32_t map_nodes[LDR_FDT_MAX_EDITS];
	uint32_t nr_map_nodes;
};

static int fdt_hide_masks(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			  const char *name, const uint8_t *val, uint32_t len)
{
	struct fdt_mask_ctx *m = ctx;
	uint32_t i;

	(void)node;
	(void)val;
	(void)len;
	if (!ldr_streq(name, "iommu-map-mask"))
		return 0;
	for (i = 0; i < m->nr_map_nodes; i++)
		if (m->map_nodes[i] == node_off && m->nr < LDR_FDT_MAX_EDITS)
			m->masks[m->nr++] = prop_off;
	return 0;
}

struct fdt_owner_ctx {
	uint32_t prop_off, node_off;
};

static int fdt_prop_owner(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			  const char *name, const uint8_t *val, uint32_t len)
{
	struct fdt_owner_ctx *o = ctx;

	(void)node;
	(void)name;
	(void)val;
	(void)len;
	if (prop_off != o->prop_off)
		return 0;
	o->node_off = node_off;
	return 1;
}

/* Offset in the strings block of name, appending it if absent; UINT32_MAX on failure. */
static uint32_t fdt_ed_string(struct fdt_ed *e, uint32_t cap, const char *name)
{
	uint32_t i = 0, n = 0;

	while (name[n])
		n++;
	while (i < e->size_strings) {
		uint32_t j = i;

		while (j < e->size_strings && e->b[e->off_strings + j])
			j++;
		if (j < e->size_strings && ldr_streq((const char *)e->b + e->off_strings + i, name))
			return i;
		i = j + 1;
	}
	i = e->size_strings;
	if (fdt_ed_insert(e, cap, e->off_strings + e->size_strings, (const uint8_t *)name, n + 1,
			  0))
		return UINT32_MAX;
	return i;
}

const char *fdt_hide_smmuv3(void *fdt, uint32_t cap, uint64_t smmu_base,
			    struct fdt_hide_report *rep)
{
	static const char disabled[] = "disabled"; /* 9 bytes with NUL, padded to 12 */
	struct fdt_hide_ctx c = { .base = smmu_base, .cur_node = UINT32_MAX };
	struct fdt_mask_ctx mc = { .nr = 0 };
	struct fdt_ed e;
	uint8_t prop[12 + 12];
	const char *err;
	uint32_t i, name_off, need;

	err = fdt_ed_open(&e, fdt, cap);
	if (err)
		return err;
	/*
	 * Growing a block shifts what follows it, and the structure block must stay 4-byte
	 * aligned: require the usual layout (dtc, libfdt, QEMU): reservation map, then the
	 * structure block, then the strings block.
	 */
	if (ldr_be32(e.b + 16) > e.off_struct || e.off_strings < e.off_struct + e.size_struct)
		return "DT: blocks not in the order reservation map, structure, strings";
	c.cur_status_off = UINT32_MAX;
	err = fdt_ed_walk(&e, fdt_hide_find, &c);
	if (err)
		return err;
	fdt_hide_node_done(&c);
	if (!c.found)
		return "DT: no enabled arm,smmu-v3 node at the SMMU's address";
	if (c.phandle) {
		if (c.iommu_cells == UINT32_MAX || c.iommu_cells > 4)
			return "DT: SMMUv3 node without a usable #iommu-cells";
		err = fdt_ed_walk(&e, fdt_hide_refs, &c);
		if (!err)
			err = c.err;
		if (err)
			return err;
	}
	for (i = 0; i < c.nr_refs; i++) {
		struct fdt_owner_ctx oc = { .prop_off = c.refs[i] };

		fdt_ed_walk(&e, fdt_prop_owner, &oc);
		mc.map_nodes[mc.nr_map_nodes++] = oc.node_off;
	}
	fdt_ed_walk(&e, fdt_hide_masks, &mc);
	/* Room: "status" string (7), the property (12 + 12), before any change. */
	need = 7 + 24;
	if (need > cap - e.total)
		return "DT: no room in the copy";
	/* Changes (none above can fail from here on but the room, checked). */
	for (i = 0; i < c.nr_refs; i++)
		fdt_ed_nop(&e, c.refs[i]);
	for (i = 0; i < mc.nr; i++)
		fdt_ed_nop(&e, mc.masks[i]);
	if (c.status_off != UINT32_MAX)
		fdt_ed_nop(&e, c.status_off);
	name_off = fdt_ed_string(&e, cap, "status");
	if (name_off == UINT32_MAX)
		return "DT: no room in the copy"; /* cannot happen: room checked */
	h_putbe32(prop, FDT_PROP);
	h_putbe32(prop + 4, sizeof(disabled));
	h_putbe32(prop + 8, name_off);
	for (i = 0; i < 12; i++)
		prop[12 + i] = i < sizeof(disabled) ? (uint8_t)disabled[i] : 0;
	/* Properties may come first in a node: right after BEGIN_NODE and its name. */
	{
		const uint8_t *s = e.b + e.off_struct + c.node_off;
		uint32_t n = 0;

		while (s[4 + n])
			n++;
		err = fdt_ed_insert(&e, cap, e.off_struct + c.node_off + 4 + ((n + 4) & ~3u), prop,
				    24, 1);
		if (err)
			return err;
	}
	rep->refs_removed = c.nr_refs;
	rep->masks_removed = mc.nr;
	rep->had_status = c.status_off != UINT32_MAX;
	rep->phandle = c.phandle;
	rep->new_size = e.total;
	return NULL;
}

/* ---- StreamIDs the firmware routes to the SMMU (docs/boot.md) -------------------- */

struct sid_set {
	struct ls_sid_range r[LS_BOOT_MAX_SID_RANGES + 1];
	uint32_t nr, max, refs, joined;
	const char *err;
};

/*
 * Add the IDs [base, base + count) (count >= 1): insert sorted, merge what overlaps or
 * touches, and join the two closest ranges while there are more than max.
 */
static void sid_add(struct sid_set *s, uint64_t base, uint64_t count)
{
	uint32_t i, j, best;
	uint64_t gap, g;

	if (s->err)
		return;
	if (!count || base + count - 1 > UINT32_MAX) {
		s->err = "StreamID range empty or beyond 32 bits";
		return;
	}
	s->refs++;
	for (i = s->nr; i > 0 && s->r[i - 1].base > base; i--)
		s->r[i] = s->r[i - 1];
	s->r[i].base = (uint32_t)base;
	s->r[i].count = (uint32_t)count;
	s->nr++;
	/* Merge neighbours that overlap or touch (the list is sorted by base). */
	for (i = 0; i + 1 < s->nr;) {
		uint64_t end = (uint64_t)s->r[i].base + s->r[i].count;
		uint64_t nend = (uint64_t)s->r[i + 1].base + s->r[i + 1].count;

		if (s->r[i + 1].base > end) {
			i++;
			continue;
		}
		if (nend > end)
			s->r[i].count = (uint32_t)(nend - s->r[i].base);
		for (j = i + 1; j + 1 < s->nr; j++)
			s->r[j] = s->r[j + 1];
		s->nr--;
	}
	if (s->nr <= s->max)
		return;
	/* One too many: join the pair with the smallest gap. */
	best = 0;
	gap = UINT64_MAX;
	for (i = 0; i + 1 < s->nr; i++) {
		g = (uint64_t)s->r[i + 1].base - ((uint64_t)s->r[i].base + s->r[i].count);
		if (g < gap) {
			gap = g;
			best = i;
		}
	}
	s->r[best].count =
		(uint32_t)((uint64_t)s->r[best + 1].base + s->r[best + 1].count - s->r[best].base);
	for (j = best + 1; j + 1 < s->nr; j++)
		s->r[j] = s->r[j + 1];
	s->nr--;
	s->joined++;
}

static const char *sid_done(const struct sid_set *s, struct ls_sid_range *out, uint32_t *nr,
			    struct ldr_sid_report *rep)
{
	uint32_t i;

	if (s->err)
		return s->err;
	for (i = 0; i < s->nr; i++)
		out[i] = s->r[i];
	*nr = s->nr;
	rep->refs = s->refs;
	rep->joined = s->joined;
	return NULL;
}

const char *iort_smmu_sids(const uint8_t *t, uint32_t len, uint64_t smmu_base,
			   struct ls_sid_range *out, uint32_t max, uint32_t *nr,
			   struct ldr_sid_report *rep)
{
	static struct iort_parse p; /* too big for the loader's stack; single-threaded */
	struct sid_set s = { .max = max };
	const struct iort_node *sn;
	uint32_t i, j;
	const char *err;

	if (!max || max > LS_BOOT_MAX_SID_RANGES)
		return "StreamIDs: bad output size";
	err = iort_parse(&p, t, len);
	if (err)
		return err;
	sn = &p.n[p.smmu];
	/* SMMUv3 node (DEN 0049E 3.1.1.2): Base Address, u64 at 16. */
	if (sn->len < 24 || ((uint64_t)ldr_le32(t + sn->off + 16) |
			     (uint64_t)ldr_le32(t + sn->off + 20) << 32) != smmu_base)
		return "IORT: its first SMMUv3 node is not the SMMU at smmu_base";
	/* iort_parse: only root complexes and named components reference the SMMU. */
	for (i = 0; i < p.nr; i++) {
		if (i == p.smmu)
			continue;
		for (j = 0; j < p.n[i].nmap; j++) {
			const uint8_t *m = iort_map(&p, i, j);

			if (ldr_le32(m + 12) != sn->off)
				continue;
			/* DEN 0049E 3.4: Number of IDs is the count minus one. */
			sid_add(&s, ldr_le32(m + 8),
				(ldr_le32(m + 16) & IORT_MAP_SINGLE) ?
					1 :
					(uint64_t)ldr_le32(m + 4) + 1);
		}
	}
	return sid_done(&s, out, nr, rep);
}

struct fdt_sid_ctx {
	uint32_t phandle, cells;
	struct sid_set *s;
};

/* iommu-map (pci-iommu.yaml) and iommus entries naming the SMMU's phandle. */
static int fdt_sid_refs(void *ctx, uint32_t node, uint32_t node_off, uint32_t prop_off,
			const char *name, const uint8_t *val, uint32_t len)
{
	struct fdt_sid_ctx *c = ctx;
	int is_map = ldr_streq(name, "iommu-map");
	uint32_t stride, i, hits = 0, entries;

	(void)node;
	(void)node_off;
	(void)prop_off;
	if (!is_map && !ldr_streq(name, "iommus"))
		return 0;
	stride = is_map ? 4 : 1 + c->cells;
	if (len == 0 || len % (4 * stride)) {
		c->s->err = "DT: iommu-map/iommus length is not a whole number of entries";
		return 1;
	}
	entries = len / (4 * stride);
	for (i = 0; i < entries; i++) {
		const uint8_t *v = val + (size_t)4 * i * stride;

		if (ldr_be32(v + (is_map ? 4 : 0)) != c->phandle)
			continue;
		hits++;
		if (is_map) {
			if (ldr_be32(v + 12)) /* a zero length maps nothing */
				sid_add(c->s, ldr_be32(v + 8), ldr_be32(v + 12));
		} else {
			sid_add(c->s, ldr_be32(v + 4), 1);
		}
	}
	if (hits && hits != entries && !is_map) {
		/* The stride is the SMMU's #iommu-cells: another IOMMU's entries may differ. */
		c->s->err = "DT: iommus mixes the SMMUv3 with another IOMMU";
		return 1;
	}
	return c->s->err != NULL;
}

const char *fdt_smmu_sids(const void *fdt, uint32_t size, uint64_t smmu_base,
			  struct ls_sid_range *out, uint32_t max, uint32_t *nr,
			  struct ldr_sid_report *rep)
{
	struct fdt_hide_ctx c = { .base = smmu_base, .cur_node = UINT32_MAX };
	struct sid_set s = { .max = max };
	struct fdt_sid_ctx sc = { .s = &s };
	struct fdt_ed e;
	const char *err;

	if (!max || max > LS_BOOT_MAX_SID_RANGES)
		return "StreamIDs: bad output size";
	/* The walk only reads: the blob is not written through e. */
	err = fdt_ed_open(&e, (uint8_t *)(uintptr_t)fdt, size);
	if (err)
		return err;
	c.cur_status_off = UINT32_MAX;
	err = fdt_ed_walk(&e, fdt_hide_find, &c);
	if (err)
		return err;
	fdt_hide_node_done(&c);
	if (!c.found)
		return "DT: no arm,smmu-v3 node at the SMMU's address";
	if (!c.phandle)
		return sid_done(&s, out, nr, rep); /* nothing can reference it */
	/* SMMUv3 binding (arm,smmu-v3.yaml): #iommu-cells = 1, the StreamID. */
	if (c.iommu_cells != 1)
		return "DT: SMMUv3 node's #iommu-cells is not 1";
	sc.phandle = c.phandle;
	sc.cells = c.iommu_cells;
	err = fdt_ed_walk(&e, fdt_sid_refs, &sc);
	if (err)
		return err;
	return sid_done(&s, out, nr, rep);
}

/* ---- Is a PCI root complex entirely behind the SMMU? (docs/iommu.md) -------------- */

#define IORT_RC_SEGMENT 28u /* DEN 0049E 3.1.1.5 "Root Complex node": PCI Segment number */

const char *iort_rc_rids(const uint8_t *t, uint32_t len, uint64_t smmu_base, uint32_t segment,
			 struct ls_sid_range *out, uint32_t max, uint32_t *nr)
{
	static struct iort_parse p; /* too big for the loader's stack; single-threaded */
	const struct iort_node *sn;
	uint32_t i, j, n = 0, found = 0;
	const char *err;

	err = iort_parse(&p, t, len);
	if (err)
		return err;
	sn = &p.n[p.smmu];
	if (sn->len < 24 || ((uint64_t)ldr_le32(t + sn->off + 16) |
			     (uint64_t)ldr_le32(t + sn->off + 20) << 32) != smmu_base)
		return "IORT: its first SMMUv3 node is not the SMMU Lockstep owns";
	for (i = 0; i < p.nr; i++) {
		const struct iort_node *nd = &p.n[i];

		if (t[nd->off] != IORT_RC || nd->len < IORT_RC_SEGMENT + 4 ||
		    ldr_le32(t + nd->off + IORT_RC_SEGMENT) != segment)
			continue;
		found++;
		/*
		 * Only range mappings whose output is the SMMU translate DMA; a RID mapped
		 * elsewhere (straight to an ITS group: QEMU's IORT does that for the bus
		 * numbers no device used at boot, and for bypass_iommu buses) or not at
		 * all is, by this description, a requester the SMMU does not see.
		 */
		for (j = 0; j < nd->nmap; j++) {
			const uint8_t *m = iort_map(&p, i, j);

			if (ldr_le32(m + 12) != sn->off || (ldr_le32(m + 16) & IORT_MAP_SINGLE))
				continue;
			if (n == max)
				return "IORT: too many root-complex ID mappings to the SMMU";
			out[n].base = ldr_le32(m);
			out[n].count = ldr_le32(m + 4) + 1; /* DEN 0049E 3.4: count minus one */
			n++;
		}
	}
	if (!found)
		return "IORT: no root-complex node for this PCI segment";
	if (!n)
		return "IORT: no requester ID of the root complex goes through the SMMU";
	*nr = n;
	return NULL;
}

/* ---- Disable device-tree nodes (docs/boot.md "Devices hidden from the host") ----- */

const char *fdt_disable_nodes(void *fdt, uint32_t cap, const uint32_t *offs, uint32_t n)
{
	static const char disabled[] = "disabled"; /* 9 bytes with NUL, padded to 12 */
	struct fdt_ed e;
	uint8_t prop[24];
	uint32_t sorted[LDR_FDT_MAX_HIDE], i, j, name_off;
	const char *err;

	if (n > LDR_FDT_MAX_HIDE)
		return "DT: too many nodes to disable";
	err = fdt_ed_open(&e, fdt, cap);
	if (err)
		return err;
	if (ldr_be32(e.b + 16) > e.off_struct || e.off_strings < e.off_struct + e.size_struct)
		return "DT: blocks not in the order reservation map, structure, strings";
	err = fdt_ed_walk(&e, NULL, NULL);
	if (err)
		return err;
	/* Descending, so that an insertion never moves a node still to edit. */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && sorted[j - 1] < offs[i]; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = offs[i];
	}
	for (i = 0; i < n; i++)
		if (sorted[i] + 8 > e.size_struct ||
		    ldr_be32(e.b + e.off_struct + sorted[i]) != FDT_BEGIN_NODE ||
		    (i && sorted[i] == sorted[i - 1]))
			return "DT: a node to disable is not a node (or is listed twice)";
	if (7 + 24 * n > cap - e.total)
		return "DT: no room in the copy";
	name_off = fdt_ed_string(&e, cap, "status");
	if (name_off == UINT32_MAX)
		return "DT: no room in the copy";
	h_putbe32(prop, FDT_PROP);
	h_putbe32(prop + 4, sizeof(disabled));
	h_putbe32(prop + 8, name_off);
	for (i = 0; i < 12; i++)
		prop[12 + i] = i < sizeof(disabled) ? (uint8_t)disabled[i] : 0;
	for (i = 0; i < n; i++) {
		const uint8_t *s = e.b + e.off_struct + sorted[i];
		uint32_t at, len = 0, p;

		while (s[4 + len])
			len++;
		at = sorted[i] + 4 + ((len + 4) & ~3u);
		/* NOP an existing status among the node's own properties. */
		for (p = at; p + 12 <= e.size_struct;) {
			const uint8_t *q = e.b + e.off_struct + p;
			uint32_t tok = ldr_be32(q), plen, nameoff;

			if (tok == FDT_NOP) {
				p += 4;
				continue;
			}
			if (tok != FDT_PROP)
				break;
			plen = ldr_be32(q + 4);
			nameoff = ldr_be32(q + 8);
			if (ldr_streq((const char *)e.b + e.off_strings + nameoff, "status"))
				fdt_ed_nop(&e, p);
			p += 12 + ((plen + 3) & ~3u);
		}
		err = fdt_ed_insert(&e, cap, e.off_struct + at, prop, 24, 1);
		if (err)
			return err;
	}
	return NULL;
}
