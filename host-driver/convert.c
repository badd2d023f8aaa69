// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_memfd conversion: LOCKSTEP_SET_MEMORY_ATTRIBUTES2 on a guest_memfd fd (docs/gmem.md,
 * docs/uapi.md), modelled on upstream KVM's KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd.
 *
 * The range is converted with one hypercall (LS_FN_VM_SHARE_HOST_RANGE /
 * LS_FN_VM_UNSHARE_HOST_RANGE) per maximal run of pages in the state being changed, within one
 * memslot (a run is contiguous in GPA), repeated only where the hypervisor ends a call at its
 * window (a 1 GiB IPA boundary; a 2 MiB one with ZERO: docs/hypercalls.md
 * "LS_FN_VM_SHARE_HOST_RANGE"), so a whole GiB costs one invalidation and one sync per view.
 * Where the pages to convert lie in two or more runs inside one 2 MiB window of the GPA, the
 * window takes one LS_FN_VM_CONVERT_BITMAP call instead (all or none; docs/hypercalls.md), so
 * scattered 4 KiB pages cost one hypercall and one sync per view per window.
 * The hypervisor then splits a block mapping only where the range cuts it and merges tables
 * back when the range makes them uniform again.
 *
 * Shared -> private is all or nothing against host users: every page of the range is removed
 * from every user mapping, then any shared page still referenced by someone else than the
 * guest_memfd (a get_user_pages() or pin_user_pages() reference: O_DIRECT, vmsplice, a DMA
 * mapping) fails the call with EAGAIN and error_offset at the first such page, before any
 * hypercall (upstream's rule: the refcount check covers the whole range before anything
 * converts). Private -> shared needs the guest's consent (its MEM_SHARE) for every page: the
 * hypervisor refuses with LS_EPERM otherwise; the runs and windows before that one stay
 * converted and error_offset names the first page that did not.
 *
 * Locks: vm->lock, then gmem->lock (vm.h). Faults on the guest_memfd's mappings take
 * gmem->lock under the mm's lock; unmap_mapping_range() here takes the file's i_mmap lock and
 * page-table locks under gmem->lock, never the mm's lock, so the two orders do not meet.
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "vm.h"

atomic64_t ls_stat_convert_hvcs, ls_stat_convert_pages;

/* The memslot of @vm that binds page @idx of @gmem, or NULL. vm->lock held. */
static struct ls_slot *ls_slot_of_index(struct ls_vm *vm, struct ls_gmem *gmem, unsigned long idx)
{
	int i;

	for (i = 0; i < LOCKSTEP_MAX_SLOTS; i++) {
		struct ls_slot *s = &vm->slots[i];

		if (s->used && s->gmem == gmem && idx >= s->offset >> PAGE_SHIFT &&
		    idx < (s->offset + s->size) >> PAGE_SHIFT)
			return s;
	}
	return NULL;
}

/* SHARE/UNSHARE_HOST of [gpa, + pages), window after window; *done = pages converted. */
static int ls_convert_run(struct ls_vm *vm, u64 fn, u64 gpa, u64 pages, u64 flags, u64 *done)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	*done = 0;
	while (*done < pages) {
		ret = ls_vm_call(vm, fn, vm->id, gpa + (*done << PAGE_SHIFT), pages - *done, flags,
				 &res);
		if (ret)
			return ret;
		if (!res.a1 || res.a1 > pages - *done)
			return -EIO;
		*done += res.a1;
		atomic64_inc(&ls_stat_convert_hvcs);
		atomic64_add(res.a1, &ls_stat_convert_pages);
		cond_resched(); /* one window per GiB (512 with ZERO) */
	}
	return 0;
}

/*
 * LS_FN_VM_CONVERT_BITMAP of the pages of gmem index [i, lim) in state @from, the 2 MiB window
 * of GPA @gpa (page i's; [i, lim) stays inside that window and one memslot). Returns 1 when
 * the pages there form fewer than two runs (the caller converts the run instead), 0 when every
 * one of them converted (their state is set), or the errno of the refusal (nothing converted).
 * LS_ENOMEM is answered with a donation, as ls_vm_call() does.
 */
static int ls_convert_window(struct ls_vm *vm, struct ls_gmem *gmem, unsigned long i,
			     unsigned long lim, u64 gpa, enum ls_gmem_state from,
			     enum ls_gmem_state to, u64 hflags)
{
	u64 win = gpa & ~(u64)(SZ_2M - 1), bm[LS_CONVERT_BITMAP_REGS] = { 0 }, n = 0;
	struct arm_smccc_1_2_regs args, res;
	unsigned long k, runs = 0, b0 = (gpa - win) >> PAGE_SHIFT;
	int tries, ret;

	for (k = i; k < lim; k++) {
		if (gmem->state[k] != from)
			continue;
		runs += k == i || gmem->state[k - 1] != from;
		bm[(b0 + k - i) / 64] |= 1ULL << ((b0 + k - i) % 64);
		n++;
	}
	if (runs < 2)
		return 1;
	for (tries = 0;; tries++) {
		memset(&args, 0, sizeof(args));
		args.a0 = LS_HVC_VM_CONVERT_BITMAP;
		args.a1 = vm->id;
		args.a2 = win;
		args.a3 = to == LS_GMEM_SHARED ? LS_CONVERT_TO_SHARED : LS_CONVERT_TO_PRIVATE;
		args.a4 = hflags;
		args.a5 = bm[0];
		args.a6 = bm[1];
		args.a7 = bm[2];
		args.a8 = bm[3];
		args.a9 = bm[4];
		args.a10 = bm[5];
		args.a11 = bm[6];
		args.a12 = bm[7];
		/* SMCCC v1.2 (DEN 0028 2.6): arguments in x1..x17. */
		arm_smccc_1_2_hvc(&args, &res);
		if ((long)res.a0 != LS_ENOMEM)
			break;
		if (tries == LS_ENOMEM_RETRIES)
			return -ENOMEM;
		ret = ls_vm_donate(vm, res.a1, res.a2);
		if (ret)
			return ret;
	}
	ret = ls_errno((long)res.a0);
	if (ret)
		return ret;
	if (res.a1 != n)
		return -EIO;
	atomic64_inc(&ls_stat_convert_hvcs);
	atomic64_add(n, &ls_stat_convert_pages);
	for (k = i; k < lim; k++)
		if (gmem->state[k] == from)
			gmem->state[k] = to;
	return 0;
}

/*
 * UNSHARE_HOST refused a window with LS_EPERM: a page of it is private already (the guest's
 * MEM_UNSHARE took it back at EL2 and its exit is not handled yet). Page by page: such a page
 * is private, every other one is converted. *done as for ls_convert_run().
 */
static int ls_unshare_each(struct ls_vm *vm, u64 gpa, u64 pages, u64 flags, u64 *done)
{
	u64 one;
	int ret;

	for (*done = 0; *done < pages; (*done)++) {
		ret = ls_convert_run(vm, LS_HVC_VM_UNSHARE_HOST, gpa + (*done << PAGE_SHIFT), 1,
				     flags, &one);
		if (ret && ret != -EPERM)
			return ret;
	}
	return 0;
}

int ls_gmem_set_attributes(struct ls_gmem *gmem, struct lockstep_memory_attributes2 *a)
{
	const u64 both = LOCKSTEP_SET_MEMORY_ATTRIBUTES2_ZERO |
			 LOCKSTEP_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	unsigned long first, end, i, k, run;
	enum ls_gmem_state from, to;
	struct ls_vm *vm;
	u64 hflags;
	int ret = 0;

	a->error_offset = 0;
	if ((a->flags & ~both) || (a->flags & both) == both ||
	    (a->attributes & ~LOCKSTEP_MEMORY_ATTRIBUTE_PRIVATE) ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	if (!a->size || !PAGE_ALIGNED(a->offset) || !PAGE_ALIGNED(a->size) ||
	    a->offset + a->size < a->offset ||
	    a->offset + a->size > ((u64)gmem->npages << PAGE_SHIFT))
		return -EINVAL;
	hflags = (a->flags & LOCKSTEP_SET_MEMORY_ATTRIBUTES2_ZERO) ? LS_CONVERT_ZERO : 0;
	if (a->attributes & LOCKSTEP_MEMORY_ATTRIBUTE_PRIVATE) {
		from = LS_GMEM_SHARED;
		to = LS_GMEM_PRIVATE;
	} else {
		from = LS_GMEM_PRIVATE;
		to = LS_GMEM_SHARED;
	}
	first = a->offset >> PAGE_SHIFT;
	end = first + (a->size >> PAGE_SHIFT);

	vm = ls_vm_get_serial(gmem->vm_serial);
	if (!vm) {
		a->error_offset = a->offset;
		return -ENOENT; /* the VM is gone: no page is the VM's */
	}
	mutex_lock(&vm->lock);
	mutex_lock(&gmem->lock);
	/* Every page must be the VM's (populated, private or shared) through a memslot. */
	for (i = first; i < end; i++) {
		if ((gmem->state[i] != LS_GMEM_PRIVATE && gmem->state[i] != LS_GMEM_SHARED) ||
		    !ls_slot_of_index(vm, gmem, i)) {
			a->error_offset = (u64)i << PAGE_SHIFT;
			ret = -ENOENT;
			goto out;
		}
	}
	if (to == LS_GMEM_PRIVATE) {
		/*
		 * No host user may keep a page the guest takes back. User mappings go first (the
		 * fault handler maps only shared pages and waits on gmem->lock); what is left is a
		 * reference from outside the mappings: the guest_memfd's own is the only one a
		 * page may have (it was allocated with a count of 1; a mapping adds one).
		 */
		ls_gmem_zap(gmem, first, end - first);
		for (i = first; i < end; i++) {
			if (gmem->state[i] == LS_GMEM_SHARED &&
			    page_ref_count(gmem->pages[i]) != 1) {
				a->error_offset = (u64)i << PAGE_SHIFT;
				ret = -EAGAIN;
				goto out;
			}
		}
	}
	for (i = first; i < end; i += run) {
		struct ls_slot *s;
		unsigned long slot_end, lim;
		u64 gpa, done = 0;

		run = 1;
		if (gmem->state[i] != from)
			continue; /* already what was asked */
		s = ls_slot_of_index(vm, gmem, i);
		slot_end = (s->offset + s->size) >> PAGE_SHIFT;
		gpa = s->gpa + ((u64)i << PAGE_SHIFT) - s->offset;
		/* Scattered runs in this 2 MiB window of the GPA: one bitmap call for them all. */
		lim = min3((unsigned long)end, slot_end,
			   i + (unsigned long)((SZ_2M - (gpa & (SZ_2M - 1))) >> PAGE_SHIFT));
		ret = ls_convert_window(vm, gmem, i, lim, gpa, from, to, hflags);
		if (!ret) {
			run = lim - i;
			continue;
		}
		if (ret < 0 && !(ret == -EPERM && to == LS_GMEM_PRIVATE)) {
			a->error_offset = (u64)i << PAGE_SHIFT;
			goto out;
		}
		/* One run here, or (LS_EPERM to private) a page the guest took back: per run. */
		ret = 0;
		while (i + run < end && i + run < slot_end && gmem->state[i + run] == from)
			run++;
		if (to == LS_GMEM_SHARED) {
			ret = ls_convert_run(vm, LS_HVC_VM_SHARE_HOST_RANGE, gpa, run, hflags,
					     &done);
		} else {
			ret = ls_convert_run(vm, LS_HVC_VM_UNSHARE_HOST_RANGE, gpa, run, hflags,
					     &done);
			if (ret == -EPERM) {
				u64 rest;

				ret = ls_unshare_each(vm, gpa + (done << PAGE_SHIFT), run - done,
						      hflags, &rest);
				done += rest;
			}
		}
		for (k = 0; k < done; k++)
			gmem->state[i + k] = to;
		if (ret) {
			a->error_offset = (u64)(i + done) << PAGE_SHIFT;
			goto out;
		}
	}
out:
	mutex_unlock(&gmem->lock);
	mutex_unlock(&vm->lock);
	ls_vm_put(vm);
	return ret;
}

/* Does the guest_memfd behind @gpa leave MEM_SHARE conversions to the VMM? */
bool ls_vm_vmm_converts(struct ls_vm *vm, u64 gpa)
{
	struct ls_slot *s;
	bool ret;

	mutex_lock(&vm->lock);
	s = ls_vm_slot_of(vm, gpa);
	ret = s && s->gmem->vmm_converts;
	mutex_unlock(&vm->lock);
	return ret;
}

/* Reclaim [gpa, + pages) from @vm (scrubbed by the hypervisor); *done = pages reclaimed. */
static int ls_reclaim_run(struct ls_vm *vm, u64 gpa, u64 pages, u64 *done)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	for (*done = 0; *done < pages; *done += res.a1) {
		cond_resched();
		ret = ls_vm_call(vm, LS_HVC_VM_RECLAIM, vm->id, gpa + (*done << PAGE_SHIFT),
				 pages - *done, 0, &res);
		if (ret)
			return ret;
		if (!res.a1 || res.a1 > pages - *done)
			return -EIO;
	}
	return 0;
}

/*
 * fallocate(PUNCH_HOLE | KEEP_SIZE) of [offset, + len): every page reads zero afterwards.
 * A private page is reclaimed from the VM (LS_FN_VM_RECLAIM: the hypervisor scrubs it; the
 * driver checks) and becomes the host's again: not the VM's until POPULATE gives it back.
 * Also while the VM runs: the hypervisor then keeps the GPA as a hole, where a guest access is a
 * memory fault exit (never MMIO) that the VMM answers with POPULATE (docs/hypercalls.md
 * "Teardown"), upstream's "punch, the guest faults, the VMM repopulates". A shared page stays
 * shared: it is removed from every user
 * mapping, refused (EAGAIN) while someone else holds a reference, and zeroed by the host. A
 * page of the host is zeroed. Every page is checked before any changes.
 */
int ls_gmem_punch(struct ls_gmem *gmem, u64 offset, u64 len)
{
	unsigned long first, end, i, run;
	struct ls_vm *vm;
	int ret = 0;

	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len) || !len || offset + len < offset ||
	    offset + len > ((u64)gmem->npages << PAGE_SHIFT))
		return -EINVAL;
	first = offset >> PAGE_SHIFT;
	end = first + (len >> PAGE_SHIFT);
	vm = ls_vm_get_serial(gmem->vm_serial); /* none: every page is the host's (or lost) */
	if (vm)
		mutex_lock(&vm->lock);
	mutex_lock(&gmem->lock);
	for (i = first; i < end; i++) {
		if (gmem->state[i] == LS_GMEM_PRIVATE && (!vm || !ls_slot_of_index(vm, gmem, i))) {
			ret = -EPERM;
			goto out;
		}
	}
	ls_gmem_zap(gmem, first, end - first);
	for (i = first; i < end; i++) {
		if (gmem->state[i] == LS_GMEM_SHARED && page_ref_count(gmem->pages[i]) != 1) {
			ret = -EAGAIN;
			goto out;
		}
	}
	for (i = first; i < end; i += run) {
		struct ls_slot *s;
		unsigned long slot_end, k;
		u64 done = 0;
		void *va;

		run = 1;
		va = page_address(gmem->pages[i]);
		if (gmem->state[i] == LS_GMEM_HOST || gmem->state[i] == LS_GMEM_SHARED) {
			memset(va, 0, PAGE_SIZE);
			ls_clean_poc(va,
				     PAGE_SIZE); /* a guest with its MMU off reads past caches */
			continue;
		}
		if (gmem->state[i] != LS_GMEM_PRIVATE)
			continue; /* lost: never touched again */
		s = ls_slot_of_index(vm, gmem, i);
		slot_end = (s->offset + s->size) >> PAGE_SHIFT;
		while (i + run < end && i + run < slot_end &&
		       gmem->state[i + run] == LS_GMEM_PRIVATE)
			run++;
		ret = ls_reclaim_run(vm, s->gpa + ((u64)i << PAGE_SHIFT) - s->offset, run, &done);
		for (k = 0; k < done; k++) {
			gmem->state[i + k] = LS_GMEM_HOST;
			atomic64_dec(&ls_stat_pages_held);
			atomic64_inc(&ls_stat_reclaimed);
			/* The hypervisor scrubbed it (LS_FN_VM_RECLAIM): check, never trust. */
			if (memchr_inv(page_address(gmem->pages[i + k]), 0, PAGE_SIZE)) {
				atomic64_inc(&ls_stat_reclaimed_nonzero);
				pr_err("vm %llu: punched page %lu not zero after reclaim\n", vm->id,
				       i + k);
			}
		}
		if (ret)
			goto out;
	}
out:
	mutex_unlock(&gmem->lock);
	if (vm) {
		mutex_unlock(&vm->lock);
		ls_vm_put(vm);
	}
	return ret;
}
