#!/bin/sh
# Per-function profile of each phase of bench_hdom (make bench-hdom-prof): one callgrind run
# per phase (--toggle-collect on its ph_* function), self cost of each function divided by the
# phase's chunks, and the sums per group: engine (pt_*, the format), ownership (DB, counts,
# summaries), hdom+hvc (the domain code and the dispatcher), fake (the fake platform's own
# plat_phys_to_virt / fake_mem_get, which the arm64 build does not have: a linear-map add).
# usage: hdom-prof.sh BENCH_BIN OUTDIR MiB
set -e
bin=$1 out=$2 mib=$3
mkdir -p "$out"
for c in 2m 4k; do
	for op in map_sg unmap_fast map unmap; do
		valgrind --tool=callgrind --toggle-collect=ph_${c}_$op \
			--callgrind-out-file="$out/cg.$c.$op" "$bin" -m "$mib" -c $c \
			>"$out/run.$c.txt" 2>"$out/vg.$c.$op.log" ||
			{ echo "hdom-prof: valgrind $c $op failed" >&2; tail -5 "$out/vg.$c.$op.log" >&2; exit 1; }
	done
done
for c in 2m 4k; do
	for op in map_sg unmap_fast map unmap; do
		n=$(sed -n "s/^chunk $c op $op *chunks \([0-9]*\).*/\1/p" "$out/run.$c.txt")
		[ -n "$n" ] || { echo "hdom-prof: no chunk count for $c $op" >&2; exit 1; }
		echo "== $c $op ($n chunks): self instructions per chunk"
		callgrind_annotate --threshold=100 --auto=no "$out/cg.$c.$op" 2>/dev/null | awk -v n="$n" '
		/PROGRAM TOTALS/ { gsub(",", "", $1); tot = $1; next }
		/:[a-z_0-9]+ / && $1 ~ /^[0-9,]+$/ {
			gsub(",", "", $1); c = $1; split($0, a, ":"); f = a[2]; sub(/ .*/, "", f)
			fn[f] += c
		}
		END {
			for (f in fn) {
				g = "other"
				if (f ~ /^(fake_|plat_)/) g = "fake"
				else if (f ~ /^(pt_|s2_)/) g = "engine"
				else if (f ~ /^own_(dma|sum|db|check_pa|check_args|blk|range|host)/) g = "ownership"
				else if (f ~ /^(own_|hvc_)/) g = "hdom+hvc"
				else if (f ~ /^(env_|map|unmap|ph_)/) g = "harness"
				grp[g] += fn[f]
				if (fn[f] / n >= 5)
					printf "  %-28s %7.0f\n", f, fn[f] / n | "sort -k2 -nr"
			}
			close("sort -k2 -nr")
			printf "  total %.0f:", tot / n
			for (g in grp) printf " %s %.0f", g, grp[g] / n
			printf "\n"
		}'
	done
done
