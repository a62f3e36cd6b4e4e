// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the ACPI PM block and reset register
 * (vmm/dev/acpi_pm.c) through their ports (devfuzz.h), the PM timer
 * running from the fuzzed clock.
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/acpi_pm.h"

static struct acpi_pm pm;
static void on_off(void *ctx) { (void)ctx; }

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ ACPI_PM_BLOCK_LEN, acpi_pm_read, acpi_pm_write, &pm, "pm" },
		{ 1, acpi_pm_reset_read, acpi_pm_reset_write, &pm, "reset" },
	};
	static const struct devfuzz d = { r, 2, NULL, NULL };
	struct acpi_pm_hooks h = {
		.clock = devfuzz_clock, .clock_khz = 1000000, .poweroff = on_off, .reset = on_off,
	};

	if (size && (data[0] & 0x80))
		h.clock_khz = data[0] & 0x7f; /* 0: uncalibrated */
	acpi_pm_init(&pm, &h);
	devfuzz_run(&d, data, size);
	return 0;
}
