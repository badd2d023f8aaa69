// SPDX-License-Identifier: GPL-2.0-only
/*
 * Invariant checker for the tests: the hypervisor's own walk (hyp/mem/check.c, the code
 * behind LS_HVC_DEBUG_CHECK) run over the independent decoders of ptdec.c (written from
 * the manuals) instead of the page-table engine, so that a bug shared by the engine's
 * encoder and decoder cannot pass both; a descriptor the decoder finds bad (a reserved
 * encoding, no access flag, a leaf beyond the input range) is a failure too. What it
 * checks is listed at the top of hyp/mem/check.c; here the first violation becomes a
 * sentence.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hyp/check.h"
#include "hyp/own.h"
#include "invariant.h"
#include "ptdec.h"

/* ---- the decoders as the walk's walker ------------------------------------------- */

struct inv_tramp {
	int (*leaf)(const struct own_check_leaf *l, void *arg);
	void *arg;
};

static char inv_walk_err[160]; /* the decoder's description of the last bad descriptor */

static int inv_tramp_leaf(const struct ptdec_leaf *pl, void *arg)
{
	const struct inv_tramp *t = arg;
	struct own_check_leaf l = { .ia = pl->ia, .pa = pl->pa, .size = pl->size, .attr = pl->attr };

	return t->leaf(&l, t->arg);
}

static int inv_ptdec_walk(const struct pt *pt,
			  int (*leaf)(const struct own_check_leaf *l, void *arg),
			  int (*table)(u64 table_pa, unsigned int level, void *arg), void *arg)
{
	struct inv_tramp t = { .leaf = leaf, .arg = arg };
	int ret;

	if (table) {
		ret = ptdec_walk(pt, NULL, table, arg, inv_walk_err, sizeof(inv_walk_err));
		if (ret)
			return ret;
	}
	if (leaf)
		return ptdec_walk(pt, inv_tramp_leaf, NULL, &t, inv_walk_err, sizeof(inv_walk_err));
	return 0;
}

static int inv_ptdec_lookup(const struct pt *pt, u64 ia, struct own_check_leaf *out)
{
	struct ptdec_leaf l;

	if (ptdec_lookup(pt, ia, &l))
		return -1;
	out->ia = ia;
	out->pa = l.pa; /* already the output of @ia */
	out->size = l.size;
	out->attr = l.attr;
	return 0;
}

static const struct own_check_walker inv_ptdec = {
	.walk = inv_ptdec_walk,
	.lookup = inv_ptdec_lookup,
};

/* ---- the violation as a sentence ---------------------------------------------------- */

static const char *inv_name(u32 who, bool iommu)
{
	static char buf[4][32];
	static unsigned int k;
	char *b = buf[k++ & 3];
	const char *io = iommu ? " IOMMU" : "";

	if (who == OWN_HOST)
		snprintf(b, 32, "host%s", io);
	else if (who >= OWN_CHK_WHO_DOM(0))
		snprintf(b, 32, "DMA domain %u", who - OWN_CHK_WHO_DOM(0));
	else
		snprintf(b, 32, "vm%u%s", who, io);
	return b;
}

void inv_describe(const struct own_check_res *r, char *msg, size_t len)
{
	const char *n = inv_name(r->who, r->iommu);
	unsigned long long addr = r->addr, a = r->a, b = r->b;
	const char *blk = r->who ? "1 GiB" : "2 MiB";

	switch (r->code) {
	case OWN_CHK_OK:
		snprintf(msg, len, "clean");
		break;
	case OWN_CHK_DEAD_OWNER:
		snprintf(msg, len, "page %#llx owned by dead vm (entry %#llx)", addr, a);
		break;
	case OWN_CHK_BAD_ENTRY:
		snprintf(msg, len, "page %#llx has impossible entry %#llx", addr, a);
		break;
	case OWN_CHK_SUMMARY:
		snprintf(msg, len, "%s summary (pa %#llx) is %#llx, its pages say %#llx", blk, addr,
			 a, b);
		break;
	case OWN_CHK_SUMMARY_COUNT:
		snprintf(msg, len, "%llu %s summaries for %llu blocks", a, blk, b);
		break;
	case OWN_CHK_HOST_TAKEN:
		snprintf(msg, len, "%s maps MMIO %#llx that vm%llu took", n, addr, a);
		break;
	case OWN_CHK_VM_DEVICE:
		snprintf(msg, len, "%s maps device memory %#llx at %#llx it did not take", n, a,
			 addr);
		break;
	case OWN_CHK_NON_RAM:
		snprintf(msg, len, "%s maps non-RAM pa %#llx at %#llx", n, addr, a);
		break;
	case OWN_CHK_RAM_DEVICE:
		snprintf(msg, len, "%s maps RAM %#llx as device", n, addr);
		break;
	case OWN_CHK_HYP_PAGE:
		snprintf(msg, len, "%s reaches hypervisor page %#llx (entry %#llx)", n, addr, a);
		break;
	case OWN_CHK_NOT_IDENTITY:
		snprintf(msg, len, "%s map not identity: %#llx -> %#llx", n, addr, a);
		break;
	case OWN_CHK_HOST_PRIVATE:
		snprintf(msg, len, "%s reaches %#llx owned by vm%llu, not shared", n, addr,
			 (a & OWN_E_OWNER) - OWN_OWNER_VM(0));
		break;
	case OWN_CHK_VM_FOREIGN:
		snprintf(msg, len, "%s reaches %#llx (entry %#llx)", n, addr, a);
		break;
	case OWN_CHK_VM_TWICE:
		snprintf(msg, len, "%s maps %#llx twice (again at %#llx)", n, addr, a);
		break;
	case OWN_CHK_MIRROR:
		if (b == ~0ULL)
			snprintf(msg, len, "%s maps %#llx at %#llx, CPU maps nothing there", n, a,
				 addr);
		else
			snprintf(msg, len, "%s maps %#llx at %#llx, CPU maps %#llx there", n, a,
				 addr, b);
		break;
	case OWN_CHK_ATTR:
		snprintf(msg, len, "%s maps %#llx with attr %#llx, state wants %#llx", n, addr, a,
			 b);
		break;
	case OWN_CHK_BAD_DESC:
		snprintf(msg, len, "%s table: %s", n, inv_walk_err);
		break;
	case OWN_CHK_REACH_COUNT:
		snprintf(msg, len, "%s reaches %llu pages, DB says %llu", n, a, b);
		break;
	case OWN_CHK_VM_COUNTER:
		snprintf(msg, len, "%s counter %llu, DB %llu", n, a, b);
		break;
	case OWN_CHK_DMA_ATTR:
		snprintf(msg, len, "%s maps %#llx with attr %#llx", n, addr, a);
		break;
	case OWN_CHK_DMA_RAM_DEVICE:
		snprintf(msg, len, "%s maps RAM pa %#llx as device", n, addr);
		break;
	case OWN_CHK_DMA_MMIO:
		snprintf(msg, len,
			 "%s reaches MMIO %#llx the host stage-2 does not map as device with "
			 "attr %#llx",
			 n, addr, a);
		break;
	case OWN_CHK_DMA_NON_RAM:
		snprintf(msg, len, "%s maps non-RAM pa %#llx", n, addr);
		break;
	case OWN_CHK_DMA_FOREIGN:
		snprintf(msg, len,
			 "%s reaches %#llx the host neither owns nor borrows (entry %#llx)", n,
			 addr, a);
		break;
	case OWN_CHK_DMA_MAPPED:
		snprintf(msg, len, "%s maps %llu pages, counter says %llu", n, a, b);
		break;
	case OWN_CHK_PIN:
		snprintf(msg, len, "pin %u: PA %#llx is not a host RAM page (entry %#llx)", r->who,
			 addr, a);
		break;
	case OWN_CHK_DMA_COUNT:
		if (b == ~0ULL)
			snprintf(msg, len, "page %#llx DMA map count lower than its mappings",
				 addr);
		else
			snprintf(msg, len, "page %#llx DMA map count %llu more than its mappings",
				 addr, a);
		break;
	case OWN_CHK_TABLE_PAGE:
		snprintf(msg, len, "table page %#llx of %s has DB entry %#llx", addr, n, a);
		break;
	case OWN_CHK_TABLE_NOT_DONATED:
		snprintf(msg, len, "table page %#llx not donated to %s's pool", addr, n);
		break;
	case OWN_CHK_TABLE_TWICE:
		snprintf(msg, len, "table page %#llx used twice (%s)", addr, n);
		break;
	case OWN_CHK_TABLE_COUNT:
		snprintf(msg, len, "%s table counts %llu pages, walk found %llu", n, a, b);
		break;
	case OWN_CHK_POOL:
		snprintf(msg, len, "%s pool: total %llu, free list %llu: counters do not balance",
			 n, a, b);
		break;
	default:
		snprintf(msg, len, "violation %u at %#llx", r->code, addr);
	}
}

int inv_check(char *msg, size_t len)
{
	struct own_check_res r;

	inv_walk_err[0] = 0;
	msg[0] = 0;
	if (!own_check(&inv_ptdec, &r))
		return 0;
	inv_describe(&r, msg, len);
	return -1;
}
