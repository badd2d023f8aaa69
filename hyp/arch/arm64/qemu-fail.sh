#!/usr/bin/env bash
# qemu-fail.sh ESP LOG: boot an ESP whose table pool is too small for Lockstep
# (pool_mib=1: the ownership database of 2 GiB of RAM alone needs 1 MiB) and check
# the failure contract of include/lockstep/boot.h: the entry returns at EL2 with
# x0 < 0 and nothing installed, so the loader boots Linux without Lockstep and Linux
# finds EL2 untouched. TAP on stdout (suite hyp-qemu-fail, mk/hyp.mk); exits 0.
set -u
esp=$1 log=$2
timeout_s=${QEMU_TIMEOUT:-180}
n=0
tap() { n=$((n + 1)); if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
has() { grep -qE -- "$1" "$log"; }
assert() { local name=$1; shift; if "$@"; then tap OK "$name"; else tap FAIL "$name"; fi; }

[ -f "$esp" ] || { tap FAIL "ESP image $esp exists"; exit 0; }
work=$(mktemp -d)
cp /usr/share/AAVMF/AAVMF_VARS.fd "$work/vars.fd"
timeout --foreground -k 10 "$timeout_s" qemu-system-aarch64 \
	-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on \
	-smp 4 -m 2G -nographic -no-reboot \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd \
	-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
	-drive if=none,id=esp,format=raw,snapshot=on,file="$esp" -device virtio-blk-pci,drive=esp \
	</dev/null 2>&1 | tr -d '\r' > "$log"
qrc=${PIPESTATUS[0]}
rm -rf "$work"
echo "# serial log $log, QEMU exit $qrc"
assert "QEMU finished within ${timeout_s}s" test "$qrc" != 124 -a "$qrc" != 137
assert "banner printed before the failure" has '^Lockstep v[0-9]'
assert "Lockstep explains the failure (table pool too small)" has '^lockstep: table pool too small'
assert "the entry returned an error at EL2 (loader: entry failed)" \
	has 'lockstep-boot: hypervisor entry failed'
assert "no CPU was set up by Lockstep" bash -c "! grep -q 'EL2 ready' '$log'"
assert "Linux finds EL2 untouched (All CPU(s) started at EL2)" has 'CPU: All CPU\(s\) started at EL2'
assert "4 CPUs come up through the firmware's own PSCI" has 'smp: Brought up [0-9]+ nodes?, 4 CPUs'
assert "clean poweroff" has 'reboot: Power down'
