#!/usr/bin/env bash
# A GRUB (i386-pc, El Torito) CD image for the multiboot2 TEST loader (docs/boot.md "Legacy
# multiboot2 path (tests only)"): GRUB loads boot/lsmb2.elf with multiboot2 and four
# modules, each named by its module string: lockstep.cfg (the UEFI loader's format), the
# hypervisor image, the Linux bzImage and the initramfs.
#
#   mkiso.sh OUT LOADER KERNEL INITRD [HYP]
#
# Environment: MB2_CMDLINE (kernel command line, default "console=ttyS0 panic=-1"),
# MB2_CPUS (cpus=, default 2), MB2_POOL_MIB (pool_mib=, default 32), MB2_CFG_EXTRA (more
# lockstep.cfg lines). Without HYP the configuration has no hypervisor= line: Linux boots
# directly.
set -euo pipefail
out=$1 loader=$2 kernel=$3 initrd=$4 hyp=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/boot/grub"
cp "$loader" "$tmp/boot/lsmb2.elf"
cp "$kernel" "$tmp/boot/vmlinuz"
cp "$initrd" "$tmp/boot/initrd.gz"
{
	echo "# lockstep.cfg of the multiboot2 test path (boot/mb2/mkiso.sh)"
	[ -n "$hyp" ] && echo "hypervisor=lockstep.bin"
	echo "kernel=vmlinuz"
	echo "initrd=initrd.gz"
	echo "cmdline=${MB2_CMDLINE:-console=ttyS0 panic=-1}"
	echo "cpus=${MB2_CPUS:-2}"
	echo "pool_mib=${MB2_POOL_MIB:-32}"
	[ -n "${MB2_CFG_EXTRA:-}" ] && printf '%s\n' "$MB2_CFG_EXTRA"
} > "$tmp/boot/lockstep.cfg"
hypmod=
if [ -n "$hyp" ]; then
	cp "$hyp" "$tmp/boot/lockstep.bin"
	hypmod="module2 /boot/lockstep.bin lockstep.bin"
fi
cat > "$tmp/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "Lockstep (multiboot2 test path)" {
	echo "grub: loading lsmb2.elf and its modules"
	multiboot2 /boot/lsmb2.elf
	module2 /boot/lockstep.cfg lockstep.cfg
	$hypmod
	module2 /boot/vmlinuz vmlinuz
	module2 /boot/initrd.gz initrd.gz
	boot
}
CFG
grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out.tmp" "$tmp" > "$tmp.log" 2>&1 ||
	{ cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
mv "$out.tmp" "$out"
