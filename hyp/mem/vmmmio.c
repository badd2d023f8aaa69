// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO of devices assigned to VMs (docs/ownership.md "MMIO of VMs", docs/hypercalls.md
 * "LS_HVC_VM_MAP_MMIO"): a device's register window (a PCI memory BAR) leaves the host's
 * stage 2, and every host IOMMU view that follows it, and appears in the VM's stage 2 (and
 * the IOMMU domain its assigned streams share) as device memory, read/write, never
 * executable; the guest then drives the device with no MMIO exit. Give-back is the exact
 * range: the VM loses it, the host gets it back with the attributes it had. Each direction is
 * one own_tx: the loser's tables change and are invalidated (TLB and IOTLB) and synced before
 * the gainer's change.
 *
 * MMIO is outside the ownership database (no DB entry): what a VM holds is its table of
 * taken ranges (struct own_mmio, at most OWN_VM_MAX_MMIO). The invariant walk (check.c) holds
 * every VM device leaf to that table and every host device leaf to no table.
 *
 * Locks: host then VM (own_lock_host_vm); the VM's run lock inside, for its holes and its
 * run state. Every VM's table is written with the host lock held, so the host lock alone
 * gives a stable view of all of them (the overlap checks).
 */
#include <errno.h>

#include "own_internal.h"

/* [pa, pa + n pages) meets a range some live VM took: true and *vm its id. */
bool own_mmio_taken(u64 pa, u64 n, u32 *vm)
{
	u64 last = pa + (n << PAGE_SHIFT) - 1;
	unsigned int i, j;

	for (i = 0; i < OWN_MAX_VMS; i++) {
		const struct own_principal *p = &own.vm[i];

		for (j = 0; p->live && j < p->nr_mmio; j++) {
			const struct own_mmio *m = &p->mmio[j];

			if (pa <= m->pa + (m->n << PAGE_SHIFT) - 1 && m->pa <= last) {
				*vm = i;
				return true;
			}
		}
	}
	return false;
}

/* Host stage-2 leaves of the range: device memory with R/W, one attribute set (kept). */
struct vmmmio_host {
	bool seen;
	pt_attr_t attr;
};

static int vmmmio_host_fn(const struct pt_leaf *l, void *arg)
{
	struct vmmmio_host *h = arg;

	if (!l->valid || !(l->attr & PT_DEVICE) || (l->attr & PT_RW) != PT_RW)
		return -EPERM;
	if (h->seen && l->attr != h->attr)
		return -EINVAL; /* give-back restores one attribute set */
	h->seen = true;
	h->attr = l->attr;
	return 0;
}

/* A host DMA domain leaf that reaches MMIO of the range (peer-to-peer DMA): -EBUSY. */
static int vmmmio_dma_fn(const struct pt_leaf *l, void *arg)
{
	const struct own_range *r = arg;

	if (!l->valid || !(l->attr & PT_DEVICE))
		return 0;
	return l->pa <= r->base + r->size - 1 && r->base <= l->pa + l->size - 1 ? -EBUSY : 0;
}

static int vmmmio_check_dma(u64 pa, u64 n)
{
	struct own_range r = { pa, n << PAGE_SHIFT };
	unsigned int i;
	int ret;

	for (i = 0; i < OWN_MAX_HDOMS; i++) {
		const struct own_hdom *d = own_hdom_of(i);

		if (!d)
			continue;
		ret = pt_walk(&d->pt, 0, (u64)1 << d->pt.ia_bits, vmmmio_dma_fn, &r);
		if (ret)
			return ret;
	}
	return 0;
}

/* Everything the host side of a take needs (host lock held); *attr = its leaves' attributes. */
static int vmmmio_check_host(u64 pa, u64 n, pt_attr_t *attr)
{
	const struct pt *cpu = &own.host.view.cpu;
	struct vmmmio_host h = { false, 0 };
	u32 vm;
	int ret;

	if (own_ram_overlaps(pa, n))
		return -EINVAL; /* RAM, the hypervisor's memory included: never MMIO of a VM */
	if (own_mmio_taken(pa, n, &vm))
		return -EBUSY;
	if (pa + (n << PAGE_SHIFT) - 1 >= ((u64)1 << cpu->ia_bits))
		return -EPERM;
	/* Not mapped (a frame the hypervisor keeps, e.g. the SMMU's or the GIC's), or read-only. */
	ret = pt_walk(cpu, pa, n << PAGE_SHIFT, vmmmio_host_fn, &h);
	if (ret)
		return ret;
	ret = vmmmio_check_dma(pa, n);
	if (ret)
		return ret;
	*attr = h.attr;
	return 0;
}

/* The VM side of a take (host and VM locks held): its IPA range free, the VM able to run. */
static int vmmmio_check_vm(struct own_principal *v, u64 ipa, u64 n)
{
	struct own_vm_run *r = &v->vm_run;
	int ret;

	ret = own_check_ipa(v, ipa, n);
	if (ret)
		return ret;
	ret = pt_walk(&v->view.cpu, ipa, n << PAGE_SHIFT, own_unmapped_fn, NULL);
	if (ret)
		return ret; /* -EEXIST: its memory, or another taken range */
	hyp_spin_lock(&r->lock);
	if (r->dying || r->shutdown)
		ret = -EPERM;
	else if (vcpu_hole_overlaps(r, ipa, n << PAGE_SHIFT))
		ret = -EINVAL; /* the guest's memory, taken back for now: never MMIO */
	hyp_spin_unlock(&r->lock);
	if (ret)
		return ret;
	return v->nr_mmio < OWN_VM_MAX_MMIO ? 0 : -ENOSPC;
}

/* host: MMIO mapped -> unmapped; VM: unmapped -> MMIO mapped (device, RW, never X). */
int own_vm_map_mmio(u32 vm, u64 ipa, u64 pa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_tx tx;
	pt_attr_t attr;
	int ret;

	res->done = 0;
	ret = own_check_args(pa, n);
	if (!ret)
		ret = own_check_args(ipa, n);
	if (!ret && n > OWN_VM_MMIO_MAX_PAGES)
		ret = -EINVAL;
	if (ret)
		return ret;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	ret = vmmmio_check_vm(v, ipa, n);
	if (!ret)
		ret = vmmmio_check_host(pa, n, &attr);
	if (ret)
		goto out;

	own_tx_init(&tx);
	tx.lose.p = &own.host;
	tx.lose.op = own_op_host(OWN_OP_UNMAP, pa, n, 0);
	tx.gain.p = v;
	tx.gain.op = (struct own_op){ OWN_OP_MAP, ipa, n << PAGE_SHIFT, pa, OWN_ATTR_MMIO };
	ret = own_tx_prepare(&tx, res);
	if (ret)
		goto out;
	/* Host tables (CPU, IOMMU) first, invalidated and synced; then the VM's (CPU, IOMMU). */
	own_tx_commit(&tx);
	v->mmio[v->nr_mmio] = (struct own_mmio){ ipa, pa, n, attr };
	v->nr_mmio++;
	res->done = n;
	plat_log("own: vm%u takes MMIO %#llx-%#llx at IPA %#llx", vm, (unsigned long long)pa,
		 (unsigned long long)(pa + (n << PAGE_SHIFT) - 1), (unsigned long long)ipa);
out:
	own_unlock_host_vm(v);
	return ret;
}

/* The host's op that gives taken range @m back. */
static struct own_op vmmmio_host_op(const struct own_mmio *m)
{
	return own_op_host(OWN_OP_MAP, m->pa, m->n, m->host_attr);
}

static void vmmmio_drop(struct own_principal *v, unsigned int i)
{
	v->nr_mmio--;
	v->mmio[i] = v->mmio[v->nr_mmio];
	v->mmio[v->nr_mmio] = (struct own_mmio){ 0 };
}

/* VM: MMIO mapped -> unmapped; host: unmapped -> MMIO mapped as before the take. */
int own_vm_unmap_mmio(u32 vm, u64 ipa, u64 n, struct own_res *res)
{
	struct own_principal *v;
	struct own_tx tx;
	unsigned int i;
	int ret;

	res->done = 0;
	ret = own_check_args(ipa, n);
	if (ret)
		return ret;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	for (i = 0; i < v->nr_mmio; i++)
		if (v->mmio[i].ipa == ipa && v->mmio[i].n == n)
			break;
	ret = -ENOENT; /* not a range this VM took, exactly */
	if (i == v->nr_mmio)
		goto out;
	own_tx_init(&tx);
	tx.lose.p = v;
	tx.lose.op = (struct own_op){ OWN_OP_UNMAP, ipa, n << PAGE_SHIFT, 0, 0 };
	tx.gain.p = &own.host;
	tx.gain.op = vmmmio_host_op(&v->mmio[i]);
	ret = own_tx_prepare(&tx, res);
	if (ret)
		goto out;
	/* The VM's tables first (its vCPUs' TLBs and its devices' IOTLB), then the host's. */
	own_tx_commit(&tx);
	plat_log("own: vm%u gives MMIO %#llx-%#llx back to the host", vm,
		 (unsigned long long)v->mmio[i].pa,
		 (unsigned long long)(v->mmio[i].pa + (n << PAGE_SHIFT) - 1));
	vmmmio_drop(v, i);
	res->done = n;
out:
	own_unlock_host_vm(v);
	return ret;
}

/*
 * VM teardown (vm.c, host and VM locks held): the host's table pages for giving every taken
 * range back, added to *cost; then, once the VM's stage 2 is gone and its TLB entries
 * invalidated, the host maps each range again (gathered into @g) and the table empties.
 */
int own_vm_mmio_return_cost(const struct own_principal *v, u64 *cost)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < v->nr_mmio && !ret; i++) {
		struct own_op op = vmmmio_host_op(&v->mmio[i]);

		ret = own_view_cost(&own.host, &op, cost);
	}
	return ret;
}

void own_vm_mmio_return_commit(struct own_principal *v, struct own_gathers *g)
{
	while (v->nr_mmio) {
		const struct own_mmio *m = &v->mmio[v->nr_mmio - 1];
		struct own_op op = vmmmio_host_op(m);

		own_view_apply(&own.host, &op, g);
		plat_log("own: vm%u destroyed: MMIO %#llx-%#llx back to the host", v->id,
			 (unsigned long long)m->pa,
			 (unsigned long long)(m->pa + (m->n << PAGE_SHIFT) - 1));
		vmmmio_drop(v, v->nr_mmio - 1);
	}
}

int own_vm_mmio_of(u32 vm, unsigned int i, struct own_mmio *m)
{
	struct own_principal *v;
	int ret;

	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	ret = i < v->nr_mmio ? 0 : -ENOENT;
	if (!ret)
		*m = v->mmio[i];
	own_unlock_host_vm(v);
	return ret;
}
