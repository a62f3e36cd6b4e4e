// SPDX-License-Identifier: MIT
/* Wall-clock reference (wallclock.h); set once at boot. */
#include "kernel/wallclock.h"

/* 2024-01-01 00:00 UTC until the host RTC is read. */
static u64 ref_epoch = 1704067200ULL, ref_tsc;

void wallclock_set(u64 epoch, u64 tsc)
{
	ref_epoch = epoch;
	ref_tsc = tsc;
}

void wallclock_ref(u64 *epoch, u64 *tsc)
{
	*epoch = ref_epoch;
	*tsc = ref_tsc;
}
