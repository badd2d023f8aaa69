/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall dispatch (arch-neutral). The arch backend traps an HVC from the
 * host, hands x0..x17 to hvc_handle() as a struct hvc_regs (arm64: the saved
 * frame itself; x86: RAX.. copied in and out) and returns the results in them.
 */
#ifndef HYP_HVC_H
#define HYP_HVC_H

#include "hyp/types.h"

struct hvc_regs {
	u64 x[18]; /* SMCCC v1.2: x0 function ID / status, x1..x17 args / results */
};

/* Who made the call: the host kernel, or VM @vm_id (guest calls, later). */
enum hvc_caller { HVC_CALLER_HOST, HVC_CALLER_VM };

struct hvc_ctx {
	enum hvc_caller caller;
	u32 vm_id;
	u32 cpu; /* logical CPU index of the caller */
};

/* Handle one call; x0 holds the status on return, x1..x3 results. */
void hvc_handle(const struct hvc_ctx *ctx, struct hvc_regs *regs);

/* Feature bits the platform reports in LS_HVC_FEATURES (set once at init). */
void hvc_set_features(u64 features);

#endif /* HYP_HVC_H */
