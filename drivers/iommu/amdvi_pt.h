/* SPDX-License-Identifier: MIT */
/*
 * AMD-Vi host I/O page tables (AMD IOMMU spec #48882 §2.2): levels of
 * 512 eight-byte entries; an entry is present (PR, bit 0) with I/O read
 * and write permissions (IR bit 61, IW bit 62, ANDed along the walk) and a
 * Next Level field (bits 11:9) naming the level of the table it points to,
 * or 0 for a page. A page at level 1 is 4 KiB, at level 2 2 MiB, at level
 * 3 1 GiB (NextLevel 0 in an entry of that level: the level's default page
 * size, §2.2). These tables have 4 levels (48-bit IOVAs, DTE Mode 4) and
 * never skip one. A format of the shared builder (arch/x86/pgtable.h),
 * which walks, maps and tears the tables down; this adds the entry
 * encoding. Pure logic: tables come from a caller's allocator and are
 * reached through phys_to_virt (identity in the hypervisor and in the unit
 * tests).
 */
#ifndef DRIVERS_IOMMU_AMDVI_PT_H
#define DRIVERS_IOMMU_AMDVI_PT_H

#include "arch/x86/pgtable.h"

#define AMDVI_PTE_PR (1ull << 0)
#define AMDVI_PTE_NEXT(l) ((u64)(l) << 9)
#define AMDVI_PTE_NEXT_OF(e) ((unsigned)((e) >> 9) & 7)
#define AMDVI_PTE_ADDR PT_ADDR_MASK
#define AMDVI_PTE_IR (1ull << 61)
#define AMDVI_PTE_IW (1ull << 62)

#define AMDVI_LARGE_2M PT_LARGE_2M
#define AMDVI_LARGE_1G PT_LARGE_1G

#define AMDVI_PT_LEVELS 4

extern const struct pt_format pt_format_amdvi;

/* Make @pt an empty 4-level table set using the @large (AMDVI_LARGE_*)
 * pages. False when out of memory. */
bool amdvi_pt_init(struct pt *pt, unsigned large, pt_alloc_fn alloc, void *ctx);

/* Domains are mapped with pt_map_new (PT_PROT_R / PT_PROT_W), read back
 * with pt_lookup (the leaf's AMDVI_PTE_IR / AMDVI_PTE_IW) and torn down
 * with pt_destroy. */

#endif
