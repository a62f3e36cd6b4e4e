/* SPDX-License-Identifier: MIT */
/*
 * The host's I/O APICs (82093AA datasheet §3; the MADT lists them,
 * ACPI 6.5 §5.2.12.3, with the ISA interrupt overrides of §5.2.12.5):
 * what the hypervisor uses of them is its console's receive interrupt
 * (one ISA interrupt to one vector on one CPU) and, when a function
 * without MSI is passed through, the PCI lines (GSIs 16 and up) its INTx
 * may be wired to (vmm/pci/passthru.c). Guests never see these; their I/O
 * APIC is vmm/dev/ioapic.c.
 */
#ifndef DRIVERS_IOAPIC_H
#define DRIVERS_IOAPIC_H

#include "kernel/types.h"

struct acpi_info;

/* Redirection-entry flags (82093AA §3.2.4). */
#define IOAPIC_RTE_ACTIVE_LOW (1u << 13)
#define IOAPIC_RTE_LEVEL (1u << 15)
#define IOAPIC_RTE_MASKED (1u << 16)

/* Learn the I/O APICs of the MADT (BSP, once, before any routing). */
void ioapic_host_init(const struct acpi_info *ai);

/* The GSIs the I/O APICs serve are [0, ioapic_gsi_end()). */
u32 ioapic_gsi_end(void);

/* Route @gsi to @vector, fixed and physical, at APIC ID @apic_id with
 * @rte_flags (IOAPIC_RTE_*: polarity, trigger, and masked to leave it
 * masked), through the IOMMU's interrupt remapping where the IOMMU needs
 * it. False with @why when it cannot. */
bool ioapic_route_gsi(u32 gsi, u8 vector, u32 apic_id, u32 rte_flags, char *why, size_t n);

/* The GSI of ISA @irq and its redirection-entry polarity / trigger bits
 * (bit 13 active low, bit 15 level): ISA's edge, active high unless an
 * override says otherwise. */
u32 ioapic_isa_gsi(const struct acpi_info *ai, u8 irq, u32 *rte_flags);

/* The redirection entry (low, high dwords) delivering @vector fixed, in
 * physical mode, to APIC ID @apic_id with @rte_flags, unmasked. */
u64 ioapic_rte(u8 vector, u32 apic_id, u32 rte_flags);

/* Route ISA @irq to @vector at APIC ID @apic_id (an 8-bit ID: without
 * interrupt remapping an I/O APIC names no other). False with @why when
 * no I/O APIC serves its GSI. */
bool ioapic_route_isa(const struct acpi_info *ai, u8 irq, u8 vector, u32 apic_id, char *why,
		      size_t n);

#endif
