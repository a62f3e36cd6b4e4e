// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the 8042 keyboard controller and port 0x92
 * (vmm/dev/kbc8042.c), following Linux's i8042 probe: the status register
 * (OBF, system flag, command/data, inhibit switch), controller self-test,
 * reading and writing the command byte and RAM, the keyboard interface
 * test, keyboard enable/disable, the auxiliary port probes ending in "no
 * port" without a timeout, keyboard commands (reset, identify with and
 * without translation, LEDs, scan code set, echo), IRQ 1 with one edge per
 * byte, the output port and every reset path (0xFE, pulse commands, a
 * written output port, port 0x92 bit 0).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/kbc8042.h"

#define OBF 0x01
#define SYS 0x04
#define CMD 0x08
#define UNINHIBITED 0x10
#define AUX_OBF 0x20

struct fake {
	bool level;
	unsigned rises, resets;
};

static struct fake fk;
static struct kbc k;

static void fake_irq(void *ctx, bool level)
{
	struct fake *f = ctx;

	if (level && !f->level)
		f->rises++;
	f->level = level;
}

static void fake_reset(void *ctx)
{
	((struct fake *)ctx)->resets++;
}

static int setup(void **state)
{
	struct kbc_hooks h = { .irq = fake_irq, .reset = fake_reset, .ctx = &fk };

	(void)state;
	memset(&fk, 0, sizeof(fk));
	kbc_init(&k, &h);
	return 0;
}

static u8 status(void) { return (u8)kbc_status_read(&k, 0, 1); }
static u8 data(void) { return (u8)kbc_data_read(&k, 0, 1); }
static void cmd(u8 c) { kbc_command_write(&k, 0, 1, c); }
static void put(u8 b) { kbc_data_write(&k, 0, 1, b); }

/* Linux's i8042_command(): the answer must be waiting right away. */
static u8 answer(void)
{
	assert_true(status() & OBF);
	return data();
}

static void test_status_and_self_test(void **state)
{
	(void)state;
	assert_int_equal(status(), SYS | UNINHIBITED);
	cmd(0xaa);
	assert_int_equal(status(), OBF | SYS | CMD | UNINHIBITED);
	assert_int_equal(data(), 0x55);
	assert_int_equal(status(), SYS | CMD | UNINHIBITED);
	/* Self-test sets the system flag. */
	cmd(0x60);
	put(0x00);
	assert_int_equal(status() & (SYS | CMD), 0);
	cmd(0xaa);
	assert_int_equal(answer(), 0x55);
	assert_true(status() & SYS);
}

static void test_command_byte_and_ram(void **state)
{
	(void)state;
	cmd(0x20);
	assert_int_equal(answer(), 0x45);
	cmd(0x60);
	put(0x74);
	cmd(0x20);
	assert_int_equal(answer(), 0x74);
	cmd(0x7f);
	put(0x99);
	cmd(0x3f);
	assert_int_equal(answer(), 0x99);
	cmd(0xad);
	cmd(0x20);
	assert_int_equal(answer(), 0x74);
	cmd(0xae);
	cmd(0x20);
	assert_int_equal(answer(), 0x64);
	cmd(0xab);
	assert_int_equal(answer(), 0x00);
	assert_false(status() & OBF);
}

/* i8042_check_mux() and i8042_check_aux() conclude "no AUX port". */
static void test_aux_absent(void **state)
{
	(void)state;
	cmd(0xd3);
	put(0xf0);
	assert_int_equal(status() & (OBF | AUX_OBF), OBF | AUX_OBF);
	assert_int_equal(answer(), 0xfe); /* != 0xf0: no multiplexer */
	cmd(0xd3);
	put(0x5a);
	assert_int_equal(answer(), 0xfe); /* loop failed ... */
	cmd(0xa9);
	assert_false(status() & AUX_OBF);
	assert_int_equal(answer(), 0x01); /* ... and the clock is stuck */
	cmd(0xa7);
	cmd(0x20);
	assert_int_equal(answer(), 0x45);
	cmd(0xa8);
	cmd(0x20);
	assert_int_equal(answer(), 0x45);
	cmd(0xd4);
	put(0xff); /* to the mouse: nobody answers */
	assert_false(status() & OBF);
	assert_int_equal(fk.rises, 3); /* IRQ 1 for 0x01 and 0x45 twice, not 0xfe */
}

static void test_keyboard_commands(void **state)
{
	(void)state;
	put(0xff);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xaa);
	assert_false(status() & OBF);
	put(0xf2);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xab);
	assert_int_equal(answer(), 0x41); /* translated */
	cmd(0x60);
	put(0x05); /* translation off */
	put(0xf2);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xab);
	assert_int_equal(answer(), 0x83);
	put(0xed);
	assert_int_equal(answer(), 0xfa);
	put(0x07);
	assert_int_equal(answer(), 0xfa);
	put(0xf0);
	put(0x00);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0x02);
	put(0xee);
	assert_int_equal(answer(), 0xee);
	put(0xf5);
	put(0xf4);
	put(0x12);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xfa);
	assert_int_equal(answer(), 0xfa);
	assert_false(status() & OBF);
	/* Written keyboard output buffer (0xd2). */
	cmd(0xd2);
	put(0x1c);
	assert_int_equal(answer(), 0x1c);
}

static void test_irq1(void **state)
{
	(void)state;
	put(0xff); /* two bytes: an edge for each */
	assert_true(fk.level);
	assert_int_equal(fk.rises, 1);
	data();
	assert_true(fk.level);
	assert_int_equal(fk.rises, 2);
	data();
	assert_false(fk.level);
	/* Disabled in the command byte: no IRQ 1. */
	cmd(0x60);
	put(0x44);
	put(0xff);
	assert_false(fk.level);
	/* Enabling it with a byte waiting raises it. */
	cmd(0x60);
	put(0x45);
	assert_true(fk.level);
	data();
	data();
	assert_false(fk.level);
	/* Reading an empty buffer returns the last byte, no IRQ. */
	assert_int_equal(data(), 0xaa);
	assert_false(fk.level);
}

static void test_queue_overflow(void **state)
{
	(void)state;
	for (unsigned i = 0; i < KBC_QUEUE + 4; i++)
		put(0xee);
	for (unsigned i = 0; i < KBC_QUEUE; i++)
		assert_int_equal(answer(), 0xee);
	assert_false(status() & OBF);
}

static void test_reset_paths(void **state)
{
	(void)state;
	cmd(0xff); /* pulses nothing */
	assert_int_equal(fk.resets, 0);
	cmd(0xfe);
	assert_int_equal(fk.resets, 1);
	cmd(0xf0); /* pulses bits 0-3 */
	assert_int_equal(fk.resets, 2);
	cmd(0xfd); /* bit 1 only */
	assert_int_equal(fk.resets, 2);
	cmd(0xd0);
	assert_int_equal(answer(), 0x03);
	cmd(0xd1);
	put(0x03);
	assert_int_equal(fk.resets, 2);
	cmd(0xdd);
	cmd(0xd0);
	assert_int_equal(answer(), 0x01);
	cmd(0xdf);
	cmd(0xd1);
	put(0x02); /* bit 0 low: reset */
	assert_int_equal(fk.resets, 3);
	/* The output port shows the keyboard buffer full bit (IRQ 1). */
	cmd(0xd1);
	put(0x03);
	put(0xee);
	cmd(0xd0);
	assert_int_equal(data(), 0xee);
	assert_int_equal(answer(), 0x13);
}

static void test_port_92(void **state)
{
	(void)state;
	assert_int_equal(kbc_port_a_read(&k, 0, 1), 0x02);
	kbc_port_a_write(&k, 0, 1, 0x00);
	assert_int_equal(kbc_port_a_read(&k, 0, 1), 0x00);
	assert_int_equal(fk.resets, 0);
	kbc_port_a_write(&k, 0, 1, 0x03);
	assert_int_equal(fk.resets, 1);
	kbc_port_a_write(&k, 0, 1, 0x01); /* no 0 -> 1 change */
	assert_int_equal(fk.resets, 1);
	kbc_port_a_write(&k, 0, 1, 0x00);
	kbc_port_a_write(&k, 0, 1, 0x01);
	assert_int_equal(fk.resets, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_status_and_self_test, setup),
		cmocka_unit_test_setup(test_command_byte_and_ram, setup),
		cmocka_unit_test_setup(test_aux_absent, setup),
		cmocka_unit_test_setup(test_keyboard_commands, setup),
		cmocka_unit_test_setup(test_irq1, setup),
		cmocka_unit_test_setup(test_queue_overflow, setup),
		cmocka_unit_test_setup(test_reset_paths, setup),
		cmocka_unit_test_setup(test_port_92, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
