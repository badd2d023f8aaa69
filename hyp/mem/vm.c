// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM lifecycle and table-page pools (docs/ownership.md "VMs and pools").
 */
#include <errno.h>
#include <string.h>

#include "own_internal.h"

/* ---- VM lifecycle, pools ------------------------------------------------ */

void own_view_reset(struct own_principal *p)
{
	unsigned int i;

	memset(&p->view, 0, sizeof(p->view));
	p->view.who = p->id;
	for (i = 0; i < OWN_MAX_DOMS; i++)
		p->view.dom[i].who = p->id;
}

void own_runs_add(struct own_range *runs, unsigned int *nr, u64 pa, u64 n)
{
	struct own_range *last = *nr ? &runs[*nr - 1] : NULL;

	if (last && last->base + last->size == pa) {
		last->size += n << PAGE_SHIFT;
		return;
	}
	HYP_CHECK(*nr < OWN_MAX_POOL_RUNS);
	runs[*nr].base = pa;
	runs[*nr].size = n << PAGE_SHIFT;
	(*nr)++;
}

bool own_runs_fit(const struct own_range *runs, unsigned int nr, u64 pa)
{
	return nr < OWN_MAX_POOL_RUNS || runs[nr - 1].base + runs[nr - 1].size == pa;
}

void own_add_run(struct own_principal *p, u64 pa, u64 n)
{
	own_runs_add(p->runs, &p->nr_runs, pa, n);
}

static bool own_run_fits(const struct own_principal *p, u64 pa)
{
	return own_runs_fit(p->runs, p->nr_runs, pa);
}

/*
 * Checks shared by VM_CREATE and IOMMU_DOMAIN_CREATE: the new table's input
 * size and the pool the host donates for it. The stage-2 root may be up to 16
 * concatenated pages aligned to their size (Arm ARM D8.2, "Concatenated
 * translation tables"): a 64 KiB-aligned pool of at least 16 pages always holds
 * it, so creating the root cannot fail once the pages have left the host. PA 0
 * cannot be a pool page: 0 ends the pool's free list.
 */
int own_check_new_table(u64 pool_pa, u64 n, unsigned int ia_bits, u16 **e)
{
	if (ia_bits < OWN_MIN_IA_BITS || ia_bits > OWN_MAX_IA_BITS)
		return -EINVAL;
	if (n < OWN_VM_POOL_MIN || n > OWN_BUDGET_PAGES ||
	    !IS_ALIGNED(pool_pa, OWN_VM_POOL_ALIGN) || !pool_pa)
		return -EINVAL;
	return own_check_pa(pool_pa, n, e);
}

int own_vm_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *vm, struct own_res *res)
{
	struct own_principal *v = NULL;
	u16 *e;
	u32 i;
	int ret;

	res->done = 0;
	ret = own_check_new_table(pool_pa, n, ia_bits, &e);
	if (ret)
		return ret;
	hyp_spin_lock(&own.host.lock);
	for (i = 0; i < OWN_MAX_VMS && !v; i++) {
		hyp_spin_lock(&own.vm[i].lock);
		if (!own.vm[i].live)
			v = &own.vm[i];
		else
			hyp_spin_unlock(&own.vm[i].lock);
	}
	if (!v) {
		hyp_spin_unlock(&own.host.lock);
		return -ENOSPC;
	}
	ret = own_take_host_pages(pool_pa, n, e, res);
	if (ret)
		goto out;
	/*
	 * The pages left the host (synced) before the first table is written into
	 * them. The pool holds >= OWN_VM_POOL_MIN pages from a 64 KiB boundary and
	 * ia_bits was checked, so creating the root cannot fail.
	 */
	pt_pool_init(&v->pool);
	pt_pool_add(&v->pool, pool_pa, n);
	v->nr_runs = 0;
	own_add_run(v, pool_pa, n);
	own_view_reset(v);
	HYP_CHECK(pt_init(&v->view.cpu, own.cpu_fmt, ia_bits, own.cpu_coherent, &v->pool,
			  &own_cpu_pt_ops, v) == 0);
	/*
	 * Splits and merges of the VM's blocks skip break-before-make when every walker allows the
	 * swap (Arm ARM D8.16.2 FEAT_BBM level 2 on the CPUs, SMMU IDR3.BBML2): the host's stage 2
	 * has that answer for these CPUs and this SMMU (arch boot code). A device assigned to the
	 * VM walks this table and cannot take a fault: with a break, its DMA to a page beside a
	 * converted one faults while the block is split or merged (the gmem suite's stress rounds
	 * saw it). A vCPU's TLB conflict abort is retried (guest.c).
	 */
	v->view.cpu.bbm_free = own.host.view.cpu.bbm_free;
	v->nr_pages = 0;
	own_vm_run_reset(&v->vm_run);
	v->vm_iommu_dom = -1;
	v->nr_mmio = 0;
	v->live = true;
	*vm = v->id;
	res->done = n;
	plat_log("own: vm%u created: %u-bit IPA, pool %llu pages at %#llx", v->id, ia_bits,
		 (unsigned long long)n, (unsigned long long)pool_pa);
out:
	hyp_spin_unlock(&v->lock);
	hyp_spin_unlock(&own.host.lock);
	return ret;
}

int own_vm_destroy(u32 vm, struct own_res *res)
{
	struct own_range back[OWN_MAX_POOL_RUNS + VCPU_MAX];
	struct own_principal *v;
	struct own_gathers g;
	unsigned int i, nr;
	u64 mmio_cost = 0;
	int ret;

	res->done = 0;
	ret = own_lock_host_vm(vm, &v);
	if (ret)
		return ret;
	/* Memory is reclaimed (scrubbed) page by page first; domains detached. */
	ret = -EBUSY;
	if (v->nr_pages)
		goto out;
	for (i = 0; i < OWN_MAX_DOMS; i++)
		if (v->view.dom[i].used)
			goto out;
	/* No vCPU runs from here on (-EBUSY otherwise); run lock held until the end. */
	ret = vcpu_vm_stop_begin(v);
	if (ret)
		goto out;
	/* The pool and every vCPU state page go back together, scrubbed. */
	for (nr = 0; nr < v->nr_runs; nr++)
		back[nr] = v->runs[nr];
	nr = vcpu_vm_pages(v, back, nr);
	/* MMIO the VM took goes back to the host in the same call (vmmmio.c). */
	ret = own_vm_mmio_return_cost(v, &mmio_cost);
	if (!ret)
		ret = own_pool_return_prepare_more(back, nr, mmio_cost, res);
	if (ret) {
		vcpu_vm_stop_end(v, false);
		goto out;
	}

	/* No vCPU of the VM runs (the caller's contract): drop every TLB entry. */
	own_gathers_init(&g);
	g.cpu.all = true;
	own_view_inval(v, &g);
	pt_destroy(&v->view.cpu);
	HYP_CHECK(v->pool.nr_used == 0 && v->pool.nr_free == v->pool.nr_total);
	/* Nothing of the VM reaches its MMIO any more: the host maps it again. */
	own_gathers_init(&g);
	own_vm_mmio_return_commit(v, &g);
	own_view_inval(&own.host, &g);
	/* hyp OWNED (TABLE, vCPU) -> NOPAGE, host NOPAGE -> OWNED */
	res->done = own_pool_return_commit(back, nr);
	pt_pool_init(&v->pool);
	v->nr_runs = 0;
	v->live = false;
	own_vm_run_reset(&v->vm_run);
	vcpu_vm_stop_end(v, false);
	ret = 0;
	plat_log("own: vm%u destroyed: %llu pool pages back to the host", v->id,
		 (unsigned long long)res->done);
out:
	own_unlock_host_vm(v);
	return ret;
}

int own_host_donate_pool(u32 who, u64 pa, u64 n, struct own_res *res)
{
	struct own_principal *p;
	u64 w, total;
	u16 *e;
	int ret;

	res->done = 0;
	ret = own_check_args(pa, n);
	if (ret)
		return ret;
	if (!pa)
		return -EINVAL; /* 0 ends a pool's free list: never a pool page */
	w = own_window(pa, n);
	ret = own_check_pa(pa, n, &e);
	if (ret)
		return ret;
	if (who >= OWN_POOL_HDOM_BASE && who != OWN_HOST)
		return own_hdom_pool_donate(who - OWN_POOL_HDOM_BASE, pa, w, e, res);
	if (who == OWN_HOST) {
		p = &own.host;
		hyp_spin_lock(&p->lock);
	} else {
		ret = own_lock_host_vm(who, &p);
		if (ret)
			return ret;
	}
	total = p->pool.nr_total + w;
	ret = -ENOSPC;
	if (!own_run_fits(p, pa) || (p != &own.host && total > OWN_VM_POOL_MAX))
		goto out;
	ret = own_take_host_pages(pa, w, e, res);
	if (ret)
		goto out;
	pt_pool_add(&p->pool, pa, w);
	own_add_run(p, pa, w);
	res->done = w;
out:
	if (p == &own.host)
		hyp_spin_unlock(&p->lock);
	else
		own_unlock_host_vm(p);
	return ret;
}
