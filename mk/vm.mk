# Protected VMs that run (issue 12): the VMM, guest payloads and the `vm` suite.
#
#   make lsvm        build/vm/lsvm: tools/lsvm, the small VMM (freestanding arm64 Linux program:
#                    raw syscalls, no C library, like tests/vfio) and build/vm/vmtest
#   make vm-guests   build/vm/guest/*.bin: tests/guest payloads, flat images for GPA 0x80000000
#   make vm          the suite: AAVMF -> loader -> Lockstep -> Linux at EL1 (4 CPUs, SMMUv3, edu),
#                    lockstep.ko, every guest run by lsvm, isolation by CPU and DMA, bad ioctls,
#                    kill -9 without leaks, host interrupts under a busy guest
#                    (tests/vm/run.sh, tests/vm/lstest). TAP in build/test-logs/vm.tap, serial log
#                    build/test-logs/vm-serial.log
# lsvm and the guests also go into the base initramfs (INITRAMFS_EXTRA, mk/qemu.mk): `make run`
# lands at a shell with lsvm on the path and the guests in /guests.
VM_B	     := $(B)/vm
LSVM_PROG    := $(VM_B)/lsvm
VMTEST_PROG  := $(VM_B)/vmtest
VM_GUESTS    := hello smp share traps isolation bench el2idle el2hvc el2mmio devdma devbar gmem
VM_GUEST_BIN := $(addprefix $(VM_B)/guest/,$(addsuffix .bin,$(VM_GUESTS)))
VM_INITRD    := $(VM_B)/initramfs.cpio.gz
VM_CMDLINE   := console=ttyAMA0 lstest=1 efi=debug panic=-1 oops=panic
VM_KCOMMON    = $(firstword $(wildcard $(DEPS)/linux/usr/src/linux-headers-*-common))
# The kernel's UAPI headers as the headers package ships them (mk/vfio.mk does the same).
VM_UAPI	      = -D__EXPORTED_HEADERS__ -I$(VM_B)/shim -I$(VM_KCOMMON)/include/uapi \
		-I$(VM_KCOMMON)/arch/arm64/include/uapi \
		-I$(KDIR)/arch/arm64/include/generated/uapi -I$(KDIR)/include/generated/uapi
VM_USER_CFLAGS := -O2 $(WARN) -ffreestanding -fno-builtin -fno-stack-protector -nostdlib \
		  -static -no-pie -fno-pic -I$(TOP)/include
VM_GUEST_CFLAGS := -O2 $(WARN) -ffreestanding -fno-builtin -fno-stack-protector -nostdlib \
		   -static -no-pie -fno-pic -mgeneral-regs-only -mstrict-align \
		   -Wl,--no-warn-rwx-segments -Wl,--build-id=none -T $(TOP)/tests/guest/link.ld
LSVM_SRC     := $(TOP)/tools/lsvm/lsvm.c $(TOP)/tools/lsvm/rt.c $(TOP)/tools/lsvm/rt.h \
		$(TOP)/include/lockstep/lockstep-uapi.h
INITRAMFS_EXTRA += $(LSVM_PROG):bin/lsvm $(foreach g,$(VM_GUESTS),$(VM_B)/guest/$(g).bin:guests/$(g).bin)

ALL_TARGETS += lsvm vm-guests
TEST_SUITES += vm
.PHONY: lsvm vm-guests vm vm-initramfs

lsvm: $(LSVM_PROG) $(VMTEST_PROG)
vm-guests: $(VM_GUEST_BIN)
$(INITRAMFS): $(LSVM_PROG) $(VM_GUEST_BIN)

$(VM_B)/shim/linux/compiler_types.h:
	@mkdir -p $(dir $@)
	@printf '/* user-space build: no kernel annotations */\n#define __user\n#define __force\n' > $@

$(LSVM_PROG): $(LSVM_SRC) $(VM_B)/shim/linux/compiler_types.h $(TOP)/mk/vm.mk
	@[ -n "$(VM_KCOMMON)" ] || { echo "lsvm: no kernel headers; run 'make deps'" >&2; exit 1; }
	$(CROSS)gcc $(VM_USER_CFLAGS) $(VM_UAPI) -o $@ $(TOP)/tools/lsvm/lsvm.c $(TOP)/tools/lsvm/rt.c

$(VMTEST_PROG): $(TOP)/tests/vm/vmtest.c $(LSVM_SRC) $(VM_B)/shim/linux/compiler_types.h \
		$(TOP)/mk/vm.mk
	$(CROSS)gcc $(VM_USER_CFLAGS) $(VM_UAPI) -o $@ $(TOP)/tests/vm/vmtest.c $(TOP)/tools/lsvm/rt.c

$(VM_B)/guest/%.bin: $(TOP)/tests/guest/%.c $(TOP)/tests/guest/start.S $(TOP)/tests/guest/lib.c \
		$(TOP)/tests/guest/guest.h $(TOP)/tests/guest/link.ld $(TOP)/mk/vm.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(VM_GUEST_CFLAGS) -o $(@:.bin=.elf) $(TOP)/tests/guest/start.S \
		$(TOP)/tests/guest/lib.c $<
	$(CROSS)objcopy -O binary $(@:.bin=.elf) $@

# The suite's initramfs: the test initramfs (which has lsvm and the guests) plus a second cpio
# archive with tests/vm/lstest as /lstest, /bin/vmtest, edu_test.ko and the ABI constants.
vm-initramfs: initramfs $(EDU_KO) $(VMTEST_PROG)
	@set -e; o=$(VM_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/bin $$o/root/lib/modules/vm; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-vm $(TOP)/tests/vm/abi-vm.c; \
	$$o/abi-vm > $$o/root/etc/vm.env; \
	install -m 0755 $(TOP)/tests/vm/lstest $$o/root/lstest; \
	install -m 0755 $(VMTEST_PROG) $$o/root/bin/vmtest; \
	install -m 0644 $(EDU_KO) $$o/root/lib/modules/vm/edu_test.ko; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $(VM_INITRD)

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
vm:
	@mkdir -p $(VM_B) $(B)/test-logs
	@tap=$(B)/test-logs/vm.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory hyp-image driver lsvm vm-guests vm-initramfs attest-verify \
		>$(VM_B)/build.log 2>&1; then \
		printf '1..1\nnot ok 1 - vm: build failed (see %s)\n' $(VM_B)/build.log >> $$tap; \
		tail -n 20 $(VM_B)/build.log; exit 0; fi; \
	if ! $(MAKE) --no-print-directory esp ESP_OUT=$(VM_B)/esp.img \
		ESP_INITRD=$(VM_INITRD) ESP_CMDLINE="$(VM_CMDLINE)" >$(VM_B)/esp.log 2>&1; then \
		printf '1..1\nnot ok 1 - vm: ESP build failed (see %s)\n' $(VM_B)/esp.log >> $$tap; \
		tail -n 5 $(VM_B)/esp.log; exit 0; fi; \
	$(TOP)/tests/vm/run.sh $(VM_B)/esp.img; true

# make bench-vm (figures, not pass/fail; tests/bench-vm): Lockstep's EL2 instructions per guest
# hypercall and per MMIO exit, counted by the PMU on the benchmark image (HYP_BENCH_CFLAGS:
# MDCR_EL2.HPMD clear, never the product image) under QEMU -icount. Output build/bench-vm/bench.txt.
BENCH_VM_B := $(B)/bench-vm
.PHONY: bench-vm
bench-vm: initramfs driver
	@set -e; o=$(BENCH_VM_B); mkdir -p $$o; rm -rf $$o/root; mkdir -p $$o/root; \
	$(MAKE) --no-print-directory hyp-image HYP_B=$$o/hyp \
		HYP_BENCH_CFLAGS=-DLOCKSTEP_BENCH_EL2_PMU > $$o/hyp.log 2>&1 || \
		{ tail -5 $$o/hyp.log; exit 1; }; \
	install -m 0755 $(TOP)/tests/bench-vm/lsbench $$o/root/lsbench; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz; \
	$(MAKE) --no-print-directory esp ESP_OUT=$$o/esp.img ESP_HYP=$$o/hyp/lockstep.bin \
		ESP_INITRD=$$o/initramfs.cpio.gz ESP_CMDLINE="console=ttyAMA0 lsbench=1 panic=-1 nokaslr" \
		> $$o/esp.log 2>&1 || { tail -5 $$o/esp.log; exit 1; }; \
	$(TOP)/tests/bench-vm/run.sh $$o/esp.img $$o/bench.txt
