/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TLB shootdown for the host's nested table (tlb.c, docs/x86.md "TLB shootdown"): every CPU
 * running the host has left the guest, and so drops the host's nested translations before it
 * runs host code again, by the time a change of the host's nested table is complete.
 */
#ifndef X86_TLB_H
#define X86_TLB_H

#include <lockstep/boot.h>

#include "hyp/types.h"

/*
 * Longest wait for one CPU to leave the guest after its kick (an NMI), in microseconds. A CPU
 * that is still in the guest then may hold translations the change revoked: the hypervisor
 * stops (plat_panic), failing closed; see docs/x86.md "TLB shootdown".
 */
#define X86_TLB_WAIT_US 1000000U

/* One CPU's shootdown state (struct x86_cpu.tlb). */
struct x86_tlb {
	/*
	 * Odd while the CPU runs the host (from just before VMRUN to just after #VMEXIT),
	 * even in the hypervisor; every entry and every exit adds one.
	 */
	u64 run_seq;
	bool flush; /* flush the host's nested translations at the next VMRUN */
	/* As a requester: run_seq of each target seen in the guest (0: not waited for). */
	u64 wait_seq[LS_BOOT_MAX_CPUS];
	/* Counters (LS_HVC_CPU_STATS, LS_CPU_STAT_*). */
	u64 reqs;     /* shootdowns this CPU requested (changes of the host's table made here) */
	u64 targeted; /* shootdowns of other CPUs that included this one */
	u64 kicks;    /* of those, NMIs sent to it because it was running the host */
	u64 acks;     /* of those, seen out of the guest before the requester went on */
	u64 flushes;  /* VMRUNs of this CPU with TLB_CONTROL = flush (15.16.1) */
};

struct x86_cpu;

/*
 * Before VMRUN on CPU @c: marks it running the host, then returns whether it must flush the
 * host's nested translations on this VMRUN (TLB_CONTROL = 1). In that order: a requester
 * that sets the flag after this check sees the CPU in the guest and kicks it.
 */
bool x86_tlb_guest_enter(struct x86_cpu *c);
/* After #VMEXIT on CPU @c, before anything else: out of the guest. */
void x86_tlb_guest_exit(struct x86_cpu *c);
/*
 * The host's nested table changed on CPU @self: every CPU flushes at its next VMRUN, and
 * every other CPU running the host now is kicked out of it (an NMI). Returns at once.
 */
void x86_tlb_shootdown_start(struct x86_cpu *self);
/*
 * Wait until every CPU kicked by the last x86_tlb_shootdown_start on @self has left the
 * guest, at most X86_TLB_WAIT_US each; stops the hypervisor if one has not.
 */
void x86_tlb_shootdown_wait(struct x86_cpu *self);

#endif /* X86_TLB_H */
