# Host driver: lockstep.ko, cross-built against the Debian arm64 6.12 headers the
# QEMU tests boot. Kbuild runs on a copy under build/driver/ so host-driver/
# stays free of build products.
DRV_B    := $(B)/driver
DRV_SRC  := $(wildcard $(TOP)/host-driver/*.c $(TOP)/host-driver/*.h) $(TOP)/host-driver/Kbuild
DRIVER_KO := $(DRV_B)/lockstep.ko

ALL_TARGETS += driver
.PHONY: driver

driver: $(DRIVER_KO)

$(DRIVER_KO): $(DRV_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/include/lockstep/lockstep-uapi.h $(TOP)/mk/driver.mk
	@[ -d "$(KDIR)" ] || { echo "driver: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(DRV_B)
	cp $(DRV_SRC) $(DRV_B)/
	$(MAKE) -C $(KDIR) M=$(DRV_B) ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		LOCKSTEP_INC=$(TOP)/include modules
	@touch $@
