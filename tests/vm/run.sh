#!/usr/bin/env bash
# vm suite (mk/vm.mk): protected VMs that run (issue 12). The machine of tests/qemu/run.sh
# (AAVMF -> loader -> Lockstep EL2 -> Linux EL1, SMMUv3, GICv3, 4 CPUs, 2 GiB) plus QEMU's edu
# PCI device; the initramfs runs tests/vm/lstest: lsvm boots every guest of tests/guest, the
# host tries to read a guest's private page by CPU and DMA, a VMM is killed mid-run, every bad
# ioctl is tried (tests/vm/vmtest); then the same machine with a device tree (acpi=off) for
# the driver's DT path, a reduced run. Asserts on the guest's blocks and on Lockstep's own log;
# TAP to build/test-logs/vm.tap, serial logs build/test-logs/vm-serial{,-dt}.log.
#
#   run.sh ESP
# Environment: QEMU_TIMEOUT (seconds, default 300), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/vm
esp=$1
# The ACPI boot with its 8 guest runs: 49-64 s under TCG on the shared 2-core host (measured
# when this was written), about 5x that allowed per boot.
timeout_s=${QEMU_TIMEOUT:-300}
mkdir -p "$logs" "$work"
tap=$logs/vm.tap
log=$logs/vm-serial.log
: > "$tap"
qs_tap "$tap"

[ -f "$esp" ] || { qs_plan 1; tap_line "not ok" "ESP image $esp exists"; exit 0; }

# boot MODE LOG [MOPTS]: one boot of the ESP; MODE acpi (the machine `make run` boots: every
# check) or dt (QEMU acpi=off: Linux and lockstep.ko on a device tree, the reduced run of
# tests/vm/lstest). 6 checks here (+ 2 for acpi) and the block's own plan.
boot() {
	local mode=$1
	log=$2
	qs_prefix="$mode: "
	if [ "$mode" = acpi ]; then qs_plan $((6 + 2 + 2)); else qs_plan 6; fi
	qs_machine "${3:-}"
	qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; return; }
	qs_disk esp "$esp"
	# edu's DMA addresses are clamped to its dma_mask (28 bits by default): RAM is above 1 GiB.
	qs_edu dma_mask=0xffffffffff
	qs_run "vm ($mode)" "$log" "$timeout_s"

	assert "QEMU finished within ${timeout_s}s (took ${secs}s)" eval '! qs_timed_out'
	assert "Linux runs at EL1 on 4 CPUs" \
		eval 'has "CPU: All CPU\(s\) started at EL1" && has "smp: Brought up 1 node, 4 CPUs"'
	assert "lockstep.ko loaded" has '^lockstep-initramfs: Lockstep hypervisor ABI '
	assert "lockstep.ko enabled the EL2 timer PPI" has 'lockstep: EL2 physical timer PPI enabled'

	qs_guest_block

	if [ "$mode" = acpi ]; then
		# Lockstep's record of the host's attempts on the guest's private page (tests/vm/lstest
		# "# target private PA"): the CPU read was a host stage-2 abort at that address, and
		# the edu's DMA an SMMU fault there. Unanchored: Lockstep and Linux share the UART,
		# lines can interleave.
		priv=$(sed -n 's/^# target private \(0x[0-9a-f]*\)$/\1/p' <<< "$block" | head -1)
		echo "# guest's private page: PA ${priv:-none}" >> "$tap"
		assert "Lockstep logged the host CPU's read abort at the private page's PA" \
			eval '[ -n "$priv" ] && has "host read abort at IPA $priv[ )]"'
		assert "Lockstep logged an SMMU fault of the edu at the private page's PA" \
			eval '[ -n "$priv" ] && has "smmu: event F_[A-Z_]+ sid 0x[0-9a-f]+ addr $priv "'
		attest_check
	fi
	qs_end_checks
}
# The attestation report the attest guest printed (tests/vm/lstest "ATTEST-REPORT"), checked
# here with the tools a remote verifier uses (docs/attestation.md): the public key Lockstep
# printed at boot, the measurement vm-measure computes for the image padded with zeros to the
# 1 MiB lsvm -P 1 donated, the guest's nonce; then the same report against a wrong
# measurement must fail. 2 checks.
attest_check() {
	local rep pub meas nonce img=$work/attest-1m.bin
	rep=$(sed -n 's/^ATTEST-REPORT \([0-9a-f]*\)$/\1/p' "$log" | head -1)
	pub=$(sed -n 's/.*attestation: public key \([0-9a-f]*\).*/\1/p' "$log" | head -1)
	cp "$top/build/guest/attest.bin" "$img" 2>/dev/null && truncate -s 1M "$img"
	# lsvm: one vCPU, on, PC = 0x80000000, x0 = 0 (tools/lsvm/lsvm.c)
	meas=$(python3 "$top/tools/attest/vm-measure" "$img@0x80000000" --vcpu 0,pc=0x80000000 \
		2>/dev/null | awk '{print $1}')
	nonce=$(printf 'lockstep-attest-guest-nonce-0001' | od -An -tx1 | tr -d ' \n')
	python3 -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(sys.argv[1]))' \
		"${rep:-00}" "$work/attest.report"
	echo "# attest: key ${pub:0:16}..., measurement ${meas:-none}" >> "$tap"
	assert "attest: the guest's report verifies (Lockstep's key, vm-measure of the image, its nonce)" \
		eval '[ -n "$rep" ] && [ -n "$pub" ] && [ -n "$meas" ] && "$top/build/tools/lockstep-verify" "$work/attest.report" "$pub" "$meas" "$nonce" >> "$tap.verify" 2>&1'
	assert "attest: the same report against another measurement is refused" \
		eval '[ -n "$rep" ] && ! "$top/build/tools/lockstep-verify" "$work/attest.report" "$pub" "$(printf %064d 0)" "$nonce" >> "$tap.verify" 2>&1'
}

boot acpi "$logs/vm-serial.log"
boot dt "$logs/vm-serial-dt.log" acpi=off
echo "vm: TAP in $tap"
