# DMA isolation through the whole stack with QEMU's "edu" PCI device.
#
#   make edu-test    build/smmu-dma/ko/edu_test.ko (host-driver/edu-test): debugfs
#                    commands to allocate pages and start edu DMAs at raw PAs
#   make smmu-dma    AAVMF -> loader -> Lockstep (SMMU taken) -> Linux at EL1 on the
#                    machine of tests/qemu/run.sh plus -device edu: DMA to host pages,
#                    to hypervisor memory, to a page donated to a VM, a 2 MiB block
#                    smashed and merged back, conversions during disk and network
#                    I/O (tests/smmu-dma). TAP in build/test-logs/smmu-dma.tap, serial
#                    logs build/test-logs/smmu-dma-{isol,loop}-serial.log.
#
# The suite's initramfs is the test initramfs (mk/qemu.mk) with a second cpio archive
# appended: /lstest (tests/smmu-dma/lstest replaces the base one), edu_test.ko,
# the virtio disk and NIC modules (EDU_MODS) and /etc/smmu-dma.env (ABI constants from
# include/lockstep/abi.h).
EDU_B      := $(B)/smmu-dma
EDU_KO     := $(EDU_B)/ko/edu_test.ko
EDU_SRC    := $(wildcard $(TOP)/host-driver/edu-test/*.c) $(TOP)/host-driver/edu-test/Kbuild
EDU_INITRD := $(EDU_B)/initramfs.cpio.gz
EDU_MODS   := virtio_blk failover net_failover virtio_net
# oops=panic with panic=-1 (QEMU -no-reboot): a kernel oops ends the run at once.
EDU_CMDLINE := console=ttyAMA0 lstest=1 efi=debug panic=-1 oops=panic
# Two boots (tests/smmu-dma/lstest smmudma=): isol = tests 1-4, loop = test 5.
EDU_PARTS  := isol loop

TEST_SUITES += smmu-dma
.PHONY: edu-test smmu-dma smmu-dma-initramfs

edu-test: $(EDU_KO)

$(EDU_KO): $(EDU_SRC) $(TOP)/mk/edu.mk
	@[ -d "$(KDIR)" ] || { echo "edu-test: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(EDU_B)/ko
	cp $(EDU_SRC) $(EDU_B)/ko/
	$(MAKE) -C $(KDIR) M=$(EDU_B)/ko ARCH=arm64 CROSS_COMPILE=$(CROSS) modules
	@touch $@

smmu-dma-initramfs: initramfs $(EDU_KO) pviommu-ko
	@set -e; o=$(EDU_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/lib/modules/smmu-dma; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-dma $(TOP)/tests/smmu-dma/abi-dma.c; \
	$$o/abi-dma > $$o/root/etc/smmu-dma.env; \
	install -m 0755 $(TOP)/tests/smmu-dma/lstest $$o/root/lstest; \
	install -m 0644 $(EDU_KO) $$o/root/lib/modules/smmu-dma/edu_test.ko; \
	install -m 0644 $(PVIOMMU_KO) $$o/root/lib/modules/smmu-dma/lockstep-iommu.ko; \
	for m in $(EDU_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "smmu-dma: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/smmu-dma/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $(EDU_INITRD)

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
smmu-dma:
	@mkdir -p $(EDU_B) $(B)/test-logs
	@tap=$(B)/test-logs/smmu-dma.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory hyp-image driver smmu-dma-initramfs \
		>$(EDU_B)/build.log 2>&1; then \
		echo "not ok 1 - smmu-dma: build failed (see $(EDU_B)/build.log)" >> $$tap; \
		tail -n 20 $(EDU_B)/build.log; exit 0; fi; \
	for p in $(EDU_PARTS); do \
		if ! $(MAKE) --no-print-directory esp ESP_OUT=$(EDU_B)/esp-$$p.img \
			ESP_INITRD=$(EDU_INITRD) ESP_CMDLINE="$(EDU_CMDLINE) smmudma=$$p" \
			>$(EDU_B)/esp-$$p.log 2>&1; then \
			echo "not ok - smmu-dma $$p: ESP build failed (see $(EDU_B)/esp-$$p.log)" >> $$tap; \
			tail -n 5 $(EDU_B)/esp-$$p.log; continue; fi; \
		$(TOP)/tests/smmu-dma/run.sh $(EDU_B)/esp-$$p.img $$p; \
	done; true
