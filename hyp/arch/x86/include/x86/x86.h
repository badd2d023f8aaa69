/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 backend's internal interface (docs/x86.md). Units, bottom up:
 *   lib.c      string functions (the image links no C library)
 *   console.c  COM1 (16550 UART, I/O port 0x3f8), plat_log / plat_panic
 *   plat.c     plat.h services, CPU helpers
 *   svm.c      the VMCB, the VMRUN loop and the intercepts
 *   boot.c     installation on the boot CPU
 */
#ifndef X86_X86_H
#define X86_X86_H

#include <stdarg.h>

#include "hyp/types.h"

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

/* console.c */
void x86_console_init(void);
int x86_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* head.S */
long x86_entry(void *info);
void x86_switch_stack(u64 sp, void (*fn)(void)) __attribute__((noreturn));
void x86_load_segments(u16 cs, u16 ds);
extern const char x86_exc_stubs[];
void x86_exception(const u64 *frame) __attribute__((noreturn));

/* svm.c */
struct vmcb;
struct x86_gprs;
/* The host's VMCB and registers, filled by boot.c before the first VMRUN. */
struct vmcb *x86_host_vmcb(void);
struct x86_gprs *x86_host_gprs(void);
/* Intercepts, permission maps and nested paging of the host's VMCB (n_cr3: root). */
void x86_svm_setup(u64 n_cr3);
/* The VMRUN loop: handles every #VMEXIT of the host, never returns. */
void x86_svm_loop(void) __attribute__((noreturn));
extern const struct own_inval_ops x86_npt_inval_ops;

#endif /* X86_X86_H */
