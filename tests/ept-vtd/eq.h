/* SPDX-License-Identifier: GPL-2.0-only */
/* The EPT/VT-d bare-metal QEMU test: the runtime is tests/lib/bm (bm.h) with rt.c's x86 part. */
#ifndef TESTS_EQ_H
#define TESTS_EQ_H

#include "bm.h"

/* PCI configuration space of bus 0 through the 0xcf8/0xcfc ports (PCI Local Bus 3.0, 3.2.2.3.2). */
u32 eq_cfg_rd(u32 dev, u32 fn, u32 reg);
void eq_cfg_wr(u32 dev, u32 fn, u32 reg, u32 v);
/* Set up the time source (the ACPI PM timer of q35's ICH9 LPC); false when there is none. */
bool eq_time_init(void);
int eq_main(void);

#endif /* TESTS_EQ_H */
