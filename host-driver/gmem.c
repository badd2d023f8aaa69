// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_memfd for Lockstep VMs (docs/uapi.md "LOCKSTEP_CREATE_GUEST_MEMFD"; the model is
 * Linux Documentation/virt/kvm/api.rst 4.141 KVM_CREATE_GUEST_MEMFD).
 *
 * Every page is allocated when the fd is created, in the largest physically contiguous chunks
 * the host has. Each whole GiB of the fd (offsets 1 GiB aligned) first tries a 1 GiB-aligned
 * physical range taken with alloc_contig_range() (ls_gmem_alloc_1g: what alloc_contig_pages()
 * and hugetlb's gigantic pages do, which Linux does not export to modules); the rest, or all
 * of it when no such range is free, comes from the buddy allocator: from the order that covers
 * what is left (at most MAX_PAGE_ORDER) down to order 0, each chunk split into order-0 pages
 * (split_page). Either way every page ends up an order-0 page with a count of 1, freed on its
 * own later. Large chunks let the hypervisor map the guest with 1 GiB and 2 MiB blocks (a
 * donation of an IPA range backed by one aligned physical block) and keep the host's own
 * stage-2 in blocks around them.
 *
 * A page is the host's until POPULATE donates it (private), the guest may share it back
 * (MEM_SHARE: shared) and withdraw it; the VMM converts ranges with
 * LOCKSTEP_SET_MEMORY_ATTRIBUTES2 and punches holes with fallocate (convert.c, docs/gmem.md).
 * Only shared pages can be mmap()ed, and a page that stops being shared is zapped from every
 * mapping first. Teardown (vm.c) reclaims every
 * private page before the last reference is dropped, so the pages freed here are the host's.
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/anon_inodes.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/ioport.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vm.h"

static void ls_gmem_free(struct kref *ref)
{
	struct ls_gmem *gmem = container_of(ref, struct ls_gmem, ref);
	unsigned long i, lost = 0;

	for (i = 0; i < gmem->npages; i++) {
		if (gmem->state[i] != LS_GMEM_HOST) {
			/* Not the host's (a failed reclaim): freeing it would hand the
			 * allocator a page the host cannot touch. Leak it, loudly. */
			lost++;
			continue;
		}
		__free_page(gmem->pages[i]);
	}
	if (lost)
		pr_err("guest_memfd: %lu pages not the host's at release, leaked\n", lost);
	atomic64_sub(gmem->npages, &ls_stat_gmem_pages);
	kvfree(gmem->pages);
	kvfree(gmem->state);
	kfree(gmem);
}

void ls_gmem_put(struct ls_gmem *gmem)
{
	kref_put(&gmem->ref, ls_gmem_free);
}

/* Remove [index, index + npages) from every user mapping of the fd (if it is still open). */
void ls_gmem_zap(struct ls_gmem *gmem, unsigned long index, unsigned long npages)
{
	if (gmem->file)
		unmap_mapping_range(gmem->file->f_mapping, (loff_t)index << PAGE_SHIFT,
				    (loff_t)npages << PAGE_SHIFT, 1);
}

/* mmap: shared pages only; anything else is SIGBUS (and never reaches the hypervisor). */
static vm_fault_t ls_gmem_fault(struct vm_fault *vmf)
{
	struct ls_gmem *gmem = vmf->vma->vm_file->private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&gmem->lock);
	if (vmf->pgoff < gmem->npages && gmem->state[vmf->pgoff] == LS_GMEM_SHARED)
		ret = vmf_insert_page(vmf->vma, vmf->address, gmem->pages[vmf->pgoff]);
	mutex_unlock(&gmem->lock);
	return ret;
}

static const struct vm_operations_struct ls_gmem_vm_ops = {
	.fault = ls_gmem_fault,
};

static int ls_gmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL; /* a private COW copy of guest memory makes no sense */
	/*
	 * struct page mappings (VM_MIXEDMAP, vmf_insert_page), not PFNMAP: the host may use a
	 * shared page as any memory, get_user_pages() included (O_DIRECT, vmsplice, a DMA
	 * mapping), and each such user holds a page reference that the shared -> private
	 * conversion sees and waits for (EAGAIN) instead of pulling the page from under it.
	 */
	vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ls_gmem_vm_ops;
	return 0;
}

static int ls_gmem_release(struct inode *inode, struct file *file)
{
	struct ls_gmem *gmem = file->private_data;

	mutex_lock(&gmem->lock);
	gmem->file = NULL;
	mutex_unlock(&gmem->lock);
	ls_gmem_put(gmem);
	return 0;
}

static long ls_gmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lockstep_memory_attributes2 __user *uarg = (void __user *)arg;
	struct lockstep_memory_attributes2 a;
	long ret;

	switch (cmd) {
	case LOCKSTEP_SET_MEMORY_ATTRIBUTES2:
		if (copy_from_user(&a, uarg, sizeof(a)))
			return -EFAULT;
		ret = ls_gmem_set_attributes(file->private_data, &a);
		if (copy_to_user(&uarg->error_offset, &a.error_offset, sizeof(a.error_offset)))
			return -EFAULT;
		return ret;
	default:
		return -ENOTTY;
	}
}

/*
 * fallocate (Linux Documentation/virt/kvm/api.rst 4.141: PUNCH_HOLE frees, allocation
 * allocates): every page is allocated at creation, so allocating is a range check and only
 * PUNCH_HOLE does something (convert.c). Without KEEP_SIZE (a guest_memfd never changes
 * size) or with any other mode bit: EOPNOTSUPP.
 */
static long ls_gmem_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct ls_gmem *gmem = file->private_data;

	if (!(mode & FALLOC_FL_KEEP_SIZE) || (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
		return -EOPNOTSUPP;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return ls_gmem_punch(gmem, offset, len);
	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len) ||
	    offset + len > ((loff_t)gmem->npages << PAGE_SHIFT))
		return -EINVAL;
	return 0;
}

static const struct file_operations ls_gmem_fops = {
	.fallocate = ls_gmem_fallocate,
	.owner = THIS_MODULE,
	.unlocked_ioctl = ls_gmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ls_gmem_mmap,
	.release = ls_gmem_release,
	.llseek = noop_llseek,
};

struct ls_gmem *ls_gmem_get_file(struct file *file)
{
	return file->f_op == &ls_gmem_fops ? file->private_data : NULL;
}

#define LS_GMEM_1G_PAGES (LOCKSTEP_GMEM_HUGE_SIZE >> PAGE_SHIFT)

/*
 * Could [pfn, pfn + 1 GiB) be taken whole? Every page online, in one zone (alloc_contig_range
 * works within a zone) and none reserved (the kernel image, firmware, the hypervisor's memory:
 * never movable). alloc_contig_range() itself refuses what it cannot migrate.
 */
static bool ls_gmem_1g_candidate(unsigned long pfn)
{
	struct page *first = pfn_to_online_page(pfn);
	unsigned long i;

	if (!first)
		return false;
	for (i = 0; i < LS_GMEM_1G_PAGES; i++) {
		struct page *page = pfn_to_online_page(pfn + i);

		if (!page || page_zone(page) != page_zone(first) || PageReserved(page))
			return false;
		if (!(i & 0xffff))
			cond_resched();
	}
	return true;
}

#define LS_GMEM_1G_STEP (SZ_128M >> PAGE_SHIFT)

/*
 * Take [pfn, pfn + 1 GiB) out of the buddy allocator, 128 MiB at a time: alloc_contig_range()
 * migrates what is in use there (movable pages only) and hands back order-0 pages with a count
 * of 1 each (free_contig_range() frees them one by one, as ls_gmem_free() does). One call for
 * the whole GiB isolates, migrates and (init_on_alloc) clears a GiB without rescheduling: tens
 * of seconds under a loaded emulator, an RCU stall. On a failure the steps taken go back.
 */
static bool ls_gmem_1g_take(unsigned long pfn)
{
	unsigned long i;
	int ret;

	for (i = 0; i < LS_GMEM_1G_PAGES; i += LS_GMEM_1G_STEP) {
		cond_resched();
		ret = alloc_contig_range(pfn + i, pfn + i + LS_GMEM_1G_STEP, MIGRATE_MOVABLE,
					 GFP_KERNEL | __GFP_NOWARN);
		if (ret) {
			pr_info("guest_memfd: 1 GiB at PA %#llx: %d at +%lu MiB\n",
				(u64)PFN_PHYS(pfn), ret, i >> (20 - PAGE_SHIFT));
			if (i)
				free_contig_range(pfn, i);
			return false;
		}
	}
	return true;
}

/* walk_iomem_res_desc() callback: take the first free 1 GiB-aligned GiB of this RAM range. */
static int ls_gmem_1g_try(struct resource *res, void *arg)
{
	unsigned long pfn = ALIGN(PHYS_PFN(res->start), LS_GMEM_1G_PAGES);
	unsigned long end = PHYS_PFN(res->end + 1);
	unsigned long *found = arg;

	for (; pfn + LS_GMEM_1G_PAGES <= end; pfn += LS_GMEM_1G_PAGES) {
		if (ls_gmem_1g_candidate(pfn) && ls_gmem_1g_take(pfn)) {
			*found = pfn;
			return 1;
		}
	}
	return 0;
}

/*
 * One physically contiguous, 1 GiB-aligned GiB of host RAM; NULL if none is free. Not cleared
 * here (a GiB is seconds of memset under emulation, and POPULATE writes every page anyway):
 * a page of the host's state is never mapped to user space nor given to a guest before
 * POPULATE copies the image into it or zeroes it, and a punch zeroes it.
 */
static struct page *ls_gmem_alloc_1g(void)
{
	unsigned long pfn = 0;

	if (walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0,
				U64_MAX, &pfn, ls_gmem_1g_try) != 1)
		return NULL;
	pr_info("guest_memfd: 1 GiB chunk at PA %#llx\n", (u64)PFN_PHYS(pfn));
	return pfn_to_page(pfn);
}

/*
 * Allocate every page, largest chunks first: 1 GiB chunks for the whole GiBs of the fd (only
 * those with LOCKSTEP_GMEM_FLAG_HUGE_1G: -ENOMEM without one), then the buddy allocator's.
 */
static int ls_gmem_alloc(struct ls_gmem *gmem, bool huge_only)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN;
	unsigned long done = 0, j;
	unsigned int order;

	while (gmem->npages - done >= LS_GMEM_1G_PAGES) {
		struct page *page = ls_gmem_alloc_1g();

		if (!page)
			break;
		for (j = 0; j < LS_GMEM_1G_PAGES; j++)
			gmem->pages[done + j] = page + j;
		done += LS_GMEM_1G_PAGES;
		gmem->chunks++;
		gmem->chunks_1g++;
		gmem->max_order = max_t(unsigned int, gmem->max_order, ilog2(LS_GMEM_1G_PAGES));
	}
	if (huge_only && done < gmem->npages)
		return -ENOMEM; /* no free 1 GiB range left: no fallback asked for */
	while (done < gmem->npages) {
		struct page *page = NULL;

		order = min_t(unsigned int, MAX_PAGE_ORDER, ilog2(gmem->npages - done));
		for (;; order--) {
			page = alloc_pages(order ? gfp | __GFP_NORETRY : gfp, order);
			if (page || !order)
				break;
		}
		if (!page)
			return -ENOMEM;
		if (order)
			split_page(page, order);
		for (j = 0; j < (1UL << order); j++)
			gmem->pages[done + j] = page + j;
		done += 1UL << order;
		gmem->chunks++;
		gmem->max_order = max(gmem->max_order, order);
		cond_resched();
	}
	return 0;
}

int ls_gmem_create(struct ls_vm *vm, struct lockstep_create_guest_memfd *args)
{
	struct ls_gmem *gmem;
	struct file *file;
	unsigned long i;
	int fd, ret;

	if ((args->flags & ~(LOCKSTEP_GMEM_FLAG_VMM_CONVERTS | LOCKSTEP_GMEM_FLAG_HUGE_1G)) ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->size) || args->size > LOCKSTEP_GMEM_MAX_SIZE)
		return -EINVAL;
	if ((args->flags & LOCKSTEP_GMEM_FLAG_HUGE_1G) &&
	    !IS_ALIGNED(args->size, LOCKSTEP_GMEM_HUGE_SIZE))
		return -EINVAL;

	gmem = kzalloc(sizeof(*gmem), GFP_KERNEL);
	if (!gmem)
		return -ENOMEM;
	kref_init(&gmem->ref);
	mutex_init(&gmem->lock);
	gmem->vm_serial = vm->serial;
	gmem->vmm_converts = args->flags & LOCKSTEP_GMEM_FLAG_VMM_CONVERTS;
	gmem->npages = args->size >> PAGE_SHIFT;
	gmem->pages = kvcalloc(gmem->npages, sizeof(*gmem->pages), GFP_KERNEL);
	gmem->state = kvcalloc(gmem->npages, 1, GFP_KERNEL);
	ret = -ENOMEM;
	if (!gmem->pages || !gmem->state)
		goto err_arrays;
	ret = ls_gmem_alloc(gmem, args->flags & LOCKSTEP_GMEM_FLAG_HUGE_1G);
	if (ret)
		goto err_pages;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_pages;
	}
	/* Its own inode, so that unmap_mapping_range() reaches this fd's mappings only. */
	file = anon_inode_create_getfile("[lockstep-gmem]", &ls_gmem_fops, gmem, O_RDWR, NULL);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto err_pages;
	}
	file->f_flags |= O_LARGEFILE;
	/* A regular file of its size (fallocate needs S_IFREG; fstat shows the size), as
	 * upstream's guest_memfd inode; read() and write() stay refused (no such operations:
	 * EINVAL from the VFS). */
	file_inode(file)->i_mode |= S_IFREG;
	i_size_write(file_inode(file), args->size);
	gmem->file = file;
	atomic64_add(gmem->npages, &ls_stat_gmem_pages);
	pr_debug("guest_memfd: %lu pages in %lu chunks (%lu of 1 GiB, largest order %u)\n",
		 gmem->npages, gmem->chunks, gmem->chunks_1g, gmem->max_order);
	fd_install(fd, file);
	return fd;

err_pages:
	for (i = 0; i < gmem->npages; i++)
		if (gmem->pages[i])
			__free_page(gmem->pages[i]);
err_arrays:
	kvfree(gmem->pages);
	kvfree(gmem->state);
	kfree(gmem);
	return ret;
}
