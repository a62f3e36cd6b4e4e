// SPDX-License-Identifier: MIT
/*
 * AMD-Vi host I/O page tables (amdvi_pt.h): the entry format for the
 * shared builder.
 */
#include "drivers/iommu/amdvi_pt.h"

#define PERM (AMDVI_PTE_IR | AMDVI_PTE_IW)

/* A page: Next Level 0 at any level. */
static u64 amdvi_leaf(u64 pa, u32 prot, enum pt_memtype mt, int level)
{
	(void)mt;
	(void)level;
	return pa | (prot & PT_PROT_R ? AMDVI_PTE_IR : 0) | (prot & PT_PROT_W ? AMDVI_PTE_IW : 0) |
	       AMDVI_PTE_PR;
}

/* A directory entry at @level names the level below and grants
 * everything; the leaf decides. */
static u64 amdvi_table(u64 pa, int level)
{
	return pa | AMDVI_PTE_NEXT(level - 1) | PERM | AMDVI_PTE_PR;
}

static bool amdvi_is_page(u64 e) { return AMDVI_PTE_NEXT_OF(e) == 0; }

const struct pt_format pt_format_amdvi = {
	.name = "amdvi", .present_mask = AMDVI_PTE_PR, .leaf = amdvi_leaf,
	.table = amdvi_table, .is_page = amdvi_is_page,
};

bool amdvi_pt_init(struct pt *pt, unsigned large, pt_alloc_fn alloc, void *ctx)
{
	if (!pt_init(pt, &pt_format_amdvi, alloc, ctx))
		return false;
	pt->levels = AMDVI_PT_LEVELS;
	pt->large = (u8)(large & (PT_LARGE_2M | PT_LARGE_1G));
	return true;
}
