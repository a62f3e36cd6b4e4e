// SPDX-License-Identifier: MIT
/*
 * A guest's console input buffer (console_in.h): a byte ring between the
 * physical console and the guest's console device, drained only as fast
 * as the device takes bytes.
 */
#include "kernel/string.h"
#include "vmm/console_in.h"

void console_in_init(struct console_in *c, const struct console_sink *sink)
{
	c->sink = *sink;
	c->head = c->count = 0;
	c->taken = c->fed = 0;
}

void console_in_set_sink(struct console_in *c, const struct console_sink *sink)
{
	c->sink = *sink;
	console_in_feed(c);
}

u32 console_in_room(const struct console_in *c) { return CONSOLE_IN_BUF - c->count; }

u32 console_in_push(struct console_in *c, const u8 *buf, u32 len)
{
	u32 n = MIN(len, console_in_room(c));

	for (u32 i = 0; i < n; i++)
		c->buf[(c->head + c->count + i) % CONSOLE_IN_BUF] = buf[i];
	c->count += n;
	c->taken += n;
	console_in_feed(c);
	return n;
}

void console_in_feed(struct console_in *c)
{
	while (c->count && c->sink.room && c->sink.room(c->sink.dev)) {
		u8 b = c->buf[c->head];

		/* The device may call back into console_in_feed() (the 16550's
		 * rx_room hook): take the byte off the ring first. */
		c->head = (c->head + 1) % CONSOLE_IN_BUF;
		c->count--;
		c->fed++;
		if (!c->sink.put(c->sink.dev, b))
			break; /* a device that lied about its room */
	}
}
