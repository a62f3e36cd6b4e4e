/* SPDX-License-Identifier: MIT */
/*
 * I/O buses of a VM: the port-I/O bus and the MMIO bus are registries of
 * address ranges, each served by a device model's read/write callbacks
 * with the offset into the range. The exit path looks a range up; it never
 * switches over addresses. Device models do not know where they sit.
 */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include "kernel/types.h"

#define BUS_MAX_REGIONS 32

typedef u64 (*bus_read_fn)(void *dev, u64 offset, unsigned size);
typedef void (*bus_write_fn)(void *dev, u64 offset, unsigned size, u64 val);

struct bus_region {
	u64 base;
	u64 len;
	bus_read_fn read;
	bus_write_fn write;
	void *dev;
	const char *name;
};

struct bus {
	const char *name; /* "pio" or "mmio" */
	unsigned n;
	struct bus_region regions[BUS_MAX_REGIONS]; /* sorted by base */
};

/* Add a range; false if it overlaps another or the bus is full. */
bool bus_register(struct bus *b, u64 base, u64 len, bus_read_fn read,
		  bus_write_fn write, void *dev, const char *name);

/* The region containing [addr, addr+size), or NULL. */
const struct bus_region *bus_find(const struct bus *b, u64 addr, unsigned size);

/* The first region that overlaps [addr, addr+size) in any byte, or NULL:
 * with bus_find() it tells an access inside one region from one that
 * straddles a region's edge. */
const struct bus_region *bus_overlap(const struct bus *b, u64 addr, u64 size);

/*
 * Access the bus. Returns false when nobody claims the address; a read
 * then yields all-ones of @size bytes (what a PC bus returns).
 */
bool bus_read(const struct bus *b, u64 addr, unsigned size, u64 *val);
bool bus_write(const struct bus *b, u64 addr, unsigned size, u64 val);

#endif
