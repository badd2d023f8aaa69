// SPDX-License-Identifier: GPL-2.0-only
/*
 * share: pKVM's guest ABI (Linux Documentation/virt/kvm/arm/hypercalls.rst): the KVM vendor
 * hypervisor UID and features bitmap, HYP_MEMINFO (granule 4096), MEM_SHARE of one page that
 * the VMM (lsvm) reads and writes (it writes LSVM_SHARE_MAGIC at +8), MEM_UNSHARE, after which
 * lsvm checks that its read fails (SIGBUS); and a malformed MEM_SHARE refused.
 */
#include "guest.h"

#define KVM_UID		0x8600FF01UL /* ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID */
#define KVM_FEATURES	0x86000000UL /* ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID */
#define KVM_HYP_MEMINFO 0xC6000002UL
#define KVM_MEM_SHARE	0xC6000003UL
#define KVM_MEM_UNSHARE 0xC6000004UL
/* UUID 28b46fb6-2ec5-11e9-a9ca-4b564d003a74 as w0..w3 (ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_*). */
#define KVM_UID_0	0xb66fb428UL
#define KVM_UID_1	0xe911c52eUL
#define KVM_UID_2	0x564bcaa9UL
#define KVM_UID_3	0x743a004dUL
#define GUEST_DATA	0x67756573742d6461UL /* "guest-da" */
#define LSVM_MAGIC	0x6c73766d2d6f6b21UL /* tools/lsvm LSVM_SHARE_MAGIC */

const char *guest_name = "share";
static volatile u64 page[512] __attribute__((aligned(4096)));

void guest_main(u64 index, u64 x0)
{
	struct smccc_res r;
	u64 bits = (1UL << 2) | (1UL << 3) | (1UL << 4);

	(void)index;
	(void)x0;
	r = hvc(KVM_UID, 0, 0, 0);
	check((u32)r.a0 == KVM_UID_0 && (u32)r.a1 == KVM_UID_1 && (u32)r.a2 == KVM_UID_2 &&
		      (u32)r.a3 == KVM_UID_3,
	      "vendor hypervisor UID is KVM's (28b46fb6-2ec5-11e9-a9ca-4b564d003a74)");
	r = hvc(KVM_FEATURES, 0, 0, 0);
	note("KVM features bitmap ");
	puthex((u64)r.a0);
	putch('\n');
	check(((u64)r.a0 & bits) == bits, "features offer HYP_MEMINFO, MEM_SHARE, MEM_UNSHARE");
	r = hvc(KVM_HYP_MEMINFO, 0, 0, 0);
	check(r.a0 == 4096, "HYP_MEMINFO returns the 4096-byte granule");

	r = hvc(KVM_MEM_SHARE, (u64)page + 8, 0, 0);
	check(r.a0 < 0, "MEM_SHARE of an unaligned address is refused");

	page[0] = GUEST_DATA;
	page[1] = 0;
	note("sharing gpa ");
	puthex((u64)page);
	putch('\n');
	r = hvc(KVM_MEM_SHARE, (u64)page, 0, 0);
	check(r.a0 == 0, "MEM_SHARE of one page returns SUCCESS");
	check(page[1] == LSVM_MAGIC, "the VMM wrote into the shared page");
	check(page[0] == GUEST_DATA, "the guest's data is still there");
	r = hvc(KVM_MEM_UNSHARE, (u64)page, 0, 0);
	check(r.a0 == 0, "MEM_UNSHARE returns SUCCESS");
	page[0] = 0x5ec7e7UL;
	check(page[0] == 0x5ec7e7UL && page[1] == LSVM_MAGIC,
	      "the page is private again, contents kept");
	r = hvc(KVM_MEM_UNSHARE, (u64)page, 0, 0);
	check(r.a0 != 0, "MEM_UNSHARE of a page not shared is refused");
	finish();
}
