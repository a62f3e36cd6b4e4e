// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the 16550 UART (vmm/dev/uart16550.c) driven through
 * its eight registers (devfuzz.h); events are bytes received from the
 * console.
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/uart16550.h"

static struct uart16550 uart;
static unsigned long sent;
static bool irq_level;

static void on_tx(void *ctx, u8 byte) { (void)ctx, (void)byte; sent++; }
static void on_irq(void *ctx, bool level) { (void)ctx; irq_level = level; }
static void on_event(u8 arg, u64 val) { (void)val; uart16550_receive(&uart, arg); }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ 8, uart16550_read, uart16550_write, &uart, "com1" },
	};
	static const struct devfuzz d = { r, 1, NULL, on_event };

	uart16550_init(&uart, on_tx, on_irq, NULL);
	devfuzz_run(&d, data, size);
	return 0;
}
