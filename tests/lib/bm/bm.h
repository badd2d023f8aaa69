/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bare-metal runtime of the QEMU tests that run the hypervisor's real drivers without
 * the hypervisor (tests/smmu-qemu on arm64, tests/ept-vtd on x86_64): one CPU, identity
 * "virtual" addresses, no C library. rt.c is arch-neutral: the libc functions the compiler
 * and hyp/mmu call, a small printf, and the plat.h services that need no hardware. Each test
 * gives the arch's part (its rt.c): the hooks below and plat_dcache_clean, plat_read32/64,
 * plat_write32/64.
 */
#ifndef TESTS_BM_H
#define TESTS_BM_H

#include <stdarg.h>
#include <string.h>

#include "hyp/types.h"

/* ---- what the test's arch part gives ---------------------------------------------- */

/* One byte to the console (a UART), waiting until it takes it. */
void bm_putc(char c);
/* Microseconds from a free-running counter. */
u64 bm_now_us(void);
/* End the test: tell the machine if it can, stop the CPU. */
void bm_halt(void) __attribute__((noreturn));

/* ---- what rt.c gives ---------------------------------------------------------------- */

void bm_puts(const char *s);
/* One TAP result, numbered from 1, counted in bm_passed or bm_failed. */
void bm_check(bool ok, const char *what);
extern unsigned int bm_passed, bm_failed;
/* %s %c %d %u %x %p with l/ll, '#' (ignored), a width and 0-padding. */
void bm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TESTS_BM_H */
