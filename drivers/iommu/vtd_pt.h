/* SPDX-License-Identifier: MIT */
/*
 * VT-d second-level page tables (Intel VT-d spec §9.8, §3.7): 3 or 4
 * levels of 512 eight-byte entries, Read bit 0, Write bit 1, a leaf at
 * level 2 (2 MiB) or 3 (1 GiB) when Page Size (bit 7) is set. Pure
 * logic: tables come from a caller's allocator and are reached through
 * phys_to_virt (identity in the hypervisor and in the unit tests).
 */
#ifndef DRIVERS_IOMMU_VTD_PT_H
#define DRIVERS_IOMMU_VTD_PT_H

#include "kernel/types.h"

#define VTD_PTE_R (1ull << 0)
#define VTD_PTE_W (1ull << 1)
#define VTD_PTE_PS (1ull << 7)
#define VTD_PTE_ADDR 0x000ffffffffff000ull

#define VTD_LARGE_2M (1u << 0) /* CAP.SLLPS bit 0 */
#define VTD_LARGE_1G (1u << 1)

struct vtd_pt {
	u64 root;        /* physical address of the top table */
	u8 levels;       /* 3 (39-bit) or 4 (48-bit) */
	u8 large;        /* VTD_LARGE_* the units allow */
	u64 (*alloc)(void *ctx); /* a zeroed 4 KiB page, 0 if none */
	void *ctx;
	/* Make the CPU's writes visible to a unit that does not snoop (ECAP.C
	 * clear); NULL if every unit is coherent. */
	void (*flush)(const void *p, size_t len);
};

/* Map [@iova, @iova + @size) to [@hpa, ...) with @prot (VTD_PTE_R |
 * VTD_PTE_W), all page aligned, the largest pages both allow. False if
 * out of memory, out of the address width, or a part is already mapped
 * (nothing is replaced; what was mapped before the failure stays, so the
 * caller drops the domain). */
bool vtd_pt_map(struct vtd_pt *pt, u64 iova, u64 hpa, u64 size, u64 prot);

/* The host address @iova translates to and its permissions (0: none). */
u64 vtd_pt_lookup(const struct vtd_pt *pt, u64 iova, u64 *prot);

/* Give every table page back through @free (leaf pages are not the
 * tables'). */
void vtd_pt_destroy(struct vtd_pt *pt, void (*free)(u64 page));

#endif
