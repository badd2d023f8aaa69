# Protected-VM attestation tools (docs/attestation.md "Guest attestation report"), host
# userspace over the host mbedtls build (mk/attest.mk):
#
#   make attest-tools   build/tools/lockstep-verify (checks a report); tools/attest/vm-measure
#                       (expected VM measurement of an image) is a Python script
#
# The unit test test_vmattest links the verifier's own check (tools/attest/report.c).
ATTEST_TOOLS_B := $(B)/tools
LS_VERIFY      := $(ATTEST_TOOLS_B)/lockstep-verify

.PHONY: attest-tools
attest-tools: $(LS_VERIFY)

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
