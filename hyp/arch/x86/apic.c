// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's local APIC (docs/x86.md "Application processors"). The host drives its APIC in
 * xAPIC mode (x2APIC is hidden from CPUID and APIC_BASE.EXTD refused, svm.c), through the
 * 4 KiB register page at MSR APIC_BASE. That page is mapped read-only in the host's nested
 * table: reads go to the hardware, every write exits (NPF) and is emulated here:
 *
 *   ICR low (300h), delivery mode INIT or Startup: never sent. An INIT or a Startup IPI
 *       would take a CPU out of the hypervisor (SVM offers only an INIT intercept, and the
 *       INIT stays pending: APM Vol. 2 15.13.3); smp.c emulates them for the CPUs it
 *       knows (physical destination), and refuses every other form (logged).
 *   ICR low, delivery mode SMI: refused (logged): SMM runs firmware code outside Lockstep.
 *   Every other register (EOI, TPR, LVTs, timer, ICR high, fixed and NMI IPIs): written to
 *       this CPU's APIC as the host asked (each CPU sees its own APIC at the same address).
 *
 * Neither flavour reports the written value here (SVM has no decode assists on QEMU's TCG;
 * VMX's EPT violation gives the address only, SDM Vol. 3C 28.2.1 Table 28-7): the instruction is read
 * from the host's memory through its page tables and decoded. Linux writes APIC registers
 * with MOV r/m32, r32 (89 /r) only; MOV r/m32, imm32 (C7 /0) is accepted too. Anything else
 * (another instruction, a non-64-bit code segment) gets #GP, logged.
 */
#include <errno.h>
#include <string.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/svm.h"
#include "x86/x86.h"

/* xAPIC registers (APM Vol. 2 16.3.2 Table 16-2 "APIC Registers"). */
#define APIC_ID	       0x020
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
/* ICR (16.5 "Interprocessor Interrupts", Figure 16-14). */
#define ICR_MT	       GENMASK(10, 8) /* message type */
#define ICR_MT_NMI     (4U << 8)
#define ICR_MT_SMI     (2U << 8)
#define ICR_MT_INIT    (5U << 8)
#define ICR_MT_STARTUP (6U << 8)
#define ICR_DM_LOGICAL BIT(11)
#define ICR_DS	       BIT(12) /* delivery status: send pending */
#define ICR_L_ASSERT   BIT(14)
#define ICR_TM_LEVEL   BIT(15)
#define ICR_DSH	       GENMASK(19, 18) /* destination shorthand: 0 = the destination field */
#define ICR_VEC	       GENMASK(7, 0)
#define ICR_HI_DEST(h) ((h) >> 24)

u64 x86_apic_base;

u32 x86_apic_read(u32 reg)
{
	return plat_read32(x86_apic_base + reg);
}

void x86_apic_write(u32 reg, u32 val)
{
	plat_write32(x86_apic_base + reg, val);
}

void x86_apic_init(void)
{
	x86_apic_base = x86_rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK;
}

static void icr_wait_idle(void)
{
	unsigned int i;

	for (i = 0; i < 100000 && (x86_apic_read(APIC_ICR_LO) & ICR_DS); i++)
		plat_spin_relax(i);
}

void x86_apic_ipi(u32 icr_hi, u32 icr_lo)
{
	icr_wait_idle();
	x86_apic_write(APIC_ICR_HI, icr_hi);
	x86_apic_write(APIC_ICR_LO, icr_lo);
	icr_wait_idle();
}

void x86_apic_send_nmi(u32 apic_id)
{
	u32 hi = x86_apic_read(APIC_ICR_HI); /* the host's destination, put back */

	x86_apic_ipi(apic_id << 24, ICR_MT_NMI);
	x86_apic_write(APIC_ICR_HI, hi);
}

/* ---- reading the instruction ------------------------------------------------------- */

/* A host-owned RAM page, or NULL: the host's page tables and code must be its own. */
static const u8 *host_page(u64 pa)
{
	enum own_state st = own_page_state(OWN_HOST, ALIGN_DOWN(pa, PAGE_SIZE));

	if (st != OWN_OWNED && st != OWN_SHARED_OWNED && st != OWN_SHARED_BORROWED)
		return NULL;
	return plat_phys_to_virt(pa);
}

/*
 * Linear -> guest-physical through the host's 4-level long-mode tables (APM Vol. 2 5.3
 * "Long-Mode Page Translation": 9 bits per level from bit 39, PS at PDPE (1 GiB) and PDE
 * (2 MiB), address bits 51:12). Guest-physical is physical: the nested map is identity.
 */
static int guest_walk(const struct x86_guest_view *v, u64 va, u64 *pa)
{
	u64 table = v->cr3 & GENMASK(51, 12), e = 0;
	int level;

	for (level = 3; level >= 0; level--) {
		const u8 *p = host_page(table);
		unsigned int idx = (unsigned int)(va >> (12 + 9 * level)) & 511;

		if (!p)
			return -EFAULT;
		memcpy(&e, p + (size_t)idx * 8, sizeof(e));
		if (!(e & BIT(0)))
			return -EFAULT;
		if (level && level < 3 && (e & BIT(7))) {
			u64 sz = BIT(12 + 9 * level);

			*pa = (e & GENMASK(51, 12) & ~(sz - 1)) | (va & (sz - 1));
			return 0;
		}
		table = e & GENMASK(51, 12);
	}
	*pa = table | (va & (PAGE_SIZE - 1));
	return 0;
}

/* Up to @n instruction bytes at RIP; how many could be read (the next page may be absent). */
static unsigned int fetch(const struct x86_guest_view *v, u8 *buf, unsigned int n)
{
	unsigned int i;
	u64 pa;

	for (i = 0; i < n; i++) {
		const u8 *p;

		if (guest_walk(v, v->rip + i, &pa))
			break;
		p = host_page(pa);
		if (!p)
			break;
		buf[i] = *p;
	}
	return i;
}

static u64 gpr(const struct x86_cpu *c, const struct x86_guest_view *v, unsigned int r)
{
	const struct x86_gprs *g = &c->gprs;
	const u64 regs[16] = { v->rax, g->rcx, g->rdx, g->rbx, v->rsp, g->rbp, g->rsi, g->rdi,
			       g->r8,  g->r9,  g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 };

	return regs[r & 15];
}

/*
 * Decode the host's store at RIP (APM Vol. 3 1.2 "Instruction Prefixes", 1.4 "ModRM and
 * SIB Bytes", 2.5 REX): its length and the 32-bit value it writes.
 */
static int decode_store(const struct x86_cpu *c, const struct x86_guest_view *v, u32 *val,
			unsigned int *len)
{
	u8 b[15] = { 0 }, rex = 0, op, modrm, mod, rm;
	unsigned int i = 0, got;

	/*
	 * 64-bit code only (EFER.LMA, CS.L = attribute bit 9): Linux touches the APIC in long
	 * mode; 4-level paging only (CR4.LA57, bit 12, clear).
	 */
	if (!(v->efer & BIT(10)) || !v->cs_l || (v->cr4 & BIT(12)))
		return -EINVAL;
	got = fetch(v, b, sizeof(b));
	/* Segment-override prefixes change nothing here: the fault gave the address. */
	while (i < 4 && (b[i] == 0x2e || b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x36 ||
			 b[i] == 0x64 || b[i] == 0x65))
		i++;
	if ((b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (rex & 0x08) /* REX.W: a 64-bit store to a 32-bit register */
		return -EINVAL;
	op = b[i++];
	modrm = b[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -EINVAL;
	if (op == 0x89)
		*val = (u32)gpr(c, v, ((modrm >> 3) & 7) | ((rex & 0x04) ? 8U : 0U));
	else if (op != 0xc7 || ((modrm >> 3) & 7))
		return -EINVAL;
	if (rm == 4 && mod != 3) { /* SIB */
		if (mod == 0 && (b[i] & 7) == 5)
			i += 4; /* no base: disp32 */
		i++;
	} else if (mod == 0 && rm == 5) {
		i += 4; /* RIP-relative disp32 */
	}
	if (mod == 1)
		i += 1;
	else if (mod == 2)
		i += 4;
	if (op == 0xc7) {
		if (i + 4 > sizeof(b))
			return -EINVAL;
		memcpy(val, &b[i], 4);
		i += 4;
	}
	/* Every byte the decode used must have been read (b[] is zeroed past them). */
	if (i > got)
		return -EINVAL;
	*len = i;
	return 0;
}

/* ---- the ICR ---------------------------------------------------------------------- */

static u64 nr_refused;

static void refuse(const struct x86_cpu *c, const char *what, u32 hi, u32 lo)
{
	if (nr_refused++ < 16)
		plat_log("CPU %u: host IPI refused (%s): ICR %#x:%08x", c->idx, what, hi, lo);
}

/* A host write of @lo to ICR low on CPU @c. */
static void icr_write(struct x86_cpu *c, u32 lo)
{
	u32 hi = x86_apic_read(APIC_ICR_HI), mt = lo & (u32)ICR_MT;
	u32 dest = ICR_HI_DEST(hi);

	if (mt != ICR_MT_INIT && mt != ICR_MT_STARTUP && mt != ICR_MT_SMI) {
		x86_apic_write(APIC_ICR_LO, lo);
		return;
	}
	if (mt == ICR_MT_SMI) {
		refuse(c, "SMI", hi, lo);
		return;
	}
	if (lo & (u32)(ICR_DSH | ICR_DM_LOGICAL)) {
		refuse(c, "INIT/Startup by shorthand or logical destination", hi, lo);
		return;
	}
	if (mt == ICR_MT_INIT && (lo & (u32)ICR_TM_LEVEL) && !(lo & (u32)ICR_L_ASSERT))
		return; /* INIT level de-assert: no effect on a CPU of this family (16.5) */
	if (mt == ICR_MT_INIT ? x86_smp_host_init(c, dest) :
				x86_smp_host_sipi(c, dest, (u8)(lo & ICR_VEC)))
		refuse(c,
		       mt == ICR_MT_INIT ? "INIT to a CPU Lockstep does not run" :
					   "Startup to a CPU Lockstep does not run",
		       hi, lo);
}

int x86_apic_write_exit(struct x86_cpu *c, struct x86_guest_view *v)
{
	u32 reg = (u32)(v->gpa & (PAGE_SIZE - 1)), val;
	unsigned int len;
	static u64 nr_logged;

	if (v->cpl != 0 || (reg & 3) || decode_store(c, v, &val, &len)) {
		if (nr_logged++ < 16)
			plat_log("CPU %u: host APIC write at %#llx not emulated (RIP %#llx, CPL "
				 "%u): #GP",
				 c->idx, (unsigned long long)v->gpa, (unsigned long long)v->rip,
				 v->cpl);
		return -EINVAL;
	}
	if (reg == APIC_ICR_LO)
		icr_write(c, val);
	else
		x86_apic_write(reg, val);
	v->rip += len;
	return 0;
}
