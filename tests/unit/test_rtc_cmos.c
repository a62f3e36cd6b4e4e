// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the MC146818 RTC and CMOS RAM model
 * (vmm/dev/rtc_cmos.c) with a fake 1 GHz clock: the calendar conversions
 * both ways against a day-by-day walk and known dates (leap years, the
 * 2000 and 2100 century rules, 2038, 9999); the time registers in BCD and
 * binary, 24- and 12-hour form, the day of the week and the century byte
 * across a year and a century change; UIP in the last 244 us of a second;
 * setting the time with SET as Linux does (with and without the divider
 * reset and its 500 ms rule) and by writing a register while running;
 * register C's flags cleared by reading, the update, periodic and alarm
 * interrupts on IRQ 8 with rtc_poll() deadlines; SET clearing UIE;
 * register D; the plain RAM and the index port; a board reset, which
 * clears the interrupt enables and flags and keeps the time and the RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/rtc_cmos.h"

#define HZ 1000000000ULL /* the fake clock: 1 GHz, one cycle per ns */
#define MS (HZ / 1000)
#define START 7000000000ULL
#define T_2023_12_31_235958 1704067198ULL

struct fake {
	u64 now;
	bool level;
	unsigned rises;
};

static struct fake fk;
static struct rtc_cmos r;

static u64 fake_clock(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void fake_irq(void *ctx, bool level)
{
	struct fake *f = ctx;

	if (level && !f->level)
		f->rises++;
	f->level = level;
}

static int setup(void **state)
{
	struct rtc_hooks h = {
		.clock = fake_clock, .clock_khz = HZ / 1000,
		.epoch = T_2023_12_31_235958, .epoch_clock = START,
		.irq = fake_irq, .ctx = &fk,
	};

	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk.now = START;
	rtc_init(&r, &h);
	return 0;
}

static u8 rd(u8 reg)
{
	rtc_write(&r, 0, 1, reg);
	return (u8)rtc_read(&r, 1, 1);
}

static void wr(u8 reg, u8 v)
{
	rtc_write(&r, 0, 1, reg);
	rtc_write(&r, 1, 1, v);
}

/* ---- calendar ---- */

static bool leap(u32 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static u32 month_days(u32 y, u32 m)
{
	static const u8 d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

static void test_calendar_walk(void **state)
{
	u32 y = 1970, m = 1, d = 1, wday = 4;

	(void)state;
	for (u64 days = 0; days < 200000; days++) { /* to the year 2517 */
		struct rtc_time t;

		rtc_civil_from_days(days, &t);
		assert_int_equal(t.year, y);
		assert_int_equal(t.mon, m);
		assert_int_equal(t.mday, d);
		assert_int_equal(t.wday, wday);
		assert_int_equal(rtc_days_from_civil(y, m, d), days);
		wday = (wday + 1) % 7;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
}

static void check_gmtime(u64 secs, u32 y, u8 mo, u8 d, u8 h, u8 mi, u8 s, u8 wd)
{
	struct rtc_time t;

	rtc_gmtime(secs, &t);
	assert_int_equal(t.year, y);
	assert_int_equal(t.mon, mo);
	assert_int_equal(t.mday, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.min, mi);
	assert_int_equal(t.sec, s);
	assert_int_equal(t.wday, wd);
	assert_int_equal(rtc_mktime(&t), secs);
}

static void test_calendar_known_dates(void **state)
{
	(void)state;
	check_gmtime(0, 1970, 1, 1, 0, 0, 0, 4);
	check_gmtime(951782400, 2000, 2, 29, 0, 0, 0, 2);     /* 2000 is leap */
	check_gmtime(951868800, 2000, 3, 1, 0, 0, 0, 3);
	check_gmtime(1704067200, 2024, 1, 1, 0, 0, 0, 1);
	check_gmtime(1709164800, 2024, 2, 29, 0, 0, 0, 4);
	check_gmtime(2147483647, 2038, 1, 19, 3, 14, 7, 2);
	check_gmtime(4107456000ULL, 2100, 2, 28, 0, 0, 0, 0); /* 2100 is not */
	check_gmtime(4107542400ULL, 2100, 3, 1, 0, 0, 0, 1);
	check_gmtime(253402300799ULL, 9999, 12, 31, 23, 59, 59, 5);
	/* Months and years out of range. */
	assert_int_equal(rtc_days_from_civil(1969, 12, 31), 0);
	assert_int_equal(rtc_days_from_civil(2024, 13, 1), 0);
	assert_int_equal(rtc_days_from_civil(2024, 0, 1), 0);
}

/* ---- registers ---- */

static void test_bcd_24h_and_rollover(void **state)
{
	(void)state;
	assert_int_equal(rd(0x00), 0x58);
	assert_int_equal(rd(0x02), 0x59);
	assert_int_equal(rd(0x04), 0x23);
	assert_int_equal(rd(0x06), 1); /* Sunday */
	assert_int_equal(rd(0x07), 0x31);
	assert_int_equal(rd(0x08), 0x12);
	assert_int_equal(rd(0x09), 0x23);
	assert_int_equal(rd(RTC_CENTURY), 0x20);
	fk.now = START + 2 * HZ;
	assert_int_equal(rd(0x00), 0x00);
	assert_int_equal(rd(0x04), 0x00);
	assert_int_equal(rd(0x06), 2); /* Monday */
	assert_int_equal(rd(0x07), 0x01);
	assert_int_equal(rd(0x08), 0x01);
	assert_int_equal(rd(0x09), 0x24);
	fk.now = START + 2 * HZ + 3723 * HZ + HZ - 1;
	assert_int_equal(rd(0x00), 0x03);
	assert_int_equal(rd(0x02), 0x02);
	assert_int_equal(rd(0x04), 0x01);
}

static void test_binary_and_12h(void **state)
{
	(void)state;
	wr(0x0b, 0x06); /* binary, 24-hour */
	assert_int_equal(rd(0x00), 58);
	assert_int_equal(rd(0x04), 23);
	assert_int_equal(rd(0x09), 23);
	assert_int_equal(rd(RTC_CENTURY), 20);
	wr(0x0b, 0x04); /* binary, 12-hour: 11 PM */
	assert_int_equal(rd(0x04), 0x80 | 11);
	wr(0x0b, 0x00); /* BCD, 12-hour */
	assert_int_equal(rd(0x04), 0x91);
	fk.now = START + 2 * HZ; /* midnight is 12 AM */
	assert_int_equal(rd(0x04), 0x12);
	fk.now += 12 * 3600 * HZ; /* noon is 12 PM */
	assert_int_equal(rd(0x04), 0x92);
	fk.now += 3600 * HZ;
	assert_int_equal(rd(0x04), 0x81);
	/* Writing hours in 12-hour form: 3 AM. */
	wr(0x04, 0x03);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x04), 0x03);
}

static void test_uip(void **state)
{
	u64 s = START + 10 * HZ;

	(void)state;
	fk.now = s + HZ - 244000 - 1;
	assert_int_equal(rd(0x0a), 0x26);
	fk.now = s + HZ - 244000;
	assert_int_equal(rd(0x0a), 0xa6);
	assert_int_equal(rd(0x00), 0x08); /* not updated yet */
	fk.now = s + HZ - 1;
	assert_int_equal(rd(0x0a), 0xa6);
	fk.now = s + HZ;
	assert_int_equal(rd(0x0a), 0x26);
	assert_int_equal(rd(0x00), 0x09);
	wr(0x0a, 0xa6); /* UIP is read-only */
	assert_int_equal(rd(0x0a), 0x26);
}

/* Linux's mc146818_set_time(): SET, divider reset, registers, restore. */
static void test_set_time_like_linux(void **state)
{
	(void)state;
	fk.now = START + 300 * MS;
	wr(0x0b, rd(0x0b) | 0x80);
	wr(0x0a, rd(0x0a) | 0x60);
	wr(0x00, 0x59);
	wr(0x02, 0x59);
	wr(0x04, 0x23);
	wr(0x07, 0x31);
	wr(0x08, 0x12);
	wr(0x09, 0x99);
	wr(RTC_CENTURY, 0x20);
	fk.now += 5 * HZ; /* held: nothing moves, no UIP */
	assert_int_equal(rd(0x00), 0x59);
	assert_int_equal(rd(0x0a) & 0x80, 0);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x00), 0x59); /* still in divider reset */
	wr(0x0a, 0x26);
	fk.now += 500 * MS - 1;
	assert_int_equal(rd(0x00), 0x59);
	fk.now += 1; /* the first update, 500 ms later: a new century */
	assert_int_equal(rd(0x00), 0x00);
	assert_int_equal(rd(0x09), 0x00);
	assert_int_equal(rd(RTC_CENTURY), 0x21);
	assert_int_equal(rd(0x08), 0x01);
	assert_int_equal(rd(0x06), 6); /* 2100-01-01 is a Friday */
}

static void test_set_keeps_phase(void **state)
{
	(void)state;
	fk.now = START + 250 * MS;
	wr(0x0b, 0x82);
	wr(0x02, 0x10);
	wr(0x0b, 0x02);
	assert_int_equal(rd(0x02), 0x10);
	assert_int_equal(rd(0x00), 0x58);
	fk.now = START + HZ - 1;
	assert_int_equal(rd(0x00), 0x58);
	fk.now = START + HZ;
	assert_int_equal(rd(0x00), 0x59);
	assert_int_equal(rd(0x04), 0x23);
}

static void test_write_while_running(void **state)
{
	(void)state;
	fk.now = START + 100 * MS;
	wr(0x09, 0x30); /* the year moves to 2030, the rest stays */
	assert_int_equal(rd(0x09), 0x30);
	assert_int_equal(rd(0x00), 0x58);
	fk.now = START + 2 * HZ;
	assert_int_equal(rd(0x09), 0x31);
	assert_int_equal(rd(0x08), 0x01);
	wr(0x06, 0x05); /* the day of the week follows the date */
	assert_int_equal(rd(0x06), 4); /* 2031-01-01 is a Wednesday */
}

static void test_update_interrupt(void **state)
{
	(void)state;
	assert_int_equal(rd(0x0c), 0);
	assert_int_equal(rtc_poll(&r, fk.now), 0); /* nothing enabled */
	fk.now = START + HZ + 5;
	/* UF without UIE: no IRQF; PF is set whatever PIE says (RS = 6). */
	assert_int_equal(rd(0x0c), 0x50);
	assert_int_equal(rd(0x0c), 0x00); /* cleared by the read */
	wr(0x0b, 0x12);
	assert_int_equal(rtc_poll(&r, fk.now), START + 2 * HZ);
	assert_false(fk.level);
	assert_int_equal(rtc_poll(&r, START + 2 * HZ - 1), START + 2 * HZ);
	assert_int_equal(rtc_poll(&r, START + 2 * HZ), 0); /* raised, held */
	assert_true(fk.level);
	assert_int_equal(fk.rises, 1);
	fk.now = START + 4 * HZ;
	assert_int_equal(rd(0x0c), 0xf0); /* the zero alarm matched at 00:00:00 */
	assert_false(fk.level);
	assert_int_equal(rtc_poll(&r, fk.now), START + 5 * HZ);
	/* SET clears UIE. */
	wr(0x0b, 0x92);
	assert_int_equal(rd(0x0b), 0x82);
}

static void test_periodic_interrupt(void **state)
{
	u64 period = HZ / 1024;

	(void)state;
	wr(0x0b, 0x42);
	assert_int_equal(rtc_poll(&r, fk.now), START + period);
	rtc_poll(&r, START + period);
	assert_true(fk.level);
	fk.now = START + period + 1;
	assert_int_equal(rd(0x0c), 0xc0);
	assert_int_equal(rtc_poll(&r, fk.now), START + 2 * period);
	/* RS = 15: 2 Hz. */
	wr(0x0a, 0x2f);
	assert_int_equal(rtc_poll(&r, fk.now), START + HZ / 2);
	wr(0x0a, 0x20); /* RS = 0: none */
	assert_int_equal(rtc_poll(&r, fk.now), 0);
}

static void test_alarm_interrupt(void **state)
{
	(void)state;
	wr(0x01, 0x05); /* 00:00:05 */
	wr(0x03, 0x00);
	wr(0x05, 0x00);
	wr(0x0b, 0x22);
	assert_int_equal(rtc_poll(&r, fk.now), START + 7 * HZ);
	fk.now = START + 6 * HZ;
	assert_int_equal(rd(0x0c) & 0x20, 0);
	assert_int_equal(rtc_poll(&r, START + 7 * HZ), 0);
	assert_true(fk.level);
	fk.now = START + 7 * HZ;
	assert_int_equal(rd(0x0c), 0xf0);
	/* Tomorrow's, a day later. */
	assert_int_equal(rtc_poll(&r, fk.now), START + (7 + 86400) * HZ);
	/* Don't-care seconds: every second of minute 00:01. */
	wr(0x01, 0xc0);
	wr(0x03, 0x01);
	assert_int_equal(rtc_poll(&r, fk.now), START + (2 + 60) * HZ);
	/* All don't care: every second. */
	wr(0x03, 0xff);
	wr(0x05, 0xff);
	assert_int_equal(rtc_poll(&r, fk.now), START + 8 * HZ);
	/* An impossible hour never matches. */
	wr(0x05, 0x25);
	assert_int_equal(rtc_poll(&r, fk.now), 0);
	/* Missed while nobody looked: AF is still set. */
	wr(0x05, 0x00);
	wr(0x03, 0x00);
	wr(0x01, 0x30);
	fk.now = START + 3600 * HZ;
	assert_int_equal(rd(0x0c) & 0x20, 0x20);
}

static void test_ram_and_index(void **state)
{
	(void)state;
	assert_int_equal(rd(0x0d), 0x80);
	wr(0x0d, 0x00);
	assert_int_equal(rd(0x0d), 0x80);
	wr(0x0c, 0xff);
	assert_int_equal(rd(0x0c), 0x00);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTC_CENTURY)
			wr((u8)i, (u8)(i ^ 0x5a));
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != RTC_CENTURY)
			assert_int_equal(rd((u8)i), (u8)(i ^ 0x5a));
	rtc_write(&r, 0, 1, 0x80 | 0x10); /* NMI mask bit ignored */
	assert_int_equal(rtc_read(&r, 1, 1), 0x10 ^ 0x5a);
	assert_int_equal(rtc_read(&r, 0, 1), 0x10);
	/* Alarm bytes are plain storage too. */
	wr(0x01, 0x42);
	assert_int_equal(rd(0x01), 0x42);
}

static void test_board_reset(void **state)
{
	(void)state;
	wr(0x40, 0xa5);
	wr(0x0a, 0x2f);
	wr(0x0b, 0x7e); /* PIE AIE UIE SQWE, binary, 24-hour */
	assert_int_equal(rtc_poll(&r, START + HZ / 2), 0);
	assert_true(fk.level);
	fk.now = START + 3 * HZ;
	rtc_reset(&r);
	assert_false(fk.level);
	assert_int_equal(rd(0x0b), 0x06);
	assert_int_equal(rd(0x0c), 0x00);
	assert_int_equal(rd(0x0a) & 0x7f, 0x2f); /* the rate is kept */
	assert_int_equal(rd(0x40), 0xa5);
	assert_int_equal(rd(0x00), 1); /* 23:59:58 + 3 s, binary: still running */
	assert_int_equal(rd(0x09), 24);
	assert_int_equal(rtc_poll(&r, fk.now), 0); /* nothing enabled */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_calendar_walk, setup),
		cmocka_unit_test_setup(test_calendar_known_dates, setup),
		cmocka_unit_test_setup(test_bcd_24h_and_rollover, setup),
		cmocka_unit_test_setup(test_binary_and_12h, setup),
		cmocka_unit_test_setup(test_uip, setup),
		cmocka_unit_test_setup(test_set_time_like_linux, setup),
		cmocka_unit_test_setup(test_set_keeps_phase, setup),
		cmocka_unit_test_setup(test_write_while_running, setup),
		cmocka_unit_test_setup(test_update_interrupt, setup),
		cmocka_unit_test_setup(test_periodic_interrupt, setup),
		cmocka_unit_test_setup(test_alarm_interrupt, setup),
		cmocka_unit_test_setup(test_ram_and_index, setup),
		cmocka_unit_test_setup(test_board_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
