#!/usr/bin/env bash
# check-compdb.sh OUT.json TARGET...: compilation databases of every C/asm
# compile command the given make targets would run (`make -n -B TARGET`), so that
# the flag check, clang-tidy and cppcheck see exactly the flags the fragments
# use. Only sources inside the repository (not build/, e.g. newlib) are kept.
#   OUT.json            merged: one entry per source, the first target listed wins
#                       (list the hypervisor image first: its flags are the product's)
#   OUT-dir/TARGET.json each target's own commands (the flag check needs to know
#                       which build a command belongs to)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1; shift
mkdir -p "$(dirname "$out")"
dir=${out%.json}.d
rm -rf "$dir"; mkdir -p "$dir"
if [ $# -eq 0 ]; then
	echo "[]" > "$out"
	echo "compdb: no build fragment in the tree yet: empty database"
	exit 0
fi
tname() { local t=${1#"$top"/}; t=${t#build/}; echo "${t//\//_}"; }
names=()
for t in "$@"; do
	names+=("$(tname "$t")")
	raw=$dir/$(tname "$t").make-n.txt
	# -B: every command, even for up-to-date objects; -n: run nothing (sub-makes
	# marked recursive still run, in -n mode).
	if ! ${MAKE:-make} -C "$top" --no-print-directory -n -B "$t" > "$raw" 2>&1; then
		echo "compdb: 'make -n -B $t' failed:"; tail -n 30 "$raw"; exit 1
	fi
done
python3 - "$top" "$dir" "$out" "${names[@]}" <<'PY'
import json, os, re, shlex, sys
top, d, out = sys.argv[1:4]
targets = sys.argv[4:]
cc_re = re.compile(r"(^|/)([\w.+-]*-)?(gcc|cc|clang)(-\d+)?$")

def parse(raw):
	text = open(raw, errors="replace").read().replace("\\\n", " ")
	entries, seen = [], set()
	for line in text.splitlines():
		try:
			toks = shlex.split(line)
		except ValueError:
			continue
		cmds, cur = [], []	# split compound shell lines: a; b && c
		for t in toks:
			if t in ("&&", ";", "||", "|"):
				cmds.append(cur); cur = []
			else:
				cur.append(t)
		cmds.append(cur)
		cwd = top
		for c in cmds:
			if len(c) >= 2 and c[0] == "cd":
				cwd = os.path.normpath(os.path.join(cwd, c[1]))
				continue
			if not c or not cc_re.search(c[0]):
				continue
			# compile commands, including compile-and-link of .c files (host tools)
			srcs = [a for a in c[1:] if re.search(r"\.(c|S|s)$", a) and not a.startswith("-")]
			for s in srcs:
				f = os.path.normpath(os.path.join(cwd, s))
				if not f.startswith(top + "/") or f.startswith(top + "/build/"):
					continue
				if (f, tuple(c)) in seen:
					continue
				seen.add((f, tuple(c)))
				args = [a for a in c if a not in srcs or a == s]
				entries.append({"directory": cwd, "arguments": args, "file": f})
	return entries

merged, have = [], set()
for t in targets:
	e = parse(os.path.join(d, t + ".make-n.txt"))
	json.dump(e, open(os.path.join(d, t + ".json"), "w"), indent=1)
	print("compdb: %-10s %3d compile commands" % (t, len(e)))
	for x in e:
		if x["file"] not in have:
			have.add(x["file"]); merged.append(x)
json.dump(merged, open(out, "w"), indent=1)
print("compdb: %d sources -> %s" % (len(merged), out))
PY
