#!/usr/bin/env bash
# smmu-boot suite (mk/iommu.mk): the full boot (AAVMF -> loader -> Lockstep -> Linux at
# EL1) on the machine of tests/qemu/run.sh, with Lockstep owning the SMMUv3, plus a 4 MiB
# virtio data disk and a virtio-net NIC behind it. Asserts on the serial log and the
# guest's results (tests/smmu-qemu/boot/lstest); TAP to build/test-logs/smmu-boot.tap.
#
#   run.sh ESP DATA_DISK acpi|dt   (make smmu-boot builds both and runs both variants,
#                                   appending to the TAP file)
#   acpi  the machine of tests/qemu/run.sh as is: AAVMF gives Linux ACPI (IORT)
#   dt    the same with -M virt,acpi=off: AAVMF passes QEMU's device tree instead
# Environment: QEMU_TIMEOUT (seconds, default 240), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
. "$top/tests/lib/qemu-smmu.sh"	# the machine, the devices, qs_run
b=$top/build
logs=$b/test-logs
work=$b/iommu/boot
esp=$1 data=$2 fwv=${3:-acpi}
timeout_s=${QEMU_TIMEOUT:-240}
mkdir -p "$logs" "$work"
tap=$logs/smmu-boot.tap
log=$logs/smmu-boot-$fwv-serial.log
qs_tap "$tap" "$fwv"	# tap_line, assert, has, hasnt (tests/lib/qemu-smmu.sh)
# The plan: this script's 25 checks and the 26 of the guest's block (tests/smmu-qemu/boot/lstest).
qs_plan $((25 + 26))

# The machine of tests/qemu/run.sh (tests/lib/qemu-smmu.sh); dt: without ACPI. The edu at
# 00:10.0 (StreamID 0x80).
mopt=; [ "$fwv" = dt ] && mopt=acpi=off
qs_machine $mopt
qs_firmware "$work" || { tap_line "not ok" "AAVMF present"; exit 0; }
qs_disk esp "$esp"
qs_disk data "$data"
qs_net
qs_edu addr=0x10
qs_run "smmu-boot ($fwv)" "$log" "$timeout_s"

assert "QEMU finished within ${timeout_s}s (took ${secs}s)" test "$qrc" != 124 -a "$qrc" != 137
# Takeover: the loader's frame, the ID registers, the stream table, the host's streams.
base=$(sed -n 's/.*lockstep-boot: boot info: smmu \(0x[0-9a-fA-F]*\) size.*/\1/p' "$log" | head -1)
echo "# loader: smmu ${base:-none}" >> "$tap"
assert "loader found the SMMUv3 (boot info smmu_base)" test -n "$base" -a "${base:-0}" != 0x0
assert "Lockstep probed it: IDR registers and features logged" \
	has "^lockstep: smmu: at ${base:-none}: IDR0 0x[0-9a-f]+ IDR1"
assert "Lockstep reset it: queues and stream table size logged" \
	has '^lockstep: smmu: enabled: [0-9]+-entry cmdq, [0-9]+-entry evtq, stream table [0-9]+ SIDs'
assert "Lockstep attached the host's streams to the host stage-2, frame unmapped" \
	has "^lockstep: smmu: taken at ${base:-none}\+0x20000: streams 0\.\.0x[0-9a-f]+ -> host stage-2"
grep -E '^lockstep: smmu:' "$log" | sed 's/^/# /' >> "$tap"
# StreamIDs from the firmware's description (docs/iommu.md "Which streams"): the loader read
# them before hiding the SMMU, Lockstep attached exactly those and registered them for host
# DMA domains. DT: what QEMU describes, the PCIe node's iommu-map, read here from QEMU's own
# DTB for this machine (-M ...,dumpdtb=). ACPI: QEMU offers no way to read its IORT from
# outside the guest and the loader rewrites the IORT Linux gets, so no independent value: the
# checks are that the loader read a range from the IORT, that it covers whole PCI buses from
# bus 0 (an IORT root-complex ID mapping of the RIDs bus << 8 | devfn, as QEMU's
# hw/arm/virt-acpi-build.c iort_host_bridges writes it), and that Lockstep attached exactly it.
sid_ranges() { # "a..b" lines, any case, -> "decimal-decimal" words
	tr 'A-F' 'a-f' | grep -oE '0x[0-9a-f]+\.\.0x[0-9a-f]+|\b0\.\.0x[0-9a-f]+' |
		while IFS= read -r r; do echo "$((${r%%..*}))-$((${r##*..}))"; done | xargs
}
src=IORT; [ "$fwv" = dt ] && src=DT
got_ldr=$(grep -E "^lockstep-boot: SMMU StreamIDs \\($src, " "$log" | head -1 | sed 's/.*)://' | sid_ranges)
got_hyp=$(grep -E '^lockstep: smmu: host streams .* \(from the loader\)$' "$log" |
	sed 's/.*host streams //' | sid_ranges)
if [ "$fwv" = dt ]; then
	dtb=$work/qemu-$fwv.dtb
	rm -f "$dtb"
	timeout 60 "$QS_QEMU" -M "${QS_ARGS[1]},dumpdtb=$dtb" -cpu max -m 2G -display none >/dev/null 2>&1
	want=$(python3 - "$dtb" "${base:-0}" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
off_s, off_str = struct.unpack('>II', d[8:16])
p, path, props = off_s, [], {}
while True:
    t, = struct.unpack('>I', d[p:p + 4]); p += 4
    if t == 1:
        e = d.index(b'\0', p); path.append(d[p:e].decode()); p = (e + 4) & ~3
    elif t == 2:
        path.pop()
    elif t == 3:
        ln, no = struct.unpack('>II', d[p:p + 8]); p += 8
        nm = d[off_str + no:d.index(b'\0', off_str + no)].decode()
        props.setdefault('/'.join(path), {})[nm] = d[p:p + ln]; p = (p + ln + 3) & ~3
    elif t == 9:
        break
smmu = [n for n, pr in props.items() if pr.get('compatible', b'').startswith(b'arm,smmu-v3')
        and struct.unpack('>Q', pr['reg'][:8])[0] == int(sys.argv[2], 16)]
ph = struct.unpack('>I', props[smmu[0]]['phandle'])[0]
out = []
for pr in props.values():
    m = pr.get('iommu-map', b'')
    for i in range(0, len(m), 16):
        rid, h, sid, n = struct.unpack('>IIII', m[i:i + 16])
        if h == ph and n:
            out.append((sid, sid + n - 1))
print(' '.join('%d-%d' % r for r in sorted(out)))
PY
)
	echo "# StreamIDs QEMU describes (DT): $want" >> "$tap"
	assert "QEMU's description read: StreamIDs $want (DT iommu-map)" test -n "$want"
	assert "the loader passed the SMMU's StreamIDs from the DT: $want" test "$got_ldr" = "$want"
else
	want=$got_ldr
	whole_buses() { # one range "0-N" with N + 1 a multiple of 256
		[[ "$want" =~ ^0-([0-9]+)$ ]] && [ $(((BASH_REMATCH[1] + 1) % 256)) = 0 ]
	}
	assert "the loader read the SMMU's StreamIDs from the IORT: ${want:-none}" test -n "$want"
	assert "the IORT range covers whole PCI buses from bus 0 (RID = bus << 8 | devfn)" whole_buses
fi
echo "# loader: $got_ldr; Lockstep: $got_hyp" >> "$tap"
assert "Lockstep attached exactly those streams to the host stage-2 (no fallback)" \
	eval '[ -n "$want" ] && [ "$got_hyp" = "$want" ] && hasnt "smmu: warning: the loader passed no StreamID"'
last=${want##*-}
assert "streams registered for host DMA domains follow: $((last + 1))" \
	has "^lockstep: own: IOMMU registered: $((last + 1)) streams"
assert "every PCI device Linux found is on bus 0 (the RID range QEMU's IORT covers)" \
	eval 'has "pci 0000:00:10.0" && hasnt "pci 0000:(0[1-9a-f]|[1-9a-f][0-9a-f]):"'
assert "Linux runs at EL1" has 'CPU: All CPU\(s\) started at EL1'
hidden=ACPI; [ "$fwv" = dt ] && hidden=DT
assert "loader hid the SMMU from Linux's description ($hidden)" \
	has "^lockstep-boot: SMMU hidden \\($hidden\\)"
assert "Linux's arm-smmu-v3 driver never probed it (no kernel line about it)" \
	hasnt '^\[ *[0-9.]+\] .*arm-smmu-v3'
assert "the guest's lssmmu= is the frame the loader found" has "Kernel command line: .*lssmmu=${base:-none}( |$)"
assert "no workaround on the kernel command line" hasnt 'Kernel command line: .*initcall_blacklist'
assert "no device left in deferred probe" hasnt 'deferred probe pending'

# The in-guest block (tests/lib/qemu-smmu.sh).
qs_guest_block

assert "Lockstep logged the refused host write to SMMU_CR0" \
	has '^lockstep: cpu [0-9]+: host write of SMMU register 0x20 refused'
assert "Lockstep logged the refused host read of SMMU_IDR0" \
	has '^lockstep: cpu [0-9]+: host read of SMMU register 0 refused'
assert "Lockstep logged the edu's faulting DMA (F_TRANSLATION, SID 0x80, the SMMU frame)" \
	has "^lockstep: smmu: event F_TRANSLATION sid 0x80 addr ${base:-none} "
assert "no other SMMU event, no global error or fail-closed in Lockstep's log" \
	eval "! grep -E '^lockstep: smmu: (event|global error|FAILING CLOSED|.*overflow)' \"\$log\" |
		grep -vq '^lockstep: smmu: event F_TRANSLATION sid 0x80 '"
# Host DMA domains (the guest's LS_HVC_IOMMU_* tests): the driver registered with the core,
# the edu's stream (00:10.0 -> 0x80) went into the domain's table and back to the boot STE.
assert "the SMMU driver registered for host DMA domains (own_iommu_register)" \
	has '^lockstep: own: IOMMU registered: [0-9]+ streams'
assert "edu's stream 0x80 attached to the DMA domain's table (STE switched live)" \
	has '^lockstep: smmu: stream 0x80 -> DMA domain table \(root 0x[0-9a-f]+, VMID 0xf[0-7],'
assert "edu's stream 0x80 detached back to the host identity view" \
	has '^lockstep: smmu: stream 0x80 back on the host identity view'
grep -E '^lockstep: (own: DMA domain|smmu: stream 0x80)' "$log" | sed 's/^/# /' >> "$tap"
qs_end_checks
echo "smmu-boot: TAP in $tap"
