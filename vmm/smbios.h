/* SPDX-License-Identifier: MIT */
/*
 * The guest's SMBIOS tables (DMTF DSP0134 3.0), built by the hypervisor in
 * the BIOS area next to the ACPI tables: a 64-bit entry point ("_SM3_")
 * at SMBIOS_BASE, on the 16-byte boundary where a legacy scan of
 * 0xF0000-0xFFFFF finds it (§5.2.2), and the structure table after it:
 * BIOS (type 0, saying "virtual machine"), system (1, with a UUID derived
 * from the guest's name), chassis (3), one processor per vCPU (4),
 * physical memory array (16), one memory device (17), the array's mapped
 * address ranges (19), system boot (32) and the end-of-table (127).
 */
#ifndef VMM_SMBIOS_H
#define VMM_SMBIOS_H

#include "kernel/types.h"

struct vm;

#define SMBIOS_BASE 0xf8000
#define SMBIOS_END 0x100000

/* What the processor structures say about each vCPU. */
struct smbios_cpu {
	u32 count;
	u32 mhz;               /* current and maximum speed */
	u32 cpuid1_eax;        /* the processor ID, as CPUID leaf 1 gives it */
	u32 cpuid1_edx;
	const char *vendor;    /* "GenuineIntel", "AuthenticAMD" */
};

/*
 * Write the tables for @vm (its name, its RAM) and @cpu into guest RAM at
 * [SMBIOS_BASE, SMBIOS_END). False when that is not RAM, the count is 0
 * or the tables do not fit; the entry point is written last.
 */
bool smbios_build(struct vm *vm, const struct smbios_cpu *cpu);

#endif
