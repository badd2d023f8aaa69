# shellcheck shell=bash
# The QEMU machine of the SMMU suites, sourced by tests/smmu-qemu/boot/run.sh (smmu-boot),
# tests/smmu-dma/run.sh (smmu-dma) and tests/pviommu/run.sh (pviommu): the machine of
# tests/qemu/run.sh (AAVMF -> loader -> Lockstep at EL2 -> Linux at EL1, GICv3, 4 CPUs,
# 2 GiB) with QEMU's SMMUv3 in front of the PCI bus, the devices the suites put behind it,
# one bounded run with its serial log, and the TAP helpers the suites share.
#
# A suite builds the command line in QS_ARGS, then runs it:
#   qs_machine [MOPTS]            QS_ARGS = the machine (-M virt,...[,MOPTS], cpu, memory)
#   qs_firmware WORKDIR           + AAVMF code and a fresh copy of its variable store
#   qs_disk ID IMAGE [DEVOPTS]    + a virtio-blk-pci disk (writes go to a snapshot)
#   qs_net [NETDEV_OPTS]          + a virtio-net-pci NIC on QEMU user networking, behind the SMMU
#   qs_edu [DEVOPTS]              + QEMU's edu PCI device (a DMA engine at raw addresses)
#   qs_run NAME LOG TIMEOUT [ARG...]   QEMU with QS_ARGS (or, after "--", only the ARGs)
# and reads the results from the serial log with the TAP helpers (qs_tap, qs_plan, tap_line,
# assert, has, hasnt, qs_guest_block, qs_end_checks). Environment: QEMU (binary, default
# qemu-system-aarch64).
# shellcheck disable=SC2034,SC2054,SC2154  # qrc, secs, block: for the sourcing script;
# commas: QEMU options; log, tap: set by the sourcing script

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"	# tap_kernel_clean, tap_poweroff

QS_QEMU=${QEMU:-qemu-system-aarch64}
QS_AAVMF=${QS_AAVMF:-/usr/share/AAVMF}
# Modern virtio (no legacy I/O BARs) that asks for the platform's IOMMU (VIRTIO_F_ACCESS_PLATFORM):
# its DMA goes through the SMMU, i.e. through the stage-2 view Lockstep gives the stream.
QS_BEHIND_SMMU=disable-legacy=on,iommu_platform=on

# qs_machine [MOPTS]: start QS_ARGS with the machine. The SMMU stage: QEMU 10 offers stage 2
# (S2P) on the virt SMMU anyway; stage=2 keeps that on versions that default to stage 1 only.
qs_machine() {
	QS_ARGS=(-M "virt,virtualization=on,iommu=smmuv3,gic-version=3${1:+,$1}"
		-cpu max,pauth-impdef=on -smp 4 -m 2G -nographic -no-reboot -nic none
		-global arm-smmuv3.stage=2)
}

# qs_firmware WORKDIR: AAVMF (read-only code, a copy of the variable store in WORKDIR so that
# every boot starts from the same variables). Fails when AAVMF is not installed.
qs_firmware() {
	cp "$QS_AAVMF/AAVMF_VARS.fd" "$1/vars.fd" || return 1
	QS_ARGS+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$QS_AAVMF/AAVMF_CODE.fd"
		-drive "if=pflash,format=raw,unit=1,file=$1/vars.fd")
}

# qs_disk ID IMAGE [DEVOPTS]: a raw image as a virtio-blk-pci disk behind the SMMU
# ($QS_BEHIND_SMMU: the loader refuses to start Lockstep with a virtio device that bypasses
# it); snapshot=on keeps the image unchanged whatever the guest writes. DEVOPTS: more options.
qs_disk() {
	QS_ARGS+=(-drive "if=none,id=$1,format=raw,snapshot=on,file=$2"
		-device "virtio-blk-pci,drive=$1,$QS_BEHIND_SMMU${3:+,$3}")
}

# qs_net [NETDEV_OPTS]: a virtio-net-pci NIC behind the SMMU on QEMU user networking (slirp:
# the guest is 10.0.2.15, the gateway 10.0.2.2); NETDEV_OPTS e.g. guestfwd=... (commas
# inside an option's value doubled, QEMU's escape).
qs_net() {
	QS_ARGS+=(-netdev "user,id=n0${1:+,$1}" -device "virtio-net-pci,netdev=n0,$QS_BEHIND_SMMU")
}

# qs_edu [DEVOPTS]: QEMU's edu device.
qs_edu() { QS_ARGS+=(-device "edu${1:+,$1}"); }

# qs_run NAME LOG TIMEOUT [ARG...]: one QEMU run bounded by TIMEOUT seconds (then SIGTERM,
# SIGKILL 10 s later), stdin closed, serial console and QEMU's own messages (CR stripped) in
# LOG, the command line in LOG.cmd. ARGs follow QS_ARGS; with "--" as the first ARG they
# replace it (a machine other than this one). Sets qrc (QEMU's exit status: 124/137 = timed
# out) and secs.
qs_run() {
	local name=$1 runlog=$2 limit=$3 t0
	shift 3
	local args=("${QS_ARGS[@]}")
	if [ "${1:-}" = -- ]; then
		shift
		args=()
	fi
	args+=("$@")
	echo "qemu: $QS_QEMU ${args[*]}" > "$runlog.cmd"
	echo "$name: booting (timeout ${limit}s), serial log $runlog"
	t0=$SECONDS
	timeout --foreground -k 10 "$limit" "$QS_QEMU" "${args[@]}" </dev/null 2>&1 |
		tr -d '\r' > "$runlog"
	qrc=${PIPESTATUS[0]}
	secs=$((SECONDS - t0))
	echo "$name: QEMU exit $qrc after ${secs}s"
}

# qs_timed_out: the last qs_run hit its timeout.
qs_timed_out() { [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; }

# --- TAP ---------------------------------------------------------------------------------
# qs_tap FILE [PREFIX]: tap_line appends to FILE, numbering on from the lines already there,
# each name prefixed "PREFIX: ". has/hasnt read $log (the serial log).
qs_tap() {
	tap=$1
	qs_prefix=${2:+$2: }
	n=$(grep -cE '^(not )?ok' "$tap" 2>/dev/null)
	qs_guard
}

# qs_plan N: this run's TAP plan ("1..N"), written before its first check; tests/run.sh fails
# the suite when fewer (or more) results follow than the plans of its runs declare.
qs_plan() { echo "1..$1" >> "$tap"; }

# qs_end_checks: the two checks every boot ends with: no kernel Oops, BUG, WARNING, "Internal
# error" or "Call trace:" in $log, and a clean power-off (tests/lib/tap.sh).
qs_end_checks() {
	assert "no kernel Oops, BUG, WARNING or Internal error in the serial log" tap_kernel_clean "$log"
	assert "clean poweroff (PSCI SYSTEM_OFF, QEMU exit 0)" tap_poweroff "$log" "$qrc"
}

# qs_guard: a script that dies half-way (an unset variable under set -u, say) must not pass by
# leaving its remaining checks out: a non-zero exit is recorded as a failed check (tap_line).
qs_guard() {
	trap 'qs_rc=$?; [ "$qs_rc" = 0 ] ||
		tap_line "not ok" "${0##*/} ended early, exit status $qs_rc: later checks did not run"' EXIT
}
tap_line() { n=$((n + 1)); echo "$1 $n - ${qs_prefix:-}$2" >> "$tap"; echo "$1 $n - ${qs_prefix:-}$2"; }
assert() { local name=$1; shift; if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi; }
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }

# qs_guest_block [PREFIX]: the in-guest results (LSTEST-BEGIN .. LSTEST-END in $log) as TAP
# lines named "PREFIXguest: ...", their "# " lines and plans ("1..N", a guest that declares
# its own) copied; a block that never ended is one failure. The block is left in $block.
qs_guest_block() {
	local l
	block=$(sed -n '/^LSTEST-BEGIN$/,/^LSTEST-END/p' "$log")
	if ! grep -q '^LSTEST-END' <<< "$block"; then
		tap_line "not ok" "${1:-}guest: tests ran to the end (no LSTEST-END in the log)"
		return
	fi
	while IFS= read -r l; do
		case "$l" in
		"ok "*) tap_line ok "${1:-}guest: ${l#ok * - }" ;;
		"not ok "*) tap_line "not ok" "${1:-}guest: ${l#not ok * - }" ;;
		"# "*) echo "$l" >> "$tap" ;;
		1..[0-9]*) echo "$l" >> "$tap" ;;	# the guest's own plan (tests/run.sh)
		esac
	done <<< "$block"
}
