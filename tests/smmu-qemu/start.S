/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bare-metal entry for the SMMUv3 QEMU test (docs/iommu.md, "Testing"): QEMU
 * -kernel enters here at EL2 (virtualization=on), MMU and caches off.
 * Set the stack, zero .bss, run sq_main(), exit through semihosting
 * SYS_EXIT (ADP_Stopped_ApplicationExit, subcode = sq_main's result).
 */
	.section .text.start, "ax"
	.global _start
_start:
	ldr	x0, =__stack_top
	mov	sp, x0
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	sq_main
	mov	x2, x0
	ldr	x3, =0x20026
	sub	sp, sp, #16
	stp	x3, x2, [sp]
	mov	x1, sp
	mov	x0, #0x18
	hlt	#0xf000
3:	wfe
	b	3b
