// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console: the PL011 the loader found (boot_info->uart_base), transmit only,
 * polled. Linux owns the UART too: Lockstep never touches its configuration
 * (baud rate, line control, interrupts, enable bits), it only waits for room
 * in the transmit FIFO and writes the data register. Lines from several CPUs
 * are serialised by one lock; a line is formatted before the lock is taken.
 *
 * PL011 registers: PrimeCell UART (PL011) TRM, ARM DDI 0183G, 3.2 / 3.3.
 */
#include <stdarg.h>
#include <stdio.h>

#include "arm64/arm64.h"
#include "arm64/console.h"
#include "arm64/sysreg.h"
#include "hyp/plat.h"
#include "hyp/spinlock.h"

#define PL011_DR       0x000
#define PL011_FR       0x018
#define PL011_FR_TXFF  BIT(5)	/* transmit FIFO full */
#define PL011_TX_SPINS 1000000U /* bounded wait: a stuck UART cannot hang EL2 */
#define LOG_LINE_MAX   256

static volatile u32 *console_base;
static struct hyp_spinlock console_lock = HYP_SPINLOCK_INIT;

void arm64_console_init(u64 uart_base)
{
	console_base = (volatile u32 *)uart_base;
}

static void console_putc(char c)
{
	unsigned int spin;

	for (spin = 0; spin < PL011_TX_SPINS && (console_base[PL011_FR / 4] & PL011_FR_TXFF);
	     spin++)
		;
	console_base[PL011_DR / 4] = (u32)(unsigned char)c;
}

/* Caller holds console_lock. */
static void console_write(const char *s)
{
	if (!console_base)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			console_putc('\r');
		console_putc(*s);
	}
}

void arm64_console_puts(const char *s)
{
	hyp_spin_lock(&console_lock);
	console_write(s);
	hyp_spin_unlock(&console_lock);
}

static void console_vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	hyp_spin_lock(&console_lock);
	console_write(prefix);
	console_write(line);
	console_write("\n");
	hyp_spin_unlock(&console_lock);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog("lockstep: ", fmt, ap);
	va_end(ap);
}

void plat_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vlog("lockstep: PANIC: ", fmt, ap);
	va_end(ap);
	/* Stop this CPU; the others stop when they next need a lock it held. */
	for (;;)
		__asm__ volatile("wfi");
}
