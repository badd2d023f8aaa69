# IOMMU map/unmap benchmark against Linux's own arm-smmu-v3 driver
# (tests/iommu-bench/README.md). Figures, not pass/fail: part of `make bench`, not of `make test`.
#
#   make bench-iommu   build tests/iommu-bench/kmod/lsbench.ko, boot the smmu-boot machine twice
#                      (Lockstep + lockstep-iommu.ko; then the same kernel without Lockstep, Linux's
#                      arm-smmu-v3 driver), each timing map/unmap of LSBENCH_MIB MiB in 4 KiB and
#                      2 MiB chunks, LSBENCH_RUNS times each, alternating (the report takes the
#                      median); then both again with QEMU's SMMU command trace on to count
#                      commands and CMD_SYNCs per phase (LSBENCH_TRACE=0 skips those two boots);
#                      then both again under QEMU -icount, Lockstep on the benchmark image
#                      (-DLOCKSTEP_BENCH_EL2_PMU, as make bench-vm), for the host kernel's and
#                      Lockstep's EL2 instructions per chunk (LSBENCH_COUNT=0 skips those two).
#                      Prints the table and writes it to build/iommu-bench/report.txt.
#   make bench-iommu LSBENCH_QUICK=1
#                      a short check run (1 min 16 s measured): 16 MiB, one timed run of each, no
#                      trace boots, the two count boots (any of the knobs given wins)
LSB_B      := $(B)/iommu-bench
LSB_KO     := $(LSB_B)/ko/lsbench.ko
LSB_SRC    := $(TOP)/tests/iommu-bench/kmod/lsbench.c $(TOP)/tests/iommu-bench/kmod/Kbuild
ifeq ($(LSBENCH_QUICK),1)
LSBENCH_MIB   ?= 16
LSBENCH_TRACE ?= 0
LSBENCH_RUNS  ?= 1
endif
LSBENCH_MIB   ?= 1024
LSBENCH_TRACE ?= 1
LSBENCH_RUNS  ?= 3
LSBENCH_COUNT ?= 1
LSBENCH_NULL  ?= 10000
LSB_CMDLINE = console=ttyAMA0 lstest=1 panic=-1 lsbench=lockstep lsbmib=$(LSBENCH_MIB) \
	lsbnull=$(LSBENCH_NULL)

.PHONY: bench-iommu lsbench-ko lsbench-initramfs
lsbench-ko: $(LSB_KO)

$(LSB_KO): $(LSB_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/mk/iommu-bench.mk
	@[ -d "$(KDIR)" ] || { echo "bench-iommu: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(LSB_B)/ko
	cp $(LSB_SRC) $(LSB_B)/ko/
	$(MAKE) -C $(KDIR) M=$(LSB_B)/ko ARCH=arm64 CROSS_COMPILE=$(CROSS) \
		LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# The test initramfs plus /lstest (tests/iommu-bench/lstest), the ABI constants, lsbench.ko and
# lockstep-iommu.ko.
lsbench-initramfs: initramfs $(LSB_KO) pviommu-ko
	@set -e; o=$(LSB_B); rm -rf $$o/root; mkdir -p $$o/root/etc $$o/root/lib/modules/iommu-bench; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-env $(TOP)/tests/pviommu/abi-env.c; \
	$$o/abi-env > $$o/root/etc/lockstep-pviommu.env; \
	install -m 0755 $(TOP)/tests/iommu-bench/lstest $$o/root/lstest; \
	cp $(LSB_KO) $(PVIOMMU_KO) $$o/root/lib/modules/iommu-bench/; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

bench-iommu: hyp-image driver lsbench-initramfs
	@$(MAKE) --no-print-directory esp ESP_OUT=$(LSB_B)/esp.img \
		ESP_INITRD=$(LSB_B)/initramfs.cpio.gz ESP_CMDLINE="$(LSB_CMDLINE)" >$(LSB_B)/esp.log
	@if [ "$(LSBENCH_COUNT)" = 1 ]; then \
		$(MAKE) --no-print-directory hyp-image HYP_B=$(LSB_B)/hyp \
			HYP_BENCH_CFLAGS=-DLOCKSTEP_BENCH_EL2_PMU > $(LSB_B)/hyp.log 2>&1 || \
			{ echo "bench-iommu: benchmark image build failed (see $(LSB_B)/hyp.log)" >&2; \
			  tail -5 $(LSB_B)/hyp.log >&2; exit 1; }; \
		$(MAKE) --no-print-directory esp ESP_OUT=$(LSB_B)/esp-el2.img \
			ESP_HYP=$(LSB_B)/hyp/lockstep.bin ESP_INITRD=$(LSB_B)/initramfs.cpio.gz \
			ESP_CMDLINE="$(LSB_CMDLINE) lsbcount=1 nokaslr" > $(LSB_B)/esp-el2.log 2>&1 || \
			{ echo "bench-iommu: ESP build failed (see $(LSB_B)/esp-el2.log)" >&2; exit 1; }; \
	fi
	@k=$(DEPS)/linux/boot/vmlinuz-$(KVER); r=$(TOP)/tests/iommu-bench/run.sh; \
	export LSBENCH_MIB=$(LSBENCH_MIB); \
	rm -f $(LSB_B)/lockstep.*.log $(LSB_B)/native.*.log $(LSB_B)/*-tr.log* \
		$(LSB_B)/*-icount.log*; \
	for i in $$(seq $(LSBENCH_RUNS)); do \
		echo "bench-iommu: run $$i: Lockstep + PV IOMMU, $(LSBENCH_MIB) MiB per chunk size"; \
		$$r lockstep $(LSB_B)/esp.img $(LSB_B)/lockstep.$$i.log || exit 1; \
		echo "bench-iommu: run $$i: native arm-smmu-v3"; \
		$$r native $$k $(LSB_B)/initramfs.cpio.gz $(LSB_B)/native.$$i.log || exit 1; \
	done; \
	if [ "$(LSBENCH_TRACE)" = 1 ]; then \
		echo "bench-iommu: both again with QEMU's SMMU command trace (counts only)"; \
		$$r lockstep $(LSB_B)/esp.img $(LSB_B)/lockstep-tr.log trace || exit 1; \
		$$r native $$k $(LSB_B)/initramfs.cpio.gz $(LSB_B)/native-tr.log trace || exit 1; \
	fi; \
	if [ "$(LSBENCH_COUNT)" = 1 ]; then \
		echo "bench-iommu: both again under QEMU -icount (instruction counts only; benchmark image)"; \
		$$r lockstep $(LSB_B)/esp-el2.img $(LSB_B)/lockstep-icount.log icount || exit 1; \
		$$r native $$k $(LSB_B)/initramfs.cpio.gz $(LSB_B)/native-icount.log icount || exit 1; \
	fi; \
	$(TOP)/tests/iommu-bench/report.sh $(LSB_B) > $(LSB_B)/report.txt || \
		{ cat $(LSB_B)/report.txt; echo "bench-iommu: report failed" >&2; exit 1; }; \
	cat $(LSB_B)/report.txt

# `make bench` runs this too (before the core conversion benchmark of mk/bench.mk).
bench: bench-iommu

# make bench-compare BASE=REV: before / after in one sitting (tests/iommu-bench/compare.sh):
# REV's Lockstep and this tree's, boots alternating, against the same native boots, and both
# trees' make bench-cg; the joint table in build/bench-compare/compare.txt. Same LSBENCH_* knobs;
# BENCH_CG=0 leaves out the conversion rows.
.PHONY: bench-compare
bench-compare:
	@[ -n "$(BASE)" ] || { echo "bench-compare: say BASE=REV (the tree to compare with)" >&2; exit 2; }
	@LSBENCH_MIB=$(LSBENCH_MIB) LSBENCH_RUNS=$(LSBENCH_RUNS) LSBENCH_TRACE=$(LSBENCH_TRACE) \
		LSBENCH_COUNT=$(LSBENCH_COUNT) MAKE="$(MAKE)" $(TOP)/tests/iommu-bench/compare.sh $(BASE)

# The same benchmark on x86_64 (tests/iommu-bench/README.md "x86"): q35 + SVM/NPT + intel-iommu +
# edu under OVMF; Lockstep owning the VT-d unit with lockstep-iommu.ko (make pviommu-ko-x86)
# against the same machine booted without Lockstep, Linux's intel-iommu driver (intel_iommu=on)
# owning the unit. Same module, phases, LSBENCH_MIB / LSBENCH_RUNS / LSBENCH_TRACE; the trace
# counts VT-d IOTLB invalidation and wait descriptors (vtd_inv_desc* events). LSBENCH_COUNT=1:
# both again under QEMU -icount (1 CPU, nokaslr), where the TSC counts instructions: every
# instruction retired per chunk (Linux + Lockstep in SVM host mode; TCG x86 has no PMU to tell
# them apart; README.md "x86"). The product image: nothing in Lockstep has to allow the count.
#
#   make bench-iommu-x86   the table in build/iommu-bench-x86/report.txt
LSB_X86_B      := $(B)/iommu-bench-x86
LSB_X86_KO     := $(LSB_X86_B)/ko/lsbench.ko
LSB_X86_INITRD := $(LSB_X86_B)/initramfs.cpio.gz
# no_timer_check: Linux's check that the timer ticks through the IO-APIC is timing-based; under
# TCG on a loaded host it panicked the Lockstep boot too ("IO-APIC + timer doesn't work!").
LSB_X86_CMDLINE = console=ttyS0 panic=-1 no_timer_check lsbench=lockstep lsbmib=$(LSBENCH_MIB)

.PHONY: bench-iommu-x86 lsbench-ko-x86 lsbench-initramfs-x86
lsbench-ko-x86: $(LSB_X86_KO)

$(LSB_X86_KO): $(LSB_SRC) $(TOP)/include/lockstep/abi.h $(TOP)/mk/iommu-bench.mk
	@[ -d "$(KDIR_X86)" ] || { echo "bench-iommu-x86: no kernel headers at $(KDIR_X86); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(LSB_X86_B)/ko
	cp $(LSB_SRC) $(LSB_X86_B)/ko/
	$(MAKE) -C $(KDIR_X86) M=$(LSB_X86_B)/ko ARCH=x86_64 LOCKSTEP_INC=$(TOP)/include modules
	@touch $@

# busybox, tests/iommu-bench/init-x86 as /init, /lstest, the ABI constants, lockstep.ko,
# lockstep-iommu.ko and lsbench.ko (all x86_64).
lsbench-initramfs-x86: $(LSB_X86_KO) driver-x86 pviommu-ko-x86
	@set -e; o=$(LSB_X86_B); rm -rf $$o/root; \
	mkdir -p $$o/root/bin $$o/root/etc $$o/root/proc $$o/root/sys $$o/root/dev $$o/root/run \
		$$o/root/lib/modules/iommu-bench; \
	cp $(BX_BUSYBOX) $$o/root/bin/busybox; \
	install -m 0755 $(TOP)/tests/iommu-bench/init-x86 $$o/root/init; \
	install -m 0755 $(TOP)/tests/iommu-bench/lstest $$o/root/lstest; \
	$(HOSTCC) $(WARN) -I$(TOP)/include -o $$o/abi-env $(TOP)/tests/pviommu/abi-env.c; \
	$$o/abi-env > $$o/root/etc/lockstep-pviommu.env; \
	cp $(LSB_X86_KO) $(DRIVER_X86_KO) $(PVIOMMU_X86_KO) $$o/root/lib/modules/iommu-bench/; \
	(cd $$o/root && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $(LSB_X86_INITRD)

bench-iommu-x86: lsbench-initramfs-x86 $(BX_EFI) $(HX_B)/lockstep.bin
	@ESP_HYP=$(HX_B)/lockstep.bin ESP_INITRD=$(LSB_X86_INITRD) ESP_CMDLINE="$(LSB_X86_CMDLINE)" \
		ESP_CPUS=2 $(TOP)/boot/mkesp.sh $(LSB_X86_B)/esp.img $(BX_EFI) $(BX_KIMAGE) \
		>$(LSB_X86_B)/esp.log 2>&1 || { tail -5 $(LSB_X86_B)/esp.log; exit 1; }
	@ESP_HYP=$(HX_B)/lockstep.bin ESP_INITRD=$(LSB_X86_INITRD) \
		ESP_CMDLINE="$(LSB_X86_CMDLINE) lsbcount=1 nokaslr tsc=reliable" ESP_CPUS=2 \
		$(TOP)/boot/mkesp.sh $(LSB_X86_B)/esp-count.img $(BX_EFI) $(BX_KIMAGE) \
		>$(LSB_X86_B)/esp-count.log 2>&1 || { tail -5 $(LSB_X86_B)/esp-count.log; exit 1; }
	@r=$(TOP)/tests/iommu-bench/run.sh; \
	export LSBENCH_MIB=$(LSBENCH_MIB) LSBENCH_ARCH=x86; \
	rm -f $(LSB_X86_B)/lockstep.*.log $(LSB_X86_B)/native.*.log $(LSB_X86_B)/*-icount.log*; \
	for i in $$(seq $(LSBENCH_RUNS)); do \
		echo "bench-iommu-x86: run $$i: Lockstep + PV IOMMU, $(LSBENCH_MIB) MiB per chunk size"; \
		$$r lockstep $(LSB_X86_B)/esp.img $(LSB_X86_B)/lockstep.$$i.log || exit 1; \
		echo "bench-iommu-x86: run $$i: native intel-iommu"; \
		$$r native $(BX_KIMAGE) $(LSB_X86_INITRD) $(LSB_X86_B)/native.$$i.log || exit 1; \
	done; \
	if [ "$(LSBENCH_TRACE)" = 1 ]; then \
		echo "bench-iommu-x86: both again with QEMU's VT-d invalidation trace (counts only)"; \
		$$r lockstep $(LSB_X86_B)/esp.img $(LSB_X86_B)/lockstep-tr.log trace || exit 1; \
		$$r native $(BX_KIMAGE) $(LSB_X86_INITRD) $(LSB_X86_B)/native-tr.log trace || exit 1; \
	fi; \
	if [ "$(LSBENCH_COUNT)" = 1 ]; then \
		echo "bench-iommu-x86: both again under QEMU -icount (instruction counts only)"; \
		$$r lockstep $(LSB_X86_B)/esp-count.img $(LSB_X86_B)/lockstep-icount.log icount || exit 1; \
		$$r native $(BX_KIMAGE) $(LSB_X86_INITRD) $(LSB_X86_B)/native-icount.log icount || exit 1; \
	fi; \
	$(TOP)/tests/iommu-bench/report.sh $(LSB_X86_B) x86 > $(LSB_X86_B)/report.txt || \
		{ cat $(LSB_X86_B)/report.txt; echo "bench-iommu-x86: report failed" >&2; exit 1; }; \
	cat $(LSB_X86_B)/report.txt
