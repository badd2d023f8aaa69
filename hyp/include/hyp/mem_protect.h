/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Ownership transitions (hyp/mem/mem_protect.c, docs/ownership.md "Transitions"):
 * each one moves every page of a window from one state pair to another, over every
 * view, in one transaction. Names read initiator_verb_completer: own_host_donate_vm
 * is the host donating to a VM, own_vm_offer_host a VM offering to the host.
 * 0 or -errno (nothing changed). Addresses in bytes, n in pages.
 */
#ifndef HYP_MEM_PROTECT_H
#define HYP_MEM_PROTECT_H

#include "hyp/own.h"

/* host OWNED -> SHARED_OWNED, hyp NOPAGE -> SHARED_BORROWED */
int own_host_share_hyp(u64 pa, u64 n, struct own_res *res);
/* host SHARED_OWNED -> OWNED, hyp SHARED_BORROWED -> NOPAGE */
int own_host_unshare_hyp(u64 pa, u64 n, struct own_res *res);
/* host OWNED -> NOPAGE, VM NOPAGE -> OWNED */
int own_host_donate_vm(u32 vm, u64 pa, u64 ipa, u64 n, struct own_res *res);
/*
 * VM OWNED -> NOPAGE, host NOPAGE -> OWNED (zeroed); or, for a window the VM shares with the
 * host, VM SHARED_OWNED -> NOPAGE, host SHARED_BORROWED -> OWNED (kept, the host's mapping
 * never goes). A window mixing both: -EBUSY.
 */
int own_host_reclaim_vm(u32 vm, u64 ipa, u64 n, struct own_res *res);
/* Conversion flags: OWN_CONVERT_ZERO scrubs the pages in the conversion (else contents kept). */
#define OWN_CONVERT_ZERO  1U
#define OWN_CONVERT_FLAGS OWN_CONVERT_ZERO
/* VM OWNED (offered) -> SHARED_OWNED, host NOPAGE -> SHARED_BORROWED */
int own_host_borrow_vm(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res);
/* VM SHARED_OWNED -> OWNED, host SHARED_BORROWED -> NOPAGE */
int own_host_return_vm(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res);
/*
 * The same two over a window of up to 1 GiB (to the next 1 GiB boundary of @ipa; the budget's
 * 2 MiB window with OWN_CONVERT_ZERO): one invalidation and one sync per view for the window.
 * Errors and what changed on an error: as the calls above.
 */
int own_host_borrow_vm_range(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res);
int own_host_return_vm_range(u32 vm, u64 ipa, u64 n, u32 flags, struct own_res *res);
/*
 * The pages of one 2 MiB VM window named by a bitmap (bit i of @bm[i / 64]: the page at
 * @ipa + i * 4 KiB; @ipa 2 MiB aligned), all or none: with @share as own_host_borrow_vm()
 * (VM OWNED + consent -> SHARED_OWNED, host NOPAGE -> SHARED_BORROWED), else as
 * own_host_return_vm() (VM SHARED_OWNED -> OWNED, host SHARED_BORROWED -> NOPAGE). res->done:
 * the pages converted (every page named).
 */
#define OWN_BITMAP_WORDS 8
int own_host_convert_bitmap(u32 vm, u64 ipa, const u64 *bm, bool share, u32 flags,
			    struct own_res *res);
/* VM OWNED: the VM offers the pages to the host (consent; no state changes yet) */
int own_vm_offer_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
/* VM withdraws its offer; pages the host borrows go back: SHARED_OWNED -> OWNED */
int own_vm_withdraw_host(u32 vm, u64 ipa, u64 n, struct own_res *res);
/*
 * Copy @len (<= PAGE_SIZE) bytes to the start of the VM's page at @ipa, which must be
 * mapped and VM OWNED (private: not shared with the host): -EINVAL otherwise, nothing
 * written. No state change.
 */
int own_vm_write_private(u32 vm, u64 ipa, const void *buf, u64 len);

#endif /* HYP_MEM_PROTECT_H */
