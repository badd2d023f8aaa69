#!/usr/bin/env bash
# The pviommu-x86 suite's initramfs: busybox (amd64, static), tests/pviommu-x86/init, the ABI
# constants (/etc/pviommu-x86.env, from tests/pviommu/abi-env.c), lockstep.ko,
# lockstep-iommu.ko, edu_test.ko and the kernel's virtio_blk, failover, net_failover and
# virtio_net modules (x86_64).
#   mkinitramfs.sh OUT BUSYBOX LOCKSTEP_KO PVIOMMU_KO EDU_KO MODDIR ABI_ENV...
set -euo pipefail
out=$1 busybox=$2 ko=$3 pvko=$4 edu=$5 mods=$6
shift 6
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys" "$tmp/run" "$tmp/etc"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
for e in "$@"; do "$e"; done > "$tmp/etc/pviommu-x86.env"
cp "$ko" "$tmp/lockstep.ko"
cp "$pvko" "$tmp/lockstep-iommu.ko"
cp "$edu" "$tmp/edu_test.ko"
for m in drivers/block/virtio_blk net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	xz -dc "$mods/kernel/$m.ko.xz" > "$tmp/${m##*/}.ko"
done
chmod +x "$tmp/init"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
