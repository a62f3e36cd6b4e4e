/* SPDX-License-Identifier: MIT */
/*
 * VT-d second-level page tables (Intel VT-d spec §9.8, §3.7): 3 or 4
 * levels of 512 eight-byte entries, Read bit 0, Write bit 1, a leaf at
 * level 2 (2 MiB) or 3 (1 GiB) when Page Size (bit 7) is set. A format of
 * the shared builder (arch/x86/pgtable.h), which walks, maps and tears the
 * tables down; this adds the entry encoding. Pure logic: tables come from a caller's allocator and are
 * reached through phys_to_virt (identity in the hypervisor and in the unit
 * tests).
 */
#ifndef DRIVERS_IOMMU_VTD_PT_H
#define DRIVERS_IOMMU_VTD_PT_H

#include "arch/x86/pgtable.h"

#define VTD_PTE_R (1ull << 0)
#define VTD_PTE_W (1ull << 1)
#define VTD_PTE_PS PT_LARGE
#define VTD_PTE_ADDR PT_ADDR_MASK

#define VTD_LARGE_2M PT_LARGE_2M /* CAP.SLLPS bit 0 */
#define VTD_LARGE_1G PT_LARGE_1G /* CAP.SLLPS bit 1 */

extern const struct pt_format pt_format_vtd;

/* Make @pt an empty table set of @levels (3: 39-bit, 4: 48-bit IOVAs)
 * using the @large (VTD_LARGE_*) pages the units allow; @flush, if not
 * NULL, makes each write visible to units that do not snoop (ECAP.C
 * clear). False when out of memory. */
bool vtd_pt_init(struct pt *pt, unsigned levels, unsigned large, pt_alloc_fn alloc, void *ctx,
		 void (*flush)(const void *p, size_t len));

/* Domains are mapped with pt_map_new (PT_PROT_R / PT_PROT_W), read back
 * with pt_lookup (the leaf's VTD_PTE_R / VTD_PTE_W) and torn down with
 * pt_destroy. */

#endif
