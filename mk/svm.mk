# The x86_64 SVM hypervisor under QEMU (docs/x86.md "Tests"):
#
#   make svm-qemu   TAP suite: q35 + OVMF + SVM/NPT + intel-iommu, BOOTX64.EFI starts
#                   build/hyp-x86/lockstep.bin, Linux x86_64 runs as its guest
#                   (build/test-logs/svm-qemu.tap)
SVM_B        := $(B)/svm-qemu
SVM_VMMCALL  := $(SVM_B)/vmmcall
SVM_RDMSR    := $(SVM_B)/rdmsr
SVM_INITRD   := $(SVM_B)/initrd.cpio.gz
SVM_MSR_KO    = $(DEPS)/linux-x86/lib/modules/$(BX_KVER)/kernel/arch/x86/kernel/msr.ko.xz

.PHONY: svm-qemu
TEST_SUITES += svm-qemu

# The two user-space helpers: static, no C library (tests/lib/nolibc.h).
$(SVM_B)/%: $(TOP)/tests/svm-qemu/%.c $(TOP)/include/lockstep/abi.h $(TOP)/tests/lib/nolibc.h
	@mkdir -p $(@D)
	$(HOSTCC) -O2 $(WARN) -nostdlib -static -fno-pie -no-pie -ffreestanding \
		-fno-stack-protector -I$(TOP)/include -I$(TOP)/tests/lib $< -o $@

$(SVM_INITRD): $(TOP)/tests/svm-qemu/init $(TOP)/tests/svm-qemu/mkinitramfs.sh $(SVM_VMMCALL) \
		$(SVM_RDMSR) $(DRIVER_X86_KO) $(EDU_X86_KO)
	@mkdir -p $(@D)
	$(TOP)/tests/svm-qemu/mkinitramfs.sh $@ $(BX_BUSYBOX) $(SVM_VMMCALL) $(SVM_RDMSR) \
		$(SVM_MSR_KO) $(DRIVER_X86_KO) $(EDU_X86_KO)

# A build failure is one "not ok" (plan 1), and no stale image is booted.
svm-qemu:
	@mkdir -p $(B)/test-logs
	@if $(MAKE) --no-print-directory $(BX_EFI) $(HX_B)/lockstep.bin $(SVM_INITRD) >/dev/null 2>&1; \
	then $(TOP)/tests/svm-qemu/run.sh $(BX_EFI) $(HX_B)/lockstep.bin $(BX_KIMAGE) $(SVM_INITRD); \
	else rm -f $(HX_B)/lockstep.bin; \
		why="build of the loader, image, modules or initramfs failed"; \
		[ -d "$(KDIR_X86)" ] || why="no amd64 kernel headers at $(KDIR_X86): run 'make deps'"; \
		printf '1..1\nnot ok 1 - svm-qemu: %s\n' "$$why" \
		> $(B)/test-logs/svm-qemu.tap; cat $(B)/test-logs/svm-qemu.tap; fi

# Host-native tests of the x86 backend's decisions that need no CPU (docs/x86.md "Tests"):
# the emulation of the host's xAPIC writes (hyp/arch/x86/apic.c, the real file, against
# stand-ins) and the TLB shootdown protocol (tlb.c), ASan + UBSan. build/test-logs/x86-unit.tap.
X86U_B   := $(B)/x86-unit
X86U_BIN := $(X86U_B)/test_apic
# The VMX capability check (hyp/arch/x86/vmxcap.c, the real file): allowed-0/allowed-1 control
# values and the refusal naming a missing control (docs/x86.md "VMX").
X86U_VMXCAP := $(X86U_B)/test_vmxcap

.PHONY: x86-unit
TEST_SUITES += x86-unit

$(X86U_BIN): $(TOP)/tests/svm-qemu/test_apic.c $(TOP)/hyp/arch/x86/apic.c \
		$(wildcard $(TOP)/hyp/arch/x86/include/x86/*.h) $(TOP)/mk/svm.mk
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -g -O1 $(UNIT_SAN) $(WARN) $(CORE_INC) -I$(TOP)/hyp/arch/x86/include \
		$(TOP)/tests/svm-qemu/test_apic.c $(TOP)/hyp/arch/x86/apic.c -o $@

# The TLB shootdown protocol (hyp/arch/x86/tlb.c, the real file) with a thread per CPU.
X86U_TLB := $(X86U_B)/test_tlb

$(X86U_TLB): $(TOP)/tests/svm-qemu/test_tlb.c $(TOP)/hyp/arch/x86/tlb.c \
		$(wildcard $(TOP)/hyp/arch/x86/include/x86/*.h) $(TOP)/include/lockstep/abi.h \
		$(TOP)/mk/svm.mk
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -g -O1 -pthread $(UNIT_SAN) $(WARN) $(CORE_INC) \
		-I$(TOP)/hyp/arch/x86/include $(TOP)/tests/svm-qemu/test_tlb.c \
		$(TOP)/hyp/arch/x86/tlb.c -o $@

$(X86U_VMXCAP): $(TOP)/tests/vmx/test_vmxcap.c $(TOP)/hyp/arch/x86/vmxcap.c \
		$(wildcard $(TOP)/hyp/arch/x86/include/x86/*.h) $(TOP)/mk/svm.mk
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -g -O1 $(UNIT_SAN) $(WARN) $(CORE_INC) -I$(TOP)/hyp/arch/x86/include \
		$(TOP)/tests/vmx/test_vmxcap.c $(TOP)/hyp/arch/x86/vmxcap.c -o $@

# The host I/O port policy both flavours share (hyp/arch/x86/ioport.c, the real file): the taken
# ports, the IOPM / I/O bitmaps, SVM's and VMX's exit decoding, the refusal (docs/x86.md "I/O ports").
X86U_IOPORT := $(X86U_B)/test_ioport

$(X86U_IOPORT): $(TOP)/tests/x86/test_ioport.c $(TOP)/hyp/arch/x86/ioport.c \
		$(wildcard $(TOP)/hyp/arch/x86/include/x86/*.h) $(TOP)/mk/svm.mk
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -g -O1 $(UNIT_SAN) $(WARN) $(CORE_INC) -I$(TOP)/hyp/arch/x86/include \
		$(TOP)/tests/x86/test_ioport.c $(TOP)/hyp/arch/x86/ioport.c -o $@

# Each binary prints its own plan; a build failure or a crash is one "not ok".
x86-unit:
	@mkdir -p $(B)/test-logs
	@: > $(B)/test-logs/x86-unit.tap
	@for t in test_apic test_tlb test_vmxcap test_ioport; do \
	if $(MAKE) --no-print-directory $(X86U_B)/$$t >/dev/null 2>&1; \
	then $(X86U_B)/$$t >> $(B)/test-logs/x86-unit.tap || \
		echo "not ok - x86-unit: $$t exited with status $$?" >> $(B)/test-logs/x86-unit.tap; \
	else printf '1..1\nnot ok 1 - x86-unit: build of %s failed\n' $$t \
		>> $(B)/test-logs/x86-unit.tap; fi; done
	@cat $(B)/test-logs/x86-unit.tap

# Smash-and-merge in the nested table and the VT-d mirror, and virtio I/O behind VT-d through a
# loop of conversions (docs/x86.md "Tests"): one boot of q35 + SVM + intel-iommu + edu + a
# virtio disk and NIC. build/test-logs/svm-dma.tap.
SDMA_B      := $(B)/svm-dma
SDMA_INITRD := $(SDMA_B)/initrd.cpio.gz
SDMA_ABIENV := $(SDMA_B)/abi-env

.PHONY: svm-dma
TEST_SUITES += svm-dma

$(SDMA_ABIENV): $(TOP)/tests/svm-dma/abi-env.c $(TOP)/include/lockstep/abi.h
	@mkdir -p $(@D)
	$(HOSTCC) $(WARN) -I$(TOP)/include $< -o $@

$(SDMA_INITRD): $(TOP)/tests/svm-dma/init $(TOP)/tests/svm-dma/mkinitramfs.sh $(SDMA_ABIENV) \
		$(DRIVER_X86_KO) $(EDU_X86_KO)
	@mkdir -p $(@D)
	$(TOP)/tests/svm-dma/mkinitramfs.sh $@ $(BX_BUSYBOX) $(SDMA_ABIENV) $(DRIVER_X86_KO) \
		$(EDU_X86_KO) $(DEPS)/linux-x86/lib/modules/$(BX_KVER)

svm-dma:
	@mkdir -p $(B)/test-logs
	@if $(MAKE) --no-print-directory $(BX_EFI) $(HX_B)/lockstep.bin $(SDMA_INITRD) >/dev/null 2>&1; \
	then $(TOP)/tests/svm-dma/run.sh $(BX_EFI) $(HX_B)/lockstep.bin $(BX_KIMAGE) $(SDMA_INITRD); \
	else why="build of the loader, image, modules or initramfs failed"; \
		[ -d "$(KDIR_X86)" ] || why="no amd64 kernel headers at $(KDIR_X86): run 'make deps'"; \
		printf '1..1\nnot ok 1 - svm-dma: %s\n' "$$why" \
		> $(B)/test-logs/svm-dma.tap; cat $(B)/test-logs/svm-dma.tap; fi
