// SPDX-License-Identifier: MIT
/*
 * Calendar arithmetic for real-time clocks: the proleptic Gregorian
 * calendar to and from days and seconds since 1970-01-01 (UTC), with
 * years counted from March so a leap day is the last day of its year.
 * Shared by the host RTC driver and the emulated CMOS RTC.
 */
#include "kernel/rtctime.h"

#define SECS_PER_DAY 86400u
#define DAYS_0000_TO_1970 719468u /* 0000-03-01 to 1970-01-01 */
#define DAYS_PER_400Y 146097u

/* Days from 0000-03-01 to March 1st of year @y (years counted from March,
 * so a leap day is the last day of its year). */
static u64 days_before_year(u64 y)
{
	return 365 * y + y / 4 - y / 100 + y / 400;
}

/*
 * Days before month @mp of a March-based year (March = 0): the month
 * lengths from March, 31 30 31 30 31 31 30 31 30 31 31, make a pattern
 * that (153 * mp + 2) / 5 reproduces exactly.
 */
static u32 days_before_month(u32 mp)
{
	return (153 * mp + 2) / 5;
}

u64 rtc_days_from_civil(u32 year, u32 mon, u32 mday)
{
	u32 mp = (mon + 9) % 12; /* March = 0 ... February = 11 */
	u64 y = year - (mon <= 2 ? 1 : 0);
	u64 z;

	if (mon < 1 || mon > 12 || !year)
		return 0;
	z = days_before_year(y) + days_before_month(mp) + mday - 1;
	return z > DAYS_0000_TO_1970 ? z - DAYS_0000_TO_1970 : 0;
}

void rtc_civil_from_days(u64 days, struct rtc_time *t)
{
	u64 z = days + DAYS_0000_TO_1970;
	u64 era = z / DAYS_PER_400Y, doe = z % DAYS_PER_400Y;
	u64 y = doe / 365; /* too big by at most one: leap days are missing */
	u32 doy, mp;

	while (days_before_year(y) > doe)
		y--;
	doy = (u32)(doe - days_before_year(y));
	mp = (5 * doy + 2) / 153;
	t->mday = (u8)(doy - days_before_month(mp) + 1);
	t->mon = (u8)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (u32)(era * 400 + y + (t->mon <= 2 ? 1 : 0));
	t->wday = (u8)((days + 4) % 7); /* 1970-01-01 was a Thursday */
}

u64 rtc_mktime(const struct rtc_time *t)
{
	return rtc_days_from_civil(t->year, t->mon, t->mday) * SECS_PER_DAY +
	       t->hour * 3600u + t->min * 60u + t->sec;
}

void rtc_gmtime(u64 secs, struct rtc_time *t)
{
	u32 sod = (u32)(secs % SECS_PER_DAY);

	rtc_civil_from_days(secs / SECS_PER_DAY, t);
	t->hour = (u8)(sod / 3600);
	t->min = (u8)(sod / 60 % 60);
	t->sec = (u8)(sod % 60);
}

