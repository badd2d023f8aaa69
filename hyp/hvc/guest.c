// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls from a guest (docs/guest-abi.md): pKVM's guest ABI, so that a Linux
 * guest with CONFIG_ARM_PKVM_GUEST runs unmodified, and PSCI over HVC.
 *
 *   SMCCC 1.1 (DEN 0028): VERSION, ARCH_FEATURES
 *   vendor hypervisor service (OEN 6), as KVM: Call UID = KVM's UID, FEATURES bitmap,
 *     HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE, MMIO_GUARD
 *     (Linux Documentation/virt/kvm/arm/hypercalls.rst)
 *   PSCI 1.1 (DEN 0022): VERSION, FEATURES, CPU_ON, CPU_OFF, AFFINITY_INFO,
 *     MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET
 *
 * The caller is the vCPU the hypervisor was running: never a register the caller
 * controls. Lockstep's own host ABI (include/lockstep/abi.h) is not reachable from
 * here even where function IDs coincide (0xC6000002..): the host's calls come in
 * through hvc_handle() only.
 */
#include <errno.h>

#include <lockstep/abi.h>

#include "hyp/attest.h"
#include "hyp/mem_protect.h"
#include "hyp/vcpu.h"

/* SMCCC (DEN 0028 7.2, 7.3) */
#define SMCCC_VERSION	    0x80000000U
#define SMCCC_ARCH_FEATURES 0x80000001U
#define SMCCC_SUCCESS	    0
#define SMCCC_NOT_SUPPORTED (-1)
#define SMCCC_INVALID_PARAM (-3)

/* KVM's vendor hypervisor service (include/linux/arm-smccc.h in Linux). */
#define KVM_CALL_UID	   0x8600ff01U
#define KVM_FEATURES	   0x86000000U
#define KVM_HYP_MEMINFO	   0xc6000002U
#define KVM_MEM_SHARE	   0xc6000003U
#define KVM_MEM_UNSHARE	   0xc6000004U
#define KVM_MMIO_GUARD	   0xc6000007U
#define KVM_FN_FEATURES	   0
#define KVM_FN_HYP_MEMINFO 2
#define KVM_FN_MEM_SHARE   3
#define KVM_FN_MEM_UNSHARE 4
#define KVM_FN_MMIO_GUARD  7
/* UID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74 as returned in w0..w3 (hypercalls.rst). */
#define KVM_UID_W0	   0xb66fb428U
#define KVM_UID_W1	   0xe911c52eU
#define KVM_UID_W2	   0x564bcaa9U
#define KVM_UID_W3	   0x743a004dU

/* PSCI (DEN 0022 5.1, 5.2.2) */
#define PSCI_VERSION	       0x84000000U
#define PSCI_CPU_OFF	       0x84000002U
#define PSCI_CPU_ON	       0xc4000003U
#define PSCI_AFFINITY_INFO     0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE 0x84000006U
#define PSCI_SYSTEM_OFF	       0x84000008U
#define PSCI_SYSTEM_RESET      0x84000009U
#define PSCI_FEATURES	       0x8400000aU
#define PSCI_1_1	       0x10001
#define PSCI_SUCCESS	       0
#define PSCI_NOT_SUPPORTED     (-1)
#define PSCI_INVALID_PARAMS    (-2)
#define PSCI_ALREADY_ON	       (-4)
#define PSCI_MIGRATE_NONE      2 /* MIGRATE_INFO_TYPE: no Trusted OS to migrate */
#define PSCI_AFF_ON	       0
#define PSCI_AFF_OFF	       1
#define PSCI_MPIDR_AFF0	       0xffULL
#define PSCI_MPIDR_AFF_MASK    0xff00ffffffULL /* Aff3 [39:32], Aff2..Aff0 [23:0] */

static void ret1(struct hvc_regs *r, s64 x0)
{
	r->x[0] = (u64)x0;
	r->x[1] = r->x[2] = r->x[3] = 0;
}

static bool args_zero(const struct hvc_regs *r, unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i <= to; i++)
		if (r->x[i])
			return false;
	return true;
}

/* The vCPU a PSCI target MPIDR names: Aff0 = index, every other affinity 0. */
static struct vcpu *psci_target(const struct vcpu *v, u64 mpidr)
{
	if ((mpidr & PSCI_MPIDR_AFF_MASK & ~PSCI_MPIDR_AFF0) || (mpidr & ~PSCI_MPIDR_AFF_MASK))
		return NULL;
	return vcpu_peer(v->vm, (u32)(mpidr & PSCI_MPIDR_AFF0));
}

static bool psci_call(struct vcpu *v, u32 fn, struct hvc_regs *r, struct vcpu_exit *ex)
{
	struct vcpu *t;

	switch (fn) {
	case PSCI_VERSION:
		ret1(r, PSCI_1_1);
		return false;
	case PSCI_FEATURES:
		switch ((u32)r->x[1]) {
		case PSCI_VERSION:
		case PSCI_CPU_OFF:
		case PSCI_CPU_ON:
		case PSCI_AFFINITY_INFO:
		case PSCI_MIGRATE_INFO_TYPE:
		case PSCI_SYSTEM_OFF:
		case PSCI_SYSTEM_RESET:
		case PSCI_FEATURES:
			ret1(r, PSCI_SUCCESS);
			break;
		default:
			ret1(r, PSCI_NOT_SUPPORTED);
		}
		return false;
	case PSCI_CPU_ON:
		t = psci_target(v, r->x[1]);
		if (!t) {
			ret1(r, PSCI_INVALID_PARAMS);
			return false;
		}
		if (!vcpu_psci_cpu_on(t, r->x[2], r->x[3])) {
			ret1(r, PSCI_ALREADY_ON);
			return false;
		}
		ret1(r, PSCI_SUCCESS);
		/* The host wakes the thread that runs the target. */
		ex->reason = LS_EXIT_CPU_ON;
		ex->x[0] = t->idx;
		return true;
	case PSCI_CPU_OFF:
		vcpu_psci_cpu_off(v);
		ret1(r, PSCI_SUCCESS);
		ex->reason = LS_EXIT_CPU_OFF;
		return true;
	case PSCI_AFFINITY_INFO:
		t = psci_target(v, r->x[1]);
		if (!t || r->x[2]) {
			ret1(r, PSCI_INVALID_PARAMS);
			return false;
		}
		ret1(r, vcpu_is_on(t) ? PSCI_AFF_ON : PSCI_AFF_OFF);
		return false;
	case PSCI_MIGRATE_INFO_TYPE:
		ret1(r, PSCI_MIGRATE_NONE);
		return false;
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
		ex->x[0] = fn == PSCI_SYSTEM_OFF ? LS_SHUTDOWN_OFF : LS_SHUTDOWN_RESET;
		vcpu_shutdown(v->vm, ex->x[0]);
		ret1(r, PSCI_SUCCESS);
		ex->reason = LS_EXIT_SHUTDOWN;
		return true;
	default:
		ret1(r, PSCI_NOT_SUPPORTED);
		return false;
	}
}

/* MEM_SHARE / MEM_UNSHARE / MMIO_GUARD: one granule at x1, x2 and x3 zero. */
static bool mem_call(struct vcpu *v, u32 fn, struct hvc_regs *r, struct vcpu_exit *ex)
{
	struct own_res res = { 0 };
	u64 ipa = r->x[1];
	int err;

	if (!args_zero(r, 2, 3) || (ipa & (PAGE_SIZE - 1))) {
		ret1(r, SMCCC_INVALID_PARAM);
		return false;
	}
	if (fn == KVM_MMIO_GUARD) {
		ret1(r, vcpu_mmio_guard(v->vm, ipa) ? SMCCC_INVALID_PARAM : SMCCC_SUCCESS);
		return false;
	}
	if (fn == KVM_MEM_SHARE)
		err = own_vm_offer_host(v->vm, ipa, 1, &res);
	else
		err = own_vm_withdraw_host(v->vm, ipa, 1, &res);
	if (err == -ENOMEM) {
		/*
		 * Taking a borrowed page back needs table pages (a block split): not the
		 * guest's failure. The host donates and re-runs; the guest repeats the call.
		 */
		ex->reason = LS_EXIT_POOL;
		ex->x[0] = res.need;
		ex->x[1] = res.need_who == OWN_HOST ? LS_POOL_HOST : res.need_who;
		ex->retry = true;
		return true;
	}
	if (err) {
		ret1(r, SMCCC_INVALID_PARAM);
		return false;
	}
	ret1(r, SMCCC_SUCCESS);
	/* The host's VMM converts (share) or learns the page is private again (unshare). */
	ex->reason = fn == KVM_MEM_SHARE ? LS_EXIT_MEM_SHARE : LS_EXIT_MEM_UNSHARE;
	ex->x[0] = ipa;
	ex->x[1] = PAGE_SIZE;
	return true;
}

/*
 * LS_GUEST_ATTEST (docs/guest-abi.md): the signed report over this VM's launch measurement
 * and the nonce in x2..x5, written into the guest's private page at x1. It is signed
 * before the page is checked and written (the write holds the VM lock only for the copy):
 * a refused page gets nothing.
 */
static void attest_call(struct vcpu *v, struct hvc_regs *r)
{
	u8 rep[LS_ATT_REPORT_BYTES], meas[32], nonce[32];
	u64 pages;
	unsigned int i;
	int err;

	if (r->x[1] & (PAGE_SIZE - 1)) {
		ret1(r, SMCCC_INVALID_PARAM);
		return;
	}
	for (i = 0; i < 32; i++)
		nonce[i] = (u8)(r->x[2 + i / 8] >> (8 * (i % 8)));
	/* The guest runs: its VM has started and the measurement is final. */
	err = vm_measurement(v->vm, meas, &pages);
	if (!err)
		err = attest_report(meas, nonce, rep);
	if (err) {
		ret1(r, err == -ENOENT ? SMCCC_NOT_SUPPORTED : SMCCC_INVALID_PARAM);
		return;
	}
	err = own_vm_write_private(v->vm, r->x[1], rep, sizeof(rep));
	ret1(r, err ? SMCCC_INVALID_PARAM : SMCCC_SUCCESS);
}

bool guest_hvc(struct vcpu *v, struct hvc_regs *r, struct vcpu_exit *ex)
{
	u32 fn = (u32)r->x[0];

	if (r->x[0] >> 32) {
		ret1(r, SMCCC_NOT_SUPPORTED);
		return false;
	}
	if ((fn & 0xbf000000U) == 0x84000000U) /* PSCI: OEN 4 (standard secure), 32 or 64 */
		return psci_call(v, fn, r, ex);
	switch (fn) {
	case SMCCC_VERSION:
		ret1(r, 0x10001); /* SMCCC 1.1 */
		return false;
	case SMCCC_ARCH_FEATURES:
		/* Only VERSION is architectural here; no workaround calls are offered. */
		ret1(r, (u32)r->x[1] == SMCCC_VERSION ? SMCCC_SUCCESS : SMCCC_NOT_SUPPORTED);
		return false;
	case KVM_CALL_UID:
		r->x[0] = KVM_UID_W0;
		r->x[1] = KVM_UID_W1;
		r->x[2] = KVM_UID_W2;
		r->x[3] = KVM_UID_W3;
		return false;
	case KVM_FEATURES:
		ret1(r, (1 << KVM_FN_FEATURES) | (1 << KVM_FN_HYP_MEMINFO) |
				(1 << KVM_FN_MEM_SHARE) | (1 << KVM_FN_MEM_UNSHARE) |
				(1 << KVM_FN_MMIO_GUARD));
		return false;
	case KVM_HYP_MEMINFO:
		ret1(r, args_zero(r, 1, 3) ? (s64)PAGE_SIZE : SMCCC_INVALID_PARAM);
		return false;
	case KVM_MEM_SHARE:
	case KVM_MEM_UNSHARE:
	case KVM_MMIO_GUARD:
		return mem_call(v, fn, r, ex);
	case LS_GUEST_ATTEST:
		attest_call(v, r);
		return false;
	default:
		ret1(r, SMCCC_NOT_SUPPORTED);
		return false;
	}
}
