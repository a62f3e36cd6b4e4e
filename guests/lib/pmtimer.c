// SPDX-License-Identifier: MIT
//
// PM timer reads and timed waits for lib/pmtimer.h. Long waits add up short
// differences, so a wrap of the 24-bit counter (every 4.7 s) does no harm.
#include "lib/pmtimer.h"
#include "lib/acpi.h"
#include "lib/div64.h"
#include "lib/io.h"

static u16 pm_port;
static u32 pm_bits = 24;

bool pmtimer_init(void)
{
	pm_port = acpi_pm_timer_port(&pm_bits);
	return pm_port != 0;
}

u16 pmtimer_port(void)
{
	return pm_port;
}

u32 pmtimer_bits(void)
{
	return pm_bits;
}

u32 pmtimer_read(void)
{
	return inl(pm_port);
}

u32 pmtimer_since(u32 start)
{
	u32 mask = pm_bits == 32 ? 0xffffffffu : 0x00ffffffu;

	return (pmtimer_read() - start) & mask;
}

u64 pmtimer_ticks_to_us(u64 ticks)
{
	return udiv64(ticks * 1000000u, PM_TIMER_HZ);
}

static u64 us_to_ticks(u32 us)
{
	return udiv64((u64)us * PM_TIMER_HZ, 1000000u);
}

bool pmtimer_wait(bool (*done)(void *arg), void *arg, u32 timeout_us)
{
	u64 want = us_to_ticks(timeout_us), waited = 0;
	u32 last = pmtimer_read();

	while (!(done && done(arg))) {
		u32 d = pmtimer_since(last);

		last += d;
		waited += d;
		if (waited >= want)
			return done && done(arg);
	}
	return true;
}

void pmtimer_delay_us(u32 us)
{
	pmtimer_wait(NULL, NULL, us);
}
