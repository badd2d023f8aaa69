// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: random hypercall sequences through the real dispatcher
 * (hvc_handle) on the real ownership core and page-table engine, over the fake
 * platform, with the invariant checker after every call. Any invariant break,
 * HYP_CHECK / plat_panic, sanitizer report or status outside the ABI aborts.
 *
 * Input: a sequence of 12-byte records (see fuzz_step). RAM is the first 16 MiB
 * of the fake's backed memory, so reclaims and destroys really zero memory.
 */
#include <errno.h>
#include <lockstep/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "hyp/hvc.h"
#include "hyp/own.h"
#include "hyp/plat.h"
#include "invariant.h"

#define FUZZ_RAM_PAGES ((16ULL << 20) >> PAGE_SHIFT) /* 16 MiB of the fake memory: fast checks */
#define FUZZ_POOL      64
#define FUZZ_REC       12

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static u16 fuzz_db[FUZZ_RAM_PAGES * 3 / 2]; /* entries + DMA map counts (own_db_bytes) */
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
	if (sid >= FUZZ_SIDS || !pt->root || vmid < OWN_HDOM_VMID_BASE)
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

/*
 * Record: fn, vm, pa page (u32 LE), ipa page (u32 LE), n (u16 LE).
 * fn % 24: 0..12 hypercall function numbers (11, 12 from VM `vm`), 13 attach a
 * domain to `vm` (mirrored if pa is odd), 14 detach, 15 raw unaligned donate,
 * 16..23 host DMA domains: create (pool at pa rounded to 64 KiB), destroy,
 * attach (sid = ipa page % 40), detach, map (prot = n's top byte % 5), unmap,
 * query / stats / view stats, donate to a domain's pool. `vm` % 10 names the
 * domain (8 and 9 do not exist).
 */
static void fuzz_step(const u8 *r)
{
	unsigned int fn = r[0] % 24, idx;
	u32 dom = r[1] % 10;
	u32 vm = r[1] % (OWN_MAX_VMS + 4);
	u64 pa = FAKE_MEM_BASE + ((u64)(get32(r + 2) % (FUZZ_RAM_PAGES + 64)) << PAGE_SHIFT);
	u64 ipa = (u64)(get32(r + 6) % (1U << 22)) << PAGE_SHIFT;
	u64 n = (u64)(r[10] | r[11] << 8) % 1100;
	struct hvc_ctx ctx = { HVC_CALLER_HOST, 0, 0 };
	struct hvc_regs regs, in;
	struct own_res res;
	char msg[256];

	memset(&regs, 0, sizeof(regs));
	if (fn == 13) {
		if (getenv("FUZZ_TRACE"))
			fprintf(stderr, "attach %u\n", vm);
		own_dom_attach(vm == OWN_MAX_VMS ? OWN_HOST : vm, get32(r + 2) & 1,
			       (get32(r + 2) >> 1) & 1 ? PT_FMT_ARM64_S1 : PT_FMT_VTD_SL, true,
			       &fuzz_ops, NULL, &idx, &res);
		goto check;
	}
	if (fn == 14) {
		own_dom_detach(vm == OWN_MAX_VMS ? OWN_HOST : vm, r[10] % (OWN_MAX_DOMS + 1));
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
		regs.x[0] = LS_HVC_IOMMU_MAP;
		regs.x[1] = dom;
		regs.x[2] = ipa;
		regs.x[3] = pa;
		regs.x[4] = n;
		regs.x[5] = r[11] % 5;
		break;
	case 21:
		regs.x[0] = LS_HVC_IOMMU_UNMAP;
		regs.x[1] = dom;
		regs.x[2] = ipa;
		regs.x[3] = n;
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
	case LS_FN_HOST_DONATE_VM:
	case 15:
		regs.x[1] = vm;
		regs.x[2] = pa + (fn == 15 ? (r[11] & 0xfff) : 0);
		regs.x[3] = ipa;
		regs.x[4] = n;
		break;
	case LS_FN_VM_RECLAIM:
	case LS_FN_VM_SHARE_HOST:
	case LS_FN_VM_UNSHARE_HOST:
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
	case LS_FN_GUEST_SHARE:
	case LS_FN_GUEST_UNSHARE:
		ctx.caller = HVC_CALLER_VM;
		ctx.vm_id = vm;
		regs.x[1] = ipa;
		regs.x[2] = n;
		break;
	default: /* share/unshare hyp, version, features */
		regs.x[1] = pa;
		regs.x[2] = n;
		break;
	}
	in = regs;
	hvc_handle(&ctx, &regs);
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr,
			"fn %2u vm %2u x1 %#llx x2 %#llx x3 %#llx x4 %#llx -> %lld x1 %#llx\n", fn,
			vm, (unsigned long long)in.x[1], (unsigned long long)in.x[2],
			(unsigned long long)in.x[3], (unsigned long long)in.x[4],
			(long long)regs.x[0], (unsigned long long)regs.x[1]);
	if (!fuzz_status_ok((s64)regs.x[0]))
		plat_panic("fuzz: fn %u returned %lld", fn, (long long)regs.x[0]);
	if ((s64)regs.x[0] == LS_OK && ((fn >= 2 && fn <= 7) || fn == 20 || fn == 21) &&
	    (regs.x[1] == 0 || regs.x[1] > n || regs.x[1] > LS_BUDGET_PAGES))
		plat_panic("fuzz: fn %u did %llu of %llu pages", fn, (unsigned long long)regs.x[1],
			   (unsigned long long)n);
check:
	if (inv_check(msg, sizeof(msg)))
		plat_panic("fuzz: invariant broken after fn %u: %s", fn, msg);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	size_t off;

	fuzz_setup();
	for (off = 0; off + FUZZ_REC <= size && off < 64 * FUZZ_REC; off += FUZZ_REC)
		fuzz_step(data + off);
	return 0;
}
