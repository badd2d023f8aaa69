/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM lifecycle and table-page pools (hyp/mem/vm.c, docs/ownership.md "VMs and
 * pools").
 */
#ifndef HYP_VM_H
#define HYP_VM_H

#include "hyp/own.h"

/* 0 or -errno (nothing changed). Addresses in bytes, n in pages. */
int own_vm_create(u64 pool_pa, u64 n, unsigned int ia_bits, u32 *vm, struct own_res *res);
int own_vm_destroy(u32 vm, struct own_res *res);
int own_host_donate_pool(u32 who, u64 pa, u64 n, struct own_res *res);

#endif /* HYP_VM_H */
