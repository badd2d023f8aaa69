// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The legacy-BIOS multiboot2 test loader (docs/boot.md "Legacy multiboot2 path (tests
 * only)"). A TEST PATH: the product boots through the UEFI loader (boot/main.c). This one
 * exists because Bochs boots legacy BIOS only.
 *
 * GRUB loads this ELF and four modules, each named by its module string: the loader's
 * configuration (lockstep.cfg, the UEFI loader's format, boot/config.c), the hypervisor
 * image, a Linux bzImage and an initramfs, whose names the configuration gives
 * (hypervisor=, kernel=, initrd=). Then, as boot/main.c and boot/handoff.c do:
 *
 *   image checks (boot/image.c) and its signature (boot/sig.c), measurements
 *   -> a 2 MiB aligned region for image + stacks + boot info + pool, taken out of RAM
 *   -> struct ls_boot_info (RAM from the multiboot2 memory map minus that region and the
 *      AP start-up page, the RSDP, the VT-d units of the DMAR if any)
 *   -> long entry(struct ls_boot_info *), which returns 0 in the host (SVM/VMX guest)
 *   -> Linux through the x86 64-bit boot protocol (Documentation/arch/x86/boot.rst):
 *      zero page with the bzImage's setup header, the e820 table (the multiboot2 map with
 *      the region and the AP page reserved), command line, initrd, ACPI RSDP; jump to the
 *      protected-mode kernel's 64-bit entry (+0x200) with RSI = the zero page.
 *
 * Output goes to COM1 (16550 at 0x3f8) and to port 0xE9 (Bochs's port_e9_hack).
 */
#include <stdarg.h>

#include <lockstep/abi.h>
#include <lockstep/boot.h>

#include "../ldr.h"
#include "lockstep_pubkey.h"
#include "mb2.h"

void mb2_main(uint32_t magic, uint32_t info);
void mb2_jump_linux(uint64_t entry, uint64_t boot_params) __attribute__((noreturn));
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

extern char _start[], _end[];

#define SZ_1M	     0x100000ULL
#define SZ_2M	     0x200000ULL
#define SZ_4G	     0x100000000ULL
#define PAGE	     4096ULL
#define MAPPED_LIMIT (16ULL << 30) /* entry.S identity-maps 16 GiB */

#define ALIGN_UP(x, a)	 (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

/* --- console: COM1 and port 0xE9 --------------------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define COM1 0x3f8

/* 16550: 115200 8N1, FIFOs on (PC16550D data sheet, registers at +0..+7). */
static void con_init(void)
{
	outb(COM1 + 1, 0x00); /* IER: no interrupts */
	outb(COM1 + 3, 0x80); /* LCR: DLAB */
	outb(COM1 + 0, 0x01); /* divisor 1: 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void con_putc(char c)
{
	unsigned int spin;

	for (spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
		;
	outb(COM1, (uint8_t)c);
	outb(0xe9, (uint8_t)c);
}

static void con_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			con_putc('\r');
		con_putc(*s);
	}
}

static void con_num(uint64_t v, unsigned int base, int neg, unsigned int width)
{
	char buf[24];
	unsigned int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i > 1);
	while (sizeof(buf) - 1 - i < width && i > 1)
		buf[--i] = '0';
	if (neg)
		buf[--i] = '-';
	con_puts(buf + i);
}

/* %s %c %d %u %x with l/ll, %0Nx, %#x; nothing else. */
static void con_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int width = 0, lng = 0, alt = 0;
		uint64_t v;

		if (*fmt != '%') {
			char s[2] = { *fmt, 0 };

			con_puts(s);
			continue;
		}
		fmt++;
		if (*fmt == '#') {
			alt = 1;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			con_puts(va_arg(ap, const char *));
			break;
		case 'c':
			con_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			int64_t s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			con_num(s < 0 ? 0 - (uint64_t)s : (uint64_t)s, 10, s < 0, width);
			break;
		}
		case 'u':
		case 'x':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			if (alt) { /* "0x", counted in the width as printf does */
				con_puts("0x");
				width = width > 2 ? width - 2 : 0;
			}
			con_num(v, *fmt == 'u' ? 10 : 16, 0, width);
			break;
		case '%':
			con_putc('%');
			break;
		default:
			con_puts("<?>");
			break;
		}
	}
}

void mb2_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
}

void mb2_panic(const char *fmt, ...)
{
	va_list ap;

	con_puts(MB2_TAG "FATAL: ");
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	con_puts("; stopped\n");
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* --- CPUID -------------------------------------------------------------------------------- */

struct cpuid {
	uint32_t a, b, c, d;
};

static struct cpuid cpuid(uint32_t leaf)
{
	struct cpuid r;

	__asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(0));
	return r;
}

/* --- multiboot2 boot information (Multiboot2 specification 1.0, 3.6) --------------------- */

#define MB2_BOOTLOADER_MAGIC 0x36d76289U
#define MB2_TAG_END	     0
#define MB2_TAG_CMDLINE	     1
#define MB2_TAG_LOADER	     2
#define MB2_TAG_MODULE	     3
#define MB2_TAG_MMAP	     6
#define MB2_TAG_ACPI_OLD     14
#define MB2_TAG_ACPI_NEW     15
#define MB2_MEM_AVAILABLE    1 /* 3.6.8: the same numbers as the BIOS's E820 types */

struct mb2_mod {
	uint64_t start, end;
	const char *name;
};

#define MAX_MODS 8
#define MAX_MAP	 128 /* E820_MAX_ENTRIES_ZEROPAGE: what the zero page holds */

struct e820 {
	uint64_t base, size;
	uint32_t type;
};

static struct mb2_mod mods[MAX_MODS];
static unsigned int nr_mods;
static struct e820 map[MAX_MAP]; /* the multiboot2 memory map, sorted */
static unsigned int nr_map;
static const uint8_t *rsdp_copy; /* the RSDP as GRUB copied it into the boot information */
static uint32_t rsdp_copy_len;
static uint64_t mbi_base, mbi_size;

static uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void parse_mbi(uint32_t info)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)info, *t, *end;
	unsigned int i, j;

	mbi_base = info;
	mbi_size = rd32(p);
	end = p + mbi_size;
	for (t = p + 8; t + 8 <= end; t += ALIGN_UP(rd32(t + 4), 8)) {
		uint32_t type = rd32(t), size = rd32(t + 4);

		if (size < 8 || t + size > end)
			mb2_panic("malformed multiboot2 tag %u (size %u)", type, size);
		if (type == MB2_TAG_END)
			break;
		switch (type) {
		case MB2_TAG_CMDLINE:
			mb2_printf(MB2_TAG "command line \"%s\"\n", (const char *)(t + 8));
			break;
		case MB2_TAG_LOADER:
			mb2_printf(MB2_TAG "started by %s\n", (const char *)(t + 8));
			break;
		case MB2_TAG_MODULE:
			if (nr_mods == MAX_MODS)
				mb2_panic("more than %u modules", MAX_MODS);
			mods[nr_mods].start = rd32(t + 8);
			mods[nr_mods].end = rd32(t + 12);
			mods[nr_mods].name = (const char *)(t + 16);
			nr_mods++;
			break;
		case MB2_TAG_MMAP: {
			uint32_t esz = rd32(t + 8);
			const uint8_t *e;

			if (esz < 24)
				mb2_panic("memory map entry size %u", esz);
			for (e = t + 16; e + esz <= t + size; e += esz) {
				if (nr_map == MAX_MAP)
					mb2_panic("more than %u memory map entries", MAX_MAP);
				map[nr_map].base = rd64(e);
				map[nr_map].size = rd64(e + 8);
				map[nr_map].type = rd32(e + 16);
				if (map[nr_map].size)
					nr_map++;
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* The new one (ACPI 2.0+ RSDP) wins over the old one. */
			if (!rsdp_copy || type == MB2_TAG_ACPI_NEW) {
				rsdp_copy = t + 8;
				rsdp_copy_len = size - 8;
			}
			break;
		default:
			break;
		}
	}
	if (!nr_map)
		mb2_panic("no memory map from the boot loader (multiboot2 tag 6)");
	for (i = 1; i < nr_map; i++)
		for (j = i; j && map[j].base < map[j - 1].base; j--) {
			struct e820 x = map[j];

			map[j] = map[j - 1];
			map[j - 1] = x;
		}
	for (i = 1; i < nr_map; i++)
		if (map[i].base < map[i - 1].base + map[i - 1].size)
			mb2_panic("memory map entries overlap at %#llx", 0ULL + map[i].base);
}

static const struct mb2_mod *find_mod(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_mods; i++)
		if (!strcmp(mods[i].name, name))
			return &mods[i];
	return NULL;
}

/* --- physical memory: what is taken, and a first-fit allocator over the map ------------- */

struct range {
	uint64_t base, end;
};

#define MAX_BUSY 16
static struct range busy[MAX_BUSY];
static unsigned int nr_busy;

static void take(uint64_t base, uint64_t end)
{
	if (nr_busy == MAX_BUSY)
		mb2_panic("too many taken ranges");
	busy[nr_busy++] = (struct range){ base, end };
}

/* The taken range overlapping [a, a + size), or NULL. */
static const struct range *overlap(uint64_t a, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < nr_busy; i++)
		if (a < busy[i].end && busy[i].base < a + size)
			return &busy[i];
	return NULL;
}

/*
 * size bytes at an align-aligned address of available RAM within [lo, hi), overlapping no
 * taken range: the highest such address if @top, else the lowest. 0 if none.
 */
static uint64_t alloc(uint64_t size, uint64_t align, uint64_t lo, uint64_t hi, int top)
{
	uint64_t best = 0;
	unsigned int i;

	for (i = 0; i < nr_map; i++) {
		uint64_t s = map[i].base, e = map[i].base + map[i].size, a;
		const struct range *o;

		if (map[i].type != MB2_MEM_AVAILABLE)
			continue;
		s = s < lo ? lo : s;
		e = e > hi ? hi : e;
		if (s >= e || e - s < size)
			continue;
		if (top) {
			for (a = ALIGN_DOWN(e - size, align); a >= s;
			     a = ALIGN_DOWN(o->base - size, align)) {
				o = overlap(a, size);
				if (!o) {
					best = a > best ? a : best;
					break;
				}
				if (o->base < s + size)
					break;
			}
		} else {
			for (a = ALIGN_UP(s, align); a + size <= e; a = ALIGN_UP(o->end, align)) {
				o = overlap(a, size);
				if (!o) {
					if (!best || a < best)
						best = a;
					break;
				}
			}
		}
	}
	if (best)
		take(best, best + size);
	return best;
}

/* --- the e820 table Linux gets, and the RAM list the hypervisor gets --------------------- */

static struct e820 e820[MAX_MAP];
static unsigned int nr_e820;

static void e820_add(uint64_t base, uint64_t end, uint32_t type)
{
	if (base >= end)
		return;
	if (nr_e820 && e820[nr_e820 - 1].type == type &&
	    e820[nr_e820 - 1].base + e820[nr_e820 - 1].size == base) {
		e820[nr_e820 - 1].size += end - base;
		return;
	}
	if (nr_e820 == MAX_MAP)
		mb2_panic("e820 table full (%u entries)", MAX_MAP);
	e820[nr_e820++] = (struct e820){ base, end - base, type };
}

#define E820_RESERVED 2

/*
 * The multiboot2 map with every range of @hide (sorted, disjoint, inside available RAM)
 * turned into reserved: the hypervisor region and the AP start-up page are not Linux's.
 */
static void build_e820(const struct range *hide, unsigned int nr_hide)
{
	unsigned int i, h;

	for (i = 0; i < nr_map; i++) {
		uint64_t at = map[i].base, end = map[i].base + map[i].size;

		for (h = 0; h < nr_hide && map[i].type == MB2_MEM_AVAILABLE; h++) {
			if (hide[h].end <= at || hide[h].base >= end)
				continue;
			e820_add(at, hide[h].base, map[i].type);
			e820_add(hide[h].base, hide[h].end, E820_RESERVED);
			at = hide[h].end;
		}
		e820_add(at, end, map[i].type);
	}
}

/* RAM for the boot info: available e820 ranges, page aligned inwards. */
static int boot_info_ram(struct ls_boot_info *bi)
{
	unsigned int i;

	bi->nr_mem = 0;
	for (i = 0; i < nr_e820; i++) {
		uint64_t b = ALIGN_UP(e820[i].base, PAGE);
		uint64_t e = ALIGN_DOWN(e820[i].base + e820[i].size, PAGE);

		if (e820[i].type != MB2_MEM_AVAILABLE || b >= e)
			continue;
		if (bi->nr_mem == LS_BOOT_MAX_MEM)
			return -1;
		bi->mem[bi->nr_mem++] = (struct ls_mem_range){ b, e - b };
	}
	return bi->nr_mem ? 0 : -1;
}

/* --- ACPI ------------------------------------------------------------------------------------ */

static int sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

/*
 * The RSDP GRUB copied is a copy; Linux and the hypervisor want the real one's address.
 * ACPI 6.5 5.2.5.1 "Finding the RSDP on IA-PC Systems": the first KiB of the EBDA (its
 * segment at 40:0Eh), then E0000h-FFFFFh, on 16-byte boundaries. The one equal to GRUB's
 * copy (first 20 bytes: signature, checksum, OEM ID, revision, RSDT address).
 */
static uint64_t find_rsdp(void)
{
	uint32_t seg;
	uint64_t ebda;
	struct range areas[2] = { { 0, 0 }, { 0xe0000, 0x100000 } };
	unsigned int i;
	uint64_t a;

	if (!rsdp_copy || rsdp_copy_len < 20)
		return 0;
	__asm__ volatile("movzwl 0x40e, %0" : "=r"(seg)); /* BDA 40:0Eh, the EBDA's segment */
	ebda = (uint64_t)seg << 4;
	areas[0] = (struct range){ ebda, ebda + 1024 };
	for (i = 0; i < 2; i++)
		for (a = areas[i].base; a && a + 20 <= areas[i].end; a += 16) {
			const uint8_t *p = (const uint8_t *)(uintptr_t)a;

			if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20) && !memcmp(p, rsdp_copy, 20))
				return a;
		}
	return 0;
}

/* ACPI 6.5 5.2.6: the bytes of a table, checksum included, sum to zero. */
static void fix_checksum(uint8_t *t, uint32_t len)
{
	uint8_t s = 0;
	uint32_t i;

	t[9] = 0;
	for (i = 0; i < len; i++)
		s = (uint8_t)(s + t[i]);
	t[9] = (uint8_t)(0 - s);
}

/*
 * The entry for a table with signature @sig in the RSDT (ACPI 6.5 5.2.7, 32-bit entries) or
 * the XSDT (5.2.8, 64-bit entries) at @sdt, @esz bytes per entry, after the 36-byte header:
 * its offset in the SDT, and the table's address. -1 if the SDT is malformed or has none.
 */
static int sdt_find(uint64_t sdt, uint32_t esz, const char *ssig, const char *sig, uint32_t *entry,
		    uint64_t *table)
{
	const uint8_t *x = (const uint8_t *)(uintptr_t)sdt;
	uint32_t len, off;

	if (!sdt || sdt >= MAPPED_LIMIT || memcmp(x, ssig, 4) != 0)
		return -1;
	len = rd32(x + 4);
	if (len < 36 || len > 65536 || !sum_ok(x, len))
		return -1;
	for (off = 36; off + esz <= len; off += esz) {
		uint64_t t = esz == 8 ? rd64(x + off) : rd32(x + off);
		const uint8_t *p = (const uint8_t *)(uintptr_t)t;

		if (!t || t >= MAPPED_LIMIT || memcmp(p, sig, 4) != 0)
			continue;
		if (rd32(p + 4) < 36 || !sum_ok(p, rd32(p + 4)))
			return -1;
		*entry = off;
		*table = t;
		return 0;
	}
	return -1;
}

/* Remove the entry at @off (esz bytes) from the SDT at @sdt; fix its length and checksum. */
static void sdt_remove(uint64_t sdt, uint32_t esz, uint32_t off)
{
	uint8_t *x = (uint8_t *)(uintptr_t)sdt;
	uint32_t len = rd32(x + 4);

	memmove(x + off, x + off + esz, len - off - esz);
	len -= esz;
	memcpy(x + 4, &len, 4);
	fix_checksum(x, len);
}

/*
 * The device MMIO the host may reach (docs/boot.md "Legacy multiboot2 path"): the same
 * boot/devmap.c rules as the UEFI loader's x86 path, from ACPI (MADT I/O APIC, MCFG, HPET,
 * the DSDT/SSDT devices with their _CRS: the PCI root's windows hold every BAR), plus what
 * a BIOS machine has instead of the UEFI memory map's MMIO descriptors: the memory map's
 * ranges other than RAM (BIOS flash, chipset registers, ACPI tables and NVS) and the legacy
 * area below 1 MiB. PCI is
 * taken as the VT-d path takes it (pcicheck is UEFI-only here; with no unit, DMA is not
 * isolated anyway, as logged above). Without this list the hypervisor maps no MMIO at all.
 */
static struct ldr_devmap mb2_dm;

static void host_mmio(struct ls_boot_info *bi, uint64_t rsdp)
{
	const char *err;
	uint32_t i, allowed = 0, denied = 0;
	int n;

	devmap_init(&mb2_dm);
	mb2_dm.iommu_vtd = 1;
	if (rsdp && (err = devmap_acpi(&mb2_dm, (const void *)(uintptr_t)rsdp, 0)) != NULL)
		mb2_printf(MB2_TAG "device map: ACPI: %s: devices after that point stay denied\n",
			   err);
	/*
	 * Every range of the memory map that is not available RAM: reserved (2), ACPI tables
	 * (3: Bochs's BIOS puts them there, at the top of RAM) and ACPI NVS (4), unusable (5).
	 */
	for (i = 0; i < nr_map; i++)
		if (map[i].type != MB2_MEM_AVAILABLE)
			devmap_add_allowed(&mb2_dm,
					   map[i].type == 3 ? "ACPI tables" :
					   map[i].type == 4 ? "ACPI NVS" :
							      "reserved",
					   "firmware range of the memory map (no DMA)", map[i].base,
					   map[i].size);
	devmap_add_allowed(&mb2_dm, "legacy 0xa0000-0xfffff",
			   "ISA hole: VGA memory, option and BIOS ROMs (no DMA)", 0xa0000, 0x60000);
	for (i = 0; i < mb2_dm.nr_dev; i++) {
		const struct ldr_dev *d = &mb2_dm.dev[i];

		if (d->verdict == LDR_DEV_ALLOW)
			allowed++;
		else
			denied++;
		mb2_printf(MB2_TAG "device %s %#llx+%#llx: %s (%s)\n", d->name, 0ULL + d->base,
			   0ULL + d->size,
			   d->verdict == LDR_DEV_ALLOW ? "host may use" : "DENIED to the host",
			   d->why);
	}
	n = devmap_finish(&mb2_dm, 0, 0, bi->host_mmio, LS_BOOT_MAX_MMIO);
	if (n < 0)
		mb2_panic("device map: more than %u host MMIO windows", LS_BOOT_MAX_MMIO);
	bi->nr_host_mmio = (uint32_t)n;
	bi->host_mmio_flags = mb2_dm.flags;
	mb2_printf(MB2_TAG "device map: %u devices allowed, %u denied; host MMIO: %d windows\n",
		   allowed, denied, n);
}

/*
 * The VT-d units of the DMAR, as boot/main.c passes them, and the DMAR hidden from Linux:
 * its entry removed from the XSDT and from the RSDT (SeaBIOS and Bochs's BIOS give an ACPI
 * 1.0 RSDP, RSDT only), length and checksum fixed (ACPI 6.5 5.2.5.3, 5.2.7, 5.2.8).
 */
static void vtd_units(struct ls_boot_info *bi, uint64_t rsdp)
{
	static struct ldr_dmar d;
	const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp;
	uint64_t sdt[2] = { 0, 0 }, t[2] = { 0, 0 }, table = 0;
	uint32_t entry[2] = { 0, 0 }, i;
	int found[2] = { -1, -1 };
	const char *err;

	bi->nr_vtd = 0;
	if (!rsdp)
		return;
	/* 5.2.5.3: RSDT address at 16 (32 bits); revision (15) >= 2: XSDT address at 24. */
	sdt[0] = rd32(r + 16);
	if (r[15] >= 2 && rd32(r + 20) >= 36 && sum_ok(r, rd32(r + 20)))
		sdt[1] = rd64(r + 24);
	for (i = 0; i < 2; i++)
		if (sdt[i])
			found[i] = sdt_find(sdt[i], i ? 8 : 4, i ? "XSDT" : "RSDT", "DMAR",
					    &entry[i], &t[i]);
	for (i = 0; i < 2; i++)
		if (!found[i]) {
			if (table && t[i] != table)
				mb2_panic("the RSDT and the XSDT list two different DMARs");
			table = t[i];
		}
	if (!table) {
		mb2_printf(MB2_TAG "DMAR: none in the RSDT%s\n", sdt[1] ? " or the XSDT" : "");
		return;
	}
	err = dmar_parse((const uint8_t *)(uintptr_t)table,
			 rd32((const void *)(uintptr_t)(table + 4)), &d);
	if (err)
		mb2_panic("DMAR at %#llx refused: %s", 0ULL + table, err);
	if (d.nr_unit > LS_BOOT_MAX_VTD)
		mb2_panic("%u VT-d units, the boot info holds %u", d.nr_unit, LS_BOOT_MAX_VTD);
	for (i = 0; i < d.nr_unit; i++) {
		bi->vtd[i].base = d.unit[i].base;
		bi->vtd[i].size = (uint64_t)d.unit[i].size_pages * PAGE;
		mb2_printf(MB2_TAG "VT-d unit %#llx (%llu KiB)\n", 0ULL + bi->vtd[i].base,
			   (unsigned long long)(bi->vtd[i].size >> 10));
	}
	bi->nr_vtd = d.nr_unit;
	for (i = 0; i < 2; i++)
		if (!found[i]) {
			sdt_remove(sdt[i], i ? 8 : 4, entry[i]);
			mb2_printf(MB2_TAG "VT-d hidden (ACPI): DMAR %#llx removed from the %s at "
					   "%#llx\n",
				   0ULL + table, i ? "XSDT" : "RSDT", 0ULL + sdt[i]);
		}
}

/* --- measurements (docs/attestation.md "Event log"), as boot/main.c records them --------- */

static struct ls_mlog mlog = {
	.magic = LS_MLOG_MAGIC,
	.version = LS_MLOG_VERSION,
	.size = LS_MLOG_HDR_BYTES,
	.event_bytes = LS_MLOG_EV_BYTES,
};

static void measure(uint32_t type, const uint8_t digest[32], uint64_t length, const char *desc,
		    uint32_t flags)
{
	struct ls_mlog_event *ev;
	unsigned int i;

	if (mlog.nr_events >= LS_MLOG_MAX_EVENTS - 1)
		return;
	ev = &mlog.ev[mlog.nr_events++];
	ev->type = type;
	ev->alg = LS_MEAS_ALG_SHA256;
	ev->length = length;
	memcpy(ev->digest, digest, sizeof(ev->digest));
	for (i = 0; i + 1 < sizeof(ev->desc) && desc[i]; i++)
		ev->desc[i] = desc[i];
	ev->flags = flags;
	mlog.size = LS_MLOG_HDR_BYTES + mlog.nr_events * LS_MLOG_EV_BYTES;
	mb2_printf(MB2_TAG "measured %s: sha256 ", desc);
	for (i = 0; i < 32; i++)
		mb2_printf("%02x", digest[i]);
	mb2_printf(" (%llu bytes)\n", (unsigned long long)length);
}

static void measure_buf(uint32_t type, const void *buf, uint64_t len, const char *desc)
{
	uint8_t digest[32];

	ldr_sha256(buf, len, digest);
	measure(type, digest, len, desc, 0);
}

/* --- the hypervisor ------------------------------------------------------------------------ */

static struct ldr_config cfg;

static const struct mb2_mod *need_mod(const char *what, const char *name)
{
	const struct mb2_mod *m = find_mod(name);

	if (!m)
		mb2_panic("%s \"%s\" (lockstep.cfg) is not a module GRUB loaded", what, name);
	mb2_printf(MB2_TAG "%s: module \"%s\" at %#llx, %llu bytes\n", what, name, 0ULL + m->start,
		   (unsigned long long)(m->end - m->start));
	return m;
}

/* The image's checks and signature, as boot/main.c (ldr_load_hyp, ldr_check_sig). */
static const struct ls_image_hdr *check_image(const struct mb2_mod *m)
{
	const struct ls_image_hdr *h = (const struct ls_image_hdr *)(uintptr_t)m->start;
	size_t len = (size_t)(m->end - m->start);
	uint8_t digest[32];
	enum ldr_sig_result r;
	const char *err;

	err = img_check(h, len);
	if (err)
		mb2_panic("hypervisor image %s rejected: %s", cfg.hypervisor, err);
	mb2_printf(MB2_TAG "hypervisor image: %llu bytes, mem %llu KiB, entry +%#llx, version "
			   "%u.%u.%u\n",
		   (unsigned long long)h->image_size, (unsigned long long)(h->mem_size >> 10),
		   0ULL + h->entry_offset, (unsigned int)(h->version >> 32),
		   (unsigned int)(h->version >> 16) & 0xffff, (unsigned int)h->version & 0xffff);
	ldr_crypto_init();
	r = sig_check(h, len, ldr_pubkey, digest);
	if (r == LDR_SIG_OK)
		mb2_printf(MB2_TAG "hypervisor image %s: signature verified (ECDSA P-256)\n",
			   cfg.hypervisor);
	else if (!cfg.allow_unsigned)
		mb2_panic("hypervisor image %s refused: %s (allow_unsigned=1 boots it anyway)",
			  cfg.hypervisor, sig_result_str(r));
	else
		mb2_printf(MB2_TAG
			   "*** hypervisor image %s NOT verified (%s): allow_unsigned=1 ***\n",
			   cfg.hypervisor, sig_result_str(r));
	measure(LS_MEAS_HYP_IMAGE, digest, h->image_size, cfg.hypervisor,
		r == LDR_SIG_OK ? LS_MEAS_F_SIG_OK : LS_MEAS_F_UNSIGNED);
	return h;
}

static struct range hidden[2];
static unsigned int nr_hidden;

/* The region and the boot info (boot/main.c ldr_prepare_hyp); returns the entry point. */
static long (*prepare_hyp(const struct ls_image_hdr *h,
			  struct ls_boot_info **out))(struct ls_boot_info *)
{
	struct ldr_layout lay;
	struct ls_boot_info *bi;
	uint64_t region, tramp, rsdp;
	const char *err;
	uint8_t *base;

	err = layout_compute(h, &cfg, &lay);
	if (err)
		mb2_panic("region layout: %s", err);
	/*
	 * Highest first, below 4 GiB: the hypervisor's page tables must be below 4 GiB for its
	 * application processors' start-up code (docs/x86.md "Application processors").
	 */
	region = alloc(lay.total, SZ_2M, 16 * SZ_1M, SZ_4G, 1);
	if (!region)
		mb2_panic("no 2 MiB aligned %llu MiB of RAM below 4 GiB for the hypervisor",
			  (unsigned long long)(lay.total >> 20));
	base = (uint8_t *)(uintptr_t)region;
	memcpy(base, h, h->image_size);
	memset(base + h->image_size, 0, lay.total - h->image_size);
	mb2_printf(MB2_TAG
		   "region: %#llx-%#llx (%llu MiB, reserved in the e820 table): image %llu "
		   "KiB, %u stacks x %llu KiB at +%#llx, boot info at +%#llx, pool %llu MiB at "
		   "+%#llx\n",
		   0ULL + region, 0ULL + region + lay.total - 1,
		   (unsigned long long)(lay.total >> 20),
		   (unsigned long long)(lay.image_size >> 10), lay.nr_cpus,
		   (unsigned long long)(lay.stack_size >> 10), 0ULL + lay.stack_off,
		   0ULL + lay.info_off, (unsigned long long)(lay.pool_size >> 20),
		   0ULL + lay.pool_off);

	/*
	 * The AP start-up page (a Startup IPI vector names a page below 1 MiB): below 512 KiB.
	 * Booted from a legacy BIOS, Linux reads [512 KiB, 1 MiB) early: the iBFT scan
	 * (drivers/firmware/iscsi_ibft_find.c, from 80000h), the MP table scan (the last KiB of
	 * base memory, the EBDA); the hypervisor would refuse those reads of its page. Above
	 * the real-mode IVT and BIOS data area.
	 */
	tramp = alloc(PAGE, PAGE, 0x10000, 0x80000, 1);
	if (tramp)
		mb2_printf(MB2_TAG "AP start-up page: %#llx (reserved in the e820 table)\n",
			   0ULL + tramp);
	else
		mb2_printf(MB2_TAG
			   "no free page below 512 KiB (none reserved): only the boot CPU will run "
			   "under Lockstep\n");
	if (tramp)
		hidden[nr_hidden++] = (struct range){ tramp, tramp + PAGE };
	hidden[nr_hidden++] = (struct range){ region, region + lay.total };
	build_e820(hidden, nr_hidden);

	bi = (struct ls_boot_info *)(uintptr_t)(region + lay.info_off);
	bi->magic = LS_BOOT_INFO_MAGIC;
	bi->size = sizeof(*bi);
	bi->hyp_base = region;
	bi->hyp_size = lay.total;
	bi->stack_base = region + lay.stack_off;
	bi->stack_size = lay.stack_size;
	bi->nr_cpus = lay.nr_cpus;
	bi->boot_cpu_mpidr_lo = cpuid(1).b >> 24; /* initial APIC ID, as boot/arch/x86_64.c */
	bi->pool_base = region + lay.pool_off;
	bi->pool_size = lay.pool_size;
	bi->config_pool_pages = lay.pool_size / PAGE;
	if (boot_info_ram(bi))
		mb2_panic("more than %u RAM ranges, or none", LS_BOOT_MAX_MEM);
	rsdp = find_rsdp();
	bi->acpi_rsdp = rsdp;
	vtd_units(bi, rsdp);
	host_mmio(bi, rsdp);
	if (!bi->nr_vtd)
		mb2_printf(MB2_TAG
			   "*** NO VT-d UNIT: DMA is NOT isolated: every DMA master "
			   "can read and write the hypervisor. Allowed only on this test path "
			   "(docs/boot.md \"Legacy multiboot2 path (tests only)\") ***\n");
	bi->ap_tramp = tramp;
	bi->mlog = mlog;
	if (ldr_attest_key(mlog.ev[0].digest, bi->attest_key))
		mb2_printf(MB2_TAG "attestation key: none (derivation failed)\n");
	mb2_printf(MB2_TAG "boot info: %u RAM ranges, ACPI RSDP %#llx, %u VT-d unit(s), boot CPU "
			   "APIC ID %u, %u CPU stacks\n",
		   bi->nr_mem, 0ULL + rsdp, bi->nr_vtd, bi->boot_cpu_mpidr_lo, bi->nr_cpus);
	*out = bi;
	return (long (*)(struct ls_boot_info *))(uintptr_t)(region + h->entry_offset);
}

/* --- Linux: the 64-bit boot protocol (Documentation/arch/x86/boot.rst) -------------------- */

/* Offsets in the zero page (Documentation/arch/x86/zero-page.rst) and the setup header. */
#define BP_ACPI_RSDP_ADDR    0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES	     0x1e8
#define BP_E820_TABLE	     0x2d0
#define HDR_SETUP_SECTS	     0x1f1
#define HDR_BOOT_FLAG	     0x1fe
#define HDR_JUMP	     0x200
#define HDR_HEADER	     0x202
#define HDR_VERSION	     0x206
#define HDR_TYPE_OF_LOADER   0x210
#define HDR_LOADFLAGS	     0x211
#define HDR_RAMDISK_IMAGE    0x218
#define HDR_RAMDISK_SIZE     0x21c
#define HDR_CMD_LINE_PTR     0x228
#define HDR_INITRD_ADDR_MAX  0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE	     0x234
#define HDR_XLOADFLAGS	     0x236
#define HDR_CMDLINE_SIZE     0x238
#define HDR_PREF_ADDRESS     0x258
#define HDR_INIT_SIZE	     0x260
#define XLF_KERNEL_64	     (1U << 0)
#define LOADED_HIGH	     (1U << 0)

static uint8_t zero_page[4096] __attribute__((aligned(4096)));
static char cmdline[LDR_CFG_CMDLINE_MAX];

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Load the kernel and fill the zero page; returns the 64-bit entry point. */
static uint64_t prepare_linux(const struct mb2_mod *k, const struct mb2_mod *rd, uint64_t rsdp)
{
	const uint8_t *img = (const uint8_t *)(uintptr_t)k->start;
	uint64_t klen = k->end - k->start, setup, pm_len, align, init_size, pref, load;
	uint32_t hdr_end, i;
	uint16_t ver;

	if (klen < 0x1000 || rd16(img + HDR_BOOT_FLAG) != 0xaa55 ||
	    memcmp(img + HDR_HEADER, "HdrS", 4) != 0)
		mb2_panic("kernel %s is not a bzImage (no boot flag or HdrS)", cfg.kernel);
	ver = rd16(img + HDR_VERSION);
	/* 2.12: xloadflags (XLF_KERNEL_64); 2.14: acpi_rsdp_addr. */
	if (ver < 0x020c || !(rd16(img + HDR_XLOADFLAGS) & XLF_KERNEL_64) || !img[HDR_RELOCATABLE])
		mb2_panic("kernel %s: boot protocol %u.%u without a relocatable 64-bit entry",
			  cfg.kernel, ver >> 8, ver & 0xff);
	setup = (uint64_t)(img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4) * 512 + 512;
	pm_len = klen - setup;
	align = rd32(img + HDR_KERNEL_ALIGNMENT);
	init_size = rd32(img + HDR_INIT_SIZE);
	pref = rd64(img + HDR_PREF_ADDRESS);
	if (!align || (align & (align - 1)) || init_size < pm_len)
		mb2_panic("kernel %s: kernel_alignment %#llx, init_size %#llx", cfg.kernel,
			  0ULL + align, 0ULL + init_size);
	/*
	 * The protected-mode kernel at its preferred address or above, aligned, with init_size
	 * free behind it (it decompresses in place or, with KASLR, where the e820 table and
	 * the zero page's ranges allow).
	 */
	load = alloc(init_size, align, pref, MAPPED_LIMIT, 0);
	if (!load)
		mb2_panic("no room for the kernel (%llu MiB from %#llx)",
			  (unsigned long long)(init_size >> 20), 0ULL + pref);
	memmove((void *)(uintptr_t)load, img + setup, pm_len);
	mb2_printf(MB2_TAG "Linux: boot protocol %u.%u, %llu KiB protected-mode kernel at %#llx "
			   "(init_size %llu KiB, alignment %#llx)\n",
		   ver >> 8, ver & 0xff, (unsigned long long)(pm_len >> 10), 0ULL + load,
		   (unsigned long long)(init_size >> 10), 0ULL + align);

	memset(zero_page, 0, sizeof(zero_page));
	hdr_end = HDR_JUMP + 2 + img[HDR_JUMP + 1]; /* the jump at 0x200 skips the header */
	if (hdr_end > 0x290)
		hdr_end = 0x290;
	memcpy(zero_page + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
	zero_page[HDR_TYPE_OF_LOADER] = 0xff; /* "undefined" boot loader */
	zero_page[HDR_LOADFLAGS] |= LOADED_HIGH;

	memcpy(cmdline, cfg.cmdline, sizeof(cmdline));
	if (strlen(cmdline) > rd32(img + HDR_CMDLINE_SIZE))
		mb2_panic("command line longer than the kernel's cmdline_size");
	wr32(zero_page + HDR_CMD_LINE_PTR, (uint32_t)(uintptr_t)cmdline);
	wr32(zero_page + BP_EXT_CMD_LINE_PTR, 0);
	if (rd) {
		if (rd->end > (uint64_t)rd32(img + HDR_INITRD_ADDR_MAX) + 1)
			mb2_panic("initrd at %#llx above the kernel's initrd_addr_max",
				  0ULL + rd->start);
		wr32(zero_page + HDR_RAMDISK_IMAGE, (uint32_t)rd->start);
		wr32(zero_page + HDR_RAMDISK_SIZE, (uint32_t)(rd->end - rd->start));
		wr32(zero_page + BP_EXT_RAMDISK_IMAGE, 0);
		wr32(zero_page + BP_EXT_RAMDISK_SIZE, 0);
	}
	if (ver >= 0x020e)
		memcpy(zero_page + BP_ACPI_RSDP_ADDR, &rsdp, 8);
	zero_page[BP_E820_ENTRIES] = (uint8_t)nr_e820;
	for (i = 0; i < nr_e820; i++) {
		uint8_t *e = zero_page + BP_E820_TABLE + (size_t)20 * i;

		memcpy(e, &e820[i].base, 8);
		memcpy(e + 8, &e820[i].size, 8);
		memcpy(e + 16, &e820[i].type, 4);
		mb2_printf(MB2_TAG "e820: [mem %#018llx-%#018llx] type %u\n", 0ULL + e820[i].base,
			   0ULL + e820[i].base + e820[i].size - 1, e820[i].type);
	}
	mb2_printf(MB2_TAG "Linux command line \"%s\"\n", cmdline);
	return load + 0x200;
}

/* --- main ------------------------------------------------------------------------------------ */

static char cfg_text[LDR_CFG_FILE_MAX];

void mb2_main(uint32_t magic, uint32_t info)
{
	const struct mb2_mod *m, *km, *rdm = NULL;
	const struct ls_image_hdr *h = NULL;
	long (*entry)(struct ls_boot_info *) = NULL;
	struct ls_boot_info *bi = NULL;
	struct cpuid c;
	uint64_t kentry, rsdp;
	unsigned int i, svm, vmx;
	const char *err;
	long ret;

	con_init();
	mb2_printf("\n" MB2_TAG "Lockstep multiboot2 loader (legacy BIOS, TEST PATH ONLY: the "
		   "product boots through the UEFI loader)\n");
	if (magic != MB2_BOOTLOADER_MAGIC)
		mb2_panic("not started by a multiboot2 boot loader (EAX %#x)", magic);
	parse_mbi(info);
	take(0, 0x10000); /* the real-mode IVT and BIOS data area: never handed out */
	take((uint64_t)(uintptr_t)_start, ALIGN_UP((uint64_t)(uintptr_t)_end, PAGE));
	take(ALIGN_DOWN(mbi_base, PAGE), ALIGN_UP(mbi_base + mbi_size, PAGE));
	for (i = 0; i < nr_mods; i++) {
		take(ALIGN_DOWN(mods[i].start, PAGE), ALIGN_UP(mods[i].end, PAGE));
		if (mods[i].end > MAPPED_LIMIT)
			mb2_panic("module %s above the identity map", mods[i].name);
	}
	for (i = 0; i < nr_map; i++)
		mb2_printf(MB2_TAG "memory map: [mem %#018llx-%#018llx] type %u\n",
			   0ULL + map[i].base, 0ULL + map[i].base + map[i].size - 1, map[i].type);

	/* The configuration: the UEFI loader's lockstep.cfg, by the same parser. */
	m = find_mod("lockstep.cfg");
	if (!m)
		mb2_panic("no module named lockstep.cfg");
	if (m->end - m->start >= sizeof(cfg_text))
		mb2_panic("lockstep.cfg longer than %u bytes", (unsigned int)sizeof(cfg_text));
	memcpy(cfg_text, (const void *)(uintptr_t)m->start, m->end - m->start);
	err = cfg_parse(cfg_text, m->end - m->start, &cfg);
	if (err)
		mb2_panic("lockstep.cfg line %u: %s", cfg.line, err);
	mb2_printf(MB2_TAG "config: hypervisor=%s kernel=%s initrd=%s\n",
		   cfg.hypervisor[0] ? cfg.hypervisor : "(none: boot Linux without Lockstep)",
		   cfg.kernel, cfg.initrd[0] ? cfg.initrd : "(none)");
	mb2_printf(MB2_TAG "config: pool_mib=%u stack_kib=%u cpus=%u\n", cfg.pool_mib,
		   cfg.stack_kib, cfg.cpus);

	/* Intel SDM Vol. 2A CPUID 1 ECX[5] VMX; AMD APM Vol. 3 E.4.2 8000_0001h ECX[2] SVM. */
	c = cpuid(0x80000000U);
	svm = c.a >= 0x80000001U && (cpuid(0x80000001U).c & (1U << 2));
	vmx = !!(cpuid(1).c & (1U << 5));
	mb2_printf(MB2_TAG "CPU: SVM %s, VMX %s\n", svm ? "yes" : "no", vmx ? "yes" : "no");

	if (cfg.hypervisor[0]) {
		h = check_image(need_mod("hypervisor", cfg.hypervisor));
		if (!svm && !vmx) {
			mb2_printf(MB2_TAG "*** no virtualization extension (neither SVM nor VMX): "
					   "Linux boots WITHOUT Lockstep ***\n");
			h = NULL;
		}
	}
	km = need_mod("kernel", cfg.kernel);
	measure_buf(LS_MEAS_KERNEL, (const void *)(uintptr_t)km->start, km->end - km->start,
		    cfg.kernel);
	if (cfg.initrd[0]) {
		rdm = need_mod("initrd", cfg.initrd);
		measure_buf(LS_MEAS_INITRD, (const void *)(uintptr_t)rdm->start,
			    rdm->end - rdm->start, cfg.initrd);
	}
	measure_buf(LS_MEAS_CMDLINE, cfg.cmdline, strlen(cfg.cmdline), "kernel command line");

	if (h) {
		entry = prepare_hyp(h, &bi);
		rsdp = bi->acpi_rsdp;
	} else {
		build_e820(NULL, 0);
		rsdp = find_rsdp();
	}
	kentry = prepare_linux(km, rdm, rsdp);

	if (entry) {
		mb2_printf(MB2_TAG "entering hypervisor at %#llx\n",
			   (unsigned long long)(uintptr_t)entry);
		/* From the call on, the region belongs to the hypervisor: never touched again. */
		ret = entry(bi);
		if (ret < 0) {
			mb2_printf(MB2_TAG "hypervisor entry failed (%ld); booting Linux without "
					   "Lockstep\n",
				   ret);
		} else {
			c = cpuid(LS_X86_CPUID_LEAF);
			mb2_printf(MB2_TAG "hypervisor installed (returned %ld); CPUID %#x: %s\n",
				   ret, LS_X86_CPUID_LEAF,
				   c.b == LS_X86_CPUID_SIG_EBX && c.c == LS_X86_CPUID_SIG_ECX &&
						   c.d == LS_X86_CPUID_SIG_EDX ?
					   "Lockstep's signature, Linux continues as its guest" :
					   "NOT Lockstep's signature");
		}
	}
	mb2_printf(MB2_TAG "starting Linux at %#llx (64-bit entry), zero page %#llx\n",
		   0ULL + kentry, (unsigned long long)(uintptr_t)zero_page);
	mb2_jump_linux(kentry, (uint64_t)(uintptr_t)zero_page);
}
