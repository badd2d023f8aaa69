#!/usr/bin/env bash
# cloc.sh ELF -- OBJ...: the trusted computing base of the hypervisor image, in
# non-blank, non-comment lines of C and assembly, per directory and group:
#   core   hyp/mmu hyp/mem hyp/hvc hyp/include     (arch-neutral)
#   arch   hyp/arch/arm64, hyp/arch/x86
#   iommu  hyp/iommu
#   abi    include/lockstep                          (shared with loader/driver)
#   other  any other file of this tree that got linked in
# Only files that went into the image count: the sources and headers named by
# the .d dependency file of each linked object (OBJ = $(HYP_OBJS)); objects
# without a .d file fall back to the ELF's DWARF (compile units + line-table
# file names). Code linked from outside the tree (newlib's libc.a, mbedtls'
# libmbedcrypto.a) is listed separately, one line per library, from the DWARF,
# when its sources are readable.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
top=${SRC_TOP:-$top}	# SRC_TOP: another tree (check-selftest.sh)
elf=${1:-}
shift || true
[ "${1:-}" = -- ] && shift
readelf=${CROSS:-aarch64-linux-gnu-}readelf
if [ $# -eq 0 ] && [ -z "$elf" ]; then
	echo "cloc: no objects and no ELF given (is HYP_OBJS defined by mk/hyp.mk?)" >&2
	exit 1
fi
dwarf=
if [ -n "$elf" ] && [ -f "$elf" ]; then
	dwarf=$(mktemp)
	trap 'rm -f "$dwarf"' EXIT
	"$readelf" --debug-dump=info,rawline "$elf" > "$dwarf" 2>/dev/null || true
fi
python3 - "$top" "$elf" "$dwarf" "$@" <<'PY'
import os, re, sys
top, elf, dwarf, objs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
SRC = re.compile(r"\.(c|h|S|s|inc)$")
GROUPS = [("core", ("hyp/mmu/", "hyp/mem/", "hyp/hvc/", "hyp/include/")),
	  ("arch", ("hyp/arch/arm64/", "hyp/arch/x86/")), ("iommu", ("hyp/iommu/",)),
	  ("abi", ("include/lockstep/",))]

def group(rel):
	for g, prefixes in GROUPS:
		if rel.startswith(prefixes):
			return g
	return "other"

def sloc(path):
	"""Non-blank lines that are not entirely comment (C /* */ and //, asm //)."""
	try:
		text = open(path, errors="replace").read()
	except OSError:
		return None
	n, in_block = 0, False
	for line in text.splitlines():
		code, i, q = [], 0, None
		while i < len(line):
			c, two = line[i], line[i:i + 2]
			if in_block:
				if two == "*/":
					in_block, i = False, i + 2
				else:
					i += 1
				continue
			if q:
				code.append(c)
				if c == "\\":
					code.append(line[i + 1:i + 2]); i += 2; continue
				if c == q:
					q = None
				i += 1
				continue
			if two == "/*":
				in_block, i = True, i + 2
				continue
			if two == "//":
				break
			if c in "\"'":
				q = c
			code.append(c)
			i += 1
		if "".join(code).strip():
			n += 1
	return n

def deps_of(dfile):
	text = open(dfile).read().replace("\\\n", " ")
	out = []
	for line in text.splitlines():
		if ":" not in line:
			continue
		_, rhs = line.split(":", 1)
		out += rhs.split()
	return out

files, no_d = set(), []
for o in objs:
	d = re.sub(r"\.o$", ".d", o)
	if os.path.exists(d):
		for f in deps_of(d):
			f = os.path.normpath(os.path.join(top, f))
			if SRC.search(f):
				files.add(f)
	else:
		no_d.append(o)

# DWARF: compile units (DW_AT_name + DW_AT_comp_dir) and line-table file names.
# Always read for the compile units from outside the tree (newlib); for the
# tree's own files only when some object has no .d file.
ext, use_dwarf = set(), bool(no_d or not objs)
if dwarf and os.path.getsize(dwarf) > 0:
	txt = open(dwarf, errors="replace").read()
	for cu in re.split(r"Compilation Unit @", txt)[1:]:
		die = cu.split("Abbrev Number", 2)
		die = die[1] if len(die) > 1 else cu	# the DW_TAG_compile_unit DIE
		val = lambda k: (re.findall(r"DW_AT_%s\s*:\s*(?:\(indirect[^)]*\):\s*)?(\S+)" % k, die) or [None])[0]
		name, cdir = val("name"), val("comp_dir")
		if not name or not SRC.search(name):
			continue
		f = os.path.normpath(os.path.join(cdir or top, name))
		if not f.startswith(top + "/") or f.startswith(top + "/build/"):
			if os.path.isfile(f):
				ext.add(f)
		elif use_dwarf:
			files.add(f)
	# DWARF 5 rawline: directory table then file table ("Entry Dir Name").
	for blk in (re.split(r"\n\s*Offset:\s", txt) if use_dwarf else []):
		dirs = re.findall(r"^\s+(\d+)\s+(?:\(indirect[^)]*\):\s*)?(/\S*|\S+)$",
				  blk.split("The File Name Table")[0].split("The Directory Table")[-1], re.M)
		dmap = {int(i): p for i, p in dirs}
		if "The File Name Table" not in blk:
			continue
		ft = blk.split("The File Name Table")[1].split("Line Number Statements")[0]
		for i, d, name in re.findall(r"^\s+(\d+)\s+(\d+)\s+(?:\(indirect[^)]*\):\s*)?(\S+)$", ft, re.M):
			if SRC.search(name):
				base = os.path.join(dmap.get(0, top), dmap.get(int(d), ""))
				files.add(os.path.normpath(os.path.join(base, name)))

rows, groups, other_tree = {}, {}, []
for f in sorted(files):
	if not f.startswith(top + "/") or f.startswith(top + "/build/"):
		continue
	rel = os.path.relpath(f, top)
	n = sloc(f)
	if n is None:
		continue
	d = os.path.dirname(rel)
	g = group(rel + ("/" if not rel.endswith("/") else ""))
	r = rows.setdefault(d, [g, 0, 0])
	r[1] += 1; r[2] += n
	gs = groups.setdefault(g, [0, 0]); gs[0] += 1; gs[1] += n

print("Lockstep TCB: C and assembly linked into %s" % (os.path.relpath(elf, top) if elf else "the image"))
print("(non-blank, non-comment lines of the files the linked objects were built from)")
if no_d:
	print("note: %d objects without .d files, taken from the ELF's DWARF" % len(no_d))
print()
print("%-6s %-32s %6s %7s" % ("group", "directory", "files", "lines"))
print("-" * 54)
order = {g: i for i, (g, _) in enumerate(GROUPS)}
for d, (g, nf, nl) in sorted(rows.items(), key=lambda kv: (order.get(kv[1][0], 9), kv[0])):
	print("%-6s %-32s %6d %7d" % (g, d, nf, nl))
print("-" * 54)
for g, (nf, nl) in sorted(groups.items(), key=lambda kv: order.get(kv[0], 9)):
	print("%-6s %-32s %6d %7d" % (g, "(subtotal)", nf, nl))
tf = sum(v[0] for v in groups.values()); tl = sum(v[1] for v in groups.values())
print("%-6s %-32s %6d %7d" % ("TOTAL", "", tf, tl))
if "other" in groups:
	print("\nnote: 'other' = files outside the listed TCB directories that the image links")
if ext:
	# One line per library: newlib's libc.a, mbedtls' libmbedcrypto.a (scripts/mbedtls.sh).
	libs = {}
	for f in sorted(ext):
		lib = "mbedtls" if "/mbedtls/" in f else "newlib" if "/newlib" in f else "other"
		libs.setdefault(lib, []).append((f, sloc(f) or 0))
	print("\nlinked from outside the tree (not in TOTAL; compile units only, from DWARF):")
	for lib, el in sorted(libs.items()):
		common = os.path.commonpath([f for f, _ in el])
		if len(el) == 1:
			common = os.path.dirname(common)
		where = os.path.relpath(common, top) if common.startswith(top) else common
		print("%-6s %-32s %6d %7d" % (lib, where, len(el), sum(n for _, n in el)))
		if lib == "mbedtls":
			print("       (%s)" % ", ".join(os.path.basename(f) for f, _ in el))
if tf == 0:
	sys.exit("cloc: no source files found: were the objects built with -MMD (.d files) or -g?")
PY
