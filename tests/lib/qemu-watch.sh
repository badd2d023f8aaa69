# shellcheck shell=bash
# Watching one QEMU run that was started in the background, shared by boot/tests/run.sh,
# boot/tests/x86-run.sh and tests/attest/run.sh. Source it, start QEMU with its serial in RAW,
# set qpid=$! and call
#
#   qemu_watch RAW STOP TO T0
#
# It waits until the serial capture RAW matches the extended regexp STOP, QEMU exits, or TO
# seconds have passed since T0 ($SECONDS when QEMU started); then stops QEMU if it still runs.
# Sets how (pattern, exit or timeout), qrc (QEMU's exit status) and secs, and clears qpid.
qemu_watch() {
	local raw=$1 stop=$2 to=$3 t0=$4
	how=exit
	while kill -0 "$qpid" 2>/dev/null; do
		if grep -aqE -- "$stop" "$raw"; then how=pattern; break; fi
		if [ $((SECONDS - t0)) -ge "$to" ]; then how=timeout; break; fi
		sleep 0.5
	done
	# Linux's last line comes just before QEMU's own exit: give that a moment.
	if [ "$how" = pattern ] && grep -aq 'reboot: Power down' "$raw"; then
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || { how=exit; break; }
			sleep 0.5
		done
	fi
	if kill -0 "$qpid" 2>/dev/null; then
		sleep 0.5 # let the matching line's neighbours reach the log
		kill "$qpid" 2>/dev/null
		sleep 1
		kill -9 "$qpid" 2>/dev/null
	fi
	wait "$qpid"
	qrc=$?
	qpid=
	secs=$((SECONDS - t0))
}
