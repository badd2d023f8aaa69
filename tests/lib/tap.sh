# shellcheck shell=bash
# What every QEMU suite checks in a serial log, sourced by tests/qemu/run.sh,
# tests/lib/qemu-smmu.sh (smmu-boot, smmu-dma, pviommu), hyp/arch/arm64/qemu-boot.sh and
# boot/tests/run.sh (docs/development.md "Test accounting").
#
#   tap_kernel_clean LOG   succeeds when LOG holds no kernel Oops, BUG, WARNING, "Internal
#                          error" or "Call trace:" line (TAP_KERNEL_BAD), printing those it found
#                          as TAP comments
#   tap_poweroff LOG RC    succeeds when the boot ended with a clean power-off: QEMU exited 0
#                          (-no-reboot: a reset or panic=-1 also exits 0, so the log must
#                          also carry the kernel's "reboot: Power down")
# The Linux kernel's own words: "Internal error: Oops" (arch/arm64/kernel/traps.c die()),
# "Oops" (x86 style and "Oops - BUG"), "kernel BUG at" / "BUG: " (include/asm-generic/bug.h,
# lib/bug.c, the lockdep/KASAN/sleep-in-atomic reports), "WARNING: CPU: " (__warn()) and the
# "Call trace:" every one of them (and a hung-task report) prints.
TAP_KERNEL_BAD='Internal error|Oops|kernel BUG at|BUG: |WARNING: |Call trace:'

tap_kernel_clean() {
	local bad
	bad=$(grep -E -- "$TAP_KERNEL_BAD" "$1" | head -5)
	[ -z "$bad" ] && return 0
	sed 's/^/# kernel: /' <<< "$bad"
	return 1
}

tap_poweroff() { [ "$2" = 0 ] && grep -q 'reboot: Power down' "$1"; }
