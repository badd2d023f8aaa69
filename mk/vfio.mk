# VFIO on a Lockstep host (issue 18, docs/iommu.md "VFIO").
#
#   make vfio-edu   build/vfio/vfio-edu: tests/vfio/vfio-edu.c, a user-space edu driver using
#                   only the VFIO API, freestanding (raw syscalls, no C library: the cross
#                   toolchain has no arm64 libc) against the kernel's UAPI headers
#   make vfio       boot the suite's machine (tests/vfio/run.sh: AAVMF -> loader -> Lockstep
#                   owning the SMMUv3 -> Linux at EL1, two edu devices): lockstep-iommu.ko,
#                   Debian's vfio modules, both edus bound to vfio-pci, /vfio-edu: type1
#                   containers, DMA both ways, MSI, faults after UNMAP_DMA, refused maps, 1 GiB
#                   in 4 KiB and 2 MiB chunks with the hypercall counts. TAP in
#                   build/test-logs/vfio.tap, serial log build/test-logs/vfio-serial.log
VFIO_B      := $(B)/vfio
VFIO_PROG   := $(VFIO_B)/vfio-edu
VFIO_SRC    := $(TOP)/tests/vfio/vfio-edu.c $(TOP)/tests/vfio/sys.c $(TOP)/tests/vfio/sys.h
VFIO_MODS   := vfio vfio_iommu_type1 vfio-pci-core vfio-pci
VFIO_CMDLINE := console=ttyAMA0 lstest=1 efi=debug panic=-1 oops=panic
# The kernel's UAPI headers as the headers package ships them (not headers_install'ed):
# __EXPORTED_HEADERS__ and an empty-annotation linux/compiler_types.h make them user-space.
VFIO_KCOMMON = $(firstword $(wildcard $(DEPS)/linux/usr/src/linux-headers-*-common))
VFIO_UAPI    = -D__EXPORTED_HEADERS__ -I$(VFIO_B)/shim -I$(VFIO_KCOMMON)/include/uapi \
	       -I$(VFIO_KCOMMON)/arch/arm64/include/uapi \
	       -I$(KDIR)/arch/arm64/include/generated/uapi -I$(KDIR)/include/generated/uapi

TEST_SUITES += vfio
.PHONY: vfio vfio-edu vfio-initramfs

vfio-edu: $(VFIO_PROG)

$(VFIO_PROG): $(VFIO_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/mk/vfio.mk
	@[ -n "$(VFIO_KCOMMON)" ] || { echo "vfio: no kernel headers; run 'make deps'" >&2; exit 1; }
	@mkdir -p $(VFIO_B)/shim/linux
	@printf '/* user-space build: no kernel annotations */\n#define __user\n#define __force\n' \
		> $(VFIO_B)/shim/linux/compiler_types.h
	$(CROSS)gcc -O2 $(WARN) -ffreestanding -fno-builtin -fno-stack-protector -nostdlib -static \
		-no-pie -fno-pic -I$(TOP)/include $(VFIO_UAPI) -o $@ \
		$(TOP)/tests/vfio/vfio-edu.c $(TOP)/tests/vfio/sys.c

# The suite's initramfs: the test initramfs plus a second cpio archive with tests/vfio/lstest,
# /vfio-edu, the ABI constants, lockstep-iommu.ko and Debian's VFIO modules.
vfio-initramfs: initramfs $(PVIOMMU_KO) $(VFIO_PROG)
	@set -e; o=$(VFIO_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/lib/modules/vfio; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-env $(TOP)/tests/vfio/abi-env.c; \
	$$o/abi-env > $$o/root/etc/lockstep-vfio.env; \
	install -m 0755 $(TOP)/tests/vfio/lstest $$o/root/lstest; \
	install -m 0755 $(VFIO_PROG) $$o/root/vfio-edu; \
	install -m 0644 $(PVIOMMU_KO) $$o/root/lib/modules/vfio/lockstep-iommu.ko; \
	for m in $(VFIO_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel/drivers/vfio -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "vfio: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/vfio/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
vfio:
	@mkdir -p $(VFIO_B) $(B)/test-logs
	@tap=$(B)/test-logs/vfio.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory hyp-image driver vfio-initramfs >$(VFIO_B).build.log 2>&1; then \
		echo "not ok 1 - vfio: build failed (see $(VFIO_B).build.log)" >> $$tap; \
		tail -n 20 $(VFIO_B).build.log; exit 0; fi; \
	if ! $(MAKE) --no-print-directory esp ESP_OUT=$(VFIO_B)/esp.img \
		ESP_INITRD=$(VFIO_B)/initramfs.cpio.gz ESP_CMDLINE="$(VFIO_CMDLINE)" \
		>$(VFIO_B).esp.log 2>&1; then \
		echo "not ok 1 - vfio: ESP build failed (see $(VFIO_B).esp.log)" >> $$tap; \
		tail -n 5 $(VFIO_B).esp.log; exit 0; fi; \
	$(TOP)/tests/vfio/run.sh $(VFIO_B)/esp.img; true
