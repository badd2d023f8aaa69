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

/*
 * Devices of VMs (hyp/mem/vmdev.c): host stream @sid leaves the host identity view
 * and translates through VM @vm's stage 2 (-EBUSY while in a host DMA domain or
 * another VM, -EEXIST already this VM's, -EOPNOTSUPP the IOMMU cannot walk the
 * VM's table, -ENOSPC, -EPERM VM stopping); release: back to the host identity view.
 */
#define OWN_VM_MAX_SIDS 16U
int own_vm_assign_stream(u32 vm, u32 sid);
int own_vm_release_stream(u32 sid);
int own_vm_stream_of(u32 sid, u32 *vm);

#endif /* HYP_VM_H */
