/* SPDX-License-Identifier: MIT */
/*
 * Wall-clock time: the host RTC's reading at boot plus TSC time since.
 * Guests' emulated RTCs start from it.
 */
#ifndef KERNEL_WALLCLOCK_H
#define KERNEL_WALLCLOCK_H

#include "kernel/types.h"

/* Remember that the time was @epoch (seconds since 1970) at TSC @tsc. */
void wallclock_set(u64 epoch, u64 tsc);

/* The reference pair: seconds since 1970 at a TSC value. */
void wallclock_ref(u64 *epoch, u64 *tsc);

#endif
