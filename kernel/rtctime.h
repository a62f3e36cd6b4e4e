/* SPDX-License-Identifier: MIT */
/*
 * Calendar time for real-time clocks (kernel/rtctime.c): broken-down UTC
 * time and its conversion to and from seconds since 1970-01-01.
 */
#ifndef KERNEL_RTCTIME_H
#define KERNEL_RTCTIME_H

#include "kernel/types.h"

struct rtc_time {
	u32 year;
	u8 mon, mday, hour, min, sec, wday; /* mon 1-12, wday 0 = Sunday */
};

u64 rtc_days_from_civil(u32 year, u32 mon, u32 mday); /* 0 = 1970-01-01 */
void rtc_civil_from_days(u64 days, struct rtc_time *t);
u64 rtc_mktime(const struct rtc_time *t); /* ignores wday */
void rtc_gmtime(u64 secs, struct rtc_time *t);

#endif
