// SPDX-License-Identifier: MIT
/*
 * Firmware memory maps shared by the memmap and multiboot2 unit tests: an
 * OVMF-like EFI memory map of 45 descriptors (UEFI 2.10 §7.2.3 types, some
 * out of address order, one with zero pages) and the sanitized map it must
 * turn into, with the hypervisor's region types.
 */
#ifndef TESTS_UNIT_MEMMAP_SAMPLES_H
#define TESTS_UNIT_MEMMAP_SAMPLES_H

#include "kernel/memmap.h"

struct sample_efi_desc {
	u32 type;  /* EFI_MEMORY_TYPE */
	u64 start; /* physical start */
	u64 pages; /* 4 KiB pages */
};

static const struct sample_efi_desc sample_efi_map[] = {
	{ 7, 0x0, 0xa0 },              /* conventional */
	{ 7, 0x100000, 0x700 },
	{ 10, 0x800000, 0x8 },         /* ACPI NVS */
	{ 7, 0x808000, 0x3 },
	{ 10, 0x80b000, 0x1 },
	{ 10, 0x80c000, 0x4 },
	{ 10, 0x810000, 0xf0 },
	{ 4, 0x900000, 0x100 },        /* boot services data */
	{ 7, 0xa00000, 0x3600 },
	{ 2, 0x4000000, 0x20 },        /* loader data */
	{ 1, 0x4020000, 0x40 },        /* loader code */
	{ 7, 0x4060000, 0x7000 },
	{ 4, 0xb060000, 0x200 },
	{ 3, 0xb260000, 0x80 },        /* boot services code */
	{ 4, 0xb2e0000, 0x120 },
	{ 7, 0xb400000, 0x1c00 },
	{ 4, 0xd000000, 0x800 },
	{ 3, 0xd800000, 0x200 },
	{ 6, 0xda00000, 0x10 },        /* runtime services data */
	{ 5, 0xda10000, 0x8 },         /* runtime services code */
	{ 6, 0xda18000, 0x18 },
	{ 4, 0xda30000, 0x1d0 },
	{ 9, 0xdc00000, 0x10 },        /* ACPI reclaim */
	{ 10, 0xdc10000, 0x20 },
	{ 4, 0xdc30000, 0x3d0 },
	{ 3, 0xe000000, 0x100 },
	{ 5, 0xe100000, 0x20 },
	{ 6, 0xe120000, 0x40 },
	{ 4, 0xe160000, 0xea0 },
	{ 0, 0xf000000, 0x4 },         /* reserved */
	{ 4, 0xf004000, 0xdfc },
	{ 6, 0xfe00000, 0x100 },
	{ 10, 0xff00000, 0x80 },
	{ 9, 0xff80000, 0x8 },
	{ 4, 0xff88000, 0x78 },
	{ 11, 0xffc00000, 0x400 },     /* MMIO: flash */
	{ 11, 0xfec00000, 0x1 },       /* MMIO: I/O APIC */
	{ 11, 0xfee00000, 0x1 },       /* MMIO: local APIC */
	{ 0, 0xb0000000, 0x10000 },    /* PCIe ECAM */
	{ 7, 0x100000000, 0x40000 },
	{ 8, 0x140000000, 0x10 },      /* unusable */
	{ 7, 0x140010000, 0xfff0 },
	{ 14, 0x150000000, 0x10000 },  /* persistent memory */
	{ 7, 0x160000000, 0x0 },       /* empty */
	{ 15, 0x170000000, 0x100 },    /* unaccepted */
};

#define SAMPLE_EFI_NONEMPTY 44 /* descriptors with pages != 0 */

static const struct mem_region sample_efi_sanitized[] = {
	{ 0x0, 0xa0000, MEM_USABLE, 0 },
	{ 0x100000, 0x700000, MEM_USABLE, 0 },
	{ 0x800000, 0x8000, MEM_ACPI_NVS, 0 },
	{ 0x808000, 0x3000, MEM_USABLE, 0 },
	{ 0x80b000, 0xf5000, MEM_ACPI_NVS, 0 },
	{ 0x900000, 0xd100000, MEM_USABLE, 0 },
	{ 0xda00000, 0x30000, MEM_RESERVED, 0 },
	{ 0xda30000, 0x1d0000, MEM_USABLE, 0 },
	{ 0xdc00000, 0x10000, MEM_ACPI_RECLAIM, 0 },
	{ 0xdc10000, 0x20000, MEM_ACPI_NVS, 0 },
	{ 0xdc30000, 0x4d0000, MEM_USABLE, 0 },
	{ 0xe100000, 0x60000, MEM_RESERVED, 0 },
	{ 0xe160000, 0xea0000, MEM_USABLE, 0 },
	{ 0xf000000, 0x4000, MEM_RESERVED, 0 },
	{ 0xf004000, 0xdfc000, MEM_USABLE, 0 },
	{ 0xfe00000, 0x100000, MEM_RESERVED, 0 },
	{ 0xff00000, 0x80000, MEM_ACPI_NVS, 0 },
	{ 0xff80000, 0x8000, MEM_ACPI_RECLAIM, 0 },
	{ 0xff88000, 0x78000, MEM_USABLE, 0 },
	{ 0xb0000000, 0x10000000, MEM_RESERVED, 0 },
	{ 0xfec00000, 0x1000, MEM_RESERVED, 0 },
	{ 0xfee00000, 0x1000, MEM_RESERVED, 0 },
	{ 0xffc00000, 0x400000, MEM_RESERVED, 0 },
	{ 0x100000000, 0x40000000, MEM_USABLE, 0 },
	{ 0x140000000, 0x10000, MEM_BAD, 0 },
	{ 0x140010000, 0xfff0000, MEM_USABLE, 0 },
	{ 0x150000000, 0x10000000, MEM_RESERVED, 0 },
	{ 0x170000000, 0x100000, MEM_RESERVED, 0 },
};

#define SAMPLE_EFI_USABLE 0x5fc47000ULL /* memmap_total(..., MEM_USABLE) */

#endif
