#!/usr/bin/env bash
# make bench-vm (figures, not pass/fail): Lockstep's EL2 instructions per guest hypercall
# handled at EL2 and per MMIO exit to the VMM, on the benchmark image under QEMU -icount
# (deterministic instruction counting; TCG counts INST_RETIRED only with -icount). The machine
# of the vm suite with 1 CPU and nokaslr (mk/vm.mk): QEMU's PMU counts the global icount, so
# with several vCPUs run round-robin a switch while one is at EL2 adds the other's instructions;
# with 1 CPU the two repetitions of a boot count the same (boots differ by the timer exits the
# guest happened to take, one RUN call, about 1,840 instructions). The in-guest
# script tests/bench-vm/lsbench prints "GUEST INSNS RUNS" lines; the figure per operation is
# (INSNS(el2hvc or el2mmio) - INSNS(el2idle)) / 2000.
#
#   run.sh ESP OUT
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
esp=$1
out=$2
work=$(dirname "$out")
log=$work/serial.log
qs_machine
for i in "${!QS_ARGS[@]}"; do [ "${QS_ARGS[$i]}" = 4 ] && [ "${QS_ARGS[$((i - 1))]}" = -smp ] && QS_ARGS[$i]=1; done
QS_ARGS+=(-icount shift=0,align=off,sleep=off)
qs_firmware "$work" || { echo "bench-vm: no AAVMF" >&2; exit 1; }
qs_disk esp "$esp"
qs_run "bench-vm" "$log" "${QEMU_TIMEOUT:-900}"
block=$(sed -n '/^LSBENCH-BEGIN/,/^LSBENCH-END/p' "$log")
if [ -z "$block" ]; then
	echo "bench-vm: no LSBENCH block in $log" >&2
	grep -a "lsbench:" "$log" >&2
	exit 1
fi
{
	echo "Lockstep EL2 instructions (PMU INST_RETIRED at EL2, QEMU -icount, benchmark image):"
	echo "$block" | awk '
		/^el2idle / { idle = $2; ir = $3 }
		/^el2hvc /  { printf "  guest HVC handled at EL2:   %7.1f instructions per round trip (%d - %d over 2000; %d RUN calls)\n", ($2 - idle) / 2000, $2, idle, $3 }
		/^el2mmio / { printf "  MMIO exit to the VMM:       %7.1f instructions per round trip at EL2 (%d - %d over 2000; %d RUN calls)\n", ($2 - idle) / 2000, $2, idle, $3 }
		/^null /    { printf "  host null hypercall (LS_HVC_VERSION): %7.1f instructions per call at EL2 (%d over %d)\n", $2 / $3, $2, $3 }
		/^el2idle / { printf "  baseline (entry, SYSTEM_OFF, %d RUN calls): %d instructions\n", $3, $2 }'
} | tee "$out"
