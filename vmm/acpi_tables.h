/* SPDX-License-Identifier: MIT */
/*
 * The guest's ACPI tables (ACPI 6.5 ch. 5), built by the hypervisor into
 * guest RAM in the BIOS area [0xF0000, 0xF8000), which the loader reports
 * as reserved: the RSDP at 0xF0000, where the legacy scan finds it
 * (§5.2.5.1), then the FACS, a DSDT holding \_S5 and the PCI host bridge,
 * the FADT, the MADT, the MCFG (the PCI ECAM window, vmm/pci/pci.h), the
 * XSDT and an RSDT for ACPI 1.0 readers. The tables describe the PC
 * platform devices.c builds: the PM register block (vmm/dev/acpi_pm.h) at
 * ACPI_TABLES_PM_PORT, the reset register, one local APIC per vCPU and one
 * I/O APIC.
 */
#ifndef VMM_ACPI_TABLES_H
#define VMM_ACPI_TABLES_H

#include "kernel/types.h"

struct vm;

/* Where the tables live in guest-physical memory (the SMBIOS tables take
 * the rest of the BIOS area, vmm/smbios.h). */
#define ACPI_TABLES_BASE 0xf0000
#define ACPI_TABLES_END 0xf8000

/* The guest platform the tables describe; devices.c places the models here. */
#define ACPI_TABLES_PM_PORT 0x600     /* PM1a_EVT, PM1a_CNT, PM_TMR */
#define ACPI_TABLES_RESET_PORT 0xcf9  /* FADT RESET_REG */
#define ACPI_TABLES_RESET_VALUE 0x06  /* FADT RESET_VALUE */
#define ACPI_TABLES_SCI_IRQ 9         /* FADT SCI_INT (ISA IRQ = GSI) */
#define ACPI_TABLES_LAPIC_ADDR 0xfee00000u
#define ACPI_TABLES_IOAPIC_ADDR 0xfec00000u

/* APIC IDs are 8-bit and the I/O APIC takes ID @ncpus. */
#define ACPI_TABLES_MAX_CPUS 254

/*
 * Write the tables for @ncpus vCPUs (APIC ID = vCPU index; the I/O APIC
 * gets ID @ncpus) into @vm's RAM. The count is a parameter because the
 * tables are built with the devices, before the vCPUs exist. False when
 * [ACPI_TABLES_BASE, ACPI_TABLES_END) is not RAM, @ncpus is out of range
 * or the tables do not fit; the RSDP is written last, so a guest never
 * finds a half-built set.
 */
bool acpi_tables_build(struct vm *vm, u32 ncpus);

#endif
