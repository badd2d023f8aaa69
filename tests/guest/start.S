/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the guest payloads (tests/guest/README.md). vCPU 0 enters at _start (x0 = 0),
 * vCPUs started by PSCI CPU_ON at secondary_entry (x0 = the caller's context id). Each vCPU
 * takes a 16 KiB stack by MPIDR_EL1.Aff0 (its index, Arm ARM D23.2 MPIDR_EL1), installs the
 * vector table and calls guest_main(index, x0) or guest_secondary(index, x0). The MMU stays
 * off: data accesses are Device-nGnRnE, so the C code is built with -mstrict-align.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	mov	x19, x0
	bl	setup_cpu
	/* vCPU 0 zeroes .bss (lsvm populated it with zeros already: belt and braces) */
	ldr	x2, =__bss_start
	ldr	x3, =__stacks_start
1:	cmp	x2, x3
	b.hs	2f
	str	xzr, [x2], #8
	b	1b
2:	mov	x1, x19
	mov	x0, x20
	bl	guest_main
	b	.

	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	bl	setup_cpu
	mov	x1, x19
	mov	x0, x20
	bl	guest_secondary
	b	.

/* x20 = index, sp = its stack, VBAR_EL1 = vectors. Clobbers x1..x3, keeps x19. */
setup_cpu:
	mrs	x20, mpidr_el1
	and	x20, x20, #0xff
	ldr	x2, =__stacks_end
	lsl	x3, x20, #14
	sub	x2, x2, x3
	mov	sp, x2
	ldr	x2, =vectors
	msr	vbar_el1, x2
	isb
	ret

/*
 * Vector table (Arm ARM D1.3.1 "Exception vectors"): 16 entries of 0x80 bytes. Synchronous
 * exceptions from the current EL with SP_ELx (offset 0x200) save x0..x30 and call
 * exception(frame, ESR_EL1, ELR_EL1), which returns the address to resume at; any other
 * vector calls bad_vector(offset).
 */
	.macro	vent, off
	.balign	0x80
	.if	\off == 0x200
	b	sync_handler
	.else
	mov	x0, #\off
	b	bad_vector_entry
	.endif
	.endm

	.balign	2048
vectors:
	.irp	o, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
	vent	\o
	.endr

sync_handler:
	sub	sp, sp, #256
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
	mov	x0, sp
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	bl	exception
	msr	elr_el1, x0
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
	add	sp, sp, #256
	eret

bad_vector_entry:
	bl	bad_vector
	b	.
