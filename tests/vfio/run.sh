#!/usr/bin/env bash
# vfio suite (mk/vfio.mk): AAVMF -> loader -> Lockstep owning the SMMUv3 -> Linux at EL1 on the
# machine of tests/lib/qemu-smmu.sh, with two edu devices (00:03.0 and 00:04.0, 40-bit DMA) and
# only translated devices (the ESP disk is modern virtio with VIRTIO_F_ACCESS_PLATFORM; no default
# NIC). The initramfs runs tests/vfio/lstest: lockstep-iommu.ko, Debian's VFIO modules, both edus
# bound to vfio-pci, /vfio-edu driving them through VFIO type1. TAP to build/test-logs/vfio.tap
# (a "1..N" plan first), serial log build/test-logs/vfio-serial.log.
#
#   run.sh ESP
# Environment: QEMU_TIMEOUT (seconds, default 600: the 1 GiB maps are ~530,000 ioctls), QEMU.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/vfio
esp=$1
timeout_s=${QEMU_TIMEOUT:-600}
mkdir -p "$logs" "$work"
tap=$logs/vfio.tap
log=$logs/vfio-serial.log
# The plan: 6 checks here + the guest's (tests/vfio/lstest: 10 + vfio-edu's 33).
plan=49
echo "1..$plan" > "$tap"
qs_tap "$tap"

[ -f "$esp" ] || { tap_line "not ok" "ESP image $esp exists"; exit 0; }
qs_machine
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
qs_edu addr=0x3,dma_mask=0xffffffffff
qs_edu addr=0x4,dma_mask=0xffffffffff
qs_run vfio "$log" "$timeout_s" -nic none

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
assert "Linux runs at EL1 under Lockstep, SMMU taken" \
	eval 'has "CPU: All CPU\(s\) started at EL1" && has "^lockstep: smmu: taken at"'
qs_guest_block
# The faults the guest caused on purpose, in Lockstep's own log (stage 2, the edu's StreamID:
# 00:03.0 = 0x18, 00:04.0 = 0x20): A's write after UNMAP_DMA, B's write to an IOVA only A maps.
assert "Lockstep logged edu A's write to the unmapped IOVA 0x1001000 (StreamID 0x18)" \
	has '^lockstep: smmu: event F_TRANSLATION sid 0x18 addr 0x1001000 .*write'
assert "Lockstep logged edu B's write to IOVA 0x2000000, mapped only in A's container (0x20)" \
	has '^lockstep: smmu: event F_TRANSLATION sid 0x20 addr 0x2000000 .*write'
# QEMU's SMMU raises EVTQ_ABT_ERR when it finds the event queue full (a 4 KiB edu DMA that
# faults is 128 records); any other global error is a failure (as tests/smmu-dma/run.sh).
ng=$(grep -c '^lockstep: smmu: global error EVTQ_ABT_ERR' "$log")
echo "# $ng EVTQ_ABT_ERR global errors (QEMU: event queue full during a fault burst)" >> "$tap"
assert "no SMMU global error other than EVTQ_ABT_ERR (queue full), no fail-closed" \
	eval 'hasnt "^lockstep: smmu: (global error [^E]|global error E[^V]|FAILING CLOSED)"'
assert "no kernel oops, BUG or WARNING; clean poweroff" \
	eval '! grep -qE "(Oops|BUG:|WARNING:|Call trace:)" "$log" && [ "$qrc" = 0 ] && has "reboot: Power down"'
grep -E '^# (4K|2M):' "$tap" | sed 's/^/vfio: /'
echo "vfio: $(grep -c '^ok' "$tap") ok, $(grep -c '^not ok' "$tap") not ok (plan $plan); TAP in $tap"
