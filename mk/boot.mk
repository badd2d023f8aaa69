# UEFI loader (boot/) -> build/boot/BOOTAA64.EFI, and the ESP image build/esp.img.
#
#   make boot-efi          the loader
#   make esp               the ESP image (variables below pick a variant)
#   make boot              TAP suite: host unit tests + QEMU boots (build/test-logs/boot.tap)
#
# gnu-efi recipe (docs/boot.md "Building with gnu-efi"): link a PIC shared object
# with gnu-efi's linker script and crt0 (whose .text.head IS the PE/COFF header),
# then objcopy -O binary the loadable sections, padded to _edata: the header's
# .data section ends at _edata, and a file shorter than that is rejected by edk2
# with "Unsupported".
BOOT_B       := $(B)/boot
BOOT_EFI     := $(BOOT_B)/BOOTAA64.EFI
# Shared by both loaders (mk/boot_x86.mk builds BOOTX64.EFI from the same list, with
# boot/arch/x86_64.c in place of boot/arch/aarch64.c).
BOOT_COMMON  := main.c files.c initrd.c config.c image.c fdt.c acpi.c memmap.c hide.c devmap.c \
		pcicheck.c dmar.c sig.c libc.c
BOOT_SRCS    := $(BOOT_COMMON) handoff.c arch/aarch64.c
BOOT_OBJS    := $(patsubst %.c,$(BOOT_B)/%.o,$(BOOT_SRCS))
BOOT_HDRS    := $(wildcard $(TOP)/boot/*.h) $(TOP)/include/lockstep/boot.h
BOOT_CFLAGS  := -std=gnu11 -O2 -g -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
		-fshort-wchar -mgeneral-regs-only -fno-strict-aliasing -fvisibility=hidden \
		$(WARN) -I$(TOP)/include -isystem $(GNUEFI)/include/efi \
		-isystem $(GNUEFI)/include/efi/aarch64 -I$(KEYS_B) $(MBEDTLS_INC)
BOOT_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
		--no-warn-rwx-segments -T $(GNUEFI)/lib/elf_aarch64_efi.lds \
		--defsym=EFI_SUBSYSTEM=0xa
BOOT_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .rodata -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc

.PHONY: boot-efi esp boot
ALL_TARGETS += $(BOOT_EFI) $(B)/esp.img
TEST_SUITES += boot

boot-efi: $(BOOT_EFI)

$(BOOT_B)/%.o: $(TOP)/boot/%.c $(BOOT_HDRS) $(TOP)/mk/boot.mk | $(DEV_PUB_H) $(MBEDTLS_EFI_AA64)
	@mkdir -p $(@D)
	$(CROSS)gcc $(BOOT_CFLAGS) -c $< -o $@

# sig.c includes mbedtls' headers, which include C library headers: the compiler's own
# and newlib's (as the hypervisor), never the host's.
$(BOOT_B)/sig.o: BOOT_CFLAGS += -nostdinc -isystem $(shell $(CROSS)gcc -print-file-name=include) \
	-isystem $(B)/newlib/install/aarch64-none-elf/include
$(BOOT_B)/sig.o: | $(MBEDTLS_NEWLIB)
# The built-in public key: main.o is rebuilt when the key changes.
$(BOOT_B)/main.o: $(DEV_PUB_H)
$(BOOT_B)/loader.so: $(BOOT_OBJS) $(MBEDTLS_EFI_AA64)
	$(CROSS)ld $(BOOT_LDFLAGS) $(GNUEFI)/lib/crt0-efi-aarch64.o $(BOOT_OBJS) -o $@ \
		$(MBEDTLS_EFI_AA64) -L$(GNUEFI)/lib -lefi -lgnuefi $$($(CROSS)gcc -print-libgcc-file-name)
	@# gnu-efi's self-relocation (_relocate) handles R_AARCH64_RELATIVE only.
	@if $(CROSS)readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_/ && $$3 != "R_AARCH64_RELATIVE"' | \
		grep -q .; then echo "boot: $@ has relocations other than R_AARCH64_RELATIVE" >&2; \
		rm -f $@; exit 1; fi

$(BOOT_EFI): $(BOOT_B)/loader.so $(TOP)/boot/pecheck.py
	$(CROSS)objcopy $(BOOT_SECTIONS) -O binary \
		--pad-to=0x$$($(CROSS)nm $< | awk '$$3 == "_edata" { print $$1 }') $< $@.tmp
	python3 $(TOP)/boot/pecheck.py $@.tmp
	mv $@.tmp $@

# --- ESP image ---------------------------------------------------------------------
# Variables (command line or environment) pick a variant:
#   ESP_OUT      output image (default build/esp.img)
#   ESP_HYP      hypervisor image (default build/hyp/lockstep.bin; empty: no hypervisor=)
#   ESP_INITRD   initrd (default build/initramfs.cpio.gz; empty: no initrd=)
#   ESP_KERNEL   kernel Image (default the deps kernel; empty: config names a missing file)
#   ESP_CMDLINE  kernel command line
#   ESP_CFG      config file to copy verbatim, or "none" for no config
#   ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS
# The images the other areas build are prerequisites only once their targets exist
# (hyp-image in mk/hyp.mk, initramfs in mk/qemu.mk); until then an absent default
# file is left out of the ESP with a warning.
ESP_OUT       ?= $(B)/esp.img
ESP_HYP       ?= $(B)/hyp/lockstep.bin
ESP_INITRD    ?= $(B)/initramfs.cpio.gz
ESP_KERNEL    ?= $(KIMAGE)
ESP_CMDLINE   ?= console=ttyAMA0 panic=-1
ESP_CFG       ?=
ESP_POOL_MIB  ?= 32
ESP_STACK_KIB ?= 16
ESP_CPUS      ?= 8
export ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS

boot_has_target = $(shell grep -lsE '^$(1)[[:space:]]*:' $(TOP)/mk/*.mk)
ESP_DEPS := $(if $(and $(filter $(B)/hyp/lockstep.bin,$(ESP_HYP)),$(call boot_has_target,hyp-image)),hyp-image) \
	    $(if $(and $(filter $(B)/initramfs.cpio.gz,$(ESP_INITRD)),$(call boot_has_target,initramfs)),initramfs)

esp: $(ESP_OUT)

# Always rebuilt (seconds): the variables, not file times, decide its contents.
$(ESP_OUT): $(BOOT_EFI) $(TOP)/boot/mkesp.sh $(ESP_DEPS) FORCE
	@hyp='$(ESP_HYP)'; initrd='$(ESP_INITRD)'; \
	if [ -n "$$hyp" ] && [ ! -f "$$hyp" ] && [ "$$hyp" = '$(B)/hyp/lockstep.bin' ]; then \
		echo "esp: warning: $$hyp not built yet; ESP without hypervisor" >&2; hyp=; fi; \
	if [ -n "$$initrd" ] && [ ! -f "$$initrd" ] && [ "$$initrd" = '$(B)/initramfs.cpio.gz' ]; then \
		echo "esp: warning: $$initrd not built yet; ESP without initrd" >&2; initrd=; fi; \
	ESP_HYP="$$hyp" ESP_INITRD="$$initrd" $(TOP)/boot/mkesp.sh $@ $(BOOT_EFI) '$(ESP_KERNEL)'

.PHONY: FORCE
FORCE:

# --- tests (suite "boot") ------------------------------------------------------------
# Host unit tests of the firmware-independent files, a tiny stand-in hypervisor image
# (boot/tests/testimg.c: checks the boot info at EL2, then declines), a busybox initrd
# whose /init prints a marker and powers off, and QEMU boots of ESP variants.
BOOT_T       := $(BOOT_B)/tests
BOOT_PURE    := config.c image.c fdt.c acpi.c memmap.c hide.c devmap.c dmar.c sig.c
BOOT_TESTIMG := $(BOOT_T)/testimg.bin
BOOT_INITRD  := $(BOOT_T)/initrd.cpio.gz
BOOT_REALHYP := $(B)/hyp/lockstep.bin

$(BOOT_T)/unit: $(TOP)/boot/tests/unit.c $(addprefix $(TOP)/boot/,$(BOOT_PURE)) $(BOOT_HDRS) \
		$(MBEDTLS_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer $(WARN) -I$(TOP)/include $(MBEDTLS_INC) -o $@ \
		$(TOP)/boot/tests/unit.c $(addprefix $(TOP)/boot/,$(BOOT_PURE)) \
		-L$(MBEDTLS_B)/host -lmbedcrypto

$(BOOT_T)/testimg.elf: $(TOP)/boot/tests/testimg.c $(TOP)/boot/tests/testimg.lds \
		$(TOP)/include/lockstep/boot.h
	@mkdir -p $(@D)
	$(CROSS)gcc -std=gnu11 -O2 -ffreestanding -fno-stack-protector -mgeneral-regs-only \
		-fno-pic -fno-pie $(WARN) -I$(TOP)/include -c $< -o $(BOOT_T)/testimg.o
	$(CROSS)ld -static -nostdlib --no-warn-rwx-segments -T $(TOP)/boot/tests/testimg.lds \
		$(BOOT_T)/testimg.o -o $@
	@if $(CROSS)readelf -rW $@ | grep -q R_AARCH64; then echo "testimg: has relocations" >&2; exit 1; fi

$(BOOT_TESTIMG): $(BOOT_T)/testimg.elf $(TOP)/boot/tests/mkimg.py $(DEV_KEY)
	$(CROSS)objcopy -O binary $< $(BOOT_T)/testimg.raw
	echo 0x$$($(CROSS)nm $< | awk '$$3 == "testimg_entry" { print $$1 }') > $(BOOT_T)/testimg.entry
	python3 $(TOP)/boot/tests/mkimg.py $(BOOT_T)/testimg.raw $@ $$(cat $(BOOT_T)/testimg.entry) \
		0x$$($(CROSS)nm $< | awk '$$3 == "_mem_end" { print $$1 }')
	$(SIGNIMG) sign $(DEV_KEY) $@

BOOT_VBLK    := $(DEPS)/linux/lib/modules/$(KVER)/kernel/drivers/block/virtio_blk.ko.xz
$(BOOT_INITRD): $(TOP)/boot/tests/mkinitrd.sh
	@mkdir -p $(@D)
	$(TOP)/boot/tests/mkinitrd.sh $@ $(BUSYBOX) $(BOOT_VBLK)

# The real hypervisor image is built when mk/hyp.mk can; when that fails the image is
# removed, so that the realhyp boots are "not ok" instead of testing a stale image.
# Device-map fixtures (boot/tests/unit.c): QEMU's own virt DT, with and without its
# SMMUv3, and a DSDT shaped like QEMU's compiled by iasl. A fixture that cannot be made
# is left absent: the unit test then reports "not ok" (never a silent pass).
BOOT_FX      := $(BOOT_T)/fixtures
BOOT_FX_QEMU := qemu-system-aarch64 -nic none -M virt,virtualization=on,gic-version=3
$(BOOT_FX)/virt.dtb:
	@mkdir -p $(@D)
	-$(BOOT_FX_QEMU),iommu=smmuv3,dumpdtb=$@ -cpu max -smp 4 -m 2G -nic none -display none \
		> $@.log 2>&1 || rm -f $@
$(BOOT_FX)/virt-nosmmu.dtb:
	@mkdir -p $(@D)
	-$(BOOT_FX_QEMU),dumpdtb=$@ -cpu max -smp 4 -m 2G -nic none -display none > $@.log 2>&1 \
		|| rm -f $@
$(BOOT_FX)/virt-dsdt.aml: $(TOP)/boot/tests/virt-dsdt.asl
	@mkdir -p $(@D)
	-iasl -p $(basename $@) $< > $@.log 2>&1 || rm -f $@
# QEMU 10 q35's DMAR (intel-iommu,intremap=on), as Linux read it in a boot-x86 run
# (boot/tests/x86-run.sh prints it; the hex dump is kept in the tree).
$(BOOT_FX)/q35-dmar.bin: $(TOP)/boot/tests/q35-dmar.hex
	@mkdir -p $(@D)
	python3 -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read()))' $< $@
BOOT_FIXTURES := $(BOOT_FX)/virt.dtb $(BOOT_FX)/virt-nosmmu.dtb $(BOOT_FX)/virt-dsdt.aml \
		 $(BOOT_FX)/q35-dmar.bin

boot: $(BOOT_EFI) $(BOOT_T)/unit $(BOOT_TESTIMG) $(BOOT_INITRD) $(BOOT_FIXTURES)
ifneq ($(call boot_has_target,hyp-image),)
	@$(MAKE) --no-print-directory hyp-image > $(BOOT_T)/hyp-image.out 2>&1 || \
		{ echo "boot: 'make hyp-image' failed (see $(BOOT_T)/hyp-image.out)"; \
		  rm -f $(BOOT_REALHYP); }
endif
	@BOOT_FIXTURES=$(BOOT_FX) $(TOP)/boot/tests/run.sh $(BOOT_T)/unit $(BOOT_EFI) $(KIMAGE) $(BOOT_TESTIMG) $(BOOT_INITRD) \
		$(BOOT_REALHYP)
