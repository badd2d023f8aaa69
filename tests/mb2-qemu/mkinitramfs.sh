#!/usr/bin/env bash
# The mb2-qemu suite's initramfs: busybox (amd64, static), tests/mb2-qemu/init, lockstep.ko
# (x86_64) and a marker file whose content the harness checks (the initrd arrived whole).
#   mkinitramfs.sh OUT BUSYBOX LOCKSTEP_KO
set -euo pipefail
out=$1 busybox=$2 ko=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/run"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
cp "$ko" "$tmp/lockstep.ko"
echo "mb2-initrd-marker-5e1f" > "$tmp/mb2-marker"
chmod +x "$tmp/init"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
