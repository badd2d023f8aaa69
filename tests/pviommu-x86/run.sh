#!/usr/bin/env bash
# The `pviommu-x86` suite (docs/iommu.md "Linux driver", "x86_64"): the PV IOMMU driver
# lockstep-iommu.ko on x86_64. q35 + OVMF + SVM/NPT + intel-iommu (owned by Lockstep, hidden from
# Linux) + edu + a virtio disk and NIC (iommu_platform=on). tests/pviommu-x86/init makes the
# checks inside Linux; this script passes its TAP on and adds what only the serial log shows.
# TAP to build/test-logs/pviommu-x86.tap.
#
#   run.sh LOADER HYP KERNEL INITRD
#
# Environment: PVX86_TIMEOUT (seconds, default 300), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 hyp=$2 kernel=$3 initrd=$4
qemu=${QEMU:-qemu-system-x86_64}
to=${PVX86_TIMEOUT:-300}
SUITE_TAG=pvx86
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/suite.sh"
. "$top/tests/lib/ovmf-boot.sh"
. "$top/tests/lib/x86-dma.sh"
suite_init pviommu-x86 pviommu-x86
GUEST_PLAN=15	# tests/pviommu-x86/init's PLAN
PLAN=$((GUEST_PLAN + 5))
dma_machine 2G
dma_esp "console=ttyS0 panic=-1 lsmd5=$disk_md5 lsnetmd5=$net_md5"

raw=$work/serial.raw
log=$logs/pviommu-x86-serial.log
ovmf_boot
cp "$netlog" "$logs/pviommu-x86-net-srv.log"

# The guest's results, renumbered into ours after the plan.
dma_guest PVX86

# The VT-d fault record of the edu's DMA outside its mapping: "vtd: DMA fault: BB:DD.F write at
# PA: reason ..." for the edu's function and the page the guest named.
edu=$(sed -n 's/^# target edu 0000:\([0-9a-f:.]*\)$/\1/p' <<< "$block" | head -1)
page=$(sed -n 's/^# target page \(0x[0-9a-f]*\)$/\1/p' <<< "$block" | head -1)
[ -n "$page" ] && page=$(printf '0x%x' $((page)))	# %pa pads to 16 digits, the log does not
comment "edu ${edu:-none}, page ${page:-none}: $(grep -E "^lockstep: vtd: DMA fault: ${edu:-none} .* at ${page:-none}:" "$log" | head -1)"
assert "hypervisor: the edu's DMA outside its domain logged as a VT-d fault record naming the edu and the page" \
	eval "[ -n '$edu' ] && [ -n '$page' ] && has '^lockstep: vtd: DMA fault: $edu write at $page: reason 0x[0-9a-f]+'"
assert "hypervisor: no panic" eval "! has 'lockstep: PANIC'"
grep -v '^lockstep-boot: ' "$log" > "$work/kernel.log"
assert "kernel log clean (no Oops, BUG, WARNING)" tap_kernel_clean "$work/kernel.log"
assert "/init ran to the end" has '^pvx86: done$'
assert "clean power-off (${secs}s)" tap_poweroff "$log" "$qrc"
[ "$n" = "$PLAN" ] || tap_line "not ok" "harness: $n checks ran, the plan says $PLAN"
exit 0
