#!/usr/bin/env bash
# Before / after in one run (make bench-compare BASE=REV; tests/iommu-bench/README.md "Before and
# after"): the IOMMU benchmark of an older tree (REV) and of this one on the same machine in the
# same sitting, boots alternating (REV's Lockstep, this Lockstep, native), and the core's
# conversion benchmark (make bench-cg, callgrind) of both.
#
# What differs between the two Lockstep sides is only what REV and this tree ship: the hypervisor
# (product image for the timed and traced boots, benchmark image for the counted one),
# lockstep-iommu.ko and the initramfs's lockstep.ko. The measuring side is this tree's for both:
# lsbench.ko and /lstest from this tree in REV's initramfs too, so every row is timed and counted
# by the same code. The native boots (Linux's arm-smmu-v3) are shared by both reports.
#
#   compare.sh REV        results in build/bench-compare/{before,after}/report.txt, the joint
#                         table in build/bench-compare/compare.txt
# Environment: LSBENCH_MIB (1024), LSBENCH_RUNS (3), LSBENCH_TRACE (1), LSBENCH_COUNT (1), LSBENCH_NULL (10000),
# BENCH_CG (1: the conversion rows too), MAKE (make).
set -euo pipefail
rev=${1:?usage: compare.sh REV}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/build o=$top/build/bench-compare
mib=${LSBENCH_MIB:-1024} runs=${LSBENCH_RUNS:-3} trace=${LSBENCH_TRACE:-1} count=${LSBENCH_COUNT:-1}
cg=${BENCH_CG:-1} make=${MAKE:-make}
cmdline="console=ttyAMA0 lstest=1 panic=-1 lsbench=lockstep lsbmib=$mib lsbnull=${LSBENCH_NULL:-10000}"
log() { echo "bench-compare: $*"; }
step() { # step LOGFILE CMD...: run quietly, show the log's tail on failure
	local l=$1
	shift
	"$@" > "$l" 2>&1 || { echo "bench-compare: failed: $* (log $l)" >&2; tail -15 "$l" >&2; exit 1; }
}

sha=$(git -C "$top" rev-parse --verify "$rev^{commit}") ||
	{ echo "bench-compare: $rev is not a commit of this repository" >&2; exit 2; }
mkdir -p "$o"
src=$o/src-${sha:0:12}

# REV's tree: exported (no worktree to clean up), sharing this tree's dependencies.
if [ ! -f "$src/.exported" ]; then
	log "exporting $rev (${sha:0:12}) to $src"
	rm -rf "$src"
	mkdir -p "$src/build"
	git -C "$top" archive "$sha" | tar -x -C "$src"
	ln -s "$(readlink -f "$B/deps")" "$src/build/deps"
	for d in newlib mbedtls keys; do [ -e "$B/$d" ] && cp -a "$B/$d" "$src/build/"; done
	touch "$src/.exported"
fi

# Both trees' images. This tree's lsbench-initramfs gives the measuring side.
log "building this tree's images"
step "$o/after-build.log" $make -C "$top" hyp-image driver lsbench-initramfs
log "building ${sha:0:12}'s images"
step "$o/before-build.log" $make -C "$src" hyp-image driver pviommu-ko initramfs
for side in before after; do
	t=$([ $side = before ] && echo "$src" || echo "$top")
	s=$o/$side
	rm -rf "$s"
	mkdir -p "$s/root"
	cp -a "$B/iommu-bench/root/." "$s/root/"
	ko=$(find "$t/build/pviommu" -name lockstep-iommu.ko | head -1)
	[ -n "$ko" ] || { echo "bench-compare: no lockstep-iommu.ko in $t/build/pviommu" >&2; exit 1; }
	cp "$ko" "$s/root/lib/modules/iommu-bench/lockstep-iommu.ko"
	(cd "$s/root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -9n > "$s/overlay.cpio.gz"
	cat "$t/build/initramfs.cpio.gz" "$s/overlay.cpio.gz" > "$s/initramfs.cpio.gz"
	step "$s/esp.log" $make -C "$t" esp ESP_OUT="$s/esp.img" ESP_HYP="$t/build/hyp/lockstep.bin" \
		ESP_INITRD="$s/initramfs.cpio.gz" ESP_CMDLINE="$cmdline"
	if [ "$count" = 1 ]; then
		step "$s/hyp.log" $make -C "$t" hyp-image HYP_B="$s/hyp" \
			HYP_BENCH_CFLAGS=-DLOCKSTEP_BENCH_EL2_PMU
		step "$s/esp-el2.log" $make -C "$t" esp ESP_OUT="$s/esp-el2.img" \
			ESP_HYP="$s/hyp/lockstep.bin" ESP_INITRD="$s/initramfs.cpio.gz" \
			ESP_CMDLINE="$cmdline lsbcount=1 nokaslr"
	fi
done

# The boots, alternating; native logs go to both sides' directories.
k=$(ls "$B"/deps/linux/boot/vmlinuz-* | head -1)
r=$top/tests/iommu-bench/run.sh
export LSBENCH_MIB=$mib
for i in $(seq "$runs"); do
	for side in before after; do
		log "run $i/$runs: $side's Lockstep, $mib MiB per chunk size"
		"$r" lockstep "$o/$side/esp.img" "$o/$side/lockstep.$i.log"
	done
	log "run $i/$runs: native arm-smmu-v3"
	"$r" native "$k" "$B/iommu-bench/initramfs.cpio.gz" "$o/after/native.$i.log"
	cp "$o/after/native.$i.log" "$o/before/native.$i.log"
done
if [ "$trace" = 1 ]; then
	for side in before after; do
		log "$side's Lockstep with QEMU's SMMU command trace"
		"$r" lockstep "$o/$side/esp.img" "$o/$side/lockstep-tr.log" trace
	done
	log "native with the trace"
	"$r" native "$k" "$B/iommu-bench/initramfs.cpio.gz" "$o/after/native-tr.log" trace
	cp "$o/after/native-tr.log" "$o/before/native-tr.log"
	cp "$o/after/native-tr.log.trace" "$o/before/native-tr.log.trace"
fi
if [ "$count" = 1 ]; then
	for side in before after; do
		log "$side's Lockstep under -icount (benchmark image)"
		"$r" lockstep "$o/$side/esp-el2.img" "$o/$side/lockstep-icount.log" icount
	done
	log "native under -icount"
	"$r" native "$k" "$B/iommu-bench/initramfs.cpio.gz" "$o/after/native-icount.log" icount
	cp "$o/after/native-icount.log" "$o/before/native-icount.log"
fi
for side in before after; do
	"$top/tests/iommu-bench/report.sh" "$o/$side" > "$o/$side/report.txt" ||
		{ cat "$o/$side/report.txt"; echo "bench-compare: $side's report failed" >&2; exit 1; }
done

# The joint table: report.sh's per-side files (.res medians, .cnt commands, .icnt counts).
lookup() { awk -v c="$2" -v op="$3" -v f="$4" '$1 == c && $2 == op { print $f; exit }' "$1" 2>/dev/null; }
per() { awk -v c="$2" -v op="$3" -v f="$4" '$1 == c && $2 == op && $3 > 0 { printf "%.0f", $f / $3; x = 1; exit }
	END { if (!x) print "-" }' "$1" 2>/dev/null || echo -; }
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }'; }
{
	echo "Before = ${sha:0:12} ($(git -C "$top" log -1 --format=%cs "$sha")), after = this tree"
	echo "($(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD || echo ', with uncommitted changes')), $(date -u '+%F %H:%M UTC'), $(nproc) host CPUs,"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo
	echo "IOMMU, $mib MiB per chunk size, ns per chunk (median of $runs boots each, alternating):"
	printf '%-5s %-10s %9s %9s %9s %8s %8s %11s %11s %8s %8s\n' chunk op native before after \
		"before/n" "after/n" "cmd/sync b" "cmd/sync a" "EL2 b" "EL2 a"
	while read -r c op nsn _; do
		b=$(lookup "$o/before/lockstep.res" "$c" "$op" 3)
		a=$(lookup "$o/after/lockstep.res" "$c" "$op" 3)
		cb="$(lookup "$o/before/lockstep.cnt" "$c" "$op" 3)/$(lookup "$o/before/lockstep.cnt" "$c" "$op" 4)"
		ca="$(lookup "$o/after/lockstep.cnt" "$c" "$op" 3)/$(lookup "$o/after/lockstep.cnt" "$c" "$op" 4)"
		printf '%-5s %-10s %9s %9s %9s %8s %8s %11s %11s %8s %8s\n' \
			"$([ "$c" = 4096 ] && echo 4K || echo 2M)" "$op" "$nsn" "${b:--}" "${a:--}" \
			"$(ratio "$b" "$nsn")" "$(ratio "$a" "$nsn")" "$cb" "$ca" \
			"$(per "$o/before/lockstep.icnt" "$c" "$op" 5)" "$(per "$o/after/lockstep.icnt" "$c" "$op" 5)"
	done < "$o/after/native.res"
	for side in before after; do
		grep -h -A1 '^Null hypercall' "$o/$side/report.txt" | tr '\n' ' ' | sed "s/^/$side: /"
		echo
	done
} > "$o/compare.txt"
if [ "$cg" = 1 ]; then
	for side in before after; do
		t=$([ $side = before ] && echo "$src" || echo "$top")
		log "$side: make bench-cg (callgrind, conversions)"
		step "$o/$side/cg.log" $make -C "$t" bench-cg
	done
	{
		echo
		echo "Conversions, instructions per converted page (make bench-cg, callgrind, 64 MiB;"
		echo "'all' = every instruction of bench_run(), the host side's sort included):"
		for side in before after; do
			echo "$side:"
			sed -n '/^pattern/,/^rand4k/p' "$o/$side/cg.log"
		done
	} >> "$o/compare.txt"
fi
cat "$o/compare.txt"
