/* SPDX-License-Identifier: MIT */
/*
 * A guest's console input: what the user typed for that guest waits here
 * (CONSOLE_IN_BUF bytes, 64 KiB per guest) and reaches the guest's console
 * device only as the device can take it, so no input is lost to a guest
 * that is slow to read, masks its receive interrupt or stops reading for a
 * while. The device is reached through a struct console_sink: today the
 * guest's 16550 (its receive FIFO room), and any other console device
 * (a virtio-console port) by giving its own sink. The device calls
 * console_in_feed() again whenever it has room (the 16550's rx_room hook).
 * When the buffer is full, the hypervisor stops reading the physical
 * console, which then holds further input in its own FIFO (or, with
 * QEMU's serial port, in the emulator).
 *
 * Locking: everything here is guarded by the owning VM's dev_lock (the
 * sink is a device model under that lock).
 */
#ifndef VMM_CONSOLE_IN_H
#define VMM_CONSOLE_IN_H

#include "kernel/types.h"

#define CONSOLE_IN_BUF (64u * 1024)

/* Where a guest's console input goes. */
struct console_sink {
	unsigned (*room)(void *dev);      /* bytes the device takes now */
	bool (*put)(void *dev, u8 byte);  /* called only while room() > 0 */
	void *dev;
};

struct console_in {
	struct console_sink sink;
	u32 head, count;         /* ring of bytes not yet in the device */
	u64 taken, fed;          /* bytes accepted and passed on since boot */
	u8 buf[CONSOLE_IN_BUF];
};

void console_in_init(struct console_in *c, const struct console_sink *sink);

/* Send further input to @sink (the guest's console device changed);
 * what is buffered stays and goes there. */
void console_in_set_sink(struct console_in *c, const struct console_sink *sink);

/* Bytes console_in_push() takes now. */
u32 console_in_room(const struct console_in *c);

/* Take up to @len bytes (returns how many fit) and feed the device. */
u32 console_in_push(struct console_in *c, const u8 *buf, u32 len);

/* Pass buffered bytes to the device while it has room. */
void console_in_feed(struct console_in *c);

/* Bytes buffered, not yet in the device. */
static inline u32 console_in_pending(const struct console_in *c) { return c->count; }

#endif
