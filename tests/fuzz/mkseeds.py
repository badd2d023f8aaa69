#!/usr/bin/env python3
"""Write the seed corpus of tests/fuzz/fuzz_hvc.c: meaningful hypercall sequences.

Record (12 bytes): fn, vm, pa page (u32 LE, from the start of RAM), ipa page (u32 LE), n (u16 LE).
DMA-domain records (fn 16..23) name domain vm % 10; n's high byte picks the prot / IOVA bits.
RAM pages 0..15 are the "hypervisor image", 16..79 the host pool; VM_CREATE's IPA size is
30 + vm % 24 bits (vm byte 10 -> 40 bits).
"""
import os
import struct
import sys

VERSION, FEATURES, SHARE_HYP, UNSHARE_HYP, DONATE, RECLAIM, SHARE, UNSHARE, CREATE, DESTROY, \
    POOL, G_SHARE, G_UNSHARE, ATTACH, DETACH, RAW_DONATE, D_CREATE, D_DESTROY, D_ATTACH, D_DETACH, \
    D_MAP, D_UNMAP, D_QUERY, D_POOL = range(24)


def rec(fn, vm=0, pa=0, ipa=0, n=0):
    return struct.pack('<BBIIH', fn, vm, pa, ipa, n)


SEEDS = {
    'lifecycle': [
        rec(CREATE, 10, 96, 0, 16), rec(ATTACH, 0, 3), rec(DONATE, 0, 1024, 512, 512),
        rec(G_SHARE, 0, 0, 517, 1), rec(SHARE, 0, 0, 517, 1), rec(UNSHARE, 0, 0, 517, 1),
        rec(G_SHARE, 0, 0, 512, 8), rec(SHARE, 0, 0, 512, 8), rec(G_UNSHARE, 0, 0, 512, 8),
        rec(RECLAIM, 0, 0, 512, 512), rec(DETACH, 0, 0, 0, 0), rec(DESTROY, 0),
    ],
    'host-hyp': [
        rec(SHARE_HYP, 0, 200, 0, 10), rec(SHARE_HYP, 0, 205, 0, 10), rec(UNSHARE_HYP, 0, 200, 0, 10),
        rec(POOL, 0x80, 300, 0, 8), rec(DONATE, 0, 200, 0, 1),
    ],
    'errors': [
        rec(VERSION), rec(FEATURES), rec(RAW_DONATE, 0, 400, 0, 0x101), rec(DONATE, 0, 400, 0, 0),
        rec(CREATE, 10, 5, 0, 16), rec(CREATE, 10, 96, 0, 3), rec(CREATE, 13, 97, 0, 16), rec(RECLAIM, 3, 0, 0, 1),
        rec(G_SHARE, 19, 0, 0, 1),
    ],
    'two-vms': [
        rec(CREATE, 10, 96, 0, 16), rec(CREATE, 12, 112, 0, 16), rec(ATTACH, 1, 1),
        rec(ATTACH, 16, 1), rec(DONATE, 0, 2048, 0, 600), rec(DONATE, 1, 2048, 0, 8),
        rec(DONATE, 1, 3072, 0, 8), rec(SHARE, 1, 0, 0, 8), rec(G_SHARE, 1, 0, 2, 2),
        rec(SHARE, 1, 0, 2, 2), rec(RECLAIM, 1, 0, 0, 8), rec(POOL, 1, 3500, 0, 4),
        rec(UNSHARE, 1, 0, 2, 2), rec(RECLAIM, 1, 0, 0, 8), rec(DESTROY, 1),
    ],
    'dma-domains': [
        rec(CREATE, 10, 96, 0, 16), rec(D_CREATE, 0, 128, 0, 4 + (10 << 8)), rec(D_ATTACH, 0, 0, 3),
        rec(D_ATTACH, 0, 0, 6), rec(D_MAP, 0, 1024, 256, 8 + (3 << 8)), rec(D_MAP, 0, 1024, 256, 1 + (3 << 8)),
        rec(DONATE, 0, 1024, 0, 4), rec(POOL, 0x80, 1030, 0, 1), rec(D_QUERY, 0, 0, 256, 0),
        rec(D_QUERY, 0, 0, 256, 5 + (1 << 8)), rec(D_QUERY, 1, 0, 256, 2 << 8),
        rec(DONATE, 0, 2048, 0, 4), rec(G_SHARE, 0, 0, 0, 4), rec(SHARE, 0, 0, 0, 4),
        rec(D_MAP, 0, 2048, 4096, 4 + (1 << 8)), rec(UNSHARE, 0, 0, 0, 4), rec(D_DESTROY, 0),
        rec(D_UNMAP, 0, 0, 4096, 260), rec(UNSHARE, 0, 0, 0, 4), rec(D_UNMAP, 0, 0, 256, 256),
        rec(D_DETACH, 0, 0, 3), rec(D_POOL, 0, 1200, 0, 8), rec(D_POOL, 0, 1400, 0, 8), rec(D_DESTROY, 0), rec(D_MAP, 0, 8, 0, 1 + (3 << 8)),
    ],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, recs in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(b''.join(recs))


if __name__ == '__main__':
    main()
