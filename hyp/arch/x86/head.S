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
 * int x86_vmx_run(struct x86_gprs *g, u64 launched): Intel SDM Vol. 3C 26 "VM Entries",
 * 27 "VM Exits". VM entry loads the guest's RSP, RIP, RFLAGS, segments and control
 * registers from the VMCS; every general-purpose register but RSP is ours to switch (RAX
 * at g + 70h, struct x86_cpu). HOST_RSP is written here, just below the saved g, so that
 * x86_vmx_exit (HOST_RIP) finds it; it returns 0 from here. A failed VMLAUNCH/VMRESUME
 * falls through (RFLAGS.CF or ZF, 30.2): 1, the VM-instruction error field says why.
 */
#define VMCS_HOST_RSP 0x6c14
	.globl	x86_vmx_run
	.type	x86_vmx_run, @function
x86_vmx_run:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi				/* g, for the exit */
	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	2f
	test	%rsi, %rsi			/* flags for the choice below; MOVs keep them */
	mov	0x70(%rdi), %rax
	mov	0x00(%rdi), %rbx
	mov	0x08(%rdi), %rcx
	mov	0x10(%rdi), %rdx
	mov	0x18(%rdi), %rsi
	mov	0x28(%rdi), %rbp
	mov	0x30(%rdi), %r8
	mov	0x38(%rdi), %r9
	mov	0x40(%rdi), %r10
	mov	0x48(%rdi), %r11
	mov	0x50(%rdi), %r12
	mov	0x58(%rdi), %r13
	mov	0x60(%rdi), %r14
	mov	0x68(%rdi), %r15
	mov	0x20(%rdi), %rdi
	jz	1f
	vmresume
	jmp	2f
1:	vmlaunch
2:	pop	%rdi				/* failed: the guest's registers are dropped */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	mov	$1, %eax
	ret
	.size	x86_vmx_run, . - x86_vmx_run

/* VM exit (HOST_RIP): RSP = HOST_RSP, pointing at g; interrupts off (RFLAGS = 2). */
	.globl	x86_vmx_exit
	.type	x86_vmx_exit, @function
x86_vmx_exit:
	push	%rdi				/* the guest's RDI */
	mov	8(%rsp), %rdi			/* g */
	mov	%rax, 0x70(%rdi)
	mov	%rbx, 0x00(%rdi)
	mov	%rcx, 0x08(%rdi)
	mov	%rdx, 0x10(%rdi)
	mov	%rsi, 0x18(%rdi)
	mov	%rbp, 0x28(%rdi)
	mov	%r8, 0x30(%rdi)
	mov	%r9, 0x38(%rdi)
	mov	%r10, 0x40(%rdi)
	mov	%r11, 0x48(%rdi)
	mov	%r12, 0x50(%rdi)
	mov	%r13, 0x58(%rdi)
	mov	%r14, 0x60(%rdi)
	mov	%r15, 0x68(%rdi)
	pop	%rax
	mov	%rax, 0x20(%rdi)
	pop	%rdi				/* g */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	xor	%eax, %eax
	ret
	.size	x86_vmx_exit, . - x86_vmx_exit

/*
 * Application processors (smp.c). x86_smp_start_aps copies [x86_tramp_start, x86_tramp_end)
 * to the loader's page below 1 MiB and patches its CR3 (the hypervisor's PML4, below 4 GiB)
 * and its 64-bit entry (x86_ap_entry). A Startup IPI starts the CPU in real mode at that page
 * (CS = page >> 4, IP = 0; AMD APM Vol. 2 16.5); the code enables protection (14.4 "Enabling
 * Protected Mode"), PAE, EFER.LME and paging (14.6 "Enabling and Activating Long Mode") with
 * its own GDT, and jumps to x86_ap_entry at its linked-and-relocated address. Position
 * independent: real-mode data is addressed through DS = CS, later through ESI = page base.
 * In .rodata: it is data to the image (copied, never executed in place).
 */
#define TR(sym)	(sym - x86_tramp_start)
#define PAGE_TOP	4096
	.section .rodata.tramp, "a"
	.balign	16
	.globl	x86_tramp_start, x86_tramp_end, x86_tramp_cr3, x86_tramp_entry
	.code16
x86_tramp_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	movzwl	%ax, %esi
	shll	$4, %esi			/* the page's physical address */
	leal	TR(tramp_gdt)(%esi), %eax
	movl	%eax, TR(tramp_gdtr) + 2	/* GDTR base */
	leal	TR(tramp_32)(%esi), %eax
	movl	%eax, TR(tramp_ljmp)		/* far pointer offset */
	lgdtl	TR(tramp_gdtr)
	movl	%cr0, %eax
	andl	$0x9fffffff, %eax		/* caches on: CD, NW clear */
	orl	$1, %eax			/* CR0.PE */
	movl	%eax, %cr0
	ljmpl	*TR(tramp_ljmp)
	.code32
tramp_32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax			/* CR4.PAE */
	movl	%eax, %cr4
	movl	TR(x86_tramp_cr3)(%esi), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$0x900, %eax			/* LME, NXE */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax		/* CR0.PG: long mode active */
	movl	%eax, %cr0
	leal	PAGE_TOP(%esi), %esp		/* a stack for the far return: the page's top */
	leal	TR(tramp_64)(%esi), %eax
	pushl	$0x18
	pushl	%eax
	lret
	.code64
tramp_64:
	movl	%esi, %esi			/* upper half undefined after the switch */
	movq	TR(x86_tramp_entry)(%rsi), %rax
	jmp	*%rax
	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff		/* 08: 32-bit code, flat */
	.quad	0x00cf93000000ffff		/* 10: data, flat */
	.quad	0x00af9b000000ffff		/* 18: 64-bit code */
tramp_gdtr:
	.word	31
	.long	0
tramp_ljmp:
	.long	0
	.word	0x08
	.balign	8
x86_tramp_cr3:
	.long	0
	.long	0
x86_tramp_entry:
	.quad	0
x86_tramp_end:
	.text

/*
 * 64-bit, on the hypervisor's page tables, no stack yet: take the next CPU number and its
 * stack of the boot info; a CPU beyond the stacks halts here for good.
 */
	.balign	16
	.globl	x86_ap_entry
	.type	x86_ap_entry, @function
x86_ap_entry:
	mov	$1, %eax
	lock xadd %eax, x86_ap_next(%rip)
	cmp	x86_ap_max(%rip), %eax
	jae	1f
	mov	%eax, %edi
	lea	1(%rax), %rcx
	imul	x86_stack_size(%rip), %rcx
	add	x86_stack_base(%rip), %rcx
	mov	%rcx, %rsp
	xor	%ebp, %ebp
	call	x86_ap_main
1:	cli
	hlt
	jmp	1b
	.size	x86_ap_entry, . - x86_ap_entry

/*
 * NMI in the hypervisor: only in the window smp.c opens after #VMEXIT(NMI), or on a parked
 * CPU. Counted (x86_nmi), then IRET (which also ends NMI blocking).
 */
	.balign	16
	.globl	x86_nmi_stub
x86_nmi_stub:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	call	x86_nmi
	/* Interrupted just before the parking HLT: skip it, the waker's news is in memory. */
	lea	x86_park_hlt_insn(%rip), %rax
	cmp	%rax, 72(%rsp)
	jne	1f
	incq	72(%rsp)
1:	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq

/*
 * void x86_park_hlt(void): sleep until an NMI (a parked CPU, smp.c). SVM: GIF = 1 only
 * here (x86_park_gif). RFLAGS.IF is 0 in the hypervisor, so only an NMI is taken; if it
 * comes before the HLT, the NMI stub steps over it, so no wake-up is lost.
 */
	.data
	.globl	x86_park_gif
x86_park_gif:
	.byte	0
	.text
	.globl	x86_park_hlt
	.type	x86_park_hlt, @function
x86_park_hlt:
	cmpb	$0, x86_park_gif(%rip)
	je	x86_park_hlt_insn
	stgi
x86_park_hlt_insn:
	hlt
	cmpb	$0, x86_park_gif(%rip)
	je	1f
	clgi
1:	ret
	.size	x86_park_hlt, . - x86_park_hlt

/*
 * void x86_nmi_unblock(void): an IRET to the next instruction, which ends the blocking
 * of NMIs a VM exit caused by an NMI leaves in place (Intel SDM Vol. 3C 27.5.5, 24.4.2:
 * the NMI is not delivered, but blocked until IRET; KVM does the same).
 */
	.globl	x86_nmi_unblock
	.type	x86_nmi_unblock, @function
x86_nmi_unblock:
	mov	%rsp, %rax
	mov	%ss, %ecx
	push	%rcx				/* SS */
	push	%rax				/* RSP */
	pushfq					/* RFLAGS */
	mov	%cs, %ecx
	push	%rcx				/* CS */
	lea	1f(%rip), %rax
	push	%rax				/* RIP */
	iretq
1:	ret
	.size	x86_nmi_unblock, . - x86_nmi_unblock

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
