/* SPDX-License-Identifier: MIT */
/*
 * The physical console shared by the guests and the monitor, through the
 * multiplexer (conmux.h): input read on CPU 0 (vm_console_poll) goes to
 * the focused guest's console input (vm_console_input) or to the monitor;
 * a guest's output is shown or kept in its ring (console_route_out).
 *
 * Locking: the multiplexer state, every guest's output ring and its
 * console line state (struct vm's line, line_len) are guarded by this
 * file's lock; it is taken inside a VM's dev_lock (guest output) and
 * outside the log's lock, never the other way round.
 */
#ifndef VMM_CONSOLE_ROUTE_H
#define VMM_CONSOLE_ROUTE_H

#include "kernel/types.h"

struct vm;

/*
 * Guest output byte @c, shown or kept in the guest's ring for its next
 * focus, under the lock: shown through vm_console_emit() (unprefixed for
 * the focused guest or the console's only guest), kept while the guest is
 * out of focus and, once it has the focus again, until the replay has
 * shown what was kept before it (so nothing overtakes the replay).
 */
void console_route_out(struct vm *vm, char c);

/* Is @vm's output shown unprefixed now (the console's only guest, or the
 * focused one)? */
bool console_route_raw(const struct vm *vm);

/* Every guest has stopped: the console goes back to all guests, so what
 * was held for gdb's line and the guests' rings are shown. */
void console_route_finish(void);

/* Print a line on the console as the multiplexer's own ("hv: ..."). */
void console_route_notice(const char *fmt, ...) __printf(1, 2);

#endif
