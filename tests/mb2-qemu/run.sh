#!/usr/bin/env bash
# The `mb2-qemu` suite (docs/boot.md "Legacy multiboot2 path (tests only)"): the multiboot2
# TEST loader on QEMU q35 with SeaBIOS (legacy BIOS, no UEFI) and SVM: GRUB from a CD image
# loads lsmb2.elf, lockstep.cfg, the x86 hypervisor, Linux and an initramfs; the loader
# starts the hypervisor and Linux through the 64-bit boot protocol. TAP (plan first) to
# build/test-logs/mb2-qemu.tap, the serial logs beside it.
#
#   run.sh LOADER HYP KERNEL INITRD
#
# Environment: MB2_QEMU_TIMEOUT (seconds per boot, default 240), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 hyp=$2 kernel=$3 initrd=$4
qemu=${QEMU:-qemu-system-x86_64}
to=${MB2_QEMU_TIMEOUT:-240}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/suite.sh"
suite_init mb2-qemu mb2
SUITE_TAG=mb2test
unset MB2_CMDLINE MB2_CPUS MB2_POOL_MIB MB2_CFG_EXTRA
PLAN=$((29 + 3 + 7)) # 29 in the boot under the hypervisor, 3 for the refused image, 7 with VT-d
suite_plan $PLAN

if ! command -v "$qemu" > /dev/null || ! command -v grub-mkrescue > /dev/null; then
	for _ in $(seq $PLAN); do tap_line "not ok" "$qemu and grub-mkrescue present (run 'make deps')"; done
	exit 0
fi

# q35 with SeaBIOS (QEMU's default firmware: legacy BIOS), SVM with nested paging and 1 GiB
# pages (the hypervisor maps itself and the host with them), 2 CPUs, 1 GiB. No IOMMU: the
# loader says DMA is not isolated (allowed on this test path only). The CD is on q35's
# built-in AHCI controller.
machine=(-M q35 -cpu qemu64,+svm,+npt,+pdpe1gb -smp 2 -m 1G -nic none -no-reboot -display none
	-monitor none)

# One boot of ISO (extra QEMU arguments after STOP); stops early when STOP (a regex) shows in
# the serial log. Sets qrc, secs.
boot() {
	local iso=$1 stop=${2:-} t0
	shift 2 2>/dev/null || shift $#
	: > "$raw"
	t0=$SECONDS
	timeout $((to + 30)) "$qemu" "${machine[@]}" "$@" -serial file:"$raw" -cdrom "$iso" \
		> "$work/qemu.out" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $((SECONDS - t0)) -ge "$to" ] || { [ -n "$stop" ] && grep -qE -- "$stop" "$raw"; }; then
			kill "$qpid"; sleep 1; kill -9 "$qpid" 2>/dev/null; break
		fi
		sleep 0.5
	done
	wait "$qpid"
	qrc=$?
	qpid=
	secs=$((SECONDS - t0))
	tr -d '\r' < "$raw" > "$log"
}

iso=$work/mb2.iso
if ! MB2_CPUS=2 "$top/boot/mb2/mkiso.sh" "$iso" "$loader" "$kernel" "$initrd" "$hyp" \
	> "$work/iso.out" 2>&1; then
	for _ in $(seq $PLAN); do tap_line "not ok" "CD image built ($(tail -1 "$work/iso.out"))"; done
	exit 0
fi

# --- boot 1: the hypervisor, then Linux as its guest ----------------------------------------
raw=$work/serial.raw
log=$logs/mb2-qemu-serial.log
boot "$iso"
comment "QEMU exited with status $qrc after ${secs}s; serial log $log"

assert "GRUB: loaded the multiboot2 loader from the CD (legacy BIOS)" \
	eval "has '^grub: loading lsmb2.elf' && has '^lockstep-mb2: Lockstep multiboot2 loader \(legacy BIOS, TEST PATH ONLY'"
assert "loader: lockstep.cfg read by the UEFI loader's parser, modules found by name" \
	eval "has '^lockstep-mb2: config: hypervisor=lockstep.bin kernel=vmlinuz initrd=initrd.gz$' &&
		has '^lockstep-mb2: config: pool_mib=32 stack_kib=16 cpus=2$' &&
		has '^lockstep-mb2: hypervisor: module \"lockstep.bin\" at 0x'"
assert "loader: the hypervisor image's signature verified (boot/sig.c)" \
	has '^lockstep-mb2: hypervisor image lockstep.bin: signature verified \(ECDSA P-256\)$'
want_sha=$(head -c "$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 24)[0])' "$hyp")" "$hyp" | sha256sum | cut -d' ' -f1)
assert "loader: the image measured as sha256sum of its [0, image_size)" \
	has "^lockstep-mb2: measured lockstep.bin: sha256 $want_sha "
want_sha=$(sha256sum < "$kernel" | cut -d' ' -f1)
assert "loader: the kernel measured as sha256sum of the bzImage" \
	has "^lockstep-mb2: measured vmlinuz: sha256 $want_sha "
assert "loader: CPU reports SVM (CPUID)" has '^lockstep-mb2: CPU: SVM yes, VMX no$'

# The region: 2 MiB aligned, taken out of RAM, reserved in the e820 table Linux gets.
rb=$(sed -n 's/^lockstep-mb2: region: 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) .*/\1/p' "$log" | head -1)
re=$(sed -n 's/^lockstep-mb2: region: 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) .*/\2/p' "$log" | head -1)
tp=$(sed -n 's/^lockstep-mb2: AP start-up page: 0x\([0-9a-f]*\) .*/\1/p' "$log" | head -1)
comment "region 0x$rb-0x$re, AP start-up page 0x$tp"
assert "loader: a 2 MiB aligned region below 4 GiB for the hypervisor" \
	eval "[ -n '$rb' ] && [ \$((0x$rb % 0x200000)) = 0 ] && [ \$((0x$re + 1)) -le \$((1 << 32)) ]"
assert "loader: an AP start-up page below 512 KiB (Linux scans 512 KiB-1 MiB on a BIOS boot)" \
	eval "[ -n '$tp' ] && [ \$((0x$tp)) -lt \$((0x80000)) ] && [ \$((0x$tp % 4096)) = 0 ]"
e820line() { printf 'BIOS-e820: \\[mem 0x%016x-0x%016x\\] %s' "$1" "$2" "$3"; }
assert "Linux: its e820 table has the hypervisor region reserved, exactly" \
	eval "[ -n '$rb' ] && has \"$(e820line $((0x${rb:-0})) $((0x${re:-0})) reserved)\""
# Every usable range Linux printed, as "start end" in decimal.
usable=$(sed -n 's/.*BIOS-e820: \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] usable$/\1 \2/p' "$log" |
	while read -r s e; do echo "$((0x$s)) $((0x$e))"; done)
overlaps() {
	local s e
	while read -r s e; do
		[ -n "$s" ] && [ "$s" -le $((0x$re)) ] && [ "$e" -ge $((0x$rb)) ] && return 0
	done <<< "$usable"
	return 1
}
assert "Linux: no usable e820 range overlaps the hypervisor region" \
	eval "[ -n '$rb' ] && [ -n '$usable' ] && ! overlaps"
assert "Linux: its e820 table has the AP start-up page reserved" \
	eval "[ -n '$tp' ] && has \"$(e820line $((0x${tp:-0})) $((0x${tp:-0} + 4095)) reserved)\""
rsdp=$(sed -n 's/^lockstep-mb2: boot info: .* ACPI RSDP 0x\([0-9a-f]*\),.*/\1/p' "$log" | head -1)
assert "Linux: uses the RSDP the loader found (acpi_rsdp_addr, ACPI 5.2.5.1 scan)" \
	eval "[ -n '$rsdp' ] && has \"ACPI: RSDP 0x$(printf '%016X' $((0x${rsdp:-0}))) \""
assert "loader: says loudly that DMA is not isolated (no VT-d unit: test path only)" \
	has '^lockstep-mb2: \*\*\* NO VT-d UNIT: DMA is NOT isolated'

# The hypervisor took the machine; Linux runs as its guest on both CPUs.
assert "hypervisor: banner (SVM + nested paging) with the loader's region" \
	has "^lockstep: Lockstep [0-9.]+ \\(x86_64, AMD SVM \\+ nested paging\\): region 0x$rb-0x$re, "
assert "hypervisor: 2 CPUs under it, started from the loader's AP page" \
	has "^lockstep: 2 CPUs under the hypervisor \\(2 stacks\\), the application processors started from page 0x$tp "
assert "loader: the entry returned 0 and CPUID 4000_0000h shows Lockstep's signature" \
	has "^lockstep-mb2: hypervisor installed \\(returned 0\\); CPUID 0x40000000: Lockstep's signature"
assert "Linux: booted through the 64-bit boot protocol with the configured command line" \
	eval "has '^\[ *[0-9.]+\] Command line: console=ttyS0 panic=-1$' && [ '$(val cmdline)' = 'console=ttyS0 panic=-1' ]"
assert "Linux: the initramfs arrived whole (ramdisk_image/size) and ran /init" \
	eval "has '^\[ *[0-9.]+\] RAMDISK: \[mem ' && [ '$(val initrd_ok)' = mb2-initrd-marker-5e1f ]"
assert "Linux: 2 CPUs online, CPU 1 started by the host's Startup IPI (emulated)" \
	eval "[ '$(val cpus_online)' = 0-1 ] && has '^lockstep: CPU 1 \(APIC ID 1\): host Startup IPI'"

# Hypervisor memory.
want=$(printf '0x%x' $((0x${rb:-0} + 8)))
refused=$(sed -n 's/^mb2test: probe \(0x[0-9a-f]*\) rc 139.*/\1/p' "$log")
comment "probes: $(sed -n 's/^mb2test: probe //p' "$log" | tr '\n' ';')"
assert "host: a user read of hypervisor memory ($want) is refused (SIGSEGV)" \
	eval "[ -n '$rb' ] && echo '$refused' | grep -qx '$want'"
assert "host: no other reserved range was refused" test "$refused" = "$want"
assert "hypervisor: the refused read was logged with its address (NPF, CPL 3)" \
	has "^lockstep: host read at GPA $want refused \\(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\\)"
assert "host: still running after the refused read" eval "[ -n '$(val alive)' ]"

# lockstep.ko.
abi=$(sed -n 's/^#define LS_ABI_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h").$(
	sed -n 's/^#define LS_ABI_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h")
comment "lockstep.ko: version '$(val version)', features '$(val features)'"
assert "host: lockstep.ko finds the hypervisor and loads" \
	eval "[ '$(val insmod)' = ok ] && has 'lockstep: hypervisor ABI $abi, features'"
assert "host: LS_HVC_VERSION through VMMCALL reports ABI $abi" test "$(val version)" = "$abi"
assert "host: an unknown hypercall answers NOT_SUPPORTED" \
	eval "val raw_unknown | grep -q '^0xffffffffffffffff '"
v=$(printf '0x%016x' $(( ${abi%.*} << 16 | ${abi#*.} )))
assert "host: a VMMCALL on each CPU is answered there with the ABI version" \
	eval "val hvc_cpu0 | grep -q '^0x0000000000000000 $v ' && val hvc_cpu1 | grep -q '^0x0000000000000000 $v '"
assert "kernel log clean (no Oops, BUG, WARNING)" tap_kernel_clean "$log"
assert "clean power-off (QEMU exit 0, reboot: Power down)" tap_poweroff "$log" "$qrc"

# --- boot 2: a tampered image (one byte of its signature) is refused ------------------------
bad=$work/lockstep-bad.bin
cp "$hyp" "$bad"
size=$(stat -c %s "$bad")
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); b = f.read(1)
f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 0xff]))' "$bad" $((size - 40)) # in sig[64] (boot.h)
iso2=$work/mb2-bad.iso
raw=$work/serial2.raw
log=$logs/mb2-qemu-serial-2.log
if MB2_CPUS=2 "$top/boot/mb2/mkiso.sh" "$iso2" "$loader" "$kernel" "$initrd" "$bad" \
	> "$work/iso.out" 2>&1; then
	boot "$iso2" 'FATAL: .*stopped|Linux version'
	comment "boot 2: QEMU stopped after ${secs}s; serial log $log"
fi
assert "loader: an image whose signature does not verify is refused" \
	has '^lockstep-mb2: FATAL: hypervisor image lockstep.bin refused: .*allow_unsigned=1 boots it anyway\); stopped$'
assert "loader: nothing started after the refusal (no hypervisor, no Linux)" \
	eval "has '^lockstep-mb2: config: hypervisor=lockstep.bin' && ! has '^lockstep: ' && ! has 'Linux version'"
assert "loader: the refused image was not measured" eval "! has '^lockstep-mb2: measured lockstep.bin'"

# --- boot 3: a VT-d unit (intel-iommu), its DMAR in SeaBIOS's RSDT (an ACPI 1.0 RSDP) -------
raw=$work/serial3.raw
log=$logs/mb2-qemu-serial-3.log
boot "$iso" '' -device intel-iommu,snoop-control=on
comment "boot 3: QEMU exited with status $qrc after ${secs}s; serial log $log"
assert "loader: the VT-d unit of the DMAR (found through the RSDT) passed, the DMAR hidden" \
	eval "has '^lockstep-mb2: VT-d unit 0xfed90000 \(4 KiB\)$' &&
		has '^lockstep-mb2: VT-d hidden \(ACPI\): DMAR 0x[0-9a-f]+ removed from the RSDT at 0x[0-9a-f]+$'"
assert "loader: no 'DMA is NOT isolated' line with a VT-d unit" eval "! has 'NO VT-d UNIT'"
assert "hypervisor: 1 VT-d unit kept from the host, translating its DMA (the mirror)" \
	eval "has 'lockstep: Lockstep [0-9.]+ \(x86_64, AMD SVM \+ nested paging\): .* 1 VT-d units kept from the host \(1 translating its DMA\)' &&
		has '^lockstep: VT-d unit 0xfed90000: host DMA through a mirror of its nested table'"
assert "Linux: no DMAR among its ACPI tables, no DMAR/IOMMU driver line" \
	eval "[ -n '$(val acpi_tables)' ] && ! val acpi_tables | grep -qw DMAR && ! has 'DMAR: (DRHD|IOMMU)'"
refused=$(sed -n 's/^mb2test: probe \(0x[0-9a-f]*\) rc 139.*/\1/p' "$log")
assert "host: the hypervisor region refused, lockstep.ko loads and reads ABI $abi" \
	eval "[ -n '$refused' ] && [ '$(val insmod)' = ok ] && [ '$(val version)' = '$abi' ]"
assert "kernel log clean (no Oops, BUG, WARNING)" tap_kernel_clean "$log"
assert "clean power-off (QEMU exit 0, reboot: Power down)" tap_poweroff "$log" "$qrc"
