# The VMX flavour of the x86 backend under Bochs (docs/x86.md "The host as a VMX guest",
# "Tests"): the multiboot2 test path (mk/mb2.mk) on Bochs' corei7_skylake_x (VMX, EPT, VPID,
# unrestricted guest), 2 CPUs, Linux x86_64 as the VMX guest. build/test-logs/vmx-bochs.tap.
# The suite's checks of the capability computation run host-native in x86-unit (mk/svm.mk).
VMXB_B      := $(B)/vmx-bochs
VMXB_INITRD := $(VMXB_B)/initrd.gz
VMXB_ISO    := $(VMXB_B)/vmx.iso
VMXB_IOPORT := $(VMXB_B)/ioport

# One I/O instruction from user space (the fw_cfg DMA port check): static, no C library
# (tests/lib/nolibc.h, as svm-qemu's helpers).
$(VMXB_IOPORT): $(TOP)/tests/vmx-bochs/ioport.c $(TOP)/tests/lib/nolibc.h
	@mkdir -p $(@D)
	$(HOSTCC) -O2 $(WARN) -nostdlib -static -fno-pie -no-pie -ffreestanding \
		-fno-stack-protector -I$(TOP)/tests/lib $< -o $@

$(VMXB_INITRD): $(TOP)/tests/vmx-bochs/init $(TOP)/tests/vmx-bochs/mkinitramfs.sh $(SVM_RDMSR) \
		$(VMXB_IOPORT) $(DRIVER_X86_KO)
	@mkdir -p $(@D)
	$(TOP)/tests/vmx-bochs/mkinitramfs.sh $@ $(BX_BUSYBOX) $(SVM_RDMSR) $(SVM_MSR_KO) \
		$(DRIVER_X86_KO) $(VMXB_IOPORT)

# earlyprintk: the decompressor's and early kernel's progress on COM1 (Bochs is slow: the
# log says where a run that times out stopped).
$(VMXB_ISO): $(MB2_ELF) $(HX_B)/lockstep.bin $(VMXB_INITRD) $(TOP)/boot/mb2/mkiso.sh $(TOP)/mk/vmx.mk
	MB2_CMDLINE="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1" MB2_CPUS=2 \
		$(TOP)/boot/mb2/mkiso.sh $@ $(MB2_ELF) $(BX_KIMAGE) $(VMXB_INITRD) $(HX_B)/lockstep.bin

.PHONY: vmx-bochs
TEST_SUITES += vmx-bochs
vmx-bochs:
	@mkdir -p $(B)/test-logs
	@if $(MAKE) --no-print-directory $(VMXB_ISO) >/dev/null 2>&1; \
	then $(TOP)/tests/vmx-bochs/run.sh $(VMXB_ISO); \
	else rm -f $(VMXB_ISO); \
		printf '1..1\nnot ok 1 - vmx-bochs: build of the loader, image, module or CD image failed\n' \
		> $(B)/test-logs/vmx-bochs.tap; cat $(B)/test-logs/vmx-bochs.tap; fi
