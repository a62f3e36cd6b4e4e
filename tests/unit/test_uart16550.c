// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the emulated 16550A UART (vmm/dev/uart16550.c),
 * driven through its bus callbacks at offsets 0-7 as a guest driver would
 * (PC16550D datasheet register map): reset values, transmission to the tx
 * callback, LSR THRE/TEMT, the divisor latch behind LCR.DLAB, the scratch
 * register, the receive FIFO with LSR.DR, overrun (LSR.OE, cleared by
 * reading LSR), IIR priorities (line status > received data > THR empty)
 * and the FIFO-enabled bits, the THR-empty interrupt and its clearing by
 * an IIR read, the interrupt line following "pending and MCR.OUT2",
 * loopback mode and FCR's receive-FIFO clear; the 16-byte FIFO's trigger
 * levels, the character-timeout interrupt on a fake clock, overrun only
 * when the receiver really overflows (16 bytes, or one in 16450 mode),
 * and lossless flow-controlled refilling through the rx_room hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/uart16550.h"

#define REG_DATA 0 /* RBR / THR, DLL with DLAB */
#define REG_IER 1  /* DLM with DLAB */
#define REG_IIR 2  /* read */
#define REG_FCR 2  /* write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06

#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

struct host {
	char tx[256];
	unsigned ntx;
	unsigned irq_calls;
	bool level;
	void *tx_ctx, *irq_ctx;
};

static struct uart16550 u;
static struct host h;

static void on_tx(void *ctx, u8 byte)
{
	struct host *x = ctx;

	x->tx_ctx = ctx;
	if (x->ntx < sizeof(x->tx))
		x->tx[x->ntx++] = (char)byte;
}

static void on_irq(void *ctx, bool level)
{
	struct host *x = ctx;

	x->irq_ctx = ctx;
	x->irq_calls++;
	x->level = level;
}

static int setup(void **state)
{
	(void)state;
	memset(&h, 0, sizeof(h));
	uart16550_init(&u, on_tx, on_irq, &h);
	return 0;
}

static u8 rd(unsigned reg)
{
	u64 v = uart16550_read(&u, reg, 1);

	assert_true(v <= 0xff);
	return (u8)v;
}

static void wr(unsigned reg, u8 val)
{
	uart16550_write(&u, reg, 1, val);
}

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
	assert_int_equal(rd(REG_IER), 0);
	assert_int_equal(rd(REG_LCR), 0);
	assert_int_equal(rd(REG_MCR), 0);
	assert_int_equal(rd(REG_MSR), 0xb0); /* DCD, DSR, CTS */
	assert_int_equal(rd(REG_SCR), 0);
	assert_int_equal(rd(REG_DATA), 0);   /* empty FIFO */
	wr(REG_LCR, 0x80);
	assert_int_equal(rd(REG_DATA), 12);  /* 9600 baud */
	assert_int_equal(rd(REG_IER), 0);
	assert_false(h.level);
}

static void test_transmit(void **state)
{
	(void)state;
	wr(REG_LCR, 0x03); /* 8N1 */
	wr(REG_DATA, 'h');
	wr(REG_DATA, 'i');
	wr(REG_DATA, '\n');
	assert_int_equal(h.ntx, 3);
	assert_memory_equal(h.tx, "hi\n", 3);
	assert_ptr_equal(h.tx_ctx, &h);
	/* Transmission is instant: THR and the shifter are always empty. */
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	/* Wide writes send the low byte. */
	uart16550_write(&u, REG_DATA, 4, 0x12345641);
	assert_int_equal(h.ntx, 4);
	assert_int_equal(h.tx[3], 'A');
}

static void test_transmit_without_sink(void **state)
{
	(void)state;
	uart16550_init(&u, NULL, NULL, NULL);
	wr(REG_DATA, 'x');
	wr(REG_IER, 0x02);
	assert_int_equal(rd(REG_IIR), IIR_THRE);
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	wr(REG_IER, 0x01);
	wr(REG_LCR, 0x83); /* DLAB + 8N1 */
	assert_int_equal(rd(REG_LCR), 0x83);
	wr(REG_DATA, 0x01); /* DLL: 115200 baud */
	wr(REG_IER, 0x00);  /* DLM */
	assert_int_equal(rd(REG_DATA), 0x01);
	assert_int_equal(rd(REG_IER), 0x00);
	assert_int_equal(u.divisor, 1);
	wr(REG_DATA, 0x03);
	wr(REG_IER, 0x02);
	assert_int_equal(rd(REG_DATA), 0x03);
	assert_int_equal(rd(REG_IER), 0x02);
	assert_int_equal(u.divisor, 0x0203);
	/* Nothing was sent and IER did not change behind the latch. */
	assert_int_equal(h.ntx, 0);
	wr(REG_LCR, 0x03);
	assert_int_equal(rd(REG_LCR), 0x03);
	assert_int_equal(rd(REG_IER), 0x01);
	assert_int_equal(rd(REG_DATA), 0); /* RBR again, empty */
	assert_int_equal(u.divisor, 0x0203);
	/* Received data is not consumed by a DLL read. */
	assert_true(uart16550_receive(&u, 'q'));
	wr(REG_LCR, 0x83);
	assert_int_equal(rd(REG_DATA), 0x03);
	wr(REG_LCR, 0x03);
	assert_int_equal(rd(REG_DATA), 'q');
}

static void test_scratch(void **state)
{
	(void)state;
	wr(REG_SCR, 0x5a);
	assert_int_equal(rd(REG_SCR), 0x5a);
	wr(REG_LCR, 0x80);
	assert_int_equal(rd(REG_SCR), 0x5a);
	wr(REG_SCR, 0xff);
	wr(REG_LCR, 0x00);
	assert_int_equal(rd(REG_SCR), 0xff);
	wr(REG_SCR, 0x00);
	assert_int_equal(rd(REG_SCR), 0x00);
	assert_int_equal(h.ntx, 0);
}

static void test_read_only_and_masked(void **state)
{
	(void)state;
	wr(REG_LSR, 0x00);
	wr(REG_MSR, 0x00);
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(REG_MSR), 0xb0);
	wr(REG_IER, 0xff);
	assert_int_equal(rd(REG_IER), 0x0f);
	wr(REG_MCR, 0xff);
	assert_int_equal(rd(REG_MCR), 0x1f);
}

static void test_receive_fifo(void **state)
{
	(void)state;
	wr(REG_FCR, 0x01);
	assert_true(uart16550_receive(&u, 'a'));
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_true(uart16550_receive(&u, 'b'));
	assert_true(uart16550_receive(&u, 'c'));
	assert_int_equal(rd(REG_DATA), 'a');
	assert_int_equal(rd(REG_LSR) & LSR_DR, LSR_DR);
	assert_int_equal(rd(REG_DATA), 'b');
	assert_int_equal(rd(REG_DATA), 'c');
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(REG_DATA), 0);
	/* The ring wraps: three more rounds through a full FIFO. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < UART_RX_FIFO; i++)
			assert_true(uart16550_receive(&u, (u8)(i + round)));
		for (unsigned i = 0; i < UART_RX_FIFO; i++)
			assert_int_equal(rd(REG_DATA), (u8)(i + round));
		assert_int_equal(rd(REG_LSR) & LSR_DR, 0);
	}
}

static void test_overrun(void **state)
{
	(void)state;
	wr(REG_FCR, 0x01);
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart16550_receive(&u, (u8)('0' + i)));
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_false(uart16550_receive(&u, '!'));
	assert_false(uart16550_receive(&u, '?'));
	/* Reading LSR reports OE once and clears it. */
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	/* The FIFO kept the first 16 bytes; the late ones were dropped. */
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_int_equal(rd(REG_DATA), (u8)('0' + i));
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	assert_true(uart16550_receive(&u, 'z'));
	assert_int_equal(rd(REG_DATA), 'z');
}

static void test_iir_priorities(void **state)
{
	(void)state;
	wr(REG_FCR, 0x01); /* FIFO on, trigger level 1 */
	wr(REG_IER, 0x07); /* RDA, THRE, RLS */
	/* Enabling THRE interrupts raises one; reading IIR clears it. */
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_THRE);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);

	assert_true(uart16550_receive(&u, 'a'));
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA);
	wr(REG_DATA, 'x'); /* THR empty again at once: owed, below RDA */
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA); /* an RDA read clears nothing */

	for (unsigned i = 1; i < UART_RX_FIFO; i++)
		assert_true(uart16550_receive(&u, 'b'));
	assert_false(uart16550_receive(&u, 'c'));
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RLS);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RLS); /* cleared by LSR only */
	assert_int_equal(rd(REG_LSR) & LSR_OE, LSR_OE);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA);

	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		rd(REG_DATA);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_THRE); /* still owed from the write */
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
}

static void test_iir_needs_ier(void **state)
{
	(void)state;
	assert_true(uart16550_receive(&u, 'a'));
	wr(REG_DATA, 'x');
	assert_int_equal(rd(REG_IIR), IIR_NONE);
	assert_false(uart16550_receive(&u, 'b')); /* 16450 mode: one byte */
	assert_int_equal(rd(REG_IIR), IIR_NONE); /* OE without IER.RLS */
	wr(REG_IER, 0x04);
	assert_int_equal(rd(REG_IIR), IIR_RLS);
	wr(REG_IER, 0x01);
	assert_int_equal(rd(REG_IIR), IIR_RDA);
	/* FIFO enabled: IIR bits 7:6 set; the switch emptied the FIFO. */
	wr(REG_FCR, 0x01);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
	assert_true(uart16550_receive(&u, 'c'));
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA);
	wr(REG_IER, 0x00);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
	wr(REG_FCR, 0x00);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	wr(REG_IER, 0x02);
	assert_int_equal(rd(REG_IIR), IIR_THRE);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
	/* Writing IER again with THRE already on raises nothing new. */
	wr(REG_IER, 0x02);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
	/* Every transmitted byte empties THR again. */
	wr(REG_DATA, 'a');
	assert_int_equal(rd(REG_IIR), IIR_THRE);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
	/* Off and on again: raised again. */
	wr(REG_IER, 0x00);
	wr(REG_IER, 0x02);
	assert_int_equal(rd(REG_IIR), IIR_THRE);
	assert_int_equal(rd(REG_IIR), IIR_NONE);
}

static void test_irq_line(void **state)
{
	(void)state;
	unsigned calls;

	/* Pending but OUT2 off: the line stays low. */
	wr(REG_IER, 0x02);
	assert_false(h.level);
	wr(REG_MCR, MCR_OUT2);
	assert_true(h.level);
	assert_ptr_equal(h.irq_ctx, &h);
	/* The line is driven only when its level changes. */
	calls = h.irq_calls;
	rd(REG_LSR);
	rd(REG_SCR);
	assert_int_equal(h.irq_calls, calls);
	rd(REG_IIR); /* clears THRE */
	assert_false(h.level);
	assert_int_equal(h.irq_calls, calls + 1);

	wr(REG_IER, 0x01);
	assert_false(h.level);
	assert_true(uart16550_receive(&u, 'a'));
	assert_true(h.level);
	wr(REG_MCR, 0x00);
	assert_false(h.level);
	wr(REG_MCR, MCR_OUT2 | 0x03); /* with DTR, RTS */
	assert_true(h.level);
	assert_int_equal(rd(REG_DATA), 'a');
	assert_false(h.level);

	/* Overrun with RLS enabled raises it; reading LSR drops it. */
	wr(REG_IER, 0x04);
	uart16550_receive(&u, 'b');
	assert_false(uart16550_receive(&u, 'b'));
	assert_true(h.level);
	rd(REG_LSR);
	assert_false(h.level);
	/* IER cleared: low whatever is pending. */
	wr(REG_IER, 0x07);
	assert_true(h.level);
	wr(REG_IER, 0x00);
	assert_false(h.level);
}

static void test_loopback(void **state)
{
	(void)state;
	wr(REG_FCR, 0x01);
	wr(REG_IER, 0x01);
	wr(REG_MCR, MCR_LOOP | MCR_OUT2);
	assert_int_equal(rd(REG_MCR), MCR_LOOP | MCR_OUT2);
	wr(REG_DATA, 'x');
	wr(REG_DATA, 'y');
	assert_int_equal(h.ntx, 0); /* nothing leaves the chip */
	assert_int_equal(rd(REG_LSR) & LSR_DR, LSR_DR);
	assert_true(h.level);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_RDA);
	assert_int_equal(rd(REG_DATA), 'x');
	assert_int_equal(rd(REG_DATA), 'y');
	assert_int_equal(rd(REG_LSR) & LSR_DR, 0);
	assert_false(h.level);
	/* Loopback off: bytes go out again. */
	wr(REG_MCR, MCR_OUT2);
	wr(REG_DATA, 'z');
	assert_int_equal(h.ntx, 1);
	assert_int_equal(h.tx[0], 'z');
	assert_int_equal(rd(REG_LSR) & LSR_DR, 0);
}

static void test_fifo_clear(void **state)
{
	(void)state;
	wr(REG_IER, 0x01);
	wr(REG_MCR, MCR_OUT2);
	wr(REG_FCR, 0x01);
	assert_true(uart16550_receive(&u, 'a'));
	assert_true(uart16550_receive(&u, 'b'));
	assert_true(uart16550_receive(&u, 'c'));
	assert_true(h.level);
	/* FCR bit 0 rewritten unchanged keeps the data. */
	wr(REG_FCR, 0x01);
	assert_int_equal(rd(REG_LSR) & LSR_DR, LSR_DR);
	assert_int_equal(rd(REG_DATA), 'a');
	/* Bit 1 clears the receive FIFO (and its interrupt). */
	wr(REG_FCR, 0x03);
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
	assert_false(h.level);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
	assert_int_equal(rd(REG_DATA), 0);
	/* The FIFO works afterwards, from its new start. */
	assert_true(uart16550_receive(&u, 'z'));
	assert_int_equal(rd(REG_DATA), 'z');
	/* A full FIFO can be cleared and refilled completely. */
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart16550_receive(&u, 'f'));
	wr(REG_FCR, 0x07);
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_true(uart16550_receive(&u, (u8)i));
	assert_false(uart16550_receive(&u, 0xff));
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_int_equal(rd(REG_DATA), (u8)i);
}

#define IIR_CTI 0x0c
#define CLOCK_KHZ 1000000 /* a 1 GHz clock: one tick per ns */

static unsigned refills, rearms;
static u8 backlog[4096];
static unsigned backlog_len, backlog_pos;

/* The owner's flow-controlled refill (uart16550.h rx_room hook). */
static void on_rx_room(void *ctx)
{
	assert_ptr_equal(ctx, &h);
	refills++;
	while (uart16550_rx_room(&u) && backlog_pos < backlog_len)
		assert_true(uart16550_receive(&u, backlog[backlog_pos++]));
}

static void on_rearm(void *ctx)
{
	assert_ptr_equal(ctx, &h);
	rearms++;
}

static int setup_hooks(void **state)
{
	struct uart16550_hooks hk = { .rx_room = on_rx_room, .rearm = on_rearm,
				      .clock_khz = CLOCK_KHZ };

	setup(state);
	uart16550_set_hooks(&u, &hk);
	refills = rearms = backlog_len = backlog_pos = 0;
	return 0;
}

/* FCR bits 7:6 pick 1, 4, 8 or 14 bytes; RDA follows the count both
 * ways, LSR.DR any data. */
static void test_trigger_levels(void **state)
{
	static const u8 fcr[4] = { 0x01, 0x41, 0x81, 0xc1 };
	static const unsigned level[4] = { 1, 4, 8, 14 };

	(void)state;
	wr(REG_IER, 0x01);
	wr(REG_MCR, MCR_OUT2);
	for (unsigned t = 0; t < 4; t++) {
		wr(REG_FCR, fcr[t] | 0x02);
		for (unsigned i = 1; i <= UART_RX_FIFO; i++) {
			assert_true(uart16550_receive(&u, (u8)i));
			assert_int_equal(rd(REG_LSR) & LSR_DR, LSR_DR);
			assert_int_equal(rd(REG_IIR), 0xc0 | (i >= level[t] ? IIR_RDA : IIR_NONE));
			assert_int_equal(h.level, i >= level[t]);
		}
		for (unsigned i = UART_RX_FIFO; i > 0; i--) {
			assert_int_equal(rd(REG_DATA), (u8)(UART_RX_FIFO - i + 1));
			assert_int_equal(h.level, i - 1 >= level[t]);
		}
		assert_int_equal(rd(REG_LSR) & LSR_DR, 0);
	}
}

/* Four character times: 8N1 at divisor 1 is 10 bits at 115200 baud,
 * 347222 ns at the 1 GHz test clock. */
static void test_char_timeout(void **state)
{
	u64 t4 = 4ull * 10 * 1000000000 / 115200, d;

	(void)state;
	wr(REG_LCR, 0x83);
	wr(REG_DATA, 1);
	wr(REG_IER, 0);
	wr(REG_LCR, 0x03);
	wr(REG_IER, 0x01);
	wr(REG_MCR, MCR_OUT2);
	wr(REG_FCR, 0x81); /* trigger 8 */
	assert_int_equal(uart16550_poll(&u, 100), 0); /* empty: no timer */
	assert_true(uart16550_receive(&u, 'a'));
	assert_int_equal(rearms, 1);
	assert_true(uart16550_receive(&u, 'b'));
	assert_int_equal(rearms, 1); /* once per arming */
	d = uart16550_poll(&u, 1000);
	assert_int_equal(d, 1000 + t4);
	assert_int_equal(uart16550_poll(&u, 1000 + t4 - 1), d);
	assert_false(h.level);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
	/* A read restarts the timer. */
	assert_int_equal(rd(REG_DATA), 'a');
	assert_int_equal(uart16550_poll(&u, 1000 + t4), 1000 + 2 * t4);
	assert_int_equal(uart16550_poll(&u, 1000 + 2 * t4), 0);
	assert_true(h.level);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_CTI);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_CTI); /* IIR reads keep it */
	/* Reading the character clears the timeout; now empty, no timer. */
	assert_int_equal(rd(REG_DATA), 'b');
	assert_false(h.level);
	assert_int_equal(rd(REG_IIR), 0xc0 | IIR_NONE);
	assert_int_equal(uart16550_poll(&u, 5000000), 0);
	/* Slower line (divisor 12, 7E2 = 11 bits): longer timeout. */
	wr(REG_LCR, 0x80 | 0x1e);
	wr(REG_DATA, 12);
	wr(REG_LCR, 0x1e);
	assert_true(uart16550_receive(&u, 'c'));
	assert_int_equal(uart16550_poll(&u, 0), 4ull * 11 * 12 * 1000000000 / 115200);
	/* No timeout in 16450 mode, nor without a clock. */
	wr(REG_FCR, 0x00);
	assert_true(uart16550_receive(&u, 'd'));
	assert_int_equal(uart16550_poll(&u, 0), 0);
	assert_int_equal(uart16550_poll(&u, 1ull << 40), 0);
	assert_int_equal(rd(REG_IIR), IIR_RDA);
}

/* OE only when a byte arrives at a full receiver: 16 in FIFO mode (the
 * FIFO is kept), one in 16450 mode (the unread byte is replaced). */
static void test_overrun_only_when_full(void **state)
{
	(void)state;
	wr(REG_FCR, 0xc1);
	for (unsigned i = 0; i < UART_RX_FIFO; i++) {
		assert_int_equal(uart16550_rx_room(&u), UART_RX_FIFO - i);
		assert_true(uart16550_receive(&u, (u8)i));
		assert_int_equal(rd(REG_LSR) & LSR_OE, 0);
	}
	assert_int_equal(uart16550_rx_room(&u), 0);
	assert_int_equal(rd(REG_DATA), 0);
	assert_true(uart16550_receive(&u, 16)); /* one read made room */
	assert_int_equal(rd(REG_LSR) & LSR_OE, 0);
	assert_false(uart16550_receive(&u, 99));
	assert_int_equal(rd(REG_LSR) & LSR_OE, LSR_OE);
	for (unsigned i = 1; i <= UART_RX_FIFO; i++)
		assert_int_equal(rd(REG_DATA), (u8)i);
	wr(REG_FCR, 0x00);
	assert_int_equal(uart16550_rx_room(&u), 1);
	assert_true(uart16550_receive(&u, 'x'));
	assert_int_equal(uart16550_rx_room(&u), 0);
	assert_false(uart16550_receive(&u, 'y'));
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT | LSR_DR | LSR_OE);
	assert_int_equal(rd(REG_DATA), 'y');
	assert_int_equal(rd(REG_LSR), LSR_THRE | LSR_TEMT);
}

/* The owner's backlog reaches the guest as it reads, never overrunning,
 * in order, in both modes. */
static void test_flow_controlled_refill(void **state)
{
	unsigned got = 0;

	(void)state;
	for (unsigned i = 0; i < sizeof(backlog); i++)
		backlog[i] = (u8)(i * 7 + i / 256);
	backlog_len = sizeof(backlog);
	wr(REG_FCR, 0x81);
	assert_int_equal(refills, 1); /* FCR made room: first fill */
	assert_int_equal(uart16550_rx_room(&u), 0);
	while (rd(REG_LSR) & LSR_DR) {
		u8 b = rd(REG_DATA);

		assert_int_equal(b, backlog[got]);
		got++;
		if (got == 2000) {
			/* 16450 mode halfway: the switch empties the (refilled,
			 * full) FIFO, the backlog goes on after it. */
			wr(REG_FCR, 0x00);
			got += UART_RX_FIFO;
		}
	}
	assert_int_equal(got, sizeof(backlog));
	assert_int_equal(backlog_pos, sizeof(backlog));
	assert_int_equal(rd(REG_LSR) & LSR_OE, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_transmit_without_sink, setup),
		cmocka_unit_test_setup(test_divisor_latch, setup),
		cmocka_unit_test_setup(test_scratch, setup),
		cmocka_unit_test_setup(test_read_only_and_masked, setup),
		cmocka_unit_test_setup(test_receive_fifo, setup),
		cmocka_unit_test_setup(test_overrun, setup),
		cmocka_unit_test_setup(test_iir_priorities, setup),
		cmocka_unit_test_setup(test_iir_needs_ier, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_irq_line, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_fifo_clear, setup),
		cmocka_unit_test_setup(test_trigger_levels, setup),
		cmocka_unit_test_setup(test_char_timeout, setup_hooks),
		cmocka_unit_test_setup(test_overrun_only_when_full, setup),
		cmocka_unit_test_setup(test_flow_controlled_refill, setup_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
