#!/usr/bin/env bash
# Table of the IOMMU benchmark (mk/iommu-bench.mk): DIR holds lockstep.log and native.log (timed
# runs) and, if traced, lockstep-tr.log(.trace) and native-tr.log(.trace) for command counts.
set -uo pipefail
d=$1
here=$(cd "$(dirname "$0")" && pwd)

# "chunk op ns_per_chunk calls" per result line of a serial log.
results() { sed -n 's/.*lsbench: result chunk \([0-9]*\) op \([a-z_]*\) calls \([0-9]*\) bytes [0-9]* ns \([0-9]*\) ns_per_chunk \([0-9]*\).*/\1 \2 \5 \4/p' "$1"; }
# "chunk op cmds syncs" per phase of a traced run.
counts() {
	local log=$1
	[ -f "$log.trace" ] || return 0
	awk -f "$here/count.awk" "$log.trace" > "$log.counts"
	sed -n 's/.*lsbench: phase \([0-9]*\) chunk \([0-9]*\) op \([a-z_]*\)$/\1 \2 \3/p' "$log" |
	while read -r p c o; do
		awk -v p="$p" -v c="$c" -v o="$o" '$1 == "phase" && $2 == p { print c, o, $4, $6 }' \
			"$log.counts"
	done
}
lookup() { awk -v c="$2" -v o="$3" -v f="$4" '$1 == c && $2 == o { print $f; exit }' "$1"; }

results "$d/native.log" > "$d/native.res"
results "$d/lockstep.log" > "$d/lockstep.res"
counts "$d/native-tr.log" > "$d/native.cnt"
counts "$d/lockstep-tr.log" > "$d/lockstep.cnt"
mib=$(sed -n 's/.*paging domain attached, \([0-9]*\) MiB.*/\1/p' "$d/native.log" | head -1)

echo "IOMMU map/unmap of ${mib:-?} MiB, same Linux IOMMU API calls (lsbench.ko), same QEMU machine"
echo "(virt, SMMUv3 stage 2, TCG): native = Linux's arm-smmu-v3 driver; lockstep = Lockstep owns"
echo "the SMMU, lockstep-iommu.ko forwards to hypercalls. Times: ns per chunk, untraced boots."
echo "SMMU commands / CMD_SYNCs: counted by QEMU (smmuv3_cmdq_opcode trace) in separate boots."
echo
printf '%-6s %-10s %12s %12s %7s %17s %17s\n' chunk op native lockstep ratio "native cmd/sync" \
	"lockstep cmd/sync"
while read -r c o nsn _; do
	nsl=$(lookup "$d/lockstep.res" "$c" "$o" 3)
	ratio=$(awk -v a="${nsl:-0}" -v b="$nsn" 'BEGIN { if (b > 0 && a > 0) printf "%.2fx", a / b; else print "-" }')
	cn="$(lookup "$d/native.cnt" "$c" "$o" 3)/$(lookup "$d/native.cnt" "$c" "$o" 4)"
	cl="$(lookup "$d/lockstep.cnt" "$c" "$o" 3)/$(lookup "$d/lockstep.cnt" "$c" "$o" 4)"
	label=$([ "$c" = 4096 ] && echo 4K || echo 2M)
	printf '%-6s %-10s %12s %12s %7s %17s %17s\n' "$label" "$o" "$nsn" "${nsl:--}" "$ratio" "$cn" "$cl"
done < "$d/native.res"
echo
echo "map: one iommu_map() per chunk; unmap: one iommu_unmap() per chunk (each invalidates and"
echo "syncs); map_sg: one iommu_map_sg() of all chunks; unmap_fast: iommu_unmap_fast() per chunk,"
echo "one iommu_iotlb_sync() at the end. Lockstep's PV driver, whole run:"
sed -n 's/.*lsbench-host: pviommu \(map_calls\|unmap_calls\|batch_calls\|batch_entries\|query_calls\|donate_calls\) /  \1 /p' \
	"$d/lockstep.log" | paste -sd' '
echo "Lockstep's own SMMU counters over the run (LS_HVC_SMMU_STATS: 5 = commands, 6 = syncs):"
sed -n 's/.*lsbench-host: smmu /  /p' "$d/lockstep.log" | tail -1
