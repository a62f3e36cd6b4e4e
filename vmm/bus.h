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
/* Whether a region that stands for a window (a bridge's: the PCI hole)
 * has something at @offset now; what it does not decode is unclaimed. */
typedef bool (*bus_decode_fn)(void *dev, u64 offset, unsigned size);

struct bus_region {
	u64 base;
	u64 len;
	bus_read_fn read;
	bus_write_fn write;
	void *dev;
	const char *name;
	bus_decode_fn decodes; /* NULL: the whole range is the device's */
	bool lockless;         /* the device needs no dev_lock around an access:
				  its state is the accessing vCPU's own (the
				  local APIC); see bus_set_lockless() */
};

struct bus {
	const char *name; /* "pio" or "mmio" */
	unsigned n;
	u8 *index;        /* optional (bus_set_index): for each address below
			     index_len, its region's number + 1, 0 for none */
	u64 index_len;
	struct bus_region regions[BUS_MAX_REGIONS]; /* sorted by base */
};

/* Add a range; false if it overlaps another or the bus is full. */
bool bus_register(struct bus *b, u64 base, u64 len, bus_read_fn read,
		  bus_write_fn write, void *dev, const char *name);

/* Give @b a direct index of the addresses below @len (@mem holds @len
 * bytes; the PIO bus's 64 Ki ports): bus_find() there takes one load
 * instead of a binary search. bus_register() keeps it up to date. */
void bus_set_index(struct bus *b, u8 *mem, u64 len);

/* Give the region at @base a decode check (bus_decode_fn); false if no
 * region starts there. */
bool bus_set_decode(struct bus *b, u64 base, bus_decode_fn decodes);

/* Inside region @r: the whole access, and decoded. */
static inline const struct bus_region *bus_claims(const struct bus_region *r, u64 addr,
						  unsigned size)
{
	if (size > r->base + r->len - addr) /* runs past its end */
		return NULL;
	return !r->decodes || r->decodes(r->dev, addr - r->base, size) ? r : NULL;
}

/* bus_find() above the index: a binary search. */
const struct bus_region *bus_find_sorted(const struct bus *b, u64 addr, unsigned size);

/* Mark the region at @base as one whose accesses need no VM-wide device
 * lock: its callbacks touch only the accessing vCPU's own state and take
 * their own locks for anything shared (the local APIC: its MSR interface
 * calls the same code without the lock). False if no region starts there. */
bool bus_set_lockless(struct bus *b, u64 base);

/* The region containing [addr, addr+size) that decodes it, or NULL.
 * Inline: every port exit looks its port up. */
static inline const struct bus_region *bus_find(const struct bus *b, u64 addr, unsigned size)
{
	if (addr < b->index_len) {
		u8 k = b->index[addr];

		return k ? bus_claims(&b->regions[k - 1], addr, size) : NULL;
	}
	return bus_find_sorted(b, addr, size);
}

/* The first region that overlaps [addr, addr+size) in any byte it
 * decodes, or NULL:
 * with bus_find() it tells an access inside one region from one that
 * straddles a region's edge. */
const struct bus_region *bus_overlap(const struct bus *b, u64 addr, u64 size);

/*
 * bus_find() trying the region found last first (*@hint, which it
 * updates): a driver touches one device's registers again and again.
 * Regions are registered while the VM is built and never overlap, so a
 * region slot whose range holds @addr is the region bus_find() would
 * find, whatever slot the hint names.
 */
static inline const struct bus_region *bus_find_hinted(const struct bus *b, u64 addr,
						       unsigned size,
						       const struct bus_region **hint)
{
	const struct bus_region *r = *hint;

	if (r && addr >= r->base && addr - r->base < r->len)
		return bus_claims(r, addr, size);
	r = bus_find(b, addr, size);
	if (r)
		*hint = r;
	return r;
}

/* All-ones of @size bytes: what a PC bus returns where nothing answers. */
static inline u64 bus_all_ones(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Access region @r (bus_find()'s answer for [@addr, @addr+@size)) as
 * bus_read() / bus_write() do: no read callback reads all-ones, no write
 * callback drops the write. */
static inline u64 bus_region_read(const struct bus_region *r, u64 addr, unsigned size)
{
	if (!r->read)
		return bus_all_ones(size);
	return r->read(r->dev, addr - r->base, size) & bus_all_ones(size);
}

static inline void bus_region_write(const struct bus_region *r, u64 addr, unsigned size, u64 val)
{
	if (r->write)
		r->write(r->dev, addr - r->base, size, val & bus_all_ones(size));
}

/*
 * Access the bus. Returns false when nobody claims the address; a read
 * then yields all-ones of @size bytes (what a PC bus returns).
 */
bool bus_read(const struct bus *b, u64 addr, unsigned size, u64 *val);
bool bus_write(const struct bus *b, u64 addr, unsigned size, u64 val);

#endif
