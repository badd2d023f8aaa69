# The x86_64 hypervisor image (hyp/arch/x86 + the arch-neutral core), docs/x86.md.
#
#   make hyp-image-x86   build/hyp-x86/lockstep.bin (flat, struct ls_image_hdr at 0) + .elf
#
# Built with the host's x86_64 gcc, freestanding, general-purpose registers only (the host's
# FP/SSE state is never saved), no red zone, position independent (self-relocating). No C
# library: hyp/arch/x86/libc holds the two headers the core includes (errno.h, string.h)
# and lib.c the string functions.
HX_B     := $(B)/hyp-x86
HX_ARCH  := $(TOP)/hyp/arch/x86
HX_CC    := $(HOSTCC)
HX_GCC_INC := $(shell $(HX_CC) -print-file-name=include 2>/dev/null)
HX_LIBGCC  := $(shell $(HX_CC) -print-libgcc-file-name 2>/dev/null) # __udivti3 for mbedtls' bignum
HX_CFLAGS := -ffreestanding -fno-builtin -mgeneral-regs-only -mno-red-zone -fpie \
	-fvisibility=hidden -fcf-protection=none -O2 -g -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common \
	-std=gnu11 -nostdinc -isystem $(HX_GCC_INC) -isystem $(HX_ARCH)/libc $(CORE_INC) \
	-I$(HX_ARCH)/include -I$(TOP)/hyp/iommu/vtd -DLOCKSTEP_VERSION_STR='"$(LOCKSTEP_VERSION)"' -MMD -MP
HX_ASFLAGS := -fpie -nostdinc $(CORE_INC) -I$(HX_ARCH)/include -MMD -MP
HX_LDFLAGS := -nostdlib -static-pie -Wl,--no-dynamic-linker -Wl,-z,text -Wl,-z,norelro \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none -Wl,--no-undefined -T $(HX_ARCH)/lockstep.lds

include $(HX_ARCH)/objects.mk
HX_CORE_SRCS := $(addprefix $(TOP)/,$(HYP_X86_CORE_FILES))
HX_ARCH_SRCS := $(addprefix $(TOP)/,$(filter %.c,$(HYP_X86_ARCH_FILES)))
HX_ASM_SRCS  := $(addprefix $(TOP)/,$(filter %.S,$(HYP_X86_ARCH_FILES)))
hx_obj = $(patsubst $(TOP)/%,$(HX_B)/obj/%.o,$(1))
HX_CORE_OBJS := $(call hx_obj,$(HX_CORE_SRCS))
HX_ARCH_OBJS := $(call hx_obj,$(HX_ARCH_SRCS) $(HX_ASM_SRCS))
HYP_X86_OBJS := $(HX_CORE_OBJS) $(HX_ARCH_OBJS)
HX_MKIMAGE := $(HX_B)/mkimage

.PHONY: hyp-image-x86
ALL_TARGETS += hyp-image-x86
hyp-image-x86: $(HX_B)/lockstep.bin

$(HX_CORE_OBJS): $(HX_B)/obj/%.c.o: $(TOP)/%.c $(TOP)/mk/hyp_x86.mk
	@mkdir -p $(dir $@)
	$(HX_CC) $(HX_CFLAGS) $(HX_CORE_MBEDTLS) $(WARN) $(CORE_WARN) -c $< -o $@

# The core files that use mbedtls (VM launch measurement, attestation), as on arm64; the
# library is the x86_64 freestanding build the UEFI loader uses (no red zone, general
# registers only, position independent).
HX_CORE_CRYPTO := $(HX_B)/obj/hyp/hvc/measure.c.o $(HX_B)/obj/hyp/hvc/attest.c.o
$(HX_CORE_CRYPTO): HX_CORE_MBEDTLS = $(MBEDTLS_INC) -isystem $(NEWLIB)/include
$(HX_CORE_CRYPTO): | $(MBEDTLS_EFI_X64)

$(HX_B)/obj/hyp/arch/x86/%.c.o: $(HX_ARCH)/%.c $(TOP)/mk/hyp_x86.mk
	@mkdir -p $(dir $@)
	$(HX_CC) $(HX_CFLAGS) $(WARN) -c $< -o $@

$(HX_B)/obj/hyp/arch/x86/%.S.o: $(HX_ARCH)/%.S
	@mkdir -p $(dir $@)
	$(HX_CC) $(HX_ASFLAGS) -c $< -o $@

# The header tool is arch-neutral (it only fills struct ls_image_hdr).
$(HX_MKIMAGE): $(TOP)/hyp/arch/arm64/mkimage.c $(TOP)/include/lockstep/boot.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 $(WARN) -I$(TOP)/include $< -o $@

# Link, then refuse any dynamic relocation but R_X86_64_RELATIVE (all head.S applies) and
# any SSE/AVX/x87 instruction (the host's FP state is never saved): the instruction column
# of objdump only (an address such as 2fadd: is no x87 instruction).
$(HX_B)/lockstep.elf: $(HYP_X86_OBJS) $(MBEDTLS_EFI_X64) $(HX_ARCH)/lockstep.lds $(TOP)/mk/hyp_x86.mk
	$(HX_CC) $(HX_LDFLAGS) -o $@ $(HYP_X86_OBJS) $(MBEDTLS_EFI_X64) $(HX_LIBGCC)
	@bad=$$(readelf -rW $@ | awk '/^ *[0-9a-f]+ +[0-9a-f]+ R_/ && $$3 != "R_X86_64_RELATIVE"'); \
	 if [ -n "$$bad" ]; then echo "$@: relocations head.S cannot apply:"; echo "$$bad"; \
		rm -f $@; exit 1; fi
	@fp=$$(objdump -d $@ | awk -F'\t' 'NF >= 3 { print $$3 }' | \
		grep -E '%[xyz]mm[0-9]|%st\b|^f(ld|st|add|mul)' | head -5); \
	 if [ -n "$$fp" ]; then echo "$@: FP/SIMD instructions:"; echo "$$fp"; rm -f $@; exit 1; fi

# Signed with the development key as the arm64 image (docs/attestation.md): the x86 loader
# verifies it the same way.
$(HX_B)/lockstep.bin: $(HX_B)/lockstep.elf $(HX_MKIMAGE) $(DEV_KEY) $(TOP)/scripts/signimg.py
	objcopy -O binary $< $@.tmp
	$(HX_MKIMAGE) $@.tmp \
		$$(nm $< | awk '$$3 == "x86_entry" { print "0x" $$1 }') \
		$$(nm $< | awk '$$3 == "_end" { print "0x" $$1 }') \
		$(LOCKSTEP_VERSION_U64)
	$(SIGNIMG) sign $(DEV_KEY) $@.tmp
	mv $@.tmp $@

-include $(HYP_X86_OBJS:.o=.d)
