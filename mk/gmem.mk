# guest_memfd conversion (issue 13, docs/gmem.md): the `gmem` suite.
#
#   make gmem   the suite: the machine of `make vm` (AAVMF -> loader -> Lockstep -> Linux at EL1),
#               lockstep.ko, tests/gmem/gmemtest (Linux's guest_memfd selftests ported to
#               LOCKSTEP_SET_MEMORY_ATTRIBUTES2, then the gmem guest converted both ways with the
#               hypervisor's table counts). TAP in build/test-logs/gmem.tap, serial log
#               build/test-logs/gmem-serial.log. The machine boots a debug hypervisor,
#               build/gmem/hyp/lockstep.bin (LS_DEBUG_CHECK=1: the invariant walk the stress
#               rounds call, LS_HVC_DEBUG_CHECK), not the product image. The machine has an
#               edu, which the VMM opens with VFIO (lockstep-iommu.ko, Debian's VFIO modules)
#               and assigns to the guest for the stress rounds (tests/gmem/edu.c).
GMEM_B	      := $(B)/gmem
GMEMTEST_PROG := $(GMEM_B)/gmemtest
GMEM_INITRD   := $(GMEM_B)/initramfs.cpio.gz

TEST_SUITES += gmem
.PHONY: gmem gmem-initramfs

# mk/vm.mk (included after this file) has the guest (VM_GUESTS: gmem), the user-space flags
# and the header shim; prerequisites are spelled out here, recipes expand later.
$(GMEMTEST_PROG): $(TOP)/tests/gmem/gmemtest.c $(TOP)/tests/gmem/gmem1g.c $(TOP)/tests/gmem/punchrun.c \
		$(TOP)/tests/gmem/edu.c \
		$(TOP)/tools/lsvm/rt.c $(TOP)/tools/lsvm/rt.h \
		$(TOP)/include/lockstep/lockstep-uapi.h $(TOP)/include/lockstep/abi.h \
		$(B)/vm/shim/linux/compiler_types.h $(TOP)/mk/gmem.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(VM_USER_CFLAGS) $(VM_UAPI) -o $@ $(TOP)/tests/gmem/gmemtest.c \
		$(TOP)/tools/lsvm/rt.c

# The test initramfs (lsvm, the guests) plus tests/gmem/lstest as /lstest, /bin/gmemtest,
# Debian's virtio_blk and virtio_net modules (the scratch disk and the NIC of the stress
# rounds' host I/O), lockstep-iommu.ko and Debian's VFIO modules (the edu of the stress rounds;
# mk/pviommu.mk and mk/vfio.mk come later: their variables expand in the recipe).
gmem-initramfs: initramfs $(GMEMTEST_PROG) pviommu-ko
	@set -e; o=$(GMEM_B); rm -rf $$o/root; mkdir -p $$o/root/bin $$o/root/lib/modules/gmem; \
	install -m 0755 $(TOP)/tests/gmem/lstest $$o/root/lstest; \
	install -m 0755 $(GMEMTEST_PROG) $$o/root/bin/gmemtest; \
	install -m 0644 $(PVIOMMU_KO) $$o/root/lib/modules/gmem/lockstep-iommu.ko; \
	for m in virtio_blk failover net_failover virtio_net $(VFIO_MODS); do \
		f=$$(find $(DEPS)/linux/lib/modules/$(KVER)/kernel -name "$$m.ko*" | head -1); \
		[ -n "$$f" ] || { echo "gmem: no module $$m" >&2; exit 1; }; \
		case $$f in *.xz) xz -dc $$f ;; *) cat $$f ;; esac > $$o/root/lib/modules/gmem/$$m.ko; \
	done; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $(GMEM_INITRD)

# Exits 0 whatever the verdicts (tests/run.sh counts the TAP lines).
gmem:
	@mkdir -p $(GMEM_B) $(B)/test-logs
	@tap=$(B)/test-logs/gmem.tap; rm -f $$tap; \
	if ! $(MAKE) --no-print-directory hyp-image driver lsvm vm-guests gmem-initramfs \
		>$(GMEM_B)/build.log 2>&1 || \
	   ! $(MAKE) --no-print-directory hyp-image HYP_B=$(GMEM_B)/hyp LS_DEBUG_CHECK=1 \
		>>$(GMEM_B)/build.log 2>&1; then \
		printf '1..1\nnot ok 1 - gmem: build failed (see %s)\n' $(GMEM_B)/build.log >> $$tap; \
		tail -n 20 $(GMEM_B)/build.log; exit 0; fi; \
	if ! $(MAKE) --no-print-directory esp ESP_OUT=$(GMEM_B)/esp.img \
		ESP_HYP=$(GMEM_B)/hyp/lockstep.bin ESP_INITRD=$(GMEM_INITRD) ESP_CMDLINE="$(VM_CMDLINE)" >$(GMEM_B)/esp.log 2>&1; then \
		printf '1..1\nnot ok 1 - gmem: ESP build failed (see %s)\n' $(GMEM_B)/esp.log >> $$tap; \
		tail -n 5 $(GMEM_B)/esp.log; exit 0; fi; \
	$(TOP)/tests/gmem/run.sh $(GMEM_B)/esp.img; true

# make bench-gmem (figures, not pass/fail; not in TEST_SUITES; docs/gmem.md "Benchmark"): the
# machine of the suite, tests/gmem/lsbench as /lstest: gmemtest -b converts 4 KiB, 64 KiB,
# 2 MiB and 8 MiB ranges of a running guest both ways, whole range against one ioctl per
# 4 KiB page, and a whole 1 GiB guest_memfd (one 1 GiB chunk; the machine has 3 GiB) with one
# ioctl each way, with the hypervisor's table and SMMU counters; then a second boot on the
# benchmark image (-DLOCKSTEP_BENCH_EL2_PMU, as make bench-vm) under QEMU -icount, 1 CPU and
# nokaslr, with lockstep.ko bench_el2_pmu=1 for the EL2 instructions per page. Output
# build/bench-gmem/bench.txt.
GMEM_BENCH_B := $(B)/bench-gmem
.PHONY: bench-gmem bench-gmem-initramfs

bench-gmem-initramfs: initramfs $(GMEMTEST_PROG)
	@set -e; o=$(GMEM_BENCH_B); rm -rf $$o/root; mkdir -p $$o/root/bin; \
	install -m 0755 $(TOP)/tests/gmem/lsbench $$o/root/lstest; \
	install -m 0755 $(GMEMTEST_PROG) $$o/root/bin/gmemtest; \
	(cd $$o/root && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | \
		gzip -9n > $$o/overlay.cpio.gz; \
	cat $(INITRAMFS) $$o/overlay.cpio.gz > $$o/initramfs.cpio.gz

bench-gmem:
	@mkdir -p $(GMEM_BENCH_B)
	@$(MAKE) --no-print-directory hyp-image driver lsvm vm-guests bench-gmem-initramfs \
		>$(GMEM_BENCH_B)/build.log 2>&1 || \
		{ echo "bench-gmem: build failed (see $(GMEM_BENCH_B)/build.log)" >&2; \
		  tail -n 20 $(GMEM_BENCH_B)/build.log >&2; exit 1; }
	@$(MAKE) --no-print-directory esp ESP_OUT=$(GMEM_BENCH_B)/esp.img \
		ESP_INITRD=$(GMEM_BENCH_B)/initramfs.cpio.gz ESP_CMDLINE="$(VM_CMDLINE)" \
		>$(GMEM_BENCH_B)/esp.log 2>&1 || \
		{ echo "bench-gmem: ESP build failed (see $(GMEM_BENCH_B)/esp.log)" >&2; exit 1; }
	@$(MAKE) --no-print-directory hyp-image HYP_B=$(GMEM_BENCH_B)/hyp \
		HYP_BENCH_CFLAGS=-DLOCKSTEP_BENCH_EL2_PMU > $(GMEM_BENCH_B)/hyp.log 2>&1 || \
		{ echo "bench-gmem: benchmark image build failed (see $(GMEM_BENCH_B)/hyp.log)" >&2; \
		  exit 1; }
	@$(MAKE) --no-print-directory esp ESP_OUT=$(GMEM_BENCH_B)/esp-el2.img \
		ESP_HYP=$(GMEM_BENCH_B)/hyp/lockstep.bin ESP_INITRD=$(GMEM_BENCH_B)/initramfs.cpio.gz \
		ESP_CMDLINE="$(VM_CMDLINE) gmem_el2=1 nokaslr" >$(GMEM_BENCH_B)/esp-el2.log 2>&1 || \
		{ echo "bench-gmem: ESP build failed (see $(GMEM_BENCH_B)/esp-el2.log)" >&2; exit 1; }
	@$(TOP)/tests/gmem/bench.sh $(GMEM_BENCH_B)/esp.img $(GMEM_BENCH_B)/bench.txt \
		$(GMEM_BENCH_B)/esp-el2.img
