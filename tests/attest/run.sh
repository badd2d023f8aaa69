#!/usr/bin/env bash
# The `attest` suite (docs/attestation.md): signed hypervisor images and measured launch,
# end to end on QEMU (AAVMF -> BOOTAA64.EFI -> Lockstep -> Linux at EL1).
#
#   run.sh LOADER KERNEL HYP INITRD KEY
#
# HYP is the signed build/hyp/lockstep.bin, KEY the development key that signed it (the
# loader trusts its public key). Boots:
#   good       the signed image: the loader verifies it, Linux's lockstep-measure.ko reads
#              the measurement log; the values equal sha256sum of the files booted, computed
#              here, and the log parses (tests/attest/mlog.py)
#   tampered   one byte of the image flipped (CRC fixed up, as an attacker would): refused
#   unsigned   the trailer stripped: refused
#   otherkey   signed by a key generated here: refused
#   allow      unsigned with allow_unsigned=1: boots, with the loud warnings, and the log
#              records it (LS_MEAS_F_UNSIGNED)
# TAP to build/test-logs/attest.tap, serial logs to build/test-logs/attest-<boot>.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 kernel=$2 hyp=$3 initrd=$4 key=$5
logs=$top/build/test-logs
tap=$logs/attest.tap
qemu=${QEMU:-qemu-system-aarch64}
to=${ATTEST_QEMU_TIMEOUT:-180}
mkesp=$top/boot/mkesp.sh
signimg="python3 $top/scripts/signimg.py"
mkdir -p "$logs" "$top/build/attest"
work=$(mktemp -d "$top/build/attest/run.XXXXXX") || exit 1
qpid=
trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
unset ESP_HYP ESP_INITRD ESP_KERNEL ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS \
	ESP_UNSAFE_DMA ESP_ALLOW_UNSIGNED
: > "$tap"
n=0
tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { # assert NAME COMMAND...
	local name=$1; shift
	if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi
}
comment() { echo "# $*" >> "$tap"; echo "# $*"; }
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/qemu-watch.sh"	# qemu_watch

# Checks: good 8 + 9 (measured), three refusals of 5, allow 1 + 9 (measured).
echo "1..$((8 + 9 + 3 * 5 + 1 + 9))" >> "$tap"

aavmf_code=/usr/share/AAVMF/AAVMF_CODE.fd
aavmf_vars=/usr/share/AAVMF/AAVMF_VARS.fd
machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -no-reboot -display none -monitor none -net none)
FW_NEXT='BdsDxe: (loading|starting) Boot0002|Shell> '
FW_CRASH='Synchronous Exception|ASSERT|Kernel panic'
RETURNED='^lockstep-boot: returning to firmware: Security Policy Violation$'
NOTOUCH='^lockstep-boot: (region:|ExitBootServices wrapped|kernel:)|^lockstep: '

for f in "$loader" "$kernel" "$hyp" "$initrd" "$key" "$aavmf_code" "$aavmf_vars"; do
	if [ ! -f "$f" ]; then
		tap_line "not ok" "inputs present ($f missing)"
		exit 0
	fi
done

# esp NAME HYPIMAGE CMDLINE [VAR=VALUE...]
esp() {
	local name=$1 h=$2 c=$3; shift 3
	img=$work/esp-$name.img
	env ESP_HYP="$h" ESP_INITRD="$initrd" ESP_CMDLINE="$c" "$@" \
		"$mkesp" "$img" "$loader" "$kernel" > "$work/esp-$name.out" 2>&1
}

# qboot NAME STOP_REGEX: boot $img until the serial log matches, QEMU exits or the timeout.
qboot() {
	local name=$1 stop=$2 raw=$work/serial-$1.raw t0=$SECONDS
	log=$work/$name.log
	: > "$raw"
	cp "$aavmf_vars" "$work/vars.fd"
	"$qemu" "${machine[@]}" -serial file:"$raw" \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$aavmf_code" \
		-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
		-drive if=none,id=esp,format=raw,snapshot=on,file="$img" \
		-device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on \
		> "$work/qemu-$name.out" 2>&1 &
	qpid=$!
	qemu_watch "$raw" "$stop" "$to" "$t0"
	tr -d '\r' < "$raw" > "$log"
	cp "$log" "$logs/attest-$name.log"
	rm -f "$img"
	echo "attest: $name: QEMU ended by $how (status $qrc) after ${secs}s; log $logs/attest-$name.log"
}

# What the files booted measure to, computed here (independently of the loader's mbedtls).
img_size=$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(), 24)[0])' "$hyp")
want_hyp=$(head -c "$img_size" "$hyp" | sha256sum | cut -d' ' -f1)
want_kernel=$(sha256sum "$kernel" | cut -d' ' -f1)
want_initrd=$(sha256sum "$initrd" | cut -d' ' -f1)
comment "expected: hypervisor $want_hyp ($img_size bytes), kernel $want_kernel, initrd $want_initrd"

# The attestation public key docs/attestation.md says the loader derives for image digest $1:
# d = HMAC-SHA256(dev secret, "LS-ATTEST-KEY-v1" || 0 || digest) (counter 0: valid but for
# ~2^-32 of digests), and d * G computed by openssl from a SEC 1 ECPrivateKey (RFC 5915) DER.
attest_pub() {
	local d
	d=$(python3 -c "import hashlib, hmac, sys
print(hmac.new(b'LOCKSTEP-DEV-ATTEST-SECRET-NOT-4', b'LS-ATTEST-KEY-v1\\x00' + bytes.fromhex(sys.argv[1]),
               hashlib.sha256).hexdigest())" "$1")
	printf '30310201010420%sa00a06082a8648ce3d030107' "$d" | xxd -r -p |
		openssl ec -inform DER -pubout -outform DER 2>/dev/null | tail -c 65 | xxd -p | tr -d '\n'
}
# The key the hypervisor printed, and its id.
hyp_pub() { sed -n 's/^lockstep: attestation: public key \([0-9a-f]*\)\r*$/\1/p' "$log" | head -1; }
hyp_kid() { sed -n 's/^lockstep: attestation: key P-256, key id \([0-9a-f]*\)\r*$/\1/p' "$log" | head -1; }

# guest KEY: the value the guest printed as "lsattest: KEY VALUE".
guest() { sed -n "s/^lsattest: $1 //p" "$log" | head -1; }
loghex() { sed -n 's/^lsattest: loghex //p' "$log" | tr -d '\n'; }

# measured NAME CMDLINE FLAG: the checks on the host's view of a booted Lockstep (9).
# The ABI version this tree defines (include/lockstep/abi.h), as a regular expression.
LS_ABI_RE=$(sed -n 's/^#define LS_ABI_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h")\\.$(
	sed -n 's/^#define LS_ABI_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h")
measured() {
	local name=$1 cmd=$2 flag=$3 want_cmd
	want_cmd=$(printf '%s' "$cmd" | sha256sum | cut -d' ' -f1)
	assert "$name: Linux at EL1 loaded lockstep.ko and lockstep-measure.ko" \
		eval "has '^lockstep-initramfs: Lockstep hypervisor ABI ${LS_ABI_RE}' && has 'lockstep-measure: measurement log: [0-9]+ bytes, 5 events'"
	assert "$name: sysfs hypervisor = sha256sum of the image's first image_size bytes" \
		test "$(guest hypervisor)" = "$want_hyp"
	assert "$name: sysfs kernel = sha256sum of the kernel Image booted" \
		test "$(guest kernel)" = "$want_kernel"
	assert "$name: sysfs initrd = sha256sum of the initramfs booted" \
		test "$(guest initrd)" = "$want_initrd"
	assert "$name: sysfs cmdline = sha256 of the command line string" \
		test "$(guest cmdline)" = "$want_cmd"
	assert "$name: sysfs hyp_config = the hypervisor's own event, as its console printed it" \
		eval "[ -n \"\$(guest hyp_config)\" ] && has \"^lockstep: measured hyp-config: sha256 \$(guest hyp_config) \""
	assert "$name: the event log parses (tests/attest/mlog.py: layout, order, digests, lengths, flags)" \
		python3 "$top/tests/attest/mlog.py" "$(loghex)" "$(guest logsize)" "$want_hyp:$img_size" \
		"$want_kernel:$(stat -c %s "$kernel")" "$want_initrd:$(stat -c %s "$initrd")" \
		"$want_cmd:${#cmd}" "$flag"
	assert "$name: LS_FN_MEASURE_READ past the end -> LS_ERANGE" \
		test "$(guest pastend)" = "$(. /dev/stdin <<< "$(grep LS_X_ERANGE "$top/build/initramfs/etc/lockstep-abi.env")"; echo "$LS_X_ERANGE")"
	assert "$name: no kernel Oops/BUG/WARNING, clean power-off (${secs}s)" \
		eval "tap_kernel_clean '$log' && tap_poweroff '$log' '$qrc'"
}

# --- 1. good: signed, verified, measured -------------------------------------------
cmd="console=ttyAMA0 panic=-1 lsattest=1"
if esp good "$hyp" "$cmd"; then
	qboot good "lsattest: done|$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "good: loader verified the signature (ECDSA P-256, the development key)" \
		has "^lockstep-boot: hypervisor image .*: signature verified \(ECDSA P-256, key id $($signimg keyid "$key" | cut -c1-16 | tr a-f A-F)\)$"
	assert "good: no unsigned warning" hasnt 'UNSIGNED|allow_unsigned'
	assert "good: loader printed the kernel's measurement = sha256sum" \
		has "^lockstep-boot: measured .*Image: sha256 $(tr a-f A-F <<< "$want_kernel") "
	assert "good: the hypervisor took the log (its console lists the loader's 4 events)" \
		test "$(grep -c '^lockstep: measured \(hypervisor\|kernel\|initrd\|cmdline\):' "$log")" = 4
	assert "good: hypervisor installed, Linux continues at EL1" \
		has '^lockstep-boot: hypervisor installed'
	measured good "$cmd" sig_ok
	assert "good: the log has 5 events, 672 bytes" test "$(guest logsize)" = $((32 + 5 * 128))
	assert "good: attestation public key = d * G, d derived from the image digest (openssl)" \
		eval "[ -n \"\$(hyp_pub)\" ] && [ \"\$(hyp_pub)\" = \"\$(attest_pub $want_hyp)\" ]"
	assert "good: attestation key id = sha256 of the public key" \
		eval "[ \"\$(hyp_kid)\" = \"\$(hyp_pub | xxd -r -p | sha256sum | cut -c1-64)\" ]"
else
	tap_line "not ok" "good: ESP built ($(tail -1 "$work/esp-good.out"))"
fi

# --- 2-4. refusals: back to the firmware, EL2 untouched ----------------------------
refused() { # refused NAME IMAGE MESSAGE
	local name=$1 image=$2 msg=$3
	if esp "$name" "$image" "console=ttyAMA0 panic=-1"; then
		qboot "$name" "$FW_NEXT|$FW_CRASH|reboot: Power down"
		assert "$name: refused with a clear message ($msg)" \
			has "^lockstep-boot: ERROR: hypervisor image .* refused: .*$msg"
		assert "$name: the loader returns EFI_SECURITY_VIOLATION to the firmware" has "$RETURNED"
		assert "$name: nothing reserved, kernel not loaded, EL2 untouched (no Lockstep output)" \
			hasnt "$NOTOUCH"
		assert "$name: firmware goes on to its next boot option (${secs}s)" \
			test "$how" = pattern -a -n "$(grep -E "$FW_NEXT" "$log")"
		assert "$name: Linux never started" hasnt 'Linux version'
	else
		tap_line "not ok" "$name: ESP built"
	fi
}
tampered=$work/tampered.bin
python3 - "$hyp" "$tampered" <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
size = struct.unpack_from("<Q", d, 24)[0]
hdr = struct.unpack_from("<I", d, 4)[0]
d[size // 2] ^= 0x01                      # one byte of the image body
struct.pack_into("<I", d, 20, zlib.crc32(bytes(d[hdr:size])) & 0xffffffff)
open(sys.argv[2], "wb").write(d)
PY
refused tampered "$tampered" 'signature does not verify'
unsigned=$work/unsigned.bin
$signimg strip "$hyp" "$unsigned"
refused unsigned "$unsigned" 'image is not signed'
other=$work/other.bin
$signimg genkey "$work/other.pem" && $signimg sign "$work/other.pem" "$hyp" "$other" > /dev/null
refused otherkey "$other" 'signed by another key'

# --- 5. allow_unsigned=1: boots, loudly, and the log says so --------------------------
cmd="console=ttyAMA0 panic=-1 lsattest=1 lsboot=allow"
if esp allow "$unsigned" "$cmd" ESP_ALLOW_UNSIGNED=1; then
	qboot allow "lsattest: done|$FW_NEXT|$FW_CRASH|reboot: Power down"
	assert "allow: loud warnings: development mode, image unsigned, boot not trustworthy" \
		eval "has '^lockstep-boot: \\*\\*\\* DEVELOPMENT MODE \\(allow_unsigned=1\\)' && has '^lockstep-boot: \\*\\*\\* UNSIGNED HYPERVISOR \\*\\*\\*: .*image is not signed.*allow_unsigned=1. THIS BOOT IS NOT TRUSTWORTHY' && has '^lockstep: measured hypervisor: .* UNSIGNED$'"
	measured allow "$cmd" unsigned
else
	tap_line "not ok" "allow: ESP built"
fi
exit 0
