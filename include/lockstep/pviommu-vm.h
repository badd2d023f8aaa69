/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device assignment between the two host modules (docs/iommu.md "Devices of protected VMs"):
 * lockstep-iommu.ko (host-driver/pviommu) exports these, lockstep.ko (host-driver/vmdev.c)
 * takes them with symbol_get() so that it loads without the PV IOMMU. Kernel-internal, not an
 * ABI: plain C types and forward declarations, so the header stands alone.
 *
 * lockstep_iommu_vm_assign  every stream of @group leaves its DMA domain and is assigned to
 *                           Lockstep VM @vm (LS_HVC_IOMMU_DETACH then LS_HVC_VM_ASSIGN_STREAM,
 *                           the device's PCI bus mastering off in between); the domain it left
 *                           refuses maps (-EBUSY) while it is away. All or nothing. Returns the
 *                           number of streams, or -ENODEV (a device not behind lockstep-iommu),
 *                           -EINVAL (the group is not owned by a user-space driver, or empty),
 *                           -EBUSY (a stream already assigned), or Lockstep's refusal as errno.
 * lockstep_iommu_vm_release the streams of @group go back to the domain the IOMMU core last
 *                           attached (LS_HVC_VM_RELEASE_STREAM then LS_HVC_IOMMU_ATTACH).
 *                           -ENOENT if none of them was assigned.
 */
#ifndef LOCKSTEP_PVIOMMU_VM_H
#define LOCKSTEP_PVIOMMU_VM_H

struct iommu_group;

int lockstep_iommu_vm_assign(struct iommu_group *group, unsigned long long vm);
int lockstep_iommu_vm_release(struct iommu_group *group);

#endif /* LOCKSTEP_PVIOMMU_VM_H */
