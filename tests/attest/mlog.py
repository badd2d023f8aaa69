#!/usr/bin/env python3
"""Parse a Lockstep measurement log (include/lockstep/abi.h LS_MLOG_*, docs/attestation.md)
and check it against what the test booted.

    mlog.py HEX LOGSIZE HYP KERNEL INITRD CMDLINE FLAG

HEX is the log as the guest dumped it; LOGSIZE the size sysfs reported; HYP, KERNEL,
INITRD, CMDLINE are "sha256hex:length" computed by the test; FLAG is sig_ok or unsigned
(what the hypervisor image event's flags must say). Exit 0 when everything matches,
else 1 with one "# ..." line per mismatch.
"""
import struct
import sys

MAGIC = 0x474F4C4D534C
HDR, EV = 32, 128
TYPES = {1: "hypervisor", 2: "kernel", 3: "initrd", 4: "cmdline", 5: "hyp-config"}
F_SIG_OK, F_UNSIGNED = 1, 2


def main():
    data = bytes.fromhex(sys.argv[1])
    logsize = int(sys.argv[2] or -1)
    want = {}
    for t, arg in zip((1, 2, 3, 4), sys.argv[3:7]):
        d, n = arg.split(":")
        want[t] = (d, int(n))
    flag = {"sig_ok": F_SIG_OK, "unsigned": F_UNSIGNED}[sys.argv[7]]
    errs = []
    if len(data) != logsize or len(data) < HDR:
        errs.append("dump is %d bytes, sysfs says %d" % (len(data), logsize))
        return errs
    magic, version, size, nr, evb, rsv = struct.unpack_from("<QIIIIQ", data, 0)
    if magic != MAGIC:
        errs.append("magic %#x" % magic)
    if version != 1 or evb != EV or rsv != 0:
        errs.append("version %d, event bytes %d, reserved %d" % (version, evb, rsv))
    if size != len(data) or size != HDR + nr * EV:
        errs.append("size %d, %d events, %d bytes read" % (size, nr, len(data)))
        return errs
    order = []
    for i in range(nr):
        ev = data[HDR + i * EV:HDR + (i + 1) * EV]
        typ, alg, length = struct.unpack_from("<IIQ", ev, 0)
        digest = ev[16:48].hex()
        desc = ev[48:112]
        flags = struct.unpack_from("<I", ev, 112)[0]
        text = desc.split(b"\0", 1)[0]
        order.append(typ)
        if alg != 1:
            errs.append("event %d: alg %d" % (i, alg))
        if not text or any(c < 0x20 or c > 0x7E for c in text) or desc[len(text):].strip(b"\0"):
            errs.append("event %d: description %r not NUL-padded ASCII" % (i, desc))
        if ev[116:128].strip(b"\0"):
            errs.append("event %d: reserved bytes not zero" % i)
        if typ in want and (digest, length) != want[typ]:
            errs.append("event %d (%s): %s:%d, want %s:%d" %
                        (i, TYPES[typ], digest, length, *want[typ]))
        if typ == 1 and flags != flag:
            errs.append("hypervisor event flags %#x, want %#x" % (flags, flag))
        if typ != 1 and flags:
            errs.append("event %d flags %#x" % (i, flags))
        if typ == 5 and (length == 0 or digest == "00" * 32):
            errs.append("hyp-config event empty")
        print("# event %d: %s sha256 %s (%d bytes) %r flags %#x" %
              (i, TYPES.get(typ, "?"), digest, length, text.decode("ascii", "replace"), flags))
    if order != [1, 3, 2, 4, 5]:
        errs.append("event order %s, want hypervisor, initrd, kernel, cmdline, hyp-config" % order)
    return errs


if __name__ == "__main__":
    problems = main()
    for p in problems:
        print("# mlog: " + p)
    sys.exit(1 if problems else 0)
