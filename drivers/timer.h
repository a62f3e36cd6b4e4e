/* SPDX-License-Identifier: MIT */
/*
 * Host reference timers with a known rate, used to calibrate the TSC: the
 * ACPI PM timer (3.579545 MHz, ACPI 6.5 §4.8.3.3) when the FADT has one,
 * else PIT channel 2 (1.193182 MHz, gated through port 0x61).
 */
#ifndef DRIVERS_TIMER_H
#define DRIVERS_TIMER_H

#include "kernel/types.h"

struct acpi_info;

/* Use the FADT's PM timer if it is in I/O space. */
void timer_setup(const struct acpi_info *ai);

/* "pm-timer" or "pit": what timer_wait_us() uses. */
const char *timer_name(void);

/* Busy-wait @us microseconds on the reference timer (at most ~50 ms). */
void timer_wait_us(u32 us);

#endif
