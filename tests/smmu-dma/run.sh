#!/usr/bin/env bash
# smmu-dma suite (mk/edu.mk): DMA isolation through the whole stack. The machine of
# tests/qemu/run.sh (AAVMF -> loader -> Lockstep EL2 -> Linux EL1, SMMUv3, GICv3, 4 CPUs,
# 2 GiB) plus QEMU's edu PCI device, whose DMA engine the guest drives at raw physical
# addresses (host-driver/edu-test, tests/smmu-dma/lstest). Asserts on the guest's results
# and on Lockstep's SMMU event log; TAP to build/test-logs/smmu-dma.tap.
#
#   run.sh ESP isol|loop   isol: tests 1-4 (the ESP's command line has smmudma=isol), first:
#                          starts the TAP file; loop: test 5 (smmudma=loop), appends
# Environment: QEMU_TIMEOUT (seconds per boot, default 180 isol, 480 loop), QEMU (binary).
#
# The machine, its devices and the TAP helpers: tests/lib/qemu-smmu.sh. The loop boot adds a
# virtio-net NIC behind the SMMU on QEMU user networking; its TCP connections to
# 10.0.2.100:80 reach tests/smmu-dma/net-srv.sh (guestfwd), which serves a random file of
# this run and checksums what the guest sends; its record: build/smmu-dma/net-srv.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/smmu-dma
esp=$1 part=${2:-isol}
# The loop boot runs its I/O for at least 24 rounds of conversions: 76-165 s seen (TCG, a
# shared 2-core host), about 3x that allowed.
timeout_s=${QEMU_TIMEOUT:-180}
[ "$part" = loop ] && timeout_s=${QEMU_TIMEOUT:-480}
mkdir -p "$logs" "$work"
tap=$logs/smmu-dma.tap
log=$logs/smmu-dma-$part-serial.log
[ "$part" = isol ] && : > "$tap"
qs_tap "$tap" "$part"
# The plan of this script's own checks (the guest's block brings its own plans): 6 common,
# then isol 5 and loop 2, and the 2 end checks.
if [ "$part" = isol ]; then qs_plan $((6 + 5 + 2)); else qs_plan $((6 + 2 + 2)); fi

[ -f "$esp" ] || { tap_line "not ok" "ESP image $esp exists"; exit 0; }
qs_machine
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
# QEMU's edu clamps DMA addresses to dma_mask (28 bits by default): RAM starts at 1 GiB on
# virt, so give it 40 bits.
qs_edu dma_mask=0xffffffffff
netfile=$work/net.bin netlog=$work/net-srv.log
if [ "$part" = loop ]; then
	head -c $((4 << 20)) /dev/urandom > "$netfile"
	: > "$netlog"
	rm -f "$netlog.err"
	qs_net "guestfwd=tcp:10.0.2.100:80-cmd:$top/tests/smmu-dma/net-srv.sh $netfile $netlog"
fi

qs_run "smmu-dma ($part)" "$log" "$timeout_s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" eval '! qs_timed_out'
assert "Lockstep took the SMMU: the host's streams on the host stage-2" \
	has '^lockstep: smmu: taken at 0x[0-9a-f]+\+0x20000: streams 0..0xff -> host stage-2'
assert "Linux runs at EL1" has 'CPU: All CPU\(s\) started at EL1'
assert "loader hid the SMMU from Linux (no arm-smmu-v3 probe)" hasnt '^\[ *[0-9.]+\] .*arm-smmu-v3'
rid=$(sed -n 's/.*edu_test .*requester id \(0x[0-9a-f]*\).*/\1/p' "$log" | head -1)
echo "# edu requester id (StreamID) ${rid:-none}" >> "$tap"
assert "edu_test.ko bound the edu device (requester id ${rid:-none})" test -n "$rid"
# One table for the CPU and the SMMU: every host stream's STE, read back from the stream table
# (Lockstep's "stream table:" line), has the S2TTB of the stage-2 root each secondary CPU
# loaded in VTTBR_EL2 (BADDR, bits [47:1]; Arm ARM D23.2 VTTBR_EL2), and VMID 0, the host's.
ste_is_vttbr() {
	local ttb vttbrs v n=0
	ttb=$(sed -n 's/^lockstep: smmu: stream table: [0-9]* host STEs read back, S2TTB \(0x[0-9a-f]*\) S2VMID 0, 0 differing.*/\1/p' "$log" | head -1)
	vttbrs=$(sed -n 's/^lockstep: cpu [1-9][0-9]*: EL2 ready (MPIDR .*, VTTBR_EL2 \(0x[0-9a-f]*\))$/\1/p' "$log")
	echo "# STE S2TTB ${ttb:-none}; VTTBR_EL2 of the secondary CPUs: $(echo $vttbrs)" >> "$tap"
	[ -n "$ttb" ] && [ -n "$vttbrs" ] || return 1
	for v in $vttbrs; do
		[ $((v & 0xfffffffffffe)) = $((ttb)) ] && [ $((v >> 48)) = 0 ] || return 1
		n=$((n + 1))
	done
	[ $n -ge 3 ]
}
assert "the SMMU's host STEs point at the CPUs' stage-2 root (S2TTB = VTTBR_EL2 BADDR, VMID 0)" \
	ste_is_vttbr

# The in-guest block.
qs_guest_block

common_tail() {
	qs_end_checks
	echo "smmu-dma: TAP in $tap"
}
# The host's side of the guest's TCP transfers (net-srv.sh's record): the file the guest
# checked against is this run's, and every body the guest sent arrived whole (the "sum"
# lines carry the length and MD5 net-srv.sh computed).
net_host() {
	local want tx nd ns net_md5
	net_md5=$(md5sum < "$netfile" | cut -d' ' -f1)
	want=$(sed -n 's/^# net: eth0 up, host file MD5 (md5) \([0-9a-f]*\)$/\1/p' <<< "$block")
	tx=$(sed -n 's/^# net: sum body \([0-9a-f]*\) \([0-9]*\)$/\2 \1/p' <<< "$block")
	nd=$(grep -c '^data ' "$netlog"); ns=$(grep -c '^sum ' "$netlog")
	echo "# net-srv.sh: $nd data, $ns sum; host file MD5 $net_md5, guest's ${want:-none}" >> "$tap"
	grep '^sum ' "$netlog" | grep -v "^sum $tx\$" | sed 's/^/# net-srv.sh: unexpected: /' >> "$tap"
	[ -n "$want" ] && [ "$want" = "$net_md5" ] && [ -n "$tx" ] && [ "$nd" -ge 2 ] &&
		[ "$ns" -ge 2 ] && ! grep '^sum ' "$netlog" | grep -qv "^sum $tx\$"
}
if [ "$part" = loop ]; then
	assert "host: the guest's MD5 is this run's file; every body sent arrived whole (net-srv.sh)" \
		net_host
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
zeros_not_data() {
	grep -q '^# edu buffer after hyp read: all zero 4096' <<< "$block" && [ -f "$img" ] &&
		[ "$(head -c 4096 "$img" | tr -d '\000' | wc -c)" -gt 0 ]
}
assert "the edu read zeros from hypervisor memory, whose first page (the image) is not zeros" \
	zeros_not_data
common_tail
