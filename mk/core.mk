# Host-native build of the arch-neutral core (hyp/mmu, hyp/mem, hyp/hvc) against
# the fake platform (hyp/arch/fake), with ASan + UBSan, and the cmocka unit
# tests: one binary per tests/unit/test_*.c, each also linking every
# tests/unit/lib/*.c helper.
#
#   make unit    build and run every test binary; TAP in build/test-logs/unit.tap
UNIT_B        := $(B)/unit
UNIT_CORE_SRC := $(wildcard hyp/mmu/*.c hyp/mem/*.c hyp/hvc/*.c)
UNIT_FAKE_SRC := $(wildcard hyp/arch/fake/*.c)
UNIT_LIB_SRC  := $(wildcard tests/unit/lib/*.c)
UNIT_TESTS    := $(basename $(notdir $(wildcard tests/unit/test_*.c)))
UNIT_BINS     := $(addprefix $(UNIT_B)/,$(UNIT_TESTS))

UNIT_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# LOCKSTEP_TEST_HOOKS: fault injection the host tests use (pt_pool.fail_after), absent
# from the hypervisor image. LOCKSTEP_DEBUG_CHECK: the debug hypercall LS_HVC_DEBUG_CHECK, as
# in the LS_DEBUG_CHECK=1 test images (mk/hyp.mk).
UNIT_CFLAGS := -std=gnu11 -O1 -g $(UNIT_SAN) $(CORE_INC) -I$(TOP)/hyp/arch/fake \
	       -I$(TOP)/tests/unit/lib -DLOCKSTEP_TEST_HOOKS -DLOCKSTEP_DEBUG_CHECK -MMD -MP $(MBEDTLS_INC)
# mbedtls as built for the host tests (mk/attest.mk): hyp/hvc/measure.c hashes and signs.
UNIT_LDLIBS := $(MBEDTLS_HOST) -lcmocka

UNIT_CORE_OBJ := $(patsubst %.c,$(UNIT_B)/obj/%.o,$(UNIT_CORE_SRC))
UNIT_SUPP_OBJ := $(patsubst %.c,$(UNIT_B)/obj/%.o,$(UNIT_FAKE_SRC) $(UNIT_LIB_SRC))
UNIT_TEST_OBJ := $(addprefix $(UNIT_B)/obj/tests/unit/,$(addsuffix .o,$(UNIT_TESTS)))

TEST_SUITES += unit
.PHONY: unit unit-build

# The core: $(WARN) $(CORE_WARN).
$(UNIT_CORE_OBJ): $(UNIT_B)/obj/%.o: %.c $(TOP)/mk/core.mk $(TOP)/mk/config.mk | $(MBEDTLS_HOST)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) $(CORE_WARN) -c $< -o $@

# Fake platform, helpers and tests: $(WARN).
$(UNIT_SUPP_OBJ) $(UNIT_TEST_OBJ): $(UNIT_B)/obj/%.o: %.c $(TOP)/mk/core.mk $(TOP)/mk/config.mk | $(MBEDTLS_HOST)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) -c $< -o $@

$(UNIT_B)/test_%: $(UNIT_B)/obj/tests/unit/test_%.o $(UNIT_CORE_OBJ) $(UNIT_SUPP_OBJ) $(MBEDTLS_HOST)
	$(HOSTCC) $(UNIT_SAN) -o $@ $^ $(UNIT_LDLIBS)

# The arm64 GIC guard's emulation (hyp/arch/arm64/gic_emul.c) is logic over plat.h's MMIO
# accessors and the core's pins: test_gic links it with the core and implements the MMIO
# accessors as a simulated GICv3.
UNIT_GIC_OBJ := $(UNIT_B)/obj/hyp/arch/arm64/gic_emul.o
$(UNIT_GIC_OBJ): $(UNIT_B)/obj/%.o: %.c $(TOP)/mk/core.mk $(TOP)/mk/config.mk | $(MBEDTLS_HOST)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -I$(TOP)/hyp/arch/arm64/include $(WARN) $(CORE_WARN) -c $< -o $@
$(UNIT_B)/obj/tests/unit/test_gic.o: UNIT_CFLAGS += -I$(TOP)/hyp/arch/arm64/include
$(UNIT_B)/test_gic: $(UNIT_GIC_OBJ)

unit-build: $(UNIT_BINS)

# A test that does not build is reported as "not ok" (a plan of one), the others still run;
# each binary's plan is cmocka's "1..N" (tests/run.sh fails the suite on a shortfall).
# The suite exits 0 whatever the verdicts (tests/run.sh counts them).
unit:
	@mkdir -p $(B)/test-logs
	@rm -f $(UNIT_BINS)
	+-@$(MAKE) --no-print-directory -k unit-build
	@tap=$(B)/test-logs/unit.tap; \
	for t in $(UNIT_TESTS); do \
		bin=$(UNIT_B)/$$t; \
		if [ ! -x $$bin ]; then printf '1..1\nnot ok - %s: build failed\n' $$t >> $$tap; continue; fi; \
		out=$$(CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 $$bin 2>$(UNIT_B)/$$t.stderr); \
		rc=$$?; \
		printf '%s\n' "$$out" >> $$tap; \
		printf '%s\n' "$$out" | grep -E '^(not )?ok' | sed "s/^/$$t: /"; \
		if [ $$rc -ne 0 ] && ! printf '%s\n' "$$out" | grep -q '^not ok'; then \
			echo "not ok - $$t exited with status $$rc (see $(UNIT_B)/$$t.stderr)" >> $$tap; \
			echo "$$t: exited with status $$rc"; tail -n 20 $(UNIT_B)/$$t.stderr; fi; \
	done; true

-include $(shell find $(UNIT_B)/obj -name '*.d' 2>/dev/null)
