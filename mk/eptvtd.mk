# The EPT walked by VT-d (docs/vtd.md "EPT shared with VT-d"), bare metal on QEMU:
#
#   make ept-vtd   tests/ept-vtd, a Multiboot image QEMU's -kernel starts on q35 with
#                  intel-iommu (snoop control) and the edu DMA engine at 00:03.0; the
#                  real engine (hyp/mmu) builds an EPT, the real VT-d driver points
#                  edu's context entry at it, edu DMA proves the walk; TAP in
#                  build/test-logs/ept-vtd.tap
#
# x86_64 objects built with the host gcc, freestanding, no libc (the bare-metal runtime of
# tests/lib/bm, with its <errno.h> and <string.h>); unreferenced functions are dropped at
# link time, so the driver's entry points that need the ownership core (vtd_attach_host,
# vtd_register_domains) do not pull hyp/mem in.
EQ_B	  := $(B)/ept-vtd
EQ_SRC	  := $(wildcard tests/ept-vtd/*.S tests/ept-vtd/*.c) tests/lib/bm/rt.c hyp/iommu/vtd/vtd.c \
	     $(wildcard hyp/mmu/*.c)
EQ_OBJ	  := $(patsubst %,$(EQ_B)/obj/%.o,$(EQ_SRC))
EQ_ELF	  := $(EQ_B)/ept-vtd.elf
EQ_BIN	  := $(EQ_B)/ept-vtd.bin
EQ_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -fno-pie -fno-pic -mno-red-zone \
	     -mgeneral-regs-only -fno-stack-protector -fno-common -ffunction-sections \
	     -fdata-sections -isystem $(shell $(HOSTCC) -print-file-name=include) \
	     -isystem $(TOP)/tests/lib/bm/include -I$(TOP)/tests/lib/bm $(CORE_INC) $(WARN) -MMD -MP
# snoop-control=on: the EPT's leaves carry SNP (bit 11), reserved without it. The unit is
# created before the device it translates. isa-debug-exit: the test's verdict as the exit
# status (2 * v + 1: 1 when every check passed).
EQ_QEMU	  := qemu-system-x86_64 -M q35 -m 2G -smp 1 -nographic -monitor none -nic none \
	     -no-reboot -device intel-iommu,snoop-control=on \
	     -device edu,addr=3,dma_mask=0xffffffffff \
	     -device isa-debug-exit,iobase=0xf4,iosize=4

TEST_SUITES += ept-vtd
.PHONY: ept-vtd

$(EQ_OBJ): $(EQ_B)/obj/%.o: % $(TOP)/mk/eptvtd.mk
	@mkdir -p $(dir $@)
	$(HOSTCC) $(EQ_CFLAGS) -c $< -o $@

$(EQ_BIN): $(EQ_OBJ) tests/ept-vtd/link.ld
	$(HOSTCC) -nostdlib -static -no-pie -Wl,--gc-sections -Wl,--build-id=none \
		-T tests/ept-vtd/link.ld -o $(EQ_ELF) $(EQ_OBJ)
	objcopy -O binary $(EQ_ELF) $@

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
ept-vtd:
	@mkdir -p $(B)/test-logs $(EQ_B)
	@tap=$(B)/test-logs/ept-vtd.tap; out=$(EQ_B)/serial.log; rm -f $$tap $$out; \
	if ! $(MAKE) --no-print-directory $(EQ_BIN) >$(EQ_B).build.log 2>&1; then \
		printf '1..1\nnot ok - ept-vtd: build failed (see %s)\n' $(EQ_B).build.log >> $$tap; \
		tail -n 20 $(EQ_B).build.log; exit 0; fi; \
	timeout 120 $(EQ_QEMU) -kernel $(EQ_BIN) >$$out 2>&1; rc=$$?; \
	grep -E '^((not )?ok|1\.\.[0-9])' $$out | tr -d '\r' >> $$tap; \
	grep -E '^# .*passed' $$out | tr -d '\r'; grep -E '^not ok' $$out; \
	if [ $$rc -ne 1 ] && ! grep -q '^not ok' $$out; then \
		echo "not ok - ept-vtd: QEMU exited with status $$rc, not 1 (see $$out)" >> $$tap; \
	fi; true

-include $(shell find $(EQ_B) -name '*.d' 2>/dev/null)
