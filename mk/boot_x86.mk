# UEFI loader for x86_64 (boot/, the same sources as BOOTAA64.EFI) -> build/boot-x86/BOOTX64.EFI,
# and its QEMU test machine (docs/boot.md "x86_64").
#
#   make boot-efi-x86      the loader (host gcc, Debian's amd64 gnu-efi under /usr)
#   make esp-x86           ESP image build/boot-x86/esp.img (Linux x86_64 + a busybox initrd)
#   make boot-x86          TAP suite: QEMU q35 + OVMF + intel-iommu (build/test-logs/boot-x86.tap)
#
# gnu-efi on x86_64: binutils has a PE target (efi-app-x86_64), so unlike AArch64 the
# PIC shared object is converted by objcopy --target, not by crt0's hand-made header.
# The firmware calls with the Microsoft x64 convention: GNU_EFI_USE_MS_ABI makes EFIAPI
# ms_abi, so the loader calls BS->...() directly and its LoadFile2 callback is callable.
BX_B        := $(B)/boot-x86
BX_EFI      := $(BX_B)/BOOTX64.EFI
BX_GNUEFI   := /usr
BX_SRCS     := $(BOOT_COMMON) handoff.c arch/x86_64.c
BX_OBJS     := $(patsubst %.c,$(BX_B)/%.o,$(BX_SRCS))
BX_CFLAGS   := -std=gnu11 -O2 -g -fpic -ffreestanding -fno-stack-protector -fno-stack-check \
		-fshort-wchar -mno-red-zone -mgeneral-regs-only -maccumulate-outgoing-args \
		-fno-strict-aliasing -fvisibility=hidden -DGNU_EFI_USE_MS_ABI \
		$(WARN) -I$(TOP)/include -isystem $(BX_GNUEFI)/include/efi \
		-isystem $(BX_GNUEFI)/include/efi/x86_64 -I$(KEYS_B) $(MBEDTLS_INC)
BX_LDFLAGS  := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
		--no-warn-rwx-segments -T $(BX_GNUEFI)/lib/elf_x86_64_efi.lds
BX_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc

.PHONY: boot-efi-x86 esp-x86 boot-x86
ALL_TARGETS += $(BX_EFI)
TEST_SUITES += boot-x86

boot-efi-x86: $(BX_EFI)

$(BX_B)/%.o: $(TOP)/boot/%.c $(BOOT_HDRS) $(TOP)/mk/boot_x86.mk | $(DEV_PUB_H) $(MBEDTLS_EFI_X64)
	@mkdir -p $(@D)
	$(HOSTCC) $(BX_CFLAGS) -c $< -o $@

# mbedtls' headers want C library headers: the compiler's own and newlib's (boot.mk).
$(BX_B)/sig.o: BX_CFLAGS += -nostdinc -isystem $(shell $(HOSTCC) -print-file-name=include) \
	-isystem $(B)/newlib/install/aarch64-none-elf/include
$(BX_B)/sig.o: | $(MBEDTLS_NEWLIB)
$(BX_B)/main.o: $(DEV_PUB_H)
$(BX_B)/loader.so: $(BX_OBJS) $(MBEDTLS_EFI_X64)
	ld $(BX_LDFLAGS) $(BX_GNUEFI)/lib/crt0-efi-x86_64.o $(BX_OBJS) -o $@ $(MBEDTLS_EFI_X64) \
		-L$(BX_GNUEFI)/lib -lefi -lgnuefi $$($(HOSTCC) -print-libgcc-file-name)
	@# gnu-efi's self-relocation (_relocate) handles R_X86_64_RELATIVE (and NONE) only.
	@if readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ +R_/ && $$3 != "R_X86_64_RELATIVE" && \
		$$3 != "R_X86_64_NONE"' | grep -q .; then \
		echo "boot-x86: $@ has relocations other than R_X86_64_RELATIVE" >&2; rm -f $@; exit 1; fi

$(BX_EFI): $(BX_B)/loader.so $(TOP)/boot/pecheck.py
	objcopy $(BX_SECTIONS) --target efi-app-x86_64 --subsystem=10 $< $@.tmp
	python3 $(TOP)/boot/pecheck.py $@.tmp x86_64
	mv $@.tmp $@

# --- the test machine (suite "boot-x86") ---------------------------------------------
# Debian's amd64 Linux image of the same 6.12 ABI as the arm64 one and busybox-static
# amd64, both unpacked by scripts/deps.sh under build/deps/; the initrd is the arm64
# suite's (boot/tests/mkinitrd.sh), whose /init also prints the DMAR Linux read.
BX_KVER    = $(shell cat $(DEPS)/linux-x86/KVER 2>/dev/null)
BX_KIMAGE  = $(DEPS)/linux-x86/boot/vmlinuz-$(BX_KVER)
BX_BUSYBOX := $(DEPS)/busybox-x86/bin/busybox
BX_INITRD  := $(BX_B)/tests/initrd.cpio.gz
BX_ESP     := $(BX_B)/esp.img

$(BX_INITRD): $(TOP)/boot/tests/mkinitrd.sh
	@mkdir -p $(@D)
	$(TOP)/boot/tests/mkinitrd.sh $@ $(BX_BUSYBOX)

# An ESP to boot by hand (docs/boot.md "x86_64"): Linux directly, console on ttyS0.
esp-x86: $(BX_EFI) $(BX_INITRD) $(TOP)/boot/mkesp.sh
	ESP_INITRD=$(BX_INITRD) ESP_CMDLINE="console=ttyS0 panic=-1" $(TOP)/boot/mkesp.sh $(BX_ESP) \
		$(BX_EFI) $(BX_KIMAGE)

boot-x86: $(BX_EFI) $(BX_INITRD)
	@$(TOP)/boot/tests/x86-run.sh $(BX_EFI) $(BX_KIMAGE) $(BX_INITRD)
