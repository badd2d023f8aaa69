# Host driver: lockstep.ko, cross-built against the Debian arm64 6.12 headers the
# QEMU tests boot. Kbuild runs on a copy under build/driver/ so host-driver/
# stays free of build products.
DRV_B    := $(B)/driver
DRV_SRC  := $(wildcard $(TOP)/host-driver/*.c $(TOP)/host-driver/*.h) $(TOP)/host-driver/Kbuild
DRIVER_KO := $(DRV_B)/lockstep.ko

ALL_TARGETS += driver
.PHONY: driver

driver: $(DRIVER_KO)

$(DRIVER_KO): $(DRV_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/include/lockstep/lockstep-uapi.h $(TOP)/include/lockstep/pviommu-vm.h $(TOP)/mk/driver.mk
	@[ -d "$(KDIR)" ] || { echo "driver: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(DRV_B)
	cp $(DRV_SRC) $(DRV_B)/
	$(MAKE) -C $(KDIR) M=$(DRV_B) ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# lockstep.ko for x86_64 (docs/x86.md), against Debian's amd64 6.12 headers (make deps unpacks
# them under build/deps/linux-x86-headers), for the svm-qemu suite.
KDIR_X86     ?= $(DEPS)/linux-x86-headers/usr/src/linux-headers-lockstep
DRV_X86_B    := $(B)/driver-x86
DRIVER_X86_KO := $(DRV_X86_B)/lockstep.ko
.PHONY: driver-x86
driver-x86: $(DRIVER_X86_KO)

$(DRIVER_X86_KO): $(DRV_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/mk/driver.mk
	@[ -d "$(KDIR_X86)" ] || { echo "driver-x86: no kernel headers at $(KDIR_X86); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(DRV_X86_B)
	cp $(DRV_SRC) $(DRV_X86_B)/
	$(MAKE) -C $(KDIR_X86) M=$(DRV_X86_B) ARCH=x86_64 LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# edu_test.ko for x86_64 (host-driver/edu-test), the svm-qemu suite's DMA engine.
EDU_X86_KO := $(DRV_X86_B)/edu/edu_test.ko
$(EDU_X86_KO): $(wildcard $(TOP)/host-driver/edu-test/*.c) $(TOP)/host-driver/edu-test/Kbuild \
		$(TOP)/mk/driver.mk
	@[ -d "$(KDIR_X86)" ] || { echo "edu-test x86: no kernel headers at $(KDIR_X86); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(DRV_X86_B)/edu
	cp $(wildcard $(TOP)/host-driver/edu-test/*.c) $(TOP)/host-driver/edu-test/Kbuild $(DRV_X86_B)/edu/
	$(MAKE) -C $(KDIR_X86) M=$(DRV_X86_B)/edu ARCH=x86_64 modules
	@touch $@
