/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot CPU's install (boot.c), called by head.S: prepare (nothing outside
 * the hypervisor region written), then a commit that cannot fail.
 */
#ifndef ARM64_SETUP_H
#define ARM64_SETUP_H

#include <lockstep/boot.h>

long arm64_boot(struct ls_boot_info *bi);

#endif /* ARM64_SETUP_H */
