// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lockstep host driver: the host kernel's side of the Lockstep hypercall ABI
 * (include/lockstep/abi.h, docs/hypercalls.md).
 *
 * On load it proves that Lockstep runs underneath, then exposes:
 *   /dev/lockstep                         read: "lockstep <major>.<minor> features 0x<bits>"
 *   /sys/class/misc/lockstep/version      "<major>.<minor>" reported by LS_HVC_VERSION
 *   /sys/class/misc/lockstep/features     "0x<bits> <names>" reported by LS_HVC_FEATURES
 *   /sys/kernel/debug/lockstep/raw_hvc    test interface: write "fn a1 .. a7", read "x0 x1 x2 x3"
 *
 * arm64: calls use the HVC conduit directly, never arm_smccc_1_1_invoke(): the
 * firmware's PSCI conduit (SMC on QEMU virt with EL2) says nothing about who handles HVC.
 * x86_64: VMMCALL (docs/hypercalls.md "Calling convention per architecture"), issued only
 * once CPUID shows Lockstep's hypervisor leaf (a VMMCALL without a hypervisor is #UD).
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#ifdef CONFIG_ARM64
#include <linux/arm-smccc.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>
#endif
#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/processor.h>
#endif

#include <lockstep/abi.h>

#ifdef CONFIG_ARM64
#include "vm.h" /* protected VMs: arm64 only (x86 has no world switch yet, docs/x86.md) */
#endif

#define LS_RAW_MAX_ARGS 8 /* fn + a1..a7: the SMCCC v1.1 register set x0..x7 */

/* x0..x3 of a call's return. */
struct ls_res {
	unsigned long a0, a1, a2, a3;
};

static u64 ls_version;	/* x1 of LS_HVC_VERSION */
static u64 ls_features; /* x1 of LS_HVC_FEATURES */
static struct dentry *ls_debugfs;

/* Last raw_hvc result, shared by every opener (write then read from a shell). */
static DEFINE_MUTEX(ls_raw_lock);
static struct ls_res ls_raw_res;
static bool ls_raw_valid;

#ifdef CONFIG_ARM64
/* HVC #0 with x0..x7; x0..x3 back. */
static void ls_call(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7,
		    struct ls_res *r)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(a0, a1, a2, a3, a4, a5, a6, a7, &res);
	r->a0 = res.a0;
	r->a1 = res.a1;
	r->a2 = res.a2;
	r->a3 = res.a3;
}

/*
 * Decide whether an HVC can be issued at all. HVC from EL1 is UNDEFINED when
 * EL2 is not implemented (Arm ARM DDI 0487, HVC instruction pseudocode), and
 * when the kernel itself runs at EL2 (VHE) there is nothing underneath it.
 * A kernel booted at EL2 that dropped to EL1 (nVHE KVM) answers HVC with its own
 * stub or KVM host handler; the Call UID check below rejects those.
 */
static int ls_hvc_possible(void)
{
	u64 pfr0;

	if (is_kernel_in_hyp_mode()) {
		pr_err("hypervisor not present: the kernel itself runs at EL2\n");
		return -ENODEV;
	}
	/* ID_AA64PFR0_EL1.EL2, bits [11:8]: 0 = EL2 not implemented (Arm ARM DDI 0487). */
	pfr0 = read_sanitised_ftr_reg(SYS_ID_AA64PFR0_EL1);
	if (!((pfr0 >> ID_AA64PFR0_EL1_EL2_SHIFT) & 0xf)) {
		pr_err("hypervisor not present: this CPU implements no EL2\n");
		return -ENODEV;
	}
	return 0;
}
#endif /* CONFIG_ARM64 */

#ifdef CONFIG_X86_64
/*
 * VMMCALL (AMD SVM) or VMCALL (Intel VMX), as the CPU vendor says (Linux sets
 * X86_FEATURE_VMMCALL on AMD and Hygon CPUs; the other instruction is #UD there):
 * x0..x7 in RAX, RBX, RCX, RDX, RSI, RDI, R8, R9; x0..x3 back in RAX..RDX.
 */
static void ls_call(u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 a7,
		    struct ls_res *r)
{
	register u64 r8 asm("r8") = a6;
	register u64 r9 asm("r9") = a7;

	if (boot_cpu_has(X86_FEATURE_VMMCALL))
		asm volatile("vmmcall"
			     : "+a"(a0), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5), "+r"(r8),
			       "+r"(r9)
			     :
			     : "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	else
		asm volatile("vmcall"
			     : "+a"(a0), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5), "+r"(r8),
			       "+r"(r9)
			     :
			     : "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	r->a0 = a0;
	r->a1 = a1;
	r->a2 = a2;
	r->a3 = a3;
}

/* CPUID leaf 1 ECX[31] and Lockstep's signature at LS_X86_CPUID_LEAF (abi.h). */
static int ls_hvc_possible(void)
{
	unsigned int a, b, c, d;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR)) {
		pr_err("hypervisor not present: CPUID shows no hypervisor\n");
		return -ENODEV;
	}
	cpuid(LS_X86_CPUID_LEAF, &a, &b, &c, &d);
	if (b != LS_X86_CPUID_SIG_EBX || c != LS_X86_CPUID_SIG_ECX || d != LS_X86_CPUID_SIG_EDX) {
		pr_err("hypervisor not present: CPUID 0x%x signature %08x %08x %08x is not Lockstep's\n",
		       LS_X86_CPUID_LEAF, b, c, d);
		return -ENODEV;
	}
	return 0;
}
#endif /* CONFIG_X86_64 */

static int ls_probe_hyp(void)
{
	struct ls_res res;
	int ret;

	ret = ls_hvc_possible();
	if (ret)
		return ret;

	/* Call UID (SMCCC DEN 0028 6.2): the 128-bit UUID in w0..w3. */
	ls_call(LS_HVC_CALL_UID, 0, 0, 0, 0, 0, 0, 0, &res);
	if ((u32)res.a0 != LS_UID_W0 || (u32)res.a1 != LS_UID_W1 || (u32)res.a2 != LS_UID_W2 ||
	    (u32)res.a3 != LS_UID_W3) {
		pr_err("hypervisor not present: Call UID %08x-%08x-%08x-%08x is not Lockstep's\n",
		       (u32)res.a0, (u32)res.a1, (u32)res.a2, (u32)res.a3);
		return -ENODEV;
	}

	ls_call(LS_HVC_VERSION, 0, 0, 0, 0, 0, 0, 0, &res);
	if ((long)res.a0 != LS_OK) {
		pr_err("hypervisor not present: LS_HVC_VERSION returned %ld\n", (long)res.a0);
		return -ENODEV;
	}
	ls_version = res.a1;
	if ((ls_version >> 16) != LS_ABI_MAJOR) {
		pr_err("hypervisor ABI %llu.%llu, this driver speaks %d.x\n", ls_version >> 16,
		       ls_version & 0xffff, LS_ABI_MAJOR);
		return -EPROTO;
	}

	ls_call(LS_HVC_FEATURES, 0, 0, 0, 0, 0, 0, 0, &res);
	if ((long)res.a0 != LS_OK) {
		pr_err("LS_HVC_FEATURES returned %ld\n", (long)res.a0);
		return -EPROTO;
	}
	ls_features = res.a1;
	return 0;
}

static int ls_features_str(char *buf, size_t len)
{
	static const struct {
		u64 bit;
		const char *name;
	} names[] = {
		{ LS_FEAT_HOST_S2, "host_s2" }, { LS_FEAT_PSCI_RELAY, "psci_relay" },
		{ LS_FEAT_SMMU, "smmu" },	{ LS_FEAT_DMA_COHERENT, "dma_coherent" },
		{ LS_FEAT_VCPUS, "vcpus" },
	};
	int n = scnprintf(buf, len, "0x%llx", ls_features);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (ls_features & names[i].bit)
			n += scnprintf(buf + n, len - n, " %s", names[i].name);
	n += scnprintf(buf + n, len - n, "\n");
	return n;
}

/* --- sysfs attributes of the misc device ------------------------------------ */

static ssize_t version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu.%llu\n", ls_version >> 16, ls_version & 0xffff);
}
static DEVICE_ATTR_RO(version);

static ssize_t features_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return ls_features_str(buf, PAGE_SIZE);
}
static DEVICE_ATTR_RO(features);

static struct attribute *ls_attrs[] = {
	&dev_attr_version.attr,
	&dev_attr_features.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ls);

/* --- /dev/lockstep ------------------------------------------------------------ */

static ssize_t ls_dev_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[96];
	int n;

	n = scnprintf(buf, sizeof(buf), "lockstep %llu.%llu features ", ls_version >> 16,
		      ls_version & 0xffff);
	n += ls_features_str(buf + n, sizeof(buf) - n);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations ls_dev_fops = {
	.owner = THIS_MODULE,
	.read = ls_dev_read,
#ifdef CONFIG_ARM64
	.unlocked_ioctl = ls_dev_ioctl, /* protected VMs: vm.c, docs/uapi.md */
	.compat_ioctl = compat_ptr_ioctl,
#endif
	.llseek = default_llseek,
};

static struct miscdevice ls_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lockstep",
	.fops = &ls_dev_fops,
	.groups = ls_groups,
	.mode = 0444,
};

/* --- debugfs: raw hypercalls for the system tests ----------------------------- */

static ssize_t ls_raw_write(struct file *file, const char __user *ubuf, size_t count, loff_t *ppos)
{
	u64 a[LS_RAW_MAX_ARGS] = { 0 };
	struct ls_res res;
	char buf[256], *p, *tok;
	int n = 0, ret;

	if (*ppos != 0 || count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	p = strim(buf);
	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (n == LS_RAW_MAX_ARGS)
			return -E2BIG;
		ret = kstrtou64(tok, 0, &a[n]);
		if (ret)
			return ret;
		n++;
	}
	if (n == 0)
		return -EINVAL;

	ls_call(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], &res);

	mutex_lock(&ls_raw_lock);
	ls_raw_res = res;
	ls_raw_valid = true;
	mutex_unlock(&ls_raw_lock);
	pr_debug("raw hvc 0x%llx -> 0x%lx 0x%lx 0x%lx 0x%lx\n", a[0], res.a0, res.a1, res.a2,
		 res.a3);
	return count;
}

static ssize_t ls_raw_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ls_res res;
	char buf[96];
	int n;

	mutex_lock(&ls_raw_lock);
	res = ls_raw_res;
	n = ls_raw_valid;
	mutex_unlock(&ls_raw_lock);
	if (!n)
		return -ENODATA;

	n = scnprintf(buf, sizeof(buf), "0x%016lx 0x%016lx 0x%016lx 0x%016lx\n", res.a0, res.a1,
		      res.a2, res.a3);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations ls_raw_fops = {
	.owner = THIS_MODULE,
	.write = ls_raw_write,
	.read = ls_raw_read,
	.llseek = default_llseek,
};

/* --- module ------------------------------------------------------------------ */

static int __init ls_init(void)
{
	char feat[64];
	int ret;

	ret = ls_probe_hyp();
	if (ret)
		return ret;

	ret = misc_register(&ls_miscdev);
	if (ret) {
		pr_err("cannot register /dev/lockstep: %d\n", ret);
		return ret;
	}

	ls_debugfs = debugfs_create_dir("lockstep", NULL);
	debugfs_create_file("raw_hvc", 0600, ls_debugfs, NULL, &ls_raw_fops);
#ifdef CONFIG_ARM64
	ls_vm_init(ls_debugfs, ls_features);
	ls_check_init(ls_debugfs);
#endif

	ls_features_str(feat, sizeof(feat));
	pr_info("hypervisor ABI %llu.%llu, features %s", ls_version >> 16, ls_version & 0xffff,
		feat);
	return 0;
}

static void __exit ls_exit(void)
{
#ifdef CONFIG_ARM64
	ls_vm_exit();
#endif
	debugfs_remove(ls_debugfs);
	misc_deregister(&ls_miscdev);
}

module_init(ls_init);
module_exit(ls_exit);

MODULE_DESCRIPTION("Lockstep micro-hypervisor host interface");
MODULE_LICENSE("GPL");
