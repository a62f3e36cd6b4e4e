// SPDX-License-Identifier: MIT
//
// Polled console on the 16550 UART at I/O port 0x3f8 (COM1), the console
// every guest uses, bare or under the hypervisor.
#ifndef GUEST_SERIAL_H
#define GUEST_SERIAL_H

#include "lib/types.h"

#define COM1 0x3f8

// 16550 register offsets from the base port (16550D datasheet, Table 2).
#define UART_THR 0 // transmit holding (write, DLAB=0)
#define UART_RBR 0 // receive buffer (read, DLAB=0)
#define UART_DLL 0 // divisor latch low (DLAB=1)
#define UART_IER 1 // interrupt enable (DLAB=0)
#define UART_DLM 1 // divisor latch high (DLAB=1)
#define UART_FCR 2 // FIFO control (write)
#define UART_LCR 3 // line control
#define UART_MCR 4 // modem control
#define UART_LSR 5 // line status
#define UART_SCR 7 // scratch
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20

// Program 115200 8N1, FIFOs on, interrupts off.
void serial_init(void);
void serial_putc(char c);
// Write n bytes, LF becoming CR LF; holds the console lock.
void serial_write(const char *s, size_t n);
// Return a received byte, or -1 when none is waiting.
int serial_getc(void);

#endif
