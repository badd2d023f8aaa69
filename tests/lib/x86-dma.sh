# shellcheck shell=bash
# The q35 DMA machine of the x86 suites svm-dma and pviommu-x86, sourced after tests/lib/tap.sh,
# tests/lib/suite.sh and tests/lib/ovmf-boot.sh: OVMF, SVM/NPT, intel-iommu and every DMA master
# translated by the unit (the edu, the ESP disk, a data disk and a NIC with iommu_platform=on).
#
#   dma_machine MEM      $work/data.img (16 MiB random, MD5 $disk_md5) and $netfile (2 MiB
#                        random, MD5 $net_md5, served by tests/smmu-dma/net-srv.sh, which logs to
#                        $netlog); machine=(...) with 2 CPUs and MEM of RAM. Without OVMF or
#                        $qemu: one failed check and exit.
#   dma_esp CMDLINE      $img, the ESP with the loader, $hyp, $kernel and $initrd; if it cannot
#                        be built, every one of the $PLAN checks fails and the script exits
#   dma_guest TAG        after ovmf_boot: the plan, then the guest's results between TAG-BEGIN
#                        and TAG-END in $log renumbered into ours ($block keeps the block), and a
#                        failed check for each of the $GUEST_PLAN it did not report
# Variables the caller sets: top, qemu, work, tap, PLAN, GUEST_PLAN, hyp, loader, kernel, initrd.
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
unset ESP_HYP ESP_INITRD ESP_CMDLINE ESP_CFG ESP_POOL_MIB ESP_STACK_KIB ESP_CPUS ESP_UNSAFE_DMA
NET_MIB=2

dma_machine() {
	if [ ! -f "$ovmf_code" ] || ! command -v "$qemu" >/dev/null; then
		suite_plan 1
		tap_line "not ok" "qemu: OVMF firmware and $qemu present (run 'make deps')"
		exit 0
	fi
	dd if=/dev/urandom of="$work/data.img" bs=1M count=16 2>/dev/null
	disk_md5=$(md5sum < "$work/data.img" | cut -d' ' -f1)
	netfile=$work/net.bin netlog=$work/net-srv.log
	dd if=/dev/urandom of="$netfile" bs=1M count=$NET_MIB 2>/dev/null
	net_md5=$(md5sum < "$netfile" | cut -d' ' -f1)
	: > "$netlog"
	# snoop-control=on: the VT-d format sets SNP; pdpe1gb: 1 GiB nested pages.
	machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,snoop-control=on
		-cpu qemu64,+svm,+npt,+pdpe1gb -smp 2 -m "$1" -nic none -no-reboot -display none -monitor none
		-device edu,dma_mask=0xffffffffff
		-drive if=none,id=data,format=raw,snapshot=on,file="$work/data.img"
		-device virtio-blk-pci,drive=data,serial=lsdata,disable-legacy=on,iommu_platform=on
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-cmd:$top/tests/smmu-dma/net-srv.sh $netfile $netlog"
		-device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on)
}

dma_esp() {
	img=$work/esp.img
	if ! ESP_HYP=$hyp ESP_INITRD=$initrd ESP_CMDLINE="$1" ESP_CPUS=2 \
		"$top/boot/mkesp.sh" "$img" "$loader" "$kernel" > "$work/esp.out" 2>&1; then
		suite_plan "$PLAN"
		for _ in $(seq "$PLAN"); do tap_line "not ok" "ESP built ($(tail -1 "$work/esp.out"))"; done
		exit 0
	fi
}

dma_guest() {
	local g=0 l
	suite_plan "$PLAN"
	comment "QEMU exited with status $qrc after ${secs}s; serial log $log"
	block=$(sed -n "/^$1-BEGIN\$/,/^$1-END/p" "$log" | sed '1d;$d' | sed 's/\[ *[0-9]*\.[0-9]*\] .*$//')
	while IFS= read -r l; do
		case $l in
		"ok "[0-9]*" - "*) g=$((g + 1)); tap_line ok "${l#ok * - }" ;;
		"not ok "[0-9]*" - "*) g=$((g + 1)); tap_line "not ok" "${l#not ok * - }" ;;
		"#"*) echo "$l" >> "$tap"; echo "$l" ;;
		esac
	done <<< "$block"
	while [ $g -lt "$GUEST_PLAN" ]; do
		g=$((g + 1)); tap_line "not ok" "guest check $g: not reported (no $1-END block, Linux did not finish)"
	done
}
