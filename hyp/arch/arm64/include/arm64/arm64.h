/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every unit of the arm64 EL2 backend shares: per-CPU data, the EL2 register
 * values, head.S's entry points. Each unit declares its own calls in its own header
 * (setup.h, el2.h, cpu.h, trap.h, psci.h, console.h, s2.h, iommu.h, ram.h). The
 * offsets the assembly uses (arm64/asm-defs.h) are checked with static_assert in cpu.c.
 */
#ifndef ARM64_ARM64_H
#define ARM64_ARM64_H

#include <lockstep/boot.h>

#include "hyp/hvc.h"
#include "hyp/pgtable.h"
#include "hyp/types.h"

/*
 * Host general-purpose registers saved by the EL2 vectors (vectors.S). A host HVC hands x0..x17
 * to the dispatcher in place (hvc: the same words), so a hypercall copies no register.
 */
struct arm64_regs {
	union {
		u64 x[31];
		struct hvc_regs hvc;
	};
	u64 pad; /* keeps the frame 16-byte aligned */
};

/* Why a CPU enters arm64_cpu_entry with the MMU off (PSCI wake-ups). */
enum arm64_wake { ARM64_WAKE_CPU_ON = 1, ARM64_WAKE_SUSPEND = 2 };

/*
 * Per-CPU data; TPIDR_EL2 holds its address. A slot is bound to one MPIDR the
 * first time that CPU is started and keeps it (PSCI CPU_OFF / CPU_ON cycles).
 */
struct arm64_cpu {
	u64 stack_top;	/* offset 0: read by head.S with the MMU on */
	u64 mpidr;	/* MPIDR_EL1 affinity (Aff3..Aff0) */
	u32 idx;	/* logical index: stack and console name */
	u32 wake;	/* enum arm64_wake of the pending entry */
	u64 host_entry; /* where the host asked to start (CPU_ON / CPU_SUSPEND) */
	u64 host_ctx;	/* its context_id, handed over in x0 */
	bool bound;	/* mpidr valid */
	bool booted;	/* has run the EL2 init at least once */
	u64 guest_x;	/* offset 48: the running guest's x0..x30 array, 0 when none */
};
#define ARM64_CPU_STACK_TOP 0

/*
 * EL2 stage-1 and stage-2 register values every CPU loads (boot CPU, CPU_ON,
 * suspend wake-ups). head.S reads the first four with the MMU off: after
 * filling the struct the boot CPU cleans it to the Point of Coherency.
 */
struct arm64_el2_cfg {
	u64 mair;  /* offset 0 */
	u64 tcr;   /* offset 8 */
	u64 ttbr;  /* offset 16 */
	u64 sctlr; /* offset 24 */
	u64 vtcr;
	u64 vttbr;
	u64 hcr;
	u64 vbar;
	unsigned int pa_bits;
	unsigned int ipa_bits;
};

extern struct arm64_el2_cfg arm64_el2;
extern struct arm64_cpu arm64_cpus[LS_BOOT_MAX_CPUS];
extern unsigned int arm64_nr_cpus;
extern u64 arm64_hyp_base, arm64_hyp_size;
extern const char arm64_vectors[];

/* head.S */
void arm64_mmu_switch(u64 mair, u64 tcr, u64 ttbr, u64 sctlr);
void arm64_cpu_entry(void); /* PSCI entry point of every CPU (MMU off, x0 = cpu slot) */
struct arm64_smc_res {
	u64 a0, a1, a2, a3;
};
void arm64_smc(u64 fid, u64 a1, u64 a2, u64 a3, struct arm64_smc_res *res);

#endif /* ARM64_ARM64_H */
