#!/usr/bin/env bash
# The svm-qemu suite's initramfs: busybox (amd64, static), tests/svm-qemu/init, the
# vmmcall and rdmsr helpers, the kernel's msr.ko, lockstep.ko and
# edu_test.ko (x86_64).
#   mkinitramfs.sh OUT BUSYBOX VMMCALL RDMSR MSR_KO_XZ LOCKSTEP_KO EDU_KO
set -euo pipefail
out=$1 busybox=$2 vmmcall=$3 rdmsr=$4 msr=$5 ko=$6 edu=$7
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/run"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
cp "$vmmcall" "$tmp/vmmcall"
cp "$rdmsr" "$tmp/rdmsr"
xz -dc "$msr" > "$tmp/msr.ko"
cp "$ko" "$tmp/lockstep.ko"
cp "$edu" "$tmp/edu_test.ko"
chmod +x "$tmp/init" "$tmp/vmmcall" "$tmp/rdmsr"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
