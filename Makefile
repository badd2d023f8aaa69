# Lockstep top-level Makefile.
#
#   make deps    install/unpack everything (idempotent, seconds when present)
#   make run     boot the arm64 demo in QEMU: firmware -> loader -> Lockstep EL2 -> Linux EL1
#   make test    every test (host-native unit tests + QEMU system tests); ends "N passed, N failed"
#   make check   quality gates (strict builds, sanitizers, format, static analysis)
#   make bench   benchmarks (figures, not pass/fail)
#   make fuzz    bounded libFuzzer run over the hypercall dispatcher
#   make cloc    trusted computing base size, from the objects linked into the hypervisor
#
# Each area keeps its rules in its own fragment under mk/.
TOP := $(CURDIR)
B   := $(TOP)/build

.DEFAULT_GOAL := all
.PHONY: all deps run test check bench fuzz cloc debug clean

include mk/config.mk
# Each fragment owns one area (core.mk, hyp.mk, boot.mk, driver.mk, qemu.mk, check.mk, ...).
include $(sort $(filter-out mk/config.mk,$(wildcard mk/*.mk)))

all: $(ALL_TARGETS)

deps:
	@scripts/deps.sh

# Every suite writes TAP lines (ok / not ok) into build/test-logs/<suite>.tap;
# tests/run.sh runs the suites listed in TEST_SUITES and prints the total.
test: deps
	@tests/run.sh $(TEST_SUITES)

clean:
	rm -rf $(B)/hyp $(B)/boot $(B)/boot-x86 $(B)/unit $(B)/test-logs $(B)/esp $(B)/driver $(B)/check
