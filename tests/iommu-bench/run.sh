#!/usr/bin/env bash
# IOMMU map/unmap benchmark (make bench-iommu, part of make bench; README.md here): one boot of
# the smmu-boot machine per system, the same lsbench.ko timing the same Linux IOMMU API calls:
#
#   run.sh lockstep ESP OUT [trace]          AAVMF -> loader -> Lockstep (owns the SMMUv3) ->
#                                            Linux at EL1, lockstep-iommu.ko (hypercalls)
#   run.sh native KERNEL INITRD OUT [trace]  AAVMF -> the same Linux kernel, no Lockstep: Linux's
#                                            arm-smmu-v3 driver owns the same emulated SMMUv3
#
# OUT receives the serial log. With "trace", QEMU also logs every SMMU command
# (smmuv3_cmdq_opcode) and every MMIO write (memory_region_ops_write, for the edu phase markers)
# to OUT.trace, which count.awk turns into per-phase command counts; timings are taken from the
# untraced runs. Environment: QEMU_TIMEOUT (default 900), QEMU, LSBENCH_MIB (default 1024).
set -uo pipefail

qemu=${QEMU:-qemu-system-aarch64}
timeout_s=${QEMU_TIMEOUT:-900}
mib=${LSBENCH_MIB:-1024}
mode=$1
machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -nographic -no-reboot -nic none -global arm-smmuv3.stage=2 -device edu,addr=0x10)
case $mode in
lockstep) esp=$2 out=$3 tr=${4:-}
	boot=(-drive if=none,id=esp,format=raw,snapshot=on,file="$esp" -device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on) ;;
native) kernel=$2 initrd=$3 out=$4 tr=${5:-}
	boot=(-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyAMA0 lstest=1 panic=-1 lsbench=native lsbmib=$mib") ;;
*) echo "run.sh: mode lockstep|native" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$out")"
cp /usr/share/AAVMF/AAVMF_VARS.fd "$out.vars" || exit 1
fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd
	-drive if=pflash,format=raw,unit=1,file="$out.vars")
trace=()
if [ "$tr" = trace ]; then
	trace=(-trace smmuv3_cmdq_opcode -trace 'memory_region_ops_write' -D "$out.trace")
	rm -f "$out.trace"
fi
timeout --foreground -k 10 "$timeout_s" "$qemu" "${machine[@]}" "${fw[@]}" "${boot[@]}" \
	"${trace[@]}" </dev/null 2>&1 | tr -d '\r' > "$out"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || echo "iommu-bench: $mode: QEMU exit $rc (log $out)" >&2
grep -q 'lsbench: done: ok' "$out" || { echo "iommu-bench: $mode: benchmark did not finish ok (log $out)" >&2; exit 1; }
exit 0
