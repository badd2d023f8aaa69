#!/usr/bin/env bash
# Build the test/demo initramfs: mkinitramfs.sh OUT.cpio.gz BUSYBOX LOCKSTEP_KO TOP
# Busybox (arm64, static) is unpacked, not installed: /init creates the applet
# links at boot. We run as root, so device nodes are made directly in the staging tree.
set -euo pipefail
out=$1 busybox=$2 ko=$3 top=$4
here=$(cd "$(dirname "$0")" && pwd)
stage=$(dirname "$out")/initramfs
hostcc=${HOSTCC:-gcc}

rm -rf "$stage"
mkdir -p "$stage"/{bin,dev,etc,lib/modules,proc,sys,run,tmp,root}
install -m 0755 "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$here/init" "$stage/init"
install -m 0755 "$here/lstest" "$stage/lstest"
install -m 0644 "$ko" "$stage/lib/modules/lockstep.ko"
install -m 0755 "$here/lsattest" "$stage/lsattest"
# Built beside lockstep.ko by the same Kbuild (host-driver/Kbuild).
if [ -f "$(dirname "$ko")/lockstep-measure.ko" ]; then
	install -m 0644 "$(dirname "$ko")/lockstep-measure.ko" "$stage/lib/modules/"
fi
# Files other make fragments add (INITRAMFS_EXTRA: "SRC:DEST ..." with DEST relative to /),
# e.g. lsvm and the guest payloads (mk/vm.mk).
for pair in ${INITRAMFS_EXTRA:-}; do
	src=${pair%%:*} dst=${pair#*:}
	mkdir -p "$stage/$(dirname "$dst")"
	install -m 0755 "$src" "$stage/$dst"
done
# The kernel opens /dev/console before /init runs, ahead of devtmpfs.
mknod -m 0600 "$stage/dev/console" c 5 1
mknod -m 0666 "$stage/dev/null" c 1 3

# ABI constants for the in-guest tests, taken from include/lockstep/abi.h.
gen=$(dirname "$out")/abi-env
$hostcc -Wall -Wextra -Werror -I"$top/include" -o "$gen" "$here/abi-env.c"
"$gen" > "$stage/etc/lockstep-abi.env"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(stat -c %s "$out") bytes)"
