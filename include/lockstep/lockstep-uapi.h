/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note OR BSD-2-Clause */
/*
 * Lockstep's user-space API on /dev/lockstep: a KVM-style interface for protected VMs (issue 12).
 * Shared by the host driver (host-driver/vm.c, vcpu.c, gmem.c) and its users (tools/lsvm,
 * tests/vm). docs/uapi.md documents every ioctl, its struct, every errno and the state it changes.
 *
 * It follows Linux Documentation/virt/kvm/api.rst where it can: the file descriptor hierarchy
 * (system fd -> VM fd -> vCPU fds, section 1 "General description"), _IO/_IOW/_IOWR numbers with
 * one magic, structs with explicit sizes, flags and padding that must be zero (EINVAL otherwise),
 * KVM's exit reasons and their payloads where they exist (KVM_EXIT_MMIO, KVM_EXIT_INTR,
 * KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_MEMORY_FAULT), KVM's arm64 register ids for ONE_REG (section
 * 4.68 "KVM_SET_ONE_REG", "ARM64 registers"), guest_memfd (4.141 "KVM_CREATE_GUEST_MEMFD") and
 * memslots (4.35 "KVM_SET_USER_MEMORY_REGION2"). The numbers are Lockstep's own: this is not KVM
 * and a KVM user will not mistake one for the other.
 *
 * Only fixed-size integer types from <linux/types.h>: user space includes the kernel's UAPI
 * headers (no C library needed), the kernel its own.
 */
#ifndef LOCKSTEP_UAPI_H
#define LOCKSTEP_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LOCKSTEP_API_VERSION 1 /* LOCKSTEP_GET_API_VERSION returns it (KVM_API_VERSION: 12) */

/* The one ioctl magic of /dev/lockstep and every fd it hands out. */
#define LOCKSTEPIO 0xB7

/* --- /dev/lockstep (system fd) -------------------------------------------------------------- */
#define LOCKSTEP_GET_API_VERSION    _IO(LOCKSTEPIO, 0x00) /* arg 0; returns LOCKSTEP_API_VERSION */
#define LOCKSTEP_CREATE_VM	    _IO(LOCKSTEPIO, 0x01) /* arg = VM type, 0; returns a VM fd */
#define LOCKSTEP_GET_VCPU_MMAP_SIZE _IO(LOCKSTEPIO, 0x04) /* arg 0; bytes to mmap on a vCPU fd */
#define LOCKSTEP_GET_STATS	    _IOR(LOCKSTEPIO, 0x05, struct lockstep_global_stats)

/* --- VM fd ------------------------------------------------------------------------------------ */
#define LOCKSTEP_CREATE_VCPU _IO(LOCKSTEPIO, 0x41) /* arg = vCPU index; returns a vCPU fd */
#define LOCKSTEP_SET_USER_MEMORY_REGION2 \
	_IOW(LOCKSTEPIO, 0x49, struct lockstep_userspace_memory_region2)
#define LOCKSTEP_POPULATE	    _IOWR(LOCKSTEPIO, 0x50, struct lockstep_populate)
#define LOCKSTEP_VM_GET_STATS	    _IOR(LOCKSTEPIO, 0x51, struct lockstep_vm_stats)
#define LOCKSTEP_CREATE_GUEST_MEMFD _IOWR(LOCKSTEPIO, 0xd4, struct lockstep_create_guest_memfd)

/* --- vCPU fd ---------------------------------------------------------------------------------- */
#define LOCKSTEP_RUN	     _IO(LOCKSTEPIO, 0x80) /* arg 0 */
#define LOCKSTEP_GET_ONE_REG _IOW(LOCKSTEPIO, 0xab, struct lockstep_one_reg)
#define LOCKSTEP_SET_ONE_REG _IOW(LOCKSTEPIO, 0xac, struct lockstep_one_reg)

/* LOCKSTEP_CREATE_VCPU arg: bits [31:0] the index; this bit: start off (a PSCI CPU_ON starts it,
 * KVM_ARM_VCPU_POWER_OFF's meaning). */
#define LOCKSTEP_CREATE_VCPU_POWER_OFF (1ULL << 32)

#define LOCKSTEP_MAX_VCPUS 8  /* = LS_MAX_VCPUS of the hypercall ABI */
#define LOCKSTEP_MAX_SLOTS 16 /* memslots per VM */

/*
 * LOCKSTEP_CREATE_GUEST_MEMFD (api.rst 4.141). size: bytes, a non-zero multiple of 4 KiB, at
 * most LOCKSTEP_GMEM_MAX_SIZE. flags and reserved: 0. The driver allocates every page at
 * creation, in the largest physically contiguous chunks the page allocator has. Returns a
 * guest_memfd fd; mmap of it maps the pages the guest shared with the host (MEM_SHARE), only.
 */
struct lockstep_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define LOCKSTEP_GMEM_MAX_SIZE (4ULL << 30)

/*
 * LOCKSTEP_SET_USER_MEMORY_REGION2 (api.rst 4.35, struct kvm_userspace_memory_region2): binds
 * [guest_memfd_offset, + memory_size) of a guest_memfd of this VM to [guest_phys_addr, +
 * memory_size). flags must be LOCKSTEP_MEM_GUEST_MEMFD (KVM_MEM_GUEST_MEMFD's value); the VM's
 * memory is guest_memfd only, so userspace_addr must be 0. memory_size 0 deletes the slot (only
 * while nothing in it is populated). pad1, pad2: 0.
 */
struct lockstep_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define LOCKSTEP_MEM_GUEST_MEMFD (1U << 2)

/*
 * LOCKSTEP_POPULATE: copy size bytes from user address uaddr into the guest_memfd pages behind
 * [gpa, gpa + size) and donate them to the VM as private memory (LS_FN_HOST_DONATE_VM), before
 * its first run (the role of KVM_SEV_SNP_LAUNCH_UPDATE / KVM_TDX_INIT_MEM_REGION). gpa, uaddr and
 * size: 4 KiB aligned, size > 0. uaddr 0 with LOCKSTEP_POPULATE_ZERO: zero pages. On return
 * done = bytes populated (all, on success; the pages before a failure stay populated).
 */
struct lockstep_populate {
	__u64 gpa;
	__u64 uaddr;
	__u64 size;
	__u64 flags;
	__u64 done;
	__u64 reserved[3];
};
#define LOCKSTEP_POPULATE_ZERO (1ULL << 0) /* no source: the pages are zero */

/* LOCKSTEP_GET_ONE_REG / LOCKSTEP_SET_ONE_REG (api.rst 4.68, struct kvm_one_reg). */
struct lockstep_one_reg {
	__u64 id;
	__u64 addr; /* user address of the __u64 value */
};

/*
 * Register ids: KVM's arm64 encoding (api.rst "ARM64 registers", arch/arm64/include/uapi/asm/
 * kvm.h): KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset in struct kvm_regs / 4)
 * for core registers, KVM_REG_ARM64_SYSREG | op0:op1:CRn:CRm:op2 for system registers.
 */
#define LOCKSTEP_REG_ARM64	  0x6000000000000000ULL /* KVM_REG_ARM64 */
#define LOCKSTEP_REG_SIZE_U64	  0x0030000000000000ULL /* KVM_REG_SIZE_U64 */
#define LOCKSTEP_REG_ARM_CORE	  (0x0010ULL << 16)	/* KVM_REG_ARM_CORE */
#define LOCKSTEP_REG_ARM64_SYSREG (0x0013ULL << 16)	/* KVM_REG_ARM64_SYSREG */
#define LOCKSTEP_REG_CORE(off_words) \
	(LOCKSTEP_REG_ARM64 | LOCKSTEP_REG_SIZE_U64 | LOCKSTEP_REG_ARM_CORE | (off_words))
/* struct kvm_regs: regs.regs[31] at 0, regs.sp 248, regs.pc 256, regs.pstate 264, sp_el1 272. */
#define LOCKSTEP_REG_X(n)   LOCKSTEP_REG_CORE(2ULL * (n))
#define LOCKSTEP_REG_PC	    LOCKSTEP_REG_CORE(64)
#define LOCKSTEP_REG_PSTATE LOCKSTEP_REG_CORE(66)
#define LOCKSTEP_REG_SP_EL1 LOCKSTEP_REG_CORE(68)
#define LOCKSTEP_REG_SYS(op0, op1, crn, crm, op2)                                                  \
	(LOCKSTEP_REG_ARM64 | LOCKSTEP_REG_SIZE_U64 | LOCKSTEP_REG_ARM64_SYSREG |                  \
	 ((__u64)(op0) << 14) | ((__u64)(op1) << 11) | ((__u64)(crn) << 7) | ((__u64)(crm) << 3) | \
	 (__u64)(op2))
#define LOCKSTEP_REG_SCTLR_EL1 LOCKSTEP_REG_SYS(3, 0, 1, 0, 0)
#define LOCKSTEP_REG_MPIDR_EL1 LOCKSTEP_REG_SYS(3, 0, 0, 0, 5) /* read-only */

/* Exit reasons (struct lockstep_run.exit_reason): KVM's numbers where KVM has the exit. */
#define LOCKSTEP_EXIT_UNKNOWN	   0
#define LOCKSTEP_EXIT_MMIO	   6  /* KVM_EXIT_MMIO */
#define LOCKSTEP_EXIT_INTR	   10 /* KVM_EXIT_INTR: a signal is pending, RUN returned EINTR */
#define LOCKSTEP_EXIT_SYSTEM_EVENT 24 /* KVM_EXIT_SYSTEM_EVENT */
#define LOCKSTEP_EXIT_MEMORY_FAULT 39 /* KVM_EXIT_MEMORY_FAULT */
#define LOCKSTEP_EXIT_MEM_SHARE	   0x1000 /* Lockstep: the guest shared a range (MEM_SHARE) */
#define LOCKSTEP_EXIT_MEM_UNSHARE  0x1001 /* Lockstep: the guest unshared it (MEM_UNSHARE) */

#define LOCKSTEP_SYSTEM_EVENT_SHUTDOWN 1 /* KVM_SYSTEM_EVENT_SHUTDOWN: PSCI SYSTEM_OFF */
#define LOCKSTEP_SYSTEM_EVENT_RESET    2 /* KVM_SYSTEM_EVENT_RESET: PSCI SYSTEM_RESET */

#define LOCKSTEP_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3) /* KVM_MEMORY_EXIT_FLAG_PRIVATE */

/* Counters of one vCPU, updated by the driver (read-only for user space). */
struct lockstep_run_counters {
	__u64 runs;	       /* LS_FN_VCPU_RUN calls */
	__u64 exits_user;      /* returns to user space */
	__u64 mmio;	       /* MMIO exits */
	__u64 irq;	       /* physical interrupts while the guest ran */
	__u64 wfx;	       /* WFI/WFE exits */
	__u64 cpu_on;	       /* CPU_ON this vCPU issued */
	__u64 cpu_off_waits;   /* sleeps while off (CPU_OFF, not started) */
	__u64 memory_fault;    /* memory faults reported to user space */
	__u64 refused_faults;  /* memory faults outside every memslot, refused by the driver */
	__u64 mem_share;       /* MEM_SHARE conversions */
	__u64 mem_unshare;     /* MEM_UNSHARE conversions */
	__u64 signals;	       /* RUN ended by a pending signal (EINTR) */
	__u64 resched;	       /* cond_resched() between runs */
	__u64 aborts_injected; /* INJECT_ABORT completions (driver's and user's) */
	__u64 pool_donations;  /* pages donated for a guest call (LS_EXIT_POOL) */
	__u64 mmio_in_slot;    /* MMIO exits at a memslot GPA, reported as memory faults */
};

/*
 * The vCPU's run structure, mmap()ed from the vCPU fd at offset 0 (api.rst 5 "The kvm_run
 * structure"): LOCKSTEP_GET_VCPU_MMAP_SIZE bytes. User space writes immediate_exit,
 * inject_abort and, after a read MMIO exit, mmio.data; the driver everything else.
 */
struct lockstep_run {
	/* in */
	__u8 immediate_exit; /* non-zero: RUN returns EINTR at once (KVM's immediate_exit) */
	__u8 inject_abort;   /* non-zero: refuse the pending MMIO / memory fault (external abort) */
	__u8 padding1[2];
	/* out */
	__u32 exit_reason;
	__u64 reserved0[3];
	union {
		/* LOCKSTEP_EXIT_MMIO (KVM_EXIT_MMIO): read data goes back in data[] (little endian) */
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
		} mmio;
		/* LOCKSTEP_EXIT_SYSTEM_EVENT (KVM_EXIT_SYSTEM_EVENT) */
		struct {
			__u32 type;
			__u32 ndata;
			__u64 data[16];
		} system_event;
		/* LOCKSTEP_EXIT_MEMORY_FAULT (KVM_EXIT_MEMORY_FAULT) */
		struct {
			__u64 flags;
			__u64 gpa;
			__u64 size;
		} memory_fault;
		/* LOCKSTEP_EXIT_MEM_SHARE / LOCKSTEP_EXIT_MEM_UNSHARE: result = 0 or -errno */
		struct {
			__u64 gpa;
			__u64 size;
			__s64 result;
			__u64 flags; /* LOCKSTEP_MEM_SHARE_* */
		} mem_share;
		char padding[256];
	};
	struct lockstep_run_counters counters;
};

/* LOCKSTEP_VM_GET_STATS: the driver's accounting of one VM and the hypervisor's (LS_FN_VM_STATS). */
struct lockstep_vm_stats {
	__u64 vm_id;	       /* the hypervisor's VM id */
	__u64 pool_pages;      /* pages donated to the VM's table pool (creation + LS_ENOMEM) */
	__u64 host_pool_pages; /* pages this VM's calls donated to the host pool (never back) */
	__u64 vcpu_pages;      /* vCPU state pages */
	__u64 populated_pages; /* gmem pages the VM owns (private) */
	__u64 shared_pages;    /* of which shared with the host */
	__u64 enomem_retries;  /* LS_ENOMEM answered by a donation */
	__u64 hyp[8];	       /* LS_VM_STAT_* of LS_FN_VM_STATS (0 if the call fails) */
	__u64 reserved[8];
};

/* LOCKSTEP_GET_STATS on /dev/lockstep: the whole driver. */
struct lockstep_global_stats {
	__u64 vms;		 /* VMs alive */
	__u64 vms_created;	 /* VMs created since load */
	__u64 pages_held;	 /* host pages currently donated (pools, vCPUs, gmem) */
	__u64 host_pool_pages;	 /* pages donated to the host's pool (never returned) */
	__u64 reclaimed_pages;	 /* gmem pages reclaimed (VM_RECLAIM) */
	__u64 reclaimed_nonzero; /* of which not zero when back (must stay 0) */
	__u64 gmem_pages;	 /* pages allocated by guest_memfds alive */
	__u64 hyp_timer_irqs;	 /* EL2 physical timer PPIs taken by the host (all CPUs) */
	__u64 convert_hvcs;	 /* SHARE/UNSHARE_HOST calls of SET_MEMORY_ATTRIBUTES2 */
	__u64 convert_pages;	 /* pages they converted */
	__u64 reserved[6];
};

/* ---- devices of protected VMs (docs/uapi.md "LOCKSTEP_VM_ASSIGN_DEVICE") ---- */
/*
 * LOCKSTEP_VM_ASSIGN_DEVICE / LOCKSTEP_VM_RELEASE_DEVICE on a VM fd: hand a device the VMM opened
 * with VFIO to the VM (as KVM_DEV_VFIO_FILE_ADD hands a VFIO file to KVM): every DMA stream of
 * the VFIO group leaves the group's VFIO domain and translates through the VM's own stage 2
 * (IOVA = GPA: the VM's private and shared pages, nothing of the host). fd: a VFIO group fd
 * (/dev/vfio/N, attached to a container). flags, reserved: 0. ASSIGN returns the number of
 * streams moved. Numbers next to KVM's device ioctls (KVM_CREATE_DEVICE 0xe0 .. 0xe3).
 */
struct lockstep_assign_device {
	__u32 fd;
	__u32 flags;
	__u64 reserved[2];
};
#define LOCKSTEP_VM_ASSIGN_DEVICE  _IOW(LOCKSTEPIO, 0xe8, struct lockstep_assign_device)
#define LOCKSTEP_VM_RELEASE_DEVICE _IOW(LOCKSTEPIO, 0xe9, struct lockstep_assign_device)
#define LOCKSTEP_VM_MAX_DEVICES	   8 /* VFIO groups per VM */
/* ---- end of devices of protected VMs ---- */

/* --- guest_memfd conversion (docs/gmem.md, docs/uapi.md "LOCKSTEP_SET_MEMORY_ATTRIBUTES2") ---- */

/*
 * LOCKSTEP_CREATE_GUEST_MEMFD flag: the VMM converts. A guest's MEM_SHARE of a page of this
 * guest_memfd only records the guest's consent (the RUN exit LOCKSTEP_EXIT_MEM_SHARE comes back
 * without LOCKSTEP_MEM_SHARE_CONVERTED); user space converts with
 * LOCKSTEP_SET_MEMORY_ATTRIBUTES2. Without it the driver converts on the exit, as before.
 */
#define LOCKSTEP_GMEM_FLAG_VMM_CONVERTS (1ULL << 1)

/*
 * LOCKSTEP_CREATE_GUEST_MEMFD flag: back the guest_memfd with physically contiguous, 1 GiB
 * aligned chunks only (size: a multiple of 1 GiB, else EINVAL; ENOMEM when the host has no free
 * 1 GiB range left). Without it a guest_memfd of 1 GiB or more takes 1 GiB chunks where the host
 * can give them and falls back to the buddy allocator's chunks (docs/uapi.md).
 */
#define LOCKSTEP_GMEM_FLAG_HUGE_1G (1ULL << 2)
#define LOCKSTEP_GMEM_HUGE_SIZE	   (1ULL << 30)

/* struct lockstep_run mem_share.flags: the driver converted the range already. */
#define LOCKSTEP_MEM_SHARE_CONVERTED (1ULL << 0)

/*
 * LOCKSTEP_SET_MEMORY_ATTRIBUTES2 on a guest_memfd fd: upstream KVM's guest_memfd conversion
 * (KVM_SET_MEMORY_ATTRIBUTES2, struct kvm_memory_attributes2). Sets [offset, offset + size) of
 * the guest_memfd private (attributes = LOCKSTEP_MEMORY_ATTRIBUTE_PRIVATE) or shared
 * (attributes = 0). flags: ZERO (contents zeroed by the hypervisor in the conversion) or
 * PRESERVE (kept), at most one; neither: contents unspecified (kept today). reserved: 0. On
 * EAGAIN (a page is in use by the host) and on an error after part of the range converted,
 * error_offset = the first page the call did not convert. Errors and state: docs/uapi.md.
 */
struct lockstep_memory_attributes2 {
	__u64 offset;
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset; /* out */
	__u64 reserved[3];
};
#define LOCKSTEP_SET_MEMORY_ATTRIBUTES2		 _IOWR(LOCKSTEPIO, 0xd2, struct lockstep_memory_attributes2)
#define LOCKSTEP_MEMORY_ATTRIBUTE_PRIVATE	 (1ULL << 3) /* KVM_MEMORY_ATTRIBUTE_PRIVATE */
#define LOCKSTEP_SET_MEMORY_ATTRIBUTES2_ZERO	 (1ULL << 0)
#define LOCKSTEP_SET_MEMORY_ATTRIBUTES2_PRESERVE (1ULL << 1)

/* ---- BARs of assigned devices in the VM (docs/uapi.md "LOCKSTEP_VM_MAP_DEVICE_BAR") ---- */
/*
 * LOCKSTEP_VM_MAP_DEVICE_BAR / LOCKSTEP_VM_UNMAP_DEVICE_BAR on a VM fd: memory BAR @bar of the
 * PCI function of VFIO group @fd, a group already given to this VM with
 * LOCKSTEP_VM_ASSIGN_DEVICE, leaves the host's stage 2 and appears in the VM's at @gpa (device
 * memory, read/write, never executable): the guest drives the device itself, with no MMIO exit
 * (as KVM maps a VFIO BAR mmap into a memslot). The BAR must be a memory BAR, its address and
 * size page-aligned; @gpa page-aligned, outside the VM's memory. flags, reserved: 0. UNMAP
 * takes the same fd and bar (gpa ignored, must be 0). RELEASE_DEVICE and VM teardown unmap
 * every BAR of the group first.
 */
struct lockstep_device_bar {
	__u32 fd;
	__u32 bar;
	__u64 gpa;
	__u32 flags;
	__u32 reserved32;
	__u64 reserved[2];
};
#define LOCKSTEP_VM_MAP_DEVICE_BAR   _IOW(LOCKSTEPIO, 0xea, struct lockstep_device_bar)
#define LOCKSTEP_VM_UNMAP_DEVICE_BAR _IOW(LOCKSTEPIO, 0xeb, struct lockstep_device_bar)
/* ---- end of BARs of assigned devices ---- */

#endif /* LOCKSTEP_UAPI_H */
