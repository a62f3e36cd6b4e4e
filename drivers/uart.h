/* SPDX-License-Identifier: MIT */
/*
 * Host 16550-compatible UART in I/O space, polled: the hypervisor's
 * console. (Guests get their own emulated UART from vmm/dev/, which
 * shares nothing with this driver.)
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "kernel/types.h"

struct uart {
	u16 port; /* 0 = no UART */
};

/*
 * Program @port for @baud 8N1 with FIFOs. Returns false (and leaves
 * u->port 0) when no UART answers there (scratch-register probe).
 */
bool uart_init(struct uart *u, u16 port, u32 baud);

void uart_write(struct uart *u, const char *s, size_t len);

/* Next received byte, or -1 if none is waiting. */
int uart_getc(struct uart *u);

#endif
