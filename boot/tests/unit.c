// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Host unit tests of the loader's firmware-independent parts (boot/ldr.h):
 * config parser, image check, CRC32, region layout, memory-map merge, FDT and
 * ACPI console discovery. Built with ASan/UBSan; prints TAP lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ldr.h"

static int t_n, t_fail;

static void t_ok(int cond, const char *name)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%s %d - unit: %s\n", cond ? "ok" : "not ok", t_n, name);
}

/* --- config ------------------------------------------------------------------ */

static const char *cfg_try(const char *text, struct ldr_config *c)
{
	memset(c, 0x5a, sizeof(*c));
	return cfg_parse(text, strlen(text), c);
}

static void test_config_unsigned(void)
{
	struct ldr_config c;

	t_ok(!cfg_try("kernel=\\k\n", &c) && c.allow_unsigned == 0,
	     "config: allow_unsigned defaults to 0 (signature required)");
	t_ok(!cfg_try("kernel=\\k\nallow_unsigned=1\n", &c) && c.allow_unsigned == 1,
	     "config: allow_unsigned=1 parsed");
	t_ok(cfg_try("kernel=\\k\nallow_unsigned=2\n", &c) != NULL,
	     "config: allow_unsigned=2 rejected");
}

static void test_config(void)
{
	test_config_unsigned();
	struct ldr_config c;
	const char *e;

	e = cfg_try("hypervisor=\\lockstep\\lockstep.bin\nkernel=\\EFI\\Linux\\Image\n"
		    "initrd=\\EFI\\Linux\\initrd.img\ncmdline=console=ttyAMA0 root=/dev/vda a=b\n"
		    "pool_mib=64\nstack_kib=32\ncpus=4\n",
		    &c);
	t_ok(!e && !strcmp(c.hypervisor, "\\lockstep\\lockstep.bin") &&
		     !strcmp(c.kernel, "\\EFI\\Linux\\Image") &&
		     !strcmp(c.initrd, "\\EFI\\Linux\\initrd.img") &&
		     !strcmp(c.cmdline, "console=ttyAMA0 root=/dev/vda a=b") && c.pool_mib == 64 &&
		     c.stack_kib == 32 && c.cpus == 4,
	     "config: every key parsed, '=' inside the cmdline value kept");

	e = cfg_try("kernel=\\k", &c);
	t_ok(!e && c.hypervisor[0] == 0 && c.initrd[0] == 0 && c.cmdline[0] == 0 &&
		     c.pool_mib == LDR_POOL_MIB_DEFAULT && c.stack_kib == LDR_STACK_KIB_DEFAULT &&
		     c.cpus == LDR_CPUS_DEFAULT,
	     "config: kernel= alone, defaults for the rest, no trailing newline needed");

	e = cfg_try("# comment\r\n\r\n   \t\n  kernel  =  \\k  \r\n# x=y\ncpus = 2\r\n", &c);
	t_ok(!e && !strcmp(c.kernel, "\\k") && c.cpus == 2,
	     "config: comments, blank lines, CRLF and spaces around key and value");

	e = cfg_try("hypervisor=\nkernel=\\k\n", &c);
	t_ok(!e && c.hypervisor[0] == 0, "config: empty hypervisor= means no hypervisor");

	e = cfg_try("cpus=2\n", &c);
	t_ok(e && c.line == 0, "config: missing kernel= rejected");
	e = cfg_try("", &c);
	t_ok(e != NULL, "config: empty file rejected");
	e = cfg_try("kernel=\\k\nkernal=\\x\n", &c);
	t_ok(e && c.line == 2, "config: unknown key rejected with its line number");
	e = cfg_try("kernel=\\k\nkernel=\\j\n", &c);
	t_ok(e && c.line == 2, "config: repeated key rejected");
	e = cfg_try("kernel=\\k\njust words\n", &c);
	t_ok(e && c.line == 2, "config: line without '=' rejected");
	e = cfg_try("kernel=\n", &c);
	t_ok(e && c.line == 1, "config: empty kernel= rejected");
	e = cfg_try("kernel=\\k\ncpus=0\n", &c);
	t_ok(e && c.line == 2, "config: cpus=0 rejected");
	e = cfg_try("kernel=\\k\ncpus=9\n", &c);
	t_ok(e != NULL, "config: cpus above LS_BOOT_MAX_CPUS rejected");
	e = cfg_try("kernel=\\k\npool_mib=0\n", &c);
	t_ok(e != NULL, "config: pool_mib=0 rejected");
	e = cfg_try("kernel=\\k\npool_mib=99999999999999999999\n", &c);
	t_ok(e != NULL, "config: huge pool_mib rejected without overflow");
	e = cfg_try("kernel=\\k\nstack_kib=6\n", &c);
	t_ok(e != NULL, "config: stack_kib not a multiple of 4 rejected");
	e = cfg_try("kernel=\\k\nstack_kib=16k\n", &c);
	t_ok(e != NULL, "config: non-decimal number rejected");
	e = cfg_try("kernel=\\k\ncpus=-1\n", &c);
	t_ok(e != NULL, "config: negative number rejected");
	{
		char big[LDR_CFG_PATH_MAX + 32];

		memset(big, 'a', sizeof(big));
		memcpy(big, "kernel=", 7);
		big[sizeof(big) - 1] = 0;
		e = cfg_try(big, &c);
		t_ok(e && c.line == 1, "config: over-long path rejected");
	}
	{
		const char bin[] = "kernel=\\k\0x\n";

		memset(&c, 0, sizeof(c));
		e = cfg_parse(bin, sizeof(bin) - 1, &c);
		t_ok(e != NULL, "config: NUL byte inside a value rejected");
	}
	e = cfg_try("kernel=\\k\xc3\xa9\n", &c);
	t_ok(e != NULL, "config: non-ASCII value rejected");
	{
		struct ldr_config before, after;

		memset(&before, 0x77, sizeof(before));
		after = before;
		cfg_parse("cpus=1\n", 7, &after);
		after.line = before.line;
		t_ok(!memcmp(&before, &after, sizeof(before)),
		     "config: failure leaves the output untouched (but line)");
	}
}

/* --- image, CRC, layout -------------------------------------------------------- */

static uint8_t *img_make(size_t code, size_t *len)
{
	size_t n = sizeof(struct ls_image_hdr) + code;
	uint8_t *b = calloc(1, n);
	struct ls_image_hdr *h = (struct ls_image_hdr *)b;
	size_t i;

	for (i = sizeof(*h); i < n; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	h->hdr_size = sizeof(*h);
	h->magic = LS_IMAGE_MAGIC;
	h->hdr_version = LS_IMAGE_HDR_VERSION;
	h->image_size = n;
	h->mem_size = (n + 4095 + 8192) & ~4095ULL;
	h->entry_offset = sizeof(*h);
	h->crc32 = ldr_crc32(0, b + sizeof(*h), code);
	*len = n;
	return b;
}

static void img_recrc(uint8_t *b)
{
	struct ls_image_hdr *h = (struct ls_image_hdr *)b;

	h->crc32 = ldr_crc32(0, b + h->hdr_size, h->image_size - h->hdr_size);
}

static void test_image(void)
{
	struct ls_image_hdr *h;
	size_t len;
	uint8_t *b;

	t_ok(ldr_crc32(0, "123456789", 9) == 0xcbf43926u,
	     "crc32: IEEE check value of \"123456789\"");
	t_ok(ldr_crc32(ldr_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u,
	     "crc32: incremental equals one-shot");

	b = img_make(5000, &len);
	t_ok(img_check(b, len) == NULL, "image: valid image accepted");
	t_ok(img_check(b, sizeof(struct ls_image_hdr) - 1) != NULL,
	     "image: shorter than the header rejected");
	t_ok(img_check(b, len - 1) != NULL, "image: truncated file rejected");
	{
		uint8_t *nb = realloc(b, len + 1);

		if (!nb) {
			free(b);
			t_ok(0, "image: realloc");
			return;
		}
		b = nb;
	}
	h = (struct ls_image_hdr *)b;
	t_ok(img_check(b, len + 1) != NULL, "image: trailing bytes rejected");
	b[len / 2] ^= 0x40;
	t_ok(strstr(img_check(b, len) ?: "", "CRC") != NULL, "image: flipped bit -> CRC mismatch");
	b[len / 2] ^= 0x40;
	h->magic ^= 1;
	t_ok(strstr(img_check(b, len) ?: "", "magic") != NULL, "image: bad magic rejected");
	h->magic ^= 1;
	h->hdr_version = 2;
	t_ok(img_check(b, len) != NULL, "image: unknown header version rejected");
	h->hdr_version = LS_IMAGE_HDR_VERSION;
	h->hdr_size = 8;
	t_ok(img_check(b, len) != NULL, "image: hdr_size below the struct rejected");
	h->hdr_size = sizeof(*h);
	h->mem_size = h->image_size - 1;
	t_ok(img_check(b, len) != NULL, "image: mem_size below image_size rejected");
	h->mem_size = 0x10001000;
	t_ok(img_check(b, len) != NULL, "image: mem_size above the bound rejected");
	h->mem_size = 0x3001;
	t_ok(img_check(b, len) != NULL, "image: unaligned mem_size rejected");
	h->mem_size = 0x3000;
	h->entry_offset = len;
	t_ok(img_check(b, len) != NULL, "image: entry outside the image rejected");
	h->entry_offset = sizeof(*h) + 2;
	t_ok(img_check(b, len) != NULL, "image: unaligned entry rejected");
	h->entry_offset = sizeof(*h);
	h->image_size = len - 4;
	img_recrc(b);
	t_ok(img_check(b, len) != NULL, "image: image_size smaller than the file rejected");
	h->image_size = len;
	img_recrc(b);
	t_ok(img_check(b, len) == NULL, "image: restored image accepted again");

	{
		struct ldr_config c = { .pool_mib = 32, .stack_kib = 16, .cpus = 8 };
		struct ldr_layout l, keep;

		t_ok(layout_compute(h, &c, &l) == NULL && l.total % LDR_REGION_ALIGN == 0 &&
			     l.stack_off == h->mem_size && l.nr_cpus == 8 &&
			     l.info_off == l.stack_off + 8ULL * 16384 &&
			     l.pool_off == l.info_off + 4096 && l.pool_size == 32ULL << 20 &&
			     l.pool_off + l.pool_size <= l.total &&
			     l.total - (l.pool_off + l.pool_size) < LDR_REGION_ALIGN,
		     "layout: image | stacks | boot info page | pool, 2 MiB rounded");
		keep = l;
		c.cpus = 0;
		t_ok(layout_compute(h, &c, &l) != NULL && l.total == keep.total &&
			     l.pool_off == keep.pool_off && l.nr_cpus == keep.nr_cpus,
		     "layout: cpus=0 rejected, output untouched");
		c.cpus = 1;
		c.stack_kib = 6;
		t_ok(layout_compute(h, &c, &l) != NULL, "layout: stack not page multiple rejected");
		t_ok(sizeof(struct ls_boot_info) <= LDR_PAGE_SIZE,
		     "layout: boot info fits its page");
	}
	free(b);
}

/* --- memory map ---------------------------------------------------------------- */

struct md48 {
	struct ldr_efi_md md;
	uint64_t extra; /* firmware descriptors may be larger than the struct */
};

static void test_memmap(void)
{
	struct md48 m[8];
	struct ls_mem_range r[4];
	int n;

	memset(m, 0, sizeof(m));
#define MD(i, t, b, p) (m[i].md.type = (t), m[i].md.phys_start = (b), m[i].md.nr_pages = (p))
	MD(0, LDR_EFI_CONVENTIONAL, 0x80000000, 0x100); /* 0x80000000-0x80100000 */
	MD(1, LDR_EFI_BS_DATA, 0x40000000, 0x10);	/* 0x40000000-0x40010000 */
	MD(2, LDR_EFI_LOADER_CODE, 0x40010000, 0x10);	/* adjacent: merges */
	MD(3, 0 /* reserved */, 0x40020000, 0x10);	/* hole */
	MD(4, LDR_EFI_ACPI_RECLAIM, 0x40030000, 0x10);
	MD(5, 11 /* MMIO */, 0x09000000, 1);
	MD(6, LDR_EFI_RT_DATA, 0x80080000, 0x100);  /* overlaps [0] */
	MD(7, LDR_EFI_CONVENTIONAL, 0x90000000, 0); /* empty */
	n = mm_collect(m, sizeof(m), sizeof(m[0]), r, 4);
	t_ok(n == 3 && r[0].base == 0x40000000 && r[0].size == 0x20000 && r[1].base == 0x40030000 &&
		     r[1].size == 0x10000 && r[2].base == 0x80000000 && r[2].size == 0x180000,
	     "memmap: sorted, adjacent and overlapping merged, non-RAM and empty skipped, 48-byte stride");
	t_ok(mm_collect(m, sizeof(m), sizeof(m[0]), r, 2) == -1,
	     "memmap: more ranges than room -> -1");
	t_ok(mm_collect(m, sizeof(m), 20, r, 4) == -1, "memmap: descriptor size too small -> -1");
	t_ok(mm_collect(m, sizeof(m) - 8, sizeof(m[0]), r, 4) == -1,
	     "memmap: map size not a multiple of the stride -> -1");
	memset(m, 0, sizeof(m));
	MD(0, LDR_EFI_CONVENTIONAL, 0x1000, 1);
	MD(1, LDR_EFI_CONVENTIONAL, 0x5000, 1);
	MD(2, LDR_EFI_CONVENTIONAL, 0x9000, 1);
	MD(3, LDR_EFI_CONVENTIONAL, 0x2000, 7); /* bridges all three */
	n = mm_collect(m, 4 * sizeof(m[0]), sizeof(m[0]), r, 4);
	t_ok(n == 1 && r[0].base == 0x1000 && r[0].size == 0x9000,
	     "memmap: a range bridging three others merges them into one");
	MD(0, LDR_EFI_CONVENTIONAL, 0xfffffffffffff000ULL, 2);
	t_ok(mm_collect(m, sizeof(m[0]), sizeof(m[0]), r, 4) == -1, "memmap: wrapping range -> -1");
#undef MD
}

/* --- FDT ----------------------------------------------------------------------- */

struct fdtb {
	uint8_t s[4096], str[1024];
	size_t sl, strl;
};

static void fb_u32(struct fdtb *f, uint32_t v)
{
	f->s[f->sl++] = (uint8_t)(v >> 24);
	f->s[f->sl++] = (uint8_t)(v >> 16);
	f->s[f->sl++] = (uint8_t)(v >> 8);
	f->s[f->sl++] = (uint8_t)v;
}

static void fb_bytes(struct fdtb *f, const void *p, size_t n)
{
	memcpy(f->s + f->sl, p, n);
	f->sl += n;
	while (f->sl % 4)
		f->s[f->sl++] = 0;
}

static void fb_begin(struct fdtb *f, const char *name)
{
	fb_u32(f, 1);
	fb_bytes(f, name, strlen(name) + 1);
}

static void fb_prop(struct fdtb *f, const char *name, const void *v, size_t n)
{
	fb_u32(f, 3);
	fb_u32(f, (uint32_t)n);
	fb_u32(f, (uint32_t)f->strl);
	memcpy(f->str + f->strl, name, strlen(name) + 1);
	f->strl += strlen(name) + 1;
	fb_bytes(f, v, n);
}

static void fb_pstr(struct fdtb *f, const char *name, const char *v)
{
	fb_prop(f, name, v, strlen(v) + 1);
}

static void fb_reg2(struct fdtb *f, uint64_t addr)
{
	uint8_t v[16] = { 0 };
	int i;

	for (i = 0; i < 8; i++)
		v[i] = (uint8_t)(addr >> (56 - 8 * i));
	v[14] = 0x10; /* size 0x1000 */
	fb_prop(f, "reg", v, 16);
}

static void fb_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Assemble header + structure + strings into out; returns the total size. */
static size_t fb_finish(struct fdtb *f, uint8_t *out)
{
	size_t off_mem = 40, off_struct = 56, off_str, total;

	fb_u32(f, 9); /* FDT_END */
	off_str = off_struct + f->sl;
	total = off_str + f->strl;
	memset(out, 0, total);
	fb_u32be(out, 0xd00dfeed);
	fb_u32be(out + 4, (uint32_t)total);
	fb_u32be(out + 8, (uint32_t)off_struct);
	fb_u32be(out + 12, (uint32_t)off_str);
	fb_u32be(out + 16, (uint32_t)off_mem);
	fb_u32be(out + 20, 17);
	fb_u32be(out + 24, 16);
	fb_u32be(out + 32, (uint32_t)f->strl);
	fb_u32be(out + 36, (uint32_t)f->sl);
	memcpy(out + off_struct, f->s, f->sl);
	memcpy(out + off_str, f->str, f->strl);
	return total;
}

/* A QEMU-virt-like tree; stdout names the console, pl011_ok marks the real one. */
static size_t fdt_build(uint8_t *out, const char *stdout_path, int second_disabled)
{
	static struct fdtb f;
	static const char pl011[] = "arm,pl011\0arm,primecell";
	uint8_t two[4] = { 0, 0, 0, 2 }, one[4] = { 0, 0, 0, 1 };

	memset(&f, 0, sizeof(f));
	fb_begin(&f, "");
	fb_prop(&f, "#address-cells", two, 4);
	fb_prop(&f, "#size-cells", two, 4);
	fb_begin(&f, "aliases");
	fb_pstr(&f, "serial0", "/pl011@9040000");
	fb_u32(&f, 2);
	fb_begin(&f, "chosen");
	if (stdout_path)
		fb_pstr(&f, "stdout-path", stdout_path);
	fb_u32(&f, 2);
	fb_begin(&f, "virtio_mmio@a000000");
	fb_pstr(&f, "compatible", "virtio,mmio");
	fb_reg2(&f, 0xa000000);
	fb_u32(&f, 2);
	fb_begin(&f, "pl011@9000000");
	fb_prop(&f, "compatible", pl011, sizeof(pl011));
	fb_reg2(&f, 0x9000000);
	if (second_disabled == 2)
		fb_pstr(&f, "status", "disabled");
	fb_u32(&f, 2);
	fb_begin(&f, "pl011@9040000");
	fb_prop(&f, "compatible", pl011, sizeof(pl011));
	fb_reg2(&f, 0x9040000);
	if (second_disabled == 1)
		fb_pstr(&f, "status", "disabled");
	fb_u32(&f, 2);
	fb_begin(&f, "smmuv3@9050000");
	fb_pstr(&f, "compatible", "arm,smmu-v3");
	{
		uint8_t reg[16] = { 0, 0, 0, 0, 0x09, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0 };

		fb_prop(&f, "reg", reg, 16);
	}
	if (second_disabled == 3)
		fb_pstr(&f, "status", "disabled");
	fb_u32(&f, 2);
	fb_begin(&f, "soc");
	fb_prop(&f, "#address-cells", one, 4);
	fb_begin(&f, "pl011@1c090000");
	fb_prop(&f, "compatible", pl011, sizeof(pl011));
	{
		uint8_t reg[8] = { 0x1c, 0x09, 0, 0, 0, 0, 0x10, 0 };

		fb_prop(&f, "reg", reg, 8);
	}
	fb_u32(&f, 2);
	fb_u32(&f, 2);
	fb_u32(&f, 2); /* root */
	return fb_finish(&f, out);
}

static void test_fdt(void)
{
	static uint8_t b[8192];
	size_t n;

	n = fdt_build(b, "/pl011@9000000", 0);
	t_ok(fdt_total_size(b) == n && fdt_find_pl011(b, n) == 0x9000000,
	     "fdt: stdout-path by full path");
	n = fdt_build(b, "serial0:115200n8", 0);
	t_ok(fdt_find_pl011(b, n) == 0x9040000,
	     "fdt: stdout-path through an alias, options dropped");
	n = fdt_build(b, "serial0", 1);
	t_ok(fdt_find_pl011(b, n) == 0x9000000,
	     "fdt: disabled stdout node -> first enabled pl011 instead");
	n = fdt_build(b, "/virtio_mmio@a000000", 0);
	t_ok(fdt_find_pl011(b, n) == 0x9000000, "fdt: stdout not a pl011 -> first pl011");
	n = fdt_build(b, NULL, 0);
	t_ok(fdt_find_pl011(b, n) == 0x9000000, "fdt: no stdout-path -> first pl011");
	n = fdt_build(b, "/soc/pl011@1c090000", 0);
	t_ok(fdt_find_pl011(b, n) == 0x1c090000, "fdt: nested node with #address-cells = 1");
	n = fdt_build(b, "/nonexistent", 2);
	t_ok(fdt_find_pl011(b, n) == 0x9040000, "fdt: unknown stdout path, first pl011 disabled");
	t_ok(fdt_find_pl011(b, n - 1) == 0, "fdt: totalsize beyond the buffer -> 0");
	b[0] ^= 1;
	t_ok(fdt_find_pl011(b, n) == 0 && fdt_total_size(b) == 0, "fdt: bad magic -> 0");
	b[0] ^= 1;
	fb_u32be(b + 8, 0xfffffff0);
	t_ok(fdt_find_pl011(b, n) == 0, "fdt: structure offset out of bounds -> 0");
	n = fdt_build(b, "/pl011@9000000", 0);
	fb_u32be(b + 56 + 4 + 4 + 4, 0x7fffffff); /* first property length */
	t_ok(fdt_find_pl011(b, n) == 0, "fdt: property length out of bounds -> 0");
	t_ok(fdt_find_pl011(NULL, 100) == 0, "fdt: NULL -> 0");
	{
		uint64_t base = 1, size = 1;

		n = fdt_build(b, "/pl011@9000000", 0);
		t_ok(!fdt_find_compatible(b, n, "arm,smmu-v3", &base, &size) && base == 0x9050000 &&
			     size == 0x20000,
		     "fdt: SMMUv3 by compatible, reg address and size (2+2 cells)");
		base = size = 7;
		n = fdt_build(b, "/pl011@9000000", 3);
		t_ok(fdt_find_compatible(b, n, "arm,smmu-v3", &base, &size) == -1 && base == 7 &&
			     size == 7,
		     "fdt: disabled SMMUv3 not reported, outputs untouched");
		t_ok(fdt_find_compatible(b, n, "arm,gic-v3", &base, &size) == -1,
		     "fdt: absent compatible -> -1");
	}
}

/* --- ACPI ---------------------------------------------------------------------- */

static void acpi_fix(uint8_t *t, uint32_t len, unsigned int sum_off)
{
	uint8_t s = 0;
	uint32_t i;

	t[sum_off] = 0;
	for (i = 0; i < len; i++)
		s = (uint8_t)(s + t[i]);
	t[sum_off] = (uint8_t)(0 - s);
}

static void acpi_sig_put(uint8_t *p, const char *sig)
{
	while (*sig)
		*p++ = (uint8_t)*sig++;
}

static void acpi_put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t a_rsdp[36], a_xsdt[36 + 24], a_spcr[80], a_other[36], a_iort[48 + 24 + 68];

static void acpi_build(uint8_t if_type)
{
	memset(a_rsdp, 0, sizeof(a_rsdp));
	acpi_sig_put(a_rsdp, "RSD PTR ");
	a_rsdp[15] = 2;
	a_rsdp[20] = 36;
	acpi_put64(a_rsdp + 24, (uint64_t)(uintptr_t)a_xsdt);
	acpi_fix(a_rsdp, 20, 8);
	acpi_fix(a_rsdp, 36, 32);
	memset(a_other, 0, sizeof(a_other));
	acpi_sig_put(a_other, "APIC");
	a_other[4] = 36;
	acpi_fix(a_other, 36, 9);
	memset(a_spcr, 0, sizeof(a_spcr));
	acpi_sig_put(a_spcr, "SPCR");
	a_spcr[4] = 80;
	a_spcr[36] = if_type;
	a_spcr[41] = 32;
	acpi_put64(a_spcr + 44, 0x9000000);
	acpi_fix(a_spcr, 80, 9);
	memset(a_xsdt, 0, sizeof(a_xsdt));
	acpi_sig_put(a_xsdt, "XSDT");
	a_xsdt[4] = sizeof(a_xsdt);
	acpi_put64(a_xsdt + 36, (uint64_t)(uintptr_t)a_other);
	acpi_put64(a_xsdt + 44, (uint64_t)(uintptr_t)a_spcr);
	acpi_put64(a_xsdt + 52, (uint64_t)(uintptr_t)a_iort);
	/* IORT: an ITS group node (type 0, 24 bytes), then an SMMUv3 node (type 4, 68). */
	memset(a_iort, 0, sizeof(a_iort));
	acpi_sig_put(a_iort, "IORT");
	a_iort[4] = sizeof(a_iort);
	a_iort[36] = 2;	 /* nodes */
	a_iort[40] = 48; /* node array offset */
	a_iort[48] = 0;
	a_iort[49] = 24;
	a_iort[72] = 4;
	a_iort[73] = 68;
	acpi_put64(a_iort + 72 + 16, 0x9050000);
	acpi_fix(a_iort, sizeof(a_iort), 9);
	acpi_fix(a_xsdt, sizeof(a_xsdt), 9);
}

static void test_acpi(void)
{
	acpi_build(0x03);
	t_ok(acpi_find_pl011(a_rsdp) == 0x9000000, "acpi: PL011 base from SPCR via RSDP/XSDT");
	acpi_build(0x0e);
	t_ok(acpi_find_pl011(a_rsdp) == 0x9000000, "acpi: SBSA generic UART accepted");
	acpi_build(0x00);
	t_ok(acpi_find_pl011(a_rsdp) == 0, "acpi: 16550 SPCR ignored (not a PL011)");
	acpi_build(0x03);
	a_spcr[50] ^= 1;
	t_ok(acpi_find_pl011(a_rsdp) == 0, "acpi: SPCR with a bad checksum ignored");
	acpi_build(0x03);
	a_rsdp[0] = 'X';
	t_ok(acpi_find_pl011(a_rsdp) == 0, "acpi: bad RSDP signature -> 0");
	acpi_build(0x03);
	a_xsdt[40] ^= 0xff;
	t_ok(acpi_find_pl011(a_rsdp) == 0, "acpi: corrupt XSDT -> 0");
	t_ok(acpi_find_pl011(NULL) == 0, "acpi: NULL -> 0");
	{
		uint64_t base = 0;

		acpi_build(0x03);
		t_ok(!acpi_find_smmuv3(a_rsdp, &base) && base == 0x9050000,
		     "acpi: SMMUv3 base from the IORT, after a node of another type");
		a_iort[73] = 200; /* node longer than the table */
		acpi_fix(a_iort, sizeof(a_iort), 9);
		t_ok(acpi_find_smmuv3(a_rsdp, &base) == -1,
		     "acpi: IORT node overrunning the table -> -1");
		acpi_build(0x03);
		a_iort[72] = 3; /* SMMUv1/v2 node: not ours */
		acpi_fix(a_iort, sizeof(a_iort), 9);
		t_ok(acpi_find_smmuv3(a_rsdp, &base) == -1, "acpi: no SMMUv3 node -> -1");
		acpi_build(0x03);
		a_iort[40] = 8; /* node array inside the header */
		acpi_fix(a_iort, sizeof(a_iort), 9);
		t_ok(acpi_find_smmuv3(a_rsdp, &base) == -1, "acpi: bad IORT node offset -> -1");
		t_ok(acpi_find_smmuv3(NULL, &base) == -1, "acpi: no RSDP -> no SMMUv3");
	}
}

/* --- hiding the SMMUv3: IORT rewrite ------------------------------------------------ */

static void le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void map_put(uint8_t *m, uint32_t in, uint32_t cnt, uint32_t out, uint32_t ref,
		    uint32_t flags)
{
	le32_put(m, in);
	le32_put(m + 4, cnt);
	le32_put(m + 8, out);
	le32_put(m + 12, ref);
	le32_put(m + 16, flags);
}

/*
 * IORT layout of the test (offsets): header 0..47, SMMUv3 node at 48 (68 bytes of
 * fields, 3 mappings: 172 bytes), ITS group at 220 (24), root complex at 244 (36
 * bytes of fields, 2 mappings: 76), PMCG at 320 (36, references the ITS... through its
 * node reference field), end 356. The SMMU comes first so every later offset moves.
 *   SMMU: IDs 0x000..0x0ff -> ITS 0x10000.., 0x100..0x1ff -> ITS 0x20000..,
 *         single mapping (its own MSI) -> ITS 0x5000
 *   RC:   RIDs 0x000..0x1ff -> SMMU 0x080.. (0x080..0x27f: the top 0x80 are not
 *         mapped onwards by the SMMU), RIDs 0x400..0x40f -> ITS 0x400..
 */
#define T_SMMU 48u
#define T_ITS  220u
#define T_RC   244u
#define T_PMCG 320u
#define T_LEN  356u

static uint8_t i_in[T_LEN], i_out[4096];

static void iort_build(void)
{
	memset(i_in, 0, sizeof(i_in));
	acpi_sig_put(i_in, "IORT");
	le32_put(i_in + 4, T_LEN);
	i_in[8] = 3;
	le32_put(i_in + 36, 4);
	le32_put(i_in + 40, 48);
	/* SMMUv3 */
	i_in[T_SMMU] = 4;
	i_in[T_SMMU + 1] = 172;
	le32_put(i_in + T_SMMU + 8, 3);
	le32_put(i_in + T_SMMU + 12, 68);
	acpi_put64(i_in + T_SMMU + 16, 0x9050000);
	le32_put(i_in + T_SMMU + 64, 2); /* DeviceID mapping index */
	map_put(i_in + T_SMMU + 68, 0x000, 0xff, 0x10000, T_ITS, 0);
	map_put(i_in + T_SMMU + 88, 0x100, 0xff, 0x20000, T_ITS, 0);
	map_put(i_in + T_SMMU + 108, 0, 0, 0x5000, T_ITS, 1);
	/* ITS group, one ITS */
	i_in[T_ITS] = 0;
	i_in[T_ITS + 1] = 24;
	le32_put(i_in + T_ITS + 16, 1);
	/* Root complex */
	i_in[T_RC] = 2;
	i_in[T_RC + 1] = 76;
	le32_put(i_in + T_RC + 8, 2);
	le32_put(i_in + T_RC + 12, 36);
	i_in[T_RC + 32] = 48; /* memory address size limit */
	map_put(i_in + T_RC + 36, 0x000, 0x1ff, 0x080, T_SMMU, 0);
	map_put(i_in + T_RC + 56, 0x400, 0x00f, 0x400, T_ITS, 0);
	/* PMCG of the RC (node reference at 28) */
	i_in[T_PMCG] = 5;
	i_in[T_PMCG + 1] = 36;
	acpi_put64(i_in + T_PMCG + 16, 0x9060000);
	le32_put(i_in + T_PMCG + 28, T_RC);
	acpi_fix(i_in, T_LEN, 9);
}

/*
 * Follow a root complex RID through the table the way the OS does (IORT spec
 * 3.4: first mapping whose input range holds the ID, then its output node) until
 * an ITS group; returns the final device ID, or -1 if some node does not map it.
 */
static long iort_resolve(const uint8_t *t, uint32_t id)
{
	uint32_t nr = le32_get(t + 36), off = le32_get(t + 40), node = 0, i, hop;

	for (i = 0; i < nr; i++, off += (uint32_t)(t[off + 1] | t[off + 2] << 8))
		if (t[off] == 2)
			node = off;
	for (hop = 0; hop < 8 && node; hop++) {
		uint32_t nmap = le32_get(t + node + 8), moff = le32_get(t + node + 12), m;
		int hit = 0;

		if (t[node] == 0)
			return id;
		for (m = 0; m < nmap && !hit; m++) {
			const uint8_t *mp = t + node + moff + (size_t)20 * m;
			uint32_t in = le32_get(mp), cnt = le32_get(mp + 4), fl = le32_get(mp + 16);

			if (fl & 1) {
				if (t[node] == 4)
					continue;
				id = le32_get(mp + 8);
				hit = 1;
			} else if (id >= in && id - in <= cnt) {
				id = le32_get(mp + 8) + (id - in);
				hit = 1;
			}
			if (hit)
				node = le32_get(mp + 12);
		}
		if (!hit)
			return -1;
	}
	return -1;
}

static int sum_ok(const uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *t++);
	return sum == 0;
}

/* Refused rewrites leave out (and rep) as they were. */
static int iort_refused(uint32_t cap)
{
	struct iort_hide_report r;
	size_t i;
	int untouched = 1;

	memset(i_out, 0xa5, sizeof(i_out));
	memset(&r, 0x5a, sizeof(r));
	if (!iort_hide_smmuv3(i_in, le32_get(i_in + 4), i_out, cap, &r))
		return 0;
	for (i = 0; i < sizeof(i_out); i++)
		untouched &= i_out[i] == 0xa5;
	for (i = 0; i < sizeof(r); i++)
		untouched &= ((uint8_t *)&r)[i] == 0x5a;
	return untouched;
}

static void test_iort_hide(void)
{
	struct iort_hide_report r = { 0 };
	const char *e;
	uint32_t len, id, rc, its, pm, i, same = 1, types = 0;
	long a, b;

	iort_build();
	memset(i_out, 0, sizeof(i_out));
	e = iort_hide_smmuv3(i_in, T_LEN, i_out, sizeof(i_out), &r);
	len = le32_get(i_out + 4);
	t_ok(!e && len == T_LEN - 172 + 20 && r.new_len == len && r.nodes == 3 &&
		     le32_get(i_out + 36) == 3 && sum_ok(i_out, len) && r.smmu_off == T_SMMU &&
		     r.redirected == 1 && r.composed == 2 && r.dropped == 0,
	     "iort: SMMUv3 removed, one mapping through it became two, length, count, checksum");
	its = 48;
	rc = its + 24;
	pm = rc + 96;
	for (i = 0; i < 3; i++)
		types |= 1u << i_out[(uint32_t[]){ its, rc, pm }[i]];
	t_ok(types == (1u << 0 | 1u << 2 | 1u << 5) && i_out[rc + 1] == 96 &&
		     le32_get(i_out + rc + 8) == 3,
	     "iort: nodes left are ITS, RC (3 mappings, 96 bytes), PMCG; no SMMUv3");
	t_ok(le32_get(i_out + rc + 36) == 0x000 && le32_get(i_out + rc + 40) == 0x7f &&
		     le32_get(i_out + rc + 44) == 0x10080 && le32_get(i_out + rc + 48) == its &&
		     le32_get(i_out + rc + 56) == 0x080 && le32_get(i_out + rc + 60) == 0xff &&
		     le32_get(i_out + rc + 64) == 0x20000 && le32_get(i_out + rc + 68) == its &&
		     le32_get(i_out + rc + 76) == 0x400 && le32_get(i_out + rc + 84) == 0x400 &&
		     le32_get(i_out + rc + 88) == its,
	     "iort: composed bases (RID 0 -> ITS 0x10080, RID 0x80 -> ITS 0x20000), refs to the "
	     "moved ITS fixed");
	t_ok(le32_get(i_out + pm + 28) == rc && i_out[rc + 32] == 48,
	     "iort: PMCG node reference follows the moved RC; RC fields kept");
	for (id = 0; id < 0x600; id++) {
		a = iort_resolve(i_in, id);
		b = iort_resolve(i_out, id);
		same &= a == b;
	}
	t_ok(same && iort_resolve(i_out, 0x17f) == 0x200ff && iort_resolve(i_out, 0x180) == -1 &&
		     iort_resolve(i_out, 0x40f) == 0x40f,
	     "iort: every RID 0..0x5ff reaches the same ITS device ID (or none) before and after");

	/* Refusals. */
	iort_build();
	t_ok(iort_refused(T_LEN - 172 + 19), "iort: no room for the result -> refused untouched");
	iort_build();
	i_in[T_RC + 1] = 200;
	acpi_fix(i_in, T_LEN, 9);
	t_ok(iort_refused(sizeof(i_out)),
	     "iort: node length beyond the table -> refused untouched");
	iort_build();
	le32_put(i_in + T_RC + 8, 3);
	acpi_fix(i_in, T_LEN, 9);
	t_ok(iort_refused(sizeof(i_out)), "iort: mappings overrun their node -> refused untouched");
	iort_build();
	le32_put(i_in + T_RC + 8, 0x0ccccccd); /* count * 20 wraps to a small number */
	acpi_fix(i_in, T_LEN, 9);
	t_ok(iort_refused(sizeof(i_out)), "iort: mapping count wrapping 32 bits -> refused");
	iort_build();
	le32_put(i_in + T_RC + 36 + 12, T_SMMU + 4);
	acpi_fix(i_in, T_LEN, 9);
	t_ok(iort_refused(sizeof(i_out)), "iort: output reference into a node's middle -> refused");
	iort_build();
	le32_put(i_in + 4, T_LEN - 4);
	t_ok(iort_refused(sizeof(i_out)), "iort: length field != table length -> refused");
	iort_build();
	le32_put(i_in + 36, 0);
	t_ok(iort_refused(sizeof(i_out)), "iort: zero nodes -> refused");
	iort_build();
	le32_put(i_in + 36, 5);
	t_ok(iort_refused(sizeof(i_out)), "iort: node count beyond the table -> refused");
	iort_build();
	le32_put(i_in + 40, 30);
	t_ok(iort_refused(sizeof(i_out)), "iort: node array inside the header -> refused");
	iort_build();
	le32_put(i_in + T_PMCG + 28, T_SMMU);
	t_ok(iort_refused(sizeof(i_out)), "iort: PMCG of the SMMUv3 -> refused (cannot drop it)");
	iort_build();
	i_in[T_SMMU] = 3;
	t_ok(iort_refused(sizeof(i_out)), "iort: no SMMUv3 node -> refused");
	iort_build();
	i_in[T_RC + 1] = 80; /* 4 bytes after the mapping array */
	{
		/* Shift: keep the table consistent by making the PMCG start 4 bytes later. */
		uint8_t t2[T_LEN + 4];

		memcpy(t2, i_in, T_RC + 76);
		memset(t2 + T_RC + 76, 0, 4);
		memcpy(t2 + T_RC + 80, i_in + T_PMCG, 36);
		le32_put(t2 + 4, T_LEN + 4);
		acpi_fix(t2, T_LEN + 4, 9);
		memset(i_out, 0xa5, sizeof(i_out));
		e = iort_hide_smmuv3(t2, T_LEN + 4, i_out, sizeof(i_out), &r);
		t_ok(e && i_out[0] == 0xa5 && i_out[100] == 0xa5,
		     "iort: data after a redirected node's mappings -> refused");
	}
}

/*
 * Random corruption (a fixed-seed LCG, so reruns are identical): under ASan any read
 * or write outside the buffers aborts the test binary; each outcome must be either a
 * refusal with out untouched, or a table whose length and checksum are consistent.
 */
static void test_iort_fuzz(void)
{
	static uint8_t buf[T_LEN];
	uint32_t seed = 12345, i, bad = 0, refused = 0;

	for (i = 0; i < 20000; i++) {
		struct iort_hide_report r;
		uint32_t k, flips;

		iort_build();
		memcpy(buf, i_in, T_LEN);
		seed = seed * 1103515245u + 12345u;
		flips = 1 + (seed >> 28) % 4;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % T_LEN] = (uint8_t)(seed >> 20);
		}
		memset(i_out, 0xa5, sizeof(i_out));
		if (iort_hide_smmuv3(buf, T_LEN, i_out, sizeof(i_out), &r)) {
			refused++;
			bad += i_out[0] != 0xa5 || i_out[sizeof(i_out) - 1] != 0xa5;
		} else {
			bad += le32_get(i_out + 4) != r.new_len || r.new_len > sizeof(i_out) ||
			       !sum_ok(i_out, r.new_len);
		}
	}
	printf("# iort fuzz: 20000 corrupted tables, %u refused\n", refused);
	t_ok(!bad && refused > 0,
	     "iort: 20000 randomly corrupted tables: in bounds (ASan), refused untouched or "
	     "consistent");
}

/* --- hiding the SMMUv3: DT edit ---------------------------------------------------- */

static uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Number of properties called name whose node has the given name prefix ("" = any). */
static int dt_count(const uint8_t *b, const char *node, const char *name, char *val_out)
{
	const uint8_t *s = b + be32_get(b + 8), *strs = b + be32_get(b + 12);
	uint32_t off = 0, end = be32_get(b + 36);
	const char *cur = "";
	int n = 0;

	while (off + 4 <= end) {
		uint32_t tok = be32_get(s + off);

		off += 4;
		if (tok == 1) {
			cur = (const char *)s + off;
			off += (uint32_t)(strlen(cur) + 4) & ~3u;
		} else if (tok == 3) {
			uint32_t len = be32_get(s + off), no = be32_get(s + off + 4);

			if (!strcmp((const char *)strs + no, name) &&
			    !strncmp(cur, node, strlen(node))) {
				n++;
				if (val_out)
					memcpy(val_out, s + off + 8, len);
			}
			off += 8 + ((len + 3) & ~3u);
		} else if (tok == 9) {
			break;
		}
	}
	return n;
}

/* QEMU virt's shape: an SMMUv3 with a phandle, a PCIe host using it through iommu-map. */
static size_t dt_build(uint8_t *out, int variant)
{
	static struct fdtb f;
	uint8_t two[4] = { 0, 0, 0, 2 }, one[4] = { 0, 0, 0, 1 }, ph[4] = { 0, 0, 0x80, 0x07 };
	uint8_t map[16] = { 0, 0, 0, 0, 0, 0, 0x80, 0x07, 0, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t map2[32] = { 0, 0, 0, 0, 0, 0, 0x80, 0x07, 0, 0, 0, 0, 0, 0, 1, 0,
			     0, 0, 1, 0, 0, 0, 0,    0x99, 0, 0, 0, 0, 0, 0, 1, 0 };
	uint8_t mask[4] = { 0, 0, 0xff, 0xff }, ius[8] = { 0, 0, 0x80, 0x07, 0, 0, 0, 0x42 };
	uint8_t other[8] = { 0, 0, 0, 0x99, 0, 0, 0, 0x10 };

	memset(&f, 0, sizeof(f));
	fb_begin(&f, "");
	fb_prop(&f, "#address-cells", two, 4);
	fb_prop(&f, "#size-cells", two, 4);
	fb_begin(&f, "pl011@9000000");
	fb_pstr(&f, "compatible", "arm,pl011");
	fb_reg2(&f, 0x9000000);
	fb_u32(&f, 2);
	fb_begin(&f, "smmuv3@9050000");
	fb_pstr(&f, "compatible", "arm,smmu-v3");
	fb_reg2(&f, 0x9050000);
	fb_prop(&f, "#iommu-cells", one, 4);
	fb_prop(&f, "phandle", ph, 4);
	if (variant == 1)
		fb_pstr(&f, "status", "okay");
	fb_u32(&f, 2);
	fb_begin(&f, "pcie@10000000");
	fb_pstr(&f, "compatible", "pci-host-ecam-generic");
	if (variant == 2)
		fb_prop(&f, "iommu-map", map2, 32); /* mixed with IOMMU 0x99 */
	else
		fb_prop(&f, "iommu-map", map, 16);
	fb_prop(&f, "iommu-map-mask", mask, 4);
	fb_u32(&f, 2);
	fb_begin(&f, "dma@a000000");
	fb_prop(&f, "iommus", ius, 8);
	fb_u32(&f, 2);
	fb_begin(&f, "dma@b000000");
	fb_prop(&f, "iommus", other, 8);
	fb_u32(&f, 2);
	fb_begin(&f, "iommu@c000000");
	fb_prop(&f, "#iommu-cells", one, 4);
	fb_u32(&f, 2);
	fb_u32(&f, 2); /* root */
	return fb_finish(&f, out);
}

static int dt_refused(uint8_t *b, size_t n, uint32_t cap, uint64_t base)
{
	static uint8_t saved[8192];
	struct fdt_hide_report r;

	memcpy(saved, b, sizeof(saved));
	memset(&r, 0x5a, sizeof(r));
	return fdt_hide_smmuv3(b, cap, base, &r) != NULL && !memcmp(saved, b, sizeof(saved)) &&
	       ((uint8_t *)&r)[0] == 0x5a && n > 0;
}

static void test_dt_hide(void)
{
	static uint8_t b[8192];
	struct fdt_hide_report r = { 0 };
	uint64_t base = 0, size = 0;
	char st[16] = "";
	const char *e;
	size_t n;

	memset(b, 0, sizeof(b));
	n = dt_build(b, 0);
	e = fdt_hide_smmuv3(b, sizeof(b), 0x9050000, &r);
	t_ok(!e && r.phandle == 0x8007 && r.refs_removed == 2 && r.masks_removed == 1 &&
		     !r.had_status && r.new_size == n + 24 + 7 && fdt_total_size(b) == n + 31,
	     "dt: SMMUv3 disabled (status added, string appended), iommu-map, mask and iommus "
	     "removed");
	t_ok(dt_count(b, "smmuv3@", "status", st) == 1 && !strcmp(st, "disabled") &&
		     dt_count(b, "", "iommu-map", NULL) == 0 &&
		     dt_count(b, "", "iommu-map-mask", NULL) == 0 &&
		     dt_count(b, "dma@a", "iommus", NULL) == 0 &&
		     dt_count(b, "dma@b", "iommus", NULL) == 1 &&
		     dt_count(b, "smmuv3@", "phandle", NULL) == 1,
	     "dt: status=\"disabled\"; references to the SMMU gone, another IOMMU's kept");
	t_ok(fdt_find_compatible(b, n + 31, "arm,smmu-v3", &base, &size) == -1 &&
		     fdt_find_pl011(b, n + 31) == 0x9000000,
	     "dt: the edited blob still parses; the SMMU is no longer an enabled node");

	memset(b, 0, sizeof(b));
	n = dt_build(b, 1);
	e = fdt_hide_smmuv3(b, sizeof(b), 0x9050000, &r);
	st[0] = 0;
	t_ok(!e && r.had_status && dt_count(b, "smmuv3@", "status", st) == 1 &&
		     !strcmp(st, "disabled") && r.new_size == n + 24,
	     "dt: an existing status=\"okay\" replaced (its name string reused)");

	memset(b, 0, sizeof(b));
	n = dt_build(b, 2);
	t_ok(dt_refused(b, n, sizeof(b), 0x9050000),
	     "dt: iommu-map mixing the SMMU with another IOMMU -> refused untouched");
	memset(b, 0, sizeof(b));
	n = dt_build(b, 0);
	t_ok(dt_refused(b, n, (uint32_t)n + 30, 0x9050000), "dt: no room -> refused untouched");
	t_ok(dt_refused(b, n, sizeof(b), 0x9060000),
	     "dt: no SMMUv3 at the hypervisor's address -> refused untouched");
	fb_u32be(b + 56 + 4 + 4 + 4 + 4 + 4 + 4 + 4, 0x7ffffff0); /* second property length */
	t_ok(dt_refused(b, n, sizeof(b), 0x9050000),
	     "dt: property length out of bounds -> refused untouched");
	memset(b, 0, sizeof(b));
	n = dt_build(b, 0);
	fb_u32be(b + 4, (uint32_t)sizeof(b) + 1);
	t_ok(dt_refused(b, n, sizeof(b), 0x9050000), "dt: totalsize beyond the room -> refused");
}

static void test_dt_fuzz(void)
{
	static uint8_t b[8192], orig[8192];
	uint32_t seed = 777, i, bad = 0, refused = 0;
	size_t n;

	memset(orig, 0, sizeof(orig));
	n = dt_build(orig, 0);
	for (i = 0; i < 20000; i++) {
		struct fdt_hide_report r;
		uint32_t k, flips;

		memcpy(b, orig, sizeof(b));
		seed = seed * 1103515245u + 12345u;
		flips = 1 + (seed >> 28) % 4;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			b[(seed >> 8) % n] = (uint8_t)(seed >> 20);
		}
		memcpy(orig + 4096, b, 4096); /* the corrupted input, to compare on refusal */
		if (fdt_hide_smmuv3(b, 4096, 0x9050000, &r)) {
			refused++;
			bad += memcmp(b, orig + 4096, 4096) != 0;
		} else {
			bad += r.new_size > 4096 || fdt_total_size(b) != r.new_size;
		}
		memset(orig + 4096, 0, 4096);
	}
	printf("# dt fuzz: 20000 corrupted blobs, %u refused\n", refused);
	t_ok(!bad && refused > 0,
	     "dt: 20000 randomly corrupted blobs: in bounds (ASan), refused untouched or "
	     "consistent");
}

/* --- StreamIDs routed to the SMMUv3 (IORT and DT) ------------------------------------- */

/* Sorted, disjoint, not touching, non-empty: what the hypervisor is promised. */
static int sids_canonical(const struct ls_sid_range *r, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (!r[i].count || (uint64_t)r[i].base + r[i].count - 1 > UINT32_MAX)
			return 0;
		if (i && (uint64_t)r[i - 1].base + r[i - 1].count >= r[i].base)
			return 0;
	}
	return 1;
}

static void test_sids(void)
{
	static uint8_t b[8192], orig[8192], buf[T_LEN];
	struct ls_sid_range r[LS_BOOT_MAX_SID_RANGES], keep[LS_BOOT_MAX_SID_RANGES];
	struct ldr_sid_report rep = { 0 }, rep0;
	uint32_t n = 99, seed = 4242, i, k, bad = 0, refused = 0;
	const char *e;
	size_t dn;

	/* IORT of test_iort_hide: RC RIDs 0x000..0x1ff -> SMMU IDs 0x080..0x27f. */
	iort_build();
	e = iort_smmu_sids(i_in, T_LEN, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(!e && n == 1 && r[0].base == 0x80 && r[0].count == 0x200 && rep.refs == 1 &&
		     !rep.joined,
	     "sids: IORT RC mapping -> SMMU gives its output range 0x80..0x27f");
	/* The RC's second mapping (RIDs 0x400..0x40f) redirected to the SMMU too. */
	le32_put(i_in + T_RC + 56 + 12, T_SMMU);
	acpi_fix(i_in, T_LEN, 9);
	e = iort_smmu_sids(i_in, T_LEN, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(!e && n == 2 && r[0].base == 0x80 && r[0].count == 0x200 && r[1].base == 0x400 &&
		     r[1].count == 0x10 && rep.refs == 2,
	     "sids: two mappings -> two sorted ranges");
	e = iort_smmu_sids(i_in, T_LEN, 0x9050000, r, 1, &n, &rep);
	t_ok(!e && n == 1 && r[0].base == 0x80 && r[0].count == 0x390 && rep.joined == 1,
	     "sids: more ranges than room -> the closest joined (counted)");
	/* A single mapping (ID 0x410) next to 0x400..0x40f (the RC's first mapping replaced). */
	map_put(i_in + T_RC + 36, 0, 0, 0x410, T_SMMU, 1);
	acpi_fix(i_in, T_LEN, 9);
	e = iort_smmu_sids(i_in, T_LEN, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(!e && n == 1 && r[0].base == 0x400 && r[0].count == 0x11,
	     "sids: a single mapping is one ID; touching ranges merged");
	memcpy(keep, r, sizeof(r));
	memset(&rep0, 0x5a, sizeof(rep0));
	rep = rep0;
	k = n;
	e = iort_smmu_sids(i_in, T_LEN, 0x9060000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(e && n == k && !memcmp(r, keep, sizeof(r)) && !memcmp(&rep, &rep0, sizeof(rep)),
	     "sids: IORT whose SMMUv3 is not at smmu_base -> refused, outputs untouched");
	iort_build();
	map_put(i_in + T_RC + 36, 0, 0xffffffffu, 0x10, T_SMMU, 0);
	acpi_fix(i_in, T_LEN, 9);
	e = iort_smmu_sids(i_in, T_LEN, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(e && n == k, "sids: IORT range beyond 32 bits -> refused");

	/* DT of test_dt_hide: iommu-map <0 &smmu 0 0x10000> and iommus <&smmu 0x42>. */
	memset(b, 0, sizeof(b));
	dn = dt_build(b, 0);
	e = fdt_smmu_sids(b, (uint32_t)dn, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(!e && n == 1 && r[0].base == 0 && r[0].count == 0x10000 && rep.refs == 2,
	     "sids: DT iommu-map 0..0xffff and iommus 0x42 -> one range 0..0xffff");
	memset(b, 0, sizeof(b));
	dn = dt_build(b, 2); /* iommu-map: RIDs 0..0xff -> SMMU 0.., 0x100.. -> IOMMU 0x99 */
	e = fdt_smmu_sids(b, (uint32_t)dn, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(!e && n == 1 && r[0].base == 0 && r[0].count == 0x100 && rep.refs == 2,
	     "sids: DT iommu-map entries of another IOMMU ignored");
	k = n;
	e = fdt_smmu_sids(b, (uint32_t)dn, 0x9060000, r, LS_BOOT_MAX_SID_RANGES, &n, &rep);
	t_ok(e && n == k, "sids: DT without an SMMUv3 at smmu_base -> refused");

	/* Random corruption: every access in bounds, every success canonical. */
	for (i = 0; i < 20000; i++) {
		uint32_t flips, j;
		int iort = i & 1;

		seed = seed * 1103515245u + 12345u;
		flips = 1 + (seed >> 28) % 4;
		if (iort) {
			iort_build();
			memcpy(buf, i_in, T_LEN);
		} else {
			memset(orig, 0, sizeof(orig));
			dn = dt_build(orig, 0);
		}
		for (j = 0; j < flips; j++) {
			seed = seed * 1103515245u + 12345u;
			if (iort)
				buf[(seed >> 8) % T_LEN] = (uint8_t)(seed >> 20);
			else
				orig[(seed >> 8) % dn] = (uint8_t)(seed >> 20);
		}
		n = 0;
		e = iort ? iort_smmu_sids(buf, T_LEN, 0x9050000, r, LS_BOOT_MAX_SID_RANGES, &n,
					  &rep) :
			   fdt_smmu_sids(orig, (uint32_t)dn, 0x9050000, r, LS_BOOT_MAX_SID_RANGES,
					 &n, &rep);
		if (e)
			refused++;
		else
			bad += n > LS_BOOT_MAX_SID_RANGES || !sids_canonical(r, n);
	}
	printf("# sids fuzz: 20000 corrupted IORTs/DTs, %u refused\n", refused);
	t_ok(!bad && refused > 0,
	     "sids: 20000 corrupted IORTs and DTs: in bounds (ASan), refused or canonical ranges");
}

/* --- device map (boot/devmap.c): which MMIO the host may reach ---------------------- */

#define ACPI_HDR_SIZE 36

static const char *fx_dir;

static uint8_t *fx_read(const char *name, size_t *len)
{
	static uint8_t buf[4][2 << 20];
	static int next;
	char path[512];
	uint8_t *b = buf[next++ & 3];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx_dir ? fx_dir : ".", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	*len = fread(b, 1, sizeof(buf[0]), f);
	fclose(f);
	return *len ? b : NULL;
}

static const struct ldr_dev *dm_find(const struct ldr_devmap *m, const char *name)
{
	uint32_t i;

	for (i = 0; i < m->nr_dev; i++)
		if (!strncmp(m->dev[i].name, name, strlen(name)))
			return &m->dev[i];
	return NULL;
}

static int dm_count(const struct ldr_devmap *m, const char *prefix, uint32_t verdict)
{
	uint32_t i;
	int n = 0;

	for (i = 0; i < m->nr_dev; i++)
		if (!strncmp(m->dev[i].name, prefix, strlen(prefix)) &&
		    m->dev[i].verdict == verdict)
			n++;
	return n;
}

/* Is [base, base + size) inside one of the final host windows? */
static int dm_in(const struct ls_mem_range *w, int n, uint64_t base, uint64_t size)
{
	int i;

	for (i = 0; i < n; i++)
		if (base >= w[i].base && base + size <= w[i].base + w[i].size)
			return 1;
	return 0;
}

static int dm_touches(const struct ls_mem_range *w, int n, uint64_t base, uint64_t size)
{
	int i;

	for (i = 0; i < n; i++)
		if (base < w[i].base + w[i].size && w[i].base < base + size)
			return 1;
	return 0;
}

/* QEMU's own virt DT (dumpdtb), with and without its SMMUv3. */
static void test_devmap_dt(void)
{
	static struct ldr_devmap m;
	static uint8_t copy[(2 << 20) + 8192];
	struct ls_mem_range w[LS_BOOT_MAX_MMIO];
	const struct ldr_dev *d;
	uint32_t offs[LDR_FDT_MAX_HIDE], n = 0, i;
	size_t len = 0;
	uint8_t *dtb = fx_read("virt.dtb", &len);
	const char *e;
	int nw;

	t_ok(dtb != NULL, "devmap dt: fixture virt.dtb (QEMU -M virt,iommu=smmuv3 dumpdtb) read");
	if (!dtb)
		return;
	devmap_init(&m);
	e = devmap_fdt(&m, dtb, (uint32_t)len, 0x9050000);
	t_ok(!e && (m.flags & LS_BOOT_MMIO_FROM_DT), "devmap dt: QEMU's virt DT classified");
	t_ok(dm_count(&m, "/virtio_mmio@", LDR_DEV_DENY) == 32 &&
		     dm_count(&m, "/virtio_mmio@", LDR_DEV_ALLOW) == 0,
	     "devmap dt: all 32 virtio-mmio transports denied (DMA masters outside the SMMU)");
	d = dm_find(&m, "/fw-cfg@9020000");
	t_ok(d && d->verdict == LDR_DEV_DENY && d->hide_off != UINT32_MAX,
	     "devmap dt: fw-cfg denied (its DMA interface), to be hidden");
	d = dm_find(&m, "/pcie@10000000");
	t_ok(d && d->verdict == LDR_DEV_ALLOW && d->nwin == 4 && m.nr_pci_rids == 1 &&
		     m.pci_rids[0].base == 0 && m.pci_rids[0].count == 0x10000 &&
		     devmap_rid_translated(&m, 0x0800) && !devmap_rid_translated(&m, 0x10000),
	     "devmap dt: PCIe root complex allowed (iommu-map to the SMMU: RIDs 0..0xffff), "
	     "ECAM + 3 ranges windows");
	t_ok(dm_find(&m, "/intc@8000000") &&
		     dm_find(&m, "/intc@8000000")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "/intc@8000000/its@8080000") &&
		     dm_find(&m, "/pl011@9000000")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "/pl031@9010000")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "/pl061@9030000")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "/flash@0")->verdict == LDR_DEV_ALLOW,
	     "devmap dt: GIC, its ITS (child, empty ranges), UART, RTC, GPIO, flash allowed");
	t_ok(!dm_find(&m, "/smmuv3@9050000") && !dm_find(&m, "/memory@40000000") &&
		     !dm_find(&m, "/cpus/cpu@0"),
	     "devmap dt: the SMMU (Lockstep's), RAM and CPUs are not host devices");
	nw = devmap_finish(&m, 0x9050000, 0x20000, w, LS_BOOT_MAX_MMIO);
	t_ok(nw > 0 && dm_in(w, nw, 0x9000000, 0x1000) && dm_in(w, nw, 0x8000000, 0x10000) &&
		     dm_in(w, nw, 0x10000000, 0x2eff0000) &&
		     dm_in(w, nw, 0x4010000000ULL, 0x10000000) &&
		     dm_in(w, nw, 0x8000000000ULL, 0x8000000000ULL) &&
		     !dm_touches(w, nw, 0xa000000, 0x4000) && !dm_touches(w, nw, 0x9020000, 0x18) &&
		     !dm_touches(w, nw, 0x9050000, 0x20000),
	     "devmap dt: final list has UART, GIC, PCIe windows; no virtio-mmio, fw-cfg or SMMU page");
	for (i = 1; nw > 0 && i < (uint32_t)nw; i++)
		if (w[i].base <= w[i - 1].base + w[i - 1].size || w[i].base % 4096 ||
		    w[i].size % 4096)
			nw = -2;
	t_ok(nw > 0, "devmap dt: final list sorted, merged, page aligned");

	/* Hide what was denied in a copy; the copy must still parse and show them disabled. */
	for (i = 0; i < m.nr_dev; i++)
		if (m.dev[i].verdict == LDR_DEV_DENY && m.dev[i].hide_off != UINT32_MAX)
			offs[n++] = m.dev[i].hide_off;
	memcpy(copy, dtb, len);
	e = fdt_disable_nodes(copy, sizeof(copy), offs, n);
	/* QEMU's DT has no "status" string yet: 7 bytes for it, 24 per property. */
	t_ok(!e && n == 33 && fdt_total_size(copy) == len + (size_t)24 * n + 7,
	     "devmap dt: 33 denied nodes get status=\"disabled\" (24 bytes each + the name)");
	if (fx_dir) { /* boot/tests/run.sh decompiles it with dtc */
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/virt-hidden.dtb", fx_dir);
		f = fopen(path, "wb");
		if (f) {
			fwrite(copy, 1, fdt_total_size(copy), f);
			fclose(f);
		}
	}
	{
		static struct ldr_devmap m2;

		devmap_init(&m2);
		e = devmap_fdt(&m2, copy, fdt_total_size(copy), 0x9050000);
		t_ok(!e && dm_count(&m2, "/virtio_mmio@", LDR_DEV_DENY) == 0 &&
			     !dm_find(&m2, "/fw-cfg@") && dm_find(&m2, "/pcie@10000000") &&
			     fdt_find_pl011(copy, fdt_total_size(copy)) == 0x9000000,
		     "devmap dt: edited DT parses; hidden nodes now disabled, the rest unchanged");
	}
	memcpy(copy, dtb, len);
	offs[0] = offs[0] + 4;
	t_ok(fdt_disable_nodes(copy, sizeof(copy), offs, 1) != NULL && !memcmp(copy, dtb, len),
	     "devmap dt: an offset that is not a node -> refused, blob untouched");

	dtb = fx_read("virt-nosmmu.dtb", &len);
	t_ok(dtb != NULL, "devmap dt: fixture virt-nosmmu.dtb (no SMMU) read");
	if (!dtb)
		return;
	devmap_init(&m);
	e = devmap_fdt(&m, dtb, (uint32_t)len, 0);
	d = dm_find(&m, "/pcie@10000000");
	t_ok(!e && d && d->verdict == LDR_DEV_DENY && !m.nr_pci_rids &&
		     !devmap_rid_translated(&m, 0x0800),
	     "devmap dt: no SMMU -> the PCIe root complex is denied, no RID translated");
	e = devmap_fdt(&m, dtb, 39, 0);
	t_ok(e != NULL, "devmap dt: truncated blob refused");
}

/* An iasl-compiled DSDT shaped like QEMU's virt one (boot/tests/virt-dsdt.asl). */
static void test_devmap_acpi(void)
{
	static struct ldr_devmap m;
	static uint8_t t[65536];
	const struct ldr_dev *d;
	struct ls_mem_range w[LS_BOOT_MAX_MMIO];
	size_t len = 0;
	uint8_t *aml = fx_read("virt-dsdt.aml", &len);
	uint32_t i, hidden = 0;
	const char *e;
	int nw, ok = 1;
	FILE *f;

	t_ok(aml != NULL, "devmap acpi: fixture virt-dsdt.aml (iasl) read");
	if (!aml)
		return;
	devmap_init(&m);
	e = devmap_aml(&m, aml, (uint32_t)len, 0, 1, NULL);
	t_ok(!e,
	     "devmap acpi: the whole DSDT walked (Scope, Device, Name, Method, OperationRegion, "
	     "Field)");
	d = dm_find(&m, "VR00 LNRO0005");
	t_ok(d && d->verdict == LDR_DEV_DENY && d->base == 0xa000000 && d->size == 0x200 &&
		     d->hide_kind == 0 && d->hide_off != UINT32_MAX && aml[d->hide_off] == 0x08 &&
		     !memcmp(aml + d->hide_off + 1, "_UID", 4),
	     "devmap acpi: virtio-mmio denied, window from _CRS, hidden through its _UID");
	d = dm_find(&m, "FWCF QEMU0002");
	t_ok(d && d->verdict == LDR_DEV_DENY && d->hide_kind == 1 &&
		     !memcmp(aml + d->hide_off + 1, "_STA", 4),
	     "devmap acpi: fw-cfg denied, hidden through its own Name(_STA)");
	d = dm_find(&m, "XDEV ABCD0001");
	t_ok(d && d->verdict == LDR_DEV_DENY && d->hide_kind == 2 && d->base == 0xc000000 &&
		     d->size == 0x1000,
	     "devmap acpi: unknown device with a QWordMemory window denied, Method(_STA) to patch");
	d = dm_find(&m, "PCI0 PNP0A08");
	t_ok(d && d->verdict == LDR_DEV_ALLOW && d->nwin == 3,
	     "devmap acpi: PCI root (EISAID _HID decoded) allowed with 3 windows (bus range not one)");
	t_ok(dm_find(&m, "COM0 ARMH0011")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "GED_ ACPI0013")->verdict == LDR_DEV_ALLOW &&
		     dm_find(&m, "GED_ ACPI0013")->base == 0x9080000 &&
		     dm_find(&m, "AML OperationRegion")->base == 0x9090000 &&
		     !dm_find(&m, "RES0") && !dm_find(&m, "C000") && !dm_find(&m, "PWRB"),
	     "devmap acpi: UART, GED (OperationRegion) and module-level region allowed; PNP0C02 "
	     "and devices without registers left out");
	nw = devmap_finish(&m, 0, 0, w, LS_BOOT_MAX_MMIO);
	t_ok(nw > 0 && dm_in(w, nw, 0x10000000, 0x2eff0000) && dm_in(w, nw, 0x3eff0000, 0x10000) &&
		     dm_in(w, nw, 0x8000000000ULL, 0x8000000000ULL) &&
		     !dm_touches(w, nw, 0xa000000, 0x4000) && !dm_touches(w, nw, 0xc000000, 0x1000),
	     "devmap acpi: PCI memory, translated I/O (0x3eff0000) and high windows in the list; "
	     "denied ones not");
	devmap_init(&m);
	e = devmap_aml(&m, aml, (uint32_t)len, 0, 0, "IORT: test says no");
	d = dm_find(&m, "PCI0 PNP0A08");
	t_ok(!e && d && d->verdict == LDR_DEV_DENY && !strcmp(d->why, "IORT: test says no"),
	     "devmap acpi: PCI root denied with the IORT's reason when it is not behind the SMMU");

	/* Hide every denied device in a copy: same length, checksum fixed, still walkable. */
	devmap_init(&m);
	devmap_aml(&m, aml, (uint32_t)len, 0, 1, NULL);
	memcpy(t, aml, len);
	for (i = 0; i < m.nr_dev; i++)
		if (m.dev[i].verdict == LDR_DEV_DENY && m.dev[i].hide_off != UINT32_MAX) {
			ok &= !acpi_hide_device(t, (uint32_t)len, m.dev[i].hide_off,
						m.dev[i].hide_kind);
			hidden++;
		}
	{
		uint8_t sum = 0;

		for (i = 0; i < len; i++)
			sum = (uint8_t)(sum + t[i]);
		t_ok(ok && hidden == 4 && sum == 0,
		     "devmap acpi: 4 denied devices hidden in place, table checksum valid");
	}
	{
		static struct ldr_devmap m2;

		devmap_init(&m2);
		e = devmap_aml(&m2, t, (uint32_t)len, 0, 1, NULL);
		d = dm_find(&m2, "VR00 LNRO0005");
		t_ok(!e && d && d->hide_kind == 1 && !memcmp(t + d->hide_off, "\x08_STA\x00", 6) &&
			     dm_find(&m2, "PCI0 PNP0A08"),
		     "devmap acpi: patched DSDT walks; VR00 now has Name(_STA, Zero)");
	}
	t_ok(acpi_hide_device(t, (uint32_t)len, 40, 0) != NULL,
	     "devmap acpi: a hide offset that is not a Name -> refused");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/dsdt-hidden.aml", fx_dir ? fx_dir : ".");
		f = fx_dir ? fopen(path, "wb") : NULL;
	}
	if (f) {
		fwrite(t, 1, len, f); /* boot/tests/run.sh disassembles it with iasl -d */
		fclose(f);
	}
	t[ACPI_HDR_SIZE] = 0x5b; /* an opcode the walker does not know at that level */
	t[ACPI_HDR_SIZE + 1] = 0x99;
	devmap_init(&m);
	t_ok(devmap_aml(&m, t, (uint32_t)len, 0, 1, NULL) != NULL,
	     "devmap acpi: unknown AML object -> an error, not a guess");
}

static void test_devmap_misc(void)
{
	static struct ldr_devmap m;
	struct ls_mem_range w[4];
	uint8_t cfg[256] = { 0 };
	uint32_t bar = 9, off = 9;

	/* Deny wins a shared page; the SMMU frame is never the host's. */
	devmap_init(&m);
	devmap_add_runtime(&m, 0x9000000, 0x100);
	m.deny[m.nr_deny++] = (struct ls_mem_range){ 0x9000800, 0x200 };
	devmap_add_runtime(&m, 0x9050000, 0x1000);
	devmap_add_runtime(&m, 0x9010000, 0x1000);
	devmap_add_runtime(&m, 0x9011000, 0x1000);
	t_ok(devmap_finish(&m, 0x9050000, 0x20000, w, 4) == 1 && w[0].base == 0x9010000 &&
		     w[0].size == 0x2000 && m.conflicts == 2,
	     "devmap: a window sharing a page with a denied one, or the SMMU's, dropped; "
	     "neighbours merged");
	devmap_init(&m);
	devmap_add_runtime(&m, 0x1000, 0x1000);
	devmap_add_runtime(&m, 0x3000, 0x1000);
	devmap_add_runtime(&m, 0x5000, 0x1000);
	t_ok(devmap_finish(&m, 0, 0, w, 2) == -1, "devmap: more windows than room -> -1");

	/* virtio-pci capability list (Virtio 1.2 4.1.4): common config in BAR 4 at 0x1000. */
	cfg[6] = 0x10;
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x09, cfg[0x41] = 0x50, cfg[0x42] = 16, cfg[0x43] = 3; /* ISR */
	cfg[0x50] = 0x09, cfg[0x51] = 0x00, cfg[0x52] = 16, cfg[0x53] = 1, cfg[0x54] = 4;
	cfg[0x59] = 0x10;
	t_ok(!virtio_pci_common_cap(cfg, sizeof(cfg), &bar, &off) && bar == 4 && off == 0x1000,
	     "virtio-pci: common configuration capability found (second in the list)");
	cfg[6] = 0;
	t_ok(virtio_pci_common_cap(cfg, sizeof(cfg), &bar, &off) != NULL,
	     "virtio-pci: no capability list (legacy-only device) -> refused");
	cfg[6] = 0x10;
	cfg[0x51] = 0x40; /* a loop */
	cfg[0x53] = 2;
	t_ok(virtio_pci_common_cap(cfg, sizeof(cfg), &bar, &off) != NULL,
	     "virtio-pci: looping capability list without COMMON_CFG -> refused, terminates");
	t_ok(virtio_pci_is_virtio(0x1af4, 0x1042) && virtio_pci_is_virtio(0x1af4, 0x1000) &&
		     !virtio_pci_is_virtio(0x1af4, 0x1100) && !virtio_pci_is_virtio(0x1b36, 0x1042),
	     "virtio-pci: vendor 0x1af4, devices 0x1000-0x107f");
}

/* --- DMAR (Intel VT-d specification chapter 8) -------------------------------------- */

struct dmar_b {
	uint8_t t[512];
	uint32_t n;
};

static void db_put(struct dmar_b *b, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		b->t[b->n++] = (uint8_t)(v >> (8 * i));
}

/* 8.1 header: "DMAR", length, revision 1, checksum, ids; HAW - 1, flags, reserved. */
static void db_start(struct dmar_b *b, uint8_t haw_minus_1, uint8_t flags)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->t, "DMAR", 4);
	b->t[8] = 1;
	memcpy(b->t + 10, "LKSTEP", 6);
	b->n = 36;
	db_put(b, haw_minus_1, 1);
	db_put(b, flags, 1);
	b->n += 10;
}

static void db_finish(struct dmar_b *b)
{
	uint8_t sum = 0;
	uint32_t i;

	b->t[4] = (uint8_t)b->n, b->t[5] = (uint8_t)(b->n >> 8), b->t[6] = 0, b->t[7] = 0;
	b->t[9] = 0;
	for (i = 0; i < b->n; i++)
		sum = (uint8_t)(sum + b->t[i]);
	b->t[9] = (uint8_t)-sum;
}

/* A structure of type with body bytes; returns the offset of its Length field. */
static uint32_t db_struct(struct dmar_b *b, uint16_t type)
{
	uint32_t at;

	db_put(b, type, 2);
	at = b->n;
	db_put(b, 0, 2);
	return at;
}

static void db_end_struct(struct dmar_b *b, uint32_t at)
{
	uint32_t len = b->n - at + 2;

	b->t[at] = (uint8_t)len, b->t[at + 1] = (uint8_t)(len >> 8);
}

/* 8.3.1 device scope with one hop. */
static void db_scope(struct dmar_b *b, uint8_t type, uint8_t id, uint8_t bus, uint8_t dev,
		     uint8_t fn)
{
	db_put(b, type, 1);
	db_put(b, 8, 1);
	db_put(b, 0, 2);
	db_put(b, id, 1);
	db_put(b, bus, 1);
	db_put(b, dev, 1);
	db_put(b, fn, 1);
}

static void db_drhd(struct dmar_b *b, uint8_t flags, uint16_t seg, uint64_t base, int ioapic)
{
	uint32_t at = db_struct(b, 0);

	db_put(b, flags, 1);
	db_put(b, 0, 1); /* size: 2^0 pages */
	db_put(b, seg, 2);
	db_put(b, base, 8);
	if (ioapic)
		db_scope(b, 3, 0, 0xff, 0, 0);
	db_end_struct(b, at);
}

static void db_rmrr(struct dmar_b *b, uint16_t seg, uint64_t base, uint64_t limit, int scopes)
{
	uint32_t at = db_struct(b, 1);

	db_put(b, 0, 2);
	db_put(b, seg, 2);
	db_put(b, base, 8);
	db_put(b, limit, 8);
	if (scopes > 0)
		db_scope(b, 1, 0, 0, 0x1d, 0);
	if (scopes > 1) { /* two hops: a bridge at 00:1c.0, then 00.0 behind it */
		db_put(b, 1, 1);
		db_put(b, 10, 1);
		db_put(b, 0, 2);
		db_put(b, 0, 1);
		db_put(b, 0, 1);
		db_put(b, 0x1c, 1);
		db_put(b, 0, 1);
		db_put(b, 0, 1);
		db_put(b, 0, 1);
	}
	db_end_struct(b, at);
}

/* The machine's whole description, as the loader prints it. */
static int dmar_text_is(const struct ldr_dmar *d, const char *want)
{
	char all[1024] = "", line[256];
	size_t used = 0;
	uint32_t i;

	for (i = 0; dmar_line(d, i, line, sizeof(line)) && used < sizeof(all); i++)
		used += (size_t)snprintf(all + used, sizeof(all) - used, "%s\n", line);
	if (strcmp(all, want) != 0)
		fprintf(stderr, "dmar text:\n%s\nwanted:\n%s\n", all, want);
	return strcmp(all, want) == 0;
}

/*
 * Unit 0 on segment 0 lists endpoint 00:03.0 and 00:1c.0/00.0 (behind a bridge), no
 * INCLUDE_PCI_ALL; unit 1 on segment 1 lists nothing.
 */
static void rid_scope_table(struct dmar_b *b, struct ldr_dmar *d)
{
	uint32_t at;

	db_start(b, 38, 0x1);
	at = db_struct(b, 0);
	db_put(b, 0, 1);	  /* flags */
	db_put(b, 0, 1);	  /* size */
	db_put(b, 0, 2);	  /* segment */
	db_put(b, 0xfed90000, 8); /* base */
	db_scope(b, 1, 0, 0, 3, 0);
	db_put(b, 1, 1); /* endpoint, two hops: bridge 00:1c.0, then 00.0 */
	db_put(b, 10, 1);
	db_put(b, 0, 2);
	db_put(b, 0, 1);
	db_put(b, 0, 1);
	db_put(b, 0x1c, 1);
	db_put(b, 0, 1);
	db_put(b, 0, 1);
	db_put(b, 0, 1);
	db_end_struct(b, at);
	db_drhd(b, 0, 1, 0xfed91000, 0);
	db_finish(b);
	if (dmar_parse(b->t, b->n, d))
		memset(d, 0, sizeof(*d));
}

static void test_dmar(void)
{
	static struct ldr_dmar d;
	struct dmar_b b;
	uint32_t at, i, empty = 0, seed = 14;
	const char *e;
	uint8_t *fx;
	size_t fx_len = 0;
	char line[32];

	/* Two units on segment 0 (the INCLUDE_PCI_ALL one last), one on segment 1, RMRRs. */
	db_start(&b, 38, 0x3);
	db_drhd(&b, 0, 0, 0xfed91000, 0);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	db_drhd(&b, 1, 1, 0xfed92000, 0);
	db_rmrr(&b, 0, 0x7e000000, 0x7e0fffff, 2);
	at = db_struct(&b, 2); /* an ATSR: counted, not interpreted */
	db_put(&b, 0, 4);
	db_end_struct(&b, at);
	db_finish(&b);
	e = dmar_parse(b.t, b.n, &d);
	t_ok(!e && d.haw == 39 && d.flags == 3 && d.nr_unit == 3 && d.nr_rmrr == 1 &&
		     d.nr_other == 1 && d.unit[1].base == 0xfed90000 &&
		     d.unit[1].flags == LDR_DMAR_INCLUDE_PCI_ALL && d.unit[1].nr_scope == 1 &&
		     d.scope[d.unit[1].first_scope].type == LDR_DMAR_SCOPE_IOAPIC &&
		     d.scope[d.unit[1].first_scope].bus == 0xff && d.unit[2].segment == 1 &&
		     d.rmrr[0].base == 0x7e000000 && d.rmrr[0].limit == 0x7e0fffff &&
		     d.rmrr[0].nr_scope == 2 && d.scope[d.rmrr[0].first_scope + 1].depth == 2,
	     "DMAR: units, flags, segments, device scopes, RMRR and an ATSR parsed");
	t_ok(dmar_text_is(&d, "host address width 39, flags 0x3 INTR_REMAP X2APIC_OPT_OUT; "
			      "3 unit(s), 1 RMRR(s), 1 other structure(s)\n"
			      "unit 0xfed91000 segment 0 size 4 KiB\n"
			      "unit 0xfed90000 segment 0 size 4 KiB INCLUDE_PCI_ALL; scope "
			      "IOAPIC id 0 ff:00.0\n"
			      "unit 0xfed92000 segment 1 size 4 KiB INCLUDE_PCI_ALL\n"
			      "RMRR 0x7e000000-0x7e0fffff segment 0; scope endpoint 00:1d.0, "
			      "endpoint 00:1c.0/00.0\n"),
	     "DMAR: one line per structure, as the loader prints them");
	t_ok(dmar_line(&d, 1, line, sizeof(line)) > sizeof(line) - 1 &&
		     strlen(line) == sizeof(line) - 1,
	     "DMAR: a short line buffer truncates, NUL-terminated, full length returned");
	/* The DMA-master check: INCLUDE_PCI_ALL units take every function of their segment. */
	t_ok(dmar_rid_translated(&d, 0, 0, 5, 0) && dmar_rid_translated(&d, 1, 3, 0, 1) &&
		     !dmar_rid_translated(&d, 2, 0, 5, 0),
	     "DMAR: a function on a segment with an INCLUDE_PCI_ALL unit is translated, on "
	     "another segment not");
	rid_scope_table(&b, &d);
	t_ok(d.nr_unit == 2 && dmar_rid_translated(&d, 0, 0, 3, 0) &&
		     !dmar_rid_translated(&d, 0, 0, 4, 0) && !dmar_rid_translated(&d, 0, 0, 3, 1) &&
		     !dmar_rid_translated(&d, 0, 1, 3, 0) && !dmar_rid_translated(&d, 1, 0, 3, 0),
	     "DMAR: without INCLUDE_PCI_ALL only the listed endpoint (segment, bus, device, "
	     "function) is translated");
	t_ok(!dmar_rid_translated(&d, 0, 1, 0, 0) && !dmar_rid_translated(&d, 0, 0, 0x1c, 0),
	     "DMAR: a function behind a bridge (two-hop path) and the bridge are not taken as "
	     "translated");
	db_start(&b, 38, 0x3);
	db_drhd(&b, 0, 0, 0xfed91000, 0);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	db_drhd(&b, 1, 1, 0xfed92000, 0);
	db_rmrr(&b, 0, 0x7e000000, 0x7e0fffff, 2);
	at = db_struct(&b, 2);
	db_put(&b, 0, 4);
	db_end_struct(&b, at);
	db_finish(&b);
	e = dmar_parse(b.t, b.n, &d);
	t_ok(!e, "DMAR: the first table parses again");

	/* Rejections: each leaves the output untouched. */
	memset(&d, 0x5a, sizeof(d));
	b.t[9]++;
	e = dmar_parse(b.t, b.n, &d);
	for (i = 0; i < sizeof(d) && ((const uint8_t *)&d)[i] == 0x5a; i++)
		;
	t_ok(e && i == sizeof(d), "DMAR: bad checksum rejected, output untouched");
	b.t[9]--;
	t_ok(dmar_parse(b.t, b.n - 1, &d) != NULL, "DMAR: length field != table length rejected");
	t_ok(dmar_parse(b.t, 40, &d) != NULL, "DMAR: table shorter than its header rejected");

	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90000, 0);
	db_drhd(&b, 0, 0, 0xfed91000, 0);
	db_finish(&b);
	e = dmar_parse(b.t, b.n, &d);
	t_ok(e && strstr(e, "INCLUDE_PCI_ALL"),
	     "DMAR: a DRHD after its segment's INCLUDE_PCI_ALL unit rejected (8.3)");

	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90800, 0);
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: unaligned register base rejected");

	db_start(&b, 47, 1);
	db_rmrr(&b, 0, 0x7e000000, 0x7e000ffe, 1);
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: RMRR limit + 1 not 4 KiB aligned rejected");
	db_start(&b, 47, 1);
	db_rmrr(&b, 0, 0x7e001000, 0x7e000fff, 1);
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: RMRR limit below base rejected");
	db_start(&b, 47, 1);
	db_rmrr(&b, 0, 0x7e000000, 0x7e000fff, 0);
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: RMRR without a device scope rejected");

	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	b.t[48 + 16 + 1] = 7; /* scope length odd */
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: device scope of odd length rejected");
	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	b.t[48 + 16 + 6] = 32; /* device 32 */
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: path device above 31 rejected");
	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	b.t[50] = 0, b.t[51] = 0; /* structure length 0: must not loop */
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: zero-length structure rejected");
	db_start(&b, 47, 1);
	db_drhd(&b, 1, 0, 0xfed90000, 1);
	b.t[50] = 200; /* longer than the table */
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: structure overrunning the table rejected");
	db_start(&b, 47, 1);
	for (i = 0; i <= LDR_DMAR_MAX_UNITS; i++)
		db_drhd(&b, 0, 0, 0xfed90000 + 0x1000 * i, 0);
	db_finish(&b);
	t_ok(dmar_parse(b.t, b.n, &d) != NULL, "DMAR: more units than the loader keeps refused");

	/*
	 * Random corruption (checksum fixed, fixed-seed LCG): never faults (ASan), and a
	 * table that parses still has its structures counted.
	 */
	for (i = 0; i < 20000; i++) {
		uint32_t k, flips;

		db_start(&b, 47, 1);
		db_drhd(&b, 0, 0, 0xfed91000, 1);
		db_drhd(&b, 1, 0, 0xfed90000, 1);
		db_rmrr(&b, 0, 0x7e000000, 0x7e0fffff, 2);
		db_finish(&b);
		seed = seed * 1103515245u + 12345u;
		flips = 1 + (seed >> 28) % 2;
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			b.t[48 + (seed >> 8) % (b.n - 48)] = (uint8_t)(seed >> 20);
		}
		db_finish(&b);
		e = dmar_parse(b.t, b.n, &d);
		if (!e && d.nr_unit + d.nr_rmrr + d.nr_other == 0)
			empty++;
	}
	t_ok(empty == 0, "DMAR: 20000 corrupted tables parsed or refused without a fault");

	/*
	 * QEMU 10.0 q35 + intel-iommu,intremap=on (the boot-x86 machine: virtio-blk at 00:02.0),
	 * as Linux read it in a boot-x86 run (boot/tests/q35-dmar.hex). QEMU lists the bus 0
	 * devices one by one instead of setting INCLUDE_PCI_ALL.
	 */
	fx = fx_read("q35-dmar.bin", &fx_len);
	e = fx ? dmar_parse(fx, (uint32_t)fx_len, &d) : "fixture missing";
	t_ok(!e && d.haw == 48 && d.flags == 1 && d.nr_unit == 1 && d.unit[0].base == 0xfed90000 &&
		     d.unit[0].segment == 0 && d.unit[0].flags == 0 && d.nr_rmrr == 0 &&
		     d.nr_other == 0,
	     "DMAR: QEMU q35's table: one unit at 0xfed90000, segment 0, INTR_REMAP, no RMRR");
	t_ok(!e && dmar_text_is(&d,
				"host address width 48, flags 0x1 INTR_REMAP; 1 unit(s), 0 "
				"RMRR(s), 0 other structure(s)\n"
				"unit 0xfed90000 segment 0 size 4 KiB; scope IOAPIC id 0 "
				"ff:00.0, endpoint 00:00.0, endpoint 00:01.0, endpoint 00:02.0, "
				"endpoint 00:1f.0, endpoint 00:1f.2, endpoint 00:1f.3\n"),
	     "DMAR: QEMU q35's table: IOAPIC 0 and the six bus-0 functions in scope");
}

/* --- signatures and hashes (boot/sig.c over mbedtls) ------------------------------- */

#include <mbedtls/ecdsa.h>

/* mbedtls' buffer allocator found its heap corrupted (declared in lib/mbedtls/lockstep_config.h). */
void ls_mbedtls_exit(int status)
{
	fprintf(stderr, "mbedtls heap corrupted (%d)\n", status);
	abort();
}

static void hex2bin(const char *hex, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		out[i] = (uint8_t)strtoul(byte, NULL, 16);
	}
}

/* RFC 6979 A.2.5: ECDSA, 256 bits (prime field), key pair and the SHA-256 "sample" case. */
static const char k_priv[] = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
static const char k_ux[] = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
static const char k_uy[] = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
static const char k_r[] = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
static const char k_s[] = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";

/* Deterministic ECDSA (RFC 6979) of a SHA-256 digest with private key d: r || s. */
static int t_sign(const char *d_hex, const uint8_t digest[32], uint8_t sig[64])
{
	mbedtls_ecp_group grp;
	mbedtls_mpi d, r, s;
	int ret;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
	if (!ret)
		ret = mbedtls_mpi_read_string(&d, 16, d_hex);
	if (!ret)
		ret = mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &d, digest, 32, MBEDTLS_MD_SHA256,
						 NULL, NULL);
	if (!ret)
		ret = mbedtls_mpi_write_binary(&r, sig, 32);
	if (!ret)
		ret = mbedtls_mpi_write_binary(&s, sig + 32, 32);
	mbedtls_mpi_free(&s);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&d);
	mbedtls_ecp_group_free(&grp);
	return ret;
}

/* A signed test image: img_make's image + trailer signed by d_hex, key id of pub. */
static uint8_t *t_signed_image(const char *d_hex, const uint8_t pub[65], size_t *len)
{
	size_t n;
	uint8_t *b = img_make(3000, &n), *nb, digest[32];
	struct ls_image_sig *t;

	nb = realloc(b, n + sizeof(*t));
	if (!nb) {
		free(b);
		return NULL;
	}
	b = nb;
	t = (struct ls_image_sig *)(b + n);
	memset(t, 0, sizeof(*t));
	t->magic = LS_IMAGE_SIG_MAGIC;
	t->size = sizeof(*t);
	t->alg = LS_IMAGE_SIG_ECDSA_P256_SHA256;
	ldr_sha256(pub, 65, t->key_id);
	ldr_sha256(b, n, digest);
	if (t_sign(d_hex, digest, t->sig)) {
		free(b);
		return NULL;
	}
	*len = n + sizeof(*t);
	return b;
}

static void test_sig(void)
{
	static const char other_priv[] =
		"0F56DB78CA460B055C500064824BED999A25AAF48EBB519AC201537B85479813";
	uint8_t d[32], pub[65], other_pub[65], sig[64], want[64], dig[32];
	struct ls_image_hdr *h;
	struct ls_image_sig *t;
	struct ldr_sha256 c;
	size_t len;
	uint8_t *b;

	ldr_crypto_init();
	ldr_sha256("abc", 3, d);
	hex2bin("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", dig, 32);
	t_ok(!memcmp(d, dig, 32), "sha256: FIPS 180-2 B.1 \"abc\"");
	ldr_sha256_init(&c);
	ldr_sha256_update(&c, "a", 1);
	ldr_sha256_update(&c, "bc", 2);
	ldr_sha256_final(&c, d);
	t_ok(!memcmp(d, dig, 32), "sha256: incremental equals one-shot");
	ldr_sha256("", 0, d);
	hex2bin("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", dig, 32);
	t_ok(!memcmp(d, dig, 32), "sha256: empty message");

	pub[0] = 4;
	hex2bin(k_ux, pub + 1, 32);
	hex2bin(k_uy, pub + 33, 32);
	hex2bin(k_r, want, 32);
	hex2bin(k_s, want + 32, 32);
	ldr_sha256("sample", 6, dig);
	t_ok(!t_sign(k_priv, dig, sig) && !memcmp(sig, want, 64),
	     "ecdsa: RFC 6979 A.2.5 P-256/SHA-256 \"sample\": deterministic signature (r, s)");

	b = t_signed_image(k_priv, pub, &len);
	if (!b) {
		t_ok(0, "sig: test image signed");
		return;
	}
	h = (struct ls_image_hdr *)b;
	t = (struct ls_image_sig *)(b + h->image_size);
	t_ok(img_check(b, len) == NULL, "image: file with a signature trailer accepted");
	t_ok(sig_check(b, len, pub, d) == LDR_SIG_OK,
	     "sig: image signed by the trusted key verifies");
	ldr_sha256(b, h->image_size, dig);
	t_ok(!memcmp(d, dig, 32), "sig: digest out = SHA-256 of [0, image_size)");
	t_ok(sig_check(b, h->image_size, pub, d) == LDR_SIG_NONE, "sig: no trailer -> not signed");
	b[h->image_size / 2] ^= 0x01;
	img_recrc(b);
	t_ok(img_check(b, len) == NULL && sig_check(b, len, pub, d) == LDR_SIG_BAD,
	     "sig: one flipped byte (CRC fixed up) -> signature does not verify");
	b[h->image_size / 2] ^= 0x01;
	img_recrc(b);
	t->sig[63] ^= 0x80;
	t_ok(sig_check(b, len, pub, d) == LDR_SIG_BAD, "sig: flipped signature bit -> bad");
	t->sig[63] ^= 0x80;
	t->magic ^= 1;
	t_ok(sig_check(b, len, pub, d) == LDR_SIG_MALFORMED, "sig: bad trailer magic -> malformed");
	t->magic ^= 1;
	t->alg = 2;
	t_ok(sig_check(b, len, pub, d) == LDR_SIG_MALFORMED, "sig: unknown algorithm -> malformed");
	t->alg = LS_IMAGE_SIG_ECDSA_P256_SHA256;
	t_ok(sig_check(b, len, pub, d) == LDR_SIG_OK, "sig: restored trailer verifies again");
	free(b);

	/* Another key: its own key id (refused by id), or claiming ours (bad signature). */
	{
		mbedtls_ecp_group grp;
		mbedtls_ecp_point q;
		mbedtls_mpi k;
		size_t ol = 0;

		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&q);
		mbedtls_mpi_init(&k);
		if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) ||
		    mbedtls_mpi_read_string(&k, 16, other_priv) ||
		    mbedtls_ecp_mul(&grp, &q, &k, &grp.G, NULL, NULL) ||
		    mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &ol,
						   other_pub, sizeof(other_pub)) ||
		    ol != 65)
			memset(other_pub, 0, sizeof(other_pub));
		mbedtls_mpi_free(&k);
		mbedtls_ecp_point_free(&q);
		mbedtls_ecp_group_free(&grp);
	}
	b = t_signed_image(other_priv, other_pub, &len);
	t_ok(b && sig_check(b, len, pub, d) == LDR_SIG_OTHER_KEY,
	     "sig: image signed by another key -> refused by key id");
	t_ok(b && sig_check(b, len, other_pub, d) == LDR_SIG_OK,
	     "sig: the same image verifies against that other key");
	free(b);
	b = t_signed_image(other_priv, pub, &len);
	t_ok(b && sig_check(b, len, pub, d) == LDR_SIG_BAD,
	     "sig: another key's signature under the trusted key's id -> does not verify");
	free(b);
	/* The attestation key: known answer (Python hmac over the input docs/attestation.md gives). */
	{
		uint8_t adig[32], k[32], awant[32];
		unsigned int i;

		for (i = 0; i < 32; i++)
			adig[i] = (uint8_t)i;
		hex2bin("e8b4d6434759e0945c3ddff34116d8fb4ba721a9861014b6807a0eac891af9ed", awant,
			32);
		t_ok(!ldr_attest_key(adig, k) && !memcmp(k, awant, 32),
		     "attest key: HMAC-SHA256(dev secret, LS-ATTEST-KEY-v1 || 0 || digest), known answer");
		adig[31] ^= 1;
		t_ok(!ldr_attest_key(adig, k) && memcmp(k, awant, 32) != 0,
		     "attest key: another image measurement gets another key");
	}
}

/*
 * x86 (q35-like) ACPI tables for devmap_acpi: RSDP -> XSDT -> FADT (X_DSDT at 140 -> an empty
 * DSDT), MADT with one I/O APIC (ACPI 6.5 5.2.12.3), HPET (IA-PC HPET 1.0a 3.2.4: Base Address
 * GAS at 40) and MCFG (PCI Firmware 3.2 4.1.2: one segment-0 entry, buses 0-255).
 */
static uint8_t x_rsdp[36], x_xsdt[36 + 32], x_facp[148], x_dsdt[36], x_madt[44 + 12], x_hpet[56],
	x_mcfg[44 + 16];

static void x86_acpi_build(void)
{
	memset(x_rsdp, 0, sizeof(x_rsdp));
	acpi_sig_put(x_rsdp, "RSD PTR ");
	x_rsdp[15] = 2;
	x_rsdp[20] = 36;
	acpi_put64(x_rsdp + 24, (uint64_t)(uintptr_t)x_xsdt);
	acpi_fix(x_rsdp, 20, 8);
	acpi_fix(x_rsdp, 36, 32);
	memset(x_dsdt, 0, sizeof(x_dsdt));
	acpi_sig_put(x_dsdt, "DSDT");
	x_dsdt[4] = sizeof(x_dsdt);
	acpi_fix(x_dsdt, sizeof(x_dsdt), 9);
	memset(x_facp, 0, sizeof(x_facp));
	acpi_sig_put(x_facp, "FACP");
	x_facp[4] = sizeof(x_facp);
	acpi_put64(x_facp + 140, (uint64_t)(uintptr_t)x_dsdt);
	acpi_fix(x_facp, sizeof(x_facp), 9);
	memset(x_madt, 0, sizeof(x_madt));
	acpi_sig_put(x_madt, "APIC");
	x_madt[4] = sizeof(x_madt);
	x_madt[44] = 1;	 /* I/O APIC */
	x_madt[45] = 12; /* length */
	x_madt[50] = 0xc0;
	x_madt[51] = 0xfe; /* address 0xfec00000 (+4, 32 bits) */
	acpi_fix(x_madt, sizeof(x_madt), 9);
	memset(x_hpet, 0, sizeof(x_hpet));
	acpi_sig_put(x_hpet, "HPET");
	x_hpet[4] = sizeof(x_hpet);
	acpi_put64(x_hpet + 44, 0xfed00000);
	acpi_fix(x_hpet, sizeof(x_hpet), 9);
	memset(x_mcfg, 0, sizeof(x_mcfg));
	acpi_sig_put(x_mcfg, "MCFG");
	x_mcfg[4] = sizeof(x_mcfg);
	acpi_put64(x_mcfg + 44, 0xb0000000);
	x_mcfg[55] = 0xff; /* end bus */
	acpi_fix(x_mcfg, sizeof(x_mcfg), 9);
	memset(x_xsdt, 0, sizeof(x_xsdt));
	acpi_sig_put(x_xsdt, "XSDT");
	x_xsdt[4] = sizeof(x_xsdt);
	acpi_put64(x_xsdt + 36, (uint64_t)(uintptr_t)x_facp);
	acpi_put64(x_xsdt + 44, (uint64_t)(uintptr_t)x_madt);
	acpi_put64(x_xsdt + 52, (uint64_t)(uintptr_t)x_hpet);
	acpi_put64(x_xsdt + 60, (uint64_t)(uintptr_t)x_mcfg);
	acpi_fix(x_xsdt, sizeof(x_xsdt), 9);
}

static void test_devmap_x86(void)
{
	static struct ldr_devmap m;
	struct ls_mem_range w[LS_BOOT_MAX_MMIO];
	const struct ldr_dev *e, *io, *hp;
	const char *err;
	int n;

	x86_acpi_build();
	devmap_init(&m);
	m.iommu_vtd = 1;
	err = devmap_acpi(&m, x_rsdp, 0);
	e = dm_find(&m, "MCFG ECAM");
	io = dm_find(&m, "MADT IOAPIC");
	hp = dm_find(&m, "HPET table");
	t_ok(!err && e && e->verdict == LDR_DEV_ALLOW && e->base == 0xb0000000 &&
		     e->size == 0x10000000 && io && io->verdict == LDR_DEV_ALLOW &&
		     io->base == 0xfec00000 && io->size == 0x1000 && hp &&
		     hp->verdict == LDR_DEV_ALLOW && hp->base == 0xfed00000,
	     "devmap x86: with VT-d, the ECAM (MCFG), the I/O APIC (MADT type 1) and the HPET "
	     "(HPET table) allowed");
	devmap_add_allowed(&m, "PCI 00:02.0 BAR0", "test", 0xc1000000, 0x100000);
	devmap_add_allowed(&m, "legacy", "test", 0xa0000, 0x60000);
	n = devmap_finish(&m, 0, 0, w, LS_BOOT_MAX_MMIO);
	t_ok(n == 5 && dm_in(w, n, 0xb0000000, 0x10000000) && dm_in(w, n, 0xfec00000, 0x1000) &&
		     dm_in(w, n, 0xfed00000, 0x1000) && dm_in(w, n, 0xc1000000, 0x100000) &&
		     dm_in(w, n, 0xa0000, 0x60000) && !dm_touches(w, n, 0xfed90000, 0x1000) &&
		     !dm_touches(w, n, 0x4000000000ULL, 0x1000),
	     "devmap x86: the host's MMIO is those windows and the added BAR and legacy area, "
	     "nothing else (no VT-d unit, no hole)");
	devmap_init(&m);
	err = devmap_acpi(&m, x_rsdp, 0);
	e = dm_find(&m, "MCFG ECAM");
	t_ok(!err && e && e->verdict == LDR_DEV_DENY && dm_find(&m, "MADT IOAPIC") &&
		     dm_find(&m, "MADT IOAPIC")->verdict == LDR_DEV_ALLOW,
	     "devmap x86: without VT-d (nor SMMU) the ECAM is denied, the I/O APIC still allowed");
}

int main(void)
{
	test_config();
	test_image();
	test_sig();
	test_memmap();
	test_fdt();
	test_acpi();
	test_iort_hide();
	test_iort_fuzz();
	test_dt_hide();
	test_dt_fuzz();
	test_sids();
	fx_dir = getenv("BOOT_FIXTURES");
	test_devmap_dt();
	test_devmap_acpi();
	test_devmap_misc();
	test_devmap_x86();
	test_dmar();
	fprintf(stderr, "boot unit: %d tests, %d failed\n", t_n, t_fail);
	return 0;
}
