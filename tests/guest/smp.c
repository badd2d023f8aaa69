// SPDX-License-Identifier: GPL-2.0-only
/*
 * smp: vCPU 0 starts vCPUs 1..3 with PSCI CPU_ON over HVC (target MPIDR Aff0 = index,
 * entry secondary_entry, context id 0x5000 + index); each prints its MPIDR and context and
 * waits; when all have met, vCPUs 1 and 2 call CPU_OFF and vCPU 0 sees them off
 * (AFFINITY_INFO = 1), while vCPU 3 keeps spinning on its CPU through vCPU 0's SYSTEM_OFF (the
 * VMM's thread of a vCPU that runs at shutdown must end too). Also: CPU_ON of a vCPU already on (ALREADY_ON), of a vCPU that does not
 * exist (INVALID_PARAMETERS). Memory is Device-nGnRnE (MMU off): plain stores are ordered.
 */
#include "guest.h"

#define NCPUS 4
#define SPIN  100000000UL

const char *guest_name = "smp";
static volatile u64 arrived[NCPUS], go, ctx_seen[NCPUS];

void guest_secondary(u64 index, u64 context)
{
	u64 mpidr;

	asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	note("vCPU ");
	putdec(index);
	puts(" up, MPIDR ");
	puthex(mpidr);
	puts(", context ");
	puthex(context);
	putch('\n');
	ctx_seen[index] = context;
	arrived[index] = 1;
	while (!go)
		;
	if (index == NCPUS - 1)
		for (;;)
			;
	hvc(PSCI_CPU_OFF, 0, 0, 0);
	note("CPU_OFF returned\n");
	failures++;
	for (;;)
		;
}

static int wait_flag(volatile u64 *f)
{
	u64 n;

	for (n = 0; n < SPIN; n++)
		if (*f)
			return 1;
	return 0;
}

void guest_main(u64 index, u64 x0)
{
	struct smccc_res r;
	u64 i, n, ok;

	(void)x0;
	note("vCPU 0 starting vCPUs 1..3\n");
	for (i = 1; i < NCPUS; i++) {
		r = hvc(PSCI_AFFINITY_INFO, i, 0, 0);
		check(r.a0 == 1, "AFFINITY_INFO of a vCPU not yet started is OFF (1)");
		r = hvc(PSCI_CPU_ON, i, (u64)secondary_entry, 0x5000 + i);
		check(r.a0 == PSCI_SUCCESS, "CPU_ON returns SUCCESS");
		check(wait_flag(&arrived[i]), "the started vCPU arrived");
		check(ctx_seen[i] == 0x5000 + i, "it entered with the context id in x0");
	}
	r = hvc(PSCI_CPU_ON, 1, (u64)secondary_entry, 0);
	check(r.a0 == PSCI_ALREADY_ON, "CPU_ON of a running vCPU is ALREADY_ON (-4)");
	r = hvc(PSCI_CPU_ON, 7, (u64)secondary_entry, 0);
	check(r.a0 == PSCI_INVALID, "CPU_ON of a vCPU that does not exist is INVALID_PARAMETERS");
	r = hvc(PSCI_AFFINITY_INFO, 2, 0, 0);
	check(r.a0 == 0, "AFFINITY_INFO of a running vCPU is ON (0)");
	for (n = 0, i = 0; i < NCPUS; i++)
		n += i == index ? 1 : arrived[i];
	note("all ");
	putdec(n);
	puts(" vCPUs met\n");
	check(n == NCPUS, "all 4 vCPUs met");
	go = 1;
	for (i = 1; i < NCPUS - 1; i++) {
		for (ok = 0, n = 0; n < SPIN / 100 && !ok; n++)
			ok = hvc(PSCI_AFFINITY_INFO, i, 0, 0).a0 == 1;
		check(ok, "the vCPU is OFF after its CPU_OFF (AFFINITY_INFO 1)");
	}
	check(hvc(PSCI_AFFINITY_INFO, NCPUS - 1, 0, 0).a0 == 0,
	      "vCPU 3 still spins (ON) when vCPU 0 calls SYSTEM_OFF");
	finish();
}
