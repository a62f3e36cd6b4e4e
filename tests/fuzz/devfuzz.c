// SPDX-License-Identifier: MIT
/*
 * The device-model operation stream of devfuzz.h. Every region sits on
 * one struct bus at (index + 1) << 20; reads check the bus contract (no
 * bit above the access size).
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/devfuzz.h"

u64 devfuzz_now;

u64 devfuzz_clock(void *ctx)
{
	(void)ctx;
	return devfuzz_now;
}

static u64 take(const u8 **p, const u8 *end, unsigned n, bool *ok)
{
	u64 v = 0;

	if ((size_t)(end - *p) < n) {
		*ok = false;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (u64)(*p)[i] << (8 * i);
	*p += n;
	return v;
}

static void one_op(const struct devfuzz *d, struct bus *bus, u8 op, u64 off, u64 val)
{
	unsigned r = (op >> 4) % d->nregions, size = 1u << ((op >> 2) & 3);
	u64 addr = ((u64)(r + 1) << 20) + off % (d->regions[r].len + 8), got;

	if ((op & 3) == 0) {
		bus_read(bus, addr, size, &got);
		if (size < 8 && (got >> (size * 8)))
			abort(); /* bus contract broken */
	} else {
		bus_write(bus, addr, size, val);
	}
}

void devfuzz_run(const struct devfuzz *d, const u8 *data, size_t size)
{
	static struct bus bus;
	const u8 *p = data, *end = data + size;
	bool ok = true;

	memset(&bus, 0, sizeof(bus));
	bus.name = "fuzz";
	for (unsigned i = 0; i < d->nregions; i++) {
		const struct devfuzz_region *r = &d->regions[i];

		if (!bus_register(&bus, (u64)(i + 1) << 20, r->len, r->read, r->write, r->dev,
				  r->name))
			abort();
	}
	devfuzz_now = 0;
	while (ok && p < end) {
		u8 op = *p++;
		u64 a, v;

		switch (op & 3) {
		case 0:
		case 1:
			a = take(&p, end, 2, &ok);
			v = (op & 3) == 1 ? take(&p, end, 8, &ok) : 0;
			if (ok)
				one_op(d, &bus, op, a, v);
			break;
		case 2:
			devfuzz_now += take(&p, end, 4, &ok);
			if (ok && d->poll)
				d->poll(devfuzz_now);
			break;
		default:
			a = take(&p, end, 1, &ok);
			v = take(&p, end, 8, &ok);
			if (ok && d->event)
				d->event((u8)a, v);
			break;
		}
	}
}
