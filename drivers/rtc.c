// SPDX-License-Identifier: MIT
/*
 * Host CMOS RTC reader (rtc.h). Registers (MC146818A datasheet): 0 seconds,
 * 2 minutes, 4 hours, 7 day of month, 8 month, 9 year; A bit 7 UIP (an
 * update is under way: wait), B bit 2 binary (else BCD), bit 1 24-hour
 * (else 12-hour with bit 7 of the hour = PM). The time is read twice until
 * both reads agree, so an update cannot tear it.
 */
#include "arch/x86/io.h"
#include "drivers/rtc.h"
#include "kernel/rtctime.h"

static u8 cmos(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static u32 decode(u8 v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

static bool read_once(u8 century_reg, struct rtc_time *t)
{
	u8 b = cmos(0x0b), hour;
	bool bin = b & 0x04;

	for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
		;
	t->sec = (u8)decode(cmos(0x00), bin);
	t->min = (u8)decode(cmos(0x02), bin);
	hour = cmos(0x04);
	t->hour = (u8)decode(hour & 0x7f, bin);
	if (!(b & 0x02)) /* 12-hour clock */
		t->hour = (u8)(t->hour % 12 + ((hour & 0x80) ? 12 : 0));
	t->mday = (u8)decode(cmos(0x07), bin);
	t->mon = (u8)decode(cmos(0x08), bin);
	t->year = decode(cmos(0x09), bin);
	if (century_reg)
		t->year += decode(cmos(century_reg), bin) * 100;
	else
		t->year += t->year < 70 ? 2000 : 1900;
	return t->sec < 60 && t->min < 60 && t->hour < 24 && t->mday >= 1 &&
	       t->mday <= 31 && t->mon >= 1 && t->mon <= 12 && t->year >= 1970;
}

bool rtc_host_read(u8 century_reg, u64 *epoch)
{
	struct rtc_time a, b;

	for (int tries = 0; tries < 5; tries++) {
		if (!read_once(century_reg, &a) || !read_once(century_reg, &b))
			continue;
		if (rtc_mktime(&a) == rtc_mktime(&b)) {
			*epoch = rtc_mktime(&a);
			return true;
		}
	}
	return false;
}
