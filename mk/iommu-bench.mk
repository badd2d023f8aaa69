# IOMMU map/unmap benchmark against Linux's own arm-smmu-v3 driver
# (tests/iommu-bench/README.md). Figures, not pass/fail: part of `make bench`, not of `make test`.
#
#   make bench-iommu   build tests/iommu-bench/kmod/lsbench.ko, boot the smmu-boot machine twice
#                      (Lockstep + lockstep-iommu.ko; then the same kernel without Lockstep, Linux's
#                      arm-smmu-v3 driver), each timing map/unmap of LSBENCH_MIB MiB in 4 KiB and
#                      2 MiB chunks, LSBENCH_RUNS times each, alternating (the report takes the
#                      median); then both again with QEMU's SMMU command trace on to count
#                      commands and CMD_SYNCs per phase (LSBENCH_TRACE=0 skips those two boots).
#                      Prints the table and writes it to build/iommu-bench/report.txt.
LSB_B      := $(B)/iommu-bench
LSB_KO     := $(LSB_B)/ko/lsbench.ko
LSB_SRC    := $(TOP)/tests/iommu-bench/kmod/lsbench.c $(TOP)/tests/iommu-bench/kmod/Kbuild
LSBENCH_MIB   ?= 1024
LSBENCH_TRACE ?= 1
LSBENCH_RUNS  ?= 3
LSB_CMDLINE = console=ttyAMA0 lstest=1 panic=-1 lsbench=lockstep lsbmib=$(LSBENCH_MIB)

.PHONY: bench-iommu lsbench-ko lsbench-initramfs
lsbench-ko: $(LSB_KO)

$(LSB_KO): $(LSB_SRC) $(TOP)/mk/iommu-bench.mk
	@[ -d "$(KDIR)" ] || { echo "bench-iommu: no kernel headers at $(KDIR); run 'make deps'" >&2; exit 1; }
	@mkdir -p $(LSB_B)/ko
	cp $(LSB_SRC) $(LSB_B)/ko/
	$(MAKE) -C $(KDIR) M=$(LSB_B)/ko ARCH=arm64 CROSS_COMPILE=$(CROSS) modules
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
	@k=$(DEPS)/linux/boot/vmlinuz-$(KVER); r=$(TOP)/tests/iommu-bench/run.sh; \
	export LSBENCH_MIB=$(LSBENCH_MIB); \
	rm -f $(LSB_B)/lockstep.*.log $(LSB_B)/native.*.log; \
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
	$(TOP)/tests/iommu-bench/report.sh $(LSB_B) | tee $(LSB_B)/report.txt

# `make bench` runs this too (before the core conversion benchmark of mk/bench.mk).
bench: bench-iommu
