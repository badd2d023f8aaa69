/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The world switch's register part (docs/vcpu.md "World switch"):
 *
 * u64 arm64_guest_run(u64 *x) enters the loaded guest with its x0..x30 from @x
 * (ELR_EL2/SPSR_EL2 already hold its PC and PSTATE) and returns when the guest
 * takes an exception to EL2: the guest's x0..x30 are back in @x and the result is
 * the vector's kind (0 sync, 1 IRQ, 2 FIQ, 3 SError). The callee-saved registers
 * of the C caller live on the EL2 stack meanwhile; struct arm64_cpu's guest_x
 * field (CPU_GUEST_X) is non-zero exactly while a guest runs on this CPU, which
 * is how vectors.S tells a guest's exception from the host's.
 *
 * arm64_fp_save / arm64_fp_load: q0..q31, FPSR, FPCR to / from 528 bytes.
 */
#include "arm64/asm-defs.h"

	.text
	.globl	arm64_guest_run
	.type	arm64_guest_run, %function
arm64_guest_run:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x1, tpidr_el2
	str	x0, [x1, #CPU_GUEST_X]
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	dsb	nsh		/* no straight-line speculation past ERET */
	isb
	.size	arm64_guest_run, . - arm64_guest_run

/*
 * From vectors.S: x0 = kind, x1 = the guest's register array, the guest's own x0
 * and x1 pushed on the EL2 stack. Back to arm64_guest_run's caller.
 */
	.globl	arm64_guest_exit
	.type	arm64_guest_exit, %function
arm64_guest_exit:
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #0]
	mrs	x2, tpidr_el2
	str	xzr, [x2, #CPU_GUEST_X]
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
	.size	arm64_guest_exit, . - arm64_guest_exit

	.globl	arm64_fp_save
	.type	arm64_fp_save, %function
arm64_fp_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	mrs	x2, fpcr
	str	x1, [x0, #512]
	str	x2, [x0, #520]
	ret
	.size	arm64_fp_save, . - arm64_fp_save

	.globl	arm64_fp_load
	.type	arm64_fp_load, %function
arm64_fp_load:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	ldr	x1, [x0, #512]
	ldr	x2, [x0, #520]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
	.size	arm64_fp_load, . - arm64_fp_load
