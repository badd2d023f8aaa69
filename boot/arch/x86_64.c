// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * x86_64 parts of the loader (efi_ldr.h "arch"): CPU identification, the early
 * console and interrupt masking of the ExitBootServices wrapper (handoff.c), which
 * calls the x86_64 hypervisor image (hyp/arch/x86, docs/x86.md) at CPL 0.
 */
#include "../efi_ldr.h"

/* x86 has no exception levels: the firmware runs the loader in long mode at CPL 0. */
unsigned int arch_current_el(void)
{
	return 0;
}

struct cpuid {
	uint32_t a, b, c, d;
};

static struct cpuid arch_cpuid(uint32_t leaf)
{
	struct cpuid r;

	__asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(0));
	return r;
}

/* The boot CPU's initial APIC ID (CPUID leaf 1, EBX bits 31:24), in MPIDR's place. */
uint64_t arch_read_mpidr(void)
{
	return arch_cpuid(1).b >> 24;
}

/*
 * AMD64 APM vol. 3, CPUID Fn8000_0001 ECX bit 2 (SVM) and Fn8000_000A EDX bit 0 (NP,
 * nested paging): what the x86 hypervisor will need. 0: no SVM, 1: SVM without NPT,
 * 2: SVM with NPT.
 */
unsigned int arch_x86_svm(void)
{
	if (arch_cpuid(0x80000000u).a < 0x8000000au)
		return 0;
	if (!(arch_cpuid(0x80000001u).c & (1u << 2)))
		return 0;
	return arch_cpuid(0x8000000au).d & 1u ? 2 : 1;
}

/* Intel SDM vol. 2, CPUID leaf 1 ECX bit 5: VMX. */
unsigned int arch_x86_vmx(void)
{
	return (arch_cpuid(1).c >> 5) & 1u;
}

/* x86 caches are coherent with instruction fetch and DMA (no maintenance needed). */
void arch_clean_dcache_poc(uint64_t base, uint64_t size)
{
	(void)base;
	(void)size;
	__asm__ volatile("mfence" : : : "memory");
}

void arch_sync_icache(void)
{
}

void arch_mask_interrupts(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/*
 * COM1 after ExitBootServices: the 16550 at I/O port 0x3f8 the firmware set up (PC
 * convention; OVMF's serial console on q35). THR at +0, LSR at +5 bit 5 (THR empty).
 * The boot info's uart_base (a PL011) does not apply.
 */
void arch_early_putc(uint64_t uart, char c)
{
	unsigned int spin;
	uint8_t lsr;

	(void)uart;
	for (spin = 0; spin < 100000; spin++) {
		__asm__ volatile("inb %1, %0" : "=a"(lsr) : "Nd"((uint16_t)0x3fd));
		if (lsr & 0x20)
			break;
	}
	__asm__ volatile("outb %0, %1" : : "a"(c), "Nd"((uint16_t)0x3f8));
}
