#!/usr/bin/env bash
# vfiovm suite (mk/vfiovm.mk): a device handed to a protected VM through VFIO (docs/iommu.md
# "Devices of protected VMs"). The machine of tests/lib/qemu-smmu.sh (AAVMF -> loader -> Lockstep
# owning the SMMUv3 -> Linux at EL1) with one edu at 00:03.0 (StreamID 0x18, 40-bit DMA); the
# initramfs runs tests/vfiovm/lstest: lockstep-iommu.ko, VFIO, the edu on vfio-pci, /vfio-vm with
# the devdma guest. Asserts on the in-guest block and on Lockstep's own log. TAP to
# build/test-logs/vfiovm.tap, serial log build/test-logs/vfiovm-serial.log.
#
#   run.sh ESP
# Environment: QEMU_TIMEOUT (seconds, default 300), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/vfiovm
esp=$1
timeout_s=${QEMU_TIMEOUT:-300}
mkdir -p "$logs" "$work"
tap=$logs/vfiovm.tap
log=$logs/vfiovm-serial.log
: > "$tap"
qs_tap "$tap"
qs_guard

[ -f "$esp" ] || { qs_plan 1; tap_line "not ok" "ESP image $esp exists"; exit 0; }
qs_plan $((7 + 2)) # 7 here + qs_end_checks' 2; the in-guest block plans its own
qs_machine
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
qs_edu addr=0x3,dma_mask=0xffffffffff
qs_run vfiovm "$log" "$timeout_s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" eval '! qs_timed_out'
assert "Linux runs at EL1 under Lockstep, SMMU taken" \
	eval 'has "CPU: All CPU\(s\) started at EL1" && has "^lockstep: smmu: taken at"'
qs_guest_block
# Lockstep's own record (lines may interleave with Linux's on the shared UART: unanchored).
assert "Lockstep moved stream 0x18 into a VM's stage 2 seven times and released it seven times" \
	eval '[ "$(grep -cE "own: stream 0x18 assigned to vm[0-9]+ \(its stage 2" "$log")" = 7 ] &&
		[ "$(grep -cE "own: stream 0x18 released by vm[0-9]+ \(host identity view\)" "$log")" = 7 ]'
# The guest's DMA to GPA 0xc0000000 (outside its 2 MiB of RAM) faulted in the VM's stage 2.
assert "Lockstep logged the edu's fault at GPA 0xc0000000 while the VM had it (sid 0x18)" \
	has 'smmu: event F_[A-Z_]+ sid 0x18 addr 0xc0000000 .*write'
# Before the assignment and after the release, GPA 0x80010000 is an IOVA the VFIO domain lacks.
assert "Lockstep logged the edu's faults at IOVA 0x80010000 in the VFIO domain (before, after)" \
	has 'smmu: event F_[A-Z_]+ sid 0x18 addr 0x80010000 .*write'
# The BAR run: three takes of the edu's BAR 0 (at GPA 0x40000000), three give-backs by call
# (UNMAP_DEVICE_BAR, RELEASE_DEVICE, and the driver's teardown before the streams and VM_DESTROY,
# which so has none left to give back); the host's reads in between faulted.
bar=$(grep -oE "own: vm[0-9]+ takes MMIO 0x[0-9a-f]+-0x[0-9a-f]+ at IPA 0x40000000" "$log" |
	head -1 | sed -E 's/.*MMIO (0x[0-9a-f]+)-.*/\1/')
assert "Lockstep took the edu's BAR 0 (${bar:-none}) into a VM three times, got it back three times by call" \
	eval '[ -n "$bar" ] &&
		[ "$(grep -cE "own: vm[0-9]+ takes MMIO $bar-0x[0-9a-f]+ at IPA 0x40000000" "$log")" = 3 ] &&
		[ "$(grep -cE "own: vm[0-9]+ gives MMIO $bar-0x[0-9a-f]+ back to the host" "$log")" = 3 ] &&
		[ "$(grep -cE "own: vm[0-9]+ destroyed: MMIO" "$log")" = 0 ]'
# Four host reads while a VM had it (vfio-vm's host_bar_refused), none of the five in between.
assert "Lockstep logged and refused exactly the host's 4 CPU reads of the BAR while a VM had it" \
	eval '[ -n "$bar" ] && [ "$(grep -cE "host .*abort at IPA $bar " "$log")" = 4 ]'
qs_end_checks
echo "vfiovm: $(grep -c '^ok' "$tap") ok, $(grep -c '^not ok' "$tap") not ok; TAP in $tap"
