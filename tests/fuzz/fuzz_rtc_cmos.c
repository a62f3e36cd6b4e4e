// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the MC146818 RTC and CMOS RAM (vmm/dev/rtc_cmos.c):
 * index and data ports (devfuzz.h), the clock advancing and rtc_poll()
 * run as the vCPU loop does; an event resets the chip.
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/rtc_cmos.h"

static struct rtc_cmos rtc;
static void on_irq(void *ctx, bool level) { (void)ctx, (void)level; }
static void on_rearm(void *ctx) { (void)ctx; }
static void on_poll(u64 now) { rtc_poll(&rtc, now); }
static void on_event(u8 arg, u64 val) { (void)arg, (void)val; rtc_reset(&rtc); }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ RTC_REG_LEN, rtc_read, rtc_write, &rtc, "rtc" },
	};
	static const struct devfuzz d = { r, 1, on_poll, on_event };
	struct rtc_hooks h = {
		.clock = devfuzz_clock, .clock_khz = 1000000, .epoch = 1700000000,
		.irq = on_irq, .rearm = on_rearm,
	};

	if (size > 1 && (data[0] & 0x80)) {
		h.clock_khz = 1 + data[1];
		h.epoch = (u64)data[0] << 40 | (u64)data[1] << 24; /* far dates too */
	}
	rtc_init(&rtc, &h);
	devfuzz_run(&d, data, size);
	return 0;
}
