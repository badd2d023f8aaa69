# Devices of protected VMs through VFIO (docs/iommu.md "Devices of protected VMs").
#
#   make vfio-vm    build/vfiovm/vfio-vm: tests/vfio/vfio-vm.c, a VMM that opens QEMU's edu with
#                   VFIO and hands its group to a protected VM (LOCKSTEP_VM_ASSIGN_DEVICE);
#                   freestanding on tools/lsvm's run time
#   make vfiovm     the suite: AAVMF -> loader -> Lockstep -> Linux at EL1, one edu (00:03.0):
#                   lockstep-iommu.ko, Debian's VFIO modules, the edu bound to vfio-pci, then
#                   /vfio-vm with the devdma guest (tests/guest/devdma.c): the edu's DMA into the
#                   guest's private and shared pages, refused host maps, faults, release, teardown
#                   (tests/vfiovm/run.sh, tests/vfiovm/lstest). TAP in build/test-logs/vfiovm.tap,
#                   serial log build/test-logs/vfiovm-serial.log
VFIOVM_B    := $(B)/vfiovm
VFIOVM_PROG := $(VFIOVM_B)/vfio-vm

TEST_SUITES += vfiovm
.PHONY: vfiovm vfio-vm vfiovm-initramfs

vfio-vm: $(VFIOVM_PROG)

$(VFIOVM_PROG): $(TOP)/tests/vfio/vfio-vm.c $(TOP)/tools/lsvm/rt.c $(TOP)/tools/lsvm/rt.h \
		$(TOP)/include/lockstep/lockstep-uapi.h $(TOP)/include/lockstep/abi.h \
		$(B)/vm/shim/linux/compiler_types.h $(TOP)/mk/vfiovm.mk
	@mkdir -p $(VFIOVM_B)
	$(CROSS)gcc $(VM_USER_CFLAGS) $(VM_UAPI) -o $@ $(TOP)/tests/vfio/vfio-vm.c \
		$(TOP)/tools/lsvm/rt.c

# The suite's initramfs: the test initramfs (lockstep.ko, lsvm, the guests in /guests) plus
# tests/vfiovm/lstest, /vfio-vm, lockstep-iommu.ko and Debian's VFIO modules (VFIO_MODS).
vfiovm-initramfs: initramfs $(PVIOMMU_KO) $(VFIOVM_PROG) vm-guests
	@set -e; o=$(VFIOVM_B); rm -rf $$o/root; mkdir -p $$o/root/lib/modules/vfio; \
	install -m 0755 $(TOP)/tests/vfiovm/lstest $$o/root/lstest; \
	install -m 0755 $(VFIOVM_PROG) $$o/root/vfio-vm; \
	install -m 0644 $(PVIOMMU_KO) $$o/root/lib/modules/vfio/lockstep-iommu.ko; \
	for m in $(VFIO_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel/drivers/vfio -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "vfiovm: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/vfio/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
vfiovm:
	@mkdir -p $(VFIOVM_B) $(B)/test-logs
	@tap=$(B)/test-logs/vfiovm.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory hyp-image driver vfiovm-initramfs \
		>$(VFIOVM_B)/build.log 2>&1; then \
		printf '1..1\nnot ok 1 - vfiovm: build failed (see %s)\n' $(VFIOVM_B)/build.log >> $$tap; \
		tail -n 20 $(VFIOVM_B)/build.log; exit 0; fi; \
	if ! $(MAKE) --no-print-directory esp ESP_OUT=$(VFIOVM_B)/esp.img \
		ESP_INITRD=$(VFIOVM_B)/initramfs.cpio.gz ESP_CMDLINE="$(VFIO_CMDLINE)" \
		>$(VFIOVM_B)/esp.log 2>&1; then \
		printf '1..1\nnot ok 1 - vfiovm: ESP build failed (see %s)\n' $(VFIOVM_B)/esp.log >> $$tap; \
		tail -n 5 $(VFIOVM_B)/esp.log; exit 0; fi; \
	$(TOP)/tests/vfiovm/run.sh $(VFIOVM_B)/esp.img; true
