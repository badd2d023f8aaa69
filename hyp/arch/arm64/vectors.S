/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EL2 exception vectors (Arm ARM, "Exception vectors": 16 entries of
 * 128 bytes, VBAR_EL2 2 KiB aligned).
 *
 * From the host (lower EL) only synchronous exceptions are expected: HVC,
 * trapped SMC (HCR_EL2.TSC) and stage-2 aborts; IRQ/FIQ/SError stay with the
 * host (HCR_EL2.{IMO,FMO,AMO} = 0). While a guest runs (arm64_cpu.guest_x
 * non-zero, guest_entry.S) every lower-EL entry, IRQ/FIQ/SError included
 * (IMO/FMO/AMO = 1 for guests), leaves the guest through arm64_guest_exit.
 * EL2 runs with PSTATE.DAIF masked, so every current-EL entry is a hypervisor
 * bug and panics.
 *
 * The host's x0..x30 are saved in a struct arm64_regs frame on this CPU's EL2
 * stack, handed to C, and restored before ERET (C edits the frame to return
 * results). SP_EL1, ELR_EL2 and SPSR_EL2 are live registers C accesses directly.
 */

#include "arm64/asm-defs.h"

	.macro	save_regs
	sub	sp, sp, #REGS_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	.endm

	.macro	restore_regs
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #REGS_SIZE
	.endm

	/* One vector slot: branch to the handler, kind in x1 for the unexpected ones. */
	.macro	vec_unexpected kind
	.balign	128
	save_regs
	mov	x0, sp
	mov	x1, #\kind
	b	el2_unexpected
	.endm

	/* A lower-EL slot: the guest's exit if one runs here, else the host's path. */
	.macro	vec_lower kind, host
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x1, [x0, #CPU_GUEST_X]
	cbz	x1, 1f
	mov	x0, #\kind
	b	arm64_guest_exit
1:	ldp	x0, x1, [sp], #16
	b	\host
	.endm

	.text
	.balign	2048
	.globl	arm64_vectors
arm64_vectors:
	vec_unexpected 0	/* current EL, SP_EL0: sync */
	vec_unexpected 1	/* irq */
	vec_unexpected 2	/* fiq */
	vec_unexpected 3	/* serror */
	vec_unexpected 4	/* current EL, SP_ELx: sync (a fault in Lockstep) */
	vec_unexpected 5	/* irq */
	vec_unexpected 6	/* fiq */
	vec_unexpected 7	/* serror */
	vec_lower 0, el2_host_sync	/* lower EL, AArch64: sync */
	vec_lower 1, el2_lower_irq	/* irq */
	vec_lower 2, el2_lower_fiq	/* fiq */
	vec_lower 3, el2_lower_serror	/* serror */
	vec_lower 0, el2_host_sync	/* lower EL, AArch32 (a guest's EL0): sync */
	vec_lower 1, el2_lower_irq	/* irq */
	vec_lower 2, el2_lower_fiq	/* fiq */
	vec_lower 3, el2_lower_serror	/* serror */
	.balign	128

	/* The host never routes these to EL2: a hypervisor bug. */
el2_lower_irq:
	save_regs
	mov	x0, sp
	mov	x1, #9
	b	el2_unexpected
el2_lower_fiq:
	save_regs
	mov	x0, sp
	mov	x1, #10
	b	el2_unexpected
el2_lower_serror:
	save_regs
	mov	x0, sp
	mov	x1, #11
	b	el2_unexpected

el2_host_sync:
	save_regs
	mov	x0, sp
	bl	arm64_trap_lower
	restore_regs
	eret
	dsb	nsh		/* no straight-line speculation past ERET */
	isb

el2_unexpected:
	bl	arm64_trap_current	/* does not return */
1:	wfi
	b	1b
