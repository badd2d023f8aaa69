#!/usr/bin/env bash
# A minimal test initrd for the loader's boot tests: busybox and an /init that
# prints a marker with the kernel command line, loads virtio_blk (a module in the
# Debian kernel) and lists the block devices, so the boot tests see whether the PCI
# disk behind the SMMU probed, then powers off.
#   mkinitrd.sh OUT.cpio.gz BUSYBOX [VIRTIO_BLK.ko.xz]
set -euo pipefail
out=$1 busybox=$2 vblk=${3:-}
[ -x "$busybox" ] || { echo "mkinitrd: no busybox at $busybox" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/dev" "$tmp/sys"
cp "$busybox" "$tmp/bin/busybox"
# busybox insmod takes an uncompressed module.
[ -n "$vblk" ] && xz -dc "$vblk" > "$tmp/virtio_blk.ko"
cat > "$tmp/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
echo "lockstep-boot-test: initrd /init running at $($bb cat /proc/cmdline)"
if [ -f /virtio_blk.ko ]; then
	$bb insmod /virtio_blk.ko || echo "lockstep-boot-test: insmod virtio_blk failed"
	# As many vd* disks as virtio-blk PCI functions (transitional 0x1001, modern 0x1042).
	want=$($bb cat /sys/bus/pci/devices/*/device | $bb grep -cE '^0x10(01|42)$')
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$($bb ls /sys/block | $bb grep -c '^vd')" -ge "$want" ] && break; $bb sleep 0.2
	done
fi
echo "lockstep-boot-test: block devices: $($bb ls /sys/block | $bb tr '\n' ' ')"
# The first bytes of every virtio disk (read by DMA through whatever translates it).
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
for d in /sys/block/vd*; do
	[ -e "$d" ] || continue
	d=${d##*/}
	echo "lockstep-boot-test: $d head: $($bb dd if=/dev/$d bs=512 count=1 2>/dev/null | $bb head -c 24 | $bb tr -c 'A-Za-z0-9-' '.')"
done
echo "lockstep-boot-test: MSI interrupt lines: $($bb grep -c MSI /proc/interrupts)"
# x86: the firmware's DMAR as Linux sees it (boot/tests/x86-run.sh compares it with the
# loader's report and keeps it as a unit-test fixture).
if [ -r /sys/firmware/acpi/tables/DMAR ]; then
	echo "lockstep-boot-test: DMAR hex: $($bb od -An -tx1 -v /sys/firmware/acpi/tables/DMAR | $bb tr -d ' \n')"
fi
$bb poweroff -f
INIT
chmod +x "$tmp/init"
# The kernel's built-in initramfs normally provides /dev/console; add it when we can.
mknod "$tmp/dev/console" c 5 1 2>/dev/null || true
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
