/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PL011 console (console.c), transmit only.
 */
#ifndef ARM64_CONSOLE_H
#define ARM64_CONSOLE_H

#include "hyp/types.h"

void arm64_console_init(u64 uart_base);
void arm64_console_puts(const char *s);

#endif /* ARM64_CONSOLE_H */
