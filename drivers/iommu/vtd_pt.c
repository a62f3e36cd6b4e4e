// SPDX-License-Identifier: MIT
/*
 * VT-d second-level page tables (vtd_pt.h): the entry format for the
 * shared builder.
 */
#include "drivers/iommu/vtd_pt.h"
#include "kernel/mm.h"

#define RW (VTD_PTE_R | VTD_PTE_W)

/* A leaf grants what @prot asks of R and W; no snoop, memory type and
 * the other bits stay 0 (the units ignore them without ECAP.SC). */
static u64 vtd_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level)
{
	(void)mt;
	return pa | (prot & PT_PROT_R ? VTD_PTE_R : 0) | (prot & PT_PROT_W ? VTD_PTE_W : 0) |
	       (level > 1 ? VTD_PTE_PS : 0);
}

/* A directory entry grants everything; the leaf decides. Present means
 * R or W set (§9.8: an entry with neither is not present). */
const struct pt_format pt_format_vtd = {
	.name = "vtd", .table_bits = RW, .present_mask = RW, .leaf = vtd_leaf,
};

bool vtd_pt_init(struct pt *pt, unsigned levels, unsigned large, pt_alloc_fn alloc, void *ctx,
		 void (*flush)(const void *p, size_t len))
{
	if ((levels != 3 && levels != 4) || !pt_init(pt, &pt_format_vtd, alloc, ctx))
		return false;
	pt->levels = (u8)levels;
	pt->large = (u8)(large & (PT_LARGE_2M | PT_LARGE_1G));
	pt->flush = flush;
	if (flush)
		flush(phys_to_virt(pt->root), PAGE_SIZE);
	return true;
}
