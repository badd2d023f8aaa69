// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPUs of protected VMs (hyp/mem/vcpu.c, hyp/hvc/guest.c) through the real
 * dispatcher, on the fake platform's scripted vCPUs (hyp/arch/fake/vcpu.c):
 * creation from a donated page and its checks, the initial registers, the run
 * loop and every exit, the guest's pKVM ABI and PSCI, holes (memory reclaimed
 * from a VM that runs), the teardown rules ("dying" when no room is left for a
 * hole, vCPU pages returned by VM_DESTROY), VM_STATS, and two host CPUs racing
 * on one vCPU.
 *
 * The guest-side constants below are written from the specifications, not taken
 * from guest.c: PSCI 1.1 (Arm DEN 0022D, 5.1 function IDs, 5.2.2 return codes),
 * SMCCC 1.1 (Arm DEN 0028, 7.2/7.3), KVM's vendor hypervisor service (Linux
 * Documentation/virt/kvm/arm/hypercalls.rst, include/linux/arm-smccc.h).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <lockstep/abi.h>

#include "fake.h"
#include "hyp/plat.h"
#include "invariant.h"
#include "invariant_env.h"

/* PSCI function IDs (DEN 0022D table 5.1): SMC32 0x84.., SMC64 0xC4.. */
#define PSCI_VERSION	       0x84000000ULL
#define PSCI_CPU_SUSPEND64     0xc4000001ULL
#define PSCI_CPU_OFF	       0x84000002ULL
#define PSCI_CPU_ON64	       0xc4000003ULL
#define PSCI_AFFINITY_INFO64   0xc4000004ULL
#define PSCI_MIGRATE_INFO_TYPE 0x84000006ULL
#define PSCI_SYSTEM_OFF	       0x84000008ULL
#define PSCI_SYSTEM_RESET      0x84000009ULL
#define PSCI_FEATURES	       0x8400000aULL
/* PSCI return codes (DEN 0022D 5.2.2), as the guest reads x0 */
#define PSCI_RET(x)	       ((u64)(s64)(x))
#define PSCI_OK		       PSCI_RET(0)
#define PSCI_NOT_SUPPORTED     PSCI_RET(-1)
#define PSCI_INVALID_PARAMS    PSCI_RET(-2)
#define PSCI_ALREADY_ON	       PSCI_RET(-4)
/* SMCCC (DEN 0028 7.2, 7.3) */
#define SMCCC_VERSION	       0x80000000ULL
#define SMCCC_ARCH_FEATURES    0x80000001ULL
#define SMCCC_ARCH_WORKAROUND1 0x80008000ULL
#define SMCCC_NOT_SUPPORTED    PSCI_RET(-1)
#define SMCCC_INVALID_PARAM    PSCI_RET(-3)
/* KVM vendor hypervisor service (OEN 6) */
#define KVM_UID		       0x8600ff01ULL
#define KVM_FEATURES	       0x86000000ULL
#define KVM_HYP_MEMINFO	       0xc6000002ULL
#define KVM_MEM_SHARE	       0xc6000003ULL
#define KVM_MEM_UNSHARE	       0xc6000004ULL
#define KVM_MMIO_GUARD	       0xc6000007ULL

#define MMIO_IPA 0x90000000ULL /* nothing is ever donated here */
#define MEM_IPA	 0x10000000ULL /* guest memory the tests donate */

static u32 vm;

static void script_none(void)
{
	struct vcpu_event none;

	fake_vcpu_script(&none, 0);
}

static int setup(void **state)
{
	(void)state;
	env_setup(64);
	fake_vcpu_enter_hook(NULL);
	script_none();
	vm = env_vm_create(16, 32);
	INV_ASSERT();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_vcpu_enter_hook(NULL);
	script_none();
	env_teardown();
	return 0;
}

/* ---- helpers ---- */

static s64 vcreate(u64 vmid, u64 idx, u64 pa, u64 flags, struct hvc_regs *r)
{
	return env_hvc(LS_FN_VCPU_CREATE, vmid, idx, pa, flags, r);
}

/* A fresh host page made vCPU @idx of @vmid; returns the page. */
static u64 new_vcpu(u32 vmid, u32 idx, u64 flags)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(1, PAGE_SIZE);

	if (vcreate(vmid, idx, pa, flags, &r) != LS_OK)
		fail_msg("vcpu create vm%u vcpu%u: %lld", vmid, idx, (long long)r.x[0]);
	return pa;
}

static s64 vrun(u64 vmid, u64 idx, u64 flags, u64 data, struct hvc_regs *r)
{
	return env_hvc(LS_FN_VCPU_RUN, vmid, idx, flags, data, r);
}

/* RUN that must succeed: the exit reason. */
static u64 run_ok(u32 vmid, u32 idx, u64 flags, u64 data, struct hvc_regs *r)
{
	s64 st = vrun(vmid, idx, flags, data, r);

	if (st != LS_OK)
		fail_msg("run vm%u vcpu%u flags %#llx: %lld", vmid, idx, (unsigned long long)flags,
			 (long long)st);
	return r->x[1];
}

/* A RUN refused with @st: every result register 0. */
static void run_refused(u64 vmid, u64 idx, u64 flags, u64 data, s64 st)
{
	struct hvc_regs r;
	unsigned int i;

	assert_int_equal(vrun(vmid, idx, flags, data, &r), st);
	for (i = 1; i < ARRAY_SIZE(r.x); i++)
		if (r.x[i])
			fail_msg("refused run left x%u = %#llx", i, (unsigned long long)r.x[i]);
}

static s64 set_reg(u64 vmid, u64 idx, u64 id, u64 val)
{
	return env_hvc(LS_FN_VCPU_SET_REG, vmid, idx, id, val, NULL);
}

static s64 get_reg(u64 vmid, u64 idx, u64 id, u64 *val)
{
	struct hvc_regs r;
	s64 st = env_hvc(LS_FN_VCPU_GET_REG, vmid, idx, id, 0, &r);

	*val = r.x[1];
	return st;
}

static u64 stat(u32 vmid, u64 id)
{
	struct hvc_regs r;

	if (env_hvc(LS_FN_VM_STATS, vmid, id, 0, 0, &r) != LS_OK)
		fail_msg("stat vm%u id %llu: %lld", vmid, (unsigned long long)id,
			 (long long)r.x[0]);
	assert_int_equal(r.x[2], LS_VM_STAT_NR);
	return r.x[1];
}

static struct vcpu *vc(u32 vmid, u32 idx)
{
	struct vcpu *v = vcpu_peer(vmid, idx);

	assert_non_null(v);
	return v;
}

struct fk {
	u64 loads, aborts, mmio_done, pc;
};

static struct fk fk(u32 vmid, u32 idx)
{
	struct fk f;

	fake_vcpu_counts(vc(vmid, idx), &f.loads, &f.aborts, &f.mmio_done, &f.pc);
	return f;
}

static u64 gx(u32 vmid, u32 idx, unsigned int n)
{
	return fake_vcpu_x(vc(vmid, idx))[n];
}

static struct vcpu_event ev_kind(enum vcpu_ev_kind k)
{
	struct vcpu_event e;

	memset(&e, 0, sizeof(e));
	e.kind = k;
	return e;
}

static struct vcpu_event ev_hvc(u64 fn, u64 a1, u64 a2, u64 a3)
{
	struct vcpu_event e = ev_kind(VCPU_EV_HVC);

	e.hvc.x[0] = fn;
	e.hvc.x[1] = a1;
	e.hvc.x[2] = a2;
	e.hvc.x[3] = a3;
	return e;
}

/* A stage-2 abort with a valid syndrome (single load/store) to an unmapped IPA. */
static struct vcpu_event ev_mmio(u64 ipa, bool write, u8 width, u64 data)
{
	struct vcpu_event e = ev_kind(VCPU_EV_ABORT);

	e.ipa = ipa;
	e.isv = true;
	e.unmapped = true;
	e.write = write;
	e.width = width;
	e.data = data;
	return e;
}

static void script1(struct vcpu_event e)
{
	fake_vcpu_script(&e, 1);
}

/*
 * One guest HVC on vCPU @idx: returns the exit reason (LS_EXIT_IRQ when the
 * hypervisor answered it and the guest went on); the guest's x0..x3 in @x.
 */
static u64 guest_call(u32 vmid, u32 idx, u64 fn, u64 a1, u64 a2, u64 a3, struct hvc_regs *r,
		      u64 x[4])
{
	u64 reason;
	unsigned int i;

	script1(ev_hvc(fn, a1, a2, a3));
	reason = run_ok(vmid, idx, 0, 0, r);
	assert_int_equal(fake_vcpu_script_left(), 0);
	for (i = 0; i < 4; i++)
		x[i] = gx(vmid, idx, i);
	return reason;
}

/* x0 of a guest call that must not exit to the host. */
static u64 guest_x0(u32 vmid, u32 idx, u64 fn, u64 a1, u64 a2, u64 a3)
{
	struct hvc_regs r;
	u64 x[4];

	if (guest_call(vmid, idx, fn, a1, a2, a3, &r, x) != LS_EXIT_IRQ)
		fail_msg("guest call %#llx exited with %llu", (unsigned long long)fn,
			 (unsigned long long)r.x[1]);
	return x[0];
}

/* Hold all but @avail free pages of @who's pool. */
static u64 squeeze(u32 who, u64 avail)
{
	struct pt_pool *p = (struct pt_pool *)own_pool_of(who);
	u64 hold = p->nr_free - p->nr_reserved - avail;

	assert_int_equal(pt_pool_reserve(p, hold), 0);
	return hold;
}

static void release(u32 who, u64 hold)
{
	pt_pool_unreserve((struct pt_pool *)own_pool_of(who), hold);
}

static u16 db_entry(u64 pa)
{
	u16 e = 0;

	assert_int_equal(own_page_entry(pa, &e), 0);
	return e;
}

static bool page_zero(u64 pa)
{
	const u8 *b = plat_phys_to_virt(pa);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		if (b[i])
			return false;
	return true;
}

/* Donate @n fresh host pages to @vmid at @ipa. */
static u64 donate(u32 vmid, u64 ipa, u64 n, u64 align)
{
	struct hvc_regs r;
	u64 pa = env_host_pages(n, align);

	if (env_hvc(LS_FN_HOST_DONATE_VM, vmid, pa, ipa, n, &r) != LS_OK || r.x[1] != n)
		fail_msg("donate: %lld done %llu", (long long)r.x[0], (unsigned long long)r.x[1]);
	return pa;
}

/* ---- VCPU_CREATE ---- */

/* A refused create: status @st, x1..x3 0, nothing changed, no vCPU. */
static void create_refused(u64 vmid, u64 idx, u64 pa, u64 flags, s64 st)
{
	u64 snap = env_snapshot(), nv = stat(vm, LS_VM_STAT_VCPUS);
	struct hvc_regs r;

	if (vcreate(vmid, idx, pa, flags, &r) != st)
		fail_msg("create vm%llu idx %llu pa %#llx flags %#llx: %lld, expected %lld",
			 (unsigned long long)vmid, (unsigned long long)idx, (unsigned long long)pa,
			 (unsigned long long)flags, (long long)r.x[0], (long long)st);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), nv);
	INV_ASSERT();
}

static void create_errors(void **state)
{
	u64 pa = env_host_pages(1, PAGE_SIZE), other = env_host_pages(1, PAGE_SIZE);
	u64 vpa = env_host_pages(1, PAGE_SIZE);
	struct hvc_regs r;

	(void)state;
	/* Index, flags. */
	create_refused(vm, LS_MAX_VCPUS, pa, 0, LS_EINVAL);
	create_refused(vm, 1ULL << 32, pa, 0, LS_EINVAL);
	create_refused(vm, ~0ULL, pa, 0, LS_EINVAL);
	create_refused(vm, 0, pa, 1ULL << 1, LS_EINVAL);
	create_refused(vm, 0, pa, ~0ULL, LS_EINVAL);
	/* The page: unaligned, outside RAM, not the host's. */
	create_refused(vm, 0, pa + 8, 0, LS_EINVAL);
	create_refused(vm, 0, pa + 0x800, 0, LS_EINVAL);
	create_refused(vm, 0, 0x1000, 0, LS_ERANGE);
	create_refused(vm, 0, ENV_RAM_BASE + ENV_RAM_SIZE, 0, LS_ERANGE);
	create_refused(vm, 0, ENV_RAM_BASE, 0, LS_EPERM); /* the hypervisor image */
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, other, MEM_IPA, 1, &r), LS_OK);
	create_refused(vm, 0, other, 0, LS_EPERM); /* the VM's memory */
	assert_int_equal(env_hvc(LS_FN_HOST_SHARE_HYP, pa, 1, 0, 0, &r), LS_OK);
	create_refused(vm, 0, pa, 0, LS_EPERM); /* shared with the hypervisor */
	assert_int_equal(env_hvc(LS_FN_HOST_UNSHARE_HYP, pa, 1, 0, 0, &r), LS_OK);
	/* No such VM. */
	create_refused(vm + 1, 0, pa, 0, LS_ENOENT);
	create_refused(OWN_MAX_VMS - 1, 0, pa, 0, LS_ENOENT);
	create_refused(1ULL << 40, 0, pa, 0, LS_ENOENT);
	/* Another vCPU's page is the hypervisor's now. */
	assert_int_equal(vcreate(vm, 0, vpa, 0, &r), LS_OK);
	create_refused(vm, 1, vpa, 0, LS_EPERM);
	/* An index in use: LS_EEXIST, the other page stays the host's. */
	create_refused(vm, 0, pa, 0, LS_EEXIST);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_null(vcpu_peer(vm, 1));
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 1);
}

static void create_ok(void **state)
{
	u64 pa = env_host_pages(1, PAGE_SIZE), pa7, v;
	struct hvc_regs r;
	u16 e;

	(void)state;
	memset(plat_phys_to_virt(pa), 0xa5, PAGE_SIZE); /* the host's old contents */
	assert_int_equal(vcreate(vm, 0, pa, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 1);
	/* host OWNED -> NOPAGE, hypervisor OWNED, not a table-pool page */
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_NOPAGE);
	e = db_entry(pa);
	assert_int_equal(e & OWN_E_OWNER, OWN_OWNER_HYP);
	assert_int_equal(e & (OWN_E_TABLE | OWN_E_SHARED | OWN_E_CONSENT), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 1);
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 0); /* not guest memory */
	INV_ASSERT();
	/* Reset state, whatever the page held: EL1h with DAIF masked, PC 0, x0..x30 0. */
	assert_int_equal(get_reg(vm, 0, LS_REG_PSTATE, &v), LS_OK);
	assert_int_equal(v, 0x3c5);
	assert_int_equal(get_reg(vm, 0, LS_REG_PC, &v), LS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(get_reg(vm, 0, LS_REG_X(30), &v), LS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(get_reg(vm, 0, LS_REG_X(5), &v), LS_OK);
	assert_int_equal(v, 0);
	assert_int_equal(get_reg(vm, 0, LS_REG_MPIDR, &v), LS_OK);
	assert_int_equal(v & 0xff00ffffffULL, 0);
	/* The last index, created off: MPIDR Aff0 = 7; it does not run until a CPU_ON. */
	pa7 = new_vcpu(vm, LS_MAX_VCPUS - 1, LS_VCPU_POWER_OFF);
	assert_int_equal(own_page_state(OWN_HOST, pa7), OWN_NOPAGE);
	assert_int_equal(get_reg(vm, LS_MAX_VCPUS - 1, LS_REG_MPIDR, &v), LS_OK);
	assert_int_equal(v & 0xff00ffffffULL, LS_MAX_VCPUS - 1);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 2);
	/* Nothing pending, not running, counters zero: the old contents mean nothing. */
	run_refused(vm, 0, LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).loads, 1);
	assert_int_equal(fk(vm, 0).aborts, 0);
	assert_int_equal(fk(vm, 0).mmio_done, 0);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 1);
	run_refused(vm, LS_MAX_VCPUS - 1, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
	assert_int_equal(run_ok(vm, LS_MAX_VCPUS - 1, 0, 0, &r), LS_EXIT_VCPU_OFF);
	INV_ASSERT();
}

/* The host stage 2 needs a table to unmap the page: LS_ENOMEM, precise hint, nothing changed. */
static void create_enomem(void **state)
{
	u64 pa = env_host_pages(1, SZ_2M), hold, snap, need;
	struct hvc_regs r;

	(void)state;
	hold = squeeze(OWN_HOST, 0);
	snap = env_snapshot();
	assert_int_equal(vcreate(vm, 3, pa, 0, &r), LS_ENOMEM);
	assert_int_equal(env_snapshot(), snap);
	release(OWN_HOST, hold);
	need = r.x[1];
	assert_true(need >= 1);
	assert_int_equal(r.x[2], LS_POOL_HOST);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_null(vcpu_peer(vm, 3));
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 0);
	INV_ASSERT();
	/* One page short: still LS_ENOMEM, x1 = 1. */
	hold = squeeze(OWN_HOST, need - 1);
	assert_int_equal(vcreate(vm, 3, pa, 0, &r), LS_ENOMEM);
	release(OWN_HOST, hold);
	assert_int_equal(r.x[1], 1);
	/* Exactly enough: it works. */
	hold = squeeze(OWN_HOST, need);
	assert_int_equal(vcreate(vm, 3, pa, 0, &r), LS_OK);
	release(OWN_HOST, hold);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_NOPAGE);
	assert_non_null(vcpu_peer(vm, 3));
	INV_ASSERT();
}

/* The vCPU set is fixed at the first run: a later create is LS_EPERM and takes nothing. */
static void create_after_run(void **state)
{
	struct hvc_regs r;

	(void)state;
	new_vcpu(vm, 0, 0);
	/* Running an off vCPU enters nothing: the VM has not started yet. */
	new_vcpu(vm, 1, LS_VCPU_POWER_OFF);
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_VCPU_OFF);
	new_vcpu(vm, 2, 0);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	create_refused(vm, 3, env_host_pages(1, PAGE_SIZE), 0, LS_EPERM);
	assert_null(vcpu_peer(vm, 3));
}

/* ---- SET_REG / GET_REG ---- */

static void regs(void **state)
{
	static const u64 bad_pstate[] = {
		0x3c9,	       /* EL2h */
		0x3cd,	       /* EL3h */
		0x3c1,	       /* M[3:0] = 1: not an AArch64 EL0/EL1 mode */
		0x3d5,	       /* M[4] = 1: AArch32 */
		0x3c5 | 0x400, /* bits outside DAIF and M */
		1ULL << 63,
	};
	u64 v;
	unsigned int i;

	(void)state;
	new_vcpu(vm, 0, 0);
	new_vcpu(vm, 2, 0);
	/* Every writable register round-trips. */
	for (i = 0; i <= 30; i++)
		assert_int_equal(set_reg(vm, 0, LS_REG_X(i), 0x1000 + i), LS_OK);
	for (i = 0; i <= 30; i++) {
		assert_int_equal(get_reg(vm, 0, LS_REG_X(i), &v), LS_OK);
		assert_int_equal(v, 0x1000 + i);
	}
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0x80080000ULL), LS_OK);
	assert_int_equal(set_reg(vm, 0, LS_REG_SP_EL1, 0x8000ULL), LS_OK);
	assert_int_equal(set_reg(vm, 0, LS_REG_SCTLR_EL1, 0x30d00801ULL), LS_OK);
	assert_int_equal(set_reg(vm, 0, LS_REG_PSTATE, 0x3c4), LS_OK); /* EL1t */
	assert_int_equal(get_reg(vm, 0, LS_REG_PC, &v), LS_OK);
	assert_int_equal(v, 0x80080000ULL);
	assert_int_equal(get_reg(vm, 0, LS_REG_SP_EL1, &v), LS_OK);
	assert_int_equal(v, 0x8000);
	assert_int_equal(get_reg(vm, 0, LS_REG_SCTLR_EL1, &v), LS_OK);
	assert_int_equal(v, 0x30d00801ULL);
	assert_int_equal(get_reg(vm, 0, LS_REG_PSTATE, &v), LS_OK);
	assert_int_equal(v, 0x3c4);
	/* vCPU 2 is untouched. */
	assert_int_equal(get_reg(vm, 2, LS_REG_X(3), &v), LS_OK);
	assert_int_equal(v, 0);
	/* Unknown ids, impossible PSTATEs, the read-only MPIDR: LS_EINVAL, value kept. */
	assert_int_equal(set_reg(vm, 0, LS_REG_NR, 1), LS_EINVAL);
	assert_int_equal(set_reg(vm, 0, 1000, 1), LS_EINVAL);
	assert_int_equal(set_reg(vm, 0, ~0ULL, 1), LS_EINVAL);
	assert_int_equal(get_reg(vm, 0, LS_REG_NR, &v), LS_EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(get_reg(vm, 0, 1ULL << 40, &v), LS_EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_pstate); i++) {
		if (set_reg(vm, 0, LS_REG_PSTATE, bad_pstate[i]) != LS_EINVAL)
			fail_msg("PSTATE %#llx accepted", (unsigned long long)bad_pstate[i]);
	}
	assert_int_equal(get_reg(vm, 0, LS_REG_PSTATE, &v), LS_OK);
	assert_int_equal(v, 0x3c4);
	assert_int_equal(set_reg(vm, 0, LS_REG_MPIDR, 5), LS_EINVAL);
	assert_int_equal(get_reg(vm, 0, LS_REG_MPIDR, &v), LS_OK);
	assert_int_equal(v & 0xff00ffffffULL, 0);
	assert_int_equal(get_reg(vm, 2, LS_REG_MPIDR, &v), LS_OK);
	assert_int_equal(v & 0xff00ffffffULL, 2);
	/* Unknown VM or vCPU: LS_ENOENT. */
	assert_int_equal(set_reg(vm, 1, LS_REG_PC, 0), LS_ENOENT);
	assert_int_equal(set_reg(vm, LS_MAX_VCPUS, LS_REG_PC, 0), LS_ENOENT);
	assert_int_equal(set_reg(vm, 1ULL << 32, LS_REG_PC, 0), LS_ENOENT);
	assert_int_equal(set_reg(vm + 1, 0, LS_REG_PC, 0), LS_ENOENT);
	assert_int_equal(get_reg(vm + 1, 0, LS_REG_PC, &v), LS_ENOENT);
	assert_int_equal(get_reg(~0ULL, 0, LS_REG_PC, &v), LS_ENOENT);
	assert_int_equal(get_reg(vm, 1, LS_REG_PC, &v), LS_ENOENT);
	/* The first run starts at the chosen state... */
	assert_int_equal(fk(vm, 0).loads, 0);
	{
		struct hvc_regs r;

		assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	}
	assert_int_equal(fk(vm, 0).pc, 0x80080000ULL);
	assert_int_equal(gx(vm, 0, 7), 0x1007);
	/* ... and from then on the registers are the guest's: LS_EPERM both ways, any vCPU. */
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0x1234), LS_EPERM);
	assert_int_equal(set_reg(vm, 2, LS_REG_X(0), 0x1234), LS_EPERM);
	assert_int_equal(get_reg(vm, 0, LS_REG_X(7), &v), LS_EPERM);
	assert_int_equal(v, 0);
	assert_int_equal(get_reg(vm, 2, LS_REG_MPIDR, &v), LS_EPERM);
	assert_int_equal(fk(vm, 0).pc, 0x80080000ULL);
	INV_ASSERT();
}

/* ---- RUN ---- */

static void run_errors(void **state)
{
	struct hvc_regs r;
	struct vcpu_event e;

	(void)state;
	new_vcpu(vm, 0, 0);
	run_refused(vm + 1, 0, 0, 0, LS_ENOENT);
	run_refused(~0ULL, 0, 0, 0, LS_ENOENT);
	run_refused(vm, 1, 0, 0, LS_ENOENT);
	run_refused(vm, LS_MAX_VCPUS, 0, 0, LS_ENOENT);
	run_refused(vm, 1ULL << 32, 0, 0, LS_ENOENT);
	run_refused(vm, 0, 1ULL << 2, 0, LS_EINVAL);
	run_refused(vm, 0, ~0ULL, 0, LS_EINVAL);
	run_refused(vm, 0, LS_RUN_MMIO_DONE | LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
	/* Completions without a pending exit. */
	run_refused(vm, 0, LS_RUN_MMIO_DONE, 0x55, LS_EINVAL);
	run_refused(vm, 0, LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
	/* None of them entered the guest or counted. */
	assert_int_equal(fk(vm, 0).loads, 0);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 0);
	/* Both completions are refused while a memory fault (not an MMIO exit) is pending. */
	e = ev_mmio(0x2000, false, 4, 0);
	e.isv = false;
	script1(e);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	run_refused(vm, 0, LS_RUN_MMIO_DONE, 0x55, LS_EINVAL);
	run_refused(vm, 0, LS_RUN_MMIO_DONE | LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
	assert_int_equal(fk(vm, 0).loads, 1);
	assert_int_equal(fk(vm, 0).mmio_done, 0);
	/* After an IRQ exit nothing is pending again. */
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	run_refused(vm, 0, LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
	assert_int_equal(fk(vm, 0).aborts, 0);
	INV_ASSERT();
}

/* A vCPU created off: LS_EXIT_VCPU_OFF without entering, counting nothing. */
static void run_off(void **state)
{
	struct hvc_regs r;
	unsigned int i;

	(void)state;
	new_vcpu(vm, 4, LS_VCPU_POWER_OFF);
	for (i = 0; i < 3; i++) {
		memset(&r, 0xff, sizeof(r));
		assert_int_equal(run_ok(vm, 4, 0, 0, &r), LS_EXIT_VCPU_OFF);
		assert_int_equal(r.x[2], 0);
	}
	assert_int_equal(fk(vm, 4).loads, 0);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 0);
	/* Not started: its registers are still the host's to set. */
	assert_int_equal(set_reg(vm, 4, LS_REG_PC, 0x4000), LS_OK);
	/* A completion flag is still checked first. */
	run_refused(vm, 4, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
}

/* Every exit kind from scripted events, with its registers. */
static void exits(void **state)
{
	struct vcpu_event e;
	struct hvc_regs r;
	struct fk f;
	unsigned int i;

	(void)state;
	new_vcpu(vm, 0, 0);
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0x1000), LS_OK);
	assert_int_equal(set_reg(vm, 0, LS_REG_X(1), 0x1111), LS_OK);
	/* IRQ: no data. */
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	for (i = 2; i < ARRAY_SIZE(r.x); i++)
		assert_int_equal(r.x[i], 0);
	/* WFI, WFE. */
	script1(ev_kind(VCPU_EV_WFX));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_WFX);
	assert_int_equal(r.x[2], 0);
	e = ev_kind(VCPU_EV_WFX);
	e.wfe = true;
	script1(e);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_WFX);
	assert_int_equal(r.x[2], 1);
	/* An MMIO write: gpa, width, write, data. */
	script1(ev_mmio(MMIO_IPA + 0x14, true, 4, 0xdeadbeef));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(r.x[2], MMIO_IPA + 0x14);
	assert_int_equal(r.x[3], 4);
	assert_int_equal(r.x[4], LS_MMIO_WRITE);
	assert_int_equal(r.x[5], 0xdeadbeef);
	assert_int_equal(r.x[6], 0);
	/* Completed: the guest steps over it (its registers untouched by a write). */
	f = fk(vm, 0);
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0), LS_EPERM);
	assert_int_equal(run_ok(vm, 0, LS_RUN_MMIO_DONE, 0x77, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).pc, f.pc + 4);
	assert_int_equal(fk(vm, 0).mmio_done, f.mmio_done + 1);
	assert_int_equal(gx(vm, 0, 1), 0x1111);
	/* An MMIO read: no data goes out even if the event carried some. */
	script1(ev_mmio(MMIO_IPA + 0x2, false, 2, 0x5a5a));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(r.x[2], MMIO_IPA + 0x2);
	assert_int_equal(r.x[3], 2);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 0);
	/* Re-run without a completion: the access runs again (pc unchanged), nothing completes. */
	f = fk(vm, 0);
	script1(ev_mmio(MMIO_IPA + 0x2, false, 2, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(fk(vm, 0).pc, f.pc);
	assert_int_equal(fk(vm, 0).mmio_done, f.mmio_done);
	assert_int_equal(fk(vm, 0).loads, f.loads + 1);
	/* Completed with read data: into the load's register (fake: x1), pc steps. */
	assert_int_equal(run_ok(vm, 0, LS_RUN_MMIO_DONE, 0xabcd, &r), LS_EXIT_IRQ);
	assert_int_equal(gx(vm, 0, 1), 0xabcd);
	assert_int_equal(fk(vm, 0).pc, f.pc + 4);
	assert_int_equal(fk(vm, 0).mmio_done, f.mmio_done + 1);
	/* ... and only once: the next MMIO_DONE has nothing to complete. */
	run_refused(vm, 0, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
	/* An 8-byte write at an unaligned IPA. */
	script1(ev_mmio(MMIO_IPA + 0xff9, true, 8, 0x0123456789abcdefULL));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(r.x[2], MMIO_IPA + 0xff9);
	assert_int_equal(r.x[3], 8);
	assert_int_equal(r.x[5], 0x0123456789abcdefULL);
	/* Refused: the guest takes an abort, counted as a guest error. */
	f = fk(vm, 0);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).aborts, f.aborts + 1);
	assert_int_equal(fk(vm, 0).mmio_done, f.mmio_done);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 1);
	/* An access the platform refused itself: a guest error, no exit. */
	{
		struct vcpu_event two[2] = { ev_kind(VCPU_EV_INJECTED), ev_kind(VCPU_EV_WFX) };

		fake_vcpu_script(two, 2);
		assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_WFX);
		assert_int_equal(fake_vcpu_script_left(), 0);
		assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 2);
	}
	INV_ASSERT();
}

/* An abort the host cannot emulate: MEMORY_FAULT, page-aligned gpa, flags, never the data. */
static void memory_faults(void **state)
{
	struct {
		bool isv, write, exec, s1ptw, unmapped;
		u64 flags;
	} c[] = {
		{ false, true, false, false, true, LS_MEMFAULT_WRITE }, /* no valid syndrome */
		{ false, false, false, false, true, 0 },
		{ true, true, false, true, true, LS_MEMFAULT_WRITE },	/* on a stage-1 walk */
		{ true, false, true, false, true, LS_MEMFAULT_EXEC },	/* instruction fetch */
		{ true, true, false, false, false, LS_MEMFAULT_WRITE }, /* permission fault */
		{ false, false, true, false, false,
		  LS_MEMFAULT_EXEC }, /* exec from a shared page */
	};
	struct hvc_regs r;
	unsigned int i;
	struct fk f;

	(void)state;
	new_vcpu(vm, 0, 0);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct vcpu_event e = ev_mmio(MMIO_IPA + 0x1234 + i * PAGE_SIZE, c[i].write, 8,
					      0x5ec2e75ec2e7ULL);

		e.isv = c[i].isv;
		e.exec = c[i].exec;
		e.s1ptw = c[i].s1ptw;
		e.unmapped = c[i].unmapped;
		script1(e);
		memset(&r, 0xff, sizeof(r));
		if (run_ok(vm, 0, 0, 0, &r) != LS_EXIT_MEMORY_FAULT)
			fail_msg("case %u: exit %llu", i, (unsigned long long)r.x[1]);
		assert_int_equal(r.x[2], MMIO_IPA + i * PAGE_SIZE + 0x1000);
		assert_int_equal(r.x[3], PAGE_SIZE);
		assert_int_equal(r.x[4], c[i].flags);
		assert_int_equal(r.x[5], 0);
		assert_int_equal(r.x[6], 0);
		/* Not completable as MMIO; refusable. */
		run_refused(vm, 0, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
	}
	/* Re-run without a completion re-executes; INJECT_ABORT refuses it. */
	f = fk(vm, 0);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).aborts, f.aborts + 1);
	assert_int_equal(fk(vm, 0).pc, f.pc);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 1);
	run_refused(vm, 0, LS_RUN_INJECT_ABORT, 0, LS_EINVAL);
}

/* ---- the guest ABI ---- */

static void guest_queries(void **state)
{
	struct hvc_regs r;
	u64 x[4];

	(void)state;
	new_vcpu(vm, 0, 0);
	/* SMCCC */
	assert_int_equal(guest_x0(vm, 0, SMCCC_VERSION, 0, 0, 0), 0x10001);
	assert_int_equal(guest_x0(vm, 0, SMCCC_ARCH_FEATURES, SMCCC_VERSION, 0, 0), 0);
	assert_int_equal(guest_x0(vm, 0, SMCCC_ARCH_FEATURES, SMCCC_ARCH_WORKAROUND1, 0, 0),
			 SMCCC_NOT_SUPPORTED);
	/* Upper 32 bits of a function id set: not a function. */
	assert_int_equal(guest_x0(vm, 0, PSCI_VERSION | (1ULL << 32), 0, 0, 0),
			 SMCCC_NOT_SUPPORTED);
	/* Lockstep's own host ABI is unreachable from a guest (same OEN). */
	assert_int_equal(guest_x0(vm, 0, LS_HVC_VCPU_CREATE, vm, 1, 0), SMCCC_NOT_SUPPORTED);
	assert_int_equal(guest_x0(vm, 0, LS_HVC_VERSION, 0, 0, 0), SMCCC_NOT_SUPPORTED);
	/* KVM's UID (28b46fb6-2ec5-11e9-a9ca-4b564d003a74) in w0..w3, and its features. */
	assert_int_equal(guest_call(vm, 0, KVM_UID, 0, 0, 0, &r, x), LS_EXIT_IRQ);
	assert_int_equal(x[0], 0xb66fb428U);
	assert_int_equal(x[1], 0xe911c52eU);
	assert_int_equal(x[2], 0x564bcaa9U);
	assert_int_equal(x[3], 0x743a004dU);
	assert_int_equal(guest_call(vm, 0, KVM_FEATURES, 0, 0, 0, &r, x), LS_EXIT_IRQ);
	assert_int_equal(x[0], (1U << 0) | (1U << 2) | (1U << 3) | (1U << 4) | (1U << 7));
	assert_int_equal(x[1] | x[2] | x[3], 0);
	/* HYP_MEMINFO: the granule; any non-zero argument is invalid. */
	assert_int_equal(guest_x0(vm, 0, KVM_HYP_MEMINFO, 0, 0, 0), PAGE_SIZE);
	assert_int_equal(guest_x0(vm, 0, KVM_HYP_MEMINFO, 1, 0, 0), SMCCC_INVALID_PARAM);
	assert_int_equal(guest_x0(vm, 0, KVM_HYP_MEMINFO, 0, 0, 1), SMCCC_INVALID_PARAM);
	/* PSCI */
	assert_int_equal(guest_x0(vm, 0, PSCI_VERSION, 0, 0, 0), 0x10001); /* 1.1 */
	assert_int_equal(guest_x0(vm, 0, PSCI_FEATURES, PSCI_CPU_ON64, 0, 0), PSCI_OK);
	assert_int_equal(guest_x0(vm, 0, PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0), PSCI_OK);
	assert_int_equal(guest_x0(vm, 0, PSCI_FEATURES, PSCI_CPU_SUSPEND64, 0, 0),
			 PSCI_NOT_SUPPORTED);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_SUSPEND64, 0, 0, 0), PSCI_NOT_SUPPORTED);
	assert_int_equal(guest_x0(vm, 0, PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
	/* Every call above was handled at EL2: counted, each run one exit. */
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_HVC), 17);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 17);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 17);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 0);
}

static void guest_psci_cpus(void **state)
{
	struct hvc_regs r;
	u64 x[4];

	(void)state;
	new_vcpu(vm, 0, 0);
	new_vcpu(vm, 1, LS_VCPU_POWER_OFF);
	new_vcpu(vm, 2, 0);
	/* AFFINITY_INFO: 0 on, 1 off; a non-zero lowest level or unknown target invalid. */
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 1, 0, 0), 1);
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 2, 0, 0), 0);
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 1, 1, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 3, 0, 0), PSCI_INVALID_PARAMS);
	/* CPU_ON of an unknown target: no vCPU 3, Aff1 or Aff3 set, index beyond the set. */
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 3, 0x5000, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 0x101, 0x5000, 0), PSCI_INVALID_PARAMS);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, (1ULL << 32) | 1, 0x5000, 0),
			 PSCI_INVALID_PARAMS);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 0x100000001ULL << 8, 0x5000, 0),
			 PSCI_INVALID_PARAMS);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 0xff, 0x5000, 0), PSCI_INVALID_PARAMS);
	/* CPU_ON of an on vCPU (itself, another): ALREADY_ON, no exit. */
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 0, 0x5000, 0), PSCI_ALREADY_ON);
	assert_int_equal(guest_x0(vm, 0, PSCI_CPU_ON64, 2, 0x5000, 0), PSCI_ALREADY_ON);
	assert_int_equal(fk(vm, 1).loads, 0);
	/* CPU_ON of the off vCPU 1: SUCCESS, and the host is told which vCPU to run. */
	assert_int_equal(guest_call(vm, 0, PSCI_CPU_ON64, 1, 0x80001000ULL, 0xc0ffee, &r, x),
			 LS_EXIT_CPU_ON);
	assert_int_equal(x[0], PSCI_OK);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 1, 0, 0), 0);
	/* A second CPU_ON before it ran: ALREADY_ON, the first entry point stays. */
	assert_int_equal(guest_x0(vm, 2, PSCI_CPU_ON64, 1, 0x9999000ULL, 7), PSCI_ALREADY_ON);
	/* vCPU 1 runs from the entry with x0 = context id, in its reset state. */
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 1).loads, 1);
	assert_int_equal(fk(vm, 1).pc, 0x80001000ULL);
	assert_int_equal(gx(vm, 1, 0), 0xc0ffee);
	assert_int_equal(gx(vm, 1, 1), 0);
	/* CPU_OFF (x5 left non-zero): an exit, then RUN is VCPU_OFF without entering. */
	{
		struct vcpu_event e = ev_hvc(PSCI_CPU_OFF, 0, 0, 0);

		e.hvc.x[5] = 0x5555;
		script1(e);
		assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_CPU_OFF);
		assert_int_equal(gx(vm, 1, 0), PSCI_OK);
		assert_int_equal(gx(vm, 1, 5), 0x5555);
	}
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_VCPU_OFF);
	assert_int_equal(fk(vm, 1).loads, 2);
	assert_int_equal(guest_x0(vm, 0, PSCI_AFFINITY_INFO64, 1, 0, 0), 1);
	/* And on again, at a new entry point: the old context is gone. */
	assert_int_equal(guest_call(vm, 2, PSCI_CPU_ON64, 1, 0x4000, 0x77, &r, x), LS_EXIT_CPU_ON);
	assert_int_equal(r.x[2], 1);
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 1).pc, 0x4000);
	assert_int_equal(gx(vm, 1, 0), 0x77);
	assert_int_equal(gx(vm, 1, 5), 0);
	INV_ASSERT();
}

/*
 * SYSTEM_OFF / SYSTEM_RESET shut the VM down: every later RUN of any of its vCPUs (on, off,
 * or the caller) returns the same LS_EXIT_SHUTDOWN without entering the guest, as KVM's vCPUs
 * all see KVM_EXIT_SYSTEM_EVENT.
 */
static void guest_shutdown(void **state)
{
	static const u64 fns[2] = { PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET };
	struct hvc_regs r;
	unsigned int i;
	u64 x[4];

	(void)state;
	for (i = 0; i < 2; i++) {
		u32 v = i ? env_vm_create(16, 32) : vm;
		u64 pa0 = new_vcpu(v, 0, 0), pa1 = new_vcpu(v, 1, LS_VCPU_POWER_OFF);
		u64 pa2 = new_vcpu(v, 2, 0), runs;

		assert_int_equal(guest_call(v, 2, fns[i], 0, 0, 0, &r, x), LS_EXIT_SHUTDOWN);
		assert_int_equal(r.x[2], i ? LS_SHUTDOWN_RESET : LS_SHUTDOWN_OFF);
		assert_int_equal(x[0], PSCI_OK);
		runs = stat(v, LS_VM_STAT_RUNS);
		for (u32 k = 0; k < 4; k++) {
			assert_int_equal(run_ok(v, k < 3 ? k : 2, 0, 0, &r), LS_EXIT_SHUTDOWN);
			assert_int_equal(r.x[2], i ? LS_SHUTDOWN_RESET : LS_SHUTDOWN_OFF);
		}
		assert_int_equal(stat(v, LS_VM_STAT_RUNS), runs);
		assert_int_equal(fk(v, 0).loads, 0);
		assert_int_equal(set_reg(v, 0, LS_REG_PC, 0), LS_EPERM);
		create_refused(v, 3, env_host_pages(1, PAGE_SIZE), 0, LS_EPERM);
		if (i) /* another VM is not affected */
			assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
		/* Destroy still works and returns the pool and the three vCPU pages. */
		assert_int_equal(env_hvc(LS_FN_VM_DESTROY, v, 0, 0, 0, &r), LS_OK);
		assert_int_equal(r.x[1], 16 + 3);
		assert_int_equal(own_page_state(OWN_HOST, pa0), OWN_OWNED);
		assert_int_equal(own_page_state(OWN_HOST, pa1), OWN_OWNED);
		assert_int_equal(own_page_state(OWN_HOST, pa2), OWN_OWNED);
		INV_ASSERT();
		if (!i) {
			vm = env_vm_create(16, 32); /* a fresh one for the second round */
			new_vcpu(vm, 0, 0);
		}
	}
}

/* MEM_SHARE / MEM_UNSHARE of one granule, the consent the host's VM_SHARE_HOST needs. */
/*
 * A guest MEM_UNSHARE that needs a table page (the VM's 2 MiB block of shared pages
 * splits) while the pool is empty: not the guest's error. The host sees LS_EXIT_POOL
 * naming the pool, the guest's HVC runs again after the donation, nothing changed
 * in between.
 */
static void guest_unshare_pool(void **state)
{
	struct hvc_regs r;
	u64 pa, hold, snap, pc0, pc1, l, a, m, x[4];

	(void)state;
	new_vcpu(vm, 0, 0);
	pa = donate(vm, SZ_1G, 512, SZ_2M);
	assert_int_equal(env_guest_mem(vm, true, SZ_1G, 512, NULL), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, SZ_1G, 512, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 512);
	INV_ASSERT();
	hold = squeeze(vm, 0);
	snap = env_snapshot();
	fake_vcpu_counts(vcpu_peer(vm, 0), &l, &a, &m, &pc0);
	script1(ev_hvc(KVM_MEM_UNSHARE, SZ_1G + 5 * PAGE_SIZE, 0, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_POOL);
	assert_true(r.x[2] >= 1);
	assert_int_equal(r.x[3], vm);
	fake_vcpu_counts(vcpu_peer(vm, 0), &l, &a, &m, &pc1);
	assert_int_equal(pc1, pc0 - 4); /* the HVC runs again */
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(own_page_state(OWN_HOST, pa + 5 * PAGE_SIZE), OWN_SHARED_BORROWED);
	release(vm, hold);
	assert_int_equal(guest_call(vm, 0, KVM_MEM_UNSHARE, SZ_1G + 5 * PAGE_SIZE, 0, 0, &r, x),
			 LS_EXIT_MEM_UNSHARE);
	assert_int_equal(x[0], 0);
	assert_int_equal(own_page_state(OWN_HOST, pa + 5 * PAGE_SIZE), OWN_NOPAGE);
	INV_ASSERT();
}

/* LS_CONVERT_ZERO on the host's conversions: scrubbed in the transaction, else kept. */
static void convert_zero(void **state)
{
	struct hvc_regs r;
	u64 pa, snap;
	u8 *b;

	(void)state;
	pa = env_host_pages(2, PAGE_SIZE);
	b = plat_phys_to_virt(pa);
	memset(b, 0x5a, 2 * PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_HOST_DONATE_VM, vm, pa, MEM_IPA, 2, &r), LS_OK);
	assert_int_equal(env_guest_mem(vm, true, MEM_IPA, 2, NULL), LS_OK);
	/* Unknown flags: refused, nothing changed. */
	snap = env_snapshot();
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, 2, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, 1ULL << 32, &r), LS_EINVAL);
	assert_int_equal(env_snapshot(), snap);
	assert_int_equal(b[0], 0x5a);
	/* private -> shared: ZERO scrubs, PRESERVE (no flag) keeps. */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, LS_CONVERT_ZERO, &r), LS_OK);
	assert_true(page_zero(pa));
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_int_equal(b[PAGE_SIZE + 7], 0x5a);
	/* shared -> private: the host's writes are gone with ZERO, kept without. */
	memset(b, 0xa5, 2 * PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, MEM_IPA, 1, 4, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, MEM_IPA, 1, LS_CONVERT_ZERO, &r),
			 LS_OK);
	assert_true(page_zero(pa));
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_int_equal(b[PAGE_SIZE + 9], 0xa5);
	INV_ASSERT();
}

static void guest_mem_share(void **state)
{
	struct hvc_regs r;
	u64 pa, x[4];

	(void)state;
	new_vcpu(vm, 0, 0);
	pa = donate(vm, MEM_IPA, 4, PAGE_SIZE);
	/* Without the guest's consent the host cannot share the page. */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, 0, &r), LS_EPERM);
	assert_int_equal(db_entry(pa) & OWN_E_CONSENT, 0);
	/* Share: an exit naming the granule, consent recorded; the host converts it. */
	assert_int_equal(guest_call(vm, 0, KVM_MEM_SHARE, MEM_IPA, 0, 0, &r, x), LS_EXIT_MEM_SHARE);
	assert_int_equal(x[0], 0);
	assert_int_equal(r.x[2], MEM_IPA);
	assert_int_equal(r.x[3], PAGE_SIZE);
	assert_true(db_entry(pa) & OWN_E_CONSENT);
	assert_int_equal(db_entry(pa + PAGE_SIZE) & OWN_E_CONSENT, 0);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, 0, &r), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_SHARED_BORROWED);
	/* The neighbour was not offered. */
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_EPERM);
	INV_ASSERT();
	/* Unshare: the host loses the page now, consent withdrawn. */
	assert_int_equal(guest_call(vm, 0, KVM_MEM_UNSHARE, MEM_IPA, 0, 0, &r, x),
			 LS_EXIT_MEM_UNSHARE);
	assert_int_equal(x[0], 0);
	assert_int_equal(r.x[2], MEM_IPA);
	assert_int_equal(r.x[3], PAGE_SIZE);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_NOPAGE);
	assert_int_equal(own_page_state(vm, pa), OWN_OWNED);
	assert_int_equal(db_entry(pa) & OWN_E_CONSENT, 0);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA, 1, 0, &r), LS_EPERM);
	INV_ASSERT();
	/* Offer then withdraw before the host converted: consent gone again. */
	assert_int_equal(guest_call(vm, 0, KVM_MEM_SHARE, MEM_IPA + PAGE_SIZE, 0, 0, &r, x),
			 LS_EXIT_MEM_SHARE);
	assert_int_equal(guest_call(vm, 0, KVM_MEM_UNSHARE, MEM_IPA + PAGE_SIZE, 0, 0, &r, x),
			 LS_EXIT_MEM_UNSHARE);
	assert_int_equal(db_entry(pa + PAGE_SIZE) & OWN_E_CONSENT, 0);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_EPERM);
	/* Refused (INVALID_PARAMETER, no exit, nothing changed): unmapped, unaligned, x2/x3. */
	{
		u64 snap = env_snapshot();

		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, MEM_IPA + 4 * PAGE_SIZE, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, MMIO_IPA, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, MEM_IPA + 8, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, MEM_IPA + 2 * PAGE_SIZE, 1, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, MEM_IPA + 2 * PAGE_SIZE, 0, 1),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_SHARE, 1ULL << 40, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_UNSHARE, MMIO_IPA, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(guest_x0(vm, 0, KVM_MEM_UNSHARE, MEM_IPA + 0x10, 0, 0),
				 SMCCC_INVALID_PARAM);
		assert_int_equal(env_snapshot(), snap);
		assert_int_equal(db_entry(pa + 2 * PAGE_SIZE) & OWN_E_CONSENT, 0);
	}
	INV_ASSERT();
}

/* MMIO_GUARD: once on, only registered granules make MMIO exits. */
static void guest_mmio_guard(void **state)
{
	struct hvc_regs r;
	unsigned int i;

	(void)state;
	new_vcpu(vm, 0, 0);
	donate(vm, MEM_IPA, 1, PAGE_SIZE);
	/* Before any registration every unmapped single access is MMIO. */
	script1(ev_mmio(MMIO_IPA + 0x5008, true, 4, 1));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	/* Memory is never MMIO; unaligned, beyond the IPA space: refused, guard still off. */
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MEM_IPA, 0, 0), SMCCC_INVALID_PARAM);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA + 4, 0, 0), SMCCC_INVALID_PARAM);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, 1ULL << 32, 0, 0), SMCCC_INVALID_PARAM);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA, 1, 0), SMCCC_INVALID_PARAM);
	script1(ev_mmio(MMIO_IPA + 0x5008, true, 4, 1));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	/* Register one granule (twice: idempotent). */
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA, 0, 0), 0);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA, 0, 0), 0);
	script1(ev_mmio(MMIO_IPA + 0xffc, true, 4, 0x42));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(r.x[2], MMIO_IPA + 0xffc);
	assert_int_equal(r.x[5], 0x42);
	/* Elsewhere (even the next granule): a memory fault without the data. */
	script1(ev_mmio(MMIO_IPA + 0x1000, true, 4, 0x42));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	assert_int_equal(r.x[2], MMIO_IPA + 0x1000);
	assert_int_equal(r.x[4], LS_MEMFAULT_WRITE);
	assert_int_equal(r.x[5], 0);
	script1(ev_mmio(MMIO_IPA + 0x5008, false, 4, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	assert_int_equal(r.x[2], MMIO_IPA + 0x5000);
	run_refused(vm, 0, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
	/* Up to VCPU_MMIO_GUARD_MAX granules, then INVALID_PARAMETER. */
	for (i = 1; i < VCPU_MMIO_GUARD_MAX; i++)
		assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA + i * 0x10000ULL, 0, 0),
				 0);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA + 0x7000, 0, 0),
			 SMCCC_INVALID_PARAM);
	assert_int_equal(guest_x0(vm, 0, KVM_MMIO_GUARD, MMIO_IPA, 0, 0), 0); /* known one */
	script1(ev_mmio(MMIO_IPA + 0x7000, false, 1, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	script1(ev_mmio(MMIO_IPA + (VCPU_MMIO_GUARD_MAX - 1) * 0x10000ULL + 4, false, 1, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	INV_ASSERT();
}

/* ---- teardown ---- */

/*
 * The host takes memory back from a VM that ran: the VM keeps running and the range is a hole
 * (a guest access there is a memory fault, never MMIO; MMIO_GUARD refuses it) until a donation
 * fills it again. A reclaim with no room left for its hole stops the VM for good.
 */
static void holes(void **state)
{
	u64 big, hv, hh, n, pa1, pa0, x[4];
	struct hvc_regs r;

	(void)state;
	new_vcpu(vm, 0, 0);
	new_vcpu(vm, 1, LS_VCPU_POWER_OFF);
	pa1 = donate(vm, MEM_IPA + SZ_2M, 1, PAGE_SIZE);
	/* Before the first run a reclaim makes no hole: the guest never had the page. */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA + SZ_2M, 1, 0, &r), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, pa1), OWN_OWNED);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	script1(ev_mmio(MEM_IPA + SZ_2M, true, 8, 0x5ec2e7));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MMIO);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	/* 2 MiB of guest memory: one block, so a one-page reclaim needs tables. */
	big = donate(vm, MEM_IPA, 512, SZ_2M);
	hv = squeeze(vm, 0);
	hh = squeeze(OWN_HOST, 0);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 1, 0, &r), LS_ENOMEM);
	release(OWN_HOST, hh);
	release(vm, hv);
	assert_int_equal(own_page_state(vm, big), OWN_OWNED);
	/* A failed reclaim (LS_EBUSY on a window mixing a private and a shared page) neither. */
	assert_int_equal(guest_call(vm, 0, KVM_MEM_SHARE, MEM_IPA + PAGE_SIZE, 0, 0, &r,
				    (u64[4]){ 0 }),
			 LS_EXIT_MEM_SHARE);
	assert_int_equal(env_hvc(LS_FN_VM_SHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 2, 0, &r), LS_EBUSY);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm + 1, MEM_IPA, 1, 0, &r), LS_ENOENT);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).loads, 5);
	/* Page 0 taken back (scrubbed): the VM keeps running, the page is a hole. */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 1, 0, &r), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, big), OWN_OWNED);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	/* A store there with a valid syndrome: a memory fault, no data for the host. */
	script1(ev_mmio(MEM_IPA + 8, true, 8, 0x5ec2e7));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	assert_int_equal(r.x[2], MEM_IPA);
	assert_int_equal(r.x[4], LS_MEMFAULT_WRITE);
	assert_int_equal(r.x[5], 0);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(guest_call(vm, 0, KVM_MMIO_GUARD, MEM_IPA, 0, 0, &r, x), LS_EXIT_IRQ);
	assert_int_equal((s64)x[0], SMCCC_INVALID_PARAM);
	/* The VMM fills the hole again (a donation after the first run, not measured). */
	pa0 = donate(vm, MEM_IPA, 1, PAGE_SIZE);
	assert_int_equal(own_page_state(vm, pa0), OWN_OWNED);
	/* Holes: VCPU_HOLE_MAX separate ones, then one adjacent to two of them still fits
	 * (coalesced), then one more separate one stops the VM for good. */
	for (n = 0; n < VCPU_HOLE_MAX; n++)
		assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA + (4 + 2 * n) * PAGE_SIZE, 1,
					 0, &r),
				 LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA + 5 * PAGE_SIZE, 1, 0, &r), LS_OK);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	script1(ev_mmio(MEM_IPA + 6 * PAGE_SIZE, false, 4, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).loads, 12);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA + 500 * PAGE_SIZE, 1, 0, &r), LS_OK);
	run_refused(vm, 0, 0, 0, LS_EPERM);
	run_refused(vm, 1, 0, 0, LS_EPERM);
	assert_int_equal(fk(vm, 0).loads, 12);
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0), LS_EPERM);
	create_refused(vm, 2, env_host_pages(1, PAGE_SIZE), 0, LS_EPERM);
	/* The host takes the rest back and destroys it; vCPU pages come home. */
	assert_int_equal(env_hvc(LS_FN_VM_UNSHARE_HOST, vm, MEM_IPA + PAGE_SIZE, 1, 0, &r), LS_OK);
	for (n = 0; n < 512; n++)
		if (own_page_state(vm, (n ? big : pa0) + n * PAGE_SIZE) == OWN_OWNED)
			assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA + n * PAGE_SIZE, 1,
						 0, &r),
					 LS_OK);
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 0);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 16 + 2);
	INV_ASSERT();
}

/* VM_DESTROY gives every vCPU page back: host OWNED, scrubbed. */
static void destroy_returns_vcpus(void **state)
{
	u64 pa[3];
	struct hvc_regs r;
	unsigned int i;

	(void)state;
	pa[0] = new_vcpu(vm, 0, 0);
	pa[1] = new_vcpu(vm, 5, 0);
	pa[2] = new_vcpu(vm, 6, LS_VCPU_POWER_OFF);
	script1(ev_hvc(PSCI_VERSION, 0, 0, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(run_ok(vm, 5, 0, 0, &r), LS_EXIT_IRQ);
	for (i = 0; i < 3; i++)
		assert_false(page_zero(pa[i])); /* struct vcpu and the register context */
	/* Guest memory left: LS_EBUSY, nothing returned. */
	donate(vm, MEM_IPA, 1, PAGE_SIZE);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_EBUSY);
	assert_int_equal(own_page_state(OWN_HOST, pa[0]), OWN_NOPAGE);
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 1, 0, &r), LS_OK);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 16 + 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(own_page_state(OWN_HOST, pa[i]), OWN_OWNED);
		assert_int_equal(db_entry(pa[i]) & ~OWN_E_OWNER, 0);
		if (!page_zero(pa[i]))
			fail_msg("vcpu page %u not scrubbed", i);
	}
	assert_null(vcpu_peer(vm, 0));
	assert_int_equal(env_hvc(LS_FN_VM_STATS, vm, LS_VM_STAT_VCPUS, 0, 0, &r), LS_ENOENT);
	run_refused(vm, 0, 0, 0, LS_ENOENT);
	INV_ASSERT();
	/* The slot is reused with no vCPUs, no counters, not started. */
	vm = env_vm_create(16, 32);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 0);
	assert_null(vcpu_peer(vm, 5));
	new_vcpu(vm, 0, 0);
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0x1000), LS_OK);
	/* A vCPU page can serve again once back with the host. */
	assert_int_equal(vcreate(vm, 1, pa[1], 0, &r), LS_OK);
	INV_ASSERT();
}

/* ---- VM_STATS ---- */

static void stats(void **state)
{
	struct vcpu_event e[4];
	struct hvc_regs r;
	u32 vm2 = env_vm_create(16, 32);
	u64 tables;

	(void)state;
	/* Errors: unknown id, unknown VM; x2 is always the id count. */
	assert_int_equal(env_hvc(LS_FN_VM_STATS, vm, LS_VM_STAT_NR, 0, 0, &r), LS_EINVAL);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], LS_VM_STAT_NR);
	assert_int_equal(env_hvc(LS_FN_VM_STATS, vm, ~0ULL, 0, 0, &r), LS_EINVAL);
	assert_int_equal(env_hvc(LS_FN_VM_STATS, vm2 + 1, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(r.x[2], LS_VM_STAT_NR);
	assert_int_equal(env_hvc(LS_FN_VM_STATS, 1ULL << 33, 0, 0, 0, &r), LS_ENOENT);
	assert_int_equal(env_hvc_vm(vm, LS_FN_VM_STATS, vm, 0, &r), LS_EPERM);
	/* A fresh VM. */
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_HVC), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 0);
	assert_int_equal(stat(vm, LS_VM_STAT_POOL_TOTAL), 16);
	tables = 16 - stat(vm, LS_VM_STAT_POOL_FREE);
	assert_true(tables >= 1 && tables < 16);
	/* Pages and vCPUs. */
	new_vcpu(vm, 0, 0);
	new_vcpu(vm, 1, LS_VCPU_POWER_OFF);
	donate(vm, MEM_IPA, 3, PAGE_SIZE);
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 3);
	assert_int_equal(stat(vm, LS_VM_STAT_VCPUS), 2);
	assert_int_equal(stat(vm, LS_VM_STAT_POOL_TOTAL), 16);
	assert_int_equal(stat(vm2, LS_VM_STAT_PAGES), 0);
	assert_int_equal(stat(vm2, LS_VM_STAT_VCPUS), 0);
	/* One run: two guest calls and an injected error handled at EL2, one WFI exit. */
	e[0] = ev_hvc(PSCI_VERSION, 0, 0, 0);
	e[1] = ev_kind(VCPU_EV_INJECTED);
	e[2] = ev_hvc(SMCCC_VERSION, 0, 0, 0);
	e[3] = ev_kind(VCPU_EV_WFX);
	fake_vcpu_script(e, 4);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_WFX);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 1);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 1);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_HVC), 2);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 1);
	/* Refused runs and an off vCPU's count nothing. */
	run_refused(vm, 0, LS_RUN_MMIO_DONE, 0, LS_EINVAL);
	run_refused(vm, 3, 0, 0, LS_ENOENT);
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_VCPU_OFF);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 1);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 1);
	/* An exiting guest call, a memory fault refused by the host. */
	script1(ev_hvc(KVM_MEM_SHARE, MEM_IPA, 0, 0));
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEM_SHARE);
	e[0] = ev_mmio(MMIO_IPA, true, 4, 0);
	e[0].isv = false;
	script1(e[0]);
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_MEMORY_FAULT);
	assert_int_equal(run_ok(vm, 0, LS_RUN_INJECT_ABORT, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 4);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), 4);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_HVC), 3);
	assert_int_equal(stat(vm, LS_VM_STAT_GUEST_ERRORS), 2);
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 3);
	/* Another VM's counters are its own. */
	assert_int_equal(stat(vm2, LS_VM_STAT_RUNS), 0);
	assert_int_equal(stat(vm2, LS_VM_STAT_GUEST_HVC), 0);
	/* Pool donation shows in the pool counters. */
	tables = stat(vm, LS_VM_STAT_POOL_FREE);
	assert_int_equal(env_hvc(LS_FN_POOL_DONATE, vm, env_host_pages(2, PAGE_SIZE), 2, 0, &r),
			 LS_OK);
	assert_int_equal(stat(vm, LS_VM_STAT_POOL_TOTAL), 18);
	assert_int_equal(stat(vm, LS_VM_STAT_POOL_FREE), tables + 2);
}

/* ---- concurrency ---- */

static pthread_mutex_t hk_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hk_cv = PTHREAD_COND_INITIALIZER;
static u32 hk_vm, hk_idx;
static int hk_state; /* 0 nobody held, 1 a vCPU is held in the guest, 2 let it go */

/* Holds vCPU hk_idx of hk_vm "in the guest" until the test lets it go. */
static void hold_hook(struct vcpu *v)
{
	if (v->vm != hk_vm || v->idx != hk_idx)
		return;
	pthread_mutex_lock(&hk_mu);
	hk_state = 1;
	pthread_cond_broadcast(&hk_cv);
	while (hk_state != 2)
		pthread_cond_wait(&hk_cv, &hk_mu);
	hk_state = 0;
	pthread_mutex_unlock(&hk_mu);
}

struct runner {
	u32 vm, idx;
	s64 st;
	u64 reason;
};

static void *runner_fn(void *arg)
{
	struct runner *w = arg;
	struct hvc_regs r;

	w->st = vrun(w->vm, w->idx, 0, 0, &r);
	w->reason = r.x[1];
	return NULL;
}

static void hold_start(pthread_t *th, struct runner *w, u32 vmid, u32 idx)
{
	hk_vm = vmid;
	hk_idx = idx;
	hk_state = 0;
	fake_vcpu_enter_hook(hold_hook);
	*w = (struct runner){ vmid, idx, 1, 0 };
	assert_int_equal(pthread_create(th, NULL, runner_fn, w), 0);
	pthread_mutex_lock(&hk_mu);
	while (hk_state != 1)
		pthread_cond_wait(&hk_cv, &hk_mu);
	pthread_mutex_unlock(&hk_mu);
}

static void hold_end(pthread_t th, struct runner *w)
{
	pthread_mutex_lock(&hk_mu);
	hk_state = 2;
	pthread_cond_broadcast(&hk_cv);
	pthread_mutex_unlock(&hk_mu);
	assert_int_equal(pthread_join(th, NULL), 0);
	fake_vcpu_enter_hook(NULL);
	assert_int_equal(w->st, LS_OK);
	assert_int_equal(w->reason, LS_EXIT_IRQ);
}

/* While one CPU runs a vCPU: a second RUN of it and destroy are LS_EBUSY; reclaim works. */
static void busy_while_running(void **state)
{
	struct runner w;
	struct hvc_regs r;
	pthread_t th;
	u32 vm2;
	u64 pa;

	(void)state;
	new_vcpu(vm, 0, 0);
	new_vcpu(vm, 1, 0);
	pa = donate(vm, MEM_IPA, 1, PAGE_SIZE);
	hold_start(&th, &w, vm, 0);
	run_refused(vm, 0, 0, 0, LS_EBUSY);
	run_refused(vm, 0, 0, 0, LS_EBUSY);
	assert_int_equal(fk(vm, 0).loads, 1);
	/* Another vCPU of the VM runs meanwhile. */
	assert_int_equal(run_ok(vm, 1, 0, 0, &r), LS_EXIT_IRQ);
	/* The host takes memory from under a running vCPU: the page leaves the VM (a hole). */
	assert_int_equal(env_hvc(LS_FN_VM_RECLAIM, vm, MEM_IPA, 1, 0, &r), LS_OK);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	assert_int_equal(stat(vm, LS_VM_STAT_PAGES), 0);
	assert_int_equal(set_reg(vm, 0, LS_REG_PC, 0), LS_EPERM);
	hold_end(th, &w);
	/* The reclaim did not stop the VM. */
	assert_int_equal(run_ok(vm, 0, 0, 0, &r), LS_EXIT_IRQ);
	assert_int_equal(fk(vm, 0).loads, 2);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), 3);
	INV_ASSERT();

	/* A VM without memory whose vCPU runs: destroy is LS_EBUSY and changes nothing. */
	vm2 = env_vm_create(16, 32);
	pa = new_vcpu(vm2, 3, 0);
	hold_start(&th, &w, vm2, 3);
	{
		u64 snap = env_snapshot();

		assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm2, 0, 0, 0, &r), LS_EBUSY);
		assert_int_equal(r.x[1], 0);
		assert_int_equal(env_snapshot(), snap);
	}
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_NOPAGE);
	hold_end(th, &w);
	assert_int_equal(env_hvc(LS_FN_VM_DESTROY, vm2, 0, 0, 0, &r), LS_OK);
	assert_int_equal(r.x[1], 16 + 1);
	assert_int_equal(own_page_state(OWN_HOST, pa), OWN_OWNED);
	INV_ASSERT();
}

/* Two host CPUs hammer RUN on one vCPU: never both inside, every call LS_OK or LS_EBUSY. */
#define RACE_ITERS 3000
static int race_inside, race_overlap;
static unsigned int race_entries;

static void race_hook(struct vcpu *v)
{
	unsigned int i;

	(void)v;
	if (__atomic_fetch_add(&race_inside, 1, __ATOMIC_SEQ_CST) != 0)
		__atomic_store_n(&race_overlap, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < 200; i++)
		__asm__ __volatile__("" ::: "memory");
	if ((__atomic_fetch_add(&race_entries, 1, __ATOMIC_SEQ_CST) & 7) == 0)
		usleep(1); /* now and then, long enough for the other CPU to try */
	__atomic_fetch_sub(&race_inside, 1, __ATOMIC_SEQ_CST);
}

struct racer {
	u64 ok, busy, other;
};

static void *racer_fn(void *arg)
{
	struct racer *w = arg;
	unsigned int i;

	for (i = 0; i < RACE_ITERS; i++) {
		struct hvc_regs r;
		s64 st = vrun(vm, 0, 0, 0, &r);

		if (st == LS_OK && r.x[1] == LS_EXIT_IRQ)
			w->ok++;
		else if (st == LS_EBUSY)
			w->busy++;
		else
			w->other++;
		if ((i & 3) == 0)
			usleep(1); /* let the other CPU in now and then */
	}
	return NULL;
}

static void race_one_vcpu(void **state)
{
	struct racer w[2] = { { 0 }, { 0 } };
	pthread_t th[2];
	unsigned int i;

	(void)state;
	new_vcpu(vm, 0, 0);
	race_inside = race_overlap = 0;
	fake_vcpu_enter_hook(race_hook);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, racer_fn, &w[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	fake_vcpu_enter_hook(NULL);
	assert_int_equal(race_overlap, 0);
	assert_int_equal(w[0].other + w[1].other, 0);
	assert_int_equal(w[0].ok + w[0].busy, RACE_ITERS);
	/* Every LS_OK entered exactly once, and only those counted. */
	assert_int_equal(fk(vm, 0).loads, w[0].ok + w[1].ok);
	assert_int_equal(stat(vm, LS_VM_STAT_RUNS), w[0].ok + w[1].ok);
	assert_int_equal(stat(vm, LS_VM_STAT_EXITS), w[0].ok + w[1].ok);
	print_message("# race: %llu + %llu runs, %llu + %llu LS_EBUSY\n",
		      (unsigned long long)w[0].ok, (unsigned long long)w[1].ok,
		      (unsigned long long)w[0].busy, (unsigned long long)w[1].busy);
	INV_ASSERT();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(create_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(create_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(create_after_run, setup, teardown),
		cmocka_unit_test_setup_teardown(regs, setup, teardown),
		cmocka_unit_test_setup_teardown(run_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(run_off, setup, teardown),
		cmocka_unit_test_setup_teardown(exits, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_psci_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_mem_share, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_mmio_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(holes, setup, teardown),
		cmocka_unit_test_setup_teardown(destroy_returns_vcpus, setup, teardown),
		cmocka_unit_test_setup_teardown(stats, setup, teardown),
		cmocka_unit_test_setup_teardown(guest_unshare_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(convert_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_while_running, setup, teardown),
		cmocka_unit_test_setup_teardown(race_one_vcpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
