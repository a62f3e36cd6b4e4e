// SPDX-License-Identifier: MIT
//
// The ACPI power management timer: a free-running 24- or 32-bit counter at
// 3.579545 MHz at the I/O port named by the FADT (ACPI spec 6.5, 4.8.3.3).
// Guests use it for delays and timeouts because its rate is fixed, unlike
// the TSC's.
#ifndef GUEST_PMTIMER_H
#define GUEST_PMTIMER_H

#include "lib/types.h"

#define PM_TIMER_HZ 3579545u

// Find the timer through ACPI; false when there is none.
bool pmtimer_init(void);
u16 pmtimer_port(void);
u32 pmtimer_bits(void);
u32 pmtimer_read(void);
// Ticks from start to now, correct across one counter wrap.
u32 pmtimer_since(u32 start);
// Busy-wait us microseconds (any length).
void pmtimer_delay_us(u32 us);
// Poll done(arg) until it is true or timeout_us passes; returns done's
// last answer.
bool pmtimer_wait(bool (*done)(void *arg), void *arg, u32 timeout_us);
u64 pmtimer_ticks_to_us(u64 ticks);

#endif
