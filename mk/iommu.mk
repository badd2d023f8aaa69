# SMMUv3 driver (hyp/iommu): host-native tests against a simulated SMMU, and a
# freestanding aarch64 compile of the driver with the hypervisor's flags.
#
#   make iommu        build + run tests/unit/iommu/test_smmu (cmocka, ASan+UBSan),
#                     cross-compile hyp/iommu/*.c; TAP in build/test-logs/iommu.tap
#   make iommu-qemu   the driver bare metal at EL2 on QEMU's SMMUv3 model with a PCI
#                     "edu" device doing DMA through a stage-2 table built by hyp/mmu
#                     (tests/smmu-qemu); TAP in build/test-logs/iommu-qemu.tap
#
# The test links the driver with the same core objects, fake platform and
# helpers as mk/core.mk's unit tests (it reuses that fragment's variables and
# rules), plus tests/unit/iommu/smmu_sim.c, which implements plat.h's MMIO
# accessors as a simulated register file. It lives under tests/unit/iommu/ so
# that core.mk's tests/unit/test_*.c glob does not try to link it without the
# driver.
IOMMU_B       := $(B)/iommu
IOMMU_SRC     := $(wildcard hyp/iommu/*.c)
IOMMU_T_SRC   := $(wildcard tests/unit/iommu/*.c)
IOMMU_OBJ     := $(patsubst %.c,$(IOMMU_B)/obj/%.o,$(IOMMU_SRC))
IOMMU_T_OBJ   := $(patsubst %.c,$(IOMMU_B)/obj/%.o,$(IOMMU_T_SRC))
IOMMU_TEST    := $(IOMMU_B)/test_smmu
IOMMU_NEWLIB_INC := $(B)/newlib/install/aarch64-none-elf/include
IOMMU_GCC_INC := $(shell $(CROSS)gcc -print-file-name=include 2>/dev/null)
IOMMU_LIBGCC  := $(shell $(CROSS)gcc -print-libgcc-file-name 2>/dev/null)
# The hypervisor's own flags when mk/hyp.mk is there, else the same essentials.
IOMMU_XCFLAGS := $(if $(HYP_CFLAGS),$(HYP_CFLAGS),-std=gnu11 -O2 -ffreestanding \
		 -mgeneral-regs-only -mno-outline-atomics -fpie -nostdinc -isystem $(IOMMU_GCC_INC) \
		 -isystem $(IOMMU_NEWLIB_INC) $(CORE_INC)) $(WARN) $(CORE_WARN)

TEST_SUITES += iommu
.PHONY: iommu iommu-build iommu-cross

# The driver: $(WARN) $(CORE_WARN), as the arch-neutral core.
$(IOMMU_OBJ): $(IOMMU_B)/obj/%.o: %.c $(TOP)/mk/iommu.mk $(TOP)/mk/config.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) $(CORE_WARN) -c $< -o $@

$(IOMMU_T_OBJ): $(IOMMU_B)/obj/%.o: %.c $(TOP)/mk/iommu.mk $(TOP)/mk/config.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) -c $< -o $@

$(IOMMU_TEST): $(IOMMU_T_OBJ) $(IOMMU_OBJ) $(UNIT_CORE_OBJ) $(UNIT_SUPP_OBJ)
	$(HOSTCC) $(UNIT_SAN) -o $@ $^ $(UNIT_LDLIBS)

iommu-build: $(IOMMU_TEST)

# Freestanding aarch64 objects (newlib's headers for <errno.h>, as the hypervisor).
iommu-cross:
	@mkdir -p $(IOMMU_B)/aarch64
	@set -e; for f in $(IOMMU_SRC); do \
		echo "  XCC $$f"; \
		$(CROSS)gcc $(IOMMU_XCFLAGS) -c $$f -o $(IOMMU_B)/aarch64/$$(basename $$f .c).o; \
	done

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
iommu:
	@mkdir -p $(B)/test-logs
	@tap=$(B)/test-logs/iommu.tap; rm -f $$tap $(IOMMU_TEST); \
	if $(MAKE) --no-print-directory iommu-build >$(IOMMU_B).build.log 2>&1; then \
		out=$$(CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 $(IOMMU_TEST) \
			2>$(IOMMU_B)/test_smmu.stderr); rc=$$?; \
		printf '%s\n' "$$out" >> $$tap; \
		printf '%s\n' "$$out" | grep -E '^(not )?ok'; \
		if [ $$rc -ne 0 ] && ! printf '%s\n' "$$out" | grep -q '^not ok'; then \
			echo "not ok - test_smmu exited with status $$rc" >> $$tap; \
			tail -n 20 $(IOMMU_B)/test_smmu.stderr; fi; \
	else \
		printf '1..1\nnot ok - test_smmu: build failed (see %s)\n' $(IOMMU_B).build.log >> $$tap; \
		tail -n 20 $(IOMMU_B).build.log; \
	fi; \
	if [ -n "$(NEWLIB_LIBC)" ] && [ ! -d $(IOMMU_NEWLIB_INC) ]; then \
		$(MAKE) --no-print-directory newlib >$(IOMMU_B).newlib.log 2>&1 || true; fi; \
	echo "1..1" >> $$tap; \
	if [ ! -d $(IOMMU_NEWLIB_INC) ]; then \
		echo "not ok - smmuv3 aarch64 freestanding compile: newlib headers not built" >> $$tap; \
	elif $(MAKE) --no-print-directory iommu-cross >$(IOMMU_B).cross.log 2>&1; then \
		echo "ok - smmuv3 aarch64 freestanding compile" >> $$tap; \
	else \
		echo "not ok - smmuv3 aarch64 freestanding compile (see $(IOMMU_B).cross.log)" >> $$tap; \
		tail -n 20 $(IOMMU_B).cross.log; \
	fi; \
	grep -E '^(not )?ok' $$tap | tail -n 1; true

# ---- bare metal on QEMU's SMMUv3 ------------------------------------------------
IOMMU_Q_B     := $(IOMMU_B)/qemu
IOMMU_Q_SRC   := $(wildcard tests/smmu-qemu/*.S tests/smmu-qemu/*.c) tests/lib/bm/rt.c hyp/iommu/smmuv3.c \
		 $(wildcard hyp/mmu/*.c)
IOMMU_Q_OBJ   := $(patsubst %,$(IOMMU_Q_B)/obj/%.o,$(IOMMU_Q_SRC))
IOMMU_Q_ELF   := $(IOMMU_Q_B)/smmu-qemu.elf
# MMU off at EL2: every access is Device memory, so no unaligned accesses.
IOMMU_Q_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -mgeneral-regs-only -mstrict-align \
		  -mno-outline-atomics -fno-pie -fno-stack-protector -nostdinc \
		  -isystem $(IOMMU_GCC_INC) -isystem $(TOP)/tests/lib/bm/include -I$(TOP)/tests/lib/bm \
		  $(CORE_INC) $(WARN) -MMD -MP
# QEMU 10.0.2 (Debian) advertises S1P and S2P on the virt SMMU whatever
# -global arm-smmuv3.stage says (IDR0 0x0d44101b in every run); the flag is kept
# for QEMU versions that default to stage 1 only. With an SMMU without S2P the
# test checks that the driver refuses it and writes nothing.
# edu's dma_mask: 40 bits, as RAM starts at 1 GiB (QEMU's default, 28 bits, would clamp every
# DMA to a RAM buffer below RAM).
IOMMU_Q_QEMU  := qemu-system-aarch64 -nic none -M virt,virtualization=on,iommu=smmuv3,gic-version=3 \
		 -cpu max -smp 1 -m 1G -nographic -monitor none -semihosting \
		 -device edu,addr=2,dma_mask=0xffffffffff
IOMMU_Q_STAGES := 2

TEST_SUITES += iommu-qemu
.PHONY: iommu-qemu

# <errno.h> and <string.h> are the bare-metal runtime's (tests/lib/bm/include): no libc.
$(IOMMU_Q_OBJ): $(IOMMU_Q_B)/obj/%.o: % $(TOP)/mk/iommu.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(IOMMU_Q_CFLAGS) -c $< -o $@

$(IOMMU_Q_ELF): $(IOMMU_Q_OBJ) tests/smmu-qemu/link.ld
	$(CROSS)gcc -nostdlib -static -no-pie -T tests/smmu-qemu/link.ld -o $@ $(IOMMU_Q_OBJ) \
		$(IOMMU_LIBGCC)

iommu-qemu:
	@mkdir -p $(B)/test-logs $(IOMMU_Q_B)
	@tap=$(B)/test-logs/iommu-qemu.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory $(IOMMU_Q_ELF) >$(IOMMU_Q_B).build.log 2>&1; then \
		printf '1..1\nnot ok - smmu-qemu: build failed (see %s)\n' $(IOMMU_Q_B).build.log >> $$tap; \
		tail -n 20 $(IOMMU_Q_B).build.log; exit 0; fi; \
	for st in $(IOMMU_Q_STAGES); do \
		out=$(IOMMU_Q_B).stage-$$st.out; \
		timeout 120 $(IOMMU_Q_QEMU) -global arm-smmuv3.stage=$$st -kernel $(IOMMU_Q_ELF) \
			>$$out 2>&1; rc=$$?; \
		grep -E '^((not )?ok|1\.\.[0-9])' $$out | tr -d '\r' | sed "s/ - / - stage=$$st: /" >> $$tap; \
		echo "stage=$$st: $$(grep -E 'passed' $$out | tr -d '\r')"; \
		grep -E '^not ok' $$out; \
		if [ $$rc -ne 0 ] && ! grep -q '^not ok' $$out; then \
			echo "not ok - smmu-qemu stage=$$st: QEMU exited with status $$rc (see $$out)" >> $$tap; \
		fi; \
	done; true

# Header dependencies of every object built here (-MMD).
-include $(shell find $(IOMMU_B) -name '*.d' 2>/dev/null)

# ---- inside the hypervisor: the full boot with Lockstep owning the SMMU ----------
#   make smmu-boot   AAVMF -> loader -> Lockstep (SMMU taken) -> Linux at EL1 on the
#                    machine of tests/qemu/run.sh, plus a 4 MiB virtio data disk and a
#                    virtio-net NIC; the guest (tests/smmu-qemu/boot/lstest, appended
#                    to the test initramfs as a second cpio archive with the virtio
#                    modules) does disk and network DMA, ownership changes and refused
#                    SMMU register writes. TAP in build/test-logs/smmu-boot.tap.
SMMU_BOOT_B    := $(IOMMU_B)/boot
SMMU_BOOT_MODS := virtio_blk failover net_failover virtio_net
# lssmmu=: QEMU virt's SMMU frame (hw/arm/virt.c memory map), for the guest's refused accesses.
SMMU_BOOT_CMDLINE := console=ttyAMA0 lstest=1 efi=debug panic=-1 mem=1536M lsfree=0xa0000000 \
	lssmmu=0x9050000

TEST_SUITES += smmu-boot
.PHONY: smmu-boot smmu-boot-initramfs

smmu-boot-initramfs: initramfs
	@set -e; o=$(SMMU_BOOT_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/lib/modules/smmu; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-smmu $(TOP)/tests/smmu-qemu/boot/abi-smmu.c; \
	$$o/abi-smmu > $$o/root/etc/lockstep-smmu.env; \
	install -m 0755 $(TOP)/tests/smmu-qemu/boot/lstest $$o/root/lstest; \
	for m in $(SMMU_BOOT_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "smmu-boot: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/smmu/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

# Two variants (tests/smmu-qemu/boot/run.sh): acpi (the machine of mk/qemu.mk, the loader
# rewrites the IORT without the SMMU) and dt (acpi=off, the loader disables the DT node).
SMMU_BOOT_VARIANTS := acpi dt
smmu-boot: hyp-image driver smmu-boot-initramfs
	@mkdir -p $(SMMU_BOOT_B) $(B)/test-logs
	@rm -f $(B)/test-logs/smmu-boot.tap
	@head -c 4194304 /dev/urandom > $(SMMU_BOOT_B)/data.img
	@md5=$$(head -c 1048576 $(SMMU_BOOT_B)/data.img | md5sum | cut -d' ' -f1); \
	for v in $(SMMU_BOOT_VARIANTS); do \
		if ! $(MAKE) --no-print-directory esp ESP_OUT=$(SMMU_BOOT_B)/esp-$$v.img \
			ESP_INITRD=$(SMMU_BOOT_B)/initramfs.cpio.gz \
			ESP_CMDLINE="$(SMMU_BOOT_CMDLINE) lsmd5=$$md5" \
			>$(SMMU_BOOT_B).esp-$$v.log 2>&1; then \
			echo "not ok - smmu-boot $$v: ESP build failed (see $(SMMU_BOOT_B).esp-$$v.log)" \
				>> $(B)/test-logs/smmu-boot.tap; tail -5 $(SMMU_BOOT_B).esp-$$v.log; continue; fi; \
		$(TOP)/tests/smmu-qemu/boot/run.sh $(SMMU_BOOT_B)/esp-$$v.img $(SMMU_BOOT_B)/data.img $$v; \
	done; true
