/* SPDX-License-Identifier: MIT */
/*
 * Host 16550-compatible UART in I/O space, polled: the hypervisor's
 * console. (Guests get their own emulated UART from vmm/dev/, which
 * shares nothing with this driver.)
 */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include "kernel/types.h"

#define UART_RX_STASH 256

/*
 * Received bytes are read by uart_getc() (the console poll, CPU 0) and,
 * while uart_write() waits for the transmitter on any CPU, moved into
 * stash so that the 16-byte receive FIFO does not overrun during long
 * output. rx_busy (atomic exchange) lets one CPU at a time read RBR or
 * touch the stash; the other skips instead of waiting.
 */
struct uart {
	u16 port; /* 0 = no UART */
	volatile u32 rx_busy;
	u32 stash_head, stash_count;
	u8 stash[UART_RX_STASH];
};

/*
 * Program @port for @baud 8N1 with FIFOs. Returns false (and leaves
 * u->port 0) when no UART answers there (scratch-register probe).
 */
bool uart_init(struct uart *u, u16 port, u32 baud);

void uart_write(struct uart *u, const char *s, size_t len);

/* Raise the UART's interrupt when a byte arrives (IER: received data
 * available; MCR.OUT2, which gates the interrupt line on PCs). */
void uart_rx_irq_enable(struct uart *u);

/* Next received byte (stashed ones first), or -1 if none is waiting or
 * another CPU is reading the receiver right now. */
int uart_getc(struct uart *u);

#endif
