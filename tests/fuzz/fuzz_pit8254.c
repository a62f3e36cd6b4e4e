// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the 8254 PIT (vmm/dev/pit8254.c): counters and
 * control word (4 ports) and port 0x61 (devfuzz.h), with the clock
 * advancing and pit_poll() run as the vCPU loop does.
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/pit8254.h"

static struct pit pit;
static void on_irq(void *ctx, bool level) { (void)ctx, (void)level; }
static void on_rearm(void *ctx) { (void)ctx; }
static void on_poll(u64 now) { pit_poll(&pit, now); }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ PIT_REG_LEN, pit_read, pit_write, &pit, "pit" },
		{ PIT_PORT_B_LEN, pit_port_b_read, pit_port_b_write, &pit, "port-b" },
	};
	static const struct devfuzz d = { r, 2, on_poll, NULL };
	struct pit_hooks h = {
		.clock = devfuzz_clock, .clock_khz = 1000000, .irq = on_irq, .rearm = on_rearm,
	};

	if (size && (data[0] & 0x80))
		h.clock_khz = 1 + data[0]; /* slow clocks too */
	pit_init(&pit, &h);
	devfuzz_run(&d, data, size);
	return 0;
}
