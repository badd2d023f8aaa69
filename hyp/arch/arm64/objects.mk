# What the arm64 hypervisor image links, and nothing else (mk/hyp.mk; docs/development.md
# "Per-arch object lists"). Paths from the top of the tree. `make cloc` counts exactly these.

# The arch-neutral core: the page-table engine with the formats this arch uses (Arm stage 2
# for the host and VMs, Arm stage 1 for EL2 itself), ownership, hypercall dispatch.
HYP_CORE_FILES := \
	hyp/mmu/pgtable.c hyp/mmu/pool.c hyp/mmu/gather.c \
	hyp/mmu/fmt_arm64_s2.c hyp/mmu/fmt_arm64_s1.c \
	hyp/mem/own.c hyp/mem/mem_protect.c hyp/mem/vm.c hyp/mem/hdom.c hyp/mem/vcpu.c hyp/mem/vmdev.c hyp/mem/vmmmio.c hyp/mem/pin.c \
	hyp/hvc/hvc.c hyp/hvc/guest.c hyp/hvc/measure.c hyp/hvc/attest.c
# The debug invariant walk, in LS_DEBUG_CHECK=1 test images only (mk/hyp.mk).
HYP_CORE_FILES += $(if $(filter 1,$(LS_DEBUG_CHECK)),hyp/mem/check.c)

# The IOMMU drivers of this platform (built with the core's warnings: no arch header).
HYP_IOMMU_FILES := hyp/iommu/smmuv3.c hyp/iommu/smmu_host.c

# The arm64 backend.
HYP_ARCH_FILES := \
	hyp/arch/arm64/boot.c hyp/arch/arm64/console.c hyp/arch/arm64/cpu.c hyp/arch/arm64/ram.c \
	hyp/arch/arm64/el2.c hyp/arch/arm64/plat.c hyp/arch/arm64/psci.c \
	hyp/arch/arm64/smmu.c hyp/arch/arm64/gic.c hyp/arch/arm64/gic_emul.c hyp/arch/arm64/trap.c hyp/arch/arm64/guest.c hyp/arch/arm64/measure.c \
	hyp/arch/arm64/head.S hyp/arch/arm64/vectors.S hyp/arch/arm64/guest_entry.S
