#!/usr/bin/env python3
"""Check a PE/COFF EFI image the way edk2's loader will (PE/COFF spec, "Section Table").

    pecheck.py IMAGE

Fails if the machine is not AArch64, the subsystem not an EFI application, or a
section's raw data (PointerToRawData + SizeOfRawData) runs past the end of the file:
the gnu-efi 'objcopy -O binary' trap that makes edk2's LoadImage say "Unsupported".
"""
import struct
import sys

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
if machine != 0xAA64:
    err.append("machine 0x%x is not AArch64 (0xaa64)" % machine)
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
print("pecheck: %s: AArch64 EFI application, %d sections, %d bytes, SizeOfImage 0x%x"
      % (sys.argv[1], nsec, len(data), size_of_image))
