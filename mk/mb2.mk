# The legacy-BIOS multiboot2 TEST loader (boot/mb2/, docs/boot.md "Legacy multiboot2 path
# (tests only)") and its GRUB CD image; the product boots through the UEFI loader.
#
#   make mb2-loader   build/mb2/lsmb2.elf: ELF64, multiboot2 header, 32-bit entry
#   make mb2-iso      build/mb2/mb2.iso: GRUB (i386-pc, El Torito) + lsmb2.elf + lockstep.cfg,
#                     the x86 hypervisor, Linux x86_64 and the mb2-qemu initramfs
#   make mb2-qemu     TAP suite: that ISO on QEMU q35 + SeaBIOS + SVM (build/test-logs/mb2-qemu.tap)
#   make mb2-bochs    that ISO in Bochs (tests/bochs/run.sh; BOCHS_CPU, BOCHS_MEGS, BOCHS_CPUS)
#
# The loader reuses boot/'s freestanding parts: config.c (lockstep.cfg), image.c (image
# checks, region layout), sig.c + mbedtls (signature, measurements, attestation key),
# dmar.c (VT-d units), libc.c (the C library functions both loaders lack). Compiled with the host gcc for x86_64, not PIC, linked at 1 MiB.
MB2_B      := $(B)/mb2
MB2_ELF    := $(MB2_B)/lsmb2.elf
MB2_SRCS   := $(TOP)/boot/mb2/mb2.c $(TOP)/boot/mb2/libc.c $(TOP)/boot/libc.c $(TOP)/boot/config.c \
	      $(TOP)/boot/image.c $(TOP)/boot/dmar.c $(TOP)/boot/sig.c $(TOP)/boot/devmap.c \
	      $(TOP)/boot/hide.c
MB2_OBJS   := $(patsubst $(TOP)/boot/%.c,$(MB2_B)/obj/%.o,$(MB2_SRCS)) $(MB2_B)/obj/mb2/entry.o
MB2_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-pic -fno-pie -mno-red-zone \
	      -mgeneral-regs-only -mcmodel=small -fno-stack-protector -fno-stack-check \
	      -fcf-protection=none -fno-asynchronous-unwind-tables -fno-strict-aliasing \
	      $(WARN) -nostdinc -isystem $(shell $(HOSTCC) -print-file-name=include) \
	      -I$(TOP)/include -I$(KEYS_B)
MB2_LIBGCC := $(shell $(HOSTCC) -print-libgcc-file-name 2>/dev/null)

.PHONY: mb2-loader mb2-iso mb2-qemu
ALL_TARGETS += $(MB2_ELF)
mb2-loader: $(MB2_ELF)

$(MB2_B)/obj/%.o: $(TOP)/boot/%.c $(BOOT_HDRS) $(TOP)/boot/mb2/mb2.h $(TOP)/mk/mb2.mk | $(DEV_PUB_H)
	@mkdir -p $(@D)
	$(HOSTCC) $(MB2_CFLAGS) -c $< -o $@

# mbedtls' headers want C library headers: the compiler's own and newlib's (as boot_x86.mk).
$(MB2_B)/obj/sig.o: MB2_CFLAGS += $(MBEDTLS_INC) -isystem $(B)/newlib/install/aarch64-none-elf/include
$(MB2_B)/obj/sig.o: | $(MBEDTLS_NEWLIB) $(MBEDTLS_EFI_X64)

$(MB2_B)/obj/mb2/entry.o: $(TOP)/boot/mb2/entry.S $(TOP)/mk/mb2.mk
	@mkdir -p $(@D)
	$(HOSTCC) -c -fno-pic -fno-pie $< -o $@

# mbedtls' x86_64 freestanding build (the UEFI loader's: PIC, no red zone, general
# registers only) links into a static non-PIE image too.
$(MB2_ELF): $(MB2_OBJS) $(MBEDTLS_EFI_X64) $(TOP)/boot/mb2/mb2.lds
	ld -nostdlib -static -no-pie -z max-page-size=4096 --no-warn-rwx-segments --build-id=none \
		-T $(TOP)/boot/mb2/mb2.lds $(MB2_OBJS) $(MBEDTLS_EFI_X64) $(MB2_LIBGCC) -o $@
	@fp=$$(objdump -d $@ | awk -F'\t' 'NF >= 3 { print $$3 }' | \
		grep -E '%[xyz]mm[0-9]|%st\b|^f(ld|st|add|mul)' | head -5); \
	 if [ -n "$$fp" ]; then echo "$@: FP/SIMD instructions:"; echo "$$fp"; rm -f $@; exit 1; fi
	@grub-file --is-x86-multiboot2 $@ || { echo "$@: no multiboot2 header GRUB accepts"; \
		rm -f $@; exit 1; }

# --- the CD image and the suite -----------------------------------------------------------
MB2_INITRD := $(MB2_B)/initrd.gz
MB2_ISO    := $(MB2_B)/mb2.iso
MB2_HYP    := $(HX_B)/lockstep.bin

$(MB2_INITRD): $(TOP)/tests/mb2-qemu/init $(TOP)/tests/mb2-qemu/mkinitramfs.sh $(DRIVER_X86_KO)
	@mkdir -p $(@D)
	$(TOP)/tests/mb2-qemu/mkinitramfs.sh $@ $(BX_BUSYBOX) $(DRIVER_X86_KO)

mb2-iso: $(MB2_ISO)
$(MB2_ISO): $(MB2_ELF) $(MB2_HYP) $(MB2_INITRD) $(TOP)/boot/mb2/mkiso.sh
	$(TOP)/boot/mb2/mkiso.sh $@ $(MB2_ELF) $(BX_KIMAGE) $(MB2_INITRD) $(MB2_HYP)

TEST_SUITES += mb2-qemu

# A build failure is one "not ok" (plan 1), and no stale image is booted.
mb2-qemu:
	@mkdir -p $(B)/test-logs
	@if $(MAKE) --no-print-directory $(MB2_ELF) $(MB2_HYP) $(MB2_INITRD) >/dev/null 2>&1; \
	then $(TOP)/tests/mb2-qemu/run.sh $(MB2_ELF) $(MB2_HYP) $(BX_KIMAGE) $(MB2_INITRD); \
	else rm -f $(MB2_ELF); \
		why="build of the loader, image, lockstep.ko or initramfs failed"; \
		[ -d "$(KDIR_X86)" ] || why="no amd64 kernel headers at $(KDIR_X86): run 'make deps'"; \
		printf '1..1\nnot ok 1 - mb2-qemu: %s\n' "$$why" \
		> $(B)/test-logs/mb2-qemu.tap; cat $(B)/test-logs/mb2-qemu.tap; fi

# The same CD image in Bochs (not a suite: Debian's kernel takes minutes there; docs/boot.md
# "Legacy multiboot2 path (tests only)"). make mb2-bochs BOCHS_CPU=ryzen BOCHS_MEGS=512
BOCHS_CPU  ?= corei7_skylake_x
BOCHS_MEGS ?= 512
BOCHS_CPUS ?= 1
.PHONY: mb2-bochs
mb2-bochs: $(MB2_ISO)
	$(TOP)/tests/bochs/run.sh -c $(BOCHS_CPU) -m $(BOCHS_MEGS) -n $(BOCHS_CPUS) -t 1800 \
		-u 'Kernel panic' -o $(B)/bochs/mb2 $(MB2_ISO)
