// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the GDB stub's hardware breakpoint table
 * (vmm/gdb_hw.c): the debug registers each Z1-Z4 request takes (aligned
 * pieces of 1, 2, 4, 8 bytes), the DR7 they make (G, R/W, LEN, GE; SDM
 * Vol. 3B §18.2.4), four registers in all, a request refused whole,
 * removal by the request, and a hit mapped back to its request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/gdb_hw.h"

static struct gdb_hw h;

static int setup(void **state)
{
	(void)state;
	gdb_hw_init(&h);
	return 0;
}

/* R/W and LEN of register @i in @dr7. */
static unsigned rw(u64 dr7, unsigned i) { return (dr7 >> (16 + 4 * i)) & 3; }
static unsigned len(u64 dr7, unsigned i) { return (dr7 >> (18 + 4 * i)) & 3; }

static void test_empty(void **state)
{
	unsigned type;
	u64 addr;

	(void)state;
	assert_int_equal(gdb_hw_used(&h), 0);
	assert_int_equal(gdb_hw_dr7(&h), 0);
	assert_false(gdb_hw_hit(&h, 0xf, &type, &addr));
	assert_false(gdb_hw_remove(&h, 2, 0x1000, 4));
}

/* One register each: execute (R/W 00, LEN 00), write (01), read and
 * access (11), with G0-G3 and GE. */
static void test_kinds(void **state)
{
	u64 dr7;

	(void)state;
	assert_true(gdb_hw_insert(&h, GDB_HW_EXEC, 0x100020, 1, false));
	assert_true(gdb_hw_insert(&h, GDB_HW_WRITE, 0x103484, 4, false));
	assert_true(gdb_hw_insert(&h, GDB_HW_READ, 0x10348a, 2, false));
	assert_true(gdb_hw_insert(&h, GDB_HW_ACCESS, 0x103490, 8, true));
	assert_int_equal(gdb_hw_used(&h), 4);
	dr7 = gdb_hw_dr7(&h);
	assert_int_equal(dr7 & 0x3ff, 0x2aa); /* G0-G3, GE; no L */
	assert_int_equal(rw(dr7, 0), 0);
	assert_int_equal(len(dr7, 0), 0);
	assert_int_equal(rw(dr7, 1), 1);
	assert_int_equal(len(dr7, 1), 3);
	assert_int_equal(rw(dr7, 2), 3);
	assert_int_equal(len(dr7, 2), 1);
	assert_int_equal(rw(dr7, 3), 3);
	assert_int_equal(len(dr7, 3), 2);
	assert_int_equal(h.addr[0], 0x100020);
	assert_int_equal(h.addr[3], 0x103490);
}

/* An unaligned or long range takes aligned pieces; 8-byte pieces only
 * when wide; what does not fit is refused whole. */
static void test_pieces(void **state)
{
	(void)state;
	assert_true(gdb_hw_insert(&h, GDB_HW_WRITE, 0x1001, 7, true)); /* 1 2 4 */
	assert_int_equal(gdb_hw_used(&h), 3);
	assert_int_equal(h.addr[0], 0x1001);
	assert_int_equal(h.len[0], 1);
	assert_int_equal(h.addr[1], 0x1002);
	assert_int_equal(h.len[1], 2);
	assert_int_equal(h.addr[2], 0x1004);
	assert_int_equal(h.len[2], 4);
	assert_false(gdb_hw_insert(&h, GDB_HW_WRITE, 0x2000, 8, false)); /* 4 + 4 */
	assert_int_equal(gdb_hw_used(&h), 3);
	assert_true(gdb_hw_insert(&h, GDB_HW_WRITE, 0x2000, 8, true));
	assert_int_equal(gdb_hw_used(&h), 4);
	assert_true(gdb_hw_remove(&h, GDB_HW_WRITE, 0x1001, 7));
	assert_int_equal(gdb_hw_used(&h), 1);
	assert_true(gdb_hw_insert(&h, GDB_HW_ACCESS, 0x3000, 24, true)); /* 8 8 8 */
	assert_int_equal(gdb_hw_used(&h), 4);
}

/* Four registers in all: the fifth request is refused; the same request
 * again takes nothing new; removal frees only that request. */
static void test_limit_and_repeat(void **state)
{
	unsigned type;
	u64 addr;

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		assert_true(gdb_hw_insert(&h, GDB_HW_EXEC, 0x100020 + i, 1, false));
	assert_false(gdb_hw_insert(&h, GDB_HW_EXEC, 0x100030, 1, false));
	assert_false(gdb_hw_insert(&h, GDB_HW_WRITE, 0x103484, 4, false));
	assert_true(gdb_hw_insert(&h, GDB_HW_EXEC, 0x100021, 1, false));
	assert_int_equal(gdb_hw_used(&h), 4);
	assert_false(gdb_hw_remove(&h, GDB_HW_WRITE, 0x100021, 1)); /* other type */
	assert_true(gdb_hw_remove(&h, GDB_HW_EXEC, 0x100021, 1));
	assert_int_equal(gdb_hw_used(&h), 3);
	assert_false(gdb_hw_hit(&h, 2, &type, &addr)); /* register 1 is free */
	assert_true(gdb_hw_insert(&h, GDB_HW_WRITE, 0x103484, 4, false));
	assert_true(gdb_hw_hit(&h, 2, &type, &addr)); /* it took register 1 */
	assert_int_equal(type, GDB_HW_WRITE);
	assert_int_equal(addr, 0x103484);
}

static void test_malformed(void **state)
{
	(void)state;
	assert_false(gdb_hw_insert(&h, 0, 0x1000, 1, false));
	assert_false(gdb_hw_insert(&h, 5, 0x1000, 1, false));
	assert_false(gdb_hw_insert(&h, GDB_HW_WRITE, 0x1000, 0, false));
	assert_false(gdb_hw_insert(&h, GDB_HW_WRITE, 0x1000, GDB_HW_LEN_MAX + 1, true));
	assert_false(gdb_hw_insert(&h, GDB_HW_READ, ~0ULL, 2, false)); /* wraps */
	assert_true(gdb_hw_insert(&h, GDB_HW_READ, ~0ULL - 1, 1, false));
	assert_int_equal(gdb_hw_used(&h), 1);
}

/* A hit of several registers names the first of them, with its piece's
 * address (within the watched range, which is what gdb checks). */
static void test_hit(void **state)
{
	unsigned type;
	u64 addr;

	(void)state;
	assert_true(gdb_hw_insert(&h, GDB_HW_ACCESS, 0x5006, 4, false)); /* 2 2 */
	assert_true(gdb_hw_hit(&h, 0x2, &type, &addr));
	assert_int_equal(type, GDB_HW_ACCESS);
	assert_int_equal(addr, 0x5008);
	assert_true(gdb_hw_hit(&h, 0x3, &type, &addr));
	assert_int_equal(addr, 0x5006);
	assert_false(gdb_hw_hit(&h, 0x4, &type, &addr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_kinds, setup),
		cmocka_unit_test_setup(test_pieces, setup),
		cmocka_unit_test_setup(test_limit_and_repeat, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_hit, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
