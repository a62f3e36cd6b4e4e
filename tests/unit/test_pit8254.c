// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the 8254 PIT model (vmm/dev/pit8254.c), driven
 * through its bus callbacks as a guest would, with a fake clock of exactly
 * 1000 cycles per PIT tick (and a 2.9 GHz one for rounding): mode 0 count
 * down on counter 2 with OUT2 read at port 0x61 bit 5, as Linux calibrates
 * the TSC; GATE 2 from port 0x61 bit 0 pausing and triggering; the
 * refresh toggle; LSB-only, MSB-only and LSB-then-MSB access; the counter
 * latch command; the read-back command with the status byte and NULL
 * COUNT; modes 1-5 (rate generator and square wave periods, strobes); a
 * new count in mode 2 taking over at the end of the period; and pit_poll
 * raising IRQ 0 pulses, coalescing missed edges and returning the exact
 * deadline of the next one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/pit8254.h"

#define TICK 1000ULL /* clock cycles per PIT tick with the fake clock */
#define BASE 5000000ULL

#define CH0 0
#define CH2 2
#define CTRL 3

struct fake {
	u64 now;
	unsigned rises, falls, rearms;
	bool level;
};

static struct fake fk;
static struct pit p;

static u64 fake_clock(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void fake_irq(void *ctx, bool level)
{
	struct fake *f = ctx;

	if (level && !f->level)
		f->rises++;
	if (!level && f->level)
		f->falls++;
	f->level = level;
}

static void fake_rearm(void *ctx)
{
	((struct fake *)ctx)->rearms++;
}

static void init_with(u64 khz)
{
	struct pit_hooks h = {
		.clock = fake_clock, .clock_khz = khz, .irq = fake_irq,
		.rearm = fake_rearm, .ctx = &fk,
	};

	memset(&fk, 0, sizeof(fk));
	fk.now = BASE;
	pit_init(&p, &h);
}

static int setup(void **state)
{
	(void)state;
	init_with(PIT_HZ); /* kHz = PIT_HZ: exactly 1000 cycles per tick */
	return 0;
}

/* Move the fake clock to PIT tick @t (plus @frac cycles). */
static void at(u64 t, u64 frac)
{
	fk.now = BASE + t * TICK + frac;
}

static void wr(unsigned off, u8 v)
{
	pit_write(&p, off, 1, v);
}

static u8 rd(unsigned off)
{
	return (u8)pit_read(&p, off, 1);
}

static u16 rd16(unsigned ch)
{
	u8 lo = rd(ch);

	return (u16)(lo | rd(ch) << 8);
}

static u8 port_b(void)
{
	return (u8)pit_port_b_read(&p, 0, 1);
}

static void count16(unsigned ch, u16 n)
{
	wr(ch, n & 0xff);
	wr(ch, n >> 8);
}

static bool out2(void)
{
	return port_b() & 0x20;
}

/* Linux's pit_calibrate_tsc(): gate high, counter 2 mode 0, wait for OUT2. */
static void test_mode0_out2(void **state)
{
	(void)state;
	at(0, 0);
	pit_port_b_write(&p, 0, 1, (port_b() & ~0x02) | 0x01);
	wr(CTRL, 0xb0);
	count16(CH2, 1000);
	assert_false(out2());
	at(1, 0); /* loaded on the next clock */
	assert_int_equal(rd16(CH2), 1000);
	at(500, 999);
	assert_int_equal(rd16(CH2), 501);
	assert_false(out2());
	at(1000, 999);
	assert_int_equal(rd16(CH2), 1);
	assert_false(out2());
	at(1001, 0); /* terminal count: N + 1 clocks after the write */
	assert_true(out2());
	assert_int_equal(rd16(CH2), 0);
	at(1003, 0); /* OUT stays high, the counter wraps on */
	assert_true(out2());
	assert_int_equal(rd16(CH2), 0xfffe);
	/* A new count drops OUT again. */
	count16(CH2, 10);
	assert_false(out2());
	at(1014, 0);
	assert_true(out2());
}

/* Linux's quick_pit_calibrate(): the MSB of a count from 0xffff drops by
 * one every 256 ticks. */
static void test_msb_polling(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	wr(CTRL, 0xb0);
	wr(CH2, 0xff);
	wr(CH2, 0xff);
	for (unsigned i = 0; i < 20; i++) {
		at(1 + 256 * i + 3, 0);
		rd(CH2);
		assert_int_equal(rd(CH2), 0xff - i);
		at(1 + 256 * i + 255, 0);
		rd(CH2);
		assert_int_equal(rd(CH2), 0xff - i);
	}
}

static void test_mode0_write_first_byte_stops(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	wr(CTRL, 0xb0);
	count16(CH2, 5);
	at(10, 0);
	assert_true(out2());
	wr(CH2, 0x34); /* LSB only: counting stops, OUT low at once */
	assert_false(out2());
	at(20, 0);
	assert_int_equal(rd16(CH2), (u16)(5 - 9));
	wr(CH2, 0x12); /* MSB: 0x1234 loads on the next clock */
	at(21, 0);
	assert_int_equal(rd16(CH2), 0x1234);
	at(21 + 0x1234, 0);
	assert_true(out2());
}

static void test_gate_pauses_mode0(void **state)
{
	(void)state;
	wr(CTRL, 0xb0); /* GATE 2 low from reset */
	count16(CH2, 100);
	at(50, 0);
	assert_int_equal(rd16(CH2), 100); /* not counting */
	pit_port_b_write(&p, 0, 1, 0x01);
	at(60, 0);
	assert_int_equal(rd16(CH2), 90);
	pit_port_b_write(&p, 0, 1, 0x00);
	at(500, 0);
	assert_int_equal(rd16(CH2), 90);
	assert_false(out2());
	pit_port_b_write(&p, 0, 1, 0x01);
	at(589, 0);
	assert_int_equal(rd16(CH2), 1);
	assert_false(out2());
	at(590, 0);
	assert_true(out2());
}

static void test_port_b_bits(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0xff);
	at(0, 0);
	assert_int_equal(port_b() & 0x1f, 0x0f);
	at(18, 0);
	assert_int_equal(port_b() & 0x1f, 0x1f); /* refresh toggled */
	at(36, 0);
	assert_int_equal(port_b() & 0x1f, 0x0f);
	assert_int_equal(port_b() & 0xc0, 0);
	pit_port_b_write(&p, 0, 1, 0x02);
	assert_int_equal(port_b() & 0x0f, 0x02);
}

static void test_access_modes(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	wr(CTRL, 0x90); /* counter 2, LSB only, mode 0 */
	wr(CH2, 0x80);
	at(11, 0);
	assert_int_equal(rd(CH2), 0x80 - 10);
	assert_int_equal(rd(CH2), 0x80 - 10); /* every read is the LSB */
	wr(CTRL, 0xa0); /* MSB only */
	wr(CH2, 0x12);
	at(12, 0);
	assert_int_equal(rd(CH2), 0x12);
	at(12 + 0x100, 0);
	assert_int_equal(rd(CH2), 0x11);
	at(300, 0);
	wr(CTRL, 0x90);
	wr(CH2, 0); /* 0 is 65536 */
	at(302, 0);
	assert_int_equal(rd(CH2), 0xff);
}

static void test_counter_latch(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	wr(CTRL, 0xb0);
	count16(CH2, 0x4000);
	at(0x101, 0);
	wr(CTRL, 0x80); /* latch counter 2 */
	at(0x300, 0);
	wr(CTRL, 0x80); /* ignored: the first latch is not read yet */
	assert_int_equal(rd(CH2), 0x00);
	at(0x500, 0);
	assert_int_equal(rd(CH2), 0x3f); /* 0x4000 - 0x100, both halves held */
	assert_int_equal(rd16(CH2), (u16)(0x4000 - 0x4ff)); /* live again */
	/* A latch on a one-byte counter is released by one read. */
	wr(CTRL, 0x90);
	wr(CH2, 0x80);
	at(0x511, 0);
	wr(CTRL, 0x80);
	at(0x520, 0);
	assert_int_equal(rd(CH2), 0x80 - 0x10);
	assert_int_equal(rd(CH2), 0x80 - 0x1f);
}

static void test_read_back(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	wr(CTRL, 0xb1); /* counter 2, mode 0, BCD bit */
	wr(CTRL, 0xe8); /* read-back status of counter 2: null count */
	assert_int_equal(rd(CH2), 0x40 | 0x30 | 0x01);
	count16(CH2, 300);
	wr(CTRL, 0xe8); /* still null until the next clock */
	assert_int_equal(rd(CH2), 0x40 | 0x31);
	at(101, 0);
	wr(CTRL, 0xc8); /* status and count */
	at(200, 0);
	assert_int_equal(rd(CH2), 0x31); /* status first: OUT low, loaded */
	assert_int_equal(rd16(CH2), 200);
	at(301, 0);
	wr(CTRL, 0xd8); /* count only */
	assert_int_equal(rd16(CH2), 0);
	wr(CTRL, 0xe8);
	assert_int_equal(rd(CH2), 0x80 | 0x31); /* OUT high */
	/* Several counters at once; counter 0 reads its status too. */
	wr(CTRL, 0x34);
	wr(CTRL, 0xe2 | 0x08);
	assert_int_equal(rd(CH0), 0x80 | 0x40 | 0x34);
	assert_int_equal(rd(CH2), 0x80 | 0x31);
	/* The control register reads as an empty bus. */
	assert_int_equal(rd(CTRL), 0xff);
}

static u8 ch0_status(void)
{
	wr(CTRL, 0xe2);
	return rd(CH0);
}

static void test_mode2_rate(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0x34);
	count16(CH0, 100);
	at(1, 0);
	assert_int_equal(rd16(CH0), 100);
	at(50, 0);
	assert_int_equal(rd16(CH0), 51);
	at(100, 0);
	assert_int_equal(rd16(CH0), 1);
	assert_false(ch0_status() & 0x80); /* OUT low for the last clock */
	at(101, 0);
	assert_int_equal(rd16(CH0), 100);
	assert_true(ch0_status() & 0x80);
	at(1001, 0);
	assert_int_equal(rd16(CH0), 100);
	/* The Linux clocksource read: latch command, then LSB and MSB. */
	at(1031, 0);
	wr(CTRL, 0x00);
	at(1040, 0);
	assert_int_equal(rd16(CH0), 70);
}

static void test_mode2_new_count_at_period_end(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0x34);
	count16(CH0, 100);
	at(31, 0);
	count16(CH0, 10); /* the current period (ends at 101) goes on */
	wr(CTRL, 0xe2);
	assert_int_equal(rd(CH0) & 0x40, 0x40); /* NULL COUNT until then */
	at(60, 0);
	assert_int_equal(rd16(CH0), 41);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 101 * TICK);
	at(101, 0);
	assert_int_equal(rd16(CH0), 10);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 111 * TICK);
	at(115, 0);
	assert_int_equal(rd16(CH0), 6);
	wr(CTRL, 0xe2);
	assert_int_equal(rd(CH0) & 0x40, 0);
}

static void test_mode3_square_wave(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0x36);
	count16(CH0, 10);
	for (u64 k = 0; k < 30; k++) {
		at(1 + k, 0);
		assert_int_equal(!!(ch0_status() & 0x80), k % 10 < 5);
	}
	at(1, 0);
	assert_int_equal(rd16(CH0), 10);
	at(2, 0);
	assert_int_equal(rd16(CH0), 8);
	at(6, 0);
	assert_int_equal(rd16(CH0), 10); /* second half */
	/* Odd count: high one clock longer. */
	at(100, 0);
	count16(CH0, 7); /* takes over at the period end, tick 101 */
	for (u64 k = 0; k < 14; k++) {
		at(101 + k, 0);
		assert_int_equal(!!(ch0_status() & 0x80), k % 7 < 4);
	}
	/* pit_poll: an edge each period. */
	at(101, 0);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 108 * TICK);
}

static void test_poll_irq0(void **state)
{
	(void)state;
	assert_int_equal(pit_poll(&p, fk.now), 0); /* unprogrammed */
	at(0, 0);
	wr(CTRL, 0x34);
	count16(CH0, 1000);
	assert_true(fk.rearms >= 1);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 1001 * TICK);
	assert_int_equal(fk.rises, 0);
	assert_int_equal(pit_poll(&p, BASE + 1001 * TICK - 1), BASE + 1001 * TICK);
	assert_int_equal(fk.rises, 0);
	assert_int_equal(pit_poll(&p, BASE + 1001 * TICK), BASE + 2001 * TICK);
	assert_int_equal(fk.rises, 1);
	assert_int_equal(fk.falls, 1); /* a pulse */
	assert_int_equal(pit_poll(&p, BASE + 1500 * TICK), BASE + 2001 * TICK);
	assert_int_equal(fk.rises, 1);
	/* Five periods missed: one pulse, the deadline is the next future edge. */
	assert_int_equal(pit_poll(&p, BASE + 6500 * TICK), BASE + 7001 * TICK);
	assert_int_equal(fk.rises, 2);
	/* Shut down like Linux: mode 0 and count 0 fire once, 65536 later. */
	at(6600, 0);
	wr(CTRL, 0x30);
	wr(CH0, 0);
	wr(CH0, 0);
	assert_int_equal(pit_poll(&p, fk.now), BASE + (6601 + 65536) * TICK);
	assert_int_equal(pit_poll(&p, BASE + (6601 + 65536) * TICK), 0);
	assert_int_equal(fk.rises, 3);
}

/* Linux's one-shot clockevent: mode 4, then a count per event. */
static void test_mode4_oneshot(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0x38);
	assert_true(ch0_status() & 0x80); /* OUT high after the mode word */
	count16(CH0, 50);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 52 * TICK);
	at(51, 0);
	assert_false(ch0_status() & 0x80); /* low for one clock at 0 */
	at(52, 0);
	assert_true(ch0_status() & 0x80);
	assert_int_equal(pit_poll(&p, fk.now), 0);
	assert_int_equal(fk.rises, 1);
	count16(CH0, 20); /* the next event */
	assert_int_equal(pit_poll(&p, fk.now), BASE + 74 * TICK);
}

/* An edge due but not yet polled survives a reprogramming. */
static void test_due_edge_kept(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0x34);
	count16(CH0, 10);
	at(15, 0);
	wr(CTRL, 0x34);
	count16(CH0, 100);
	assert_int_equal(pit_poll(&p, fk.now), BASE + 116 * TICK);
	assert_int_equal(fk.rises, 1);
}

static void test_mode1_and_mode5_gate_trigger(void **state)
{
	(void)state;
	at(0, 0);
	wr(CTRL, 0xb2); /* counter 2, mode 1 */
	count16(CH2, 10);
	at(5, 0);
	assert_true(out2()); /* waits for a trigger, OUT high */
	pit_port_b_write(&p, 0, 1, 0x01);
	at(6, 0);
	assert_false(out2());
	assert_int_equal(rd16(CH2), 10);
	at(16, 0);
	assert_true(out2());
	/* Mode 5: a strobe N + 1 clocks after the trigger. */
	wr(CTRL, 0xba);
	count16(CH2, 4);
	pit_port_b_write(&p, 0, 1, 0x00);
	pit_port_b_write(&p, 0, 1, 0x01);
	at(21, 0);
	assert_false(out2());
	at(22, 0);
	assert_true(out2());
}

static void test_mode2_gate_low_forces_out_high(void **state)
{
	(void)state;
	pit_port_b_write(&p, 0, 1, 0x01);
	at(0, 0);
	wr(CTRL, 0xb4);
	count16(CH2, 10);
	at(10, 0);
	assert_false(out2());
	pit_port_b_write(&p, 0, 1, 0x00);
	assert_true(out2());
	pit_port_b_write(&p, 0, 1, 0x01); /* reload on the next clock */
	at(11, 0);
	assert_int_equal(rd16(CH2), 10);
}

/* A real TSC rate: the deadline is the first clock value at which the
 * edge has happened, never one cycle early or late. */
static void test_deadline_exact(void **state)
{
	u64 d;

	(void)state;
	init_with(2900123);
	fk.now = BASE;
	wr(CTRL, 0x34);
	count16(CH0, 11932);
	for (unsigned i = 0; i < 50; i++) {
		unsigned before;

		d = pit_poll(&p, fk.now);
		before = fk.rises;
		assert_true(d > fk.now);
		assert_int_equal(pit_poll(&p, d - 1), d);
		assert_int_equal(fk.rises, before);
		fk.now = d;
	}
	assert_int_equal(fk.rises, 49);
	/* One edge per 11932 ticks: 50 periods take 50 * 11932 / PIT_HZ s. */
	d = fk.now - BASE;
	assert_true(d >= 50ULL * 11932 * 2900123000 / PIT_HZ);
	assert_true(d <= 50ULL * 11932 * 2900123000 / PIT_HZ + 2900123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mode0_out2, setup),
		cmocka_unit_test_setup(test_msb_polling, setup),
		cmocka_unit_test_setup(test_mode0_write_first_byte_stops, setup),
		cmocka_unit_test_setup(test_gate_pauses_mode0, setup),
		cmocka_unit_test_setup(test_port_b_bits, setup),
		cmocka_unit_test_setup(test_access_modes, setup),
		cmocka_unit_test_setup(test_counter_latch, setup),
		cmocka_unit_test_setup(test_read_back, setup),
		cmocka_unit_test_setup(test_mode2_rate, setup),
		cmocka_unit_test_setup(test_mode2_new_count_at_period_end, setup),
		cmocka_unit_test_setup(test_mode3_square_wave, setup),
		cmocka_unit_test_setup(test_poll_irq0, setup),
		cmocka_unit_test_setup(test_mode4_oneshot, setup),
		cmocka_unit_test_setup(test_due_edge_kept, setup),
		cmocka_unit_test_setup(test_mode1_and_mode5_gate_trigger, setup),
		cmocka_unit_test_setup(test_mode2_gate_low_forces_out_high, setup),
		cmocka_unit_test_setup(test_deadline_exact, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
