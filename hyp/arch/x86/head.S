/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Image header, boot entry, self-relocation, the VMRUN round trip and the exception
 * stubs: what C cannot express. System V AMD64 calling convention throughout.
 *
 * The loader calls the entry from its ExitBootServices wrapper in long mode at CPL 0,
 * on the firmware's identity page tables, interrupts disabled (include/lockstep/boot.h):
 *	long x86_entry(struct ls_boot_info *info);
 * On failure it returns -errno with nothing installed. On success it does not return
 * here: x86_boot() enters the host as an SVM guest whose first instruction is the
 * caller's return address, with RAX = 0, RSP just above that address and RBX, RBP,
 * R12-R15 as the caller left them (the callee-saved registers of the ABI), so to the
 * caller the call simply returned 0.
 */
#define R_X86_64_RELATIVE 8
#define ERR_ENOEXEC	  8
#define HDR_SIZE	  72
#define IMAGE_MAGIC	  0x5045545354534b4c
#define HDR_VERSION	  1

	.section .text.head, "ax"
	.globl	_start
_start:
	/* struct ls_image_hdr; mkimage fills crc32, sizes, entry, version. */
	.long	0				/* branch: unused on x86 (entry_offset) */
	.long	HDR_SIZE			/* hdr_size */
	.quad	IMAGE_MAGIC			/* magic */
	.long	HDR_VERSION			/* hdr_version */
	.long	0				/* crc32 */
	.quad	0				/* image_size */
	.quad	0				/* mem_size */
	.quad	0				/* entry_offset */
	.quad	0				/* version */
	.ascii	"lockstep"			/* name[16] */
	.quad	0

	.text
	.balign	16
	.globl	x86_entry
	.type	x86_entry, @function
x86_entry:
	/* The caller's callee-saved registers: x86_boot reads them as the host's. */
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	/*
	 * Self-relocation: linked at 0 (-static-pie); every dynamic relocation must be
	 * R_X86_64_RELATIVE (mk/hyp_x86.mk checks it at build time, this loop again):
	 * *(base + offset) = base + addend, idempotent.
	 */
	lea	_start(%rip), %r8
	lea	__rela_start(%rip), %r9
	lea	__rela_end(%rip), %r10
1:	cmp	%r10, %r9
	jae	2f
	mov	0(%r9), %r11			/* r_offset */
	cmpl	$R_X86_64_RELATIVE, 8(%r9)	/* r_info: type in the low 32 bits */
	jne	3f
	mov	16(%r9), %rax			/* r_addend */
	add	%r8, %rax
	mov	%rax, (%r8, %r11)
	add	$24, %r9
	jmp	1b
3:	mov	$-ERR_ENOEXEC, %rax
	jmp	4f
2:	/* x86_boot(info, saved): saved -> r15, r14, r13, r12, rbx, rbp, return address. */
	mov	%rsp, %rsi
	call	x86_boot
4:	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	x86_entry, . - x86_entry

/* void x86_switch_stack(u64 sp, void (*fn)(void)): never returns. */
	.globl	x86_switch_stack
	.type	x86_switch_stack, @function
x86_switch_stack:
	mov	%rdi, %rsp
	xor	%ebp, %ebp
	call	*%rsi
	ud2
	.size	x86_switch_stack, . - x86_switch_stack

/*
 * void x86_load_segments(u16 cs, u16 ds): reload CS with a far return, the data
 * segments with ds (after LGDT of the hypervisor's own GDT).
 */
	.globl	x86_load_segments
	.type	x86_load_segments, @function
x86_load_segments:
	mov	%esi, %ds
	mov	%esi, %es
	mov	%esi, %ss
	pop	%rax				/* return address */
	push	%rdi
	push	%rax
	lretq
	.size	x86_load_segments, . - x86_load_segments

/*
 * void x86_svm_run(u64 vmcb_pa, struct x86_gprs *g): APM Vol. 2 15.5 "VMRUN Instruction".
 * VMRUN saves the host's RIP/RSP/RAX, segments, CRs and EFER in the VM_HSAVE_PA page and
 * loads the guest's from the VMCB; every other general-purpose register is ours to switch.
 * #VMEXIT (15.6) restores the host state, GIF = 0: the hypervisor runs with interrupts
 * and NMIs held until the next VMRUN. Offsets are struct x86_gprs (x86/svm.h).
 */
	.globl	x86_svm_run
	.type	x86_svm_run, @function
x86_svm_run:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rsi				/* g, for after the exit */
	mov	%rdi, %rax
	mov	0x00(%rsi), %rbx
	mov	0x08(%rsi), %rcx
	mov	0x10(%rsi), %rdx
	mov	0x20(%rsi), %rdi
	mov	0x28(%rsi), %rbp
	mov	0x30(%rsi), %r8
	mov	0x38(%rsi), %r9
	mov	0x40(%rsi), %r10
	mov	0x48(%rsi), %r11
	mov	0x50(%rsi), %r12
	mov	0x58(%rsi), %r13
	mov	0x60(%rsi), %r14
	mov	0x68(%rsi), %r15
	mov	0x18(%rsi), %rsi
	vmrun	%rax
	xchg	%rsi, (%rsp)			/* g back; the guest's RSI on the stack */
	mov	%rbx, 0x00(%rsi)
	mov	%rcx, 0x08(%rsi)
	mov	%rdx, 0x10(%rsi)
	mov	%rdi, 0x20(%rsi)
	mov	%rbp, 0x28(%rsi)
	mov	%r8, 0x30(%rsi)
	mov	%r9, 0x38(%rsi)
	mov	%r10, 0x40(%rsi)
	mov	%r11, 0x48(%rsi)
	mov	%r12, 0x50(%rsi)
	mov	%r13, 0x58(%rsi)
	mov	%r14, 0x60(%rsi)
	mov	%r15, 0x68(%rsi)
	pop	%rax
	mov	%rax, 0x18(%rsi)
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	x86_svm_run, . - x86_svm_run

/*
 * Exceptions taken in the hypervisor itself (never the host's: those go to the host's
 * IDT while it runs as a guest). Each stub pushes a dummy error code where the CPU
 * pushes none, then the vector; x86_exception() logs and stops.
 */
	.macro	exc_stub vec, has_err
	.balign	16
	.if	\has_err == 0
	push	$0
	.endif
	push	$\vec
	jmp	exc_common
	.endm

	.balign	16
	.globl	x86_exc_stubs
x86_exc_stubs:
	exc_stub 0, 0
	exc_stub 1, 0
	exc_stub 2, 0
	exc_stub 3, 0
	exc_stub 4, 0
	exc_stub 5, 0
	exc_stub 6, 0
	exc_stub 7, 0
	exc_stub 8, 1
	exc_stub 9, 0
	exc_stub 10, 1
	exc_stub 11, 1
	exc_stub 12, 1
	exc_stub 13, 1
	exc_stub 14, 1
	exc_stub 15, 0
	exc_stub 16, 0
	exc_stub 17, 1
	exc_stub 18, 0
	exc_stub 19, 0
	exc_stub 20, 0
	exc_stub 21, 1
	exc_stub 22, 0
	exc_stub 23, 0
	exc_stub 24, 0
	exc_stub 25, 0
	exc_stub 26, 0
	exc_stub 27, 0
	exc_stub 28, 0
	exc_stub 29, 1
	exc_stub 30, 1
	exc_stub 31, 0

exc_common:
	mov	%rsp, %rdi			/* vector, error code, RIP, CS, RFLAGS, ... */
	and	$-16, %rsp
	call	x86_exception
	ud2

	.section .note.GNU-stack, "", @progbits
