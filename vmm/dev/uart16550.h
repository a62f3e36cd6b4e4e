/* SPDX-License-Identifier: MIT */
/*
 * An emulated 16550A UART (PC16550D datasheet): the eight registers, the
 * divisor latch, a receive FIFO and the interrupt identification logic. It
 * knows nothing of ports or IRQ lines: its owner gives it a byte sink for
 * transmitted data and an interrupt-line callback.
 */
#ifndef VMM_DEV_UART16550_H
#define VMM_DEV_UART16550_H

#include "kernel/types.h"

#define UART_RX_FIFO 64

struct uart16550 {
	u8 ier, iir_pending, lcr, mcr, lsr, msr, scr, fcr;
	u16 divisor;
	u8 rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;
	bool thre_pending; /* THR-empty interrupt owed */
	bool irq_level;    /* the level last driven on the interrupt line */
	void (*tx)(void *ctx, u8 byte);
	void (*irq)(void *ctx, bool level);
	void *ctx;
};

void uart16550_init(struct uart16550 *u, void (*tx)(void *, u8),
		    void (*irq)(void *, bool), void *ctx);

/* Register access at offset 0-7 (bus callbacks). */
u64 uart16550_read(void *dev, u64 offset, unsigned size);
void uart16550_write(void *dev, u64 offset, unsigned size, u64 val);

/* A byte arrives from the outside (console input). False if the FIFO is
 * full (the byte is dropped and an overrun reported to the guest). */
bool uart16550_receive(struct uart16550 *u, u8 byte);

#endif
