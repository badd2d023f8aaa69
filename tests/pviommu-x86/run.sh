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
logs=$top/build/test-logs
tap=$logs/pviommu-x86.tap
qemu=${QEMU:-qemu-system-x86_64}
to=${PVX86_TIMEOUT:-300}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/ovmf-boot.sh"
mkdir -p "$logs" "$top/build/pviommu-x86"
work=$(mktemp -d "$top/build/pviommu-x86/run.XXXXXX") || exit 1
qpid=
trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
unset ESP_HYP ESP_INITRD ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS ESP_UNSAFE_DMA
GUEST_PLAN=15	# tests/pviommu-x86/init's PLAN
PLAN=$((GUEST_PLAN + 5))
: > "$tap"
n=0
tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { local name=$1; shift; if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi; }
has() { grep -qE -- "$1" "$log"; }
comment() { echo "# $*" >> "$tap"; echo "# $*"; }
plan_out() { echo "1..$PLAN" >> "$tap"; echo "1..$PLAN"; }

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ ! -f "$ovmf_code" ] || ! command -v "$qemu" >/dev/null; then
	echo "1..1" > "$tap"; tap_line "not ok" "qemu: OVMF firmware and $qemu present (run 'make deps')"
	exit 0
fi

# The data disk (random; its MD5 on the kernel command line) and the file the NIC moves
# (tests/smmu-dma/net-srv.sh serves it and checksums what the guest sends back).
dd if=/dev/urandom of="$work/data.img" bs=1M count=16 2>/dev/null
disk_md5=$(md5sum < "$work/data.img" | cut -d' ' -f1)
netfile=$work/net.bin netlog=$work/net-srv.log
dd if=/dev/urandom of="$netfile" bs=1M count=2 2>/dev/null
net_md5=$(md5sum < "$netfile" | cut -d' ' -f1)
: > "$netlog"

# Two CPUs, 2 GiB; snoop-control=on (the VT-d format sets SNP); every DMA master translated by the
# unit: the edu (40-bit DMA), the ESP disk, the data disk and the NIC (iommu_platform=on).
machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,snoop-control=on
	-cpu qemu64,+svm,+npt,+pdpe1gb -smp 2 -m 2G -nic none -no-reboot -display none -monitor none
	-device edu,dma_mask=0xffffffffff
	-drive if=none,id=data,format=raw,snapshot=on,file="$work/data.img"
	-device virtio-blk-pci,drive=data,serial=lsdata,disable-legacy=on,iommu_platform=on
	-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:$top/tests/smmu-dma/net-srv.sh $netfile $netlog"
	-device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on)

img=$work/esp.img
if ! ESP_HYP=$hyp ESP_INITRD=$initrd ESP_CMDLINE="console=ttyS0 panic=-1 lsmd5=$disk_md5 lsnetmd5=$net_md5" \
	ESP_CPUS=2 "$top/boot/mkesp.sh" "$img" "$loader" "$kernel" > "$work/esp.out" 2>&1; then
	plan_out
	for _ in $(seq $PLAN); do tap_line "not ok" "ESP built ($(tail -1 "$work/esp.out"))"; done
	exit 0
fi

raw=$work/serial.raw
log=$logs/pviommu-x86-serial.log
ovmf_boot
cp "$netlog" "$logs/pviommu-x86-net-srv.log"

# The guest's block: its plan line dropped (ours covers it), its results renumbered.
plan_out
comment "QEMU exited with status $qrc after ${secs}s; serial log $log"
block=$(sed -n '/^PVX86-BEGIN$/,/^PVX86-END/p' "$log" | sed '1d;$d' | sed 's/\[ *[0-9]*\.[0-9]*\] .*$//')
g=0
while IFS= read -r l; do
	case $l in
	"ok "[0-9]*" - "*) g=$((g + 1)); tap_line ok "${l#ok * - }" ;;
	"not ok "[0-9]*" - "*) g=$((g + 1)); tap_line "not ok" "${l#not ok * - }" ;;
	"#"*) echo "$l" >> "$tap"; echo "$l" ;;
	esac
done <<< "$block"
while [ $g -lt $GUEST_PLAN ]; do
	g=$((g + 1)); tap_line "not ok" "guest check $g: not reported (no PVX86-END block, Linux did not finish)"
done

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
