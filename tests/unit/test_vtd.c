// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the VT-d driver's pure parts: DMAR parsing with
 * device scopes and RMRRs (drivers/iommu/vtd_dmar.c), scope resolution
 * through bridges, the unit a requester belongs to, and the second-level
 * page tables (drivers/iommu/vtd_pt.c): 4 KiB and large pages, lookups,
 * refusals, and that destroying a table frees every page it took.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/iommu/vtd_dmar.h"
#include "drivers/iommu/vtd_pt.h"

/* ---- a DMAR table builder ---- */

static uint8_t tbl[1024];
static uint32_t tlen;

static void put16(uint32_t off, uint16_t v) { tbl[off] = (uint8_t)v; tbl[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint32_t off, uint32_t v) { put16(off, (uint16_t)v); put16(off + 2, (uint16_t)(v >> 16)); }
static void put64(uint32_t off, uint64_t v) { put32(off, (uint32_t)v); put32(off + 4, (uint32_t)(v >> 32)); }

static void begin(uint8_t haw_minus_1, uint8_t flags)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "DMAR", 4);
	tbl[36] = haw_minus_1;
	tbl[37] = flags;
	tlen = 48;
}

static void end(void) { put32(4, tlen); }

/* Start an entry; returns its offset (the length is patched by close()). */
static uint32_t entry(uint16_t type, uint32_t fixed)
{
	uint32_t off = tlen;

	put16(off, type);
	tlen += fixed;
	return off;
}

static void close_entry(uint32_t off) { put16(off + 2, (uint16_t)(tlen - off)); }

static void scope(uint8_t type, uint8_t start_bus, int npath, const uint8_t (*path)[2])
{
	uint32_t off = tlen;

	tbl[off] = type;
	tbl[off + 1] = (uint8_t)(6 + 2 * npath);
	tbl[off + 4] = 0;
	tbl[off + 5] = start_bus;
	for (int i = 0; i < npath; i++) {
		tbl[off + 6 + 2 * i] = path[i][0];
		tbl[off + 7 + 2 * i] = path[i][1];
	}
	tlen += 6 + 2 * (uint32_t)npath;
}

static uint32_t drhd(uint8_t flags, uint16_t seg, uint64_t base)
{
	uint32_t off = entry(0, 16);

	tbl[off + 4] = flags;
	put16(off + 6, seg);
	put64(off + 8, base);
	return off;
}

static uint32_t rmrr(uint16_t seg, uint64_t base, uint64_t limit)
{
	uint32_t off = entry(1, 24);

	put16(off + 6, seg);
	put64(off + 8, base);
	put64(off + 16, limit);
	return off;
}

/* A host with a bridge at 00:1c.0 (buses 2-3) and one at 02:00.0 (bus 3). */
static bool fake_bridge(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint8_t *sec,
			uint8_t *sub)
{
	(void)ctx;
	if (seg != 0)
		return false;
	if (bus == 0 && dev == 0x1c && fn == 0) {
		*sec = 2;
		*sub = 3;
		return true;
	}
	if (bus == 2 && dev == 0 && fn == 0) {
		*sec = 3;
		*sub = 3;
		return true;
	}
	return false;
}

static const struct vtd_bus_lookup buses = { fake_bridge, NULL };

static uint16_t rid(uint8_t bus, uint8_t dev, uint8_t fn) { return (uint16_t)(bus << 8 | dev << 3 | fn); }

static struct vtd_dmar d;

static void build_two_units(void)
{
	static const uint8_t gfx[][2] = { { 2, 0 } };
	static const uint8_t nic[][2] = { { 0x1c, 0 }, { 0, 0 }, { 0, 1 } };
	static const uint8_t port[][2] = { { 0x1c, 0 } };
	uint32_t e;

	begin(38, 1);
	e = drhd(0, 0, 0xfed90000);
	scope(VTD_SCOPE_ENDPOINT, 0, 1, gfx);
	close_entry(e);
	e = drhd(1, 0, 0xfed91000);
	scope(VTD_SCOPE_IOAPIC, 0xf0, 1, gfx);
	close_entry(e);
	e = rmrr(0, 0x7c000000, 0x7c7fffff);
	scope(VTD_SCOPE_ENDPOINT, 0, 3, nic);
	close_entry(e);
	e = rmrr(0, 0xe0000, 0xeffff);
	scope(VTD_SCOPE_BRIDGE, 0, 1, port);
	close_entry(e);
	end();
}

static void test_parse(void **state)
{
	(void)state;
	build_two_units();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	assert_int_equal(d.haw, 39);
	assert_true(d.intr_remap);
	assert_false(d.x2apic_opt_out);
	assert_int_equal(d.nunits, 2);
	assert_int_equal(d.units[0].base, 0xfed90000);
	assert_false(d.units[0].include_all);
	assert_int_equal(d.units[0].nscopes, 1);
	assert_int_equal(d.units[0].scopes[0].path[0][0], 2);
	assert_true(d.units[1].include_all);
	assert_int_equal(d.units[1].scopes[0].type, VTD_SCOPE_IOAPIC);
	assert_int_equal(d.nrmrr, 2);
	assert_int_equal(d.rmrr[0].base, 0x7c000000);
	assert_int_equal(d.rmrr[0].limit, 0x7c7fffff);
	assert_int_equal(d.rmrr[0].scopes[0].npath, 3);
	assert_int_equal(d.nwarn, 0);
}

static void test_unit_of(void **state)
{
	(void)state;
	build_two_units();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	assert_int_equal(vtd_dmar_unit_of(&d, 0, rid(0, 2, 0), &buses), 0); /* listed */
	assert_int_equal(vtd_dmar_unit_of(&d, 0, rid(0, 3, 0), &buses), 1); /* INCLUDE_PCI_ALL */
	assert_int_equal(vtd_dmar_unit_of(&d, 0, rid(3, 0, 1), &buses), 1);
	assert_int_equal(vtd_dmar_unit_of(&d, 1, rid(0, 2, 0), &buses), -1); /* no unit on seg 1 */
}

static void test_scopes_through_bridges(void **state)
{
	uint16_t r;
	uint8_t lo, hi;

	(void)state;
	build_two_units();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	/* 00:1c.0 -> bus 2, 02:00.0 -> bus 3, then 03:00.1 */
	assert_true(vtd_scope_resolve(&d.rmrr[0].scopes[0], 0, &buses, &r, &lo, &hi));
	assert_int_equal(r, rid(3, 0, 1));
	assert_true(vtd_rmrr_applies(&d.rmrr[0], 0, rid(3, 0, 1), &buses));
	assert_false(vtd_rmrr_applies(&d.rmrr[0], 0, rid(3, 0, 0), &buses));
	/* a bridge scope covers itself and buses 2-3 behind it */
	assert_true(vtd_scope_resolve(&d.rmrr[1].scopes[0], 0, &buses, &r, &lo, &hi));
	assert_int_equal(lo, 2);
	assert_int_equal(hi, 3);
	assert_true(vtd_rmrr_applies(&d.rmrr[1], 0, rid(0, 0x1c, 0), &buses));
	assert_true(vtd_rmrr_applies(&d.rmrr[1], 0, rid(2, 5, 0), &buses));
	assert_true(vtd_rmrr_applies(&d.rmrr[1], 0, rid(3, 0, 0), &buses));
	assert_false(vtd_rmrr_applies(&d.rmrr[1], 0, rid(4, 0, 0), &buses));
	assert_false(vtd_rmrr_applies(&d.rmrr[1], 1, rid(2, 5, 0), &buses));
	/* a path through something that is not a bridge leads nowhere */
	d.rmrr[0].scopes[0].path[0][0] = 0x1d;
	assert_false(vtd_scope_resolve(&d.rmrr[0].scopes[0], 0, &buses, &r, &lo, &hi));
	assert_false(vtd_rmrr_applies(&d.rmrr[0], 0, rid(3, 0, 1), &buses));
	/* IOAPIC scopes name no requester here */
	assert_false(vtd_scope_resolve(&d.units[1].scopes[0], 0, &buses, &r, &lo, &hi));
}

static void test_malformed(void **state)
{
	static const uint8_t p[][2] = { { 1, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
	uint32_t e;

	(void)state;
	/* not a DMAR, short header, length beyond the buffer */
	begin(38, 0);
	end();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	assert_int_equal(d.nunits, 0);
	assert_false(vtd_dmar_parse(tbl, 40, &d));
	memcpy(tbl, "APIC", 4);
	assert_false(vtd_dmar_parse(tbl, tlen, &d));
	begin(38, 0);
	put32(4, 4096);
	assert_false(vtd_dmar_parse(tbl, sizeof(tbl), &d) && d.nunits);

	/* a scope path longer than kept, a scope running past its entry, an
	 * RMRR with a bad range, then an entry of length 2: each ignored */
	begin(38, 0);
	e = drhd(0, 0, 0xfed90000);
	scope(VTD_SCOPE_ENDPOINT, 0, 5, p);
	scope(VTD_SCOPE_ENDPOINT, 0, 1, p);
	close_entry(e);
	e = drhd(0, 0, 0xfed91000);
	scope(VTD_SCOPE_ENDPOINT, 0, 1, p);
	tbl[tlen - 7] = 40; /* the scope claims 40 bytes */
	close_entry(e);
	e = rmrr(0, 0x2000, 0x1fff);
	close_entry(e);
	e = entry(0, 4);
	put16(e + 2, 2);
	tlen += 64;
	end();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	assert_int_equal(d.nunits, 2);
	assert_int_equal(d.units[0].nscopes, 1); /* the long one dropped */
	assert_int_equal(d.units[1].nscopes, 0);
	assert_int_equal(d.nrmrr, 0);
	assert_int_equal(d.nwarn, 4);
}

static void test_too_many_units(void **state)
{
	(void)state;
	begin(38, 0);
	for (int i = 0; i < VTD_MAX_UNITS + 2; i++)
		close_entry(drhd(0, 0, 0xfed90000 + 0x1000u * (unsigned)i));
	end();
	assert_true(vtd_dmar_parse(tbl, tlen, &d));
	assert_int_equal(d.nunits, VTD_MAX_UNITS);
	assert_int_equal(d.nwarn, 2);
}

/* ---- page tables ---- */

static int pages_live;

static uint64_t alloc(void *ctx)
{
	void *p = aligned_alloc(4096, 4096);

	(void)ctx;
	if (!p)
		return 0;
	memset(p, 0, 4096);
	pages_live++;
	return (uint64_t)(uintptr_t)p;
}

static void release(uint64_t p)
{
	pages_live--;
	free((void *)(uintptr_t)p);
}

/* The driver maps with pt_map_new and these tests speak the format's
 * bits: map with @prot in VTD_PTE_R / VTD_PTE_W, look up the leaf's. */
static bool vtd_map(struct pt *pt, u64 iova, u64 hpa, u64 size, u64 prot)
{
	return pt_map_new(pt, iova, hpa, size,
			  (prot & VTD_PTE_R ? PT_PROT_R : 0) | (prot & VTD_PTE_W ? PT_PROT_W : 0));
}

static u64 vtd_lookup(const struct pt *pt, u64 iova, u64 *prot)
{
	u64 pa, leaf;
	int level;

	*prot = 0;
	if (!pt_lookup(pt, iova, &pa, &leaf, &level) || !(leaf & (VTD_PTE_R | VTD_PTE_W)))
		return 0;
	*prot = leaf & (VTD_PTE_R | VTD_PTE_W);
	return pa;
}

static struct pt new_pt(unsigned levels, unsigned large)
{
	struct pt pt;

	assert_true(vtd_pt_init(&pt, levels, large, alloc, NULL, NULL));
	assert_int_equal(pt.levels, levels);
	return pt;
}

static void test_pt_small_pages(void **state)
{
	struct pt pt = new_pt(3, 0);
	uint64_t prot;

	(void)state;
	assert_true(vtd_map(&pt, 0x100000, 0x40000000, 0x3000, VTD_PTE_R | VTD_PTE_W));
	assert_int_equal(pages_live, 3); /* root, level 2, level 1 */
	assert_int_equal(vtd_lookup(&pt, 0x101234, &prot), 0x40001234);
	assert_int_equal(prot, VTD_PTE_R | VTD_PTE_W);
	assert_int_equal(vtd_lookup(&pt, 0x103000, &prot), 0);
	assert_int_equal(prot, 0);
	assert_true(vtd_map(&pt, 0x103000, 0x50000000, 0x1000, VTD_PTE_R));
	assert_int_equal(vtd_lookup(&pt, 0x103008, &prot), 0x50000008);
	assert_int_equal(prot, VTD_PTE_R);
	/* refused: mapped twice, unaligned, no permission, beyond 39 bits */
	assert_false(vtd_map(&pt, 0x101000, 0x60000000, 0x1000, VTD_PTE_R));
	assert_int_equal(vtd_lookup(&pt, 0x101000, &prot), 0x40001000);
	assert_false(vtd_map(&pt, 0x200800, 0x60000000, 0x1000, VTD_PTE_R));
	assert_false(vtd_map(&pt, 0x200000, 0x60000000, 0x1000, 0));
	assert_false(vtd_map(&pt, 1ull << 39, 0x60000000, 0x1000, VTD_PTE_R));
	assert_false(vtd_map(&pt, (1ull << 39) - 0x1000, 0x60000000, 0x2000, VTD_PTE_R));
	assert_false(vtd_map(&pt, ~0xfffull, 0x60000000, 0x2000, VTD_PTE_R)); /* wraps */
	pt_destroy(&pt, release);
	assert_int_equal(pages_live, 0);
}

static void test_pt_large_pages(void **state)
{
	struct pt pt = new_pt(4, VTD_LARGE_2M | VTD_LARGE_1G);
	uint64_t prot;

	(void)state;
	/* 0..3 GiB less 4 KiB at 1 GiB-aligned host memory: 2 GiB pages of
	 * 1 GiB, then 2 MiB pages, then 4 KiB ones */
	assert_true(vtd_map(&pt, 0, 0x100000000ull, 0xc0000000ull - 0x1000, VTD_PTE_R | VTD_PTE_W));
	/* root, level 3, level 2 (for the third GiB), one level 1 */
	assert_int_equal(pages_live, 4);
	assert_int_equal(vtd_lookup(&pt, 0x7fffffff, &prot), 0x17fffffffull);
	assert_int_equal(vtd_lookup(&pt, 0xbfffe123, &prot), 0x1bfffe123ull);
	assert_int_equal(vtd_lookup(&pt, 0xbffff000, &prot), 0);
	/* with only 2 MiB allowed a GiB takes 512 entries of one table */
	struct pt pt2 = new_pt(3, VTD_LARGE_2M);

	assert_true(vtd_map(&pt2, 0x40000000, 0x80000000, 0x40000000, VTD_PTE_W));
	assert_int_equal(vtd_lookup(&pt2, 0x40200010, &prot), 0x80200010);
	assert_int_equal(prot, VTD_PTE_W);
	/* a 4 KiB map inside a large page is refused */
	assert_false(vtd_map(&pt2, 0x40001000, 0x1000, 0x1000, VTD_PTE_R));
	pt_destroy(&pt, release);
	pt_destroy(&pt2, release);
	assert_int_equal(pages_live, 0);
}

static int fail_after;

static uint64_t alloc_limited(void *ctx)
{
	return fail_after-- > 0 ? alloc(ctx) : 0;
}

static void test_pt_out_of_memory(void **state)
{
	struct pt pt = new_pt(3, 0);

	(void)state;
	pt.alloc = alloc_limited;
	fail_after = 1;
	assert_false(vtd_map(&pt, 0x100000, 0x40000000, 0x1000, VTD_PTE_R));
	pt_destroy(&pt, release);
	assert_int_equal(pages_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_unit_of),
		cmocka_unit_test(test_scopes_through_bridges),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_many_units),
		cmocka_unit_test(test_pt_small_pages),
		cmocka_unit_test(test_pt_large_pages),
		cmocka_unit_test(test_pt_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
