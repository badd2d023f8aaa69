/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * C side of a PSCI wake-up (cpu.c): returns the slot for head.S to ERET from.
 */
#ifndef ARM64_CPU_H
#define ARM64_CPU_H

struct arm64_cpu;

struct arm64_cpu *arm64_cpu_start(struct arm64_cpu *cpu);

#endif /* ARM64_CPU_H */
