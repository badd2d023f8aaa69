/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Lockstep hypercall ABI: the one header shared by the hypervisor (hyp/) and
 * the host driver (host-driver/). Nothing else includes it.
 *
 * Calling convention: SMCCC v1.2 (Arm DEN 0028), HVC conduit from the host
 * kernel at EL1, SMC64 fast calls in the Vendor Specific Hypervisor Service
 * range (OEN 6). Arguments in x1..x7, function ID in x0; on return x0 holds a
 * status (LS_OK or a negative LS_E* code) and x1..x3 hold results.
 * docs/hypercalls.md documents every call: arguments, errors, state changes.
 *
 * This header is freestanding: it uses only integer constants so that both a
 * Linux module and the hypervisor's C library environment can include it.
 */
#ifndef LOCKSTEP_ABI_H
#define LOCKSTEP_ABI_H

/* ABI version returned by LS_HVC_VERSION: major in bits [31:16], minor [15:0]. */
#define LS_ABI_MAJOR   1
#define LS_ABI_MINOR   6
#define LS_ABI_VERSION ((LS_ABI_MAJOR << 16) | LS_ABI_MINOR)

/* SMCCC function ID fields (DEN 0028, 2.5 "Function Identifiers"). */
#define LS_SMCCC_FAST		0x80000000U /* bit 31: fast call */
#define LS_SMCCC_64		0x40000000U /* bit 30: SMC64/HVC64 convention */
#define LS_SMCCC_OEN_SHIFT	24
#define LS_SMCCC_OEN_VENDOR_HYP 6U /* Vendor Specific Hypervisor Service */

#define LS_HVC_ID(n) \
	(LS_SMCCC_FAST | LS_SMCCC_64 | (LS_SMCCC_OEN_VENDOR_HYP << LS_SMCCC_OEN_SHIFT) | (n))

/*
 * Standard queries of the vendor-hyp range (SMC32 IDs, DEN 0028 6.2):
 * Call UID returns the 128-bit Lockstep UUID in w0..w3.
 */
#define LS_HVC_CALL_UID 0x8600FF01U
/* Lockstep UUID 6c6f636b-7374-6570-8c1e-4c53484f5354 as returned in w0..w3. */
#define LS_UID_W0	0x6b636f6cU
#define LS_UID_W1	0x70657473U
#define LS_UID_W2	0x4c1e8c70U
#define LS_UID_W3	0x5453484fU

/* Function numbers (bits [15:0] of the ID). */
#define LS_FN_VERSION  0x0000 /* x1 = LS_ABI_VERSION */
#define LS_FN_FEATURES 0x0001 /* x1 = LS_FEAT_* bitmap */

#define LS_HVC_VERSION	LS_HVC_ID(LS_FN_VERSION)
#define LS_HVC_FEATURES LS_HVC_ID(LS_FN_FEATURES)

/* Feature bits returned by LS_HVC_FEATURES in x1. */
#define LS_FEAT_HOST_S2	   (1UL << 0) /* host runs under a stage-2 identity map */
#define LS_FEAT_PSCI_RELAY (1UL << 1) /* PSCI calls are relayed by Lockstep */

/*
 * Status codes returned in x0. LS_ENOTSUPP and LS_EINVAL take the SMCCC
 * values (NOT_SUPPORTED = -1, INVALID_PARAMETER = -3); the rest are Lockstep's.
 */
#define LS_OK	    0
#define LS_ENOTSUPP (-1) /* unknown function ID (SMCCC NOT_SUPPORTED) */
#define LS_EINVAL   (-3) /* malformed argument (SMCCC INVALID_PARAMETER) */
#define LS_EPERM    (-4) /* caller does not own the page or state forbids it */
#define LS_ENOMEM   (-5) /* table-page pool too small: x1 = pages to donate */
#define LS_EBUSY    (-6) /* page in use by another view or transition */
#define LS_ERANGE   (-7) /* address outside RAM or the address space */
#define LS_ENOENT   (-8) /* unknown VM, domain or stream */
#define LS_EEXIST   (-9) /* already mapped / already exists */

/*
 * Ownership transitions (docs/hypercalls.md, docs/ownership.md). Addresses are
 * byte addresses (4 KiB aligned), sizes are page counts. A call handles at most
 * LS_BUDGET_PAGES pages, stopping early at a 2 MiB boundary of the range it
 * walks: on LS_OK x1 = pages done and the caller repeats with the rest. A call
 * that fails changed nothing; on LS_ENOMEM x1 = pages to donate, x2 = to which
 * pool (LS_POOL_HOST or the VM id), via LS_FN_POOL_DONATE.
 */
#define LS_FN_HOST_SHARE_HYP   0x0002 /* x1 = pa, x2 = pages */
#define LS_FN_HOST_UNSHARE_HYP 0x0003 /* x1 = pa, x2 = pages */
#define LS_FN_HOST_DONATE_VM   0x0004 /* x1 = vm, x2 = pa, x3 = ipa, x4 = pages */
#define LS_FN_VM_RECLAIM       0x0005 /* x1 = vm, x2 = ipa, x3 = pages */
#define LS_FN_VM_SHARE_HOST \
	0x0006 /* x1 = vm, x2 = ipa, x3 = pages, x4 = LS_CONVERT_* (private -> shared) */
#define LS_FN_VM_UNSHARE_HOST \
	0x0007 /* x1 = vm, x2 = ipa, x3 = pages, x4 = LS_CONVERT_* (shared -> private) */
#define LS_CONVERT_ZERO	  1 /* x4 of SHARE/UNSHARE_HOST: the pages are zeroed in the conversion */
#define LS_FN_VM_CREATE	  0x0008 /* x1 = pool pa, x2 = pages, x3 = ipa bits; x1 = vm */
#define LS_FN_VM_DESTROY  0x0009 /* x1 = vm; x1 = pool pages returned */
#define LS_FN_POOL_DONATE 0x000a /* x1 = LS_POOL_HOST or vm, x2 = pa, x3 = pages */
/* 0x000b, 0x000c: retired (ABI 1.2); guests use pKVM's MEM_SHARE/MEM_UNSHARE (docs/guest-abi.md). */

#define LS_HVC_HOST_SHARE_HYP	LS_HVC_ID(LS_FN_HOST_SHARE_HYP)
#define LS_HVC_HOST_UNSHARE_HYP LS_HVC_ID(LS_FN_HOST_UNSHARE_HYP)
#define LS_HVC_HOST_DONATE_VM	LS_HVC_ID(LS_FN_HOST_DONATE_VM)
#define LS_HVC_VM_RECLAIM	LS_HVC_ID(LS_FN_VM_RECLAIM)
#define LS_HVC_VM_SHARE_HOST	LS_HVC_ID(LS_FN_VM_SHARE_HOST)
#define LS_HVC_VM_UNSHARE_HOST	LS_HVC_ID(LS_FN_VM_UNSHARE_HOST)
#define LS_HVC_VM_CREATE	LS_HVC_ID(LS_FN_VM_CREATE)
#define LS_HVC_VM_DESTROY	LS_HVC_ID(LS_FN_VM_DESTROY)
#define LS_HVC_POOL_DONATE	LS_HVC_ID(LS_FN_POOL_DONATE)

#define LS_BUDGET_PAGES	 512	      /* most pages one transition call handles */
#define LS_POOL_HOST	 0xffffffffUL /* pool id of the host's table-page pool */
#define LS_VM_POOL_MIN	 16	      /* pages LS_FN_VM_CREATE needs at least */
#define LS_VM_POOL_ALIGN 0x10000      /* LS_FN_VM_CREATE pool PA alignment (64 KiB) */
#define LS_ENOSPC	 (-10)	      /* no free VM slot / domain slot / pool run */

/*
 * Appended for hyp/iommu (issue 4, docs/iommu.md). LS_FEAT_SMMU: an SMMUv3 is
 * Lockstep's (MMIO out of the host stage-2) and the host's DMA streams
 * translate through the host stage-2, invalidated in every ownership change.
 * LS_FN_SMMU_STATS: x1 = counter id (LS_SMMU_STAT_*); returns x1 = value,
 * x2 = LS_SMMU_STAT_NR. LS_EINVAL for an unknown id, LS_ENOENT without SMMU.
 */
#define LS_FEAT_SMMU		(1UL << 2)
/*
 * Appended for VFIO (issue 18, docs/hypercalls.md "LS_HVC_FEATURES"). LS_FEAT_DMA_COHERENT: DMA
 * through a host DMA domain is cache-coherent and the device cannot opt out: the SMMU walks and
 * snoops coherently, RAM is mapped Normal write-back inner shareable, and a domain stream's
 * incoming attributes are replaced by Normal write-back inner shareable (no PCIe No-Snoop).
 */
#define LS_FEAT_DMA_COHERENT	(1UL << 3)
#define LS_FN_SMMU_STATS	0x0040
#define LS_HVC_SMMU_STATS	LS_HVC_ID(LS_FN_SMMU_STATS)
#define LS_SMMU_STAT_EVENTS	0  /* event records drained */
#define LS_SMMU_STAT_FAULTS	1  /* of which translation/permission/... faults */
#define LS_SMMU_STAT_CFG_ERRORS 2  /* of which C_BAD_* configuration errors */
#define LS_SMMU_STAT_GERRORS	3  /* global error bits acknowledged */
#define LS_SMMU_STAT_OVERFLOWS	4  /* event queue overflows */
#define LS_SMMU_STAT_CMDS	5  /* commands issued */
#define LS_SMMU_STAT_SYNCS	6  /* CMD_SYNCs completed */
#define LS_SMMU_STAT_INVAL_IPA	7  /* CMD_TLBI_S2_IPA issued */
#define LS_SMMU_STAT_INVAL_ALL	8  /* CMD_TLBI_S12_VMALL issued */
#define LS_SMMU_STAT_TIMEOUTS	9  /* polls that gave up */
#define LS_SMMU_STAT_HOST_MMIO	10 /* host accesses to the SMMU frame refused */
#define LS_SMMU_STAT_FAILED	11 /* 1: the SMMU failed closed (all DMA aborts) */
#define LS_SMMU_STAT_STREAMS	12 /* stream ids below this may join host DMA domains */
#define LS_SMMU_STAT_NR		13

/*
 * Appended for the core's host DMA domains (issue 4, docs/hypercalls.md,
 * docs/iommu.md "Core interface"). Host only. A domain's pool is donated like
 * a VM's (LS_VM_POOL_MIN pages, LS_VM_POOL_ALIGN); more via LS_FN_POOL_DONATE
 * with pool id LS_POOL_IOMMU(dom), which LS_ENOMEM also names in x2.
 */
#define LS_FN_IOMMU_DOMAIN_CREATE  0x0050 /* x1 = pool pa, x2 = pages, x3 = iova bits; x1 = dom */
#define LS_FN_IOMMU_DOMAIN_DESTROY 0x0051 /* x1 = dom; x1 = pool pages returned */
#define LS_FN_IOMMU_ATTACH	   0x0052 /* x1 = dom, x2 = stream id */
#define LS_FN_IOMMU_DETACH	   0x0053 /* x1 = stream id (back to the identity view) */
#define LS_FN_IOMMU_MAP		   0x0054 /* x1 = dom, x2 = iova, x3 = pa, x4 = pages, x5 = prot */
#define LS_FN_IOMMU_UNMAP	   0x0055 /* x1 = dom, x2 = iova, x3 = pages; x1 = pages done */
#define LS_FN_IOMMU_QUERY	   0x0056 /* x1 = dom, x2 = iova; x1 = pa, x2 = prot */
#define LS_FN_IOMMU_DOMAIN_STATS   0x0057 /* x1 = dom, x2 = LS_IOMMU_STAT_*; x1 = value */
#define LS_FN_VIEW_STATS	   0x0058 /* x1 = LS_VIEW_*, x2 = ia; x1 tables, x2 kind, x3 level */

#define LS_HVC_IOMMU_DOMAIN_CREATE  LS_HVC_ID(LS_FN_IOMMU_DOMAIN_CREATE)
#define LS_HVC_IOMMU_DOMAIN_DESTROY LS_HVC_ID(LS_FN_IOMMU_DOMAIN_DESTROY)
#define LS_HVC_IOMMU_ATTACH	    LS_HVC_ID(LS_FN_IOMMU_ATTACH)
#define LS_HVC_IOMMU_DETACH	    LS_HVC_ID(LS_FN_IOMMU_DETACH)
#define LS_HVC_IOMMU_MAP	    LS_HVC_ID(LS_FN_IOMMU_MAP)
#define LS_HVC_IOMMU_UNMAP	    LS_HVC_ID(LS_FN_IOMMU_UNMAP)
#define LS_HVC_IOMMU_QUERY	    LS_HVC_ID(LS_FN_IOMMU_QUERY)
#define LS_HVC_IOMMU_DOMAIN_STATS   LS_HVC_ID(LS_FN_IOMMU_DOMAIN_STATS)
#define LS_HVC_VIEW_STATS	    LS_HVC_ID(LS_FN_VIEW_STATS)

#define LS_IOMMU_READ	     1 /* map prot bits */
#define LS_IOMMU_WRITE	     2
#define LS_IOMMU_MMIO	     4 /* pa is MMIO the host reaches, not RAM (MSI doorbells) */
#define LS_IOMMU_MAX_DOMAINS 8
#define LS_POOL_IOMMU(dom)   (0x100UL + (dom)) /* pool id of domain dom */

#define LS_IOMMU_STAT_MAPPED	   0 /* pages mapped */
#define LS_IOMMU_STAT_TABLES	   1 /* table pages in use */
#define LS_IOMMU_STAT_POOL_FREE	   2 /* pool pages free */
#define LS_IOMMU_STAT_POOL_TOTAL   3 /* pool pages donated */
#define LS_IOMMU_STAT_INVAL_RANGES 4 /* invalidation ranges issued */
#define LS_IOMMU_STAT_SYNCS	   5 /* syncs issued */
#define LS_IOMMU_STAT_STREAMS	   6 /* streams attached */
#define LS_IOMMU_STAT_NR	   7

/* LS_FN_VIEW_STATS views (x1) and kinds (x2 on return). */
#define LS_VIEW_HOST_CPU	0		/* host CPU stage 2 */
#define LS_VIEW_HOST_IOMMU(i)	(1UL + (i))	/* host identity-view IOMMU domain i */
#define LS_VIEW_IOMMU_DOMAIN(d) (0x100UL + (d)) /* host DMA domain d */
#define LS_VIEW_KIND_CPU	0
#define LS_VIEW_KIND_SHARED	1 /* walks the host CPU stage 2 */
#define LS_VIEW_KIND_MIRRORED	2
#define LS_VIEW_KIND_DOMAIN	3

/*
 * Appended for batched DMA mapping (issue 4, docs/hypercalls.md "LS_FN_IOMMU_MAP_BATCH").
 * LS_FN_IOMMU_MAP_BATCH: x1 = dom, x2 = PA of an entry list (4 KiB aligned, in one page the host
 * owns or borrows), x3 = entries (1..LS_IOMMU_BATCH_MAX). Entry i is three little-endian u64 at
 * list + i * LS_IOMMU_BATCH_ENT_BYTES: iova, pa, pages | prot << 32 (prot as LS_FN_IOMMU_MAP).
 * Entries ascend strictly in IOVA and do not overlap; they total at most LS_IOMMU_BUDGET_PAGES
 * budget units: an entry counts its pages, except (ABI 1.5) an entry of exactly 512 pages whose
 * IOVA and PA are both 2 MiB aligned, one 2 MiB leaf, which counts 1 (LS_IOMMU_BATCH_UNITS()).
 * All entries are mapped, or none (on LS_ENOMEM x1 = pages to donate, x2 = pool); x1 = entries.
 * LS_IOMMU_BUDGET_PAGES also bounds one LS_FN_IOMMU_MAP / LS_FN_IOMMU_UNMAP call: x1 = pages
 * done, stopping at a multiple of LS_IOMMU_BUDGET_PAGES in IOVA. ABI 1.6: an UNMAP whose window
 * is tiled by 4 KiB and 2 MiB leaves goes on over the whole leaves after it, each leaf one unit,
 * up to LS_IOMMU_BUDGET_PAGES units in all (x1 may then exceed LS_IOMMU_BUDGET_PAGES).
 */
#define LS_FN_IOMMU_MAP_BATCH	 0x0059
#define LS_HVC_IOMMU_MAP_BATCH	 LS_HVC_ID(LS_FN_IOMMU_MAP_BATCH)
#define LS_IOMMU_BATCH_ENT_BYTES 24
#define LS_IOMMU_BATCH_MAX	 170  /* entries in one 4 KiB page */
#define LS_IOMMU_BUDGET_PAGES	 4096 /* 16 MiB: pages one domain map, unmap or batch call handles */
/* Budget units of one MAP_BATCH entry (ABI 1.5; before 1.5 every entry counted its pages). */
#define LS_IOMMU_BATCH_UNITS(iova, pa, pages) \
	((pages) == 512 && !(((iova) | (pa)) & 0x1fffffULL) ? 1ULL : (unsigned long long)(pages))

/*
 * Appended for protected VMs that run (issue 12, docs/hypercalls.md "vCPUs", docs/guest-abi.md).
 * ABI 1.2. Host only. A vCPU's state lives in one page the host donates (it becomes the
 * hypervisor's, scrubbed and returned by LS_FN_VM_DESTROY). Exits are returned in registers
 * (SMCCC v1.2 allows results in x1..x17): no page is shared for them, so there is nothing the
 * host could change under the hypervisor while it writes an exit.
 *
 * LS_FN_VCPU_CREATE  x1 = vm, x2 = vcpu index (< LS_MAX_VCPUS), x3 = pa of the state page,
 *                    x4 = LS_VCPU_* flags. The page goes host OWNED -> hyp OWNED. The vCPU
 *                    starts in its reset state (EL1h, DAIF masked, MMU off, MPIDR Aff0 = index)
 *                    and on, or off with LS_VCPU_POWER_OFF (a PSCI CPU_ON starts it). LS_EEXIST:
 *                    index in use; LS_EPERM: the VM has run already (its vCPU set is fixed at
 *                    its first run).
 * LS_FN_VCPU_SET_REG x1 = vm, x2 = vcpu, x3 = LS_REG_* id, x4 = value.
 * LS_FN_VCPU_GET_REG x1 = vm, x2 = vcpu, x3 = LS_REG_* id; x1 = value.
 *                    Both LS_EPERM once the VM has run (only the initial state is the host's
 *                    to choose or see); LS_EINVAL for an unknown id or a value the
 *                    architecture would not hold (e.g. PSTATE with an EL other than EL1h/EL1t/EL0t).
 * LS_FN_VCPU_RUN     x1 = vm, x2 = vcpu, x3 = LS_RUN_* flags, x4 = MMIO read data (with
 *                    LS_RUN_MMIO_DONE). Runs the vCPU on this CPU until an exit the host must
 *                    see; returns LS_OK with x1 = LS_EXIT_* and x2..x6 as listed there.
 *                    LS_EBUSY: the vCPU runs on another CPU; LS_EPERM: the VM is torn down;
 *                    LS_EINVAL: unknown flags, or a completion that does not match the pending
 *                    exit (MMIO_DONE without a pending MMIO read/write, INJECT_ABORT without a
 *                    pending fault).
 * LS_FN_VM_DESTROY (extended): LS_EBUSY while any vCPU of the VM runs; otherwise it also scrubs
 *                    and returns every vCPU state page; x1 = pool + vCPU pages returned.
 */
#define LS_FN_VCPU_CREATE  0x000d
#define LS_FN_VCPU_SET_REG 0x000e
#define LS_FN_VCPU_GET_REG 0x000f
#define LS_FN_VCPU_RUN	   0x0010

#define LS_HVC_VCPU_CREATE  LS_HVC_ID(LS_FN_VCPU_CREATE)
#define LS_HVC_VCPU_SET_REG LS_HVC_ID(LS_FN_VCPU_SET_REG)
#define LS_HVC_VCPU_GET_REG LS_HVC_ID(LS_FN_VCPU_GET_REG)
#define LS_HVC_VCPU_RUN	    LS_HVC_ID(LS_FN_VCPU_RUN)

#define LS_FEAT_VCPUS	  (1UL << 4) /* VCPU_CREATE/SET_REG/GET_REG/RUN and the guest ABI exist */
#define LS_MAX_VCPUS	  8
#define LS_VCPU_POWER_OFF (1UL << 0) /* VCPU_CREATE: start off (KVM_ARM_VCPU_POWER_OFF) */

/* Register ids (arm64) for SET_REG / GET_REG. */
#define LS_REG_X(n)	 (n) /* x0..x30 */
#define LS_REG_SP_EL1	 31
#define LS_REG_PC	 32 /* where the vCPU starts (ELR) */
#define LS_REG_PSTATE	 33 /* SPSR form: M[3:0] in {EL0t, EL1t, EL1h}, M[4] = 0 (AArch64) */
#define LS_REG_SCTLR_EL1 34
#define LS_REG_MPIDR	 35 /* read-only: the vCPU's MPIDR_EL1 (Aff0 = vcpu index) */
#define LS_REG_NR	 36

/* LS_FN_VCPU_RUN flags (x3). */
#define LS_RUN_MMIO_DONE (1UL << 0) /* complete the pending MMIO exit (read: data in x4) */
#define LS_RUN_INJECT_ABORT \
	(1UL << 1) /* refuse the pending MMIO or memory fault: the guest
					* takes a synchronous external abort */
#define LS_RUN_FLAGS (LS_RUN_MMIO_DONE | LS_RUN_INJECT_ABORT)

/*
 * Exit reasons (x1 of LS_FN_VCPU_RUN), modelled on KVM's struct kvm_run. Without a
 * completion flag the next RUN re-executes the instruction that exited (MMIO, memory fault).
 *   LS_EXIT_IRQ          a physical interrupt arrived while the guest ran; the host takes it
 *                        once the call returns. No data.
 *   LS_EXIT_MMIO         x2 = gpa, x3 = width in bytes (1, 2, 4, 8), x4 = LS_MMIO_WRITE or 0,
 *                        x5 = data (writes). Complete with LS_RUN_MMIO_DONE (+ x4 = read data;
 *                        the guest register gets it, zero- or sign-extended as the load says)
 *                        or refuse with LS_RUN_INJECT_ABORT.
 *   LS_EXIT_MEMORY_FAULT x2 = gpa (page aligned), x3 = size (bytes), x4 = LS_MEMFAULT_* flags:
 *                        the guest touched an IPA of no mapping, or fetched from a shared page
 *                        (never executable), or (MMIO guard on) accessed an IPA it did not
 *                        register as MMIO. The host maps memory there and re-runs, or refuses
 *                        (LS_RUN_INJECT_ABORT). Whether the gpa is private or shared is the
 *                        host's memory attribute to add (KVM_MEMORY_EXIT_FLAG_PRIVATE): an
 *                        unmapped IPA carries no state in the hypervisor.
 *   LS_EXIT_WFX          x2 = 0 WFI, 1 WFE. The instruction is complete.
 *   LS_EXIT_CPU_ON       x2 = vcpu index that a guest PSCI CPU_ON made runnable (the caller's
 *                        CPU_ON returned SUCCESS already): the host wakes that vCPU's thread.
 *   LS_EXIT_CPU_OFF      the vCPU called PSCI CPU_OFF: it is off until a CPU_ON.
 *   LS_EXIT_SHUTDOWN     x2 = LS_SHUTDOWN_OFF or LS_SHUTDOWN_RESET (PSCI SYSTEM_OFF/RESET);
 *                        the VM is shut down: every later RUN of any of its vCPUs returns
 *                        LS_OK with this exit (the first request's x2) and runs nothing.
 *   LS_EXIT_MEM_SHARE    x2 = gpa, x3 = size: the guest offered the range to the host
 *                        (MEM_SHARE, consent recorded; the host converts with LS_FN_VM_SHARE_HOST).
 *   LS_EXIT_MEM_UNSHARE  x2 = gpa, x3 = size: the guest withdrew it (MEM_UNSHARE, done already).
 *   LS_EXIT_VCPU_OFF     RUN of a vCPU that is off (never started by CPU_ON, or CPU_OFF):
 *                        nothing ran; the host waits for an LS_EXIT_CPU_ON naming it.
 *   LS_EXIT_POOL         x2 = pages to donate, x3 = to which pool (LS_POOL_HOST or the VM id):
 *                        a guest call (MEM_UNSHARE) needs table pages; the host donates them
 *                        (LS_FN_POOL_DONATE) and runs the vCPU again, which repeats the call.
 */
#define LS_EXIT_IRQ	     1
#define LS_EXIT_MMIO	     2
#define LS_EXIT_MEMORY_FAULT 3
#define LS_EXIT_WFX	     4
#define LS_EXIT_CPU_ON	     5
#define LS_EXIT_CPU_OFF	     6
#define LS_EXIT_SHUTDOWN     7
#define LS_EXIT_MEM_SHARE    8
#define LS_EXIT_MEM_UNSHARE  9
#define LS_EXIT_VCPU_OFF     10
#define LS_EXIT_POOL	     11

#define LS_MMIO_WRITE	  1UL
#define LS_MEMFAULT_WRITE (1UL << 0) /* the access was a write */
#define LS_MEMFAULT_EXEC  (1UL << 1) /* an instruction fetch */
#define LS_SHUTDOWN_OFF	  0
#define LS_SHUTDOWN_RESET 1

/*
 * LS_FN_VM_STATS x1 = vm, x2 = LS_VM_STAT_*; x1 = value, x2 = LS_VM_STAT_NR. Host only.
 */
#define LS_FN_VM_STATS		0x0011
#define LS_HVC_VM_STATS		LS_HVC_ID(LS_FN_VM_STATS)
#define LS_VM_STAT_PAGES	0 /* pages the VM owns */
#define LS_VM_STAT_VCPUS	1 /* vCPUs created */
#define LS_VM_STAT_RUNS		2 /* LS_FN_VCPU_RUN calls that entered the guest */
#define LS_VM_STAT_EXITS	3 /* exits to the host */
#define LS_VM_STAT_GUEST_HVC	4 /* guest hypercalls handled at EL2 */
#define LS_VM_STAT_GUEST_ERRORS 5 /* UNDEFINED / aborts injected into the guest */
#define LS_VM_STAT_POOL_FREE	6 /* table pool pages free */
#define LS_VM_STAT_POOL_TOTAL	7 /* table pool pages donated */
#define LS_VM_STAT_NR		8

/*
 * Devices of VMs (docs/hypercalls.md "LS_HVC_VM_ASSIGN_STREAM"). Host only.
 * LS_FN_VM_ASSIGN_STREAM  x1 = vm, x2 = stream id: the stream leaves the host identity view and
 *                         translates through the VM's stage 2 (its private and shared pages).
 *                         LS_EBUSY: in a host DMA domain (detach it first) or another VM's;
 *                         LS_EEXIST: this VM's already; LS_ENOTSUPP: the IOMMU cannot walk the
 *                         VM's table; LS_ENOSPC; LS_EPERM: the VM is stopping; LS_ENOENT.
 * LS_FN_VM_RELEASE_STREAM x1 = stream id: back to the host identity view (LS_ENOENT: not a VM's).
 * LS_FN_VM_DESTROY refuses (LS_EBUSY) while a stream is assigned to the VM.
 */
#define LS_FN_VM_ASSIGN_STREAM	 0x0012
#define LS_FN_VM_RELEASE_STREAM	 0x0013
#define LS_HVC_VM_ASSIGN_STREAM	 LS_HVC_ID(LS_FN_VM_ASSIGN_STREAM)
#define LS_HVC_VM_RELEASE_STREAM LS_HVC_ID(LS_FN_VM_RELEASE_STREAM)

/*
 * ---- Measured launch (docs/attestation.md, docs/hypercalls.md "LS_FN_MEASURE_READ") ----
 * ABI 1.2. The measurement log is a byte string, little-endian, laid out as below (struct
 * ls_mlog in include/lockstep/boot.h is the same layout for the loader and the hypervisor).
 * LS_FN_MEASURE_READ: x1 = byte offset into the log (a multiple of 8, below the log's size);
 * returns x1..x3 = the 24 bytes at that offset as three little-endian u64 (bytes past the
 * end read as 0). LS_ERANGE: offset at or past the end; LS_EINVAL: offset not 8-aligned.
 * Read-only: no state change. Header (LS_MLOG_HDR_BYTES): u64 magic (LS_MLOG_MAGIC) at 0,
 * u32 version at 8, u32 size (header + events) at 12, u32 nr_events at 16, u32 event bytes
 * at 20, 8 reserved. Event i at LS_MLOG_HDR_BYTES + i * LS_MLOG_EV_BYTES: u32 type
 * (LS_MEAS_*) at 0, u32 alg at 4, u64 length measured at 8, digest[32] at 16, desc[64]
 * (ASCII, NUL padded) at 48, u32 flags (LS_MEAS_F_*) at 112, 12 reserved.
 */
#define LS_FN_MEASURE_READ  0x0070
#define LS_HVC_MEASURE_READ LS_HVC_ID(LS_FN_MEASURE_READ)
#define LS_MLOG_MAGIC	    0x474f4c4d534cULL /* "LSMLOG\0\0" little-endian */
#define LS_MLOG_VERSION	    1
#define LS_MLOG_HDR_BYTES   32
#define LS_MLOG_EV_BYTES    128
#define LS_MLOG_MAX_EVENTS  8
#define LS_MLOG_MAX_BYTES   (LS_MLOG_HDR_BYTES + LS_MLOG_MAX_EVENTS * LS_MLOG_EV_BYTES)
#define LS_MLOG_EV_DIGEST   16 /* offset of the digest in an event */
#define LS_MLOG_EV_DESC	    48 /* offset of the description */
#define LS_MLOG_EV_FLAGS    112
#define LS_MEAS_ALG_SHA256  1
#define LS_MEAS_HYP_IMAGE   1	      /* loader: the hypervisor image [0, image_size) */
#define LS_MEAS_KERNEL	    2	      /* loader: the kernel file, as read from the ESP */
#define LS_MEAS_INITRD	    3	      /* loader: the initrd file */
#define LS_MEAS_CMDLINE	    4	      /* loader: the kernel command line (ASCII, no NUL) */
#define LS_MEAS_HYP_CONFIG  5	      /* hypervisor: its boot-time configuration */
#define LS_MEAS_F_SIG_OK    (1U << 0) /* hypervisor image: signature verified */
#define LS_MEAS_F_UNSIGNED  (1U << 1) /* hypervisor image: booted unverified (allow_unsigned=1) */
				      /* ---- end of measured launch ---- */

/*
 * Appended for x86 (docs/x86.md, docs/hypercalls.md "Calling convention per architecture"). On
 * x86_64 the conduit is VMMCALL, which faults (#UD) on a machine without a hypervisor: the host
 * first checks CPUID leaf 1 ECX[31] (hypervisor present) and the hypervisor leaf
 * LS_X86_CPUID_LEAF, whose EBX, ECX, EDX spell "LockstepHyp\0" (EAX = the highest hypervisor
 * leaf). Then it calls LS_HVC_CALL_UID as on arm64.
 */
#define LS_X86_CPUID_LEAF    0x40000000U
#define LS_X86_CPUID_SIG_EBX 0x6b636f4cU /* "Lock" */
#define LS_X86_CPUID_SIG_ECX 0x70657473U /* "step" */
#define LS_X86_CPUID_SIG_EDX 0x00707948U /* "Hyp\0" */

/*
 * ---- Protected-VM launch measurement and attestation (docs/attestation.md) ----
 * LS_FN_VM_MEASUREMENT x1 = vm. Host only. Returns x1..x4 = the VM's launch measurement
 * (SHA-256, 32 bytes: byte i in bits 8 * (i % 8) of x(1 + i / 8)), x5 = pages measured.
 * The measurement covers, in donation order, every page donated to the VM before its first
 * LS_FN_VCPU_RUN that entered the guest, one record per page: u64 gpa, u64 size (4096),
 * little-endian, then the 4096 bytes (LS_VM_MEAS_REC_BYTES in all); then, at the first run, one
 * record per vCPU in index order: u64 ~0, u64 index | on << 32, u64 LS_REG_NR, the LS_REG_NR
 * registers (LS_REG_* order), all little-endian. Pages donated later are not measured.
 * LS_EPERM: the VM has not run yet (the value is not final); LS_ENOENT.
 */
#define LS_FN_VM_MEASUREMENT  0x0071
#define LS_HVC_VM_MEASUREMENT LS_HVC_ID(LS_FN_VM_MEASUREMENT)
#define LS_VM_MEAS_REC_BYTES  (16 + 4096)

/*
 * LS_FN_ATTEST_PUBKEY (host): the attestation public key, SEC 1 2.3.3 uncompressed P-256
 * point (0x04 || X || Y, 65 bytes) in x1..x9 (byte i in bits 8 * (i % 8) of x(1 + i / 8)).
 * LS_ENOENT: this Lockstep has no attestation key. No state change; nothing is signed.
 *
 * LS_GUEST_ATTEST: a guest call (docs/guest-abi.md), vendor hypervisor service (OEN 6),
 * SMC64 fast call number 0x80, past the 0..127 that KVM's FEATURES bitmap can name.
 * x1 = IPA of a page the guest owns (private), x2..x5 = nonce (32 bytes, byte i in bits
 * 8 * (i % 8) of x(2 + i / 8)). Writes the report (layout below) at the start of that page;
 * x0 = 0, or SMCCC INVALID_PARAMETER (-3: not a private page of the guest, not aligned;
 * nothing written) or NOT_SUPPORTED (-1: no attestation key). Report, little-endian:
 * u64 magic at 0, u32 version at 8, u32 alg (LS_MEAS_ALG_SHA256 + ECDSA P-256) at 12,
 * vm_measurement[32] at 16, mlog_digest[32] (SHA-256 of the measurement log, its
 * LS_FN_MEASURE_READ bytes [0, size)) at 48, nonce[32] at 80, key_id[32] (SHA-256 of the
 * 65-byte public key) at 112, signature r || s (32 bytes each, big-endian) at 144 over
 * SHA-256 of bytes [0, 144).
 */
#define LS_FN_ATTEST_PUBKEY   0x0072
#define LS_HVC_ATTEST_PUBKEY  LS_HVC_ID(LS_FN_ATTEST_PUBKEY)
#define LS_GUEST_ATTEST	      0xC6000080U
#define LS_ATT_MAGIC	      0x313052545441534cULL /* "LSATTR01" little-endian */
#define LS_ATT_VERSION	      1
#define LS_ATT_ALG_ECDSA_P256 1
#define LS_ATT_OFF_VM_MEAS    16
#define LS_ATT_OFF_MLOG	      48
#define LS_ATT_OFF_NONCE      80
#define LS_ATT_OFF_KEY_ID     112
#define LS_ATT_OFF_SIG	      144
#define LS_ATT_SIGNED_BYTES   144
#define LS_ATT_REPORT_BYTES   208
#define LS_ATT_PUBKEY_BYTES   65
/* ---- end of VM attestation ---- */

/*
 * ---- Per-CPU statistics (docs/hypercalls.md "LS_HVC_CPU_STATS", docs/x86.md "TLB shootdown") ----
 * LS_FN_CPU_STATS x1 = CPU number (the hypervisor's: 0 is the boot CPU), x2 = LS_CPU_STAT_*.
 * Host only. Returns x1 = value, x2 = CPUs under the hypervisor, x3 = LS_CPU_STAT_NR.
 * LS_ENOENT: no such CPU; LS_EINVAL: unknown counter; LS_ENOTSUPP: the platform keeps no
 * per-CPU counters (arm64). No state change.
 */
#define LS_FN_CPU_STATS		 0x0041
#define LS_HVC_CPU_STATS	 LS_HVC_ID(LS_FN_CPU_STATS)
#define LS_CPU_STAT_TLB_REQS	 0 /* shootdowns of the host's TLB requested by this CPU */
#define LS_CPU_STAT_TLB_TARGETED 1 /* other CPUs' shootdowns that included this CPU */
#define LS_CPU_STAT_TLB_KICKS	 2 /* of those, NMIs sent to it: it was running the host */
#define LS_CPU_STAT_TLB_ACKS	 3 /* of those, seen out of the host before the call went on */
#define LS_CPU_STAT_TLB_FLUSHES	 4 /* entries into the host with a whole-TLB flush */
#define LS_CPU_STAT_HWID	 5 /* the CPU's hardware id (x86: its initial APIC ID) */
#define LS_CPU_STAT_NR		 6
/* ---- end of per-CPU statistics ---- */

/*
 * ---- Debug invariant walk (docs/hypercalls.md "LS_FN_DEBUG_CHECK") ----
 * Only in images built with LS_DEBUG_CHECK=1 (the gmem suite's); the product image answers
 * LS_ENOTSUPP. Host only. x1 must be 0 (LS_EINVAL otherwise). Walks the ownership database,
 * every stage 2 (host, each VM), every IOMMU view and host DMA domain table and every
 * table-page pool, holding every lock, and returns x0 = LS_OK, x1 = the first violation
 * (LS_CHECK_OK: none), x2 = the address it is about, x3 = whom (LS_POOL_HOST, a VM id,
 * LS_CHECK_WHO_DOM(n) for host DMA domain n), x4 and x5 = two values per code
 * (hyp/include/hyp/check.h), x6 = RAM pages walked. No state change.
 * Not the guest call LS_GUEST_ATTEST, which has the same number in the guest's ABI.
 */
#define LS_FN_DEBUG_CHECK	   0x0080
#define LS_HVC_DEBUG_CHECK	   LS_HVC_ID(LS_FN_DEBUG_CHECK)
#define LS_CHECK_WHO_DOM(n)	   (0x10000U + (n))
#define LS_CHECK_OK		   0  /* every invariant holds */
#define LS_CHECK_DEAD_OWNER	   1  /* a page owned by a VM that is not live */
#define LS_CHECK_BAD_ENTRY	   2  /* a DB entry no state has */
#define LS_CHECK_SUMMARY	   3  /* a 2 MiB / 1 GiB block summary disagrees with its pages */
#define LS_CHECK_SUMMARY_COUNT	   4  /* summaries and blocks of RAM differ in number */
#define LS_CHECK_VM_DEVICE	   5  /* a VM's view maps device memory */
#define LS_CHECK_NON_RAM	   6  /* a view maps normal memory outside RAM */
#define LS_CHECK_RAM_DEVICE	   7  /* a view maps RAM as device memory */
#define LS_CHECK_HYP_PAGE	   8  /* a view reaches a hypervisor page */
#define LS_CHECK_NOT_IDENTITY	   9  /* the host's view is not IPA == PA */
#define LS_CHECK_HOST_PRIVATE	   10 /* the host reaches a VM's private page */
#define LS_CHECK_VM_FOREIGN	   11 /* a VM reaches a page it does not own */
#define LS_CHECK_VM_TWICE	   12 /* a VM maps one page at two IPAs */
#define LS_CHECK_MIRROR		   13 /* a VM's IOMMU table and its stage 2 disagree */
#define LS_CHECK_ATTR		   14 /* permissions other than the page's state gives */
#define LS_CHECK_BAD_DESC	   15 /* a descriptor the walk cannot decode */
#define LS_CHECK_REACH_COUNT	   16 /* a view reaches more or fewer pages than the DB gives */
#define LS_CHECK_VM_COUNTER	   17 /* a VM's page counter disagrees with the DB */
#define LS_CHECK_DMA_ATTR	   18 /* a host DMA domain leaf with bad permissions */
#define LS_CHECK_DMA_RAM_DEVICE	   19 /* a host DMA domain maps RAM as device */
#define LS_CHECK_DMA_MMIO	   20 /* DMA to MMIO the host stage 2 does not map so */
#define LS_CHECK_DMA_NON_RAM	   21 /* a host DMA domain maps normal memory outside RAM */
#define LS_CHECK_DMA_FOREIGN	   22 /* DMA to a page the host neither owns nor borrows */
#define LS_CHECK_DMA_MAPPED	   23 /* a host DMA domain's mapped counter is wrong */
#define LS_CHECK_PIN		   24 /* a device pin on a page that is not host RAM */
#define LS_CHECK_DMA_COUNT	   25 /* a page's DMA map count differs from its mappings */
#define LS_CHECK_TABLE_PAGE	   26 /* a table or free pool page not a hypervisor table page */
#define LS_CHECK_TABLE_NOT_DONATED 27 /* a table page outside its pool's donations */
#define LS_CHECK_TABLE_TWICE	   28 /* a table page used twice */
#define LS_CHECK_TABLE_COUNT	   29 /* a table's page count differs from its pages */
#define LS_CHECK_POOL		   30 /* a pool's counters do not balance */
/* ---- end of debug invariant walk ---- */

/* ---- page-bitmap conversions (issue 16, docs/hypercalls.md "LS_FN_VM_CONVERT_BITMAP") ---- */
/*
 * LS_FN_VM_CONVERT_BITMAP (host): the chosen pages of one 2 MiB window of a VM, in one call,
 * all or none. x1 = vm, x2 = window IPA (2 MiB aligned), x3 = LS_CONVERT_TO_SHARED (as
 * LS_FN_VM_SHARE_HOST: private -> shared, the guest's consent on every page) or
 * LS_CONVERT_TO_PRIVATE (as LS_FN_VM_UNSHARE_HOST), x4 = LS_CONVERT_* flags, x5..x12 = the
 * bitmap: bit b of x(5 + w) names the page at x2 + (64 * w + b) * 4 KiB (w = 0..7), at least
 * one bit set. LS_OK: x1 = pages converted (the bits set). Errors as LS_FN_VM_SHARE_HOST /
 * LS_FN_VM_UNSHARE_HOST (LS_EPERM: a page not in the state the direction needs, or unmapped;
 * LS_EBUSY: a page to unshare is mapped in a host DMA domain; LS_ENOMEM: x1 pages to donate,
 * x2 pool); LS_EINVAL: window not aligned, no bit set, unknown direction or flags; LS_ERANGE:
 * window outside the VM's IPA space; LS_ENOENT: no such VM. Nothing changed on error.
 */
#define LS_FN_VM_CONVERT_BITMAP	 0x0014
#define LS_HVC_VM_CONVERT_BITMAP LS_HVC_ID(LS_FN_VM_CONVERT_BITMAP)
#define LS_CONVERT_TO_SHARED	 0
#define LS_CONVERT_TO_PRIVATE	 1
#define LS_CONVERT_BITMAP_REGS	 8 /* x5..x12: 512 pages, one 2 MiB window */
/* ---- end of page-bitmap conversions ---- */

/* ---- MMIO of VMs (issue 13, docs/hypercalls.md "LS_HVC_VM_MAP_MMIO") ---- */
/*
 * LS_FN_VM_MAP_MMIO (host): x1 = vm, x2 = IPA, x3 = PA, x4 = pages (at most
 * LS_VM_MMIO_MAX_PAGES). MMIO the host's stage 2 maps as device memory with read/write leaves
 * it (and every host IOMMU view) and is mapped at the IPA in the VM's stage 2 (and the IOMMU
 * domain its streams share) as device memory, read/write, never executable; TLBs and IOTLBs
 * invalidated before the call returns. LS_OK: x1 = pages. LS_EINVAL (zero, unaligned,
 * wrapping, too long; RAM; host leaves of more than one attribute set; a hole of the VM's
 * memory), LS_ERANGE (IPA outside the VM's space), LS_EEXIST (IPA range not unmapped in the
 * VM), LS_EPERM (a page the host's stage 2 does not map as RW device memory; the VM shut
 * down or dying), LS_EBUSY (taken by a VM already; mapped in a host DMA domain), LS_ENOSPC
 * (LS_VM_MAX_MMIO ranges), LS_ENOMEM (x1 pages to donate to pool x2), LS_ENOENT (no VM).
 * LS_FN_VM_UNMAP_MMIO (host): x1 = vm, x2 = IPA, x3 = pages: exactly a range it took; the
 * VM loses it, the host maps it again as before. LS_OK: x1 = pages; LS_ENOENT (no such
 * range or VM), LS_EINVAL, LS_ENOMEM. LS_FN_VM_DESTROY gives every range back. Nothing
 * changed on error.
 */
#define LS_FN_VM_MAP_MMIO    0x0018
#define LS_FN_VM_UNMAP_MMIO  0x0019
#define LS_HVC_VM_MAP_MMIO   LS_HVC_ID(LS_FN_VM_MAP_MMIO)
#define LS_HVC_VM_UNMAP_MMIO LS_HVC_ID(LS_FN_VM_UNMAP_MMIO)
#define LS_VM_MAX_MMIO	     8
#define LS_VM_MMIO_MAX_PAGES 0x40000 /* 1 GiB */
#define LS_CHECK_HOST_TAKEN \
	31 /* the host's view maps MMIO a VM took (LS_CHECK_VM_DEVICE:
				    * a VM's device leaf outside the MMIO ranges it took) */
/* ---- end of MMIO of VMs ---- */
/* ---- range conversions (issue 13, docs/hypercalls.md "LS_FN_VM_SHARE_HOST_RANGE") ---- */
/*
 * LS_FN_VM_SHARE_HOST_RANGE / LS_FN_VM_UNSHARE_HOST_RANGE (host, ABI 1.4): LS_FN_VM_SHARE_HOST /
 * LS_FN_VM_UNSHARE_HOST with the same arguments (x1 = vm, x2 = ipa, x3 = pages, x4 = LS_CONVERT_*)
 * and errors, but a call's window runs to the next 1 GiB boundary of x2 instead of the next
 * 2 MiB one (fewer if the range's runs of contiguous memory are many: the call stops at a
 * 2 MiB boundary), and every view is invalidated and synced once per call. With
 * LS_CONVERT_ZERO the window is the plain calls' (the scrub is bounded per call). LS_OK: x1 =
 * pages done; the caller repeats with the rest. A wide window that fails is tried again as
 * the plain call's window, so what a failing call converts and returns is the plain call's.
 */
#define LS_FN_VM_SHARE_HOST_RANGE    0x0015
#define LS_FN_VM_UNSHARE_HOST_RANGE  0x0016
#define LS_HVC_VM_SHARE_HOST_RANGE   LS_HVC_ID(LS_FN_VM_SHARE_HOST_RANGE)
#define LS_HVC_VM_UNSHARE_HOST_RANGE LS_HVC_ID(LS_FN_VM_UNSHARE_HOST_RANGE)
/* ---- end of range conversions ---- */

#endif /* LOCKSTEP_ABI_H */
