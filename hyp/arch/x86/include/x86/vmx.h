/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX: VMCS field encodings, control bits, capability MSRs and exit reasons Lockstep
 * uses. Intel SDM Vol. 3C (order no. 326019): chapter 24 "Virtual Machine Control
 * Structures" (control fields 24.6-24.8), Appendix A "VMX Capability Reporting Facility",
 * Appendix B "Field Encoding in VMCS", Appendix C "VMX Basic Exit Reasons", chapter 28
 * "VM Exits" (exit qualifications 28.2.1), 30.3 "VMX Instructions" (VM-instruction
 * error numbers, 31.4 in older editions).
 */
#ifndef X86_VMX_H
#define X86_VMX_H

#include "hyp/types.h"

/* ---- VMCS field encodings (Appendix B) ------------------------------------------------ */

/* B.1.1 16-bit control, B.1.2 guest-state, B.1.3 host-state fields. */
#define VMCS_VPID		0x0000U
#define VMCS_GUEST_ES_SEL	0x0800U /* ES, CS, SS, DS, FS, GS, LDTR, TR: + 2 each */
#define VMCS_HOST_ES_SEL	0x0c00U
#define VMCS_HOST_CS_SEL	0x0c02U
#define VMCS_HOST_SS_SEL	0x0c04U
#define VMCS_HOST_DS_SEL	0x0c06U
#define VMCS_HOST_FS_SEL	0x0c08U
#define VMCS_HOST_GS_SEL	0x0c0aU
#define VMCS_HOST_TR_SEL	0x0c0cU
/* B.2.1 64-bit control fields. */
#define VMCS_IO_BITMAP_A	0x2000U
#define VMCS_IO_BITMAP_B	0x2002U
#define VMCS_MSR_BITMAP		0x2004U
#define VMCS_EPTP		0x201aU
/* B.2.2 64-bit read-only data field. */
#define VMCS_GUEST_PHYS_ADDR	0x2400U
/* B.2.3 64-bit guest-state fields. */
#define VMCS_LINK_PTR		0x2800U
#define VMCS_GUEST_DEBUGCTL	0x2802U
#define VMCS_GUEST_PAT		0x2804U
#define VMCS_GUEST_EFER		0x2806U
/* B.2.4 64-bit host-state fields. */
#define VMCS_HOST_PAT		0x2c00U
#define VMCS_HOST_EFER		0x2c02U
/* B.3.1 32-bit control fields. */
#define VMCS_PIN_CTLS		0x4000U
#define VMCS_PROC_CTLS		0x4002U
#define VMCS_EXC_BITMAP		0x4004U
#define VMCS_CR3_TARGET_COUNT	0x400aU
#define VMCS_EXIT_CTLS		0x400cU
#define VMCS_EXIT_MSR_ST_CNT	0x400eU
#define VMCS_EXIT_MSR_LD_CNT	0x4010U
#define VMCS_ENTRY_CTLS		0x4012U
#define VMCS_ENTRY_MSR_LD_CNT	0x4014U
#define VMCS_ENTRY_INTR_INFO	0x4016U
#define VMCS_ENTRY_EXC_ERR	0x4018U
#define VMCS_ENTRY_INSN_LEN	0x401aU
#define VMCS_PROC_CTLS2		0x401eU
/* B.3.2 32-bit read-only data fields. */
#define VMCS_INSN_ERROR		0x4400U
#define VMCS_EXIT_REASON	0x4402U
#define VMCS_EXIT_INTR_INFO	0x4404U
#define VMCS_IDT_VEC_INFO	0x4408U
#define VMCS_IDT_VEC_ERR	0x440aU
#define VMCS_EXIT_INSN_LEN	0x440cU
/* B.3.3 32-bit guest-state fields. */
#define VMCS_GUEST_ES_LIMIT	0x4800U /* ES .. TR: + 2 each; then GDTR, IDTR limits */
#define VMCS_GUEST_GDTR_LIMIT	0x4810U
#define VMCS_GUEST_IDTR_LIMIT	0x4812U
#define VMCS_GUEST_ES_AR	0x4814U /* ES .. TR access rights: + 2 each */
#define VMCS_GUEST_INTR_STATE	0x4824U
#define VMCS_GUEST_ACTIVITY	0x4826U
#define VMCS_GUEST_SYSENTER_CS	0x482aU
/* B.3.4 32-bit host-state field. */
#define VMCS_HOST_SYSENTER_CS	0x4c00U
/* B.4.1 natural-width control fields. */
#define VMCS_CR0_MASK		0x6000U
#define VMCS_CR4_MASK		0x6002U
#define VMCS_CR0_SHADOW		0x6004U
#define VMCS_CR4_SHADOW		0x6006U
/* B.4.2 natural-width read-only data fields. */
#define VMCS_EXIT_QUAL		0x6400U
#define VMCS_GUEST_LINEAR	0x640aU
/* B.4.3 natural-width guest-state fields. */
#define VMCS_GUEST_CR0		0x6800U
#define VMCS_GUEST_CR3		0x6802U
#define VMCS_GUEST_CR4		0x6804U
#define VMCS_GUEST_ES_BASE	0x6806U /* ES .. TR bases: + 2 each */
#define VMCS_GUEST_GDTR_BASE	0x6816U
#define VMCS_GUEST_IDTR_BASE	0x6818U
#define VMCS_GUEST_DR7		0x681aU
#define VMCS_GUEST_RSP		0x681cU
#define VMCS_GUEST_RIP		0x681eU
#define VMCS_GUEST_RFLAGS	0x6820U
#define VMCS_GUEST_PENDING_DBG	0x6822U
#define VMCS_GUEST_SYSENTER_ESP 0x6824U
#define VMCS_GUEST_SYSENTER_EIP 0x6826U
/* B.4.4 natural-width host-state fields. */
#define VMCS_HOST_CR0		0x6c00U
#define VMCS_HOST_CR3		0x6c02U
#define VMCS_HOST_CR4		0x6c04U
#define VMCS_HOST_FS_BASE	0x6c06U
#define VMCS_HOST_GS_BASE	0x6c08U
#define VMCS_HOST_TR_BASE	0x6c0aU
#define VMCS_HOST_GDTR_BASE	0x6c0cU
#define VMCS_HOST_IDTR_BASE	0x6c0eU
#define VMCS_HOST_SYSENTER_ESP	0x6c10U
#define VMCS_HOST_SYSENTER_EIP	0x6c12U
#define VMCS_HOST_RSP		0x6c14U
#define VMCS_HOST_RIP		0x6c16U

/* The guest segment registers in VMCS order (ES, CS, SS, DS, FS, GS, LDTR, TR). */
enum vmx_seg { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

/* ---- VM-execution, VM-exit and VM-entry controls --------------------------------------- */

/* 24.6.1 Table 24-5: pin-based VM-execution controls. */
#define PIN_EXT_INT_EXIT   BIT(0)
#define PIN_NMI_EXIT	   BIT(3)
#define PIN_VIRTUAL_NMI	   BIT(5)
/* 24.6.2 Table 24-6: primary processor-based VM-execution controls. */
#define PROC_HLT_EXIT	   BIT(7)
#define PROC_INVLPG_EXIT   BIT(9)
#define PROC_CR3_LOAD	   BIT(15)
#define PROC_CR3_STORE	   BIT(16)
#define PROC_CR8_LOAD	   BIT(19)
#define PROC_CR8_STORE	   BIT(20)
#define PROC_MOV_DR_EXIT   BIT(23)
#define PROC_UNCOND_IO	   BIT(24)
#define PROC_IO_BITMAPS	   BIT(25)
#define PROC_MSR_BITMAPS   BIT(28)
#define PROC_SECONDARY	   BIT(31)
/* 24.6.2 Table 24-7: secondary processor-based VM-execution controls. */
#define PROC2_EPT	   BIT(1)
#define PROC2_RDTSCP	   BIT(3)
#define PROC2_VPID	   BIT(5)
#define PROC2_UNRESTRICTED BIT(7)
#define PROC2_INVPCID	   BIT(12)
#define PROC2_XSAVES	   BIT(20)
/* 24.7.1 Table 24-13: primary VM-exit controls. */
#define EXIT_SAVE_DEBUG	   BIT(2)
#define EXIT_HOST_64	   BIT(9) /* host address-space size */
#define EXIT_ACK_INTR	   BIT(15)
#define EXIT_SAVE_PAT	   BIT(18)
#define EXIT_LOAD_PAT	   BIT(19)
#define EXIT_SAVE_EFER	   BIT(20)
#define EXIT_LOAD_EFER	   BIT(21)
/* 24.8.1 Table 24-15: VM-entry controls. */
#define ENTRY_LOAD_DEBUG   BIT(2)
#define ENTRY_IA32E	   BIT(9) /* IA-32e mode guest */
#define ENTRY_SMM	   BIT(10)
#define ENTRY_LOAD_PAT	   BIT(14)
#define ENTRY_LOAD_EFER	   BIT(15)

/* 24.8.3 Table 24-17 (entry) / 24.9.2 Table 24-19 (exit): interruption information. */
#define INTR_INFO_VALID	 BIT(31)
#define INTR_INFO_ERR	 BIT(11) /* deliver (entry) / valid (exit) error code */
#define INTR_TYPE_NMI	 (2U << 8)
#define INTR_TYPE_HW_EXC (3U << 8)
#define INTR_TYPE_MASK	 (7U << 8)
#define INTR_VEC_MASK	 0xffU

/* 24.4.2 Table 24-3: interruptibility state; activity states. */
#define INTR_STATE_STI	  BIT(0)
#define INTR_STATE_MOV_SS BIT(1)
#define INTR_STATE_NMI	  BIT(3)
#define ACTIVITY_ACTIVE	  0U

/* 24.4.1 Table 24-2: segment access rights (descriptor bits 47:40, 55:52 at 15:12). */
#define AR_UNUSABLE BIT(16)

/* 24.6.11 EPTP: memory type WB (bits 2:0 = 6), walk length 4 (bits 5:3 = 3). */
#define EPTP_WB_WALK4 (6ULL | 3ULL << 3)

/* ---- capability MSRs (Appendix A) ---------------------------------------------------- */

#define MSR_FEATURE_CONTROL	 0x0000003aU
#define FEAT_CTL_LOCK		 BIT(0)
#define FEAT_CTL_VMX_OUTSIDE_SMX BIT(2)
#define MSR_VMX_BASIC		 0x00000480U
#define MSR_VMX_PINBASED	 0x00000481U
#define MSR_VMX_PROCBASED	 0x00000482U
#define MSR_VMX_EXIT		 0x00000483U
#define MSR_VMX_ENTRY		 0x00000484U
#define MSR_VMX_MISC		 0x00000485U
#define MSR_VMX_CR0_FIXED0	 0x00000486U
#define MSR_VMX_CR0_FIXED1	 0x00000487U
#define MSR_VMX_CR4_FIXED0	 0x00000488U
#define MSR_VMX_CR4_FIXED1	 0x00000489U
#define MSR_VMX_PROCBASED2	 0x0000048bU
#define MSR_VMX_EPT_VPID_CAP	 0x0000048cU
#define MSR_VMX_TRUE_PINBASED	 0x0000048dU
#define MSR_VMX_TRUE_PROCBASED	 0x0000048eU
#define MSR_VMX_TRUE_EXIT	 0x0000048fU
#define MSR_VMX_TRUE_ENTRY	 0x00000490U
#define MSR_VMX_FIRST		 0x00000480U /* the VMX capability MSRs: 480h .. 492h */
#define MSR_VMX_LAST		 0x00000492U
/* A.1 IA32_VMX_BASIC. */
#define VMX_BASIC_REVISION	 GENMASK(30, 0)
#define VMX_BASIC_SIZE(b)	 (((b) >> 32) & 0x1fffU)
#define VMX_BASIC_32BIT_PA	 BIT(48)
#define VMX_BASIC_MEMTYPE(b)	 (((b) >> 50) & 0xfU)
#define VMX_BASIC_TRUE_CTLS	 BIT(55)
/* A.6 IA32_VMX_MISC bit 5: VM exits store EFER.LMA in the "IA-32e mode guest" control. */
#define VMX_MISC_EXIT_LMA	 BIT(5)
/* A.10 IA32_VMX_EPT_VPID_CAP. */
#define EPT_CAP_WALK4		 BIT(6)
#define EPT_CAP_WB		 BIT(14)
#define EPT_CAP_2M		 BIT(16)
#define EPT_CAP_1G		 BIT(17)
#define EPT_CAP_INVEPT		 BIT(20)
#define EPT_CAP_INVEPT_SINGLE	 BIT(25)
#define EPT_CAP_INVEPT_ALL	 BIT(26)
#define VPID_CAP_INVVPID	 BIT(32)
#define VPID_CAP_INVVPID_SINGLE	 BIT(41)
#define VPID_CAP_INVVPID_ALL	 BIT(42)

/* ---- exits ------------------------------------------------------------------------- */

/* Appendix C: basic exit reasons (exit reason bits 15:0); bit 31: VM-entry failure. */
#define EXIT_EXC_NMI		 0
#define EXIT_EXT_INTR		 1
#define EXIT_TRIPLE_FAULT	 2
#define EXIT_INIT		 3
#define EXIT_SIPI		 4
#define EXIT_CPUID		 10
#define EXIT_GETSEC		 11
#define EXIT_INVD		 13
#define EXIT_VMCALL		 18
#define EXIT_VMCLEAR		 19 /* 19 .. 27: VMCLEAR .. VMXON */
#define EXIT_VMXON		 27
#define EXIT_CR			 28
#define EXIT_IO			 30
#define EXIT_RDMSR		 31
#define EXIT_WRMSR		 32
#define EXIT_BAD_GUEST		 33
#define EXIT_BAD_MSR_LOAD	 34
#define EXIT_MCE_ENTRY		 41
#define EXIT_EPT_VIOLATION	 48
#define EXIT_EPT_MISCONFIG	 49
#define EXIT_INVEPT		 50
#define EXIT_INVVPID		 53
#define EXIT_XSETBV		 55
#define EXIT_REASON_FAILED_ENTRY BIT(31)

/* 28.2.1 Table 28-3: exit qualification of a control-register access. */
#define CRQ_CR(q)     ((q)&0xfU)
#define CRQ_TYPE(q)   (((q) >> 4) & 3U) /* 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW */
#define CRQ_GPR(q)    (((q) >> 8) & 0xfU)
#define CRQ_LMSW(q)   (((q) >> 16) & 0xffffU)
/* 28.2.1 Table 28-5 (27.2.1 Table 27-5 in older editions): exit qualification of an I/O
 * instruction; decoded by x86_io_from_vmx (ioport.c). */
#define IOQ_SIZE(q)   ((q)&7U) /* 0: 1 byte, 1: 2 bytes, 3: 4 bytes */
#define IOQ_IN	      BIT(3)   /* direction: 1 IN, 0 OUT */
#define IOQ_STR	      BIT(4)
#define IOQ_REP	      BIT(5)
#define IOQ_IMM	      BIT(6) /* operand encoding: 1 immediate, 0 DX */
#define IOQ_PORT(q)   (((q) >> 16) & 0xffffU)
/* 28.2.1 Table 28-7: exit qualification of an EPT violation. */
#define EPTQ_READ     BIT(0)
#define EPTQ_WRITE    BIT(1)
#define EPTQ_FETCH    BIT(2)
#define EPTQ_READABLE BIT(3) /* the entry allowed reads */
#define EPTQ_GLA      BIT(7) /* the guest-linear address field is valid */

/* ---- the capability check (vmxcap.c, host-native tested in x86-unit) ------------------- */

/* The capability MSRs as read (the TRUE_ ones where IA32_VMX_BASIC[55] says they exist). */
struct vmx_caps {
	u64 basic, pin, proc, proc2, exit, entry, misc, ept_vpid;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* The controls chosen, and what they enable. */
struct vmx_ctls {
	u32 pin, proc, proc2, exit, entry;
	bool vpid, pat, rdtscp, invpcid, xsaves;
};

/*
 * A VMX control value from its capability MSR (A.3-A.5: bits 31:0 are the allowed 0-settings
 * - a 1 there means the control must be 1 - and bits 63:32 the allowed 1-settings - a 0 there
 * means it must be 0): @must1 are needed, @may1 taken when allowed, @must0 needed clear.
 * Returns the value, with *@bad the first control that cannot be set as needed (0: none).
 */
u32 vmx_ctl_value(u64 cap, u32 must1, u32 may1, u32 must0, u32 *bad);
/*
 * Every required control checked against @c; on a refusal -ENODEV with the missing
 * control named in the log (plat_log). The chosen controls in @o.
 */
int vmx_check_caps(const struct vmx_caps *c, struct vmx_ctls *o);

#endif /* X86_VMX_H */
