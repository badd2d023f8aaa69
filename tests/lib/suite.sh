# shellcheck shell=bash
# The head of the x86 system suites' run.sh (svm-qemu, mb2-qemu, vmx-bochs), sourced after
# tests/lib/tap.sh: the TAP file, a scratch directory, the numbered results and the reading
# of the serial log (docs/development.md "Test accounting").
#
#   suite_init SUITE DIR     tap=build/test-logs/SUITE.tap, work=a fresh directory under
#                            build/DIR, removed at exit together with a QEMU left running
#                            ($qpid, set by the caller while one runs)
#   suite_plan N             the plan, first in the TAP file (which it starts anew)
#   tap_line ok|"not ok" T   one result, numbered, to the TAP file and stdout
#   assert NAME CMD...       ok NAME when CMD succeeds, else not ok NAME
#   comment TEXT             a TAP comment
#   has ERE                  $log has a line matching ERE
#   val KEY                  the first "$SUITE_TAG: KEY VALUE" line of $log: VALUE, without a
#                            kernel message that landed on the same line and without CR
# Variables the caller sets: SUITE_TAG (the guest's line prefix, e.g. svmtest), log.
suite_init() {
	logs=$top/build/test-logs
	tap=$logs/$1.tap
	mkdir -p "$logs" "$top/build/$2"
	work=$(mktemp -d "$top/build/$2/run.XXXXXX") || exit 1
	qpid=
	trap '[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null; rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM
}

suite_plan() {
	n=0
	echo "1..$1" > "$tap"
	echo "1..$1"
}

tap_line() { n=$((n + 1)); echo "$1 $n - $2" >> "$tap"; echo "$1 $n - $2"; }
assert() { local name=$1; shift; if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi; }
comment() { echo "# $*" >> "$tap"; echo "# $*"; }
has() { grep -qE -- "$1" "$log"; }
val() { sed -n "s/^$SUITE_TAG: $1 //p" "$log" | sed 's/\[ *[0-9]*\.[0-9]*\] .*$//' | tr -d '\r' | head -1; }
