// SPDX-License-Identifier: MIT
//
// The guest console: a 16550 at COM1 driven by polling. Output from several
// CPUs is serialised by one lock per serial_write() call, so lines printed
// with one printf() never interleave.
#include "lib/serial.h"
#include "lib/io.h"
#include "lib/spinlock.h"

static struct spinlock serial_lock;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80); // DLAB=1: divisor latch
	outb(COM1 + UART_DLL, 1); // 115200 baud = 1.8432 MHz / 16 / 1
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03); // 8 data bits, no parity, 1 stop bit
	outb(COM1 + UART_FCR, 0x07); // enable and clear both FIFOs
	outb(COM1 + UART_MCR, 0x03); // DTR, RTS
}

void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		;
	outb(COM1 + UART_THR, (u8)c);
}

void serial_write(const char *s, size_t n)
{
	spin_lock(&serial_lock);
	for (; n; n--, s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
	spin_unlock(&serial_lock);
}

int serial_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
