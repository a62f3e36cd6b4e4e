// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the physical page allocator (kernel/pmm.c), driven
 * with fake physical addresses (the allocator never touches the memory it
 * hands out, except pmm_alloc_page_low(), which is not called here): the
 * low 1 MiB and non-usable regions are never used, allocation is top-down,
 * alignment and limits are honoured, bad requests and exhaustion return 0,
 * frees coalesce, a full extent list degrades safely, and random
 * allocate/free sequences agree with an independent page bitmap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/memmap.h"
#include "kernel/pmm.h"

#define R(b, s, t) { (b), (s), (t), 0 }

static void init(const struct mem_region *map, unsigned n)
{
	pmm_init(map, n);
}

#define INIT(map) init(map, ARRAY_SIZE(map))

static void test_empty_map(void **state)
{
	(void)state;
	pmm_init(NULL, 0);
	assert_int_equal(pmm_free_bytes(), 0);
	assert_int_equal(pmm_extent_count(), 0);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);
}

static void test_low_memory_never_used(void **state)
{
	static const struct mem_region low_only[] = {
		R(0x1000, 0x9e000, MEM_USABLE),
		R(0xc0000, 0x40000, MEM_USABLE), /* ends exactly at 1 MiB */
	};
	static const struct mem_region crossing[] = {
		R(0x0, 0x200000, MEM_USABLE),
	};

	(void)state;
	INIT(low_only);
	assert_int_equal(pmm_free_bytes(), 0);
	assert_int_equal(pmm_extent_count(), 0);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);

	INIT(crossing);
	assert_int_equal(pmm_free_bytes(), 0x100000);
	assert_int_equal(pmm_extent_count(), 1);
	/* Drain it: every page is at or above 1 MiB. */
	for (unsigned i = 0; i < 256; i++) {
		u64 p = pmm_alloc(PAGE_SIZE, PAGE_SIZE);

		assert_int_equal(p, 0x200000 - (i + 1) * PAGE_SIZE);
		assert_true(p >= PMM_LOW_LIMIT);
	}
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(pmm_free_bytes(), 0);
}

static void test_only_usable_regions(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0x100000, MEM_USABLE),
		R(0x200000, 0x100000, MEM_ACPI_RECLAIM),
		R(0x300000, 0x100000, MEM_MODULE),
		R(0x400000, 0x100000, MEM_KERNEL),
		R(0x500000, 0x100000, MEM_ACPI_NVS),
		R(0x600000, 0x100000, MEM_RESERVED),
		R(0x700000, 0x100000, MEM_BAD),
		R(0x800000, 0x100000, 0),
		R(0x900000, 0x100000, 99),
	};

	(void)state;
	INIT(map);
	assert_int_equal(pmm_free_bytes(), 0x100000);
	assert_int_equal(pmm_extent_count(), 1);
	for (unsigned i = 0; i < 256; i++) {
		u64 p = pmm_alloc(PAGE_SIZE, PAGE_SIZE);

		assert_in_range(p, 0x100000, 0x200000 - PAGE_SIZE);
	}
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);
}

static void test_init_aligns_and_merges(void **state)
{
	static const struct mem_region unaligned[] = {
		R(0x100800, 0x102800, MEM_USABLE), /* [0x100800, 0x203000) */
	};
	static const struct mem_region touching[] = {
		R(0x100000, 0x100000, MEM_USABLE),
		R(0x200000, 0x100000, MEM_USABLE),
		R(0x400000, 0x100000, MEM_USABLE),
		R(0x300000, 0x100000, MEM_USABLE), /* out of order: still merged */
	};

	(void)state;
	INIT(unaligned);
	assert_int_equal(pmm_free_bytes(), 0x203000 - 0x101000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x202000);

	INIT(touching);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_free_bytes(), 0x400000);
}

static void test_init_resets(void **state)
{
	static const struct mem_region a[] = { R(0x100000, 0x100000, MEM_USABLE) };
	static const struct mem_region b[] = { R(0x4000000, 0x2000, MEM_USABLE) };

	(void)state;
	INIT(a);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x1ff000);
	INIT(b);
	assert_int_equal(pmm_free_bytes(), 0x2000);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x4001000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x4000000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);
}

static void test_top_down(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0x100000, MEM_USABLE),
		R(0x400000, 0x2000, MEM_USABLE),
	};

	(void)state;
	INIT(map);
	assert_int_equal(pmm_extent_count(), 2);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x401000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x400000);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x1ff000);
	assert_int_equal(pmm_alloc(3 * PAGE_SIZE, PAGE_SIZE), 0x1fc000);
	assert_int_equal(pmm_free_bytes(), 0x100000 - 4 * PAGE_SIZE);
}

/* A block too big for the highest extent comes from a lower one. */
static void test_skips_small_extents(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0x100000, MEM_USABLE),
		R(0x400000, 0x2000, MEM_USABLE),
	};

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(0x4000, PAGE_SIZE), 0x1fc000);
	assert_int_equal(pmm_extent_count(), 2);
	assert_int_equal(pmm_alloc(0x2000, PAGE_SIZE), 0x400000);
	assert_int_equal(pmm_extent_count(), 1);
}

static void test_size_rounded_to_pages(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x100000, MEM_USABLE) };

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(1, PAGE_SIZE), 0x1ff000);
	assert_int_equal(pmm_free_bytes(), 0x100000 - PAGE_SIZE);
	assert_int_equal(pmm_alloc(PAGE_SIZE + 1, PAGE_SIZE), 0x1fd000);
	assert_int_equal(pmm_free_bytes(), 0x100000 - 3 * PAGE_SIZE);
	pmm_free(0x1fd000, PAGE_SIZE + 1);
	pmm_free(0x1ff000, 1);
	assert_int_equal(pmm_free_bytes(), 0x100000);
	assert_int_equal(pmm_extent_count(), 1);
}

static void test_align_2m(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0x3eff000, MEM_USABLE), /* [1M, 64M - 4K) */
	};
	u64 a, b, c;

	(void)state;
	INIT(map);
	a = pmm_alloc(2 * MiB, 2 * MiB);
	assert_int_equal(a, 0x3c00000);
	assert_int_equal(pmm_extent_count(), 2);
	/* The unaligned tail [62M, 64M - 4K) starts on a 2 MiB boundary. */
	b = pmm_alloc(PAGE_SIZE, 2 * MiB);
	assert_int_equal(b, 0x3e00000);
	assert_int_equal(pmm_extent_count(), 2);
	/* Now the tail has none: the next one splits [1M, 60M). */
	c = pmm_alloc(PAGE_SIZE, 2 * MiB);
	assert_int_equal(c, 0x3a00000);
	assert_int_equal(pmm_extent_count(), 3);
	assert_int_equal(pmm_free_bytes(), 0x3eff000 - 2 * MiB - 2 * PAGE_SIZE);
	assert_int_equal(pmm_alloc(0x1fe000, PAGE_SIZE), 0x3e01000);
	assert_int_equal(pmm_extent_count(), 2);
}

static void test_align_1g(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0xc0001000 - 0x100000, MEM_USABLE), /* to 3G + 4K */
	};

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(GiB, GiB), 2 * GiB);
	assert_int_equal(pmm_alloc(GiB, GiB), GiB);
	/* [1M, 1G) has no 1 GiB-aligned start at or above 1M. */
	assert_int_equal(pmm_alloc(GiB, GiB), 0);
	assert_int_equal(pmm_alloc(2 * MiB, GiB), 0);
	assert_int_equal(pmm_alloc(2 * MiB, 2 * MiB), GiB - 2 * MiB);
	assert_int_equal(pmm_free_bytes(), GiB - MiB - 2 * MiB + PAGE_SIZE);
	pmm_free(GiB, GiB);
	pmm_free(2 * GiB, GiB);
	pmm_free(GiB - 2 * MiB, 2 * MiB);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_free_bytes(), 0xc0001000 - 0x100000);
}

/* Enough free bytes, but no aligned block fits. */
static void test_align_no_fit(void **state)
{
	static const struct mem_region map[] = {
		R(0x201000, 0x3fe000, MEM_USABLE), /* [2M + 4K, 6M - 4K) */
	};

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(2 * MiB, 2 * MiB), 0);
	assert_int_equal(pmm_free_bytes(), 0x3fe000);
	assert_int_equal(pmm_alloc(2 * MiB, PAGE_SIZE), 0x3ff000);
}

static void test_bad_align(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x100000, MEM_USABLE) };
	static const u64 bad[] = { 0, 1, 3, 512, 2048, 0x1001, 0x1800, 0x3000,
				   0x6000, (1ULL << 63) + PAGE_SIZE, ~0ULL };

	(void)state;
	INIT(map);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(pmm_alloc(PAGE_SIZE, bad[i]), 0);
		assert_int_equal(pmm_alloc_below(PAGE_SIZE, bad[i], 4 * GiB), 0);
	}
	assert_int_equal(pmm_free_bytes(), 0x100000);
	assert_int_equal(pmm_extent_count(), 1);
	/* A power of two that nothing can satisfy is not an error, just 0. */
	assert_int_equal(pmm_alloc(PAGE_SIZE, 1ULL << 63), 0);
	assert_int_equal(pmm_free_bytes(), 0x100000);
}

static void test_bad_size(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x100000, MEM_USABLE) };

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(0, PAGE_SIZE), 0);
	assert_int_equal(pmm_alloc(~0ULL, PAGE_SIZE), 0);       /* rounds to 0 */
	assert_int_equal(pmm_alloc(~0ULL - 100, PAGE_SIZE), 0);
	assert_int_equal(pmm_alloc(1ULL << 63, PAGE_SIZE), 0);
	assert_int_equal(pmm_alloc(0x100001, PAGE_SIZE), 0);    /* one page over */
	assert_int_equal(pmm_free_bytes(), 0x100000);
	assert_int_equal(pmm_alloc(0x100000, PAGE_SIZE), 0x100000); /* exactly all */
	assert_int_equal(pmm_extent_count(), 0);
}

static void test_limit(void **state)
{
	static const struct mem_region map[] = {
		R(0x100000, 0x200000000 - 0x100000, MEM_USABLE), /* to 8 GiB */
	};
	u64 p;

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 4 * GiB), 4 * GiB - PAGE_SIZE);
	assert_int_equal(pmm_alloc_below(2 * MiB, 2 * MiB, 4 * GiB), 4 * GiB - 4 * MiB);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 8 * GiB - PAGE_SIZE);
	/* A limit that is not page aligned: the block still ends below it. */
	p = pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x12345678);
	assert_int_equal(p, 0x12344000);
	/* Limits at or below the lowest free byte leave nothing. */
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x100000), 0);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x100fff), 0);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0), 0);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x101000), 0x100000);
	assert_int_equal(pmm_alloc_below(2 * PAGE_SIZE, PAGE_SIZE, 0x102000), 0);
	/* Everything below 16M in one go, then nothing more below it. */
	assert_int_equal(pmm_alloc_below(0xf00000 - PAGE_SIZE, PAGE_SIZE, 0x1000000),
			 0x101000);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x1000000), 0);
	assert_int_equal(pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 0x1001000), 0x1000000);
}

static void test_exhaustion(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x4000, MEM_USABLE) };

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(0x8000, PAGE_SIZE), 0);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x103000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x102000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x101000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x100000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(pmm_free_bytes(), 0);
	assert_int_equal(pmm_extent_count(), 0);
	pmm_free(0x101000, PAGE_SIZE);
	assert_int_equal(pmm_alloc(2 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), 0x101000);
}

/* Freeing the middle block merges with both neighbours into one extent. */
static void test_free_coalesce_both(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x100000, MEM_USABLE) };
	u64 a, b, c;

	(void)state;
	INIT(map);
	a = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	b = pmm_alloc(2 * PAGE_SIZE, PAGE_SIZE);
	c = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(a, 0x1ff000);
	assert_int_equal(b, 0x1fd000);
	assert_int_equal(c, 0x1fc000);
	assert_int_equal(pmm_extent_count(), 1);
	pmm_free(a, PAGE_SIZE); /* no neighbour below it is free */
	assert_int_equal(pmm_extent_count(), 2);
	pmm_free(c, PAGE_SIZE); /* joins the extent below */
	assert_int_equal(pmm_extent_count(), 2);
	assert_int_equal(pmm_free_bytes(), 0x100000 - 2 * PAGE_SIZE);
	pmm_free(b, 2 * PAGE_SIZE); /* joins both */
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_free_bytes(), 0x100000);
	/* The whole range is one block again. */
	assert_int_equal(pmm_alloc(0x100000, PAGE_SIZE), 0x100000);
}

static void test_free_coalesce_one_side(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x10000, MEM_USABLE) };
	u64 p[16];

	(void)state;
	INIT(map);
	for (unsigned i = 0; i < 16; i++)
		p[i] = pmm_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(p[15], 0x100000);
	assert_int_equal(pmm_extent_count(), 0);
	pmm_free(p[8], PAGE_SIZE);                /* alone */
	assert_int_equal(pmm_extent_count(), 1);
	pmm_free(p[4], PAGE_SIZE);                /* alone, above */
	assert_int_equal(pmm_extent_count(), 2);
	pmm_free(p[9], PAGE_SIZE);                /* merges with the next one */
	assert_int_equal(pmm_extent_count(), 2);
	pmm_free(p[7], PAGE_SIZE);                /* merges with the previous */
	assert_int_equal(pmm_extent_count(), 2);
	pmm_free(p[12], PAGE_SIZE);               /* alone, below */
	assert_int_equal(pmm_extent_count(), 3);
	assert_int_equal(pmm_free_bytes(), 5 * PAGE_SIZE);
	/* p[9..7] is [0x106000, 0x109000): a 3-page block fits only there. */
	assert_int_equal(pmm_alloc(3 * PAGE_SIZE, PAGE_SIZE), 0x106000);
	assert_int_equal(pmm_extent_count(), 2);
	for (unsigned i = 0; i < 16; i++)
		if (i != 4 && i != 12) /* those two are free already */
			pmm_free(p[i], PAGE_SIZE);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_free_bytes(), 0x10000);
}

/* An aligned block in the middle of an extent splits it in two. */
static void test_alloc_splits(void **state)
{
	static const struct mem_region map[] = { R(0x100000, 0x400000, MEM_USABLE) };

	(void)state;
	INIT(map);
	assert_int_equal(pmm_alloc(2 * MiB, 2 * MiB), 0x200000);
	assert_int_equal(pmm_extent_count(), 2);
	assert_int_equal(pmm_free_bytes(), 2 * MiB);
	pmm_free(0x200000, 2 * MiB);
	assert_int_equal(pmm_extent_count(), 1);
	assert_int_equal(pmm_free_bytes(), 4 * MiB);
}

#define FULL_EXT 512 /* PMM_MAX_EXTENTS in pmm.c */

/* With the extent list full, a split is refused rather than corrupting
 * the list, blocks that need no split still work, and a free that would
 * need a new extent is dropped (pmm.c: "the freed range is lost"). */
static void test_extent_list_full(void **state)
{
	static struct mem_region map[FULL_EXT];
	u64 top = 0x1000000 + (FULL_EXT - 1) * 0x10000;

	(void)state;
	for (unsigned i = 0; i < FULL_EXT; i++)
		map[i] = (struct mem_region)R(0x1000000 + i * 0x10000, 0x4000, MEM_USABLE);
	pmm_init(map, FULL_EXT);
	assert_int_equal(pmm_extent_count(), FULL_EXT);
	assert_int_equal(pmm_free_bytes(), FULL_EXT * 0x4000);
	/* 8K alignment in a 4-page extent means a split everywhere. */
	assert_int_equal(pmm_alloc(PAGE_SIZE, 0x2000), 0);
	assert_int_equal(pmm_extent_count(), FULL_EXT);
	/* From the top end: no split. */
	assert_int_equal(pmm_alloc(PAGE_SIZE, PAGE_SIZE), top + 0x3000);
	assert_int_equal(pmm_alloc(PAGE_SIZE, 0x2000), top + 0x2000);
	/* From the bottom of an extent: no split either. */
	assert_int_equal(pmm_alloc(PAGE_SIZE, 0x10000), top);
	assert_int_equal(pmm_extent_count(), FULL_EXT);
	assert_int_equal(pmm_free_bytes(), FULL_EXT * 0x4000 - 3 * PAGE_SIZE);
	/* A free in a gap needs a new extent: dropped, nothing corrupted. */
	pmm_free(0x800000, PAGE_SIZE);
	assert_int_equal(pmm_extent_count(), FULL_EXT);
	assert_int_equal(pmm_free_bytes(), FULL_EXT * 0x4000 - 3 * PAGE_SIZE);
	/* Frees next to an extent still merge. */
	pmm_free(top + 0x2000, PAGE_SIZE);
	pmm_free(top + 0x3000, PAGE_SIZE);
	assert_int_equal(pmm_free_bytes(), FULL_EXT * 0x4000 - PAGE_SIZE);
	assert_int_equal(pmm_extent_count(), FULL_EXT);
}

/* ---- random sequences against a page bitmap ---- */

#define MODEL_PAGES (0x380000 / PAGE_SIZE)

static const struct mem_region model_map[] = {
	R(0x0, 0x9f000, MEM_USABLE),
	R(0x9fc00, 0x400, MEM_RESERVED),
	R(0xc0000, 0x80000, MEM_USABLE),     /* crosses 1 MiB */
	R(0x140000, 0x10000, MEM_RESERVED),
	R(0x150000, 0xb0000, MEM_USABLE),
	R(0x200000, 0x10000, MEM_KERNEL),
	R(0x210000, 0xf0000, MEM_USABLE),
	R(0x300000, 0x80000, MEM_USABLE),    /* touches the one before */
};

static bool page_free[MODEL_PAGES];

struct block {
	u64 base, bytes;
};

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void model_init(void)
{
	memset(page_free, 0, sizeof(page_free));
	for (unsigned i = 0; i < ARRAY_SIZE(model_map); i++) {
		const struct mem_region *m = &model_map[i];

		if (m->type != MEM_USABLE)
			continue;
		for (u64 a = ALIGN_UP(m->base, PAGE_SIZE);
		     a + PAGE_SIZE <= m->base + m->size; a += PAGE_SIZE)
			if (a >= PMM_LOW_LIMIT)
				page_free[a / PAGE_SIZE] = true;
	}
}

static bool model_range_free(u64 base, u64 pages)
{
	for (u64 p = base / PAGE_SIZE; p < base / PAGE_SIZE + pages; p++)
		if (!page_free[p])
			return false;
	return true;
}

/* The highest aligned free block ending at or below @limit, or 0. */
static u64 model_alloc(u64 pages, u64 align, u64 limit)
{
	u64 top = MIN(limit, MODEL_PAGES * PAGE_SIZE), size = pages * PAGE_SIZE;

	if (top < size)
		return 0;
	for (u64 b = ALIGN_DOWN(top - size, align);; b -= align) {
		if (model_range_free(b, pages))
			return b;
		if (b < align)
			return 0;
	}
}

static void model_set(u64 base, u64 pages, bool free)
{
	for (u64 p = base / PAGE_SIZE; p < base / PAGE_SIZE + pages; p++)
		page_free[p] = free;
}

static void model_check(void)
{
	u64 free_pages = 0;
	unsigned runs = 0;

	for (unsigned p = 0; p < MODEL_PAGES; p++) {
		free_pages += page_free[p];
		runs += page_free[p] && (p == 0 || !page_free[p - 1]);
	}
	assert_int_equal(pmm_free_bytes(), free_pages * PAGE_SIZE);
	assert_int_equal(pmm_extent_count(), runs);
}

static void test_random_against_bitmap(void **state)
{
	static struct block live[1024];
	unsigned nlive = 0;

	(void)state;
	INIT(model_map);
	model_init();
	model_check();
	for (unsigned step = 0; step < 20000; step++) {
		if (nlive && (rnd() % 100 < 45 || nlive == ARRAY_SIZE(live))) {
			unsigned k = rnd() % nlive;
			struct block b = live[k];

			live[k] = live[--nlive];
			pmm_free(b.base, b.bytes);
			model_set(b.base, ALIGN_UP(b.bytes, PAGE_SIZE) / PAGE_SIZE, true);
		} else {
			u64 pages = 1 + rnd() % 16;
			u64 bytes = pages * PAGE_SIZE - rnd() % PAGE_SIZE;
			u64 align = PAGE_SIZE << (rnd() % 6);
			u64 limit = ~0ULL, got, want;

			switch (rnd() % 4) {
			case 0: limit = 0x100000 + rnd() % 0x280000; break;
			case 1: limit = ALIGN_DOWN(rnd() % 0x380000, PAGE_SIZE); break;
			}
			want = model_alloc(pages, align, limit);
			got = limit == ~0ULL ? pmm_alloc(bytes, align) :
					       pmm_alloc_below(bytes, align, limit);
			assert_int_equal(got, want);
			if (got) {
				assert_true(IS_ALIGNED(got, align));
				assert_true(got >= PMM_LOW_LIMIT);
				assert_true(got + pages * PAGE_SIZE <= limit);
				for (unsigned i = 0; i < nlive; i++)
					assert_true(got + pages * PAGE_SIZE <= live[i].base ||
						    live[i].base + ALIGN_UP(live[i].bytes, PAGE_SIZE) <= got);
				model_set(got, pages, false);
				live[nlive++] = (struct block){ got, bytes };
			}
		}
		model_check();
	}
	while (nlive) {
		nlive--;
		pmm_free(live[nlive].base, live[nlive].bytes);
	}
	model_init();
	model_check();
	assert_int_equal(pmm_extent_count(), 3);
	assert_int_equal(pmm_free_bytes(), 0x40000 + 0xb0000 + 0x170000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_low_memory_never_used),
		cmocka_unit_test(test_only_usable_regions),
		cmocka_unit_test(test_init_aligns_and_merges),
		cmocka_unit_test(test_init_resets),
		cmocka_unit_test(test_top_down),
		cmocka_unit_test(test_skips_small_extents),
		cmocka_unit_test(test_size_rounded_to_pages),
		cmocka_unit_test(test_align_2m),
		cmocka_unit_test(test_align_1g),
		cmocka_unit_test(test_align_no_fit),
		cmocka_unit_test(test_bad_align),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_free_coalesce_both),
		cmocka_unit_test(test_free_coalesce_one_side),
		cmocka_unit_test(test_alloc_splits),
		cmocka_unit_test(test_extent_list_full),
		cmocka_unit_test(test_random_against_bitmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
