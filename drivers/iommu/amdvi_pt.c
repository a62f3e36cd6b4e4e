// SPDX-License-Identifier: MIT
/*
 * AMD-Vi host I/O page tables (amdvi_pt.h).
 */
#include "drivers/iommu/amdvi_pt.h"
#include "kernel/mm.h"

#define ENTRIES 512
#define PERM (AMDVI_PTE_IR | AMDVI_PTE_IW)

static unsigned shift_of(unsigned level) { return 12 + 9 * (level - 1); } /* level 1 = 4 KiB */

static u64 *table(u64 phys) { return (u64 *)phys_to_virt(phys); }

/* The largest level (1, 2 or 3) whose page fits at @iova / @hpa in @left. */
static unsigned leaf_level(const struct amdvi_pt *pt, u64 iova, u64 hpa, u64 left)
{
	for (unsigned lvl = 3; lvl >= 2; lvl--) {
		u64 sz = 1ull << shift_of(lvl);

		if (lvl >= pt->levels || !(pt->large & (1u << (lvl - 2))) || ((iova | hpa) & (sz - 1)) ||
		    left < sz)
			continue;
		return lvl;
	}
	return 1;
}

static bool map_one(struct amdvi_pt *pt, u64 iova, u64 hpa, unsigned leaf, u64 prot)
{
	u64 *t = table(pt->root), *e;

	for (unsigned lvl = pt->levels; lvl > leaf; lvl--) {
		e = &t[(iova >> shift_of(lvl)) & (ENTRIES - 1)];
		if (!(*e & AMDVI_PTE_PR)) {
			u64 page = pt->alloc(pt->ctx);

			if (!page)
				return false;
			/* A directory entry grants everything; the leaf decides. */
			*e = page | AMDVI_PTE_NEXT(lvl - 1) | PERM | AMDVI_PTE_PR;
		} else if (AMDVI_PTE_NEXT_OF(*e) != lvl - 1) {
			return false; /* a page of this level is mapped there */
		}
		t = table(*e & AMDVI_PTE_ADDR);
	}
	e = &t[(iova >> shift_of(leaf)) & (ENTRIES - 1)];
	if (*e & AMDVI_PTE_PR)
		return false;
	*e = (hpa & AMDVI_PTE_ADDR) | prot | AMDVI_PTE_PR; /* Next Level 0: a page */
	return true;
}

bool amdvi_pt_map(struct amdvi_pt *pt, u64 iova, u64 hpa, u64 size, u64 prot)
{
	u64 top = pt->levels >= 6 ? ~0ull : 1ull << shift_of(pt->levels + 1u);

	if (((iova | hpa | size) & 0xfff) || !size || iova + size < iova ||
	    (top != ~0ull && iova + size > top) || (hpa & ~AMDVI_PTE_ADDR) ||
	    hpa + size < hpa || !(prot & PERM) || !pt->levels || pt->levels > 6)
		return false;
	prot &= PERM;
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

u64 amdvi_pt_lookup(const struct amdvi_pt *pt, u64 iova, u64 *prot)
{
	const u64 *t = table(pt->root);
	u64 perm = PERM;

	*prot = 0;
	for (unsigned lvl = pt->levels; lvl >= 1; lvl--) {
		u64 e = t[(iova >> shift_of(lvl)) & (ENTRIES - 1)];
		u64 mask = (1ull << shift_of(lvl)) - 1;
		unsigned next = AMDVI_PTE_NEXT_OF(e);

		if (!(e & AMDVI_PTE_PR))
			return 0;
		perm &= e;
		if (next == 0) {
			*prot = perm & PERM;
			return *prot ? (e & AMDVI_PTE_ADDR & ~mask) | (iova & mask) : 0;
		}
		if (next != lvl - 1)
			return 0; /* a skip or a bad level: not something these tables hold */
		t = table(e & AMDVI_PTE_ADDR);
	}
	return 0;
}

static void destroy(u64 phys, unsigned lvl, void (*free)(u64 page))
{
	const u64 *t = table(phys);

	if (lvl > 1)
		for (unsigned i = 0; i < ENTRIES; i++)
			if ((t[i] & AMDVI_PTE_PR) && AMDVI_PTE_NEXT_OF(t[i]) == lvl - 1)
				destroy(t[i] & AMDVI_PTE_ADDR, lvl - 1, free);
	free(phys);
}

void amdvi_pt_destroy(struct amdvi_pt *pt, void (*free)(u64 page))
{
	if (pt->root)
		destroy(pt->root, pt->levels, free);
	pt->root = 0;
}
