#!/usr/bin/env bash
# check-driver-w1.sh: every kernel module under host-driver/ (each directory
# with a Kbuild file: lockstep.ko, pviommu/lockstep-iommu.ko, ...) built with
# the kernel's W=1 extra warnings, on a copy under build/check/driver-w1/<dir>
# (the `driver` targets' own build directories stay untouched), with no warning
# at all. Called by `make check-driver-w1` with MAKE KDIR CROSS.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/check/driver-w1
make=${MAKE:-make}
[ -d "${KDIR:?}" ] || { echo "no kernel headers at $KDIR: run 'make deps'"; exit 1; }
mapfile -t dirs < <(find "$top/host-driver" -name Kbuild -printf '%h\n' 2>/dev/null | sort)
[ ${#dirs[@]} -gt 0 ] || { echo "check-skip: no host-driver module (Kbuild) yet"; exit 0; }
rm -rf "$out"
fail=0
for d in "${dirs[@]}"; do
	rel=${d#"$top"/}
	b=$out${rel#host-driver}
	mkdir -p "$b"
	cp "$d"/Kbuild "$b"/
	find "$d" -maxdepth 1 \( -name '*.c' -o -name '*.h' \) -exec cp {} "$b"/ \;
	echo "--- $rel: make -C \$KDIR M=$b W=1 modules"
	$make --no-print-directory -C "$KDIR" M="$b" ARCH=arm64 CROSS_COMPILE="${CROSS:-aarch64-linux-gnu-}" \
		LOCKSTEP_INC="$top/include" W=1 modules > "$b/build.log" 2>&1
	rc=$?
	cat "$b/build.log"
	if [ $rc -ne 0 ]; then
		echo "FAIL $rel: W=1 build failed"; fail=1
	elif grep -q 'warning:' "$b/build.log"; then
		echo "FAIL $rel: W=1 warnings above"; fail=1
	else
		echo "ok   $rel: $(cd "$b" && ls ./*.ko | tr '\n' ' ')"
	fi
done
exit $fail
