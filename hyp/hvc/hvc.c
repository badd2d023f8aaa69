// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall dispatch: a table of small handlers indexed by the function number
 * of the Lockstep vendor-hyp range; anything else is SMCCC NOT_SUPPORTED.
 */
#include <errno.h>
#include <lockstep/abi.h>

#include "hyp/attest.h"
#include "hyp/check.h"
#include "hyp/hvc.h"
#include "hyp/plat.h"
#include "hyp/hdom.h"
#include "hyp/measure.h"
#include "hyp/mem_protect.h"
#include "hyp/own.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

_Static_assert(LS_BUDGET_PAGES == OWN_BUDGET_PAGES, "ABI budget matches the core");
_Static_assert(LS_POOL_HOST == OWN_HOST, "ABI host pool id matches the core");
_Static_assert(LS_VM_POOL_MIN == OWN_VM_POOL_MIN, "ABI VM pool minimum matches the core");
_Static_assert(LS_VM_POOL_ALIGN == OWN_VM_POOL_ALIGN, "ABI VM pool alignment matches the core");
_Static_assert(LS_IOMMU_MAX_DOMAINS == OWN_MAX_HDOMS, "ABI domain count matches the core");
_Static_assert(LS_POOL_IOMMU(0) == OWN_POOL_HDOM(0), "ABI domain pool ids match the core");
_Static_assert(LS_IOMMU_READ == OWN_IOMMU_READ && LS_IOMMU_WRITE == OWN_IOMMU_WRITE,
	       "ABI prot bits match the core");
_Static_assert(LS_IOMMU_MMIO == OWN_IOMMU_MMIO, "ABI MMIO prot bit matches the core");
_Static_assert(LS_IOMMU_STAT_NR == OWN_HDOM_STAT_NR, "ABI domain stats match the core");
_Static_assert(LS_IOMMU_BATCH_MAX == OWN_BATCH_MAX &&
		       LS_IOMMU_BATCH_MAX * LS_IOMMU_BATCH_ENT_BYTES <= 4096 &&
		       LS_IOMMU_BATCH_ENT_BYTES == sizeof(struct own_map_ent) &&
		       LS_IOMMU_BUDGET_PAGES == OWN_HDOM_BUDGET_PAGES,
	       "ABI map batch matches the core");
_Static_assert(LS_IOMMU_BATCH_UNITS(0, 0, 512) == OWN_BATCH_UNITS(0, 0, 512) &&
		       LS_IOMMU_BATCH_UNITS(SZ_2M, 2 * SZ_2M, 512) == 1 &&
		       LS_IOMMU_BATCH_UNITS(PAGE_SIZE, 0, 512) ==
			       OWN_BATCH_UNITS(PAGE_SIZE, 0, 512) &&
		       LS_IOMMU_BATCH_UNITS(0, PAGE_SIZE, 512) == 512 &&
		       LS_IOMMU_BATCH_UNITS(0, 0, 511) == OWN_BATCH_UNITS(0, 0, 511) &&
		       LS_IOMMU_BATCH_UNITS(0, 0, 1024) == 1024,
	       "ABI batch budget units match the core");
_Static_assert(LS_VIEW_IOMMU_DOMAIN(0) == OWN_POOL_HDOM(0), "ABI view ids match the core");
_Static_assert(LS_CONVERT_ZERO == OWN_CONVERT_ZERO, "ABI conversion flags match the core");
_Static_assert(LS_CHECK_POOL == OWN_CHK_POOL && LS_CHECK_HOST_TAKEN == OWN_CHK_HOST_TAKEN &&
		       OWN_CHK_NR == LS_CHECK_HOST_TAKEN + 1 &&
		       LS_CHECK_WHO_DOM(0) == OWN_CHK_WHO_DOM(0),
	       "ABI invariant walk codes match the core");
_Static_assert(LS_CONVERT_BITMAP_REGS == OWN_BITMAP_WORDS && 5 + LS_CONVERT_BITMAP_REGS <= 18,
	       "ABI conversion bitmap matches the core and the registers");
_Static_assert(LS_VM_MAX_MMIO == OWN_VM_MAX_MMIO && LS_VM_MMIO_MAX_PAGES == OWN_VM_MMIO_MAX_PAGES,
	       "ABI MMIO ranges of VMs match the core");

static u64 hvc_features;

void hvc_set_features(u64 features)
{
	hvc_features = features;
}

typedef void (*hvc_handler_fn)(const struct hvc_ctx *ctx, struct hvc_regs *regs);

static void hvc_ret(struct hvc_regs *regs, s64 status)
{
	regs->x[0] = (u64)status;
}

static void hvc_version(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	(void)ctx;
	hvc_ret(regs, LS_OK);
	regs->x[1] = LS_ABI_VERSION;
}

static void hvc_features_call(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	(void)ctx;
	hvc_ret(regs, LS_OK);
	regs->x[1] = hvc_features;
}

/* The one place where the core's negative errno becomes an ABI status. */
static s64 hvc_status(int err)
{
	switch (err) {
	case 0:
		return LS_OK;
	case -EPERM:
		return LS_EPERM;
	case -ENOMEM:
		return LS_ENOMEM;
	case -EBUSY:
		return LS_EBUSY;
	case -ERANGE:
		return LS_ERANGE;
	case -ENOENT:
		return LS_ENOENT;
	case -EEXIST:
		return LS_EEXIST;
	case -ENOSPC:
		return LS_ENOSPC;
	case -EOPNOTSUPP:
		return LS_ENOTSUPP;
	default:
		return LS_EINVAL;
	}
}

/* Status in x0; x1 = pages done, or on -ENOMEM x1 = pages to donate, x2 = pool id. */
static void hvc_ret_own(struct hvc_regs *regs, int err, const struct own_res *res)
{
	hvc_ret(regs, hvc_status(err));
	regs->x[1] = err == -ENOMEM ? res->need : res->done;
	regs->x[2] = err == -ENOMEM ? res->need_who : 0;
	regs->x[3] = 0;
}

/* A VM id from a register: out-of-range values name no VM. */
static u32 hvc_vm_id(u64 x)
{
	return x < OWN_MAX_VMS ? (u32)x : OWN_MAX_VMS;
}

/*
 * A call refused for its caller: LS_EPERM, and x1..x3 written 0 as every refused
 * transition call's (docs/hypercalls.md "Convention"), not left as the caller's arguments.
 */
static void hvc_ret_eperm(struct hvc_regs *regs)
{
	hvc_ret(regs, LS_EPERM);
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

static bool hvc_from_host(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (ctx->caller == HVC_CALLER_HOST)
		return true;
	hvc_ret_eperm(regs);
	return false;
}

static void hvc_host_share_hyp(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs, own_host_share_hyp(regs->x[1], regs->x[2], &res), &res);
}

static void hvc_host_unshare_hyp(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs, own_host_unshare_hyp(regs->x[1], regs->x[2], &res), &res);
}

static void hvc_host_donate_vm(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_host_donate_vm(hvc_vm_id(regs->x[1]), regs->x[2], regs->x[3],
					       regs->x[4], &res),
			    &res);
}

static void hvc_vm_reclaim(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_host_reclaim_vm(hvc_vm_id(regs->x[1]), regs->x[2], regs->x[3],
						&res),
			    &res);
}

/* x1 = vm, x2 = ipa, x3 = pages, x4 = LS_CONVERT_* flags: one of the four conversion calls. */
typedef int (*hvc_convert_fn)(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res);

static void hvc_vm_convert(const struct hvc_ctx *ctx, struct hvc_regs *regs, hvc_convert_fn fn)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    regs->x[4] > 0xffffffffULL ? -EINVAL :
							 fn(hvc_vm_id(regs->x[1]), regs->x[2],
							    regs->x[3], (u32)regs->x[4], &res),
			    &res);
}

static void hvc_vm_share_host(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	hvc_vm_convert(ctx, regs, own_host_borrow_vm);
}

static void hvc_vm_unshare_host(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	hvc_vm_convert(ctx, regs, own_host_return_vm);
}

/* The range forms: up to 1 GiB a call (docs/hypercalls.md "LS_FN_VM_SHARE_HOST_RANGE"). */
static void hvc_vm_share_host_range(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	hvc_vm_convert(ctx, regs, own_host_borrow_vm_range);
}

static void hvc_vm_unshare_host_range(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	hvc_vm_convert(ctx, regs, own_host_return_vm_range);
}

/* x5..x12: the bitmap of one 2 MiB window (docs/hypercalls.md "LS_FN_VM_CONVERT_BITMAP"). */
static void hvc_vm_convert_bitmap(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	int err = -EINVAL;

	if (!hvc_from_host(ctx, regs))
		return;
	if (regs->x[3] <= LS_CONVERT_TO_PRIVATE && regs->x[4] <= 0xffffffffULL)
		err = own_host_convert_bitmap(hvc_vm_id(regs->x[1]), regs->x[2], &regs->x[5],
					      regs->x[3] == LS_CONVERT_TO_SHARED, (u32)regs->x[4],
					      &res);
	hvc_ret_own(regs, err, &res);
}

static void hvc_vm_create(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	u32 vm = 0;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[3] > 64 ?
		      -EINVAL :
		      own_vm_create(regs->x[1], regs->x[2], (unsigned int)regs->x[3], &vm, &res);
	hvc_ret_own(regs, err, &res);
	if (!err)
		regs->x[1] = vm;
}

static void hvc_vm_destroy(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs, own_vm_destroy(hvc_vm_id(regs->x[1]), &res), &res);
}

static void hvc_pool_donate(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	u32 who = regs->x[1] == LS_POOL_HOST ? OWN_HOST : hvc_vm_id(regs->x[1]);

	if (regs->x[1] >= LS_POOL_IOMMU(0) && regs->x[1] < LS_POOL_IOMMU(LS_IOMMU_MAX_DOMAINS))
		who = (u32)regs->x[1];

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs, own_host_donate_pool(who, regs->x[2], regs->x[3], &res), &res);
}

/* ---- vCPUs (docs/vcpu.md) ---- */

/* A vCPU index from a register: out-of-range values name no vCPU. */
static u32 hvc_vcpu_idx(u64 x)
{
	return x < VCPU_MAX ? (u32)x : VCPU_MAX;
}

static void hvc_vcpu_create(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[2] >= VCPU_MAX ? -EINVAL :
				       vcpu_create(hvc_vm_id(regs->x[1]), (u32)regs->x[2],
						   regs->x[3], regs->x[4], &res);
	hvc_ret_own(regs, err, &res);
}

static void hvc_vcpu_set_reg(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(vcpu_set_reg(hvc_vm_id(regs->x[1]), hvc_vcpu_idx(regs->x[2]),
					      regs->x[3], regs->x[4])));
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

static void hvc_vcpu_get_reg(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 val = 0;

	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(vcpu_get_reg(hvc_vm_id(regs->x[1]), hvc_vcpu_idx(regs->x[2]),
					      regs->x[3], &val)));
	regs->x[1] = val;
	regs->x[2] = regs->x[3] = 0;
}

/* x1 = LS_EXIT_*, x2..x6 its data; every other result register 0. */
static void hvc_vcpu_run(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct vcpu_exit ex;
	unsigned int i;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = vcpu_run(hvc_vm_id(regs->x[1]), hvc_vcpu_idx(regs->x[2]), regs->x[3], regs->x[4],
		       &ex);
	hvc_ret(regs, hvc_status(err));
	for (i = 1; i < ARRAY_SIZE(regs->x); i++)
		regs->x[i] = 0;
	if (err)
		return;
	regs->x[1] = ex.reason;
	for (i = 0; i < ARRAY_SIZE(ex.x); i++)
		regs->x[2 + i] = ex.x[i];
}

static void hvc_vm_stats(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 val = 0;

	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(vm_stat(hvc_vm_id(regs->x[1]), regs->x[2], &val)));
	regs->x[1] = val;
	regs->x[2] = LS_VM_STAT_NR;
	regs->x[3] = 0;
}

static void hvc_vm_assign_stream(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs,
		hvc_status(regs->x[2] > 0xffffffffULL ?
				   -ENOENT :
				   own_vm_assign_stream(hvc_vm_id(regs->x[1]), (u32)regs->x[2])));
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

static void hvc_vm_release_stream(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs,
		hvc_status(regs->x[1] > 0xffffffffULL ? -ENOENT :
							own_vm_release_stream((u32)regs->x[1])));
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

/* MMIO of VMs (docs/hypercalls.md "LS_HVC_VM_MAP_MMIO"). */
static void hvc_vm_map_mmio(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_vm_map_mmio(hvc_vm_id(regs->x[1]), regs->x[2], regs->x[3],
					    regs->x[4], &res),
			    &res);
}

static void hvc_vm_unmap_mmio(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_vm_unmap_mmio(hvc_vm_id(regs->x[1]), regs->x[2], regs->x[3], &res),
			    &res);
}

/* ---- host DMA domains ---- */

/* A domain id from a register: out-of-range values name no domain. */
static u32 hvc_dom_id(u64 x)
{
	return x < OWN_MAX_HDOMS ? (u32)x : OWN_MAX_HDOMS;
}

/* A stream id from a register: values beyond 32 bits name no stream. */
static u32 hvc_sid(u64 x)
{
	return x <= 0xffffffffULL ? (u32)x : 0xffffffffU;
}

static void hvc_iommu_domain_create(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	u32 dom = 0;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[3] > 64 ?
		      -EINVAL :
		      own_hdom_create(regs->x[1], regs->x[2], (unsigned int)regs->x[3], &dom, &res);
	hvc_ret_own(regs, err, &res);
	if (!err)
		regs->x[1] = dom;
}

static void hvc_iommu_domain_destroy(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs, own_hdom_destroy(hvc_dom_id(regs->x[1]), &res), &res);
}

static void hvc_iommu_attach(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(own_hdom_attach(hvc_dom_id(regs->x[1]), hvc_sid(regs->x[2]))));
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

static void hvc_iommu_detach(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(own_hdom_detach(hvc_sid(regs->x[1]))));
	regs->x[1] = regs->x[2] = regs->x[3] = 0;
}

static void hvc_iommu_map(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[5] > 0xffffffffULL ?
		      -EINVAL :
		      own_hdom_map(hvc_dom_id(regs->x[1]), regs->x[2], regs->x[3], regs->x[4],
				   (u32)regs->x[5], &res);
	hvc_ret_own(regs, err, &res);
}

static void hvc_iommu_unmap(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_hdom_unmap(hvc_dom_id(regs->x[1]), regs->x[2], regs->x[3], &res),
			    &res);
}

static void hvc_iommu_map_batch(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_res res = { 0 };

	if (hvc_from_host(ctx, regs))
		hvc_ret_own(regs,
			    own_hdom_map_batch(hvc_dom_id(regs->x[1]), regs->x[2], regs->x[3],
					       &res),
			    &res);
}

static void hvc_iommu_query(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 pa = 0, leaf = 0;
	u32 prot = 0;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = own_hdom_lookup(hvc_dom_id(regs->x[1]), regs->x[2], &pa, &prot, &leaf);
	hvc_ret(regs, hvc_status(err));
	regs->x[1] = err ? 0 : pa;
	regs->x[2] = err ? 0 : prot;
	regs->x[3] = err ? 0 : leaf;
}

static void hvc_iommu_domain_stats(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 val = 0;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[2] >= OWN_HDOM_STAT_NR ?
		      -EINVAL :
		      own_hdom_stat(hvc_dom_id(regs->x[1]), (unsigned int)regs->x[2], &val);
	hvc_ret(regs, hvc_status(err));
	regs->x[1] = val;
	regs->x[2] = OWN_HDOM_STAT_NR;
	regs->x[3] = 0;
}

static void hvc_view_stats(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 tables = 0;
	u32 kind = 0, level = 0;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = regs->x[1] > 0xffffffffULL ?
		      -ENOENT :
		      own_view_stats((u32)regs->x[1], regs->x[2], &tables, &kind, &level);
	hvc_ret(regs, hvc_status(err));
	regs->x[1] = tables;
	regs->x[2] = kind;
	regs->x[3] = level;
}

/* The IOMMU driver's counters (events, commands, syncs...), from the platform. */
static void hvc_smmu_stats(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 val = 0;

	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(plat_iommu_stat(regs->x[1], &val)));
	regs->x[1] = val;
	regs->x[2] = LS_SMMU_STAT_NR;
	regs->x[3] = 0;
}

/* A CPU's counters (TLB shootdowns on x86), from the platform. */
static void hvc_cpu_stats(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 val = 0, nr = 0;

	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(plat_cpu_stat(regs->x[1], regs->x[2], &val, &nr)));
	regs->x[1] = val;
	regs->x[2] = nr;
	regs->x[3] = LS_CPU_STAT_NR;
}

/* The measurement log, 24 bytes a call (docs/hypercalls.md "LS_FN_MEASURE_READ"). */
static void hvc_measure_read(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 w[3] = { 0, 0, 0 };
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = measure_read(regs->x[1], w);
	hvc_ret(regs, hvc_status(err));
	regs->x[1] = w[0];
	regs->x[2] = w[1];
	regs->x[3] = w[2];
}

/* A VM's launch measurement (docs/hypercalls.md "LS_FN_VM_MEASUREMENT"). */
static void hvc_vm_measurement(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u8 d[32];
	u64 pages;
	unsigned int i;

	if (!hvc_from_host(ctx, regs))
		return;
	hvc_ret(regs, hvc_status(vm_measurement(hvc_vm_id(regs->x[1]), d, &pages)));
	for (i = 0; i < 4; i++) {
		regs->x[1 + i] = 0;
		for (unsigned int b = 0; b < 8; b++)
			regs->x[1 + i] |= (u64)d[8 * i + b] << (8 * b);
	}
	regs->x[5] = pages;
}

/* The attestation public key; nothing here signs (docs/hypercalls.md "LS_FN_ATTEST_PUBKEY"). */
static void hvc_attest_pubkey(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u8 k[LS_ATT_PUBKEY_BYTES];
	unsigned int i;
	int err;

	if (!hvc_from_host(ctx, regs))
		return;
	err = attest_pubkey(k);
	hvc_ret(regs, hvc_status(err));
	for (i = 1; i <= 9; i++)
		regs->x[i] = 0;
	for (i = 0; !err && i < LS_ATT_PUBKEY_BYTES; i++)
		regs->x[1 + i / 8] |= (u64)k[i] << (8 * (i % 8));
}

#ifdef LOCKSTEP_DEBUG_CHECK
/* The invariant walk (docs/hypercalls.md "LS_FN_DEBUG_CHECK"): debug images only. */
static void hvc_debug_check(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	struct own_check_res r;

	if (!hvc_from_host(ctx, regs))
		return;
	if (regs->x[1]) {
		hvc_ret(regs, LS_EINVAL);
		return;
	}
	own_check(&own_check_engine, &r);
	hvc_ret(regs, LS_OK);
	regs->x[1] = r.code;
	regs->x[2] = r.addr;
	regs->x[3] = r.who;
	regs->x[4] = r.a;
	regs->x[5] = r.b;
	regs->x[6] = r.pages;
}
#endif

static const hvc_handler_fn hvc_table[] = {
	[LS_FN_VERSION] = hvc_version,
	[LS_FN_FEATURES] = hvc_features_call,
	[LS_FN_HOST_SHARE_HYP] = hvc_host_share_hyp,
	[LS_FN_HOST_UNSHARE_HYP] = hvc_host_unshare_hyp,
	[LS_FN_HOST_DONATE_VM] = hvc_host_donate_vm,
	[LS_FN_VM_RECLAIM] = hvc_vm_reclaim,
	[LS_FN_VM_SHARE_HOST] = hvc_vm_share_host,
	[LS_FN_VM_UNSHARE_HOST] = hvc_vm_unshare_host,
	[LS_FN_VM_CREATE] = hvc_vm_create,
	[LS_FN_VM_DESTROY] = hvc_vm_destroy,
	[LS_FN_POOL_DONATE] = hvc_pool_donate,
	[LS_FN_VCPU_CREATE] = hvc_vcpu_create,
	[LS_FN_VCPU_SET_REG] = hvc_vcpu_set_reg,
	[LS_FN_VCPU_GET_REG] = hvc_vcpu_get_reg,
	[LS_FN_VCPU_RUN] = hvc_vcpu_run,
	[LS_FN_VM_STATS] = hvc_vm_stats,
	[LS_FN_VM_ASSIGN_STREAM] = hvc_vm_assign_stream,
	[LS_FN_VM_RELEASE_STREAM] = hvc_vm_release_stream,
	[LS_FN_VM_CONVERT_BITMAP] = hvc_vm_convert_bitmap,
	[LS_FN_VM_MAP_MMIO] = hvc_vm_map_mmio,
	[LS_FN_VM_UNMAP_MMIO] = hvc_vm_unmap_mmio,
	[LS_FN_VM_SHARE_HOST_RANGE] = hvc_vm_share_host_range,
	[LS_FN_VM_UNSHARE_HOST_RANGE] = hvc_vm_unshare_host_range,
	[LS_FN_IOMMU_DOMAIN_CREATE] = hvc_iommu_domain_create,
	[LS_FN_IOMMU_DOMAIN_DESTROY] = hvc_iommu_domain_destroy,
	[LS_FN_IOMMU_ATTACH] = hvc_iommu_attach,
	[LS_FN_IOMMU_DETACH] = hvc_iommu_detach,
	[LS_FN_IOMMU_MAP] = hvc_iommu_map,
	[LS_FN_IOMMU_UNMAP] = hvc_iommu_unmap,
	[LS_FN_IOMMU_QUERY] = hvc_iommu_query,
	[LS_FN_IOMMU_DOMAIN_STATS] = hvc_iommu_domain_stats,
	[LS_FN_VIEW_STATS] = hvc_view_stats,
	[LS_FN_IOMMU_MAP_BATCH] = hvc_iommu_map_batch,
	[LS_FN_SMMU_STATS] = hvc_smmu_stats,
	[LS_FN_CPU_STATS] = hvc_cpu_stats,
	[LS_FN_MEASURE_READ] = hvc_measure_read,
	[LS_FN_VM_MEASUREMENT] = hvc_vm_measurement,
	[LS_FN_ATTEST_PUBKEY] = hvc_attest_pubkey,
#ifdef LOCKSTEP_DEBUG_CHECK
	[LS_FN_DEBUG_CHECK] = hvc_debug_check,
#endif
};

void hvc_handle(const struct hvc_ctx *ctx, struct hvc_regs *regs)
{
	u64 id = regs->x[0];
	u64 fn = id & 0xffff;

	if (id == LS_HVC_CALL_UID) {
		regs->x[0] = LS_UID_W0;
		regs->x[1] = LS_UID_W1;
		regs->x[2] = LS_UID_W2;
		regs->x[3] = LS_UID_W3;
		return;
	}
	if ((id & ~(u64)0xffff) != (u64)LS_HVC_ID(0) || fn >= ARRAY_SIZE(hvc_table) ||
	    !hvc_table[fn]) {
		hvc_ret(regs, LS_ENOTSUPP);
		return;
	}
	hvc_table[fn](ctx, regs);
}
