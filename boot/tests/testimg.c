// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A tiny stand-in hypervisor image for the loader's tests (not part of the
 * product). At EL2, after ExitBootServices, it checks the boot info the loader
 * built, reports on the PL011 and returns -95 (EOPNOTSUPP) without installing
 * anything, so the loader must carry on and boot Linux without Lockstep.
 * Position-independent: only PC-relative references, no relocations.
 */
#include <stdint.h>

#include <lockstep/boot.h>

long testimg_entry(struct ls_boot_info *info);

__attribute__((section(".text.head"), used)) const struct ls_image_hdr testimg_hdr = {
	.branch = 0x14000000u | (sizeof(struct ls_image_hdr) / 4), /* b . + hdr_size */
	.hdr_size = sizeof(struct ls_image_hdr),
	.magic = LS_IMAGE_MAGIC,
	.hdr_version = LS_IMAGE_HDR_VERSION,
	.version = 7, /* 0.0.7 (major << 32 | minor << 16 | patch): recognisable in the logs */
	.name = "testimg",
	/* crc32, image_size, mem_size, entry_offset: filled by mkimg.py */
};

static volatile uint32_t *tst_uart;

static void tst_putc(char c)
{
	unsigned int spin;

	if (!tst_uart)
		return;
	for (spin = 0; spin < 1000000 && (tst_uart[0x18 / 4] & (1u << 5)); spin++)
		;
	tst_uart[0] = (uint32_t)(unsigned char)c;
}

static void tst_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			tst_putc('\r');
		tst_putc(*s);
	}
}

static void tst_hex(uint64_t v)
{
	int i;

	tst_puts("0x");
	for (i = 60; i >= 0; i -= 4)
		tst_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

static const char *tst_check(const struct ls_boot_info *in, uint64_t self)
{
	uint64_t el, sp;
	uint32_t i;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	if (((el >> 2) & 3) != 2)
		return "not entered at EL2";
	if (in->magic != LS_BOOT_INFO_MAGIC || in->size < sizeof(*in))
		return "bad boot info magic/size";
	if (in->hyp_base % (2u << 20) || in->hyp_size % (2u << 20) || self != in->hyp_base)
		return "region not 2 MiB aligned or image not at its base";
	if (in->nr_cpus < 1 || in->nr_cpus > LS_BOOT_MAX_CPUS || in->stack_size < 4096 ||
	    in->stack_base < in->hyp_base ||
	    in->stack_base + in->nr_cpus * in->stack_size > in->pool_base)
		return "bad stacks";
	if ((uint64_t)(uintptr_t)in < in->stack_base + in->nr_cpus * in->stack_size ||
	    (uint64_t)(uintptr_t)in >= in->pool_base)
		return "boot info not between stacks and pool";
	if (in->pool_size < (1u << 20) ||
	    in->pool_base + in->pool_size > in->hyp_base + in->hyp_size)
		return "bad pool";
	if (in->nr_mem < 1 || in->nr_mem > LS_BOOT_MAX_MEM)
		return "bad nr_mem";
	for (i = 0; i < in->nr_mem; i++) {
		if (!in->mem[i].size || in->mem[i].base % 4096 || in->mem[i].size % 4096)
			return "empty or unaligned RAM range";
		if (i && in->mem[i].base <= in->mem[i - 1].base + in->mem[i - 1].size)
			return "RAM ranges not sorted and merged";
		if (in->mem[i].base < in->hyp_base + in->hyp_size &&
		    in->hyp_base < in->mem[i].base + in->mem[i].size)
			return "hypervisor region listed as RAM";
	}
	(void)sp;
	return 0;
}

long testimg_entry(struct ls_boot_info *info)
{
	uint64_t self = (uint64_t)(uintptr_t)&testimg_hdr;
	const char *err;
	uint32_t i;

	tst_uart = (volatile uint32_t *)(uintptr_t)info->uart_base;
	err = tst_check(info, self);
	tst_puts("lockstep-testimg: at EL2, boot info ");
	if (err) {
		tst_puts("BAD: ");
		tst_puts(err);
		tst_puts("\n");
		return -22;
	}
	tst_puts("ok: region ");
	tst_hex(info->hyp_base);
	tst_puts(" size ");
	tst_hex(info->hyp_size);
	tst_puts(", pool ");
	tst_hex(info->pool_size);
	tst_puts(", ");
	tst_putc((char)('0' + info->nr_mem / 10));
	tst_putc((char)('0' + info->nr_mem % 10));
	tst_puts(" RAM ranges:");
	for (i = 0; i < info->nr_mem; i++) {
		tst_puts(" ");
		tst_hex(info->mem[i].base);
		tst_puts("+");
		tst_hex(info->mem[i].size);
	}
	tst_puts("\nlockstep-testimg: declining to install (test image), returning -95\n");
	return -95;
}
