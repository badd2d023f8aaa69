#!/usr/bin/env bash
# Run each test suite named on the command line (a make target that writes
# build/test-logs/<suite>.tap) and print the total over all suites:
#
#   tests/run.sh SUITE...                  make each SUITE, then count
#   tests/run.sh --count-only DIR SUITE... only count DIR/<suite>.tap (the runner's self-test,
#                                          scripts/check-selftest.sh)
#
# The accounting (docs/development.md "Test accounting"):
#   - a suite declares its checks with TAP plan lines "1..N" (a suite made of several parts,
#     e.g. one per QEMU boot or per test binary, writes one plan per part; a part whose count
#     depends on the run writes its plan once it knows it); the suite's expected count is the
#     sum of its plans;
#   - "ok" is a pass, "ok ... # SKIP reason" a skip (counted apart, never as a pass),
#     "not ok" a failure;
#   - a suite fails with one more failure, and a message, when: make SUITE failed, it wrote no
#     TAP file or no result, it declared no plan, a result came before its first plan, or its
#     results are fewer (checks lost) or more than its plans declare.
# Last line, parsed by CI: "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/test-logs
count_only=0
if [ "${1:-}" = --count-only ]; then
	count_only=1
	logs=$2
	shift 2
fi
mkdir -p "$logs"
declare -A made secs
start_all=$SECONDS
for s in "$@"; do
	made[$s]=1
	secs[$s]=
	[ $count_only = 1 ] && continue
	echo "=== suite $s ($(date +%H:%M:%S))"
	rm -f "$logs/$s.tap"
	t0=$SECONDS
	make -C "$top" --no-print-directory "$s" || made[$s]=0
	secs[$s]=$((SECONDS - t0))
	echo "=== suite $s: done in ${secs[$s]} s"
done

# count FILE: "PASS FAIL SKIP PLANNED PLANS FIRST_RESULT_LINE FIRST_PLAN_LINE" of a TAP file.
count() {
	awk '
	/^1\.\.[0-9]+/ { split($1, a, /\.\./); planned += a[2]; plans++; if (!fp) fp = NR; next }
	/^not ok( |$)/ { fail++; if (!fr) fr = NR; next }
	/^ok( |$)/ {
		if (!fr) fr = NR
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]([ \t:]|$)/) skip++; else pass++
	}
	END { printf "%d %d %d %d %d %d %d\n", pass, fail, skip, planned, plans, fr, fp }' "$1"
}

pass=0; fail=0; skip=0
for s in "$@"; do
	f=$logs/$s.tap
	problems=()
	[ "${made[$s]}" = 1 ] || problems+=("make $s failed")
	if [ -f "$f" ]; then
		read -r p x k planned plans fr fp < <(count "$f")
	else
		p=0 x=0 k=0 planned=0 plans=0 fr=0 fp=0
	fi
	got=$((p + x + k))
	if [ "$got" -eq 0 ]; then
		problems+=("wrote no results")
	fi
	if [ "$plans" -eq 0 ]; then
		problems+=("declared no plan (1..N), $got results cannot be checked")
	else
		[ "$fr" -gt 0 ] && [ "$fr" -lt "$fp" ] &&
			problems+=("a result (line $fr) came before the first plan (line $fp)")
		if [ "$got" -lt "$planned" ]; then
			problems+=("$((planned - got)) of $planned planned checks missing (only $got results)")
		elif [ "$got" -gt "$planned" ]; then
			problems+=("$((got - planned)) results beyond the $planned planned")
		fi
	fi
	printf '%-16s %4d passed, %4d failed, %4d skipped (plan %d)%s\n' "$s:" "$p" "$x" "$k" "$planned" \
		"${secs[$s]:+, ${secs[$s]} s}"
	[ -f "$f" ] && grep -E '^not ok' "$f" | sed 's/^/    /'
	[ -f "$f" ] && grep -E '^ok .*#[[:space:]]*[Ss][Kk][Ii][Pp]' "$f" | sed 's/^/    /'
	for m in "${problems[@]}"; do
		echo "    not ok - suite $s: $m"
		[ $count_only = 1 ] || echo "not ok - runner: suite $s: $m" >> "$f"
	done
	pass=$((pass + p)); fail=$((fail + x + ${#problems[@]})); skip=$((skip + k))
done
[ $count_only = 1 ] || echo "all suites: $((SECONDS - start_all)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
