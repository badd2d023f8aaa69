# Quality gates, run identically on a developer machine and in CI.
#
#   make check          every step below; prints a header and PASS/FAIL/SKIP per
#                       step, writes build/test-logs/check.tap, fails if any step failed
#   make check-<step>   one step on its own (e.g. make check-format)
#   make format         apply .clang-format in place to every C file under $(FMT_ROOTS)
#   make cloc           trusted computing base: C/asm lines linked into the hypervisor
#   make debug          QEMU paused with its gdb stub + scripts/gdb/lockstep.gdb
#
# Steps work on whatever exists: an area whose fragment or sources are not in
# the tree yet is skipped with a printed note (a step prints "check-skip: why").
# Logs of every step: build/check/<step>.log.
CHK_B := $(B)/check

# Order: cheap static checks first, builds and tests after.
CHECK_STEPS := format headers flags build-hyp unit cppcheck tidy driver-w1 checkpatch

# C sources clang-format covers: everything hand-written under these roots.
FMT_ROOTS := hyp boot host-driver include tests
FMT_FILES  = $(shell find $(addprefix $(TOP)/,$(FMT_ROOTS)) -type f \( -name '*.c' -o -name '*.h' \) \
		-not -path '$(TOP)/build/*' 2>/dev/null | sort)
CLANG_FORMAT ?= clang-format
CLANG_TIDY   ?= clang-tidy
CPPCHECK     ?= cppcheck

# Targets whose compile commands form the compilation database used by the
# flag check, clang-tidy and cppcheck (only those some fragment defines). hyp-image-x86
# comes after hyp-image (the core files keep their arm64 command), boot-efi-x86
# comes after boot-efi: for the files both build, the first (AArch64) command is kept.
chk_has_target = $(shell grep -lsE '^$(1)[[:space:]]*:' $(TOP)/mk/*.mk)
CHK_DB_TARGETS = $(foreach t,hyp-image hyp-image-x86 unit-build iommu-build boot-efi boot-efi-x86 mb2-loader,$(if $(call chk_has_target,$(t)),$(t))) \
		 $(if $(BOOT_T),$(BOOT_T)/unit $(BOOT_T)/testimg.elf) $(HYP_UNIT)
CHK_DB := $(CHK_B)/compile_commands.json

# Flags for compiling hyp/arch/arm64 and hyp/iommu headers on their own with the
# cross compiler: mk/hyp.mk's HYP_CFLAGS (without dependency-file and version
# flags) once it exists, else the hypervisor's include paths, freestanding.
CHK_HYP_CFLAGS = $(if $(HYP_CFLAGS),$(filter-out -MMD -MP -DLOCKSTEP_VERSION_STR=%,$(HYP_CFLAGS)),\
		 -ffreestanding -mgeneral-regs-only $(CORE_INC) \
		 $(addprefix -I,$(wildcard $(TOP)/hyp/arch/arm64/include $(TOP)/hyp/arch/arm64)) \
		 $(addprefix -isystem ,$(wildcard $(B)/newlib/install/aarch64-none-elf/include)))

# Host-native test suites of the hypervisor's C code built with ASan+UBSan
# (mk/core.mk `unit`, mk/iommu.mk `iommu`, mk/hyp.mk `hyp-unit`), those that exist.
CHK_SAN_SUITES = $(foreach t,unit iommu hyp-unit,$(if $(call chk_has_target,$(t)),$(t)))

.PHONY: format cloc debug $(addprefix check-,$(CHECK_STEPS)) check-compdb

# deps: a clean clone (CI) gets the toolchains first; seconds when present.
check: deps
	+@MAKE="$(MAKE)" $(TOP)/scripts/check-all.sh $(CHECK_STEPS)

# The hypervisor's headers include newlib's (mk/hyp.mk builds it once, cached):
# the steps that compile or analyse hyp/ code on their own need it first.
.PHONY: check-newlib
# What the sources include but the tree does not hold: newlib's headers, mbedtls's
# headers (Debian's source package, fetched by the host library's build) and the
# loader's generated public key header. A fresh clone has none of them: the header
# and tidy steps build them first (CI's tidy failed on lockstep_pubkey.h).
check-newlib:
	+@$(if $(NEWLIB_LIBC),$(MAKE) --no-print-directory $(NEWLIB_LIBC),true)
	+@$(MAKE) --no-print-directory $(if $(MBEDTLS_HOST),$(MBEDTLS_HOST)) $(if $(DEV_PUB_H),$(DEV_PUB_H))

format:
	@echo "format: $(words $(FMT_FILES)) files with $$($(CLANG_FORMAT) --version)"
	@$(CLANG_FORMAT) -i --style=file:$(TOP)/.clang-format $(FMT_FILES)

# --- steps -------------------------------------------------------------------

check-format:
	@CLANG_FORMAT="$(CLANG_FORMAT)" $(TOP)/scripts/check-format.sh $(FMT_FILES)

# Every header under hyp/ and include/ compiles on its own (and twice: guards).
check-headers: check-newlib
	@HOSTCC="$(HOSTCC)" CROSS="$(CROSS)" WARN="$(WARN)" CORE_WARN="$(CORE_WARN)" \
	 CORE_INC="$(CORE_INC)" HYP_HDR_CFLAGS="$(CHK_HYP_CFLAGS)" OUT=$(CHK_B)/headers \
	 $(TOP)/scripts/check-headers.sh

# Compilation database from the fragments' own compile commands (make -n -B).
check-compdb:
	+@MAKE="$(MAKE)" $(TOP)/scripts/check-compdb.sh $(CHK_DB) $(strip $(CHK_DB_TARGETS))

# Every compile command of the hypervisor, unit-test and loader builds carries
# $(WARN); the arch-neutral core also $(CORE_WARN).
check-flags: check-compdb
	@WARN="$(WARN)" CORE_WARN="$(CORE_WARN)" $(TOP)/scripts/check-flags.sh $(CHK_DB)

# The hypervisor image: freestanding, no sanitizers, $(WARN) as errors.
check-build-hyp:
ifneq ($(wildcard $(TOP)/mk/hyp.mk),)
	+$(MAKE) --no-print-directory hyp-image
	@f=$(B)/hyp/lockstep.elf; \
	 if [ -f "$$f" ] && $(CROSS)nm "$$f" | grep -qE '__(asan|ubsan)_'; then \
		echo "$$f links sanitizer runtime symbols: the image must be built without them"; exit 1; fi
else
	@echo "check-skip: mk/hyp.mk not in the tree yet (no hyp-image target)"
endif

# Host-native unit tests of the core, the SMMUv3 driver and the arm64 backend's
# pure helpers (mk/core.mk `unit`, mk/iommu.mk `iommu`, mk/hyp.mk `hyp-unit`:
# ASan+UBSan builds with $(WARN) $(CORE_WARN) -Werror). The
# suites exit 0 and leave their verdicts in build/test-logs/<suite>.tap: this
# step fails on any "not ok", or on a suite without any "ok".
check-unit:
ifneq ($(CHK_SAN_SUITES),)
	@fail=0; for s in $(CHK_SAN_SUITES); do \
		rm -f $(B)/test-logs/$$s.tap; \
		echo "--- make $$s"; \
		$(MAKE) --no-print-directory $$s || fail=1; \
		$(TOP)/scripts/check-tap.sh $(B)/test-logs/$$s.tap || fail=1; \
	done; exit $$fail
else
	@echo "check-skip: no unit/iommu target in the tree yet (mk/core.mk, mk/iommu.mk)"
endif

check-cppcheck: check-compdb
	@CPPCHECK="$(CPPCHECK)" OUT=$(CHK_B)/cppcheck $(TOP)/scripts/check-cppcheck.sh $(CHK_DB)

check-tidy: check-compdb check-newlib
	@CLANG_TIDY="$(CLANG_TIDY)" TIDY_CORE_FLAGS="-std=gnu11 $(WARN) $(CORE_WARN) $(CORE_INC) -I$(TOP)/boot" \
	 TIDY_HYP_FLAGS="-std=gnu11 $(WARN) $(CHK_HYP_CFLAGS)" \
	 TIDY_BOOT_FLAGS="-std=gnu11 $(WARN) -ffreestanding -fshort-wchar -I$(TOP)/include \
		-I$(GNUEFI)/include/efi -I$(GNUEFI)/include/efi/aarch64" \
	 $(TOP)/scripts/check-tidy.sh $(CHK_DB)

# Every host-driver module (each directory with a Kbuild file) with the
# kernel's W=1 extra warnings, on its own copy (scripts/check-driver-w1.sh).
check-driver-w1:
	+@MAKE="$(MAKE)" KDIR="$(KDIR)" CROSS="$(CROSS)" $(TOP)/scripts/check-driver-w1.sh

# checkpatch.pl only if the Debian kernel packages ship it (they normally do not).
CHK_DRV_SRCS = $(shell find $(TOP)/host-driver -name '*.[ch]' 2>/dev/null | sort)
CHECKPATCH = $(firstword $(shell find $(DEPS)/linux -name checkpatch.pl 2>/dev/null))
check-checkpatch:
	@if [ -z "$(CHECKPATCH)" ]; then \
		echo "checkpatch.pl not available in the Debian packages: skipped"; \
		echo "check-skip: checkpatch.pl not available in the Debian packages"; \
	elif [ -z "$(CHK_DRV_SRCS)" ]; then \
		echo "check-skip: no host-driver sources yet"; \
	else \
		perl $(CHECKPATCH) --no-tree --no-signoff --terse -f $(CHK_DRV_SRCS); \
	fi

# Each gate must be able to fail: scripts/check-selftest.sh feeds every gate
# script a tiny tree with one known defect (must FAIL) and without it (must
# PASS); and tests/run.sh's accounting on made-up TAP files. A test suite (TAP in
# build/test-logs/check-selftest.tap): exits 0 when it ran to the end, whatever the verdicts;
# non-zero when it died half-way, which fails the make (and the suite).
TEST_SUITES += check-selftest
.PHONY: check-selftest
check-selftest:
	@HOSTCC="$(HOSTCC)" CROSS="$(CROSS)" WARN="$(WARN)" CORE_WARN="$(CORE_WARN)" \
	 $(TOP)/scripts/check-selftest.sh

# --- make cloc ---------------------------------------------------------------
# Counted from the objects actually linked into the image ($(HYP_OBJS), their
# .d dependency files, else the ELF's DWARF line tables), not the whole tree.
cloc:
ifneq ($(wildcard $(TOP)/mk/hyp.mk),)
	+@$(MAKE) --no-print-directory $(B)/hyp/lockstep.elf >/dev/null
	@CROSS="$(CROSS)" $(TOP)/scripts/cloc.sh $(B)/hyp/lockstep.elf -- $(HYP_OBJS)
ifneq ($(wildcard $(TOP)/mk/hyp_x86.mk),)
	+@$(MAKE) --no-print-directory $(HX_B)/lockstep.elf >/dev/null
	@echo; echo "x86_64 image (build/hyp-x86/lockstep.elf, docs/x86.md):"
	@CROSS= $(TOP)/scripts/cloc.sh $(HX_B)/lockstep.elf -- $(HYP_X86_OBJS)
endif
else
	@echo "cloc: mk/hyp.mk not in the tree yet: no hypervisor image to count"
endif

# --- make debug --------------------------------------------------------------
# QEMU paused with its gdb stub (scripts/gdb/qemu-debug.sh, docs/debugging.md);
# `make debug-gdb` attaches gdb-multiarch with scripts/gdb/lockstep.gdb;
# `make debug-smoke` runs both non-interactively to the hypervisor entry.
DEBUG_DEPS = $(if $(wildcard $(TOP)/mk/hyp.mk),hyp-image) $(if $(wildcard $(TOP)/mk/boot.mk),$(B)/esp.img)
.PHONY: debug-gdb debug-smoke
debug: $(DEBUG_DEPS)
	@QEMU_EXTRA="$(DEBUG_QEMU_EXTRA)" AAVMF_CODE=$(AAVMF_CODE) AAVMF_VARS=$(AAVMF_VARS) \
	 $(TOP)/scripts/gdb/qemu-debug.sh

debug-gdb:
	cd $(TOP) && gdb-multiarch -q -x scripts/gdb/lockstep.gdb

debug-smoke: $(DEBUG_DEPS)
	@QEMU_EXTRA="$(DEBUG_QEMU_EXTRA)" AAVMF_CODE=$(AAVMF_CODE) AAVMF_VARS=$(AAVMF_VARS) \
	 $(TOP)/scripts/gdb/qemu-debug.sh --smoke
