// SPDX-License-Identifier: MIT
/*
 * VT-d second-level page tables (vtd_pt.h).
 */
#include "drivers/iommu/vtd_pt.h"
#include "kernel/mm.h"

#define ENTRIES 512

static unsigned shift_of(unsigned level) { return 12 + 9 * (level - 1); } /* level 1 = 4 KiB */

static u64 *table(u64 phys) { return (u64 *)phys_to_virt(phys); }

static void publish(struct vtd_pt *pt, u64 *e, u64 val)
{
	*e = val;
	if (pt->flush)
		pt->flush(e, sizeof(*e));
}

/* The largest level (1, 2 or 3) whose page fits at @iova / @hpa in @left. */
static unsigned leaf_level(const struct vtd_pt *pt, u64 iova, u64 hpa, u64 left)
{
	for (unsigned lvl = 3; lvl >= 2; lvl--) {
		u64 sz = 1ull << shift_of(lvl);

		if (!(pt->large & (1u << (lvl - 2))) || ((iova | hpa) & (sz - 1)) || left < sz)
			continue;
		return lvl;
	}
	return 1;
}

static bool map_one(struct vtd_pt *pt, u64 iova, u64 hpa, unsigned leaf, u64 prot)
{
	u64 *t = table(pt->root);

	for (unsigned lvl = pt->levels; lvl > leaf; lvl--) {
		u64 *e = &t[(iova >> shift_of(lvl)) & (ENTRIES - 1)];

		if (!*e) {
			u64 page = pt->alloc(pt->ctx);

			if (!page)
				return false;
			if (pt->flush)
				pt->flush(table(page), 4096);
			publish(pt, e, page | VTD_PTE_R | VTD_PTE_W);
		} else if (*e & VTD_PTE_PS) {
			return false; /* already mapped by a large page */
		}
		t = table(*e & VTD_PTE_ADDR);
	}
	u64 *e = &t[(iova >> shift_of(leaf)) & (ENTRIES - 1)];

	if (*e)
		return false;
	publish(pt, e, (hpa & VTD_PTE_ADDR) | prot | (leaf > 1 ? VTD_PTE_PS : 0));
	return true;
}

bool vtd_pt_map(struct vtd_pt *pt, u64 iova, u64 hpa, u64 size, u64 prot)
{
	u64 top = 1ull << shift_of(pt->levels + 1);

	if (((iova | hpa | size) & 0xfff) || !size || iova + size < iova || iova + size > top ||
	    (hpa & ~VTD_PTE_ADDR) || !(prot & (VTD_PTE_R | VTD_PTE_W)))
		return false;
	prot &= VTD_PTE_R | VTD_PTE_W;
	while (size) {
		unsigned leaf = leaf_level(pt, iova, hpa, size);
		u64 sz = 1ull << shift_of(leaf);

		if (!map_one(pt, iova, hpa, leaf, prot))
			return false;
		iova += sz;
		hpa += sz;
		size -= sz;
	}
	return true;
}

u64 vtd_pt_lookup(const struct vtd_pt *pt, u64 iova, u64 *prot)
{
	const u64 *t = table(pt->root);

	*prot = 0;
	for (unsigned lvl = pt->levels; lvl >= 1; lvl--) {
		u64 e = t[(iova >> shift_of(lvl)) & (ENTRIES - 1)];
		u64 mask = (1ull << shift_of(lvl)) - 1;

		if (!(e & (VTD_PTE_R | VTD_PTE_W)))
			return 0;
		if (lvl == 1 || (e & VTD_PTE_PS)) {
			*prot = e & (VTD_PTE_R | VTD_PTE_W);
			return (e & VTD_PTE_ADDR & ~mask) | (iova & mask);
		}
		t = table(e & VTD_PTE_ADDR);
	}
	return 0;
}

static void destroy(u64 phys, unsigned lvl, void (*free)(u64 page))
{
	const u64 *t = table(phys);

	if (lvl > 1)
		for (unsigned i = 0; i < ENTRIES; i++)
			if (t[i] && !(t[i] & VTD_PTE_PS))
				destroy(t[i] & VTD_PTE_ADDR, lvl - 1, free);
	free(phys);
}

void vtd_pt_destroy(struct vtd_pt *pt, void (*free)(u64 page))
{
	if (pt->root)
		destroy(pt->root, pt->levels, free);
	pt->root = 0;
}
