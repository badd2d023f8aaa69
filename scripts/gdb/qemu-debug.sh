#!/usr/bin/env bash
# QEMU for debugging Lockstep (`make debug`): the machine of the system tests
# (tests/qemu/run.sh: virt with EL2, SMMUv3, GICv3, 4 CPUs, 2 GiB, AAVMF,
# build/esp.img), started PAUSED (-S) with its gdb stub on tcp::$GDB_PORT (-gdb).
# The serial console stays on this terminal and is also logged to
# build/debug/serial.log (scripts/gdb/lockstep.py reads it).
#
#   qemu-debug.sh            interactive: attach with `make debug-gdb` from a
#                            second terminal; quit QEMU with Ctrl-A X
#   qemu-debug.sh --smoke    non-interactive self-test of this flow: QEMU in the
#                            background, gdb-multiarch in batch mode runs
#                            scripts/gdb/lockstep.gdb to the hypervisor entry
#                            (LOCKSTEP_BREAK_ARGS=--scan: the RAM-wide method),
#                            prints registers and a backtrace, then both stop.
#                            Exit 0 only if gdb stopped at the entry with symbols.
# Environment: QEMU, GDB_PORT (1234), DEBUG_TIMEOUT (--smoke, seconds, 300),
# QEMU_EXTRA (more QEMU arguments), AAVMF_CODE, AAVMF_VARS.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
work=$b/debug
qemu=${QEMU:-qemu-system-aarch64}
port=${GDB_PORT:-1234}
esp=$b/esp.img
code=${AAVMF_CODE:-/usr/share/AAVMF/AAVMF_CODE.fd}
vars=${AAVMF_VARS:-/usr/share/AAVMF/AAVMF_VARS.fd}
mkdir -p "$work"

[ -f "$esp" ] || { echo "debug: no $esp (the loader's ESP image): build it first" >&2; exit 1; }
[ -f "$b/hyp/lockstep.elf" ] || echo "debug: warning: no build/hyp/lockstep.elf: gdb will have no hypervisor symbols" >&2
[ -f "$code" ] && [ -f "$vars" ] || { echo "debug: no AAVMF firmware; run 'make deps'" >&2; exit 1; }
cp "$vars" "$work/vars.fd"

# Same machine as tests/qemu/run.sh (keep in sync).
# shellcheck disable=SC2206
args=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -no-reboot
	-drive if=pflash,format=raw,unit=0,readonly=on,file="$code"
	-drive if=pflash,format=raw,unit=1,file="$work/vars.fd"
	-drive if=none,id=esp,format=raw,snapshot=on,file="$esp"
	-device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on -nic none
	-gdb tcp::"$port" -S ${QEMU_EXTRA:-})
: > "$work/serial.log"

if [ "${1:-}" != --smoke ]; then
	echo "debug: QEMU paused, gdb stub on localhost:$port; serial log $work/serial.log"
	echo "debug: in another terminal: make debug-gdb   (gdb-multiarch -x scripts/gdb/lockstep.gdb)"
	echo "debug: quit QEMU with Ctrl-A X"
	exec "$qemu" "${args[@]}" -display none \
		-chardev stdio,id=ser0,mux=on,signal=off,logfile="$work/serial.log" \
		-serial chardev:ser0 -mon chardev=ser0
fi

# --smoke
t=${DEBUG_TIMEOUT:-300}
"$qemu" "${args[@]}" -display none -serial file:"$work/serial.log" -monitor none &
qpid=$!
trap 'kill $qpid 2>/dev/null; wait $qpid 2>/dev/null' EXIT
sleep 1
cd "$top" && timeout -k 10 "$t" gdb-multiarch -q -batch -x scripts/gdb/lockstep.gdb \
	-ex 'info registers pc x0 sp cpsr' -ex 'bt 3' -ex 'x/4i $pc' \
	-ex 'kill' 2>&1 | tee "$work/gdb-smoke.log"
if grep -q 'lockstep: WARNING' "$work/gdb-smoke.log"; then
	echo "debug: smoke FAIL: the ESP's image and build/hyp/lockstep.elf differ (make hyp-image esp)"
	exit 1
fi
if grep -q 'lockstep: stopped at the hypervisor entry' "$work/gdb-smoke.log"; then
	echo "debug: smoke PASS: gdb stopped at the hypervisor entry with its symbols"
	exit 0
fi
echo "debug: smoke FAIL: gdb did not reach the hypervisor entry (see $work/gdb-smoke.log, $work/serial.log)"
exit 1
