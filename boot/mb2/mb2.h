/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The legacy-BIOS multiboot2 test loader (docs/boot.md "Legacy multiboot2 path (tests
 * only)"): GRUB -> this loader -> the x86 hypervisor -> Linux through the 64-bit boot
 * protocol. Freestanding, long mode, identity mapped (entry.S).
 */
#ifndef LOCKSTEP_BOOT_MB2_H
#define LOCKSTEP_BOOT_MB2_H

#include <stddef.h>
#include <stdint.h>

#define MB2_TAG "lockstep-mb2: "

void mb2_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void mb2_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* LOCKSTEP_BOOT_MB2_H */
