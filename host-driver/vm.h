/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lockstep host driver: protected VMs behind the KVM-style uAPI of
 * include/lockstep/lockstep-uapi.h (docs/uapi.md). Internal to host-driver/.
 *
 *   vm.c     LOCKSTEP_CREATE_VM, the VM fd (memslots, POPULATE, vCPU creation, stats), the
 *            hypercall wrapper that answers LS_ENOMEM with donations, teardown, the EL2
 *            timer PPI, /dev/lockstep's ioctls and the debugfs test files
 *   vcpu.c   the vCPU fd: RUN loop, ONE_REG, the mmap()ed struct lockstep_run
 *   gmem.c   guest_memfd: page allocation, per-page state, mmap of shared pages
 *   convert.c LOCKSTEP_SET_MEMORY_ATTRIBUTES2: private <-> shared conversion of ranges
 *   vmdev.c  devices of VMs: a VFIO group's streams moved into the VM (lockstep-iommu.ko)
 *
 * Object lifetimes. A VM (struct ls_vm) is reference counted: its VM fd and every vCPU fd hold
 * one reference; the last put tears it down (every gmem page reclaimed and checked zero,
 * VM_DESTROY, pool and vCPU pages freed). A guest_memfd (struct ls_gmem) is reference counted
 * too: its fd and every memslot bound to it; it frees its pages at the last put, when none is
 * the VM's any more (teardown reclaimed them first). A gmem names its VM by serial number only,
 * so there is no reference cycle VM -> slot -> gmem -> VM.
 *
 * Locks: vm->lock (configuration: slots, populate, vCPU creation, ONE_REG, has_run) is taken
 * before gmem->lock (page states). vcpu->lock serialises RUN of one vCPU; RUN takes vm->lock only
 * briefly (first run, share/unshare exits), never while it sleeps or runs the guest.
 */
#ifndef LOCKSTEP_VM_H
#define LOCKSTEP_VM_H

#include <linux/arm-smccc.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <lockstep/abi.h>
#include <lockstep/lockstep-uapi.h>

#define LS_IPA_BITS	  40 /* guest physical address space of every VM */
#define LS_ENOMEM_RETRIES 8  /* LS_ENOMEM answers per call before the driver gives up */

/* Page state in a guest_memfd. */
enum ls_gmem_state {
	LS_GMEM_HOST = 0, /* the host's page (not populated, or reclaimed) */
	LS_GMEM_PRIVATE,  /* the VM's private page (donated) */
	LS_GMEM_SHARED,	  /* the VM's page shared with the host (mmap-able) */
	LS_GMEM_LOST,	  /* a reclaim failed: never freed, never touched again */
};

struct ls_gmem {
	struct kref ref;
	struct mutex lock;
	u64 vm_serial; /* the VM it was created on */
	unsigned long npages;
	struct page **pages;
	u8 *state;		 /* enum ls_gmem_state per page */
	struct file *file;	 /* NULL once the fd is closed */
	unsigned long chunks;	 /* contiguous allocations made at creation */
	unsigned long chunks_1g; /* of which 1 GiB ones (alloc_contig_range) */
	unsigned int max_order;	 /* largest of them */
	bool vmm_converts;	 /* LOCKSTEP_GMEM_FLAG_VMM_CONVERTS */
};

struct ls_slot {
	bool used;
	u64 gpa, size, offset;
	struct ls_gmem *gmem; /* one reference */
};

enum ls_pending {
	LS_PENDING_NONE = 0,
	LS_PENDING_MMIO,  /* next RUN completes it (LS_RUN_MMIO_DONE) or refuses it */
	LS_PENDING_FAULT, /* next RUN re-executes, or refuses with inject_abort */
};

struct ls_vcpu {
	struct ls_vm *vm;
	u32 index;
	struct mutex lock;	  /* RUN, one at a time */
	struct lockstep_run *run; /* page shared with user space (mmap) */
	struct page *run_page;
	wait_queue_head_t wq; /* sleeps while off */
	bool wake;	      /* a CPU_ON named this vCPU */
	enum ls_pending pending;
	bool mmio_read;
	u32 mmio_len;
};

struct ls_chunk {
	struct list_head node;
	struct page *page;
	unsigned int order;
};

struct ls_vm {
	struct kref ref;
	struct list_head node; /* ls_vms, for debugfs */
	struct mutex lock;
	u64 id;	    /* hypervisor's VM id */
	u64 serial; /* driver-wide, never reused */
	bool has_run;
	bool shutdown;
	u32 shutdown_type;
	struct ls_slot slots[LOCKSTEP_MAX_SLOTS];
	struct ls_vcpu *vcpus[LOCKSTEP_MAX_VCPUS];
	struct list_head chunks;  /* pages back from the hypervisor at VM_DESTROY */
	struct list_head devices; /* VFIO groups assigned (vmdev.c), under vm->lock */
	u64 pool_pages, host_pool_pages, vcpu_pages, enomem_retries;
};

/* check.c: debugfs "check", the hypervisor's invariant walk (LS_HVC_DEBUG_CHECK). */
void ls_check_init(struct dentry *debugfs);

/* vm.c */
extern atomic64_t ls_stat_pages_held, ls_stat_reclaimed, ls_stat_reclaimed_nonzero,
	ls_stat_gmem_pages;
void ls_hvc(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, struct arm_smccc_1_2_regs *res);
int ls_errno(long status);
int ls_vm_donate(struct ls_vm *vm, u64 need, u64 pool); /* vm->lock held (or teardown) */
int ls_vm_call(struct ls_vm *vm, u64 fn, u64 a1, u64 a2, u64 a3, u64 a4,
	       struct arm_smccc_1_2_regs *res);
void ls_vm_put(struct ls_vm *vm);
struct ls_slot *ls_vm_slot_of(struct ls_vm *vm, u64 gpa);
int ls_vm_convert(struct ls_vm *vm, u64 gpa, u64 size, bool share);
long ls_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
/* vcpu.c: make bench-vm's EL2 instruction counting (module parameter bench_el2_pmu). */
void ls_bench_init(struct dentry *debugfs);
void ls_bench_hvc(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4, struct arm_smccc_1_2_regs *res);
int ls_vm_init(struct dentry *debugfs, u64 features);
void ls_vm_exit(void);

/* vcpu.c */
int ls_vcpu_create(struct ls_vm *vm, unsigned long arg);
void ls_vcpu_free(struct ls_vcpu *vcpu);
void ls_vcpu_wake_all(struct ls_vm *vm);

/* vmdev.c */
int ls_vmdev_assign(struct ls_vm *vm, void __user *uarg);
int ls_vmdev_release(struct ls_vm *vm, void __user *uarg);
void ls_vmdev_release_all(struct ls_vm *vm);
int ls_vmdev_map_bar(struct ls_vm *vm, void __user *uarg, bool map);

/* gmem.c */
int ls_gmem_create(struct ls_vm *vm, struct lockstep_create_guest_memfd *args);
struct ls_gmem *ls_gmem_get_file(struct file *file); /* NULL if not a gmem fd */
void ls_gmem_put(struct ls_gmem *gmem);
void ls_gmem_zap(struct ls_gmem *gmem, unsigned long index, unsigned long npages);

/* vm.c, for convert.c: the VM of that serial with a reference (ls_vm_put), or NULL. */
struct ls_vm *ls_vm_get_serial(u64 serial);
void ls_clean_poc(void *va, size_t size);

/* convert.c */
extern atomic64_t ls_stat_convert_hvcs, ls_stat_convert_pages;
int ls_gmem_set_attributes(struct ls_gmem *gmem, struct lockstep_memory_attributes2 *a);
bool ls_vm_vmm_converts(struct ls_vm *vm, u64 gpa);
int ls_gmem_punch(struct ls_gmem *gmem, u64 offset, u64 len);

#endif /* LOCKSTEP_VM_H */
