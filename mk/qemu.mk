# QEMU system tests, the test initramfs and `make run`.
#
#   make initramfs   build/initramfs.cpio.gz: busybox, /init, /lstest, lockstep.ko, and the
#                    files other fragments list in INITRAMFS_EXTRA (SRC:DEST pairs: mk/vm.mk)
#   make qemu        system-test suite: boots the ESP image on QEMU virt (AAVMF ->
#                    loader -> Lockstep EL2 -> Linux EL1), writes build/test-logs/qemu.tap
#   make run         the same machine, interactive: serial on stdio, busybox shell
#   make qemu-direct Linux booted directly at EL2 (no firmware, no Lockstep) with the
#                    same initramfs: the driver must refuse to load (build/test-logs/qemu-direct.tap)
INITRAMFS := $(B)/initramfs.cpio.gz
ESP_IMG   := $(B)/esp.img
QEMU_LOGS := $(B)/test-logs

ALL_TARGETS += initramfs
TEST_SUITES += qemu qemu-direct lint-qemu
.PHONY: initramfs qemu qemu-direct run lint-qemu

initramfs: $(INITRAMFS)

$(INITRAMFS): $(wildcard $(TOP)/tests/initramfs/*) $(DRIVER_KO) $(TOP)/include/lockstep/abi.h \
		$(TOP)/mk/qemu.mk
	@[ -x "$(BUSYBOX)" ] || { echo "initramfs: no busybox at $(BUSYBOX); run 'make deps'" >&2; exit 1; }
	HOSTCC=$(HOSTCC) INITRAMFS_EXTRA="$(INITRAMFS_EXTRA)" \
		$(TOP)/tests/initramfs/mkinitramfs.sh $@ $(BUSYBOX) $(DRIVER_KO) $(TOP)

# The test ESP: mk/boot.mk's image with the in-guest tests switched on. efi=debug makes
# Linux log the EFI memory map, where the guest finds the hypervisor's region;
# panic=-1 (with QEMU -no-reboot) ends a run that panics at once.
QEMU_TEST_ESP := $(B)/qemu/esp-test.img
QEMU_TEST_CMDLINE = $(filter-out panic=% lstest=% efi=%,$(ESP_CMDLINE)) lstest=1 efi=debug panic=-1

# A failed ESP build is the suite's one "not ok" (no stale image is booted).
qemu: initramfs driver
	@mkdir -p $(B)/qemu $(QEMU_LOGS)
	@if $(MAKE) --no-print-directory esp ESP_OUT=$(QEMU_TEST_ESP) \
		ESP_CMDLINE="$(QEMU_TEST_CMDLINE)" > $(B)/qemu/esp-test.log 2>&1; then \
		ESP=$(QEMU_TEST_ESP) $(TOP)/tests/qemu/run.sh test; \
	else rm -f $(QEMU_TEST_ESP); tail -5 $(B)/qemu/esp-test.log; \
		printf '1..1\nnot ok 1 - qemu: ESP build failed (see %s)\n' $(B)/qemu/esp-test.log \
			> $(QEMU_LOGS)/qemu.tap; fi

# No QEMU command line in the tree brings a DMA master outside the SMMU (docs/iommu.md):
# scripts/lint-qemu.py, with its rules' self-test.
lint-qemu:
	@mkdir -p $(QEMU_LOGS)
	@python3 $(TOP)/scripts/lint-qemu.py --self-test > $(QEMU_LOGS)/lint-qemu.tap; \
		cat $(QEMU_LOGS)/lint-qemu.tap

qemu-direct: initramfs driver
	@$(TOP)/tests/qemu/run.sh direct

# Sequenced in the recipe so that `make -j` still installs the dependencies first.
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(ESP_IMG)
	@$(TOP)/tests/qemu/run.sh run
