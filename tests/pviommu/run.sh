#!/usr/bin/env bash
# pviommu suite (mk/pviommu.mk): the smmu-boot machine (tests/smmu-qemu/boot/run.sh: AAVMF ->
# loader -> Lockstep owning the SMMUv3 -> Linux at EL1, a 4 MiB virtio data disk, virtio-net,
# edu) booting this suite's ESP, whose initramfs runs tests/pviommu/lstest: lockstep-iommu.ko
# loaded, the virtio devices re-probed behind it, disk and network I/O through Lockstep's host
# DMA domains, with MSI-X interrupts (the ITS doorbell mapped with LS_IOMMU_MMIO). TAP to
# build/test-logs/pviommu.tap.
#
#   run.sh ESP DATA_DISK            the machine with Lockstep
#   run.sh nohyp KERNEL INITRD V    Linux booted directly by QEMU without Lockstep, V = noel2
#                                   (a CPU without EL2) or nvhe (EL2 kept by Linux's KVM): the
#                                   driver must refuse to load
# Environment: QEMU_TIMEOUT (seconds, default 300), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"	# the machine, the devices, qs_run
b=$top/build
logs=$b/test-logs
work=$b/pviommu
esp=$1 data=${2:-}
timeout_s=${QEMU_TIMEOUT:-300}
mkdir -p "$logs" "$work"
tap=$logs/pviommu.tap
log=$logs/pviommu-serial.log
qs_tap "$tap"	# tap_line, assert, has, hasnt (tests/lib/qemu-smmu.sh)
# The plans: each run's own checks plus the guest's (tests/pviommu/lstest: PV_GUEST_CHECKS
# with Lockstep, PV_GUEST_NOHYP_CHECKS without).
PV_GUEST_CHECKS=18
PV_GUEST_NOHYP_CHECKS=2


if [ "$esp" = nohyp ]; then
	kimage=$2 initrd=$3 v=$4 log=$logs/pviommu-nohyp-$v.log extra=
	case $v in
	noel2) machine=(-M virt,virtualization=off,gic-version=3 -nic none) ;;
	nvhe) machine=(-M virt,virtualization=on,gic-version=3 -nic none); extra=kvm-arm.mode=nvhe ;;
	*) echo "run.sh: unknown variant $v" >&2; exit 1 ;;
	esac
	machine+=(-cpu max,pauth-impdef=on -smp 2 -m 1G -nographic -no-reboot)
	qs_plan $((4 + PV_GUEST_NOHYP_CHECKS))
	qs_run "pviommu: $v: Linux without Lockstep" "$log" "$timeout_s" -- "${machine[@]}" \
		-kernel "$kimage" -initrd "$initrd" \
		-append "console=ttyAMA0 lstest=1 panic=-1 lsnohyp=1 $extra" -device edu
	assert "$v: QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
	qs_guest_block "$v: "
	assert "$v: the driver logged why (Lockstep not present)" has 'lockstep-iommu: Lockstep not present'
	qs_prefix="$v: "
	qs_end_checks
	exit 0
fi

# The machine of tests/smmu-qemu/boot/run.sh (acpi variant), same devices.
qs_plan $((7 + PV_GUEST_CHECKS))
qs_machine
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
qs_disk data "$data"
qs_net
qs_edu addr=0x10
qs_run pviommu "$log" "$timeout_s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
assert "Linux runs at EL1 under Lockstep, SMMU taken" \
	eval 'has "CPU: All CPU\(s\) started at EL1" && has "^lockstep: smmu: taken at"'
qs_guest_block
assert "Lockstep attached the virtio streams to DMA domain tables" \
	has '^lockstep: smmu: stream 0x[0-9a-f]+ -> DMA domain table'
assert "guest kernel: iommu-dma mapped the ITS doorbell through LS_IOMMU_MMIO (MSIs, no INTx fallback)" \
	eval 'has "lockstep-iommu: dom [0-9]+: MMIO 0x[0-9a-f]+ mapped at IOVA" && ! has "not mappable"'
assert "no SMMU event, global error or fail-closed in Lockstep's log" \
	eval '! grep -qE "^lockstep: smmu: (event|global error|FAILING CLOSED|.*overflow)" "$log"'
qs_end_checks
grep -E '^# bench' "$tap" | sed 's/^/pviommu: /'
echo "pviommu: TAP in $tap"
