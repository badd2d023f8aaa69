// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-native tests of hyp/arch/x86/tlb.c (suite x86-unit, docs/x86.md "TLB shootdown"): the
 * request/acknowledge protocol of the host view's TLB shootdown, with the real tlb.c and
 * threads for CPUs. Each simulated CPU runs the loop of svm.c's x86_svm_loop around a
 * simulated VMRUN: x86_tlb_guest_enter (a flush reloads its "TLB": the version of the nested
 * table it caches), then "the guest" until an NMI arrives (or, in the stress test, at random),
 * then x86_tlb_guest_exit, taking the NMI as smp.c's x86_nmi does (hyp_nmis - 1). The
 * requester changes the table (version + 1), runs the invalidation ops and publishes the
 * version as complete; a CPU that is in the guest with an older TLB after that is the bug
 * the protocol prevents, and every CPU counts the times it sees it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lockstep/abi.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/tlb.h"
#include "x86/x86.h"

static int t_n, t_fail;

static void t_ok(int cond, const char *name)
{
	t_n++;
	if (!cond)
		t_fail++;
	printf("%s %d - x86 tlb: %s\n", cond ? "ok" : "not ok", t_n, name);
	fflush(stdout);
}

/* ---- stand-ins ---------------------------------------------------------------------- */

#define NCPU 4

struct x86_cpu x86_cpus[LS_BOOT_MAX_CPUS];
unsigned int x86_nr_cpus;
static __thread struct x86_cpu *this_cpu;

enum sim_mode {
	SIM_IDLE,    /* in the guest until an NMI (Linux's idle HLT) */
	SIM_STRESS,  /* leaves the guest on an NMI or at random */
	SIM_DEAF,    /* never leaves the guest (a CPU that does not take the NMI) */
	SIM_OUTSIDE, /* stays in the hypervisor (run_seq even) */
};

static struct sim {
	pthread_t th;
	enum sim_mode mode;
	int nmi_pending;
	int stop;
	u64 tlb_version; /* the table version this CPU's TLB holds */
	u64 runs;	 /* guest entries */
	u64 nmis_sent;	 /* NMIs sent to it (x86_apic_send_nmi) */
	u64 stale;	 /* times it was in the guest with a TLB older than a completed change */
	unsigned int seed;
} sim[NCPU];

static u64 table_version;     /* the nested table, changed by the requester */
static u64 completed_version; /* changes whose invalidation returned */

static jmp_buf panic_jmp;
static int panic_armed; /* only test_deaf expects a panic */
static char panic_msg[256];

struct x86_cpu *x86_this_cpu(void)
{
	return this_cpu;
}

void x86_apic_send_nmi(u32 apic_id)
{
	struct sim *s = &sim[apic_id - 0x10];

	__atomic_fetch_add(&s->nmis_sent, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->nmi_pending, 1, __ATOMIC_RELEASE);
}

u64 plat_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000ULL + (u64)ts.tv_nsec / 1000;
}

void plat_spin_relax(unsigned int spins)
{
	if ((spins & 63) == 63)
		sched_yield();
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

/* Only the requester (the main thread) may panic: back to the test that expects it. */
void plat_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	printf("# panic: %s\n", panic_msg);
	if (!panic_armed) {
		printf("not ok - x86 tlb: unexpected panic\n");
		exit(1);
	}
	longjmp(panic_jmp, 1);
}

/* ---- simulated CPUs --------------------------------------------------------------------- */

static void *cpu_thread(void *arg)
{
	struct sim *s = arg;
	struct x86_cpu *c = &x86_cpus[s - sim];

	this_cpu = c;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		if (s->mode == SIM_OUTSIDE) {
			sched_yield();
			continue;
		}
		if (x86_tlb_guest_enter(c))
			s->tlb_version = __atomic_load_n(&table_version, __ATOMIC_ACQUIRE);
		__atomic_fetch_add(&s->runs, 1, __ATOMIC_RELAXED);
		for (;;) { /* the guest: uses its TLB */
			if (__atomic_load_n(&completed_version, __ATOMIC_ACQUIRE) > s->tlb_version)
				__atomic_fetch_add(&s->stale, 1, __ATOMIC_RELAXED);
			if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
				break;
			if (s->mode != SIM_DEAF &&
			    __atomic_load_n(&s->nmi_pending, __ATOMIC_ACQUIRE))
				break;
			if (s->mode == SIM_STRESS && rand_r(&s->seed) % 16 == 0)
				break;
			sched_yield();
		}
		x86_tlb_guest_exit(c);
		if (__atomic_exchange_n(&s->nmi_pending, 0, __ATOMIC_ACQ_REL))
			__atomic_fetch_sub(&c->hyp_nmis, 1, __ATOMIC_ACQ_REL); /* x86_nmi */
		if (s->mode == SIM_STRESS && rand_r(&s->seed) % 2 == 0)
			for (unsigned int k = 0; k < 4; k++)
				sched_yield(); /* handling an exit in the hypervisor */
	}
	return NULL;
}

static void reset(void)
{
	unsigned int i;

	memset(x86_cpus, 0, sizeof(x86_cpus));
	memset(sim, 0, sizeof(sim));
	x86_nr_cpus = NCPU;
	for (i = 0; i < NCPU; i++) {
		x86_cpus[i].idx = i;
		x86_cpus[i].apic_id = 0x10 + i;
		sim[i].seed = 1234 + i;
	}
	table_version = completed_version = 0;
	this_cpu = &x86_cpus[0]; /* the main thread is CPU 0, the requester */
}

static void start(unsigned int i, enum sim_mode mode)
{
	sim[i].mode = mode;
	pthread_create(&sim[i].th, NULL, cpu_thread, &sim[i]);
}

static void stop_all(void)
{
	unsigned int i;

	for (i = 1; i < NCPU; i++)
		__atomic_store_n(&sim[i].stop, 1, __ATOMIC_RELEASE);
	for (i = 1; i < NCPU; i++)
		pthread_join(sim[i].th, NULL);
}

/* Wait until CPU @i has entered the guest @n times. */
static void wait_runs(unsigned int i, u64 n)
{
	while (__atomic_load_n(&sim[i].runs, __ATOMIC_ACQUIRE) < n)
		sched_yield();
}

/* One change of the host's nested table, through the ops the ownership core calls. */
static void change(u32 who)
{
	struct pt_gather g;

	memset(&g, 0, sizeof(g));
	__atomic_fetch_add(&table_version, 1, __ATOMIC_ACQ_REL);
	x86_npt_inval_ops.invalidate(NULL, who, &g);
	x86_npt_inval_ops.sync(NULL, who);
	__atomic_store_n(&completed_version, table_version, __ATOMIC_RELEASE);
}

static u64 stat(unsigned int cpu, unsigned int id)
{
	u64 v = 0, nr = 0;

	if (plat_cpu_stat(cpu, id, &v, &nr))
		return ~0ULL;
	return v;
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_idle(void)
{
	unsigned int i;
	int kicks = 1, acks = 1, targeted = 1, runs = 1, flushes = 1;

	reset();
	for (i = 1; i < NCPU; i++) {
		start(i, SIM_IDLE);
		wait_runs(i, 1);
	}
	change(OWN_HOST);
	for (i = 1; i < NCPU; i++) {
		wait_runs(i, 2);
		kicks &= sim[i].nmis_sent == 1 && stat(i, LS_CPU_STAT_TLB_KICKS) == 1;
		acks &= stat(i, LS_CPU_STAT_TLB_ACKS) == 1;
		targeted &= stat(i, LS_CPU_STAT_TLB_TARGETED) == 1;
		runs &= sim[i].stale == 0;
		flushes &= stat(i, LS_CPU_STAT_TLB_FLUSHES) == 1 && sim[i].tlb_version == 1;
	}
	t_ok(kicks, "3 CPUs idle in the host: one NMI each (LS_CPU_STAT_TLB_KICKS 1)");
	t_ok(acks && targeted, "each of them acknowledged once (TARGETED 1, ACKS 1)");
	t_ok(runs, "none was in the host with the old TLB once the change returned");
	t_ok(flushes, "each re-entered the host with a flush and the new table");
	t_ok(stat(0, LS_CPU_STAT_TLB_REQS) == 1 && stat(0, LS_CPU_STAT_TLB_TARGETED) == 0 &&
		     stat(0, LS_CPU_STAT_TLB_KICKS) == 0 && stat(1, LS_CPU_STAT_TLB_REQS) == 0,
	     "the requester counts one request and is not kicked itself");
	t_ok(x86_tlb_guest_enter(&x86_cpus[0]) && stat(0, LS_CPU_STAT_TLB_FLUSHES) == 1,
	     "the requester flushes at its own next VMRUN");
	x86_tlb_guest_exit(&x86_cpus[0]);
	stop_all();
}

static void test_outside(void)
{
	reset();
	/* CPU 1 in the hypervisor (run_seq even), CPUs 2 and 3 idle in the host. */
	start(2, SIM_IDLE);
	start(3, SIM_IDLE);
	wait_runs(2, 1);
	wait_runs(3, 1);
	change(OWN_HOST);
	t_ok(sim[1].nmis_sent == 0 && stat(1, LS_CPU_STAT_TLB_KICKS) == 0 &&
		     stat(1, LS_CPU_STAT_TLB_ACKS) == 1 && stat(2, LS_CPU_STAT_TLB_KICKS) == 1,
	     "a CPU in the hypervisor is not kicked nor waited for, and counts as acknowledged");
	t_ok(x86_tlb_guest_enter(&x86_cpus[1]), "... and flushes at its next VMRUN");
	x86_tlb_guest_exit(&x86_cpus[1]);
	t_ok(!x86_tlb_guest_enter(&x86_cpus[1]), "... once: the VMRUN after it does not flush");
	x86_tlb_guest_exit(&x86_cpus[1]);
	stop_all();
}

static void test_outstanding(void)
{
	struct x86_cpu *c = &x86_cpus[1];

	reset();
	x86_nr_cpus = 2;
	x86_tlb_guest_enter(c); /* CPU 1 in the guest, single-threaded */
	x86_tlb_shootdown_start(&x86_cpus[0]);
	x86_tlb_shootdown_start(&x86_cpus[0]);
	t_ok(sim[1].nmis_sent == 1 && c->hyp_nmis == 1 && stat(1, LS_CPU_STAT_TLB_KICKS) == 2,
	     "a second kick while the first NMI is on its way sends none (hyp_nmis stays 1)");
	x86_tlb_guest_exit(c);
	x86_tlb_shootdown_wait(&x86_cpus[0]);
	t_ok(stat(1, LS_CPU_STAT_TLB_ACKS) == 1 && x86_cpus[0].tlb.wait_seq[1] == 0,
	     "the wait returns once the CPU left the guest");
}

static void test_stress(void)
{
	const u64 rounds = 3000;
	unsigned int i;
	u64 r, stale = 0, left = 0;
	int acks = 1, kicks = 1, flushes = 1;
	unsigned int seed = 99, k;
	u64 nk = 0, nout = 0;

	reset();
	for (i = 1; i < NCPU; i++)
		start(i, SIM_STRESS);
	for (i = 1; i < NCPU; i++)
		wait_runs(i, 1);
	for (r = 0; r < rounds; r++) {
		change(OWN_HOST);
		for (k = rand_r(&seed) % 4; k; k--)
			sched_yield(); /* let the CPUs move between changes */
	}
	stop_all();
	for (i = 1; i < NCPU; i++) {
		stale += sim[i].stale;
		left += x86_cpus[i].hyp_nmis;
		acks &= stat(i, LS_CPU_STAT_TLB_ACKS) == rounds &&
			stat(i, LS_CPU_STAT_TLB_TARGETED) == rounds;
		kicks &= stat(i, LS_CPU_STAT_TLB_KICKS) <= rounds && sim[i].nmis_sent <= rounds;
		flushes &= stat(i, LS_CPU_STAT_TLB_FLUSHES) >= 1;
		nk += stat(i, LS_CPU_STAT_TLB_KICKS);
		nout += stat(i, LS_CPU_STAT_TLB_ACKS) - stat(i, LS_CPU_STAT_TLB_KICKS);
		printf("# CPU %u: %llu guest runs, %llu kicks, %llu NMIs sent, %llu flushes\n", i,
		       (unsigned long long)sim[i].runs,
		       (unsigned long long)stat(i, LS_CPU_STAT_TLB_KICKS),
		       (unsigned long long)sim[i].nmis_sent,
		       (unsigned long long)stat(i, LS_CPU_STAT_TLB_FLUSHES));
	}
	t_ok(stale == 0, "3000 changes against 3 CPUs entering and leaving the host at random: "
			 "no CPU ever in the host with a TLB older than a completed change");
	t_ok(acks, "every change acknowledged by every other CPU (ACKS = TARGETED = 3000)");
	printf("# %llu kicks, %llu CPUs found out of the host\n", (unsigned long long)nk,
	       (unsigned long long)nout);
	t_ok(kicks && flushes && nk && nout,
	     "at most one NMI per change and CPU; every CPU flushed; both cases (in the host: "
	     "kicked, out of it: not) happened");
	t_ok(left == 0, "every NMI sent was taken (no hyp_nmis left over)");
}

static void test_deaf(void)
{
	volatile u64 t0 = 0;
	u64 dt;

	reset();
	start(1, SIM_IDLE);
	start(2, SIM_DEAF);
	start(3, SIM_IDLE);
	wait_runs(1, 1);
	wait_runs(2, 1);
	wait_runs(3, 1);
	panic_msg[0] = 0;
	panic_armed = 1;
	if (!setjmp(panic_jmp)) {
		t0 = plat_now_us();
		change(OWN_HOST);
	}
	panic_armed = 0;
	dt = plat_now_us() - t0;
	t_ok(strstr(panic_msg, "CPU 2 (APIC ID 18)") != NULL && dt >= X86_TLB_WAIT_US,
	     "a CPU that stays in the host after its NMI: the hypervisor stops after the bound "
	     "(fail closed), naming it");
	printf("# waited %llu us\n", (unsigned long long)dt);
	stop_all();
}

static void test_vm_view(void)
{
	reset();
	start(1, SIM_IDLE);
	wait_runs(1, 1);
	change(0); /* VM 0's view: no CPU runs a VM on x86 */
	t_ok(stat(0, LS_CPU_STAT_TLB_REQS) == 0 && sim[1].nmis_sent == 0 && !x86_cpus[1].tlb.flush,
	     "a VM view's change shoots nothing down (no vCPU runs on x86)");
	stop_all();
}

static void test_stats(void)
{
	u64 v = 1, nr = 0;

	reset();
	x86_cpus[2].tlb.kicks = 7;
	t_ok(plat_cpu_stat(2, LS_CPU_STAT_TLB_KICKS, &v, &nr) == 0 && v == 7 && nr == NCPU &&
		     stat(3, LS_CPU_STAT_HWID) == 0x13,
	     "plat_cpu_stat: the counter, the number of CPUs, the CPU's APIC ID");
	t_ok(plat_cpu_stat(NCPU, LS_CPU_STAT_TLB_KICKS, &v, &nr) == -ENOENT &&
		     plat_cpu_stat(1, LS_CPU_STAT_NR, &v, &nr) == -EINVAL,
	     "plat_cpu_stat: no such CPU -ENOENT, unknown counter -EINVAL");
}

int main(void)
{
	printf("1..19\n");
	test_idle();
	test_outside();
	test_outstanding();
	test_stress();
	test_deaf();
	test_vm_view();
	test_stats();
	return t_fail ? 1 : 0;
}
