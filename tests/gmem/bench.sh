#!/usr/bin/env bash
# make bench-gmem (figures, not pass/fail; docs/gmem.md "Benchmark"): guest_memfd conversion
# cost through the whole path (ioctl -> hypercall -> tables -> TLBI and IOTLB sync) by range
# size, on the machine of the gmem suite (tests/gmem/run.sh, without the scratch disk). The
# in-guest script tests/gmem/lsbench runs gmemtest -b; its BENCH lines become the table.
# Boot 1: the product image, wall-clock times. Boot 2 (ESP_EL2 given): the benchmark image under
# QEMU -icount with 1 CPU and nokaslr (on ESP_EL2's command line, mk/gmem.mk), as
# tests/bench-vm/run.sh and make bench-iommu: QEMU's PMU counts the global icount, so a second
# vCPU's instructions would join an EL2 window. lockstep.ko bench_el2_pmu=1: the EL2
# instructions the conversion hypercalls retired, per converted page.
#
#   bench.sh ESP OUT [ESP_EL2]
# Environment: QEMU_TIMEOUT (seconds, default 1800), QEMU (binary).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
esp=$1
out=$2
esp_el2=${3:-}
work=$(dirname "$out")

# boot NAME ESP LOG [icount]: one boot; its LSBENCH block on stdout, or a message and 1.
boot() {
	qs_machine
	# 3 GiB: the 1 GiB rows take a free, 1 GiB-aligned GiB of the host (as tests/gmem/run.sh).
	for i in "${!QS_ARGS[@]}"; do
		[ "${QS_ARGS[$i]}" = -m ] && QS_ARGS[$((i + 1))]=3G
	done
	if [ -n "${4:-}" ]; then
		for i in "${!QS_ARGS[@]}"; do
			[ "${QS_ARGS[$i]}" = 4 ] && [ "${QS_ARGS[$((i - 1))]}" = -smp ] && QS_ARGS[$i]=1
		done
		QS_ARGS+=(-icount shift=0,align=off,sleep=off)
	fi
	qs_firmware "$work" || { echo "bench-gmem: no AAVMF" >&2; return 1; }
	qs_disk esp "$2"
	qs_run "$1" "$3" "${QEMU_TIMEOUT:-1800}" >&2
	local block
	block=$(sed -n '/^LSBENCH-BEGIN/,/^LSBENCH-END/p' "$3")
	if [ -z "$block" ] || ! echo "$block" | grep -q '^BENCH '; then
		echo "bench-gmem: no BENCH table in $3" >&2
		tail -n 20 "$3" >&2
		return 1
	fi
	echo "$block"
}

block=$(boot bench-gmem "$esp" "$work/serial.log") || exit 1
el2=
if [ -n "$esp_el2" ]; then
	el2=$(boot bench-gmem-el2 "$esp_el2" "$work/serial-el2.log" icount | grep '^BENCH ') ||
		echo "bench-gmem: the EL2 count boot failed; the table has no EL2 column" >&2
fi
{
	echo "guest_memfd conversion, whole path (LOCKSTEP_SET_MEMORY_ATTRIBUTES2; QEMU TCG, 4 CPUs):"
	echo "$block" | grep '^# ' | grep -v '^# guest|'
	echo "size: the range; path: range = one ioctl for it, naive = one ioctl per 4 KiB page;"
	echo "dir: private -> shared, shared -> private (PRESERVE); per repetition: ioctls, conversion"
	echo "hypercalls; us per ioctl; pages per second; table pages after - before the conversion in"
	echo "the VM's stage 2, the host's stage 2, host IOMMU view 0; SMMU commands, CMD_SYNCs,"
	echo "CMD_TLBI_S2_IPA, CMD_TLBI_S12_VMALL issued per repetition; el2/page: EL2 instructions"
	echo "retired inside the conversion hypercalls per 4 KiB page (second boot: benchmark image,"
	echo "QEMU -icount, 1 CPU, nokaslr; '-' if not counted)"
	{ echo "$el2" | sed 's/^BENCH /EL2 /'; echo "$block" | grep '^BENCH '; } | awk '
		BEGIN { printf "%-6s %-6s %-7s %4s %6s %5s %10s %9s %4s %4s %4s %6s %6s %6s %5s %9s\n",
			"size", "path", "dir", "reps", "ioctls", "hvcs", "us/ioctl", "pages/s", "dVM",
			"dHS", "dIO", "cmds", "syncs", "tlbipa", "vmall", "el2/page" }
		function pages(s) {
			if (s == "1GiB") return 262144
			return s == "4KiB" ? 1 : s == "64KiB" ? 16 : s == "2MiB" ? 512 : 2048 }
		/^EL2 / && $18 > 0 { e[$2 " " $3 " " $4] = sprintf("%.0f", $18 / pages($2)) }
		/^BENCH / { k = $2 " " $3 " " $4
			printf "%-6s %-6s %-7s %4d %6d %5d %10.1f %9d %+4d %+4d %+4d %6d %6d %6d %5d %9s%s\n",
			$2, $3, ($4 == "to-sh" ? "pr->sh" : "sh->pr"), $5, $6, $7, $8 / 1000, $9, $10,
			$11, $12, $13, $14, $15, $16, (k in e ? e[k] : "-"),
			($17 > 0 ? "  (" $17 " ioctls failed)" : "") }'
} | tee "$out"
