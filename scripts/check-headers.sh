#!/usr/bin/env bash
# Header self-containment: every header under hyp/ and include/ compiles on its
# own, as the first and only thing in a translation unit, and a second
# inclusion adds nothing (include guard). Called by `make check-headers` with:
#   HOSTCC CROSS WARN CORE_WARN CORE_INC HYP_HDR_CFLAGS OUT
# Which compiler and flags a header gets depends on where it lives:
#   hyp/include hyp/mmu hyp/mem hyp/hvc hyp/arch/fake   arch-neutral core and the
#       host-test backend: native $HOSTCC, $WARN $CORE_WARN, core include paths;
#   hyp/arch/x86   native $HOSTCC freestanding with the x86 image's include paths;
#   hyp/arch/arm64 hyp/iommu (and any other hyp/ dir)   ${CROSS}gcc freestanding
#       with the hypervisor's include paths ($HYP_HDR_CFLAGS), $WARN (hyp/iommu
#       also $CORE_WARN, as mk/iommu.mk builds it);
#   include/lockstep/*.h   native $HOSTCC and ${CROSS}gcc -ffreestanding (lockstep-uapi.h,
#       a Linux uAPI header, native only: it needs <linux/ioctl.h>);
#       abi.h also with -nostdinc: it must not need any libc header, since the
#       Linux module includes it in the kernel's environment.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
top=${SRC_TOP:-$repo}	# SRC_TOP: another tree to check (check-selftest.sh)
out=${OUT:-$top/build/check/headers}
hostcc=${HOSTCC:-gcc}
cross=${CROSS:-aarch64-linux-gnu-}
rm -rf "$out"; mkdir -p "$out"
std="-std=gnu11"
fail=0 n=0

# try NAME HEADER COMPILER FLAGS...: compile a TU that includes HEADER twice.
try() {
	local name=$1 h=$2 cc=$3; shift 3
	local tu=$out/$name.c
	printf '#include "%s"\n#include "%s"\n' "$h" "$h" > "$tu"
	n=$((n + 1))
	# shellcheck disable=SC2068
	if ! $cc $std -fsyntax-only "$@" "$tu" > "$out/$name.err" 2>&1; then
		echo "FAIL ${h#"$top"/} ($cc $*):"
		sed 's/^/    /' "$out/$name.err"
		fail=$((fail + 1))
	fi
}

id() { local r=${1#"$top"/}; r=${r//\//_}; echo "${r%.h}"; }

# shellcheck disable=SC2086
while IFS= read -r h; do
	rel=${h#"$top"/}
	case $rel in
	hyp/include/* | hyp/mmu/* | hyp/mem/* | hyp/hvc/* | hyp/arch/fake/*)
		try "$(id "$h")" "$h" "$hostcc" $WARN $CORE_WARN $CORE_INC ;;
	hyp/iommu/*)	# the SMMUv3 driver builds with the core's warnings (mk/iommu.mk)
		try "$(id "$h")" "$h" "${cross}gcc" $WARN $CORE_WARN $HYP_HDR_CFLAGS ;;
	hyp/arch/x86/*)	# the x86 image: host gcc, freestanding, its own libc headers (mk/hyp_x86.mk)
		try "$(id "$h")" "$h" "$hostcc" $WARN -ffreestanding -nostdinc \
			-isystem "$($hostcc -print-file-name=include)" -isystem "$top/hyp/arch/x86/libc" \
			$CORE_INC -I"$top/hyp/arch/x86/include" ;;
	hyp/*)
		try "$(id "$h")" "$h" "${cross}gcc" $WARN $HYP_HDR_CFLAGS ;;
	include/lockstep/abi.h)
		try "$(id "$h")-host" "$h" "$hostcc" $WARN $CORE_WARN
		try "$(id "$h")-nostdinc" "$h" "${cross}gcc" $WARN $CORE_WARN -ffreestanding -nostdinc ;;
	include/lockstep/lockstep-uapi.h)	# a Linux uAPI header (<linux/ioctl.h>): user space
		# includes it with the Linux headers, as the host compiler has them; the module with
		# the kernel's (mk/driver.mk), lsvm with the kernel's uapi tree (mk/vm.mk)
		try "$(id "$h")-host" "$h" "$hostcc" $WARN $CORE_WARN ;;
	include/*)
		try "$(id "$h")-host" "$h" "$hostcc" $WARN $CORE_WARN
		try "$(id "$h")-freestanding" "$h" "${cross}gcc" $WARN $CORE_WARN -ffreestanding ;;
	esac
done < <(find "$top/hyp" "$top/include" -name '*.h' -type f 2>/dev/null | sort)

echo "headers: $n compilations, $fail failed"
[ "$fail" -eq 0 ]
