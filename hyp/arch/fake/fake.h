/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake platform for host-native unit tests: simulated physical memory at
 * FAKE_MEM_BASE that plat_phys_to_virt() maps into a host buffer (any PA outside
 * panics), counted cache cleans, logs on stderr when LOCKSTEP_LOG is set, and a
 * panic that aborts. Linked only into test binaries, never into the hypervisor.
 */
#ifndef HYP_ARCH_FAKE_H
#define HYP_ARCH_FAKE_H

#include "hyp/types.h"

#define FAKE_MEM_BASE 0x40000000ULL
#define FAKE_MEM_SIZE (64ULL << 20)

/* Zero the simulated memory handed out so far, forget it, and zero the counters. */
void fake_mem_reset(void);
/* PA of @n fresh zeroed pages aligned to @align bytes (a power of two >= 4 KiB). */
u64 fake_alloc_pages(u64 n, u64 align);
/* Pages still available to fake_alloc_pages() (ignoring alignment). */
u64 fake_pages_left(void);
/* True if [pa, pa + size) lies inside simulated memory. */
bool fake_pa_valid(u64 pa, u64 size);

/*
 * A non-coherent table walker's view: a second copy of simulated memory (the
 * "point of coherency") that only plat_dcache_clean() updates, whole 64-byte
 * lines at a time. True if the CPU's and the walker's views of [pa, pa + size)
 * agree, i.e. every write there was cleaned.
 */
bool fake_poc_equal(u64 pa, u64 size);

/* plat_dcache_clean() calls and bytes since the last reset. */
u64 fake_dcache_clean_calls(void);
u64 fake_dcache_clean_bytes(void);
/* plat_panic() calls abort(); tests of panics use a death-test style fork. */

/*
 * vCPUs (hyp/arch/fake/vcpu.c): plat_vcpu_enter() returns the scripted events in
 * order (an HVC event also sets x0..x17 of the vCPU), then VCPU_EV_IRQ forever.
 * MMIO reads complete into x1. Counters and registers for the tests.
 */
struct vcpu;
struct vcpu_event;
void fake_vcpu_script(const struct vcpu_event *ev, unsigned int n);
unsigned int fake_vcpu_script_left(void);
const u64 *fake_vcpu_x(const struct vcpu *v);
void fake_vcpu_counts(const struct vcpu *v, u64 *loads, u64 *aborts, u64 *mmio_done, u64 *pc);
/*
 * Called by plat_vcpu_enter() on every entry, before the script is read (NULL: none):
 * concurrency tests hold a vCPU "in the guest" there. Set it before threads start.
 */
void fake_vcpu_enter_hook(void (*fn)(struct vcpu *v));

#endif /* HYP_ARCH_FAKE_H */
