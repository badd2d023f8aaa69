#!/usr/bin/env bash
# The svm-dma suite's initramfs: busybox (amd64, static), tests/svm-dma/init, the ABI
# constants (/etc/svm-dma.env, from ABI_ENV), lockstep.ko, edu_test.ko and the kernel's
# virtio_blk, failover, net_failover and virtio_net modules (x86_64).
#   mkinitramfs.sh OUT BUSYBOX ABI_ENV LOCKSTEP_KO EDU_KO MODDIR
set -euo pipefail
out=$1 busybox=$2 abienv=$3 ko=$4 edu=$5 mods=$6
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/run" "$tmp/etc"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
"$abienv" > "$tmp/etc/svm-dma.env"
cp "$ko" "$tmp/lockstep.ko"
cp "$edu" "$tmp/edu_test.ko"
for m in drivers/block/virtio_blk net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	xz -dc "$mods/kernel/$m.ko.xz" > "$tmp/${m##*/}.ko"
done
chmod +x "$tmp/init"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
