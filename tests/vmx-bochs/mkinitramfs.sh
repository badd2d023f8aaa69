#!/usr/bin/env bash
# The vmx-bochs suite's initramfs: busybox (amd64, static), tests/vmx-bochs/init, the rdmsr
# helper (tests/svm-qemu/rdmsr.c), the kernel's msr.ko, lockstep.ko (x86_64) and the ioport
# helper (tests/vmx-bochs/ioport.c).
#   mkinitramfs.sh OUT BUSYBOX RDMSR MSR_KO_XZ LOCKSTEP_KO IOPORT
set -euo pipefail
out=$1 busybox=$2 rdmsr=$3 msr=$4 ko=$5 ioport=$6
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/run"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
cp "$rdmsr" "$tmp/rdmsr"
cp "$ioport" "$tmp/ioport"
xz -dc "$msr" > "$tmp/msr.ko"
cp "$ko" "$tmp/lockstep.ko"
chmod +x "$tmp/init" "$tmp/rdmsr" "$tmp/ioport"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
