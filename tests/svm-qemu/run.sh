#!/usr/bin/env bash
# The `svm-qemu` suite (docs/x86.md "Tests"): Lockstep's x86_64 SVM hypervisor on QEMU q35
# + OVMF + intel-iommu, started by BOOTX64.EFI, with Linux x86_64 running as its guest.
# TAP (plan first) to build/test-logs/svm-qemu.tap, the serial log beside it.
#
#   run.sh LOADER HYP KERNEL INITRD
#
# Environment: SVM_QEMU_TIMEOUT (seconds per boot, default 240), QEMU (binary).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
loader=$1 hyp=$2 kernel=$3 initrd=$4
qemu=${QEMU:-qemu-system-x86_64}
to=${SVM_QEMU_TIMEOUT:-240}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/suite.sh"
. "$top/tests/lib/ovmf-boot.sh"
suite_init svm-qemu svm-qemu
SUITE_TAG=svmtest
unset ESP_HYP ESP_INITRD ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS ESP_UNSAFE_DMA
PLAN=$((39 + 15 + 3 + 3 + 3 + 2))  # 39 before application processors, 15 for them, 3 TLB shootdown, 3 host MMIO, 3 DMA domains, 2 fw_cfg DMA ports
suite_plan $PLAN

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ ! -f "$ovmf_code" ] || ! command -v "$qemu" >/dev/null; then
	tap_line "not ok" "qemu: OVMF firmware and $qemu present (run 'make deps')"
	exit 0
fi

# Four CPUs: the application processors run under the hypervisor too (docs/x86.md
# "Application processors"); +x2apic so that hiding x2APIC matters. VT-d is taken by the
# hypervisor (and hidden from the host); every PCI function is in its device scope, so the
# loader's DMA-master check passes without unsafe_untranslated_dma.
# pdpe1gb: the hypervisor maps itself and the host with 1 GiB pages.
# snoop-control=on: the VT-d driver sets SNP in its entries (docs/vtd.md). edu: a DMA engine
# aiming at raw addresses (edu_test.ko), its address mask widened to 40 bits.
machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,snoop-control=on
	-cpu qemu64,+svm,+npt,+pdpe1gb,+x2apic -smp 4 -m 2G -nic none -no-reboot -display none -monitor none
	-device edu,dma_mask=0xffffffffff)

img=$work/esp.img
if ! ESP_HYP=$hyp ESP_INITRD=$initrd ESP_CMDLINE="console=ttyS0 panic=-1"  \
	ESP_CPUS=4 "$top/boot/mkesp.sh" "$img" "$loader" "$kernel" > "$work/esp.out" 2>&1; then
	for _ in $(seq $PLAN); do tap_line "not ok" "ESP built ($(tail -1 "$work/esp.out"))"; done
	exit 0
fi

raw=$work/serial.raw
log=$logs/svm-qemu-serial.log
ovmf_boot
comment "QEMU exited with status $qrc after ${secs}s; serial log $log"

# The loader started the hypervisor, which took the machine.
region=$(sed -n 's/^lockstep-boot: region: 0x\([0-9A-Fa-f]*\)-.*/\1/p' "$log" | head -1)
assert "loader: VT-d unit hidden from the host (DMAR removed from the XSDT)" \
	has '^lockstep-boot: VT-d hidden \(ACPI\): DMAR 0x[0-9A-F]+ removed from the XSDT'
assert "hypervisor: banner (SVM + nested paging, 1 VT-d unit kept from the host, translating its DMA)" \
	has '^lockstep: Lockstep [0-9.]+ \(x86_64, AMD SVM \+ nested paging\): region 0x[0-9a-f]+-.* 1 VT-d units kept from the host \(1 translating its DMA\)'
assert "hypervisor: VT-d enabled, every source id through the mirror of the nested table" \
	eval "has '^lockstep: vtd: streams 0x0..0xffff -> host view \(VT-d mirror' &&
		has '^lockstep: VT-d unit 0xfed90000: host DMA through a mirror of its nested table'"
comment "$(grep -E '^lockstep-boot: PCI: ' "$log")"
assert "loader: every PCI DMA master is in the VT-d unit's scope (0 outside, no unsafe_untranslated_dma)" \
	eval "has '^lockstep-boot: PCI: [0-9]+ functions, 1 virtio, 0 with DMA outside the VT-d$' &&
		! has 'unsafe_untranslated_dma=1'"
assert "loader: the entry returned 0, the host continues as an SVM guest" \
	has '^lockstep-boot: hypervisor installed \(returned 0\), Linux continues as an SVM guest$'
assert "host: Linux booted under the hypervisor and ran /init" \
	eval "has '^lockstep: entering the host as an SVM guest' && has '^svmtest: start$'"
assert "host: Linux found no VT-d unit (DMAR hidden)" eval "! has 'DMAR: (DRHD|IOMMU)'"

# CPUID and MSR intercepts.
assert "host: CPUID hides SVM (no svm flag in /proc/cpuinfo)" test "$(val cpuinfo_svm)" = 0
efer=$(val efer)
comment "host EFER: $efer"
assert "host: EFER reads back with LME, LMA and NXE" \
	eval "[ -n '$efer' ] && [ \$(( $efer & 0xd00 )) = $((0xd00)) ]"
assert "host: EFER.SVME hidden (bit 12 reads 0)" eval "[ -n '$efer' ] && [ \$(( $efer & 0x1000 )) = 0 ]"
assert "host: VM_HSAVE_PA does not exist for the host (#GP, read refused)" test "$(val hsave)" = refused

# Hypervisor memory: the read at region base + 8 refused, the host goes on.
want=$(printf '0x%x' $((0x${region:-0} + 8)))
comment "loader region base 0x${region:-?}; probes:"
sed -n 's/^svmtest: probe /#   /p' "$log" | tee -a "$tap"
refused=$(sed -n 's/^svmtest: probe \(0x[0-9a-f]*\) rc 139.*/\1/p' "$log")
assert "host: a user read of hypervisor memory ($want) is refused (SIGSEGV)" \
	eval "[ -n '$region' ] && echo '$refused' | grep -qx '$want'"
assert "host: no other reserved range was refused (the refusal is the hypervisor's)" \
	test "$refused" = "$want"
assert "hypervisor: the refused read was logged with its address (NPF, CPL 3)" \
	has "^lockstep: host read at GPA $want refused \\(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\\)"
sed -n 's/^svmtest: kread /#   kernel read (dev\/mem) /p' "$log" | tee -a "$tap"
assert "host: the kernel's own read of it (read(2) of /dev/mem) fails with EFAULT, no oops" \
	eval "sed -n 's/^svmtest: kread $want rc \\([0-9]*\\) .*/\\1/p' '$log' | grep -qv '^0$' &&
		grep -q '^svmtest: kread $want .*Bad address' '$log'"
assert "hypervisor: the kernel's read was logged too (NPF, CPL 0)" \
	has "^lockstep: host read at GPA $want refused \\(NPF error 0x[0-9a-f]+, RIP 0xffff[0-9a-f]+, CPL 0, APIC ID [0-9]+\\)"
assert "host: another reserved range is read fine (the probe itself works)" \
	eval "sed -n 's/^svmtest: probe 0x[0-9a-f]* rc 0 0x[0-9A-Fa-f]*$/x/p' '$log' | grep -q x"
# Default-deny host MMIO (docs/x86.md "Host MMIO"): the loader's device map for q35, the
# hypervisor mapping only it, a hole refused, and nothing else Linux touched refused.
comment "$(grep -E '^lockstep-boot: device map: ' "$log")"
comment "$(grep -E '^lockstep: host MMIO: ' "$log")"
assert "loader: q35's device map allows the ECAM, the I/O APIC, the HPET, PCI BARs and the legacy area, denies nothing" \
	eval "has '^lockstep-boot: device MCFG ECAM 0xB0000000\+0x10000000: host may use' &&
		has '^lockstep-boot: device MADT IOAPIC 0xFEC00000\+0x1000: host may use' &&
		has '^lockstep-boot: device HPET table 0xFED00000\+0x400: host may use' &&
		has '^lockstep-boot: device PCI 00:0[0-9a-f].0 BAR[0-5] 0x[0-9A-F]+\+0x[0-9A-F]+: host may use' &&
		has '^lockstep-boot: device legacy 0xa0000-0xfffff 0xA0000\+0x60000: host may use' &&
		has '^lockstep-boot: device map: [0-9]+ devices allowed, 0 denied;' &&
		has '^lockstep: host MMIO: default deny, [1-9][0-9]* windows of the loader.s device map mapped$'"
assert "host MMIO: a user read of a hole (0x4000000000: no RAM, no device window) is refused (SIGSEGV) and logged" \
	eval "[ '$(val hole_read)' = 'rc 139' ] &&
		has '^lockstep: host read at GPA 0x4000000000 refused \(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, '"
assert "I/O ports: the fw_cfg DMA interface is the hypervisor's: the host reads all ones at 514h, its write to 518h is dropped; both logged" \
	eval "[ '$(val fwcfg_dma)' = ffffffff ] &&
		has '^lockstep: host read of I/O port 0x514 \(1 bytes, RIP 0x[0-9a-f]+, CPL 0, APIC ID [0-9]+\) refused' &&
		has '^lockstep: host write of I/O port 0x518 \(1 bytes, '"
npf=$(sed -n 's/^lockstep: host \(read\|write\) at GPA \(0x[0-9a-f]*\) refused .*/\2/p' "$log" | sort -u | tr '\n' ' ')
comment "host accesses refused at: $npf"
tlb_npf_ok() {
	local a
	for a in $npf; do
		case $a in
		"$want" | 0xfed90000 | 0xfed90018 | 0x4000000000) ;;
		*) return 1 ;;
		esac
	done
	[ -n "$npf" ]
}
assert "host MMIO: Linux found every device it uses: no host access refused but the test's own (hypervisor memory, VT-d registers, the hole)" \
	tlb_npf_ok
comment "VT-d registers: user read $(val vtd_read), user write of GCMD $(val vtd_write)"
assert "host: a user read of the VT-d unit's registers (0xfed90000) is refused (SIGSEGV) and logged" \
	eval "[ '$(val vtd_read)' = 'rc 139' ] &&
		has '^lockstep: host read at GPA 0xfed90000 refused \(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\)'"
assert "host: a user write of 0 to VT-d's global command register is refused (SIGSEGV) and logged" \
	eval "[ '$(val vtd_write)' = 'rc 139' ] &&
		has '^lockstep: host write at GPA 0xfed90018 refused \(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID [0-9]+\)'"
assert "host: still running after the refused read (uptime read)" eval "[ -n '$(val alive)' ]"
abi=$(sed -n 's/^#define LS_ABI_MAJOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h").$(
	sed -n 's/^#define LS_ABI_MINOR[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/lockstep/abi.h")
comment "lockstep.ko: version '$(val version)', features '$(val features)', unknown call '$(val raw_unknown)'"
assert "host: lockstep.ko finds the hypervisor by CPUID and loads" \
	eval "[ '$(val insmod)' = ok ] && has 'lockstep: hypervisor ABI $abi, features 0x1 host_s2'"
assert "host: LS_HVC_VERSION through VMMCALL from the kernel reports ABI $abi" test "$(val version)" = "$abi"
assert "host: features report host_s2 (the nested map)" test "$(val features)" = "0x1 host_s2"
assert "host: an unknown hypercall returns NOT_SUPPORTED (-1)" \
	eval "val raw_unknown | grep -q '^0xffffffffffffffff '"
assert "host: LS_HVC_VCPU_CREATE returns NOT_SUPPORTED on x86 (no vCPUs yet), results zero" \
	test "$(val raw_vcpu_create)" = "0xffffffffffffffff 0x0000000000000000 0x0000000000000000 0x0000000000000000"
# Every CPU under the hypervisor (docs/x86.md "Application processors").
comment "CPUs: $(sed -n 's/^lockstep: \([0-9]* CPUs under the hypervisor.*\)/\1/p' "$log")"
comment "online: $(val cpus_online); $(val cpu2_off); $(val cpu2_on)"
assert "loader: a start-up page for the application processors below 636 KiB" \
	has '^lockstep-boot: AP start-up page: 0x[0-9A-F]+ \(EfiReservedMemoryType\)'
assert "hypervisor: the 3 application processors reached it and parked (4 CPUs under it)" \
	has '^lockstep: 4 CPUs under the hypervisor \(4 stacks\), the application processors started from page 0x[0-9a-f]+ and parked$'
starts=$(sed -n 's/^lockstep: CPU [0-9]* (APIC ID \([0-9]*\)): host Startup IPI, vector 0x[0-9a-f]*: entering the host in real mode at 0x[0-9a-f]* (start 1)$/\1/p' "$log" | sort | tr '\n' ' ')
assert "hypervisor: Linux's Startup IPIs, emulated, started APIC IDs 1, 2 and 3 under it" \
	test "$starts" = "1 2 3 "
assert "host: Linux reports 4 CPUs online (0-3)" test "$(val cpus_online)" = 0-3
assert "host: x2APIC hidden (no x2apic flag: the xAPIC ICR is what the hypervisor traps)" \
	test "$(val cpuinfo_x2apic)" = 0
# Per CPU: VMMCALL answered (status 0, the ABI version), a user read of hypervisor memory
# refused (139) and logged with that CPU's APIC ID.
abihex=$(printf '0x%016x' $(( (${abi%.*} << 16) | ${abi#*.} )))
percpu_ok() {
	local c=$1 line=$2 apic
	apic=$(echo "$line" | sed -n 's/^apic \([0-9]*\) .*/\1/p')
	[ -n "$apic" ] && [ "$line" = "apic $apic hvc 0x0000000000000000:$abihex devmem 139" ] &&
		has "^lockstep: host read at GPA $want refused \\(NPF error 0x[0-9a-f]+, RIP 0x[0-9a-f]+, CPL 3, APIC ID $apic\\)"
}
for c in 0 1 2 3; do
	comment "cpu$c: $(val cpu$c)"
	assert "host: CPU $c under the hypervisor: VMMCALL answered (ABI $abi), a user read of its memory refused and logged with this CPU's APIC ID" \
		percpu_ok $c "$(val cpu$c)"
done
assert "host: CPU 2 goes offline (online 0-1,3)" test "$(val cpu2_off)" = "rc 0 online 0-1,3"
assert "hypervisor: the host's INIT took CPU 2 out of the host (NMI kick), parked" \
	has '^lockstep: CPU [0-9]+ \(APIC ID 2\): host INIT: out of the host, waiting for its Startup IPI$'
assert "host: CPU 2 online again (0-3), started by the host's second Startup IPI under the hypervisor" \
	eval "[ '$(val cpu2_on)' = 'rc 0 online 0-3' ] &&
		has '^lockstep: CPU [0-9]+ \(APIC ID 2\): host Startup IPI, vector 0x[0-9a-f]+: entering the host in real mode at 0x[0-9a-f]+ \(start 2\)$'"
comment "cpu2 again: $(val cpu2_again)"
assert "host: CPU 2 under the hypervisor again (VMMCALL answered, read refused)" \
	eval "val cpu2_again | grep -qx 'apic 2 hvc 0x0000000000000000:$abihex devmem 139'"
nmis=$(sed -n 's/.*NMI backtrace for cpu \([0-9]*\).*/\1/p' "$log" | sort -u | tr '\n' ' ')
comment "NMI backtraces from CPUs: $nmis"
assert "host: its NMIs reach every CPU through the hypervisor (sysrq-l: NMI backtrace from CPUs 1, 2 and 3)" \
	eval "[ -n '$(val nmi_done)' ] && echo '$nmis' | grep -q '1 2 3'"
assert "hypervisor: no host INIT, Startup or SMI IPI refused (Linux sends only what Lockstep emulates)" \
	eval "! has '^lockstep: CPU [0-9]+: host IPI refused'"

# DMA through VT-d (edu).
comment "edu: $(val edu_pages); host $(val dma_host); hyp read $(val dma_hyp_read); hyp write $(val dma_hyp_write); after $(val dma_after)"
set -- $(val dma_hyp_read); rf0=${2:-x} rf1=${3:-x} rm=${5:-x} rz=${7:-x}
set -- $(val dma_hyp_write); wf0=${2:-x} wf1=${3:-x}
assert "DMA: edu_test.ko loaded, a host page copied to another through the edu (0 bytes differ)" \
	eval "[ '$(val edu_insmod)' = ok ] && [ '$(val dma_host)' = 'mism 0' ]"
assert "DMA: a read of hypervisor memory faults (VT-d fault counted) and brings no data" \
	eval "[ '$rf1' -gt '$rf0' ] 2>/dev/null && { [ '$rm' = 0 ] || [ '$rz' = 4096 ]; }"
assert "DMA: a write into hypervisor memory faults (VT-d fault counted)" \
	eval "[ '$wf1' -gt '$wf0' ] 2>/dev/null"
assert "hypervisor: both DMA faults logged with the address (VT-d fault records)" \
	eval "has '^lockstep: vtd: DMA fault: 00:0[0-9a-f].0 read at $(printf '0x%x' $((0x${region:-0})))' &&
		has '^lockstep: vtd: DMA fault: 00:0[0-9a-f].0 write at $(printf '0x%x' $((0x${region:-0} + 0x1000)))'"
assert "DMA: VT-d did not fail closed, host DMA works again afterwards" \
	eval "[ '$(val vtd_failed)' = 0 ] && [ '$(val dma_after)' = 'mism 0' ]"
# TLB shootdown around a donate made on Linux's CPU 1 (docs/x86.md "TLB shootdown"): per
# hypervisor CPU 0-3 "reqs,targeted,kicks,acks,flushes,apicid" (LS_HVC_CPU_STATS) before and
# after; the requester is the hypervisor CPU with CPU 1's APIC ID. QEMU's TCG flushes its
# whole TLB at every VMRUN and #VMEXIT: the protocol shows here, its effect cannot.
comment "TLB: $(val tlb_vm); donate $(val tlb_donate); before $(val tlb_before); after $(val tlb_after); $(val tlb_cleanup)"
read -ra tb <<< "$(val tlb_before)"; read -ra ta <<< "$(val tlb_after)"
tlb_d() { # tlb_d CPU FIELD: the counter's increase, or x when it was not read
	local b a
	IFS=, read -ra b <<< "${tb[$1]:-}"; IFS=, read -ra a <<< "${ta[$1]:-}"
	[[ "${b[$2]:-}" =~ ^[0-9]+$ && "${a[$2]:-}" =~ ^[0-9]+$ ]] || { echo x; return; }
	echo $((a[$2] - b[$2]))
}
set -- $(val tlb_donate); tlb_apic=${6:-x}
tlb_r=x
for c in 0 1 2 3; do
	IFS=, read -ra f <<< "${ta[$c]:-}"
	[ "${f[5]:-}" = "$tlb_apic" ] && tlb_r=$c
done
tlb_k=$(tlb_d "$tlb_r" 0)
tlb_others=
for c in 0 1 2 3; do [ "$c" = "$tlb_r" ] || tlb_others="$tlb_others $c"; done
comment "TLB: Linux CPU 1 (APIC ID $tlb_apic) is the hypervisor's CPU $tlb_r; $tlb_k shootdown(s)"
tlb_reqs() {
	local c
	[ "$(val tlb_donate)" = "rc 0x0000000000000000 cpu 1 apic $tlb_apic" ] &&
		[[ $tlb_k =~ ^[0-9]+$ ]] && [ "$tlb_k" -ge 1 ] || return 1
	for c in $tlb_others; do [ "$(tlb_d $c 0)" = 0 ] || return 1; done
}
tlb_acks() {
	local c kicks=0 k
	[ "$(tlb_d $tlb_r 1)" = 0 ] && [ "$(tlb_d $tlb_r 2)" = 0 ] || return 1
	for c in $tlb_others; do
		[ "$(tlb_d $c 1)" = "$tlb_k" ] && [ "$(tlb_d $c 3)" = "$tlb_k" ] || return 1
		k=$(tlb_d $c 2)
		[[ $k =~ ^[0-9]+$ ]] && [ "$k" -le "$tlb_k" ] || return 1
		kicks=$((kicks + k))
	done
	[ $kicks -ge 1 ]
}
tlb_flushes() {
	local c f
	for c in 0 1 2 3; do
		f=$(tlb_d $c 4)
		[[ $f =~ ^[0-9]+$ ]] && [ "$f" -ge 1 ] || return 1
	done
}
assert "TLB: a donate on CPU 1 requested N >= 1 shootdowns on that CPU, none on another (LS_HVC_CPU_STATS)" \
	tlb_reqs
assert "TLB: the 3 other CPUs each targeted and acknowledged N times, NMI-kicked at most N, at least one kick; the requester not targeted" \
	tlb_acks
assert "TLB: every CPU entered the host again with a whole-TLB flush (TLB_CONTROL 1)" tlb_flushes
# Host DMA domains on VT-d: the edu in a domain (docs/x86.md "Host DMA domains").
ok0=0x0000000000000000
comment "DMA domain: $(val dom_map); $(val dom_fault); $(val dom_detach)"
set -- $(val dom_fault); df0=${2:-x} df1=${3:-x} df2=${4:-x} dfu=${6:-x}
assert "DMA domain: created, the edu (source id 0x10) attached, two IOVAs mapped; the edu copies A to B through them (0 bytes differ)" \
	eval "has '^lockstep: VT-d unit 0xfed90000: host DMA domains offered' &&
		[ '$(val dom_map)' = 'create $ok0 dom 0 attach $ok0 map $ok0 $ok0 mism 0' ]"
assert "DMA domain: DMA to an address the domain does not map faults (VT-d fault counted), so does an IOVA after UNMAP" \
	eval "[ '$dfu' = '$ok0' ] && [ '$df1' -gt '$df0' ] 2>/dev/null && [ '$df2' -gt '$df1' ] 2>/dev/null"
assert "DMA domain: after DETACH the edu is back in the host view (DMA to host pages works); the domain destroyed" \
	test "$(val dom_detach)" = "detach $ok0 mism 0 unmap $ok0 destroy $ok0"
assert "host: a user-mode VMMCALL gets #UD (SIGILL, status 132)" test "$(val vmmcall_user)" = "rc 132"
assert "host: /init ran to the end" has '^svmtest: done$'
assert "hypervisor: no panic" eval "! has 'lockstep: PANIC'"
grep -v '^lockstep-boot: ' "$log" > "$work/kernel.log"
assert "kernel log clean (no Oops, BUG, WARNING)" tap_kernel_clean "$work/kernel.log"
assert "clean power-off (${secs}s)" tap_poweroff "$log" "$qrc"

# 2. The same kernel, initramfs and module without the hypervisor (no hypervisor= line).
img=$work/esp-native.img
if ESP_INITRD=$initrd ESP_CMDLINE="console=ttyS0 panic=-1 svmtest=native" \
	"$top/boot/mkesp.sh" "$img" "$loader" "$kernel" > "$work/esp.out" 2>&1; then
	raw=$work/serial-native.raw
	log=$logs/svm-qemu-native-serial.log
	ovmf_boot
	comment "native boot: QEMU exited with status $qrc after ${secs}s; serial log $log"
	comment "native: lockstep.ko $(val native_insmod)"
	assert "native: without Lockstep the fw_cfg DMA interface answers at 514h (\"QEMU\": what the hypervisor takes away)" \
		test "$(val native_fwcfg_dma)" = 51454d55
	assert "native: no hypervisor started, the CPU shows SVM to Linux" \
		eval "! has '^lockstep: Lockstep ' && [ '$(val native_cpuinfo_svm)' -ge 1 ]"
	# QEMU's TCG itself sets CPUID.1:ECX[31] and answers leaf 0x40000000 with "TCGTCGTCGTCG":
	# the signature check is what refuses here.
	assert "native: lockstep.ko refuses to load (no Lockstep CPUID signature), no VMMCALL issued" \
		eval "val native_insmod | grep -q '^refused' &&
			has 'lockstep: hypervisor not present: CPUID (shows no hypervisor|0x40000000 signature [0-9a-f ]+ is not Lockstep.s)'"
	grep -v '^lockstep-boot: ' "$log" > "$work/kernel.log"
	assert "native: kernel log clean" tap_kernel_clean "$work/kernel.log"
	assert "native: clean power-off (${secs}s)" tap_poweroff "$log" "$qrc"
else
	for _ in 1 2 3 4 5; do tap_line "not ok" "native: ESP built ($(tail -1 "$work/esp.out"))"; done
fi
[ "$n" = "$PLAN" ] || tap_line "not ok" "harness: $n checks ran, the plan says $PLAN"
exit 0
