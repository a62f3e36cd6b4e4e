// SPDX-License-Identifier: MIT
//
// The neighbour of the hostile-guest tests: a well-behaved guest that
// prints "heartbeat <n>" every 100 ms (by the ACPI PM timer) while a
// hostile guest attacks the hypervisor on another CPU, then passes. The
// system test asserts that every beat arrives and the verdict line comes
// before the timeout: a hypervisor that panicked, wedged or stole the
// neighbour's CPU fails it. "beats=N" on the command line sets the count
// (default 20, i.e. about 2 s of guest time).
#include "lib/multiboot.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/test.h"

#define BEAT_US 100000u
#define DEFAULT_BEATS 20u

int main(void)
{
	u32 beats;

	test_start("heartbeat");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	beats = mb_cmdline_number("beats", DEFAULT_BEATS);
	for (u32 i = 1; i <= beats; i++) {
		pmtimer_delay_us(BEAT_US);
		printf("heartbeat %u\n", i);
	}
	check(true, "%u heartbeats", beats);
	test_finish();
}
