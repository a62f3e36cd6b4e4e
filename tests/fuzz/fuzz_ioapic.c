// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the I/O APIC (vmm/dev/ioapic.c): its MMIO page
 * (devfuzz.h); events raise or lower a pin (arg bit 7 clear) or send an
 * EOI for vector val (arg bit 7 set).
 */
#include "tests/fuzz/devfuzz.h"
#include "vmm/dev/ioapic.h"

static struct ioapic io;

static void on_deliver(void *ctx, u8 dest, bool logical, u8 vector, u8 mode, bool level)
{
	(void)ctx, (void)dest, (void)logical, (void)vector, (void)mode, (void)level;
}

static void on_event(u8 arg, u64 val)
{
	if (arg & 0x80)
		ioapic_eoi(&io, (u8)val);
	else
		ioapic_set_irq(&io, arg, val & 1); /* pins beyond 23 too */
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct devfuzz_region r[] = {
		{ IOAPIC_MMIO_LEN, ioapic_read, ioapic_write, &io, "ioapic" },
	};
	static const struct devfuzz d = { r, 1, NULL, on_event };

	ioapic_init(&io, 4, on_deliver, NULL);
	devfuzz_run(&d, data, size);
	return 0;
}
