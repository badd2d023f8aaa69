// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test helper for the svm-qemu suite, run as a user process in the host: one VMMCALL
 * (APM Vol. 3 "VMMCALL": 0F 01 D9) with RAX = LS_HVC_VERSION. Lockstep takes hypercalls
 * from CPL 0 only and answers a user-mode VMMCALL with #UD, which Linux turns into
 * SIGILL: the process dies with status 128 + 4. Reaching the exit below means the
 * hypervisor let user space call it (exit status 0).
 * Static, no C library: built with -nostdlib -static (mk/svm.mk).
 */
#include <lockstep/abi.h>

void _start(void);

void _start(void)
{
	unsigned long rax = LS_HVC_VERSION;

	__asm__ volatile("vmmcall" : "+a"(rax) : : "rbx", "rcx", "rdx", "memory");
	/* exit_group(0): syscall 231 on x86_64 */
	__asm__ volatile("syscall" : : "a"(231), "D"(0) : "rcx", "r11", "memory");
	for (;;)
		;
}
