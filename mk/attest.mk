# Measured launch and signed hypervisor images (docs/attestation.md).
#
#   make mbedtls     build/mbedtls/<kind>/libmbedcrypto.a for the hypervisor, both UEFI
#                    loaders and the host tests, from Debian's mbedtls source package
#                    (scripts/mbedtls.sh, cached; configuration lib/mbedtls/lockstep_config.h)
#   make dev-key     build/keys/lockstep-dev-key.pem, generated once: the DEVELOPMENT key
#                    that signs build/hyp/lockstep.bin and that the loaders built here trust
#   make attest      suite: signature refusals, allow_unsigned, measurements read by the host
#
# Included before the other fragments (mk/*.mk sorted): they use these variables.
MBEDTLS_B	:= $(B)/mbedtls
MBEDTLS_INC	:= -DMBEDTLS_CONFIG_FILE='"lockstep_config.h"' -I$(TOP)/lib/mbedtls \
		   -isystem $(MBEDTLS_B)/src/include
MBEDTLS_HYP	:= $(MBEDTLS_B)/hyp/libmbedcrypto.a
MBEDTLS_EFI_AA64 := $(MBEDTLS_B)/efi-aarch64/libmbedcrypto.a
MBEDTLS_EFI_X64	:= $(MBEDTLS_B)/efi-x86_64/libmbedcrypto.a
MBEDTLS_HOST	:= $(MBEDTLS_B)/host/libmbedcrypto.a
MBEDTLS_DEPS	:= $(TOP)/scripts/mbedtls.sh $(TOP)/lib/mbedtls/lockstep_config.h \
		   $(TOP)/lib/mbedtls/files.txt
# The mbedtls sources lockstep_config.h enables: the one list (scripts/mbedtls.sh, fuzz, bench).
MBEDTLS_FILES	:= $(shell cat $(TOP)/lib/mbedtls/files.txt)
# newlib's headers (mk/hyp.mk builds them) for the freestanding kinds.
MBEDTLS_NEWLIB	:= $(B)/newlib/install/aarch64-none-elf/lib/libc.a

KEYS_B		:= $(B)/keys
DEV_KEY		:= $(KEYS_B)/lockstep-dev-key.pem
DEV_PUB_H	:= $(KEYS_B)/lockstep_pubkey.h
SIGNIMG		:= python3 $(TOP)/scripts/signimg.py

.PHONY: mbedtls dev-key
mbedtls: $(MBEDTLS_HYP) $(MBEDTLS_EFI_AA64) $(MBEDTLS_EFI_X64) $(MBEDTLS_HOST)
dev-key: $(DEV_KEY) $(DEV_PUB_H)

$(MBEDTLS_HYP): $(MBEDTLS_DEPS) | $(MBEDTLS_NEWLIB)
	@CROSS=$(CROSS) $(TOP)/scripts/mbedtls.sh hyp $(MBEDTLS_B)
$(MBEDTLS_EFI_AA64): $(MBEDTLS_DEPS) | $(MBEDTLS_NEWLIB)
	@CROSS=$(CROSS) $(TOP)/scripts/mbedtls.sh efi-aarch64 $(MBEDTLS_B)
$(MBEDTLS_EFI_X64): $(MBEDTLS_DEPS) | $(MBEDTLS_NEWLIB)
	@$(TOP)/scripts/mbedtls.sh efi-x86_64 $(MBEDTLS_B)
$(MBEDTLS_HOST): $(MBEDTLS_DEPS)
	@HOSTCC=$(HOSTCC) $(TOP)/scripts/mbedtls.sh host $(MBEDTLS_B)

# Generated once and kept: every image this tree signs and every loader it builds agree
# on it. Removing it makes a new key (and then every image and loader is rebuilt).
$(DEV_KEY):
	@mkdir -p $(@D)
	@$(SIGNIMG) genkey $@.tmp && mv $@.tmp $@
	@echo "keys: generated a DEVELOPMENT signing key (ECDSA P-256): $@"
	@echo "keys: it signs build/hyp/lockstep.bin and the loaders built here trust it;" \
		"not for production (docs/attestation.md)"
$(DEV_PUB_H): $(DEV_KEY) $(TOP)/scripts/signimg.py
	$(SIGNIMG) pubkey-header $< $@

# --- the `attest` suite (tests/attest/run.sh) ---------------------------------------------
.PHONY: attest
TEST_SUITES += attest
ATTEST_HYP := $(B)/hyp/lockstep.bin
attest: boot-efi hyp-image initramfs
	@mkdir -p $(B)/test-logs
	@$(TOP)/tests/attest/run.sh $(BOOT_EFI) $(KIMAGE) $(ATTEST_HYP) $(B)/initramfs.cpio.gz \
		$(DEV_KEY)
