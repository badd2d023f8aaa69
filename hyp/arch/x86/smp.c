// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every CPU under the hypervisor (docs/x86.md "Application processors").
 *
 * At install, before the host runs again, the boot CPU starts every application processor
 * itself with INIT and two Startup IPIs to all but itself (APM Vol. 2 16.5
 * "Interprocessor Interrupts"), at the loader's start-up page below 1 MiB (boot.h
 * "ap_tramp", kept out of the host's maps). That code (head.S) goes from real mode to
 * long mode on the hypervisor's page tables and calls x86_ap_main on the CPU's own stack
 * of the boot info; the CPU turns SVM on with its own host save area and VMCB and parks in
 * the hypervisor in the state of a CPU waiting for a Startup IPI.
 *
 * The host never sends a real INIT or Startup IPI: apic.c traps its ICR writes and calls
 * x86_smp_host_init / x86_smp_host_sipi. A Startup IPI to a parked CPU makes it enter the
 * host in real mode at the vector's page (the flavour's sipi_state), as the hardware would. An
 * INIT to a CPU running the host (CPU offline then online again: Linux's dead CPU halts
 * with interrupts off) asks it to park, and an NMI kicks it out of the guest (svm.c
 * intercepts NMIs; x86_smp_nmi_exit). A CPU that never reached the hypervisor (more CPUs
 * than the loader's cpus= stacks, or no start-up page) is never started: the host's INIT
 * and SIPI to it are refused, so no CPU runs host code outside the hypervisor.
 *
 * Locks: x86_cpus[n].lock guards that CPU's state, init_req and sipi; no other lock is
 * taken under it.
 */
#include <errno.h>
#include <string.h>

#include <lockstep/boot.h>

#include "hyp/plat.h"
#include "x86/x86.h"

struct x86_cpu x86_cpus[LS_BOOT_MAX_CPUS] __attribute__((aligned(4096)));
unsigned int x86_nr_cpus;

/* The per-CPU stacks of the boot info (head.S's x86_ap_entry reads these too). */
u64 x86_stack_base, x86_stack_size;
u32 x86_ap_next = 1, x86_ap_max = 1;
static u32 ap_arrived;

/* The CPU we run on: its stack is the boot info's stack number idx. */
struct x86_cpu *x86_this_cpu(void)
{
	u64 sp = (u64)(uintptr_t)__builtin_frame_address(0);
	u64 idx = (sp - x86_stack_base) / x86_stack_size;

	if (sp < x86_stack_base || idx >= x86_ap_max)
		plat_panic("stack %#llx is no CPU's", (unsigned long long)sp);
	return &x86_cpus[idx];
}

static u32 cpuid_apic_id(void)
{
	return x86_cpuid(1, 0).b >> 24; /* CPUID 1 EBX[31:24]: initial APIC ID (E.3.2) */
}

void x86_smp_boot_cpu(u64 stack_base, u64 stack_size, u32 nr_stacks)
{
	struct x86_cpu *c = &x86_cpus[0];

	x86_stack_base = stack_base;
	x86_stack_size = stack_size;
	x86_ap_max = nr_stacks;
	c->idx = 0;
	c->apic_id = cpuid_apic_id();
	c->state = X86_CPU_RUNNING;
	c->sipi = -1;
	x86_nr_cpus = 1;
}

/*
 * A parked CPU waits for the host's Startup IPI, as after INIT (16.5); then its VMCB holds
 * the start state at the vector's page. A second INIT while parked changes nothing.
 */
static void wait_sipi(struct x86_cpu *c)
{
	bool go = false;
	unsigned int vec = 0;

	while (!go) {
		hyp_spin_lock(&c->lock);
		c->init_req = false;
		if (c->sipi >= 0) {
			vec = (unsigned int)c->sipi;
			x86_fl->sipi_state(c, (u8)c->sipi);
			c->sipi = -1;
			c->state = X86_CPU_RUNNING;
			c->starts++;
			go = true;
		}
		hyp_spin_unlock(&c->lock);
		if (!go)
			x86_park_hlt(); /* x86_smp_host_sipi's NMI wakes us */
	}
	plat_log("CPU %u (APIC ID %u): host Startup IPI, vector %#x: entering the host in real "
		 "mode at %#x (start %llu)",
		 c->idx, c->apic_id, vec, vec << 12, (unsigned long long)c->starts);
}

/* ---- start-up at install ------------------------------------------------------------ */

void x86_ap_main(u32 idx);

/*
 * An application processor on its own stack (head.S), interrupts off, on the hypervisor's
 * page tables but the start-up page's GDT. Never returns: parks, then runs the host.
 */
void x86_ap_main(u32 idx)
{
	struct x86_cpu *c = &x86_cpus[idx];

	c->idx = idx;
	c->apic_id = cpuid_apic_id();
	c->sipi = -1;
	x86_cpu_commit(c);
	hyp_spin_lock(&c->lock);
	c->state = X86_CPU_PARKED;
	hyp_spin_unlock(&c->lock);
	/* Last: the boot CPU may reuse the start-up page once every CPU is past it. */
	__atomic_fetch_add(&ap_arrived, 1, __ATOMIC_RELEASE);
	wait_sipi(c);
	x86_fl->loop(c);
}

/* Relative offsets of the patched fields in the start-up code (head.S). */
#define TRAMP_OFF(sym) ((u64)(uintptr_t)(sym) - (u64)(uintptr_t)x86_tramp_start)

void x86_smp_start_aps(const struct ls_boot_info *bi)
{
	u64 page = bi->ap_tramp, len = TRAMP_OFF(x86_tramp_end), t0;
	u8 *p = plat_phys_to_virt(page);
	u32 cr3 = (u32)X86_READ_CR(3), want = x86_ap_max - 1, got;
	u64 entry = (u64)(uintptr_t)x86_ap_entry;

	if (!want)
		return;
	if (!page || X86_READ_CR(3) >> 32 || len > PAGE_SIZE) {
		plat_log("application processors not started (no start-up page below 1 MiB, or "
			 "page tables above 4 GiB): the host's INIT/SIPI to them will be refused");
		return;
	}
	memcpy(p, x86_tramp_start, len);
	memcpy(p + TRAMP_OFF(x86_tramp_cr3), &cr3, sizeof(cr3));
	memcpy(p + TRAMP_OFF(x86_tramp_entry), &entry, sizeof(entry));
	/*
	 * 16.5 "Startup IPI": INIT, 10 ms, Startup, 200 us, Startup again; to all excluding
	 * self (destination shorthand 11b): every CPU the firmware left waiting.
	 */
	x86_apic_ipi(0, (3U << 18) | BIT(15) | BIT(14) | (5U << 8));
	plat_udelay(10000);
	x86_apic_ipi(0, (3U << 18) | (6U << 8) | (u32)(page >> 12));
	plat_udelay(200);
	x86_apic_ipi(0, (3U << 18) | (6U << 8) | (u32)(page >> 12));
	t0 = plat_now_us();
	do {
		got = __atomic_load_n(&ap_arrived, __ATOMIC_ACQUIRE);
		if (got >= want)
			break;
		plat_spin_relax(0);
	} while (plat_now_us() - t0 < 1000000);
	x86_nr_cpus = 1 + got;
	/*
	 * The page stays the hypervisor's: a CPU that arrives late (or one beyond the
	 * stacks) runs code that only halts it (head.S). Its first bytes become "cli; hlt;
	 * jmp $-1" so that a late Startup is harmless too.
	 */
	p[0] = 0xfa; /* cli */
	p[1] = 0xf4; /* hlt */
	p[2] = 0xeb; /* jmp $-1 (back to the hlt) */
	p[3] = 0xfd;
	plat_log("%u CPUs under the hypervisor (%u stacks), the application processors started "
		 "from page %#llx and parked%s",
		 x86_nr_cpus, x86_ap_max, (unsigned long long)page,
		 got < want ? "; some CPUs did not arrive" : "");
}

/* ---- the host's INIT and Startup IPIs ------------------------------------------------ */

/*
 * An NMI from the hypervisor to CPU @c (a kick or a wake-up), counted so that @c's handler
 * tells it from the host's own NMIs: ours are never re-injected into the host (one that
 * arrives after the CPU started in real mode would go through the host's IVT).
 */
static void send_nmi(struct x86_cpu *c)
{
	__atomic_fetch_add(&c->hyp_nmis, 1, __ATOMIC_ACQ_REL);
	x86_apic_send_nmi(c->apic_id);
}

static struct x86_cpu *cpu_by_apic(u32 apic_id)
{
	unsigned int i;

	for (i = 0; i < x86_nr_cpus; i++)
		if (x86_cpus[i].apic_id == apic_id && x86_cpus[i].state != X86_CPU_ABSENT)
			return &x86_cpus[i];
	return NULL;
}

int x86_smp_host_init(const struct x86_cpu *from, u32 dest)
{
	struct x86_cpu *c = cpu_by_apic(dest);
	bool kick = false;

	if (!c || c == from)
		return -ENODEV;
	hyp_spin_lock(&c->lock);
	c->sipi = -1;
	if (c->state == X86_CPU_RUNNING) {
		c->init_req = true;
		kick = true;
	}
	hyp_spin_unlock(&c->lock);
	if (kick)
		send_nmi(c);
	return 0;
}

int x86_smp_host_sipi(const struct x86_cpu *from, u32 dest, u8 vec)
{
	struct x86_cpu *c = cpu_by_apic(dest);
	bool wake = false;

	if (!c || c == from)
		return -ENODEV;
	/* Only a CPU waiting for SIPI (parked, or about to) takes it; others ignore it. */
	hyp_spin_lock(&c->lock);
	if ((c->state == X86_CPU_PARKED || c->init_req) && c->sipi < 0) {
		c->sipi = vec;
		/*
		 * Parked: asleep in x86_park_hlt. Still in the host: it checks before sleeping.
		 * VMX has no GIF: the kick NMI of the INIT may have been taken in the hypervisor
		 * just before a VM entry, after the loop's check; kick again.
		 */
		wake = c->state == X86_CPU_PARKED || !x86_fl->gif;
	}
	hyp_spin_unlock(&c->lock);
	if (wake)
		send_nmi(c);
	return 0;
}

/* ---- NMIs ----------------------------------------------------------------------------- */

/* head.S's NMI stub, on the interrupted stack: count it for the window below. */
void x86_nmi(void)
{
	struct x86_cpu *c = x86_this_cpu();
	u32 n = __atomic_load_n(&c->hyp_nmis, __ATOMIC_ACQUIRE);

	/* One of ours (x86_smp_host_init/_sipi sent it) if any is outstanding. */
	while (n && !__atomic_compare_exchange_n(&c->hyp_nmis, &n, n - 1, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
		;
	if (!n)
		c->host_nmi = true;
	__atomic_fetch_add(&c->nmis_taken, 1, __ATOMIC_RELEASE);
}

bool x86_smp_init_pending(struct x86_cpu *c)
{
	bool park;

	hyp_spin_lock(&c->lock);
	park = c->init_req;
	if (park)
		c->state = X86_CPU_PARKED;
	hyp_spin_unlock(&c->lock);
	if (!park)
		return false;
	plat_log("CPU %u (APIC ID %u): host INIT: out of the host, waiting for its Startup IPI",
		 c->idx, c->apic_id);
	wait_sipi(c);
	/* An NMI of the host while this CPU was in INIT is lost, as on hardware. */
	c->host_nmi = false;
	return true;
}

bool x86_smp_nmi_exit(struct x86_cpu *c)
{
	bool host;

	x86_fl->take_nmi(c);
	if (x86_smp_init_pending(c))
		return true;
	host = c->host_nmi;
	c->host_nmi = false;
	return !host;
}
