/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Image header, boot entry, self-relocation, the PSCI wake-up entry and the
 * few instructions C cannot express (MMU switch, SMC, ERET to the host).
 *
 * Register use follows AAPCS64. The boot entry is called by the loader at EL2
 * with the MMU on (firmware identity map) and interrupts masked:
 *	long arm64_entry(struct ls_boot_info *info);
 * and returns either at EL2 with x0 < 0 (nothing installed) or at EL1 with
 * x0 = 0, x18..x30 and SP as the caller left them (include/lockstep/boot.h).
 */
#include "arm64/asm-defs.h"

#define R_AARCH64_RELATIVE	1027
#define ERR_EPERM		1
#define ERR_EINVAL		22
#define ERR_ENOEXEC		8
/* SPSR for the host: EL1h, D, A, I, F masked (SPSR_EL2 layout). */
#define HOST_SPSR		0x3c5


	.section .text.head, "ax"
	.globl	_start
_start:
	/* struct ls_image_hdr; hyp/arch/arm64/mkimage.c fills crc32, sizes, entry, version. */
	b	arm64_entry			/* branch */
	.word	ASM_IMAGE_HDR_SIZE		/* hdr_size */
	.quad	ASM_IMAGE_MAGIC			/* magic */
	.word	ASM_IMAGE_HDR_VERSION		/* hdr_version */
	.word	0				/* crc32 */
	.quad	0				/* image_size */
	.quad	0				/* mem_size */
	.quad	0				/* entry_offset */
	.quad	0				/* version */
	.ascii	"lockstep"			/* name[16] */
	.quad	0

	.text
	.globl	arm64_entry
	.type	arm64_entry, %function
arm64_entry:
	mrs	x9, CurrentEL
	cmp	x9, #(2 << 2)
	mov	x9, #-ERR_EPERM
	b.ne	.Lret_el2_early

	/*
	 * Self-relocation: the image is linked at 0 (-pie); every dynamic
	 * relocation must be R_AARCH64_RELATIVE (mk/hyp.mk checks it at build
	 * time, this loop again at run time): *(base + offset) = base + addend.
	 * Writing base + addend (not adding to the old value) makes a second
	 * call harmless.
	 */
	adr	x9, _start
	adrp	x10, __rela_start
	add	x10, x10, :lo12:__rela_start
	adrp	x11, __rela_end
	add	x11, x11, :lo12:__rela_end
1:	cmp	x10, x11
	b.hs	2f
	ldp	x12, x13, [x10], #16		/* r_offset, r_info */
	ldr	x14, [x10], #8			/* r_addend */
	cmp	x13, #R_AARCH64_RELATIVE
	b.ne	.Lbad_reloc
	add	x14, x14, x9
	str	x14, [x9, x12]
	b	1b
2:
	/* Save what the caller expects preserved (and x18, the platform register). */
	adrp	x9, arm64_boot_saved
	add	x9, x9, :lo12:arm64_boot_saved
	stp	x18, x19, [x9, #0]
	stp	x20, x21, [x9, #16]
	stp	x22, x23, [x9, #32]
	stp	x24, x25, [x9, #48]
	stp	x26, x27, [x9, #64]
	stp	x28, x29, [x9, #80]
	mov	x10, sp
	stp	x30, x10, [x9, #96]

	/* CPU 0's EL2 stack from the boot info (validated further in C). */
	cbz	x0, .Lbad_info
	tst	x0, #7
	b.ne	.Lbad_info
	ldr	x10, [x0, #INFO_MAGIC]
	ldr	x11, =ASM_BOOT_INFO_MAGIC
	cmp	x10, x11
	b.ne	.Lbad_info
	ldp	x10, x11, [x0, #INFO_STACK_BASE]
	add	x10, x10, x11
	and	x10, x10, #~15
	mov	sp, x10
	mov	x29, #0

	bl	arm64_boot
	tbnz	x0, #63, .Lfail

	/*
	 * Installed. Return to the caller at EL1: same SP (now SP_EL1), same
	 * callee-saved registers, x0 = 0; the EL1 translation regime, VBAR_EL1
	 * and SCTLR_EL1 were set by arm64_boot. SP_EL2 goes back to the top of
	 * this CPU's stack for the traps to come.
	 */
	adrp	x9, arm64_boot_saved
	add	x9, x9, :lo12:arm64_boot_saved
	ldp	x30, x10, [x9, #96]
	msr	sp_el1, x10
	msr	elr_el2, x30
	mov	x10, #HOST_SPSR
	msr	spsr_el2, x10
	mrs	x10, tpidr_el2
	ldr	x10, [x10, #CPU_STACK_TOP]
	mov	sp, x10
	ldp	x18, x19, [x9, #0]
	ldp	x20, x21, [x9, #16]
	ldp	x22, x23, [x9, #32]
	ldp	x24, x25, [x9, #48]
	ldp	x26, x27, [x9, #64]
	ldp	x28, x29, [x9, #80]
	/* x0..x17 = 0: nothing of Lockstep reaches the host */
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
	mov	x\n, #0
	.endr
	eret
	dsb	nsh				/* no straight-line speculation past ERET */
	isb

.Lbad_reloc:
	mov	x9, #-ERR_ENOEXEC
	b	.Lret_el2_early
.Lbad_info:
	mov	x0, #-ERR_EINVAL
.Lfail:
	/* Nothing installed: restore the caller's registers and SP, return at EL2. */
	adrp	x9, arm64_boot_saved
	add	x9, x9, :lo12:arm64_boot_saved
	ldp	x18, x19, [x9, #0]
	ldp	x20, x21, [x9, #16]
	ldp	x22, x23, [x9, #32]
	ldp	x24, x25, [x9, #48]
	ldp	x26, x27, [x9, #64]
	ldp	x28, x29, [x9, #80]
	ldp	x30, x10, [x9, #96]
	mov	sp, x10
	ret
.Lret_el2_early:
	mov	x0, x9
	ret
	.size	arm64_entry, . - arm64_entry
	.ltorg

/*
 * PSCI entry point of every CPU woken by CPU_ON or from a powerdown
 * CPU_SUSPEND (PSCI DEN 0022 6.4: EL2, MMU and caches off, x0 = context_id,
 * which is the PA of the CPU's struct arm64_cpu). Turn on the EL2 MMU with
 * the boot CPU's tables (arm64_el2, cleaned to PoC: read here uncached),
 * switch to the CPU's stack, let C program EL2, then ERET to the host.
 */
	.globl	arm64_cpu_entry
	.type	arm64_cpu_entry, %function
arm64_cpu_entry:
	msr	daifset, #0xf
	mov	x19, x0
	adrp	x1, arm64_el2
	add	x1, x1, :lo12:arm64_el2
	ldp	x2, x3, [x1, #CFG_MAIR]		/* mair, tcr */
	ldp	x4, x5, [x1, #CFG_TTBR]		/* ttbr, sctlr */
	msr	mair_el2, x2
	msr	tcr_el2, x3
	msr	ttbr0_el2, x4
	isb
	tlbi	alle2				/* nothing stale may survive a power cycle */
	dsb	nsh
	isb
	msr	sctlr_el2, x5
	isb
	ic	iallu
	dsb	nsh
	isb
	ldr	x1, [x19, #CPU_STACK_TOP]
	mov	sp, x1
	mov	x29, #0
	msr	tpidr_el2, x19
	mov	x0, x19
	bl	arm64_cpu_start			/* sets ELR_EL2 / SPSR_EL2 */
	ldr	x0, [x19, #CPU_HOST_CTX]
	ldr	x1, [x19, #CPU_STACK_TOP]
	mov	sp, x1
	/* x1..x30 = 0: nothing of Lockstep reaches the host */
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\n, #0
	.endr
	eret
	dsb	nsh				/* no straight-line speculation past ERET */
	isb
	.size	arm64_cpu_entry, . - arm64_cpu_entry

/*
 * void arm64_mmu_switch(u64 mair, u64 tcr, u64 ttbr, u64 sctlr)
 *
 * Replace the firmware's EL2 stage-1 by ours. Both are identity maps of this
 * code, but they may use different MAIR layouts, so the tables cannot be swapped
 * under a live MMU (Arm ARM, break-before-make applies to the regime as a
 * whole). Turn the MMU off, load MAIR/TCR/TTBR, invalidate every EL2 TLB entry,
 * turn it on. Between the two SCTLR writes this code makes no data access, so
 * the cache contents (still valid, never bypassed) stay coherent.
 */
	.globl	arm64_mmu_switch
	.type	arm64_mmu_switch, %function
arm64_mmu_switch:
	dsb	ish				/* the new tables are written */
	isb
	mrs	x4, sctlr_el2
	bic	x4, x4, #1			/* SCTLR_EL2.M */
	msr	sctlr_el2, x4
	isb
	msr	mair_el2, x0
	msr	tcr_el2, x1
	msr	ttbr0_el2, x2
	isb
	tlbi	alle2
	dsb	ish
	isb
	msr	sctlr_el2, x3
	isb
	ic	iallu
	dsb	ish
	isb
	ret
	.size	arm64_mmu_switch, . - arm64_mmu_switch

/*
 * void arm64_smc(u64 fid, u64 a1, u64 a2, u64 a3, struct arm64_smc_res *res)
 * SMCCC call to the firmware (PSCI). SMCCC v1.0 may clobber x4-x17: all are
 * caller-saved in AAPCS64, so only @res needs a callee-saved home.
 */
	.globl	arm64_smc
	.type	arm64_smc, %function
arm64_smc:
	stp	x19, x30, [sp, #-16]!
	mov	x19, x4
	smc	#0
	stp	x0, x1, [x19, #0]
	stp	x2, x3, [x19, #16]
	ldp	x19, x30, [sp], #16
	ret
	.size	arm64_smc, . - arm64_smc

	.bss
	.balign	16
arm64_boot_saved:
	.skip	112
