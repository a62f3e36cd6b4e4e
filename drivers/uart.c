// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UART driver for the host console (register layout from the
 * PC16550D datasheet: THR/RBR 0, IER 1, FCR 2, LCR 3, MCR 4, LSR 5, SCR 7;
 * DLL/DLM at 0/1 while LCR.DLAB is set). Input that arrives while the
 * driver waits to transmit is kept (uart.h), so long output does not make
 * the receive FIFO overrun.
 */
#include "arch/x86/io.h"
#include "drivers/uart.h"

#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define UART_CLOCK 115200

static bool uart_probe(u16 port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

bool uart_init(struct uart *u, u16 port, u32 baud)
{
	u16 div = (baud && baud <= UART_CLOCK) ? UART_CLOCK / baud : 1;

	u->port = 0;
	u->rx_busy = 0;
	u->stash_head = u->stash_count = 0;
	if (!port || !uart_probe(port))
		return false;
	outb(port + UART_IER, 0);       /* polled: no interrupts */
	outb(port + UART_LCR, 0x80);    /* DLAB */
	outb(port + 0, div & 0xff);
	outb(port + 1, div >> 8);
	outb(port + UART_LCR, 0x03);    /* 8N1 */
	outb(port + UART_FCR, 0x07);    /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03);    /* DTR, RTS */
	u->port = port;
	return true;
}

static bool rx_enter(struct uart *u)
{
	return !__atomic_exchange_n(&u->rx_busy, 1, __ATOMIC_ACQUIRE);
}

static void rx_leave(struct uart *u)
{
	__atomic_store_n(&u->rx_busy, 0, __ATOMIC_RELEASE);
}

/* A byte is waiting (LSR.DR): keep it, unless the stash is full or the
 * console poll is reading the receiver itself. */
static void stash_input(struct uart *u)
{
	if (u->stash_count == UART_RX_STASH || !rx_enter(u))
		return;
	if (inb(u->port + UART_LSR) & LSR_DR) {
		u->stash[(u->stash_head + u->stash_count) % UART_RX_STASH] = inb(u->port);
		u->stash_count++;
	}
	rx_leave(u);
}

static void put_byte(struct uart *u, char c)
{
	u8 lsr = inb(u->port + UART_LSR);

	/* Bounded wait: a stuck UART must not hang the hypervisor. */
	for (int i = 0; i < 100000 && !(lsr & LSR_THRE); i++) {
		if (lsr & LSR_DR)
			stash_input(u);
		asm volatile("pause");
		lsr = inb(u->port + UART_LSR);
	}
	if (lsr & LSR_DR)
		stash_input(u);
	outb(u->port, c);
}

void uart_rx_irq_enable(struct uart *u)
{
	if (!u->port)
		return;
	outb(u->port + UART_MCR, 0x0b); /* DTR, RTS, OUT2 */
	outb(u->port + UART_IER, 0x01);
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	if (!u->port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_byte(u, '\r');
		put_byte(u, s[i]);
	}
}

int uart_getc(struct uart *u)
{
	int c = -1;

	if (!u->port || !rx_enter(u))
		return -1;
	if (u->stash_count) {
		c = u->stash[u->stash_head];
		u->stash_head = (u->stash_head + 1) % UART_RX_STASH;
		u->stash_count--;
	} else if (inb(u->port + UART_LSR) & LSR_DR) {
		c = inb(u->port);
	}
	rx_leave(u);
	return c;
}
