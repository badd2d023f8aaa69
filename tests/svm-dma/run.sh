#!/usr/bin/env bash
# The `svm-dma` suite (docs/x86.md "Tests"): on q35 + OVMF + SVM/NPT + intel-iommu, Lockstep
# splits and merges 1 GiB and 2 MiB blocks in the host's nested table and in the VT-d mirror of
# it, and a virtio disk and NIC behind VT-d keep working through a loop of conversions
# (tests/svm-dma/init has the checks made inside Linux; this script passes its TAP on and adds
# what only the serial log and the host side show). TAP to build/test-logs/svm-dma.tap.
#
#   run.sh LOADER HYP KERNEL INITRD
#
# Environment: SVM_DMA_TIMEOUT (seconds, default 360), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 hyp=$2 kernel=$3 initrd=$4
qemu=${QEMU:-qemu-system-x86_64}
to=${SVM_DMA_TIMEOUT:-360}
SUITE_TAG=svmdma
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/suite.sh"
. "$top/tests/lib/ovmf-boot.sh"
. "$top/tests/lib/x86-dma.sh"
suite_init svm-dma svm-dma
GUEST_PLAN=20	# tests/svm-dma/init's PLAN
PLAN=$((GUEST_PLAN + 8))
dma_machine 3G
dma_esp "console=ttyS0 panic=-1"

raw=$work/serial.raw
log=$logs/svm-dma-serial.log
ovmf_boot
cp "$netlog" "$logs/svm-dma-net-srv.log"

# The guest's results, renumbered into ours after the plan.
dma_guest SVMDMA

# The VT-d fault records of test 4: the edu's write to each donated page, logged with its address.
bdf=$(sed -n 's/^lockstep: vtd: DMA fault: \([0-9a-f:.]*\) .*/\1/p' "$log" | head -1)
for lvl in 1 2; do
	x=$(sed -n "s/^# target smash$lvl \(0x[0-9a-f]*\) .*/\1/p" <<< "$block" | head -1)
	comment "smash$lvl target ${x:-none}: $(grep -E "^lockstep: vtd: DMA fault: .* at ${x:-none}:" "$log" | head -1)"
	assert "hypervisor: the edu's DMA to the donated page (level-$lvl block) logged as a VT-d fault record (write not permitted)" \
		eval "[ -n '$x' ] && has '^lockstep: vtd: DMA fault: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] write at $x: reason 0x[0-9a-f]+ \(write not permitted\)'"
done
comment "disk: host MD5 $disk_md5, guest read $(val disk_md5); net: host file MD5 $net_md5, guest's $(val net_md5); $(val loop)"
assert "virtio-blk: the guest read the data disk behind VT-d with the host's MD5" \
	test "$(val disk_md5)" = "$disk_md5"
nd=$(grep -c '^data ' "$netlog") ns=$(grep -c '^sum ' "$netlog")
comment "net-srv.sh: $nd data, $ns sum requests${bdf:+; VT-d fault source $bdf}"
tx=$(val tx_md5)
assert "virtio-net: the guest has this run's file MD5; every body it sent arrived whole (net-srv.sh)" \
	eval "[ '$(val net_md5)' = '$net_md5' ] && [ -n '$tx' ] && [ $ns -ge 2 ] &&
		! grep '^sum ' '$netlog' | grep -qvx 'sum $((NET_MIB << 20)) $tx'"
assert "hypervisor: no panic" eval "! has 'lockstep: PANIC'"
grep -v '^lockstep-boot: ' "$log" > "$work/kernel.log"
assert "kernel log clean (no Oops, BUG, WARNING)" tap_kernel_clean "$work/kernel.log"
assert "/init ran to the end" has '^svmdma: done$'
assert "clean power-off (${secs}s)" tap_poweroff "$log" "$qrc"
[ "$n" = "$PLAN" ] || tap_line "not ok" "harness: $n checks ran, the plan says $PLAN"
exit 0
