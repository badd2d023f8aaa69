#!/usr/bin/env python3
"""Check a PE/COFF EFI image the way edk2's loader will (PE/COFF spec, "Section Table").

    pecheck.py IMAGE [aarch64|x86_64]

Fails if the machine is not the one named (default AArch64), the subsystem not an EFI application, or a
section's raw data (PointerToRawData + SizeOfRawData) runs past the end of the file:
the gnu-efi 'objcopy -O binary' trap that makes edk2's LoadImage say "Unsupported".
"""
import struct
import sys

MACHINES = {"aarch64": (0xAA64, "AArch64"), "x86_64": (0x8664, "x86_64")}
want, want_name = MACHINES[sys.argv[2] if len(sys.argv) > 2 else "aarch64"]
data = open(sys.argv[1], "rb").read()
err = []
if data[:2] != b"MZ":
    sys.exit("pecheck: no MZ signature")
pe = struct.unpack_from("<I", data, 0x3C)[0]
if data[pe:pe + 4] != b"PE\0\0":
    sys.exit("pecheck: no PE signature")
machine, nsec = struct.unpack_from("<HH", data, pe + 4)
opt_size = struct.unpack_from("<H", data, pe + 20)[0]
opt = pe + 24
magic = struct.unpack_from("<H", data, opt)[0]
size_of_image = struct.unpack_from("<I", data, opt + 56)[0]
subsystem = struct.unpack_from("<H", data, opt + 68)[0]
if machine != want:
    err.append("machine 0x%x is not %s (0x%x)" % (machine, want_name, want))
if magic != 0x20B:
    err.append("optional header magic 0x%x is not PE32+" % magic)
if subsystem != 10:
    err.append("subsystem %d is not EFI application (10)" % subsystem)
sec = opt + opt_size
for i in range(nsec):
    name, vsize, va, rsize, rptr = struct.unpack_from("<8sIIII", data, sec + 40 * i)
    name = name.rstrip(b"\0").decode()
    if rptr + rsize > len(data):
        err.append("section %s raw data ends at 0x%x, past the file end 0x%x"
                   % (name, rptr + rsize, len(data)))
    if va + vsize > size_of_image:
        err.append("section %s ends at 0x%x, past SizeOfImage 0x%x" % (name, va + vsize, size_of_image))
if err:
    sys.exit("pecheck: %s: %s" % (sys.argv[1], "; ".join(err)))
print("pecheck: %s: %s EFI application, %d sections, %d bytes, SizeOfImage 0x%x"
      % (sys.argv[1], want_name, nsec, len(data), size_of_image))
