// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native tests of hyp/arch/x86/apic.c (suite x86-unit, docs/x86.md "Tests"): the
 * emulation of the host's writes to its read-only xAPIC page, without the CPU. The real
 * apic.c is linked against stand-ins for what it calls: memory is the test's own (physical
 * = virtual, as in the hypervisor), own_page_state says "host-owned" except for one page,
 * the APIC registers are an array, and the INIT/SIPI emulation records its calls. A guest
 * 4-level page table (APM Vol. 2 5.3) maps the code page the instructions are placed in.
 * Instruction encodings from APM Vol. 3 (opcode map, ModRM/SIB 1.4, REX 1.2.7).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/svm.h"
#include "x86/x86.h"

static int t_n, t_fail;

static void t_ok(int cond, const char *name)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%s %d - x86 apic: %s\n", cond ? "ok" : "not ok", t_n, name);
}

/* ---- stand-ins ---------------------------------------------------------------------- */

static u32 apic_regs[1024];
static unsigned int nr_writes;
static u64 denied_page;
static int init_calls, sipi_calls;
static u32 last_dest;
static u8 last_vec;

enum own_state own_page_state(u32 who, u64 pa)
{
	(void)who;
	return pa == denied_page ? OWN_NOPAGE : OWN_OWNED;
}

void *plat_phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

u32 plat_read32(u64 pa)
{
	return apic_regs[(pa - x86_apic_base) / 4];
}

void plat_write32(u64 pa, u32 val)
{
	nr_writes++;
	apic_regs[(pa - x86_apic_base) / 4] = val;
}

void plat_spin_relax(unsigned int spins)
{
	(void)spins;
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	printf("# log: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int x86_smp_host_init(const struct x86_cpu *from, u32 dest)
{
	(void)from;
	init_calls++;
	last_dest = dest;
	return dest == 9 ? -19 : 0; /* APIC ID 9: a CPU the hypervisor does not run */
}

int x86_smp_host_sipi(const struct x86_cpu *from, u32 dest, u8 vec)
{
	(void)from;
	sipi_calls++;
	last_dest = dest;
	last_vec = vec;
	return 0;
}

/* ---- a guest with its page tables ------------------------------------------------------ */

static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[512] __attribute__((aligned(4096)));
static u64 pt[512] __attribute__((aligned(4096)));
static u8 code[2 * 4096] __attribute__((aligned(4096)));
static struct x86_cpu cpu;
static struct x86_guest_view gv; /* the host's state at the exit, as a flavour fills it */
static int exit_ret;

#define GVA 0xffffffff81000000ULL /* where the guest sees its code page */

static void map_guest(void)
{
	u64 p = BIT(0) | BIT(1);

	pml4[(GVA >> 39) & 511] = (u64)(uintptr_t)pdpt | p;
	pdpt[(GVA >> 30) & 511] = (u64)(uintptr_t)pd | p;
	pd[(GVA >> 21) & 511] = (u64)(uintptr_t)pt | p;
	pt[(GVA >> 12) & 511] = (u64)(uintptr_t)code | p;
	pt[((GVA >> 12) & 511) + 1] = (u64)(uintptr_t)(code + 4096) | p;
	memset(&cpu, 0, sizeof(cpu));
	memset(&gv, 0, sizeof(gv));
	gv.cr3 = (u64)(uintptr_t)pml4;
	gv.efer = BIT(8) | BIT(10); /* LME, LMA */
	gv.cs_l = true;		    /* 64-bit code */
}

/* Run one NPF on the APIC page at @reg with instruction @insn at code offset @at. */
static void run(unsigned int at, const u8 *insn, size_t n, u32 reg)
{
	memset(code, 0x90, sizeof(code));
	memcpy(code + at, insn, n);
	gv.rip = GVA + at;
	gv.gpa = x86_apic_base + reg;
	init_calls = sipi_calls = 0;
	nr_writes = 0;
	exit_ret = x86_apic_write_exit(&cpu, &gv);
}

static int gp_injected(void)
{
	return exit_ret == -EINVAL; /* the flavour then injects #GP */
}

int main(void)
{
	/* mov %eax, 0xffffffffff5fd300 (89 /r, ModRM 04, SIB 25: disp32, no base) */
	const u8 mov_abs[] = { 0x89, 0x04, 0x25, 0x00, 0xd3, 0x5f, 0xff };
	const u8 mov_r8[] = { 0x44, 0x89, 0x04, 0x25, 0xb0, 0xd0, 0x5f, 0xff }; /* REX.R: r8d */
	const u8 mov_imm[] = { 0xc7, 0x04, 0x25, 0xb0, 0xd0, 0x5f, 0xff, 0x00, 0x00, 0x00, 0x00 };
	const u8 mov_disp8[] = { 0x89, 0x4a, 0x10 };			/* mov %ecx, 0x10(%rdx) */
	const u8 mov_rip[] = { 0x89, 0x05, 0x10, 0x20, 0x30, 0x00 };	/* mov %eax, disp(%rip) */
	const u8 mov_seg[] = { 0x65, 0x89, 0x02 };			/* mov %eax, %gs:(%rdx) */
	const u8 load[] = { 0x8b, 0x04, 0x25, 0x00, 0xd3, 0x5f, 0xff }; /* mov from memory */
	const u8 mov_w[] = { 0x48, 0x89, 0x04, 0x25, 0x00, 0xd3, 0x5f, 0xff };
	const u8 mov_short[] = { 0x89, 0x02 }; /* mov %eax, (%rdx) */

	printf("1..21\n");
	x86_apic_base = 0xfee00000ULL;
	map_guest();

	/* Linux's INIT: ICR high = destination 2, ICR low = level | assert | INIT. */
	apic_regs[0x310 / 4] = 2U << 24;
	gv.rax = 0x0000c500;
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(init_calls == 1 && last_dest == 2 && nr_writes == 0,
	     "INIT to APIC ID 2 emulated, nothing written to the APIC");
	t_ok(gv.rip == GVA + sizeof(mov_abs) && !exit_ret,
	     "RIP advanced past 89 04 25 disp32 (7 bytes), no event");

	gv.rax = 0x00000698; /* Startup, vector 98h */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(sipi_calls == 1 && last_dest == 2 && last_vec == 0x98 && nr_writes == 0,
	     "Startup IPI to APIC ID 2 with vector 98h emulated");

	gv.rax = 0x00008500; /* INIT level de-assert */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(!init_calls && !nr_writes && gv.rip == GVA + 7,
	     "INIT level de-assert dropped, RIP advanced");

	gv.rax = 0x000c4500; /* INIT to all excluding self */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(!init_calls && !nr_writes, "INIT by shorthand refused, nothing sent");
	gv.rax = 0x0000cd00; /* INIT, logical destination */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(!init_calls && !nr_writes, "INIT to a logical destination refused");
	gv.rax = 0x00000200; /* SMI */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(!init_calls && !sipi_calls && !nr_writes && gv.rip == GVA + 7,
	     "SMI refused, RIP advanced (the write is dropped, the host goes on)");
	apic_regs[0x310 / 4] = 9U << 24;
	gv.rax = 0x0000c500;
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(init_calls == 1 && !nr_writes,
	     "INIT to an APIC ID the hypervisor does not run: refused");

	gv.rax = 0x000000fd; /* fixed IPI, vector FDh */
	apic_regs[0x310 / 4] = 1U << 24;
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(nr_writes == 1 && apic_regs[0x300 / 4] == 0xfd && !init_calls,
	     "a fixed IPI is written to the APIC's ICR");
	gv.rax = 0x00000400; /* NMI */
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(nr_writes == 1 && apic_regs[0x300 / 4] == 0x400, "an NMI IPI is written to the ICR");

	cpu.gprs.r8 = 0x1234;
	run(0, mov_r8, sizeof(mov_r8), 0xb0);
	t_ok(nr_writes == 1 && apic_regs[0xb0 / 4] == 0x1234 && gv.rip == GVA + 8,
	     "REX.R: EOI written from r8d, 8 bytes");
	apic_regs[0xb0 / 4] = 7;
	run(0, mov_imm, sizeof(mov_imm), 0xb0);
	t_ok(nr_writes == 1 && apic_regs[0xb0 / 4] == 0 && gv.rip == GVA + 11,
	     "C7 /0 imm32: EOI written with the immediate, 11 bytes");
	cpu.gprs.rcx = 0xabcd;
	run(0, mov_disp8, sizeof(mov_disp8), 0x380);
	t_ok(apic_regs[0x380 / 4] == 0xabcd && gv.rip == GVA + 3,
	     "ModRM mod 1 (disp8): the timer count from ecx, 3 bytes");
	gv.rax = 0x55;
	run(0, mov_rip, sizeof(mov_rip), 0x80);
	t_ok(apic_regs[0x80 / 4] == 0x55 && gv.rip == GVA + 6, "RIP-relative disp32, 6 bytes");
	run(0, mov_seg, sizeof(mov_seg), 0x80);
	t_ok(apic_regs[0x80 / 4] == 0x55 && gv.rip == GVA + 3,
	     "a segment prefix is skipped, 3 bytes");

	gv.rax = 0x0000c500;
	apic_regs[0x310 / 4] = 2U << 24;
	run(0, load, sizeof(load), 0x300);
	t_ok(gp_injected() && gv.rip == GVA && !init_calls && !nr_writes,
	     "a load (8B) is not emulated: #GP, RIP unchanged");
	run(0, mov_w, sizeof(mov_w), 0x300);
	t_ok(gp_injected() && !init_calls, "REX.W (a 64-bit store): #GP");
	gv.cpl = 3;
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(gp_injected() && !init_calls, "from CPL 3: #GP");
	gv.cpl = 0;

	/* At the end of the page, with the next page absent from the guest's map. */
	pt[((GVA >> 12) & 511) + 1] = 0;
	run(4096 - sizeof(mov_short), mov_short, sizeof(mov_short), 0x300);
	t_ok(init_calls == 1 && gv.rip == GVA + 4096,
	     "a 2-byte store at the end of a page before an unmapped one is emulated");
	run(4096 - 3, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(gp_injected() && !init_calls,
	     "a store crossing into an unmapped page is not emulated (#GP)");
	pt[((GVA >> 12) & 511) + 1] = (u64)(uintptr_t)(code + 4096) | 3;

	/* The host's page tables must be its own memory. */
	denied_page = (u64)(uintptr_t)pd;
	run(0, mov_abs, sizeof(mov_abs), 0x300);
	t_ok(gp_injected() && !init_calls,
	     "a guest table in memory the host does not own is not read (#GP)");
	denied_page = 0;

	fprintf(stderr, "x86 apic: %d tests, %d failed\n", t_n, t_fail);
	return 0;
}
