// SPDX-License-Identifier: GPL-2.0-only
/*
 * hello: console output, PSCI over HVC, WFI, an unknown hypercall, and a clean SYSTEM_OFF.
 * Expected (tests/vm/lstest): every "hello: ok" line, status 0.
 */
#include "guest.h"

const char *guest_name = "hello";

void guest_main(u64 index, u64 x0)
{
	struct smccc_res r;
	u64 mpidr;

	asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	note("hello from a protected VM on Lockstep: vCPU ");
	putdec(index);
	puts(", MPIDR ");
	puthex(mpidr);
	puts(", x0 ");
	puthex(x0);
	putch('\n');
	check(index == 0 && x0 == 0, "vCPU 0 entered with x0 = 0");

	r = hvc(PSCI_VERSION, 0, 0, 0);
	note("PSCI_VERSION ");
	puthex((u64)r.a0);
	putch('\n');
	check(r.a0 == 0x10001, "PSCI_VERSION over HVC is 1.1");
	r = hvc(PSCI_FEATURES, PSCI_CPU_ON, 0, 0);
	check(r.a0 == PSCI_SUCCESS, "PSCI_FEATURES(CPU_ON) is SUCCESS");
	r = hvc(PSCI_FEATURES, PSCI_SYSTEM_RESET, 0, 0);
	check(r.a0 == PSCI_SUCCESS, "PSCI_FEATURES(SYSTEM_RESET) is SUCCESS");
	r = hvc(0xC600ABCDUL, 1, 2, 3);
	check(r.a0 == -1, "unknown HVC 0xC600ABCD returns NOT_SUPPORTED (-1)");

	/* WFI completes (the vCPU has no interrupt to wait for: a WFX exit, then on). */
	asm volatile("wfi" ::: "memory");
	asm volatile("wfi" ::: "memory");
	check(1, "two WFI completed");
	finish();
}
