#!/usr/bin/env bash
# Build mbedtls' libmbedcrypto.a for one Lockstep target, once.
#
#   scripts/mbedtls.sh KIND [OUT]     (OUT defaults to build/mbedtls)
#
# KIND: hyp          the EL2 hypervisor (aarch64, freestanding, newlib's headers, -fpie)
#       efi-aarch64  BOOTAA64.EFI (aarch64, freestanding, -fpic, linked with gnu-efi)
#       efi-x86_64   BOOTX64.EFI (x86_64, freestanding, -fpic, no red zone)
#       host         host-native, ASan+UBSan, for the known-answer tests (tests/crypto)
#
# Source: Debian's mbedtls source package (bookworm: 2.28.3), fetched with
# `apt-get source` (deb-src of scripts/deps.sh) into OUT/dl and unpacked with
# dpkg-source (Debian's patches applied) into OUT/src, once for every kind.
# Configuration: lib/mbedtls/lockstep_config.h (MBEDTLS_CONFIG_FILE): SHA-256,
# ECDSA P-256, nothing else. Only the library files that configuration needs are
# compiled (MBEDTLS_FILES below). Result: OUT/KIND/libmbedcrypto.a, the headers
# stay in OUT/src/include. OUT/KIND/.stamp-<key> makes a second run a no-op; the key
# covers this script and the configuration header.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:?usage: mbedtls.sh KIND [OUT]}
out=${2:-$top/build/mbedtls}
cross=${CROSS:-aarch64-linux-gnu-}
cfg=$top/lib/mbedtls/lockstep_config.h
newlib_inc=${NEWLIB_INC:-$top/build/newlib/install/aarch64-none-elf/include}
version=2.28.3

# The files lockstep_config.h enables (lib/mbedtls/files.txt, the one list: the fuzzer and
# the benchmark compile the same ones); a file for a disabled module would compile to
# nothing, but listing exactly these keeps the archive (and `make cloc`) honest.
files=$top/lib/mbedtls/files.txt
read -r -a MBEDTLS_FILES <<<"$(tr '\n' ' ' <"$files")"

key=$(cat "$0" "$cfg" "$files" | sha256sum | cut -c1-16)
dir=$out/$kind
lib=$dir/libmbedcrypto.a
stamp=$dir/.stamp-$key
if [ -f "$stamp" ] && [ -f "$lib" ]; then
	exit 0
fi
mkdir -p "$out"
exec 9>"$out.lock"
flock 9
if [ -f "$stamp" ] && [ -f "$lib" ]; then
	exit 0
fi

# --- the source, once -------------------------------------------------------------
src=$out/src
if [ ! -f "$src/.stamp-$version" ]; then
	command -v dpkg-source >/dev/null ||
		{ echo "mbedtls: dpkg-source missing (apt-get install dpkg-dev; make deps)" >&2; exit 1; }
	echo "mbedtls: fetching Debian's mbedtls $version source package (apt-get source)"
	rm -rf "$out/dl" "$src"
	mkdir -p "$out/dl"
	(cd "$out/dl" && apt-get source --download-only "mbedtls=$version-1" >"$out/dl.log" 2>&1) ||
		{ tail -5 "$out/dl.log" >&2
		  echo "mbedtls: apt-get source failed (deb-src line: scripts/deps.sh)" >&2; exit 1; }
	dpkg-source -x "$out/dl/mbedtls_$version-1.dsc" "$src" >"$out/unpack.log" 2>&1 ||
		{ tail -5 "$out/unpack.log" >&2; exit 1; }
	touch "$src/.stamp-$version"
fi

# --- one kind ---------------------------------------------------------------------
common="-std=gnu11 -O2 -g -DMBEDTLS_CONFIG_FILE=\"lockstep_config.h\" -I$top/lib/mbedtls"
common+=" -I$src/include -fno-strict-aliasing"
case $kind in
hyp)
	cc="${cross}gcc"
	ar="${cross}ar"
	[ -d "$newlib_inc" ] || { echo "mbedtls: newlib headers missing ($newlib_inc)" >&2; exit 1; }
	flags="-ffreestanding -fpie -mgeneral-regs-only -mno-outline-atomics -fno-tree-vectorize"
	flags+=" -nostdinc -isystem $(${cc} -print-file-name=include) -isystem $newlib_inc"
	;;
efi-aarch64)
	cc="${cross}gcc"
	ar="${cross}ar"
	[ -d "$newlib_inc" ] || { echo "mbedtls: newlib headers missing ($newlib_inc)" >&2; exit 1; }
	flags="-ffreestanding -fpic -fno-stack-protector -fno-stack-check -fshort-wchar"
	flags+=" -mgeneral-regs-only -fvisibility=hidden -fno-tree-vectorize"
	flags+=" -nostdinc -isystem $(${cc} -print-file-name=include) -isystem $newlib_inc"
	;;
efi-x86_64)
	cc=gcc
	ar=ar
	[ -d "$newlib_inc" ] || { echo "mbedtls: newlib headers missing ($newlib_inc)" >&2; exit 1; }
	flags="-ffreestanding -fpic -fno-stack-protector -fno-stack-check -fshort-wchar"
	flags+=" -mno-red-zone -mgeneral-regs-only -fvisibility=hidden -fno-tree-vectorize"
	flags+=" -nostdinc -isystem $(${cc} -print-file-name=include) -isystem $newlib_inc"
	;;
host)
	cc=${HOSTCC:-gcc}
	ar=ar
	flags="-fPIC -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	;;
*)
	echo "mbedtls: unknown kind $kind" >&2
	exit 1
	;;
esac

echo "mbedtls: building libmbedcrypto.a for $kind (cached in ${dir#$top/})"
rm -rf "$dir"
mkdir -p "$dir"
objs=()
for f in "${MBEDTLS_FILES[@]}"; do
	# shellcheck disable=SC2086
	$cc $common $flags -c "$src/library/$f.c" -o "$dir/$f.o" 2>>"$dir/build.log" ||
		{ tail -20 "$dir/build.log" >&2; exit 1; }
	objs+=("$dir/$f.o")
done
$ar rcs "$lib" "${objs[@]}"
touch "$stamp"
echo "mbedtls: $kind done ($(du -h "$lib" | cut -f1) libmbedcrypto.a)"
