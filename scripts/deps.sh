#!/usr/bin/env bash
# Install everything Lockstep needs on Debian 12 (bookworm). Idempotent: a second
# run with everything present only checks and returns within seconds.
#
#  - host packages by name (apt), QEMU >= 10 from bookworm-backports;
#  - arm64 packages that would conflict with host ones (gnu-efi, busybox-static)
#    and the arm64 Linux 6.12 image + headers are downloaded with
#    `apt-get download` and unpacked with `dpkg -x` under build/deps/;
#  - the legacy-BIOS multiboot2 test path (docs/boot.md "Legacy multiboot2 path (tests
#    only)"): GRUB for i386-pc and xorriso (grub-mkrescue's CD images), Bochs 2.7 with its
#    BIOS, VGA BIOS and the `term` display library (tests/bochs/run.sh);
#  - x86_64 (docs/boot.md "x86_64"): gnu-efi is the host (amd64) package; the amd64
#    busybox-static and Linux 6.12 image (same ABI as the arm64 one) are unpacked
#    under build/deps/busybox-x86 and build/deps/linux-x86 (no host install needed).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps=$top/build/deps
stamp=$deps/.stamp-v2
mkdir -p "$deps"

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

HOST_PKGS=(make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	clang lld llvm libclang-rt-14-dev libfuzzer-14-dev libcmocka-dev
	cppcheck clang-format clang-tidy valgrind mtools dosfstools cpio xz-utils
	bc python3 dwarves qemu-efi-aarch64 ovmf newlib-source gdb-multiarch
	flex bison libelf-dev libssl-dev acpica-tools device-tree-compiler gnu-efi
	dpkg-dev openssl
	grub-pc-bin grub-common xorriso bochs bochsbios vgabios bochs-term)
BPO_PKGS=(qemu-system-arm qemu-system-x86)

log() { printf 'deps: %s\n' "$*"; }

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$p"
	done
}

qemu_ok() {
	command -v qemu-system-aarch64 >/dev/null 2>&1 || return 1
	local v
	v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge 10 ]
}

# The fast path also needs every unpacked tree a later version of this script added
# (a stamp from an older run does not know about them).
if [ -f "$stamp" ] && [ -z "$(missing_pkgs "${HOST_PKGS[@]}")" ] && qemu_ok &&
	ls "$deps"/linux-x86-headers/.done-* >/dev/null 2>&1; then
	log "all present ($(qemu-system-aarch64 --version | head -1))"
	exit 0
fi

# --- apt sources: arm64 foreign architecture, backports, deb-src --------------
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding arm64 foreign architecture"
	$SUDO dpkg --add-architecture arm64
	need_update=1
fi
src=/etc/apt/sources.list.d/lockstep.sources
if [ ! -f "$src" ]; then
	log "adding bookworm-backports and deb-src sources ($src)"
	$SUDO tee "$src" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	need_update=1
fi
if [ $need_update = 1 ] || [ ! -f "$deps/.apt-updated" ]; then
	$SUDO apt-get update -q
	touch "$deps/.apt-updated"
fi

# --- host packages -------------------------------------------------------------
mapfile -t miss < <(missing_pkgs "${HOST_PKGS[@]}")
if [ ${#miss[@]} -gt 0 ]; then
	log "installing: ${miss[*]}"
	$SUDO apt-get install -y -q --no-install-recommends "${miss[@]}"
fi
if ! qemu_ok; then
	log "installing QEMU >= 10 from bookworm-backports"
	$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}"
fi

# --- arm64 packages unpacked under build/deps ----------------------------------
# Resolve the current Debian backports arm64 6.12 kernel ABI from its meta-package.
kver=$(apt-cache depends linux-headers-6.12-arm64:arm64 2>/dev/null |
	sed -n 's/.*Depends: linux-headers-\(6\.12\.[^ ]*-arm64\)\(:arm64\)\?$/\1/p' | head -1)
[ -n "$kver" ] || { echo "deps: cannot resolve the arm64 6.12 kernel version" >&2; exit 1; }
kbase=${kver%-arm64}

unpack() { # unpack NAME DIR: download a .deb by name and dpkg -x it into DIR
	local name=$1 dir=$2 tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q "$name" >/dev/null)
	mkdir -p "$dir"
	dpkg -x "$tmp"/*.deb "$dir"
	rm -rf "$tmp"
}

if [ ! -f "$deps/gnu-efi/.done" ]; then
	log "unpacking gnu-efi:arm64"
	rm -rf "$deps/gnu-efi"; unpack gnu-efi:arm64 "$deps/gnu-efi"; touch "$deps/gnu-efi/.done"
fi
if [ ! -f "$deps/busybox/.done" ]; then
	log "unpacking busybox-static:arm64"
	rm -rf "$deps/busybox"; unpack busybox-static:arm64 "$deps/busybox"; touch "$deps/busybox/.done"
fi
if [ ! -f "$deps/linux/.done-$kver" ]; then
	log "unpacking arm64 Linux $kver image, headers and kbuild"
	rm -rf "$deps/linux"
	unpack "linux-image-$kver-unsigned:arm64" "$deps/linux"
	unpack "linux-headers-$kver:arm64" "$deps/linux"
	unpack "linux-headers-$kbase-common:all" "$deps/linux" 2>/dev/null ||
		unpack "linux-headers-$kbase-common" "$deps/linux"
	unpack "linux-kbuild-$kbase" "$deps/linux"
	# The headers' Makefile includes the common tree by absolute path: repoint it.
	hdr=$deps/linux/usr/src/linux-headers-$kver
	sed -i "s#/usr/src/linux-headers-$kbase-common#$deps/linux/usr/src/linux-headers-$kbase-common#g" \
		"$hdr/Makefile"
	# scripts/ and tools/ are symlinks into /usr/lib/linux-kbuild-*: repoint them.
	for l in "$hdr"/scripts "$hdr"/tools "$deps/linux/usr/src/linux-headers-$kbase-common"/scripts \
		"$deps/linux/usr/src/linux-headers-$kbase-common"/tools; do
		[ -L "$l" ] || continue
		t=$(readlink "$l")
		case "$t" in /*) ln -sfn "$deps/linux$t" "$l" ;; esac
	done
	ln -sfn "linux-headers-$kver" "$deps/linux/usr/src/linux-headers-lockstep"
	echo "$kver" > "$deps/linux/KVER"
	touch "$deps/linux/.done-$kver"
fi

# --- x86_64 test machine: amd64 busybox and Linux image, same 6.12 ABI -------------
kver_x86=${kver%-arm64}-amd64
if [ ! -f "$deps/busybox-x86/.done" ]; then
	log "unpacking busybox-static:amd64"
	rm -rf "$deps/busybox-x86"; unpack busybox-static:amd64 "$deps/busybox-x86"
	touch "$deps/busybox-x86/.done"
fi
if [ ! -f "$deps/linux-x86/.done-$kver_x86" ]; then
	log "unpacking amd64 Linux $kver_x86 image"
	rm -rf "$deps/linux-x86"
	unpack "linux-image-$kver_x86-unsigned:amd64" "$deps/linux-x86"
	echo "$kver_x86" > "$deps/linux-x86/KVER"
	touch "$deps/linux-x86/.done-$kver_x86"
fi
# The amd64 headers for lockstep.ko on x86 (mk/driver.mk "driver-x86"); they share the
# common tree and kbuild unpacked with the arm64 ones above (same 6.12 release).
if [ ! -f "$deps/linux-x86-headers/.done-$kver_x86" ]; then
	log "unpacking amd64 Linux $kver_x86 headers"
	rm -rf "$deps/linux-x86-headers"
	unpack "linux-headers-$kver_x86:amd64" "$deps/linux-x86-headers"
	hdr=$deps/linux-x86-headers/usr/src/linux-headers-$kver_x86
	sed -i "s#/usr/src/linux-headers-$kbase-common#$deps/linux/usr/src/linux-headers-$kbase-common#g" \
		"$hdr/Makefile"
	for l in "$hdr"/scripts "$hdr"/tools; do
		[ -L "$l" ] || continue
		t=$(readlink "$l")
		case "$t" in
		/*) ln -sfn "$deps/linux$t" "$l" ;;
		../../lib/*) ln -sfn "$deps/linux/usr/lib/${t#../../lib/}" "$l" ;;
		esac
	done
	ln -sfn "linux-headers-$kver_x86" "$deps/linux-x86-headers/usr/src/linux-headers-lockstep"
	touch "$deps/linux-x86-headers/.done-$kver_x86"
fi

touch "$stamp"
log "done ($(qemu-system-aarch64 --version | head -1); arm64 kernel $kver)"
