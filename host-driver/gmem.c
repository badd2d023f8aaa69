// SPDX-License-Identifier: GPL-2.0-only
/*
 * guest_memfd for Lockstep VMs (docs/uapi.md "LOCKSTEP_CREATE_GUEST_MEMFD"; the model is
 * Linux Documentation/virt/kvm/api.rst 4.141 KVM_CREATE_GUEST_MEMFD).
 *
 * Every page is allocated when the fd is created, in the largest physically contiguous chunks
 * the buddy allocator has: from the order that covers what is left (at most MAX_PAGE_ORDER)
 * down to order 0, each chunk split into order-0 pages (split_page) so that each page can later
 * be freed on its own. Large chunks let the hypervisor map the guest with 2 MiB blocks (a
 * donation of an IPA range backed by one 2 MiB-aligned physical block) and keep the host's own
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
#include <linux/mm.h>
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

/* Allocate every page, largest chunks first. */
static int ls_gmem_alloc(struct ls_gmem *gmem)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN;
	unsigned long done = 0, j;
	unsigned int order;

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
	}
	return 0;
}

int ls_gmem_create(struct ls_vm *vm, struct lockstep_create_guest_memfd *args)
{
	struct ls_gmem *gmem;
	struct file *file;
	unsigned long i;
	int fd, ret;

	if ((args->flags & ~LOCKSTEP_GMEM_FLAG_VMM_CONVERTS) ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (!args->size || !PAGE_ALIGNED(args->size) || args->size > LOCKSTEP_GMEM_MAX_SIZE)
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
	ret = ls_gmem_alloc(gmem);
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
	pr_debug("guest_memfd: %lu pages in %lu chunks (largest order %u)\n", gmem->npages,
		 gmem->chunks, gmem->max_order);
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
