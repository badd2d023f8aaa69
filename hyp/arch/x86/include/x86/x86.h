/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 backend's internal interface (docs/x86.md). Units, bottom up:
 *   lib.c      string functions (the image links no C library)
 *   console.c  COM1 (16550 UART, I/O port 0x3f8), plat_log / plat_panic
 *   plat.c     plat.h services, CPU helpers
 *   smp.c      per-CPU state, application processors, INIT/SIPI emulation
 *   apic.c     the host's local APIC writes (ICR: INIT/SIPI to smp.c, the rest forwarded)
 *   tlb.c      the host view's TLB shootdown (NMI kicks, bounded wait)
 *   ioport.c   the host I/O ports the hypervisor takes (both flavours' bitmaps and exits)
 *   svm.c      flavour AMD SVM: the VMCB, the VMRUN loop and the intercepts
 *   vmx.c      flavour Intel VMX: VMXON, the VMCS, the VM-entry loop and the exits
 *   boot.c     installation on the boot CPU (the flavour chosen from CPUID)
 */
#ifndef X86_X86_H
#define X86_X86_H

#include <stdarg.h>

#include "hyp/pgtable.h"
#include "hyp/spinlock.h"
#include "hyp/types.h"
#include "x86/svm.h"
#include "x86/tlb.h"

struct x86_cpuid {
	u32 a, b, c, d;
};

static inline struct x86_cpuid x86_cpuid(u32 leaf, u32 sub)
{
	struct x86_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline u64 x86_rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void x86_wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void x86_outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 x86_inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define X86_READ_CR(n)                                             \
	({                                                         \
		u64 _v;                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(_v)); \
		_v;                                                \
	})

/*
 * One physical CPU under the hypervisor: its VMCB, host save area and the host's registers
 * on it; the emulated INIT/SIPI state (smp.c), under @lock.
 */
enum x86_cpu_state {
	X86_CPU_ABSENT,	 /* never reached the hypervisor */
	X86_CPU_PARKED,	 /* in the hypervisor, waiting for a host SIPI (after INIT) */
	X86_CPU_RUNNING, /* running the host as an SVM guest */
};

struct x86_cpu {
	/* The flavour's per-CPU pages (page aligned, first). */
	union {
		struct {
			struct vmcb vmcb; /* SVM: the host's VMCB */
			u8 hsave[4096];	  /* VM_HSAVE_PA (APM Vol. 2 15.30.4) */
		};
		struct {
			u8 vmxon[4096]; /* VMX: VMXON region (Intel SDM Vol. 3C 24.11.5) */
			u8 vmcs[4096];	/* the host's VMCS (24.2) */
		};
	};
	struct x86_gprs gprs;
	u64 rax;	/* VMX: the guest's RAX (SVM keeps it in the VMCB) */
	bool launched;	/* VMX: VMLAUNCH done on this VMCS, VMRESUME from now on */
	bool flush_tlb; /* VMX: INVVPID before the next entry (a new start) */
	u32 idx;	/* 0: the boot CPU; stack idx of the boot info */
	u32 apic_id;	/* xAPIC ID (CPUID 1 EBX[31:24]) */
	struct hyp_spinlock lock;
	enum x86_cpu_state state;
	bool init_req;	/* a host INIT is waiting for this CPU to leave the guest */
	int sipi;	/* the host's Startup vector, -1 none */
	u64 nmis_taken; /* NMIs taken by the hypervisor's handler (x86_nmi) */
	u32 hyp_nmis;	/* NMIs the hypervisor sent to this CPU and not yet taken */
	bool host_nmi;	/* an NMI taken that was the host's: re-inject it */
	u64 starts;	/* host SIPIs that started this CPU */
	/* The host view's TLB shootdown (tlb.c). */
	struct x86_tlb tlb;
};

/*
 * The caller's state at install, captured once by boot.c and turned into the boot CPU's
 * first guest state by the flavour. Segment attributes in the VMCB format (descriptor bits
 * 47:40 in 7:0 and 55:52 in 11:8); attr 0 is a null (unusable) selector.
 */
struct x86_seg {
	u16 sel;
	u16 attr;
	u32 limit;
	u64 base;
};

struct x86_host_state {
	struct x86_seg cs, ss, ds, es, fs, gs, tr, ldtr;
	u64 gdt_base, idt_base;
	u16 gdt_limit, idt_limit;
	u64 cr0, cr2, cr3, cr4, efer, rflags, pat;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 rip, rsp, rax;
};

/*
 * What apic.c needs of the host's state at an exit, whatever the flavour: filled by the
 * flavour before x86_apic_write_exit, which advances @rip on success.
 */
struct x86_guest_view {
	u64 rip, rsp, rax, cr3, cr4, efer;
	u64 gpa;   /* the guest-physical address written */
	u8 cpl;	   /* current privilege level */
	bool cs_l; /* CS.L: 64-bit code */
};

/*
 * The virtualization extension: SVM or VMX, chosen at boot from CPUID (boot.c). Everything
 * else (boot, the nested map through the core, APs, INIT/SIPI emulation, the xAPIC, VT-d)
 * is shared.
 */
struct x86_flavour {
	const char *name;		   /* for the banner */
	const char *guest;		   /* what the host runs as, for the log */
	enum pt_fmt_id fmt;		   /* the host's nested table format */
	const struct own_inval_ops *inval; /* its invalidation */
	bool gif;			   /* SVM: the hypervisor runs with GIF = 0 */
	/* Prepare: the extension's own checks; nothing written. -errno refuses, logged. */
	int (*check)(void);
	/* Commit, per CPU (cannot fail): the extension on (SVME and the host save area, or
	 * VMXON), then this CPU's control state for the host with the nested root @root. */
	void (*cpu_on)(struct x86_cpu *c);
	void (*setup)(struct x86_cpu *c, u64 root);
	/* The boot CPU's first guest state: the captured caller. */
	void (*set_state)(struct x86_cpu *c, const struct x86_host_state *s);
	/* The host's start state after INIT + Startup IPI @vec (real mode at vec * 4 KiB). */
	void (*sipi_state)(struct x86_cpu *c, u8 vec);
	/* After an NMI exit: let the hypervisor's NMI handler run (x86_nmi), bounded. */
	void (*take_nmi)(struct x86_cpu *c);
	/* The entry loop of CPU @c: handles every exit of the host, never returns. */
	void (*loop)(struct x86_cpu *c); /* never returns */
};

extern const struct x86_flavour x86_svm_flavour, x86_vmx_flavour;
extern const struct x86_flavour *x86_fl; /* the one in use (boot.c) */
extern u64 x86_host_root;		 /* the host's nested table root */
/* The host view's invalidation for both flavours: the TLB shootdown (tlb.c). */
extern const struct own_inval_ops x86_npt_inval_ops;

/* plat.c */
void x86_time_init(void);

/* vtd.c */
struct ls_boot_info;
/* Table memory the VT-d units need from the pool (bytes, 2 MiB multiple). */
u64 x86_vtd_mem_bytes(const struct ls_boot_info *bi);
/* Take every unit of the boot info with its memory at @mem_pa; the host's DMA through them. */
void x86_vtd_init(const struct ls_boot_info *bi, u64 mem_pa);
/* Fault records of every live unit, logged (after each exit that may have caused DMA). */
void x86_vtd_poll(void);
/* Units taken. */
unsigned int x86_vtd_live(void);

/* smp.c */
extern struct x86_cpu x86_cpus[];
extern unsigned int x86_nr_cpus; /* CPUs that reached the hypervisor (x86_cpus[0..n)) */
struct x86_cpu *x86_this_cpu(void);
/* The boot CPU's entry, and every application processor brought under the hypervisor
 * through the loader's start-up page: parked until the host starts them. */
void x86_smp_boot_cpu(u64 stack_base, u64 stack_size, u32 nr_stacks);
void x86_smp_start_aps(const struct ls_boot_info *bi);
/* An NMI exit: the NMI taken in the hypervisor. False: it was the host's, re-inject it.
 * True: it was the hypervisor's; after the kick of a host INIT the CPU has waited for the
 * host's Startup IPI and its VMCB holds the start state. */
bool x86_smp_nmi_exit(struct x86_cpu *c);
/* A host INIT asked for this CPU: parked until the host's Startup IPI (true), or nothing. */
bool x86_smp_init_pending(struct x86_cpu *c);
/* Host INIT / Startup IPI to APIC ID @dest, from the CPU @from (apic.c). */
int x86_smp_host_init(const struct x86_cpu *from, u32 dest);
int x86_smp_host_sipi(const struct x86_cpu *from, u32 dest, u8 vec);
void x86_nmi(void);		  /* called by head.S's NMI stub */
extern u8 x86_park_gif;		  /* head.S: x86_park_hlt opens GIF (SVM) */
extern const char x86_nmi_stub[]; /* head.S */
void x86_park_hlt(void);	  /* head.S: sleep until an NMI */
void x86_nmi_unblock(void);	  /* head.S: IRET to self (VMX, after an NMI exit) */

/* apic.c */
extern u64 x86_apic_base; /* physical base of the xAPIC page (MSR 1Bh) */
void x86_apic_init(void);
/*
 * A host write the nested map refused on the APIC page: emulated, @v->rip advanced.
 * -EINVAL: not emulated (logged); the flavour gives the host #GP.
 */
int x86_apic_write_exit(struct x86_cpu *c, struct x86_guest_view *v);
u32 x86_apic_read(u32 reg);
void x86_apic_write(u32 reg, u32 val);
/* Send an NMI to @apic_id from this CPU's APIC (the ICR destination restored). */
void x86_apic_send_nmi(u32 apic_id);
/* This CPU's ICR (xAPIC mode, 16.5): INIT / SIPI sequences of the boot path. */
void x86_apic_ipi(u32 icr_hi, u32 icr_lo);

/* console.c */
void x86_console_init(void);
int x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* head.S */
long x86_entry(void *info);
void x86_switch_stack(u64 sp, void (*fn)(void)) __attribute__((noreturn));
void x86_load_segments(u16 cs, u16 ds);
extern const char x86_exc_stubs[];
void x86_exception(const u64 *frame) __attribute__((noreturn));

/* exit.c: what both flavours' exit handlers share. */
/* The hypercall ABI: the host's registers (RAX apart: the flavour keeps it) -> hvc_handle. */
void x86_exit_hvc(struct x86_cpu *c, u64 *rax);
/* CPUID as the host sees it (Lockstep shown; VMX, SVM, x2APIC hidden). */
struct x86_cpuid x86_exit_cpuid(u32 leaf, u32 sub);

/* boot.c: the hypervisor's GDT selectors and its TSS (never loaded with LTR: VMX's exit
 * loads TR from the host-state area, which needs a non-null selector, SDM Vol. 3C 26.2.3). */
#define X86_SEL_CODE 0x08
#define X86_SEL_DATA 0x10
#define X86_SEL_TSS  0x18
extern u8 x86_hyp_tss[104];
/* boot.c: this CPU's GDT, IDT and page tables, then the flavour on (cpu_on, setup). */
void x86_cpu_commit(struct x86_cpu *c);
/* head.S: the AP start-up code copied to the loader's page, and its patched fields. */
extern const char x86_tramp_start[], x86_tramp_end[], x86_tramp_cr3[], x86_tramp_entry[];
void x86_ap_entry(void);

#endif /* X86_X86_H */
