// SPDX-License-Identifier: MIT
/*
 * Host unit tests for a guest's console input buffer (vmm/console_in.c):
 * bytes wait in the ring and reach the sink only while it has room, in
 * order; a full ring takes only what fits; a new sink gets what is
 * buffered; and, with the real 16550 model as the sink (its rx_room hook
 * feeding the ring again), a guest that stops reading loses nothing up to
 * CONSOLE_IN_BUF plus its 16-byte FIFO, then drains all of it in order
 * without an overrun.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/console_in.h"
#include "vmm/dev/uart16550.h"

static struct console_in ci;

/* A sink that takes `room` bytes, then nothing until given more. */
struct fake {
	unsigned room;
	u8 got[CONSOLE_IN_BUF * 2];
	unsigned ngot;
};
static struct fake fk, fk2;

static unsigned fake_room(void *dev) { return ((struct fake *)dev)->room; }

static bool fake_put(void *dev, u8 b)
{
	struct fake *f = dev;

	assert_true(f->room > 0);
	f->room--;
	f->got[f->ngot++] = b;
	return true;
}

static u8 pattern(u32 i) { return (u8)(i * 31 + (i >> 9)); }

static int setup(void **state)
{
	struct console_sink s = { fake_room, fake_put, &fk };

	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&fk2, 0, sizeof(fk2));
	console_in_init(&ci, &s);
	return 0;
}

static void test_flow(void **state)
{
	u8 in[1000];

	(void)state;
	for (u32 i = 0; i < sizeof(in); i++)
		in[i] = pattern(i);
	fk.room = 10;
	assert_int_equal(console_in_push(&ci, in, sizeof(in)), sizeof(in));
	assert_int_equal(fk.ngot, 10);
	assert_int_equal(console_in_pending(&ci), 990);
	console_in_feed(&ci); /* no room: nothing moves */
	assert_int_equal(fk.ngot, 10);
	fk.room = 500;
	console_in_feed(&ci);
	assert_int_equal(fk.ngot, 510);
	fk.room = 10000;
	console_in_feed(&ci);
	assert_int_equal(fk.ngot, 1000);
	assert_memory_equal(fk.got, in, sizeof(in));
	assert_int_equal(ci.taken, 1000);
	assert_int_equal(ci.fed, 1000);
	assert_int_equal(console_in_room(&ci), CONSOLE_IN_BUF);
}

static void test_full(void **state)
{
	static u8 in[CONSOLE_IN_BUF + 100];

	(void)state;
	for (u32 i = 0; i < sizeof(in); i++)
		in[i] = pattern(i);
	assert_int_equal(console_in_push(&ci, in, 100), 100);
	assert_int_equal(console_in_push(&ci, in + 100, sizeof(in) - 100), CONSOLE_IN_BUF - 100);
	assert_int_equal(console_in_room(&ci), 0);
	assert_int_equal(console_in_push(&ci, in, 1), 0);
	/* Half drains, the ring wraps with the rest. */
	fk.room = CONSOLE_IN_BUF / 2;
	console_in_feed(&ci);
	assert_int_equal(console_in_push(&ci, in + CONSOLE_IN_BUF, 100), 100);
	fk.room = sizeof(fk.got);
	console_in_feed(&ci);
	assert_int_equal(fk.ngot, CONSOLE_IN_BUF + 100);
	assert_memory_equal(fk.got, in, CONSOLE_IN_BUF + 100);
}

static void test_new_sink(void **state)
{
	struct console_sink s2 = { fake_room, fake_put, &fk2 };
	u8 in[3] = { 'a', 'b', 'c' };

	(void)state;
	assert_int_equal(console_in_push(&ci, in, 3), 3);
	fk2.room = 100;
	console_in_set_sink(&ci, &s2);
	assert_int_equal(fk.ngot, 0);
	assert_int_equal(fk2.ngot, 3);
	assert_memory_equal(fk2.got, "abc", 3);
}

/* With the 16550 model as the sink. */
static struct uart16550 u;

static unsigned uart_room(void *dev) { return uart16550_rx_room(dev); }
static bool uart_put(void *dev, u8 b) { return uart16550_receive(dev, b); }
static void uart_refill(void *ctx) { console_in_feed(ctx); }

static void test_guest_stops_reading(void **state)
{
	static u8 in[CONSOLE_IN_BUF + UART_RX_FIFO + 500];
	struct console_sink s = { uart_room, uart_put, &u };
	struct uart16550_hooks hk = { .rx_room = uart_refill };
	u32 took = 0, got = 0;

	(void)state;
	for (u32 i = 0; i < sizeof(in); i++)
		in[i] = pattern(i);
	uart16550_init(&u, NULL, NULL, &ci);
	uart16550_set_hooks(&u, &hk);
	console_in_init(&ci, &s);
	uart16550_write(&u, 2, 1, 0x87); /* FIFO on and cleared, trigger 8 */
	/* The guest reads nothing while the user pastes in 100-byte chunks. */
	for (u32 off = 0; off < sizeof(in); off += 100)
		took += console_in_push(&ci, in + off, MIN(100u, (u32)sizeof(in) - off));
	assert_int_equal(took, CONSOLE_IN_BUF + UART_RX_FIFO);
	assert_int_equal(uart16550_read(&u, 5, 1) & 0x02, 0); /* no OE */
	/* Then it drains everything, in order. */
	while (uart16550_read(&u, 5, 1) & 0x01) {
		assert_int_equal(uart16550_read(&u, 0, 1), in[got]);
		got++;
	}
	assert_int_equal(got, took);
	assert_int_equal(console_in_pending(&ci), 0);
	assert_int_equal(uart16550_read(&u, 5, 1) & 0x02, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flow, setup),
		cmocka_unit_test_setup(test_full, setup),
		cmocka_unit_test_setup(test_new_sink, setup),
		cmocka_unit_test_setup(test_guest_stops_reading, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
