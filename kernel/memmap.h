/* SPDX-License-Identifier: MIT */
/*
 * The physical memory map as the hypervisor sees it: a list of typed,
 * non-overlapping regions. Both firmware paths translate their own map (E820
 * types from multiboot2, EFI memory types from the UEFI loader) into this
 * form; memmap_sanitize() then makes it sorted, disjoint and page-aligned.
 */
#ifndef KERNEL_MEMMAP_H
#define KERNEL_MEMMAP_H

#include "kernel/types.h"

/*
 * Region types. Higher values win when two regions overlap, so a byte that
 * any source calls reserved is never handed out as usable.
 */
enum mem_type {
	MEM_USABLE = 1,       /* free RAM */
	MEM_ACPI_RECLAIM = 2, /* ACPI tables; kept, the hypervisor reads them */
	MEM_MODULE = 3,       /* boot module (config, guest images) */
	MEM_KERNEL = 4,       /* the hypervisor image and boot-time data */
	MEM_ACPI_NVS = 5,     /* firmware NVS */
	MEM_RESERVED = 6,     /* firmware or device reserved */
	MEM_BAD = 7,          /* defective RAM */
};

struct mem_region {
	u64 base;
	u64 size;
	u32 type;
	u32 pad;
};

/* Short lower-case name of a region type, for logs. */
const char *mem_type_name(u32 type);

/*
 * Sort, split overlaps (the higher type wins), merge touching regions of
 * the same type, drop empty ones and shrink usable regions inward to page
 * boundaries. Works in place; @max is the capacity of @r (splitting may need
 * more entries than @n). Returns the new count.
 */
unsigned memmap_sanitize(struct mem_region *r, unsigned n, unsigned max);

/*
 * Mark [base, base+size) as @type over whatever was there, then sanitize.
 * Returns the new count.
 */
unsigned memmap_mark(struct mem_region *r, unsigned n, unsigned max, u64 base,
		     u64 size, u32 type);

/* Type of an E820 / multiboot2 memory map entry (ACPI 6.5 §15.1). */
u32 mem_type_from_e820(u32 e820_type);

/* Type of an EFI memory descriptor (UEFI 2.10 §7.2.3, EFI_MEMORY_TYPE):
 * memory free once boot services have exited counts as usable. */
u32 mem_type_from_efi(u32 efi_type);

/* Total bytes of regions of @type. */
u64 memmap_total(const struct mem_region *r, unsigned n, u32 type);

#endif
