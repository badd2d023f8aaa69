#!/usr/bin/env bash
# check-cppcheck.sh DB.json: cppcheck over every C file under hyp/ and boot/,
# warnings (and style/performance/portability findings) as errors.
# Configuration: the options below + tools/cppcheck/suppressions.txt (each
# suppression justified there). Each file is checked with the -I/-D flags of its
# compile command in DB.json (written by check-compdb.sh from the fragments'
# rules); a file no build compiles yet gets the core include paths.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
top=${SRC_TOP:-$repo}	# SRC_TOP: another tree to check (check-selftest.sh)
db=$1
cppcheck=${CPPCHECK:-cppcheck}
out=${OUT:-$top/build/check/cppcheck}
mkdir -p "$out"

mapfile -t files < <(find "$top/hyp" "$top/boot" -name '*.c' -type f 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || { echo "check-skip: no C files under hyp/ or boot/ yet"; exit 0; }

fail=0
for f in "${files[@]}"; do
	rel=${f#"$top"/}
	# -I/-D/-U of the file's compile command (or the core defaults), one per line.
	mapfile -t flags < <(python3 - "$db" "$f" "$top" <<'PY'
import json, os, sys
db, f, top = sys.argv[1:4]
try:
	entries = json.load(open(db))
except (OSError, ValueError):
	entries = []
args = next((e["arguments"] for e in entries if e["file"] == f), None)
if args is None:
	args = ["-I" + top + "/include", "-I" + top + "/hyp/include"]
out, it = [], iter(args)
for a in it:
	if a in ("-I", "-D", "-U", "-include", "-isystem"):
		a = a + next(it, "")
	if a.startswith(("-I", "-D", "-U")):
		out.append(a)
print("\n".join(out))
PY
)
	if ! "$cppcheck" --quiet --error-exitcode=1 --std=c11 --platform=unix64 \
		--enable=warning,style,performance,portability --inline-suppr \
		--suppressions-list="$repo/tools/cppcheck/suppressions.txt" \
		--cppcheck-build-dir="$out" \
		--template='{file}:{line}:{column}: {severity}/{id}: {message}' \
		"${flags[@]}" "$f" 2>&1; then
		echo "  ^ $rel"
		fail=$((fail + 1))
	fi
done
echo "cppcheck: ${#files[@]} files, $fail with findings"
[ "$fail" -eq 0 ]
