# One boot of the x86 test machine (q35 + OVMF, the ESP as a translated virtio disk), shared by
# tests/svm-qemu and tests/svm-dma. Source it, then call ovmf_boot with these set:
#   qemu, machine[] (the machine and its devices), ovmf_code, ovmf_vars, img (the ESP),
#   work (scratch dir), to (timeout, s), raw (serial capture), log (the serial log written,
#   CR stripped).
# Sets qrc (QEMU's exit status; a kill on timeout shows as a signal status) and secs.
ovmf_boot() {
	local t0
	cp "$ovmf_vars" "$work/vars.fd"
	t0=$SECONDS
	timeout $((to + 30)) "$qemu" "${machine[@]}" -serial file:"$raw" \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$ovmf_code" \
		-drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
		-drive if=none,id=esp,format=raw,snapshot=on,file="$img" \
		-device virtio-blk-pci,drive=esp,disable-legacy=on,iommu_platform=on > "$work/qemu.out" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		[ $((SECONDS - t0)) -ge "$to" ] && { kill "$qpid"; sleep 1; kill -9 "$qpid" 2>/dev/null; break; }
		sleep 0.5
	done
	wait "$qpid"
	qrc=$?
	qpid=
	secs=$((SECONDS - t0))
	tr -d '\r' < "$raw" > "$log"
}
