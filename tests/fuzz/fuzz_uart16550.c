// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the 16550 UART (vmm/dev/uart16550.c) driven through
 * its eight registers (devfuzz.h); events are bytes received from the
 * console (an event whose value has bit 0 set queues them in a backlog
 * that the rx_room hook feeds as the FIFO drains, as the hypervisor's
 * console input does, and then no byte may be lost to an overrun); time
 * advances run the character-timeout poll.
 */
#include <stdlib.h>

#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/uart16550.h"

static struct uart16550 uart;
static unsigned long sent;
static bool irq_level;
static unsigned backlog;
static u64 deadline;

static void on_tx(void *ctx, u8 byte) { (void)ctx, (void)byte; sent++; }
static void on_irq(void *ctx, bool level) { (void)ctx; irq_level = level; }
static void on_rearm(void *ctx) { (void)ctx; deadline = 0; }

static void on_rx_room(void *ctx)
{
	(void)ctx;
	while (backlog && uart16550_rx_room(&uart)) {
		backlog--;
		if (!uart16550_receive(&uart, (u8)backlog))
			abort(); /* room said yes */
	}
}

static void on_event(u8 arg, u64 val)
{
	if (val & 1) {
		backlog += arg;
		on_rx_room(NULL);
	} else {
		uart16550_receive(&uart, arg);
	}
}

static void on_poll(u64 now)
{
	if (!deadline || now >= deadline)
		deadline = uart16550_poll(&uart, now);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ 8, uart16550_read, uart16550_write, &uart, "com1" },
	};
	static const struct devfuzz d = { r, 1, on_poll, on_event };
	struct uart16550_hooks h = { .rx_room = on_rx_room, .rearm = on_rearm, .clock_khz = 1000 };

	uart16550_init(&uart, on_tx, on_irq, NULL);
	uart16550_set_hooks(&uart, &h);
	backlog = 0;
	deadline = 0;
	devfuzz_run(&d, data, size);
	return 0;
}
