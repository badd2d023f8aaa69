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

/*
 * MMIO of VMs (hyp/mem/vmmmio.c, docs/ownership.md "MMIO of VMs"): the host's MMIO
 * [pa, pa + n pages) leaves the host's stage 2 (and its IOMMU views) and is mapped at
 * [ipa, ...) in VM @vm's as device memory, RW, never X; unmap gives the exact range back.
 * 0 or -errno, nothing changed on error (docs/hypercalls.md "LS_HVC_VM_MAP_MMIO").
 */
#define OWN_VM_MAX_MMIO	      8U
#define OWN_VM_MMIO_MAX_PAGES (1ULL << 18) /* 1 GiB per range */
struct own_mmio {
	u64 ipa, pa, n;
	pt_attr_t host_attr; /* the host stage-2 leaves' attributes before the take */
};
int own_vm_map_mmio(u32 vm, u64 ipa, u64 pa, u64 n, struct own_res *res);
int own_vm_unmap_mmio(u32 vm, u64 ipa, u64 n, struct own_res *res);
/* Range @i of VM @vm's table (tests, introspection): 0, or -ENOENT. */
int own_vm_mmio_of(u32 vm, unsigned int i, struct own_mmio *m);

#endif /* HYP_VM_H */
