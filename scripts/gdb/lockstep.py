# SPDX-License-Identifier: GPL-2.0-only
"""gdb helpers for debugging Lockstep under QEMU (sourced by lockstep.gdb).

The hypervisor image (build/hyp/lockstep.elf, flat copy lockstep.bin) is linked
position-independent at address 0. The UEFI loader copies lockstep.bin to the
start of a 2 MiB-aligned region it allocates at boot (include/lockstep/boot.h)
and calls base + entry_offset at EL2 with the firmware's identity map (VA == PA).
The base is therefore only known at run time; these commands find it and load
the symbols with `add-symbol-file ELF -o BASE`:

  lockstep-load [BASE]          load symbols at BASE; without BASE, take it from
                                the serial log (a "0x..." on a line matching
                                $LOCKSTEP_BASE_RE) or find it in memory: the
                                image header's magic at a 2 MiB boundary of RAM
  lockstep-break-entry [--scan [RAM_START RAM_SIZE]] [--arm]
                                run to the hypervisor's entry point, stop before
                                its first instruction, load its symbols. Default:
                                run without breakpoints until the loader prints
                                "Lockstep enters at 0x..." on the serial log,
                                interrupt, break there, continue. --scan (also
                                the fallback without a serial log): a breakpoint
                                at base + entry_offset for every 2 MiB-aligned
                                base in RAM (TCG breakpoints write no memory);
                                a hit counts only if the image header's magic is
                                at pc - entry_offset, other hits resume silently.
  lockstep-info                 what the helpers know (files, entry offset, base)

Environment: LOCKSTEP_ELF, LOCKSTEP_BIN (image files), LOCKSTEP_ESP (the booted
ESP image: its lockstep.bin gives the entry offset), LOCKSTEP_SERIAL_LOG,
LOCKSTEP_BASE_RE (regex for the serial line that carries the base).
"""
import os
import re
import signal
import struct
import subprocess
import threading
import time

import gdb

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ELF = os.environ.get("LOCKSTEP_ELF", os.path.join(TOP, "build/hyp/lockstep.elf"))
BIN = os.environ.get("LOCKSTEP_BIN", os.path.join(TOP, "build/hyp/lockstep.bin"))
ESP = os.environ.get("LOCKSTEP_ESP", os.path.join(TOP, "build/esp.img"))
SERIAL_LOG = os.environ.get("LOCKSTEP_SERIAL_LOG", os.path.join(TOP, "build/debug/serial.log"))
BASE_RE = os.environ.get("LOCKSTEP_BASE_RE", r"(?i)lockstep-boot: region:|lockstep.*\b(base|image)\b")

# boot/main.c prints the entry address before the kernel's EFI stub runs, and
# "entering hypervisor at" just before the call.
ENTRY_RE = os.environ.get("LOCKSTEP_ENTRY_RE", r"Lockstep enters at 0x([0-9a-fA-F]+)")
ENTERED_RE = r"entering hypervisor at 0x"
REGION_RE = r"lockstep-boot: region: 0x([0-9a-fA-F]+)"

LS_IMAGE_MAGIC = 0x5045545354534B4C  # include/lockstep/boot.h, at offset 8 of the header
SZ_2M = 2 << 20
# QEMU virt RAM starts at 1 GiB (hw/arm/virt.c memmap VIRT_MEM); -m 2G.
RAM_START, RAM_SIZE = 0x40000000, 2 << 30

state = {"base": None, "cands": [], "hit": None, "connected": False, "probes": 0}


def hdr_entry_offset(path):
    """entry_offset of a lockstep.bin (struct ls_image_hdr), None if not one."""
    try:
        with open(path, "rb") as f:
            hdr = f.read(48)
        # u32 branch, u32 hdr_size, u64 magic, u32 hdr_version, u32 crc32,
        # u64 image_size, u64 mem_size, u64 entry_offset
        _, _, magic, _, _, _, _, off = struct.unpack("<IIQIIQQQ", hdr)
        return off if magic == LS_IMAGE_MAGIC else None
    except (OSError, struct.error):
        return None


def esp_entry_offset():
    """entry_offset of the image the ESP actually carries (the one QEMU boots):
    the loader config's hypervisor= file, read with mtools."""
    if not os.path.exists(ESP):
        return None
    try:
        cfg = subprocess.run(["mtype", "-i", ESP, "::/lockstep/lockstep.cfg"], capture_output=True,
                             text=True, timeout=10).stdout
        m = re.search(r"^hypervisor=(\S+)", cfg, re.M)
        if not m:
            return None
        tmp = os.path.join(TOP, "build/debug/esp-lockstep.bin")
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        r = subprocess.run(["mcopy", "-n", "-o", "-i", ESP, "::" + m.group(1).replace("\\", "/"),
                            tmp], capture_output=True, timeout=10)
        return hdr_entry_offset(tmp) if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def entry_offset():
    """The booted image's entry_offset: the ESP's copy, else lockstep.bin's header,
    else the ELF's e_entry (linked at 0). Warns when the ESP and build/hyp differ."""
    esp, own = esp_entry_offset(), hdr_entry_offset(BIN)
    if esp is not None:
        if own is not None and own != esp and not state.get("warned"):
            state["warned"] = True
            gdb.write("lockstep: WARNING: %s carries an image with entry offset 0x%x, %s has 0x%x: "
                      "rebuild the ESP (make esp) or the symbols will not match\n"
                      % (ESP, esp, BIN, own))
        return esp
    if own is not None:
        return own
    with open(ELF, "rb") as f:
        e = f.read(32)
    if e[:4] != b"\x7fELF":
        raise gdb.GdbError("%s is not an ELF file" % ELF)
    return struct.unpack("<Q", e[24:32])[0]


def read_u64(addr):
    try:
        return struct.unpack("<Q", bytes(gdb.selected_inferior().read_memory(addr, 8)))[0]
    except gdb.MemoryError:
        return None


def load_symbols(base):
    if not os.path.exists(ELF):
        raise gdb.GdbError("no %s: build it with 'make hyp-image'" % ELF)
    state["base"] = base
    gdb.execute("add-symbol-file %s -o 0x%x" % (ELF, base), to_string=True)
    gdb.write("lockstep: symbols of %s loaded at base 0x%x\n" % (ELF, base))


def base_from_log():
    try:
        with open(SERIAL_LOG, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if re.search(BASE_RE, line):
            for m in re.findall(r"0x([0-9a-fA-F]+)", line):
                v = int(m, 16)
                if v % SZ_2M == 0 and read_u64(v + 8) == LS_IMAGE_MAGIC:
                    return v
    return None


def base_from_memory(start=RAM_START, size=RAM_SIZE):
    for b in range(start + size - SZ_2M, start - 1, -SZ_2M):
        if read_u64(b + 8) == LS_IMAGE_MAGIC:
            return b
    return None


class LoadCmd(gdb.Command):
    """lockstep-load [BASE]: load the hypervisor's symbols at its run-time base."""

    def __init__(self):
        super().__init__("lockstep-load", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        if arg.strip():
            base = int(gdb.parse_and_eval(arg))
        else:
            base = base_from_log()
            if base is None:
                base = base_from_memory()
            if base is None:
                raise gdb.GdbError("lockstep: image not found (serial log %s, RAM scan); "
                                   "not loaded yet? use lockstep-break-entry" % SERIAL_LOG)
        load_symbols(base)


class EntryCandidate(gdb.Breakpoint):
    def __init__(self, addr, off):
        super().__init__("*0x%x" % addr, gdb.BP_BREAKPOINT, internal=True)
        self.off = off

    def stop(self):
        state["probes"] += 1
        pc = int(gdb.parse_and_eval("$pc"))
        base = pc - self.off
        if read_u64(base + 8) != LS_IMAGE_MAGIC:
            return False  # firmware code that happens to run at this offset
        state["hit"] = base
        return True


def on_stop(event):
    base = state["hit"]
    if base is None:
        return
    state["hit"] = None
    for bp in state["cands"]:
        bp.delete()
    state["cands"] = []
    gdb.events.stop.disconnect(on_stop)
    state["connected"] = False
    load_symbols(base)
    x0 = int(gdb.parse_and_eval("$x0"))
    pc = int(gdb.parse_and_eval("$pc"))
    gdb.write("lockstep: stopped at the hypervisor entry, pc 0x%x = base 0x%x + 0x%x; "
              "x0 (struct ls_boot_info *) = 0x%x\n" % (pc, base, pc - base, x0))


def arm_scan(start, size):
    off = entry_offset()
    for bp in state["cands"]:
        bp.delete()
    state["cands"] = [EntryCandidate(b + off, off) for b in range(start, start + size, SZ_2M)]
    if not state["connected"]:
        gdb.events.stop.connect(on_stop)
        state["connected"] = True
    gdb.write("lockstep: %d entry candidates (base + 0x%x for every 2 MiB in [0x%x, 0x%x))\n"
              % (len(state["cands"]), off, start, start + size))


def log_has(pattern):
    try:
        with open(SERIAL_LOG, errors="replace") as f:
            return re.search(pattern, f.read())
    except OSError:
        return None


def run_to_entry_from_log(timeout):
    """Run without breakpoints until the loader prints the entry address, stop
    there (SIGINT, as Ctrl-C would), arm one breakpoint at it and continue."""
    found = {}

    def watch():
        t0 = time.time()
        while time.time() - t0 < timeout and not found:
            m = log_has(ENTRY_RE)
            if m:
                found["entry"] = int(m.group(1), 16)
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.05)
        found.setdefault("entry", None)

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    gdb.execute("continue")
    th.join(1)
    entry = found.get("entry")
    if entry is None:
        gdb.write("lockstep: the loader's entry line did not appear in %s\n" % SERIAL_LOG)
        return False
    if log_has(ENTERED_RE):
        gdb.write("lockstep: too late, the loader has already entered the hypervisor; "
                  "restart QEMU and use 'lockstep-break-entry --scan'\n")
        return False
    off = entry_offset()
    m = log_has(REGION_RE)
    if m and entry - int(m.group(1), 16) != off:
        # The ESP carries another build than build/hyp/lockstep.bin: trust the
        # loader for the stop, warn that the symbols may not match.
        gdb.write("lockstep: WARNING: the loaded image's entry offset is 0x%x, %s says 0x%x: "
                  "rebuild the ESP (make esp) or symbols will not match\n"
                  % (entry - int(m.group(1), 16), BIN, off))
        off = entry - int(m.group(1), 16)
    if not state["connected"]:
        gdb.events.stop.connect(on_stop)
        state["connected"] = True
    state["cands"] = [EntryCandidate(entry, off)]
    gdb.write("lockstep: loader says the hypervisor enters at 0x%x; continuing to it\n" % entry)
    gdb.execute("continue")
    return True


class BreakEntryCmd(gdb.Command):
    """lockstep-break-entry [--scan [RAM_START RAM_SIZE]] [--arm]: run to the hypervisor entry.

Default: run with no breakpoint until the loader prints "Lockstep enters at 0x..."
on the serial log, stop, break there, continue (fast; needs the serial log).
--scan: a breakpoint at base + entry_offset for every 2 MiB of RAM instead (no
log needed; firmware runs several times slower until the entry).
--arm: only set the breakpoints (with --scan), do not continue."""

    def __init__(self):
        super().__init__("lockstep-break-entry", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, arg, from_tty):
        a = gdb.string_to_argv(arg)
        arm_only = "--arm" in a
        a = [x for x in a if x != "--arm"]
        if a and a[0] == "--scan" or not os.path.exists(SERIAL_LOG):
            a = a[1:] if a and a[0] == "--scan" else a
            start = int(gdb.parse_and_eval(a[0])) if a else RAM_START
            size = int(gdb.parse_and_eval(a[1])) if len(a) > 1 else RAM_SIZE
            arm_scan(start, size)
            if not arm_only:
                gdb.execute("continue")
            return
        if not run_to_entry_from_log(float(os.environ.get("LOCKSTEP_LOG_TIMEOUT", "600"))):
            raise gdb.GdbError("lockstep: not stopped at the entry")


class InfoCmd(gdb.Command):
    """lockstep-info: image files, entry offset, known base."""

    def __init__(self):
        super().__init__("lockstep-info", gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        gdb.write("elf %s\nbin %s\nesp %s\nserial log %s\n" % (ELF, BIN, ESP, SERIAL_LOG))
        try:
            gdb.write("entry offset 0x%x\n" % entry_offset())
        except (OSError, gdb.GdbError) as e:
            gdb.write("entry offset unknown: %s\n" % e)
        b = state["base"]
        gdb.write("base %s\n" % ("0x%x" % b if b is not None else "not loaded"))
        gdb.write("entry candidates armed %d, hits checked %d\n"
                  % (len(state["cands"]), state["probes"]))


LoadCmd()
BreakEntryCmd()
InfoCmd()
