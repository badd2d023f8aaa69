#!/usr/bin/env python3
"""Fill a flat Lockstep image's header (include/lockstep/boot.h) for tests.

    mkimg.py RAW OUT ENTRY_OFFSET MEM_SIZE [corrupt|truncate|badmagic]

Sets image_size, mem_size, entry_offset and the CRC32 of [hdr_size, image_size)
(zlib's CRC-32, the IEEE 802.3 one). The optional last argument derives an
invalid image for negative tests, after the CRC is computed.
"""
import struct
import sys
import zlib

raw = bytearray(open(sys.argv[1], "rb").read())
entry = int(sys.argv[3], 0)
mem = int(sys.argv[4], 0)
mode = sys.argv[5] if len(sys.argv) > 5 else ""
# struct ls_image_hdr: u32 branch, u32 hdr_size, u64 magic, u32 hdr_version, u32 crc32,
# u64 image_size, u64 mem_size, u64 entry_offset, u64 version, char name[16]
hdr_size = struct.unpack_from("<I", raw, 4)[0]
assert struct.unpack_from("<Q", raw, 8)[0] == 0x5045545354534B4C, "no Lockstep magic"
struct.pack_into("<QQQ", raw, 24, len(raw), max(mem, (len(raw) + 4095) & ~4095), entry)
struct.pack_into("<I", raw, 20, zlib.crc32(bytes(raw[hdr_size:])) & 0xFFFFFFFF)
if mode == "corrupt":
    raw[hdr_size + (len(raw) - hdr_size) // 2] ^= 0x01
elif mode == "truncate":
    raw = raw[: len(raw) - 16]
elif mode == "badmagic":
    raw[8] ^= 0xFF
elif mode:
    sys.exit("mkimg.py: unknown mode " + mode)
open(sys.argv[2], "wb").write(raw)
