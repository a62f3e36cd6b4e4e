// SPDX-License-Identifier: MIT
/*
 * Extent-based physical page allocator (see pmm.h). The free list is a
 * sorted array of [base, end) extents, coalesced on free; allocation scans
 * from the top. One lock; allocation is rare outside of VM creation.
 */
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#define PMM_MAX_EXTENTS 512

struct extent {
	u64 base, end;
};

static struct extent ext[PMM_MAX_EXTENTS];
static unsigned nr_ext;
static spinlock_t pmm_lock;

static void remove_at(unsigned i)
{
	for (; i + 1 < nr_ext; i++)
		ext[i] = ext[i + 1];
	nr_ext--;
}

static bool insert_at(unsigned i, u64 base, u64 end)
{
	if (nr_ext == PMM_MAX_EXTENTS)
		return false; /* full: the freed range is lost, not corrupted */
	for (unsigned j = nr_ext; j > i; j--)
		ext[j] = ext[j - 1];
	ext[i] = (struct extent){ base, end };
	nr_ext++;
	return true;
}

/* Add [base, end) to the free list, merging with neighbours. */
static void add_free(u64 base, u64 end)
{
	unsigned i = 0;

	while (i < nr_ext && ext[i].base < base)
		i++;
	if (i > 0 && ext[i - 1].end == base) {
		ext[i - 1].end = end;
		if (i < nr_ext && ext[i].base == end) {
			ext[i - 1].end = ext[i].end;
			remove_at(i);
		}
		return;
	}
	if (i < nr_ext && ext[i].base == end) {
		ext[i].base = base;
		return;
	}
	insert_at(i, base, end);
}

void pmm_init(const struct mem_region *map, unsigned n)
{
	nr_ext = 0;
	for (unsigned i = 0; i < n; i++) {
		u64 b = ALIGN_UP(map[i].base, PAGE_SIZE);
		u64 e = ALIGN_DOWN(map[i].base + map[i].size, PAGE_SIZE);

		if (map[i].type != MEM_USABLE)
			continue;
		if (b < PMM_LOW_LIMIT)
			b = PMM_LOW_LIMIT;
		if (e > b)
			add_free(b, e);
	}
}

/* Carve [base, base+size) out of extent i; the caller made sure a split
 * has room in the list. */
static void take(unsigned i, u64 base, u64 size)
{
	u64 end = base + size, old_end = ext[i].end;

	if (ext[i].base == base && old_end == end) {
		remove_at(i);
	} else if (ext[i].base == base) {
		ext[i].base = end;
	} else {
		ext[i].end = base;
		if (old_end != end)
			insert_at(i + 1, end, old_end);
	}
}

u64 pmm_alloc_below(u64 size, u64 align, u64 limit)
{
	u64 flags, got = 0;

	size = ALIGN_UP(size, PAGE_SIZE);
	if (!size || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	for (unsigned i = nr_ext; i-- > 0;) {
		u64 top = MIN(ext[i].end, limit);
		u64 base;

		if (top <= ext[i].base || top - ext[i].base < size)
			continue;
		base = ALIGN_DOWN(top - size, align);
		if (base < ext[i].base)
			continue;
		if (base != ext[i].base && base + size != ext[i].end &&
		    nr_ext == PMM_MAX_EXTENTS)
			continue; /* a split would not fit in the list */
		take(i, base, size);
		got = base;
		break;
	}
	spin_unlock_irqrestore(&pmm_lock, flags);
	return got;
}

u64 pmm_alloc(u64 size, u64 align)
{
	return pmm_alloc_below(size, align, ~0ULL);
}

u64 pmm_alloc_page_low(void)
{
	u64 p = pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 4 * GiB);

	if (p)
		memset(phys_to_virt(p), 0, PAGE_SIZE);
	return p;
}

void pmm_free(u64 base, u64 size)
{
	u64 flags;

	if (!size)
		return;
	flags = spin_lock_irqsave(&pmm_lock);
	add_free(base, base + ALIGN_UP(size, PAGE_SIZE));
	spin_unlock_irqrestore(&pmm_lock, flags);
}

u64 pmm_free_bytes(void)
{
	u64 sum = 0;

	for (unsigned i = 0; i < nr_ext; i++)
		sum += ext[i].end - ext[i].base;
	return sum;
}

unsigned pmm_extent_count(void) { return nr_ext; }
