# Protected-VM attestation tools (docs/attestation.md "Guest attestation report"), host
# userspace over the host mbedtls build (mk/attest.mk):
#
#   make attest-verify  build/tools/lockstep-verify (checks a report); tools/attest/vm-measure
#                       (expected VM measurement of an image) is a Python script
#   make attest-tools   suite: both tools from the command line (build/test-logs/attest-tools.tap)
#
# The unit test test_vmattest links the verifier's own check (tools/attest/report.c).
ATTEST_TOOLS_B := $(B)/tools
LS_VERIFY      := $(ATTEST_TOOLS_B)/lockstep-verify

.PHONY: attest-verify
attest-verify: $(LS_VERIFY)

$(LS_VERIFY): $(TOP)/tools/attest/lockstep-verify.c $(TOP)/tools/attest/report.c \
		$(TOP)/tools/attest/report.h $(TOP)/include/lockstep/abi.h $(MBEDTLS_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O1 -g $(UNIT_SAN) $(WARN) -I$(TOP)/include $(MBEDTLS_INC) -o $@ \
		$(TOP)/tools/attest/lockstep-verify.c $(TOP)/tools/attest/report.c $(MBEDTLS_HOST)

$(UNIT_B)/obj/tools/attest/report.o: $(TOP)/tools/attest/report.c $(TOP)/tools/attest/report.h \
		$(TOP)/mk/vmattest.mk | $(MBEDTLS_HOST)
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) $(WARN) -c $< -o $@
$(UNIT_B)/test_vmattest: $(UNIT_B)/obj/tools/attest/report.o

# --- the `attest-tools` suite (tests/attest/tools.sh, seconds) --------------------------
# A build failure is a "not ok" (a plan of one); the suite exits 0 (tests/run.sh counts).
.PHONY: attest-tools
TEST_SUITES += attest-tools
attest-tools:
	@mkdir -p $(B)/test-logs
	@rm -f $(B)/test-logs/attest-tools.tap
	+-@$(MAKE) --no-print-directory attest-verify || \
		printf '1..1\nnot ok - attest-tools: lockstep-verify build failed\n' \
		> $(B)/test-logs/attest-tools.tap
	@[ -s $(B)/test-logs/attest-tools.tap ] || \
	$(TOP)/tests/attest/tools.sh $(LS_VERIFY) $(TOP)/tools/attest/vm-measure \
		$(B)/attest-tools > $(B)/test-logs/attest-tools.tap; cat $(B)/test-logs/attest-tools.tap

# --- guest payload (tests/guest/attest.S): lsvm runs it in the vm suite (tests/vm/lstest
# "attest"), whose run.sh checks the report with lockstep-verify; in the initramfs as
# /guests/attest.bin.
GUEST_B := $(B)/guest
INITRAMFS_EXTRA += $(GUEST_B)/attest.bin:guests/attest.bin
$(INITRAMFS): $(GUEST_B)/attest.bin
.PHONY: guest-attest
guest-attest: $(GUEST_B)/attest.bin
$(GUEST_B)/attest.bin: $(TOP)/tests/guest/attest.S $(TOP)/mk/vmattest.mk
	@mkdir -p $(@D)
	$(CROSS)gcc -nostdlib -nostartfiles -static -Wl,-Ttext=0x80000000 -Wl,--build-id=none \
		-o $(GUEST_B)/attest.elf $<
	$(CROSS)objcopy -O binary $(GUEST_B)/attest.elf $@
