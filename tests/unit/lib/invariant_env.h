/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test environment for the ownership core: simulated RAM, a recording fake of
 * the invalidation ops, snapshots proving "nothing changed", hypercall helpers.
 */
#ifndef TEST_INVARIANT_ENV_H
#define TEST_INVARIANT_ENV_H

#include "hyp/hvc.h"
#include "hyp/hdom.h"
#include "hyp/mem_protect.h"
#include "hyp/own.h"
#include "hyp/vcpu.h"
#include "hyp/vm.h"

/*
 * RAM: [ENV_RAM_BASE, + ENV_RAM_SIZE). Only the first FAKE_MEM_SIZE bytes are
 * backed (fake_alloc_pages): pools, and pages that get scrubbed, come from
 * there; the rest (2 GiB and up) holds whole 1 GiB blocks that tests donate and
 * convert without touching their contents.
 */
#define ENV_RAM_BASE 0x40000000ULL
#define ENV_RAM_SIZE (4ULL << 30)
#define ENV_BIG	     0x80000000ULL /* first 1 GiB block of unbacked host RAM */

/* Recording invalidation fake: counts per view. */
struct env_rec {
	u64 inval_calls; /* invalidate() calls */
	u64 ranges;	 /* ranges issued (1 for an `all`) */
	u64 alls;
	u64 syncs;
};

extern struct env_rec env_cpu_rec;
extern const struct own_inval_ops env_rec_ops; /* priv = struct env_rec * */

/* Fresh fake memory, DB and host view. */
void env_setup(u64 host_pool_pages);
void env_teardown(void);

/* Hypercall through the real dispatcher; returns x0, regs in *r (may be NULL). */
s64 env_hvc(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, struct hvc_regs *r);
/* Host call with x1..x5. */
s64 env_hvc5(u32 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct hvc_regs *r);
/* A host call with every argument register of @r (x1..x17); x0 is set to the function ID. */
s64 env_hvc_regs(u32 fn, struct hvc_regs *r);
s64 env_hvc_vm(u32 vm, u32 fn, u64 a1, u64 a2, struct hvc_regs *r);
/*
 * The core transitions behind the guest's MEM_SHARE / MEM_UNSHARE (own_vm_offer_host,
 * own_vm_withdraw_host) over @n pages from @ipa, with their precise errors as LS_*
 * statuses and r->x[1] = pages done. The guest ABI itself (one granule per call,
 * INVALID_PARAMETER for every refusal) is tested through guest_hvc() in test_vcpu.c.
 */
s64 env_guest_mem(u32 vm, bool share, u64 ipa, u64 n, struct hvc_regs *r);

/* A VM with a pool of @pool_pages fresh pages; returns its id. */
u32 env_vm_create(u64 pool_pages, unsigned int ia_bits);
/* @n fresh zeroed host pages from backed memory. */
u64 env_host_pages(u64 n, u64 align);
/* The DMA map count of RAM page @pa (host DMA domain mappings and device pins). */
unsigned int env_dma_count(u64 pa);

/* Hash of the DB, every table page's contents, pool and view counters. */
u64 env_snapshot(void);

#endif /* TEST_INVARIANT_ENV_H */
