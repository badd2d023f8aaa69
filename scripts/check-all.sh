#!/usr/bin/env bash
# Run the quality-gate steps named on the command line (`make check`).
#
# Each step is the make target check-<step>. Its output goes to
# build/check/<step>.log; the console shows a header, the step's last lines
# when it fails, and PASS / FAIL / SKIP. A step that printed a line
# "check-skip: <why>" and succeeded is a SKIP (its area is not in the tree yet).
# TAP lines go to build/test-logs/check.tap (ok / not ok / ok # SKIP).
# Exit status: 0 when no step failed. V=1 shows every step's full output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
make=${MAKE:-make}
logs=$top/build/check
tap=$top/build/test-logs/check.tap
mkdir -p "$logs" "$(dirname "$tap")"
: > "$tap"

n=0
failed=()
t_all=$(date +%s)
for step in "$@"; do
	n=$((n + 1))
	log=$logs/$step.log
	printf '\n==== check %d/%d: %s\n' "$n" "$#" "$step"
	t0=$(date +%s)
	if [ "${V:-0}" = 1 ]; then
		$make -C "$top" --no-print-directory "check-$step" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		$make -C "$top" --no-print-directory "check-$step" > "$log" 2>&1
		rc=$?
	fi
	dt=$(( $(date +%s) - t0 ))
	skip=$(sed -n 's/^check-skip: //p' "$log" | head -1)
	if [ "$rc" -eq 0 ] && [ -n "$skip" ]; then
		printf -- '---- SKIP %s (%ss): %s\n' "$step" "$dt" "$skip"
		echo "ok $n - $step # SKIP $skip" >> "$tap"
	elif [ "$rc" -eq 0 ]; then
		grep -E '^check-note: ' "$log" | sed 's/^check-note: /     note: /'
		printf -- '---- PASS %s (%ss)\n' "$step" "$dt"
		echo "ok $n - $step" >> "$tap"
	else
		[ "${V:-0}" = 1 ] || tail -n 60 "$log" | sed 's/^/   | /'
		printf -- '---- FAIL %s (%ss; full log: %s)\n' "$step" "$dt" "${log#"$top"/}"
		echo "not ok $n - $step (see ${log#"$top"/})" >> "$tap"
		failed+=("$step")
	fi
done
echo "1..$n" >> "$tap"

echo
if [ ${#failed[@]} -eq 0 ]; then
	echo "check: all $n steps passed or skipped ($(( $(date +%s) - t_all ))s)"
	exit 0
fi
echo "check: ${#failed[@]} of $n steps FAILED: ${failed[*]} ($(( $(date +%s) - t_all ))s)"
exit 1
