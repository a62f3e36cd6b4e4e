/* SPDX-License-Identifier: MIT */
/*
 * The exit device, like QEMU's isa-debug-exit: a write of value V ends the
 * guest with status V (QEMU would exit with (V << 1) | 1). Used by test
 * guests to report their result.
 */
#ifndef VMM_DEV_DEBUG_EXIT_H
#define VMM_DEV_DEBUG_EXIT_H

#include "kernel/types.h"

/* Bus write callback; @dev is the struct vm. */
void debug_exit_write(void *dev, u64 offset, unsigned size, u64 val);

#endif
