// SPDX-License-Identifier: MIT
/*
 * 16550A model (uart16550.h). Register map, PC16550D §8: 0 RBR/THR (DLL with
 * LCR.DLAB), 1 IER (DLM), 2 IIR/FCR, 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR.
 * Transmission is instant: THR is always empty. Interrupt priority (IIR):
 * line status, received data, THR empty, modem status.
 */
#include "kernel/string.h"
#include "vmm/dev/uart16550.h"

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_RLS 0x04
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NONE 0x01
#define IIR_RLS 0x06
#define IIR_RDA 0x04
#define IIR_THRE 0x02
#define IIR_FIFO 0xc0
#define MCR_LOOP 0x10
#define MCR_OUT2 0x08

static u8 pending_iir(const struct uart16550 *u)
{
	if ((u->ier & IER_RLS) && (u->lsr & LSR_OE))
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count)
		return IIR_RDA;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return IIR_THRE;
	return IIR_NONE;
}

/* The PC routes the interrupt only with MCR.OUT2 set. The line is only
 * driven when its level changes (every register access gets here). */
static void update_irq(struct uart16550 *u)
{
	bool level = pending_iir(u) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (u->irq && level != u->irq_level) {
		u->irq_level = level;
		u->irq(u->ctx, level);
	}
}

void uart16550_init(struct uart16550 *u, void (*tx)(void *, u8),
		    void (*irq)(void *, bool), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = 0xb0; /* DCD, DSR, CTS */
	u->divisor = 12; /* 9600 baud */
	u->tx = tx;
	u->irq = irq;
	u->ctx = ctx;
}

static u8 rx_pop(struct uart16550 *u)
{
	u8 b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
	u->rx_count--;
	if (!u->rx_count)
		u->lsr &= ~LSR_DR;
	return b;
}

bool uart16550_receive(struct uart16550 *u, u8 byte)
{
	if (u->rx_count == UART_RX_FIFO) {
		u->lsr |= LSR_OE;
		update_irq(u);
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = byte;
	u->rx_count++;
	u->lsr |= LSR_DR;
	update_irq(u);
	return true;
}

static u8 read_iir(struct uart16550 *u)
{
	u8 iir = pending_iir(u);

	if (iir == IIR_THRE)
		u->thre_pending = false; /* reading IIR clears THRE */
	update_irq(u);
	return iir | ((u->fcr & 1) ? IIR_FIFO : 0);
}

u64 uart16550_read(void *dev, u64 offset, unsigned size)
{
	struct uart16550 *u = dev;
	u8 v = 0;

	(void)size;
	switch (offset) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->divisor & 0xff;
		v = rx_pop(u);
		update_irq(u);
		return v;
	case 1: return (u->lcr & LCR_DLAB) ? u->divisor >> 8 : u->ier;
	case 2: return read_iir(u);
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5:
		v = u->lsr;
		u->lsr &= ~LSR_OE;
		update_irq(u);
		return v;
	case 6: return u->msr;
	default: return u->scr;
	}
}

static void write_thr(struct uart16550 *u, u8 b)
{
	if (u->mcr & MCR_LOOP)
		uart16550_receive(u, b);
	else if (u->tx)
		u->tx(u->ctx, b);
	u->thre_pending = true;
	update_irq(u);
}

void uart16550_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct uart16550 *u = dev;
	u8 b = (u8)val;

	(void)size;
	switch (offset) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->divisor = (u->divisor & 0xff00) | b;
		else
			write_thr(u, b);
		return;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (u->divisor & 0xff) | (b << 8);
			return;
		}
		/* Enabling THRE interrupts raises one at once (THR is empty). */
		if ((b & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_pending = true;
		u->ier = b & 0x0f;
		break;
	case 2:
		u->fcr = b;
		if (b & 0x02) { /* clear receive FIFO */
			u->rx_count = 0;
			u->lsr &= ~LSR_DR;
		}
		break;
	case 3: u->lcr = b; return;
	case 4: u->mcr = b & 0x1f; break;
	case 7: u->scr = b; return;
	default: return; /* LSR and MSR are read-only */
	}
	update_irq(u);
}
