/* SPDX-License-Identifier: MIT */
/* TSC frequency calibration and TSC-based delays. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include "kernel/types.h"

/* Measure the TSC rate against the reference timer (drivers/timer.h). */
void tsc_calibrate(void);

u64 tsc_khz(void);

/* Busy-wait; before calibration a conservative 3 GHz is assumed. */
void udelay(u64 us);
void mdelay(u64 ms);

/* Microseconds since an arbitrary point (boot). */
u64 tsc_us(void);

#endif
