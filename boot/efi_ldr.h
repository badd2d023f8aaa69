/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Lockstep UEFI loader: the firmware-facing parts (gnu-efi), shared by main.c,
 * files.c, initrd.c and handoff.c.
 */
#ifndef LOCKSTEP_BOOT_EFI_LDR_H
#define LOCKSTEP_BOOT_EFI_LDR_H

#include <efi.h>
#include <efilib.h>

#include "ldr.h"

#define LDR_TAG L"lockstep-boot: "

/* main.c: called by gnu-efi's crt0 (_start) after self-relocation */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

/* files.c */
CHAR16 *ldr_ascii_to_ucs2(const char *s);
EFI_STATUS ldr_read_file(EFI_FILE_HANDLE root, const char *path, UINT64 max, void **buf,
			 UINTN *size);
EFI_STATUS ldr_file_size(EFI_FILE_HANDLE root, const char *path, UINT64 *size);

/* initrd.c: LINUX_EFI_INITRD_MEDIA_GUID LoadFile2 provider */
EFI_STATUS initrd_install(void *data, UINTN size);
void initrd_uninstall(void);

/* pcicheck.c: PCI functions whose DMA bypasses the SMMU (printed), how many */
/* vtd: the VT-d units the hypervisor takes (x86_64), NULL on AArch64: then a function's
 * DMA is translated when a unit's device scope covers it (dmar_rid_translated). */
UINTN pcicheck_untranslated(const struct ldr_devmap *m, int have_smmu, const struct ldr_dmar *vtd);
/* x86: every PCI function's memory BARs into the device map (allowed). */
void pcicheck_bars(struct ldr_devmap *m);

/*
 * handoff.c: the ExitBootServices wrapper and the hypervisor call; boot/arch/<arch>.c:
 * exception level, boot CPU id, cache maintenance, the early console. LDR_HOST_EL: what
 * arch_current_el() answers in the host once the hypervisor is installed (x86_64 has no
 * exception levels: CPL 0 before and after, the host then runs as an SVM guest).
 */
#if defined(__x86_64__)
#define LDR_ARCH_NAME  L"x86_64"
#define LDR_HOST_EL    0
#define LDR_HYP_LEVEL  "CPL 0, SVM host"
#define LDR_HOST_LEVEL "as an SVM guest"
unsigned int arch_x86_svm(void);
unsigned int arch_x86_vmx(void);
#else /* AArch64 */
#define LDR_ARCH_NAME  L"AArch64"
#define LDR_HOST_EL    1
#define LDR_HYP_LEVEL  "EL2"
#define LDR_HOST_LEVEL "at EL1"
#endif
struct ldr_handoff {
	struct ls_boot_info *info;
	long (*entry)(struct ls_boot_info *info);
	void *mm_buf; /* memory map buffer allocated before StartImage */
	UINTN mm_cap;
};
unsigned int arch_current_el(void);
uint64_t arch_read_mpidr(void);
void arch_clean_dcache_poc(uint64_t base, uint64_t size);
void arch_sync_icache(void);
void arch_mask_interrupts(void);
void arch_early_putc(uint64_t uart, char c);
EFI_STATUS handoff_install(const struct ldr_handoff *h);
void handoff_uninstall(void);

#endif /* LOCKSTEP_BOOT_EFI_LDR_H */
