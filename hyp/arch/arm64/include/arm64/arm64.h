/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interface of the arm64 EL2 backend (hyp/arch/arm64). The offsets
 * the assembly uses (arm64/asm-defs.h) are checked with static_assert in cpu.c.
 */
#ifndef ARM64_ARM64_H
#define ARM64_ARM64_H

#include <lockstep/boot.h>

#include "hyp/pgtable.h"
#include "hyp/types.h"

/* Host general-purpose registers saved by the EL2 vectors (vectors.S). */
struct arm64_regs {
	u64 x[31];
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

/* boot.c */
long arm64_boot(struct ls_boot_info *bi);
bool arm64_is_ram(u64 pa, u64 size);
/* pa lies in a device window the host may reach (boot.h host_mmio). */
bool arm64_is_host_mmio(u64 pa);

/* el2.c: per-CPU EL2 register setup, identical on every CPU. */
void arm64_el2_setup_cpu(void);
void arm64_el1_reset_state(void);
u64 arm64_host_hcr(void);
void arm64_log_features(void);
struct arm64_cpu *arm64_this_cpu(void);

/* cpu.c: C side of a PSCI wake-up; returns the slot for head.S to ERET from. */
struct arm64_cpu *arm64_cpu_start(struct arm64_cpu *cpu);

/* trap.c */
void arm64_trap_lower(struct arm64_regs *regs);
void arm64_trap_current(struct arm64_regs *regs, u64 kind);
void arm64_inject_abort(u64 esr_el2, u64 far);

/* psci.c */
void arm64_psci_handle(struct arm64_regs *regs);
bool arm64_psci_init(void);

/* console.c */
void arm64_console_init(u64 uart_base);
void arm64_console_puts(const char *s);

/* plat.c: stage-2 TLB invalidation by VMID (host 0, VM n: n + 1) for hyp/mem. */
struct own_inval_ops;
extern const struct own_inval_ops arm64_s2_inval_ops;
void arm64_s2_flush_all(void);

/*
 * smmu.c: the SMMUv3 in the boot path (docs/iommu.md). discover: validate the
 * loader's frame, carve the driver's table memory from the pool; map_el2: the
 * frame as device in the EL2 stage-1; take (after own_init and VTCR): frame out
 * of the host stage-2, smmu_init, host streams on the host stage-2. Failures are
 * logged and Lockstep continues without (features() then lacks LS_FEAT_SMMU).
 */
struct hvc_regs;
int arm64_smmu_discover(const struct ls_boot_info *bi, unsigned int pa_bits, u64 *pool_at,
			u64 pool_end);
int arm64_smmu_map_el2(struct pt *s1);
void arm64_smmu_take(u64 vtcr);
u64 arm64_smmu_features(void);
/* Drain events / GERROR if any are pending (hypercall exit, abort trap). */
void arm64_smmu_poll(void);
/* A host stage-2 abort at @ipa: true (and logged, counted) when it hit the SMMU frame. */
bool arm64_smmu_host_abort(u64 ipa, bool write);

#endif /* ARM64_ARM64_H */
