// SPDX-License-Identifier: GPL-2.0-only
/*
 * Protected VMs on /dev/lockstep (docs/uapi.md): the system and VM file descriptors, memslots,
 * POPULATE, donations on LS_ENOMEM, teardown, the EL2 physical timer PPI and the debugfs test
 * files. vcpu.c runs vCPUs, gmem.c owns guest memory. Internal API and locking: vm.h.
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/acpi.h>
#include <linux/anon_inodes.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <asm/cacheflush.h>
#include <asm/cputype.h>

#include "vm.h"

atomic64_t ls_stat_pages_held, ls_stat_reclaimed, ls_stat_reclaimed_nonzero, ls_stat_gmem_pages;
static atomic64_t ls_stat_vms, ls_stat_vms_created, ls_stat_host_pool;
static atomic64_t ls_vm_serial;
static LIST_HEAD(ls_vms); /* every VM alive, for debugfs "vms" */
static DEFINE_MUTEX(ls_vms_lock);
static u64 ls_vm_features;

void ls_hvc(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct arm_smccc_1_2_regs *res)
{
	struct arm_smccc_1_2_regs args = {
		.a0 = fn,
		.a1 = a1,
		.a2 = a2,
		.a3 = a3,
		.a4 = a4,
		.a5 = a5,
	};

	/* SMCCC v1.2 (DEN 0028 2.6): results in x0..x17, the run exits use x1..x6. */
	arm_smccc_1_2_hvc(&args, res);
}

/* The hypercall status as the errno docs/uapi.md lists for it. */
int ls_errno(long status)
{
	switch (status) {
	case LS_OK:
		return 0;
	case LS_ENOTSUPP:
		return -EOPNOTSUPP;
	case LS_EINVAL:
		return -EINVAL;
	case LS_EPERM:
		return -EPERM;
	case LS_ENOMEM:
		return -ENOMEM;
	case LS_EBUSY:
		return -EBUSY;
	case LS_ERANGE:
		return -ERANGE;
	case LS_ENOENT:
		return -ENOENT;
	case LS_EEXIST:
		return -EEXIST;
	case LS_ENOSPC:
		return -ENOSPC;
	default:
		return -EIO;
	}
}

/*
 * Give the hypervisor @need pages for @pool (LS_POOL_HOST or this VM's id), as one naturally
 * aligned block of at least 8 pages (a VM pool takes at most OWN_MAX_POOL_RUNS separate
 * donations: fewer, bigger ones). A block of at most 512 pages is 2 MiB-aligned within one
 * 2 MiB window, so a single LS_FN_POOL_DONATE moves it whole (docs/hypercalls.md "Ranges").
 */
int ls_vm_donate(struct ls_vm *vm, u64 need, u64 pool)
{
	struct arm_smccc_1_2_regs res;
	unsigned int order;
	struct ls_chunk *chunk;
	struct page *page;
	u64 pages;

	if (!need || need > LS_BUDGET_PAGES)
		return -ENOMEM;
	if (pool != LS_POOL_HOST && pool != vm->id)
		return -EIO; /* a pool this call should not need */
	order = get_order(max_t(u64, need, 8) << PAGE_SHIFT);
	pages = 1ULL << order;
	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!chunk || !page) {
		kfree(chunk);
		if (page)
			__free_pages(page, order);
		return -ENOMEM;
	}
	ls_hvc(LS_HVC_POOL_DONATE, pool, page_to_phys(page), pages, 0, 0, &res);
	if ((long)res.a0 != LS_OK || res.a1 != pages) {
		pr_err("vm %llu: POOL_DONATE %llu pages to pool 0x%llx: %ld (%lu done)\n", vm->id,
		       pages, pool, (long)res.a0, res.a1);
		kfree(chunk);
		if ((long)res.a0 == LS_OK)
			return -EIO; /* partly donated: leave the block where it is */
		__free_pages(page, order);
		return ls_errno((long)res.a0);
	}
	vm->enomem_retries++;
	if (pool == LS_POOL_HOST) {
		/* The host's pool never gives pages back (docs/hypercalls.md). */
		kfree(chunk);
		vm->host_pool_pages += pages;
		atomic64_add(pages, &ls_stat_host_pool);
		return 0;
	}
	chunk->page = page;
	chunk->order = order;
	list_add(&chunk->node, &vm->chunks);
	vm->pool_pages += pages;
	atomic64_add(pages, &ls_stat_pages_held);
	return 0;
}

/* One hypercall on behalf of @vm; LS_ENOMEM is answered by a donation and a retry, bounded. */
int ls_vm_call(struct ls_vm *vm, u64 fn, u64 a1, u64 a2, u64 a3, u64 a4,
	       struct arm_smccc_1_2_regs *res)
{
	int tries, ret;

	for (tries = 0;; tries++) {
		ls_bench_hvc(fn, a1, a2, a3, a4, res); /* ls_hvc(), counted by make bench-gmem */
		if ((long)res->a0 != LS_ENOMEM)
			return ls_errno((long)res->a0);
		if (tries == LS_ENOMEM_RETRIES)
			return -ENOMEM;
		ret = ls_vm_donate(vm, res->a1, res->a2);
		if (ret)
			return ret;
	}
}

/* A ranged transition (x1 = vm, x2 = addr, x3 = ipa or pages ...) repeated until done. */
static int ls_vm_range(struct ls_vm *vm, u64 fn, u64 ipa, u64 pages)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	while (pages) {
		ret = ls_vm_call(vm, fn, vm->id, ipa, pages, 0, &res);
		if (ret)
			return ret;
		if (!res.a1 || res.a1 > pages)
			return -EIO;
		ipa += res.a1 << PAGE_SHIFT;
		pages -= res.a1;
	}
	return 0;
}

struct ls_slot *ls_vm_slot_of(struct ls_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < LOCKSTEP_MAX_SLOTS; i++) {
		struct ls_slot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/*
 * The guest shared (@share) or unshared [gpa, gpa + size): convert its gmem pages. Sharing
 * needs the guest's consent, which the hypervisor checks (LS_FN_VM_SHARE_HOST); unsharing zaps
 * the host's user mappings first, then makes the pages private again (the hypervisor may have
 * done so already on the guest's MEM_UNSHARE: LS_EPERM "not shared" is then the expected answer).
 */
int ls_vm_convert(struct ls_vm *vm, u64 gpa, u64 size, bool share)
{
	struct arm_smccc_1_2_regs res;
	struct ls_slot *s;
	unsigned long idx;
	u64 off;
	int ret = 0;

	if (!size || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(size))
		return -EINVAL;
	mutex_lock(&vm->lock);
	for (off = 0; off < size && !ret; off += PAGE_SIZE) {
		s = ls_vm_slot_of(vm, gpa + off);
		if (!s) {
			ret = -ENOENT;
			break;
		}
		idx = (s->offset + (gpa + off - s->gpa)) >> PAGE_SHIFT;
		mutex_lock(&s->gmem->lock);
		if (share) {
			if (s->gmem->state[idx] != LS_GMEM_PRIVATE) {
				ret = -EPERM;
			} else {
				ret = ls_vm_call(vm, LS_HVC_VM_SHARE_HOST, vm->id, gpa + off, 1, 0,
						 &res);
				if (!ret)
					s->gmem->state[idx] = LS_GMEM_SHARED;
			}
		} else if (s->gmem->state[idx] == LS_GMEM_SHARED) {
			ls_gmem_zap(s->gmem, idx, 1);
			ret = ls_vm_call(vm, LS_HVC_VM_UNSHARE_HOST, vm->id, gpa + off, 1, 0, &res);
			if (ret == -EPERM)
				ret = 0; /* already private: the guest's MEM_UNSHARE did it */
			if (!ret)
				s->gmem->state[idx] = LS_GMEM_PRIVATE;
		} else if (s->gmem->state[idx] != LS_GMEM_PRIVATE) {
			ret = -EPERM;
		}
		mutex_unlock(&s->gmem->lock);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* --- teardown -------------------------------------------------------------------------------- */

/*
 * Reclaim every page the VM owns in @s, checking each private one is zero: a run of private
 * pages up to a 2 MiB GPA boundary with one call (a hypervisor window, done whole or not at
 * all: a 1 GiB guest_memfd is 512 calls, not 262144), a shared page
 * on its own (LS_FN_VM_RECLAIM of a shared window keeps the host's mapping and contents).
 */
static void ls_vm_reclaim_slot(struct ls_vm *vm, struct ls_slot *s)
{
	struct ls_gmem *gmem = s->gmem;
	unsigned long first = s->offset >> PAGE_SHIFT, n = s->size >> PAGE_SHIFT, i, k, run;
	bool shared;
	int ret;

	mutex_lock(&gmem->lock);
	for (i = 0; i < n; i += run) {
		unsigned long idx = first + i;
		u64 gpa = s->gpa + ((u64)i << PAGE_SHIFT);

		run = 1;
		cond_resched();
		if (gmem->state[idx] == LS_GMEM_HOST || gmem->state[idx] == LS_GMEM_LOST)
			continue;
		/*
		 * A shared page comes back as it is (LS_FN_VM_RECLAIM of a shared window): the
		 * host never loses it, so a reference the kernel still holds (a page pinned
		 * for I/O, e.g. in a pipe) never faults; its contents are what was shared.
		 */
		shared = gmem->state[idx] == LS_GMEM_SHARED;
		if (shared)
			ls_gmem_zap(gmem, idx, 1);
		else /* one hypervisor window at most: it reclaims all of it or nothing */
			while (i + run < n && gmem->state[idx + run] == LS_GMEM_PRIVATE &&
			       !IS_ALIGNED(gpa + ((u64)run << PAGE_SHIFT), SZ_2M))
				run++;
		ret = ls_vm_range(vm, LS_HVC_VM_RECLAIM, gpa, run);
		if (ret && run > 1) {
			run = 1; /* page by page: only the page that fails is lost */
			ret = ls_vm_range(vm, LS_HVC_VM_RECLAIM, gpa, 1);
		}
		if (ret) {
			pr_err("vm %llu: reclaim gpa 0x%llx: %d; page leaked\n", vm->id, gpa, ret);
			gmem->state[idx] = LS_GMEM_LOST;
			continue;
		}
		for (k = 0; k < run; k++) {
			gmem->state[idx + k] = LS_GMEM_HOST;
			atomic64_dec(&ls_stat_pages_held);
			atomic64_inc(&ls_stat_reclaimed);
			/* The hypervisor scrubbed a private page (LS_FN_VM_RECLAIM): check,
			 * never trust. */
			if (!shared &&
			    memchr_inv(page_address(gmem->pages[idx + k]), 0, PAGE_SIZE)) {
				atomic64_inc(&ls_stat_reclaimed_nonzero);
				pr_err("vm %llu: page of gpa 0x%llx not zero after reclaim\n",
				       vm->id, gpa + ((u64)k << PAGE_SHIFT));
			}
		}
	}
	mutex_unlock(&gmem->lock);
}

static void ls_vm_release(struct kref *ref)
{
	struct ls_vm *vm = container_of(ref, struct ls_vm, ref);
	struct arm_smccc_1_2_regs res;
	struct ls_chunk *c, *tmp;
	bool destroyed;
	int i, ret;

	/* No fd of the VM is left: no vCPU runs, nothing else can reach the VM. */
	mutex_lock(&ls_vms_lock);
	list_del(&vm->node);
	mutex_unlock(&ls_vms_lock);
	/* Devices first: VM_DESTROY refuses a VM that still has a stream. */
	ls_vmdev_release_all(vm);
	for (i = 0; i < LOCKSTEP_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			ls_vm_reclaim_slot(vm, &vm->slots[i]);
	ret = ls_vm_call(vm, LS_HVC_VM_DESTROY, vm->id, 0, 0, 0, &res);
	destroyed = !ret;
	if (!destroyed)
		pr_err("vm %llu: VM_DESTROY: %d (%ld); its pool and vCPU pages are leaked\n",
		       vm->id, ret, (long)res.a0);
	else
		pr_debug("vm %llu destroyed: %lu pages back\n", vm->id, res.a1);
	list_for_each_entry_safe(c, tmp, &vm->chunks, node)
	{
		list_del(&c->node);
		if (destroyed) {
			__free_pages(c->page, c->order);
			atomic64_sub(1ULL << c->order, &ls_stat_pages_held);
		}
		kfree(c);
	}
	for (i = 0; i < LOCKSTEP_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			ls_vcpu_free(vm->vcpus[i]);
	for (i = 0; i < LOCKSTEP_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			ls_gmem_put(vm->slots[i].gmem);
	atomic64_dec(&ls_stat_vms);
	kfree(vm);
}

void ls_vm_put(struct ls_vm *vm)
{
	kref_put(&vm->ref, ls_vm_release);
}

struct ls_vm *ls_vm_get_serial(u64 serial)
{
	struct ls_vm *vm, *found = NULL;

	/* ls_vm_release() unlists the VM under ls_vms_lock before anything else. */
	mutex_lock(&ls_vms_lock);
	list_for_each_entry(vm, &ls_vms, node)
	{
		if (vm->serial == serial && kref_get_unless_zero(&vm->ref)) {
			found = vm;
			break;
		}
	}
	mutex_unlock(&ls_vms_lock);
	return found;
}

/* --- memslots and POPULATE ---------------------------------------------------------------- */

static int ls_vm_set_region(struct ls_vm *vm, struct lockstep_userspace_memory_region2 *r)
{
	struct ls_slot *s;
	struct ls_gmem *gmem;
	struct file *file;
	unsigned long i;
	int j, ret;

	if (r->slot >= LOCKSTEP_MAX_SLOTS || r->flags != LOCKSTEP_MEM_GUEST_MEMFD ||
	    r->userspace_addr || r->pad1 || memchr_inv(r->pad2, 0, sizeof(r->pad2)))
		return -EINVAL;
	s = &vm->slots[r->slot];
	if (!r->memory_size) { /* delete (api.rst 4.35: memory_size 0) */
		if (!s->used)
			return -EINVAL;
		gmem = s->gmem;
		mutex_lock(&gmem->lock);
		for (i = 0; i < s->size >> PAGE_SHIFT; i++)
			if (gmem->state[(s->offset >> PAGE_SHIFT) + i] != LS_GMEM_HOST)
				break;
		mutex_unlock(&gmem->lock);
		if (i < s->size >> PAGE_SHIFT)
			return -EBUSY; /* the VM owns pages behind it */
		s->used = false;
		ls_gmem_put(gmem);
		return 0;
	}
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->guest_memfd_offset) ||
	    r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
	    r->guest_phys_addr + r->memory_size > (1ULL << LS_IPA_BITS))
		return -EINVAL;
	if (s->used)
		return -EEXIST;
	for (j = 0; j < LOCKSTEP_MAX_SLOTS; j++) {
		struct ls_slot *o = &vm->slots[j];

		if (o->used && r->guest_phys_addr < o->gpa + o->size &&
		    o->gpa < r->guest_phys_addr + r->memory_size)
			return -EEXIST;
	}
	file = fget(r->guest_memfd);
	if (!file)
		return -EBADF;
	gmem = ls_gmem_get_file(file);
	ret = -EINVAL;
	if (!gmem || gmem->vm_serial != vm->serial)
		goto out;
	if (r->guest_memfd_offset + r->memory_size < r->guest_memfd_offset ||
	    r->guest_memfd_offset + r->memory_size > ((u64)gmem->npages << PAGE_SHIFT))
		goto out;
	/* A gmem page backs at most one GPA (api.rst 4.141: bindings must not overlap). */
	ret = -EEXIST;
	for (j = 0; j < LOCKSTEP_MAX_SLOTS; j++) {
		struct ls_slot *o = &vm->slots[j];

		if (o->used && o->gmem == gmem && r->guest_memfd_offset < o->offset + o->size &&
		    o->offset < r->guest_memfd_offset + r->memory_size)
			goto out;
	}
	kref_get(&gmem->ref);
	s->gmem = gmem;
	s->gpa = r->guest_phys_addr;
	s->size = r->memory_size;
	s->offset = r->guest_memfd_offset;
	s->used = true;
	ret = 0;
out:
	fput(file);
	return ret;
}

/* Clean [va, va + size) to the Point of Coherency (Arm ARM D7.5.9 DC CVAC; CTR_EL0.DminLine). */
void ls_clean_poc(void *va, size_t size)
{
	u64 line = 4UL << ((read_cpuid_cachetype() >> 16) & 0xf);
	u64 p = (u64)va & ~(line - 1), end = (u64)va + size;

	for (; p < end; p += line)
		asm volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

/* LS_FN_HOST_DONATE_VM of [pa, + pages) at ipa, window by window; *done = pages donated. */
static int ls_vm_donate_range(struct ls_vm *vm, u64 pa, u64 ipa, u64 pages, u64 *done)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	while (*done < pages) {
		u64 off = *done << PAGE_SHIFT;

		ret = ls_vm_call(vm, LS_HVC_HOST_DONATE_VM, vm->id, pa + off, ipa + off,
				 pages - *done, &res);
		if (ret)
			return ret;
		if (!res.a1 || res.a1 > pages - *done)
			return -EIO;
		*done += res.a1;
		cond_resched(); /* 512 windows for a GiB */
	}
	return 0;
}

static int ls_vm_populate(struct ls_vm *vm, struct lockstep_populate *p)
{
	u64 pages, i, run;
	int ret = 0;

	p->done = 0;
	if (p->flags & ~LOCKSTEP_POPULATE_ZERO || memchr_inv(p->reserved, 0, sizeof(p->reserved)))
		return -EINVAL;
	if (!p->size || !PAGE_ALIGNED(p->gpa) || !PAGE_ALIGNED(p->size) ||
	    !PAGE_ALIGNED(p->uaddr) || p->gpa + p->size < p->gpa)
		return -EINVAL;
	if ((p->flags & LOCKSTEP_POPULATE_ZERO) ? p->uaddr != 0 : p->uaddr == 0)
		return -EINVAL;
	/* Only the initial image is the host's to choose; afterwards zero pages only: how a VMM
	 * answers a memory fault on a hole (never populated, or punched before the first run). */
	if (vm->has_run && !(p->flags & LOCKSTEP_POPULATE_ZERO))
		return -EPERM;
	pages = p->size >> PAGE_SHIFT;

	/* Check every page before changing any: backed by a slot, not populated. */
	for (i = 0; i < pages; i++) {
		u64 gpa = p->gpa + (i << PAGE_SHIFT);
		struct ls_slot *s = ls_vm_slot_of(vm, gpa);

		if (!s)
			return -ENOENT;
		if (s->gmem->state[(s->offset + gpa - s->gpa) >> PAGE_SHIFT] != LS_GMEM_HOST)
			return -EEXIST;
	}

	/* Copy, then donate runs that are contiguous in both GPA and PA, within one slot. */
	for (i = 0; i < pages && !ret; i += run) {
		u64 gpa = p->gpa + (i << PAGE_SHIFT);
		struct ls_slot *s = ls_vm_slot_of(vm, gpa);
		struct ls_gmem *gmem = s->gmem;
		unsigned long idx = (s->offset + gpa - s->gpa) >> PAGE_SHIFT, k;
		phys_addr_t pa = page_to_phys(gmem->pages[idx]);

		/*
		 * Copy without gmem->lock: the source may be a mapping of this very guest_memfd,
		 * whose fault handler takes it (a VMM must not deadlock its own thread). The pages
		 * are the host's and vm->lock keeps every other POPULATE out.
		 */
		for (run = 0; i + run < pages && idx + run < gmem->npages &&
			      gpa + (run << PAGE_SHIFT) - s->gpa < s->size &&
			      page_to_phys(gmem->pages[idx + run]) == pa + (run << PAGE_SHIFT);
		     run++) {
			void *va = page_address(gmem->pages[idx + run]);

			if (p->flags & LOCKSTEP_POPULATE_ZERO) {
				memset(va, 0, PAGE_SIZE);
			} else if (copy_from_user(
					   va,
					   (void __user *)(p->uaddr + ((i + run) << PAGE_SHIFT)),
					   PAGE_SIZE)) {
				ret = -EFAULT;
				break;
			}
			/* The guest starts with its MMU off: non-cacheable accesses. */
			ls_clean_poc(va, PAGE_SIZE);
			if (!((i + run) & 0xfff))
				cond_resched(); /* a 1 GiB guest_memfd is 262144 pages */
		}
		mutex_lock(&gmem->lock);
		if (run) {
			u64 done = 0;
			int r = ls_vm_donate_range(vm, pa, gpa, run, &done);

			for (k = 0; k < done; k++)
				gmem->state[idx + k] = LS_GMEM_PRIVATE;
			atomic64_add(done, &ls_stat_pages_held);
			p->done += done << PAGE_SHIFT;
			if (r) {
				ret = r;
				run = 0;
			}
		}
		mutex_unlock(&gmem->lock);
		if (!run)
			break;
	}
	return ret;
}

/* --- VM fd ----------------------------------------------------------------------------------- */

static void ls_vm_stats(struct ls_vm *vm, struct lockstep_vm_stats *st)
{
	struct arm_smccc_1_2_regs res;
	unsigned long i;
	int j;

	memset(st, 0, sizeof(*st));
	st->vm_id = vm->id;
	st->pool_pages = vm->pool_pages;
	st->host_pool_pages = vm->host_pool_pages;
	st->vcpu_pages = vm->vcpu_pages;
	st->enomem_retries = vm->enomem_retries;
	for (j = 0; j < LOCKSTEP_MAX_SLOTS; j++) {
		struct ls_slot *s = &vm->slots[j];

		if (!s->used)
			continue;
		mutex_lock(&s->gmem->lock);
		for (i = 0; i < s->size >> PAGE_SHIFT; i++) {
			u8 state = s->gmem->state[(s->offset >> PAGE_SHIFT) + i];

			st->populated_pages += state == LS_GMEM_PRIVATE || state == LS_GMEM_SHARED;
			st->shared_pages += state == LS_GMEM_SHARED;
		}
		mutex_unlock(&s->gmem->lock);
	}
	for (j = 0; j < LS_VM_STAT_NR && j < ARRAY_SIZE(st->hyp); j++) {
		ls_hvc(LS_HVC_VM_STATS, vm->id, j, 0, 0, 0, &res);
		st->hyp[j] = (long)res.a0 == LS_OK ? res.a1 : 0;
	}
}

static long ls_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ls_vm *vm = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case LOCKSTEP_CREATE_VCPU:
		return ls_vcpu_create(vm, arg);
	case LOCKSTEP_CREATE_GUEST_MEMFD: {
		struct lockstep_create_guest_memfd args;

		if (copy_from_user(&args, uarg, sizeof(args)))
			return -EFAULT;
		return ls_gmem_create(vm, &args);
	}
	case LOCKSTEP_SET_USER_MEMORY_REGION2: {
		struct lockstep_userspace_memory_region2 r;

		if (copy_from_user(&r, uarg, sizeof(r)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		ret = ls_vm_set_region(vm, &r);
		mutex_unlock(&vm->lock);
		return ret;
	}
	case LOCKSTEP_POPULATE: {
		struct lockstep_populate p;

		if (copy_from_user(&p, uarg, sizeof(p)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		ret = ls_vm_populate(vm, &p);
		mutex_unlock(&vm->lock);
		if (copy_to_user(&((struct lockstep_populate __user *)uarg)->done, &p.done,
				 sizeof(p.done)))
			return -EFAULT;
		return ret;
	}
	case LOCKSTEP_VM_GET_STATS: {
		struct lockstep_vm_stats st;

		mutex_lock(&vm->lock);
		ls_vm_stats(vm, &st);
		mutex_unlock(&vm->lock);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case LOCKSTEP_VM_ASSIGN_DEVICE:
		return ls_vmdev_assign(vm, uarg);
	case LOCKSTEP_VM_RELEASE_DEVICE:
		return ls_vmdev_release(vm, uarg);
	case LOCKSTEP_VM_MAP_DEVICE_BAR:
	case LOCKSTEP_VM_UNMAP_DEVICE_BAR:
		return ls_vmdev_map_bar(vm, uarg, cmd == LOCKSTEP_VM_MAP_DEVICE_BAR);
	default:
		return -ENOTTY;
	}
}

static int ls_vm_fd_release(struct inode *inode, struct file *file)
{
	ls_vm_put(file->private_data);
	return 0;
}

static const struct file_operations ls_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ls_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = ls_vm_fd_release,
	.llseek = noop_llseek,
};

/*
 * LOCKSTEP_CREATE_VM: a pool of LS_VM_POOL_MIN pages, 64 KiB aligned (an order-4 block of the
 * buddy allocator is aligned to its size), LS_FN_VM_CREATE, then the VM fd.
 */
static int ls_vm_create(unsigned long type)
{
	struct arm_smccc_1_2_regs res;
	unsigned int order = get_order(LS_VM_POOL_MIN << PAGE_SHIFT);
	struct ls_chunk *chunk;
	struct ls_vm *vm;
	struct page *pool;
	int fd, ret, tries;

	BUILD_BUG_ON((PAGE_SIZE << get_order(LS_VM_POOL_MIN << PAGE_SHIFT)) % LS_VM_POOL_ALIGN);
	if (type)
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	pool = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	ret = -ENOMEM;
	if (!vm || !chunk || !pool)
		goto err;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->chunks);
	INIT_LIST_HEAD(&vm->devices);
	vm->serial = atomic64_inc_return(&ls_vm_serial);
	vm->id = LS_POOL_HOST; /* not yet: ls_vm_donate() refuses donations to a VM pool */
	for (tries = 0;; tries++) {
		ls_hvc(LS_HVC_VM_CREATE, page_to_phys(pool), 1UL << order, LS_IPA_BITS, 0, 0, &res);
		if ((long)res.a0 != LS_ENOMEM || tries == LS_ENOMEM_RETRIES ||
		    res.a2 != LS_POOL_HOST)
			break;
		/* Splitting the host's mapping around the pool needs host-pool pages. */
		ret = ls_vm_donate(vm, res.a1, LS_POOL_HOST);
		if (ret)
			goto err;
	}
	ret = ls_errno((long)res.a0);
	if (ret)
		goto err;
	vm->id = res.a1;
	chunk->page = pool;
	chunk->order = order;
	list_add(&chunk->node, &vm->chunks);
	vm->pool_pages = 1UL << order;
	atomic64_add(1UL << order, &ls_stat_pages_held);
	atomic64_inc(&ls_stat_vms);
	atomic64_inc(&ls_stat_vms_created);
	mutex_lock(&ls_vms_lock);
	list_add_tail(&vm->node, &ls_vms);
	mutex_unlock(&ls_vms_lock);

	fd = anon_inode_getfd("lockstep-vm", &ls_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ls_vm_put(vm); /* destroys it: the pool comes back */
	return fd;
err:
	if (pool)
		__free_pages(pool, order);
	kfree(chunk);
	kfree(vm);
	return ret;
}

/* --- /dev/lockstep ioctls, global statistics ---------------------------------------------- */

static u64 ls_hyptimer_total(void);

long ls_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case LOCKSTEP_GET_API_VERSION:
		return arg ? -EINVAL : LOCKSTEP_API_VERSION;
	case LOCKSTEP_CREATE_VM:
		/* /dev/lockstep is 0444 (its read() is for everyone): creating VMs and giving
		 * memory away takes an fd opened for writing, which the mode leaves to root. */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (!(ls_vm_features & LS_FEAT_VCPUS))
			return -ENODEV; /* this Lockstep runs no vCPU */
		return ls_vm_create(arg);
	case LOCKSTEP_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	case LOCKSTEP_GET_STATS: {
		struct lockstep_global_stats st = {
			.vms = atomic64_read(&ls_stat_vms),
			.vms_created = atomic64_read(&ls_stat_vms_created),
			.pages_held = atomic64_read(&ls_stat_pages_held),
			.host_pool_pages = atomic64_read(&ls_stat_host_pool),
			.reclaimed_pages = atomic64_read(&ls_stat_reclaimed),
			.reclaimed_nonzero = atomic64_read(&ls_stat_reclaimed_nonzero),
			.gmem_pages = atomic64_read(&ls_stat_gmem_pages),
			.hyp_timer_irqs = ls_hyptimer_total(),
			.convert_hvcs = atomic64_read(&ls_stat_convert_hvcs),
			.convert_pages = atomic64_read(&ls_stat_convert_pages),
		};

		return copy_to_user((void __user *)arg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	default:
		return -ENOTTY;
	}
}

/* --- the EL2 physical timer PPI ------------------------------------------------------------- */

/*
 * While a guest runs, Lockstep arms the EL2 physical timer (CNTHP) at the host's own virtual
 * timer deadline, so that a guest that never exits cannot hold the host's tick back: the timer
 * fires, the physical IRQ is taken to EL2 (HCR_EL2.IMO while the guest runs), and the vCPU
 * exits with LS_EXIT_IRQ. For the GIC to signal that interrupt at all, its PPI must be enabled
 * in this CPU's redistributor, and Linux at EL1 never enables it (the arch timer driver uses the
 * virtual timer, PPI 27). The "arm,armv8-timer" node lists the secure physical, non-secure
 * physical, virtual and hypervisor physical timer interrupts in that order (Linux
 * Documentation/devicetree/bindings/timer/arm,arch_timer.yaml): the 4th (index 3) is CNTHP, PPI
 * 26 (INTID 26, Arm BSA); booted with ACPI (AAVMF), the GTDT's "Non-Secure EL2 Timer GSIV"
 * names it. This driver requests it per CPU, enables it on every online CPU and on
 * every CPU that comes online later (cpuhp), and only counts it: the work is the exit it causes.
 */
static unsigned int ls_hyptimer_irq;
static int ls_hyptimer_cpuhp = -1;
static DEFINE_PER_CPU(u64, ls_hyptimer_count);

static irqreturn_t ls_hyptimer_handler(int irq, void *dev)
{
	this_cpu_inc(*(u64 __percpu *)dev);
	return IRQ_HANDLED;
}

static u64 ls_hyptimer_total(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) sum += per_cpu(ls_hyptimer_count, cpu);
	return sum;
}

static int ls_hyptimer_online(unsigned int cpu)
{
	enable_percpu_irq(ls_hyptimer_irq, IRQ_TYPE_NONE);
	return 0;
}

static int ls_hyptimer_offline(unsigned int cpu)
{
	disable_percpu_irq(ls_hyptimer_irq);
	return 0;
}

/* The EL2 physical timer's Linux irq: from the DT timer node, or from ACPI's GTDT. */
static unsigned int ls_hyptimer_map(void)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "arm,armv8-timer");
	struct acpi_table_header *hdr;
	struct acpi_table_gtdt *gtdt;
	unsigned int irq = 0;
	u32 gsi, flags;

	if (np) {
		irq = irq_of_parse_and_map(np, 3); /* the 4th interrupt: hyp physical timer */
		of_node_put(np);
		return irq;
	}
	if (acpi_disabled || ACPI_FAILURE(acpi_get_table(ACPI_SIG_GTDT, 0, &hdr)))
		return 0;
	/* GTDT (ACPI 6.5 5.2.25 Table 5.121): "Non-Secure EL2 Timer GSIV" and its flags. */
	gtdt = container_of(hdr, struct acpi_table_gtdt, header);
	if (hdr->length >= offsetofend(struct acpi_table_gtdt, non_secure_el2_flags) &&
	    gtdt->non_secure_el2_interrupt) {
		gsi = gtdt->non_secure_el2_interrupt;
		flags = gtdt->non_secure_el2_flags;
		irq = acpi_register_gsi(NULL, gsi,
					flags & ACPI_GTDT_INTERRUPT_MODE ? ACPI_EDGE_SENSITIVE :
									   ACPI_LEVEL_SENSITIVE,
					flags & ACPI_GTDT_INTERRUPT_POLARITY ? ACPI_ACTIVE_LOW :
									       ACPI_ACTIVE_HIGH);
		if ((int)irq < 0)
			irq = 0;
	}
	acpi_put_table(hdr);
	return irq;
}

static void ls_hyptimer_init(void)
{
	int ret;

	ls_hyptimer_irq = ls_hyptimer_map();
	if (!ls_hyptimer_irq) {
		pr_warn("no hypervisor timer interrupt in the DT or the GTDT: EL2 timer PPI not enabled\n");
		return;
	}
	ret = request_percpu_irq(ls_hyptimer_irq, ls_hyptimer_handler, "lockstep-hyp-timer",
				 &ls_hyptimer_count);
	if (ret) {
		pr_warn("cannot request the EL2 timer PPI (irq %u): %d\n", ls_hyptimer_irq, ret);
		ls_hyptimer_irq = 0;
		return;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "lockstep/hyp-timer:online",
				ls_hyptimer_online, ls_hyptimer_offline);
	if (ret < 0) {
		pr_warn("cpuhp for the EL2 timer PPI: %d\n", ret);
		free_percpu_irq(ls_hyptimer_irq, &ls_hyptimer_count);
		ls_hyptimer_irq = 0;
		return;
	}
	ls_hyptimer_cpuhp = ret;
	pr_info("EL2 physical timer PPI enabled (irq %u)\n", ls_hyptimer_irq);
}

static void ls_hyptimer_exit(void)
{
	if (ls_hyptimer_cpuhp >= 0)
		cpuhp_remove_state(ls_hyptimer_cpuhp);
	if (ls_hyptimer_irq)
		free_percpu_irq(ls_hyptimer_irq, &ls_hyptimer_count);
}

/* --- debugfs: the test's view of physical memory ------------------------------------------ */

/*
 * /sys/kernel/debug/lockstep/phys (root, test interface): mmap() at offset PA maps that RAM page
 * read-only into the caller, as /dev/mem would without STRICT_DEVMEM. A page the host does not
 * own is not in the host's stage 2: the load takes the synchronous external abort Lockstep
 * injects and the process gets SIGBUS (docs/arm64.md). The vm suite reads a guest's private
 * page through it.
 */
static int ls_phys_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;

	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	if (!pfn_valid(vma->vm_pgoff) || !pfn_valid(vma->vm_pgoff + (size >> PAGE_SHIFT) - 1))
		return -EINVAL;
	vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, size, vma->vm_page_prot);
}

static const struct file_operations ls_phys_fops = {
	.owner = THIS_MODULE,
	.mmap = ls_phys_mmap,
};

/*
 * /sys/kernel/debug/lockstep/vms (root): every VM, its memslots and where their pages are, one
 * line per run of pages contiguous in GPA and PA with one state:
 *   vm ID serial N has_run 0|1 shutdown 0|1 vcpus N pool_pages N
 *   slot I gpa 0x.. size 0x.. gmem_offset 0x..
 *   pages gpa 0x.. pa 0x.. n N host|private|shared|lost
 */
static int ls_vms_show(struct seq_file *m, void *unused)
{
	static const char *const names[] = { "host", "private", "shared", "lost" };
	struct ls_vm *vm;
	int i, j, nv;

	mutex_lock(&ls_vms_lock);
	list_for_each_entry(vm, &ls_vms, node)
	{
		mutex_lock(&vm->lock);
		for (nv = 0, j = 0; j < LOCKSTEP_MAX_VCPUS; j++)
			nv += !!vm->vcpus[j];
		seq_printf(m,
			   "vm %llu serial %llu has_run %d shutdown %d vcpus %d pool_pages %llu\n",
			   vm->id, vm->serial, vm->has_run, vm->shutdown, nv, vm->pool_pages);
		for (i = 0; i < LOCKSTEP_MAX_SLOTS; i++) {
			struct ls_slot *s = &vm->slots[i];
			unsigned long k, n, first, run;

			if (!s->used)
				continue;
			seq_printf(m, "slot %d gpa 0x%llx size 0x%llx gmem_offset 0x%llx\n", i,
				   s->gpa, s->size, s->offset);
			first = s->offset >> PAGE_SHIFT;
			n = s->size >> PAGE_SHIFT;
			mutex_lock(&s->gmem->lock);
			for (k = 0; k < n; k += run) {
				u8 st = s->gmem->state[first + k];
				phys_addr_t pa = page_to_phys(s->gmem->pages[first + k]);

				for (run = 1;
				     k + run < n && s->gmem->state[first + k + run] == st &&
				     page_to_phys(s->gmem->pages[first + k + run]) ==
					     pa + (run << PAGE_SHIFT);
				     run++)
					;
				seq_printf(m, "pages gpa 0x%llx pa 0x%llx n %lu %s\n",
					   s->gpa + ((u64)k << PAGE_SHIFT), (u64)pa, run,
					   names[st & 3]);
			}
			mutex_unlock(&s->gmem->lock);
		}
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&ls_vms_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ls_vms);

int ls_vm_init(struct dentry *debugfs, u64 features)
{
	ls_vm_features = features;
	if (features & LS_FEAT_VCPUS)
		ls_hyptimer_init();
	/* _unsafe: the full debugfs proxy has no mmap; these files hold no state to protect. */
	debugfs_create_file_unsafe("phys", 0400, debugfs, NULL, &ls_phys_fops);
	debugfs_create_file("vms", 0400, debugfs, NULL, &ls_vms_fops);
	ls_bench_init(debugfs);
	return 0;
}

void ls_vm_exit(void)
{
	ls_hyptimer_exit();
}
