# gdb-multiarch command file for Lockstep under QEMU (docs/debugging.md).
#   make debug                 (terminal 1: QEMU paused, gdb stub on :1234)
#   make debug-gdb             (terminal 2: gdb-multiarch -x scripts/gdb/lockstep.gdb)
# Connects, arms a stop at the hypervisor entry point, and runs the firmware and
# the loader up to it; the hypervisor's symbols are then loaded at their
# run-time base (scripts/gdb/lockstep.py).
set pagination off
set confirm off
set architecture aarch64
# The hypervisor is loaded after the firmware starts: no symbols yet.
source scripts/gdb/lockstep.py
python gdb.execute("target remote localhost:" + os.environ.get("GDB_PORT", "1234"))
lockstep-info
# Run to the entry: by default from the loader's "Lockstep enters at" line;
# LOCKSTEP_BREAK_ARGS=--scan uses RAM-wide candidate breakpoints instead.
python gdb.execute("lockstep-break-entry " + os.environ.get("LOCKSTEP_BREAK_ARGS", ""))
