// SPDX-License-Identifier: MIT
/*
 * Polled 16550 UART driver for the host console (register layout from the
 * PC16550D datasheet: THR/RBR 0, IER 1, FCR 2, LCR 3, MCR 4, LSR 5, SCR 7;
 * DLL/DLM at 0/1 while LCR.DLAB is set).
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

static void put_byte(u16 port, char c)
{
	/* Bounded wait: a stuck UART must not hang the hypervisor. */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		asm volatile("pause");
	outb(port, c);
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	if (!u->port)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put_byte(u->port, '\r');
		put_byte(u->port, s[i]);
	}
}

int uart_getc(struct uart *u)
{
	if (!u->port || !(inb(u->port + UART_LSR) & LSR_DR))
		return -1;
	return inb(u->port);
}
