// SPDX-License-Identifier: GPL-2.0-only
/*
 * TLB shootdown for the host's nested table (docs/x86.md "TLB shootdown").
 *
 * The host runs on every CPU with ASID 1 and one nested table. A change of that table that
 * revokes access (a page donated away, a block split, a mapping removed) is complete only
 * when no CPU can still use a translation it cached before: the ownership core calls
 * x86_npt_inval_ops.invalidate, then .sync, before the hypercall returns (hyp/mem/own.c,
 * own_view_inval).
 *
 * Nested translations are tagged with the guest's ASID (APM Vol. 2 15.16 "TLB Control";
 * 15.25.1): the hypervisor (ASID 0) never uses them, so a CPU that is out of the guest
 * holds nothing that matters until its next VMRUN, and that VMRUN flushes them when asked
 * (TLB_CONTROL = 1, "flush the entire TLB", 15.16.1; flush-by-ASID is not emulated by
 * QEMU's TCG). So "flushed" is: out of the guest since the change, with the flag set.
 *
 *   requester (invalidate)               target CPU
 *   every CPU's flag = 1                 run_seq odd      (x86_tlb_guest_enter)
 *   s = target's run_seq                 flush = xchg(flag, 0) -> TLB_CONTROL = 1
 *   s odd: NMI to the target             VMRUN ... #VMEXIT(NMI)
 *   (sync) wait for run_seq != s         run_seq even     (x86_tlb_guest_exit)
 *
 * Dekker's pattern, both sides sequentially consistent: either the target's xchg sees the
 * flag (it flushes on the VMRUN it is about to do) or the requester sees the target in the
 * guest and waits for it to leave. An NMI sent while the target has GIF = 0 (between #VMEXIT
 * and VMRUN) stays pending, and the VMRUN that sets GIF = 1 exits at once (#VMEXIT(NMI),
 * 15.13.2 "NMI Intercept", 15.17): the target's TLB cannot be used in between either way.
 * A CPU in the hypervisor (run_seq even: handling an exit, spinning on a lock that the
 * requester may hold, parked in INIT) is not waited for, so two requesters never wait for
 * each other. The wait is bounded (X86_TLB_WAIT_US per CPU); a CPU still in the guest after
 * it may keep a revoked translation, so the hypervisor stops: fail closed.
 *
 * Only the host's view is shot down: x86 runs no vCPU of a VM (docs/x86.md "Protected
 * VMs"), so no CPU caches a VM's nested translations.
 */
#include <errno.h>

#include <lockstep/abi.h>

#include "hyp/own.h"
#include "hyp/plat.h"
#include "x86/tlb.h"
#include "x86/x86.h"

/*
 * The kick: an NMI to @c (svm.c intercepts NMIs; smp.c's x86_nmi counts it as the
 * hypervisor's, so it is not re-injected). An NMI of the hypervisor already on its way to @c
 * (sent, not yet taken) makes it leave the guest as well, so none is added: two NMIs may
 * merge into one pending NMI, and hyp_nmis would then count one that never comes and take
 * the host's next NMI for the hypervisor's.
 */
static void kick(struct x86_cpu *c)
{
	u32 zero = 0;

	if (__atomic_compare_exchange_n(&c->hyp_nmis, &zero, 1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		x86_apic_send_nmi(c->apic_id);
}

bool x86_tlb_guest_enter(struct x86_cpu *c)
{
	struct x86_tlb *t = &c->tlb;

	__atomic_store_n(&t->run_seq, t->run_seq + 1, __ATOMIC_SEQ_CST);
	if (!__atomic_exchange_n(&t->flush, false, __ATOMIC_SEQ_CST))
		return false;
	__atomic_fetch_add(&t->flushes, 1, __ATOMIC_RELAXED);
	return true;
}

void x86_tlb_guest_exit(struct x86_cpu *c)
{
	struct x86_tlb *t = &c->tlb;

	__atomic_store_n(&t->run_seq, t->run_seq + 1, __ATOMIC_RELEASE);
}

void x86_tlb_shootdown_start(struct x86_cpu *self)
{
	struct x86_tlb *me = &self->tlb;
	unsigned int i;

	__atomic_fetch_add(&me->reqs, 1, __ATOMIC_RELAXED);
	for (i = 0; i < x86_nr_cpus; i++)
		__atomic_store_n(&x86_cpus[i].tlb.flush, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < x86_nr_cpus; i++) {
		struct x86_cpu *c = &x86_cpus[i];
		u64 s;

		me->wait_seq[i] = 0;
		if (c == self)
			continue; /* flushes at its own next VMRUN */
		__atomic_fetch_add(&c->tlb.targeted, 1, __ATOMIC_RELAXED);
		s = __atomic_load_n(&c->tlb.run_seq, __ATOMIC_SEQ_CST);
		if (!(s & 1)) {
			/* In the hypervisor: its next VMRUN sees the flag. */
			__atomic_fetch_add(&c->tlb.acks, 1, __ATOMIC_RELAXED);
			continue;
		}
		me->wait_seq[i] = s;
		__atomic_fetch_add(&c->tlb.kicks, 1, __ATOMIC_RELAXED);
		kick(c);
	}
}

void x86_tlb_shootdown_wait(struct x86_cpu *self)
{
	struct x86_tlb *me = &self->tlb;
	unsigned int i;

	for (i = 0; i < x86_nr_cpus; i++) {
		struct x86_cpu *c = &x86_cpus[i];
		u64 s = me->wait_seq[i], t0;
		unsigned int spins = 0;

		if (!s)
			continue;
		t0 = plat_now_us();
		while (__atomic_load_n(&c->tlb.run_seq, __ATOMIC_ACQUIRE) == s) {
			if (plat_now_us() - t0 >= X86_TLB_WAIT_US)
				plat_panic("TLB shootdown: CPU %u (APIC ID %u) still runs the host "
					   "%u us after its NMI; it may hold a revoked nested "
					   "translation: stopping",
					   c->idx, c->apic_id, X86_TLB_WAIT_US);
			plat_spin_relax(spins++);
		}
		me->wait_seq[i] = 0;
		__atomic_fetch_add(&c->tlb.acks, 1, __ATOMIC_RELAXED);
	}
}

/* ---- the host view's invalidation ops (own_config.cpu_ops) ------------------------------ */

/*
 * The CPU making the change. At install (boot.c builds the host's view on the loader's
 * stack) no other CPU has arrived and none runs the host: CPU 0's flag is enough.
 */
static struct x86_cpu *self_cpu(void)
{
	return x86_nr_cpus > 1 ? x86_this_cpu() : &x86_cpus[0];
}

static void npt_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	(void)priv;
	(void)g; /* whole-TLB flushes: TCG has no flush-by-ASID, INVLPGA is per page */
	if (who == OWN_HOST)
		x86_tlb_shootdown_start(self_cpu());
}

static void npt_sync(void *priv, u32 who)
{
	(void)priv;
	if (who == OWN_HOST)
		x86_tlb_shootdown_wait(self_cpu());
}

const struct own_inval_ops x86_npt_inval_ops = {
	.invalidate = npt_invalidate,
	.sync = npt_sync,
};

/* LS_HVC_CPU_STATS: a CPU's shootdown counters. */
int plat_cpu_stat(u64 cpu, u64 id, u64 *val, u64 *nr_cpus)
{
	const struct x86_tlb *t;

	*val = 0;
	*nr_cpus = x86_nr_cpus;
	if (cpu >= x86_nr_cpus)
		return -ENOENT;
	t = &x86_cpus[cpu].tlb;
	switch (id) {
	case LS_CPU_STAT_TLB_REQS:
		*val = __atomic_load_n(&t->reqs, __ATOMIC_RELAXED);
		return 0;
	case LS_CPU_STAT_TLB_TARGETED:
		*val = __atomic_load_n(&t->targeted, __ATOMIC_RELAXED);
		return 0;
	case LS_CPU_STAT_TLB_KICKS:
		*val = __atomic_load_n(&t->kicks, __ATOMIC_RELAXED);
		return 0;
	case LS_CPU_STAT_TLB_ACKS:
		*val = __atomic_load_n(&t->acks, __ATOMIC_RELAXED);
		return 0;
	case LS_CPU_STAT_TLB_FLUSHES:
		*val = __atomic_load_n(&t->flushes, __ATOMIC_RELAXED);
		return 0;
	case LS_CPU_STAT_HWID:
		*val = x86_cpus[cpu].apic_id;
		return 0;
	default:
		return -EINVAL;
	}
}
