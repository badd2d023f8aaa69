/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * AMD SVM: the VMCB, the intercepts, exit codes and MSRs Lockstep uses. AMD APM Vol. 2
 * (rev. 3.42) chapter 15 "Secure Virtual Machine"; the VMCB layout is Appendix B
 * (Table B-1 "VMCB Layout, Control Area", Table B-2 "VMCB Layout, State Save Area"),
 * exit codes Appendix C "SVM Intercept Exit Codes".
 */
#ifndef X86_SVM_H
#define X86_SVM_H

#include "hyp/types.h"

struct vmcb_seg {
	u16 sel;
	u16 attr; /* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 (B-2 note) */
	u32 limit;
	u64 base;
};

struct vmcb {
	/* Control area, Table B-1. */
	u32 icpt_cr;  /* 000h: CR reads 15:0, CR writes 31:16 */
	u32 icpt_dr;  /* 004h */
	u32 icpt_exc; /* 008h: exception vectors */
	u32 icpt3;    /* 00Ch: intercept vector 3 (SVM_ICPT3_*) */
	u32 icpt4;    /* 010h: intercept vector 4 (SVM_ICPT4_*) */
	u8 rsvd0[0x40 - 0x14];
	u64 iopm_pa;	/* 040h */
	u64 msrpm_pa;	/* 048h */
	u64 tsc_offset; /* 050h */
	u32 asid;	/* 058h: guest ASID, non-zero */
	u8 tlb_ctl;	/* 05Ch: TLB_CONTROL */
	u8 rsvd1[3];
	u32 int_ctl;	   /* 060h: V_TPR .. V_INTR_MASKING (bit 24) */
	u32 int_vector;	   /* 064h */
	u64 int_state;	   /* 068h: interrupt shadow */
	u64 exit_code;	   /* 070h */
	u64 exit_info1;	   /* 078h */
	u64 exit_info2;	   /* 080h */
	u64 exit_int_info; /* 088h */
	u64 np_ctl;	   /* 090h: bit 0 NP_ENABLE */
	u8 rsvd2[0xa8 - 0x98];
	u64 event_inj; /* 0A8h: EVENTINJ (15.20) */
	u64 n_cr3;     /* 0B0h: nested page table root */
	u64 lbr_ctl;   /* 0B8h */
	u64 clean;     /* 0C0h: VMCB clean bits (0: nothing cached) */
	u64 next_rip;  /* 0C8h: nRIP (not written by QEMU's TCG) */
	u8 rsvd3[0x400 - 0xd0];
	/* State save area, Table B-2. */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 400h..49Fh */
	u8 rsvd4[0x4cb - 0x4a0];
	u8 cpl; /* 4CBh */
	u8 rsvd5[4];
	u64 efer; /* 4D0h */
	u8 rsvd6[0x548 - 0x4d8];
	u64 cr4;    /* 548h */
	u64 cr3;    /* 550h */
	u64 cr0;    /* 558h */
	u64 dr7;    /* 560h */
	u64 dr6;    /* 568h */
	u64 rflags; /* 570h */
	u64 rip;    /* 578h */
	u8 rsvd7[0x5d8 - 0x580];
	u64 rsp; /* 5D8h */
	u8 rsvd8[0x5f8 - 0x5e0];
	u64 rax; /* 5F8h */
	u64 star, lstar, cstar, sfmask, kernel_gs_base, sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2; /* 640h */
	u8 rsvd9[0x668 - 0x648];
	u64 g_pat; /* 668h: guest PAT, used with nested paging (15.25.8) */
	u8 rsvd10[0x1000 - 0x670];
} __attribute__((aligned(4096)));

_Static_assert(__builtin_offsetof(struct vmcb, iopm_pa) == 0x40, "VMCB IOPM_BASE_PA");
_Static_assert(__builtin_offsetof(struct vmcb, exit_code) == 0x70, "VMCB EXITCODE");
_Static_assert(__builtin_offsetof(struct vmcb, np_ctl) == 0x90, "VMCB NP_ENABLE");
_Static_assert(__builtin_offsetof(struct vmcb, event_inj) == 0xa8, "VMCB EVENTINJ");
_Static_assert(__builtin_offsetof(struct vmcb, n_cr3) == 0xb0, "VMCB N_CR3");
_Static_assert(__builtin_offsetof(struct vmcb, es) == 0x400, "VMCB save area");
_Static_assert(__builtin_offsetof(struct vmcb, tr) == 0x490, "VMCB TR");
_Static_assert(__builtin_offsetof(struct vmcb, efer) == 0x4d0, "VMCB EFER");
_Static_assert(__builtin_offsetof(struct vmcb, cr4) == 0x548, "VMCB CR4");
_Static_assert(__builtin_offsetof(struct vmcb, rip) == 0x578, "VMCB RIP");
_Static_assert(__builtin_offsetof(struct vmcb, rsp) == 0x5d8, "VMCB RSP");
_Static_assert(__builtin_offsetof(struct vmcb, rax) == 0x5f8, "VMCB RAX");
_Static_assert(__builtin_offsetof(struct vmcb, cr2) == 0x640, "VMCB CR2");
_Static_assert(__builtin_offsetof(struct vmcb, g_pat) == 0x668, "VMCB G_PAT");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* Intercept vector 3 (Table B-1, offset 00Ch). */
#define SVM_ICPT3_NMI	    BIT(1)
#define SVM_ICPT3_INIT	    BIT(3)
#define SVM_ICPT3_CPUID	    BIT(18)
#define SVM_ICPT3_IOIO_PROT BIT(27)
#define SVM_ICPT3_MSR_PROT  BIT(28)
#define SVM_ICPT3_SHUTDOWN  BIT(31)
/* Intercept vector 4 (offset 010h): every SVM instruction. */
#define SVM_ICPT4_VMRUN	    BIT(0) /* must be set, or VMRUN fails (15.5.1) */
#define SVM_ICPT4_VMMCALL   BIT(1)
#define SVM_ICPT4_VMLOAD    BIT(2)
#define SVM_ICPT4_VMSAVE    BIT(3)
#define SVM_ICPT4_STGI	    BIT(4)
#define SVM_ICPT4_CLGI	    BIT(5)
#define SVM_ICPT4_SKINIT    BIT(6)

#define SVM_TLB_FLUSH_ALL 1 /* TLB_CONTROL 01h: flush the whole TLB at VMRUN (15.16.1) */
#define SVM_NP_ENABLE	  BIT(0)

/* EVENTINJ (15.20 "Event Injection"). */
#define SVM_EVT_VALID	  BIT(31)
#define SVM_EVT_ERR_VALID BIT(11)
#define SVM_EVT_TYPE_NMI  (2ULL << 8)
#define SVM_EVT_TYPE_EXC  (3ULL << 8)
#define SVM_EVT_ERR(e)	  ((u64)(u32)(e) << 32)
#define X86_VEC_NMI	  2
#define X86_VEC_UD	  6
#define X86_VEC_GP	  13
#define X86_VEC_PF	  14

/* Exit codes (Appendix C). */
/* IOIO EXITINFO1 (APM Vol. 2 15.10.2 Figure 15-2): TYPE (1: IN), STR, REP, SZ8/16/32, PORT;
 * decoded by x86_io_from_svm (ioport.c). */
#define SVM_IOIO_IN	    BIT(0)
#define SVM_IOIO_STR	    BIT(2)
#define SVM_IOIO_REP	    BIT(3)
#define SVM_IOIO_SZ_SHIFT   4 /* bits 6:4, one-hot: 1, 2 or 4 bytes */
#define SVM_IOIO_PORT_SHIFT 16
#define SVM_EXIT_NMI	    0x061
#define SVM_EXIT_INIT	    0x063
#define SVM_EXIT_CPUID	    0x072
#define SVM_EXIT_SHUTDOWN   0x07f
#define SVM_EXIT_IOIO	    0x07b /* EXITINFO1: 15.10.2 Figure 15-2; EXITINFO2: the next RIP */
#define SVM_EXIT_MSR	    0x07c /* EXITINFO1: 0 read, 1 write */
#define SVM_EXIT_VMRUN	    0x080
#define SVM_EXIT_VMMCALL    0x081
#define SVM_EXIT_VMLOAD	    0x082
#define SVM_EXIT_SKINIT	    0x086
#define SVM_EXIT_NPF	    0x400 /* EXITINFO1: #PF-style error code, EXITINFO2: GPA */
#define SVM_EXIT_INVALID    ((u64)-1)

/* NPF EXITINFO1 (15.25.6 "Nested versus Guest Page Faults, Fault Ordering"). */
#define SVM_NPF_P	   BIT(0)
#define SVM_NPF_W	   BIT(1)
#define SVM_NPF_FINAL	   BIT(32) /* the access to the final guest-physical address */
#define SVM_NPF_PAGE_TABLE BIT(33) /* an access of the guest's own page-table walk */

/* MSRs (APM Vol. 2 15.30 "SVM-Related MSRs", 3.1.7 "Extended Feature Enable Register"). */
#define MSR_EFER	    0xc0000080U
#define EFER_NXE	    BIT(11)
#define EFER_SVME	    BIT(12)
#define MSR_VM_CR	    0xc0010114U
#define VM_CR_SVMDIS	    BIT(4)
#define MSR_VM_HSAVE_PA	    0xc0010117U
#define MSR_PAT		    0x00000277U
#define MSR_FS_BASE	    0xc0000100U
#define MSR_GS_BASE	    0xc0000101U
#define MSR_SYSENTER_CS	    0x00000174U
#define MSR_SYSENTER_ESP    0x00000175U
#define MSR_SYSENTER_EIP    0x00000176U
#define PAT_RESET	    0x0007040600070406ULL /* APM Vol. 2 7.8.2 "PAT Register", reset value */
/* Local APIC base (APM Vol. 2 16.3.1 "Local APIC Enable"): base 51:12, AE 11, x2APIC EXTD 10. */
#define MSR_APIC_BASE	    0x0000001bU
#define APIC_BASE_EXTD	    BIT(10)
#define APIC_BASE_AE	    BIT(11)
#define APIC_BASE_ADDR_MASK GENMASK(51, 12)

/* CPUID (APM Vol. 3 appendix E; leaf 1 ECX[31] is reserved for hypervisor use, E.3.2). */
#define CPUID_1_ECX_HYPERVISOR	   BIT(31)
#define CPUID_1_ECX_X2APIC	   BIT(21)
#define CPUID_1_ECX_VMX		   BIT(5) /* Intel SDM Vol. 2A CPUID, Table 3-10 */
#define CPUID_80000001_ECX_SVM	   BIT(2)
#define CPUID_80000001_EDX_PAGE1GB BIT(26)
#define CPUID_8000000A_EDX_NP	   BIT(0)

/* Guest general-purpose registers VMRUN does not switch (15.5: only RAX, RSP, RIP do). */
struct x86_gprs {
	u64 rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

/* head.S: VMRUN with the guest's registers, back at #VMEXIT with them saved. */
void x86_svm_run(u64 vmcb_pa, struct x86_gprs *g);

#endif /* X86_SVM_H */
