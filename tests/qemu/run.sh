#!/usr/bin/env bash
# Lockstep QEMU harness.
#
#   run.sh test     boot the test ESP (AAVMF -> loader -> Lockstep -> Linux at EL1) that
#                   `make qemu` builds with the in-guest tests enabled (lstest=1), assert on the serial log and the guest's
#                   results, write TAP to build/test-logs/qemu.tap (exit 0 unless the
#                   harness itself broke; the test runner counts the TAP lines)
#   run.sh run      the same machine, interactive: serial on stdio, ends at a busybox shell
#                   (quit with 'poweroff -f', or Ctrl-A X)
#   run.sh direct   Linux booted directly by QEMU, without firmware or Lockstep: at EL2
#                   (VHE), at EL1 above its own nVHE KVM, and on a CPU without EL2; the
#                   driver must refuse to load each time and the machine keep working
#                   (build/test-logs/qemu-direct.tap)
#
# Environment: QEMU_TIMEOUT (seconds per boot, default 180), QEMU (binary), ESP (image).
# QEMU option values are comma-separated by design:
# shellcheck disable=SC2054
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
logs=$b/test-logs
work=$b/qemu
mode=${1:-test}
timeout_s=${QEMU_TIMEOUT:-180}
qemu=${QEMU:-qemu-system-aarch64}
esp=${ESP:-$b/esp.img}	# make qemu passes its test variant (lstest=1 on the command line)
initramfs=$b/initramfs.cpio.gz
aavmf_code=/usr/share/AAVMF/AAVMF_CODE.fd
aavmf_vars=/usr/share/AAVMF/AAVMF_VARS.fd
kver=$(cat "$b/deps/linux/KVER" 2>/dev/null || true)
kimage=$b/deps/linux/boot/vmlinuz-$kver
mkdir -p "$logs" "$work"
. "$top/tests/lib/tap.sh"	# tap_kernel_clean, tap_poweroff

# The machine every mode boots: EL2 for the hypervisor, an SMMUv3, GICv3, 4 CPUs.
# pauth-impdef: QEMU's cheap pointer-authentication algorithm instead of QARMA5;
# same architecture features for the guest, much faster under TCG.
machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -nographic -no-reboot -nic none)

# AAVMF_CODE.fd and AAVMF_VARS.fd are 64 MiB each, exactly the size of the virt
# machine's two flash banks; the code bank is read-only, the variables get a copy.
firmware() {
	[ -f "$aavmf_code" ] && [ -f "$aavmf_vars" ] || { echo "no AAVMF firmware; run 'make deps'" >&2; return 1; }
	cp "$aavmf_vars" "$work/vars.fd"
	fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file="$aavmf_code"
		-drive if=pflash,format=raw,unit=1,file="$work/vars.fd")
}

# The ESP as a virtio-blk disk; snapshot=on keeps the image unchanged by the guest.
disk() { # disk IMAGE
	dsk=(-drive if=none,id=esp,format=raw,snapshot=on,file="$1" -device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on)
}

# --- TAP helpers ------------------------------------------------------------------
tap=
n=0
tap_open() { tap=$1; n=0; : > "$tap"; }
tap_plan() { echo "1..$1" >> "$tap"; }	# before the first check (tests/run.sh counts)
tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { # assert NAME COMMAND...
	local name=$1; shift
	if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi
}
has() { grep -qE -- "$1" "$log"; }

# boot LOG ARGS...: one bounded QEMU run, serial output (CR stripped) into LOG; sets qrc.
boot() {
	log=$1; shift
	echo "qemu: $qemu ${machine[*]} $*" > "$log.cmd"
	echo "qemu: booting (timeout ${timeout_s}s), serial log $log"
	local t0=$SECONDS
	timeout --foreground -k 10 "$timeout_s" "$qemu" "${machine[@]}" "$@" </dev/null 2>&1 |
		tr -d '\r' > "$log"
	qrc=${PIPESTATUS[0]}
	secs=$((SECONDS - t0))
	echo "qemu: exit $qrc after ${secs}s"
}

# guest_results: copy the in-guest block (LSTEST-BEGIN .. LSTEST-END) as TAP lines.
guest_results() {
	local prefix=$1 block
	block=$(sed -n '/^LSTEST-BEGIN$/,/^LSTEST-END/p' "$log")
	if ! grep -q '^LSTEST-END' <<< "$block"; then
		tap_line "not ok" "$prefix: in-guest tests ran to the end (no LSTEST-END in the log)"
		return
	fi
	while IFS= read -r l; do
		case "$l" in
		"ok "*) tap_line ok "$prefix: ${l#ok * - }" ;;
		"not ok "*) tap_line "not ok" "$prefix: ${l#not ok * - }" ;;
		"# "*) echo "$l" >> "$tap" ;;
		esac
	done <<< "$block"
}

# The read was refused and there is a "line after it": the guest printed its summary
# after the hypervisor-memory read.
alive_after_read() {
	local r e
	has '^ok [0-9]+ - host read of hypervisor memory is refused' || return 1
	r=$(grep -n 'LSTEST: .* - host read of hypervisor memory' "$log" | head -1 | cut -d: -f1)
	e=$(grep -n '^LSTEST-END' "$log" | tail -1 | cut -d: -f1)
	[ -n "$r" ] && [ -n "$e" ] && [ "$e" -gt "$r" ]
}

# The range the guest found refused is the region the loader reserved for Lockstep
# ("lockstep-boot: region: 0xBASE-0xLAST ..." on the UEFI console).
region_matches() {
	local r base last
	r=$(sed -n 's/.*lockstep-boot: region: \(0x[0-9a-fA-F]*\)-\(0x[0-9a-fA-F]*\) .*/\1 \2/p' "$log" | head -1)
	[ -n "$r" ] || { echo "# no loader region line in the serial log" >> "$tap"; return 1; }
	read -r base last <<< "$r"
	echo "# loader region $base-$last" >> "$tap"
	grep -qx "# refused range $(printf '0x%x size 0x%x' $((base)) $((last + 1 - base)))" "$log"
}

# The refusal came from the host stage-2: Lockstep logged the abort at the address read.
hyp_logged_abort() {
	local base
	base=$(sed -n 's/^# refused range \(0x[0-9a-f]*\) size .*/\1/p' "$log" | head -1)
	[ -n "$base" ] && has "lockstep: cpu [0-9]+: host read abort at IPA $(printf '%#x' $((base + 8)))"
}

clean_poweroff() { tap_poweroff "$log" "$qrc"; }

abi_env() { # the ABI constants the initramfs was built with
	gzip -dc "$initramfs" | (cd "$work" && rm -rf abi && mkdir abi && cd abi &&
		cpio --quiet -id etc/lockstep-abi.env) && . "$work/abi/etc/lockstep-abi.env"
}

# --- modes --------------------------------------------------------------------------
# An attacker's disk on a virtio-mmio transport (outside the SMMU): not snapshot, so any
# write would land in the file; its digest is compared after the boot.
mmio_disk() {
	mmio_img=$work/mmio-disk.img
	{ printf 'LOCKSTEP-MMIO-DISK\n'; head -c 65536 /dev/zero; } > "$mmio_img"
	truncate -s 1M "$mmio_img"
	mmio_sum=$(sha256sum < "$mmio_img")
	# lint-qemu: untranslated on purpose (the attacker's device the host must not reach)
	mmio=(-drive if=none,id=mmio,format=raw,file="$mmio_img" -device virtio-blk-device,drive=mmio)
}

# run_boot PREFIX LOG: one boot of the test ESP with the attacker's disk; the checks.
run_boot() {
	local p=$1
	log=$2
	firmware || { tap_line "not ok" "$p: AAVMF firmware present"; return 0; }
	disk "$esp"
	mmio_disk
	boot "$log" "${fw[@]}" "${dsk[@]}" "${mmio[@]}"
	assert "$p: QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
	assert "$p: Lockstep banner on the serial console" has '^Lockstep v[0-9]'
	assert "$p: kernel: CPU: All CPU(s) started at EL1" has 'CPU: All CPU\(s\) started at EL1'
	assert "$p: kernel: 4 CPUs brought up" has 'smp: Brought up [0-9]+ nodes?, 4 CPUs'
	assert "$p: kernel: lockstep.ko reports hypervisor ABI $LS_ABI" has "lockstep: hypervisor ABI $LS_ABI,"
	guest_results "$p: guest"
	assert "$p: the refused range is the loader's Lockstep region" region_matches
	assert "$p: Lockstep logged the host's aborted read (stage-2)" hyp_logged_abort
	assert "$p: system keeps running after the hypervisor-memory read (later output)" alive_after_read
	assert "$p: loader denied the 32 virtio-mmio transports and fw-cfg, and hid them" \
		eval "test \$(grep -cE '^lockstep-boot: device .*(virtio_mmio@|LNRO0005).*DENIED to the host \(virtio-mmio transport' '$log') = 32 && has '^lockstep-boot: device .*(fw-cfg|QEMU0002).*DENIED' && has '^lockstep-boot: (ACPI: DSDT .* 33 denied devices get _STA = 0|DT: 33 denied device nodes status=\"disabled\")'"
	assert "$p: Lockstep's host stage-2 maps only the listed device windows (default deny)" \
		has '^lockstep: host stage-2: .*device MMIO default deny: [0-9]+ windows the loader listed'
	assert "$p: Lockstep logged the refused virtio-mmio read and write as denied device MMIO" \
		eval "has 'lockstep: cpu [0-9]+: host read abort at IPA 0xa003e00 .*device MMIO denied to the host' && has 'lockstep: cpu [0-9]+: host write abort at IPA 0xa003e50 .*device MMIO denied to the host'"
	assert "$p: the virtio-mmio disk is unchanged (sha256), no hypervisor page on it" \
		eval "test \"\$(sha256sum < '$mmio_img')\" = '$mmio_sum' && ! grep -qa LKSTSTEP '$mmio_img'"
	# The GIC guard (docs/iommu.md): QEMU virt has 4 redistributors and one ITS; every
	# ITS command and GIC register write Linux made passed (no false refusal), and
	# Linux's MSIs worked through the shadow queue (the virtio disk above).
	assert "$p: Lockstep guards the GIC: 4 redistributors, 1 ITS" \
		has '^lockstep: gic: guarding 4 redistributor\(s\) and 1 ITS\(s\)'
	assert "$p: no ITS command, GIC table or GIC register write of Linux refused" \
		eval "! grep -qE '^lockstep: gic: .*(refused|dropped|stay off|stays off)' '$log'"
	assert "$p: no kernel Oops, BUG, WARNING or Internal error in the serial log" \
		tap_kernel_clean "$log"
	assert "$p: clean poweroff (PSCI SYSTEM_OFF, QEMU exit 0)" clean_poweroff
}

mode_test() {
	tap_open "$logs/qemu.tap"
	if [ ! -f "$esp" ] || [ ! -f "$initramfs" ]; then
		tap_line "not ok" "ESP image $esp and initramfs exist"
		return 0
	fi
	abi_env || { tap_line "not ok" "initramfs carries /etc/lockstep-abi.env"; return 0; }
	# The machine `make run` boots (ACPI), then the same with a device tree (acpi=off): per
	# boot 16 checks here and the 17 of the guest's block (tests/initramfs/lstest).
	tap_plan $((2 * (16 + 17)))
	run_boot acpi "$logs/qemu-serial.log"
	machine[1]=${machine[1]},acpi=off
	run_boot dt "$logs/qemu-serial-dt.log"
	echo "qemu: TAP in $tap"
}

mode_direct() {
	tap_open "$logs/qemu-direct.tap"
	tap_plan $((3 * 10))	# 10 checks for each of the three machines
	[ -f "$kimage" ] && [ -f "$initramfs" ] || { tap_line "not ok" "kernel and initramfs exist"; return 0; }
	local v extra
	# vhe: the kernel keeps EL2 for itself; nvhe: it booted at EL2 and runs at EL1 above
	# its own KVM hyp code (HVCs reach KVM, not Lockstep); noel2: the CPU has no EL2.
	for v in vhe nvhe noel2; do
		log=$logs/qemu-direct-$v.log
		extra=
		case $v in
		nvhe) extra=kvm-arm.mode=nvhe ;;
		noel2) machine=(-M virt,virtualization=off,gic-version=3 -cpu max,pauth-impdef=on
			-smp 4 -m 2G -nographic -no-reboot -nic none) ;;
		esac
		boot "$log" -kernel "$kimage" -initrd "$initramfs" \
			-append "console=ttyAMA0 lstest=1 panic=-1 $extra"
		assert "$v: QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
		case $v in
		vhe)
			assert "$v: kernel runs at EL2 (no Lockstep)" has 'CPU: All CPU\(s\) started at EL2'
			assert "$v: lockstep.ko refuses: kernel runs at EL2" \
				has 'lockstep: hypervisor not present: the kernel itself runs at EL2' ;;
		nvhe)
			assert "$v: kernel booted at EL2, KVM in nVHE mode" has 'kvm \[1\]: Hyp nVHE mode initialized'
			assert "$v: lockstep.ko refuses: Call UID is not Lockstep's" \
				has "lockstep: hypervisor not present: Call UID .* is not Lockstep's" ;;
		noel2)
			assert "$v: kernel runs at EL1" has 'CPU: All CPU\(s\) started at EL1'
			assert "$v: lockstep.ko refuses: no EL2" \
				has 'lockstep: hypervisor not present: this CPU implements no EL2' ;;
		esac
		assert "$v: insmod fails with ENODEV" has 'lockstep.ko not loaded: .*No such device'
		assert "$v: guest test 'lockstep.ko loads' reports not ok" \
			has '^not ok 1 - lockstep.ko loads'
		assert "$v: 4 CPUs online" has '^ok [0-9]+ - 4 CPUs online'
		assert "$v: CPU offline/online works" has '^ok [0-9]+ - cpu1 comes back online'
		assert "$v: guest ran to the end" has '^LSTEST-END'
		assert "$v: no kernel Oops, BUG, WARNING or Internal error" tap_kernel_clean "$log"
		assert "$v: clean poweroff" clean_poweroff
	done
	echo "qemu: TAP in $tap"
}

mode_run() {
	[ -f "$esp" ] || { echo "run: no $esp" >&2; exit 1; }
	firmware || exit 1
	disk "$esp"
	echo "run: QEMU virt (EL2, SMMUv3, GICv3, 4 CPUs, 2 GiB): AAVMF -> Lockstep -> Linux."
	echo "run: quit with 'poweroff -f' at the shell, or Ctrl-A X."
	exec "$qemu" "${machine[@]}" "${fw[@]}" "${dsk[@]}"
}

case "$mode" in
test) mode_test ;;
direct) mode_direct ;;
run) mode_run ;;
*) echo "usage: $0 test|run|direct" >&2; exit 2 ;;
esac
