// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the console multiplexer (vmm/conmux.c): plain bytes
 * go to guest 1 while all guests are shown, to the focused guest or to the
 * monitor; Ctrl-T then a key switches focus (only to guests that exist),
 * asks for the register dump or the help, or sends a literal Ctrl-T; the
 * output rings keep the last 16 KiB in order and count what they lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/conmux.h"

static struct conmux m;

static struct conmux_ev key(u8 c) { return conmux_key(&m, c); }

static void expect(struct conmux_ev e, enum conmux_act act, int target, u8 byte)
{
	assert_int_equal(e.act, act);
	assert_int_equal(e.target, target);
	assert_int_equal(e.byte, byte);
}

static void test_all_mode(void **state)
{
	(void)state;
	conmux_init(&m, 3);
	assert_int_equal(m.focus, CONMUX_ALL);
	expect(key('x'), MUX_GUEST, 0, 'x');
	for (u32 g = 0; g < 3; g++)
		assert_true(conmux_shows(&m, g));
	conmux_init(&m, 0);
	assert_int_equal(key('x').act, MUX_NONE);
}

static void test_focus_keys(void **state)
{
	(void)state;
	conmux_init(&m, 3);
	assert_int_equal(key(CONMUX_ESC).act, MUX_NONE);
	expect(key('2'), MUX_FOCUS, 1, '2');
	expect(key('q'), MUX_GUEST, 1, 'q');
	assert_false(conmux_shows(&m, 0));
	assert_true(conmux_shows(&m, 1));
	assert_false(conmux_shows(&m, 2));
	/* A guest that does not exist: help, focus kept. */
	key(CONMUX_ESC);
	expect(key('4'), MUX_HELP, 0, '4');
	key(CONMUX_ESC);
	expect(key('0'), MUX_HELP, 0, '0');
	expect(key('z'), MUX_GUEST, 1, 'z');
	key(CONMUX_ESC);
	expect(key('3'), MUX_FOCUS, 2, '3');
	key(CONMUX_ESC);
	expect(key('m'), MUX_FOCUS, CONMUX_MONITOR, 'm');
	expect(key('h'), MUX_MONITOR_KEY, CONMUX_MONITOR, 'h');
	for (u32 g = 0; g < 3; g++)
		assert_false(conmux_shows(&m, g));
	key(CONMUX_ESC);
	expect(key('a'), MUX_FOCUS, CONMUX_ALL, 'a');
	expect(key('y'), MUX_GUEST, 0, 'y');
}

static void test_other_keys(void **state)
{
	(void)state;
	conmux_init(&m, 1);
	key(CONMUX_ESC);
	expect(key('r'), MUX_DUMP, 0, 'r');
	assert_int_equal(m.focus, CONMUX_ALL);
	/* Ctrl-T Ctrl-T: one literal Ctrl-T for the guest, then plain again. */
	key(CONMUX_ESC);
	expect(key(CONMUX_ESC), MUX_GUEST, 0, CONMUX_ESC);
	expect(key('1'), MUX_GUEST, 0, '1');
	key(CONMUX_ESC);
	expect(key('?'), MUX_HELP, 0, '?');
	key(CONMUX_ESC);
	expect(key('h'), MUX_HELP, 0, 'h');
	/* In the monitor a literal Ctrl-T goes to the monitor. */
	key(CONMUX_ESC);
	key('m');
	key(CONMUX_ESC);
	expect(key(CONMUX_ESC), MUX_MONITOR_KEY, CONMUX_MONITOR, CONMUX_ESC);
	/* Nine guests: Ctrl-T 9 reaches the last. */
	conmux_init(&m, 9);
	key(CONMUX_ESC);
	expect(key('9'), MUX_FOCUS, 8, '9');
}

/* Ctrl-T g: only with the GDB stub on the console; then every plain byte
 * (gdb's packets, its Ctrl-C) is the stub's, no guest is shown, and
 * Ctrl-T a gives the console back. */
static void test_gdb_focus(void **state)
{
	(void)state;
	conmux_init(&m, 2);
	key(CONMUX_ESC);
	expect(key('g'), MUX_HELP, 0, 'g');
	assert_int_equal(m.focus, CONMUX_ALL);
	conmux_allow_gdb(&m);
	key(CONMUX_ESC);
	expect(key('g'), MUX_FOCUS, CONMUX_GDB, 'g');
	expect(key('$'), MUX_GDB_KEY, CONMUX_GDB, '$');
	expect(key(0x03), MUX_GDB_KEY, CONMUX_GDB, 0x03);
	for (u32 g = 0; g < 2; g++)
		assert_false(conmux_shows(&m, g));
	key(CONMUX_ESC);
	expect(key(CONMUX_ESC), MUX_GDB_KEY, CONMUX_GDB, CONMUX_ESC);
	key(CONMUX_ESC);
	expect(key('a'), MUX_FOCUS, CONMUX_ALL, 'a');
	expect(key('x'), MUX_GUEST, 0, 'x');
}

static void test_ring(void **state)
{
	static struct con_ring r;
	static u8 out[CONMUX_RING + 10];
	u32 n;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(con_ring_take(&r, out, sizeof(out)), 0);
	for (u32 i = 0; i < 100; i++)
		con_ring_put(&r, (u8)i);
	assert_int_equal(con_ring_take(&r, out, 30), 30);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[29], 29);
	assert_int_equal(con_ring_take(&r, out, sizeof(out)), 70);
	assert_int_equal(out[0], 30);
	assert_int_equal(r.lost, 0);
	/* Overflow: the last CONMUX_RING bytes stay, in order. */
	for (u32 i = 0; i < CONMUX_RING + 500; i++)
		con_ring_put(&r, (u8)(i * 3));
	assert_int_equal(r.lost, 500);
	n = con_ring_take(&r, out, sizeof(out));
	assert_int_equal(n, CONMUX_RING);
	for (u32 i = 0; i < n; i++)
		assert_int_equal(out[i], (u8)((i + 500) * 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_mode),
		cmocka_unit_test(test_focus_keys),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_gdb_focus),
		cmocka_unit_test(test_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
