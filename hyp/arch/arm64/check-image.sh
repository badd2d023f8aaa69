#!/usr/bin/env bash
# check-image.sh ELF BIN VERSION: static checks of the EL2 image, as TAP on stdout
# (suite hyp-check, mk/hyp.mk). Always exits 0; the runner counts the verdicts.
#
#  - the flat image starts with a valid struct ls_image_hdr (include/lockstep/boot.h)
#    whose sizes, entry, version and CRC-32 match the ELF and the file;
#  - every dynamic relocation is R_AARCH64_RELATIVE (all head.S applies);
#  - no instruction names an FP/SIMD/SVE/SME register, and the scanner finds one
#    when there is one (self-test on a two-instruction object);
#  - the W^X layout the EL2 stage-1 relies on: text, read-only and writable parts
#    page aligned, no writable section in text/rodata, no executable one after text;
#  - the vector table is 2 KiB aligned (VBAR_EL2[10:0] are RES0).
set -u
elf=$1 bin=$2 version=$3
cross=${CROSS:-aarch64-linux-gnu-}
here=$(cd "$(dirname "$0")" && pwd)
n=0
tap() { # tap OK|FAIL NAME
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@"; then tap OK "$name"; else tap FAIL "$name"; fi
}
sym() { # decimal value of symbol $1 (empty if absent)
	local h
	h=$("${cross}nm" "$elf" | awk -v s="$1" '$3 == s { print $1 }')
	[ -n "$h" ] && echo $((16#$h))
}

echo "1..7"	# the plan: the seven checks below (tests/run.sh counts them)
[ -f "$elf" ] && [ -f "$bin" ] || { echo "not ok 1 - image files exist ($elf, $bin)"; exit 0; }

# --- header -------------------------------------------------------------------------
hdr_ok() {
	python3 - "$bin" 2>&1 "$(sym arm64_entry)" "$(sym _end)" "$version" <<'PY'
import struct, sys, zlib
path, entry, end, version = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = open(path, "rb").read()
# A signed image ends with the 128-byte signature trailer (boot.h struct ls_image_sig).
if len(data) >= 80 and len(data) - struct.unpack_from("<Q", data, 24)[0] == 128:
    if struct.unpack_from("<QII", data, len(data) - 128) != (0x313030474953534C, 128, 1):
        print("# header: signature trailer malformed")
        sys.exit(1)
    data = data[:-128]
(branch, hdr_size, magic, hdr_version, crc, image_size, mem_size, entry_off, ver) = \
    struct.unpack_from("<IIQIIQQQQ", data, 0)
name = data[56:72].rstrip(b"\0")
errs = []
if magic != 0x5045545354534b4c: errs.append("magic %#x" % magic)
if hdr_version != 1 or hdr_size != 72: errs.append("version %d size %d" % (hdr_version, hdr_size))
if image_size != len(data): errs.append("image_size %d != file %d" % (image_size, len(data)))
if mem_size != end or mem_size % 4096: errs.append("mem_size %#x != _end %#x" % (mem_size, end))
if entry_off != entry: errs.append("entry %#x != arm64_entry %#x" % (entry_off, entry))
if ver != version: errs.append("version %#x != %#x" % (ver, version))
if crc != zlib.crc32(data[hdr_size:]) & 0xffffffff: errs.append("crc32 mismatch")
if name != b"lockstep": errs.append("name %r" % name)
# branch: B imm26 (0b000101) to the entry point
if branch >> 26 != 0b000101 or (branch & 0x3ffffff) * 4 != entry: errs.append("branch %#x" % branch)
for e in errs: print("# header: " + e)
sys.exit(1 if errs else 0)
PY
}
check "image header: magic, sizes, entry branch, version, CRC-32" hdr_ok

relocs_ok() {
	local all bad
	all=$("${cross}readelf" -rW "$elf" | awk '/ R_AARCH64_/ { print $3 }')
	bad=$(grep -v '^R_AARCH64_RELATIVE$' <<< "$all")
	echo "# $(grep -c . <<< "$all") dynamic relocations"
	[ -n "$all" ] && [ -z "$bad" ]
}
check "dynamic relocations are all R_AARCH64_RELATIVE (and present: -static-pie)" relocs_ok

fp_clean() {
	local out
	out=$("$here/fpscan.sh" "${cross}objdump" "$elf")
	[ -z "$out" ] || { echo "$out" | head -5 | sed 's/^/# /'; return 1; }
}
check "no FP/SIMD/SVE register in any instruction of the image" fp_clean

fp_selftest() {
	local t
	t=$(mktemp -d)
	printf '\tfmov d0, x1\n\tadd x0, x0, #1\n\tld1 {v3.16b}, [x0]\n' > "$t/fp.S"
	"${cross}gcc" -c "$t/fp.S" -o "$t/fp.o" &&
		[ "$("$here/fpscan.sh" "${cross}objdump" "$t/fp.o" | wc -l)" = 2 ]
	local rc=$?
	rm -rf "$t"
	return $rc
}
check "FP scanner flags exactly the 2 FP/SIMD instructions of a test object" fp_selftest

layout_ok() {
	local te re
	te=$(sym __text_end) re=$(sym __rodata_end)
	[ -n "$te" ] && [ -n "$re" ] && [ $((te % 4096)) = 0 ] && [ $((re % 4096)) = 0 ] &&
		[ "$(sym _start)" = 0 ] || return 1
	# Allocated sections: writable ones start at or after __rodata_end, executable ones
	# end at or before __text_end.
	"${cross}readelf" -SW "$elf" | sed 's/\[ */[/' | awk -v te="$te" -v re="$re" '
		function hex(s,  i, v) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		$1 ~ /^\[[0-9]+\]$/ && $2 != "" {
			addr = hex($4); size = hex($6); flg = $8
			if (flg !~ /A/) next
			if (flg ~ /W/ && addr < re) { print "# writable " $2 " below __rodata_end"; bad = 1 }
			if (flg ~ /X/ && addr + size > te) { print "# executable " $2 " past __text_end"; bad = 1 }
		}
		END { exit bad }'
}
check "W^X layout: text | rodata | data page aligned, no W below rodata end, no X past text" \
	layout_ok

vectors_ok() { local v; v=$(sym arm64_vectors); [ -n "$v" ] && [ $((v % 2048)) = 0 ]; }
check "EL2 vector table 2 KiB aligned" vectors_ok

undef_ok() { [ -z "$("${cross}nm" -u "$elf")" ]; }
check "no undefined symbols" undef_ok
