// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devices of protected VMs (docs/ownership.md "Devices of VMs", docs/hypercalls.md
 * "LS_HVC_VM_ASSIGN_STREAM"): a host DMA stream moves into a VM's view and then
 * translates through the VM's own stage 2, the table its vCPUs use: every page
 * the VM owns or shares, nothing else. The VM's view gets one IOMMU domain that
 * shares its CPU table, so every transition of the VM (donate, reclaim, share,
 * unshare) invalidates the IOMMU's TLB for the VM in the same transaction as the
 * CPU's. Mirroring a VM's table for an IOMMU of another format is not done yet
 * (-EOPNOTSUPP).
 *
 * Host lock: the stream table (own.vm_sid*); host + VM locks: the VM's domain.
 */
#include <errno.h>

#include "own_internal.h"

/* The IOMMU's TLB for VM @who: VMID who + 1, as the CPU's (hyp/arch/arm64/plat.c). */
static void vmdev_invalidate(void *priv, u32 who, const struct pt_gather *g)
{
	(void)priv;
	own.iommu->invalidate(own.iommu_drv, (u16)(who + 1), g);
}

static void vmdev_sync(void *priv, u32 who)
{
	(void)priv;
	(void)who;
	own.iommu->sync(own.iommu_drv);
}

static const struct own_inval_ops vmdev_inval_ops = {
	.invalidate = vmdev_invalidate,
	.sync = vmdev_sync,
};

static int vmdev_slot(u32 sid)
{
	unsigned int i;

	for (i = 0; i < own.nr_vm_sids; i++)
		if (own.vm_sid[i] == sid)
			return (int)i;
	return -1;
}

bool own_sid_in_vm(u32 sid)
{
	return vmdev_slot(sid) >= 0;
}

static unsigned int vmdev_count(u32 vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < own.nr_vm_sids; i++)
		n += own.vm_sid_vm[i] == vm;
	return n;
}

int own_vm_assign_stream(u32 vm, u32 sid)
{
	struct own_principal *p;
	struct own_dom *d = NULL;
	u32 hdom;
	unsigned int i;
	bool fresh = false;
	int ret;

	ret = own_lock_host_vm(vm, &p);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (!own.iommu || sid >= own.iommu_sids)
		goto out;
	/* The stream walks the VM's CPU table: same format, coherent walks. */
	ret = -EOPNOTSUPP;
	if (own.iommu_fmt != p->view.cpu.fmt || !own.iommu_coherent || !p->view.cpu.coherent)
		goto out;
	ret = vmdev_slot(sid) >= 0 ? (own.vm_sid_vm[vmdev_slot(sid)] == vm ? -EEXIST : -EBUSY) : 0;
	if (ret)
		goto out;
	ret = -EBUSY; /* in a host DMA domain: the host detaches it first */
	if (!own_hdom_of_sid(sid, &hdom))
		goto out;
	ret = -EPERM;
	if (p->vm_run.dying || p->vm_run.shutdown)
		goto out;
	ret = -ENOSPC;
	if (own.nr_vm_sids >= OWN_VM_MAX_SIDS)
		goto out;
	if (p->vm_iommu_dom < 0) {
		for (i = 0; i < OWN_MAX_DOMS && !d; i++)
			if (!p->view.dom[i].used)
				d = &p->view.dom[i];
		if (!d)
			goto out;
		/*
		 * Domain first: from here on every transition of the VM invalidates the
		 * IOMMU too (harmless while no stream uses the table yet).
		 */
		d->mirrored = false;
		d->ops = &vmdev_inval_ops;
		d->priv = NULL;
		d->who = p->id;
		d->used = true;
		p->vm_iommu_dom = (int)(d - p->view.dom);
		fresh = true;
	}
	ret = own.iommu->attach(own.iommu_drv, sid, &p->view.cpu, (u16)(vm + 1));
	if (ret) {
		if (fresh) {
			p->view.dom[p->vm_iommu_dom].used = false;
			p->vm_iommu_dom = -1;
		}
		goto out;
	}
	own.vm_sid[own.nr_vm_sids] = sid;
	own.vm_sid_vm[own.nr_vm_sids] = vm;
	own.nr_vm_sids++;
	plat_log("own: stream 0x%x assigned to vm%u (its stage 2, VMID %u)", sid, vm, vm + 1);
out:
	own_unlock_host_vm(p);
	return ret;
}

int own_vm_release_stream(u32 sid)
{
	struct own_principal *p;
	struct pt_gather g;
	int slot, ret;
	u32 vm;

	hyp_spin_lock(&own.host.lock);
	slot = vmdev_slot(sid);
	if (slot < 0) {
		hyp_spin_unlock(&own.host.lock);
		return -ENOENT;
	}
	vm = own.vm_sid_vm[slot];
	p = own_vm_get(vm);
	hyp_spin_lock(&p->lock);
	/* Back to the host identity view: STE written and synced before it returns. */
	ret = own.iommu->detach(own.iommu_drv, sid);
	if (ret)
		goto out;
	own.nr_vm_sids--;
	own.vm_sid[slot] = own.vm_sid[own.nr_vm_sids];
	own.vm_sid_vm[slot] = own.vm_sid_vm[own.nr_vm_sids];
	if (!vmdev_count(vm)) {
		/* The last stream: no IOMMU TLB entry of the VM may outlive its domain. */
		pt_gather_init(&g);
		g.all = true;
		own.iommu->invalidate(own.iommu_drv, (u16)(vm + 1), &g);
		own.iommu->sync(own.iommu_drv);
		p->view.dom[p->vm_iommu_dom].used = false;
		p->vm_iommu_dom = -1;
	}
	plat_log("own: stream 0x%x released by vm%u (host identity view)", sid, vm);
out:
	hyp_spin_unlock(&p->lock);
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_vm_stream_of(u32 sid, u32 *vm)
{
	int slot;

	hyp_spin_lock(&own.host.lock);
	slot = vmdev_slot(sid);
	if (slot >= 0)
		*vm = own.vm_sid_vm[slot];
	hyp_spin_unlock(&own.host.lock);
	return slot >= 0 ? 0 : -ENOENT;
}
