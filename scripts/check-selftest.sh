#!/usr/bin/env bash
# Self-test of the quality gates (`make check-selftest`): each gate script is run
# on a small throw-away tree under build/check/selftest with one known defect and
# must FAIL, and on the same tree without the defect must PASS; so no gate can
# silently pass everything. TAP: build/test-logs/check-selftest.tap.
# Environment (from mk/check.mk): HOSTCC CROSS WARN CORE_WARN CORE_INC.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
st=$repo/build/check/selftest
tap=$repo/build/test-logs/check-selftest.tap
mkdir -p "$(dirname "$tap")"
# The plan, written first (tests/run.sh fails the suite when results are missing): every
# expect below, 17 for the gates and 9 for the runner's accounting.
echo "1..$((17 + 9))" > "$tap"
n=0
# A script that dies half-way (a failed command under `set -u`, a killed tool) records a
# failure and exits non-zero: the recipe in mk/check.mk passes that on to make.
trap 'rc=$?; [ "$rc" = 0 ] || echo "not ok - check-selftest.sh ended early (exit status $rc)" |
	tee -a "$tap"' EXIT
rm -rf "$st"; mkdir -p "$st"

# expect NAME pass|fail COMMAND...: run COMMAND, record whether it did as expected.
expect() {
	local name=$1 want=$2 got; shift 2
	n=$((n + 1))
	if "$@" > "$st/$n.log" 2>&1; then got=pass; else got=fail; fi
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name" | tee -a "$tap"
	else
		echo "not ok $n - $name (expected $want, got $got; log $st/$n.log)" | tee -a "$tap"
	fi
}

mk() { mkdir -p "$(dirname "$1")"; cat > "$1"; }

# --- format -------------------------------------------------------------------
mk "$st/fmt/good.c" <<'C'
int fmt_add(int a, int b);

int fmt_add(int a, int b)
{
	if (a > b)
		return a - b;
	return a + b;
}
C
mk "$st/fmt/bad.c" <<'C'
int fmt_add(int a, int b);
int fmt_add(int a,int b) {
    if (a>b) return a-b;
    return a+b;
}
C
expect "format: well-formatted file passes" pass "$repo/scripts/check-format.sh" "$st/fmt/good.c"
expect "format: 4-space indent, K&R function brace fail" fail "$repo/scripts/check-format.sh" "$st/fmt/bad.c"

# --- headers ------------------------------------------------------------------
hdr_tree() { # hdr_tree DIR: a minimal core-header tree
	mk "$1/hyp/include/hyp/types.h" <<'C'
#ifndef HYP_TYPES_H
#define HYP_TYPES_H
#include <stdint.h>
typedef uint64_t u64;
#endif
C
	mk "$1/hyp/include/hyp/thing.h" <<'C'
#ifndef HYP_THING_H
#define HYP_THING_H
#include "hyp/types.h"
struct thing {
	u64 v;
};
#endif
C
}
hdr() { HOSTCC=$HOSTCC CROSS=$CROSS WARN=$WARN CORE_WARN=$CORE_WARN HYP_HDR_CFLAGS= \
	CORE_INC="-I$1/include -I$1/hyp/include" OUT=$1/out SRC_TOP=$1 "$repo/scripts/check-headers.sh"; }
hdr_tree "$st/h-good"
expect "headers: self-contained, guarded headers pass" pass hdr "$st/h-good"
hdr_tree "$st/h-noinc"
sed -i '/#include "hyp\/types.h"/d' "$st/h-noinc/hyp/include/hyp/thing.h"
expect "headers: header relying on an earlier include fails" fail hdr "$st/h-noinc"
hdr_tree "$st/h-noguard"
sed -i '/HYP_THING_H/d; /#endif/d' "$st/h-noguard/hyp/include/hyp/thing.h"
expect "headers: header without include guard fails (double inclusion)" fail hdr "$st/h-noguard"
hdr_tree "$st/h-conv"
cat >> "$st/h-conv/hyp/include/hyp/thing.h" <<'C'
#ifndef HYP_THING2_H
#define HYP_THING2_H
static inline unsigned int thing_low(u64 v)
{
	return v;
}
#endif
C
expect "headers: core header with an implicit narrowing fails (-Wconversion)" fail hdr "$st/h-conv"

# --- flags --------------------------------------------------------------------
flags_db() { # flags_db DIR EXTRA-WARN...: a one-entry unit-build database
	local d=$1; shift
	mkdir -p "$d/db.d"
	python3 - "$d/db.d/unit-build.json" "$repo" "$@" <<'PY'
import json, sys
out, repo, flags = sys.argv[1], sys.argv[2], sys.argv[3:]
json.dump([{"directory": repo, "file": repo + "/hyp/mmu/x.c",
	    "arguments": ["gcc", "-fsanitize=address,undefined"] + flags + ["-c", repo + "/hyp/mmu/x.c"]}],
	  open(out, "w"))
PY
	echo '[]' > "$d/db.json"
}
# shellcheck disable=SC2086
flags_db "$st/f-good" $WARN $CORE_WARN
# shellcheck disable=SC2086
flags_db "$st/f-bad" $WARN
expect "flags: core object with WARN and CORE_WARN passes" pass \
	env WARN="$WARN" CORE_WARN="$CORE_WARN" "$repo/scripts/check-flags.sh" "$st/f-good/db.json"
expect "flags: core object without CORE_WARN fails" fail \
	env WARN="$WARN" CORE_WARN="$CORE_WARN" "$repo/scripts/check-flags.sh" "$st/f-bad/db.json"

# --- cppcheck and clang-tidy ----------------------------------------------------
mk "$st/a-good/hyp/mmu/a.c" <<'C'
int a_sum(const int *v, int n);

int a_sum(const int *v, int n)
{
	int i, s = 0;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}
C
mk "$st/a-bad/hyp/mmu/a.c" <<'C'
int a_last(int n);

int a_last(int n)
{
	int v[4] = { 0, 1, 2, 3 };

	if (n > 2)
		return v[4];
	return v[n];
}
C
mk "$st/t-bad/hyp/mmu/a.c" <<'C'
int a_get(const int *p);

int a_get(const int *p)
{
	if (!p)
		return *p;
	return 0;
}
C
echo '[]' > "$st/empty.json"
expect "cppcheck: clean file passes" pass env SRC_TOP="$st/a-good" OUT="$st/a-good/out" \
	"$repo/scripts/check-cppcheck.sh" "$st/empty.json"
expect "cppcheck: out-of-bounds index fails" fail env SRC_TOP="$st/a-bad" OUT="$st/a-bad/out" \
	"$repo/scripts/check-cppcheck.sh" "$st/empty.json"
tidy() { SRC_TOP=$1 TIDY_CORE_FLAGS="-std=gnu11 $WARN" "$repo/scripts/check-tidy.sh" "$st/empty.json"; }
expect "clang-tidy: clean file passes" pass tidy "$st/a-good"
expect "clang-tidy: NULL dereference fails" fail tidy "$st/t-bad"

# --- TAP verdicts and cloc ----------------------------------------------------------
printf 'ok 1 - a\nok 2 - b\n' > "$st/good.tap"
printf 'ok 1 - a\nnot ok 2 - b\n' > "$st/bad.tap"
: > "$st/empty.tap"
expect "tap: all ok passes" pass "$repo/scripts/check-tap.sh" "$st/good.tap"
expect "tap: a not ok fails" fail "$repo/scripts/check-tap.sh" "$st/bad.tap"
expect "tap: no results fails" fail "$repo/scripts/check-tap.sh" "$st/empty.tap"

# cloc: a known file (4 code lines among comments and blank lines) linked via a .d file.
mkdir -p "$st/cloc/obj"
mk "$st/cloc/hyp/mmu/cloc.c" <<'C'
/* comment
 * spanning lines */

int x; /* trailing */
// line comment
char *s = "/* not a comment */";
	/* lead */ int y;
#define Z 1 // z
C
printf '%s: %s\n' "$st/cloc/obj/cloc.o" "$st/cloc/hyp/mmu/cloc.c" > "$st/cloc/obj/cloc.d"
: > "$st/cloc/obj/cloc.o"
cloc_is() { SRC_TOP=$st/cloc "$repo/scripts/cloc.sh" "" -- "$st/cloc/obj/cloc.o" |
	grep -qE "^TOTAL +1 +$1\$"; }
expect "cloc: counts 4 code lines in a commented file" pass cloc_is 4
expect "cloc: and not 5" fail cloc_is 5

# --- the test runner's accounting (tests/run.sh --count-only) ----------------------
# One suite per TAP file; the runner must fail a suite that lost checks, has no plan, a plan
# after its first result, more results than planned, or no results; skips are counted apart.
rd=$st/run; mkdir -p "$rd"
printf '1..2\nok 1 - a\nok 2 - b\n' > "$rd/good.tap"
printf '1..1\nok 1 - a\n# part two\n1..2\nok 1 - b\nok 2 - c\n' > "$rd/parts.tap"
printf '1..3\nok 1 - a\nok 2 - b\n' > "$rd/lost.tap"
printf 'ok 1 - a\nok 2 - b\n' > "$rd/noplan.tap"
printf 'ok 1 - a\n1..1\n' > "$rd/lateplan.tap"
printf '1..1\nok 1 - a\nok 2 - b\n' > "$rd/extra.tap"
: > "$rd/empty.tap"
printf '1..2\nok 1 - a\nok 2 - b # SKIP no device\n' > "$rd/skip.tap"
runner() { "$repo/tests/run.sh" --count-only "$rd" "$@"; }
runner_says() { # runner_says LINE SUITE...: the runner's last line is exactly LINE
	[ "$(runner "${@:2}" | tail -1)" = "$1" ]
}
expect "runner: complete plans pass (one plan, two parts)" pass runner good parts
expect "runner: a suite that lost a planned check fails, saying how many" pass \
	eval "! runner lost > '$rd/lost.out' && grep -q '1 of 3 planned checks missing' '$rd/lost.out'"
expect "runner: a suite without a plan fails" fail runner noplan
expect "runner: a plan after the first result fails" fail runner lateplan
expect "runner: more results than planned fail" fail runner extra
expect "runner: a suite with no results fails" fail runner empty
expect "runner: a skip is counted apart, not as a pass" pass \
	runner_says "1 passed, 0 failed, 1 skipped" skip
expect "runner: last line totals every suite" pass \
	runner_says "8 passed, 1 failed, 1 skipped" good parts skip lost
expect "runner: a missing TAP file fails" fail runner nosuchsuite
exit 0
