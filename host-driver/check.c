// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/lockstep/check (root, test interface): reading it runs the hypervisor's
 * invariant walk, LS_HVC_DEBUG_CHECK (docs/hypercalls.md), and prints its verdict and how
 * long the hypercall took:
 *   code C addr 0x.. who 0x.. a 0x.. b 0x.. pages N ns T
 * C is 0 when every invariant holds, else the first violation's LS_CHECK_* code. A hypervisor
 * built without LS_DEBUG_CHECK=1 answers LS_ENOTSUPP: the read fails with EOPNOTSUPP.
 */
#define pr_fmt(fmt) "lockstep: " fmt

#include <linux/arm-smccc.h>
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/seq_file.h>

#include <lockstep/abi.h>

#include "vm.h"

static int ls_check_show(struct seq_file *m, void *unused)
{
	struct arm_smccc_1_2_regs res;
	ktime_t t0, t1;
	int err;

	t0 = ktime_get();
	ls_hvc(LS_HVC_DEBUG_CHECK, 0, 0, 0, 0, 0, &res);
	t1 = ktime_get();
	err = ls_errno((long)res.a0);
	if (err)
		return err;
	seq_printf(m, "code %lu addr 0x%lx who 0x%lx a 0x%lx b 0x%lx pages %lu ns %lld\n", res.a1,
		   res.a2, res.a3, res.a4, res.a5, res.a6, ktime_to_ns(ktime_sub(t1, t0)));
	if (res.a1)
		pr_err("invariant walk: violation %lu at 0x%lx (who 0x%lx, 0x%lx 0x%lx)\n", res.a1,
		       res.a2, res.a3, res.a4, res.a5);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ls_check);

void ls_check_init(struct dentry *debugfs)
{
	debugfs_create_file("check", 0400, debugfs, NULL, &ls_check_fops);
}
