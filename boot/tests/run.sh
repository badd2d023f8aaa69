#!/usr/bin/env bash
# The `boot` test suite: the loader's host unit tests, then QEMU boots of ESP
# variants (AAVMF firmware -> BOOTAA64.EFI), asserting on the serial logs.
# TAP goes to build/test-logs/boot.tap, serial logs to build/test-logs/boot-*.log.
# Exits 0 unless the harness itself broke; tests/run.sh counts the TAP lines.
#
#   run.sh UNIT_BIN LOADER KERNEL TESTIMG INITRD [REAL_HYP]
#
# Environment: BOOT_QEMU_TIMEOUT (seconds per boot, default 120), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
unit=$1 loader=$2 kernel=$3 testimg=$4 initrd=$5 realhyp=${6:-}
logs=$top/build/test-logs
tap=$logs/boot.tap
qemu=${QEMU:-qemu-system-aarch64}
to=${BOOT_QEMU_TIMEOUT:-120}
mkesp=$top/boot/mkesp.sh
mkdir -p "$logs" "$top/build/boot/tests"
# Private scratch space (ESP variants, firmware variables, raw serial): two runs of
# the suite in the same tree (e.g. `make test` beside `make boot`) must not collide.
work=$(mktemp -d "$top/build/boot/tests/run.XXXXXX") || exit 1
qpid=
trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
# The variants below set these explicitly; none may leak in from make or the caller.
unset ESP_HYP ESP_INITRD ESP_KERNEL ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS \
	ESP_UNSAFE_DMA ESP_ALLOW_UNSIGNED
: > "$tap"
n=0

tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { # assert NAME COMMAND...
	local name=$1; shift
	if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi
}
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }
comment() { echo "# $*" >> "$tap"; echo "# $*"; }
tap_plan() { echo "1..$1" >> "$tap"; }	# before the checks it counts (tests/run.sh)
. "$top/tests/lib/tap.sh"	# tap_kernel_clean, tap_poweroff
. "$top/tests/lib/qemu-watch.sh"	# qemu_watch

# --- host unit tests -------------------------------------------------------------
# The unit binary numbers its own checks and exits non-zero when one fails or it dies: its
# plan is the count it printed when it ran to the end.
if out=$("$unit" 2> "$logs/boot-unit.err"); then
	tap_plan "$(grep -cE '^(not )?ok ' <<< "$out")"
	while IFS= read -r l; do
		case "$l" in
		"ok "*) tap_line ok "${l#ok * - }" ;;
		"not ok "*) tap_line "not ok" "${l#not ok * - }" ;;
		esac
	done <<< "$out"
else
	tap_plan 1
	tap_line "not ok" "unit: test binary ran to the end (see $logs/boot-unit.err)"
fi

# --- the device map's edits, read back by independent parsers (iasl, dtc) ----------
# The unit test above wrote the DSDT and DT it patched (boot/tests/unit.c test_devmap_*).
fx=${BOOT_FIXTURES:-$top/build/boot/tests/fixtures}
rm -f "$fx/dsdt-hidden.dsl"
iasl -d "$fx/dsdt-hidden.aml" > "$logs/boot-iasl.log" 2>&1
dsl=$fx/dsdt-hidden.dsl
tap_plan 3
assert "devmap: iasl disassembles the patched DSDT: 3 Name (_STA, Zero) (2 virtio-mmio, fw-cfg)" \
	test "$(grep -c 'Name (_STA, Zero)' "$dsl" 2>/dev/null)" = 3
assert "devmap: iasl: the unknown device's Method (_STA) now returns Zero; _HIDs kept" \
	eval "grep -A2 'Method (_STA' '$dsl' | grep -q 'Return (Zero)' && test \$(grep -c LNRO0005 '$dsl') = 2"
dtc -I dtb -O dts "$fx/virt-hidden.dtb" > "$fx/virt-hidden.dts" 2> "$logs/boot-dtc.log"
assert "devmap: dtc decompiles the edited DT: 32 virtio-mmio + fw-cfg nodes status = \"disabled\"" \
	test "$(grep -c 'status = "disabled"' "$fx/virt-hidden.dts" 2>/dev/null)" = 33

# The QEMU boots below: nohyp 13, testimg 18, testimg-dt 10, eight negative runs of 4,
# realhyp 9, realhyp-dt 6, realhyp-bus1 10, untranslated 4 + 4, unsafe 3 checks.
tap_plan $((13 + 18 + 10 + 8 * 4 + 9 + 6 + 10 + 4 + 4 + 3))

# --- QEMU --------------------------------------------------------------------------
# The machine of the project (tests/qemu/run.sh): EL2, SMMUv3, GICv3, 4 CPUs.
# AAVMF_CODE.fd and AAVMF_VARS.fd are already 64 MiB, the size of each virt flash
# bank (QEMU refuses a pflash image of another size); the variables get a copy.
machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -no-reboot -display none -monitor none -net none)
aavmf_code=/usr/share/AAVMF/AAVMF_CODE.fd
aavmf_vars=/usr/share/AAVMF/AAVMF_VARS.fd

# The firmware reports every boot option it tries; Boot0002 is the one after ours.
FW_NEXT='BdsDxe: (loading|starting) Boot0002|Shell> '
FW_CRASH='Synchronous Exception|ASSERT|Kernel panic'

# esp NAME [VAR=VALUE...]: build an ESP variant with boot/mkesp.sh.
esp() {
	local name=$1; shift
	img=$work/esp-$name.img
	env "$@" "$mkesp" "$img" "$loader" "${ESP_KERNEL-$kernel}" > "$work/esp-$name.out" 2>&1
}

# Extra QEMU arguments of the next qboot (a variant sets and clears it).
qextra=()

# qboot NAME STOP_REGEX: boot $img, stop QEMU once the serial log matches STOP_REGEX
# (or QEMU exits, or the timeout). Sets log, qrc (QEMU exit status), how, secs.
qboot() {
	local name=$1 stop=$2 raw t0 machine=("${machine[@]}")
	[ -n "${QBOOT_EL1:-}" ] && machine[1]=virt,virtualization=off,iommu=smmuv3,gic-version=3
	[ -n "${QBOOT_DT:-}" ] && machine[1]=virt,virtualization=on,iommu=smmuv3,gic-version=3,acpi=off
	log=$work/$name.log	# asserted on; kept as $logs/boot-$name.log
	raw=$work/serial-$name.raw
	: > "$raw"
	cp "$aavmf_vars" "$work/vars.fd"
	t0=$SECONDS
	"$qemu" "${machine[@]}" -serial file:"$raw" \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$aavmf_code" \
		-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
		-drive if=none,id=esp,format=raw,snapshot=on,file="$img" \
		-device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on "${qextra[@]}" > "$work/qemu-$name.out" 2>&1 &
	qpid=$!
	qemu_watch "$raw" "$stop" "$to" "$t0"
	tr -d '\r' < "$raw" > "$log"
	cp "$log" "$logs/boot-$name.log"
	rm -f "$raw" "$img"
	echo "boot: $name: QEMU ended by $how (status $qrc) after ${secs}s; log $logs/boot-$name.log"
}

if [ ! -f "$aavmf_code" ] || [ ! -f "$aavmf_vars" ] || ! command -v "$qemu" >/dev/null; then
	tap_line "not ok" "qemu: AAVMF firmware and $qemu present (run 'make deps')"
	exit 0
fi

# What Linux prints when its arm-smmu-v3 driver probes an SMMU (arm_smmu_device_probe:
# "option mask", "ias .. oas ..", queue sizes), and the initrd's report of the PCI disk
# behind the SMMU (virtio_blk loaded by /init) and of its MSIs (through the ITS).
SMMU_PROBED='arm-smmu-v3'
VDA='^lockstep-boot-test: block devices: .*vda'
msi_lines() { sed -n 's/^lockstep-boot-test: MSI interrupt lines: \([0-9]*\)$/\1/p' "$log" | head -1; }
# hidden NAME: Linux did not probe the SMMU, and the PCI disk behind it works.
hidden() {
	assert "$1: Linux's arm-smmu-v3 driver did not probe (no '$SMMU_PROBED' line)" hasnt "$SMMU_PROBED"
	assert "$1: PCI virtio-blk behind the SMMU probed (virtio_blk [vda], /sys/block/vda)" \
		eval "has 'virtio_blk virtio[0-9]+: \[vda\]' && has '$VDA'"
	assert "$1: its MSIs reach the ITS ($(msi_lines) MSI interrupt lines)" test "$(msi_lines)" -gt 0 2>/dev/null
}

# ended_clean NAME: the Linux above Lockstep raised no Oops, BUG, WARNING or "Internal error",
# and powered off cleanly (its /init's poweroff, QEMU exit 0) instead of being stopped.
ended_clean() {
	assert "$1: no kernel Oops, BUG, WARNING or Internal error" tap_kernel_clean "$log"
	assert "$1: clean power-off (QEMU exit 0)" eval 'test "$how" = exit && tap_poweroff "$log" "$qrc"'
}

BANNER='^lockstep-boot: Lockstep UEFI loader [0-9.]+ \(firmware .*, EL2\)$'
RETURNED='^lockstep-boot: returning to firmware: '
NOTOUCH='^lockstep-boot: (region:|ExitBootServices wrapped)'

# Negative runs: the loader prints MESSAGE, returns to the firmware without
# reserving memory or wrapping ExitBootServices, and the firmware moves on.
negative() { # negative NAME DESCRIPTION MESSAGE_REGEX
	local name=$1 what=$2 msg=$3
	QBOOT_EL1=${NEG_EL1:-} qboot "$name" "$FW_NEXT|$FW_CRASH"
	assert "$what: clear message ($msg)" has "$msg"
	assert "$what: loader returns an error to the firmware" has "$RETURNED"
	assert "$what: nothing reserved, ExitBootServices not wrapped" hasnt "$NOTOUCH"
	assert "$what: firmware goes on to its next boot option (${secs}s, no hang)" \
		test "$how" = pattern -a -n "$(grep -E "$FW_NEXT" "$log")"
}

# 1. No hypervisor line: the loader boots Linux directly, with the initrd and cmdline.
if esp nohyp ESP_HYP= ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyAMA0 panic=-1 lsboot=nohyp"; then
	qboot nohyp "$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "nohyp: loader banner (at EL2)" has "$BANNER"
	assert "nohyp: config echoed (no hypervisor, kernel, initrd)" \
		has '^lockstep-boot: config: hypervisor=\(none.*kernel=\\EFI\\Linux\\Image initrd=\\EFI\\Linux\\initrd.img$'
	assert "nohyp: config echoed (cmdline)" has '^lockstep-boot: config: cmdline="console=ttyAMA0 panic=-1 lsboot=nohyp"$'
	assert "nohyp: config echoed (pool, stacks, cpus)" has '^lockstep-boot: config: pool_mib=32 stack_kib=16 cpus=8$'
	assert "nohyp: kernel loaded and started" has '^lockstep-boot: starting kernel$'
	assert "nohyp: no region reserved without a hypervisor" hasnt "$NOTOUCH"
	assert "nohyp: Linux boots" has 'Linux version 6\.'
	assert "nohyp: Linux got the command line (LoadOptions)" has 'Kernel command line: .*lsboot=nohyp'
	assert "nohyp: Linux ran the initrd's /init (LoadFile2 initrd)" \
		has '^lockstep-boot-test: initrd /init running at .*lsboot=nohyp'
	assert "nohyp: Linux kept EL2 (no hypervisor installed)" has 'CPU: All CPU\(s\) started at EL2'
	assert "nohyp: no hypervisor, no SMMU hiding: Linux's arm-smmu-v3 probes the SMMU (control)" \
		eval "hasnt 'SMMU hid' && has '$SMMU_PROBED .*: ias [0-9]+-bit, oas'"
	assert "nohyp: PCI virtio-blk probed (vda)" has "$VDA"
	assert "nohyp: clean power-off (${secs}s)" test "$qrc" = 0 -a "$how" = exit
else
	tap_line "not ok" "nohyp: ESP built ($(tail -1 "$work/esp-nohyp.out"))"
fi

# 2. The test image: entered at EL2 after ExitBootServices, declines (-95); Linux still boots.
if esp testimg ESP_HYP="$testimg" ESP_INITRD="$initrd" \
	ESP_CMDLINE="console=ttyAMA0 panic=-1 efi=debug lsboot=testimg"; then
	qboot testimg "$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "testimg: image validated (version, CRC)" \
		has '^lockstep-boot: hypervisor image: [0-9]+ bytes, mem 4 KiB, entry \+0x[0-9a-f]+, version 0\.0\.7, crc32 0x[0-9A-F]+ ok$'
	region=$(sed -n 's/^lockstep-boot: region: 0x\([0-9A-F]*\)-0x\([0-9A-F]*\) (\([0-9]*\) MiB, EfiReservedMemoryType).*/\1 \2 \3/p' "$log")
	read -r rb re rmib <<< "$region"
	assert "testimg: one EfiReservedMemoryType region, 2 MiB aligned, 34 MiB (4 KiB image + 8x16 KiB stacks + info + 32 MiB pool, rounded)" \
		test -n "$region" -a $((0x${rb:-1} % 0x200000)) = 0 -a $(((0x${re:-0} + 1) % 0x200000)) = 0 -a "$rmib" = 34
	assert "testimg: image pages made executable" has '^lockstep-boot: image pages made executable .*: Success$'
	assert "testimg: PL011 console found for after ExitBootServices" has '^lockstep-boot: boot info: .*uart 0x9000000 '
	assert "testimg: SMMUv3 frame from the ACPI IORT (QEMU virt: 0x9050000)" \
		has '^lockstep-boot: boot info: smmu 0x9050000 size 0x20000 \(from ACPI IORT\)$'
	assert "testimg: ExitBootServices wrapped before StartImage" has '^lockstep-boot: ExitBootServices wrapped'
	assert "testimg: wrapper ran after the real ExitBootServices and entered the image at EL2" \
		has "^lockstep-boot: ExitBootServices done, [0-9]+ RAM ranges; entering hypervisor at 0x0*$(printf %x $((0x${rb:-0} + $(cat "$(dirname "$testimg")/testimg.entry")))) \(EL2\)\$"
	assert "testimg: boot info checked by the image (EL2, layout, sorted RAM without the region)" \
		has '^lockstep-testimg: at EL2, boot info ok: region 0x0*'"$(tr A-F a-f <<< "${rb:-x}")"
	assert "testimg: entry < 0 -> loader goes on without Lockstep, message on the UART" \
		has '^lockstep-boot: hypervisor entry failed \(-95\), still at EL2; booting Linux without Lockstep$'
	assert "testimg: Linux sees the region as reserved in the EFI memory map" \
		has "efi: +0x0*$(tr A-F a-f <<< "${rb:-x}")-0x0*$(tr A-F a-f <<< "${re:-x}") \[Reserved"
	assert "testimg: Linux boots to the initrd's /init" has '^lockstep-boot-test: initrd /init running at .*lsboot=testimg'
	iort=$(sed -n 's/^lockstep-boot: SMMU hidden (ACPI): IORT 0x[0-9A-F]* ([0-9]* bytes) -> copy 0x\([0-9A-F]*\) (\([0-9]*\) bytes, EfiACPIReclaimMemory): SMMUv3 node at +0x[0-9A-F]* removed, [0-9]* nodes left; \([0-9]*\) ID mappings through it -> \([0-9]*\) straight .*/\1 \2 \3 \4/p' "$log")
	read -r icopy ilen iredir icomp <<< "$iort"
	assert "testimg: IORT rewritten without the SMMUv3 node (${ilen:-?} bytes, ${iredir:-?} RC mapping(s) -> ${icomp:-?} to the ITS), XSDT repointed" \
		test -n "$iort" -a "${iredir:-0}" -ge 1 -a "${icomp:-0}" -ge 1
	assert "testimg: Linux reads the rewritten IORT (ACPI: IORT at the copy)" \
		has "ACPI: IORT 0x0*${icopy:-x} 0*$(printf %x "${ilen:-0}" | tr a-f A-F) "
	hidden testimg
	assert "testimg: Linux at EL2 (the image installed nothing)" has 'CPU: All CPU\(s\) started at EL2'
	assert "testimg: clean power-off (${secs}s)" test "$qrc" = 0 -a "$how" = exit
else
	tap_line "not ok" "testimg: ESP built ($(tail -1 "$work/esp-testimg.out"))"
fi

# 2b. The same with a device tree instead of ACPI (acpi=off): the console comes from
#     the DT, the SMMU is hidden in the DT the loader reinstalls.
if esp testimg-dt ESP_HYP="$testimg" ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyAMA0 panic=-1"; then
	QBOOT_DT=1 qboot testimg-dt "$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "testimg-dt: firmware DT passed on, PL011 found through /chosen stdout-path" \
		has '^lockstep-boot: boot info: fdt 0x[0-9A-F]*[1-9A-F][0-9A-F]*, .*uart 0x9000000 \(from device tree\)'
	assert "testimg-dt: SMMUv3 frame from the DT arm,smmu-v3 node" \
		has '^lockstep-boot: boot info: smmu 0x9050000 size 0x20000 \(from device tree\)$'
	assert "testimg-dt: boot info checked by the image at EL2" has '^lockstep-testimg: at EL2, boot info ok'
	assert "testimg-dt: loader goes on without Lockstep after entry < 0" \
		has '^lockstep-boot: hypervisor entry failed \(-95\), still at EL2; booting Linux without Lockstep$'
	assert "testimg-dt: DT copy installed with the SMMU node disabled and the PCIe iommu-map removed" \
		has '^lockstep-boot: SMMU hidden \(DT\): copy 0x[0-9A-F]+ .* installed: arm,smmu-v3 node at 0x9050000 status="disabled", phandle 0x[0-9A-F]+: [1-9][0-9]* iommu-map/iommus '
	assert "testimg-dt: Linux boots from the edited DT" has 'Machine model: linux,dummy-virt'
	hidden testimg-dt
	assert "testimg-dt: clean power-off (${secs}s)" test "$qrc" = 0 -a "$how" = exit
else
	tap_line "not ok" "testimg-dt: ESP built"
fi

# 3. Bad input: each returns to the firmware with a clear message.
corrupt=$work/testimg-corrupt.bin
if esp nocfg ESP_CFG=none ESP_HYP="$testimg"; then
	negative nocfg "missing config" 'ERROR: cannot read config \\lockstep\\lockstep.cfg: Not Found'
else tap_line "not ok" "nocfg: ESP built"; fi
printf 'kernel=\\EFI\\Linux\\Image\n# pool below\npool_mib=32\ncpus=64\n' > "$work/bad.cfg"
if esp badcfg ESP_CFG="$work/bad.cfg"; then
	negative badcfg "bad config value" 'ERROR: config \\lockstep\\lockstep.cfg line 4: number out of range'
else tap_line "not ok" "badcfg: ESP built"; fi
for v in corrupt:'CRC32 mismatch' truncate:'truncated' badmagic:'bad magic'; do
	mode=${v%%:*} msg=${v#*:}
	raw=$(dirname "$testimg")/testimg.raw
	if python3 "$top/boot/tests/mkimg.py" "$raw" "$corrupt" \
		"$(cat "$(dirname "$testimg")/testimg.entry")" 0x1000 "$mode" &&
		esp "hyp-$mode" ESP_HYP="$corrupt"; then
		negative "hyp-$mode" "hypervisor image ($mode)" \
			"ERROR: hypervisor image \\\\lockstep\\\\lockstep.bin rejected: .*$msg"
	else tap_line "not ok" "hyp-$mode: ESP built"; fi
done
if ESP_KERNEL= esp nokernel ESP_HYP="$testimg"; then
	negative nokernel "missing kernel" 'ERROR: cannot open kernel \\EFI\\Linux\\Image: Not Found'
else tap_line "not ok" "nokernel: ESP built"; fi

if ESP_KERNEL=$testimg esp badkernel ESP_HYP="$testimg"; then
	negative badkernel "kernel not a PE/COFF image" \
		'ERROR: LoadImage\(kernel \\EFI\\Linux\\Image, [0-9]+ bytes\) failed: '
else tap_line "not ok" "badkernel: ESP built"; fi
if esp el1 ESP_HYP="$testimg"; then
	NEG_EL1=1 negative el1 "firmware at EL1 (no virtualization=on)" \
		'ERROR: running at EL1, Lockstep needs EL2 .*; refusing'
else tap_line "not ok" "el1: ESP built"; fi

# 4. The real hypervisor image, when hyp/ has built one: the whole handoff
#    (entered at EL2, returns at EL1, Linux boots above it).
if [ -n "$realhyp" ] && [ -f "$realhyp" ]; then
	if esp realhyp ESP_HYP="$realhyp" ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyAMA0 panic=-1 lsboot=real"; then
		qboot realhyp "$FW_NEXT|$FW_CRASH|reboot: Power down"
		assert "realhyp: $realhyp accepted by the loader" has '^lockstep-boot: hypervisor image: .* ok$'
		assert "realhyp: entered at EL2 after ExitBootServices" has '^lockstep-boot: ExitBootServices done, .*entering hypervisor'
		comment "realhyp outcome: $(grep -E '^lockstep-boot: hypervisor (installed|entry failed)' "$log" | head -1)"
		assert "realhyp: installed; the wrapper returns at EL1 (without touching the boot info)" \
			has '^lockstep-boot: hypervisor installed \(returned 0\), Linux continues at EL1$'
		assert "realhyp: Linux at EL1 boots to the initrd's /init (${secs}s)" \
			eval "has 'CPU: All CPU\(s\) started at EL1' && has '^lockstep-boot-test: initrd /init running at .*lsboot=real'"
		comment "realhyp SMMU: $(grep -E '^lockstep-boot: SMMU hid' "$log" | head -1)"
		hidden realhyp
		ended_clean realhyp
	else tap_line "not ok" "realhyp: ESP built"; fi
	# The same under a DT (acpi=off): Lockstep owns the SMMU, the host's DT has it disabled.
	if esp realhyp-dt ESP_HYP="$realhyp" ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyAMA0 panic=-1 lsboot=real-dt"; then
		QBOOT_DT=1 qboot realhyp-dt "$FW_NEXT|$FW_CRASH|reboot: Power down"
		assert "realhyp-dt: SMMU hidden in the DT, Lockstep installed, Linux at EL1 to /init (${secs}s)" \
			eval "has '^lockstep-boot: SMMU hidden \(DT\)' && has '^lockstep-boot: hypervisor installed' && has '^lockstep-boot-test: initrd /init running at .*lsboot=real-dt'"
		hidden realhyp-dt
		ended_clean realhyp-dt
	else tap_line "not ok" "realhyp-dt: ESP built"; fi
	# A disk on PCI bus 1 (behind a root port: requester ID 0x100, beyond the 0..255 Lockstep
	# used to attach), with VIRTIO_F_ACCESS_PLATFORM so its DMA goes through the SMMU. QEMU's
	# IORT then maps RIDs 0..0x1ff (the root bus's range, buses 0-1) to the SMMU: the loader
	# passes that, Lockstep attaches it, and the disk's data arrives.
	mark=LOCKSTEP-BUS1-$RANDOM$RANDOM
	printf '%s' "$mark" > "$work/bus1.img" && truncate -s 1M "$work/bus1.img"
	if esp realhyp-bus1 ESP_HYP="$realhyp" ESP_INITRD="$initrd" ESP_CMDLINE="console=ttyAMA0 panic=-1 lsboot=real-bus1"; then
		qextra=(-device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x8
			-drive if=none,id=bus1,format=raw,snapshot=on,file="$work/bus1.img"
			-device virtio-blk-pci,drive=bus1,bus=rp1,disable-legacy=on,iommu_platform=on)
		qboot realhyp-bus1 "$FW_NEXT|$FW_CRASH|reboot: Power down"
		qextra=()
		comment "realhyp-bus1: $(grep -E '^lockstep-boot: SMMU StreamIDs' "$log" | head -1)"
		comment "realhyp-bus1: $(grep -E '^lockstep: smmu: host streams' "$log" | head -1)"
		assert "realhyp-bus1: Linux at EL1 to /init, a virtio disk on bus 1 (01:00.0)" \
			eval "has '^lockstep-boot: hypervisor installed' && has 'pci 0000:01:00.0: \[1af4:1042\]' && has '^lockstep-boot-test: initrd /init running at .*lsboot=real-bus1'"
		assert "realhyp-bus1: the loader read StreamIDs 0x0..0x1FF from QEMU's IORT (buses 0-1)" \
			has '^lockstep-boot: SMMU StreamIDs \(IORT, 1 references, 0 joins\): 0x0\.\.0x1FF$'
		assert "realhyp-bus1: Lockstep attached streams 0..0x1ff, registered 512 for DMA domains" \
			eval "has '^lockstep: smmu: host streams 0\.\.0x1ff \(from the loader\)$' && has '^lockstep: own: IOMMU registered: 512 streams'"
		assert "realhyp-bus1: the bus-1 disk's first sector read by DMA through the SMMU ($mark)" \
			has "^lockstep-boot-test: vd[a-z] head: $mark"
		assert "realhyp-bus1: no SMMU event (no stream left unattached)" hasnt '^lockstep: smmu: event'
		hidden realhyp-bus1
		ended_clean realhyp-bus1
	else tap_line "not ok" "realhyp-bus1: ESP built"; fi
	# A DMA master outside the SMMU: a virtio-pci disk without VIRTIO_F_ACCESS_PLATFORM
	# (QEMU's default), which bypasses the vIOMMU. The loader refuses before touching
	# anything, names the device and the QEMU option that fixes it (docs/boot.md).
	printf 'LOCKSTEP-UNTRANSLATED' > "$work/raw.img" && truncate -s 1M "$work/raw.img"
	# lint-qemu: untranslated on purpose (the refusal under test)
	UNTR=(-drive if=none,id=raw,format=raw,snapshot=on,file="$work/raw.img"
		-device virtio-blk-pci,drive=raw,addr=0x6) # lint-qemu: untranslated on purpose
	if esp untranslated ESP_HYP="$realhyp" ESP_INITRD="$initrd"; then
		qextra=("${UNTR[@]}")
		negative untranslated "virtio-pci disk without iommu_platform=on" \
			'^lockstep-boot: PCI 0000:00:06\.0 virtio-blk \(1AF4:1001\): does not offer VIRTIO_F_ACCESS_PLATFORM: its DMA bypasses the SMMU\.$'
		qextra=()
		assert "untranslated: the message names the QEMU option that fixes it" \
			has 'add iommu_platform=on,disable-legacy=on to its -device option'
		assert "untranslated: refusal says why and how to override (unsafe_untranslated_dma=1)" \
			has '^lockstep-boot: ERROR: 1 PCI DMA master\(s\) bypass the SMMU .*Refusing to start Lockstep.*unsafe_untranslated_dma=1'
		assert "untranslated: the translated ESP disk passes the same check" \
			has '^lockstep-boot: PCI 0000:00:01\.0 virtio-blk \(1AF4:1042\): VIRTIO_F_ACCESS_PLATFORM offered'
		assert "untranslated: EL2 untouched (no Lockstep banner, no hypervisor entry)" \
			eval "hasnt '^Lockstep v' && hasnt 'entering hypervisor'"
	else tap_line "not ok" "untranslated: ESP built"; fi
	# The debugging override: boots, and both the loader and the hypervisor say, loudly,
	# that isolation is off.
	if esp unsafe ESP_HYP="$realhyp" ESP_INITRD="$initrd" ESP_UNSAFE_DMA=1 \
		ESP_CMDLINE="console=ttyAMA0 panic=-1 lsboot=unsafe"; then
		qextra=("${UNTR[@]}")
		qboot unsafe "$FW_NEXT|$FW_CRASH|reboot: Power down"
		qextra=()
		assert "unsafe: unsafe_untranslated_dma=1 boots Lockstep, Linux at EL1 to /init" \
			eval "has '^lockstep-boot: hypervisor installed' && has '^lockstep-boot-test: initrd /init running at .*lsboot=unsafe'"
		assert "unsafe: the loader warns that isolation is off" \
			has '^lockstep-boot: WARNING: unsafe_untranslated_dma=1: booting with 1 DMA master\(s\) outside the SMMU\. ISOLATION IS OFF'
		assert "unsafe: the hypervisor warns on this boot too" \
			has '^lockstep: WARNING: 1 DMA master\(s\) outside every SMMU were let through'
	else tap_line "not ok" "unsafe: ESP built"; fi
else
	# mk/boot.mk removes the image when `make hyp-image` failed: never boot a stale one.
	tap_line "not ok" "realhyp: hypervisor image ${realhyp:-none} built (see build/boot/tests/hyp-image.out)"
fi
echo "boot: TAP in $tap"
exit 0
