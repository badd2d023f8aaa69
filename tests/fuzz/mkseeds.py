#!/usr/bin/env python3
"""Write the seed corpus of tests/fuzz/fuzz_hvc.c: meaningful hypercall sequences.

Record (12 bytes): fn, vm, pa page (u32 LE, from the start of RAM), ipa page (u32 LE), n (u16 LE).
DMA-domain records (fn 16..24) name domain vm % 10; n's high byte picks the prot / IOVA bits.
RAM pages 0..15 are the "hypervisor image", 16..79 the host pool; VM_CREATE's IPA size is
30 + vm % 24 bits (vm byte 10 -> 40 bits).
MAP (fn 20) with vm / 10 >= 13 takes its PA from a device class (fuzz_map_pa in fuzz_hvc.c:
13 the RW doorbell frame, 15 the read-only page, 16 the 2 MiB block, 18..24 holes and RAM) and
its pages from n's low byte (1 + lo % 20; 512 or 1024 if lo >= 0xc0); prot = n's high byte % 9.
MAP_BATCH (fn 24) is followed by 1 + n % 8 entry records (ent()), see fuzz_batch_build.
"""
import os
import struct
import sys

VERSION, FEATURES, SHARE_HYP, UNSHARE_HYP, DONATE, RECLAIM, SHARE, UNSHARE, CREATE, DESTROY, \
    POOL, G_SHARE, G_UNSHARE, ATTACH, DETACH, RAW_DONATE, D_CREATE, D_DESTROY, D_ATTACH, D_DETACH, \
    D_MAP, D_UNMAP, D_QUERY, D_POOL, D_BATCH = range(25)

# MAP_BATCH entry kinds (fuzz_batch_ent): plausible, then the deliberate mistakes.
OK, OUT_OF_ORDER, OVERLAP, SAME_PA, BAD_PROT, HYP_PAGE, NOT_HOST, NO_PAGES, UNALIGNED, TOO_BIG, \
    OUT_OF_RANGE = 0, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23
R, W, RW = 0, 1, 2  # prot selector: prot = 1 + sel % 3
ALIGN_2M = 0x100  # gap flag: the entry's IOVA rounds up to 2 MiB
# Header vm byte: dom + 10 * flags (fuzz_batch_build).
LIST_UNALIGNED, LIST_HYP, X3_ZERO, X3_171, X3_STALE = 18, 20, 22, 23, 24


def rec(fn, vm=0, pa=0, ipa=0, n=0):
    return struct.pack('<BBIIH', fn, vm, pa, ipa, n)


def ent(kind=OK, prot=RW, pa=1024, gap=0, pages=1):
    """A MAP_BATCH entry: pages 1..16, or 17..1024 (high byte >= 0xe0)."""
    n = pages - 1 if pages <= 16 else 0xe000 + pages - 1
    return struct.pack('<BBIIH', kind, prot, pa, gap, n)


def batch(dom, list_pa, iova, ents, flags=0, reps=1):
    """Header then entry records; reps > 1 repeats the entries (1 + 3 k times)."""
    ctl = 0 if reps == 1 else 0xc0 | ((reps - 1) // 3)
    return [rec(D_BATCH, dom + 10 * flags, list_pa, iova, (len(ents) - 1) | ctl << 8)] + ents


def mmio(cls, x, iova, lo, prot, dom=0):
    """A MAP from device class cls (vm byte dom + 10 cls); lo: pages (fuzz_step, fn 20)."""
    return rec(D_MAP, dom + 10 * cls, x, iova, lo | prot << 8)


MMIO_R, MMIO_W, MMIO_RW = 5, 6, 7


def dmap(dom, pa, iova, pages, prot):
    """A RAM-class MAP of exactly `pages` pages with prot (n = u16 % 1100, prot = high byte % 9)."""
    for hi in range(prot, 256, 9):
        for lo in range(256):
            if (lo | hi << 8) % 1100 == pages:
                return rec(D_MAP, dom, pa, iova, lo | hi << 8)
    raise ValueError(pages)

def range_n(pages, zero=False):
    """n for a range conversion of `pages` pages: bit 12 set, bit 15 clear, bit 13 = ZERO."""
    for v in range(0x1000, 0x8000):
        if v & 0x1000 and bool(v & 0x2000) == zero and v % 1100 == pages:
            return v
    raise ValueError(pages)


SEEDS = {
    'lifecycle': [
        rec(CREATE, 10, 96, 0, 16), rec(ATTACH, 0, 3), rec(DONATE, 0, 1024, 512, 512),
        rec(G_SHARE, 0, 0, 517, 1), rec(SHARE, 0, 0, 517, 1), rec(UNSHARE, 0, 0, 517, 1),
        rec(G_SHARE, 0, 0, 512, 8), rec(SHARE, 0, 0, 512, 8), rec(G_UNSHARE, 0, 0, 512, 8),
        rec(RECLAIM, 0, 0, 512, 512), rec(DETACH, 0, 0, 0, 0), rec(DESTROY, 0),
    ],
    # LS_FN_VM_CONVERT_BITMAP (fuzz_step: SHARE / UNSHARE with n's bit 15): n's low byte 9 names
    # 2 pages 2 apart from the ipa page (pages 512 and 514), bit 8 adds LS_CONVERT_ZERO (G_SHARE n 0x100: an aligned IPA); the
    # page 514 unshared alone makes the next bitmap unshare fail.
    'bitmap': [
        rec(CREATE, 10, 96, 0, 16), rec(ATTACH, 0, 3), rec(DONATE, 0, 1024, 512, 512),
        rec(G_SHARE, 0, 0, 512, 0x100), rec(G_SHARE, 0, 0, 514, 0x100), rec(SHARE, 0, 0, 512, 0x8009),
        rec(UNSHARE, 0, 0, 512, 0x8109), rec(G_SHARE, 0, 0, 512, 0x100), rec(G_SHARE, 0, 0, 514, 0x100),
        rec(SHARE, 0, 0, 512, 0x8009), rec(UNSHARE, 0, 0, 514, 1), rec(UNSHARE, 0, 0, 512, 0x8009),
        rec(UNSHARE, 0, 0, 512, 1), rec(SHARE, 0, 0, 512, 0xc009), rec(RECLAIM, 0, 0, 512, 512),
    ],
    # LS_FN_VM_SHARE_HOST_RANGE / UNSHARE_HOST_RANGE (fuzz_step: SHARE / UNSHARE with n's bit
    # 12; bit 13 adds LS_CONVERT_ZERO; range_n): the guest offers pages 1022..1025, the last two
    # of one 2 MiB window and the first two of the next; one range call converts all four each
    # way (a plain call stops at the window's end); with ZERO the window is the plain one (2
    # pages, then the rest); a range with pages not offered is refused whole.
    'range': [
        rec(CREATE, 10, 96, 0, 16), rec(ATTACH, 0, 3),
        rec(DONATE, 0, 1024, 512, 512), rec(DONATE, 0, 1536, 1024, 512),
        *[rec(G_SHARE, 0, 0, p, 0x100) for p in range(1022, 1026)],
        rec(SHARE, 0, 0, 1022, range_n(4)), rec(UNSHARE, 0, 0, 1022, range_n(4)),
        *[rec(G_SHARE, 0, 0, p, 0x100) for p in range(1022, 1026)],
        rec(SHARE, 0, 0, 1020, range_n(6)),
        rec(SHARE, 0, 0, 1022, range_n(4, zero=True)), rec(SHARE, 0, 0, 1024, range_n(2)),
        rec(UNSHARE, 0, 0, 1022, range_n(4, zero=True)), rec(UNSHARE, 0, 0, 1024, range_n(2)),
        rec(RECLAIM, 0, 0, 512, 512), rec(RECLAIM, 0, 0, 1024, 512),
        rec(DETACH, 0, 0, 0, 0), rec(DESTROY, 0),
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
    'dma-batch': [
        rec(CREATE, 10, 96, 0, 16), rec(D_CREATE, 0, 128, 0, 4 + (10 << 8)), rec(D_ATTACH, 0, 0, 3),
        # Three plausible entries: R, RW, W; a gap; the list in host page 600.
        *batch(0, 600, 256, [ent(OK, R, 1000), ent(OK, RW, 1010, 3, 4), ent(OK, W, 1020, 0, 16)]),
        rec(D_QUERY, 0, 0, 256, 0), rec(D_QUERY, 0, 0, 260, 0),
        # Each mistake once, after a good entry (all refused, nothing changes).
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(OUT_OF_ORDER, RW, 1101, 2)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100, 0, 4), ent(OVERLAP, RW, 1110)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(BAD_PROT, 1, 1101)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(BAD_PROT, 7, 1101)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(HYP_PAGE, RW, 20)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(NO_PAGES, RW, 1101)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(UNALIGNED, RW, 1101, 1)]),
        *batch(0, 600, 512, [ent(TOO_BIG, RW, 1100)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(OUT_OF_RANGE, RW, 1101, 0)]),
        *batch(0, 600, 512, [ent(OK, RW, 1100), ent(OUT_OF_RANGE, RW, 1101, 1)]),
        *batch(0, 600, 256, [ent(OK, RW, 1100)]),  # IOVA already mapped: EEXIST
        *batch(0, 20, 512, [ent(OK, RW, 1100)], flags=LIST_HYP),
        *batch(0, 600, 512, [ent(OK, RW, 1100)], flags=LIST_UNALIGNED),
        *batch(0, 600, 512, [ent(OK, RW, 1100)], flags=X3_ZERO),
        *batch(0, 600, 512, [ent(OK, RW, 1100)], flags=X3_171),
        # The same page twice (allowed, counted twice); a stale entry after the list.
        *batch(0, 601, 768, [ent(OK, RW, 1200), ent(SAME_PA, R, 0, 1)]),
        *batch(0, 601, 800, [ent(OK, RW, 1201)], flags=X3_STALE),
        # A 2 MiB block (IOVA and PA aligned), then one entry repeated into 61 scattered pages.
        *batch(0, 602, 1000, [ent(OK, RW, 1536, ALIGN_2M, 512)]),
        *batch(0, 603, 4096, [ent(OK, W, 2000, 1)], reps=61),
        rec(D_UNMAP, 0, 0, 256, 1), rec(D_UNMAP, 0, 0, 260, 20), rec(D_UNMAP, 0, 0, 768, 2),
        rec(D_UNMAP, 0, 0, 1024, 512), rec(D_DESTROY, 0),
    ],
    'dma-batch-pool': [
        # A VM's pages in the list (refused); entries 2 MiB apart that outgrow the pool: ENOMEM,
        # donate, the same call again succeeds; 171 entries are refused.
        rec(CREATE, 10, 96, 0, 16), rec(DONATE, 0, 2048, 0, 8), rec(D_CREATE, 0, 128, 0, 4 + (10 << 8)),
        *batch(0, 600, 256, [ent(OK, RW, 1000), ent(NOT_HOST, RW, 2000)]),
        *batch(0, 600, 0, [ent(OK, RW, 1000, ALIGN_2M + 1)], reps=37),
        rec(D_POOL, 0, 1200, 0, 63),
        *batch(0, 600, 0, [ent(OK, RW, 1000, ALIGN_2M + 1)], reps=37),
        rec(D_QUERY, 0, 0, 0, 6 + (1 << 8)),  # LS_IOMMU_STAT_TABLES
        *batch(0, 601, 1 << 20, [ent(OK, R, 3000, 1)], reps=172),
        rec(D_UNMAP, 0, 0, 0, 1), rec(D_DESTROY, 0),
    ],
    'dma-blocks': [
        # A whole host 2 MiB block mapped twice (counted at the block), refused to a VM, then
        # changed in part while mapped (a page mapped alone, a page shared with the hypervisor:
        # the count goes down to the pages) and back (up to the block again), then unmapped.
        rec(CREATE, 10, 96, 0, 16), rec(D_CREATE, 0, 128, 0, 4 + (10 << 8)),
        dmap(0, 1536, 1024, 512, 3), dmap(0, 1536, 2048, 512, 1),
        rec(DONATE, 0, 1540, 0, 1), rec(DONATE, 0, 1536, 0, 512),
        dmap(0, 1541, 3000, 1, 3), rec(SHARE_HYP, 0, 1545, 0, 1), rec(UNSHARE_HYP, 0, 1545, 0, 1),
        rec(D_UNMAP, 0, 0, 3000, 1), rec(SHARE_HYP, 0, 1546, 0, 1),
        dmap(0, 1536, 3584, 512, 3), rec(UNSHARE_HYP, 0, 1546, 0, 1),
        rec(D_UNMAP, 0, 0, 3584, 512), rec(D_UNMAP, 0, 0, 1024, 512),
        rec(D_UNMAP, 0, 0, 2048, 512), rec(DONATE, 0, 1540, 0, 1), rec(D_DESTROY, 0),
    ],
    'dma-mmio': [
        rec(D_CREATE, 0, 128, 0, 4 + (10 << 8)), rec(D_ATTACH, 0, 0, 3),
        mmio(13, 3, 256, 0, MMIO_W),      # the doorbell page, write-only: OK
        rec(D_QUERY, 0, 0, 256, 0),
        mmio(13, 3, 257, 0, W),           # device memory without the bit: ERANGE
        mmio(15, 0, 258, 0, MMIO_W),      # read-only device page asked for write: EPERM
        mmio(15, 0, 258, 0, MMIO_R),      # read: OK
        mmio(13, 0, 512, 15, MMIO_RW),    # the whole 16-page frame
        mmio(13, 0, 600, 19, MMIO_RW),    # 20 pages: past the frame's end, EPERM
        mmio(14, 2, 640, 3, MMIO_RW),     # from the hole before the frame: EPERM
        mmio(16, 0, 1024, 0xc0, MMIO_RW),  # the 2 MiB device block, as a block
        mmio(17, 3, 2048, 7, MMIO_RW),    # the block's end into the hole: EPERM
        mmio(18, 0, 2100, 0, MMIO_RW),    # the hypervisor's frame: EPERM
        mmio(19, 0, 2101, 0, MMIO_RW),    # backed but not RAM, not device: EPERM
        mmio(19, 0, 2101, 0, RW + 1),     # ... without the bit: ERANGE
        mmio(20, 1, 2102, 1, MMIO_R),     # the last two pages of the host's IPA space: EPERM
        mmio(20, 0, 2110, 3, MMIO_R),     # a window beyond it: EPERM
        mmio(21, 5, 2103, 0, MMIO_R),     # hypervisor RAM with the bit: EINVAL
        mmio(21, 5, 2103, 0, 1),          # ... without: EPERM
        mmio(22, 0, 2104, 3, MMIO_RW),    # below RAM into RAM: EPERM
        mmio(23, 0, 2105, 0, MMIO_RW),    # unaligned: EINVAL
        mmio(24, 0, 2106, 0, MMIO_RW),    # PA 0: EPERM
        mmio(13, 0, 2107, 0, 8),          # unknown prot bit: EINVAL
        dmap(0, 1024, 255, 1, 3),         # RAM next to the doorbell in IOVA
        dmap(0, 1024, 3000, 1, 5),        # RAM with the bit: EINVAL
        rec(D_DESTROY, 0),                # pages mapped: EBUSY
        rec(D_UNMAP, 0, 0, 255, 2), rec(D_UNMAP, 0, 0, 258, 1), rec(D_UNMAP, 0, 0, 512, 16),
        rec(D_UNMAP, 0, 0, 1024, 512), rec(D_DETACH, 0, 0, 3), rec(D_DESTROY, 0),
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
