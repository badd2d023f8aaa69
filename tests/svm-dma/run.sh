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
logs=$top/build/test-logs
tap=$logs/svm-dma.tap
qemu=${QEMU:-qemu-system-x86_64}
to=${SVM_DMA_TIMEOUT:-360}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/ovmf-boot.sh"
mkdir -p "$logs" "$top/build/svm-dma"
work=$(mktemp -d "$top/build/svm-dma/run.XXXXXX") || exit 1
qpid=
trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
unset ESP_HYP ESP_INITRD ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS ESP_UNSAFE_DMA
GUEST_PLAN=20	# tests/svm-dma/init's PLAN
PLAN=$((GUEST_PLAN + 8))
: > "$tap"
n=0
tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { local name=$1; shift; if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi; }
has() { grep -qE -- "$1" "$log"; }
val() { sed -n "s/^svmdma: $1 //p" "$log" | sed 's/\[ *[0-9]*\.[0-9]*\] .*$//' | head -1; }
comment() { echo "# $*" >> "$tap"; echo "# $*"; }
plan_out() { echo "1..$PLAN" >> "$tap"; echo "1..$PLAN"; }

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ ! -f "$ovmf_code" ] || ! command -v "$qemu" >/dev/null; then
	echo "1..1" > "$tap"; tap_line "not ok" "qemu: OVMF firmware and $qemu present (run 'make deps')"
	exit 0
fi

# The data disk (random, its MD5 known here) and the file the NIC moves (tests/smmu-dma/
# net-srv.sh serves it and checksums what the guest sends back).
DISK_MIB=16 NET_MIB=2
dd if=/dev/urandom of="$work/data.img" bs=1M count=$DISK_MIB 2>/dev/null
disk_md5=$(md5sum < "$work/data.img" | cut -d' ' -f1)
netfile=$work/net.bin netlog=$work/net-srv.log
dd if=/dev/urandom of="$netfile" bs=1M count=$NET_MIB 2>/dev/null
net_md5=$(md5sum < "$netfile" | cut -d' ' -f1)
: > "$netlog"

# Two CPUs, 3 GiB: 2 GiB below 4 GiB (the hypervisor's region in the second, 2 MiB blocks there)
# and 1 GiB above 4 GiB that holds only host RAM (one 1 GiB nested block); the default NIC off.
# pdpe1gb: 1 GiB
# nested pages; snoop-control=on as in svm-qemu. Every DMA master is translated by the VT-d
# unit: the edu, the ESP disk, the data disk and the NIC (iommu_platform=on).
machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,snoop-control=on
	-cpu qemu64,+svm,+npt,+pdpe1gb -smp 2 -m 3G -nic none -no-reboot -display none -monitor none
	-device edu,dma_mask=0xffffffffff
	-drive if=none,id=data,format=raw,snapshot=on,file="$work/data.img"
	-device virtio-blk-pci,drive=data,serial=lsdata,disable-legacy=on,iommu_platform=on
	-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:$top/tests/smmu-dma/net-srv.sh $netfile $netlog"
	-device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on)

img=$work/esp.img
if ! ESP_HYP=$hyp ESP_INITRD=$initrd ESP_CMDLINE="console=ttyS0 panic=-1" \
	ESP_CPUS=2 "$top/boot/mkesp.sh" "$img" "$loader" "$kernel" > "$work/esp.out" 2>&1; then
	plan_out
	for _ in $(seq $PLAN); do tap_line "not ok" "ESP built ($(tail -1 "$work/esp.out"))"; done
	exit 0
fi

raw=$work/serial.raw
log=$logs/svm-dma-serial.log
ovmf_boot
cp "$netlog" "$logs/svm-dma-net-srv.log"

# The guest's block: its plan line dropped (ours covers it), its results renumbered.
plan_out
comment "QEMU exited with status $qrc after ${secs}s; serial log $log"
block=$(sed -n '/^SVMDMA-BEGIN$/,/^SVMDMA-END/p' "$log" | sed '1d;$d' | sed 's/\[ *[0-9]*\.[0-9]*\] .*$//')
g=0
while IFS= read -r l; do
	case $l in
	"ok "[0-9]*" - "*) g=$((g + 1)); tap_line ok "${l#ok * - }" ;;
	"not ok "[0-9]*" - "*) g=$((g + 1)); tap_line "not ok" "${l#not ok * - }" ;;
	"#"*) echo "$l" >> "$tap"; echo "$l" ;;
	esac
done <<< "$block"
while [ $g -lt $GUEST_PLAN ]; do
	g=$((g + 1)); tap_line "not ok" "guest check $g: not reported (no SVMDMA-END block, Linux did not finish)"
done

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
