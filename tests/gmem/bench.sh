#!/usr/bin/env bash
# make bench-gmem (figures, not pass/fail; docs/gmem.md "Benchmark"): guest_memfd conversion
# cost through the whole path (ioctl -> hypercall -> tables -> TLBI and IOTLB sync) by range
# size, on the machine of the gmem suite (tests/gmem/run.sh, without the scratch disk). The
# in-guest script tests/gmem/lsbench runs gmemtest -b; its BENCH lines become the table.
#
#   bench.sh ESP OUT
# Environment: QEMU_TIMEOUT (seconds, default 900), QEMU (binary).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
esp=$1
out=$2
work=$(dirname "$out")
log=$work/serial.log
qs_machine
qs_firmware "$work" || { echo "bench-gmem: no AAVMF" >&2; exit 1; }
qs_disk esp "$esp"
qs_run bench-gmem "$log" "${QEMU_TIMEOUT:-900}"
block=$(sed -n '/^LSBENCH-BEGIN/,/^LSBENCH-END/p' "$log")
if [ -z "$block" ] || ! echo "$block" | grep -q '^BENCH '; then
	echo "bench-gmem: no BENCH table in $log" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
{
	echo "guest_memfd conversion, whole path (LOCKSTEP_SET_MEMORY_ATTRIBUTES2; QEMU TCG, 4 CPUs):"
	echo "$block" | grep '^# ' | grep -v '^# guest|'
	echo "size: the range; path: range = one ioctl for it, naive = one ioctl per 4 KiB page;"
	echo "dir: private -> shared, shared -> private (PRESERVE); per repetition: ioctls, conversion"
	echo "hypercalls; us per ioctl; pages per second; table pages after - before the conversion in"
	echo "the VM's stage 2, the host's stage 2, host IOMMU view 0; SMMU commands, CMD_SYNCs,"
	echo "CMD_TLBI_S2_IPA, CMD_TLBI_S12_VMALL issued per repetition"
	echo "$block" | awk '
		BEGIN { printf "%-6s %-6s %-7s %4s %6s %5s %10s %9s %4s %4s %4s %6s %6s %6s %5s\n",
			"size", "path", "dir", "reps", "ioctls", "hvcs", "us/ioctl", "pages/s", "dVM",
			"dHS", "dIO", "cmds", "syncs", "tlbipa", "vmall" }
		/^BENCH / { printf "%-6s %-6s %-7s %4d %6d %5d %10.1f %9d %+4d %+4d %+4d %6d %6d %6d %5d%s\n",
			$2, $3, ($4 == "to-sh" ? "pr->sh" : "sh->pr"), $5, $6, $7, $8 / 1000, $9, $10,
			$11, $12, $13, $14, $15, $16, ($17 > 0 ? "  (" $17 " ioctls failed)" : "") }'
} | tee "$out"
