# PV IOMMU driver for the host (host-driver/pviommu): lockstep-iommu.ko,
# cross-built like lockstep.ko (mk/driver.mk) from a copy under build/pviommu/.
#
#   make pviommu-ko   build build/pviommu/ko/lockstep-iommu.ko
#   make pviommu      boot the smmu-boot machine (tests/pviommu/run.sh): load the driver,
#                     remove + rescan the virtio disk and NIC, disk and network I/O behind
#                     Lockstep's DMA domains; then Linux booted without Lockstep (no EL2,
#                     nVHE KVM): the driver refuses to load. TAP in build/test-logs/pviommu.tap
PVIOMMU_B    := $(B)/pviommu
PVIOMMU_SRC  := $(TOP)/host-driver/pviommu/lockstep-iommu.c $(TOP)/host-driver/pviommu/lsi-arch.h \
		$(TOP)/host-driver/pviommu/Kbuild
PVIOMMU_DEPS := $(TOP)/include/lockstep/pviommu-vm.h
PVIOMMU_KO   := $(PVIOMMU_B)/ko/lockstep-iommu.ko
PVIOMMU_MODS := virtio_blk failover net_failover virtio_net
PVIOMMU_CMDLINE := console=ttyAMA0 lstest=1 efi=debug panic=-1 mem=1536M lsfree=0xa0000000

.PHONY: pviommu pviommu-ko pviommu-initramfs
pviommu-ko: $(PVIOMMU_KO)

$(PVIOMMU_KO): $(PVIOMMU_SRC) $(PVIOMMU_DEPS) $(TOP)/include/lockstep/abi.h $(TOP)/mk/pviommu.mk
	@[ -d "$(KDIR)" ] || { echo "pviommu: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(PVIOMMU_B)/ko
	cp $(PVIOMMU_SRC) $(PVIOMMU_B)/ko/
	$(MAKE) -C $(KDIR) M=$(PVIOMMU_B)/ko ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# The suite's initramfs: the test initramfs (build/initramfs.cpio.gz, which loads lockstep.ko)
# plus a second cpio archive with tests/pviommu/lstest, the ABI constants, the virtio modules
# and lockstep-iommu.ko.
pviommu-initramfs: initramfs $(PVIOMMU_KO)
	@set -e; o=$(PVIOMMU_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/lib/modules/pviommu; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-env $(TOP)/tests/pviommu/abi-env.c; \
	$$o/abi-env > $$o/root/etc/lockstep-pviommu.env; \
	install -m 0755 $(TOP)/tests/pviommu/lstest $$o/root/lstest; \
	cp $(PVIOMMU_KO) $$o/root/lib/modules/pviommu/; \
	for m in $(PVIOMMU_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "pviommu: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/pviommu/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
pviommu: hyp-image driver
	@mkdir -p $(PVIOMMU_B) $(B)/test-logs
	@rm -f $(B)/test-logs/pviommu.tap
	@if ! $(MAKE) --no-print-directory pviommu-initramfs >$(PVIOMMU_B).initramfs.log 2>&1; then \
		echo "not ok - pviommu: driver or initramfs build failed (see $(PVIOMMU_B).initramfs.log)" \
			>> $(B)/test-logs/pviommu.tap; tail -20 $(PVIOMMU_B).initramfs.log; exit 0; fi
	@head -c 4194304 /dev/urandom > $(PVIOMMU_B)/data.img
	@md5=$$(head -c 1048576 $(PVIOMMU_B)/data.img | md5sum | cut -d' ' -f1); \
	if ! $(MAKE) --no-print-directory esp ESP_OUT=$(PVIOMMU_B)/esp.img \
		ESP_INITRD=$(PVIOMMU_B)/initramfs.cpio.gz \
		ESP_CMDLINE="$(PVIOMMU_CMDLINE) lsmd5=$$md5" >$(PVIOMMU_B).esp.log 2>&1; then \
		echo "not ok - pviommu: ESP build failed (see $(PVIOMMU_B).esp.log)" \
			>> $(B)/test-logs/pviommu.tap; tail -5 $(PVIOMMU_B).esp.log; exit 0; fi; \
	$(TOP)/tests/pviommu/run.sh $(PVIOMMU_B)/esp.img $(PVIOMMU_B)/data.img; \
	for v in noel2 nvhe; do \
		$(TOP)/tests/pviommu/run.sh nohyp $(DEPS)/linux/boot/vmlinuz-$(KVER) \
			$(PVIOMMU_B)/initramfs.cpio.gz $$v; \
	done; true
TEST_SUITES += pviommu

# The same module for x86_64 (host-driver/pviommu/lsi-arch.h: VMMCALL/VMCALL conduit, VT-d),
# against Debian's amd64 6.12 headers as lockstep.ko for x86 (mk/driver.mk).
#   make pviommu-ko-x86   build build/pviommu-x86/lockstep-iommu.ko
PVIOMMU_X86_B  := $(B)/pviommu-x86
PVIOMMU_X86_KO := $(PVIOMMU_X86_B)/lockstep-iommu.ko
.PHONY: pviommu-ko-x86
pviommu-ko-x86: $(PVIOMMU_X86_KO)

$(PVIOMMU_X86_KO): $(PVIOMMU_SRC) $(PVIOMMU_DEPS) $(TOP)/include/lockstep/abi.h $(TOP)/mk/pviommu.mk
	@[ -d "$(KDIR_X86)" ] || { echo "pviommu x86: no kernel headers at $(KDIR_X86); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(PVIOMMU_X86_B)
	cp $(PVIOMMU_SRC) $(PVIOMMU_X86_B)/
	$(MAKE) -C $(KDIR_X86) M=$(PVIOMMU_X86_B) ARCH=x86_64 LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# The x86_64 suite (tests/pviommu-x86, docs/iommu.md "Linux driver" / "x86_64"): one boot of q35 +
# OVMF + SVM/NPT + intel-iommu + edu + a virtio disk and NIC; lockstep-iommu.ko puts them into
# Lockstep host DMA domains on VT-d. build/test-logs/pviommu-x86.tap.
PVX86_B      := $(B)/pviommu-x86
PVX86_INITRD := $(PVX86_B)/initrd.cpio.gz
PVX86_ABIENV := $(PVX86_B)/abi-env-pviommu

.PHONY: pviommu-x86
TEST_SUITES += pviommu-x86

$(PVX86_ABIENV): $(TOP)/tests/pviommu/abi-env.c $(TOP)/include/lockstep/abi.h
	@mkdir -p $(@D)
	$(HOSTCC) $(WARN) -I$(TOP)/include $< -o $@

$(PVX86_INITRD): $(TOP)/tests/pviommu-x86/init $(TOP)/tests/pviommu-x86/mkinitramfs.sh \
		$(PVX86_ABIENV) $(DRIVER_X86_KO) $(PVIOMMU_X86_KO) $(EDU_X86_KO)
	@mkdir -p $(@D)
	$(TOP)/tests/pviommu-x86/mkinitramfs.sh $@ $(BX_BUSYBOX) $(DRIVER_X86_KO) $(PVIOMMU_X86_KO) \
		$(EDU_X86_KO) $(DEPS)/linux-x86/lib/modules/$(BX_KVER) $(PVX86_ABIENV)

# A build failure is one "not ok" (plan 1), and no stale image is booted.
pviommu-x86:
	@mkdir -p $(B)/test-logs
	@if $(MAKE) --no-print-directory $(BX_EFI) $(HX_B)/lockstep.bin $(PVX86_INITRD) \
		>$(PVX86_B).build.log 2>&1; \
	then $(TOP)/tests/pviommu-x86/run.sh $(BX_EFI) $(HX_B)/lockstep.bin $(BX_KIMAGE) $(PVX86_INITRD); \
	else rm -f $(HX_B)/lockstep.bin; \
		why="build of the loader, image, modules or initramfs failed (see $(PVX86_B).build.log)"; \
		[ -d "$(KDIR_X86)" ] || why="no amd64 kernel headers at $(KDIR_X86): run 'make deps'"; \
		printf '1..1\nnot ok 1 - pviommu-x86: %s\n' "$$why" \
		> $(B)/test-logs/pviommu-x86.tap; cat $(B)/test-logs/pviommu-x86.tap; fi
