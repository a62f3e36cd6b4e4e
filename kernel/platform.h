/* SPDX-License-Identifier: MIT */
/*
 * Platform-wide services built on the host drivers: reading ACPI from the
 * boot RSDP (or a BIOS scan), the platform report that a bug report needs,
 * and the clean end (ACPI power-off, then reset).
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include "kernel/memmap.h"
#include "kernel/types.h"

struct acpi_info;
struct cpuinfo;

/*
 * Parse ACPI from an RSDP copy (@rsdp, @rsdp_len) or its address, or scan
 * the BIOS areas when neither is known. Returns false when there is no
 * usable ACPI (then only the BSP runs and power-off falls back to reset).
 */
bool platform_acpi_init(const u8 *rsdp, u32 rsdp_len, u64 rsdp_phys,
			struct acpi_info *ai);

struct platform_facts {
	const char *boot_path; /* "uefi" or "multiboot2" */
	const char *loader;
	const struct mem_region *mem;
	unsigned nmem;
	const struct acpi_info *acpi;
	const struct cpuinfo *cpu;
	unsigned guests;
	bool efi_mmap; /* the memory map came from UEFI */
};

/* The "hv: platform key=value" block. The facts (and what they point to,
 * the boot's own data) are kept for platform_report_again(). */
void platform_report(const struct platform_facts *f);

/* The block again (the monitor's "platform"); false before the first. */
bool platform_report_again(void);

/* Power the machine off (ACPI S5), else reset, else halt. */
__noreturn void platform_poweroff(const struct acpi_info *ai);
void platform_reset(const struct acpi_info *ai);

#endif
