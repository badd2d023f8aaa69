#!/usr/bin/env bash
# Run each test suite named on the command line (a make target that writes
# build/test-logs/<suite>.tap) and print the total over all TAP lines.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/test-logs
mkdir -p "$logs"
rc=0
for s in "$@"; do
	echo "=== suite $s"
	rm -f "$logs/$s.tap"
	if ! make -C "$top" --no-print-directory "$s"; then
		echo "not ok - suite $s: make $s failed" >> "$logs/$s.tap"
		rc=1
	fi
	[ -s "$logs/$s.tap" ] || { echo "not ok - suite $s wrote no results" >> "$logs/$s.tap"; rc=1; }
done
pass=0; fail=0
for s in "$@"; do
	p=$(grep -cE '^ok( |$)' "$logs/$s.tap" || true)
	f=$(grep -cE '^not ok( |$)' "$logs/$s.tap" || true)
	printf '%-16s %4d passed, %4d failed\n' "$s:" "$p" "$f"
	grep -E '^not ok' "$logs/$s.tap" | sed 's/^/    /'
	pass=$((pass + p)); fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && [ $rc -eq 0 ]
