/* SPDX-License-Identifier: MIT */
/*
 * The driver shared by the device-model harnesses: it turns the fuzzer's
 * bytes into a stream of operations on the device's registers, through the
 * production bus (vmm/bus.c) as a guest's IN/OUT or MMIO would reach them.
 * One operation:
 *   byte 0   bits 0-1 kind: 0 read, 1 write, 2 time advance, 3 event;
 *            bits 2-3 access size 1 << n; bits 4-7 region (modulo count)
 *   bytes 1-2  offset into the region (little endian, modulo len + 8, so
 *            accesses that straddle the end are tried too)
 *   write:   8 value bytes; time advance: 4 bytes of clock ticks (then the
 *            harness's poll runs); event: 1 argument byte + 8 value bytes
 *            (what the harness makes of it: an input byte, an IRQ line).
 * A stream that ends inside an operation ends the run.
 */
#ifndef TESTS_FUZZ_DEVFUZZ_H
#define TESTS_FUZZ_DEVFUZZ_H

#include <stddef.h>

#include "vmm/bus.h"

struct devfuzz_region {
	u64 len;
	bus_read_fn read;
	bus_write_fn write;
	void *dev;
	const char *name;
};

struct devfuzz {
	const struct devfuzz_region *regions;
	unsigned nregions;
	/* optional */
	void (*poll)(u64 now);
	void (*event)(u8 arg, u64 val);
};

/* The device clock: ticks since the run started (hooks' clock()). */
extern u64 devfuzz_now;
u64 devfuzz_clock(void *ctx);

/* Run the operations of @data on the devices of @d. */
void devfuzz_run(const struct devfuzz *d, const u8 *data, size_t size);

#endif
