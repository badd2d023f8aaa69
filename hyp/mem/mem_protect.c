// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ownership transitions (docs/ownership.md "Transitions"): each checks every page of
 * both parties by state, prepares one transaction over every view, commits it.
 */
#include <errno.h>
#include <string.h>

#include "own_internal.h"

/*
 * Every transition below names its state pairs the way docs/ownership.md's table
 * does (pKVM's vocabulary): "host OWNED -> NOPAGE, VM NOPAGE -> OWNED" reads "each
 * page of the window goes, for the host, from OWNED to NOPAGE and, for the VM,
 * from NOPAGE to OWNED". Each checks every page of both sides by state, prepares
 * one own_tx over every view, commits it (cannot fail) and sets the new states.
 */

/* ---- host <-> hypervisor ------------------------------------------------ */

static int own_host_hyp(u64 pa, u64 n, bool share, struct own_res *res)
{
	enum own_state hfrom = share ? OWN_OWNED : OWN_SHARED_OWNED;
	enum own_state hto = share ? OWN_SHARED_OWNED : OWN_OWNED;
	enum own_state yfrom = share ? OWN_NOPAGE : OWN_SHARED_BORROWED;
	enum own_state yto = share ? OWN_SHARED_BORROWED : OWN_NOPAGE;
	u16 *e;
	u64 w;
	int ret;

	res->done = 0;
	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	w = own_window(pa, n);
	hyp_spin_lock(&own.host.lock);
	ret = own_check_state(e, w, OWN_OWNER_HOST, hfrom, OWN_OWNER_HYP, yfrom, -EPERM);
	if (!ret) {
		/*
		 * The host keeps its mapping either way: only the state changes. The
		 * hypervisor may read or write a shared page; the host may not donate it.
		 */
		own_set_state(e, w, OWN_OWNER_HOST, hto, OWN_OWNER_HYP, yto, 0);
		res->done = w;
	}
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

/* host OWNED -> SHARED_OWNED, hyp NOPAGE -> SHARED_BORROWED */
int own_host_share_hyp(u64 pa, u64 n, struct own_res *res)
{
	return own_host_hyp(pa, n, true, res);
}

/* host SHARED_OWNED -> OWNED, hyp SHARED_BORROWED -> NOPAGE */
int own_host_unshare_hyp(u64 pa, u64 n, struct own_res *res)
{
	return own_host_hyp(pa, n, false, res);
}

/*
 * host OWNED -> NOPAGE, hyp NOPAGE -> OWNED (+TABLE): host pages [pa, pa + w)
 * become hypervisor table pages (host lock held). Not while a host DMA domain
 * maps one (-EBUSY).
 */
int own_take_host_pages(u64 pa, u64 w, u16 *e, struct own_res *res)
{
	return own_take_host_pages_as(pa, w, e, OWN_E_TABLE, res);
}

int own_take_host_pages_as(u64 pa, u64 w, u16 *e, u16 flags, struct own_res *res)
{
	struct own_tx tx;
	int ret;

	own_tx_init(&tx);
	ret = own_check_state(e, w, OWN_OWNER_HOST, OWN_OWNED, OWN_OWNER_HYP, OWN_NOPAGE, -EPERM);
	if (!ret && own_dma_busy(e, w))
		ret = -EBUSY;
	if (ret)
		return ret;
	tx.lose.p = &own.host;
	tx.lose.op = own_op_host(OWN_OP_UNMAP, pa, w, 0);
	ret = own_tx_prepare(&tx, res);
	if (ret)
		return ret;
	own_tx_commit(&tx);
	own_set_state(e, w, OWN_OWNER_HOST, OWN_NOPAGE, OWN_OWNER_HYP, OWN_OWNED, flags);
	return 0;
}

/*
 * hyp OWNED (TABLE) -> NOPAGE, host NOPAGE -> OWNED, zeroed: the table-page pool of a
 * VM or DMA domain going away returns to the host (host lock held). Prepare: the
 * host's tables for every run, proved available (-ENOMEM and @res otherwise; nothing
 * changed). Commit (cannot fail): each run zeroed, mapped back, its state set; the host
 * view invalidated and synced once. Returns the pages given back.
 */
int own_pool_return_prepare(const struct own_range *runs, unsigned int nr, struct own_res *res)
{
	return own_pool_return_prepare_more(runs, nr, 0, res);
}

int own_pool_return_prepare_more(const struct own_range *runs, unsigned int nr, u64 extra,
				 struct own_res *res)
{
	unsigned int i;
	u64 c = extra;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct own_op op = own_op_host(OWN_OP_MAP, runs[i].base, runs[i].size >> PAGE_SHIFT,
					       OWN_ATTR_OWNED);

		ret = own_view_cost(&own.host, &op, &c);
	}
	return ret ? ret : own_pools_can_supply(&own.host, c, NULL, 0, res);
}

u64 own_pool_return_commit(const struct own_range *runs, unsigned int nr)
{
	struct own_gathers g;
	unsigned int i;
	u64 done = 0;

	own_gathers_init(&g);
	for (i = 0; i < nr; i++) {
		u64 pa = runs[i].base, np = runs[i].size >> PAGE_SHIFT;
		struct own_op op = own_op_host(OWN_OP_MAP, pa, np, OWN_ATTR_OWNED);

		own_scrub(pa, np);
		own_view_apply(&own.host, &op, &g);
		own_set_state(own_db_span(pa, np), np, OWN_OWNER_HYP, OWN_NOPAGE, OWN_OWNER_HOST,
			      OWN_OWNED, 0);
		done += np;
	}
	own_view_inval(&own.host, &g);
	return done;
}

/* ---- host -> VM donation, VM -> host reclaim ---------------------------- */

int own_unmapped_fn(const struct pt_leaf *l, void *arg)
{
	(void)arg;
	return l->valid ? -EEXIST : 0;
}

/*
 * The common start of a transition over a window of VM memory: take the host
 * and VM locks, check the IPA range, cut it to one window (*w pages) and
 * collect its runs into own_scratch (*nr). On error nothing is held.
 */
static int own_vm_window_begin_as(u32 vm, u64 ipa, u64 n, bool wide, struct own_principal **v,
				  u64 *w, unsigned int *nr)
{
	int ret = own_lock_host_vm(vm, v);

	if (ret)
		return ret;
	ret = own_check_ipa(*v, ipa, n);
	if (!ret && wide) {
		/* Up to the next 1 GiB boundary of the IPA: one level-1 block at most. */
		u64 gib = (SZ_1G - (ipa & (SZ_1G - 1))) >> PAGE_SHIFT;

		ret = own_vm_runs_wide(*v, ipa, MIN(n, gib), w, nr);
	} else if (!ret) {
		*w = own_window(ipa, n);
		ret = own_vm_runs(*v, ipa, *w, nr);
	}
	if (ret)
		own_unlock_host_vm(*v);
	return ret;
}

static int own_vm_window_begin(u32 vm, u64 ipa, u64 n, struct own_principal **v, u64 *w,
			       unsigned int *nr)
{
	return own_vm_window_begin_as(vm, ipa, n, false, v, w, nr);
}

/* host OWNED -> NOPAGE, VM NOPAGE -> OWNED: the host loses the pages (synced) first. */
int own_host_donate_vm(u32 vm, u64 pa, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_tx tx;
	u64 w, i;
	u16 *e;
	int ret;

	own_tx_init(&tx);
	res->done = 0;
	ret = own_check_args(pa, n);
	if (ret)
		return ret;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	ret = own_check_ipa(v, ipa, n);
	if (ret)
		goto out;
	w = own_window(ipa, n);
	ret = own_check_pa(pa, n, &e);
	if (ret)
		goto out;
	ret = own_check_state(e, w, OWN_OWNER_HOST, OWN_OWNED, v->owner, OWN_NOPAGE, -EPERM);
	if (ret)
		goto out;
	ret = -EBUSY; /* mapped in a host DMA domain: the host unmaps it first */
	if (own_dma_busy(e, w))
		goto out;
	ret = pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_unmapped_fn, NULL);
	if (ret)
		goto out;

	tx.lose.p = &own.host;
	tx.lose.op = own_op_host(OWN_OP_UNMAP, pa, w, 0);
	tx.gain.p = v;
	tx.gain.op = (struct own_op){ OWN_OP_MAP, ipa, w << PAGE_SHIFT, pa, OWN_ATTR_OWNED };
	ret = own_tx_prepare(&tx, res);
	if (ret)
		goto out;
	/*
	 * The run lock across the commit: a first RUN either finalised the launch
	 * measurement before (these pages are not measured) or waits until they are.
	 * They are hashed once the host has lost them (synced): what is measured is
	 * what the guest gets.
	 */
	hyp_spin_lock(&v->vm_run.lock);
	own_tx_commit(&tx);
	own_set_state(e, w, OWN_OWNER_HOST, OWN_NOPAGE, v->owner, OWN_OWNED, 0);
	for (i = 0; i < w && !v->vm_run.started; i++)
		vm_meas_page(&v->vm_run.meas, ipa + (i << PAGE_SHIFT),
			     plat_page_read(pa + (i << PAGE_SHIFT)));
	hyp_spin_unlock(&v->vm_run.lock);
	vcpu_vm_refill(v, ipa, w); /* no longer a hole: memory of the VM again */
	v->nr_pages += w;
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

/*
 * VM OWNED -> NOPAGE, host NOPAGE -> OWNED: the VM loses the pages (synced), they
 * are zeroed, the host gets them. Or, for a window the VM shares with the host, VM
 * SHARED_OWNED -> NOPAGE, host SHARED_BORROWED -> OWNED: the VM loses them, the host
 * keeps its mapping and the contents. A window mixing both: -EBUSY.
 */
int own_host_reclaim_vm(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_tx tx;
	unsigned int nr;
	u64 w;
	bool shared = false;
	int ret;

	own_tx_init(&tx);
	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	ret = own_check_runs_state(nr, v->owner, OWN_OWNED, OWN_OWNER_HOST, OWN_NOPAGE, -EBUSY);
	if (ret) {
		/*
		 * A window the VM shares with the host comes back as it is: the host keeps
		 * its mapping throughout (a page it still uses, e.g. pinned for I/O, never
		 * faults), the contents are what the guest chose to share (no scrub).
		 */
		shared = !own_check_runs_state(nr, v->owner, OWN_SHARED_OWNED, OWN_OWNER_HOST,
					       OWN_SHARED_BORROWED, -EBUSY);
		if (!shared)
			goto out;
	}
	/*
	 * A VM that has run keeps running: the window becomes a hole, where a guest access
	 * is a memory fault, never MMIO (or, with no room left for the hole, the VM stops
	 * for good: -EBUSY while one of its vCPUs runs). Its run lock is held until the
	 * transaction is done. The VM loses the pages (invalidated, synced) before they
	 * are scrubbed: a vCPU running meanwhile faults on the hole.
	 */
	ret = vcpu_vm_reclaim_begin(v, ipa, w);
	if (ret)
		goto out;

	tx.nr_runs = nr;
	tx.lose.p = v;
	tx.lose.op = (struct own_op){ OWN_OP_UNMAP, ipa, w << PAGE_SHIFT, 0, 0 };
	tx.gain.p = &own.host;
	tx.gain.runs = true;
	/* Shared pages: the host's mapping gets the owner's attributes (execute). */
	tx.gain.op = (struct own_op){ .kind = shared ? OWN_OP_ATTR : OWN_OP_MAP,
				      .attr = OWN_ATTR_OWNED };
	tx.scrub_runs = !shared;
	ret = own_tx_prepare(&tx, res);
	if (ret) {
		vcpu_vm_reclaim_end(v, ipa, w, false);
		goto out;
	}
	own_tx_commit(&tx);
	vcpu_vm_reclaim_end(v, ipa, w, true);
	own_set_runs_state(nr, v->owner, OWN_NOPAGE, OWN_OWNER_HOST, OWN_OWNED, 0);
	v->nr_pages -= w;
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

/* ---- VM <-> host sharing (guest_memfd private <-> shared) --------------- */

/* Every page of the window carries the guest's consent (its share request), else @err. */
static int own_check_runs_consent(unsigned int nr, int err)
{
	unsigned int i;
	u64 j;

	for (i = 0; i < nr; i++) {
		const u16 *e = own_run_db(&own_scratch[i]);

		for (j = 0; j < own_scratch[i].n; j++)
			if (!(e[j] & OWN_E_CONSENT))
				return err;
	}
	return 0;
}

/*
 * VM OWNED -> SHARED_OWNED, host NOPAGE -> SHARED_BORROWED, only with the guest's
 * consent on every page (the host alone cannot expose a page). The VM loses
 * execute permission on the pages (synced) before the host can write them, so the
 * guest never executes host-written code through a stale TLB entry.
 */
static int own_borrow(u32 vm, u64 ipa, u64 n, u32 flags, bool wide, struct own_res *res)
{
	struct own_principal *v;
	struct own_tx tx;
	unsigned int nr;
	u64 w;
	int ret;

	own_tx_init(&tx);
	res->done = 0;
	if (flags & ~OWN_CONVERT_FLAGS)
		return -EINVAL;
	ret = own_vm_window_begin_as(vm, ipa, n, wide, &v, &w, &nr);
	if (ret)
		return ret;
	ret = own_check_runs_state(nr, v->owner, OWN_OWNED, OWN_OWNER_HOST, OWN_NOPAGE, -EPERM);
	if (!ret)
		ret = own_check_runs_consent(nr, -EPERM);
	if (ret)
		goto out;

	tx.nr_runs = nr;
	tx.lose.p = v; /* loses execute */
	tx.lose.op = (struct own_op){ OWN_OP_ATTR, ipa, w << PAGE_SHIFT, 0, OWN_ATTR_SHARED };
	tx.gain.p = &own.host;
	tx.gain.runs = true;
	tx.gain.op = (struct own_op){ .kind = OWN_OP_MAP, .attr = OWN_ATTR_SHARED };
	/* ZERO: the guest's data is gone before the host can map the pages. */
	tx.scrub_runs = (flags & OWN_CONVERT_ZERO) != 0;
	ret = own_tx_prepare(&tx, res);
	if (ret)
		goto out;
	own_tx_commit(&tx);
	own_set_runs_state(nr, v->owner, OWN_SHARED_OWNED, OWN_OWNER_HOST, OWN_SHARED_BORROWED,
			   OWN_E_CONSENT);
	res->done = w;
out:
	own_unlock_host_vm(v);
	return ret;
}

int own_host_borrow_vm(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res)
{
	return own_borrow(vm, ipa, n, flags, false, res);
}

/*
 * VM SHARED_OWNED -> OWNED, host SHARED_BORROWED -> NOPAGE, for the window whose
 * runs are in own_scratch (pages already private stay so): the host loses every
 * shared page (synced), then the VM gets execute back. Consent is cleared on
 * every page: sharing again needs a new guest request.
 */
static int own_unshare_window(struct own_principal *v, u64 ipa, u64 w, unsigned int nr, bool zero,
			      struct own_res *res)
{
	struct own_tx tx;
	unsigned int i;
	int ret;

	own_tx_init(&tx);
	/* A shared page the host mapped in a DMA domain stays shared until unmapped. */
	for (i = 0; i < nr; i++)
		if (own_run_shared(&own_scratch[i]) &&
		    own_dma_busy(own_run_db(&own_scratch[i]), own_scratch[i].n))
			return -EBUSY;
	tx.nr_runs = nr;
	tx.lose.p = &own.host;
	tx.lose.runs = true;
	tx.lose.shared_only = true;
	tx.lose.op = (struct own_op){ .kind = OWN_OP_UNMAP };
	tx.gain.p = v; /* gets execute back */
	tx.gain.op = (struct own_op){ OWN_OP_ATTR, ipa, w << PAGE_SHIFT, 0, OWN_ATTR_OWNED };
	/* ZERO: scrubbed after the host lost the pages, before the guest has them back. */
	tx.scrub_runs = zero;
	ret = own_tx_prepare(&tx, res);
	if (ret)
		return ret;
	own_tx_commit(&tx);
	own_set_runs_state(nr, v->owner, OWN_OWNED, OWN_OWNER_HOST, OWN_NOPAGE, 0);
	res->done = w;
	return 0;
}

static int own_return(u32 vm, u64 ipa, u64 n, u32 flags, bool wide, struct own_res *res)
{
	struct own_principal *v;
	unsigned int nr;
	u64 w;
	int ret;

	res->done = 0;
	if (flags & ~OWN_CONVERT_FLAGS)
		return -EINVAL;
	ret = own_vm_window_begin_as(vm, ipa, n, wide, &v, &w, &nr);
	if (ret)
		return ret;
	ret = own_check_runs_state(nr, v->owner, OWN_SHARED_OWNED, OWN_OWNER_HOST,
				   OWN_SHARED_BORROWED, -EPERM);
	if (!ret)
		ret = own_unshare_window(v, ipa, w, nr, (flags & OWN_CONVERT_ZERO) != 0, res);
	own_unlock_host_vm(v);
	return ret;
}

int own_host_return_vm(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res)
{
	return own_return(vm, ipa, n, flags, false, res);
}

/*
 * The range forms (LS_FN_VM_SHARE_HOST_RANGE / LS_FN_VM_UNSHARE_HOST_RANGE): one transaction
 * over up to 1 GiB of IPA (to the next 1 GiB boundary), so every view is invalidated and
 * synced once for the whole window instead of once per 2 MiB. The work at EL2 stays O(pages)
 * in the ownership database and O(tables) in the views; a scrub (OWN_CONVERT_ZERO) would be
 * O(bytes), so with it the window is the budget's, as for the plain calls. A wide window that
 * fails (any error but -ENOMEM, which the caller answers with a donation and the same call)
 * is tried again as the plain call's window: what converts, what fails and with which error
 * are those of the plain calls, 2 MiB window by 2 MiB window.
 */
int own_host_borrow_vm_range(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res)
{
	bool wide = !(flags & OWN_CONVERT_ZERO);
	int ret = own_borrow(vm, ipa, n, flags, wide, res);

	if (ret && ret != -ENOMEM && wide)
		ret = own_borrow(vm, ipa, n, flags, false, res);
	return ret;
}

int own_host_return_vm_range(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res)
{
	bool wide = !(flags & OWN_CONVERT_ZERO);
	int ret = own_return(vm, ipa, n, flags, wide, res);

	if (ret && ret != -ENOMEM && wide)
		ret = own_return(vm, ipa, n, flags, false, res);
	return ret;
}

/*
 * A bitmap of pages of one 2 MiB window (docs/ownership.md "Page bitmaps"): every named page
 * is checked first; then the VM's tables (the stage-2 and its mirrors) change as one page
 * set each, the host's as one page set per 2 MiB of PA, with one invalidation and one sync
 * per view. Share: VM OWNED -> SHARED_OWNED, host NOPAGE -> SHARED_BORROWED, only with the
 * guest's consent on every page; the VM loses execute (synced) before the host maps them.
 * Unshare: VM SHARED_OWNED -> OWNED, host SHARED_BORROWED -> NOPAGE, consent cleared; the host
 * loses them (synced) before the VM gets execute back.
 */
/*
 * The checks of a bitmap conversion in one pass over its runs (mostly a page or a few each):
 * to shared, VM OWNED / host NOPAGE with the guest's consent; to private, VM SHARED_OWNED / host
 * SHARED_BORROWED, else -EPERM; then, to private, -EBUSY if a host DMA domain maps one of them
 * (it stays shared until unmapped).
 */
static int own_check_bitmap_runs(unsigned int nr, u16 vm, bool share)
{
	enum own_state sv = share ? OWN_OWNED : OWN_SHARED_OWNED;
	enum own_state sh = share ? OWN_NOPAGE : OWN_SHARED_BORROWED;
	bool busy = false;
	unsigned int i;
	u64 j;

	for (i = 0; i < nr; i++) {
		const u16 *e = own_scratch[i].db;

		for (j = 0; j < own_scratch[i].n; j++)
			if (own_e_state(e[j], vm) != sv ||
			    own_e_state(e[j], OWN_OWNER_HOST) != sh ||
			    (share && !(e[j] & OWN_E_CONSENT)))
				return -EPERM;
		busy |= !share && own_dma_busy(e, own_scratch[i].n);
	}
	return busy ? -EBUSY : 0;
}

/*
 * Bits set in @x, in general registers: the compiler's popcount is a SIMD CNT on arm64 and EL2
 * saves no FP/SIMD state (the image check refuses such instructions).
 */
static u64 own_bits(u64 x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

int own_host_convert_bitmap(u32 vm, u64 ipa, const u64 *bm, bool share, u32 flags,
			    struct own_res *res)
{
	struct own_tx_side *vs, *hs;
	struct own_principal *v;
	struct pt_pages ps;
	struct own_tx tx;
	unsigned int nr, i;
	u64 count = 0;
	int ret;

	own_tx_init(&tx);
	res->done = 0;
	if ((flags & ~OWN_CONVERT_FLAGS) || !IS_ALIGNED(ipa, SZ_2M))
		return -EINVAL;
	for (i = 0; i < OWN_BITMAP_WORDS; i++)
		count += own_bits(bm[i]);
	if (!count)
		return -EINVAL;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	ps.kind = PT_PAGES_ATTR;
	ps.ia = ipa;
	ps.pa = 0;
	ps.attr = share ? OWN_ATTR_SHARED : OWN_ATTR_OWNED;
	memcpy(ps.bm, bm, sizeof(ps.bm));
	ret = own_check_ipa(v, ipa, OWN_BUDGET_PAGES);
	if (!ret)
		ret = own_vm_page_runs(v, &ps, &nr);
	if (ret)
		goto out;
	ret = own_check_bitmap_runs(nr, v->owner, share);
	if (ret)
		goto out;

	vs = share ? &tx.lose : &tx.gain; /* share: the VM loses execute; unshare: gets it back */
	hs = share ? &tx.gain : &tx.lose;
	vs->p = v;
	vs->op = (struct own_op){ OWN_OP_ATTR, own_scratch[0].ipa, PAGE_SIZE, 0, ps.attr };
	vs->pages = &ps;
	hs->p = &own.host;
	hs->runs = true;
	hs->grouped = true;
	hs->op = (struct own_op){ .kind = share ? OWN_OP_MAP : OWN_OP_UNMAP,
				  .attr = OWN_ATTR_SHARED };
	tx.nr_runs = nr;
	/* ZERO: scrubbed once the side losing the pages is synced, before the other has them. */
	tx.scrub_runs = (flags & OWN_CONVERT_ZERO) != 0;
	ret = own_tx_prepare(&tx, res);
	if (ret)
		goto out;
	own_tx_commit(&tx);
	if (share)
		own_set_runs_state(nr, v->owner, OWN_SHARED_OWNED, OWN_OWNER_HOST,
				   OWN_SHARED_BORROWED, OWN_E_CONSENT);
	else
		own_set_runs_state(nr, v->owner, OWN_OWNED, OWN_OWNER_HOST, OWN_NOPAGE, 0);
	res->done = count;
out:
	own_unlock_host_vm(v);
	return ret;
}

/* VM OWNED stays OWNED: the guest offers its pages to the host (consent recorded). */
struct own_consent {
	u16 owner;
	bool commit;
	int err;
};

static int own_consent_fn(const struct pt_leaf *l, void *arg)
{
	struct own_consent *c = arg;
	u64 n = l->size >> PAGE_SHIFT;
	u16 *e;
	u64 i;

	if (!l->valid || (l->attr & PT_DEVICE)) {
		c->err = -EPERM; /* no page of the VM's memory (MMIO it took: vmmmio.c) */
		return 1;
	}
	e = own_db_span(l->pa, n);
	HYP_CHECK(e);
	for (i = 0; i < n; i++)
		HYP_CHECK(own_e_owner(e[i]) == c->owner);
	if (c->commit)
		own_db_set(e, n, 0, OWN_E_CONSENT);
	return 0;
}

int own_vm_offer_host(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v = own_vm_get(vm);
	struct own_consent c = { 0, false, 0 };
	u64 w;
	int ret;

	res->done = 0;
	if (!v)
		return -ENOENT;
	hyp_spin_lock(&v->lock);
	ret = -ENOENT;
	if (!v->live)
		goto out;
	ret = own_check_ipa(v, ipa, n);
	if (ret)
		goto out;
	w = own_window(ipa, n);
	c.owner = v->owner;
	pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_consent_fn, &c);
	ret = c.err;
	if (ret)
		goto out;
	c.commit = true;
	pt_walk(&v->view.cpu, ipa, w << PAGE_SHIFT, own_consent_fn, &c);
	HYP_CHECK(!c.err);
	res->done = w;
out:
	hyp_spin_unlock(&v->lock);
	return ret;
}

/*
 * The guest withdraws its offer: VM OWNED stays OWNED (consent cleared); pages the host
 * borrows go back now: VM SHARED_OWNED -> OWNED, host SHARED_BORROWED -> NOPAGE.
 */
int own_vm_withdraw_host(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	unsigned int nr;
	u64 w;
	int ret;

	res->done = 0;
	ret = own_vm_window_begin(vm, ipa, n, &v, &w, &nr);
	if (ret)
		return ret;
	if (!own_check_runs_state(nr, v->owner, OWN_OWNED, OWN_OWNER_HOST, OWN_NOPAGE, -EPERM)) {
		/*
		 * Every page private: offered but not converted yet, the consent is withdrawn
		 * (VM OWNED stays OWNED); a page never offered was not shared (-EPERM, as
		 * pKVM refuses to unshare a page that is not shared).
		 */
		unsigned int i;

		ret = own_check_runs_consent(nr, -EPERM);
		for (i = 0; i < nr && !ret; i++)
			own_db_set(own_run_db(&own_scratch[i]), own_scratch[i].n, OWN_E_CONSENT, 0);
		if (!ret)
			res->done = w;
	} else {
		ret = own_unshare_window(v, ipa, w, nr, false, res);
	}
	own_unlock_host_vm(v);
	return ret;
}

int own_vm_write_private(u32 vm, u64 ipa, const void *buf, u64 len)
{
	struct own_principal *v = own_vm_get(vm);
	unsigned int lvl;
	pt_attr_t attr;
	u16 *e;
	u64 pa;
	int ret = -EINVAL;

	if (!v || len > PAGE_SIZE || !IS_ALIGNED(ipa, PAGE_SIZE))
		return -EINVAL;
	hyp_spin_lock(&v->lock);
	if (!v->live || own_check_ipa(v, ipa, 1) || pt_lookup(&v->view.cpu, ipa, &pa, &attr, &lvl))
		goto out;
	e = own_db_span(pa, 1);
	if (!e || own_e_state(*e, v->owner) != OWN_OWNED)
		goto out;
	memcpy(plat_phys_to_virt(pa), buf, len);
	/* A guest with its MMU off reads non-cacheable: the bytes must be in memory. */
	plat_dcache_clean(plat_phys_to_virt(pa), len);
	ret = 0;
out:
	hyp_spin_unlock(&v->lock);
	return ret;
}
