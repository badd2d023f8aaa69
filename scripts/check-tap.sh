#!/usr/bin/env bash
# check-tap.sh FILE: fail unless the TAP file exists, has at least one "ok" and
# no "not ok" line (test suites exit 0 and leave their verdicts in TAP).
set -u
f=$1
[ -f "$f" ] || { echo "$f: missing (the suite wrote no results)"; exit 1; }
p=$(grep -cE '^ok( |$)' "$f" || true)
x=$(grep -cE '^not ok( |$)' "$f" || true)
echo "${f##*/}: $p passed, $x failed"
grep -E '^not ok' "$f"
[ "$x" -eq 0 ] && [ "$p" -gt 0 ]
