/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the ownership units share and nobody else sees (hyp/mem/): the database,
 * the principals and their views, the transaction engine. The public interfaces
 * are hyp/include/hyp/own.h (database, views, init, introspection),
 * mem_protect.h (transitions), vm.h (VM lifecycle and pools) and hdom.h (host
 * DMA domains); docs/ownership.md "Code layout".
 */
#ifndef HYP_MEM_OWN_INTERNAL_H
#define HYP_MEM_OWN_INTERNAL_H

#include <errno.h>

#include "hyp/hdom.h"
#include "hyp/measure.h"
#include "hyp/mem_protect.h"
#include "hyp/own.h"
#include "hyp/vm.h"
#include "hyp/plat.h"
#include "hyp/spinlock.h"
#include "hyp/vcpu.h"

#define OWN_VM_POOL_MAX ((u64)OWN_MAX_POOL_RUNS * OWN_BUDGET_PAGES)
#define OWN_MIN_IA_BITS 32U
#define OWN_MAX_IA_BITS 48U

/* Attributes per state: borrowed and shared pages are never executable. */
#define OWN_ATTR_OWNED	PT_RWX
#define OWN_ATTR_SHARED PT_RW
/* MMIO a VM took from the host (vmmmio.c): device memory, read/write, never executable. */
#define OWN_ATTR_MMIO	(PT_RW | PT_DEVICE)

/* A VM's guest-facing state (hyp/mem/vcpu.c): guarded by @lock, see there. */
struct own_vm_run {
	struct hyp_spinlock lock;
	struct vcpu *vcpu[VCPU_MAX];
	unsigned int nr_vcpus;
	bool started;	  /* a vCPU entered the guest: registers and vCPU set fixed */
	bool dying;	  /* the host reclaims its memory: never runs again */
	bool shutdown;	  /* guest SYSTEM_OFF / SYSTEM_RESET */
	u8 shutdown_type; /* LS_SHUTDOWN_OFF or LS_SHUTDOWN_RESET, once shutdown */
	bool guarded;	  /* MMIO guard on: only guard[] granules are MMIO */
	unsigned int nr_guard;
	u64 guard[VCPU_MMIO_GUARD_MAX];
	u64 stat[8];	     /* LS_VM_STAT_* counters kept here (atomic) */
	struct vm_meas meas; /* launch measurement: donations until started */
	/* Holes: IPA ranges the host reclaimed after the first run (an access is a memory fault). */
	unsigned int nr_holes;
	struct own_range hole[VCPU_HOLE_MAX];
};

struct own_principal {
	struct hyp_spinlock lock;
	bool live;
	u32 id;	      /* OWN_HOST or the VM id */
	u16 owner;    /* DB owner code */
	u64 nr_pages; /* pages owned (VMs) */
	struct pt_pool pool;
	struct own_view view;
	unsigned int nr_runs; /* pool donations */
	struct own_range runs[OWN_MAX_POOL_RUNS];
	struct own_vm_run vm_run; /* VMs */
	int vm_iommu_dom;	  /* VMs: view.dom index its assigned streams share, or -1 */
	/* VMs: MMIO ranges taken from the host (vmmmio.c; written under host + VM locks). */
	unsigned int nr_mmio;
	struct own_mmio mmio[OWN_VM_MAX_MMIO];
};

/* One gfn -> pfn run of a VM window, uniform in attributes. */
struct own_run {
	u64 ipa;
	u64 pa;
	u64 n;
	pt_attr_t attr;
	u16 *db; /* the DB entries of its pages (own_vm_runs, own_vm_page_runs) */
};

/* Page sets of the host's side of a bitmap conversion kept from the cost pass to the commit. */
#define OWN_TX_GROUPS 4

/* Per-view gathered invalidations of one transaction. */
struct own_gathers {
	struct pt_gather cpu;
	struct pt_gather dom[OWN_MAX_DOMS];
};

enum own_op_kind { OWN_OP_MAP, OWN_OP_UNMAP, OWN_OP_ATTR };

struct own_op {
	enum own_op_kind kind;
	u64 ia;
	u64 size;
	u64 pa;
	pt_attr_t attr;
};

struct own_global {
	unsigned int nr_ram;
	struct own_range ram[OWN_MAX_RANGES];
	u64 ram_first[OWN_MAX_RANGES]; /* DB index of each range's first page */
	u16 *db;
	enum pt_fmt_id cpu_fmt;
	bool cpu_coherent;
	const struct own_inval_ops *cpu_ops;
	void *cpu_priv;
	struct own_principal host;
	struct own_principal vm[OWN_MAX_VMS];
	/* Host DMA domains (host lock). */
	u8 *dma; /* DMA map count per page, right after the DB entries */
	struct own_hdom hdom[OWN_MAX_HDOMS];
	struct own_pin pins[OWN_MAX_PINS]; /* device pins (pin.c), counted in dma[] */
	const struct own_iommu_ops *iommu;
	void *iommu_drv;
	u32 iommu_sids;
	enum pt_fmt_id iommu_fmt;
	bool iommu_coherent;
	unsigned int nr_sids;		/* attached streams */
	u32 sid[OWN_HDOM_MAX_SIDS];	/* attached stream ids (first nr_sids) */
	u32 sid_dom[OWN_HDOM_MAX_SIDS]; /* their domains */
	/*
	 * Block summaries (host lock; docs/ownership.md "Block summaries"): per PA-aligned
	 * 2 MiB and 1 GiB block of each RAM range (clipped to the range), the DB entry every
	 * page of it has when all are equal and no host DMA domain maps any, else
	 * OWN_SUM_MIXED. Kept exact by own_db_set() and the DMA map counts (hdom.c).
	 */
	u16 *sum2m;
	u16 *sum1g;
	/*
	 * DMA map count per 2 MiB block (host lock), counted once for a mapping of the whole
	 * block: non-zero only while its summary is uniform, pushed down to own.dma[] when it
	 * stops being; a page's count is own.dma[page] + own.dma2m[its block].
	 */
	u8 *dma2m;
	u64 nr_sum2m, nr_sum1g;
	u64 sum2m_first[OWN_MAX_RANGES]; /* index of each range's first block */
	u64 sum1g_first[OWN_MAX_RANGES];
	/* Streams assigned to VMs (vmdev.c; host lock). */
	unsigned int nr_vm_sids;
	u32 vm_sid[OWN_VM_MAX_SIDS];
	u32 vm_sid_vm[OWN_VM_MAX_SIDS];
};

extern struct own_global own;

/* Gfn runs of the current window; protected by the host lock. */
extern struct own_run own_scratch[OWN_BUDGET_PAGES];

extern const struct pt_ops own_cpu_pt_ops;

/* Alignment, zero length, wrap: -EINVAL. Inline: every entry of a MAP_BATCH asks it twice. */
static inline int own_check_args(u64 addr, u64 n)
{
	if (!n || !IS_ALIGNED(addr, PAGE_SIZE))
		return -EINVAL;
	if (n > (~(u64)0 >> PAGE_SHIFT) || addr + (n << PAGE_SHIFT) - 1 < addr)
		return -EINVAL;
	return 0;
}

int own_check_ipa(const struct own_principal *vm, u64 ipa, u64 n);

int own_check_pa(u64 pa, u64 n, u16 **e);

void own_db_set(u16 *e, u64 n, u16 clear, u16 set);

/* Summaries follow pages [e, e + n) (own_db_set does it; the DMA map counts call it). */
void own_sum_update(const u16 *e, u64 n);

u16 *own_db_span(u64 pa, u64 n);

/*
 * DMA map counts (own.c; host lock): a page's is own.dma[page] plus its 2 MiB block's
 * own.dma2m[], which only a uniform block has (docs/ownership.md "Block summaries").
 */
bool own_dma_busy(const u16 *e, u64 n);
/* Every page of the span reachable by the host (-EPERM) and below OWN_DMA_MAX_MAPS (-ENOSPC). */
int own_dma_check(const u16 *e, u64 n);
/* One mapping more (@up) or fewer of every page of the span. */
void own_dma_add(const u16 *e, u64 n, bool up);
/*
 * [pa, pa + n pages): own_check_pa() (-ERANGE), own_dma_check() (-EPERM, -ENOSPC), then one
 * mapping more of each page; nothing changed on error. Fast for one page or one whole block.
 */
int own_dma_take(u64 pa, u64 n);
/* One mapping fewer of each page of [pa, pa + n pages); -ERANGE (nothing done) if not in RAM. */
int own_dma_put(u64 pa, u64 n);
/* The blocks the span touches counted page by page from now on (block counts pushed down). */
void own_dma_split(const u16 *e, u64 n);
/* Page @e's DMA map count. */
u8 own_dma_maps(const u16 *e);

u8 *own_dma_of(const u16 *e);

void own_gathers_init(struct own_gathers *g);

int own_lock_host_vm(u32 vm, struct own_principal **p);

struct own_op own_op_host(enum own_op_kind kind, u64 pa, u64 n, pt_attr_t attr);

int own_reserve(struct own_principal *p, u64 cost, struct own_res *res);

int own_reserve_pool(struct pt_pool *pool, u32 who, u64 cost, struct own_res *res);

u16 *own_run_db(const struct own_run *r);

bool own_run_shared(const struct own_run *r);

void own_scrub(u64 pa, u64 n);

void own_unlock_host_vm(struct own_principal *v);

void own_view_apply(struct own_principal *p, const struct own_op *op, struct own_gathers *g);

int own_view_cost(const struct own_principal *p, const struct own_op *op, u64 *cost);

void own_view_inval(struct own_principal *p, struct own_gathers *g);

struct own_principal *own_vm_get(u32 vm);

int own_vm_runs(struct own_principal *vm, u64 ipa, u64 n, unsigned int *nr);
/* The same over up to 1 GiB, cut where the runs would not fit: *w pages collected. */
int own_vm_runs_wide(struct own_principal *vm, u64 ipa, u64 n, u64 *w, unsigned int *nr);
/* The same for the pages of page set @ps (a 2 MiB window of the VM's IPA space). */
int own_vm_page_runs(struct own_principal *vm, const struct pt_pages *ps, unsigned int *nr);

u64 own_window(u64 addr, u64 n);

int own_take_host_pages(u64 pa, u64 w, u16 *e, struct own_res *res);
/* The same with DB attribute @flags on the hypervisor's new pages (0: not a table page). */
int own_take_host_pages_as(u64 pa, u64 w, u16 *e, u16 flags, struct own_res *res);
/* vcpu.c: stop a VM that ran before the host reclaims memory; its vCPU pages at teardown. */
void own_vm_run_reset(struct own_vm_run *r);
/* vmmmio.c: MMIO of VMs (host lock held). */
bool own_ram_overlaps(u64 pa, u64 n);
/* [pa, pa + n pages) meets a range a live VM took: true and *vm. */
bool own_mmio_taken(u64 pa, u64 n, u32 *vm);
/* VM teardown: the host's cost of every taken range back (added to *cost), then the remaps. */
int own_vm_mmio_return_cost(const struct own_principal *v, u64 *cost);
void own_vm_mmio_return_commit(struct own_principal *v, struct own_gathers *g);
/* vcpu.c: [ipa, ipa + size) meets a hole of the VM (run lock held). */
bool vcpu_hole_overlaps(const struct own_vm_run *r, u64 ipa, u64 size);
/* vmdev.c: @sid is assigned to a VM (host lock held). */
bool own_sid_in_vm(u32 sid);
int vcpu_vm_stop_begin(struct own_principal *p);
void vcpu_vm_stop_end(struct own_principal *p, bool committed);
int vcpu_vm_reclaim_begin(struct own_principal *p, u64 ipa, u64 n);
void vcpu_vm_reclaim_end(struct own_principal *p, u64 ipa, u64 n, bool committed);
void vcpu_vm_refill(struct own_principal *p, u64 ipa, u64 n);
unsigned int vcpu_vm_pages(struct own_principal *p, struct own_range *runs, unsigned int nr);

int own_unmapped_fn(const struct pt_leaf *l, void *arg);

void own_add_run(struct own_principal *p, u64 pa, u64 n);

int own_check_new_table(u64 pool_pa, u64 n, unsigned int ia_bits, u16 **e);

void own_runs_add(struct own_range *runs, unsigned int *nr, u64 pa, u64 n);

bool own_runs_fit(const struct own_range *runs, unsigned int nr, u64 pa);

void own_view_reset(struct own_principal *p);
int own_hdom_pool_donate(u32 dom, u64 pa, u64 w, u16 *e, struct own_res *res);

/* ---- page states: check and set by state pair (docs/ownership.md) ---- */

static inline u16 own_e_owner(u16 e)
{
	return e & OWN_E_OWNER;
}

/* A page the host may let devices reach: owned by it, or borrowed from a VM. */
static inline bool own_host_reaches(u16 e)
{
	u16 owner = own_e_owner(e);

	return owner == OWN_OWNER_HOST || (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED));
}

/* Who borrows a page its owner shares: the hypervisor a host page, the host a VM page. */
static inline u16 own_borrower(u16 owner)
{
	if (owner == OWN_OWNER_HOST)
		return OWN_OWNER_HYP;
	return owner >= OWN_OWNER_VM(0) ? (u16)OWN_OWNER_HOST : (u16)OWN_E_OWNER;
}

/* The state of DB entry @e as seen by the principal with owner code @who. */
static inline enum own_state own_e_state(u16 e, u16 who)
{
	u16 owner = own_e_owner(e);

	if (owner == who)
		return (e & OWN_E_SHARED) ? OWN_SHARED_OWNED : OWN_OWNED;
	if ((e & OWN_E_SHARED) && own_borrower(owner) == who)
		return OWN_SHARED_BORROWED;
	return OWN_NOPAGE;
}
/*
 * Every page of [e, e + n) is in state @sa for @a and @sb for @b (owner codes:
 * OWN_OWNER_HOST, OWN_OWNER_HYP, a VM's ->owner), else @err.
 */
int own_check_state(const u16 *e, u64 n, u16 a, enum own_state sa, u16 b, enum own_state sb,
		    int err);
/* Put every page in state @sa for @a and @sb for @b, with attribute @flags (CONSENT, TABLE). */
void own_set_state(u16 *e, u64 n, u16 a, enum own_state sa, u16 b, enum own_state sb, u16 flags);
/* The same over the runs of the current window (own_scratch[0..nr)). */
int own_check_runs_state(unsigned int nr, u16 a, enum own_state sa, u16 b, enum own_state sb,
			 int err);
void own_set_runs_state(unsigned int nr, u16 a, enum own_state sa, u16 b, enum own_state sb,
			u16 flags);

/* ---- one transaction over every view (docs/ownership.md "One transaction") ---- */

/*
 * One side of a transaction: a principal's view (every table of it: the CPU
 * stage-2 and each mirrored IOMMU domain; shared domains follow the CPU table)
 * and what happens to it: @op over a window, or, with @runs, @op.kind/@op.attr
 * on the identity view over each run of own_scratch (only the shared ones with
 * @shared_only), or a page set (@pages, @grouped: a bitmap conversion). @p NULL: no
 * tables on that side (the hypervisor's).
 */
struct own_tx_side {
	struct own_principal *p;
	struct own_op op;
	bool runs;
	bool shared_only;
	bool grouped;	     /* with @runs: page sets per 2 MiB region (own_tx_side_groups) */
	unsigned int nr_grp; /* page sets the cost pass found */
	struct pt_pages grp[OWN_TX_GROUPS]; /* the first ones, for the commit */
	/* Without @runs: this page set of the view instead, @op being its first page alone. */
	const struct pt_pages *pages;
	u64 cost;	      /* own_tx_prepare: exact table pages */
	struct own_gathers g; /* own_tx_commit: gathered invalidations */
};

/*
 * Every ownership change is one transaction: the side that loses access and the
 * side that gains it. own_tx_prepare() computes the exact table-page cost of
 * both sides and proves both pools can supply it (-ENOMEM and @res filled
 * otherwise); nothing has changed yet, so any error before the commit leaves no
 * partial state. own_tx_commit() cannot fail (HYP_CHECK on every table
 * operation) and runs in one fixed order: the loser's tables change and are
 * invalidated and synced; the pages are zeroed if @scrub_runs; only then the
 * gainer's tables change and are invalidated and synced. The caller updates the
 * ownership database (own_set_state) before it drops the locks.
 */
struct own_tx {
	struct own_tx_side lose, gain;
	unsigned int nr_runs; /* own_scratch runs the sides with @runs use */
	bool scrub_runs;
};

void own_tx_init(struct own_tx *tx);
int own_tx_prepare(struct own_tx *tx, struct own_res *res);
void own_tx_commit(struct own_tx *tx);
int own_pools_can_supply(struct own_principal *a, u64 ca, struct own_principal *b, u64 cb,
			 struct own_res *res);

/* A destroyed pool's pages back to the host (mem_protect.c): prepare, then commit. */
int own_pool_return_prepare(const struct own_range *runs, unsigned int nr, struct own_res *res);
/* The same with @extra more host table pages for other host maps of the same commit. */
int own_pool_return_prepare_more(const struct own_range *runs, unsigned int nr, u64 extra,
				 struct own_res *res);
u64 own_pool_return_commit(const struct own_range *runs, unsigned int nr);

#endif /* HYP_MEM_OWN_INTERNAL_H */
