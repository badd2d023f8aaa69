#!/usr/bin/env bash
# The `boot-x86` test suite: BOOTX64.EFI on QEMU q35 + OVMF + intel-iommu (docs/boot.md
# "x86_64"). TAP (plan line first) to build/test-logs/boot-x86.tap, serial logs to
# build/test-logs/boot-x86-*.log. Exits 0 unless the harness itself broke; tests/run.sh
# counts the TAP lines.
#
#   x86-run.sh LOADER KERNEL INITRD
#
# Environment: BOOT_QEMU_TIMEOUT (seconds per boot, default 240), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 kernel=$2 initrd=$3
logs=$top/build/test-logs
tap=$logs/boot-x86.tap
qemu=${QEMU:-qemu-system-x86_64}
to=${BOOT_QEMU_TIMEOUT:-240}
. "$top/tests/lib/qemu-watch.sh"	# qemu_watch
mkesp=$top/boot/mkesp.sh
fixture=$top/boot/tests/q35-dmar.hex
mkdir -p "$logs" "$top/build/boot-x86/tests"
work=$(mktemp -d "$top/build/boot-x86/tests/run.XXXXXX") || exit 1
qpid=
trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
unset ESP_HYP ESP_INITRD ESP_KERNEL ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS \
	ESP_UNSAFE_DMA
PLAN=23
echo "1..$PLAN" > "$tap"
echo "1..$PLAN"
n=0

tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { # assert NAME COMMAND...
	local name=$1; shift
	if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi
}
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }
comment() { echo "# $*" >> "$tap"; echo "# $*"; }

# The test machine: q35 with QEMU's VT-d (legacy mode, interrupt remapping), SVM with
# nested paging for the hypervisor to come (TCG has no VMX), 4 CPUs, no default NIC.
# kernel-irqchip=split is what intremap=on needs under KVM; TCG accepts it.
machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on -cpu qemu64,+svm,+npt
	-smp 4 -m 2G -nic none -no-reboot -display none -monitor none)
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd

# OVMF's boot options here: Boot0001 the SATA DVD (empty), Boot0002 our ESP, Boot0003 its
# shell; after a failed one it goes on to the next.
FW_NEXT='BdsDxe: (loading|starting) Boot0003|UEFI Interactive Shell'
FW_CRASH='X64 Exception|ASSERT|Kernel panic'

esp() { # esp NAME [VAR=VALUE...]
	local name=$1; shift
	img=$work/esp-$name.img
	env "$@" "$mkesp" "$img" "$loader" "$kernel" > "$work/esp-$name.out" 2>&1
}

# qboot NAME STOP_REGEX: boot $img until the serial log matches STOP_REGEX, QEMU exits,
# or the timeout. Sets log, qrc, how, secs.
qboot() {
	local name=$1 stop=$2 raw t0
	log=$work/$name.log
	raw=$work/serial-$name.raw
	: > "$raw"
	cp "$ovmf_vars" "$work/vars.fd"
	t0=$SECONDS
	timeout $((to + 30)) "$qemu" "${machine[@]}" -serial file:"$raw" \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code" \
		-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
		-drive if=none,id=esp,format=raw,snapshot=on,file="$img" \
		-device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on > "$work/qemu-$name.out" 2>&1 &
	qpid=$!
	qemu_watch "$raw" "$stop" "$to" "$t0"
	tr -d '\r' < "$raw" > "$log"
	cp "$log" "$logs/boot-x86-$name.log"
	cp "$work/qemu-$name.out" "$logs/boot-x86-$name.qemu"
	rm -f "$raw" "$img"
	echo "boot-x86: $name: QEMU ended by $how (status $qrc) after ${secs}s; log $logs/boot-x86-$name.log"
}

if [ ! -f "$ovmf_code" ] || [ ! -f "$ovmf_vars" ] || ! command -v "$qemu" >/dev/null; then
	tap_line "not ok" "qemu: OVMF firmware and $qemu present (run 'make deps')"
	exit 0
fi

BANNER='^lockstep-boot: Lockstep UEFI loader [0-9.]+ x86_64 \(firmware EDK II rev 0x[0-9a-f]+, boot CPU APIC ID [0-9]+, SVM with NPT, VMX no\)$'
RETURNED='^lockstep-boot: returning to firmware: '

# The loader's report, reduced to comparable facts, and Linux's own (drivers/iommu/intel/
# dmar.c: "DRHD base: %#016Lx flags: %#x", "RMRR base: ..."; irq_remapping.c: "IOAPIC id
# N under DRHD base 0x...").
hexnorm() { while read -r a f; do a=${a#0x}; a=$(echo "$a" | sed 's/^0*//'); echo "$a $f"; done; }
ldr_units() { sed -n 's/^lockstep-boot: DMAR: unit 0x\([0-9a-f]*\) segment [0-9]* size [0-9]* KiB\( INCLUDE_PCI_ALL\)\{0,1\}.*/\1 \2/p' "$log" |
	while read -r a f; do echo "$a $([ -n "$f" ] && echo 1 || echo 0)"; done | hexnorm | sort; }
lnx_units() { sed -n 's/.*DMAR: DRHD base: 0x\([0-9a-f]*\) flags: 0x\([0-9a-f]*\)$/\1 \2/p' "$log" |
	while read -r a f; do echo "$a $((0x$f & 1))"; done | hexnorm | sort; }
ldr_rmrrs() { grep -c '^lockstep-boot: DMAR: RMRR ' "$log"; }
lnx_rmrrs() { if has 'DMAR: No RMRR found'; then echo 0; else grep -c 'DMAR: RMRR base: ' "$log"; fi; }
ldr_ioapics() { sed -n 's/^lockstep-boot: DMAR: unit 0x\([0-9a-f]*\) .*scope.*IOAPIC id \([0-9]*\).*/\2 \1/p' "$log" | sort; }
lnx_ioapics() { sed -n 's/.*DMAR-IR: IOAPIC id \([0-9]*\) under DRHD base *0x\([0-9a-f]*\) .*/\1 \2/p' "$log" | sort; }
ldr_dmar_addr() { sed -n 's/^lockstep-boot: DMAR at 0x\([0-9A-Fa-f]*\):$/\1/p' "$log" | tr 'A-F' 'a-f' | sed 's/^0*//'; }
lnx_dmar_addr() { sed -n 's/.*ACPI: DMAR 0x\([0-9A-Fa-f]*\) .*/\1/p' "$log" | head -1 | tr 'A-F' 'a-f' | sed 's/^0*//'; }
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

# 1. No hypervisor line: BOOTX64.EFI reports the DMAR and boots Linux directly.
if esp nohyp ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyS0 panic=-1 lsboot=x86"; then
	qboot nohyp "$FW_NEXT|$FW_CRASH|reboot: Power down"
	comment "loader DMAR units: $(ldr_units | tr '\n' ';') Linux DRHDs: $(lnx_units | tr '\n' ';')"
	assert "nohyp: loader banner (x86_64, OVMF, SVM with NPT, no VMX)" has "$BANNER"
	assert "nohyp: config echoed (no hypervisor, kernel, initrd)" \
		has '^lockstep-boot: config: hypervisor=\(none.*kernel=\\EFI\\Linux\\Image initrd=\\EFI\\Linux\\initrd.img$'
	assert "nohyp: config echoed (cmdline)" has '^lockstep-boot: config: cmdline="console=ttyS0 panic=-1 lsboot=x86"$'
	assert "nohyp: DMAR found by the loader (host address width 48, INTR_REMAP)" \
		has '^lockstep-boot: DMAR: host address width 48, flags 0x[0-9a-f]* INTR_REMAP'
	assert "nohyp: loader found $(ldr_units | wc -l) VT-d unit(s)" test "$(ldr_units | wc -l)" -ge 1
	assert "nohyp: loader's DMAR is the table Linux reads (same address)" same "$(ldr_dmar_addr)" "$(lnx_dmar_addr)"
	assert "nohyp: loader's units = Linux's DRHDs (base, INCLUDE_PCI_ALL)" same "$(ldr_units)" "$(lnx_units)"
	assert "nohyp: unit at QEMU's VT-d register base 0xfed90000 (Q35_HOST_BRIDGE_IOMMU_ADDR)" \
		eval "ldr_units | grep -q '^fed90000 '"
	assert "nohyp: loader's RMRR count ($(ldr_rmrrs)) = Linux's ($(lnx_rmrrs))" same "$(ldr_rmrrs)" "$(lnx_rmrrs)"
	assert "nohyp: loader's IOAPIC scopes = Linux's interrupt-remapping IOAPICs" \
		same "$(ldr_ioapics)" "$(lnx_ioapics)"
	assert "nohyp: the DMAR Linux read equals the unit tests' fixture (boot/tests/q35-dmar.hex)" \
		same "$(sed -n 's/^lockstep-boot-test: DMAR hex: //p' "$log")" "$(cat "$fixture")"
	assert "nohyp: kernel loaded and started" has '^lockstep-boot: starting kernel$'
	assert "nohyp: Linux boots (x86_64)" has 'Linux version 6\.[0-9.]+.*-amd64'
	assert "nohyp: Linux got the command line (LoadOptions)" has 'Command line: .*lsboot=x86'
	assert "nohyp: Linux enabled interrupt remapping on the VT-d unit" has 'DMAR-IR: Enabled IRQ remapping'
	assert "nohyp: Linux ran the initrd's /init (LoadFile2 initrd)" \
		has '^lockstep-boot-test: initrd /init running at .*lsboot=x86'
	assert "nohyp: clean power-off (${secs}s)" eval "test '$qrc' = 0 -a '$how' = exit && has 'reboot: Power down'"
else
	for _ in $(seq 17); do tap_line "not ok" "nohyp: ESP built ($(tail -1 "$work/esp-nohyp.out"))"; done
fi

# 2. A hypervisor= line naming an image the ESP does not hold: refused clearly, nothing
# booted (the x86 hypervisor itself is tested by the svm-qemu suite).
printf '%s\n' 'hypervisor=\lockstep\lockstep.bin' 'kernel=\EFI\Linux\Image' \
	'initrd=\EFI\Linux\initrd.img' 'cmdline=console=ttyS0 panic=-1 lsboot=hyp' > "$work/hyp.cfg"
if esp hyp ESP_INITRD="$initrd" ESP_CFG="$work/hyp.cfg"; then
	qboot hyp "$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "hyp: loader banner" has "$BANNER"
	assert "hyp: config echoed (hypervisor=\\lockstep\\lockstep.bin)" \
		has '^lockstep-boot: config: hypervisor=\\lockstep\\lockstep.bin kernel='
	assert "hyp: a missing hypervisor image is refused clearly" \
		has '^lockstep-boot: ERROR: cannot read hypervisor image \\lockstep\\lockstep.bin: Not Found'
	assert "hyp: loader returns an error to the firmware (Not Found)" has "${RETURNED}Not Found"
	assert "hyp: nothing else loaded, no kernel started" \
		eval "hasnt '^lockstep-boot: (initrd:|kernel:|starting kernel)' && hasnt 'Linux version'"
	assert "hyp: firmware goes on to its next boot option (${secs}s, no hang)" \
		eval "test '$how' = pattern && has '$FW_NEXT' && hasnt '$FW_CRASH'"
else
	for _ in $(seq 6); do tap_line "not ok" "hyp: ESP built ($(tail -1 "$work/esp-hyp.out"))"; done
fi
[ "$n" = "$PLAN" ] || tap_line "not ok" "harness: $n checks ran, the plan says $PLAN"
exit 0
