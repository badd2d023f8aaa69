// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU slots and the C side of a PSCI wake-up (arm64_cpu_entry in head.S
 * has turned the EL2 MMU on and switched to the CPU's stack).
 */
#include <assert.h>
#include <stddef.h>

#include "arm64/arm64.h"
#include "arm64/cpu.h"
#include "arm64/el2.h"
#include "arm64/asm-defs.h"
#include "arm64/sysreg.h"
#include "hyp/plat.h"

/* The assembly's view of the contracts and structures (arm64/asm-defs.h). */
static_assert(ASM_IMAGE_MAGIC == LS_IMAGE_MAGIC, "image magic");
static_assert(ASM_IMAGE_HDR_VERSION == LS_IMAGE_HDR_VERSION, "image header version");
static_assert(ASM_IMAGE_HDR_SIZE == sizeof(struct ls_image_hdr), "image header size");
static_assert(ASM_BOOT_INFO_MAGIC == LS_BOOT_INFO_MAGIC, "boot info magic");
static_assert(INFO_MAGIC == offsetof(struct ls_boot_info, magic), "INFO_MAGIC");
static_assert(CPU_GUEST_X == offsetof(struct arm64_cpu, guest_x), "CPU_GUEST_X");
static_assert(INFO_STACK_BASE == offsetof(struct ls_boot_info, stack_base), "INFO_STACK_BASE");
static_assert(INFO_STACK_SIZE == offsetof(struct ls_boot_info, stack_size), "INFO_STACK_SIZE");
static_assert(CPU_STACK_TOP == offsetof(struct arm64_cpu, stack_top), "CPU_STACK_TOP");
static_assert(CPU_HOST_CTX == offsetof(struct arm64_cpu, host_ctx), "CPU_HOST_CTX");
static_assert(CFG_MAIR == offsetof(struct arm64_el2_cfg, mair), "CFG_MAIR");
static_assert(CFG_MAIR + 8 == offsetof(struct arm64_el2_cfg, tcr), "CFG_MAIR + 8: tcr");
static_assert(CFG_TTBR == offsetof(struct arm64_el2_cfg, ttbr), "CFG_TTBR");
static_assert(CFG_TTBR + 8 == offsetof(struct arm64_el2_cfg, sctlr), "CFG_TTBR + 8: sctlr");
static_assert(REGS_SIZE == sizeof(struct arm64_regs), "REGS_SIZE");
/* The dispatcher's x0..x17 are the frame's (trap.c hands it the frame in place). */
static_assert(offsetof(struct arm64_regs, hvc) == 0 && sizeof(struct hvc_regs) == 18 * sizeof(u64),
	      "hvc frame");

struct arm64_cpu arm64_cpus[LS_BOOT_MAX_CPUS];
unsigned int arm64_nr_cpus;

struct arm64_cpu *arm64_cpu_start(struct arm64_cpu *cpu)
{
	bool first = !cpu->booted;

	arm64_el2_setup_cpu();
	arm64_el1_reset_state();
	/* PSCI DEN 0022 6.4.3: entry at EL1 (AArch64, EL1h), interrupts masked. */
	write_sysreg(PSR_DAIF | PSR_M_EL1H, spsr_el2);
	write_sysreg(cpu->host_entry, elr_el2);
	cpu->booted = true;
	if (first)
		plat_log("cpu %u: EL2 ready (MPIDR %#llx, VTTBR_EL2 %#llx)", cpu->idx,
			 (unsigned long long)(read_sysreg(mpidr_el1) & 0xff00ffffffULL),
			 (unsigned long long)read_sysreg(vttbr_el2));
	else
		plat_log("cpu %u: EL2 set up again (%s)", cpu->idx,
			 cpu->wake == ARM64_WAKE_SUSPEND ? "resume from CPU_SUSPEND" : "CPU_ON");
	cpu->wake = 0;
	return cpu;
}
