// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Minimal flattened-device-tree reader: just enough to find the PL011 console.
 * Format: Devicetree Specification v0.4, chapter 5 (header 5.2, structure block
 * 5.4); all header and token fields are big-endian. Every offset is checked
 * against the blob's bounds before use.
 */
#include "bytes.h"
#include "ldr.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u

#define FDT_MAX_DEPTH 16
#define FDT_PATH_MAX  256

struct fdt_blob {
	const uint8_t *base;
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
};

/* Per-node facts gathered from its properties. */
struct fdt_node {
	const char *path;
	const uint8_t *compat; /* compatible string list, NULL if none */
	uint32_t compat_len;
	int disabled; /* status is present and not "okay"/"ok" */
	int has_reg;
	uint64_t reg;	   /* first address of reg */
	uint64_t reg_size; /* first size of reg, 0 if #size-cells is 0 */
};

struct fdt_walker {
	/* Called for every property; return nonzero to stop the walk. */
	int (*prop)(struct fdt_walker *w, const char *path, const char *name, const uint8_t *val,
		    uint32_t len);
	/* Called once a node's properties are all seen; return nonzero to stop. */
	int (*node)(struct fdt_walker *w, const struct fdt_node *n);
	const char *want_path; /* input of the walkers below */
	const char *want_prop;
	const char *want_compat;
	const uint8_t *found; /* output */
	uint32_t found_len;
	uint64_t reg, reg_size;
	int ok;
};

uint32_t fdt_total_size(const void *fdt)
{
	const uint8_t *p = fdt;

	if (!p || ldr_be32(p) != FDT_MAGIC)
		return 0;
	return ldr_be32(p + 4);
}

static int fdt_open(struct fdt_blob *b, const void *fdt, size_t max_len)
{
	const uint8_t *p = fdt;
	uint32_t total;

	if (!p || max_len < 40 || ldr_be32(p) != FDT_MAGIC)
		return -1;
	total = ldr_be32(p + 4);
	if (total < 40 || total > max_len || ldr_be32(p + 20) < 16) /* version >= 16 */
		return -1;
	b->base = p;
	b->off_struct = ldr_be32(p + 8);
	b->off_strings = ldr_be32(p + 12);
	b->size_strings = ldr_be32(p + 32);
	b->size_struct = ldr_be32(p + 36);
	if (b->off_struct > total || b->size_struct > total - b->off_struct ||
	    b->off_strings > total || b->size_strings > total - b->off_strings || b->off_struct % 4)
		return -1;
	return 0;
}

/*
 * Walk the structure block. Returns 1 if a callback stopped the walk, 0 at the
 * end of the tree, -1 on a malformed blob.
 */
static int fdt_walk(const struct fdt_blob *b, struct fdt_walker *w)
{
	const uint8_t *s = b->base + b->off_struct;
	uint32_t off = 0, end = b->size_struct;
	char path[FDT_PATH_MAX];
	size_t plen[FDT_MAX_DEPTH + 1];
	uint32_t acells[FDT_MAX_DEPTH + 1], scells[FDT_MAX_DEPTH + 1];
	struct fdt_node node = { .path = path };
	int depth = -1, pending = 0;

	path[0] = '\0';
	while (off + 4 <= end) {
		uint32_t tok = ldr_be32(s + off);

		off += 4;
		if (pending && tok != FDT_PROP && tok != FDT_NOP) {
			pending = 0;
			if (w->node && w->node(w, &node))
				return 1;
		}
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)s + off;
			size_t n = 0, base;

			while (off + n < end && name[n])
				n++;
			if (off + n >= end || depth + 1 > FDT_MAX_DEPTH)
				return -1;
			off += (uint32_t)((n + 4) & ~(size_t)3);
			depth++;
			base = depth == 0 ? 0 : plen[depth - 1];
			if (depth > 0) {
				/* "/" for the root, "/a/b" below it */
				if (base + 1 + n + 1 > FDT_PATH_MAX)
					return -1;
				if (base == 1)
					base = 0; /* root path is "/" */
				path[base] = '/';
				for (size_t i = 0; i < n; i++)
					path[base + 1 + i] = name[i];
				plen[depth] = base + 1 + n;
			} else {
				path[0] = '/';
				plen[0] = 1;
			}
			path[plen[depth]] = '\0';
			/* Defaults of #address-cells and #size-cells (DT spec 2.3.5). */
			acells[depth] = 2;
			scells[depth] = 1;
			node.compat = NULL;
			node.compat_len = 0;
			node.disabled = node.has_reg = 0;
			node.reg = node.reg_size = 0;
			pending = 1;
		} else if (tok == FDT_END_NODE) {
			if (depth < 0)
				return -1;
			depth--;
			if (depth >= 0)
				path[plen[depth]] = '\0';
		} else if (tok == FDT_PROP) {
			uint32_t len, nameoff;
			const uint8_t *val;
			const char *pname;

			if (depth < 0 || off + 8 > end)
				return -1;
			len = ldr_be32(s + off);
			nameoff = ldr_be32(s + off + 4);
			off += 8;
			if (len > end - off || nameoff >= b->size_strings)
				return -1;
			val = s + off;
			off += (len + 3) & ~3u;
			pname = (const char *)b->base + b->off_strings + nameoff;
			/* The property name must be NUL-terminated inside the strings block. */
			{
				uint32_t i = nameoff;

				while (i < b->size_strings && pname[i - nameoff])
					i++;
				if (i == b->size_strings)
					return -1;
			}
			if (ldr_streq(pname, "#address-cells") && len == 4)
				acells[depth] = ldr_be32(val);
			else if (ldr_streq(pname, "#size-cells") && len == 4)
				scells[depth] = ldr_be32(val);
			else if (ldr_streq(pname, "compatible")) {
				node.compat = val;
				node.compat_len = len;
			} else if (ldr_streq(pname, "status"))
				node.disabled = !ldr_list_has(val, len, "okay") &&
						!ldr_list_has(val, len, "ok");
			else if (ldr_streq(pname, "reg") && depth > 0) {
				uint32_t ac = acells[depth - 1], sc = scells[depth - 1];

				if (ac >= 1 && ac <= 2 && sc <= 2 && len >= 4 * (ac + sc)) {
					node.reg = ldr_cells(val, ac);
					node.reg_size = ldr_cells(val + (size_t)4 * ac, sc);
					node.has_reg = 1;
				}
			}
			if (w->prop && w->prop(w, path, pname, val, len))
				return 1;
		} else if (tok == FDT_END) {
			return 0;
		} else if (tok != FDT_NOP) {
			return -1;
		}
	}
	return -1;
}

static int fdt_prop_match(struct fdt_walker *w, const char *path, const char *name,
			  const uint8_t *val, uint32_t len)
{
	if (!ldr_streq(path, w->want_path) || !ldr_streq(name, w->want_prop))
		return 0;
	w->found = val;
	w->found_len = len;
	return 1;
}

static int fdt_node_by_path(struct fdt_walker *w, const struct fdt_node *n)
{
	if (!ldr_streq(n->path, w->want_path))
		return 0;
	w->ok = ldr_list_has(n->compat, n->compat_len, "arm,pl011") && !n->disabled && n->has_reg;
	w->reg = n->reg;
	return 1;
}

static int fdt_node_first_compat(struct fdt_walker *w, const struct fdt_node *n)
{
	if (!ldr_list_has(n->compat, n->compat_len, w->want_compat) || n->disabled || !n->has_reg)
		return 0;
	w->ok = 1;
	w->reg = n->reg;
	w->reg_size = n->reg_size;
	return 1;
}

/* Value of property name of the node at path, as a NUL-terminated string, or NULL. */
static const char *fdt_get_string(const struct fdt_blob *b, const char *path, const char *name)
{
	struct fdt_walker w = { .prop = fdt_prop_match, .want_path = path, .want_prop = name };

	if (fdt_walk(b, &w) != 1 || w.found_len == 0 || w.found[w.found_len - 1] != '\0')
		return NULL;
	return (const char *)w.found;
}

uint64_t fdt_find_pl011(const void *fdt, size_t max_len)
{
	struct fdt_blob b;
	struct fdt_walker w = { 0 };
	const char *sp;
	char target[FDT_PATH_MAX];

	if (fdt_open(&b, fdt, max_len))
		return 0;

	sp = fdt_get_string(&b, "/chosen", "stdout-path");
	if (!sp)
		sp = fdt_get_string(&b, "/chosen", "linux,stdout-path");
	if (sp) {
		size_t i;

		/* "serial0:115200n8" or "/pl011@9000000": drop the options after ':'. */
		for (i = 0; sp[i] && sp[i] != ':' && i + 1 < sizeof(target); i++)
			target[i] = sp[i];
		target[i] = '\0';
		if (target[0] != '/' && target[0] != '\0')
			sp = fdt_get_string(&b, "/aliases", target);
		else
			sp = target;
		if (sp && sp[0] == '/') {
			w.node = fdt_node_by_path;
			w.want_path = sp;
			if (fdt_walk(&b, &w) == 1 && w.ok)
				return w.reg;
		}
	}
	w = (struct fdt_walker){ .node = fdt_node_first_compat, .want_compat = "arm,pl011" };
	if (fdt_walk(&b, &w) == 1 && w.ok)
		return w.reg;
	return 0;
}

int fdt_find_compatible(const void *fdt, size_t max_len, const char *compat, uint64_t *base,
			uint64_t *size)
{
	struct fdt_walker w = { .node = fdt_node_first_compat, .want_compat = compat };
	struct fdt_blob b;

	if (fdt_open(&b, fdt, max_len) || fdt_walk(&b, &w) != 1 || !w.ok)
		return -1;
	*base = w.reg;
	*size = w.reg_size;
	return 0;
}
