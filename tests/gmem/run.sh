#!/usr/bin/env bash
# gmem suite (mk/gmem.mk): guest_memfd conversion end to end (docs/gmem.md). The machine of
# tests/vm/run.sh (AAVMF -> loader -> Lockstep EL2 -> Linux EL1, SMMUv3, GICv3, 4 CPUs, 3 GiB);
# a 32 MiB scratch disk (virtio-blk behind the SMMU) and a NIC (virtio-net behind the SMMU, QEMU
# user networking; its TCP to 10.0.2.100:80 reaches tests/smmu-dma/net-srv.sh, which serves a
# random file of this run and checksums what the guest sends) for the host I/O of the stress
# rounds; the initramfs runs tests/gmem/lstest, which runs tests/gmem/gmemtest with the gmem guest.
# TAP to build/test-logs/gmem.tap, serial log build/test-logs/gmem-serial.log.
#
#   run.sh ESP
# Environment: QEMU_TIMEOUT (seconds, default 420: 130-190 s a run on the loaded 2-core machine, 243 s with the edu faulting), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"
b=$top/build
logs=$b/test-logs
work=$b/gmem
esp=$1
timeout_s=${QEMU_TIMEOUT:-420}
mkdir -p "$logs" "$work"
tap=$logs/gmem.tap
log=$logs/gmem-serial.log
: > "$tap"
qs_tap "$tap"

[ -f "$esp" ] || { qs_plan 1; tap_line "not ok" "ESP image $esp exists"; exit 0; }

qs_plan 6
qs_machine
# 3 GiB of RAM instead of 2: the gmem1g tests take a free, 1 GiB-aligned GiB of host RAM
# (RAM starts at 1 GiB; the last GiB holds the firmware's and Lockstep's memory), then find
# none left.
for i in "${!QS_ARGS[@]}"; do
	[ "${QS_ARGS[$i]}" = -m ] && QS_ARGS[$((i + 1))]=3G
done
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
# A 32 MiB scratch disk for the host's I/O behind the SMMU during the stress rounds (lstest).
rm -f "$work/scratch.img"
truncate -s 32M "$work/scratch.img"
qs_disk scratch "$work/scratch.img"
# The NIC's traffic during the stress rounds (lstest's net loop): 1 MiB each way per round.
netfile=$work/net.bin netlog=$work/net-srv.log
head -c $((1 << 20)) /dev/urandom > "$netfile"
: > "$netlog"
rm -f "$netlog.err"
qs_net "guestfwd=tcp:10.0.2.100:80-cmd:$top/tests/smmu-dma/net-srv.sh $netfile $netlog"
# QEMU's edu (a DMA engine, 40-bit DMA) at 00:08.0, StreamID 0x40: the VMM assigns it to the
# guest for the stress rounds (tests/gmem/edu.c).
qs_edu addr=0x8,dma_mask=0xffffffffff
qs_run gmem "$log" "$timeout_s"
assert "QEMU finished within ${timeout_s}s (took ${secs}s)" eval '! qs_timed_out'
assert "lockstep.ko loaded" has '^lockstep-initramfs: Lockstep hypervisor ABI '
qs_guest_block
# Lockstep's own record (lines may interleave with Linux's on the shared UART: unanchored).
assert "Lockstep moved the edu's stream 0x40 into the VM's stage 2 once and gave it back once" \
	eval '[ "$(grep -cE "own: stream 0x40 assigned to vm[0-9]+ \(its stage 2" "$log")" = 1 ] &&
		[ "$(grep -cE "own: stream 0x40 released by vm[0-9]+ \(host identity view\)" "$log")" = 1 ]'
assert "Lockstep reported no SMMU event and the host took no abort" \
	hasnt 'smmu: event|host (read|write) abort'
qs_end_checks
echo "gmem: TAP in $tap"
