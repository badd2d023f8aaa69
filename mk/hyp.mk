# The EL2 hypervisor image (hyp/arch/arm64 + the arch-neutral core), docs/arm64.md.
#
#   make hyp-image   build/hyp/lockstep.bin (flat, struct ls_image_hdr at 0) + lockstep.elf
#   make newlib      build/newlib/ (libc.a for aarch64-none-elf, cached, scripts/newlib.sh)
#   make hyp-check   suite: header, relocations, no FP/SIMD, W^X layout (build/test-logs/hyp-check.tap)
#   make hyp-unit    suite: host-native tests of arm64/exc.h (abort injection, EL1 regime copy)
#
# HYP_OBJS lists every object linked into the image (make cloc counts them).

LOCKSTEP_VERSION_MAJOR := 0
LOCKSTEP_VERSION_MINOR := 1
LOCKSTEP_VERSION_PATCH := 0
LOCKSTEP_VERSION := $(LOCKSTEP_VERSION_MAJOR).$(LOCKSTEP_VERSION_MINOR).$(LOCKSTEP_VERSION_PATCH)
LOCKSTEP_VERSION_U64 := $(shell echo $$(( ($(LOCKSTEP_VERSION_MAJOR) << 32) | \
			($(LOCKSTEP_VERSION_MINOR) << 16) | $(LOCKSTEP_VERSION_PATCH) )))

HYP_B     := $(B)/hyp
HYP_ARCH  := $(TOP)/hyp/arch/arm64
NEWLIB_B  := $(B)/newlib
NEWLIB    := $(NEWLIB_B)/install/aarch64-none-elf
NEWLIB_LIBC := $(NEWLIB)/lib/libc.a
HYP_CC    := $(CROSS)gcc
HYP_GCC_INC := $(shell $(HYP_CC) -print-file-name=include 2>/dev/null)
HYP_LIBGCC  := $(shell $(HYP_CC) -print-libgcc-file-name 2>/dev/null)

# LS_DEBUG_CHECK=1 builds the debug invariant walk into the image (hyp/mem/check.c, the
# LS_HVC_DEBUG_CHECK hypercall, docs/hypercalls.md): a test image only (the gmem suite
# builds its own in build/gmem/hyp). It walks all of RAM with every lock held, so the
# product image leaves it out (LS_ENOTSUPP).
LS_DEBUG_CHECK ?= 0
HYP_DEBUG_CFLAGS := $(if $(filter 1,$(LS_DEBUG_CHECK)),-DLOCKSTEP_DEBUG_CHECK)

# Freestanding (which implies -fno-builtin: GCC may still emit calls to memcpy/memset,
# newlib provides them), general-purpose registers only (EL2 never saves the host's
# FP/SIMD state), position independent (self-relocating), no libgcc atomics helpers.
# Headers: the compiler's own (stddef.h, stdarg.h, ...) and newlib's, never glibc's.
HYP_CFLAGS := -ffreestanding -mgeneral-regs-only -fpie -mno-outline-atomics -O2 -g \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -fno-common -std=gnu11 -nostdinc -isystem $(HYP_GCC_INC) \
	-isystem $(NEWLIB)/include $(CORE_INC) -I$(HYP_ARCH)/include \
	-DLOCKSTEP_VERSION_STR='"$(LOCKSTEP_VERSION)"' -MMD -MP $(HYP_BENCH_CFLAGS) $(HYP_DEBUG_CFLAGS)
HYP_ASFLAGS := -fpie -nostdinc -isystem $(HYP_GCC_INC) $(CORE_INC) -I$(HYP_ARCH)/include -MMD -MP
HYP_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,-z,norelro \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none -Wl,--no-undefined -T $(HYP_ARCH)/lockstep.lds

# Explicit object lists, one per arch (Bao's objects.mk): the image links what its arch names,
# never a wildcard, so a format or driver of another platform cannot slip in.
include $(HYP_ARCH)/objects.mk
HYP_CORE_SRCS := $(addprefix $(TOP)/,$(HYP_CORE_FILES) $(HYP_IOMMU_FILES))
HYP_ARCH_SRCS := $(addprefix $(TOP)/,$(filter %.c,$(HYP_ARCH_FILES)))
HYP_ASM_SRCS  := $(addprefix $(TOP)/,$(filter %.S,$(HYP_ARCH_FILES)))

hyp_obj = $(patsubst $(TOP)/%,$(HYP_B)/obj/%.o,$(1))
HYP_CORE_OBJS := $(call hyp_obj,$(HYP_CORE_SRCS))
HYP_ARCH_OBJS := $(call hyp_obj,$(HYP_ARCH_SRCS) $(HYP_ASM_SRCS))
HYP_OBJS := $(HYP_CORE_OBJS) $(HYP_ARCH_OBJS)

HYP_MKIMAGE := $(HYP_B)/mkimage

.PHONY: hyp-image newlib hyp-check
ALL_TARGETS += hyp-image
TEST_SUITES += hyp-check

hyp-image: $(HYP_B)/lockstep.bin

newlib: $(NEWLIB_LIBC)

$(NEWLIB_LIBC): $(TOP)/scripts/newlib.sh
	@CROSS=$(CROSS) $(TOP)/scripts/newlib.sh $(NEWLIB_B)

# Objects need newlib's headers: order-only on the library (its stamp keeps it cheap).
$(HYP_CORE_OBJS): $(HYP_B)/obj/%.c.o: $(TOP)/%.c | $(NEWLIB_LIBC)
	@mkdir -p $(dir $@)
	$(HYP_CC) $(HYP_CFLAGS) $(HYP_CORE_MBEDTLS) $(WARN) $(CORE_WARN) -c $< -o $@

# The core files that use mbedtls (VM launch measurement, attestation).
HYP_CORE_CRYPTO := $(HYP_B)/obj/hyp/hvc/measure.c.o $(HYP_B)/obj/hyp/hvc/attest.c.o
$(HYP_CORE_CRYPTO): HYP_CORE_MBEDTLS = $(MBEDTLS_INC)
$(HYP_CORE_CRYPTO): | $(MBEDTLS_HYP)

$(HYP_B)/obj/hyp/arch/arm64/%.c.o: $(HYP_ARCH)/%.c | $(NEWLIB_LIBC)
	@mkdir -p $(dir $@)
	$(HYP_CC) $(HYP_CFLAGS) $(WARN) -c $< -o $@

# The one backend file that uses mbedtls (SHA-256 of the boot configuration).
$(HYP_B)/obj/hyp/arch/arm64/measure.c.o: $(HYP_ARCH)/measure.c | $(NEWLIB_LIBC) $(MBEDTLS_HYP)
	@mkdir -p $(dir $@)
	$(HYP_CC) $(HYP_CFLAGS) $(MBEDTLS_INC) $(WARN) -c $< -o $@

$(HYP_B)/obj/hyp/arch/arm64/%.S.o: $(HYP_ARCH)/%.S
	@mkdir -p $(dir $@)
	$(HYP_CC) $(HYP_ASFLAGS) -c $< -o $@

$(HYP_MKIMAGE): $(HYP_ARCH)/mkimage.c $(TOP)/include/lockstep/boot.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 $(WARN) -I$(TOP)/include $< -o $@

# Link, then refuse anything but R_AARCH64_RELATIVE dynamic relocations (head.S
# applies only those) and any FP/SIMD/SVE register operand (no FP state is saved).
$(HYP_B)/lockstep.elf: $(HYP_OBJS) $(MBEDTLS_HYP) $(NEWLIB_LIBC) $(HYP_ARCH)/lockstep.lds \
		$(TOP)/mk/hyp.mk
	$(HYP_CC) $(HYP_LDFLAGS) -o $@ $(HYP_OBJS) $(MBEDTLS_HYP) $(NEWLIB_LIBC) $(HYP_LIBGCC)
	@bad=$$($(CROSS)readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ R_/ && $$3 != "R_AARCH64_RELATIVE"'); \
	 if [ -n "$$bad" ]; then echo "$@: relocations head.S cannot apply:"; echo "$$bad"; \
		rm -f $@; exit 1; fi
	@fp=$$($(HYP_ARCH)/fpscan.sh $(CROSS)objdump $@); \
	 if [ -n "$$fp" ]; then echo "$@: FP/SIMD instructions (EL2 saves no FP state):"; \
		echo "$$fp" | head -20; rm -f $@; exit 1; fi

# Signed with the development key (mk/attest.mk): the trailer of include/lockstep/boot.h.
$(HYP_B)/lockstep.bin: $(HYP_B)/lockstep.elf $(HYP_MKIMAGE) $(DEV_KEY) $(TOP)/scripts/signimg.py
	$(CROSS)objcopy -O binary $< $@.tmp
	$(HYP_MKIMAGE) $@.tmp \
		$$($(CROSS)nm $< | awk '$$3 == "arm64_entry" { print "0x" $$1 }') \
		$$($(CROSS)nm $< | awk '$$3 == "_end" { print "0x" $$1 }') \
		$(LOCKSTEP_VERSION_U64)
	$(SIGNIMG) sign $(DEV_KEY) $@.tmp
	mv $@.tmp $@

hyp-check: $(HYP_B)/lockstep.bin
	@mkdir -p $(B)/test-logs
	@CROSS=$(CROSS) $(HYP_ARCH)/check-image.sh $(HYP_B)/lockstep.elf $(HYP_B)/lockstep.bin \
		$(LOCKSTEP_VERSION_U64) > $(B)/test-logs/hyp-check.tap

-include $(HYP_OBJS:.o=.d)

# Lockstep under QEMU in two edge configurations (hyp/arch/arm64/qemu-boot.sh):
#   hyp-qemu-fail  1 MiB pool: the entry fails at EL2 with nothing installed, Linux boots at EL2
#   hyp-qemu-cpus  2 EL2 stacks on 4 CPUs: the PSCI relay refuses the extra CPU_ONs
HYP_QEMU_CMDLINE := console=ttyAMA0 lstest=1 panic=-1
.PHONY: hyp-qemu-fail hyp-qemu-cpus
TEST_SUITES += hyp-qemu-fail hyp-qemu-cpus
hyp-qemu-fail: hyp-image initramfs
	@mkdir -p $(B)/qemu $(B)/test-logs
	@$(MAKE) --no-print-directory esp ESP_OUT=$(B)/qemu/esp-hyp-fail.img ESP_POOL_MIB=1 \
		ESP_CMDLINE="$(HYP_QEMU_CMDLINE)" || rm -f $(B)/qemu/esp-hyp-fail.img
	@$(HYP_ARCH)/qemu-boot.sh pool $(B)/qemu/esp-hyp-fail.img \
		$(B)/test-logs/hyp-qemu-fail-serial.log > $(B)/test-logs/hyp-qemu-fail.tap
	@cat $(B)/test-logs/hyp-qemu-fail.tap

hyp-qemu-cpus: hyp-image initramfs
	@mkdir -p $(B)/qemu $(B)/test-logs
	@$(MAKE) --no-print-directory esp ESP_OUT=$(B)/qemu/esp-hyp-cpus.img ESP_CPUS=2 \
		ESP_CMDLINE="$(HYP_QEMU_CMDLINE)" || rm -f $(B)/qemu/esp-hyp-cpus.img
	@$(HYP_ARCH)/qemu-boot.sh cpus $(B)/qemu/esp-hyp-cpus.img \
		$(B)/test-logs/hyp-qemu-cpus-serial.log > $(B)/test-logs/hyp-qemu-cpus.tap
	@cat $(B)/test-logs/hyp-qemu-cpus.tap

# Host-native tests of the backend's pure computations (arm64/exc.h), ASan+UBSan.
HYP_UNIT := $(HYP_B)/test_exc
.PHONY: hyp-unit
TEST_SUITES += hyp-unit
$(HYP_UNIT): $(HYP_ARCH)/test/test_exc.c $(HYP_ARCH)/include/arm64/exc.h \
	     $(HYP_ARCH)/include/arm64/sysreg.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) \
		$(CORE_WARN) $(CORE_INC) -I$(HYP_ARCH)/include $< -o $@
hyp-unit: $(HYP_UNIT)
	@mkdir -p $(B)/test-logs
	@$(HYP_UNIT) > $(B)/test-logs/hyp-unit.tap || echo "not ok - test_exc crashed" \
		>> $(B)/test-logs/hyp-unit.tap
	@cat $(B)/test-logs/hyp-unit.tap
