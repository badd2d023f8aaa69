// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: random hypercall sequences through the real dispatcher
 * (hvc_handle) on the real ownership core and page-table engine, over the fake
 * platform, with the invariant checker after every call. Any invariant break,
 * HYP_CHECK / plat_panic, sanitizer report or status outside the ABI aborts.
 *
 * Input: a sequence of 12-byte records (see fuzz_step); a MAP_BATCH record
 * takes the records after it as its list's entries (fuzz_batch_build). RAM is
 * the first 16 MiB of the fake's backed memory, so reclaims and destroys really
 * zero memory. Outside RAM the host stage-2 maps a few device regions
 * (fuzz_devs, as boot maps the host's MMIO), which LS_IOMMU_MMIO maps reach;
 * the rest of the PA space is holes.
 *
 * Besides the invariants, each call is held to what the ABI promises without a
 * model of the state: a failed call changed nothing (state hash of DB, map
 * counts, every table and pool before and after; no invalidation issued), a
 * DMA map's pages-done and map-count arithmetic, what MAP / MAP_BATCH mapped
 * reads back through QUERY, and input that is wrong whatever the state
 * (entries out of order or overlapping, bad prot, a page or list page the host
 * does not reach, RAM with LS_IOMMU_MMIO, MMIO without it, a hole) never
 * succeeds.
 */
#include <errno.h>
#include <lockstep/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "hyp/hvc.h"
#include "hyp/hdom.h"
#include "hyp/mem_protect.h"
#include "hyp/own.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"
#include "hyp/plat.h"
#include "invariant.h"

#define FUZZ_RAM_PAGES ((16ULL << 20) >> PAGE_SHIFT) /* 16 MiB of the fake memory: fast checks */
#define FUZZ_POOL      64
#define FUZZ_REC       12
#define FUZZ_MAX_REC   64
#define FUZZ_RAM_END   (FAKE_MEM_BASE + (FUZZ_RAM_PAGES << PAGE_SHIFT))
#define FUZZ_HYP_PAGES (16 + FUZZ_POOL) /* RAM pages 0..79: hypervisor image, host pool */

/*
 * Device memory the host stage-2 maps (QEMU virt-like); everything else outside
 * RAM is a hole: FUZZ_HOLE_SMMU stands for a frame the hypervisor keeps, and
 * the hole above RAM is backed fake memory that is not RAM. (Boot maps all of
 * the host's non-RAM as device, in 1 GiB blocks; here that would cost the
 * invariant checker, which visits device leaves page by page, 262144 steps
 * per block per call.)
 */
#define FUZZ_MMIO_RW	 0x08080000ULL /* 16 pages RW: a doorbell frame (GIC ITS) */
#define FUZZ_MMIO_RO	 0x09000000ULL /* 1 page, read-only */
#define FUZZ_MMIO_BLK	 0x10000000ULL /* 2 MiB RW: one level-2 block */
#define FUZZ_HOLE_SMMU	 0x09050000ULL
#define FUZZ_HOST_IA_TOP (1ULL << 40)

static const struct fuzz_dev {
	u64 base, size;
	pt_attr_t attr;
} fuzz_devs[] = {
	{ FUZZ_MMIO_RW, 16 * PAGE_SIZE, PT_RW },
	{ FUZZ_MMIO_RO, PAGE_SIZE, PT_R },
	{ FUZZ_MMIO_BLK, SZ_2M, PT_RW },
};

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* Entries + DMA map counts, then the block summaries (own_db_bytes; checked at setup). */
static u16 fuzz_db[FUZZ_RAM_PAGES * 3 / 2 + FUZZ_RAM_PAGES / 256 + 64];
static u64 fuzz_nr_inval;

static void fuzz_inval(void *priv, u32 who, const struct pt_gather *g)
{
	(void)priv;
	(void)who;
	if (!g->all && (g->nr == 0 || g->nr > PT_GATHER_MAX))
		plat_panic("fuzz: bad gather (%u ranges)", g->nr);
	fuzz_nr_inval++;
}

static void fuzz_sync(void *priv, u32 who)
{
	(void)priv;
	(void)who;
}

static const struct own_inval_ops fuzz_ops = { fuzz_inval, fuzz_sync };

/* IOMMU driver fake: 32 streams; streams 6, 13, 20, 27 are not the host's. */
#define FUZZ_SIDS 32U

static int fuzz_iommu_attach(void *drv, u32 sid, const struct pt *pt, u16 vmid)
{
	(void)drv;
	/* Host DMA domains (0xf0 + d) or a VM's own stage 2 (VMID vm + 1, vmdev.c). */
	if (sid >= FUZZ_SIDS || !pt->root ||
	    (vmid < OWN_HDOM_VMID_BASE && (!vmid || vmid > OWN_MAX_VMS)))
		plat_panic("fuzz: attach sid %u vmid %u", sid, vmid);
	return sid % 7 == 6 ? -EPERM : 0;
}

static int fuzz_iommu_detach(void *drv, u32 sid)
{
	(void)drv;
	if (sid >= FUZZ_SIDS)
		plat_panic("fuzz: detach sid %u", sid);
	return 0;
}

static void fuzz_iommu_inval(void *drv, u16 vmid, const struct pt_gather *g)
{
	fuzz_inval(drv, vmid, g);
}

static void fuzz_iommu_sync(void *drv)
{
	(void)drv;
}

static const struct own_iommu_ops fuzz_iommu_ops = { fuzz_iommu_attach, fuzz_iommu_detach,
						     fuzz_iommu_inval, fuzz_iommu_sync };

static void fuzz_setup(void)
{
	struct own_range ram = { FAKE_MEM_BASE, FUZZ_RAM_PAGES << PAGE_SHIFT };
	struct own_range hyp[2];
	struct own_config cfg;
	struct own_res res;
	unsigned int idx;

	/* Host RAM too (list pages, tables in donated pools): each input starts from zeros. */
	memset(plat_phys_to_virt(FAKE_MEM_BASE), 0, (FUZZ_RAM_PAGES + 64) << PAGE_SHIFT);
	fake_mem_reset();
	hyp[0].base = fake_alloc_pages(16, PAGE_SIZE); /* "hypervisor image" */
	hyp[0].size = 16 * PAGE_SIZE;
	hyp[1].base = fake_alloc_pages(FUZZ_POOL, PAGE_SIZE);
	hyp[1].size = FUZZ_POOL * PAGE_SIZE;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ram = &ram;
	cfg.nr_ram = 1;
	cfg.hyp = hyp;
	cfg.nr_hyp = 2;
	cfg.db = fuzz_db;
	cfg.db_bytes = sizeof(fuzz_db);
	cfg.host_pool_pa = hyp[1].base;
	cfg.host_pool_pages = FUZZ_POOL;
	cfg.host_ia_bits = 40;
	cfg.cpu_fmt = PT_FMT_ARM64_S2;
	cfg.cpu_coherent = true;
	cfg.cpu_ops = &fuzz_ops;
	if (own_init(&cfg))
		plat_panic("fuzz: own_init failed");
	/* The host's devices, straight into its stage-2 as boot does (not RAM: no owner). */
	for (idx = 0; idx < sizeof(fuzz_devs) / sizeof(fuzz_devs[0]); idx++)
		if (pt_map((struct pt *)&own_view_of(OWN_HOST)->cpu, fuzz_devs[idx].base,
			   fuzz_devs[idx].size, fuzz_devs[idx].base,
			   fuzz_devs[idx].attr | PT_DEVICE, NULL))
			plat_panic("fuzz: host device map");
	/* The host's devices: one SMMU sharing the CPU table, one mirrored in another format. */
	if (own_dom_attach(OWN_HOST, false, PT_FMT_ARM64_S2, true, &fuzz_ops, NULL, &idx, &res) ||
	    own_dom_attach(OWN_HOST, true, PT_FMT_VTD_SL, true, &fuzz_ops, NULL, &idx, &res))
		plat_panic("fuzz: host domains");
	if (own_iommu_register(&fuzz_iommu_ops, NULL, FUZZ_SIDS, PT_FMT_ARM64_S2, true))
		plat_panic("fuzz: IOMMU driver");
}

static bool fuzz_status_ok(s64 st)
{
	return st == LS_OK || st == LS_EINVAL || st == LS_EPERM || st == LS_ENOMEM ||
	       st == LS_EBUSY || st == LS_ERANGE || st == LS_ENOENT || st == LS_EEXIST ||
	       st == LS_ENOSPC || st == LS_ENOTSUPP;
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 fuzz_page(u64 idx)
{
	return FAKE_MEM_BASE + (idx << PAGE_SHIFT);
}

/* ---- state hash: a failed call must leave it as it was ------------------ */

/* Word-wise FNV-style mix (the bytes of DB and tables, hashed after every call). */
static u64 fuzz_mix(u64 h, const void *p, size_t n)
{
	const u8 *b = p;
	u64 w;

	for (; n >= sizeof(w); n -= sizeof(w), b += sizeof(w)) {
		memcpy(&w, b, sizeof(w));
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static int fuzz_tbl_hash(u64 pa, unsigned int level, void *arg)
{
	u64 *h = arg;

	*h = fuzz_mix(*h, &pa, sizeof(pa));
	*h = fuzz_mix(*h, &level, sizeof(level));
	*h = fuzz_mix(*h, plat_phys_to_virt(pa), PAGE_SIZE);
	return 0;
}

/*
 * What env_snapshot() (tests/unit/lib/invariant_env.c) hashes, over this
 * harness's DB: DB entries and DMA map counts, every view's CPU and mirrored
 * tables and pool, VM page counters, every host DMA domain's table, pool and
 * counters (invalidations and syncs included), and each stream's domain.
 */
static u64 fuzz_snapshot(void)
{
	struct own_range ram = { FAKE_MEM_BASE, FUZZ_RAM_PAGES << PAGE_SHIFT };
	u64 h = 0xcbf29ce484222325ULL, n;
	u32 who, i, dom;

	h = fuzz_mix(h, fuzz_db, own_db_bytes(&ram, 1));
	for (who = 0; who <= OWN_MAX_VMS; who++) {
		u32 w = who == OWN_MAX_VMS ? OWN_HOST : who;
		const struct own_view *v = own_view_of(w);

		if (!v) {
			h = fuzz_mix(h, &w, sizeof(w));
			continue;
		}
		h = fuzz_mix(h, own_pool_of(w), sizeof(struct pt_pool));
		pt_for_each_table(&v->cpu, fuzz_tbl_hash, &h);
		h = fuzz_mix(h, &v->cpu.nr_tables, sizeof(v->cpu.nr_tables));
		for (i = 0; i < OWN_MAX_DOMS; i++) {
			h = fuzz_mix(h, &v->dom[i].used, sizeof(bool));
			if (v->dom[i].used && v->dom[i].mirrored)
				pt_for_each_table(&v->dom[i].pt, fuzz_tbl_hash, &h);
		}
		if (w != OWN_HOST) {
			struct own_mmio m;

			n = own_vm_pages(w);
			h = fuzz_mix(h, &n, sizeof(n));
			/* The MMIO ranges the VM took (vmmmio.c). */
			for (i = 0; own_vm_mmio_of(w, i, &m) == 0; i++) {
				u64 f[4] = { m.ipa, m.pa, m.n, m.host_attr };

				h = fuzz_mix(h, f, sizeof(f));
			}
		}
	}
	for (i = 0; i < OWN_MAX_HDOMS; i++) {
		const struct own_hdom *d = own_hdom_of(i);

		if (!d) {
			h = fuzz_mix(h, &i, sizeof(i));
			continue;
		}
		h = fuzz_mix(h, &d->pool, sizeof(d->pool));
		h = fuzz_mix(h, &d->mapped, sizeof(d->mapped));
		h = fuzz_mix(h, &d->streams, sizeof(d->streams));
		h = fuzz_mix(h, &d->inval_ranges, sizeof(d->inval_ranges));
		h = fuzz_mix(h, &d->syncs, sizeof(d->syncs));
		h = fuzz_mix(h, &d->pt.nr_tables, sizeof(d->pt.nr_tables));
		pt_for_each_table(&d->pt, fuzz_tbl_hash, &h);
	}
	for (i = 0; i < FUZZ_SIDS; i++) {
		dom = own_hdom_of_sid(i, &dom) ? ~0U : dom;
		h = fuzz_mix(h, &dom, sizeof(dom));
	}
	return h;
}

/*
 * The state before a call is the state after the previous one: a failed call's
 * "after" hash serves as the next call's "before", so most calls hash once.
 */
static u64 fuzz_snap;
static bool fuzz_snap_valid;

static u64 fuzz_snapshot_before(void)
{
	if (!fuzz_snap_valid)
		fuzz_snap = fuzz_snapshot();
	fuzz_snap_valid = true;
	return fuzz_snap;
}

/* After a failed call: the state hash, which must equal @before. */
static bool fuzz_unchanged(u64 before)
{
	fuzz_snap = fuzz_snapshot();
	return fuzz_snap == before;
}

/* Sum of every page's DMA map count. */
static u64 fuzz_dma_sum(void)
{
	const struct own_range *ram;
	unsigned int k, n = own_ram_ranges(&ram), maps;
	u64 pa, sum = 0;

	for (k = 0; k < n; k++)
		for (pa = ram[k].base; pa < ram[k].base + ram[k].size; pa += PAGE_SIZE)
			if (!own_dma_maps_pa(pa, &maps))
				sum += maps;
	return sum;
}

static u64 fuzz_dom_mapped(u32 dom)
{
	const struct own_hdom *d = own_hdom_of(dom);

	return d ? d->mapped : 0;
}

/* The host reaches the RAM page at @pa (owns it, or borrows it from a VM): may write, may map. */
static bool fuzz_host_reaches(u64 pa)
{
	u16 e, owner;

	if (own_page_entry(pa, &e))
		return false;
	owner = e & OWN_E_OWNER;
	return owner == OWN_OWNER_HOST || (owner >= OWN_OWNER_VM(0) && (e & OWN_E_SHARED));
}

static bool fuzz_is_ram(u64 pa)
{
	return pa >= FAKE_MEM_BASE && pa < FUZZ_RAM_END;
}

/* The host stage-2's device attributes at @pa (fuzz_devs), 0 in a hole. */
static pt_attr_t fuzz_dev_attr(u64 pa)
{
	unsigned int i;

	for (i = 0; i < sizeof(fuzz_devs) / sizeof(fuzz_devs[0]); i++)
		if (pa >= fuzz_devs[i].base && pa - fuzz_devs[i].base < fuzz_devs[i].size)
			return fuzz_devs[i].attr;
	return 0;
}

static s64 fuzz_query(u32 dom, u64 iova, u64 *pa, u64 *prot)
{
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };
	struct hvc_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.x[0] = LS_HVC_IOMMU_QUERY;
	regs.x[1] = dom;
	regs.x[2] = iova;
	hvc_handle(&ctx, &regs);
	*pa = regs.x[1];
	*prot = regs.x[2];
	return (s64)regs.x[0];
}

/* @iova of domain @dom translates to @pa with exactly @prot (a successful MAP / MAP_BATCH). */
static void fuzz_expect_mapped(u32 dom, u64 iova, u64 pa, u64 prot)
{
	u64 got_pa, got_prot;
	s64 st = fuzz_query(dom, iova, &got_pa, &got_prot);

	if (st != LS_OK || got_pa != pa || got_prot != prot)
		plat_panic("fuzz: dom %u iova %#llx: query %lld pa %#llx prot %#llx, mapped %#llx "
			   "prot %#llx",
			   dom, (unsigned long long)iova, (long long)st, (unsigned long long)got_pa,
			   (unsigned long long)got_prot, (unsigned long long)pa,
			   (unsigned long long)prot);
}

/* ---- LS_HVC_IOMMU_MAP: RAM, device memory, holes ------------------------- */

/*
 * MAP's PA, by class r[1] / 10 (0..25): below 13 a page of RAM or just past it
 * (as for every other call); from 13 device memory and what surrounds it.
 */
static u64 fuzz_map_pa(const u8 *r)
{
	u32 x = get32(r + 2);

	switch (r[1] / 10) {
	case 13:
		return FUZZ_MMIO_RW + ((u64)(x % 20) << PAGE_SHIFT); /* frame, past its end */
	case 14:
		return FUZZ_MMIO_RW - ((u64)(x % 4) << PAGE_SHIFT); /* from the hole before */
	case 15:
		return FUZZ_MMIO_RO + ((u64)(x % 2) << PAGE_SHIFT);
	case 16:
		return FUZZ_MMIO_BLK + ((u64)(x % 600) << PAGE_SHIFT);
	case 17:
		return FUZZ_MMIO_BLK + SZ_2M - ((u64)(1 + x % 8) << PAGE_SHIFT); /* into the hole */
	case 18:
		return FUZZ_HOLE_SMMU + ((u64)(x % 16) << PAGE_SHIFT);
	case 19:
		return FUZZ_RAM_END + ((u64)(x % 64) << PAGE_SHIFT); /* backed, not RAM */
	case 20:
		return FUZZ_HOST_IA_TOP - ((u64)(1 + x % 4) << PAGE_SHIFT);
	case 21:
		return fuzz_page(x % FUZZ_HYP_PAGES); /* the hypervisor's RAM */
	case 22:
		return FAKE_MEM_BASE - ((u64)(1 + x % 4) << PAGE_SHIFT); /* hole, then RAM */
	case 23:
		return FUZZ_MMIO_RW + 0x800; /* unaligned */
	case 24:
		return (u64)(x % 64) << PAGE_SHIFT; /* the bottom of the PA space */
	default:
		return fuzz_page(x % (FUZZ_RAM_PAGES + 64));
	}
}

/* The call cannot succeed whatever the state: first page in the wrong kind of memory, prot. */
static bool fuzz_map_bad(u64 pa, u64 n, u64 prot)
{
	pt_attr_t dev = fuzz_dev_attr(pa);

	if (!n || !(prot & (LS_IOMMU_READ | LS_IOMMU_WRITE)) ||
	    (prot & ~(u64)(LS_IOMMU_READ | LS_IOMMU_WRITE | LS_IOMMU_MMIO)) ||
	    !IS_ALIGNED(pa, PAGE_SIZE))
		return true;
	if (!(prot & LS_IOMMU_MMIO))
		return !fuzz_host_reaches(pa);
	return fuzz_is_ram(pa) || !dev || ((prot & LS_IOMMU_WRITE) && !(dev & PT_W)) ||
	       ((prot & LS_IOMMU_READ) && !(dev & PT_R));
}

/* ---- LS_HVC_IOMMU_MAP_BATCH -------------------------------------------- */

struct fuzz_batch {
	u64 list;	 /* x2 */
	u64 nents;	 /* x3 */
	unsigned int nr; /* entries generated (the list page holds at most 170) */
	bool bad;	 /* wrong whatever the state: the call must fail */
	struct own_map_ent ent[LS_IOMMU_BATCH_MAX + 1];
};

static struct fuzz_batch fuzz_b;

/* A page of RAM the host does not reach (a VM's, the hypervisor's), from @idx on; or @idx. */
static u64 fuzz_not_host(u64 idx)
{
	u64 i;

	for (i = 0; i < FUZZ_RAM_PAGES; i++)
		if (!fuzz_host_reaches(fuzz_page((idx + i) % FUZZ_RAM_PAGES)))
			return fuzz_page((idx + i) % FUZZ_RAM_PAGES);
	return fuzz_page(idx);
}

static const u32 fuzz_bad_prot[8] = {
	0,
	LS_IOMMU_MMIO,
	LS_IOMMU_MMIO | LS_IOMMU_READ,
	LS_IOMMU_MMIO | LS_IOMMU_READ | LS_IOMMU_WRITE,
	8,
	8 | LS_IOMMU_READ,
	0x100 | LS_IOMMU_WRITE,
	0x80000003U,
};

/*
 * Entry descriptor d (a 12-byte record after the header): kind d[0] % 24, prot
 * d[1], PA page get32(d + 2), IOVA gap get32(d + 6), pages d[10..11]. Kinds
 * 0..13 are plausible: the next free IOVA plus a gap of 0..31 pages (2 MiB
 * aligned if bit 8 of the gap is set), a page of RAM (most are the host's), 1..16
 * pages (d[11] >= 0xe0: 1..1024), R, W or RW. Then: 14 out of order, 15
 * overlapping the previous entry, 16 the previous entry's PA again (allowed,
 * counted twice), 17 bad prot, 18 a hypervisor page, 19 a page the host does
 * not reach, 20 no pages, 21 unaligned PA or IOVA, 22 more than the budget in
 * one entry, 23 beyond RAM, beyond any domain's IOVA bits, or wrapping.
 */
static void fuzz_batch_ent(const u8 *d, unsigned int rep, u64 *end, u64 *prev_iova, u64 *prev_pa)
{
	u32 g = get32(d + 6), prot = 1U + d[1] % 3U;
	u64 idx = get32(d + 2) % (FUZZ_RAM_PAGES + 64);
	u64 n = d[11] >= 0xe0 ? 1 + (u64)((d[10] | d[11] << 8) % 1024) : 1U + d[10] % 16U;
	u64 iova = *end + ((u64)(g % 32) << PAGE_SHIFT), pa;

	if (g & 0x100)
		iova = ALIGN_UP(iova, SZ_2M);
	/* Repeats of the descriptors move on through the host's part of RAM. */
	if (rep)
		idx = FUZZ_HYP_PAGES + (idx + rep * n) % (FUZZ_RAM_PAGES - FUZZ_HYP_PAGES);
	pa = fuzz_page(idx);
	switch (d[0] % 24) {
	case 14:
		iova = *prev_iova - ((u64)(g % 4) << PAGE_SHIFT);
		break;
	case 15:
		iova = *end - ((u64)(1 + g % 4) << PAGE_SHIFT);
		break;
	case 16:
		pa = *prev_pa;
		break;
	case 17:
		prot = fuzz_bad_prot[d[1] % 8];
		break;
	case 18:
		pa = fuzz_page(idx % FUZZ_HYP_PAGES);
		break;
	case 19:
		pa = fuzz_not_host(idx);
		break;
	case 20:
		n = 0;
		break;
	case 21:
		if (g & 1)
			pa += 0x800;
		else
			iova += 0x800;
		break;
	case 22:
		n = LS_IOMMU_BUDGET_PAGES + 1 - (g & 1);
		break;
	case 23:
		if (g % 3 == 0)
			pa = FUZZ_RAM_END + ((u64)(g % 64) << PAGE_SHIFT);
		else
			iova = g % 3 == 1 ? 1ULL << 52 : ~0xfffULL;
		break;
	default:
		break;
	}
	fuzz_b.ent[fuzz_b.nr].iova = iova;
	fuzz_b.ent[fuzz_b.nr].pa = pa;
	fuzz_b.ent[fuzz_b.nr].pages_prot = n | (u64)prot << 32;
	fuzz_b.nr++;
	*prev_iova = iova;
	*prev_pa = pa;
	*end = iova + (n << PAGE_SHIFT);
}

/* Whatever the domain's state, the batch as written cannot succeed. */
static bool fuzz_batch_bad(void)
{
	u64 i, p, end = 0, total = 0;

	if (!fuzz_b.nents || fuzz_b.nents > LS_IOMMU_BATCH_MAX ||
	    !IS_ALIGNED(fuzz_b.list, PAGE_SIZE) || !fuzz_host_reaches(fuzz_b.list))
		return true;
	for (i = 0; i < fuzz_b.nr && i < fuzz_b.nents; i++) {
		const struct own_map_ent *m = &fuzz_b.ent[i];
		u64 n = m->pages_prot & 0xffffffffU, size = n << PAGE_SHIFT;
		u64 prot = m->pages_prot >> 32;

		if (!(prot & (LS_IOMMU_READ | LS_IOMMU_WRITE)) ||
		    (prot & ~(u64)(LS_IOMMU_READ | LS_IOMMU_WRITE)) || !n ||
		    !IS_ALIGNED(m->iova | m->pa, PAGE_SIZE) || (i && m->iova < end) ||
		    m->iova + size < m->iova || m->pa + size < m->pa ||
		    (total += LS_IOMMU_BATCH_UNITS(m->iova, m->pa, n)) > LS_IOMMU_BUDGET_PAGES)
			return true;
		for (p = 0; p < n; p++)
			if (!fuzz_host_reaches(m->pa + (p << PAGE_SHIFT)))
				return true;
		end = m->iova + size;
	}
	return false;
}

/*
 * Header h (fn 24): domain h[1] % 10, list page get32(h + 2) (a page of RAM or
 * just past it), first IOVA page get32(h + 6), h[10] % 8 + 1 descriptor
 * records following, repeated 1 + (h[11] & 0x3f) * 3 times when h[11] >= 0xc0
 * (up to the 171 entries that overflow the list). h[1] / 10: 18, 19 list
 * unaligned, 20, 21 list in the hypervisor's RAM, 22 x3 = 0, 23 x3 = 171,
 * 24, 25 x3 = entries + 1 (a stale entry after them), else x3 = entries.
 * The host writes the list only where it could: a page it reaches.
 * Returns the descriptor records used.
 */
static unsigned int fuzz_batch_build(const u8 *h, const u8 *desc, unsigned int left)
{
	unsigned int ndesc = MIN(1U + h[10] % 8U, left), reps, rep, i;
	unsigned int flags = h[1] / 10U;
	u64 idx = get32(h + 2) % (FUZZ_RAM_PAGES + 64);
	u64 end = (u64)(get32(h + 6) % (1U << 22)) << PAGE_SHIFT, prev_iova = end, prev_pa = 0;
	u64 *dst;

	memset(&fuzz_b, 0, sizeof(fuzz_b));
	if (!ndesc) /* nothing follows: the header describes the one entry */
		desc = h;
	reps = h[11] >= 0xc0 ? 1U + (h[11] & 0x3fU) * 3U : 1U;
	for (rep = 0; rep < reps && fuzz_b.nr <= LS_IOMMU_BATCH_MAX; rep++)
		for (i = 0; i < MAX(ndesc, 1U) && fuzz_b.nr <= LS_IOMMU_BATCH_MAX; i++)
			fuzz_batch_ent(desc + i * FUZZ_REC, rep, &end, &prev_iova, &prev_pa);
	fuzz_b.list = fuzz_page(flags == 20 || flags == 21 ? idx % FUZZ_HYP_PAGES : idx);
	if (flags == 18 || flags == 19)
		fuzz_b.list += 8;
	fuzz_b.nents = flags == 22 ? 0 :
		       flags == 23 ? LS_IOMMU_BATCH_MAX + 1 :
		       flags >= 24 ? fuzz_b.nr + 1U :
				     fuzz_b.nr;
	if (fuzz_host_reaches(fuzz_b.list)) {
		dst = plat_phys_to_virt(ALIGN_DOWN(fuzz_b.list, PAGE_SIZE));
		for (i = 0; i < fuzz_b.nr && i < LS_IOMMU_BATCH_MAX; i++) {
			dst[3 * i] = fuzz_b.ent[i].iova;
			dst[3 * i + 1] = fuzz_b.ent[i].pa;
			dst[3 * i + 2] = fuzz_b.ent[i].pages_prot;
		}
	}
	for (i = 0; getenv("FUZZ_TRACE") && i < fuzz_b.nr; i++)
		fprintf(stderr, "  ent %3u iova %#llx pa %#llx pages %llu prot %#llx\n", i,
			(unsigned long long)fuzz_b.ent[i].iova,
			(unsigned long long)fuzz_b.ent[i].pa,
			(unsigned long long)(fuzz_b.ent[i].pages_prot & 0xffffffffU),
			(unsigned long long)(fuzz_b.ent[i].pages_prot >> 32));
	fuzz_b.bad = fuzz_batch_bad();
	return ndesc;
}

/* A batch succeeded: every entry in the list page (stale ones included) reads back. */
static u64 fuzz_batch_check_ok(u32 dom)
{
	const u64 *src = plat_phys_to_virt(fuzz_b.list);
	u64 i, n, pages = 0;

	for (i = 0; i < fuzz_b.nents; i++) {
		n = src[3 * i + 2] & 0xffffffffU;
		fuzz_expect_mapped(dom, src[3 * i], src[3 * i + 1], src[3 * i + 2] >> 32);
		fuzz_expect_mapped(dom, src[3 * i] + ((n - 1) << PAGE_SHIFT),
				   src[3 * i + 1] + ((n - 1) << PAGE_SHIFT), src[3 * i + 2] >> 32);
		pages += n;
	}
	return pages;
}

/* ---- one step ------------------------------------------------------------ */

/*
 * Record: fn, vm, pa page (u32 LE), ipa page (u32 LE), n (u16 LE).
 * fn % 25: 0..12 hypercall function numbers (11, 12 from VM `vm`), 13 attach a
 * domain to `vm` (mirrored if pa is odd), 14 detach, 15 raw unaligned donate,
 * 16..23 host DMA domains: create (pool at pa rounded to 64 KiB), destroy,
 * attach (sid = ipa page % 40), detach, map (prot = n's top byte % 9: 8 is an
 * unknown bit; PA class vm / 10, fuzz_map_pa), unmap, query / stats / view
 * stats, donate to a domain's pool; 24 MAP_BATCH (fuzz_batch_build: takes the
 * records after it). `vm` % 10 names the domain (8 and 9 do not exist).
 * fn byte >= 225: a host-only call is made by VM `vm` (wrong caller, must be refused).
 * Returns the records used.
 */
static unsigned int fuzz_step(const u8 *r, unsigned int left)
{
	unsigned int fn = r[0] % 32, idx, used = 1;
	u32 dom = r[1] % 10;
	u32 vm = r[1] % (OWN_MAX_VMS + 4);
	u64 pa = fuzz_page(get32(r + 2) % (FUZZ_RAM_PAGES + 64));
	u64 ipa = (u64)(get32(r + 6) % (1U << 22)) << PAGE_SHIFT;
	u64 n = (u64)(r[10] | r[11] << 8) % 1100;
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };
	u64 snap = fuzz_snapshot_before(), inval = fuzz_nr_inval, dma = fuzz_dma_sum();
	u64 mapped = fuzz_dom_mapped(dom), pages, budget = LS_BUDGET_PAGES;
	bool bad = false, dma_call = false, guest = false, ro, wrong, bitmap = false;
	struct hvc_regs regs, in;
	struct own_res res;
	s64 st;
	char msg[256];

	memset(&regs, 0, sizeof(regs));
	if (fn == 13 || fn == 14) {
		if (getenv("FUZZ_TRACE"))
			fprintf(stderr, "%s %u\n", fn == 13 ? "attach" : "detach", vm);
		if (fn == 13)
			st = own_dom_attach(vm == OWN_MAX_VMS ? OWN_HOST : vm, get32(r + 2) & 1,
					    (get32(r + 2) >> 1) & 1 ? PT_FMT_ARM64_S1 :
								      PT_FMT_VTD_SL,
					    true, &fuzz_ops, NULL, &idx, &res);
		else
			st = own_dom_detach(vm == OWN_MAX_VMS ? OWN_HOST : vm,
					    r[10] % (OWN_MAX_DOMS + 1));
		fuzz_snap_valid = st != 0;
		if (st && (!fuzz_unchanged(snap) || fuzz_nr_inval != inval))
			plat_panic("fuzz: failed %s (%lld) changed state",
				   fn == 13 ? "attach" : "detach", (long long)st);
		goto check;
	}
	regs.x[0] = LS_HVC_ID(fn == 15 ? LS_FN_HOST_DONATE_VM : fn);
	switch (fn) {
	case 16:
		regs.x[0] = LS_HVC_IOMMU_DOMAIN_CREATE;
		regs.x[1] = pa & ~0xffffULL;
		regs.x[2] = 12 + n % 40;
		regs.x[3] = 30 + r[11] % 22;
		break;
	case 17:
		regs.x[0] = LS_HVC_IOMMU_DOMAIN_DESTROY;
		regs.x[1] = dom;
		break;
	case 18:
		regs.x[0] = LS_HVC_IOMMU_ATTACH;
		regs.x[1] = dom;
		regs.x[2] = get32(r + 6) % 40;
		break;
	case 19:
		regs.x[0] = LS_HVC_IOMMU_DETACH;
		regs.x[1] = get32(r + 6) % 40;
		break;
	case 20:
		if (r[1] / 10 >= 13) {
			/* Device classes: windows the size of the regions, sometimes bigger. */
			pa = fuzz_map_pa(r);
			n = r[10] >= 0xc0 ? 512U << (r[10] & 1) :
			    r[10] >= 0x80 ? n :
					    1U + r[10] % 20U;
		}
		regs.x[0] = LS_HVC_IOMMU_MAP;
		regs.x[1] = dom;
		regs.x[2] = ipa;
		regs.x[3] = pa;
		regs.x[4] = n;
		regs.x[5] = r[11] % 9 == 8 ? 8 | LS_IOMMU_READ : r[11] % 9;
		bad = fuzz_map_bad(pa, n, regs.x[5]);
		dma_call = true;
		budget = LS_IOMMU_BUDGET_PAGES;
		break;
	case 21:
		regs.x[0] = LS_HVC_IOMMU_UNMAP;
		regs.x[1] = dom;
		regs.x[2] = ipa;
		regs.x[3] = n;
		dma_call = true;
		budget = LS_IOMMU_BUDGET_PAGES;
		break;
	case 22:
		regs.x[0] = r[11] % 3 == 0 ? LS_HVC_IOMMU_QUERY :
			    r[11] % 3 == 1 ? LS_HVC_IOMMU_DOMAIN_STATS :
					     LS_HVC_VIEW_STATS;
		regs.x[1] = r[11] % 3 == 2 ? (r[1] & 1 ? LS_VIEW_IOMMU_DOMAIN(dom) : dom % 4) : dom;
		regs.x[2] = r[11] % 3 == 1 ? n % 9 : ipa;
		break;
	case 23:
		regs.x[0] = LS_HVC_POOL_DONATE;
		regs.x[1] = LS_POOL_IOMMU(dom);
		regs.x[2] = pa;
		regs.x[3] = n % 64;
		break;
	case 24:
		used += fuzz_batch_build(r, r + FUZZ_REC, left - 1);
		regs.x[0] = LS_HVC_IOMMU_MAP_BATCH;
		regs.x[1] = dom;
		regs.x[2] = fuzz_b.list;
		regs.x[3] = fuzz_b.nents;
		bad = fuzz_b.bad;
		dma_call = true;
		break;
	case LS_FN_HOST_DONATE_VM:
	case 15:
		regs.x[1] = vm;
		regs.x[2] = pa + (fn == 15 ? (r[11] & 0xfff) : 0);
		regs.x[3] = ipa;
		regs.x[4] = n;
		break;
	case LS_FN_VM_SHARE_HOST:
	case LS_FN_VM_UNSHARE_HOST:
		if (r[11] & 0x80) {
			/*
			 * The same conversion as a page bitmap of ipa's 2 MiB window
			 * (LS_FN_VM_CONVERT_BITMAP): from ipa's page, 1..8 pages every
			 * 1..8 pages, or (r[10] bit 7) a run of n % 512 + 1 pages, wrapping
			 * in the window; r[11] bit 6: an unaligned window, bit 5: direction
			 * 2 (both must fail).
			 */
			u64 o = (ipa >> PAGE_SHIFT) % 512, k, c, st8;

			regs.x[0] = LS_HVC_VM_CONVERT_BITMAP;
			regs.x[1] = vm;
			regs.x[2] = ALIGN_DOWN(ipa, SZ_2M) + (r[11] & 0x40 ? PAGE_SIZE : 0);
			regs.x[3] = r[11] & 0x20	      ? 2 :
				    fn == LS_FN_VM_SHARE_HOST ? LS_CONVERT_TO_SHARED :
								LS_CONVERT_TO_PRIVATE;
			regs.x[4] = r[11] & 1 ? LS_CONVERT_ZERO : 0;
			c = r[10] & 0x80 ? n % 512 + 1 : 1 + r[10] % 8;
			st8 = r[10] & 0x80 ? 1 : 1 + (r[10] >> 3) % 8;
			for (k = 0; k < c; k++) {
				u64 b = (o + k * st8) % 512;

				regs.x[5 + b / 64] |= 1ULL << (b % 64);
			}
			bad = (r[11] & 0x60) != 0;
			bitmap = true;
			break;
		}
		if (r[11] & 0x10) {
			/*
			 * The same conversion through the calls whose window runs to the next
			 * 1 GiB (LS_FN_VM_SHARE_HOST_RANGE / UNSHARE_HOST_RANGE, n bit 12);
			 * n bit 13 adds LS_CONVERT_ZERO (their window is then the plain one).
			 */
			regs.x[0] = fn == LS_FN_VM_SHARE_HOST ? LS_HVC_VM_SHARE_HOST_RANGE :
								LS_HVC_VM_UNSHARE_HOST_RANGE;
			regs.x[4] = r[11] & 0x20 ? LS_CONVERT_ZERO : 0;
			budget = SZ_1G >> PAGE_SHIFT;
		}
		/* fall through */
	case LS_FN_VM_RECLAIM:
		regs.x[1] = vm;
		regs.x[2] = ipa;
		regs.x[3] = n;
		break;
	case LS_FN_VM_CREATE:
		regs.x[1] = pa;
		regs.x[2] = n % 64;
		regs.x[3] = 30 + r[1] % 24;
		break;
	case LS_FN_VM_DESTROY:
		regs.x[1] = vm;
		break;
	case LS_FN_POOL_DONATE:
		regs.x[1] = r[1] & 0x80 ? LS_POOL_HOST : vm;
		regs.x[2] = pa;
		regs.x[3] = n % 64;
		break;
	case 11: /* the guest of `vm`: pKVM MEM_SHARE / MEM_UNSHARE of one page */
	case 12:
		guest = true;
		regs.x[0] = fn == 11 ? 0xc6000003U : 0xc6000004U;
		regs.x[1] = ipa | (r[11] & 1 ? 0 : r[10] & 0xfff);
		regs.x[2] = r[11] & 2 ? n : 0;
		break;
	case 25: /* vCPU calls: create, set/get a register, run, VM stats */
		regs.x[0] = LS_HVC_VCPU_CREATE;
		regs.x[1] = vm;
		regs.x[2] = n % 10;
		regs.x[3] = pa + (r[11] & 0x80 ? 8 : 0);
		regs.x[4] = r[11] & 3;
		break;
	case 26:
	case 27:
		regs.x[0] = fn == 26 ? LS_HVC_VCPU_SET_REG : LS_HVC_VCPU_GET_REG;
		regs.x[1] = vm;
		regs.x[2] = n % 10;
		regs.x[3] = r[11] % 40;
		regs.x[4] = ipa | (r[10] & 0xf);
		break;
	case 28:
		regs.x[0] = LS_HVC_VCPU_RUN;
		regs.x[1] = vm;
		regs.x[2] = n % 10;
		regs.x[3] = r[11] % 5;
		regs.x[4] = pa;
		break;
	case 30: /* devices of VMs */
		if (r[11] & 0x80) {
			/*
			 * LS_FN_VM_MAP_MMIO: PA by fuzz_map_pa's classes (r[1] / 10 from 13:
			 * device memory and around it; below: RAM), 1..20 pages, or (r[10]
			 * bit 7) n; IPA anywhere in the first 16 GiB. RAM and the hypervisor's
			 * pages must never be taken.
			 */
			pa = fuzz_map_pa(r);
			regs.x[0] = LS_HVC_VM_MAP_MMIO;
			regs.x[1] = vm;
			regs.x[2] = ipa;
			regs.x[3] = pa;
			regs.x[4] = r[10] & 0x80 ? n : 1U + r[10] % 20U;
			bad = pa < FUZZ_RAM_END && pa + (regs.x[4] << PAGE_SHIFT) > FAKE_MEM_BASE;
			break;
		}
		regs.x[0] = LS_HVC_VM_ASSIGN_STREAM;
		regs.x[1] = vm;
		regs.x[2] = get32(r + 6) % 40;
		break;
	case 31:
		if (r[11] & 0x80) {
			/* LS_FN_VM_UNMAP_MMIO: a range the VM took (r[10] bit 7: its IPA), or any. */
			struct own_mmio m;

			regs.x[0] = LS_HVC_VM_UNMAP_MMIO;
			regs.x[1] = vm;
			regs.x[2] = ipa;
			regs.x[3] = 1U + r[10] % 20U;
			if ((r[10] & 0x80) && vm < OWN_MAX_VMS && !own_vm_mmio_of(vm, n % 8, &m)) {
				regs.x[2] = m.ipa;
				regs.x[3] = r[10] & 0x40 ? m.n + 1 : m.n;
				bad = (r[10] & 0x40) != 0; /* not the exact range */
			}
			break;
		}
		regs.x[0] = LS_HVC_VM_RELEASE_STREAM;
		regs.x[1] = get32(r + 6) % 40;
		break;
	case 29:
		regs.x[0] = LS_HVC_VM_STATS;
		regs.x[1] = vm;
		regs.x[2] = n % 10;
		break;
	default: /* share/unshare hyp, version, features */
		regs.x[1] = pa;
		regs.x[2] = n;
		break;
	}
	/*
	 * r[0] >= 225: the same call made by VM `vm` instead of the host. Every function but
	 * VERSION, FEATURES and the guest calls is host-only: refused with LS_EPERM, x1..x3
	 * written 0 (docs/hypercalls.md "Convention"), and no state change (checked below as
	 * for any failed call).
	 */
	wrong = r[0] >= 225 && fn > LS_FN_FEATURES && !guest;
	if (wrong) {
		ctx.caller = HVC_CALLER_VM;
		ctx.vm_id = vm;
	}
	in = regs;
	if (guest) {
		/* A guest call: SUCCESS or INVALID_PARAMETER (the pKVM ABI's only error). */
		struct vcpu gv = { .vm = vm };
		struct vcpu_exit ex;

		if (vm >= OWN_MAX_VMS || !own_vm_live(vm))
			goto check;
		guest_hvc(&gv, &regs, &ex);
		st = (s64)regs.x[0];
		if (st != 0 && st != -3)
			plat_panic("fuzz: guest fn %u returned %lld", fn, (long long)st);
	} else {
		hvc_handle(&ctx, &regs);
		st = (s64)regs.x[0];
	}
	if (wrong && (st != LS_EPERM || regs.x[1] || regs.x[2] || regs.x[3]))
		plat_panic("fuzz: host-only fn %u from VM %u: %lld x1 %#llx x2 %#llx x3 %#llx", fn,
			   vm, (long long)st, (unsigned long long)regs.x[1],
			   (unsigned long long)regs.x[2], (unsigned long long)regs.x[3]);
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr,
			"fn %2u vm %2u x1 %#llx x2 %#llx x3 %#llx x4 %#llx x5 %#llx -> %lld x1 %#llx%s\n",
			fn, vm, (unsigned long long)in.x[1], (unsigned long long)in.x[2],
			(unsigned long long)in.x[3], (unsigned long long)in.x[4],
			(unsigned long long)in.x[5], (long long)st, (unsigned long long)regs.x[1],
			bad    ? " (bad input)" :
			bitmap ? " (bitmap)" :
				 "");
	if (!fuzz_status_ok(st))
		plat_panic("fuzz: fn %u returned %lld", fn, (long long)st);
	/* Bad input gets an error code and changes no state (docs/hypercalls.md); queries never do. */
	ro = fn <= LS_FN_FEATURES || fn == 22 || fn == 27 || fn == 29;
	fuzz_snap_valid = st != LS_OK || ro;
	if ((st != LS_OK || ro) && !fuzz_unchanged(snap))
		plat_panic("fuzz: fn %u (%lld) changed state", fn, (long long)st);
	if ((st != LS_OK || ro) && fuzz_nr_inval != inval)
		plat_panic("fuzz: fn %u (%lld) invalidated", fn, (long long)st);
	if (st != LS_OK) {
		if (dma_call && (st == LS_ENOMEM ? !regs.x[1] || regs.x[2] != LS_POOL_IOMMU(dom) :
						   regs.x[1] != 0))
			plat_panic("fuzz: fn %u failed (%lld) with x1 %llu x2 %#llx", fn,
				   (long long)st, (unsigned long long)regs.x[1],
				   (unsigned long long)regs.x[2]);
		goto check;
	}
	if (bad)
		plat_panic("fuzz: fn %u succeeded with input it must refuse", fn);
	/* A take: every page, and the host's stage 2 reaches none of them any more. */
	if (in.x[0] == LS_HVC_VM_MAP_MMIO &&
	    (regs.x[1] != in.x[4] ||
	     pt_lookup(&own_view_of(OWN_HOST)->cpu, in.x[3], NULL, NULL, NULL) == 0 ||
	     pt_lookup(&own_view_of(OWN_HOST)->cpu, in.x[3] + ((in.x[4] - 1) << PAGE_SHIFT), NULL,
		       NULL, NULL) == 0))
		plat_panic("fuzz: MMIO take of %llu pages at %#llx: x1 %llu or the host maps it",
			   (unsigned long long)in.x[4], (unsigned long long)in.x[3],
			   (unsigned long long)regs.x[1]);
	if (bitmap) {
		/* All or nothing: every page named is converted. */
		u64 want = 0;

		for (idx = 0; idx < LS_CONVERT_BITMAP_REGS; idx++)
			want += (u64)__builtin_popcountll(in.x[5 + idx]);
		if (regs.x[1] != want)
			plat_panic("fuzz: bitmap of %llu pages converted %llu",
				   (unsigned long long)want, (unsigned long long)regs.x[1]);
	} else if (((fn >= 2 && fn <= 7) || fn == 20 || fn == 21) &&
		   (regs.x[1] == 0 || regs.x[1] > n || regs.x[1] > budget))
		plat_panic("fuzz: fn %u did %llu of %llu pages", fn, (unsigned long long)regs.x[1],
			   (unsigned long long)n);
	if (fn == 20) {
		/* Both ends of the window read back; RAM pages counted once each, MMIO not at all. */
		pages = regs.x[1];
		fuzz_expect_mapped(dom, ipa, pa, in.x[5]);
		fuzz_expect_mapped(dom, ipa + ((pages - 1) << PAGE_SHIFT),
				   pa + ((pages - 1) << PAGE_SHIFT), in.x[5]);
		if (fuzz_dma_sum() != dma + ((in.x[5] & LS_IOMMU_MMIO) ? 0 : pages) ||
		    fuzz_dom_mapped(dom) != mapped + pages)
			plat_panic(
				"fuzz: map of %llu pages: counts %llu -> %llu, mapped %llu -> %llu",
				(unsigned long long)pages, (unsigned long long)dma,
				(unsigned long long)fuzz_dma_sum(), (unsigned long long)mapped,
				(unsigned long long)fuzz_dom_mapped(dom));
	} else if (fn == 21) {
		pages = regs.x[1];
		/* At least the 16 MiB window; past it (ABI 1.6) only over whole leaves. */
		if (pages <
		    MIN(n, LS_IOMMU_BUDGET_PAGES - ((ipa >> PAGE_SHIFT) % LS_IOMMU_BUDGET_PAGES)))
			plat_panic("fuzz: unmap of %llu pages at %#llx stopped after %llu",
				   (unsigned long long)n, (unsigned long long)ipa,
				   (unsigned long long)pages);
		if (fuzz_dma_sum() > dma || dma - fuzz_dma_sum() > pages ||
		    fuzz_dom_mapped(dom) != mapped - pages)
			plat_panic("fuzz: unmap of %llu pages: counts %llu -> %llu",
				   (unsigned long long)pages, (unsigned long long)dma,
				   (unsigned long long)fuzz_dma_sum());
	} else if (fn == 24) {
		if (regs.x[1] != fuzz_b.nents)
			plat_panic("fuzz: batch of %llu entries returned %llu",
				   (unsigned long long)fuzz_b.nents, (unsigned long long)regs.x[1]);
		pages = fuzz_batch_check_ok(dom);
		if (fuzz_dma_sum() != dma + pages || fuzz_dom_mapped(dom) != mapped + pages)
			plat_panic(
				"fuzz: batch of %llu pages: counts %llu -> %llu, mapped %llu -> %llu",
				(unsigned long long)pages, (unsigned long long)dma,
				(unsigned long long)fuzz_dma_sum(), (unsigned long long)mapped,
				(unsigned long long)fuzz_dom_mapped(dom));
	}
check:
	if (inv_check(msg, sizeof(msg)))
		plat_panic("fuzz: invariant broken after fn %u: %s", fn, msg);
	return used;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	unsigned int rec = 0, nrec = (unsigned int)MIN(size / FUZZ_REC, (size_t)FUZZ_MAX_REC);

	fuzz_setup();
	fuzz_snap_valid = false;
	while (rec < nrec)
		rec += fuzz_step(data + rec * FUZZ_REC, nrec - rec);
	return 0;
}
