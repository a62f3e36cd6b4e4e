// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the shared 4-level page-table builder
 * (arch/x86/pgtable.c) in its three formats: host (with and without NX),
 * AMD nested paging and Intel EPT. Table pages come from a counting
 * allocator of zeroed 4 KiB host pages (phys_to_virt is the identity on
 * the host) that can be told to fail after a number of pages; mapped
 * "physical" addresses are plain numbers and never touched. Checked: the
 * exact leaf and table-entry bits of each format, the page sizes chosen for
 * aligned and unaligned ranges (counted by walking the tables), 1 GiB
 * leaves only when allowed, splitting of 2 MiB and 1 GiB leaves with their
 * other translations and attributes kept, unmapping inside large pages,
 * pt_lookup offsets, and allocation failures that leave earlier mappings
 * byte-for-byte intact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/pgtable.h"

#define MAX_PAGES 64
#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

#define BIT_P (1ULL << 0)
#define BIT_W (1ULL << 1)
#define BIT_U (1ULL << 2)
#define BIT_PWT (1ULL << 3)
#define BIT_PCD (1ULL << 4)
#define BIT_PS (1ULL << 7)
#define BIT_NX (1ULL << 63)

#define PROT_RW (PT_PROT_R | PT_PROT_W)
#define PROT_RX (PT_PROT_R | PT_PROT_X)
#define PROT_RWX (PT_PROT_R | PT_PROT_W | PT_PROT_X)

static const struct pt_format *const formats[] = {
	&pt_format_host, &pt_format_npt, &pt_format_ept,
};

/* Whether the host format currently sets NX (pt_format_host_setup). */
static bool host_nx = true;

/* ---- a counting page allocator ---- */

struct pages {
	void *page[MAX_PAGES];
	unsigned n;
	unsigned limit; /* allocations past this many fail */
};

static u64 alloc_page(void *ctx)
{
	struct pages *p = ctx;
	void *pg;

	if (p->n >= p->limit || p->n >= MAX_PAGES)
		return 0;
	pg = aligned_alloc(4096, 4096);
	assert_non_null(pg);
	memset(pg, 0, 4096);
	p->page[p->n++] = pg;
	return (u64)(uintptr_t)pg;
}

struct fx {
	struct pages pages;
	struct pt pt;
	struct fx *next; /* live fixtures, freed by teardown after a failure */
};

static struct fx *live;

static struct fx *fx_new(const struct pt_format *fmt, bool allow_1g)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pages.limit = MAX_PAGES;
	assert_true(pt_init(&f->pt, fmt, alloc_page, &f->pages));
	assert_int_equal(f->pages.n, 1);
	assert_int_equal(f->pt.root, (u64)(uintptr_t)f->pages.page[0]);
	assert_ptr_equal(f->pt.fmt, fmt);
	assert_int_equal(f->pt.large, PT_LARGE_2M); /* pt_init's default */
	assert_int_equal(f->pt.levels, 4);
	if (allow_1g)
		f->pt.large |= PT_LARGE_1G;
	f->next = live;
	live = f;
	return f;
}

static void fx_free(struct fx *f)
{
	struct fx **pp = &live;

	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	for (unsigned i = 0; i < f->pages.n; i++)
		free(f->pages.page[i]);
	free(f);
}

/* Free what a failed test left behind (cmocka leaves by longjmp). */
static int teardown(void **state)
{
	(void)state;
	while (live)
		fx_free(live);
	return 0;
}

/* ---- expected encodings, written from the manuals ---- */

static u64 want_table_bits(const struct pt_format *fmt)
{
	if (fmt == &pt_format_host)
		return BIT_P | BIT_W; /* 0x3 */
	return 0x7; /* NPT: P|W|U; EPT: R|W|X */
}

static u64 want_leaf(const struct pt_format *fmt, u64 pa, u32 prot,
		     enum pt_memtype mt, int level)
{
	u64 e = pa;

	if (fmt == &pt_format_ept) {
		e |= prot & 7;                               /* bits 0-2: R W X */
		e |= (mt == PT_MEM_WB ? 6ULL : 0ULL) << 3;   /* bits 5:3 type */
	} else {
		e |= BIT_P;
		if (prot & PT_PROT_W)
			e |= BIT_W;
		if (!(prot & PT_PROT_X) && (fmt == &pt_format_npt || host_nx))
			e |= BIT_NX;
		if (mt == PT_MEM_UC)
			e |= BIT_PCD | BIT_PWT;
		if (fmt == &pt_format_npt)
			e |= BIT_U;
	}
	if (level > 1)
		e |= BIT_PS;
	return e;
}

/* ---- walking ---- */

struct counts {
	unsigned leaves[4]; /* [1] 4 KiB, [2] 2 MiB, [3] 1 GiB */
	unsigned tables;    /* table entries below the root */
};

static void walk(const struct pt *pt, u64 table, int level, struct counts *c)
{
	const u64 *tab = (const u64 *)(uintptr_t)table;

	for (unsigned i = 0; i < 512; i++) {
		u64 e = tab[i];

		if (!(e & pt->fmt->present_mask))
			continue;
		if (level == 1 || (level < 4 && (e & BIT_PS))) {
			c->leaves[level]++;
			continue;
		}
		/* Every table entry carries exactly the format's table bits. */
		assert_int_equal(e & ~PT_ADDR_MASK, want_table_bits(pt->fmt));
		c->tables++;
		walk(pt, e & PT_ADDR_MASK, level - 1, c);
	}
}

static void expect_counts(const struct pt *pt, unsigned l1, unsigned l2, unsigned l3)
{
	struct counts c = { 0 };

	walk(pt, pt->root, 4, &c);
	assert_int_equal(c.leaves[1], l1);
	assert_int_equal(c.leaves[2], l2);
	assert_int_equal(c.leaves[3], l3);
}

/* pt_leaf_bytes over [va, va+size): @b4k, @b2m, @b1g bytes. */
static void expect_leaf_bytes(const struct pt *pt, u64 va, u64 size, u64 b4k, u64 b2m, u64 b1g)
{
	u64 b[3] = { 1, 1, 1 };

	pt_leaf_bytes(pt, va, size, b);
	assert_int_equal(b[0], b4k);
	assert_int_equal(b[1], b2m);
	assert_int_equal(b[2], b1g);
}

/* pt_lookup must give exactly @pa, @leaf and @level for @va. */
static void expect_map(const struct pt *pt, u64 va, u64 pa, u64 leaf, int level)
{
	u64 got_pa = 0, got_leaf = 0;
	int got_level = 0;

	assert_true(pt_lookup(pt, va, &got_pa, &got_leaf, &got_level));
	assert_int_equal(got_level, level);
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_leaf, leaf);
}

static void expect_unmapped(const struct pt *pt, u64 va)
{
	u64 pa, leaf;
	int level;

	assert_false(pt_lookup(pt, va, &pa, &leaf, &level));
}

static int level_of(const struct pt *pt, u64 va)
{
	u64 pa, leaf;
	int level = 0;

	if (!pt_lookup(pt, va, &pa, &leaf, &level))
		return 0;
	return level;
}

static u64 entry_at(u64 table, unsigned index)
{
	return ((const u64 *)(uintptr_t)table)[index];
}

/* ---- tests ---- */

static void test_format_descriptors(void **state)
{
	(void)state;
	assert_string_equal(pt_format_host.name, "host");
	assert_string_equal(pt_format_npt.name, "npt");
	assert_string_equal(pt_format_ept.name, "ept");
	assert_int_equal(pt_format_host.table_bits, 0x3);
	assert_int_equal(pt_format_npt.table_bits, 0x7);
	assert_int_equal(pt_format_ept.table_bits, 0x7);
	assert_int_equal(pt_format_host.present_mask, 0x1);
	assert_int_equal(pt_format_npt.present_mask, 0x1);
	assert_int_equal(pt_format_ept.present_mask, 0x7);
	assert_int_equal(PT_LARGE, 0x80);
	assert_int_equal(PT_ADDR_MASK, 0x000ffffffffff000ULL);
}

/* A 2 MiB-aligned 2 MiB range is one 2 MiB leaf, for every prot/type. */
static void test_2m_leaf_bits(void **state)
{
	static const u32 prots[] = { PT_PROT_R, PROT_RW, PROT_RX, PROT_RWX };
	static const enum pt_memtype mts[] = { PT_MEM_WB, PT_MEM_UC };
	const u64 va = 0x40200000, pa = 0x12200000;

	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++)
		for (unsigned p = 0; p < ARRAY_SIZE(prots); p++)
			for (unsigned m = 0; m < ARRAY_SIZE(mts); m++) {
				struct fx *x = fx_new(formats[f], false);
				u64 want = want_leaf(formats[f], pa, prots[p], mts[m], 2);
				u64 pdpt, pd;

				assert_true(pt_map(&x->pt, va, pa, SZ_2M, prots[p], mts[m]));
				assert_int_equal(x->pages.n, 3); /* root, PDPT, PD */
				expect_map(&x->pt, va, pa, want, 2);
				expect_map(&x->pt, va + SZ_2M - 1, pa + SZ_2M - 1, want, 2);
				expect_unmapped(&x->pt, va - 1);
				expect_unmapped(&x->pt, va + SZ_2M);
				expect_counts(&x->pt, 0, 1, 0);
				/* The path: PML4[0] -> PDPT[1] -> PD[1] */
				pdpt = entry_at(x->pt.root, 0);
				assert_int_equal(pdpt & ~PT_ADDR_MASK, want_table_bits(formats[f]));
				assert_int_equal(pdpt & PT_ADDR_MASK, (u64)(uintptr_t)x->pages.page[1]);
				pd = entry_at(pdpt & PT_ADDR_MASK, 1);
				assert_int_equal(pd & ~PT_ADDR_MASK, want_table_bits(formats[f]));
				assert_int_equal(entry_at(pd & PT_ADDR_MASK, 1), want);
				fx_free(x);
			}
}

/* Literal encodings (no helper in between): 2 MiB and 4 KiB leaves. */
static void test_literal_leaves(void **state)
{
	static const struct {
		const struct pt_format *fmt;
		u64 size;
		u32 prot;
		enum pt_memtype mt;
		u64 leaf;
	} cases[] = {
		{ &pt_format_host, SZ_2M, PROT_RW, PT_MEM_WB, 0x8000000012200083ULL },
		{ &pt_format_host, SZ_2M, PT_PROT_R, PT_MEM_UC, 0x8000000012200099ULL },
		{ &pt_format_host, SZ_4K, PROT_RWX, PT_MEM_WB, 0x0000000012200003ULL },
		{ &pt_format_host, SZ_4K, PROT_RX, PT_MEM_UC, 0x0000000012200019ULL },
		{ &pt_format_npt, SZ_2M, PROT_RW, PT_MEM_WB, 0x8000000012200087ULL },
		{ &pt_format_npt, SZ_4K, PROT_RX, PT_MEM_UC, 0x000000001220001dULL },
		{ &pt_format_npt, SZ_4K, PROT_RWX, PT_MEM_WB, 0x0000000012200007ULL },
		{ &pt_format_ept, SZ_2M, PROT_RW, PT_MEM_WB, 0x00000000122000b3ULL },
		{ &pt_format_ept, SZ_2M, PROT_RWX, PT_MEM_UC, 0x0000000012200087ULL },
		{ &pt_format_ept, SZ_4K, PT_PROT_R, PT_MEM_WB, 0x0000000012200031ULL },
		{ &pt_format_ept, SZ_4K, PROT_RWX, PT_MEM_UC, 0x0000000012200007ULL },
		{ &pt_format_ept, SZ_4K, PROT_RX, PT_MEM_WB, 0x0000000012200035ULL },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fx *x = fx_new(cases[i].fmt, false);

		assert_true(pt_map(&x->pt, 0x600000, 0x12200000, cases[i].size,
				   cases[i].prot, cases[i].mt));
		expect_map(&x->pt, 0x600000 + 0x7b, 0x1220007b, cases[i].leaf,
			   cases[i].size == SZ_2M ? 2 : 1);
		fx_free(x);
	}
}

/* The host format leaves NX out when the CPU lacks it. */
static void test_host_without_nx(void **state)
{
	struct fx *x;

	(void)state;
	pt_format_host_setup(false);
	host_nx = false;
	x = fx_new(&pt_format_host, false);
	assert_true(pt_map(&x->pt, 0x1000, 0x5000, SZ_4K, PT_PROT_R, PT_MEM_WB));
	expect_map(&x->pt, 0x1000, 0x5000, 0x5001, 1);
	assert_true(pt_map(&x->pt, SZ_2M, SZ_2M, SZ_2M, PROT_RW, PT_MEM_UC));
	expect_map(&x->pt, SZ_2M, SZ_2M, SZ_2M | 0x9b, 2);
	fx_free(x);

	pt_format_host_setup(true);
	host_nx = true;
	x = fx_new(&pt_format_host, false);
	assert_true(pt_map(&x->pt, 0x1000, 0x5000, SZ_4K, PT_PROT_R, PT_MEM_WB));
	expect_map(&x->pt, 0x1000, 0x5000, BIT_NX | 0x5001, 1);
	fx_free(x);
}

/* 1 GiB leaves are used only when pt.large says the CPU has them. */
static void test_1g_leaf_only_when_allowed(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, false);

		assert_true(pt_map(&x->pt, SZ_1G, 2 * SZ_1G, SZ_1G, PROT_RW, PT_MEM_WB));
		expect_counts(&x->pt, 0, 512, 0);
		assert_int_equal(x->pages.n, 3);
		expect_map(&x->pt, SZ_1G + 0x12345678, 2 * SZ_1G + 0x12345678,
			   want_leaf(fmt, 2 * SZ_1G + 0x12200000, PROT_RW, PT_MEM_WB, 2), 2);
		fx_free(x);

		x = fx_new(fmt, true);
		assert_true(pt_map(&x->pt, SZ_1G, 2 * SZ_1G, SZ_1G, PROT_RW, PT_MEM_WB));
		expect_counts(&x->pt, 0, 0, 1);
		expect_leaf_bytes(&x->pt, SZ_1G, SZ_1G, 0, 0, SZ_1G);
		/* Parts of the leaf, and an unmapped stretch around it. */
		expect_leaf_bytes(&x->pt, SZ_1G + 0x1000, 0x3000, 0, 0, 0x3000);
		expect_leaf_bytes(&x->pt, SZ_1G - 0x5000, SZ_1G + 0xa000, 0, 0, SZ_1G);
		assert_int_equal(x->pages.n, 2); /* root, PDPT */
		expect_map(&x->pt, SZ_1G + 0x12345678, 2 * SZ_1G + 0x12345678,
			   want_leaf(fmt, 2 * SZ_1G, PROT_RW, PT_MEM_WB, 3), 3);
		assert_int_equal(entry_at(entry_at(x->pt.root, 0) & PT_ADDR_MASK, 1) & BIT_PS,
				 BIT_PS);
		/* 1 GiB-aligned va with an only 2 MiB-aligned pa: no 1 GiB leaf. */
		assert_true(pt_map(&x->pt, 4 * SZ_1G, 5 * SZ_1G + SZ_2M, SZ_1G, PROT_RW,
				   PT_MEM_WB));
		expect_counts(&x->pt, 0, 512, 1);
		expect_leaf_bytes(&x->pt, SZ_1G, 4 * SZ_1G, 0, SZ_1G, SZ_1G);
		fx_free(x);
	}
}

/* Unaligned ranges: 4 KiB pages at the edges, large pages in the middle. */
static void test_unaligned_range_edges(void **state)
{
	const u64 va = 0x1fc000, end = 0x603000, size = end - va;

	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, false);

		/* pa keeps va's alignment: 4 + 3 small pages, 2 large ones. */
		assert_true(pt_map(&x->pt, va, va + 0x10000000, size, PROT_RW, PT_MEM_WB));
		expect_counts(&x->pt, 7, 2, 0);
		expect_leaf_bytes(&x->pt, va, size, 7 * SZ_4K, 2 * SZ_2M, 0);
		expect_leaf_bytes(&x->pt, 0, SZ_1G, 7 * SZ_4K, 2 * SZ_2M, 0);
		expect_leaf_bytes(&x->pt, 0x1fe800, 0x2000, 0x1800, 0x800, 0);
		expect_unmapped(&x->pt, va - 1);
		expect_unmapped(&x->pt, end);
		assert_int_equal(level_of(&x->pt, va), 1);
		assert_int_equal(level_of(&x->pt, 0x1ff000), 1);
		assert_int_equal(level_of(&x->pt, 0x200000), 2);
		assert_int_equal(level_of(&x->pt, 0x5fffff), 2);
		assert_int_equal(level_of(&x->pt, 0x600000), 1);
		assert_int_equal(level_of(&x->pt, 0x602fff), 1);
		expect_map(&x->pt, 0x1fd234, 0x101fd234,
			   want_leaf(fmt, 0x101fd000, PROT_RW, PT_MEM_WB, 1), 1);
		expect_map(&x->pt, 0x412345, 0x10412345,
			   want_leaf(fmt, 0x10400000, PROT_RW, PT_MEM_WB, 2), 2);
		fx_free(x);

		/* pa one page off: no large page can be used. */
		x = fx_new(fmt, false);
		assert_true(pt_map(&x->pt, va, va + 0x1000, size, PROT_RW, PT_MEM_WB));
		expect_counts(&x->pt, (unsigned)(size / SZ_4K), 0, 0);
		assert_int_equal(size / SZ_4K, 1031);
		expect_map(&x->pt, 0x400000, 0x401000,
			   want_leaf(fmt, 0x401000, PROT_RW, PT_MEM_WB, 1), 1);
		fx_free(x);

		/* 4K | 2M | 1G | 2M | 4K around a 1 GiB-aligned middle. */
		x = fx_new(fmt, true);
		assert_true(pt_map(&x->pt, SZ_1G - SZ_2M - SZ_4K, 4 * SZ_1G - SZ_2M - SZ_4K,
				   SZ_1G + 2 * SZ_2M + 2 * SZ_4K, PROT_RWX, PT_MEM_WB));
		expect_counts(&x->pt, 2, 2, 1);
		expect_leaf_bytes(&x->pt, SZ_1G - SZ_2M - SZ_4K, SZ_1G + 2 * SZ_2M + 2 * SZ_4K,
				  2 * SZ_4K, 2 * SZ_2M, SZ_1G);
		assert_int_equal(level_of(&x->pt, SZ_1G - SZ_2M - SZ_4K), 1);
		assert_int_equal(level_of(&x->pt, SZ_1G - SZ_2M), 2);
		assert_int_equal(level_of(&x->pt, SZ_1G), 3);
		assert_int_equal(level_of(&x->pt, 2 * SZ_1G), 2);
		assert_int_equal(level_of(&x->pt, 2 * SZ_1G + SZ_2M), 1);
		expect_unmapped(&x->pt, 2 * SZ_1G + SZ_2M + SZ_4K);
		fx_free(x);

		/* The same without 1 GiB pages: 514 2 MiB leaves. */
		x = fx_new(fmt, false);
		assert_true(pt_map(&x->pt, SZ_1G - SZ_2M - SZ_4K, 4 * SZ_1G - SZ_2M - SZ_4K,
				   SZ_1G + 2 * SZ_2M + 2 * SZ_4K, PROT_RWX, PT_MEM_WB));
		expect_counts(&x->pt, 2, 514, 0);
		fx_free(x);
	}
}

/* Sizes are rounded up to whole pages. */
static void test_size_rounded_up(void **state)
{
	struct fx *x = fx_new(&pt_format_ept, false);

	(void)state;
	assert_true(pt_map(&x->pt, 0x10000, 0x20000, 1, PT_PROT_R, PT_MEM_WB));
	expect_counts(&x->pt, 1, 0, 0);
	assert_true(pt_map(&x->pt, 0x30000, 0x40000, SZ_4K + 1, PT_PROT_R, PT_MEM_WB));
	expect_counts(&x->pt, 3, 0, 0);
	assert_int_equal(level_of(&x->pt, 0x31000), 1);
	expect_unmapped(&x->pt, 0x32000);
	/* 2 MiB minus one byte still becomes one 2 MiB leaf. */
	assert_true(pt_map(&x->pt, SZ_2M, SZ_2M, SZ_2M - 1, PT_PROT_R, PT_MEM_WB));
	assert_int_equal(level_of(&x->pt, SZ_2M), 2);
	fx_free(x);
}

/* A 4 KiB page inside a 2 MiB leaf splits it; the rest keeps its bits. */
static void test_split_2m(void **state)
{
	const u64 va = SZ_2M, pa = 0x80000000, hit = va + 5 * SZ_4K;

	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, false);
		u64 pd;

		assert_true(pt_map(&x->pt, va, pa, SZ_2M, PROT_RW, PT_MEM_UC));
		assert_int_equal(x->pages.n, 3);
		assert_true(pt_map(&x->pt, hit, 0x90000000, SZ_4K, PT_PROT_R, PT_MEM_WB));
		assert_int_equal(x->pages.n, 4); /* one new page table */
		expect_counts(&x->pt, 512, 0, 0);
		for (u64 i = 0; i < 512; i++) {
			u64 a = va + i * SZ_4K;

			if (a == hit)
				expect_map(&x->pt, a + 0x10, 0x90000010,
					   want_leaf(fmt, 0x90000000, PT_PROT_R, PT_MEM_WB, 1), 1);
			else
				expect_map(&x->pt, a + 0x10, pa + i * SZ_4K + 0x10,
					   want_leaf(fmt, pa + i * SZ_4K, PROT_RW, PT_MEM_UC, 1), 1);
		}
		/* Bit 7 is gone from every level-1 entry; PD[1] is a table. */
		pd = entry_at(entry_at(x->pt.root, 0) & PT_ADDR_MASK, 0);
		assert_int_equal(entry_at(pd & PT_ADDR_MASK, 1) & ~PT_ADDR_MASK,
				 want_table_bits(fmt));
		for (unsigned i = 0; i < 512; i++)
			assert_int_equal(entry_at(entry_at(pd & PT_ADDR_MASK, 1) & PT_ADDR_MASK, i) &
					 BIT_PS, 0);
		fx_free(x);
	}
}

/* 1 GiB -> 2 MiB keeps bit 7; a further 4 KiB split clears it. */
static void test_split_1g(void **state)
{
	const u64 va = SZ_1G, pa = 8 * SZ_1G;

	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, true);

		assert_true(pt_map(&x->pt, va, pa, SZ_1G, PROT_RWX, PT_MEM_WB));
		expect_counts(&x->pt, 0, 0, 1);
		assert_true(pt_map(&x->pt, va + 3 * SZ_2M, 0x70000000, SZ_2M, PROT_RW,
				   PT_MEM_UC));
		assert_int_equal(x->pages.n, 3);
		expect_counts(&x->pt, 0, 512, 0);
		for (u64 i = 0; i < 512; i++) {
			u64 a = va + i * SZ_2M;

			if (i == 3)
				expect_map(&x->pt, a + 0x1234, 0x70001234,
					   want_leaf(fmt, 0x70000000, PROT_RW, PT_MEM_UC, 2), 2);
			else
				expect_map(&x->pt, a + 0x1234, pa + i * SZ_2M + 0x1234,
					   want_leaf(fmt, pa + i * SZ_2M, PROT_RWX, PT_MEM_WB, 2), 2);
		}

		assert_true(pt_map(&x->pt, va + 5 * SZ_2M + 0x3000, 0x1234000, SZ_4K,
				   PT_PROT_R, PT_MEM_WB));
		assert_int_equal(x->pages.n, 4);
		expect_counts(&x->pt, 512, 511, 0);
		for (u64 j = 0; j < 512; j++) {
			u64 a = va + 5 * SZ_2M + j * SZ_4K;
			u64 b = pa + 5 * SZ_2M + j * SZ_4K;

			if (j == 3)
				expect_map(&x->pt, a, 0x1234000,
					   want_leaf(fmt, 0x1234000, PT_PROT_R, PT_MEM_WB, 1), 1);
			else
				expect_map(&x->pt, a, b, want_leaf(fmt, b, PROT_RWX, PT_MEM_WB, 1), 1);
		}
		expect_map(&x->pt, va + 6 * SZ_2M, pa + 6 * SZ_2M,
			   want_leaf(fmt, pa + 6 * SZ_2M, PROT_RWX, PT_MEM_WB, 2), 2);
		fx_free(x);
	}
}

/* pt_unmap inside a large page splits it and clears only that range. */
static void test_unmap_inside_large(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, true);
		const u64 va = 0x400000, pa = 0xc0000000;

		assert_true(pt_map(&x->pt, va, pa, SZ_2M, PROT_RW, PT_MEM_WB));
		assert_true(pt_unmap(&x->pt, va + 0x10000, 0x3000));
		expect_counts(&x->pt, 509, 0, 0);
		expect_unmapped(&x->pt, va + 0x10000);
		expect_unmapped(&x->pt, va + 0x11800);
		expect_unmapped(&x->pt, va + 0x12fff);
		expect_map(&x->pt, va + 0xffff, pa + 0xffff,
			   want_leaf(fmt, pa + 0xf000, PROT_RW, PT_MEM_WB, 1), 1);
		expect_map(&x->pt, va + 0x13000, pa + 0x13000,
			   want_leaf(fmt, pa + 0x13000, PROT_RW, PT_MEM_WB, 1), 1);

		/* A 2 MiB chunk of a 1 GiB leaf. */
		assert_true(pt_map(&x->pt, 3 * SZ_1G, 6 * SZ_1G, SZ_1G, PROT_RW, PT_MEM_WB));
		expect_counts(&x->pt, 509, 0, 1);
		assert_true(pt_unmap(&x->pt, 3 * SZ_1G + 2 * SZ_2M, SZ_2M));
		expect_counts(&x->pt, 509, 511, 0);
		expect_unmapped(&x->pt, 3 * SZ_1G + 2 * SZ_2M);
		expect_unmapped(&x->pt, 3 * SZ_1G + 3 * SZ_2M - 1);
		expect_map(&x->pt, 3 * SZ_1G + 3 * SZ_2M, 6 * SZ_1G + 3 * SZ_2M,
			   want_leaf(fmt, 6 * SZ_1G + 3 * SZ_2M, PROT_RW, PT_MEM_WB, 2), 2);
		expect_map(&x->pt, 3 * SZ_1G + 2 * SZ_2M - 1, 6 * SZ_1G + 2 * SZ_2M - 1,
			   want_leaf(fmt, 6 * SZ_1G + SZ_2M, PROT_RW, PT_MEM_WB, 2), 2);

		/* A whole 2 MiB leaf goes with no split; sizes round up. */
		assert_true(pt_unmap(&x->pt, 3 * SZ_1G, SZ_2M));
		expect_counts(&x->pt, 509, 510, 0);
		assert_true(pt_unmap(&x->pt, 3 * SZ_1G + 4 * SZ_2M, 1));
		expect_counts(&x->pt, 509 + 511, 509, 0);
		expect_unmapped(&x->pt, 3 * SZ_1G + 4 * SZ_2M);
		assert_int_equal(level_of(&x->pt, 3 * SZ_1G + 4 * SZ_2M + SZ_4K), 1);
		fx_free(x);
	}
}

/* Unmapping across two 2 MiB leaves leaves just the outer pages. */
static void test_unmap_across_leaves(void **state)
{
	struct fx *x = fx_new(&pt_format_npt, false);
	unsigned pages;

	(void)state;
	assert_true(pt_map(&x->pt, 0, 0x40000000, 2 * SZ_2M, PROT_RW, PT_MEM_WB));
	expect_counts(&x->pt, 0, 2, 0);
	assert_true(pt_unmap(&x->pt, SZ_4K, 2 * SZ_2M - 2 * SZ_4K));
	expect_counts(&x->pt, 2, 0, 0);
	expect_map(&x->pt, 0, 0x40000000,
		   want_leaf(&pt_format_npt, 0x40000000, PROT_RW, PT_MEM_WB, 1), 1);
	expect_map(&x->pt, 2 * SZ_2M - SZ_4K, 0x40000000 + 2 * SZ_2M - SZ_4K,
		   want_leaf(&pt_format_npt, 0x40000000 + 2 * SZ_2M - SZ_4K, PROT_RW,
			     PT_MEM_WB, 1), 1);
	expect_unmapped(&x->pt, SZ_4K);
	expect_unmapped(&x->pt, SZ_2M);

	/* Unmapping what was never mapped succeeds and allocates nothing. */
	pages = x->pages.n;
	assert_true(pt_unmap(&x->pt, 0x7f0000000000ULL, SZ_1G + SZ_4K));
	assert_true(pt_unmap(&x->pt, 6 * SZ_2M + SZ_4K, 3 * SZ_4K));
	assert_int_equal(x->pages.n, pages);
	expect_counts(&x->pt, 2, 0, 0);
	fx_free(x);
}

/* pt_lookup returns the exact address inside 4 KiB, 2 MiB, 1 GiB pages. */
static void test_lookup_offsets(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, true);
		u64 pa, leaf;
		int level;

		assert_true(pt_map(&x->pt, 0x7f8000001000ULL, 0x5000, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, 0x600000, 0x40000000, SZ_2M, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, 0x8000000000ULL, 0x2c0000000ULL, SZ_1G, PROT_RW,
				   PT_MEM_WB));
		assert_true(pt_map(&x->pt, 0xffffffff80000000ULL, 0x1000000, SZ_2M, PROT_RX,
				   PT_MEM_WB));

		assert_true(pt_lookup(&x->pt, 0x7f8000001123ULL, &pa, &leaf, &level));
		assert_int_equal(pa, 0x5123);
		assert_int_equal(level, 1);
		assert_true(pt_lookup(&x->pt, 0x7abcde, &pa, &leaf, &level));
		assert_int_equal(pa, 0x401abcde);
		assert_int_equal(level, 2);
		assert_true(pt_lookup(&x->pt, 0x803abcdef1ULL, &pa, &leaf, &level));
		assert_int_equal(pa, 0x2fabcdef1ULL);
		assert_int_equal(level, 3);
		assert_true(pt_lookup(&x->pt, 0xffffffff801fffffULL, &pa, &leaf, &level));
		assert_int_equal(pa, 0x11fffff);
		assert_int_equal(level, 2);

		expect_unmapped(&x->pt, 0x7f8000000fffULL);
		expect_unmapped(&x->pt, 0x7f8000002000ULL);
		expect_unmapped(&x->pt, 0x5fffff);
		expect_unmapped(&x->pt, 0x800000);
		expect_unmapped(&x->pt, 0x8040000000ULL);
		expect_unmapped(&x->pt, 0);
		fx_free(x);
	}
}

/* Mapping again replaces the translation; a large leaf over small ones. */
static void test_remap_replaces(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, false);

		assert_true(pt_map(&x->pt, 0x3000, 0xa000, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, 0x3000, 0xb000, SZ_4K, PT_PROT_R, PT_MEM_UC));
		expect_map(&x->pt, 0x3000, 0xb000, want_leaf(fmt, 0xb000, PT_PROT_R, PT_MEM_UC, 1),
			   1);
		expect_counts(&x->pt, 1, 0, 0);
		assert_true(pt_map(&x->pt, 0, 0x20000000, SZ_2M, PROT_RWX, PT_MEM_WB));
		expect_map(&x->pt, 0x3000, 0x20003000,
			   want_leaf(fmt, 0x20000000, PROT_RWX, PT_MEM_WB, 2), 2);
		expect_counts(&x->pt, 0, 1, 0);
		fx_free(x);
	}
}

/* Copy of every table page, to prove a failed map changed nothing. */
struct snapshot {
	unsigned n;
	u8 bytes[MAX_PAGES][4096];
};

static struct snapshot snap;

static struct snapshot *snap_take(const struct fx *x)
{
	struct snapshot *s = &snap;

	s->n = x->pages.n;
	for (unsigned i = 0; i < s->n; i++)
		memcpy(s->bytes[i], x->pages.page[i], 4096);
	return s;
}

static void snap_same(const struct snapshot *s, const struct fx *x)
{
	assert_int_equal(x->pages.n, s->n);
	for (unsigned i = 0; i < s->n; i++)
		assert_memory_equal(s->bytes[i], x->pages.page[i], 4096);
}

static void test_alloc_failure(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		const u64 leaf2m = want_leaf(fmt, 0x80000000, PROT_RW, PT_MEM_WB, 2);
		struct pages none = { .limit = 0 };
		struct pt bad;
		struct snapshot *s;
		struct fx *x;

		/* No root page: pt_init fails. */
		assert_false(pt_init(&bad, fmt, alloc_page, &none));
		assert_int_equal(bad.root, 0);

		x = fx_new(fmt, true);
		assert_true(pt_map(&x->pt, SZ_2M, 0x80000000, SZ_2M, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, SZ_1G, 4 * SZ_1G, SZ_1G, PROT_RW, PT_MEM_WB));
		assert_int_equal(x->pages.n, 3);
		x->pages.limit = x->pages.n;
		s = snap_take(x);

		/* A split of the 2 MiB leaf needs a page. */
		assert_false(pt_map(&x->pt, SZ_2M + SZ_4K, 0x1000, SZ_4K, PT_PROT_R, PT_MEM_WB));
		snap_same(s, x);
		/* So does a split of the 1 GiB leaf, for map and for unmap. */
		assert_false(pt_map(&x->pt, SZ_1G + SZ_2M, 0, SZ_2M, PT_PROT_R, PT_MEM_WB));
		snap_same(s, x);
		assert_false(pt_unmap(&x->pt, SZ_1G, SZ_4K));
		snap_same(s, x);
		/* A new PML4 slot needs a PDPT. */
		assert_false(pt_map(&x->pt, 0x8000000000ULL, 0, SZ_4K, PROT_RW, PT_MEM_WB));
		snap_same(s, x);
		expect_map(&x->pt, SZ_2M + SZ_4K, 0x80001000, leaf2m, 2);
		expect_map(&x->pt, SZ_1G + SZ_2M, 4 * SZ_1G + SZ_2M,
			   want_leaf(fmt, 4 * SZ_1G, PROT_RW, PT_MEM_WB, 3), 3);

		/* One page left: the PDPT is linked, the PD is not; old intact. */
		x->pages.limit = x->pages.n + 1;
		assert_false(pt_map(&x->pt, 0x8000000000ULL, 0, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_int_equal(x->pages.n, 4);
		expect_unmapped(&x->pt, 0x8000000000ULL);
		expect_map(&x->pt, SZ_2M, 0x80000000, leaf2m, 2);
		expect_counts(&x->pt, 0, 1, 1);
		/* With pages again the retry completes, reusing that PDPT. */
		x->pages.limit = MAX_PAGES;
		assert_true(pt_map(&x->pt, 0x8000000000ULL, 0, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_int_equal(x->pages.n, 6);
		expect_counts(&x->pt, 1, 1, 1);

		/* A range that runs out in its second half: the first half is
		 * mapped, the rest is not, earlier mappings are untouched. */
		x->pages.limit = x->pages.n + 1;
		assert_false(pt_map(&x->pt, 3 * SZ_2M - SZ_4K, 0x9000, 2 * SZ_4K, PROT_RW,
				    PT_MEM_WB));
		assert_int_equal(level_of(&x->pt, 3 * SZ_2M - SZ_4K), 1);
		expect_unmapped(&x->pt, 3 * SZ_2M);
		expect_map(&x->pt, SZ_2M, 0x80000000, leaf2m, 2);
		expect_counts(&x->pt, 2, 1, 1);
		fx_free(x);
	}
}

/*
 * A va or pa that is not 4 KiB aligned fits no level. This once wrote a
 * table pointer into the level-1 entry before giving up, leaving the va
 * mapped to a fresh table page; apply() now refuses such ranges before
 * touching any table (commit 43c9209). Regression test.
 */
static void test_unaligned_address_refused(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		struct fx *x = fx_new(formats[f], false);

		assert_false(pt_map(&x->pt, 0x1000, 0x2001, SZ_4K, PROT_RW, PT_MEM_WB));
		expect_unmapped(&x->pt, 0x1000);
		assert_false(pt_map(&x->pt, 0x5800, 0x6000, SZ_4K, PROT_RW, PT_MEM_WB));
		expect_unmapped(&x->pt, 0x5000);
		assert_int_equal(x->pages.n, 1); /* no table was even allocated */
		/* pt_unmap likewise, and a mapped page stays. */
		assert_true(pt_map(&x->pt, 0x7000, 0x8000, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_false(pt_unmap(&x->pt, 0x7800, SZ_4K));
		expect_map(&x->pt, 0x7000, 0x8000,
			   want_leaf(formats[f], 0x8000, PROT_RW, PT_MEM_WB, 1), 1);
		fx_free(x);
	}
}


/*
 * pt_map_new (the IOMMUs' domains): nothing is replaced or split, a range
 * beyond the tables' reach or the address field is refused, 3-level
 * tables reach 512 GiB and may hold 1 GiB leaves at their top.
 */
static void test_map_new(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		const struct pt_format *fmt = formats[f];
		struct fx *x = fx_new(fmt, true);
		u64 leaf2m = want_leaf(fmt, 0x80000000, PROT_RW, PT_MEM_WB, 2);

		assert_true(pt_map_new(&x->pt, SZ_2M, 0x80000000, SZ_2M, PROT_RW));
		expect_map(&x->pt, SZ_2M + 0x123, 0x80000123, leaf2m, 2);
		/* under the 2 MiB leaf, over it, and the same again: refused */
		assert_false(pt_map_new(&x->pt, SZ_2M + SZ_4K, 0x1000, SZ_4K, PROT_RW));
		assert_false(pt_map_new(&x->pt, SZ_2M, 0, 2 * SZ_2M, PROT_RW));
		assert_false(pt_map_new(&x->pt, SZ_2M, 0x80000000, SZ_2M, PROT_RW));
		expect_map(&x->pt, SZ_2M, 0x80000000, leaf2m, 2);
		expect_unmapped(&x->pt, 2 * SZ_2M); /* the failed range wrote nothing */
		/* a 4 KiB page, then a 2 MiB leaf over its table: refused */
		assert_true(pt_map_new(&x->pt, 4 * SZ_2M + SZ_4K, 0x5000, SZ_4K, PROT_RW));
		assert_false(pt_map_new(&x->pt, 4 * SZ_2M, 0x80000000, SZ_2M, PROT_RW));
		/* empty, unaligned size, wrapping, beyond 48 bits, beyond 52 */
		assert_false(pt_map_new(&x->pt, 8 * SZ_2M, 0, 0, PROT_RW));
		assert_false(pt_map_new(&x->pt, 8 * SZ_2M, 0, 0x800, PROT_RW));
		assert_false(pt_map_new(&x->pt, ~0xfffULL, 0, 2 * SZ_4K, PROT_RW));
		assert_false(pt_map_new(&x->pt, 1ULL << 48, 0, SZ_4K, PROT_RW));
		assert_false(pt_map_new(&x->pt, 8 * SZ_2M, 1ULL << 52, SZ_4K, PROT_RW));
		expect_unmapped(&x->pt, 8 * SZ_2M);

		/* 3 levels: 39-bit reach, a 1 GiB leaf in the top table */
		x->pt.levels = 3;
		memset((void *)(uintptr_t)x->pt.root, 0, 4096);
		assert_false(pt_map_new(&x->pt, 1ULL << 39, 0, SZ_4K, PROT_RW));
		assert_true(pt_map_new(&x->pt, (1ULL << 39) - SZ_1G, 2 * SZ_1G, SZ_1G, PROT_RW));
		expect_map(&x->pt, (1ULL << 39) - 1, 3 * SZ_1G - 1,
			   want_leaf(fmt, 2 * SZ_1G, PROT_RW, PT_MEM_WB, 3), 3);
		assert_int_equal(((u64 *)(uintptr_t)x->pt.root)[511],
				 want_leaf(fmt, 2 * SZ_1G, PROT_RW, PT_MEM_WB, 3));
		fx_free(x);
	}
}

/* A reader that does not snoop (flush hook): every table written and
 * every entry stored is flushed. */
static unsigned flushed_tables, flushed_entries;

static void count_flush(const void *p, size_t len)
{
	(void)p;
	if (len == 4096)
		flushed_tables++;
	else if (len == sizeof(u64))
		flushed_entries++;
}

static void test_flush_hook(void **state)
{
	struct fx *x = fx_new(&pt_format_ept, false);

	(void)state;
	x->pt.flush = count_flush;
	flushed_tables = flushed_entries = 0;
	/* PDPT, PD, PT made (3 tables, 3 links), two 4 KiB leaves */
	assert_true(pt_map(&x->pt, 0x1000, 0x9000, 2 * SZ_4K, PROT_RW, PT_MEM_WB));
	assert_int_equal(flushed_tables, 3);
	assert_int_equal(flushed_entries, 5);
	/* a 2 MiB leaf split: one table, its link, then the new leaf */
	assert_true(pt_map(&x->pt, SZ_2M, 0x400000, SZ_2M, PROT_RW, PT_MEM_WB));
	assert_true(pt_map(&x->pt, SZ_2M, 0x7000, SZ_4K, PT_PROT_R, PT_MEM_WB));
	assert_int_equal(flushed_tables, 4);
	assert_int_equal(flushed_entries, 8);
	fx_free(x);
}

/* pt_destroy gives back every table, none twice, and empties the set. */
static struct fx *destroy_fx;
static unsigned freed;

static void count_free(u64 table)
{
	bool found = false;

	for (unsigned i = 0; i < destroy_fx->pages.n; i++)
		if ((u64)(uintptr_t)destroy_fx->pages.page[i] == table) {
			found = true;
			free(destroy_fx->pages.page[i]);
			destroy_fx->pages.page[i] = NULL; /* not freed again by fx_free */
		}
	assert_true(found);
	freed++;
}

static void test_destroy(void **state)
{
	(void)state;
	for (unsigned f = 0; f < ARRAY_SIZE(formats); f++) {
		struct fx *x = fx_new(formats[f], true);

		assert_true(pt_map(&x->pt, 0x1000, 0x9000, SZ_4K, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, SZ_2M, 0x400000, SZ_2M, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, SZ_1G, SZ_1G, SZ_1G, PROT_RW, PT_MEM_WB));
		assert_true(pt_map(&x->pt, 0x8000000000ULL, 0, SZ_4K, PROT_RW, PT_MEM_WB));
		destroy_fx = x;
		freed = 0;
		pt_destroy(&x->pt, count_free);
		assert_int_equal(freed, x->pages.n); /* root, 2 PDPTs, 2 PDs, 2 PTs */
		assert_int_equal(freed, 7);
		assert_int_equal(x->pt.root, 0);
		fx_free(x);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_format_descriptors, teardown),
		cmocka_unit_test_teardown(test_2m_leaf_bits, teardown),
		cmocka_unit_test_teardown(test_literal_leaves, teardown),
		cmocka_unit_test_teardown(test_host_without_nx, teardown),
		cmocka_unit_test_teardown(test_1g_leaf_only_when_allowed, teardown),
		cmocka_unit_test_teardown(test_unaligned_range_edges, teardown),
		cmocka_unit_test_teardown(test_size_rounded_up, teardown),
		cmocka_unit_test_teardown(test_split_2m, teardown),
		cmocka_unit_test_teardown(test_split_1g, teardown),
		cmocka_unit_test_teardown(test_unmap_inside_large, teardown),
		cmocka_unit_test_teardown(test_unmap_across_leaves, teardown),
		cmocka_unit_test_teardown(test_lookup_offsets, teardown),
		cmocka_unit_test_teardown(test_remap_replaces, teardown),
		cmocka_unit_test_teardown(test_alloc_failure, teardown),
		cmocka_unit_test_teardown(test_unaligned_address_refused, teardown),
		cmocka_unit_test_teardown(test_map_new, teardown),
		cmocka_unit_test_teardown(test_flush_hook, teardown),
		cmocka_unit_test_teardown(test_destroy, teardown),
	};

	pt_format_host_setup(true);
	host_nx = true;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
