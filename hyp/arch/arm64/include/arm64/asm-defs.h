/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constants shared by the assembly (head.S, vectors.S) and C. Assembly cannot
 * include include/lockstep/boot.h (it has C types): cpu.c checks every value
 * here against boot.h and the C structures with static_assert.
 */
#ifndef ARM64_ASM_DEFS_H
#define ARM64_ASM_DEFS_H

#define ASM_IMAGE_MAGIC	      0x5045545354534b4c /* LS_IMAGE_MAGIC */
#define ASM_IMAGE_HDR_VERSION 1			 /* LS_IMAGE_HDR_VERSION */
#define ASM_IMAGE_HDR_SIZE    72		 /* sizeof(struct ls_image_hdr) */
#define ASM_BOOT_INFO_MAGIC   0x4f464e4942534c	 /* LS_BOOT_INFO_MAGIC */

/* struct ls_boot_info */
#define INFO_MAGIC	0
#define INFO_STACK_BASE 32
#define INFO_STACK_SIZE 40
/* struct arm64_cpu */
#define CPU_STACK_TOP	0
#define CPU_HOST_CTX	32
#define CPU_GUEST_X	48
/* struct arm64_el2_cfg */
#define CFG_MAIR	0
#define CFG_TTBR	16
/* struct arm64_regs */
#define REGS_SIZE	256

#endif /* ARM64_ASM_DEFS_H */
