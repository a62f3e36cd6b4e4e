// SPDX-License-Identifier: MIT
/*
 * 16550A model (uart16550.h). Register map, PC16550D §8: 0 RBR/THR (DLL with
 * LCR.DLAB), 1 IER (DLM), 2 IIR/FCR, 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR.
 * Transmission is instant: THR is always empty. Interrupt priority (IIR,
 * §8.6.4 table): line status; received data at the trigger level or the
 * character timeout; THR empty; modem status. In FIFO mode (FCR bit 0)
 * the receiver holds 16 bytes and "received data" means the trigger level
 * (FCR bits 7:6: 1, 4, 8 or 14 bytes) is reached; fewer bytes left alone
 * for four character times raise the timeout indication instead.
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
#define IIR_CTI 0x0c
#define IIR_THRE 0x02
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_KEPT 0xc9 /* enable, DMA mode, trigger level */
#define MCR_LOOP 0x10
#define MCR_OUT2 0x08
#define UART_CLOCK_HZ 115200 /* 1.8432 MHz / 16: divisor 1 */

static bool fifo_on(const struct uart16550 *u) { return u->fcr & FCR_ENABLE; }

static unsigned rx_capacity(const struct uart16550 *u) { return fifo_on(u) ? UART_RX_FIFO : 1; }

/* FCR bits 7:6 (§8.5 FCR): the receive trigger level. */
static unsigned rx_trigger(const struct uart16550 *u)
{
	static const u8 level[4] = { 1, 4, 8, 14 };

	return fifo_on(u) ? level[u->fcr >> 6] : 1;
}

static u8 pending_iir(const struct uart16550 *u)
{
	if ((u->ier & IER_RLS) && (u->lsr & LSR_OE))
		return IIR_RLS;
	if ((u->ier & IER_RDA) && u->rx_count >= rx_trigger(u))
		return IIR_RDA;
	if ((u->ier & IER_RDA) && u->timeout)
		return IIR_CTI;
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

void uart16550_set_hooks(struct uart16550 *u, const struct uart16550_hooks *h)
{
	u->hooks = *h;
}

unsigned uart16550_rx_room(const struct uart16550 *u)
{
	return rx_capacity(u) - u->rx_count;
}

/* A character came or left: the timeout timer starts again (§8.6.3). */
static void rx_activity(struct uart16550 *u)
{
	u->rx_active = true;
	if (!u->rx_deadline && !u->rearmed && u->rx_count && fifo_on(u) && u->hooks.rearm) {
		u->rearmed = true;
		u->hooks.rearm(u->ctx);
	}
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_count = 0;
	u->rx_head = 0;
	u->timeout = false;
	u->lsr &= ~LSR_DR;
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
	u->timeout = false; /* reading a character clears it (§8.6.3) */
	rx_activity(u);
	return b;
}

bool uart16550_receive(struct uart16550 *u, u8 byte)
{
	bool fits = uart16550_rx_room(u) > 0;

	if (fits) {
		u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = byte;
		u->rx_count++;
	} else {
		u->lsr |= LSR_OE;
		if (!fifo_on(u)) /* 16450: the unread byte is overwritten */
			u->rx[u->rx_head] = byte;
	}
	u->lsr |= LSR_DR;
	rx_activity(u);
	update_irq(u);
	return fits;
}

/* Four character times in clock ticks: start bit, 5-8 data bits, parity,
 * 1 or 2 stop bits (LCR §8.5) at 115200 / divisor baud. */
static u64 timeout_ticks(const struct uart16550 *u)
{
	unsigned bits = 1 + 5 + (u->lcr & 3) + ((u->lcr & 0x08) ? 1 : 0) + ((u->lcr & 0x04) ? 2 : 1);
	u64 div = u->divisor ? u->divisor : 0x10000;
	u64 t = 4ull * bits * div * u->hooks.clock_khz * 1000 / UART_CLOCK_HZ;

	return t ? t : 1;
}

u64 uart16550_poll(struct uart16550 *u, u64 now)
{
	u->rearmed = false;
	if (!fifo_on(u) || !u->rx_count || u->timeout || !u->hooks.clock_khz) {
		u->rx_deadline = 0;
		return 0;
	}
	if (u->rx_active || !u->rx_deadline) {
		u->rx_active = false;
		u->rx_deadline = now + timeout_ticks(u);
		return u->rx_deadline;
	}
	if (now < u->rx_deadline)
		return u->rx_deadline;
	u->rx_deadline = 0;
	u->timeout = true;
	update_irq(u);
	return 0;
}

/* The receiver has room again: the owner may refill it. */
static void rx_room(struct uart16550 *u)
{
	if (u->hooks.rx_room && uart16550_rx_room(u))
		u->hooks.rx_room(u->ctx);
}

static u8 read_iir(struct uart16550 *u)
{
	u8 iir = pending_iir(u);

	if (iir == IIR_THRE)
		u->thre_pending = false; /* reading IIR clears THRE */
	update_irq(u);
	return iir | (fifo_on(u) ? IIR_FIFO : 0);
}

static u8 read_rbr(struct uart16550 *u)
{
	u8 v = rx_pop(u);

	update_irq(u);
	rx_room(u);
	return v;
}

u64 uart16550_read(void *dev, u64 offset, unsigned size)
{
	struct uart16550 *u = dev;
	u8 v = 0;

	(void)size;
	switch (offset) {
	case 0: return (u->lcr & LCR_DLAB) ? u->divisor & 0xff : read_rbr(u);
	case 1: return (u->lcr & LCR_DLAB) ? u->divisor >> 8 : u->ier;
	case 2: return read_iir(u);
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: /* reading clears OE; nothing else changes (the usual poll) */
		v = u->lsr;
		if (v & LSR_OE) {
			u->lsr &= ~LSR_OE;
			update_irq(u);
		}
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

/* FCR (§8.5): changing bit 0 resets both FIFOs; bit 1 clears the
 * receiver; the transmitter (bit 2) is always empty here. */
static void write_fcr(struct uart16550 *u, u8 b)
{
	if ((b ^ u->fcr) & FCR_ENABLE || (b & FCR_CLEAR_RX))
		rx_clear(u);
	u->fcr = b & FCR_KEPT;
	update_irq(u);
	rx_room(u);
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
	case 2: write_fcr(u, b); return;
	case 3: u->lcr = b; return;
	case 4: u->mcr = b & 0x1f; break;
	case 7: u->scr = b; return;
	default: return; /* LSR and MSR are read-only */
	}
	update_irq(u);
}
