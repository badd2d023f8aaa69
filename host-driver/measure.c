// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lockstep measured launch, host side (docs/attestation.md): lockstep-measure.ko reads
 * the hypervisor's measurement log through LS_HVC_MEASURE_READ (include/lockstep/abi.h,
 * docs/hypercalls.md) once at load and exposes it:
 *
 *   /sys/kernel/lockstep/measure/log          the log, raw bytes (format: abi.h LS_MLOG_*)
 *   /sys/kernel/lockstep/measure/hypervisor   "<sha256 hex>\n" of each event type present:
 *   /sys/kernel/lockstep/measure/kernel       hypervisor image, kernel file, initrd file,
 *   /sys/kernel/lockstep/measure/initrd       kernel command line, the hypervisor's boot
 *   /sys/kernel/lockstep/measure/cmdline      configuration (absent types read "none")
 *   /sys/kernel/lockstep/measure/hyp_config
 *
 * A module of its own (loaded after lockstep.ko): it checks for Lockstep the same way
 * (no HVC without EL2 below a kernel at EL1, then the Call UID) before any call.
 */
#define pr_fmt(fmt) "lockstep-measure: " fmt

#include <linux/arm-smccc.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <linux/unaligned.h>

#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include <lockstep/abi.h>

static u8 lsm_log[LS_MLOG_MAX_BYTES];
static u32 lsm_size;
static struct kobject *lsm_parent, *lsm_dir;

static int lsm_probe(void)
{
	struct arm_smccc_res res;
	u64 pfr0;

	/* As lockstep.c: HVC is UNDEFINED without EL2 and meaningless at EL2 (Arm ARM, HVC). */
	if (is_kernel_in_hyp_mode())
		return -ENODEV;
	pfr0 = read_sanitised_ftr_reg(SYS_ID_AA64PFR0_EL1);
	if (!((pfr0 >> ID_AA64PFR0_EL1_EL2_SHIFT) & 0xf))
		return -ENODEV;
	arm_smccc_1_1_hvc(LS_HVC_CALL_UID, &res);
	if ((u32)res.a0 != LS_UID_W0 || (u32)res.a1 != LS_UID_W1 || (u32)res.a2 != LS_UID_W2 ||
	    (u32)res.a3 != LS_UID_W3)
		return -ENODEV;
	arm_smccc_1_1_hvc(LS_HVC_VERSION, &res);
	if ((long)res.a0 != LS_OK || (res.a1 >> 16) != LS_ABI_MAJOR || (res.a1 & 0xffff) < 2) {
		pr_err("hypervisor ABI %lu.%lu has no LS_FN_MEASURE_READ (needs 1.2)\n",
		       res.a1 >> 16, res.a1 & 0xffff);
		return -EPROTO;
	}
	return 0;
}

/* 24 bytes of the log at off into buf (which has room for them). */
static int lsm_read24(u32 off, u8 *buf)
{
	struct arm_smccc_res res;
	u64 w[3];

	arm_smccc_1_1_hvc(LS_HVC_MEASURE_READ, off, &res);
	if ((long)res.a0 != LS_OK) {
		pr_err("LS_HVC_MEASURE_READ(%u) returned %ld\n", off, (long)res.a0);
		return -EIO;
	}
	w[0] = cpu_to_le64(res.a1);
	w[1] = cpu_to_le64(res.a2);
	w[2] = cpu_to_le64(res.a3);
	memcpy(buf, w, sizeof(w));
	return 0;
}

static int lsm_fetch(void)
{
	u8 chunk[24];
	u32 off, size, n;
	int ret;

	ret = lsm_read24(0, chunk);
	if (ret)
		return ret;
	size = get_unaligned_le32(chunk + 12);
	if (get_unaligned_le64(chunk) != LS_MLOG_MAGIC ||
	    get_unaligned_le32(chunk + 8) != LS_MLOG_VERSION || size < LS_MLOG_HDR_BYTES ||
	    size > LS_MLOG_MAX_BYTES) {
		pr_err("measurement log header malformed (size %u)\n", size);
		return -EPROTO;
	}
	for (off = 0; off < size; off += 24) {
		ret = lsm_read24(off, chunk);
		if (ret)
			return ret;
		n = min_t(u32, 24, size - off);
		memcpy(lsm_log + off, chunk, n);
	}
	lsm_size = size;
	return 0;
}

/* The digest of the first event of @type, as hex, or "none". */
static ssize_t lsm_show_type(u32 type, char *buf)
{
	u32 nr = get_unaligned_le32(lsm_log + 16), i;

	for (i = 0; i < nr; i++) {
		const u8 *ev = lsm_log + LS_MLOG_HDR_BYTES + i * LS_MLOG_EV_BYTES;

		if (LS_MLOG_HDR_BYTES + (i + 1) * LS_MLOG_EV_BYTES > lsm_size)
			break;
		if (get_unaligned_le32(ev) == type)
			return sysfs_emit(buf, "%32phN\n", ev + LS_MLOG_EV_DIGEST);
	}
	return sysfs_emit(buf, "none\n");
}

#define LSM_ATTR(name, type)                                                               \
	static ssize_t name##_show(struct kobject *k, struct kobj_attribute *a, char *buf) \
	{                                                                                  \
		return lsm_show_type(type, buf);                                           \
	}                                                                                  \
	static struct kobj_attribute lsm_attr_##name = __ATTR_RO(name)

LSM_ATTR(hypervisor, LS_MEAS_HYP_IMAGE);
LSM_ATTR(kernel, LS_MEAS_KERNEL);
LSM_ATTR(initrd, LS_MEAS_INITRD);
LSM_ATTR(cmdline, LS_MEAS_CMDLINE);
LSM_ATTR(hyp_config, LS_MEAS_HYP_CONFIG);

static ssize_t log_read(struct file *f, struct kobject *k, struct bin_attribute *a, char *buf,
			loff_t off, size_t count)
{
	return memory_read_from_buffer(buf, count, &off, lsm_log, lsm_size);
}
static BIN_ATTR_RO(log, 0);

static struct attribute *lsm_attrs[] = {
	&lsm_attr_hypervisor.attr, &lsm_attr_kernel.attr,     &lsm_attr_initrd.attr,
	&lsm_attr_cmdline.attr,	   &lsm_attr_hyp_config.attr, NULL,
};
static struct bin_attribute *lsm_bin_attrs[] = { &bin_attr_log, NULL };
static const struct attribute_group lsm_group = {
	.attrs = lsm_attrs,
	.bin_attrs = lsm_bin_attrs,
};

static int __init lsm_init(void)
{
	int ret;

	ret = lsm_probe();
	if (ret) {
		pr_err("Lockstep not present: no measurements to read\n");
		return ret;
	}
	ret = lsm_fetch();
	if (ret)
		return ret;
	bin_attr_log.size = lsm_size;
	lsm_parent = kobject_create_and_add("lockstep", kernel_kobj);
	if (!lsm_parent)
		return -ENOMEM;
	lsm_dir = kobject_create_and_add("measure", lsm_parent);
	if (!lsm_dir) {
		kobject_put(lsm_parent);
		return -ENOMEM;
	}
	ret = sysfs_create_group(lsm_dir, &lsm_group);
	if (ret) {
		kobject_put(lsm_dir);
		kobject_put(lsm_parent);
		return ret;
	}
	pr_info("measurement log: %u bytes, %u events\n", lsm_size,
		get_unaligned_le32(lsm_log + 16));
	return 0;
}

static void __exit lsm_exit(void)
{
	sysfs_remove_group(lsm_dir, &lsm_group);
	kobject_put(lsm_dir);
	kobject_put(lsm_parent);
}

module_init(lsm_init);
module_exit(lsm_exit);

MODULE_DESCRIPTION("Lockstep measured launch: the hypervisor's measurement log in sysfs");
MODULE_LICENSE("GPL");
