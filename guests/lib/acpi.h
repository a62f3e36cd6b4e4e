// SPDX-License-Identifier: MIT
//
// Just enough ACPI for guests (ACPI spec 6.5, chapter 5.2): find the RSDP
// in the BIOS area 0xE0000-0xFFFFF, walk the XSDT (or RSDT) to a table by
// signature, read the PM timer port from the FADT and list the local APICs
// of the MADT. Every table's checksum is verified.
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include "lib/types.h"

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} packed;

// Physical address of a valid RSDP, or 0.
u32 acpi_find_rsdp(void);
// First table with signature sig ("FACP", "APIC", ...), or NULL.
const struct acpi_header *acpi_find_table(const char *sig);
// FADT PM_TMR_BLK port (0 when absent); *bits gets 24 or 32.
u16 acpi_pm_timer_port(u32 *bits);

struct acpi_lapic {
	u32 apic_id;
	u32 processor_uid;
	bool enabled;
};

// Call fn for every processor local APIC (and x2APIC) entry of the MADT;
// returns the number of entries, or -1 when there is no MADT.
int acpi_for_each_lapic(void (*fn)(const struct acpi_lapic *l, void *arg), void *arg);

#endif
