// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices of protected VMs: LOCKSTEP_VM_ASSIGN_DEVICE / LOCKSTEP_VM_RELEASE_DEVICE (docs/uapi.md,
 * docs/iommu.md "Devices of protected VMs").
 *
 * The VMM opens the device the standard way (VFIO group, container, type1) and hands the group fd
 * to the VM, as it would hand it to KVM's VFIO device. Linux 6.12's VFIO exports no way from a
 * group file to its devices (vfio_file_iommu_group() answers only on SPAPR), so the driver looks
 * for the PCI function that is bound to a vfio-pci-core driver (its error handlers are
 * vfio_pci_core_err_handlers, its driver data the struct vfio_pci_core_device) and that
 * vfio_file_has_dev() says is in the group. lockstep-iommu.ko then moves the group's streams into
 * the VM (lockstep_iommu_vm_assign). Both modules are reached with symbol_get(): lockstep.ko loads
 * without VFIO and without the PV IOMMU; the PV IOMMU's reference is kept while the VM has the
 * device, and the VM keeps a reference on the group file (VFIO cannot let the group go).
 *
 * BARs (LOCKSTEP_VM_MAP_DEVICE_BAR): a memory BAR of the function found above moves from the
 * host's stage 2 into the VM's with LS_HVC_VM_MAP_MMIO (docs/hypercalls.md); RELEASE and
 * teardown give every BAR back (LS_HVC_VM_UNMAP_MMIO) before the streams: the guest loses the
 * registers first, then the device's DMA goes back to the host.
 *
 * Locks: vm->lock (the VM's device list) before the IOMMU group's mutex (taken by the PV IOMMU).
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include <lockstep/pviommu-vm.h>

#include "vm.h"

struct ls_vmdev {
	struct list_head node;
	struct file *file;	   /* the VFIO group file: one reference */
	struct iommu_group *group; /* one reference */
	int streams;
	/* lockstep_iommu_vm_release: a reference on lockstep-iommu.ko until the release */
	int (*release)(struct iommu_group *group);
	struct pci_dev *pdev; /* the vfio-pci function found in the group: one reference */
	u64 bar_gpa[PCI_STD_NUM_BARS];
	u64 bar_pages[PCI_STD_NUM_BARS]; /* 0: the BAR is the host's */
};

struct ls_vmdev_find {
	struct file *file;
	bool (*has_dev)(struct file *file, struct vfio_device *device);
	const struct pci_error_handlers *vfio_eh;
	struct iommu_group *group;
	struct device *dev;
};

static int ls_vmdev_match(struct device *dev, void *data)
{
	struct ls_vmdev_find *f = data;
	struct pci_dev *pdev = to_pci_dev(dev);
	struct vfio_pci_core_device *vdev;
	int found = 0;

	device_lock(dev);
	if (dev->driver && pdev->driver && pdev->driver->err_handler == f->vfio_eh) {
		vdev = dev_get_drvdata(dev);
		if (vdev && f->has_dev(f->file, &vdev->vdev)) {
			f->group = iommu_group_get(dev);
			f->dev = dev;
			found = 1;
		}
	}
	device_unlock(dev);
	return found;
}

/*
 * The IOMMU group of the VFIO group file @file (one reference), or an errno: -EINVAL not a VFIO
 * file, -EOPNOTSUPP a VFIO device file (not a group), -ENODEV no vfio-pci function in the group.
 */
static struct iommu_group *ls_vmdev_group(struct file *file, struct device **dev)
{
	struct ls_vmdev_find f = { .file = file };
	bool (*is_valid)(struct file * file) = symbol_get(vfio_file_is_valid);
	bool (*is_group)(struct file * file) = symbol_get(vfio_file_is_group);
	int ret = -EINVAL;

	f.has_dev = symbol_get(vfio_file_has_dev);
	f.vfio_eh = symbol_get(vfio_pci_core_err_handlers);
	if (!is_valid || !is_group || !f.has_dev || !is_valid(file))
		goto out;
	ret = -EOPNOTSUPP;
	if (!is_group(file))
		goto out;
	ret = -ENODEV;
	if (!f.vfio_eh)
		goto out;
	bus_for_each_dev(&pci_bus_type, NULL, &f, ls_vmdev_match);
	if (f.group) {
		*dev = f.dev;
		ret = 0;
	}
out:
	if (is_valid)
		symbol_put(vfio_file_is_valid);
	if (is_group)
		symbol_put(vfio_file_is_group);
	if (f.has_dev)
		symbol_put(vfio_file_has_dev);
	if (f.vfio_eh)
		symbol_put(vfio_pci_core_err_handlers);
	return ret ? ERR_PTR(ret) : f.group;
}

static int ls_vmdev_args(void __user *uarg, struct lockstep_assign_device *a)
{
	if (copy_from_user(a, uarg, sizeof(*a)))
		return -EFAULT;
	if (a->flags || a->reserved[0] || a->reserved[1])
		return -EINVAL;
	return 0;
}

int ls_vmdev_assign(struct ls_vm *vm, void __user *uarg)
{
	int (*assign)(struct iommu_group * group, unsigned long long vm);
	struct lockstep_assign_device a;
	struct ls_vmdev *d, *x;
	struct iommu_group *group;
	struct device *dev = NULL;
	struct file *file;
	unsigned int n = 0;
	int ret;

	ret = ls_vmdev_args(uarg, &a);
	if (ret)
		return ret;
	file = fget(a.fd);
	if (!file)
		return -EBADF;
	group = ls_vmdev_group(file, &dev);
	if (IS_ERR(group)) {
		fput(file);
		return PTR_ERR(group);
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = -ENOMEM;
		goto err;
	}
	mutex_lock(&vm->lock);
	ret = -EPERM;
	if (vm->shutdown)
		goto unlock;
	list_for_each_entry(x, &vm->devices, node)
	{
		n++;
		if (x->group == group) {
			ret = -EBUSY;
			goto unlock;
		}
	}
	ret = -ENOSPC;
	if (n >= LOCKSTEP_VM_MAX_DEVICES)
		goto unlock;
	ret = -ENODEV;
	assign = symbol_get(lockstep_iommu_vm_assign);
	if (!assign)
		goto unlock;
	ret = assign(group, vm->id);
	symbol_put(lockstep_iommu_vm_assign);
	if (ret < 0)
		goto unlock;
	/* Held until release: lockstep-iommu.ko cannot go while the VM has its streams. */
	d->release = symbol_get(lockstep_iommu_vm_release);
	if (WARN_ON(!d->release)) { /* cannot happen: the module answered just now */
		ret = -ENODEV;
		goto unlock;
	}
	d->file = file;
	d->group = group;
	d->streams = ret;
	d->pdev = pci_dev_get(to_pci_dev(dev));
	list_add_tail(&d->node, &vm->devices);
	mutex_unlock(&vm->lock);
	dev_info(dev, "assigned to vm %llu (%d stream%s)\n", vm->id, ret, ret == 1 ? "" : "s");
	return ret;
unlock:
	mutex_unlock(&vm->lock);
	kfree(d);
err:
	iommu_group_put(group);
	fput(file);
	return ret;
}

/* BAR @bar of @d back to the host (vm->lock held, or teardown). */
static int ls_vmdev_unmap_bar(struct ls_vm *vm, struct ls_vmdev *d, unsigned int bar)
{
	struct arm_smccc_1_2_regs res;
	int ret;

	ret = ls_vm_call(vm, LS_HVC_VM_UNMAP_MMIO, vm->id, d->bar_gpa[bar], d->bar_pages[bar], 0,
			 &res);
	if (ret) {
		/* The BAR stays the VM's: VM_DESTROY gives it back. */
		pci_err(d->pdev, "vm %llu: BAR %u back to the host: %d\n", vm->id, bar, ret);
		return ret;
	}
	pci_info(d->pdev, "vm %llu: BAR %u (%llu pages) back to the host\n", vm->id, bar,
		 d->bar_pages[bar]);
	d->bar_pages[bar] = 0;
	d->bar_gpa[bar] = 0;
	return 0;
}

/* vm->lock held (or teardown). BARs first: the guest loses the registers, then the DMA. */
static int ls_vmdev_release_one(struct ls_vm *vm, struct ls_vmdev *d)
{
	unsigned int bar;
	int ret;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		if (d->bar_pages[bar])
			ls_vmdev_unmap_bar(vm, d, bar);
	ret = d->release(d->group);

	/* No stream of the group is assigned any more: its devices were removed meanwhile. */
	if (ret == -ENOENT) {
		pr_warn("vm %llu: IOMMU group %d has no device assigned any more (removed)\n",
			vm->id, iommu_group_id(d->group));
		ret = 0;
	}
	if (ret) {
		/* The streams stay the VM's: VM_DESTROY will refuse and the VM is leaked, loudly. */
		pr_err("vm %llu: releasing IOMMU group %d: %d\n", vm->id, iommu_group_id(d->group),
		       ret);
		return ret;
	}
	pr_info("vm %llu: IOMMU group %d released (%d stream%s)\n", vm->id,
		iommu_group_id(d->group), d->streams, d->streams == 1 ? "" : "s");
	symbol_put(lockstep_iommu_vm_release);
	list_del(&d->node);
	pci_dev_put(d->pdev);
	iommu_group_put(d->group);
	fput(d->file);
	kfree(d);
	return 0;
}

int ls_vmdev_release(struct ls_vm *vm, void __user *uarg)
{
	struct lockstep_assign_device a;
	struct ls_vmdev *d;
	struct file *file;
	int ret;

	ret = ls_vmdev_args(uarg, &a);
	if (ret)
		return ret;
	file = fget(a.fd);
	if (!file)
		return -EBADF;
	ret = -ENOENT;
	mutex_lock(&vm->lock);
	list_for_each_entry(d, &vm->devices, node)
	{
		if (d->file == file) {
			ret = ls_vmdev_release_one(vm, d);
			break;
		}
	}
	mutex_unlock(&vm->lock);
	fput(file);
	return ret;
}

/* Teardown: every device back to its VFIO domain before LS_HVC_VM_DESTROY. */
void ls_vmdev_release_all(struct ls_vm *vm)
{
	struct ls_vmdev *d, *t;

	list_for_each_entry_safe(d, t, &vm->devices, node) ls_vmdev_release_one(vm, d);
}

/*
 * LOCKSTEP_VM_MAP_DEVICE_BAR / LOCKSTEP_VM_UNMAP_DEVICE_BAR: memory BAR a.bar of the group's
 * function into the VM at a.gpa, or back. The host's own users of the BAR are not tracked: the
 * VMM unmaps its VFIO mmap of the BAR first and uses neither it nor the device fd's region
 * read/write while the VM has it; a host access is a stage-2 fault Lockstep logs and answers
 * with an external abort (SIGBUS in a process).
 */
int ls_vmdev_map_bar(struct ls_vm *vm, void __user *uarg, bool map)
{
	struct lockstep_device_bar a;
	struct arm_smccc_1_2_regs res;
	struct ls_vmdev *d, *found = NULL;
	resource_size_t start, len;
	struct file *file;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || a.reserved32 || a.reserved[0] || a.reserved[1] ||
	    a.bar >= PCI_STD_NUM_BARS || (!map && a.gpa) || !PAGE_ALIGNED(a.gpa))
		return -EINVAL;
	file = fget(a.fd);
	if (!file)
		return -EBADF;
	mutex_lock(&vm->lock);
	list_for_each_entry(d, &vm->devices, node)
	{
		if (d->file == file)
			found = d;
	}
	ret = -ENOENT; /* not a group this VM has */
	if (!found)
		goto out;
	d = found;
	if (!map) {
		ret = d->bar_pages[a.bar] ? ls_vmdev_unmap_bar(vm, d, a.bar) : -ENOENT;
		goto out;
	}
	ret = -EEXIST;
	if (d->bar_pages[a.bar])
		goto out;
	start = pci_resource_start(d->pdev, a.bar);
	len = pci_resource_len(d->pdev, a.bar);
	ret = -EINVAL; /* an I/O BAR, an empty one, or not whole pages */
	if (!(pci_resource_flags(d->pdev, a.bar) & IORESOURCE_MEM) || !len ||
	    !PAGE_ALIGNED(start) || !PAGE_ALIGNED(len))
		goto out;
	ret = ls_vm_call(vm, LS_HVC_VM_MAP_MMIO, vm->id, a.gpa, start, len >> PAGE_SHIFT, &res);
	if (ret)
		goto out;
	d->bar_gpa[a.bar] = a.gpa;
	d->bar_pages[a.bar] = len >> PAGE_SHIFT;
	pci_info(d->pdev, "vm %llu: BAR %u (%pa, %llu pages) at GPA %#llx\n", vm->id, a.bar, &start,
		 (u64)(len >> PAGE_SHIFT), a.gpa);
out:
	mutex_unlock(&vm->lock);
	fput(file);
	return ret;
}
