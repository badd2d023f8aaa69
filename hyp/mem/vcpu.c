// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPUs of protected VMs: creation from a donated page, the initial registers,
 * the run loop and its exits, PSCI power state, teardown (docs/vcpu.md).
 *
 * Locks: a VM's run lock guards its vCPU table, each vCPU's on/running/
 * reset_pending flags and the VM's started/dying/shutdown flags. It nests inside
 * the host and VM locks (creation, destruction, reclaim take all three) and is
 * never held while a guest runs or while a guest call changes ownership.
 */
#include <errno.h>
#include <string.h>

#include <lockstep/abi.h>

#include "own_internal.h"
#include "hyp/vcpu.h"

_Static_assert(LS_MAX_VCPUS == VCPU_MAX, "ABI vCPU count matches the core");
_Static_assert(LS_REG_NR <= 64, "register ids fit");

static bool vcpu_hole_has(const struct own_vm_run *r, u64 ipa);

static struct vcpu *vcpu_of(struct own_principal *p, u32 idx)
{
	return idx < VCPU_MAX ? p->vm_run.vcpu[idx] : NULL;
}

int vcpu_create(u32 vm, u32 idx, u64 pa, u64 flags, struct own_res *res)
{
	struct own_principal *p;
	struct vcpu *v;
	u16 *e;
	int ret;

	res->done = 0;
	HYP_CHECK(sizeof(struct vcpu) + plat_vcpu_ctx_size() <= PAGE_SIZE);
	if (idx >= VCPU_MAX || (flags & ~(u64)LS_VCPU_POWER_OFF))
		return -EINVAL;
	ret = own_check_args(pa, 1);
	if (ret)
		return ret;
	ret = own_check_pa(pa, 1, &e);
	if (ret)
		return ret;
	ret = own_lock_host_vm(vm, &p);
	if (ret)
		return ret;
	hyp_spin_lock(&p->vm_run.lock);
	ret = -EPERM;
	if (p->vm_run.started || p->vm_run.dying)
		goto out;
	ret = -EEXIST;
	if (p->vm_run.vcpu[idx])
		goto out;
	/* host OWNED -> NOPAGE, hyp NOPAGE -> OWNED (not a table page: no pool takes it) */
	ret = own_take_host_pages_as(pa, 1, e, 0, res);
	if (ret)
		goto out;
	v = plat_phys_to_virt(pa);
	memset(v, 0, PAGE_SIZE);
	v->vm = vm;
	v->idx = idx;
	v->pa = pa;
	v->on = !(flags & LS_VCPU_POWER_OFF);
	plat_vcpu_reset(v, 0, 0);
	p->vm_run.vcpu[idx] = v;
	p->vm_run.nr_vcpus++;
	res->done = 1;
	plat_log("own: vm%u vcpu%u created (%s) in page %#llx", vm, idx, v->on ? "on" : "off",
		 (unsigned long long)pa);
out:
	hyp_spin_unlock(&p->vm_run.lock);
	own_unlock_host_vm(p);
	return ret;
}

/* Registers are the host's to choose (or read) only before the VM first runs. */
static int vcpu_reg_begin(u32 vm, u32 idx, struct own_principal **pp, struct vcpu **vp)
{
	struct own_principal *p = own_vm_get(vm);
	struct vcpu *v;

	if (!p)
		return -ENOENT;
	hyp_spin_lock(&p->vm_run.lock);
	v = vcpu_of(p, idx);
	if (!p->live || !v) {
		hyp_spin_unlock(&p->vm_run.lock);
		return -ENOENT;
	}
	if (p->vm_run.started || p->vm_run.dying) {
		hyp_spin_unlock(&p->vm_run.lock);
		return -EPERM;
	}
	*pp = p;
	*vp = v;
	return 0;
}

int vcpu_set_reg(u32 vm, u32 idx, u64 id, u64 val)
{
	struct own_principal *p;
	struct vcpu *v;
	int ret = vcpu_reg_begin(vm, idx, &p, &v);

	if (ret)
		return ret;
	ret = plat_vcpu_set_reg(v, id, val);
	hyp_spin_unlock(&p->vm_run.lock);
	return ret;
}

int vcpu_get_reg(u32 vm, u32 idx, u64 id, u64 *val)
{
	struct own_principal *p;
	struct vcpu *v;
	int ret = vcpu_reg_begin(vm, idx, &p, &v);

	*val = 0;
	if (ret)
		return ret;
	ret = plat_vcpu_get_reg(v, id, val);
	hyp_spin_unlock(&p->vm_run.lock);
	return ret;
}

/* ---- guest-facing state changes (hyp/hvc/guest.c) ---- */

struct vcpu *vcpu_peer(u32 vm, u32 idx)
{
	struct own_principal *p = own_vm_get(vm);
	struct vcpu *v;

	if (!p)
		return NULL;
	hyp_spin_lock(&p->vm_run.lock);
	v = vcpu_of(p, idx);
	hyp_spin_unlock(&p->vm_run.lock);
	return v;
}

/* PSCI CPU_ON of an off vCPU: it starts at @entry with x0 = @ctx_id at its next run. */
bool vcpu_psci_cpu_on(struct vcpu *t, u64 entry, u64 ctx_id)
{
	struct own_principal *p = own_vm_get(t->vm);
	bool was_on;

	hyp_spin_lock(&p->vm_run.lock);
	was_on = t->on;
	if (!was_on) {
		t->on = true;
		t->reset_pending = true;
		t->on_entry = entry;
		t->on_ctx = ctx_id;
	}
	hyp_spin_unlock(&p->vm_run.lock);
	return !was_on;
}

void vcpu_psci_cpu_off(struct vcpu *v)
{
	struct own_principal *p = own_vm_get(v->vm);

	hyp_spin_lock(&p->vm_run.lock);
	v->on = false;
	hyp_spin_unlock(&p->vm_run.lock);
}

bool vcpu_is_on(struct vcpu *v)
{
	struct own_principal *p = own_vm_get(v->vm);
	bool on;

	hyp_spin_lock(&p->vm_run.lock);
	on = v->on;
	hyp_spin_unlock(&p->vm_run.lock);
	return on;
}

void vcpu_shutdown(u32 vm, u64 type)
{
	struct own_principal *p = own_vm_get(vm);

	hyp_spin_lock(&p->vm_run.lock);
	if (!p->vm_run.shutdown)
		p->vm_run.shutdown_type = (u8)type; /* the first request wins */
	p->vm_run.shutdown = true;
	hyp_spin_unlock(&p->vm_run.lock);
}

/*
 * MMIO_GUARD: from the first call on, only registered granules are MMIO; an IPA
 * that maps the VM's memory is never one.
 */
int vcpu_mmio_guard(u32 vm, u64 ipa)
{
	struct own_principal *p = own_vm_get(vm);
	struct own_vm_run *r = &p->vm_run;
	pt_attr_t attr;
	unsigned int i;
	int ret = 0;

	if (!IS_ALIGNED(ipa, PAGE_SIZE) || own_check_ipa(p, ipa, 1))
		return -EINVAL;
	hyp_spin_lock(&p->lock);
	/* A device leaf is MMIO the VM took (vmmmio.c): a granule like any other. */
	if (pt_lookup(&p->view.cpu, ipa, NULL, &attr, NULL) == 0 && !(attr & PT_DEVICE))
		ret = -EINVAL; /* the VM's memory, never MMIO */
	hyp_spin_unlock(&p->lock);
	if (ret)
		return ret;
	hyp_spin_lock(&r->lock);
	if (vcpu_hole_has(r, ipa)) {
		hyp_spin_unlock(&r->lock);
		return -EINVAL; /* the VM's memory, taken back for now: never MMIO */
	}
	for (i = 0; i < r->nr_guard && r->guard[i] != ipa; i++)
		;
	if (i == r->nr_guard) {
		if (r->nr_guard == VCPU_MMIO_GUARD_MAX)
			ret = -ENOSPC;
		else
			r->guard[r->nr_guard++] = ipa;
	}
	if (!ret)
		r->guarded = true;
	hyp_spin_unlock(&r->lock);
	return ret;
}

static bool vcpu_guard_allows(struct own_vm_run *r, u64 ipa)
{
	unsigned int i;
	bool ok;

	hyp_spin_lock(&r->lock);
	ok = !r->guarded;
	for (i = 0; i < r->nr_guard && !ok; i++)
		ok = r->guard[i] == (ipa & ~(u64)(PAGE_SIZE - 1));
	hyp_spin_unlock(&r->lock);
	return ok;
}

/* ---- holes: memory the host took back from a VM that runs ---- */

/*
 * A hole is an IPA range the host reclaimed (LS_FN_VM_RECLAIM) after the VM's first run: the
 * guest's memory, gone. A guest access there is a memory fault for the host to resolve (the
 * VMM donates a page again, LS_FN_HOST_DONATE_VM), never an MMIO exit, whose write data or read
 * result would pass between guest and host as if the page were a device. The list keeps
 * adjacent ranges coalesced; a donation trims what it covers (a page mapped again never takes
 * a translation fault, so a stale entry over it would do no harm either). Run lock held.
 */
static bool vcpu_hole_has(const struct own_vm_run *r, u64 ipa)
{
	unsigned int i;

	for (i = 0; i < r->nr_holes; i++)
		if (ipa - r->hole[i].base < r->hole[i].size)
			return true;
	return false;
}

bool vcpu_hole_overlaps(const struct own_vm_run *r, u64 ipa, u64 size)
{
	unsigned int i;

	for (i = 0; i < r->nr_holes; i++)
		if (ipa < r->hole[i].base + r->hole[i].size && r->hole[i].base < ipa + size)
			return true;
	return false;
}

/* The hole entry [ipa, ipa + size) would extend, or -1. */
static int vcpu_hole_adjacent(const struct own_vm_run *r, u64 ipa, u64 size)
{
	unsigned int i;

	for (i = 0; i < r->nr_holes; i++)
		if (r->hole[i].base + r->hole[i].size == ipa || ipa + size == r->hole[i].base)
			return (int)i;
	return -1;
}

static bool vcpu_hole_fits(const struct own_vm_run *r, u64 ipa, u64 size)
{
	return r->nr_holes < VCPU_HOLE_MAX || vcpu_hole_adjacent(r, ipa, size) >= 0;
}

static void vcpu_hole_add(struct own_vm_run *r, u64 ipa, u64 size)
{
	int i = vcpu_hole_adjacent(r, ipa, size);

	if (i >= 0) {
		if (ipa < r->hole[i].base)
			r->hole[i].base = ipa;
		r->hole[i].size += size;
		return;
	}
	HYP_CHECK(r->nr_holes < VCPU_HOLE_MAX);
	r->hole[r->nr_holes].base = ipa;
	r->hole[r->nr_holes].size = size;
	r->nr_holes++;
}

/*
 * Reclaim of [ipa, + n pages) from @p. A VM that has run keeps running: the range becomes a
 * hole. When the hole list has no room for it, the VM stops for good instead (dying: it never
 * runs again, so the hole is never touched), which is -EBUSY while one of its vCPUs runs.
 * Host and VM locks held; the run lock is held from here to vcpu_vm_reclaim_end() (a vCPU
 * that faults meanwhile waits for the hole in vcpu_hole_check()).
 */
int vcpu_vm_reclaim_begin(struct own_principal *p, u64 ipa, u64 n)
{
	struct own_vm_run *r = &p->vm_run;

	hyp_spin_lock(&r->lock);
	if (!r->started || r->dying || vcpu_hole_fits(r, ipa, n << PAGE_SHIFT))
		return 0;
	hyp_spin_unlock(&r->lock);
	return vcpu_vm_stop_begin(p);
}

void vcpu_vm_reclaim_end(struct own_principal *p, u64 ipa, u64 n, bool committed)
{
	struct own_vm_run *r = &p->vm_run;

	if (committed && r->started && !r->dying) {
		if (vcpu_hole_fits(r, ipa, n << PAGE_SHIFT)) {
			vcpu_hole_add(r, ipa, n << PAGE_SHIFT);
		} else {
			r->dying = true;
			plat_log("own: vm%u stopped: no room for one more hole", p->id);
		}
	}
	hyp_spin_unlock(&r->lock);
}

/* A donation maps [ipa, + n pages) again: drop what it covers from the ends of holes. */
void vcpu_vm_refill(struct own_principal *p, u64 ipa, u64 n)
{
	struct own_vm_run *r = &p->vm_run;
	u64 end = ipa + (n << PAGE_SHIFT);
	unsigned int i;

	hyp_spin_lock(&r->lock);
	for (i = 0; i < r->nr_holes;) {
		struct own_range *h = &r->hole[i];
		u64 hend = h->base + h->size;

		if (ipa <= h->base && end >= hend) {
			*h = r->hole[--r->nr_holes]; /* covered: gone */
			continue;
		}
		if (ipa <= h->base && end > h->base) {
			h->size = hend - end;
			h->base = end;
		} else if (ipa < hend && end >= hend) {
			h->size = ipa - h->base;
		}
		i++;
	}
	hyp_spin_unlock(&r->lock);
}

/* ---- the run loop ---- */

/*
 * A stage-2 abort: an MMIO exit when the access is a single load/store with a valid
 * syndrome to an IPA without a mapping that is no hole (memory the host took back)
 * and, with MMIO guard, one the guest registered; anything else is a memory fault
 * the host resolves or refuses. The
 * host never sees data of an access that is not an MMIO exit.
 */
static void vcpu_abort(struct own_vm_run *r, struct vcpu *v, const struct vcpu_event *ev,
		       struct vcpu_exit *ex)
{
	bool hole;

	v->pend_ipa = ev->ipa;
	v->pend_write = ev->write;
	hyp_spin_lock(&r->lock);
	hole = vcpu_hole_has(r, ev->ipa);
	hyp_spin_unlock(&r->lock);
	if (ev->isv && ev->unmapped && !hole && !ev->s1ptw && !ev->exec &&
	    vcpu_guard_allows(r, ev->ipa)) {
		v->pending = VCPU_PEND_MMIO;
		ex->reason = LS_EXIT_MMIO;
		ex->x[0] = ev->ipa;
		ex->x[1] = ev->width;
		ex->x[2] = ev->write ? LS_MMIO_WRITE : 0;
		ex->x[3] = ev->write ? ev->data : 0;
		return;
	}
	v->pending = VCPU_PEND_FAULT;
	ex->reason = LS_EXIT_MEMORY_FAULT;
	ex->x[0] = ev->ipa & ~(u64)(PAGE_SIZE - 1);
	ex->x[1] = PAGE_SIZE;
	ex->x[2] = (ev->write ? LS_MEMFAULT_WRITE : 0) | (ev->exec ? LS_MEMFAULT_EXEC : 0);
}

/* True when @ipa maps the VM's memory once no transition is in flight (VM lock). */
static bool vcpu_now_mapped(struct own_principal *p, u64 ipa)
{
	bool mapped;

	hyp_spin_lock(&p->lock);
	mapped = pt_lookup(&p->view.cpu, ipa, NULL, NULL, NULL) == 0;
	hyp_spin_unlock(&p->lock);
	return mapped;
}

static void vcpu_stat_add(struct own_vm_run *r, unsigned int id)
{
	__atomic_fetch_add(&r->stat[id], 1, __ATOMIC_RELAXED);
}

/*
 * The first run: every vCPU's initial state joins the launch measurement, in index order
 * (the vCPU set and the registers are fixed from here on), so a report also says where
 * and how the VM was started, not only with which memory. Run lock held.
 */
static void vcpu_meas_all(struct own_vm_run *r)
{
	u64 regs[LS_REG_NR];
	unsigned int i, id;

	for (i = 0; i < VCPU_MAX; i++) {
		if (!r->vcpu[i])
			continue;
		for (id = 0; id < LS_REG_NR; id++)
			if (plat_vcpu_get_reg(r->vcpu[i], id, &regs[id]))
				regs[id] = 0;
		vm_meas_vcpu(&r->meas, i, r->vcpu[i]->on, regs, LS_REG_NR);
	}
}

int vcpu_run(u32 vm, u32 idx, u64 flags, u64 data, struct vcpu_exit *ex)
{
	struct own_principal *p = own_vm_get(vm);
	struct own_vm_run *r;
	struct vcpu_event ev;
	struct vcpu *v;
	bool done = false;
	int ret;

	memset(ex, 0, sizeof(*ex));
	if ((flags & ~(u64)LS_RUN_FLAGS) || flags == LS_RUN_FLAGS)
		return -EINVAL;
	if (!p)
		return -ENOENT;
	r = &p->vm_run;
	hyp_spin_lock(&r->lock);
	v = vcpu_of(p, idx);
	ret = -ENOENT;
	if (!p->live || !v)
		goto unlock;
	ret = -EPERM;
	if (r->dying)
		goto unlock;
	ret = 0;
	if (r->shutdown) {
		/* Every vCPU of a shut-down VM sees the shutdown, as KVM's do: the host's
		 * threads need no other channel to learn it. Nothing runs. */
		ex->reason = LS_EXIT_SHUTDOWN;
		ex->x[0] = r->shutdown_type;
		goto unlock;
	}
	ret = -EBUSY;
	if (v->running)
		goto unlock;
	ret = -EINVAL;
	if (((flags & LS_RUN_MMIO_DONE) && v->pending != VCPU_PEND_MMIO) ||
	    ((flags & LS_RUN_INJECT_ABORT) && v->pending == VCPU_PEND_NONE))
		goto unlock;
	ret = 0;
	if (!v->on) {
		ex->reason = LS_EXIT_VCPU_OFF;
		goto unlock;
	}
	v->running = true;
	if (!r->started)
		vcpu_meas_all(r);
	vm_meas_final(&r->meas); /* the first run fixes the launch measurement */
	r->started = true;
	hyp_spin_unlock(&r->lock);

	/* Only this CPU touches the vCPU's context now. */
	if (v->reset_pending) {
		plat_vcpu_reset(v, v->on_entry, v->on_ctx);
		v->reset_pending = false;
		v->pending = VCPU_PEND_NONE;
	}
	plat_vcpu_load(v);
	if (flags & LS_RUN_MMIO_DONE) {
		plat_vcpu_mmio_done(v, data);
	} else if (flags & LS_RUN_INJECT_ABORT) {
		plat_vcpu_inject_abort(v);
		vcpu_stat_add(r, LS_VM_STAT_GUEST_ERRORS);
	}
	/* Without a completion the access that exited runs again. */
	v->pending = VCPU_PEND_NONE;
	vcpu_stat_add(r, LS_VM_STAT_RUNS);
	while (!done) {
		plat_vcpu_enter(v, &ev);
		switch (ev.kind) {
		case VCPU_EV_HVC:
			vcpu_stat_add(r, LS_VM_STAT_GUEST_HVC);
			done = guest_hvc(v, &ev.hvc, ex);
			if (ex->retry)
				plat_vcpu_hvc_retry(v);
			else
				plat_vcpu_hvc_ret(v, &ev.hvc);
			break;
		case VCPU_EV_IRQ:
			ex->reason = LS_EXIT_IRQ;
			done = true;
			break;
		case VCPU_EV_WFX:
			ex->reason = LS_EXIT_WFX;
			ex->x[0] = ev.wfe;
			done = true;
			break;
		case VCPU_EV_ABORT:
			/* A transition's break-before-make window on the VM's table: retry. */
			if (ev.unmapped && vcpu_now_mapped(p, ev.ipa))
				break;
			vcpu_abort(r, v, &ev, ex);
			done = true;
			break;
		case VCPU_EV_INJECTED:
			vcpu_stat_add(r, LS_VM_STAT_GUEST_ERRORS);
			break;
		default:
			HYP_CHECK(0);
		}
	}
	plat_vcpu_put(v);
	vcpu_stat_add(r, LS_VM_STAT_EXITS);
	hyp_spin_lock(&r->lock);
	v->running = false;
unlock:
	hyp_spin_unlock(&r->lock);
	return ret;
}

/*
 * Stop the VM for good (dying: destruction, or a reclaim the hole list has no room
 * for): no vCPU can touch a hole afterwards, and an access to it can never come out
 * as an "MMIO" exit carrying private data. -EBUSY while one of its vCPUs runs. Host
 * and VM locks held.
 */
int vcpu_vm_stop_begin(struct own_principal *p)
{
	struct own_vm_run *r = &p->vm_run;
	unsigned int i;

	hyp_spin_lock(&r->lock);
	for (i = 0; i < VCPU_MAX; i++) {
		if (r->vcpu[i] && r->vcpu[i]->running) {
			hyp_spin_unlock(&r->lock);
			return -EBUSY;
		}
	}
	return 0; /* run lock held: no vCPU starts until vcpu_vm_stop_end() */
}

void vcpu_vm_stop_end(struct own_principal *p, bool committed)
{
	struct own_vm_run *r = &p->vm_run;

	if (committed && r->started && !r->dying) {
		r->dying = true;
		plat_log("own: vm%u stopped for teardown (the host reclaims its memory)", p->id);
	}
	hyp_spin_unlock(&r->lock);
}

/* A new or destroyed VM: no vCPUs, no flags, no counters (run lock kept as it is). */
void own_vm_run_reset(struct own_vm_run *r)
{
	memset(r->vcpu, 0, sizeof(r->vcpu));
	r->nr_vcpus = 0;
	r->started = r->dying = r->shutdown = r->guarded = false;
	r->nr_guard = 0;
	r->nr_holes = 0;
	memset(r->stat, 0, sizeof(r->stat));
	vm_meas_init(&r->meas);
}

/* vCPU state pages to give back with the pool at destruction (host, VM, run locks held). */
unsigned int vcpu_vm_pages(struct own_principal *p, struct own_range *runs, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < VCPU_MAX; i++) {
		if (p->vm_run.vcpu[i]) {
			runs[nr].base = p->vm_run.vcpu[i]->pa;
			runs[nr++].size = PAGE_SIZE;
		}
	}
	return nr;
}

int vm_stat(u32 vm, u64 id, u64 *val)
{
	struct own_principal *p = own_vm_get(vm);
	struct own_vm_run *r;
	int ret = 0;

	*val = 0;
	if (!p)
		return -ENOENT;
	if (id >= LS_VM_STAT_NR)
		return -EINVAL;
	r = &p->vm_run;
	hyp_spin_lock(&p->lock);
	if (!p->live) {
		ret = -ENOENT;
	} else if (id == LS_VM_STAT_PAGES) {
		*val = p->nr_pages;
	} else if (id == LS_VM_STAT_VCPUS) {
		*val = r->nr_vcpus;
	} else if (id == LS_VM_STAT_POOL_FREE) {
		*val = p->pool.nr_free;
	} else if (id == LS_VM_STAT_POOL_TOTAL) {
		*val = p->pool.nr_total;
	} else {
		*val = __atomic_load_n(&r->stat[id], __ATOMIC_RELAXED);
	}
	hyp_spin_unlock(&p->lock);
	return ret;
}

int vm_measurement(u32 vm, u8 digest[32], u64 *pages)
{
	struct own_principal *p = own_vm_get(vm);
	struct own_vm_run *r;
	int ret = 0;

	memset(digest, 0, 32);
	*pages = 0;
	if (!p)
		return -ENOENT;
	r = &p->vm_run;
	hyp_spin_lock(&p->lock);
	hyp_spin_lock(&r->lock);
	if (!p->live) {
		ret = -ENOENT;
	} else if (!r->meas.final) {
		ret = -EPERM; /* not started: the measurement is still open */
	} else {
		memcpy(digest, r->meas.digest, 32);
		*pages = r->meas.pages;
	}
	hyp_spin_unlock(&r->lock);
	hyp_spin_unlock(&p->lock);
	return ret;
}
