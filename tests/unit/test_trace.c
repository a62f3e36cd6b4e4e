// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the exit trace ring (vmm/trace.c): the ring keeps
 * the last TRACE_ENTRIES exits in order across wrap-around, each exit
 * kind packs its detail word as trace.h documents, an entry keeps the exit
 * as it was when recorded, the handler's action lands on its own entry,
 * an injected event lands on the last exit's entry (and a new exit's
 * entry starts without one), and a dump prints the requested entries
 * oldest first with their ages, names, actions and injected events, never
 * more than were recorded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/log.h"
#include "vmm/exit.h"
#include "vmm/trace.h"

static char lines[80][200];
static unsigned nlines;

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	if (nlines >= 80)
		fail();
	va_start(ap, fmt);
	vsnprintf(lines[nlines++], sizeof(lines[0]), fmt, ap);
	va_end(ap);
}

const char *exit_name(u32 code)
{
	static const char *const names[] = { [EXIT_IO] = "io", [EXIT_HLT] = "hlt",
					     [EXIT_STAGE2_FAULT] = "stage2-fault" };

	return code < sizeof(names) / sizeof(names[0]) && names[code] ? names[code] : "other";
}

static struct exit_trace ring;

static void setup_clear(void)
{
	memset(&ring, 0, sizeof(ring));
	nlines = 0;
}

static void test_wraps_in_order(void **state)
{
	struct vm_exit x = { .code = EXIT_HLT, .raw = 0x78 };

	(void)state;
	setup_clear();
	for (u64 i = 0; i < TRACE_ENTRIES + 10; i++) {
		x.rip = 0x1000 + i;
		trace_done(trace_record(&ring, &x, 100 * i), EXIT_ADVANCE);
	}
	assert_int_equal(ring.next, TRACE_ENTRIES + 10);
	/* the newest (number TRACE_ENTRIES + 9) overwrote slot 9; the oldest
	 * kept one, number 10, is in the slot after it */
	assert_int_equal(ring.e[9].x.rip, 0x1000 + TRACE_ENTRIES + 9);
	assert_int_equal(ring.e[ring.next % TRACE_ENTRIES].x.rip, 0x1000 + 10);
	assert_int_equal(ring.e[9].action, EXIT_ADVANCE + 1);
}

static void test_detail_words(void **state)
{
	struct vm_exit io = { .code = EXIT_IO, .io = { .port = 0x3f8, .size = 1, .in = true,
							.string = true, .rep = true } };
	struct vm_exit s2 = { .code = EXIT_STAGE2_FAULT,
			      .stage2 = { .gpa = 0x3ffdeff8, .walk = true, .read = true } };
	struct vm_exit msr = { .code = EXIT_MSR_WRITE, .msr = { .index = 0xc0000080 } };
	struct vm_exit exc = { .code = EXIT_EXCEPTION, .exc = { .vector = 14, .error = 2 } };
	struct vm_exit cr = { .code = EXIT_CR_ACCESS, .cr = { .cr = 4, .write = true, .gpr = 3 } };
	struct vm_exit hlt = { .code = EXIT_HLT };

	(void)state;
	assert_int_equal(trace_detail(&io), 0x3f8 | 1ULL << 16 | (u64)'i' << 24 | 1ULL << 32 |
					    1ULL << 36);
	assert_int_equal(trace_detail(&s2), 0x3ffdeff8 | 1ULL << 63 | 1ULL << 60);
	assert_int_equal(trace_detail(&msr), 0xc0000080);
	assert_int_equal(trace_detail(&exc), 14 | 2ULL << 32);
	assert_int_equal(trace_detail(&cr), 4 | 1 << 8 | 3 << 16);
	assert_int_equal(trace_detail(&hlt), 0);
}

static void test_in_handler_until_done(void **state)
{
	struct vm_exit x = { .code = EXIT_IO, .rip = 0x10 };
	struct trace_entry *e;

	(void)state;
	setup_clear();
	e = trace_record(&ring, &x, 5);
	assert_int_equal(e->action, 0);
	trace_dump(&ring, "g", 1, 4);
	assert_int_equal(nlines, 2);
	assert_non_null(strstr(lines[1], " in-handler"));
	trace_done(e, EXIT_STOP);
	nlines = 0;
	trace_dump(&ring, "g", 1, 4);
	assert_non_null(strstr(lines[1], " stop"));
}

static void test_dump_oldest_first(void **state)
{
	struct vm_exit io = { .code = EXIT_IO, .raw = 0x7b, .io = { .port = 0x60, .size = 1 } };
	struct vm_exit s2 = { .code = EXIT_STAGE2_FAULT, .raw = 0x400, .rip = 0xc,
			      .stage2 = { .gpa = 0x2000 } };

	(void)state;
	setup_clear();
	io.rip = 0xa;
	trace_done(trace_record(&ring, &io, 1000), EXIT_ADVANCE);
	io.rip = 0xb;
	trace_done(trace_record(&ring, &io, 1500), EXIT_ADVANCE);
	trace_done(trace_record(&ring, &s2, 1700), EXIT_STOP);
	trace_dump(&ring, "hostile", 0, 2);
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[0], "trace hostile vcpu 0: last 2 of 3 exits (tsc ticks before the last)");
	assert_string_equal(lines[1], "trace hostile vcpu 0: -200 io raw 0x7b rip 0xb detail 0x6f010060 advance");
	assert_string_equal(lines[2], "trace hostile vcpu 0: -0 stage2-fault raw 0x400 rip 0xc detail 0x2000 stop");
	nlines = 0;
	trace_dump(&ring, "hostile", 0, 50); /* no more than were recorded */
	assert_int_equal(nlines, 4);
	/* each entry is a copy of the exit as it was recorded */
	assert_string_equal(lines[1], "trace hostile vcpu 0: -700 io raw 0x7b rip 0xa detail 0x6f010060 advance");
}

static void test_injection_on_last_entry(void **state)
{
	struct vm_exit x = { .code = EXIT_HLT, .raw = 0x78, .rip = 0x40 };

	(void)state;
	setup_clear();
	trace_inject(&ring, TRACE_EVENT(EVENT_EXT_INTR, 0x30)); /* before any exit: not shown */
	trace_done(trace_record(&ring, &x, 100), EXIT_ADVANCE);
	trace_inject(&ring, TRACE_EVENT(EVENT_EXT_INTR, 0x31));
	trace_inject(&ring, TRACE_EVENT(EVENT_EXT_INTR, 0xec)); /* the last one injected wins */
	trace_done(trace_record(&ring, &x, 200), EXIT_RESUME);
	trace_inject(&ring, TRACE_EVENT(EVENT_EXCEPTION, 8));
	trace_record(&ring, &x, 300); /* a new entry starts clean */
	trace_dump(&ring, "g", 0, 3);
	assert_int_equal(nlines, 4);
	assert_string_equal(lines[1], "trace g vcpu 0: -200 hlt raw 0x78 rip 0x40 detail 0x0 advance inject intr 236");
	assert_string_equal(lines[2], "trace g vcpu 0: -100 hlt raw 0x78 rip 0x40 detail 0x0 resume inject exception 8");
	assert_string_equal(lines[3], "trace g vcpu 0: -0 hlt raw 0x78 rip 0x40 detail 0x0 in-handler");
}

static void test_empty_ring_prints_nothing(void **state)
{
	(void)state;
	setup_clear();
	trace_dump(&ring, "idle", 0, 16);
	assert_int_equal(nlines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wraps_in_order),
		cmocka_unit_test(test_detail_words),
		cmocka_unit_test(test_in_handler_until_done),
		cmocka_unit_test(test_dump_oldest_first),
		cmocka_unit_test(test_injection_on_last_entry),
		cmocka_unit_test(test_empty_ring_prints_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
