/*
 * A DSDT shaped like the one QEMU 10 builds for -M virt (hw/arm/virt-acpi-build.c,
 * hw/pci-host/gpex-acpi.c), compiled by iasl (an encoder independent of the loader's
 * AML walker) for the device-map unit tests (boot/tests/unit.c, test_devmap_acpi).
 * Plus what QEMU's does not have but a platform may: a Method(_STA), an unknown
 * device with registers, a module-level SystemMemory region, an EISAID _HID.
 */
DefinitionBlock ("", "DSDT", 2, "BOCHS ", "BXPC    ", 0x00000001)
{
    OperationRegion (MREG, SystemMemory, 0x09090000, 0x10)
    Scope (\_SB)
    {
        Device (C000)
        {
            Name (_HID, "ACPI0007")
            Name (_UID, Zero)
        }
        Device (COM0)
        {
            Name (_HID, "ARMH0011")
            Name (_UID, Zero)
            Name (_ADR, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x09000000, 0x00001000)
                Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x21 }
            })
        }
        Device (FWCF)
        {
            Name (_HID, "QEMU0002")
            Name (_STA, 0x0B)
            Name (_CCA, One)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x09020000, 0x00000018)
            })
        }
        Device (VR00)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, Zero)
            Name (_CCA, One)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x0A000000, 0x00000200)
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x30 }
            })
        }
        Device (VR31)
        {
            Name (_HID, "LNRO0005")
            Name (_UID, 0x1F)
            Name (_CCA, One)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadWrite, 0x0A003E00, 0x00000200)
                Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x4F }
            })
        }
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_SEG, Zero)
            Name (_BBN, Zero)
            Name (_UID, Zero)
            Name (_STR, Unicode ("PCIe 0 Device"))
            Name (_CCA, One)
            Name (_PRT, Package (0x02)
            {
                Package (0x04) { 0xFFFF, Zero, GSI0, Zero },
                Package (0x04) { 0xFFFF, One, GSI1, Zero }
            })
            Method (_CBA, 0, NotSerialized)
            {
                Return (0x0000004010000000)
            }
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,,)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0x10000000, 0x3EFEFFFF, 0x00000000, 0x2EFF0000,,,, AddressRangeMemory, TypeStatic)
                DWordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x00000000, 0x00000000, 0x0000FFFF, 0x3EFF0000, 0x00010000,,, , TypeStatic, DenseTranslation)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x0000000000000000, 0x0000008000000000, 0x000000FFFFFFFFFF, 0x0000000000000000,
                    0x0000008000000000,,,, AddressRangeMemory, TypeStatic)
            })
            Method (_OSC, 4, NotSerialized)
            {
                CreateDWordField (Arg3, Zero, CDW1)
                Return (Arg3)
            }
            Device (GSI0)
            {
                Name (_HID, "PNP0C0F")
                Name (_UID, Zero)
            }
            Device (GSI1)
            {
                Name (_HID, "PNP0C0F")
                Name (_UID, One)
            }
            Device (RES0)
            {
                Name (_HID, "PNP0C02")
                Name (_CRS, ResourceTemplate ()
                {
                    QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                        0x0000000000000000, 0x0000004010000000, 0x000000401FFFFFFF, 0x0000000000000000,
                        0x0000000010000000,,,, AddressRangeMemory, TypeStatic)
                })
            }
        }
        Device (XDEV)
        {
            Name (_HID, "ABCD0001")
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
            Name (_CRS, ResourceTemplate ()
            {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x0, 0x0000000C000000, 0x0000000C000FFF, 0x0, 0x1000,,,, AddressRangeMemory, TypeStatic)
            })
        }
        Device (PWRB)
        {
            Name (_HID, "PNP0C0C")
            Name (_UID, Zero)
        }
    }
    Device (\_SB.GED)
    {
        Name (_HID, "ACPI0013")
        Name (_UID, "GED")
        Name (_CRS, ResourceTemplate ()
        {
            Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x29 }
        })
        OperationRegion (EREG, SystemMemory, 0x09080000, 0x04)
        Field (EREG, DWordAcc, NoLock, WriteAsZeros)
        {
            ESEL,   32
        }
        Method (_EVT, 1, Serialized)
        {
            Local0 = ESEL
            If (((Local0 & 0x02) == 0x02))
            {
                Notify (PWRB, 0x80)
            }
        }
    }
}
