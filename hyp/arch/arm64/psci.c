// SPDX-License-Identifier: GPL-2.0-only
/*
 * PSCI relay (Arm DEN 0022, PSCI 1.x) and the SMCCC architecture calls
 * (DEN 0028). HCR_EL2.TSC traps every host SMC here. Lockstep forwards the
 * PSCI calls it understands to the firmware (QEMU's PSCI, SMC conduit from
 * EL2), substituting its own entry point wherever a CPU will start cold:
 *
 *   CPU_ON        the target starts at arm64_cpu_entry (EL2, MMU off) with
 *                 context_id = its struct arm64_cpu; Lockstep sets up EL2 there
 *                 and ERETs to the host's entry point at EL1 with the host's
 *                 context_id in x0;
 *   CPU_SUSPEND   same entry for a powerdown state (the host's entry point is
 *                 checked then); a standby state (or a denied request) returns;
 *   CPU_OFF, AFFINITY_INFO, PSCI_VERSION, MIGRATE_INFO_TYPE,
 *   MIGRATE_INFO_UP_CPU, SYSTEM_OFF, SYSTEM_RESET, SYSTEM_RESET2
 *                 forwarded unchanged (no address of the host's in them);
 *   PSCI_FEATURES answered for the calls above (firmware's answer), NOT_SUPPORTED
 *                 for the rest;
 *   SMCCC_VERSION / SMCCC_ARCH_FEATURES answered by Lockstep.
 * Anything else (MIGRATE, SYSTEM_SUSPEND, CPU_FREEZE, vendor calls, ...) gets
 * NOT_SUPPORTED and a log line: it is never forwarded blindly.
 */
#include "arm64/arm64.h"
#include "arm64/el2.h"
#include "arm64/psci.h"
#include "arm64/ram.h"
#include "arm64/sysreg.h"
#include "hyp/plat.h"
#include "hyp/spinlock.h"

/* Function IDs (DEN 0022 5.1, DEN 0028 7). SMC64 variants have bit 30 set. */
#define PSCI_VERSION		 0x84000000U
#define PSCI_CPU_SUSPEND	 0x84000001U
#define PSCI_CPU_OFF		 0x84000002U
#define PSCI_CPU_ON		 0x84000003U
#define PSCI_AFFINITY_INFO	 0x84000004U
#define PSCI_MIGRATE_INFO_TYPE	 0x84000006U
#define PSCI_MIGRATE_INFO_UP_CPU 0x84000007U
#define PSCI_SYSTEM_OFF		 0x84000008U
#define PSCI_SYSTEM_RESET	 0x84000009U
#define PSCI_FEATURES		 0x8400000AU
#define PSCI_SYSTEM_RESET2	 0x84000012U
#define PSCI_FN64		 0x40000000U
#define SMCCC_VERSION		 0x80000000U
#define SMCCC_ARCH_FEATURES	 0x80000001U

/* Return codes (DEN 0022 5.2.2). */
#define PSCI_SUCCESS	      0
#define PSCI_NOT_SUPPORTED    (-1)
#define PSCI_INVALID_PARAMS   (-2)
#define PSCI_DENIED	      (-3)
#define PSCI_ALREADY_ON	      (-4)
#define PSCI_INTERNAL_FAILURE (-6)
#define PSCI_INVALID_ADDRESS  (-9)

#define SMCCC_VERSION_1_1 0x10001U
/* MPIDR affinity fields Aff3 [39:32], Aff2..Aff0 [23:0] (Arm ARM, MPIDR_EL1). */
#define MPIDR_AFF_MASK	  0xff00ffffffULL

static struct hyp_spinlock psci_lock = HYP_SPINLOCK_INIT; /* cpu slot binding */
static u32 psci_fw_version;

static s64 psci_fw(u64 fid, u64 a1, u64 a2, u64 a3, u64 *r1)
{
	struct arm64_smc_res res;

	arm64_smc(fid, a1, a2, a3, &res);
	if (r1)
		*r1 = res.a1;
	return (s64)res.a0;
}

/* Calls forwarded as they are (their arguments name no memory of the host's). */
static bool psci_is_plain(u32 fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_OFF:
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO | PSCI_FN64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_MIGRATE_INFO_UP_CPU:
	case PSCI_MIGRATE_INFO_UP_CPU | PSCI_FN64:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_SYSTEM_RESET2:
	case PSCI_SYSTEM_RESET2 | PSCI_FN64:
		return true;
	default:
		return false;
	}
}

static bool psci_is_relayed(u32 fid)
{
	return psci_is_plain(fid) || fid == PSCI_CPU_ON || fid == (PSCI_CPU_ON | PSCI_FN64) ||
	       fid == PSCI_CPU_SUSPEND || fid == (PSCI_CPU_SUSPEND | PSCI_FN64) ||
	       fid == PSCI_FEATURES;
}

/* The slot bound to @mpidr, binding a free one on first use; NULL if none left. */
static struct arm64_cpu *psci_cpu_slot(u64 mpidr)
{
	struct arm64_cpu *free = NULL;
	unsigned int i;

	for (i = 0; i < arm64_nr_cpus; i++) {
		if (arm64_cpus[i].bound && arm64_cpus[i].mpidr == mpidr)
			return &arm64_cpus[i];
		if (!arm64_cpus[i].bound && !free)
			free = &arm64_cpus[i];
	}
	if (free) {
		free->mpidr = mpidr;
		free->bound = true;
	}
	return free;
}

/* A host entry point must be host RAM (never the hypervisor): else INVALID_ADDRESS. */
static bool psci_entry_ok(u64 entry)
{
	return IS_ALIGNED(entry, 4) && arm64_is_ram(entry, 4);
}

static s64 psci_cpu_on(u32 fid, u64 mpidr, u64 entry, u64 ctx)
{
	struct arm64_cpu *cpu;
	s64 ret;

	if (fid == PSCI_CPU_ON) { /* SMC32: 32-bit arguments */
		mpidr &= 0xffffffffULL;
		entry &= 0xffffffffULL;
		ctx &= 0xffffffffULL;
	}
	if (mpidr & ~MPIDR_AFF_MASK)
		return PSCI_INVALID_PARAMS;
	if (!psci_entry_ok(entry))
		return PSCI_INVALID_ADDRESS;
	hyp_spin_lock(&psci_lock);
	cpu = psci_cpu_slot(mpidr);
	if (!cpu) {
		hyp_spin_unlock(&psci_lock);
		plat_log(
			"CPU_ON %#llx refused: all %u EL2 stacks in use (raise cpus= in the config)",
			(unsigned long long)mpidr, arm64_nr_cpus);
		return PSCI_INTERNAL_FAILURE;
	}
	if (cpu == arm64_this_cpu()) {
		hyp_spin_unlock(&psci_lock);
		return PSCI_ALREADY_ON; /* the caller itself */
	}
	/*
	 * The firmware refuses (ALREADY_ON / ON_PENDING) a CPU that is not off, so
	 * rewriting the pending entry of a running CPU is harmless: it only reads
	 * these fields on its way in.
	 */
	cpu->host_entry = entry;
	cpu->host_ctx = ctx;
	cpu->wake = ARM64_WAKE_CPU_ON;
	hyp_spin_unlock(&psci_lock);
	ret = psci_fw(PSCI_CPU_ON | PSCI_FN64, mpidr, plat_virt_to_phys(arm64_cpu_entry),
		      plat_virt_to_phys(cpu), NULL);
	if (ret != PSCI_SUCCESS)
		plat_log("CPU_ON %#llx: firmware says %lld", (unsigned long long)mpidr,
			 (long long)ret);
	return ret;
}

/*
 * power_state StateType (DEN 0022 5.4.2): bit 16 in the original format, bit 30
 * in the extended one (PSCI_FEATURES(CPU_SUSPEND) bit 1, read at init).
 */
static bool psci_suspend_ext;

static bool psci_is_powerdown(u64 state)
{
	return psci_suspend_ext ? (state & BIT(30)) : (state & BIT(16));
}

static s64 psci_cpu_suspend(u32 fid, u64 state, u64 entry, u64 ctx)
{
	struct arm64_cpu *cpu = arm64_this_cpu();
	s64 ret;

	if (fid == PSCI_CPU_SUSPEND) {
		state &= 0xffffffffULL;
		entry &= 0xffffffffULL;
		ctx &= 0xffffffffULL;
	}
	/* The entry point matters only for a powerdown state (Linux passes 0 for standby). */
	if (psci_is_powerdown(state) && !psci_entry_ok(entry))
		return PSCI_INVALID_ADDRESS;
	/*
	 * Always pass our entry point: a powerdown state resumes there (and then
	 * at the host's entry point), a standby state or a refusal returns here.
	 */
	cpu->host_entry = entry;
	cpu->host_ctx = ctx;
	cpu->wake = ARM64_WAKE_SUSPEND;
	ret = psci_fw(PSCI_CPU_SUSPEND | PSCI_FN64, state, plat_virt_to_phys(arm64_cpu_entry),
		      plat_virt_to_phys(cpu), NULL);
	cpu->wake = 0;
	return ret;
}

static s64 psci_features(u64 fid)
{
	fid &= 0xffffffffULL;
	if (fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES)
		return PSCI_SUCCESS;
	if (!psci_is_relayed((u32)fid))
		return PSCI_NOT_SUPPORTED;
	return psci_fw(PSCI_FEATURES, fid, 0, 0, NULL);
}

/* SMCCC_ARCH_FEATURES (DEN 0028 7.3): what Lockstep itself implements. */
static s64 smccc_arch_features(u64 fid)
{
	fid &= 0xffffffffULL;
	if (fid == SMCCC_VERSION || fid == SMCCC_ARCH_FEATURES)
		return PSCI_SUCCESS;
	/*
	 * SMCCC_ARCH_WORKAROUND_1/2/3, SOC_ID, ...: not implemented by the relay
	 * (nor by QEMU's firmware), so NOT_SUPPORTED is the truthful answer; Linux
	 * then relies on the CPU ID registers for its mitigations.
	 */
	return PSCI_NOT_SUPPORTED;
}

void arm64_psci_handle(struct arm64_regs *regs)
{
	u32 fid = (u32)regs->x[0];
	u64 *x = regs->x;
	s64 ret;

	if (regs->x[0] >> 32) {
		ret = PSCI_NOT_SUPPORTED; /* a function ID is 32 bits (DEN 0028 2.5) */
	} else if (fid == SMCCC_VERSION) {
		ret = SMCCC_VERSION_1_1;
	} else if (fid == SMCCC_ARCH_FEATURES) {
		ret = smccc_arch_features(x[1]);
	} else if (fid == PSCI_FEATURES) {
		ret = psci_features(x[1]);
	} else if (fid == PSCI_CPU_ON || fid == (PSCI_CPU_ON | PSCI_FN64)) {
		ret = psci_cpu_on(fid, x[1], x[2], x[3]);
	} else if (fid == PSCI_CPU_SUSPEND || fid == (PSCI_CPU_SUSPEND | PSCI_FN64)) {
		ret = psci_cpu_suspend(fid, x[1], x[2], x[3]);
	} else if (psci_is_plain(fid)) {
		if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET ||
		    (fid & ~PSCI_FN64) == PSCI_SYSTEM_RESET2)
			plat_log("cpu %u: host asks for %s", arm64_this_cpu()->idx,
				 fid == PSCI_SYSTEM_OFF ? "SYSTEM_OFF" : "SYSTEM_RESET");
		ret = psci_fw(fid, x[1], x[2], x[3], NULL);
	} else {
		plat_log("cpu %u: SMC %#x from the host not supported (not forwarded)",
			 arm64_this_cpu()->idx, fid);
		ret = PSCI_NOT_SUPPORTED;
	}
	/* SMC32 results are 32-bit values sign-extended by the caller (w0). */
	x[0] = (u64)ret;
}

/* Called once on the boot CPU: learn the firmware's PSCI version for the banner. */
bool arm64_psci_init(void)
{
	s64 v = psci_fw(PSCI_VERSION, 0, 0, 0, NULL);

	if (v < 0)
		return false;
	psci_fw_version = (u32)v;
	if (psci_fw_version >= 0x10000) {
		s64 f = psci_fw(PSCI_FEATURES, PSCI_CPU_SUSPEND, 0, 0, NULL);

		psci_suspend_ext = f >= 0 && (f & 2);
	}
	plat_log("PSCI %u.%u relayed (SMC conduit), SMCCC 1.1, %s power_state format",
		 psci_fw_version >> 16, psci_fw_version & 0xffff,
		 psci_suspend_ext ? "extended" : "original");
	return true;
}
