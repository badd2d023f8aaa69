/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ownership transitions (hyp/mem/mem_protect.c, docs/ownership.md "Transitions"):
 * each one moves every page of a window from one state pair to another, over every
 * view, in one transaction.
 */
#ifndef HYP_MEM_PROTECT_H
#define HYP_MEM_PROTECT_H

#include "hyp/own.h"

/* Transitions: 0 or -errno (nothing changed). Addresses in bytes, n in pages. */
int own_host_share_hyp(u64 pa, u64 n, struct own_res *res);
int own_host_unshare_hyp(u64 pa, u64 n, struct own_res *res);
int own_host_donate_vm(u32 vm, u64 pa, u64 ipa, u64 n, struct own_res *res);
int own_vm_reclaim(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_vm_share_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_vm_unshare_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_guest_share_req(u32 vm, u64 ipa, u64 n, struct own_res *res);
int own_guest_unshare_req(u32 vm, u64 ipa, u64 n, struct own_res *res);

#endif /* HYP_MEM_PROTECT_H */
