#!/usr/bin/env bash
# Table of the IOMMU benchmark (mk/iommu-bench.mk): DIR holds lockstep.N.log and native.N.log
# (timed runs; the table shows the median over N and the range) and, if traced,
# lockstep-tr.log(.trace) and native-tr.log(.trace) for command counts, and, if counted,
# lockstep-icount.log and native-icount.log (run.sh ... icount) for instructions per chunk: the
# host kernel's (EL1 under Lockstep; EL2 + EL1 for the native VHE kernel) and Lockstep's EL2. A
# count boot's log without every phase's counts, or with a count of 0, fails the report (exit 1)
# after printing it. ARCH: arm64 (default) or x86, the machine run.sh booted (LSBENCH_ARCH). On x86
# a count is every instruction the one vCPU retired in the phase (TSC under -icount; no EL2 column).
#   report.sh DIR [ARCH]
set -uo pipefail
d=$1 arch=${2:-arm64}
here=$(cd "$(dirname "$0")" && pwd)

# "chunk op ns_per_chunk calls" per result line of a serial log.
results() { sed -n 's/.*lsbench: result chunk \([0-9]*\) op \([a-z_]*\) calls \([0-9]*\) bytes [0-9]* ns \([0-9]*\) ns_per_chunk \([0-9]*\).*/\1 \2 \5 \4/p' "$1"; }
# "chunk op cmds syncs" per phase of a traced run.
counts() {
	local log=$1
	[ -f "$log.trace" ] || return 0
	awk -v arch="$arch" -f "$here/count.awk" "$log.trace" > "$log.counts"
	sed -n 's/.*lsbench: phase \([0-9]*\) chunk \([0-9]*\) op \([a-z_]*\)$/\1 \2 \3/p' "$log" |
	while read -r p c o; do
		awk -v p="$p" -v c="$c" -v o="$o" '$1 == "phase" && $2 == p { print c, o, $4, $6 }' \
			"$log.counts"
	done
}
# "chunk op chunks kernel el2" per count line of an -icount boot's serial log.
icounts() { sed -n 's/.*lsbench: count chunk \([0-9]*\) op \([a-z_]*\) chunks \([0-9]*\) kernel \([0-9]*\) el2 \([0-9]*\).*/\1 \2 \3 \4 \5/p' "$1"; }
# Instructions per chunk of column F (4 = kernel, 5 = el2) of CHUNK OP in a counts file, or "-".
perchunk() { awk -v c="$2" -v o="$3" -v f="$4" '$1 == c && $2 == o && $3 > 0 { v = $f / $3
	printf (v < 100 ? "%.1f" : "%.0f"), v; found = 1; exit } END { if (!found) print "-" }' "$1"; }
lookup() { awk -v c="$2" -v o="$3" -v f="$4" '$1 == c && $2 == o { print $f; exit }' "$1"; }

# "chunk op median min max runs" over every timed run of one side.
medians() {
	for f in "$d"/$1.[0-9]*.log; do results "$f"; done | sort -k1,1n -k2,2 -k3,3n |
		awk '{ k = $1 " " $2; v[k, ++n[k]] = $3; if (!(k in first)) { first[k] = 1; order[++m] = k } }
		END { for (i = 1; i <= m; i++) { k = order[i]; c = n[k];
			printf "%s %d %d %d %d\n", k, v[k, int((c + 1) / 2)], v[k, 1], v[k, c], c } }'
}
medians native > "$d/native.res"
medians lockstep > "$d/lockstep.res"
counts "$d/native-tr.log" > "$d/native.cnt"
counts "$d/lockstep-tr.log" > "$d/lockstep.cnt"
mib=$(cat "$d"/native.[0-9]*.log | sed -n 's/.*paging domain attached, \([0-9]*\) MiB.*/\1/p' | head -1)
runs=$(awk 'NR == 1 { print $6 }' "$d/native.res")
bad=0
for side in native lockstep; do
	f=$d/$side-icount.log
	: > "$d/$side.icnt"
	[ -f "$f" ] || continue
	icounts "$f" > "$d/$side.icnt"
	# every timed phase counted, no count of 0 (el2 only under Lockstep)
	while read -r c o _; do
		awk -v c="$c" -v o="$o" -v s="$side" -v a="$arch" '$1 == c && $2 == o && $3 > 0 &&
			$4 > 0 && (s == "native" || a == "x86" || $5 > 0) { ok = 1 } END { exit !ok }' \
			"$d/$side.icnt" ||
			{ echo "report: $f: no or a zero instruction count for chunk $c op $o" >&2; bad=1; }
	done < "$d/native.res"
done

echo "IOMMU map/unmap of ${mib:-?} MiB, same Linux IOMMU API calls (lsbench.ko), same QEMU machine"
if [ "$arch" = x86 ]; then
	echo "(q35, SVM/NPT, intel-iommu, TCG): native = Linux's intel-iommu driver (intel_iommu=on);"
	echo "lockstep = Lockstep owns the VT-d unit, lockstep-iommu.ko forwards to hypercalls"
	echo "(VMMCALL). Times: ns per chunk, median of ${runs:-?} untraced boots of each (min-max in brackets)."
	echo "IOTLB invalidation descriptors / invalidation waits: counted by QEMU (vtd_inv_desc_iotlb_*,"
	echo "vtd_inv_desc_wait_* trace) in separate boots."
	cs="inv/wait"
else
	echo "(virt, SMMUv3 stage 2, TCG): native = Linux's arm-smmu-v3 driver; lockstep = Lockstep owns"
	echo "the SMMU, lockstep-iommu.ko forwards to hypercalls. Times: ns per chunk, median of ${runs:-?}"
	echo "untraced boots of each (min-max in brackets)."
	echo "SMMU commands / CMD_SYNCs: counted by QEMU (smmuv3_cmdq_opcode trace) in separate boots."
	cs="cmd/sync"
fi
echo
kl=kernel el="ls EL2"
if [ "$arch" = x86 ] && { [ -s "$d/lockstep.icnt" ] || [ -s "$d/native.icnt" ]; }; then
	kl=insns el=-
	echo "Instructions per chunk: every instruction the one vCPU retired in the phase, in two more"
	echo "boots under QEMU -icount shift=0 (1 CPU, nokaslr, tsc=reliable), where TCG's x86 TSC advances by one per"
	echo "instruction (lsbench.ko checks it on a loop of known length): native = Linux; lockstep ="
	echo "Linux + Lockstep in SVM host mode inside the phase's VMMCALLs (TCG x86 has no PMU: the two"
	echo "cannot be told apart). Deterministic: judge changes by these."
elif [ -s "$d/lockstep.icnt" ] || [ -s "$d/native.icnt" ]; then
	echo "Instructions per chunk: counted by the PMU (INST_RETIRED, perf counters bound to lsbench's"
	echo "task) in two more boots under QEMU -icount (1 CPU, nokaslr), Lockstep on its benchmark"
	echo "image: 'kernel' = the host kernel (native: Linux at EL2 with VHE, EL2 + EL1; Lockstep:"
	echo "Linux at EL1), 'EL2' = Lockstep's own instructions inside the phase's hypercalls."
	echo "Deterministic (EL2 identical from boot to boot): judge changes by these."
fi
echo
printf '%-5s %-10s %19s %19s %7s %15s %17s %11s %11s %9s\n' chunk op native lockstep ratio \
	"native $cs" "lockstep $cs" "nat $kl" "ls $kl" "$el"
while read -r c o nsn nmin nmax _; do
	nsl=$(lookup "$d/lockstep.res" "$c" "$o" 3)
	lmin=$(lookup "$d/lockstep.res" "$c" "$o" 4); lmax=$(lookup "$d/lockstep.res" "$c" "$o" 5)
	ratio=$(awk -v a="${nsl:-0}" -v b="$nsn" 'BEGIN { if (b > 0 && a > 0) printf "%.2fx", a / b; else print "-" }')
	cn="$(lookup "$d/native.cnt" "$c" "$o" 3)/$(lookup "$d/native.cnt" "$c" "$o" 4)"
	cl="$(lookup "$d/lockstep.cnt" "$c" "$o" 3)/$(lookup "$d/lockstep.cnt" "$c" "$o" 4)"
	label=$([ "$c" = 4096 ] && echo 4K || echo 2M)
	printf '%-5s %-10s %19s %19s %7s %15s %17s %11s %11s %9s\n' "$label" "$o" \
		"$nsn [$nmin-$nmax]" "${nsl:--} [${lmin:--}-${lmax:--}]" "$ratio" "$cn" "$cl" \
		"$(perchunk "$d/native.icnt" "$c" "$o" 4)" "$(perchunk "$d/lockstep.icnt" "$c" "$o" 4)" \
		"$([ "$arch" = x86 ] && echo - || perchunk "$d/lockstep.icnt" "$c" "$o" 5)"
done < "$d/native.res"

# The null hypercall (lsbench.ko null_hvc=N: LS_HVC_VERSION round trips from EL1, Lockstep's timed
# boots) against one 4 KiB iommu_map(): the trap's share of the call.
nul=$(for f in "$d"/lockstep.[0-9]*.log; do
	sed -n 's/.*lsbench: null_hvc calls \([0-9]*\) ns [0-9]* ns_per_call \([0-9]*\).*/\2 \1/p' "$f"
done | sort -n | awk '{ v[++n] = $1; c = $2 } END { if (n) printf "%d %d %d %d %d\n", v[int((n + 1) / 2)], v[1], v[n], n, c }')
if [ -n "$nul" ]; then
	read -r nns nmin nmax nruns ncalls <<< "$nul"
	map4=$(lookup "$d/lockstep.res" 4096 map 3)
	e0=$(perchunk "$d/lockstep.icnt" 0 null_hvc 5); k0=$(perchunk "$d/lockstep.icnt" 0 null_hvc 4)
	e4=$(perchunk "$d/lockstep.icnt" 4096 map 5); k4=$(perchunk "$d/lockstep.icnt" 4096 map 4)
	echo
	if [ "$arch" = x86 ]; then
		echo "Null hypercall (LS_HVC_VERSION by VMMCALL, $ncalls per boot, preemption off): $nns ns per"
		echo "round trip (median of $nruns [$nmin-$nmax]); $k0 instructions per call, guest and Lockstep"
		echo "together (-icount boot)."
		e0=- e4=-
	else
		echo "Null hypercall (LS_HVC_VERSION from EL1, $ncalls per boot, preemption off): $nns ns per round"
		echo "trip (median of $nruns [$nmin-$nmax]); $e0 EL2 + $k0 kernel instructions per call (-icount boot)."
	fi
	awk -v n="$nns" -v m="${map4:-0}" -v e0="$e0" -v e4="$e4" -v k0="$k0" -v k4="$k4" 'BEGIN {
		if (m > 0) printf "Single 4K iommu_map(): %d ns per call under Lockstep, the null round trip is %.0f %% of it;\n", m, 100 * n / m
		if (e4 != "-" && e0 != "-" && e4 > 0)
			printf "it costs %s EL2 instructions per call (the null round trip: %s, %.0f %%).\n", e4, e0, 100 * e0 / e4
		else if (k4 != "-" && k0 != "-" && k4 > 0)
			printf "it retires %s instructions per call, guest and Lockstep together (the null round trip: %s, %.0f %%).\n", k4, k0, 100 * k0 / k4
		else print "it costs - EL2 instructions per call (not counted: LSBENCH_COUNT=0)." }'
fi
echo
echo "map: one iommu_map() per chunk; unmap: one iommu_unmap() per chunk (each invalidates and"
echo "syncs); map_sg: one iommu_map_sg() of all chunks; unmap_fast: iommu_unmap_fast() per chunk,"
echo "one iommu_iotlb_sync() at the end. Lockstep's PV driver, whole run:"
sed -n 's/.*lsbench-host: pviommu \(map_calls\|unmap_calls\|batch_calls\|batch_entries\|query_calls\|donate_calls\) /  \1 /p' \
	"$d/lockstep.1.log" | paste -sd' '
if [ "$arch" = x86 ]; then
	echo "Lockstep's own VT-d counters over the run (LS_HVC_SMMU_STATS: 5 = descriptors, 6 = waits,"
	echo "7 = page-selective IOTLB invalidations, 8 = global + domain-selective ones):"
else
	echo "Lockstep's own SMMU counters over the run (LS_HVC_SMMU_STATS: 5 = commands, 6 = syncs):"
fi
sed -n 's/.*lsbench-host: smmu /  /p' "$d/lockstep.1.log" | tail -1
exit $bad
