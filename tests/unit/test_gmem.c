// SPDX-License-Identifier: MIT
/*
 * Host unit tests for guest physical memory (vmm/gmem.c): gmem_layout()
 * for 16 MiB, 64 MiB, 3 GiB, 4 GiB and 8 GiB guests and for small and
 * odd sizes (only the layout math sees the big sizes: gmem_ptr() just
 * computes host addresses, and no test dereferences them), the VGA hole
 * 0xA0000-0xBFFFF and the [3 GiB, 4 GiB) hole never RAM, gmem_is_ram() and
 * gmem_ptr() at every region edge and across the holes, overflowing
 * ranges, gmem_read()/gmem_write() bounds on small layouts backed by a
 * real host buffer (AddressSanitizer watches every copy), gmem_low_end(),
 * and gmem_map_stage2() building real EPT tables with arch/x86/pgtable.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/pgtable.h"
#include "vmm/gmem.h"
#include "vmm/vm.h"

/* A made-up host address for layouts that are never dereferenced. */
#define FAKE_HPA 0x0000100000000000ULL
#define VGA_BASE 0xa0000ULL
#define VGA_END 0xc0000ULL

static void expect_region(const struct gmem *m, unsigned i, u64 gpa, u64 size, u64 hpa)
{
	assert_true(i < m->n);
	assert_int_equal(m->r[i].gpa, gpa);
	assert_int_equal(m->r[i].size, size);
	assert_int_equal(m->r[i].hpa, hpa);
}

static bool ram(const struct gmem *m, u64 gpa, u64 len)
{
	return gmem_is_ram(m, gpa, len);
}

static u64 ptr(const struct gmem *m, u64 gpa, u64 len)
{
	return (u64)(uintptr_t)gmem_ptr(m, gpa, len);
}

/* ---- layout ---- */

static void test_layout_16m_64m(void **state)
{
	static const u64 sizes[] = { 16 * MiB, 64 * MiB };
	struct gmem m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		gmem_layout(&m, sizes[i], FAKE_HPA);
		assert_int_equal(m.ram_size, sizes[i]);
		assert_int_equal(m.host_base, FAKE_HPA);
		assert_int_equal(m.host_size, sizes[i]);
		assert_int_equal(m.n, 2);
		expect_region(&m, 0, 0, 0xa0000, FAKE_HPA);
		expect_region(&m, 1, 0xc0000, sizes[i] - 0xc0000, FAKE_HPA + 0xc0000);
		assert_int_equal(gmem_low_end(&m), sizes[i]);
	}
}

/* The hole under 4 GiB (gmem_in_hole) holds no RAM and is all of
 * [low end, 4 GiB) above the VGA window, for every layout; an empty hole
 * before any layout. */
static void test_hole(void **state)
{
	static const u64 sizes[] = { 0x80000, 0xa0000, 0xc0000, 16 * MiB, 3 * GiB,
				     3 * GiB + 4096, 8 * GiB };
	struct gmem m;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_false(gmem_in_hole(&m, 0));
	assert_false(gmem_in_hole(&m, 0xfee00000));
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 low, probes[] = { 0, 0x9ffff, 0xa0000, 0xbffff, 0xc0000,
							 16 * MiB - 1, 16 * MiB, 0xbfffffffULL,
							 0xc0000000ULL, 0xfee00000ULL,
							 4 * GiB - 1, 4 * GiB, 5 * GiB };

		gmem_layout(&m, sizes[i], FAKE_HPA);
		low = gmem_low_end(&m);
		for (unsigned k = 0; k < ARRAY_SIZE(probes); k++) {
			u64 g = probes[k];

			if (gmem_in_hole(&m, g))
				assert_false(ram(&m, g, 1));
			if (g >= MAX(low, VGA_END) && g < 4 * GiB)
				assert_true(gmem_in_hole(&m, g));
		}
		assert_true(gmem_in_hole(&m, 0xfee00000ULL));
		assert_false(gmem_in_hole(&m, 4 * GiB));
	}
}

static void test_layout_3g(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 3 * GiB, FAKE_HPA);
	assert_int_equal(m.n, 2);
	expect_region(&m, 0, 0, 0xa0000, FAKE_HPA);
	expect_region(&m, 1, 0xc0000, 0xc0000000ULL - 0xc0000, FAKE_HPA + 0xc0000);
	assert_int_equal(gmem_low_end(&m), 0xc0000000ULL);
}

/* Past 3 GiB the rest of RAM resumes at 4 GiB. */
static void test_layout_above_4g(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 4 * GiB, FAKE_HPA);
	assert_int_equal(m.ram_size, 4 * GiB);
	assert_int_equal(m.host_size, 4 * GiB);
	assert_int_equal(m.n, 3);
	expect_region(&m, 0, 0, 0xa0000, FAKE_HPA);
	expect_region(&m, 1, 0xc0000, 0xc0000000ULL - 0xc0000, FAKE_HPA + 0xc0000);
	expect_region(&m, 2, 0x100000000ULL, 0x40000000ULL, FAKE_HPA + 0xc0000000ULL);
	assert_int_equal(gmem_low_end(&m), 0xc0000000ULL);

	gmem_layout(&m, 8 * GiB, FAKE_HPA);
	assert_int_equal(m.n, 3);
	expect_region(&m, 2, 0x100000000ULL, 5 * GiB, FAKE_HPA + 3 * GiB);
	assert_int_equal(gmem_low_end(&m), 3 * GiB);

	/* One page past 3 GiB: a one-page region at 4 GiB. */
	gmem_layout(&m, 3 * GiB + 0x1000, FAKE_HPA);
	assert_int_equal(m.n, 3);
	expect_region(&m, 2, 4 * GiB, 0x1000, FAKE_HPA + 3 * GiB);
}

static void test_layout_small(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 0x80000, FAKE_HPA); /* 512 KiB: below the hole */
	assert_int_equal(m.n, 1);
	expect_region(&m, 0, 0, 0x80000, FAKE_HPA);
	assert_int_equal(gmem_low_end(&m), 0x80000);

	gmem_layout(&m, 0xa0000, FAKE_HPA); /* exactly up to the hole */
	assert_int_equal(m.n, 1);
	expect_region(&m, 0, 0, 0xa0000, FAKE_HPA);

	gmem_layout(&m, 0xc0000, FAKE_HPA); /* ends with the hole */
	assert_int_equal(m.n, 1);
	expect_region(&m, 0, 0, 0xa0000, FAKE_HPA);

	gmem_layout(&m, 0xc1000, FAKE_HPA); /* one page after it */
	assert_int_equal(m.n, 2);
	expect_region(&m, 1, 0xc0000, 0x1000, FAKE_HPA + 0xc0000);

	gmem_layout(&m, 0, FAKE_HPA);
	assert_int_equal(m.n, 0);
	assert_false(ram(&m, 0, 1));
	assert_null(gmem_ptr(&m, 0, 1));
}

/* A new layout replaces the old one completely. */
static void test_layout_resets(void **state)
{
	struct gmem m;

	(void)state;
	memset(&m, 0x5a, sizeof(m));
	gmem_layout(&m, 8 * GiB, FAKE_HPA);
	gmem_layout(&m, 16 * MiB, 0x2000000);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.host_base, 0x2000000);
	assert_int_equal(m.r[2].gpa, 0);
	assert_int_equal(m.r[2].size, 0);
	assert_int_equal(m.r[3].size, 0);
	assert_false(ram(&m, 4 * GiB, 1));
}

/* ---- RAM checks ---- */

static void test_vga_hole_absent(void **state)
{
	static const u64 sizes[] = { 16 * MiB, 64 * MiB, 3 * GiB, 4 * GiB };
	struct gmem m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		gmem_layout(&m, sizes[i], FAKE_HPA);
		for (unsigned k = 0; k < m.n; k++)
			assert_true(m.r[k].gpa + m.r[k].size <= VGA_BASE ||
				    m.r[k].gpa >= VGA_END);
		for (u64 a = VGA_BASE; a < VGA_END; a += 0x1000) {
			assert_false(ram(&m, a, 1));
			assert_null(gmem_ptr(&m, a, 1));
		}
		assert_false(ram(&m, VGA_END - 1, 1));
		assert_true(ram(&m, VGA_BASE - 1, 1));
		assert_true(ram(&m, VGA_END, 1));
		/* Across the hole or into it from either side: no. */
		assert_false(ram(&m, 0x9f000, 0x2000));
		assert_false(ram(&m, VGA_BASE - 1, 2));
		assert_false(ram(&m, VGA_END - 1, 2));
		assert_false(ram(&m, 0, 1 * MiB));
		assert_null(gmem_ptr(&m, VGA_BASE - 4, 8));
		assert_null(gmem_ptr(&m, VGA_END - 4, 8));
	}
}

static void test_edges_16m(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 16 * MiB, FAKE_HPA);
	assert_true(ram(&m, 0, 1));
	assert_true(ram(&m, 0, 0xa0000));
	assert_false(ram(&m, 0, 0xa0001));
	assert_true(ram(&m, 0xc0000, 16 * MiB - 0xc0000));
	assert_false(ram(&m, 0xc0000, 16 * MiB - 0xc0000 + 1));
	assert_false(ram(&m, 0xbffff, 16 * MiB - 0xbffff));
	assert_true(ram(&m, 16 * MiB - 1, 1));
	assert_true(ram(&m, 16 * MiB - 8, 8));
	assert_false(ram(&m, 16 * MiB - 4, 8));
	assert_false(ram(&m, 16 * MiB, 1));
	assert_int_equal(ptr(&m, 0, 1), FAKE_HPA);
	assert_int_equal(ptr(&m, 0x1234, 4), FAKE_HPA + 0x1234);
	assert_int_equal(ptr(&m, 0x9ffff, 1), FAKE_HPA + 0x9ffff);
	assert_int_equal(ptr(&m, 0xc0000, 1), FAKE_HPA + 0xc0000);
	assert_int_equal(ptr(&m, 0x100000, 0x1000), FAKE_HPA + 0x100000);
	assert_int_equal(ptr(&m, 16 * MiB - 1, 1), FAKE_HPA + 16 * MiB - 1);
	assert_null(gmem_ptr(&m, 16 * MiB - 1, 2));
}

static void test_edges_4g(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 4 * GiB, FAKE_HPA);
	assert_true(ram(&m, 3 * GiB - 1, 1));
	assert_false(ram(&m, 3 * GiB, 1));
	assert_false(ram(&m, 3 * GiB - 8, 16));
	assert_false(ram(&m, 0xfee00000, 4));       /* the LAPIC window */
	assert_false(ram(&m, 4 * GiB - 1, 1));
	assert_false(ram(&m, 4 * GiB - 4, 8));
	assert_true(ram(&m, 4 * GiB, 1));
	assert_true(ram(&m, 4 * GiB, 1 * GiB));
	assert_false(ram(&m, 4 * GiB, 1 * GiB + 1));
	assert_true(ram(&m, 5 * GiB - 1, 1));
	assert_false(ram(&m, 5 * GiB, 1));
	assert_false(ram(&m, 0xc0000, 5 * GiB - 0xc0000)); /* spans the 3-4 GiB hole */
	assert_int_equal(ptr(&m, 3 * GiB - 1, 1), FAKE_HPA + 3 * GiB - 1);
	assert_int_equal(ptr(&m, 4 * GiB, 8), FAKE_HPA + 3 * GiB);
	assert_int_equal(ptr(&m, 4 * GiB + 0x10, 8), FAKE_HPA + 3 * GiB + 0x10);
	assert_int_equal(ptr(&m, 5 * GiB - 4, 4), FAKE_HPA + 4 * GiB - 4);
	assert_null(gmem_ptr(&m, 3 * GiB, 4));
}

/* Ranges whose end overflows 64 bits are never RAM. */
static void test_overflowing_ranges(void **state)
{
	struct gmem m;

	(void)state;
	gmem_layout(&m, 4 * GiB, FAKE_HPA);
	assert_false(ram(&m, ~0ULL, 2));
	assert_false(ram(&m, ~0ULL - 0x10, 0x20));
	assert_false(ram(&m, 0x1000, ~0ULL));
	assert_false(ram(&m, 0x1000, ~0ULL - 0xfff));
	assert_false(ram(&m, 4 * GiB + 0x1000, ~0ULL - 4 * GiB));
	assert_false(ram(&m, 0xc1000, 0 - 0xc1000ULL));
	assert_null(gmem_ptr(&m, 4 * GiB, ~0ULL));
}

/* ---- copies against a real buffer ---- */

struct buf_fx {
	u8 *host;
	u64 size;
};

static int buf_setup(void **state)
{
	struct buf_fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->size = 1 * MiB;
	f->host = aligned_alloc(4096, f->size);
	assert_non_null(f->host);
	for (u64 i = 0; i < f->size; i++)
		f->host[i] = (u8)(i * 7 + 3);
	*state = f;
	return 0;
}

static int buf_teardown(void **state)
{
	struct buf_fx *f = *state;

	free(f->host);
	free(f);
	return 0;
}

static void test_read_write_bounds(void **state)
{
	struct buf_fx *f = *state;
	u8 src[16], dst[16], keep[16];
	struct gmem m;

	gmem_layout(&m, f->size, (u64)(uintptr_t)f->host);
	assert_int_equal(m.n, 2);
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (u8)(0xf0 + i);

	/* The last bytes below the hole. */
	assert_true(gmem_write(&m, 0x9fff0, src, 16));
	assert_memory_equal(f->host + 0x9fff0, src, 16);
	memset(dst, 0, sizeof(dst));
	assert_true(gmem_read(&m, 0x9fff0, dst, 16));
	assert_memory_equal(dst, src, 16);

	/* Crossing into the hole: refused, nothing copied either way. */
	memcpy(keep, f->host + 0x9fff8, 8);
	memset(dst, 0xee, sizeof(dst));
	assert_false(gmem_write(&m, 0x9fff8, "ABCDEFGHIJKLMNOP", 16));
	assert_memory_equal(f->host + 0x9fff8, keep, 8);
	assert_false(gmem_read(&m, 0x9fff8, dst, 16));
	for (unsigned i = 0; i < sizeof(dst); i++)
		assert_int_equal(dst[i], 0xee);
	assert_false(gmem_read(&m, VGA_BASE, dst, 1));
	assert_false(gmem_write(&m, VGA_END - 1, src, 2));

	/* Above the hole: gpa == offset into the host block. */
	assert_true(gmem_read(&m, VGA_END, dst, 16));
	assert_memory_equal(dst, f->host + VGA_END, 16);
	assert_true(gmem_write(&m, 0xc0123, src, 5));
	assert_memory_equal(f->host + 0xc0123, src, 5);

	/* The end of RAM. */
	assert_true(gmem_read(&m, f->size - 16, dst, 16));
	assert_memory_equal(dst, f->host + f->size - 16, 16);
	assert_true(gmem_write(&m, f->size - 1, src, 1));
	assert_int_equal(f->host[f->size - 1], src[0]);
	assert_false(gmem_read(&m, f->size - 8, dst, 16));
	assert_false(gmem_write(&m, f->size - 8, src, 16));
	assert_false(gmem_read(&m, f->size, dst, 1));
	assert_false(gmem_write(&m, ~0ULL, src, 1));
}

/* A hand-made layout with a region above 4 GiB, backed by 16 KiB. */
static void test_read_write_high_region(void **state)
{
	struct buf_fx *f = *state;
	const u64 base = (u64)(uintptr_t)f->host;
	struct gmem m = {
		.ram_size = 0x3000, .host_base = base, .host_size = 0x4000, .n = 3,
		.r = {
			{ .gpa = 0, .size = 0x1000, .hpa = base },
			{ .gpa = 0x100000, .size = 0x1000, .hpa = base + 0x1000 },
			{ .gpa = 4 * GiB, .size = 0x2000, .hpa = base + 0x2000 },
		},
	};
	u8 dst[16], src[16];

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (u8)i;
	assert_true(gmem_write(&m, 4 * GiB + 0x1ff0, src, 16));
	assert_memory_equal(f->host + 0x3ff0, src, 16);
	assert_true(gmem_read(&m, 4 * GiB, dst, 16));
	assert_memory_equal(dst, f->host + 0x2000, 16);
	assert_false(gmem_read(&m, 4 * GiB + 0x1ff8, dst, 16));
	assert_false(gmem_read(&m, 4 * GiB - 8, dst, 16));
	assert_false(gmem_read(&m, 4 * GiB + 0x2000, dst, 1));
	assert_true(gmem_read(&m, 0x100ff0, dst, 16));
	assert_memory_equal(dst, f->host + 0x1ff0, 16);
	assert_false(gmem_read(&m, 0x1000, dst, 1));
	assert_false(gmem_read(&m, 0xff8, dst, 16));
	assert_int_equal(ptr(&m, 4 * GiB + 0x123, 1), base + 0x2123);
}

static void test_low_end(void **state)
{
	static const struct {
		u64 ram, low;
	} cases[] = {
		{ 2 * MiB, 2 * MiB },
		{ 16 * MiB, 16 * MiB },
		{ 64 * MiB, 64 * MiB },
		{ 3 * GiB - 0x1000, 3 * GiB - 0x1000 },
		{ 3 * GiB, 3 * GiB },
		{ 3 * GiB + 0x1000, 3 * GiB },
		{ 4 * GiB, 3 * GiB },
		{ 64 * GiB, 3 * GiB },
	};
	struct gmem m;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		gmem_layout(&m, cases[i].ram, FAKE_HPA);
		assert_int_equal(gmem_low_end(&m), cases[i].low);
	}
}

/* ---- second-level tables ---- */

struct tables {
	void *page[32];
	unsigned n, limit;
};

static u64 table_alloc(void *ctx)
{
	struct tables *t = ctx;
	void *p;

	if (t->n >= t->limit || t->n >= ARRAY_SIZE(t->page))
		return 0;
	p = aligned_alloc(4096, 4096);
	assert_non_null(p);
	memset(p, 0, 4096);
	t->page[t->n++] = p;
	return (u64)(uintptr_t)p;
}

static struct tables tabs;
static struct vm *map_vm;

static int vm_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < tabs.n; i++)
		free(tabs.page[i]);
	memset(&tabs, 0, sizeof(tabs));
	free(map_vm);
	map_vm = NULL;
	return 0;
}

static struct vm *new_vm(u64 ram, u64 hpa, unsigned limit)
{
	map_vm = calloc(1, sizeof(*map_vm));
	assert_non_null(map_vm);
	tabs.limit = limit;
	assert_true(pt_init(&map_vm->hw.s2, &pt_format_ept, table_alloc, &tabs));
	gmem_layout(&map_vm->mem, ram, hpa);
	return map_vm;
}

static void expect_s2(const struct vm *vm, u64 gpa, u64 hpa, int level)
{
	u64 pa, leaf;
	int l;

	assert_true(pt_lookup(&vm->hw.s2, gpa, &pa, &leaf, &l));
	assert_int_equal(pa, hpa);
	assert_int_equal(l, level);
	assert_int_equal(leaf & 0x3f, 0x37); /* RWX, write-back */
}

static void expect_no_s2(const struct vm *vm, u64 gpa)
{
	u64 pa, leaf;
	int l;

	assert_false(pt_lookup(&vm->hw.s2, gpa, &pa, &leaf, &l));
}

static void test_map_stage2(void **state)
{
	const u64 hpa = 0x200000000ULL; /* 8 GiB: 1 GiB-aligned, never touched */
	struct vm *vm = new_vm(4 * GiB, hpa, 32);

	(void)state;
	assert_true(gmem_map_stage2(vm));
	expect_s2(vm, 0, hpa, 1);
	expect_s2(vm, 0x9ffff, hpa + 0x9ffff, 1);
	expect_no_s2(vm, VGA_BASE);
	expect_no_s2(vm, VGA_END - 1);
	expect_s2(vm, VGA_END, hpa + VGA_END, 1);
	expect_s2(vm, 0x1fffff, hpa + 0x1fffff, 1);
	expect_s2(vm, 0x200000, hpa + 0x200000, 2);
	expect_s2(vm, 3 * GiB - 1, hpa + 3 * GiB - 1, 2);
	expect_no_s2(vm, 3 * GiB);
	expect_no_s2(vm, 0xfee00000);
	expect_no_s2(vm, 4 * GiB - 1);
	expect_s2(vm, 4 * GiB, hpa + 3 * GiB, 2);
	expect_s2(vm, 5 * GiB - 1, hpa + 4 * GiB - 1, 2);
	expect_no_s2(vm, 5 * GiB);
	/* root, PDPT, 4 PDs (0-1, 1-2, 2-3, 4-5 GiB), one PT for the low 2 MiB */
	assert_int_equal(tabs.n, 7);
}

static void test_map_stage2_1g(void **state)
{
	const u64 hpa = 0x200000000ULL;
	struct vm *vm = new_vm(5 * GiB, hpa, 32);

	(void)state;
	vm->hw.s2.large |= PT_LARGE_1G;
	assert_true(gmem_map_stage2(vm));
	expect_s2(vm, 1 * GiB, hpa + 1 * GiB, 3);
	expect_s2(vm, 2 * GiB + 0x1234, hpa + 2 * GiB + 0x1234, 3);
	expect_s2(vm, 0x200000, hpa + 0x200000, 2);
	expect_s2(vm, 4 * GiB, hpa + 3 * GiB, 3);
	expect_s2(vm, 5 * GiB, hpa + 4 * GiB, 3);
	expect_no_s2(vm, 6 * GiB);
	expect_no_s2(vm, VGA_BASE);
}

static void test_map_stage2_out_of_tables(void **state)
{
	struct vm *vm = new_vm(16 * MiB, 0x40000000, 3); /* root + 2 */

	(void)state;
	assert_false(gmem_map_stage2(vm));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_16m_64m),
		cmocka_unit_test(test_hole),
		cmocka_unit_test(test_layout_3g),
		cmocka_unit_test(test_layout_above_4g),
		cmocka_unit_test(test_layout_small),
		cmocka_unit_test(test_layout_resets),
		cmocka_unit_test(test_vga_hole_absent),
		cmocka_unit_test(test_edges_16m),
		cmocka_unit_test(test_edges_4g),
		cmocka_unit_test(test_overflowing_ranges),
		cmocka_unit_test_setup_teardown(test_read_write_bounds, buf_setup, buf_teardown),
		cmocka_unit_test_setup_teardown(test_read_write_high_region, buf_setup,
						buf_teardown),
		cmocka_unit_test(test_low_end),
		cmocka_unit_test_teardown(test_map_stage2, vm_teardown),
		cmocka_unit_test_teardown(test_map_stage2_1g, vm_teardown),
		cmocka_unit_test_teardown(test_map_stage2_out_of_tables, vm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
