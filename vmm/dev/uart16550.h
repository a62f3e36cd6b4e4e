/* SPDX-License-Identifier: MIT */
/*
 * An emulated 16550A UART (PC16550D datasheet): the eight registers, the
 * divisor latch, the 16-byte receive FIFO with its trigger levels and
 * character-timeout interrupt, and the interrupt identification logic. It
 * knows nothing of ports or IRQ lines: its owner gives it a byte sink for
 * transmitted data, an interrupt-line callback and optional hooks (struct
 * uart16550_hooks) that make input lossless: the owner keeps its input
 * and passes it on only while uart16550_rx_room() is non-zero, refilling
 * from the rx_room hook each time the guest drains the FIFO, the way a
 * sender with hardware flow control waits for the receiver.
 *
 * Locking: none inside; the owner serializes every call (the VM's
 * dev_lock for a guest's COM1). Hooks are called with that lock held.
 */
#ifndef VMM_DEV_UART16550_H
#define VMM_DEV_UART16550_H

#include "kernel/types.h"

/* PC16550D §8.6.3: 16 bytes in FIFO mode; one (the RBR) in 16450 mode. */
#define UART_RX_FIFO 16

struct uart16550_hooks {
	/* The receive FIFO has room again (the guest read RBR or cleared
	 * the FIFO): the owner may call uart16550_receive() from here. */
	void (*rx_room)(void *ctx);
	/* Data arrived with no character-timeout deadline armed: the next
	 * uart16550_poll() deadline may be earlier (like rtc_cmos.h). */
	void (*rearm)(void *ctx);
	u64 clock_khz; /* the clock uart16550_poll() is given; 0 = none */
};

struct uart16550 {
	u8 ier, iir_pending, lcr, mcr, lsr, msr, scr, fcr;
	u16 divisor;
	u8 rx[UART_RX_FIFO];
	unsigned rx_head, rx_count;
	bool thre_pending; /* THR-empty interrupt owed */
	bool irq_level;    /* the level last driven on the interrupt line */
	bool timeout;      /* character-timeout indication (IIR 0x0c) */
	bool rx_active;    /* a character came or was read since the last poll */
	u64 rx_deadline;   /* clock value of the timeout, 0 = not armed */
	bool rearmed;      /* hooks.rearm called since the last poll */
	void (*tx)(void *ctx, u8 byte);
	void (*irq)(void *ctx, bool level);
	void *ctx;
	struct uart16550_hooks hooks;
};

void uart16550_init(struct uart16550 *u, void (*tx)(void *, u8),
		    void (*irq)(void *, bool), void *ctx);

/* Install @h (copied); the hooks get the ctx given to uart16550_init(). */
void uart16550_set_hooks(struct uart16550 *u, const struct uart16550_hooks *h);

/* Register access at offset 0-7 (bus callbacks). */
u64 uart16550_read(void *dev, u64 offset, unsigned size);
void uart16550_write(void *dev, u64 offset, unsigned size, u64 val);

/*
 * A byte arrives from the outside (console input). False if it did not
 * fit: in FIFO mode the byte is lost and the FIFO kept, in 16450 mode it
 * replaces the unread one (§8.4 LSR bit 1); either way LSR.OE reports the
 * overrun to the guest. Owners that must not lose input check
 * uart16550_rx_room() first.
 */
bool uart16550_receive(struct uart16550 *u, u8 byte);

/* Bytes the receiver can take without an overrun now. */
unsigned uart16550_rx_room(const struct uart16550 *u);

/*
 * The character-timeout timer (§8.6.3: FIFO mode, at least one byte in the
 * FIFO and none received or read for four character times). Call with
 * the clock's value @now; returns the clock value at which to call again,
 * or 0 when no timeout can come (FIFO off or empty, or already raised).
 */
u64 uart16550_poll(struct uart16550 *u, u64 now);

#endif
