/* SPDX-License-Identifier: MIT */
/*
 * The console multiplexer: which guest, or the monitor, the physical
 * console talks to, chosen by keys after the escape key Ctrl-T (not
 * QEMU's Ctrl-A):
 *   Ctrl-T 1..9    focus guest 1..9 (config order): only its output is
 *                  shown, unprefixed, and input goes to it alone
 *   Ctrl-T a       all guests (the start): every guest's output, prefixed
 *                  "[name] " when there are several; input to guest 1
 *   Ctrl-T m       the monitor (vmm/monitor.h)
 *   Ctrl-T g       the GDB stub, when it serves the console (gdb=GUEST,
 *                  console): the line carries gdb's remote protocol, the
 *                  log is held (kernel/log.h log_hold) and every guest's
 *                  output kept in its ring until the focus moves on
 *   Ctrl-T r       every vCPU prints its state (Ctrl-T alone did so before)
 *   Ctrl-T Ctrl-T  a literal Ctrl-T for the focused guest
 *   Ctrl-T h, ?    the key list
 * While a guest is out of focus its output is kept in its ring (the last
 * CONMUX_RING bytes, 16 KiB per guest, older bytes counted as lost) and
 * replayed when it gets the focus. This file is the pure logic: the key
 * state machine and the ring; vm.c applies it to the consoles.
 *
 * Locking: a struct conmux and the rings are guarded by vm.c's mux lock.
 */
#ifndef VMM_CONMUX_H
#define VMM_CONMUX_H

#include "kernel/types.h"

#define CONMUX_ESC 0x14 /* Ctrl-T */
#define CONMUX_RING (16u * 1024)
#define CONMUX_ALL (-1)
#define CONMUX_MONITOR (-2)
#define CONMUX_GDB (-3)

struct con_ring {
	u32 head, count; /* oldest byte, bytes held */
	u64 lost;        /* bytes overwritten since the last take */
	u8 buf[CONMUX_RING];
};

/* Keep @c, overwriting the oldest byte when full. */
void con_ring_put(struct con_ring *r, u8 c);

/* Move up to @max bytes, oldest first, into @out; returns how many. */
u32 con_ring_take(struct con_ring *r, u8 *out, u32 max);

enum conmux_act {
	MUX_NONE,        /* nothing to do (the escape key itself) */
	MUX_GUEST,       /* input byte for guest index target */
	MUX_MONITOR_KEY, /* input byte for the monitor */
	MUX_GDB_KEY,     /* input byte for the GDB stub */
	MUX_FOCUS,       /* focus is now target (guest index, ALL or MONITOR) */
	MUX_DUMP,        /* every vCPU prints its state */
	MUX_HELP,        /* print the key list */
};

struct conmux_ev {
	enum conmux_act act;
	int target;
	u8 byte;
};

struct conmux {
	u32 nguests;
	int focus; /* guest index, CONMUX_ALL, CONMUX_MONITOR or CONMUX_GDB */
	bool esc;  /* Ctrl-T seen, waiting for its key */
	bool gdb;  /* Ctrl-T g may give the console to the GDB stub */
};

void conmux_init(struct conmux *m, u32 nguests);

/* The GDB stub serves the console: Ctrl-T g is its focus. */
void conmux_allow_gdb(struct conmux *m);

/* One input byte from the physical console. */
struct conmux_ev conmux_key(struct conmux *m, u8 c);

/* Is guest @g's output shown now (rather than kept in its ring)? */
bool conmux_shows(const struct conmux *m, u32 g);

#endif
