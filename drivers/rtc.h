/* SPDX-License-Identifier: MIT */
/*
 * The host's CMOS real-time clock (MC146818-compatible at I/O 0x70/0x71),
 * read once at boot to learn the wall-clock time.
 */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include "kernel/types.h"

/*
 * Read the date and time (UTC assumed) as seconds since 1970-01-01.
 * @century_reg is the FADT's CMOS century index, 0 if none (then years
 * 00-69 mean 20xx). False when the clock gives no plausible time.
 */
bool rtc_host_read(u8 century_reg, u64 *epoch);

#endif
