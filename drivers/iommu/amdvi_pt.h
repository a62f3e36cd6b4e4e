/* SPDX-License-Identifier: MIT */
/*
 * AMD-Vi host I/O page tables (AMD IOMMU spec #48882 §2.2): levels of
 * 512 eight-byte entries; an entry is present (PR, bit 0) with I/O read
 * and write permissions (IR bit 61, IW bit 62, ANDed along the walk) and a
 * Next Level field (bits 11:9) naming the level of the table it points to,
 * or 0 for a page. A page at level 1 is 4 KiB, at level 2 2 MiB, at level
 * 3 1 GiB (NextLevel 0 in an entry of that level: the level's default page
 * size, §2.2). These tables never skip a level. Pure logic: tables
 * come from a caller's allocator and are reached through phys_to_virt
 * (identity in the hypervisor and in the unit tests).
 */
#ifndef DRIVERS_IOMMU_AMDVI_PT_H
#define DRIVERS_IOMMU_AMDVI_PT_H

#include "kernel/types.h"

#define AMDVI_PTE_PR (1ull << 0)
#define AMDVI_PTE_NEXT(l) ((u64)(l) << 9)
#define AMDVI_PTE_NEXT_OF(e) ((unsigned)((e) >> 9) & 7)
#define AMDVI_PTE_ADDR 0x000ffffffffff000ull
#define AMDVI_PTE_IR (1ull << 61)
#define AMDVI_PTE_IW (1ull << 62)

#define AMDVI_LARGE_2M (1u << 0)
#define AMDVI_LARGE_1G (1u << 1)

struct amdvi_pt {
	u64 root;        /* physical address of the top table (the DTE's root pointer) */
	u8 levels;       /* the DTE's Mode: 4 (48-bit IOVA) here; 1..6 allowed */
	u8 large;        /* AMDVI_LARGE_* to use */
	u64 (*alloc)(void *ctx); /* a zeroed 4 KiB page, 0 if none */
	void *ctx;
};

/* Map [@iova, @iova + @size) to [@hpa, ...) with @prot (AMDVI_PTE_IR |
 * AMDVI_PTE_IW), all page aligned, with the largest pages both allow.
 * False if out of memory, beyond the IOVA width, or a part is already
 * mapped (nothing is replaced; what was mapped before the failure stays,
 * so the caller drops the domain). */
bool amdvi_pt_map(struct amdvi_pt *pt, u64 iova, u64 hpa, u64 size, u64 prot);

/* The host address @iova translates to and its permissions (0: none, then
 * the result is 0). */
u64 amdvi_pt_lookup(const struct amdvi_pt *pt, u64 iova, u64 *prot);

/* Give every table page back through @free (mapped pages are not the
 * tables'). */
void amdvi_pt_destroy(struct amdvi_pt *pt, void (*free)(u64 page));

#endif
