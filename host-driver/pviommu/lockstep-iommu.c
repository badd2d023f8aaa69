// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-iommu.ko: the host's paravirtual IOMMU driver for Lockstep (issue 4).
 *
 * (x86_64: the same for the VT-d unit Lockstep owns; what differs per arch is in lsi-arch.h.)
 * Lockstep owns the SMMUv3 and hides it from Linux; every host PCI stream translates through the
 * host identity stage-2 until it is attached to a host DMA domain (docs/hypercalls.md, "Host DMA
 * domains"). This driver registers one iommu_device with a NULL fwnode, so that Linux 6.12's
 * __iommu_probe_device() (which, for a device without a fwspec, asks
 * iommu_ops_from_fwnode(NULL)) offers it every device; it accepts PCI devices whose requester ID is
 * below LS_SMMU_STAT_STREAMS (RID == StreamID through the identity IORT / iommu-map of QEMU virt;
 * Lockstep registered the firmware's stream ranges, and ATTACH refuses a gap between them).
 *
 *   paging domain       LS_HVC_IOMMU_DOMAIN_CREATE with a 64 KiB-aligned pool of host pages;
 *                       LS_HVC_POOL_DONATE more on LS_ENOMEM (x1 pages, x2 = LS_POOL_IOMMU(dom))
 *   attach_dev          LS_HVC_IOMMU_ATTACH, straight from the stream's current domain
 *   identity domain     LS_HVC_IOMMU_DETACH: back to the host identity view
 *   blocked domain      one shared Lockstep domain that maps nothing (lsi_blocked_attach)
 *   map_pages           queued in the domain's batch page (one LS_HVC_IOMMU_MAP_BATCH list);
 *   iotlb_sync_map      the list is flushed here (and whenever it is full): iommu_map() costs
 *                       one hypercall, iommu_map_sg() of scattered pages one per 170 segments
 *   unmap_pages         only gathered (the range grows in the iotlb gather; a disjoint range
 *                       flushes the gather first)
 *   iotlb_sync          LS_HVC_IOMMU_UNMAP of the gathered range, one call per 16 MiB window,
 *                       or per 4096 leaves (ABI >= 1.6: a GiB of 2 MiB blocks is one call):
 *                       Lockstep invalidates and syncs the SMMU before each returns, so the
 *                       pages are unreachable when iotlb_sync (and so iommu_unmap()) returns
 *   iova_to_phys        DMA-API domains: the driver's copy of IOVA -> PA (lsi_shadow_set);
 *                       others, or shadow=0: LS_HVC_IOMMU_QUERY after flushing queued maps,
 *                       its leaf (x3: a 2 MiB block) kept until the next unmap
 *   get_resv_regions    IOMMU_RESV_SW_MSI at 0x8000000 (1 MiB), as arm-smmu-v3
 *   capable             IOMMU_CAP_CACHE_COHERENCY and IOMMU_CAP_ENFORCE_CACHE_COHERENCY when
 *                       Lockstep says LS_FEAT_DMA_COHERENT (HVC FEATURES): what VFIO requires
 *   enforce_cache_coh.  the same bit: Lockstep forces Normal write-back on every domain stream
 *   IOMMU_MMIO          LS_HVC_IOMMU_MAP with LS_IOMMU_MMIO at once (below), not batched
 *
 * MSIs: a device's MSI is a DMA write to the GIC ITS doorbell (GITS_TRANSLATER), so in a DMA domain
 * it translates like any DMA. iommu-dma maps the doorbell page into the device's domain when the
 * PCI driver allocates MSI/MSI-X vectors (iommu_dma_prepare_msi: IOMMU_WRITE | IOMMU_MMIO); this
 * driver passes IOMMU_MMIO as LS_IOMMU_MMIO, and Lockstep maps the page as device memory if the
 * host's own stage 2 maps it as device memory (never RAM, never the SMMU's frame). iommu-dma never
 * unmaps an MSI page, so the driver remembers its MMIO mappings and unmaps them before
 * DOMAIN_DESTROY (which refuses a domain that still maps anything).
 *
 * Devices bound to a driver before this module loads keep direct (untranslated) DMA: their
 * default domain is the identity domain (def_domain_type). Remove and rescan them (or unbind,
 * switch the group type, bind) to put them behind the PV IOMMU (docs/iommu.md, "Linux driver").
 *
 * Devices of protected VMs (lockstep_iommu_vm_assign / lockstep_iommu_vm_release, exported for
 * lockstep.ko's LOCKSTEP_VM_ASSIGN_DEVICE, include/lockstep/pviommu-vm.h): the streams of a group
 * VFIO owns leave their DMA domain (IOMMU_DETACH, then VM_ASSIGN_STREAM: Lockstep refuses a stream
 * that is in a host domain) with the function's Bus Master Enable off across the switch, so the
 * device issues no DMA while its stream is on the host identity view. While a stream is a VM's,
 * its domain refuses every map (-EBUSY, logged): VFIO_IOMMU_MAP_DMA fails, the host cannot give
 * the VM's device any of its memory; an attach the IOMMU core makes meanwhile (VFIO releasing the
 * group) only changes the domain the stream goes back to at release.
 *
 *   /sys/kernel/debug/lockstep-iommu/stats     hypercalls and pages, per operation
 *   /sys/kernel/debug/lockstep-iommu/selftest  write a probed PCI device's name: the ops on a
 *                                              private domain (lsi_selftest)
 */
#define pr_fmt(fmt) "lockstep-iommu: " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/maple_tree.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <lockstep/abi.h>
#include <lockstep/pviommu-vm.h>

#include "lsi-arch.h" /* conduit, Lockstep check, MSI window: arm64 or x86_64 */

#define LSI_IOVA_BITS	 40 /* IOVA size: ATTACH refuses a domain above the SMMU IAS (44 on QEMU) */
#define LSI_POOL_ORDER	 4  /* 16 pages = LS_VM_POOL_MIN, 64 KiB = LS_VM_POOL_ALIGN */
#define LSI_DONATE_ORDER 6  /* at least 64 pages per POOL_DONATE: few pool runs */
#define LSI_DONATE_MAX	 9  /* at most LS_BUDGET_PAGES (512) pages per POOL_DONATE */
#define LSI_MAX_RID	 0x10000 /* PCI segment 0 */
#define LSI_NO_DOM	 (-1)

/*
 * Exported by Linux 6.12 (EXPORT_SYMBOL in drivers/iommu/dma-iommu.c) but declared only in the
 * private drivers/iommu/dma-iommu.h, which the headers package does not ship.
 */
void iommu_dma_get_resv_regions(struct device *dev, struct list_head *list);

/* One contiguous run of pages given to a domain's pool (freed after DOMAIN_DESTROY). */
struct lsi_chunk {
	struct list_head node;
	struct page *page;
	unsigned int order;
};

/* A map request that failed when its batch was flushed, for the iotlb_sync_map that owns it. */
struct lsi_failed {
	unsigned long iova, size;
	int err;
};

#define LSI_FAILED_MAX 4

struct lsi_domain {
	struct iommu_domain domain;
	unsigned long id; /* Lockstep domain id */
	spinlock_t lock;  /* chunks */
	struct list_head chunks;
	unsigned int ndonated; /* POOL_DONATE runs given (the pool holds OWN_MAX_POOL_RUNS = 8) */
	/* Queued maps: the LS_HVC_IOMMU_MAP_BATCH list (one page), under batch_lock. */
	spinlock_t batch_lock;
	u64 *batch;
	unsigned int nbatch;
	unsigned long batch_pages, batch_end;
	unsigned long batch_units;   /* of LS_IOMMU_BUDGET_PAGES (lsi_batch_units) */
	unsigned long batch_flushes; /* lists sent (the selftest counts them) */
	struct lsi_failed failed[LSI_FAILED_MAX];
	unsigned int nfailed;
	/* The driver's copy of IOVA -> PA (lsi_shadow_set), unless shadow_off. */
	struct maple_tree shadow;
	bool shadow_off;
	/*
	 * The leaf LS_HVC_IOMMU_QUERY last answered (QUERY x3 = its pages): VFIO type1 asks
	 * iova_to_phys page by page over a range it unmaps, 512 times per 2 MiB block. Under
	 * batch_lock; q_gen moves on every unmap, so a QUERY that raced an unmap is not kept.
	 */
	unsigned long q_iova, q_size, q_gen;
	phys_addr_t q_pa;
	spinlock_t mmio_lock;  /* mmio; irqsave: unmap may run in interrupt context */
	struct list_head mmio; /* MMIO mappings (MSI doorbells), unmapped before destroy */
	atomic_t vm_streams;   /* streams of this domain assigned to a VM: maps refused */
};

/* One IOMMU_MMIO mapping of a domain. */
struct lsi_mmio {
	struct list_head node;
	unsigned long iova, pages;
};

/*
 * Per device: its StreamID and the Lockstep domain it is attached to (LSI_NO_DOM: identity, or a
 * VM's). ld: the paging domain the IOMMU core attached last (NULL: identity), where the stream
 * goes back when a VM releases it. in_vm, vm: assigned to Lockstep VM vm. Changed under the IOMMU
 * group's mutex (the core's attach_dev, lockstep_iommu_vm_assign/release).
 */
struct lsi_master {
	u32 sid;
	long dom;
	struct lsi_domain *ld;
	bool in_vm;
	u64 vm;
};

static struct iommu_device lsi_iommu;
static unsigned long lsi_nr_sids; /* RIDs below this are offered to Lockstep (LS_SMMU_STAT_STREAMS) */
static unsigned long lsi_features;  /* LS_FEAT_* from LS_HVC_FEATURES */
static unsigned long lsi_abi_minor; /* LS_HVC_VERSION's minor */
static const struct iommu_ops lsi_ops;
static struct dentry *lsi_debugfs;

static struct {
	atomic64_t map_calls, map_pages, unmap_calls, unmap_pages, donate_calls, donate_pages,
		query_calls, domains, attach_calls, detach_calls, batch_calls, batch_entries,
		mmio_maps, mmio_pages, shadow_lookups, query_leaf_hits, vm_assigns, vm_releases,
		vm_refused_maps;
} lsi_stats;

static inline struct lsi_domain *to_lsi(struct iommu_domain *d)
{
	return container_of(d, struct lsi_domain, domain);
}

/*
 * iommu-dma asks iova_to_phys on every dma_unmap_page (to find the page it unmaps): answered from
 * the driver's own copy of the domain's IOVA -> PA map, a maple tree of ranges holding
 * (pa - iova) >> PAGE_SHIFT, instead of one LS_HVC_IOMMU_QUERY each. Lockstep's tables stay the
 * truth for DMA; the copy only serves the host's questions. A failed update (no memory for a
 * tree node in atomic context) turns the copy off for that domain, back to QUERY.
 */
static bool shadow = true;
module_param(shadow, bool, 0444);
MODULE_PARM_DESC(shadow, "answer iova_to_phys from the driver's copy (0: LS_HVC_IOMMU_QUERY each)");

/*
 * Kept for DMA-API domains only: those are what iommu-dma asks, and they hold only the mappings
 * of I/O in flight. An unmanaged domain (VFIO, iommufd, lsbench) may hold a million scattered
 * pages; a tree update per map and unmap would cost more than the QUERY it saves there.
 */
static bool lsi_shadow_on(const struct lsi_domain *ld)
{
	return (ld->domain.type & __IOMMU_DOMAIN_DMA_API) && !READ_ONCE(ld->shadow_off);
}

static void lsi_shadow_set(struct lsi_domain *ld, unsigned long iova, size_t size, phys_addr_t pa,
			   bool map, gfp_t gfp)
{
	void *v = map ? xa_mk_value(((unsigned long)pa - iova) >> PAGE_SHIFT) : NULL;

	if (!lsi_shadow_on(ld))
		return;
	if (mtree_store_range(&ld->shadow, iova, iova + size - 1, v, gfp)) {
		WRITE_ONCE(ld->shadow_off, true);
		pr_warn_ratelimited("dom %lu: IOVA copy off (no memory), QUERY from now on\n",
				    ld->id);
	}
}

/* LS_E* (x0) to errno. */
static int lsi_errno(long st)
{
	switch (st) {
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
 * Give the pool `pool` at least `pages` more pages (LS_ENOMEM's x1). One physically contiguous
 * run per call: POOL_DONATE takes a PA and a count within one window (<= LS_BUDGET_PAGES).
 * A domain's pool takes at most 8 separate runs, so each run doubles the last: 64, 128, 256,
 * then 512 pages, up to 2,496 pages in all (the tables of ~4.8 GiB of 4 KiB mappings, what a
 * VFIO user may map; 8 runs of 64 pages covered only ~1 GiB). When memory is short a smaller
 * run is tried, down to what LS_ENOMEM asked for.
 */
static int lsi_donate(struct lsi_domain *ld, unsigned long pool, unsigned long pages, gfp_t gfp)
{
	struct arm_smccc_res res;
	struct lsi_chunk *c;
	unsigned int order;
	unsigned long n;

	if (pages == 0 || pages > LS_BUDGET_PAGES)
		return -EINVAL;
	order = max_t(unsigned int, get_order(pages << PAGE_SHIFT),
		      min_t(unsigned int, LSI_DONATE_ORDER + READ_ONCE(ld->ndonated),
			    LSI_DONATE_MAX));
	c = kzalloc(sizeof(*c), gfp);
	if (!c)
		return -ENOMEM;
	for (;;) {
		c->page = alloc_pages(gfp | __GFP_ZERO | __GFP_NOWARN, order);
		if (c->page || order <= get_order(pages << PAGE_SHIFT))
			break;
		order--;
	}
	if (!c->page) {
		kfree(c);
		return -ENOMEM;
	}
	n = 1UL << order;
	c->order = order;
	arm_smccc_1_1_hvc(LS_HVC_POOL_DONATE, pool, page_to_phys(c->page), n, &res);
	atomic64_inc(&lsi_stats.donate_calls);
	if ((long)res.a0 != LS_OK) {
		pr_warn("dom %lu: POOL_DONATE %lu pages -> %ld\n", ld->id, n, (long)res.a0);
		__free_pages(c->page, order);
		kfree(c);
		return lsi_errno((long)res.a0);
	}
	atomic64_add((s64)n, &lsi_stats.donate_pages);
	spin_lock(&ld->lock);
	ld->ndonated++;
	list_add(&c->node, &ld->chunks);
	spin_unlock(&ld->lock);
	return 0;
}

static void lsi_free_chunks(struct lsi_domain *ld)
{
	struct lsi_chunk *c, *t;

	list_for_each_entry_safe(c, t, &ld->chunks, node)
	{
		list_del(&c->node);
		__free_pages(c->page, c->order);
		kfree(c);
	}
}

/* --- identity domain: the stream goes back to the host identity view --------------------- */

static int lsi_detach(struct lsi_master *m)
{
	struct arm_smccc_res res;

	if (m->dom == LSI_NO_DOM)
		return 0;
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_DETACH, m->sid, &res);
	atomic64_inc(&lsi_stats.detach_calls);
	/* LS_ENOENT: not attached (already on the identity view), which is what we want. */
	if ((long)res.a0 != LS_OK && (long)res.a0 != LS_ENOENT) {
		pr_err("sid 0x%x: DETACH -> %ld\n", m->sid, (long)res.a0);
		return lsi_errno((long)res.a0);
	}
	m->dom = LSI_NO_DOM;
	return 0;
}

/*
 * The IOMMU core attaches @ld (NULL: identity) to a stream a VM has: nothing changes in Lockstep
 * (the stream translates through the VM's stage 2); it goes back to @ld at release, and @ld
 * refuses maps until then.
 */
static void lsi_vm_rehome(struct device *dev, struct lsi_master *m, struct lsi_domain *ld)
{
	if (m->ld == ld)
		return;
	if (m->ld)
		atomic_dec(&m->ld->vm_streams);
	if (ld)
		atomic_inc(&ld->vm_streams);
	m->ld = ld;
	dev_info(dev, "stream 0x%x is VM %llu's: %s when the VM releases it\n", m->sid, m->vm,
		 ld ? "DMA domain attached" : "host identity view");
}

static int lsi_identity_attach(struct iommu_domain *domain, struct device *dev)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);
	int ret;

	if (!m)
		return -ENODEV;
	if (m->in_vm) {
		lsi_vm_rehome(dev, m, NULL);
		return 0;
	}
	ret = lsi_detach(m);
	if (!ret)
		m->ld = NULL;
	return ret;
}

static const struct iommu_domain_ops lsi_identity_ops = {
	.attach_dev = lsi_identity_attach,
};

static struct iommu_domain lsi_identity_domain = {
	.type = IOMMU_DOMAIN_IDENTITY,
	.ops = &lsi_identity_ops,
};

/* --- paging domains ---------------------------------------------------------------------- */

static struct iommu_domain *lsi_domain_alloc_paging(struct device *dev);
static int lsi_attach_dev(struct iommu_domain *domain, struct device *dev);
static void lsi_domain_free(struct iommu_domain *domain);

/*
 * Blocked domain (what VFIO and iommufd attach while they take a group over): one Lockstep DMA
 * domain that never maps anything, shared by every blocked stream (Lockstep has 8 domains; the
 * IOMMU core would otherwise make an empty paging domain per group and keep it for the group's
 * life). Created at the first blocked attach, destroyed at module exit.
 */
static DEFINE_MUTEX(lsi_blocked_lock);
static struct iommu_domain *lsi_blocked;

static int lsi_blocked_attach(struct iommu_domain *domain, struct device *dev)
{
	struct iommu_domain *d;

	mutex_lock(&lsi_blocked_lock);
	if (!lsi_blocked) {
		d = lsi_domain_alloc_paging(dev);
		if (IS_ERR(d)) {
			mutex_unlock(&lsi_blocked_lock);
			return PTR_ERR(d);
		}
		lsi_blocked = d;
		pr_info("blocked domain: Lockstep DMA domain %lu, shared by every blocked stream\n",
			to_lsi(d)->id);
	}
	d = lsi_blocked;
	mutex_unlock(&lsi_blocked_lock);
	return lsi_attach_dev(d, dev);
}

static const struct iommu_domain_ops lsi_blocked_ops = {
	.attach_dev = lsi_blocked_attach,
};

static struct iommu_domain lsi_blocked_domain = {
	.type = IOMMU_DOMAIN_BLOCKED,
	.ops = &lsi_blocked_ops,
};

static struct iommu_domain *lsi_domain_alloc_paging(struct device *dev)
{
	struct arm_smccc_res res;
	struct lsi_domain *ld;
	struct lsi_chunk *c;

	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!ld || !c)
		goto nomem;
	spin_lock_init(&ld->lock);
	spin_lock_init(&ld->batch_lock);
	INIT_LIST_HEAD(&ld->chunks);
	/*
	 * RCU mode: iova_to_phys reads with mtree_load() and no lock, from any CPU, while
	 * map_pages / unmap_pages store on another (the NIC's rx unmap in softirq beside its
	 * refill). Outside RCU mode a store may rewrite a node in place, and a reader then
	 * can miss a live entry (seen: iommu_dma_unmap_page's WARN_ON(!phys) under load).
	 */
	mt_init_flags(&ld->shadow, MT_FLAGS_USE_RCU);
	ld->shadow_off = !shadow;
	spin_lock_init(&ld->mmio_lock);
	INIT_LIST_HEAD(&ld->mmio);
	ld->batch = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!ld->batch)
		goto nomem;
	/* alloc_pages(order 4) is naturally aligned: 64 KiB = LS_VM_POOL_ALIGN. */
	c->order = LSI_POOL_ORDER;
	c->page = alloc_pages(GFP_KERNEL | __GFP_ZERO, LSI_POOL_ORDER);
	if (!c->page)
		goto nomem;
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_DOMAIN_CREATE, page_to_phys(c->page), 1UL << LSI_POOL_ORDER,
			  LSI_IOVA_BITS, &res);
	if ((long)res.a0 != LS_OK) {
		dev_err(dev, "IOMMU_DOMAIN_CREATE -> %ld\n", (long)res.a0);
		__free_pages(c->page, c->order);
		kfree(c);
		free_page((unsigned long)ld->batch);
		kfree(ld);
		return ERR_PTR(lsi_errno((long)res.a0));
	}
	ld->id = res.a1;
	list_add(&c->node, &ld->chunks);
	ld->domain.geometry.aperture_start = 0;
	ld->domain.geometry.aperture_end = (1ULL << LSI_IOVA_BITS) - 1;
	ld->domain.geometry.force_aperture = true;
	ld->domain.pgsize_bitmap = lsi_ops.pgsize_bitmap;
	atomic64_inc(&lsi_stats.domains);
	dev_info(dev, "Lockstep DMA domain %lu created (pool %u pages at %pa)\n", ld->id,
		 1U << LSI_POOL_ORDER, &(phys_addr_t){ page_to_phys(c->page) });
	return &ld->domain;
nomem:
	if (ld)
		free_page((unsigned long)ld->batch);
	kfree(c);
	kfree(ld);
	return ERR_PTR(-ENOMEM);
}

static unsigned long lsi_unmap_range(struct lsi_domain *ld, unsigned long iova, unsigned long n);

static void lsi_domain_free(struct iommu_domain *domain)
{
	struct lsi_domain *ld = to_lsi(domain);
	struct arm_smccc_res res;
	struct lsi_mmio *mm;

	/* iommu-dma leaves its MSI doorbell pages mapped: unmap them, or DESTROY says LS_EBUSY. */
	while ((mm = list_first_entry_or_null(&ld->mmio, struct lsi_mmio, node))) {
		/* Unmapped whole, the record goes (lsi_mmio_forget). */
		if (lsi_unmap_range(ld, mm->iova, mm->pages) != mm->pages) {
			/* lsi_unmap_range logged it; DESTROY below then fails and leaks the pool. */
			list_del(&mm->node);
			kfree(mm);
		}
	}
	mtree_destroy(&ld->shadow);
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_DOMAIN_DESTROY, ld->id, &res);
	if ((long)res.a0 != LS_OK) {
		/*
		 * The pool pages are still Lockstep's: handing them back to the page allocator
		 * would let Linux touch hypervisor memory. Leak them, loudly.
		 */
		pr_err("dom %lu: DOMAIN_DESTROY -> %ld; pool pages leaked\n", ld->id, (long)res.a0);
		free_page((unsigned long)ld->batch);
		kfree(ld);
		return;
	}
	free_page((unsigned long)ld->batch);
	atomic64_dec(&lsi_stats.domains);
	pr_info("dom %lu destroyed, %lu pool pages back\n", ld->id, res.a1);
	lsi_free_chunks(ld);
	kfree(ld);
}

static int lsi_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);
	struct lsi_domain *ld = to_lsi(domain);
	struct arm_smccc_res res;
	int ret;

	if (!m)
		return -ENODEV;
	if (m->in_vm) {
		lsi_vm_rehome(dev, m, ld);
		return 0;
	}
	if (m->dom == (long)ld->id)
		return 0;
	/*
	 * Straight from the domain the stream is in (Lockstep switches the STE through an invalid
	 * one): a device VFIO hands to user space never passes through the host identity view.
	 */
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_ATTACH, ld->id, m->sid, &res);
	atomic64_inc(&lsi_stats.attach_calls);
	if ((long)res.a0 == LS_EEXIST && m->dom != LSI_NO_DOM) {
		/* A Lockstep that moves only detached streams: through the identity view. */
		ret = lsi_detach(m);
		if (ret)
			return ret;
		arm_smccc_1_1_hvc(LS_HVC_IOMMU_ATTACH, ld->id, m->sid, &res);
		atomic64_inc(&lsi_stats.attach_calls);
	}
	if ((long)res.a0 != LS_OK) {
		dev_err(dev, "ATTACH dom %lu sid 0x%x -> %ld\n", ld->id, m->sid, (long)res.a0);
		return lsi_errno((long)res.a0);
	}
	m->dom = (long)ld->id;
	m->ld = ld;
	dev_info(dev, "stream 0x%x attached to Lockstep DMA domain %lu\n", m->sid, ld->id);
	return 0;
}

/* LS_HVC_IOMMU_MAP of one range, donating to the pool on LS_ENOMEM; *done = pages mapped. */
static int lsi_map_range(struct lsi_domain *ld, unsigned long iova, phys_addr_t paddr,
			 unsigned long n, unsigned long lprot, gfp_t gfp, unsigned long *done)
{
	struct arm_smccc_res res;
	int ret;

	*done = 0;
	/* One call maps one window (<= LS_IOMMU_BUDGET_PAGES, ends at a 16 MiB IOVA boundary). */
	while (*done < n) {
		arm_smccc_1_1_hvc(LS_HVC_IOMMU_MAP, ld->id, iova + (*done << PAGE_SHIFT),
				  paddr + (*done << PAGE_SHIFT), n - *done, lprot, &res);
		atomic64_inc(&lsi_stats.map_calls);
		if ((long)res.a0 == LS_ENOMEM) {
			ret = lsi_donate(ld, res.a2, res.a1, gfp);
			if (ret)
				return ret;
			continue;
		}
		if ((long)res.a0 != LS_OK) {
			pr_err_ratelimited("dom %lu: MAP iova 0x%lx pa %pa %lu pages -> %ld\n",
					   ld->id, iova + (*done << PAGE_SHIFT), &paddr, n - *done,
					   (long)res.a0);
			return lsi_errno((long)res.a0);
		}
		if (res.a1 == 0 || res.a1 > n - *done)
			return -EIO;
		*done += res.a1;
		atomic64_add((s64)res.a1, &lsi_stats.map_pages);
	}
	return 0;
}

static void lsi_batch_fail(struct lsi_domain *ld, unsigned long iova, unsigned long size, int err)
{
	struct lsi_failed *f =
		&ld->failed[ld->nfailed < LSI_FAILED_MAX ? ld->nfailed++ : LSI_FAILED_MAX - 1];

	f->iova = iova;
	f->size = size;
	f->err = err;
}

/*
 * Send the queued maps (batch_lock held, so GFP_ATOMIC for pool donations). The call maps all
 * entries or none; if it fails for another reason than the pool, each entry is retried alone so
 * that only the bad ones fail, and those are recorded for their iotlb_sync_map.
 */
static void lsi_batch_flush(struct lsi_domain *ld)
{
	struct arm_smccc_res res;
	unsigned int i, tries = 0;
	unsigned long done;
	long st;
	int ret;

	if (!ld->nbatch)
		return;
	ld->batch_flushes++;
	for (;;) {
		arm_smccc_1_1_hvc(LS_HVC_IOMMU_MAP_BATCH, ld->id, virt_to_phys(ld->batch),
				  ld->nbatch, &res);
		atomic64_inc(&lsi_stats.batch_calls);
		st = (long)res.a0;
		if (st != LS_ENOMEM || tries++ >= 8 ||
		    lsi_donate(ld, res.a2, res.a1, GFP_ATOMIC | __GFP_NOWARN))
			break;
	}
	if (st == LS_OK) {
		atomic64_add(ld->nbatch, &lsi_stats.batch_entries);
		atomic64_add(ld->batch_pages, &lsi_stats.map_pages);
	} else {
		pr_warn_ratelimited(
			"dom %lu: MAP_BATCH of %u entries -> %ld, mapping them one by one\n",
			ld->id, ld->nbatch, st);
		for (i = 0; i < ld->nbatch; i++) {
			u64 *e = &ld->batch[3 * i];
			unsigned long n = e[2] & 0xffffffffU;

			ret = lsi_map_range(ld, e[0], e[1], n, e[2] >> 32, GFP_ATOMIC, &done);
			if (ret) {
				lsi_batch_fail(ld, e[0], n << PAGE_SHIFT, ret);
				if (done) /* the entry is not mapped at all, as the batch promised */
					lsi_unmap_range(ld, e[0], done);
			}
		}
	}
	ld->nbatch = 0;
	ld->batch_pages = 0;
	ld->batch_units = 0;
	ld->batch_end = 0;
}

/*
 * MMIO (the GIC ITS doorbell iommu-dma maps for MSIs): device memory in the domain, if the host's
 * stage 2 maps it as device memory (LS_EINVAL for RAM, LS_EPERM otherwise). Mapped at once and
 * recorded, so that lsi_domain_free() can unmap it (iommu-dma never does).
 */
static noinline int lsi_map_mmio(struct lsi_domain *ld, unsigned long iova, phys_addr_t paddr,
				 unsigned long n, unsigned long lprot, gfp_t gfp, size_t *mapped)
{
	struct lsi_mmio *mm = kzalloc(sizeof(*mm), gfp);
	unsigned long done, flags;
	int ret;

	if (!mm)
		return -ENOMEM;
	ret = lsi_map_range(ld, iova, paddr, n, lprot, gfp, &done);
	*mapped = done << PAGE_SHIFT;
	if (!done) {
		kfree(mm);
		return ret;
	}
	lsi_shadow_set(ld, iova, done << PAGE_SHIFT, paddr, true, gfp);
	/* Partly mapped on error: iommu_map() unmaps the *mapped part, which drops the record. */
	mm->iova = iova;
	mm->pages = done;
	spin_lock_irqsave(&ld->mmio_lock, flags);
	list_add(&mm->node, &ld->mmio);
	spin_unlock_irqrestore(&ld->mmio_lock, flags);
	atomic64_inc(&lsi_stats.mmio_maps);
	atomic64_add((s64)done, &lsi_stats.mmio_pages);
	if (!ret)
		pr_info("dom %lu: MMIO %pa mapped at IOVA 0x%lx, %lu pages\n", ld->id, &paddr, iova,
			done);
	return ret;
}

/*
 * What one MAP_BATCH entry costs of the call's budget: its pages, or (ABI 1.5) one unit for a
 * 2 MiB leaf (512 pages, IOVA and PA 2 MiB aligned). An older Lockstep counts pages.
 */
static unsigned long lsi_batch_units(unsigned long iova, phys_addr_t pa, unsigned long pages)
{
	return lsi_abi_minor >= 5 ? LS_IOMMU_BATCH_UNITS(iova, (u64)pa, pages) : pages;
}

/*
 * Does an entry of @u budget units at @iova fit the list (batch_lock held): room, the call's
 * budget, ascending (batch_end is 0 while the list is empty)?
 */
static inline bool lsi_batch_fits(const struct lsi_domain *ld, unsigned long iova, unsigned long u)
{
	return ld->nbatch < LS_IOMMU_BATCH_MAX && ld->batch_units + u <= LS_IOMMU_BUDGET_PAGES &&
	       iova >= ld->batch_end;
}

/*
 * Append an entry that fits (batch_lock held). The list's state is read before the entry's
 * stores (the compiler cannot know they leave ld alone), and written once.
 */
static inline void lsi_batch_put(struct lsi_domain *ld, unsigned long iova, phys_addr_t pa,
				 unsigned long k, unsigned long lprot, unsigned long u)
{
	unsigned int nb = ld->nbatch;
	unsigned long units = ld->batch_units + u, pages = ld->batch_pages + k;
	u64 *e = &ld->batch[3 * nb];

	e[0] = iova;
	e[1] = pa;
	e[2] = k | (u64)lprot << 32;
	ld->nbatch = nb + 1;
	ld->batch_units = units;
	ld->batch_pages = pages;
	ld->batch_end = iova + (k << PAGE_SHIFT);
}

/* Queue one entry (batch_lock held): the list is flushed first if the entry does not fit. */
static inline void lsi_batch_add(struct lsi_domain *ld, unsigned long iova, phys_addr_t pa,
				 unsigned long k, unsigned long lprot)
{
	unsigned long u = lsi_batch_units(iova, pa, k);

	if (!lsi_batch_fits(ld, iova, u))
		lsi_batch_flush(ld);
	lsi_batch_put(ld, iova, pa, k, lprot, u);
}

/* IOMMU_READ / IOMMU_WRITE as LS_IOMMU_READ / LS_IOMMU_WRITE (the same bits: one AND). */
static inline unsigned long lsi_prot(int prot)
{
	return (prot & IOMMU_READ ? LS_IOMMU_READ : 0) | (prot & IOMMU_WRITE ? LS_IOMMU_WRITE : 0);
}

/*
 * map_pages, every case: refusal while a stream is a VM's, MMIO, the shadow, a range of more
 * than one entry (at most LS_IOMMU_BUDGET_PAGES each), a full list, a call's budget reached, an
 * entry that does not ascend (each flushes the list first). lsi_map_pages() takes the rest.
 */
static noinline int lsi_map_pages_slow(struct iommu_domain *domain, unsigned long iova,
				       phys_addr_t paddr, size_t pgsize, size_t pgcount, int prot,
				       gfp_t gfp, size_t *mapped)
{
	struct lsi_domain *ld = to_lsi(domain);
	unsigned long n = (pgsize * pgcount) >> PAGE_SHIFT;
	unsigned long lprot, flags, k;

	*mapped = 0;
	if (atomic_read(&ld->vm_streams)) {
		pr_warn_ratelimited(
			"dom %lu: map of IOVA 0x%lx refused (EBUSY): its device is assigned to a protected VM\n",
			ld->id, iova);
		atomic64_inc(&lsi_stats.vm_refused_maps);
		return -EBUSY;
	}
	lprot = lsi_prot(prot);
	if (!lprot || !n)
		return -EINVAL;
	if (unlikely(prot & IOMMU_MMIO))
		return lsi_map_mmio(ld, iova, paddr, n, lprot | LS_IOMMU_MMIO, gfp, mapped);
	if (lsi_shadow_on(ld)) /* DMA-API domains only: not an unmanaged domain's cost */
		lsi_shadow_set(ld, iova, n << PAGE_SHIFT, paddr, true, gfp);
	/* Queue the range (entries of at most the per-call budget); iotlb_sync_map sends it. */
	spin_lock_irqsave(&ld->batch_lock, flags);
	do {
		k = min_t(unsigned long, n, LS_IOMMU_BUDGET_PAGES);
		lsi_batch_add(ld, iova, paddr, k, lprot);
		iova += k << PAGE_SHIFT;
		paddr += k << PAGE_SHIFT;
		n -= k;
	} while (n);
	spin_unlock_irqrestore(&ld->batch_lock, flags);
	*mapped = pgsize * pgcount;
	return 0;
}

/*
 * map_pages of iommu_map() and iommu_map_sg(): one entry (up to LS_IOMMU_BUDGET_PAGES pages)
 * queued with no call, so that GCC keeps the frame off this path; anything else goes to
 * lsi_map_pages_slow() from one call site (no sibling call: frame pointers build the kernel with
 * -fno-optimize-sibling-calls), which checks everything again under the lock.
 * The lock is only tried: a busy list (another CPU queueing or flushing) waits in the slow path.
 * irqsave as everywhere batch_lock is taken: iommu-dma maps with GFP_ATOMIC from any context,
 * hard interrupts included (__iommu_dma_map -> iommu_map), and unmap takes the same lock.
 * The budget units (ABI 1.5) are computed only for a 2 MiB leaf candidate; batch_end is 0 while
 * the list is empty, so "ascends" needs no entry count.
 */
static int lsi_map_pages(struct iommu_domain *domain, unsigned long iova, phys_addr_t paddr,
			 size_t pgsize, size_t pgcount, int prot, gfp_t gfp, size_t *mapped)
{
	struct lsi_domain *ld = to_lsi(domain);
	size_t size = pgsize * pgcount;
	unsigned long n = size >> PAGE_SHIFT, u = n, flags;

	if (unlikely(atomic_read(&ld->vm_streams) || lsi_shadow_on(ld) ||
		     n - 1 >= LS_IOMMU_BUDGET_PAGES || (prot & IOMMU_MMIO) ||
		     !(prot & (IOMMU_READ | IOMMU_WRITE))))
		goto slow;
	if (n == SZ_2M >> PAGE_SHIFT)
		u = lsi_batch_units(iova, paddr, n);
	if (unlikely(!spin_trylock_irqsave(&ld->batch_lock, flags)))
		goto slow;
	if (unlikely(!lsi_batch_fits(ld, iova, u))) { /* the slow path flushes first */
		spin_unlock_irqrestore(&ld->batch_lock, flags);
		goto slow;
	}
	lsi_batch_put(ld, iova, paddr, n, lsi_prot(prot), u);
	spin_unlock_irqrestore(&ld->batch_lock, flags);
	*mapped = size;
	return 0;
slow:
	return lsi_map_pages_slow(domain, iova, paddr, pgsize, pgcount, prot, gfp, mapped);
}

/*
 * Flush the queued maps; fail if one of the caller's own ranges did not map (the IOMMU core then
 * unmaps the caller's whole range).
 */
static int lsi_iotlb_sync_map(struct iommu_domain *domain, unsigned long iova, size_t size)
{
	struct lsi_domain *ld = to_lsi(domain);
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	spin_lock_irqsave(&ld->batch_lock, flags);
	lsi_batch_flush(ld);
	for (i = 0; i < ld->nfailed;) {
		struct lsi_failed *f = &ld->failed[i];

		if (f->iova < iova + size && iova < f->iova + f->size) {
			ret = ret ?: f->err;
			*f = ld->failed[--ld->nfailed];
			continue;
		}
		i++;
	}
	spin_unlock_irqrestore(&ld->batch_lock, flags);
	return ret;
}

/* Drop the MMIO records inside [iova, iova + pages) (now unmapped). */
static void lsi_mmio_forget(struct lsi_domain *ld, unsigned long iova, unsigned long pages)
{
	unsigned long end = iova + (pages << PAGE_SHIFT);
	struct lsi_mmio *mm, *t;
	unsigned long flags;

	spin_lock_irqsave(&ld->mmio_lock, flags);
	list_for_each_entry_safe(mm, t, &ld->mmio, node)
	{
		if (mm->iova >= iova && mm->iova + (mm->pages << PAGE_SHIFT) <= end) {
			list_del(&mm->node);
			kfree(mm);
		}
	}
	spin_unlock_irqrestore(&ld->mmio_lock, flags);
}

/* Drop the cached QUERY leaf (an unmap is under way or done). */
static void lsi_leaf_forget(struct lsi_domain *ld)
{
	unsigned long flags;

	spin_lock_irqsave(&ld->batch_lock, flags);
	ld->q_size = 0;
	ld->q_gen++;
	spin_unlock_irqrestore(&ld->batch_lock, flags);
}

/*
 * LS_HVC_IOMMU_UNMAP of [iova, iova + n pages). A window with an unmapped page fails whole
 * (LS_ENOENT): it is redone page by page, skipping the holes (the IOMMU core unmaps a failed
 * map's whole range, of which only part may be mapped). Returns the pages unmapped.
 */
static unsigned long lsi_unmap_range(struct lsi_domain *ld, unsigned long iova, unsigned long n)
{
	unsigned long done = 0, unmapped = 0;
	struct arm_smccc_res res;
	bool single = false;
	int donated = 0;

	while (done < n) {
		unsigned long want = single ? 1 : n - done;

		arm_smccc_1_1_hvc(LS_HVC_IOMMU_UNMAP, ld->id, iova + (done << PAGE_SHIFT), want,
				  &res);
		atomic64_inc(&lsi_stats.unmap_calls);
		/* Splitting a block needs a table page; unmap may run in atomic context. */
		if ((long)res.a0 == LS_ENOMEM && donated++ < 8 &&
		    !lsi_donate(ld, res.a2, res.a1, GFP_ATOMIC | __GFP_NOWARN))
			continue;
		if ((long)res.a0 == LS_ENOENT && !single) {
			single = true;
			continue;
		}
		if ((long)res.a0 == LS_ENOENT) {
			done++;
			continue;
		}
		if ((long)res.a0 != LS_OK || res.a1 == 0 || res.a1 > want) {
			pr_err_ratelimited("dom %lu: UNMAP iova 0x%lx %lu pages -> %ld\n", ld->id,
					   iova + (done << PAGE_SHIFT), want, (long)res.a0);
			break;
		}
		done += res.a1;
		unmapped += res.a1;
		atomic64_add((s64)res.a1, &lsi_stats.unmap_pages);
	}
	lsi_mmio_forget(ld, iova, n);
	lsi_leaf_forget(ld);
	return unmapped;
}

/* Gathered only: the range is unmapped in Lockstep at iotlb_sync (below). */
static size_t lsi_unmap_pages(struct iommu_domain *domain, unsigned long iova, size_t pgsize,
			      size_t pgcount, struct iommu_iotlb_gather *gather)
{
	size_t size = pgsize * pgcount;

	lsi_shadow_set(to_lsi(domain), iova, size, 0, false, GFP_ATOMIC);
	lsi_leaf_forget(to_lsi(domain));
	if (iommu_iotlb_gather_is_disjoint(gather, iova, size)) {
		domain->ops->iotlb_sync(domain, gather);
		iommu_iotlb_gather_init(gather);
	}
	iommu_iotlb_gather_add_range(gather, iova, size);
	return size;
}

static phys_addr_t lsi_iova_to_phys(struct iommu_domain *domain, dma_addr_t iova)
{
	struct lsi_domain *ld = to_lsi(domain);
	unsigned long flags, gen, size;
	struct arm_smccc_res res;
	phys_addr_t pa;
	void *v;

	if (lsi_shadow_on(ld)) {
		atomic64_inc(&lsi_stats.shadow_lookups);
		v = mtree_load(&ld->shadow, iova);
		return v ? (phys_addr_t)(iova + (xa_to_value(v) << PAGE_SHIFT)) : 0;
	}
	spin_lock_irqsave(&ld->batch_lock, flags);
	if (ld->q_size && iova - ld->q_iova < ld->q_size) {
		pa = ld->q_pa + (iova - ld->q_iova);
		spin_unlock_irqrestore(&ld->batch_lock, flags);
		atomic64_inc(&lsi_stats.query_leaf_hits);
		return pa;
	}
	lsi_batch_flush(ld);
	gen = ld->q_gen;
	spin_unlock_irqrestore(&ld->batch_lock, flags);
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_QUERY, ld->id, iova & PAGE_MASK, &res);
	atomic64_inc(&lsi_stats.query_calls);
	if ((long)res.a0 != LS_OK)
		return 0;
	pa = (phys_addr_t)res.a1 + (iova & ~PAGE_MASK);
	/* x3: pages of the leaf mapping the IOVA (1, 512, ...; 0 from an older Lockstep). */
	size = res.a3 << PAGE_SHIFT;
	if (size > PAGE_SIZE && is_power_of_2(size)) {
		spin_lock_irqsave(&ld->batch_lock, flags);
		if (ld->q_gen == gen) {
			ld->q_iova = iova & ~(size - 1);
			ld->q_size = size;
			ld->q_pa = pa - (iova - ld->q_iova);
		}
		spin_unlock_irqrestore(&ld->batch_lock, flags);
	}
	return pa;
}

/*
 * Nothing to do: no unmap is pending outside a gather (each gather is synced by its owner), and
 * LS_HVC_IOMMU_MAP(_BATCH) only fills invalid entries (or invalidates and syncs itself when it
 * merges tables into a block).
 */
static void lsi_flush_iotlb_all(struct iommu_domain *domain)
{
}

/* Unmap the gathered range; each UNMAP returns after Lockstep's invalidation and CMD_SYNC. */
static void lsi_iotlb_sync(struct iommu_domain *domain, struct iommu_iotlb_gather *gather)
{
	if (gather->start > gather->end)
		return;
	lsi_unmap_range(to_lsi(domain), gather->start,
			(gather->end - gather->start + 1) >> PAGE_SHIFT);
}

/*
 * VFIO type1 asks this of every domain it creates and then maps with IOMMU_CACHE. True when
 * Lockstep forces the attributes of every stream attached to a DMA domain to Normal write-back
 * inner shareable (LS_FEAT_DMA_COHERENT: No-Snoop requests snoop too), which holds for every
 * domain and every stream attached later; false otherwise.
 */
static bool lsi_enforce_cache_coherency(struct iommu_domain *domain)
{
	return lsi_features & LS_FEAT_DMA_COHERENT;
}

static const struct iommu_domain_ops lsi_domain_ops = {
	.attach_dev = lsi_attach_dev,
	.enforce_cache_coherency = lsi_enforce_cache_coherency,
	.map_pages = lsi_map_pages,
	.iotlb_sync_map = lsi_iotlb_sync_map,
	.unmap_pages = lsi_unmap_pages,
	.flush_iotlb_all = lsi_flush_iotlb_all,
	.iotlb_sync = lsi_iotlb_sync,
	.iova_to_phys = lsi_iova_to_phys,
	.free = lsi_domain_free,
};

/* --- devices ----------------------------------------------------------------------------- */

static struct iommu_device *lsi_probe_device(struct device *dev)
{
	struct lsi_master *m;
	u16 rid;

	if (!dev_is_pci(dev))
		return ERR_PTR(-ENODEV);
	rid = pci_dev_id(to_pci_dev(dev));
	if (pci_domain_nr(to_pci_dev(dev)->bus) != 0 || rid >= lsi_nr_sids)
		return ERR_PTR(-ENODEV);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->sid = rid; /* RID == StreamID (identity ID mapping of the root complex) */
	m->dom = LSI_NO_DOM;
	dev_iommu_priv_set(dev, m);
	return &lsi_iommu;
}

static void lsi_release_device(struct device *dev)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);
	struct arm_smccc_res res;

	/*
	 * The core attached release_domain (identity) first; the stream is on the host view, unless
	 * a VM has it (the device was removed while assigned): Lockstep gives it back here, so that
	 * the VM's teardown finds no stream of it and VM_DESTROY can succeed.
	 */
	if (m && m->in_vm) {
		arm_smccc_1_1_hvc(LS_HVC_VM_RELEASE_STREAM, m->sid, &res);
		atomic64_inc(&lsi_stats.vm_releases);
		dev_warn(dev, "removed while Lockstep VM %llu has stream 0x%x: released (%ld)\n",
			 m->vm, m->sid, (long)res.a0);
	}
	dev_iommu_priv_set(dev, NULL);
	kfree(m);
}

/*
 * A device that already has a driver when the PV IOMMU arrives has live DMA addresses that are
 * PAs: giving it a translating domain under its driver's feet would break it. It stays on the
 * identity view until it is re-probed (remove + rescan).
 */
static int lsi_def_domain_type(struct device *dev)
{
	if (dev->driver) {
		dev_info(
			dev,
			"bound before lockstep-iommu: identity (unbind before loading to translate it)\n");
		return IOMMU_DOMAIN_IDENTITY;
	}
	return 0;
}

/*
 * Reserved IOVA regions: the software MSI window iommu-dma uses for MSI cookies (unmanaged
 * domains, e.g. VFIO), as arm-smmu-v3 does; DMA domains allocate the doorbell's IOVA from their
 * own space. Plus the firmware's (IORT RMRs, ITS windows) from iommu_dma_get_resv_regions(),
 * which only works for a device with a fwspec: it dereferences dev_iommu_fwspec_get(dev)
 * unconditionally in 6.12, and the devices this driver takes have none (NULL fwnode, above).
 */
static void lsi_get_resv_regions(struct device *dev, struct list_head *head)
{
	struct iommu_resv_region *r;

	r = iommu_alloc_resv_region(LSI_MSI_IOVA_BASE, LSI_MSI_IOVA_LENGTH, LSI_MSI_PROT,
				    LSI_MSI_RESV_TYPE, GFP_KERNEL);
	if (!r)
		return;
	list_add_tail(&r->list, head);
	if (dev_iommu_fwspec_get(dev))
		iommu_dma_get_resv_regions(dev, head);
}

/*
 * What Linux may rely on, as Lockstep reports it (LS_HVC_FEATURES), never assumed. VFIO refuses a
 * device without IOMMU_CAP_CACHE_COHERENCY (it always maps with IOMMU_CACHE and offers user space
 * no cache maintenance). No IOMMU_CAP_NOEXEC (IOMMU_NOEXEC is not passed to Lockstep), no
 * deferred flush (an unmap is complete when iotlb_sync returns), no dirty tracking.
 */
static bool lsi_capable(struct device *dev, enum iommu_cap cap)
{
	switch (cap) {
	case IOMMU_CAP_CACHE_COHERENCY:
	case IOMMU_CAP_ENFORCE_CACHE_COHERENCY:
		return lsi_features & LS_FEAT_DMA_COHERENT;
	default:
		return false;
	}
}

static const struct iommu_ops lsi_ops = {
	.capable = lsi_capable,
	.identity_domain = &lsi_identity_domain,
	.blocked_domain = &lsi_blocked_domain,
	.release_domain = &lsi_identity_domain,
	.domain_alloc_paging = lsi_domain_alloc_paging,
	.probe_device = lsi_probe_device,
	.release_device = lsi_release_device,
	.device_group = pci_device_group,
	.def_domain_type = lsi_def_domain_type,
	.get_resv_regions = lsi_get_resv_regions,
	.pgsize_bitmap = SZ_4K | SZ_2M,
	.owner = THIS_MODULE,
	.default_domain_ops = &lsi_domain_ops,
};

/* --- devices of protected VMs (include/lockstep/pviommu-vm.h) ---------------------------- */

/*
 * Bus Master Enable off (PCI Express Base 6.0, 7.5.1.1.3 "Command Register", bit 2): the function
 * issues no new memory request while its stream moves through the host identity view between two
 * hypercalls. Returns the Command register to restore.
 */
static u16 lsi_dma_quiesce(struct pci_dev *pdev)
{
	u16 cmd;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (cmd & PCI_COMMAND_MASTER)
		pci_write_config_word(pdev, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
	return cmd;
}

static void lsi_dma_resume(struct pci_dev *pdev, u16 cmd)
{
	if (cmd & PCI_COMMAND_MASTER)
		pci_write_config_word(pdev, PCI_COMMAND, cmd);
}

/* Re-attach the stream to m->ld (it is on the host identity view). */
static int lsi_vm_reattach(struct device *dev, struct lsi_master *m)
{
	struct arm_smccc_res res;

	if (!m->ld)
		return 0;
	arm_smccc_1_1_hvc(LS_HVC_IOMMU_ATTACH, m->ld->id, m->sid, &res);
	atomic64_inc(&lsi_stats.attach_calls);
	if ((long)res.a0 != LS_OK) {
		dev_err(dev, "stream 0x%x: ATTACH dom %lu -> %ld: left on the host identity view\n",
			m->sid, m->ld->id, (long)res.a0);
		return lsi_errno((long)res.a0);
	}
	m->dom = (long)m->ld->id;
	return 0;
}

struct lsi_vm_op {
	u64 vm;
	int err, n;
};

/* Pass 1 of an assignment: every device is ours, in a paging domain, and no VM's yet. */
static int lsi_vm_check_dev(struct device *dev, void *data)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);

	if (!dev_is_pci(dev) || !m)
		return -ENODEV;
	if (m->in_vm)
		return -EBUSY;
	if (!m->ld || m->dom == LSI_NO_DOM)
		return -EINVAL;
	return 0;
}

static int lsi_vm_assign_dev(struct device *dev, void *data)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);
	struct pci_dev *pdev = to_pci_dev(dev);
	struct lsi_vm_op *op = data;
	struct arm_smccc_res res;
	u16 cmd;
	int ret;

	if (!m || m->in_vm || !m->ld)
		return -EBUSY; /* changed since pass 1 */
	cmd = lsi_dma_quiesce(pdev);
	/* Lockstep assigns only a stream on the host identity view (LS_EBUSY from a domain). */
	ret = lsi_detach(m);
	if (!ret) {
		arm_smccc_1_1_hvc(LS_HVC_VM_ASSIGN_STREAM, op->vm, m->sid, &res);
		ret = lsi_errno((long)res.a0);
		if (ret) {
			dev_err(dev, "stream 0x%x: VM_ASSIGN_STREAM vm %llu -> %ld\n", m->sid,
				op->vm, (long)res.a0);
			lsi_vm_reattach(dev, m);
		}
	}
	if (!ret) {
		m->in_vm = true;
		m->vm = op->vm;
		atomic_inc(&m->ld->vm_streams);
		atomic64_inc(&lsi_stats.vm_assigns);
		op->n++;
		dev_info(dev, "stream 0x%x assigned to Lockstep VM %llu (left DMA domain %lu)\n",
			 m->sid, op->vm, m->ld->id);
	}
	lsi_dma_resume(pdev, cmd);
	return ret;
}

static int lsi_vm_release_dev(struct device *dev, void *data)
{
	struct lsi_master *m = dev_iommu_priv_get(dev);
	struct lsi_vm_op *op = data;
	struct arm_smccc_res res;
	u16 cmd;
	int ret;

	if (!m || !m->in_vm || (op->vm != ~0ULL && m->vm != op->vm))
		return 0;
	cmd = lsi_dma_quiesce(to_pci_dev(dev));
	arm_smccc_1_1_hvc(LS_HVC_VM_RELEASE_STREAM, m->sid, &res);
	ret = lsi_errno((long)res.a0);
	if (ret) {
		dev_err(dev, "stream 0x%x: VM_RELEASE_STREAM -> %ld\n", m->sid, (long)res.a0);
		op->err = op->err ?: ret;
	} else {
		m->in_vm = false;
		if (m->ld)
			atomic_dec(&m->ld->vm_streams);
		atomic64_inc(&lsi_stats.vm_releases);
		op->n++;
		ret = lsi_vm_reattach(dev, m);
		op->err = op->err ?: ret;
		dev_info(dev, "stream 0x%x released by Lockstep VM %llu, back to %s\n", m->sid,
			 m->vm, m->ld ? "its DMA domain" : "the host identity view");
	}
	lsi_dma_resume(to_pci_dev(dev), cmd);
	return 0;
}

int lockstep_iommu_vm_assign(struct iommu_group *group, unsigned long long vm)
{
	struct lsi_vm_op op = { .vm = vm };
	int ret;

	/* Only a group a user-space driver owns (VFIO's container domain, or blocked). */
	if (!iommu_group_dma_owner_claimed(group))
		return -EINVAL;
	ret = iommu_group_for_each_dev(group, NULL, lsi_vm_check_dev);
	if (ret)
		return ret;
	ret = iommu_group_for_each_dev(group, &op, lsi_vm_assign_dev);
	if (ret) {
		/* All or nothing: give back the streams this call moved. */
		iommu_group_for_each_dev(group, &op, lsi_vm_release_dev);
		return ret;
	}
	return op.n ?: -EINVAL;
}
EXPORT_SYMBOL_GPL(lockstep_iommu_vm_assign);

int lockstep_iommu_vm_release(struct iommu_group *group)
{
	struct lsi_vm_op op = { .vm = ~0ULL };

	iommu_group_for_each_dev(group, &op, lsi_vm_release_dev);
	if (op.err)
		return op.err;
	return op.n ? 0 : -ENOENT;
}
EXPORT_SYMBOL_GPL(lockstep_iommu_vm_release);

/* --- probe Lockstep ---------------------------------------------------------------------- */

static int lsi_probe_hyp(void)
{
	struct arm_smccc_res res;
	long streams;
	int ret;

	ret = lsi_arch_present();
	if (ret)
		return ret;
	/* Call UID (SMCCC DEN 0028, 6.2). */
	arm_smccc_1_1_hvc(LS_HVC_CALL_UID, &res);
	if ((u32)res.a0 != LS_UID_W0 || (u32)res.a1 != LS_UID_W1 || (u32)res.a2 != LS_UID_W2 ||
	    (u32)res.a3 != LS_UID_W3) {
		pr_err("Lockstep not present (Call UID %08x-...)\n", (u32)res.a0);
		return -ENODEV;
	}
	arm_smccc_1_1_hvc(LS_HVC_VERSION, &res);
	if ((long)res.a0 != LS_OK || (res.a1 >> 16) != LS_ABI_MAJOR) {
		pr_err("Lockstep ABI %lu.%lu unsupported\n", res.a1 >> 16, res.a1 & 0xffff);
		return -EPROTO;
	}
	lsi_abi_minor = res.a1 & 0xffff;
	arm_smccc_1_1_hvc(LS_HVC_FEATURES, &res);
	if ((long)res.a0 != LS_OK) {
		pr_err("Lockstep FEATURES -> %ld\n", (long)res.a0);
		return -ENODEV;
	}
	lsi_features = res.a1;
	/*
	 * Streams that may join DMA domains: [0, x1) (arm64: the firmware's ranges, gaps refuse
	 * ATTACH; x86: every source id of the VT-d unit).
	 */
	arm_smccc_1_1_hvc(LS_HVC_SMMU_STATS, LS_SMMU_STAT_STREAMS, &res);
	streams = (long)res.a0;
	if (!lsi_arch_iommu_owned(lsi_features, streams)) {
		pr_err("Lockstep does not own an IOMMU (FEATURES 0x%lx, SMMU_STATS -> %ld)\n",
		       lsi_features, streams);
		return -ENODEV;
	}
	if (streams != LS_OK || !res.a1) {
		pr_err("Lockstep SMMU streams unknown (SMMU_STATS -> %ld)\n", (long)res.a0);
		return -ENODEV;
	}
	lsi_nr_sids = min_t(unsigned long, res.a1, LSI_MAX_RID);
	return 0;
}

static int lsi_stats_show(struct seq_file *s, void *unused)
{
#define LSI_SHOW(f) seq_printf(s, #f " %lld\n", atomic64_read(&lsi_stats.f))
	LSI_SHOW(map_calls);
	LSI_SHOW(map_pages);
	LSI_SHOW(unmap_calls);
	LSI_SHOW(unmap_pages);
	LSI_SHOW(donate_calls);
	LSI_SHOW(donate_pages);
	LSI_SHOW(query_calls);
	LSI_SHOW(attach_calls);
	LSI_SHOW(detach_calls);
	LSI_SHOW(domains);
	LSI_SHOW(batch_calls);
	LSI_SHOW(batch_entries);
	LSI_SHOW(shadow_lookups);
	LSI_SHOW(query_leaf_hits);
	LSI_SHOW(mmio_maps);
	LSI_SHOW(mmio_pages);
	LSI_SHOW(vm_assigns);
	LSI_SHOW(vm_releases);
	LSI_SHOW(vm_refused_maps);
#undef LSI_SHOW
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lsi_stats);

/* --- debugfs selftest: the ops through the core API on a private domain ------------------ */

static DEFINE_MUTEX(lsi_st_lock);
static char lsi_st_result[256];

#define LSI_ST_IOVA  0x10000000UL /* 64 single pages, one per 2 MiB: one table page each */
#define LSI_ST_BLOCK SZ_1G	  /* one 2 MiB block */
#define LSI_ST_PAGES 64
#define LSI_ST_MMIO  (SZ_1G + SZ_4M) /* the device's BAR 0 page, IOMMU_MMIO */
#define LSI_ST_SG    (SZ_1G + SZ_8M) /* the map_sg runs, unmapped before the next */

/*
 * iommu_map_sg() of @nents segments of @seg bytes each, segment i at @pa[i % npa] (no two
 * consecutive ones physically adjacent, so the core makes one map_pages call per segment), at
 * LSI_ST_SG: the domain's list must be sent exactly @calls times (MAP_BATCH, repeated only after
 * a pool donation) and no single MAP made (that would say a batch was refused and retried entry
 * by entry), and the first and last page of every segment must translate. Unmapped again before
 * it returns.
 */
static int lsi_selftest_sg(struct iommu_domain *dom, const phys_addr_t *pa, unsigned int npa,
			   unsigned int nents, size_t seg, unsigned long calls, const char *what,
			   bool *leak)
{
	struct lsi_domain *ld = to_lsi(dom);
	s64 single = atomic64_read(&lsi_stats.map_calls);
	unsigned long c0 = READ_ONCE(ld->batch_flushes), c1, i;
	struct scatterlist *sg;
	struct sg_table sgt;
	ssize_t mapped;
	int ret = 0;

	if (sg_alloc_table(&sgt, nents, GFP_KERNEL))
		return -ENOMEM;
	for_each_sg(sgt.sgl, sg, nents, i)
	{
		sg_set_page(sg, pfn_to_page(PHYS_PFN(pa[i % npa])), seg, 0);
	}
	mapped = iommu_map_sg(dom, LSI_ST_SG, sgt.sgl, nents, IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
	c1 = READ_ONCE(ld->batch_flushes) - c0;
	single = atomic64_read(&lsi_stats.map_calls) - single;
	if (mapped != (ssize_t)(nents * seg) || c1 != calls || single) {
		snprintf(lsi_st_result, sizeof(lsi_st_result),
			 "fail: map_sg %s: %zd of %zu bytes, %lu lists sent (want %lu), %lld MAP\n",
			 what, mapped, nents * seg, c1, calls, single);
		ret = -EIO;
	}
	for (i = 0; i < nents && !ret && mapped > 0; i++) {
		unsigned long iova = LSI_ST_SG + i * seg;

		if (iommu_iova_to_phys(dom, iova) != pa[i % npa] ||
		    iommu_iova_to_phys(dom, iova + seg - 1) != pa[i % npa] + seg - 1) {
			snprintf(lsi_st_result, sizeof(lsi_st_result),
				 "fail: map_sg %s: segment %lu does not translate\n", what, i);
			ret = -EIO;
		}
	}
	if (mapped > 0 && iommu_unmap(dom, LSI_ST_SG, mapped) != mapped) {
		pr_err("selftest: map_sg %s: unmap failed; its pages stay allocated\n", what);
		*leak = true;
		ret = ret ?: -EIO;
	}
	sg_free_table(&sgt);
	return ret;
}

/*
 * Two map_pages into one list, the second below the first (what two CPUs' iommu_map() calls can
 * do between their iotlb_sync_map): MAP_BATCH wants entries ascending, so the second must flush
 * the first and start a new list: two lists sent, no single MAP, both pages translating.
 */
static int lsi_selftest_desc(struct iommu_domain *dom, const phys_addr_t *pa, bool *leak)
{
	struct lsi_domain *ld = to_lsi(dom);
	s64 single = atomic64_read(&lsi_stats.map_calls);
	unsigned long c0 = READ_ONCE(ld->batch_flushes), c1;
	size_t m1 = 0, m2 = 0;
	int ret = 0, r1, r2, r3;

	r1 = lsi_map_pages(dom, LSI_ST_SG + SZ_4K, pa[0], SZ_4K, 1, IOMMU_READ, GFP_KERNEL, &m1);
	r2 = lsi_map_pages(dom, LSI_ST_SG, pa[1], SZ_4K, 1, IOMMU_READ, GFP_KERNEL, &m2);
	r3 = lsi_iotlb_sync_map(dom, LSI_ST_SG, 2 * SZ_4K);
	c1 = READ_ONCE(ld->batch_flushes) - c0;
	single = atomic64_read(&lsi_stats.map_calls) - single;
	if (r1 || r2 || r3 || m1 != SZ_4K || m2 != SZ_4K || c1 != 2 || single ||
	    iommu_iova_to_phys(dom, LSI_ST_SG + SZ_4K) != pa[0] ||
	    iommu_iova_to_phys(dom, LSI_ST_SG) != pa[1]) {
		snprintf(
			lsi_st_result, sizeof(lsi_st_result),
			"fail: descending map_pages: %d %d %d, %lu lists sent (want 2), %lld MAP\n",
			r1, r2, r3, c1, single);
		ret = -EIO;
	}
	if (iommu_unmap(dom, LSI_ST_SG, 2 * SZ_4K) != 2 * SZ_4K) {
		pr_err("selftest: descending map_pages: unmap failed; its pages stay allocated\n");
		*leak = true;
		ret = ret ?: -EIO;
	}
	return ret;
}

/*
 * MMIO (what iommu-dma does for an MSI doorbell): the device's BAR 0 page, device memory the host
 * stage-2 maps, maps with IOMMU_MMIO and translates; a RAM page with IOMMU_MMIO is refused
 * (LS_EINVAL, nothing mapped). The MMIO page stays mapped, as iommu-dma leaves its MSI pages:
 * iommu_domain_free() must unmap it for DOMAIN_DESTROY to succeed (the caller checks the domain
 * count). *done: whether the MMIO page was mapped (no memory BAR: nothing to try).
 */
static int lsi_selftest_mmio(struct iommu_domain *dom, struct device *dev, phys_addr_t ram,
			     bool *done)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	phys_addr_t bar;
	int ret;

	*done = false;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) || !pci_resource_len(pdev, 0))
		return 0;
	bar = pci_resource_start(pdev, 0) & PAGE_MASK;
	ret = iommu_map(dom, LSI_ST_MMIO, bar, SZ_4K, IOMMU_READ | IOMMU_WRITE | IOMMU_MMIO,
			GFP_KERNEL);
	if (ret || iommu_iova_to_phys(dom, LSI_ST_MMIO + 0x10) != bar + 0x10) {
		snprintf(lsi_st_result, sizeof(lsi_st_result), "fail: MMIO map of BAR %pa: %d\n",
			 &bar, ret);
		return ret ?: -EIO;
	}
	*done = true;
	ret = iommu_map(dom, LSI_ST_MMIO + SZ_4K, ram, SZ_4K, IOMMU_READ | IOMMU_MMIO, GFP_KERNEL);
	if (ret != -EINVAL || iommu_iova_to_phys(dom, LSI_ST_MMIO + SZ_4K) != 0) {
		snprintf(lsi_st_result, sizeof(lsi_st_result),
			 "fail: RAM with IOMMU_MMIO: %d, want -EINVAL\n", ret);
		return -EIO;
	}
	return 0;
}

/*
 * Write a PCI device name (e.g. 0000:00:10.0, one this driver probed) to
 * /sys/kernel/debug/lockstep-iommu/selftest: a paging domain is allocated for it (not attached),
 * 64 pages are mapped 2 MiB apart (more table pages than the 16-page initial pool: LS_ENOMEM and
 * POOL_DONATE), a 2 MiB block is mapped in one MAP call, a page is cut out of it, the device's
 * BAR 0 page is mapped as MMIO and a RAM page as MMIO refused (lsi_selftest_mmio), everything is
 * checked with iova_to_phys, unmapped (the MMIO page by iommu_domain_free) and the domain
 * destroyed. Read the file for the verdict.
 */
static int lsi_selftest(struct device *dev)
{
	s64 donate0 = atomic64_read(&lsi_stats.donate_calls), calls;
	struct page *pg, *blk = NULL;
	struct iommu_domain *dom;
	unsigned long i, mapped = 0;
	bool blk_mapped = false, mmio = false, sg_leak = false;
	phys_addr_t pa, bpa = 0, sgpa[4];
	struct page *sgp = NULL;
	int ret = 0;

	pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg)
		return -ENOMEM;
	pa = page_to_phys(pg);
	dom = iommu_paging_domain_alloc(dev);
	if (IS_ERR(dom)) {
		__free_page(pg);
		return PTR_ERR(dom);
	}
	for (i = 0; i < LSI_ST_PAGES && !ret; i++) {
		ret = iommu_map(dom, LSI_ST_IOVA + i * SZ_2M, pa, SZ_4K, IOMMU_READ | IOMMU_WRITE,
				GFP_KERNEL);
		if (!ret)
			mapped++;
	}
	if (ret) {
		snprintf(lsi_st_result, sizeof(lsi_st_result), "fail: map page %lu: %d\n", mapped,
			 ret);
		goto unmap;
	}
	for (i = 0; i < LSI_ST_PAGES; i++) {
		if (iommu_iova_to_phys(dom, LSI_ST_IOVA + i * SZ_2M + 0x123) != pa + 0x123) {
			snprintf(lsi_st_result, sizeof(lsi_st_result), "fail: query page %lu\n", i);
			ret = -EIO;
			goto unmap;
		}
	}
	blk = alloc_pages(GFP_KERNEL | __GFP_NOWARN, get_order(SZ_2M));
	if (blk) {
		bpa = page_to_phys(blk);
		/* One hypercall: one MAP_BATCH entry of 512 pages (a block in Lockstep). */
		calls = atomic64_read(&lsi_stats.batch_calls) + atomic64_read(&lsi_stats.map_calls);
		ret = iommu_map(dom, LSI_ST_BLOCK, bpa, SZ_2M, IOMMU_READ, GFP_KERNEL);
		calls = atomic64_read(&lsi_stats.batch_calls) +
			atomic64_read(&lsi_stats.map_calls) - calls;
		if (ret || calls != 1) {
			snprintf(lsi_st_result, sizeof(lsi_st_result),
				 "fail: 2 MiB map: %d in %lld calls\n", ret, calls);
			ret = ret ?: -EIO;
			goto unmap;
		}
		blk_mapped = true;
		/* Cut one page out of the block: Lockstep splits it (break-before-make). */
		if (iommu_unmap(dom, LSI_ST_BLOCK + SZ_1M, SZ_4K) != SZ_4K ||
		    iommu_iova_to_phys(dom, LSI_ST_BLOCK + SZ_1M) != 0 ||
		    iommu_iova_to_phys(dom, LSI_ST_BLOCK + SZ_1M + SZ_4K) != bpa + SZ_1M + SZ_4K ||
		    iommu_iova_to_phys(dom, LSI_ST_BLOCK) != bpa) {
			snprintf(lsi_st_result, sizeof(lsi_st_result),
				 "fail: cutting a page out\n");
			ret = -EIO;
			goto unmap;
		}
	}
	/*
	 * map_sg, the paths of lsi_map_pages() that flush: 2 * LS_IOMMU_BATCH_MAX single pages (the
	 * list full after 170: sent twice), then 20 entries of 1 MiB (256 budget units each: the
	 * budget of 4096 reached after 16, sent twice); then an entry below the list's last.
	 */
	sgp = alloc_pages(GFP_KERNEL | __GFP_NOWARN, get_order(SZ_1M));
	if (!sgp) {
		snprintf(lsi_st_result, sizeof(lsi_st_result), "fail: no 1 MiB for map_sg\n");
		ret = -ENOMEM;
		goto unmap;
	}
	for (i = 0; i < ARRAY_SIZE(sgpa); i++)
		sgpa[i] = page_to_phys(sgp) + 2 * i * SZ_4K; /* 4 pages, none adjacent */
	ret = lsi_selftest_sg(dom, sgpa, ARRAY_SIZE(sgpa), 2 * LS_IOMMU_BATCH_MAX, SZ_4K, 2,
			      "full list", &sg_leak);
	if (!ret)
		ret = lsi_selftest_sg(dom, sgpa, 1, 20, SZ_1M, 2, "budget", &sg_leak);
	if (!ret)
		ret = lsi_selftest_desc(dom, sgpa, &sg_leak);
	if (ret)
		goto unmap;
	ret = lsi_selftest_mmio(dom, dev, pa, &mmio);
	if (ret)
		goto unmap;
unmap:
	if (blk_mapped) {
		if (iommu_unmap(dom, LSI_ST_BLOCK, SZ_1M) != SZ_1M ||
		    iommu_unmap(dom, LSI_ST_BLOCK + SZ_1M + SZ_4K, SZ_1M - SZ_4K) !=
			    SZ_1M - SZ_4K) {
			pr_err("selftest: block unmap failed; its pages stay allocated\n");
			blk = NULL;
			ret = ret ?: -EIO;
		}
	}
	for (i = 0; i < mapped; i++) {
		if (iommu_unmap(dom, LSI_ST_IOVA + i * SZ_2M, SZ_4K) != SZ_4K) {
			pr_err("selftest: unmap page %lu failed; the page stays allocated\n", i);
			pg = NULL;
			ret = ret ?: -EIO;
		}
	}
	if (pg && iommu_iova_to_phys(dom, LSI_ST_IOVA) != 0)
		ret = ret ?: -EIO;
	if (!ret)
		snprintf(
			lsi_st_result, sizeof(lsi_st_result),
			"ok: %d pages 2 MiB apart, %s, list flushes (full, budget, descending), donations %lld, %s\n",
			LSI_ST_PAGES,
			blk ? "2 MiB block in 1 MAP call and split" : "no 2 MiB block (no memory)",
			atomic64_read(&lsi_stats.donate_calls) - donate0,
			mmio ? "BAR page as MMIO, RAM as MMIO refused" : "no memory BAR");
	iommu_domain_free(dom);
	if (sgp && !sg_leak)
		__free_pages(sgp, get_order(SZ_1M));
	if (blk)
		__free_pages(blk, get_order(SZ_2M));
	if (pg)
		__free_page(pg);
	return ret;
}

static ssize_t lsi_st_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char name[32];
	struct device *dev;
	int ret;

	if (count == 0 || count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = 0;
	strim(name);
	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	if (!dev)
		return -ENODEV;
	mutex_lock(&lsi_st_lock);
	if (dev_iommu_priv_get(dev)) {
		snprintf(lsi_st_result, sizeof(lsi_st_result), "fail: no result\n");
		ret = lsi_selftest(dev);
	} else {
		snprintf(lsi_st_result, sizeof(lsi_st_result),
			 "fail: %s not behind lockstep-iommu\n", name);
		ret = -ENODEV;
	}
	mutex_unlock(&lsi_st_lock);
	put_device(dev);
	pr_info("selftest %s: %s", name, lsi_st_result);
	return ret ? ret : (ssize_t)count;
}

static ssize_t lsi_st_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[sizeof(lsi_st_result)];

	mutex_lock(&lsi_st_lock);
	strscpy(buf, lsi_st_result, sizeof(buf));
	mutex_unlock(&lsi_st_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static const struct file_operations lsi_st_fops = {
	.owner = THIS_MODULE,
	.write = lsi_st_write,
	.read = lsi_st_read,
};

/*
 * Lockstep drains the SMMU's event queue when a hypercall or a host abort exits to the host (it
 * takes no interrupts). A host that makes no hypercall for a while would leave events queued:
 * this timer makes one (SMMU_STATS, which drains first) every second, and reports new fault
 * records here too; Lockstep's own log has each one (rate-limited per stream, type and page).
 */
#define LSI_EVT_POLL_MS 1000
static u64 lsi_evt_seen;
static void lsi_evt_poll(struct work_struct *w);
static DECLARE_DELAYED_WORK(lsi_evt_work, lsi_evt_poll);

static void lsi_evt_poll(struct work_struct *w)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(LS_HVC_SMMU_STATS, LS_SMMU_STAT_FAULTS, &res);
	if ((long)res.a0 == LS_OK && res.a1 != lsi_evt_seen) {
		pr_warn_ratelimited(
			"SMMU: %llu new fault records (%llu in all; Lockstep's log has them)\n",
			(unsigned long long)(res.a1 - lsi_evt_seen), (unsigned long long)res.a1);
		lsi_evt_seen = res.a1;
	}
	schedule_delayed_work(&lsi_evt_work, msecs_to_jiffies(LSI_EVT_POLL_MS));
}

static int __init lsi_init(void)
{
	struct arm_smccc_res res;
	int ret;

	ret = lsi_probe_hyp();
	if (ret)
		return ret;
	ret = iommu_device_sysfs_add(&lsi_iommu, NULL, NULL, "lockstep-pviommu");
	if (ret)
		return ret;
	lsi_debugfs = debugfs_create_dir("lockstep-iommu", NULL);
	debugfs_create_file("stats", 0400, lsi_debugfs, NULL, &lsi_stats_fops);
	debugfs_create_file("selftest", 0600, lsi_debugfs, NULL, &lsi_st_fops);
	/* NULL hwdev: NULL fwnode, offered every device that has no fwspec. */
	ret = iommu_device_register(&lsi_iommu, &lsi_ops, NULL);
	if (ret) {
		pr_err("iommu_device_register: %d\n", ret);
		debugfs_remove(lsi_debugfs);
		iommu_device_sysfs_remove(&lsi_iommu);
		return ret;
	}
	pr_info("registered: PCI streams 0..0x%lx, 4K|2M pages, IOVA %d bits, DMA %s\n",
		lsi_nr_sids - 1, LSI_IOVA_BITS,
		lsi_features & LS_FEAT_DMA_COHERENT ? "coherent (LS_FEAT_DMA_COHERENT)" :
						      "not known coherent: no VFIO");
	arm_smccc_1_1_hvc(LS_HVC_SMMU_STATS, LS_SMMU_STAT_FAULTS, &res);
	lsi_evt_seen = (long)res.a0 == LS_OK ? res.a1 : 0;
	schedule_delayed_work(&lsi_evt_work, msecs_to_jiffies(LSI_EVT_POLL_MS));
	return 0;
}

static void __exit lsi_exit(void)
{
	cancel_delayed_work_sync(&lsi_evt_work);
	iommu_device_unregister(&lsi_iommu);
	/* Every device went back to the identity view (release_domain): no stream is blocked. */
	if (lsi_blocked)
		lsi_domain_free(lsi_blocked);
	iommu_device_sysfs_remove(&lsi_iommu);
	debugfs_remove(lsi_debugfs);
}

module_init(lsi_init);
module_exit(lsi_exit);
MODULE_DESCRIPTION("Lockstep paravirtual IOMMU (host DMA domains)");
MODULE_LICENSE("GPL");
