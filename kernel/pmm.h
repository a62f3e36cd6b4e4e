/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator. Free memory is a sorted list of extents built
 * from the sanitized memory map's usable regions, so large, aligned,
 * contiguous blocks (guest RAM with 2 MiB / 1 GiB pages) are cheap to find.
 * Memory below 1 MiB is never handed out (the AP trampoline lives there),
 * nor is anything the map calls kernel, module, ACPI, NVS, reserved or bad.
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include "kernel/memmap.h"
#include "kernel/types.h"

#define PMM_LOW_LIMIT (1ULL << 20)

/* Build the free list from the usable regions of a sanitized map. */
void pmm_init(const struct mem_region *map, unsigned n);

/*
 * Allocate @size bytes (rounded up to pages) aligned to @align (a power of
 * two, at least a page), ending at or below @limit (~0 for anywhere).
 * Highest-address fit first, so low memory stays for what needs it.
 * Returns the physical address, or 0 when nothing fits.
 */
u64 pmm_alloc_below(u64 size, u64 align, u64 limit);
u64 pmm_alloc(u64 size, u64 align);

/* One zeroed page below 4 GiB, for page tables; 0 if none. */
u64 pmm_alloc_page_low(void);

/* Give back a block from pmm_alloc*(). */
void pmm_free(u64 base, u64 size);

u64 pmm_free_bytes(void);
unsigned pmm_extent_count(void);

#endif
