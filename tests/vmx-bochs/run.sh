#!/usr/bin/env bash
# The `vmx-bochs` suite (docs/x86.md "Tests"): Lockstep's x86_64 hypervisor, VMX flavour, on
# Bochs 2.7's corei7_skylake_x (VMX with EPT, VPID, unrestricted guest) with 2 CPUs, started
# by the multiboot2 test loader from a GRUB CD (Bochs boots legacy BIOS only), with Linux
# x86_64 running as its VMX guest. TAP (plan first) to build/test-logs/vmx-bochs.tap, the
# COM1 log beside it.
#
#   run.sh ISO
#
# Environment: VMX_BOCHS_TIMEOUT (seconds, default 1500: Bochs runs the loader's hashing and
# Linux at a few tens of MIPS on a loaded machine; docs/x86.md "Tests" has the figures).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
iso=$1
to=${VMX_BOCHS_TIMEOUT:-1500}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/suite.sh"
suite_init vmx-bochs vmx-bochs
SUITE_TAG=vmxtest
PLAN=$((25 + 2))  # 25 before the I/O bitmap, 2 for the fw_cfg DMA ports
suite_plan $PLAN
log=$logs/vmx-bochs-com1.log

"$top/tests/bochs/run.sh" -c corei7_skylake_x -m 512 -n 1:2:1 -t "$to" \
	-u 'reboot: Power down|lockstep: PANIC|Kernel panic|PANIC: early exception|Oops' \
	-o "$work/bochs" "$iso" > "$work/out" 2>&1
brc=$?
tr -d '\r' < "$work/bochs/com1.log" > "$log"
while read -r l; do comment "$l"; done < "$work/out"
secs=$(sed -n 's/^bochs: .*: \([0-9]*\) s, status .*/\1/p' "$work/out")

# The hypervisor enters VMX root on every CPU.
assert "loader: the CPU has VMX and no SVM (Bochs corei7_skylake_x)" \
	has '^lockstep-mb2: CPU: SVM no, VMX yes'
comment "$(grep -m1 '^lockstep: VMX: ' "$log")"
assert "hypervisor: VMX capabilities accepted (EPT, unrestricted guest, VPID on)" \
	has '^lockstep: VMX: revision 0x[0-9a-f]+, controls pin 0x[0-9a-f]+ proc 0x[0-9a-f]+ proc2 0x[0-9a-f]+ exit 0x[0-9a-f]+ entry 0x[0-9a-f]+; VPID on'
region=$(sed -n 's/^lockstep: Lockstep .*(x86_64, Intel VMX + EPT, unrestricted guest): region 0x\([0-9a-f]*\)-.*/\1/p' "$log")
assert "hypervisor: installed as the VMX flavour, the host's EPT built by the core" \
	eval "[ -n '$region' ] && has '^lockstep: entering the host as a VMX non-root guest \\(VPID 1\\) on CPU 0'"
assert "hypervisor: both CPUs in VMX root (the application processor started, VMXON, parked)" \
	has '^lockstep: 2 CPUs under the hypervisor \(2 stacks\), the application processors started from page 0x[0-9a-f]+ and parked$'
assert "loader: the entry returned 0 in VMX non-root (CPUID 0x40000000 answered by Lockstep)" \
	has "^lockstep-mb2: hypervisor installed \\(returned 0\\); CPUID 0x40000000: Lockstep's signature"
# Linux under EPT.
assert "host: Linux booted under the hypervisor and ran /init" has '^vmxtest: start$'
assert "hypervisor: Linux's Startup IPI to APIC ID 1, emulated, started it in real mode (unrestricted guest)" \
	has '^lockstep: CPU 1 \(APIC ID 1\): host Startup IPI, vector 0x[0-9a-f]+: entering the host in real mode at 0x[0-9a-f]+ \(start 1\)$'
assert "host: Linux reports 2 CPUs online (0-1)" test "$(val cpus_online)" = 0-1
assert "host: CPUID hides VMX (no vmx flag in /proc/cpuinfo)" test "$(val cpuinfo_vmx)" = 0
assert "host: IA32_FEATURE_CONTROL reads locked with VMX off (0x1)" \
	test "$(val feature_control)" = 0x0000000000000001
assert "host: IA32_VMX_BASIC refused (#GP: the msr driver's read fails)" \
	eval "[ '$(val vmx_basic)' = refused ] && has '^lockstep: host RDMSR of MSR 0x480 refused \\(#GP\\)'"
comment "fw_cfg DMA port 514h: inl '$(val fwcfg_inl)', rep insl '$(val fwcfg_insl)'; 510h: inl '$(val selector_inl)'"
assert "I/O ports: the host's inl of 514h (fw_cfg DMA) is refused by the VMX I/O bitmap and logged (4 bytes, CPL 3)" \
	eval "[ '$(val fwcfg_inl)' = 0xffffffff ] &&
		has '^lockstep: host read of I/O port 0x514 \(4 bytes, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\) refused: QEMU.s fw_cfg DMA interface reaches memory outside every IOMMU'"
ioports=$(sed -n 's/^lockstep: host \(read\|write\) of I\/O port \(0x[0-9a-f]*\) .*/\2/p' "$log" | sort -u | tr '\n' ' ')
comment "I/O ports refused in the whole run: ${ioports:-none}"
assert "I/O ports: rep insl at 514h is not emulated (#GP: SIGSEGV) and logged; no other port refused in the whole run (510h stays the host's)" \
	eval "[ '$(val fwcfg_insl)' = 'rc 139' ] && [ '$ioports' = '0x514 ' ] &&
		has '^lockstep: host read of I/O port 0x514 \(4 bytes, REP string, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\) refused \(#GP\)'"
want=$(printf '0x%x' $((0x${region:-0} + 8)))
comment "loader region base 0x${region:-?}; probes:"
sed -n 's/^vmxtest: probe /#   /p' "$log" | tee -a "$tap"
refused=$(sed -n 's/^vmxtest: probe \(0x[0-9a-f]*\) rc 139.*/\1/p' "$log")
assert "host: a user read of hypervisor memory ($want) is refused (SIGSEGV), and only it" \
	eval "[ -n '$region' ] && [ '$refused' = '$want' ]"
assert "hypervisor: the refused read was logged with its address (EPT violation, CPL 3)" \
	has "^lockstep: host read at GPA $want refused \\(EPT violation 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\\): not in the host's EPT"
assert "host: still running after the refused read (uptime read)" eval "[ -n '$(val alive)' ]"
abi=$(sed -n 's/^#define LS_ABI_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h").$(
	sed -n 's/^#define LS_ABI_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h")
comment "lockstep.ko: version '$(val version)', features '$(val features)', unknown call '$(val raw_unknown)'"
assert "host: lockstep.ko finds the hypervisor by CPUID and loads; VMCALL reports ABI $abi" \
	eval "[ '$(val insmod)' = ok ] && [ '$(val version)' = '$abi' ]"
assert "host: an unknown hypercall returns NOT_SUPPORTED (-1)" \
	eval "val raw_unknown | grep -q '^0xffffffffffffffff '"
abihex=$(printf '0x%016x' $(( (${abi%.*} << 16) | ${abi#*.} )))
percpu_ok() {
	local line=$1 apic
	apic=$(echo "$line" | sed -n 's/^apic \([0-9]*\) .*/\1/p')
	[ -n "$apic" ] && [ "$line" = "apic $apic hvc 0x0000000000000000:$abihex devmem 139" ] &&
		has "^lockstep: host read at GPA $want refused \\(EPT violation 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID $apic\\)"
}
for c in 0 1; do
	comment "cpu$c: $(val cpu$c)"
	assert "host: CPU $c under the hypervisor: VMCALL answered, a user read of its memory refused and logged with its APIC ID" \
		percpu_ok "$(val cpu$c)"
done
comment "$(val cpu1_off); $(val cpu1_on)"
assert "host: CPU 1 goes offline (online 0)" test "$(val cpu1_off)" = "rc 0 online 0"
assert "hypervisor: the host's INIT took CPU 1 out of the host (NMI kick), parked" \
	has '^lockstep: CPU 1 \(APIC ID 1\): host INIT: out of the host, waiting for its Startup IPI$'
assert "host: CPU 1 online again (0-1), started by the host's second Startup IPI under the hypervisor" \
	eval "[ '$(val cpu1_on)' = 'rc 0 online 0-1' ] &&
		has '^lockstep: CPU 1 \(APIC ID 1\): host Startup IPI, vector 0x[0-9a-f]+: entering the host in real mode at 0x[0-9a-f]+ \(start 2\)$'"
comment "cpu1 again: $(val cpu1_again)"
assert "host: CPU 1 under the hypervisor again (VMCALL answered, read refused)" percpu_ok "$(val cpu1_again)"
assert "hypervisor: no panic, no refused IPI" \
	eval "! has 'lockstep: PANIC' && ! has '^lockstep: CPU [0-9]+: host IPI refused'"
# Two warnings Bochs' corei7_skylake_x model gives Linux with or without Lockstep (seen on
# the same Bochs booting Linux without the hypervisor): the XSAVE area size its CPUID
# reports ("XSAVE consistency problem", WARN at fpu/xstate.c) and the RETBleed notice.
grep -v '^lockstep-mb2: ' "$log" | grep -vE 'RETBleed: WARNING|fpu/xstate.c:[0-9]+ fpu__init_system_xstate' \
	> "$work/kernel.log"
assert "kernel log clean (no Oops, BUG, WARNING; after /init: dmesg, 0 such lines)" \
	eval "has '^vmxtest: done$' && [ '$(val kernel_bad)' = 0 ] && tap_kernel_clean '$work/kernel.log'"
# Bochs exits with status 1 after the guest's ACPI power-off; 124: run.sh stopped it on the
# power-off line.
assert "clean power-off (${secs:-?} s in Bochs)" \
	eval "{ [ '$brc' = 0 ] || [ '$brc' = 1 ] || [ '$brc' = 124 ]; } && has 'reboot: Power down'"
exit 0
