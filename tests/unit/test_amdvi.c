// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the AMD-Vi driver's pure parts: the host I/O page
 * tables (drivers/iommu/amdvi_pt.c: 4 KiB, 2 MiB and 1 GiB pages, the
 * Next Level and permission bits, lookups, refusals, every table page
 * given back), and the formats handed to the hardware
 * (drivers/iommu/amdvi_hw.c: device table entries, both interrupt
 * remapping entry sizes, the commands, the event log decoder).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/iommu/amdvi_hw.h"
#include "drivers/iommu/amdvi_pt.h"

/* ---- a page allocator for the tables (host pointers as "physical") ---- */

static unsigned pages_live, pages_made, pages_limit = ~0u;

static u64 page_alloc(void *ctx)
{
	void *p;

	(void)ctx;
	if (pages_made == pages_limit)
		return 0;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	pages_live++;
	pages_made++;
	return (u64)(uintptr_t)p;
}

static void page_free(u64 page)
{
	free((void *)(uintptr_t)page);
	pages_live--;
}

/* The driver maps with pt_map_new and these tests speak the format's
 * bits: map with @prot in AMDVI_PTE_IR / AMDVI_PTE_IW, look up the leaf's. */
static bool amdvi_map(struct pt *pt, u64 iova, u64 hpa, u64 size, u64 prot)
{
	return pt_map_new(pt, iova, hpa, size,
			  (prot & AMDVI_PTE_IR ? PT_PROT_R : 0) | (prot & AMDVI_PTE_IW ? PT_PROT_W : 0));
}

static u64 amdvi_lookup(const struct pt *pt, u64 iova, u64 *prot)
{
	u64 pa, leaf;
	int level;

	*prot = 0;
	if (!pt_lookup(pt, iova, &pa, &leaf, &level) || !(leaf & (AMDVI_PTE_IR | AMDVI_PTE_IW)))
		return 0;
	*prot = leaf & (AMDVI_PTE_IR | AMDVI_PTE_IW);
	return pa;
}

static struct pt new_pt(u8 large)
{
	struct pt pt;

	pages_made = 0;
	pages_limit = ~0u;
	assert_true(amdvi_pt_init(&pt, large, page_alloc, NULL));
	assert_int_equal(pt.levels, 4);
	return pt;
}

static u64 *entry(u64 table, unsigned index) { return (u64 *)(uintptr_t)table + index; }

#define RW (AMDVI_PTE_IR | AMDVI_PTE_IW)
#define HPA 0x40000000ull /* 1 GiB aligned */

static void test_pt_4k(void **state)
{
	struct pt pt = new_pt(0);
	u64 prot, l4, l3, l2;

	(void)state;
	assert_true(amdvi_map(&pt, 0x1000, HPA + 0x5000, 0x2000, RW));
	assert_true(amdvi_map(&pt, 0x200000, HPA, 0x1000, AMDVI_PTE_IR));
	assert_int_equal(amdvi_lookup(&pt, 0x1000, &prot), HPA + 0x5000);
	assert_int_equal(prot, RW);
	assert_int_equal(amdvi_lookup(&pt, 0x2abc, &prot), HPA + 0x6abc);
	assert_int_equal(amdvi_lookup(&pt, 0x200010, &prot), HPA + 0x10);
	assert_int_equal(prot, AMDVI_PTE_IR);
	assert_int_equal(amdvi_lookup(&pt, 0x3000, &prot), 0);
	assert_int_equal(prot, 0);
	assert_int_equal(amdvi_lookup(&pt, 0x8000000000ull, &prot), 0);

	/* directory entries: present, both rights, Next Level one below */
	l4 = *entry(pt.root, 0);
	assert_true(l4 & AMDVI_PTE_PR);
	assert_int_equal(AMDVI_PTE_NEXT_OF(l4), 3);
	assert_int_equal(l4 & RW, RW);
	l3 = *entry(l4 & AMDVI_PTE_ADDR, 0);
	assert_int_equal(AMDVI_PTE_NEXT_OF(l3), 2);
	l2 = *entry(l3 & AMDVI_PTE_ADDR, 0);
	assert_int_equal(AMDVI_PTE_NEXT_OF(l2), 1);
	/* the page entry: Next Level 0, its address and rights only */
	assert_int_equal(*entry(l2 & AMDVI_PTE_ADDR, 1), (HPA + 0x5000) | RW | AMDVI_PTE_PR);
	assert_int_equal(pages_made, 5); /* root, one L3, one L2, two L1 */
	pt_destroy(&pt, page_free);
	assert_int_equal(pages_live, 0);
	assert_int_equal(pt.root, 0);
}

static void test_pt_large(void **state)
{
	struct pt pt = new_pt(AMDVI_LARGE_2M | AMDVI_LARGE_1G);
	u64 prot, l3, l2;

	(void)state;
	/* 1 GiB + 2 MiB + 4 KiB at a 1 GiB-aligned IOVA and host address */
	assert_true(amdvi_map(&pt, 0x40000000, HPA, 0x40201000, RW));
	assert_int_equal(amdvi_lookup(&pt, 0x40000000 + 0x3fffffff, &prot), HPA + 0x3fffffff);
	assert_int_equal(amdvi_lookup(&pt, 0x80100000, &prot), HPA + 0x40100000);
	assert_int_equal(amdvi_lookup(&pt, 0x80200fff, &prot), HPA + 0x40200fff);
	assert_int_equal(amdvi_lookup(&pt, 0x80201000, &prot), 0);
	l3 = *entry(*entry(pt.root, 0) & AMDVI_PTE_ADDR, 1);
	assert_int_equal(l3, HPA | RW | AMDVI_PTE_PR); /* a 1 GiB page: Next Level 0 at level 3 */
	l3 = *entry(*entry(pt.root, 0) & AMDVI_PTE_ADDR, 2);
	assert_int_equal(AMDVI_PTE_NEXT_OF(l3), 2);
	l2 = *entry(l3 & AMDVI_PTE_ADDR, 0);
	assert_int_equal(l2, (HPA + 0x40000000) | RW | AMDVI_PTE_PR); /* a 2 MiB page */
	assert_int_equal(pages_made, 4); /* root, L3, an L2 for the 2 MiB, an L1 for the 4 KiB */
	pt_destroy(&pt, page_free);
	assert_int_equal(pages_live, 0);

	/* IOVA and host address aligned differently: 4 KiB pages only */
	pt = new_pt(AMDVI_LARGE_2M | AMDVI_LARGE_1G);
	assert_true(amdvi_map(&pt, 0x200000, HPA + 0x1000, 0x200000, RW));
	assert_int_equal(pages_made, 4);
	assert_int_equal(amdvi_lookup(&pt, 0x3ff000, &prot), HPA + 0x200000);
	pt_destroy(&pt, page_free);

	/* 2 MiB pages only when allowed */
	pt = new_pt(AMDVI_LARGE_2M);
	assert_true(amdvi_map(&pt, 0, HPA, 0x40000000, RW));
	assert_int_equal(pages_made, 3); /* root, L3, one L2 of 512 2 MiB pages */
	pt_destroy(&pt, page_free);
	assert_int_equal(pages_live, 0);
}

static void test_pt_refusals(void **state)
{
	struct pt pt = new_pt(AMDVI_LARGE_2M);
	u64 prot;

	(void)state;
	assert_false(amdvi_map(&pt, 0x1800, HPA, 0x1000, RW));       /* unaligned */
	assert_false(amdvi_map(&pt, 0x1000, HPA + 0x800, 0x1000, RW));
	assert_false(amdvi_map(&pt, 0x1000, HPA, 0x1800, RW));
	assert_false(amdvi_map(&pt, 0x1000, HPA, 0, RW));              /* empty */
	assert_false(amdvi_map(&pt, 0x1000, HPA, 0x1000, 0));          /* no right */
	assert_false(amdvi_map(&pt, 1ull << 48, HPA, 0x1000, RW));     /* beyond 48 bits */
	assert_false(amdvi_map(&pt, (1ull << 48) - 0x1000, HPA, 0x2000, RW));
	assert_false(amdvi_map(&pt, ~0ull & ~0xfffull, HPA, 0x2000, RW)); /* wraps */
	assert_false(amdvi_map(&pt, 0x1000, 1ull << 52, 0x1000, RW));  /* beyond 52 bits */
	assert_int_equal(pages_made, 1);

	assert_true(amdvi_map(&pt, 0x200000, HPA, 0x200000, RW));      /* a 2 MiB page */
	assert_false(amdvi_map(&pt, 0x201000, HPA, 0x1000, RW));       /* under it */
	assert_false(amdvi_map(&pt, 0x200000, HPA, 0x200000, RW));     /* again */
	assert_true(amdvi_map(&pt, 0x1000, HPA, 0x1000, RW));
	assert_false(amdvi_map(&pt, 0x1000, HPA + 0x1000, 0x1000, RW)); /* a 4 KiB page again */
	assert_int_equal(amdvi_lookup(&pt, 0x1000, &prot), HPA);       /* unchanged */

	/* out of memory half way: false, what was made stays reachable */
	pages_limit = pages_made + 1;
	assert_false(amdvi_map(&pt, 0x8000000000ull, HPA, 0x1000, RW));
	pt_destroy(&pt, page_free);
	assert_int_equal(pages_live, 0);
}

/* ---- formats ---- */

static void test_dte(void **state)
{
	u64 d[4];

	(void)state;
	amdvi_dte_blocked(d, false);
	assert_int_equal(d[0], 0x3); /* V, TV, Mode 0, IR = IW = 0 */
	assert_int_equal(d[1], 0);
	assert_int_equal(d[2], 0);   /* interrupts not remapped */
	assert_int_equal(d[3], 0);
	amdvi_dte_blocked(d, true);
	assert_int_equal(d[0], 0x3);
	assert_int_equal(d[2], 0x1); /* IV, IntCtl 00b: aborted, no table */

	assert_int_equal(amdvi_dte_translate(0x12345000, 4),
			 0x6000000012345803ull); /* IW, IR, root, Mode 4 in 11:9, TV, V */
	assert_int_equal(AMDVI_DTE_MODE_OF(amdvi_dte_translate(0x12345000, 4)), 4);
	assert_int_equal(amdvi_dte_remap(0xabcd1000),
			 0x20000000abcd1011ull); /* IntCtl 10b, root, IntTabLen 8, IV */
}

static void test_irte(void **state)
{
	u64 e[2];

	(void)state;
	assert_int_equal(amdvi_irte32(3, 0x40), 0x00400301);
	assert_int_equal(amdvi_irte32(0xff, 0xfe), 0x00feff01);
	amdvi_irte128(e, 3, 0x40);
	assert_int_equal(e[0], 0x301);
	assert_int_equal(e[1], 0x40);
	amdvi_irte128(e, 0x12345678, 0x99);
	assert_int_equal(e[0], 0x0000000034567801ull);
	assert_int_equal(e[1], 0x1200000000000099ull);
}

static void test_commands(void **state)
{
	u64 c[2];

	(void)state;
	amdvi_cmd_completion_wait(c, 0x7654321008, 42);
	assert_int_equal(c[0], 0x1000007654321009ull); /* opcode 1, address, S */
	assert_int_equal(c[1], 42);
	amdvi_cmd_completion_wait(c, 0x1007, 1); /* the address is 8-byte aligned */
	assert_int_equal(c[0], 0x1000000000001001ull);
	amdvi_cmd_inval_dte(c, 0x0220);
	assert_int_equal(c[0], 0x2000000000000220ull);
	assert_int_equal(c[1], 0);
	amdvi_cmd_inval_domain(c, 7);
	assert_int_equal(c[0], 0x3000000700000000ull);
	assert_int_equal(c[1], 0x7ffffffffffff003ull); /* every page, PDE, S */
	amdvi_cmd_inval_irt(c, 0x0220);
	assert_int_equal(c[0], 0x5000000000000220ull);
	amdvi_cmd_inval_all(c);
	assert_int_equal(c[0], 0x8000000000000000ull);
	assert_int_equal(c[1], 0);
}

/* An event entry: code, device ID, the flags of bits 56:48, the domain of
 * bits 47:32, an address. */
static void event(u32 e[4], u8 code, u16 devid, u16 flags, u16 domain, u64 addr)
{
	e[0] = devid;
	e[1] = (u32)code << 28 | (u32)flags << 16 | domain;
	e[2] = (u32)addr;
	e[3] = (u32)(addr >> 32);
}

static void test_events(void **state)
{
	struct amdvi_event ev;
	u32 e[4];

	(void)state;
	/* a write refused by a present entry's permissions (PR, RW, PE) */
	event(e, 0x2, 0x0020, 1u << 4 | 1u << 5 | 1u << 6, 5, 0x8000000);
	amdvi_event_decode(e, &ev);
	assert_int_equal(ev.code, AMDVI_EV_IO_PAGE_FAULT);
	assert_true(ev.device);
	assert_int_equal(ev.devid, 0x0020);
	assert_int_equal(ev.domain, 5);
	assert_int_equal(ev.addr, 0x8000000);
	assert_true(ev.write);
	assert_false(ev.intr);
	assert_non_null(strstr(ev.text, "not permitted"));
	/* a read of something not mapped */
	event(e, 0x2, 0x0021, 0, 5, 0x123456789000ull);
	amdvi_event_decode(e, &ev);
	assert_false(ev.write);
	assert_int_equal(ev.addr, 0x123456789000ull);
	assert_non_null(strstr(ev.text, "not mapped"));
	/* an interrupt request */
	event(e, 0x2, 0x0021, 1u << 3, 0, 0xfee00000);
	amdvi_event_decode(e, &ev);
	assert_true(ev.intr);
	assert_non_null(strstr(ev.text, "interrupt"));
	/* device table events name the device */
	event(e, 0x1, 0x0300, 1u << 5, 0, 0x1000);
	amdvi_event_decode(e, &ev);
	assert_int_equal(ev.code, AMDVI_EV_ILLEGAL_DTE);
	assert_true(ev.device);
	assert_true(ev.write);
	event(e, 0x3, 0x0300, 0, 0, 0x7f000000);
	amdvi_event_decode(e, &ev);
	assert_non_null(strstr(ev.text, "device table"));
	/* command buffer events name none */
	event(e, 0x5, 0, 0, 0, 0x7e000010);
	amdvi_event_decode(e, &ev);
	assert_false(ev.device);
	assert_int_equal(ev.addr, 0x7e000010);
	event(e, 0x6, 0, 0, 0, 0x7e000020);
	amdvi_event_decode(e, &ev);
	assert_false(ev.device);
	/* a code this decoder does not know */
	event(e, 0xe, 0x1234, 0, 0, 0);
	amdvi_event_decode(e, &ev);
	assert_false(ev.device);
	assert_int_equal(ev.code, 0xe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pt_4k),
		cmocka_unit_test(test_pt_large),
		cmocka_unit_test(test_pt_refusals),
		cmocka_unit_test(test_dte),
		cmocka_unit_test(test_irte),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
