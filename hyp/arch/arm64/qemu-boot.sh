#!/usr/bin/env bash
# qemu-boot.sh SCENARIO ESP LOG: boot a Lockstep ESP built for SCENARIO on QEMU (the
# machine of tests/qemu) and check what Lockstep and Linux print. TAP on stdout (suites
# hyp-qemu-fail / hyp-qemu-cpus, mk/hyp.mk); always exits 0.
#
#   pool  pool_mib=1: too small (the ownership database of 2 GiB of RAM alone needs
#         1 MiB). The failure contract of include/lockstep/boot.h: the entry returns at
#         EL2 with x0 < 0 and nothing installed; the loader boots Linux without Lockstep
#         and Linux finds EL2 untouched.
#   cpus  cpus=2 (two EL2 stacks) on a 4-CPU machine: the PSCI relay starts two CPUs and
#         refuses CPU_ON for the others with INTERNAL_FAILURE, logged; Linux runs on
#         two CPUs at EL1 and powers off cleanly.
set -u
scenario=$1 esp=$2 log=$3
timeout_s=${QEMU_TIMEOUT:-180}
n=0
tap() { n=$((n + 1)); if [ "$1" = OK ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }
assert() { local name=$1; shift; if "$@"; then tap OK "$name"; else tap FAIL "$name"; fi; }
. "$(dirname "$0")/../../../tests/lib/tap.sh"	# tap_kernel_clean, tap_poweroff

# The plan (tests/run.sh): 2 checks, 5 for the scenario, 2 at the end.
echo "1..9"
[ -f "$esp" ] || { tap FAIL "$scenario: ESP image $esp exists"; exit 0; }
work=$(mktemp -d)
cp /usr/share/AAVMF/AAVMF_VARS.fd "$work/vars.fd"
timeout --foreground -k 10 "$timeout_s" qemu-system-aarch64 \
	-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on \
	-smp 4 -m 2G -nographic -no-reboot -nic none \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd \
	-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
	-drive if=none,id=esp,format=raw,snapshot=on,file="$esp" -device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on \
	</dev/null 2>&1 | tr -d '\r' > "$log"
qrc=${PIPESTATUS[0]}
rm -rf "$work"
echo "# $scenario: serial log $log, QEMU exit $qrc"
assert "$scenario: QEMU finished within ${timeout_s}s" test "$qrc" != 124 -a "$qrc" != 137
assert "$scenario: Lockstep banner" has '^Lockstep v[0-9]'
case $scenario in
pool)
	assert "pool: Lockstep explains the failure (table pool too small)" \
		has '^lockstep: table pool too small'
	assert "pool: the entry returned an error at EL2 (loader: entry failed)" \
		has 'lockstep-boot: hypervisor entry failed'
	assert "pool: no CPU was set up by Lockstep" hasnt 'EL2 ready'
	assert "pool: Linux finds EL2 untouched (All CPU(s) started at EL2)" \
		has 'CPU: All CPU\(s\) started at EL2'
	assert "pool: 4 CPUs come up through the firmware's own PSCI" \
		has 'smp: Brought up [0-9]+ nodes?, 4 CPUs'
	;;
cpus)
	assert "cpus: CPUs 0 and 1 set up at EL2" has '^lockstep: cpu 1: EL2 ready'
	assert "cpus: no third CPU set up" hasnt '^lockstep: cpu 2: EL2 ready'
	assert "cpus: CPU_ON refused and logged for lack of EL2 stacks" \
		has '^lockstep: CPU_ON 0x[23] refused: all 2 EL2 stacks in use'
	assert "cpus: Linux runs at EL1 on 2 CPUs" has 'smp: Brought up [0-9]+ nodes?, 2 CPUs'
	assert "cpus: CPU: All CPU(s) started at EL1" has 'CPU: All CPU\(s\) started at EL1'
	;;
esac
assert "$scenario: no kernel Oops, BUG, WARNING or Internal error" tap_kernel_clean "$log"
assert "$scenario: clean poweroff (QEMU exit 0)" tap_poweroff "$log" "$qrc"
