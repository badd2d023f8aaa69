#!/usr/bin/env bash
# vm suite (mk/vm.mk): protected VMs that run (issue 12). The machine of tests/qemu/run.sh
# (AAVMF -> loader -> Lockstep EL2 -> Linux EL1, SMMUv3, GICv3, 4 CPUs, 2 GiB) plus QEMU's edu
# PCI device; the initramfs runs tests/vm/lstest: lsvm boots every guest of tests/guest, the
# host tries to read a guest's private page by CPU and DMA, a VMM is killed mid-run, every bad
# ioctl is tried (tests/vm/vmtest). Asserts on the guest's block and on Lockstep's own log; TAP
# to build/test-logs/vm.tap, serial log build/test-logs/vm-serial.log.
#
#   run.sh ESP
# Environment: QEMU_TIMEOUT (seconds, default 300), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/vm
esp=$1
# The whole boot with its 7 guest runs: 56-64 s under TCG on the shared 2-core host (measured
# when this was written), about 5x that allowed.
timeout_s=${QEMU_TIMEOUT:-300}
mkdir -p "$logs" "$work"
tap=$logs/vm.tap
log=$logs/vm-serial.log
: > "$tap"
qs_tap "$tap"
qs_plan $((4 + 2 + 2)) # 4 here, 2 after the block, 2 end checks; the block plans its own

[ -f "$esp" ] || { tap_line "not ok" "ESP image $esp exists"; exit 0; }
qs_machine
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
# edu's DMA addresses are clamped to its dma_mask (28 bits by default): RAM is above 1 GiB.
qs_edu dma_mask=0xffffffffff
qs_run vm "$log" "$timeout_s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" eval '! qs_timed_out'
assert "Linux runs at EL1 on 4 CPUs" eval 'has "CPU: All CPU\(s\) started at EL1" && has "smp: Brought up 1 node, 4 CPUs"'
assert "lockstep.ko loaded" has '^lockstep-initramfs: Lockstep hypervisor ABI '
assert "lockstep.ko enabled the EL2 timer PPI" has 'lockstep: EL2 physical timer PPI enabled'

qs_guest_block

# Lockstep's record of the host's attempts on the guest's private page (tests/vm/lstest
# "# target private PA"): the CPU read was a host stage-2 abort at that address, and the edu's
# DMA an SMMU fault there. Unanchored: Lockstep and Linux share the UART, lines can interleave.
priv=$(sed -n 's/^# target private \(0x[0-9a-f]*\)$/\1/p' <<< "$block" | head -1)
echo "# guest's private page: PA ${priv:-none}" >> "$tap"
assert "Lockstep logged the host CPU's read abort at the private page's PA" \
	eval '[ -n "$priv" ] && has "host read abort at IPA $priv[ )]"'
assert "Lockstep logged an SMMU fault of the edu at the private page's PA" \
	eval '[ -n "$priv" ] && has "smmu: event F_[A-Z_]+ sid 0x[0-9a-f]+ addr $priv "'
qs_end_checks
echo "vm: TAP in $tap"
