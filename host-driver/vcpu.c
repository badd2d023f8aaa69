// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU file descriptors (docs/uapi.md "vCPU fd"): LOCKSTEP_RUN, ONE_REG, and the mmap()ed
 * struct lockstep_run (Linux Documentation/virt/kvm/api.rst 4.10 KVM_RUN, 5 "The kvm_run
 * structure").
 *
 * The RUN loop issues LS_FN_VCPU_RUN and handles in the kernel every exit user space has no
 * part in: an interrupt (taken by the host as soon as the HVC returns, then re-run unless a
 * signal is pending or the scheduler wants the CPU), WFI/WFE (yield, re-run), a guest's CPU_ON
 * (wake the target vCPU's thread), CPU_OFF or a vCPU that is off (sleep until a CPU_ON names
 * it), a memory fault outside every memslot (refused: the guest takes an external abort). It
 * returns to user space for MMIO, memory faults in a memslot, shutdown and the guest's
 * MEM_SHARE / MEM_UNSHARE (after converting the pages).
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/neon.h>
#include <asm/sysreg.h>

#include "vm.h"

/*
 * make bench-vm (figures, never make test): with bench_el2_pmu=1, PMU event counter 0 counts
 * INST_RETIRED (event 0x08) at EL2 only (PMEVTYPER0_EL0.P = 1: not EL1, U = 1: not EL0,
 * NSH = 1: EL2; Arm ARM D24.5 PMEVTYPER<n>_EL0) on every CPU, and every RUN call adds the
 * instructions Lockstep retired inside it to debugfs lockstep/bench_el2_insns. Lockstep's
 * product image forbids EL2 counting (MDCR_EL2.HPMD = 1): the counter then stays 0; only the
 * benchmark image lets it count. Deterministic under QEMU -icount (TCG counts instructions
 * only then).
 */
static bool bench_el2_pmu;
module_param(bench_el2_pmu, bool, 0444);
MODULE_PARM_DESC(bench_el2_pmu, "count Lockstep's EL2 instructions per RUN (benchmark image only)");
static atomic64_t ls_bench_el2_insns, ls_bench_runs;
/* make bench-gmem: the same count around the conversion hypercalls (ls_bench_hvc()). */
static atomic64_t ls_bench_conv_insns, ls_bench_conv_hvcs;

#define LS_PMU_INST_RETIRED 0x08
#define LS_PMEVTYPER_P	    BIT(31)
#define LS_PMEVTYPER_U	    BIT(30)
#define LS_PMEVTYPER_NSH    BIT(27)

static void ls_bench_pmu_cpu(void *unused)
{
	write_sysreg(LS_PMU_INST_RETIRED | LS_PMEVTYPER_P | LS_PMEVTYPER_U | LS_PMEVTYPER_NSH,
		     pmevtyper0_el0);
	write_sysreg(BIT(0), pmcntenset_el0);
	write_sysreg(read_sysreg(pmcr_el0) | BIT(0), pmcr_el0); /* E: counters enabled */
	isb();
}

/*
 * The null hypercall's EL2 cost (make bench-vm): every read of debugfs lockstep/bench_null_hvc
 * issues ls_bench_null_calls (debugfs bench_null_calls) calls of LS_HVC_VERSION on this CPU,
 * preemption off, and gives the EL2 instructions they retired in all (trap, save, dispatch,
 * restore, ERET).
 */
static u32 ls_bench_null_calls = 1000;

static int ls_bench_null_get(void *data, u64 *val)
{
	struct arm_smccc_1_2_regs res;
	u32 c0, i;

	preempt_disable();
	c0 = read_sysreg(pmevcntr0_el0);
	for (i = 0; i < ls_bench_null_calls; i++)
		ls_hvc(LS_HVC_VERSION, 0, 0, 0, 0, 0, &res);
	*val = (u32)(read_sysreg(pmevcntr0_el0) - c0);
	preempt_enable();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ls_bench_null_fops, ls_bench_null_get, NULL, "%llu\n");

void ls_bench_init(struct dentry *debugfs)
{
	if (!bench_el2_pmu)
		return;
	on_each_cpu(ls_bench_pmu_cpu, NULL, 1);
	/* Read-only views of the two atomic64_t sums (s64 in a u64 file). */
	debugfs_create_u64("bench_el2_insns", 0400, debugfs, (u64 *)&ls_bench_el2_insns.counter);
	debugfs_create_u64("bench_runs", 0400, debugfs, (u64 *)&ls_bench_runs.counter);
	debugfs_create_u64("bench_convert_el2_insns", 0400, debugfs,
			   (u64 *)&ls_bench_conv_insns.counter);
	debugfs_create_u64("bench_convert_hvcs", 0400, debugfs, (u64 *)&ls_bench_conv_hvcs.counter);
	debugfs_create_file_unsafe("bench_null_hvc", 0400, debugfs, NULL, &ls_bench_null_fops);
	debugfs_create_u32("bench_null_calls", 0400, debugfs, &ls_bench_null_calls);
	pr_warn("bench_el2_pmu=1: counting Lockstep's EL2 instructions per RUN (benchmark only)\n");
}

/*
 * ls_vm_call()'s hypercall. With bench_el2_pmu=1 (make bench-gmem), the conversion hypercalls
 * (LS_HVC_VM_SHARE_HOST, LS_HVC_VM_UNSHARE_HOST) add the EL2 instructions they retired to
 * debugfs lockstep/bench_convert_el2_insns (and count in bench_convert_hvcs); preemption is
 * off around the call so that both reads are of this CPU's counter.
 */
void ls_bench_hvc(u64 fn, u64 a1, u64 a2, u64 a3, u64 a4, struct arm_smccc_1_2_regs *res)
{
	u64 c0;

	if (!bench_el2_pmu ||
	    (fn != LS_HVC_VM_SHARE_HOST && fn != LS_HVC_VM_UNSHARE_HOST &&
	     fn != LS_HVC_VM_SHARE_HOST_RANGE && fn != LS_HVC_VM_UNSHARE_HOST_RANGE)) {
		ls_hvc(fn, a1, a2, a3, a4, 0, res);
		return;
	}
	preempt_disable();
	c0 = read_sysreg(pmevcntr0_el0);
	ls_hvc(fn, a1, a2, a3, a4, 0, res);
	atomic64_add((u32)(read_sysreg(pmevcntr0_el0) - c0), &ls_bench_conv_insns);
	preempt_enable();
	atomic64_inc(&ls_bench_conv_hvcs);
}

/* KVM arm64 register id -> LS_REG_* (lockstep-uapi.h); -ENOENT if the driver has no such id. */
static int ls_reg_of(u64 id, bool *read_only)
{
	u64 core = LOCKSTEP_REG_CORE(0);

	*read_only = false;
	if ((id & ~0xffffULL) == core) {
		u64 off = id & 0xffff;

		if (off % 2 == 0 && off / 2 <= 30)
			return LS_REG_X(off / 2);
		if (id == LOCKSTEP_REG_PC)
			return LS_REG_PC;
		if (id == LOCKSTEP_REG_PSTATE)
			return LS_REG_PSTATE;
		if (id == LOCKSTEP_REG_SP_EL1)
			return LS_REG_SP_EL1;
		return -ENOENT;
	}
	if (id == LOCKSTEP_REG_SCTLR_EL1)
		return LS_REG_SCTLR_EL1;
	if (id == LOCKSTEP_REG_MPIDR_EL1) {
		*read_only = true;
		return LS_REG_MPIDR;
	}
	return -ENOENT;
}

static long ls_vcpu_one_reg(struct ls_vcpu *vcpu, unsigned int cmd, void __user *uarg)
{
	struct ls_vm *vm = vcpu->vm;
	struct arm_smccc_1_2_regs res;
	struct lockstep_one_reg reg;
	u64 __user *uval;
	bool ro;
	u64 val;
	int id, ret;

	if (copy_from_user(&reg, uarg, sizeof(reg)))
		return -EFAULT;
	id = ls_reg_of(reg.id, &ro);
	if (id < 0)
		return id;
	uval = u64_to_user_ptr(reg.addr);
	if (cmd == LOCKSTEP_SET_ONE_REG) {
		if (ro)
			return -EINVAL;
		if (get_user(val, uval))
			return -EFAULT;
	}
	mutex_lock(&vm->lock);
	if (vm->has_run) {
		/* A protected VM's registers are its own once it ran (docs/uapi.md). */
		ret = -EPERM;
	} else if (cmd == LOCKSTEP_SET_ONE_REG) {
		ls_hvc(LS_HVC_VCPU_SET_REG, vm->id, vcpu->index, id, val, 0, &res);
		ret = ls_errno((long)res.a0);
	} else {
		ls_hvc(LS_HVC_VCPU_GET_REG, vm->id, vcpu->index, id, 0, 0, &res);
		ret = ls_errno((long)res.a0);
		val = res.a1;
	}
	mutex_unlock(&vm->lock);
	if (!ret && cmd == LOCKSTEP_GET_ONE_REG && put_user(val, uval))
		ret = -EFAULT;
	return ret;
}

void ls_vcpu_wake_all(struct ls_vm *vm)
{
	int i;

	for (i = 0; i < LOCKSTEP_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			wake_up_interruptible(&vm->vcpus[i]->wq);
}

/* The VM is shut down: every RUN of it reports the system event. */
static void ls_vcpu_shutdown_exit(struct ls_vcpu *vcpu)
{
	struct lockstep_run *run = vcpu->run;

	run->exit_reason = LOCKSTEP_EXIT_SYSTEM_EVENT;
	run->system_event.type = READ_ONCE(vcpu->vm->shutdown_type);
	run->system_event.ndata = 0;
}

/*
 * A fault (or an MMIO exit) at @gpa: inside a memslot it is a memory fault for user space
 * (KVM_EXIT_MEMORY_FAULT, PRIVATE unless the page is shared), pending until the next RUN, which
 * re-executes the access or refuses it (inject_abort). Returns false outside every memslot.
 */
static bool ls_vcpu_memslot_fault(struct ls_vcpu *vcpu, u64 gpa, u64 size)
{
	struct lockstep_run *run = vcpu->run;
	struct ls_vm *vm = vcpu->vm;
	struct ls_slot *s;
	u64 flags = 0;

	mutex_lock(&vm->lock);
	s = ls_vm_slot_of(vm, gpa);
	if (s) {
		mutex_lock(&s->gmem->lock);
		if (s->gmem->state[(s->offset + gpa - s->gpa) >> PAGE_SHIFT] != LS_GMEM_SHARED)
			flags = LOCKSTEP_MEMORY_EXIT_FLAG_PRIVATE;
		mutex_unlock(&s->gmem->lock);
	}
	mutex_unlock(&vm->lock);
	if (!s)
		return false;
	run->counters.memory_fault++;
	run->exit_reason = LOCKSTEP_EXIT_MEMORY_FAULT;
	run->memory_fault.flags = flags;
	run->memory_fault.gpa = gpa & PAGE_MASK;
	run->memory_fault.size = size;
	vcpu->pending = LS_PENDING_FAULT;
	return true;
}

static long ls_vcpu_run(struct ls_vcpu *vcpu)
{
	struct ls_vm *vm = vcpu->vm;
	struct lockstep_run *run = vcpu->run;
	struct lockstep_run_counters *cnt = &run->counters;
	struct arm_smccc_1_2_regs res;
	u64 flags = 0, data = 0;
	long ret;

	if (mutex_lock_interruptible(&vcpu->lock))
		return -EINTR;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = LOCKSTEP_EXIT_INTR;
		ret = -EINTR;
		goto out;
	}
	if (!READ_ONCE(vm->has_run)) {
		mutex_lock(&vm->lock);
		vm->has_run = true; /* POPULATE, ONE_REG and CREATE_VCPU are refused from now */
		mutex_unlock(&vm->lock);
	}

	/* Complete what the last return to user space left pending. */
	if (vcpu->pending != LS_PENDING_NONE && READ_ONCE(run->inject_abort)) {
		flags = LS_RUN_INJECT_ABORT;
		cnt->aborts_injected++;
	} else if (vcpu->pending == LS_PENDING_MMIO) {
		flags = LS_RUN_MMIO_DONE;
		if (vcpu->mmio_read) {
			u8 buf[8];

			memcpy(buf, run->mmio.data, sizeof(buf));
			data = le64_to_cpu(*(__le64 *)buf);
			if (vcpu->mmio_len < 8)
				data &= (1ULL << (vcpu->mmio_len * 8)) - 1;
		}
	}
	vcpu->pending = LS_PENDING_NONE;
	WRITE_ONCE(run->inject_abort, 0);

	for (;;) {
		if (!flags && signal_pending(current)) {
			run->exit_reason = LOCKSTEP_EXIT_INTR;
			cnt->signals++;
			ret = -EINTR;
			break;
		}
		if (need_resched()) {
			cnt->resched++;
			cond_resched();
		}
		/*
		 * The hypervisor loads the guest's FP/SIMD (and SVE) registers over the host's:
		 * kernel_neon_begin() saves the task's FP/SVE/SME state first and keeps this CPU
		 * (preemption and softirqs off) until kernel_neon_end().
		 */
		kernel_neon_begin();
		if (bench_el2_pmu) {
			u64 c0 = read_sysreg(pmevcntr0_el0);

			ls_hvc(LS_HVC_VCPU_RUN, vm->id, vcpu->index, flags, data, 0, &res);
			atomic64_add((u32)(read_sysreg(pmevcntr0_el0) - c0), &ls_bench_el2_insns);
			atomic64_inc(&ls_bench_runs);
		} else {
			ls_hvc(LS_HVC_VCPU_RUN, vm->id, vcpu->index, flags, data, 0, &res);
		}
		kernel_neon_end();
		cnt->runs++;
		flags = 0;
		data = 0;
		if ((long)res.a0 != LS_OK) {
			/* A shut-down VM answers every RUN with LS_EXIT_SHUTDOWN (below); an
			 * error is the VM being torn down or a driver bug. */
			run->exit_reason = LOCKSTEP_EXIT_UNKNOWN;
			ret = ls_errno((long)res.a0);
			break;
		}
		switch (res.a1) {
		case LS_EXIT_IRQ:
			/* Taken by the host already: the HVC returned with IRQs unmasked. */
			cnt->irq++;
			continue;
		case LS_EXIT_POOL: {
			/* A guest call (MEM_UNSHARE) needs table pages: donate, run again, and
			 * the vCPU repeats its call (abi.h LS_EXIT_POOL). */
			int r;

			mutex_lock(&vm->lock);
			r = ls_vm_donate(vm, res.a2, res.a3);
			mutex_unlock(&vm->lock);
			if (r) {
				run->exit_reason = LOCKSTEP_EXIT_UNKNOWN;
				ret = r;
				goto out;
			}
			cnt->pool_donations += res.a2;
			continue;
		}
		case LS_EXIT_WFX:
			cnt->wfx++;
			cond_resched();
			continue;
		case LS_EXIT_CPU_ON:
			cnt->cpu_on++;
			if (res.a2 < LOCKSTEP_MAX_VCPUS && vm->vcpus[res.a2]) {
				struct ls_vcpu *t = vm->vcpus[res.a2];

				WRITE_ONCE(t->wake, true);
				wake_up_interruptible(&t->wq);
			}
			continue;
		case LS_EXIT_CPU_OFF:
		case LS_EXIT_VCPU_OFF:
			cnt->cpu_off_waits++;
			if (wait_event_interruptible(vcpu->wq, READ_ONCE(vcpu->wake) ||
								       READ_ONCE(vm->shutdown))) {
				run->exit_reason = LOCKSTEP_EXIT_INTR;
				cnt->signals++;
				ret = -EINTR;
				goto out;
			}
			if (READ_ONCE(vm->shutdown)) {
				ls_vcpu_shutdown_exit(vcpu);
				ret = 0;
				goto out;
			}
			WRITE_ONCE(vcpu->wake, false);
			continue;
		case LS_EXIT_MMIO:
			if (ls_vcpu_memslot_fault(vcpu, res.a2, PAGE_SIZE)) {
				/* Memory the VM does not have there (never populated): never a
				 * device, whatever the syndrome says. The hypervisor reports a
				 * page it took back (a hole) as a memory fault itself. */
				cnt->mmio_in_slot++;
				ret = 0;
				goto out;
			}
			cnt->mmio++;
			run->exit_reason = LOCKSTEP_EXIT_MMIO;
			run->mmio.phys_addr = res.a2;
			run->mmio.len = res.a3;
			run->mmio.is_write = !!(res.a4 & LS_MMIO_WRITE);
			*(__le64 *)run->mmio.data = cpu_to_le64(run->mmio.is_write ? res.a5 : 0);
			vcpu->pending = LS_PENDING_MMIO;
			vcpu->mmio_read = !run->mmio.is_write;
			vcpu->mmio_len = res.a3;
			ret = 0;
			goto out;
		case LS_EXIT_MEMORY_FAULT:
			if (ls_vcpu_memslot_fault(vcpu, res.a2, res.a3)) {
				ret = 0;
				goto out;
			}
			/* No memory there and none to come: refuse (external abort). */
			cnt->refused_faults++;
			cnt->aborts_injected++;
			flags = LS_RUN_INJECT_ABORT;
			continue;
		case LS_EXIT_SHUTDOWN:
			WRITE_ONCE(vm->shutdown_type, res.a2 == LS_SHUTDOWN_RESET ?
							      LOCKSTEP_SYSTEM_EVENT_RESET :
							      LOCKSTEP_SYSTEM_EVENT_SHUTDOWN);
			WRITE_ONCE(vm->shutdown, true);
			ls_vcpu_wake_all(vm);
			ls_vcpu_shutdown_exit(vcpu);
			ret = 0;
			goto out;
		case LS_EXIT_MEM_SHARE:
		case LS_EXIT_MEM_UNSHARE: {
			bool share = res.a1 == LS_EXIT_MEM_SHARE;

			if (share)
				cnt->mem_share++;
			else
				cnt->mem_unshare++;
			run->exit_reason = share ? LOCKSTEP_EXIT_MEM_SHARE :
						   LOCKSTEP_EXIT_MEM_UNSHARE;
			run->mem_share.gpa = res.a2;
			run->mem_share.size = res.a3;
			run->mem_share.flags = 0;
			if (share && ls_vm_vmm_converts(vm, res.a2)) {
				/* Consent recorded; the VMM converts (SET_MEMORY_ATTRIBUTES2). */
				run->mem_share.result = 0;
			} else {
				run->mem_share.result = ls_vm_convert(vm, res.a2, res.a3, share);
				run->mem_share.flags = LOCKSTEP_MEM_SHARE_CONVERTED;
			}
			ret = 0;
			goto out;
		}
		default:
			pr_warn_ratelimited("vm %llu vcpu %u: unknown exit %lu\n", vm->id,
					    vcpu->index, res.a1);
			run->exit_reason = LOCKSTEP_EXIT_UNKNOWN;
			ret = -EIO;
			goto out;
		}
	}
out:
	if (ret == 0 || ret == -EINTR)
		cnt->exits_user++;
	mutex_unlock(&vcpu->lock);
	return ret;
}

static long ls_vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ls_vcpu *vcpu = file->private_data;

	switch (cmd) {
	case LOCKSTEP_RUN:
		return arg ? -EINVAL : ls_vcpu_run(vcpu);
	case LOCKSTEP_GET_ONE_REG:
	case LOCKSTEP_SET_ONE_REG:
		return ls_vcpu_one_reg(vcpu, cmd, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static vm_fault_t ls_vcpu_fault(struct vm_fault *vmf)
{
	struct ls_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	get_page(vcpu->run_page);
	vmf->page = vcpu->run_page;
	return 0;
}

static const struct vm_operations_struct ls_vcpu_vm_ops = {
	.fault = ls_vcpu_fault,
};

static int ls_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &ls_vcpu_vm_ops;
	return 0;
}

static int ls_vcpu_release(struct inode *inode, struct file *file)
{
	struct ls_vcpu *vcpu = file->private_data;

	ls_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations ls_vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ls_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ls_vcpu_mmap,
	.release = ls_vcpu_release,
	.llseek = noop_llseek,
};

/* Called at VM teardown, after VM_DESTROY (the state page is the host's again). */
void ls_vcpu_free(struct ls_vcpu *vcpu)
{
	__free_page(vcpu->run_page);
	kfree(vcpu);
}

#define LS_VCPU_ARG_INDEX     0xffffffffUL
#define LS_VCPU_ARG_POWER_OFF (1UL << 32)

/*
 * LOCKSTEP_CREATE_VCPU: arg bits [31:0] = index (< LOCKSTEP_MAX_VCPUS), bit 32 =
 * LOCKSTEP_CREATE_VCPU_POWER_OFF. A state page goes to the hypervisor (LS_FN_VCPU_CREATE).
 */
int ls_vcpu_create(struct ls_vm *vm, unsigned long arg)
{
	struct arm_smccc_1_2_regs res;
	struct ls_chunk *chunk = NULL;
	struct ls_vcpu *vcpu = NULL;
	struct page *state = NULL;
	u32 index = arg & LS_VCPU_ARG_INDEX;
	int ret, fd;

	BUILD_BUG_ON(sizeof(struct lockstep_run) > PAGE_SIZE);
	BUILD_BUG_ON(LOCKSTEP_CREATE_VCPU_POWER_OFF != LS_VCPU_ARG_POWER_OFF);
	if (arg & ~(LS_VCPU_ARG_INDEX | LS_VCPU_ARG_POWER_OFF) || index >= LOCKSTEP_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	ret = -EPERM;
	if (vm->has_run)
		goto err;
	ret = -EEXIST;
	if (vm->vcpus[index])
		goto err;
	ret = -ENOMEM;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL);
	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	state = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vcpu || !chunk || !state)
		goto err;
	vcpu->run_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vcpu->run_page)
		goto err;
	vcpu->run = page_address(vcpu->run_page);
	vcpu->vm = vm;
	vcpu->index = index;
	mutex_init(&vcpu->lock);
	init_waitqueue_head(&vcpu->wq);

	ret = ls_vm_call(vm, LS_HVC_VCPU_CREATE, vm->id, index, page_to_phys(state),
			 (arg & LS_VCPU_ARG_POWER_OFF) ? LS_VCPU_POWER_OFF : 0, &res);
	if (ret)
		goto err;
	/* The state page is the hypervisor's until VM_DESTROY gives it back. */
	chunk->page = state;
	chunk->order = 0;
	list_add(&chunk->node, &vm->chunks);
	vm->vcpu_pages++;
	atomic64_inc(&ls_stat_pages_held);
	vm->vcpus[index] = vcpu;
	kref_get(&vm->ref);
	mutex_unlock(&vm->lock);

	fd = anon_inode_getfd("lockstep-vcpu", &ls_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		ls_vm_put(vm); /* the vCPU stays in the VM (the hypervisor has it) */
	return fd;
err:
	mutex_unlock(&vm->lock);
	if (vcpu && vcpu->run_page)
		__free_page(vcpu->run_page);
	if (state)
		__free_page(state);
	kfree(chunk);
	kfree(vcpu);
	return ret;
}
