#!/usr/bin/env bash
# A minimal test initrd for the loader's boot tests: busybox and an /init that
# prints a marker with the kernel command line, then powers off.
#   mkinitrd.sh OUT.cpio.gz BUSYBOX
set -euo pipefail
out=$1 busybox=$2
[ -x "$busybox" ] || { echo "mkinitrd: no busybox at $busybox" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev"
cp "$busybox" "$tmp/bin/busybox"
cat > "$tmp/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "lockstep-boot-test: initrd /init running at $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
INIT
chmod +x "$tmp/init"
# The kernel's built-in initramfs normally provides /dev/console; add it when we can.
mknod "$tmp/dev/console" c 5 1 2>/dev/null || true
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
