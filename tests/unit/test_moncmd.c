// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the monitor's command parser (vmm/moncmd.c): every
 * command with and without its optional words, numbers in decimal and
 * hexadecimal, and the lines it must refuse (unknown words, missing or
 * extra arguments, bad numbers, lengths out of range, over-long lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/moncmd.h"

static struct moncmd c;
static const char *err;

static bool parse(const char *line) { return moncmd_parse(line, &c, &err); }

static void test_simple(void **state)
{
	(void)state;
	assert_true(parse(""));
	assert_int_equal(c.op, MON_EMPTY);
	assert_true(parse("   \t "));
	assert_int_equal(c.op, MON_EMPTY);
	assert_true(parse("help"));
	assert_int_equal(c.op, MON_HELP);
	assert_true(parse("  guests\r\n"));
	assert_int_equal(c.op, MON_GUESTS);
	assert_true(parse("platform"));
	assert_int_equal(c.op, MON_PLATFORM);
	assert_false(parse("help me"));
	assert_string_equal(err, "takes no arguments");
	assert_false(parse("hlep"));
	assert_string_equal(err, "unknown command (try help)");
	assert_false(parse("Help"));
}

static void test_optional_guest(void **state)
{
	(void)state;
	assert_true(parse("vcpus"));
	assert_int_equal(c.op, MON_VCPUS);
	assert_string_equal(c.guest, "");
	assert_true(parse("vcpus linux"));
	assert_string_equal(c.guest, "linux");
	assert_true(parse("regs"));
	assert_int_equal(c.op, MON_REGS);
	assert_false(c.has_vcpu);
	assert_true(parse("regs park 1"));
	assert_string_equal(c.guest, "park");
	assert_true(c.has_vcpu);
	assert_int_equal(c.vcpu, 1);
	assert_true(parse("regs 0x2"));
	assert_string_equal(c.guest, "");
	assert_int_equal(c.vcpu, 2);
	assert_false(parse("regs park 1 2"));
	assert_false(parse("regs park x"));
	assert_string_equal(err, "bad vcpu number");
	assert_true(parse("exits"));
	assert_int_equal(c.op, MON_EXITS);
	assert_true(parse("exits park"));
	assert_string_equal(c.guest, "park");
	assert_true(parse("exits reset"));
	assert_int_equal(c.op, MON_EXITS_RESET);
	assert_string_equal(c.guest, "");
	assert_true(parse("exits reset park"));
	assert_int_equal(c.op, MON_EXITS_RESET);
	assert_string_equal(c.guest, "park");
	assert_false(parse("exits reset park more"));
	/* A name longer than the field is cut, not overrun. */
	assert_true(parse("vcpus abcdefghijklmnopqrstuvwxyz0123456789"));
	assert_int_equal(strlen(c.guest), MONCMD_NAME_MAX - 1);
}

static void test_trace(void **state)
{
	(void)state;
	assert_true(parse("trace"));
	assert_int_equal(c.op, MON_TRACE);
	assert_int_equal(c.n, MONCMD_TRACE_DEFAULT);
	assert_true(parse("trace tf 0 8"));
	assert_string_equal(c.guest, "tf");
	assert_int_equal(c.vcpu, 0);
	assert_int_equal(c.n, 8);
	assert_true(parse("trace 1 64"));
	assert_string_equal(c.guest, "");
	assert_int_equal(c.vcpu, 1);
	assert_int_equal(c.n, 64);
	assert_true(parse("trace on"));
	assert_int_equal(c.op, MON_TRACE_ON);
	assert_true(parse("trace off"));
	assert_int_equal(c.op, MON_TRACE_OFF);
	assert_false(parse("trace tf 0 0"));
	assert_string_equal(err, "bad entry count");
	assert_false(parse("trace tf 0 8 9"));
}

static void test_mem(void **state)
{
	(void)state;
	assert_true(parse("mem park gpa 200000 16"));
	assert_int_equal(c.op, MON_MEM);
	assert_string_equal(c.guest, "park");
	assert_false(c.gva);
	assert_int_equal(c.addr, 0x200000);
	assert_int_equal(c.len, 16);
	assert_true(parse("mem park gva 0xFFFFffff80001000 0x100"));
	assert_true(c.gva);
	assert_int_equal(c.addr, 0xffffffff80001000ull);
	assert_int_equal(c.len, 256);
	assert_true(parse("mem park gpa 0 4096"));
	assert_false(parse("mem park gpa 0 4097"));
	assert_string_equal(err, "mem: length 1..4096");
	assert_false(parse("mem park gpa 0 0"));
	assert_false(parse("mem park hva 0 1"));
	assert_string_equal(err, "mem: say gva or gpa");
	assert_false(parse("mem park gpa 12g4 1"));
	assert_string_equal(err, "mem: bad address");
	assert_false(parse("mem park gpa 10000000000000000 1")); /* 2^64 */
	assert_false(parse("mem park gpa 0x 1"));
	assert_false(parse("mem park gpa 0"));
	assert_true(parse("translate park ffff800000000000"));
	assert_int_equal(c.op, MON_TRANSLATE);
	assert_int_equal(c.addr, 0xffff800000000000ull);
	assert_false(parse("translate park"));
	assert_false(parse("translate park zz"));
}

static void test_guest_ops(void **state)
{
	static const struct { const char *word; enum mon_op op; } ops[] = {
		{ "pause", MON_PAUSE }, { "resume", MON_RESUME },
		{ "reset", MON_RESET }, { "stop", MON_STOP },
	};
	char line[64];

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "%s g1", ops[i].word);
		assert_true(parse(line));
		assert_int_equal(c.op, ops[i].op);
		assert_string_equal(c.guest, "g1");
		assert_false(parse(ops[i].word));
		assert_string_equal(err, "usage: <command> guest");
		snprintf(line, sizeof(line), "%s g1 g2", ops[i].word);
		assert_false(parse(line));
	}
	assert_true(parse("loglevel 3"));
	assert_int_equal(c.op, MON_LOGLEVEL);
	assert_int_equal(c.level, 3);
	assert_true(parse("loglevel warn"));
	assert_int_equal(c.level, 1);
	assert_false(parse("loglevel 4"));
	assert_false(parse("loglevel"));
}

static void test_limits(void **state)
{
	char line[400];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	assert_false(parse(line));
	assert_string_equal(err, "line too long");
	assert_false(parse("a b c d e f g h i"));
	assert_string_equal(err, "line too long");
	assert_false(parse("trace a 99999999999999999999999"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_optional_guest),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_guest_ops),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
