#!/usr/bin/env bash
# smmu-dma suite (mk/edu.mk): DMA isolation through the whole stack. The machine of
# tests/qemu/run.sh (AAVMF -> loader -> Lockstep EL2 -> Linux EL1, SMMUv3, GICv3, 4 CPUs,
# 2 GiB) plus QEMU's edu PCI device, whose DMA engine the guest drives at raw physical
# addresses (host-driver/edu-test, tests/smmu-dma/lstest). Asserts on the guest's results
# and on Lockstep's SMMU event log; TAP to build/test-logs/smmu-dma.tap.
#
#   run.sh ESP isol|loop   isol: tests 1-4 (the ESP's command line has smmudma=isol), first:
#                          starts the TAP file; loop: test 5 (smmudma=loop), appends
# Environment: QEMU_TIMEOUT (seconds per boot, default 180), QEMU (binary).
#
# tests/qemu/run.sh is a script with modes, not a library, and its machine has no
# extra-device hook: the machine and the TAP helpers below follow it.
# shellcheck disable=SC2054
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
b=$top/build
logs=$b/test-logs
work=$b/smmu-dma
esp=$1 part=${2:-isol}
timeout_s=${QEMU_TIMEOUT:-180}
qemu=${QEMU:-qemu-system-aarch64}
mkdir -p "$logs" "$work"
tap=$logs/smmu-dma.tap
log=$logs/smmu-dma-$part-serial.log
[ "$part" = isol ] && : > "$tap"
n=$(grep -cE '^(not )?ok' "$tap" 2>/dev/null)
tap_line() { n=$((n + 1)); echo "$1 $n - $part: $2" >> "$tap"; echo "$1 $n - $part: $2"; }
assert() { local name=$1; shift; if "$@"; then tap_line ok "$name"; else tap_line "not ok" "$name"; fi; }
has() { grep -qE -- "$1" "$log"; }
hasnt() { ! grep -qE -- "$1" "$log"; }

# QEMU's edu clamps DMA addresses to dma_mask (28 bits by default): RAM starts at 1 GiB on
# virt, so give it 40 bits. The SMMU stage: see mk/iommu.mk (QEMU 10 offers S2 anyway).
machine=(-M virt,virtualization=on,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on
	-smp 4 -m 2G -nographic -no-reboot -global arm-smmuv3.stage=2)
[ -f "$esp" ] || { tap_line "not ok" "ESP image $esp exists"; exit 0; }
cp /usr/share/AAVMF/AAVMF_VARS.fd "$work/vars.fd" || { tap_line "not ok" "AAVMF present"; exit 0; }
fw=(-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd
	-drive if=pflash,format=raw,unit=1,file="$work/vars.fd")
dev=(-drive if=none,id=esp,format=raw,snapshot=on,file="$esp" -device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on
	-device edu,dma_mask=0xffffffffff)

echo "qemu: ${machine[*]} ${fw[*]} ${dev[*]}" > "$log.cmd"
echo "smmu-dma ($part): booting (timeout ${timeout_s}s), serial log $log"
t0=$SECONDS
timeout --foreground -k 10 "$timeout_s" "$qemu" "${machine[@]}" "${fw[@]}" "${dev[@]}" \
	</dev/null 2>&1 | tr -d '\r' > "$log"
qrc=${PIPESTATUS[0]}
secs=$((SECONDS - t0))
echo "smmu-dma: QEMU exit $qrc after ${secs}s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
assert "Lockstep took the SMMU: the host's streams on the host stage-2" \
	has '^lockstep: smmu: taken at 0x[0-9a-f]+\+0x20000: streams 0..0xff -> host stage-2'
assert "Linux runs at EL1" has 'CPU: All CPU\(s\) started at EL1'
assert "loader hid the SMMU from Linux (no arm-smmu-v3 probe)" hasnt '^\[ *[0-9.]+\] .*arm-smmu-v3'
rid=$(sed -n 's/.*edu_test .*requester id \(0x[0-9a-f]*\).*/\1/p' "$log" | head -1)
echo "# edu requester id (StreamID) ${rid:-none}" >> "$tap"
assert "edu_test.ko bound the edu device (requester id ${rid:-none})" test -n "$rid"

# The in-guest block.
block=$(sed -n '/^LSTEST-BEGIN$/,/^LSTEST-END/p' "$log")
if grep -q '^LSTEST-END' <<< "$block"; then
	while IFS= read -r l; do
		case "$l" in
		"ok "*) tap_line ok "guest: ${l#ok * - }" ;;
		"not ok "*) tap_line "not ok" "guest: ${l#not ok * - }" ;;
		"# "*) echo "$l" >> "$tap" ;;
		esac
	done <<< "$block"
else
	tap_line "not ok" "guest: tests ran to the end (no LSTEST-END in the log)"
fi

common_tail() {
	assert "no kernel oops or panic" hasnt 'Internal error:|Kernel panic|Unable to handle kernel'
	assert "clean poweroff (PSCI SYSTEM_OFF, QEMU exit 0)" \
		eval '[ "$qrc" = 0 ] && has "reboot: Power down"'
	echo "smmu-dma: TAP in $tap"
}
if [ "$part" = loop ]; then
	assert "no SMMU event, global error or fail-closed in Lockstep's log" \
		hasnt '^lockstep: smmu: (event|global error|FAILING CLOSED|.*overflow)'
	common_tail
	exit 0
fi

# Lockstep's own record of the faults: one event per refused DMA, naming the edu's stream,
# the target address and the direction (SMMUv3 7.3.12 F_TRANSLATION, stage 2).
target() { # the address the guest named "# target NAME 0x...", as %#x
	local a
	a=$(grep -m1 "^# target $1 " <<< "$block" | awk '{ print $4 }')
	[ -n "$a" ] && printf '%#x' $((a))
}
event() { # event ADDR read|write
	[ -n "$1" ] && [ -n "$rid" ] &&
		has "^lockstep: smmu: event F_[A-Z_]+ sid $rid addr $1 ipa $1 $2 .*stage 2"
}
hyp=$(target hyp); hypw=$(target hypw); don=$(target donated)
targets="$hyp $hypw $don $(target smash1) $(target smash2)"
echo "# refused DMA targets: $targets" >> "$tap"
region=$(sed -n 's/.*lockstep-boot: region: \(0x[0-9a-fA-F]*\)-.*/\1/p' "$log" | head -1)
echo "# loader region ${region:-none}; guest's hyp target ${hyp:-none}" >> "$tap"
assert "the guest's hypervisor target is the loader's Lockstep region" \
	test -n "$hyp" -a "$(printf '%#x' $((${region:-0})))" = "${hyp:-none}"
# Lockstep logs the first SMMU_EVT_LOG_BUDGET events only, then counts (the guest checks
# the counters for every refused DMA): the first refused DMA, the read of hypervisor
# memory, is the one in the log.
assert "Lockstep logged the edu's read of hypervisor memory (stage-2 fault, edu's StreamID)" \
	event "$hyp" read
grep -E '^lockstep: smmu: (event|[0-9]+ (more )?events)' "$log" | sed -n '1,3p;$p' |
	sed 's/^/# /' >> "$tap"
nev=$(grep -cE '^lockstep: smmu: event' "$log")
echo "# $nev SMMU event lines in Lockstep's log" >> "$tap"
# Every logged event: the edu's stream, in a page the guest targeted on purpose.
expected_events() {
	local l sid addr pg ok=0
	while read -r l; do
		sid=$(sed -n 's/.* sid \(0x[0-9a-f]*\) .*/\1/p' <<< "$l")
		addr=$(sed -n 's/.* addr \(0x[0-9a-f]*\) .*/\1/p' <<< "$l")
		[ -n "$addr" ] && [ "$sid" = "$rid" ] || { echo "# unexpected: $l" >> "$tap"; return 1; }
		pg=$(printf '%#x' $((addr & ~0xfff)))
		grep -qw -- "$pg" <<< "$targets" || { echo "# unexpected: $l" >> "$tap"; return 1; }
		ok=1
	done < <(grep -E '^lockstep: smmu: event' "$log")
	[ $ok = 1 ]
}
assert "every SMMU event Lockstep logged is a refused DMA of the edu (no unexpected event)" \
	expected_events
# QEMU reports a faulting DMA as one event per 4-byte access (1024 per 4 KiB), and raises
# EVTQ_ABT_ERR when it finds the event queue full; any other global error is a failure.
ng=$(grep -c '^lockstep: smmu: global error EVTQ_ABT_ERR' "$log")
echo "# $ng EVTQ_ABT_ERR global errors (QEMU: event queue full during a fault burst)" >> "$tap"
assert "no SMMU global error other than EVTQ_ABT_ERR (queue full), no fail-closed" \
	eval 'hasnt "^lockstep: smmu: (global error [^E]|global error E[^V]|FAILING CLOSED)"'
# The guest saw zeros after reading hypervisor memory: the hypervisor's first page (its
# image, loaded at the region's start) is not zeros, so no hypervisor data was read.
img=$b/hyp/lockstep.bin
if grep -q '^# edu buffer after hyp read: all zero 4096' <<< "$block"; then
	img_nonzero() { [ -f "$img" ] && [ "$(head -c 4096 "$img" | tr -d '\000' | wc -c)" -gt 0 ]; }
	assert "the hypervisor image's first page is not all zeros (the zeros are not its data)" \
		img_nonzero
fi
common_tail
