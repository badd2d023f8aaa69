/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bare-metal entry of the EPT/VT-d QEMU test (docs/vtd.md "EPT shared with VT-d").
 * QEMU's -kernel loads this flat image as a Multiboot (version 1) kernel through the
 * header's address fields (Multiboot spec 3.1.3, flags bit 16) and enters _start32 in
 * 32-bit protected mode, paging off, flat segments (spec 3.2). Long mode (Intel SDM
 * Vol. 3A 10.8.5 "Initializing IA-32e Mode"): CR4.PAE, CR3 = a PML4 identity-mapping
 * the low 4 GiB with 2 MiB pages (SDM 4.5, table 4-17: P, R/W, PS; PCD for the top GiB,
 * where the MMIO is), EFER.LME, CR0.PG, then a far jump to a 64-bit code segment.
 * eq_main's result leaves through QEMU's isa-debug-exit port (exit status 2 * v + 1).
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010000 /* bit 16: the address fields below are valid */

	.section .text.start, "ax"
	.code32
	.align 4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	mb_header	/* header_addr */
	.long	__load_start	/* load_addr */
	.long	__load_end	/* load_end_addr */
	.long	__bss_end	/* bss_end_addr */
	.long	_start32	/* entry_addr */

	.global _start32
_start32:
	cli
	movl	$__stack_top, %esp
	/* .bss (page tables included) to zero */
	movl	$__load_end, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	/* PML4[0] -> PDPT, PDPT[i] -> PD i (i < 4), PD i: 512 x 2 MiB */
	movl	$eq_pdpt, %eax
	orl	$0x3, %eax
	movl	%eax, eq_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$eq_pd, %eax
	orl	$0x3, %eax
	movl	%eax, eq_pdpt(,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* P | R/W | PS */
	cmpl	$(3 * 512), %ecx
	jb	3f
	orl	$0x10, %eax		/* PCD: the top GiB holds MMIO */
3:	movl	%eax, eq_pd(,%ecx,8)
	incl	%ecx
	cmpl	$(4 * 512), %ecx
	jb	2b
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$eq_pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* IA32_EFER */
	rdmsr
	orl	$0x100, %eax		/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG | PE */
	movl	%eax, %cr0
	lgdt	eq_gdt_ptr
	ljmp	$0x08, $start64

	.code64
start64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$__stack_top, %rsp
	call	eq_main
	movl	%eax, %edx
	movw	$0xf4, %dx
	outl	%eax, %dx
4:	hlt
	jmp	4b

	.section .note.GNU-stack, "", @progbits
	.section .rodata
	.align 16
eq_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code (L = 1) */
	.quad	0x00cf92000000ffff	/* 0x10: data */
eq_gdt_ptr:
	.word	eq_gdt_ptr - eq_gdt - 1
	.long	eq_gdt

	.section .bss
	.align 4096
eq_pml4:
	.skip	4096
eq_pdpt:
	.skip	4096
eq_pd:
	.skip	4 * 4096
