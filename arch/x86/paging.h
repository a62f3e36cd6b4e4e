/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own 4-level page tables (Intel SDM Vol. 3A §4.5, AMD
 * APM Vol. 2 §5.3). Layout:
 *   identity map of the low 4 GiB and all RAM, non-executable; RAM
 *     write-back, holes uncached; the kernel image's alias read-only
 *   KERNEL_VMA: the kernel image, 4 KiB pages, text RX, rodata R, data RW
 *   STACK_REGION: per-CPU stacks with unmapped guard pages (stacks.h)
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "kernel/memmap.h"
#include "kernel/types.h"

/* Permission sets of hypervisor mappings (NX only if the CPU has it). */
enum pt_perm {
	PT_RO = 0,   /* read-only, no execute */
	PT_RW = 1,   /* read-write, no execute */
	PT_RX = 2,   /* read-only, execute */
	PT_MMIO = 3, /* read-write, no execute, uncached */
};

/*
 * Build the kernel's page tables from the sanitized memory map and switch
 * to them. @kernel_phys is where KERNEL_LMA was loaded.
 */
void paging_init(const struct mem_region *map, unsigned n, u64 kernel_phys);

/* Load the kernel's page tables on this CPU (APs; also sets EFER.NXE). */
void paging_load(void);

/* Physical address of the kernel PML4 (below 4 GiB). */
u64 paging_kernel_cr3(void);

/*
 * Map [va, va+size) to [pa, ...) in the kernel's tables with @perm, using
 * the largest pages alignment allows and splitting larger ones as needed.
 * Flushes this CPU's TLB for the range.
 */
void paging_map(u64 va, u64 pa, u64 size, enum pt_perm perm);

/* Map an MMIO range uncached in the identity map (e.g. LAPIC, HPET). */
void paging_map_mmio(u64 pa, u64 size);

#endif
