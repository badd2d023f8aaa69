// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall dispatch: a table of small handlers indexed by the function number
 * of the Lockstep vendor-hyp range; anything else is SMCCC NOT_SUPPORTED.
 */
#include <lockstep/abi.h>

#include "hyp/hvc.h"

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

static const hvc_handler_fn hvc_table[] = {
	[LS_FN_VERSION] = hvc_version,
	[LS_FN_FEATURES] = hvc_features_call,
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
