// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * lockstep.cfg parser. See docs/boot.md for the format.
 */
#include "ldr.h"

static int cfg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int cfg_key_is(const char *key, size_t klen, const char *name)
{
	size_t i;

	for (i = 0; i < klen; i++)
		if (name[i] == '\0' || name[i] != key[i])
			return 0;
	return name[klen] == '\0';
}

/* Copy [val, val + vlen) to dst (size dst_size) with a terminating NUL. */
static const char *cfg_copy(char *dst, size_t dst_size, const char *val, size_t vlen)
{
	size_t i;

	if (vlen >= dst_size)
		return "value too long";
	for (i = 0; i < vlen; i++) {
		if (val[i] == '\0' || (unsigned char)val[i] >= 0x80)
			return "value has a NUL or non-ASCII byte";
		dst[i] = val[i];
	}
	dst[vlen] = '\0';
	return NULL;
}

static const char *cfg_uint(uint32_t *dst, const char *val, size_t vlen, uint32_t min, uint32_t max)
{
	uint64_t v = 0;
	size_t i;

	if (vlen == 0)
		return "empty number";
	for (i = 0; i < vlen; i++) {
		if (val[i] < '0' || val[i] > '9')
			return "not a decimal number";
		v = v * 10 + (uint64_t)(val[i] - '0');
		if (v > max)
			return "number out of range";
	}
	if (v < min)
		return "number out of range";
	*dst = (uint32_t)v;
	return NULL;
}

/* Key table: which field a key sets and which bit marks it as seen. */
enum {
	CFG_HYP,
	CFG_KERNEL,
	CFG_INITRD,
	CFG_CMDLINE,
	CFG_POOL,
	CFG_STACK,
	CFG_CPUS,
	CFG_UNSAFE_DMA,
	CFG_ALLOW_UNSIGNED,
	CFG_NKEYS
};
static const char *const cfg_keys[CFG_NKEYS] = {
	"hypervisor",	  "kernel",    "initrd", "cmdline",
	"pool_mib",	  "stack_kib", "cpus",	 "unsafe_untranslated_dma",
	"allow_unsigned",
};

static const char *cfg_set(struct ldr_config *c, int key, const char *val, size_t vlen)
{
	const char *err;

	switch (key) {
	case CFG_HYP:
		return cfg_copy(c->hypervisor, sizeof(c->hypervisor), val, vlen);
	case CFG_KERNEL:
		if (vlen == 0)
			return "kernel= is empty";
		return cfg_copy(c->kernel, sizeof(c->kernel), val, vlen);
	case CFG_INITRD:
		return cfg_copy(c->initrd, sizeof(c->initrd), val, vlen);
	case CFG_CMDLINE:
		return cfg_copy(c->cmdline, sizeof(c->cmdline), val, vlen);
	case CFG_POOL:
		return cfg_uint(&c->pool_mib, val, vlen, 1, LDR_POOL_MIB_MAX);
	case CFG_STACK:
		err = cfg_uint(&c->stack_kib, val, vlen, 4, LDR_STACK_KIB_MAX);
		if (!err && c->stack_kib % 4)
			err = "stack_kib must be a multiple of 4";
		return err;
	case CFG_CPUS:
		return cfg_uint(&c->cpus, val, vlen, 1, LS_BOOT_MAX_CPUS);
	case CFG_UNSAFE_DMA:
		return cfg_uint(&c->unsafe_dma, val, vlen, 0, 1);
	case CFG_ALLOW_UNSIGNED:
		return cfg_uint(&c->allow_unsigned, val, vlen, 0, 1);
	}
	return "internal: bad key";
}

const char *cfg_parse(const char *buf, size_t len, struct ldr_config *cfg)
{
	struct ldr_config c = { .pool_mib = LDR_POOL_MIB_DEFAULT,
				.stack_kib = LDR_STACK_KIB_DEFAULT,
				.cpus = LDR_CPUS_DEFAULT };
	unsigned int seen = 0, line = 0;
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos, end, ks, ke, vs, ve, eq;
		const char *err;
		int k, key = -1;

		line++;
		while (pos < len && buf[pos] != '\n')
			pos++;
		end = pos;
		if (pos < len)
			pos++; /* skip '\n' */

		ks = start;
		while (ks < end && cfg_is_space(buf[ks]))
			ks++;
		if (ks == end || buf[ks] == '#')
			continue;
		for (eq = ks; eq < end && buf[eq] != '='; eq++)
			;
		if (eq == end) {
			cfg->line = line;
			return "line is not key=value";
		}
		ke = eq;
		while (ke > ks && cfg_is_space(buf[ke - 1]))
			ke--;
		vs = eq + 1;
		while (vs < end && cfg_is_space(buf[vs]))
			vs++;
		ve = end;
		while (ve > vs && cfg_is_space(buf[ve - 1]))
			ve--;

		for (k = 0; k < CFG_NKEYS; k++)
			if (cfg_key_is(buf + ks, ke - ks, cfg_keys[k]))
				key = k;
		if (key < 0) {
			cfg->line = line;
			return "unknown key";
		}
		if (seen & (1u << key)) {
			cfg->line = line;
			return "key given twice";
		}
		seen |= 1u << key;
		err = cfg_set(&c, key, buf + vs, ve - vs);
		if (err) {
			cfg->line = line;
			return err;
		}
	}
	if (!(seen & (1u << CFG_KERNEL))) {
		cfg->line = 0;
		return "no kernel= line";
	}
	c.line = 0;
	*cfg = c;
	return NULL;
}
