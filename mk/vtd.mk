# Intel VT-d driver (hyp/iommu/vtd, docs/iommu.md "VT-d"): host-native tests against a
# simulated VT-d unit, and freestanding compiles of the driver.
#
#   make vtd         build + run tests/unit/iommu/vtd/test_vtd (cmocka, ASan+UBSan),
#                    then compile hyp/iommu/vtd/*.c freestanding for x86_64 and aarch64;
#                    TAP in build/test-logs/vtd.tap (plan line first)
#
# The driver lives in its own directory so that the arm64 image (mk/hyp.mk) and the SMMU
# test (mk/iommu.mk), which take hyp/iommu/*.c, do not link it. The test reuses
# mk/core.mk's core objects, fake platform and helpers; vtd_sim.c implements plat.h's
# MMIO accessors as the simulated register file.
VTD_B        := $(B)/vtd
VTD_SRC      := $(wildcard hyp/iommu/vtd/*.c)
VTD_T_SRC    := $(wildcard tests/unit/iommu/vtd/*.c)
VTD_OBJ      := $(patsubst %.c,$(VTD_B)/obj/%.o,$(VTD_SRC))
VTD_T_OBJ    := $(patsubst %.c,$(VTD_B)/obj/%.o,$(VTD_T_SRC))
VTD_TEST     := $(VTD_B)/test_vtd
# No x86_64 newlib on the machine (Debian has none): the x86_64 compile uses the host
# gcc's own freestanding headers and the aarch64 newlib's (arch-neutral for what the
# driver includes: <errno.h>, <string.h>); the aarch64 compile uses the hypervisor's exact flags.
VTD_NEWLIB_INC := $(B)/newlib/install/aarch64-none-elf/include
VTD_X86_CFLAGS := -std=gnu11 -O2 -ffreestanding -nostdinc -fpie -mgeneral-regs-only \
		  -mno-red-zone -fno-stack-protector -fno-common \
		  -isystem $(shell $(HOSTCC) -print-file-name=include) -isystem $(VTD_NEWLIB_INC) \
		  $(CORE_INC) $(WARN) $(CORE_WARN)
VTD_A64_CFLAGS := $(if $(HYP_CFLAGS),$(filter-out -MMD -MP,$(HYP_CFLAGS)),-std=gnu11 -O2 \
		  -ffreestanding -mgeneral-regs-only -fpie -nostdinc \
		  -isystem $(VTD_NEWLIB_INC) $(CORE_INC)) $(WARN) $(CORE_WARN)

TEST_SUITES += vtd
.PHONY: vtd vtd-build vtd-cross

# The driver: $(WARN) $(CORE_WARN), as the core.
$(VTD_OBJ): $(VTD_B)/obj/%.o: %.c $(TOP)/mk/vtd.mk $(TOP)/mk/config.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) $(CORE_WARN) -c $< -o $@

$(VTD_T_OBJ): $(VTD_B)/obj/%.o: %.c $(TOP)/mk/vtd.mk $(TOP)/mk/config.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) -c $< -o $@

$(VTD_TEST): $(VTD_T_OBJ) $(VTD_OBJ) $(UNIT_CORE_OBJ) $(UNIT_SUPP_OBJ)
	$(HOSTCC) $(UNIT_SAN) -o $@ $^ $(UNIT_LDLIBS)

vtd-build: $(VTD_TEST)

vtd-cross:
	@mkdir -p $(VTD_B)/x86_64 $(VTD_B)/aarch64
	@set -e; for f in $(VTD_SRC); do \
		echo "  CC x86_64 freestanding $$f"; \
		$(HOSTCC) $(VTD_X86_CFLAGS) -c $$f -o $(VTD_B)/x86_64/$$(basename $$f .c).o; \
		echo "  XCC aarch64 (hypervisor flags) $$f"; \
		$(CROSS)gcc $(VTD_A64_CFLAGS) -c $$f -o $(VTD_B)/aarch64/$$(basename $$f .c).o; \
	done; \
	undef=$$(nm -u $(VTD_B)/x86_64/*.o | awk '/ U / { print $$2 }' | sort -u | \
		grep -vE '^(mem(set|cpy)|plat_(read|write)(32|64)|plat_(udelay|now_us|log|panic|phys_to_virt|dcache_clean|spin_relax)|own_(dom_attach|dom_detach|view_of|iommu_register)|pt_fmt_(leaf_levels|start_level|encode))$$' || true); \
	if [ -n "$$undef" ]; then echo "vtd: driver calls outside plat.h/own.h: $$undef"; exit 1; fi

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines). The plan line
# "1..N" comes first: the cmocka plan plus the cross-compile line.
vtd:
	@mkdir -p $(B)/test-logs $(VTD_B)
	@tap=$(B)/test-logs/vtd.tap; body=$(VTD_B)/body.tap; rm -f $$tap $$body $(VTD_TEST); \
	if $(MAKE) --no-print-directory vtd-build >$(VTD_B).build.log 2>&1; then \
		out=$$(CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 $(VTD_TEST) \
			2>$(VTD_B)/test_vtd.stderr); rc=$$?; \
		printf '%s\n' "$$out" | grep -vE '^1\.\.[0-9]+$$' >> $$body; \
		printf '%s\n' "$$out" | grep -E '^(not )?ok'; \
		if [ $$rc -ne 0 ] && ! printf '%s\n' "$$out" | grep -q '^not ok'; then \
			echo "not ok - test_vtd exited with status $$rc" >> $$body; \
			tail -n 20 $(VTD_B)/test_vtd.stderr; fi; \
	else \
		echo "not ok - test_vtd: build failed (see $(VTD_B).build.log)" >> $$body; \
		tail -n 20 $(VTD_B).build.log; \
	fi; \
	if [ -n "$(NEWLIB_LIBC)" ] && [ ! -d $(VTD_NEWLIB_INC) ]; then \
		$(MAKE) --no-print-directory newlib >$(VTD_B).newlib.log 2>&1 || true; fi; \
	if [ ! -d $(VTD_NEWLIB_INC) ]; then \
		echo "ok - vtd freestanding compile # SKIP newlib headers not built" >> $$body; \
	elif $(MAKE) --no-print-directory vtd-cross >$(VTD_B).cross.log 2>&1; then \
		echo "ok - vtd freestanding compile (x86_64 and aarch64)" >> $$body; \
	else \
		echo "not ok - vtd freestanding compile (see $(VTD_B).cross.log)" >> $$body; \
		tail -n 20 $(VTD_B).cross.log; \
	fi; \
	echo "1..$$(grep -cE '^(not )?ok' $$body)" > $$tap; cat $$body >> $$tap; \
	grep -E '^(not )?ok' $$tap | tail -n 1; true

-include $(shell find $(VTD_B) -name '*.d' 2>/dev/null)
