/* SPDX-License-Identifier: MIT */
/*
 * The guest's DSDT (ACPI 6.5 §5.2.11.1), compiled with iasl at build time.
 * vmm/acpi_tables.c takes the AML body after the 36-byte header and puts
 * it behind a header of its own, so the header fields here only matter to
 * iasl.
 *
 * \_S5: the values OSPM writes to SLP_TYPa and SLP_TYPb to power off
 * (§7.4.2); vmm/dev/acpi_pm.c acts on SLP_TYP 5.
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
}
