/* SPDX-License-Identifier: MIT */
/*
 * The guest's DSDT (ACPI 6.5 §5.2.11.1), compiled with iasl at build time.
 * vmm/acpi_tables.c takes the AML body after the 36-byte header and puts
 * it behind a header of its own, so the header fields here only matter to
 * iasl.
 *
 * \_S5: the values OSPM writes to SLP_TYPa and SLP_TYPb to power off
 * (§7.4.2); vmm/dev/acpi_pm.c acts on SLP_TYP 5.
 *
 * \_SB.PCI0: the PCI Express host bridge of vmm/pci/ (§6.1.5 _HID
 * PNP0A08, compatible with PNP0A03), bus 0 only. Its _CRS (§6.4) gives
 * what the bridge decodes: the bus number, ports 0xCF8-0xCFF, the I/O
 * ranges below 0xCF8 (the legacy devices) and PCI_IO_BASE-0xFFFF (I/O
 * BARs), the VGA window, the MMIO hole PCI_MMIO_BASE-PCI_MMIO_END
 * (memory BARs) and the 64-bit window PCI_MMIO64_BASE-PCI_MMIO64_END
 * (large 64-bit BARs; a guest whose CPU cannot address it drops it). _PRT (§6.2.13) sends INTA-INTD of slot S to GSI
 * 16 + ((S + pin) & 7), the rule of vmm/pci/pci.c; with a zero Source
 * these are level-triggered, active-low interrupts. \_SB.MCFG, a
 * motherboard resource (PNP0C02), reserves the ECAM window the MCFG
 * table announces. These numbers must match vmm/pci/pci.h.
 */
DefinitionBlock ("", "DSDT", 2, "HVVIRT", "HVGUEST", 0x00000001)
{
    Name (_S5, Package (0x04)
    {
        0x05,
        0x05,
        0x00,
        0x00
    })

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (_SEG, Zero)
            Name (_BBN, Zero)
            /* PCI Firmware Spec 3.0 §4.5: grant the OS the controls it asks
             * for (hot plug, SHPC, PME, AER, the PCIe capability, LTR);
             * nothing here competes with it for them. */
            Method (_OSC, 4, NotSerialized)
            {
                CreateDWordField (Arg3, Zero, CDW1)
                If ((Arg0 == ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766")))
                {
                    CreateDWordField (Arg3, 0x08, CDW3)
                    Local0 = (CDW3 & 0x3F)
                    If ((Arg1 != One))
                    {
                        CDW1 |= 0x08
                    }
                    If ((CDW3 != Local0))
                    {
                        CDW1 |= 0x10
                    }
                    CDW3 = Local0
                }
                Else
                {
                    CDW1 |= 0x04
                }
                Return (Arg3)
            }
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x0000, 0x0000, 0x0001)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0xC000, 0xFFFF, 0x0000, 0x4000)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0xC0000000, 0xEFFFFFFF, 0x00000000, 0x30000000)
                QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Prefetchable, ReadWrite,
                    0x0000000000000000, 0x0000008000000000, 0x0000008FFFFFFFFF,
                    0x0000000000000000, 0x0000001000000000)
            })
            Name (_PRT, Package ()
            {
                Package () { 0x0000FFFF, 0, 0, 16 }, Package () { 0x0000FFFF, 1, 0, 17 }, Package () { 0x0000FFFF, 2, 0, 18 }, Package () { 0x0000FFFF, 3, 0, 19 },
                Package () { 0x0001FFFF, 0, 0, 17 }, Package () { 0x0001FFFF, 1, 0, 18 }, Package () { 0x0001FFFF, 2, 0, 19 }, Package () { 0x0001FFFF, 3, 0, 20 },
                Package () { 0x0002FFFF, 0, 0, 18 }, Package () { 0x0002FFFF, 1, 0, 19 }, Package () { 0x0002FFFF, 2, 0, 20 }, Package () { 0x0002FFFF, 3, 0, 21 },
                Package () { 0x0003FFFF, 0, 0, 19 }, Package () { 0x0003FFFF, 1, 0, 20 }, Package () { 0x0003FFFF, 2, 0, 21 }, Package () { 0x0003FFFF, 3, 0, 22 },
                Package () { 0x0004FFFF, 0, 0, 20 }, Package () { 0x0004FFFF, 1, 0, 21 }, Package () { 0x0004FFFF, 2, 0, 22 }, Package () { 0x0004FFFF, 3, 0, 23 },
                Package () { 0x0005FFFF, 0, 0, 21 }, Package () { 0x0005FFFF, 1, 0, 22 }, Package () { 0x0005FFFF, 2, 0, 23 }, Package () { 0x0005FFFF, 3, 0, 16 },
                Package () { 0x0006FFFF, 0, 0, 22 }, Package () { 0x0006FFFF, 1, 0, 23 }, Package () { 0x0006FFFF, 2, 0, 16 }, Package () { 0x0006FFFF, 3, 0, 17 },
                Package () { 0x0007FFFF, 0, 0, 23 }, Package () { 0x0007FFFF, 1, 0, 16 }, Package () { 0x0007FFFF, 2, 0, 17 }, Package () { 0x0007FFFF, 3, 0, 18 },
                Package () { 0x0008FFFF, 0, 0, 16 }, Package () { 0x0008FFFF, 1, 0, 17 }, Package () { 0x0008FFFF, 2, 0, 18 }, Package () { 0x0008FFFF, 3, 0, 19 },
                Package () { 0x0009FFFF, 0, 0, 17 }, Package () { 0x0009FFFF, 1, 0, 18 }, Package () { 0x0009FFFF, 2, 0, 19 }, Package () { 0x0009FFFF, 3, 0, 20 },
                Package () { 0x000AFFFF, 0, 0, 18 }, Package () { 0x000AFFFF, 1, 0, 19 }, Package () { 0x000AFFFF, 2, 0, 20 }, Package () { 0x000AFFFF, 3, 0, 21 },
                Package () { 0x000BFFFF, 0, 0, 19 }, Package () { 0x000BFFFF, 1, 0, 20 }, Package () { 0x000BFFFF, 2, 0, 21 }, Package () { 0x000BFFFF, 3, 0, 22 },
                Package () { 0x000CFFFF, 0, 0, 20 }, Package () { 0x000CFFFF, 1, 0, 21 }, Package () { 0x000CFFFF, 2, 0, 22 }, Package () { 0x000CFFFF, 3, 0, 23 },
                Package () { 0x000DFFFF, 0, 0, 21 }, Package () { 0x000DFFFF, 1, 0, 22 }, Package () { 0x000DFFFF, 2, 0, 23 }, Package () { 0x000DFFFF, 3, 0, 16 },
                Package () { 0x000EFFFF, 0, 0, 22 }, Package () { 0x000EFFFF, 1, 0, 23 }, Package () { 0x000EFFFF, 2, 0, 16 }, Package () { 0x000EFFFF, 3, 0, 17 },
                Package () { 0x000FFFFF, 0, 0, 23 }, Package () { 0x000FFFFF, 1, 0, 16 }, Package () { 0x000FFFFF, 2, 0, 17 }, Package () { 0x000FFFFF, 3, 0, 18 },
                Package () { 0x0010FFFF, 0, 0, 16 }, Package () { 0x0010FFFF, 1, 0, 17 }, Package () { 0x0010FFFF, 2, 0, 18 }, Package () { 0x0010FFFF, 3, 0, 19 },
                Package () { 0x0011FFFF, 0, 0, 17 }, Package () { 0x0011FFFF, 1, 0, 18 }, Package () { 0x0011FFFF, 2, 0, 19 }, Package () { 0x0011FFFF, 3, 0, 20 },
                Package () { 0x0012FFFF, 0, 0, 18 }, Package () { 0x0012FFFF, 1, 0, 19 }, Package () { 0x0012FFFF, 2, 0, 20 }, Package () { 0x0012FFFF, 3, 0, 21 },
                Package () { 0x0013FFFF, 0, 0, 19 }, Package () { 0x0013FFFF, 1, 0, 20 }, Package () { 0x0013FFFF, 2, 0, 21 }, Package () { 0x0013FFFF, 3, 0, 22 },
                Package () { 0x0014FFFF, 0, 0, 20 }, Package () { 0x0014FFFF, 1, 0, 21 }, Package () { 0x0014FFFF, 2, 0, 22 }, Package () { 0x0014FFFF, 3, 0, 23 },
                Package () { 0x0015FFFF, 0, 0, 21 }, Package () { 0x0015FFFF, 1, 0, 22 }, Package () { 0x0015FFFF, 2, 0, 23 }, Package () { 0x0015FFFF, 3, 0, 16 },
                Package () { 0x0016FFFF, 0, 0, 22 }, Package () { 0x0016FFFF, 1, 0, 23 }, Package () { 0x0016FFFF, 2, 0, 16 }, Package () { 0x0016FFFF, 3, 0, 17 },
                Package () { 0x0017FFFF, 0, 0, 23 }, Package () { 0x0017FFFF, 1, 0, 16 }, Package () { 0x0017FFFF, 2, 0, 17 }, Package () { 0x0017FFFF, 3, 0, 18 },
                Package () { 0x0018FFFF, 0, 0, 16 }, Package () { 0x0018FFFF, 1, 0, 17 }, Package () { 0x0018FFFF, 2, 0, 18 }, Package () { 0x0018FFFF, 3, 0, 19 },
                Package () { 0x0019FFFF, 0, 0, 17 }, Package () { 0x0019FFFF, 1, 0, 18 }, Package () { 0x0019FFFF, 2, 0, 19 }, Package () { 0x0019FFFF, 3, 0, 20 },
                Package () { 0x001AFFFF, 0, 0, 18 }, Package () { 0x001AFFFF, 1, 0, 19 }, Package () { 0x001AFFFF, 2, 0, 20 }, Package () { 0x001AFFFF, 3, 0, 21 },
                Package () { 0x001BFFFF, 0, 0, 19 }, Package () { 0x001BFFFF, 1, 0, 20 }, Package () { 0x001BFFFF, 2, 0, 21 }, Package () { 0x001BFFFF, 3, 0, 22 },
                Package () { 0x001CFFFF, 0, 0, 20 }, Package () { 0x001CFFFF, 1, 0, 21 }, Package () { 0x001CFFFF, 2, 0, 22 }, Package () { 0x001CFFFF, 3, 0, 23 },
                Package () { 0x001DFFFF, 0, 0, 21 }, Package () { 0x001DFFFF, 1, 0, 22 }, Package () { 0x001DFFFF, 2, 0, 23 }, Package () { 0x001DFFFF, 3, 0, 16 },
                Package () { 0x001EFFFF, 0, 0, 22 }, Package () { 0x001EFFFF, 1, 0, 23 }, Package () { 0x001EFFFF, 2, 0, 16 }, Package () { 0x001EFFFF, 3, 0, 17 },
                Package () { 0x001FFFFF, 0, 0, 23 }, Package () { 0x001FFFFF, 1, 0, 16 }, Package () { 0x001FFFFF, 2, 0, 17 }, Package () { 0x001FFFFF, 3, 0, 18 }
            })
        }

        Device (MCFG)
        {
            Name (_HID, EisaId ("PNP0C02"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadOnly, 0xF0000000, 0x00100000)
            })
        }
    }
}
