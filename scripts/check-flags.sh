#!/usr/bin/env bash
# check-flags.sh DB.json: verify the build fragments really compile with the
# project's warning set (mk/config.mk), from the per-target databases written by
# check-compdb.sh next to DB.json:
#   - every C compile command of every build carries all of $WARN;
#   - C files of the arch-neutral core (hyp/mmu hyp/mem hyp/hvc) also $CORE_WARN;
#   - hyp-image and boot-efi, cross-compiled objects: -ffreestanding and no
#     -fsanitize (the product runs without them; host tools such as mkimage are exempt);
#   - unit: -fsanitize=address and -fsanitize=undefined (the host tests run under them).
set -u
db=$1
dir=${db%.json}.d
[ -d "$dir" ] || { echo "flags: no databases in $dir"; exit 1; }
ls "$dir"/*.json > /dev/null 2>&1 || { echo "check-skip: no build fragment in the tree yet"; exit 0; }
top=$(cd "$(dirname "$0")/.." && pwd)
python3 - "$top" "$dir" "${WARN:?}" "${CORE_WARN:?}" <<'PY'
import glob, json, os, sys
top, d, warn, core_warn = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
core_dirs = ("hyp/mmu/", "hyp/mem/", "hyp/hvc/")
bad, n = [], 0
for path in sorted(glob.glob(os.path.join(d, "*.json"))):
	target = os.path.basename(path)[:-5]
	for e in json.load(open(path)):
		args, f = e["arguments"], e["file"]
		rel = os.path.relpath(f, top)
		n += 1
		miss = []
		if f.endswith(".c"):
			miss += [w for w in warn if w not in args]
			if rel.startswith(core_dirs):
				miss += [w for w in core_warn if w not in args]
		san = [a for a in args if a.startswith("-fsanitize")]
		cross = os.path.basename(args[0]).startswith("aarch64-")
		if target in ("hyp-image", "boot-efi") and cross:
			if san:
				miss.append("(must not have %s)" % " ".join(san))
			if f.endswith(".c") and "-ffreestanding" not in args:
				miss.append("-ffreestanding")
		if target == "unit" and f.endswith(".c"):
			sj = ",".join(a.split("=", 1)[-1] for a in san).split(",")
			miss += ["-fsanitize=" + s for s in ("address", "undefined") if s not in sj]
		if miss:
			bad.append("%-10s %s: missing %s" % (target, rel, " ".join(miss)))
print("flags: %d compile commands checked, %d with missing flags" % (n, len(bad)))
for b in bad:
	print("  " + b)
sys.exit(1 if bad else 0)
PY
