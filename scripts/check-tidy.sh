#!/usr/bin/env bash
# check-tidy.sh DB.json: clang-tidy (configuration: .clang-tidy, every finding an
# error) over every C file under hyp/ and boot/.
#
# Each file is analysed with the flags of its own compile command from DB.json
# (check-compdb.sh), translated for clang: the cross gcc becomes
# `clang --target=aarch64-linux-gnu`, dependency-file flags are dropped, and so
# is any gcc-only flag clang rejects (listed in the log). A file no build
# compiles yet gets default flags by area ($TIDY_CORE_FLAGS for the core and
# host-side tests (*/tests/*),
# $TIDY_HYP_FLAGS for hyp/arch/arm64 and hyp/iommu, $TIDY_BOOT_FLAGS for boot/).
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
top=${SRC_TOP:-$repo}	# SRC_TOP: another tree to check (check-selftest.sh)
db=$1
tidy=${CLANG_TIDY:-clang-tidy}
out=$top/build/check/tidy
rm -rf "$out"; mkdir -p "$out"

mapfile -t files < <(find "$top/hyp" "$top/boot" -name '*.c' -type f 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || { echo "check-skip: no C files under hyp/ or boot/ yet"; exit 0; }

python3 - "$top" "$db" "$out/compile_commands.json" "${files[@]}" <<'PY' || exit 1
import json, os, re, shlex, subprocess, sys
top, db, out, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
try:
	entries = {e["file"]: e for e in json.load(open(db))}
except (OSError, ValueError):
	entries = {}
env = lambda k: shlex.split(os.environ.get(k, ""))
core_dirs = ("hyp/include/", "hyp/mmu/", "hyp/mem/", "hyp/hvc/", "hyp/arch/fake/")
with_arg = {"-I", "-D", "-U", "-o", "-include", "-isystem", "-MF", "-MT", "-MQ", "-x", "-imacros"}
drop_1 = {"-MD", "-MMD", "-MP", "-M", "-MM"}
drop_2 = {"-MF", "-MT", "-MQ", "-o"}
accepted = {}

def clang_ok(target, flag):
	k = (target, flag)
	if k not in accepted:
		cmd = ["clang"] + (["--target=" + target] if target else []) + \
		      ["-Werror=unknown-warning-option", "-Werror=unused-command-line-argument",
		       "-fsyntax-only", "-x", "c", flag, "/dev/null"]
		accepted[k] = subprocess.run(cmd, stdout=subprocess.DEVNULL,
					     stderr=subprocess.DEVNULL).returncode == 0
	return accepted[k]

res, dropped = [], set()
for f in files:
	rel = os.path.relpath(f, top)
	e = entries.get(f)
	if e is None:
		if rel.startswith(core_dirs) or "/tests/" in rel:
			args, tgt = ["clang"] + env("TIDY_CORE_FLAGS"), ""
		elif rel.startswith("boot/"):
			args, tgt = ["clang", "--target=aarch64-linux-gnu"] + env("TIDY_BOOT_FLAGS"), "aarch64-linux-gnu"
		else:
			args, tgt = ["clang", "--target=aarch64-linux-gnu"] + env("TIDY_HYP_FLAGS"), "aarch64-linux-gnu"
		res.append({"directory": top, "arguments": args + ["-c", f], "file": f})
		print("tidy: %s: no compile command yet, default flags" % rel)
		continue
	a = e["arguments"]
	cc = os.path.basename(a[0])
	m = re.match(r"(.*)-(gcc|cc|clang)(-\d+)?$", cc)
	tgt = m.group(1) if m else ""
	args = ["clang"] + (["--target=" + tgt] if tgt else [])
	i = 1
	while i < len(a):
		x = a[i]
		if x in drop_2:
			i += 2; continue
		if x in drop_1 or x.startswith(("-MF", "-MT")):
			i += 1; continue
		if x in with_arg:
			args += a[i:i + 2]; i += 2; continue
		if x.startswith("-") and not x.startswith(("-I", "-D", "-U", "-std=")) and x != "-c":
			if not clang_ok(tgt, x):
				dropped.add(x); i += 1; continue
		args.append(x)
		i += 1
	res.append({"directory": e["directory"], "arguments": args, "file": f})
if dropped:
	print("tidy: gcc-only flags clang does not take, dropped: " + " ".join(sorted(dropped)))
json.dump(res, open(out, "w"), indent=1)
PY

# Two files at a time (the machine has two cores); each file's log kept.
fail=0
printf '%s\n' "${files[@]}" | xargs -P 2 -I{} sh -c '
	f={}; log='"$out"'/$(echo "${f#'"$top"'/}" | tr / _).log
	if '"$tidy"' --quiet -p '"$out"' --extra-arg=-Wno-unknown-warning-option "$f" > "$log" 2>&1; then
		echo "ok     ${f#'"$top"'/}"
	else
		echo "FAIL   ${f#'"$top"'/}"; exit 1
	fi' || fail=1
for l in "$out"/*.log; do
	grep -qE '(error|warning):' "$l" && sed -n '/\(error\|warning\):/,+3p' "$l" | grep -v 'warnings generated' | head -n 80
done
[ "$fail" -eq 0 ] && echo "clang-tidy: ${#files[@]} files clean" || echo "clang-tidy: findings above"
exit $fail
