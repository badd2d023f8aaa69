/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What lockstep-iommu.ko does differently per architecture: the hypercall conduit, how it
 * decides that Lockstep is underneath and owns the IOMMU, and the IOVAs an MSI takes.
 * Everything else in lockstep-iommu.c is the same on both.
 *
 *                 arm64 (SMMUv3)                         x86_64 (VT-d)
 *   conduit       HVC #0 (arm_smccc_1_1_hvc)             VMMCALL on AMD, VMCALL on Intel, with
 *                                                        the same x0..x7 registers as lockstep.ko
 *                                                        (docs/hypercalls.md "Calling convention
 *                                                        per architecture")
 *   present       EL2 implemented, kernel not at EL2     CPUID.1:ECX[31] and Lockstep's signature
 *                                                        at LS_X86_CPUID_LEAF (a VMMCALL without a
 *                                                        hypervisor is #UD)
 *   IOMMU owned   LS_FEAT_SMMU in LS_HVC_FEATURES        LS_HVC_SMMU_STATS(STREAMS) answers LS_OK:
 *                                                        a VT-d unit is live (LS_ENOENT otherwise)
 *   devices       RIDs below SMMU_STATS(STREAMS) on segment 0 (both: on x86 the hypervisor
 *                 attached every source id 0..0xffff of the unit the loader found in the DMAR,
 *                 which Linux does not see)
 *   MSI window    IOMMU_RESV_SW_MSI at 0x8000000: the    IOMMU_RESV_MSI at 0xfee00000: a write
 *                 ITS doorbell is mapped there (MMIO)    there is an interrupt request, which the
 *                                                        unit does not translate (VT-d 3.14)
 *
 * The x86 conduit keeps the SMCCC names (struct arm_smccc_res, arm_smccc_1_1_hvc): the ABI is
 * SMCCC's register convention on both (abi.h), so the call sites are the same code.
 */
#ifndef LOCKSTEP_LSI_ARCH_H
#define LOCKSTEP_LSI_ARCH_H

#include <linux/errno.h>
#include <linux/iommu.h>
#include <linux/printk.h>
#include <linux/types.h>

#include <lockstep/abi.h>

#ifdef CONFIG_ARM64
#include <linux/arm-smccc.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#define LSI_MSI_IOVA_BASE   0x8000000 /* as arm-smmu-v3 reserves it */
#define LSI_MSI_IOVA_LENGTH 0x100000
#define LSI_MSI_RESV_TYPE   IOMMU_RESV_SW_MSI
#define LSI_MSI_PROT	    (IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO)

/*
 * HVC is UNDEFINED without EL2 (ID_AA64PFR0_EL1.EL2, bits [11:8], Arm ARM DDI 0487), and a VHE
 * kernel has nothing below it.
 */
static inline int lsi_arch_present(void)
{
	if (is_kernel_in_hyp_mode() ||
	    !((read_sanitised_ftr_reg(SYS_ID_AA64PFR0_EL1) >> ID_AA64PFR0_EL1_EL2_SHIFT) & 0xf)) {
		pr_err("Lockstep not present (no EL2 below this kernel)\n");
		return -ENODEV;
	}
	return 0;
}

/* Lockstep owns an IOMMU the host may put streams of into DMA domains. */
static inline bool lsi_arch_iommu_owned(unsigned long features, long streams_status)
{
	return features & LS_FEAT_SMMU;
}
#endif /* CONFIG_ARM64 */

#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/processor.h>

/*
 * VT-d 3.14 "Handling Requests to Interrupt Address Range": DMA writes to 0xFEEx_xxxx are
 * interrupt requests, never translated by the second level, so no IOVA may be there (what
 * intel-iommu reserves as IOAPIC_RANGE_START..END).
 */
#define LSI_MSI_IOVA_BASE   0xfee00000
#define LSI_MSI_IOVA_LENGTH 0x100000
#define LSI_MSI_RESV_TYPE   IOMMU_RESV_MSI
#define LSI_MSI_PROT	    (IOMMU_WRITE | IOMMU_MMIO)

struct arm_smccc_res {
	unsigned long a0, a1, a2, a3;
};

/* x0..x5 in RAX, RBX, RCX, RDX, RSI, RDI; x0..x3 back in RAX..RDX (docs/hypercalls.md). */
static inline void lsi_x86_call(unsigned long a0, unsigned long a1, unsigned long a2,
				unsigned long a3, unsigned long a4, unsigned long a5,
				struct arm_smccc_res *res)
{
	/* AMD and Hygon (X86_FEATURE_VMMCALL): VMMCALL; Intel: VMCALL; the other is #UD. */
	if (boot_cpu_has(X86_FEATURE_VMMCALL))
		asm volatile("vmmcall"
			     : "+a"(a0), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
			     :
			     : "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	else
		asm volatile("vmcall"
			     : "+a"(a0), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
			     :
			     : "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory");
	res->a0 = a0;
	res->a1 = a1;
	res->a2 = a2;
	res->a3 = a3;
}

/* arm_smccc_1_1_hvc(fn, [x1 .. x5,] &res): the result pointer is always the last argument. */
#define LSI_NARGS_(_1, _2, _3, _4, _5, _6, _7, n, ...) n
#define LSI_NARGS(...)				       LSI_NARGS_(__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0)
#define LSI_CAT_(a, b)				       a##b
#define LSI_CAT(a, b)				       LSI_CAT_(a, b)
#define lsi_x86_hvc_2(f, r)			       lsi_x86_call(f, 0, 0, 0, 0, 0, r)
#define lsi_x86_hvc_3(f, a, r)			       lsi_x86_call(f, a, 0, 0, 0, 0, r)
#define lsi_x86_hvc_4(f, a, b, r)		       lsi_x86_call(f, a, b, 0, 0, 0, r)
#define lsi_x86_hvc_5(f, a, b, c, r)		       lsi_x86_call(f, a, b, c, 0, 0, r)
#define lsi_x86_hvc_6(f, a, b, c, d, r)		       lsi_x86_call(f, a, b, c, d, 0, r)
#define lsi_x86_hvc_7(f, a, b, c, d, e, r)	       lsi_x86_call(f, a, b, c, d, e, r)
#define arm_smccc_1_1_hvc(...)			       LSI_CAT(lsi_x86_hvc_, LSI_NARGS(__VA_ARGS__))(__VA_ARGS__)

static inline int lsi_arch_present(void)
{
	unsigned int a, b, c, d;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR)) {
		pr_err("Lockstep not present (CPUID shows no hypervisor)\n");
		return -ENODEV;
	}
	cpuid(LS_X86_CPUID_LEAF, &a, &b, &c, &d);
	if (b != LS_X86_CPUID_SIG_EBX || c != LS_X86_CPUID_SIG_ECX || d != LS_X86_CPUID_SIG_EDX) {
		pr_err("Lockstep not present (CPUID 0x%x: %08x %08x %08x)\n", LS_X86_CPUID_LEAF, b,
		       c, d);
		return -ENODEV;
	}
	return 0;
}

/*
 * The x86 FEATURES bitmap names no IOMMU (LS_FEAT_SMMU is the SMMUv3's); SMMU_STATS reports the
 * VT-d units on x86 and answers LS_ENOENT when none is live (hyp/arch/x86/vtd.c).
 */
static inline bool lsi_arch_iommu_owned(unsigned long features, long streams_status)
{
	return streams_status == LS_OK;
}
#endif /* CONFIG_X86_64 */

#endif /* LOCKSTEP_LSI_ARCH_H */
