// SPDX-License-Identifier: MIT
/* PIO/MMIO range registries (bus.h): sorted array, binary search, and
 * for the ports a direct index. */
#include "kernel/string.h"
#include "vmm/bus.h"

static void index_rebuild(struct bus *b)
{
	if (!b->index)
		return;
	memset(b->index, 0, b->index_len);
	for (unsigned i = 0; i < b->n; i++) {
		const struct bus_region *r = &b->regions[i];

		for (u64 a = r->base; a - r->base < r->len && a < b->index_len; a++)
			b->index[a] = (u8)(i + 1);
	}
}

void bus_set_index(struct bus *b, u8 *mem, u64 len)
{
	b->index = mem;
	b->index_len = len;
	index_rebuild(b);
}

bool bus_register(struct bus *b, u64 base, u64 len, bus_read_fn read,
		  bus_write_fn write, void *dev, const char *name)
{
	unsigned i = 0;

	if (!len || b->n == BUS_MAX_REGIONS || base + len < base)
		return false;
	while (i < b->n && b->regions[i].base < base)
		i++;
	if (i > 0 && b->regions[i - 1].base + b->regions[i - 1].len > base)
		return false;
	if (i < b->n && base + len > b->regions[i].base)
		return false;
	for (unsigned j = b->n; j > i; j--)
		b->regions[j] = b->regions[j - 1];
	b->regions[i] = (struct bus_region){ base, len, read, write, dev, name, NULL, false };
	b->n++;
	index_rebuild(b);
	return true;
}

bool bus_set_decode(struct bus *b, u64 base, bus_decode_fn decodes)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (b->regions[i].base == base) {
			b->regions[i].decodes = decodes;
			return true;
		}
	}
	return false;
}

bool bus_set_lockless(struct bus *b, u64 base)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (b->regions[i].base == base) {
			b->regions[i].lockless = true;
			return true;
		}
	}
	return false;
}

const struct bus_region *bus_find_sorted(const struct bus *b, u64 addr, unsigned size)
{
	unsigned lo = 0, hi = b->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct bus_region *r = &b->regions[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr >= r->base + r->len)
			lo = mid + 1;
		else
			return bus_claims(r, addr, size);
	}
	return NULL;
}

/* Does window region @r decode any byte of [addr, last]? (Inside the
 * region; a window decodes in blocks, so the bytes are checked one by one
 * for accesses up to 16 bytes, longer ones are taken as overlapping.) */
static bool window_overlaps(const struct bus_region *r, u64 addr, u64 last)
{
	if (addr < r->base || last > r->base + (r->len - 1) || last - addr >= 16)
		return true;
	for (u64 a = addr; a <= last; a++)
		if (r->decodes(r->dev, a - r->base, 1))
			return true;
	return false;
}

const struct bus_region *bus_overlap(const struct bus *b, u64 addr, u64 size)
{
	u64 last = addr + size - 1;

	if (!size)
		return NULL;
	if (last < addr) /* wraps: up to the top of the space */
		last = ~0ULL;
	for (unsigned i = 0; i < b->n; i++) {
		const struct bus_region *r = &b->regions[i];

		if (r->base <= last && addr <= r->base + (r->len - 1) &&
		    (!r->decodes || window_overlaps(r, addr, last)))
			return r;
	}
	return NULL;
}

bool bus_read(const struct bus *b, u64 addr, unsigned size, u64 *val)
{
	const struct bus_region *r = bus_find(b, addr, size);

	*val = r ? bus_region_read(r, addr, size) : bus_all_ones(size);
	return r != NULL;
}

bool bus_write(const struct bus *b, u64 addr, unsigned size, u64 val)
{
	const struct bus_region *r = bus_find(b, addr, size);

	if (!r)
		return false;
	bus_region_write(r, addr, size, val);
	return true;
}
