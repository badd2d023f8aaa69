#!/usr/bin/env python3
"""lint-qemu: no QEMU command line in the tree brings a DMA master outside the SMMU.

Every configuration the project ships (make run, every test suite, the benchmarks,
make debug) must use translated devices only (docs/iommu.md "Which DMA masters
Lockstep covers"). This reads every shell script and make fragment under mk/, tests/,
scripts/ and boot/ and checks, line by line:

  1. a virtio PCI device (-device virtio-*-pci) carries iommu_platform=on (or the
     suites' $QS_BEHIND_SMMU, which holds it);
  2. no virtio-mmio device (-device virtio-*-device) and no -drive if=virtio;
  3. every virt or q35 machine (-M virt / -machine virt / -M q35) turns QEMU's default NIC
     off (-nic none, -net none or -nodefaults): QEMU otherwise adds a default NIC (virt: a
     transitional virtio-net-pci without iommu_platform; q35: an e1000e, a DMA master).

A line that is untranslated on purpose (a test of the refusal or of the denial) carries
"lint-qemu: untranslated on purpose" on it or on the line above. The loader refuses such
devices at boot anyway (boot/pcicheck.c); this catches them before a boot.

Prints TAP; --self-test also runs the rules on known-bad lines and expects each caught.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOTS = ["mk", "tests", "scripts", "boot", "hyp", "host-driver", "Makefile"]
MARK = "lint-qemu: untranslated on purpose"
PCI = re.compile(r"virtio-[a-z0-9-]+-pci\b")
MMIO = re.compile(r"-device\s+\"?virtio-[a-z0-9-]+-device\b")
IFVIRTIO = re.compile(r"if=virtio\b")
MACHINE = re.compile(r"(-M|-machine)\s+\"?(virt|q35)\b")
NONIC = re.compile(r"-nic\s+none|-net\s+none|-nodefaults")


def files():
    for r in ROOTS:
        p = os.path.join(TOP, r)
        if os.path.isfile(p):
            yield p
            continue
        for d, _, fs in os.walk(p):
            for f in fs:
                if f.endswith((".sh", ".mk")) or f in ("run.sh", "Makefile"):
                    yield os.path.join(d, f)


def check(name, lines):
    """Problems in one file: list of (rule, line number, text)."""
    bad = []
    for i, l in enumerate(lines):
        if l.lstrip().startswith("#"):
            continue
        marked = MARK in l or (i and MARK in lines[i - 1])
        if "-device" in l and PCI.search(l) and not marked:
            if "iommu_platform=on" not in l and "QS_BEHIND_SMMU" not in l:
                bad.append((1, i + 1, l.strip()))
        if (MMIO.search(l) or IFVIRTIO.search(l)) and not marked:
            bad.append((2, i + 1, l.strip()))
        if MACHINE.search(l):
            # The machine's statement: this line and its continuations (an array or a
            # backslash-continued line), at most 8 lines.
            block, depth, j = "", 0, i
            while j < len(lines) and j < i + 8:
                t = re.sub(r"^\s*[\w|*-]+\)\s", "", lines[j])  # a case label
                block += t
                depth += t.count("(") - t.count(")")
                if depth <= 0 and not lines[j].rstrip().endswith("\\"):
                    break
                j += 1
            if not NONIC.search(block) and not marked:
                bad.append((3, i + 1, l.strip()))
    return bad


RULES = {
    1: "every virtio-*-pci device carries iommu_platform=on",
    2: "no virtio-mmio device (-device virtio-*-device) or -drive if=virtio",
    3: "every virt/q35 machine turns the default NIC off (-nic none / -net none / -nodefaults)",
}

SELF = [
    (1, ['qemu -device virtio-blk-pci,drive=esp']),
    (2, ['qemu -device virtio-blk-device,drive=d']),
    (2, ['qemu -drive if=virtio,file=x']),
    (3, ['machine=(-M virt,virtualization=on -cpu max', '  -smp 4)']),
    (3, ['machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on', '  -smp 4)']),
]


def main():
    n = 0
    failed = 0

    def tap(ok, what):
        nonlocal n, failed
        n += 1
        failed += not ok
        print(("ok" if ok else "not ok") + " %d - lint-qemu: %s" % (n, what))

    # The TAP plan first (tests/run.sh counts): one check per rule, and the self-tests.
    print("1..%d" % (len(RULES) + (len(SELF) + 1 if "--self-test" in sys.argv else 0)))
    allbad = {1: [], 2: [], 3: []}
    count = 0
    for f in sorted(files()):
        with open(f, errors="replace") as fh:
            lines = fh.read().splitlines()
        count += 1
        for rule, ln, text in check(f, lines):
            allbad[rule].append("%s:%d: %s" % (os.path.relpath(f, TOP), ln, text))
    for rule in (1, 2, 3):
        for b in allbad[rule]:
            print("# " + b)
        tap(not allbad[rule], "%s (%d files)" % (RULES[rule], count))
    if "--self-test" in sys.argv:
        for rule, lines in SELF:
            got = {r for r, _, _ in check("self", lines)}
            tap(rule in got, "self-test: rule %d catches %r" % (rule, lines[0]))
        got = check("self", ['qemu -device virtio-blk-pci,drive=esp  # ' + MARK])
        tap(not got, "self-test: a line marked untranslated on purpose is let through")
    return 0


if __name__ == "__main__":
    sys.exit(main())
