# What the x86_64 hypervisor image links, and nothing else (mk/hyp_x86.mk; docs/development.md
# "Per-arch object lists"). Paths from the top of the tree.

# The arch-neutral core with the formats this image uses: AMD nested paging for the host's
# CPU view, VT-d second level for its DMA view (a mirror); the VT-d driver (built with the
# core's warnings: no arch header).
HYP_X86_CORE_FILES := \
	hyp/mmu/pgtable.c hyp/mmu/pool.c hyp/mmu/gather.c hyp/mmu/fmt_x86_npt.c hyp/mmu/fmt_x86_ept.c \
	hyp/mmu/fmt_vtd_sl.c \
	hyp/mem/own.c hyp/mem/mem_protect.c hyp/mem/vm.c hyp/mem/hdom.c hyp/mem/vcpu.c \
	hyp/mem/vmdev.c \
	hyp/mem/vmmmio.c \
	hyp/hvc/hvc.c hyp/hvc/guest.c hyp/hvc/measure.c hyp/hvc/attest.c \
	hyp/iommu/vtd/vtd.c

# The x86 backend (both flavours: SVM and VMX).
HYP_X86_ARCH_FILES := \
	hyp/arch/x86/boot.c hyp/arch/x86/console.c hyp/arch/x86/lib.c hyp/arch/x86/plat.c \
	hyp/arch/x86/svm.c hyp/arch/x86/smp.c hyp/arch/x86/apic.c hyp/arch/x86/vtd.c hyp/arch/x86/exit.c hyp/arch/x86/vmx.c hyp/arch/x86/vmxcap.c \
	hyp/arch/x86/ioport.c \
	hyp/arch/x86/tlb.c \
	hyp/arch/x86/head.S
