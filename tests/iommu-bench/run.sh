#!/usr/bin/env bash
# IOMMU map/unmap benchmark (make bench-iommu, make bench-iommu-x86; README.md here): one boot of
# the benchmark machine per system, the same lsbench.ko timing the same Linux IOMMU API calls.
# LSBENCH_ARCH picks the machine (default arm64):
#
#   arm64: QEMU virt + SMMUv3 (stage 2) + edu, AAVMF
#   run.sh lockstep ESP OUT [trace]          AAVMF -> loader -> Lockstep (owns the SMMUv3) ->
#                                            Linux at EL1, lockstep-iommu.ko (hypercalls)
#   run.sh native KERNEL INITRD OUT [trace]  AAVMF -> the same Linux kernel, no Lockstep: Linux's
#                                            arm-smmu-v3 driver owns the same emulated SMMUv3
#
#   x86: QEMU q35 + SVM/NPT + intel-iommu + edu, OVMF
#   run.sh lockstep ESP OUT [trace]          OVMF -> BOOTX64.EFI -> Lockstep (owns VT-d, the
#                                            DMAR hidden) -> Linux as its SVM guest,
#                                            lockstep-iommu.ko (VMMCALL)
#   run.sh native KERNEL INITRD OUT [trace]  OVMF -> the same Linux kernel (intel_iommu=on), no
#                                            Lockstep: Linux's intel-iommu owns the same unit
#
# OUT receives the serial log. With "icount", QEMU counts instructions (-icount shift=0: TCG's
# arm64 INST_RETIRED counts only then; on x86, which has no PMU under TCG, the TSC then advances
# by one per instruction) and lsbench.ko prints the instructions of each phase (lsbcount=1
# nokaslr: the native kernel command line gets them here, the Lockstep ESP must carry them; on
# arm64 it boots the benchmark image, the only one whose EL2 the host's PMU may count).
# One CPU: QEMU's PMU counts the global icount, and with 2 vCPUs run round-robin in one thread a
# switch while one vCPU is at EL2 adds the other's instructions to its EL2 count (seen: +11316
# over 10000 null hypercalls). nokaslr: the same physical layout in every boot, so the same
# block splits and the same EL2 counts (with KASLR the 4K unmap rows moved by ~0.1 %). With "trace", QEMU also logs every IOMMU command (arm64:
# smmuv3_cmdq_opcode; x86: the vtd_inv_desc* events of the invalidation queue) and every MMIO
# write (memory_region_ops_write, for the edu phase markers) to OUT.trace, which count.awk turns
# into per-phase counts; timings are taken from the untraced runs. Environment: QEMU_TIMEOUT
# (default 900), QEMU, LSBENCH_MIB (default 1024), LSBENCH_ARCH (arm64 or x86).
set -uo pipefail

arch=${LSBENCH_ARCH:-arm64}
timeout_s=${QEMU_TIMEOUT:-900}
mib=${LSBENCH_MIB:-1024}
mode=$1
case $arch in
arm64)
	qemu=${QEMU:-qemu-system-aarch64}
	machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
		-smp 4 -m 2G -nographic -no-reboot -nic none -global arm-smmuv3.stage=2
		-device edu,addr=0x10)
	console=ttyAMA0 native_args="lstest=1" iommu_trace=smmuv3_cmdq_opcode cnt_args=""
	fw_code=/usr/share/AAVMF/AAVMF_CODE.fd fw_vars=/usr/share/AAVMF/AAVMF_VARS.fd ;;
x86)
	# The pviommu-x86 suite's machine (2 CPUs: the ESP's cpus=2); snoop-control=on for
	# Lockstep's VT-d format, the same for Linux's intel-iommu. no_timer_check: Linux's
	# check that the timer ticks through the interrupt-remapped IO-APIC is timing-based and
	# panicked once under TCG on a loaded host (the Lockstep ESP's command line has it too,
	# mk/iommu-bench.mk).
	qemu=${QEMU:-qemu-system-x86_64}
	machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,snoop-control=on
		-cpu qemu64,+svm,+npt,+pdpe1gb -smp 2 -m 2G -nographic -no-reboot -nic none
		-device edu,dma_mask=0xffffffffff)
	console=ttyS0 native_args="intel_iommu=on no_timer_check" iommu_trace='vtd_inv_desc*'
	# count boots: no clocksource watchdog (its work would land in a phase's TSC window)
	cnt_args=" tsc=reliable"
	fw_code=/usr/share/OVMF/OVMF_CODE_4M.fd fw_vars=/usr/share/OVMF/OVMF_VARS_4M.fd ;;
*) echo "run.sh: LSBENCH_ARCH arm64|x86" >&2; exit 2 ;;
esac
case $mode in
lockstep) esp=$2 out=$3 tr=${4:-}
	boot=(-drive if=none,id=esp,format=raw,snapshot=on,file="$esp" -device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on) ;;
native) kernel=$2 initrd=$3 out=$4 tr=${5:-}
	boot=(-kernel "$kernel" -initrd "$initrd"
		-append "console=$console $native_args panic=-1 lsbench=native lsbmib=$mib") ;;
*) echo "run.sh: mode lockstep|native" >&2; exit 2 ;;
esac
if [ "$tr" = icount ]; then
	for i in "${!machine[@]}"; do
		[ "${machine[$i]}" = -smp ] && machine[$((i + 1))]=1
	done
	machine+=(-icount shift=0,align=off,sleep=off)
	[ "$mode" = native ] && boot[${#boot[@]} - 1]="${boot[${#boot[@]} - 1]} lsbcount=1 nokaslr$cnt_args"
fi
mkdir -p "$(dirname "$out")"
cp "$fw_vars" "$out.vars" || exit 1
fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file="$fw_code"
	-drive if=pflash,format=raw,unit=1,file="$out.vars")
trace=()
if [ "$tr" = trace ]; then
	trace=(-trace "$iommu_trace" -trace 'memory_region_ops_write' -D "$out.trace")
	rm -f "$out.trace"
fi
timeout --foreground -k 10 "$timeout_s" "$qemu" "${machine[@]}" "${fw[@]}" "${boot[@]}" \
	"${trace[@]}" </dev/null 2>&1 | tr -d '\r' > "$out"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || echo "iommu-bench: $mode: QEMU exit $rc (log $out)" >&2
grep -q 'lsbench: done: ok' "$out" || { echo "iommu-bench: $mode: benchmark did not finish ok (log $out)" >&2; exit 1; }
if [ "$tr" = icount ]; then
	# 8 phases, and the null hypercall row under Lockstep unless LSBENCH_NULL=0; lsbench.ko
	# already failed the run if a counter it opened counted nothing (x86: or if the TSC did not
	# count instructions).
	want=8
	[ "$mode" = lockstep ] && [ "${LSBENCH_NULL:-10000}" != 0 ] && want=9
	n=$(grep -c 'lsbench: count chunk' "$out")
	[ "$n" = "$want" ] || { echo "iommu-bench: $mode: $n instruction counts, want $want (log $out)" >&2; exit 1; }
fi
exit 0
