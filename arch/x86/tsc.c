// SPDX-License-Identifier: MIT
/*
 * TSC calibration: count TSC ticks across a fixed wait on a timer of known
 * rate, keep the best of three (least disturbed) rounds. The hypervisor
 * requires an invariant-rate TSC for its delays; emulators provide one.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "drivers/timer.h"

static u64 khz = 3000000;

void tsc_calibrate(void)
{
	u64 best = ~0ULL;

	for (int i = 0; i < 3; i++) {
		u64 t0 = rdtsc();

		timer_wait_us(10000);
		u64 d = rdtsc() - t0;
		if (d < best)
			best = d;
	}
	if (best && best != ~0ULL)
		khz = best / 10;
}

u64 tsc_khz(void) { return khz; }

void udelay(u64 us)
{
	u64 end = rdtsc() + us * khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

void mdelay(u64 ms) { udelay(ms * 1000); }

u64 tsc_us(void) { return rdtsc() * 1000 / khz; }
