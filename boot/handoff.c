// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The ExitBootServices wrapper: the last point where the firmware's identity map
 * and EL2 are still ours and nothing of Linux runs yet at EL1.
 *
 * handoff_install() patches EFI_BOOT_SERVICES.ExitBootServices (and recomputes
 * the table's CRC32, UEFI 2.10 section 4.2 EFI_TABLE_HEADER). When Linux's EFI
 * stub calls it, ldr_ebs() takes a last memory map into a buffer allocated
 * before StartImage (GetMemoryMap allocates nothing, so the caller's map key
 * stays valid), calls the real ExitBootServices, and only if that succeeded:
 * masks interrupts, fills the RAM ranges of the boot info and calls the
 * hypervisor entry at EL2. It returns the real call's status either way, so the
 * stub's retry logic (EFI_INVALID_PARAMETER on a stale key) is unchanged.
 * After ExitBootServices only the early console (arch_early_putc: the PL011 on
 * AArch64, COM1 on x86_64) is used for messages. x86_64 has no exception levels:
 * the hypervisor is entered at CPL 0 and the host continues at CPL 0 as its SVM
 * guest (docs/x86.md).
 */
#include "efi_ldr.h"

static struct ldr_handoff ho;
/*
 * The console, copied out of the boot info: once the hypervisor is installed the
 * boot info lies in memory the host (this code, now at EL1) can no longer read.
 */
static uint64_t ho_uart;
static EFI_EXIT_BOOT_SERVICES real_ebs;
static EFI_GET_MEMORY_MAP real_gmm;

static void ho_putc(char c)
{
	arch_early_putc(ho_uart, c);
}

static void ho_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			ho_putc('\r');
		ho_putc(*s);
	}
}

static void ho_puthex(uint64_t v)
{
	char buf[19];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = '\0';
	ho_puts(buf);
}

static void ho_putdec(long v)
{
	char buf[24];
	unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
	int i = 23;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u && i > 1);
	if (v < 0)
		buf[--i] = '-';
	ho_puts(buf + i);
}

/* --- the wrapper ------------------------------------------------------------- */

static void ho_enter_hyp(UINTN mm_size, UINTN desc_size)
{
	struct ls_boot_info *info = ho.info;
	unsigned int el;
	int n;
	long ret;

	n = mm_collect(ho.mm_buf, mm_size, desc_size, info->mem, LS_BOOT_MAX_MEM);
	if (n <= 0) {
		ho_puts("lockstep-boot: final memory map unusable (more than 16 RAM ranges or "
			"malformed); booting Linux without Lockstep\n");
		return;
	}
	info->nr_mem = (uint32_t)n;
	arch_clean_dcache_poc((uint64_t)(uintptr_t)info, sizeof(*info));

	ho_puts("lockstep-boot: ExitBootServices done, ");
	ho_putdec(n);
	ho_puts(" RAM ranges; entering hypervisor at ");
	ho_puthex((uint64_t)(uintptr_t)ho.entry);
	ho_puts(" (" LDR_HYP_LEVEL ")\n");

	/* From the call on, info belongs to the hypervisor: not touched again. */
	ret = ho.entry(info);
	el = arch_current_el();
	if (ret < 0) {
		ho_puts("lockstep-boot: hypervisor entry failed (");
		ho_putdec(ret);
		ho_puts("), still at EL");
		ho_putdec((long)el);
		ho_puts("; booting Linux without Lockstep\n");
	} else if (ret == 0 && el == LDR_HOST_EL) {
		ho_puts("lockstep-boot: hypervisor installed (returned 0), Linux continues " LDR_HOST_LEVEL
			"\n");
	} else {
		/* Not the contract (0 at EL1 or < 0 at EL2): say so, nothing else to do. */
		ho_puts("lockstep-boot: WARNING: hypervisor returned ");
		ho_putdec(ret);
		ho_puts(" at EL");
		ho_putdec((long)el);
		ho_puts(", expected 0 " LDR_HOST_LEVEL " or < 0; continuing\n");
	}
}

static EFI_STATUS EFIAPI ldr_ebs(EFI_HANDLE image, UINTN key)
{
	UINTN mm_size = ho.mm_cap, mm_key = 0, desc_size = 0;
	UINT32 desc_ver = 0;
	EFI_STATUS mst, st;

	mst = real_gmm(&mm_size, ho.mm_buf, &mm_key, &desc_size, &desc_ver);
	st = real_ebs(image, key);
	if (EFI_ERROR(st))
		return st; /* the caller retries with a fresh map; we run again */

	/* Boot services are gone from here on: no Print, no allocation. */
	arch_mask_interrupts();
	if (EFI_ERROR(mst) || mm_key != key) {
		ho_puts("lockstep-boot: no valid final memory map; booting Linux without "
			"Lockstep\n");
		return st;
	}
	ho_enter_hyp(mm_size, desc_size);
	return st;
}

static void ho_patch(EFI_EXIT_BOOT_SERVICES ebs)
{
	UINT32 crc = 0;

	BS->ExitBootServices = ebs;
	BS->Hdr.CRC32 = 0;
	BS->CalculateCrc32(BS, BS->Hdr.HeaderSize, &crc);
	BS->Hdr.CRC32 = crc;
}

EFI_STATUS handoff_install(const struct ldr_handoff *h)
{
	if (!h->info || !h->entry || !h->mm_buf || !h->mm_cap)
		return EFI_INVALID_PARAMETER;
	if (real_ebs)
		return EFI_ALREADY_STARTED;
	ho = *h;
	ho_uart = h->info->uart_base;
	real_ebs = BS->ExitBootServices;
	real_gmm = BS->GetMemoryMap;
	ho_patch(ldr_ebs);
	return EFI_SUCCESS;
}

void handoff_uninstall(void)
{
	if (!real_ebs)
		return;
	ho_patch(real_ebs);
	real_ebs = NULL;
	real_gmm = NULL;
}
