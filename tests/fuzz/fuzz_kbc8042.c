// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the 8042 keyboard controller (vmm/dev/kbc8042.c):
 * data port, status/command port and port 0x92 (devfuzz.h).
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/kbc8042.h"

static struct kbc kbc;
static void on_irq(void *ctx, bool level) { (void)ctx, (void)level; }
static void on_reset(void *ctx) { (void)ctx; }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ KBC_PORT_LEN, kbc_data_read, kbc_data_write, &kbc, "kbc-data" },
		{ KBC_PORT_LEN, kbc_status_read, kbc_command_write, &kbc, "kbc-cmd" },
		{ KBC_PORT_A_LEN, kbc_port_a_read, kbc_port_a_write, &kbc, "port-a" },
	};
	static const struct devfuzz d = { r, 3, NULL, NULL };
	struct kbc_hooks h = { .irq = on_irq, .reset = on_reset };

	kbc_init(&kbc, &h);
	devfuzz_run(&d, data, size);
	return 0;
}
