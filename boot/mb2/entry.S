/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Multiboot2 entry of the legacy-BIOS test loader (docs/boot.md "Legacy multiboot2 path
 * (tests only)"). GRUB enters mb2_entry32 in 32-bit protected mode, paging off,
 * interrupts off, EAX = 0x36d76289, EBX = the physical address of the boot information
 * (Multiboot2 specification 1.0, 3.3 "I386 machine state"). We build identity page
 * tables for the first 16 GiB (2 MiB pages), switch to long mode and call
 *     void mb2_main(uint32_t magic, uint32_t info);
 * on our own stack. The GDT has the selectors Linux's 64-bit boot protocol wants
 * (Documentation/arch/x86/boot.rst "64-bit Boot Protocol": __BOOT_CS 0x10, __BOOT_DS
 * 0x18, both flat), so the same state hands over to the kernel.
 */
#define MB2_HEADER_MAGIC 0xe85250d6 /* Multiboot2 spec 3.1.1 */
#define MB2_ARCH_I386	 0
#define MSR_EFER	 0xc0000080
#define EFER_LME	 (1 << 8)  /* Intel SDM Vol. 3A 2.2.1, AMD APM Vol. 2 3.1.7 */
#define CR4_PAE		 (1 << 5)
#define CR0_PE		 (1 << 0)
#define CR0_PG		 (1 << 31)
#define MB2_MAP_GIB	 16	   /* identity-mapped GiB */

	.section .mb2hdr, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Spec 3.1.12 module alignment tag: modules page aligned. */
	.balign 8
	.short 6, 0
	.long 8
	/* End tag (3.1.3): type 0, size 8. */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .text.entry, "ax"
	.code32
	.globl mb2_entry32
mb2_entry32:
	cli
	cld
	movl $mb2_stack_top, %esp
	movl %eax, mb2_magic
	movl %ebx, mb2_info

	/* Long mode: CPUID 8000_0001h EDX[29] (Intel SDM Vol. 2A CPUID, AMD APM Vol. 3 E.4.2). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/*
	 * Page directories: entry i maps [i * 2 MiB, +2 MiB): P | RW | PS (Intel SDM Vol. 3A
	 * 4.5, Table 4-17; AMD APM Vol. 2 5.3.4), write-back by PAT index 0; the BIOS's MTRRs
	 * keep the MMIO holes uncached.
	 */
	movl $mb2_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%edi, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $(MB2_MAP_GIB * 512), %ecx
	jb 1b
	/* PDPT entries 0..15 -> the page directories (P | RW). */
	movl $mb2_pdpt, %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(mb2_pd + 3), %eax
	movl %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	incl %ecx
	cmpl $MB2_MAP_GIB, %ecx
	jb 2b
	movl $(mb2_pdpt + 3), mb2_pml4
	movl $0, mb2_pml4 + 4

	/* Long mode (Intel SDM Vol. 3A 10.8.5, AMD APM Vol. 2 14.6.1): PAE, CR3, LME, PG. */
	lgdt mb2_gdt_desc
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $mb2_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $0x10, $mb2_entry64

no_long_mode:
	movl $msg_no_lm, %esi
3:	movb (%esi), %al
	testb %al, %al
	jz 4f
	outb %al, $0xe9
	movw $0x3f8, %dx
	outb %al, %dx
	incl %esi
	jmp 3b
4:	hlt
	jmp 4b

	.code64
mb2_entry64:
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movabsq $mb2_stack_top, %rsp
	movl mb2_magic(%rip), %edi
	movl mb2_info(%rip), %esi
	call mb2_main
5:	cli
	hlt
	jmp 5b

/*
 * void mb2_jump_linux(uint64_t entry, uint64_t boot_params): the 64-bit boot protocol's
 * state: long mode, identity map, CS 0x10, DS/ES/SS 0x18, interrupts off, RSI = the
 * zero page. Never returns.
 */
	.globl mb2_jump_linux
mb2_jump_linux:
	cli
	movq %rdi, %rax
	xorl %edi, %edi
	xorl %ebp, %ebp
	jmp *%rax

	.section .rodata
msg_no_lm:
	.asciz "lockstep-mb2: this CPU has no long mode (CPUID 8000_0001h EDX[29]); stopped\r\n"
	.balign 8
mb2_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code, flat (SDM Vol. 3A 3.4.5) */
	.quad 0x00af9a000000ffff	/* 0x10: 64-bit code (L = 1), __BOOT_CS */
	.quad 0x00cf92000000ffff	/* 0x18: data, flat, __BOOT_DS */
mb2_gdt_end:
mb2_gdt_desc:
	.short mb2_gdt_end - mb2_gdt - 1
	.quad mb2_gdt

	.section .bss
	.balign 4096
mb2_pml4:
	.skip 4096
mb2_pdpt:
	.skip 4096
mb2_pd:
	.skip 4096 * MB2_MAP_GIB
	.balign 16
	.skip 65536
mb2_stack_top:
mb2_magic:
	.long 0
mb2_info:
	.long 0
	.section .note.GNU-stack, "", @progbits
