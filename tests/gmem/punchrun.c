// SPDX-License-Identifier: GPL-2.0-only
/*
 * punch_running: punching private memory of a running guest (docs/gmem.md "Punching holes"),
 * part of gmemtest (#included by gmemtest.c, called by guest_tests() on its running guest).
 *
 * Upstream's flow: the VMM punches private pages (fallocate PUNCH_HOLE), the guest touches
 * them, the VMM gets a memory fault exit and repopulates. Lockstep reclaims the pages from the
 * running VM (LS_FN_VM_RECLAIM: scrubbed) and keeps their GPAs as holes: a guest access there
 * comes out of the hypervisor as a memory fault, never as an MMIO exit (whose write data or
 * read answer would pass between the guest and the host as if the page were a device). The
 * driver counts MMIO exits at memslot GPAs (counters.mmio_in_slot, reported to the VMM as
 * memory faults too): that count must not move.
 */

#define PUNCH_NCHECKS 4

static void punch_running(struct vm *v)
{
	unsigned long long mis0 = v->run->counters.mmio_in_slot;
	unsigned long long mf0 = v->run->counters.memory_fault;
	struct lockstep_global_stats g0, g1;
	struct lockstep_vm_stats s0, s1;
	unsigned int lazy0 = v->lazy;
	long rc, r2, r3;

	r2 = gcmd(v, OP_CHECK, 60, 2); /* the guest's data there (FILL at the start) */
	vm_stats(v, &s0);
	gstats(&g0);
	rc = sys(NR_FALLOCATE, v->gmem, FALLOC_KEEP_SIZE | FALLOC_PUNCH_HOLE, DPAGE(60), 2 * PAGE);
	vm_stats(v, &s1);
	gstats(&g1);
	verdict(r2 == 0 && rc == 0 && s1.populated_pages == s0.populated_pages - 2 &&
			s1.hyp[LS_VM_STAT_PAGES] == s0.hyp[LS_VM_STAT_PAGES] - 2 &&
			g1.reclaimed_pages == g0.reclaimed_pages + 2 &&
			g1.reclaimed_nonzero == g0.reclaimed_nonzero,
		"punch_running: punching 2 private pages of the running guest: both leave the VM, "
		"scrubbed",
		rc);

	/* A load: private_mem_kvm_exits_test's memory fault, resolved with POPULATE_ZERO. */
	rc = gcmd(v, OP_ZERO, 60, 1);
	verdict(rc == 0 && v->lazy == lazy0 + 1 && v->fault_gpa == RAM_GPA + DPAGE(60) &&
			(v->fault_flags & LOCKSTEP_MEMORY_EXIT_FLAG_PRIVATE),
		"punch_running: the guest reads a punched page: MEMORY_FAULT (PRIVATE) at its GPA, "
		"the VMM repopulates it zeroed, the guest reads zero",
		rc);

	/* A store: the data must not leave the guest; after the refill the store lands. */
	rc = gcmd(v, OP_FILL, 61, 1);
	r2 = gcmd(v, OP_CHECK, 61, 1);
	r3 = gcmd(v, OP_CHECK, 59, 1) + gcmd(v, OP_CHECK, 62, 1);
	verdict(rc == 0 && r2 == 0 && r3 == 0 && v->lazy == lazy0 + 2 &&
			v->fault_gpa == RAM_GPA + DPAGE(61),
		"punch_running: the guest writes the other punched page: a memory fault, "
		"repopulated, its stores land; the neighbours kept their data",
		r2);
	out("# punch_running: memory faults %llu -> %llu, MMIO exits at memslot GPAs %llu -> %llu\n",
	    mf0, v->run->counters.memory_fault, mis0, v->run->counters.mmio_in_slot);
	verdict(v->run->counters.mmio_in_slot == mis0 && v->run->counters.memory_fault == mf0 + 2,
		"punch_running: both accesses left the hypervisor as memory faults, never as MMIO "
		"exits (the driver's mmio_in_slot count unchanged)",
		(long)(v->run->counters.mmio_in_slot - mis0));
}
