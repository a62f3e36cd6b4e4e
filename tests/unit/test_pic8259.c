// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the 8259A pair (vmm/dev/pic8259.c), driven through
 * its bus callbacks: Linux's ICW1-ICW4 sequence and its probe (IMR read
 * back), IMR masking, fixed priority and nesting under an in-service
 * level, non-specific and specific EOI, the cascade through the master's
 * IR2 with the slave supplying the vector, spurious IRQ 7 and IRQ 15,
 * edge versus level inputs with the ELCR and its fixed-edge bits, ICW1
 * resetting the edge sense, automatic EOI, OCW3 IRR/ISR reads and poll,
 * and the INT output callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/pic8259.h"

struct fake {
	bool level;
	unsigned rises;
};

static struct fake fk;
static struct pic pic;

static void fake_intr(void *ctx, bool level)
{
	struct fake *f = ctx;

	if (level && !f->level)
		f->rises++;
	f->level = level;
}

static void mw(unsigned off, u8 v) { pic_master_write(&pic, off, 1, v); }
static void sw(unsigned off, u8 v) { pic_slave_write(&pic, off, 1, v); }
static u8 mr(unsigned off) { return (u8)pic_master_read(&pic, off, 1); }
static u8 sr(unsigned off) { return (u8)pic_slave_read(&pic, off, 1); }

static void pulse(unsigned irq)
{
	pic_set_irq(&pic, irq, true);
	pic_set_irq(&pic, irq, false);
}

/* Linux's init_8259A(): vectors 0x30 and 0x38, normal EOI. */
static void linux_init(u8 master_icw4)
{
	mw(1, 0xff);
	mw(0, 0x11);
	mw(1, 0x30);
	mw(1, 0x04);
	mw(1, master_icw4);
	sw(0, 0x11);
	sw(1, 0x38);
	sw(1, 0x02);
	sw(1, 0x01);
	mw(1, 0xff);
	sw(1, 0xff);
}

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	pic_init(&pic, fake_intr, &fk);
	linux_init(0x01);
	return 0;
}

static void test_reset_and_probe(void **state)
{
	(void)state;
	pic_init(&pic, fake_intr, &fk);
	assert_int_equal(mr(1), 0xff);
	assert_int_equal(sr(1), 0xff);
	/* Linux's probe: mask all but the cascade, read it back. */
	sw(1, 0xff);
	mw(1, 0xfb);
	assert_int_equal(mr(1), 0xfb);
	/* BIOS vectors until initialized. */
	mw(1, 0xfe);
	pulse(0);
	assert_int_equal(pic_ack(&pic), 0x08);
}

static void test_init_sequence(void **state)
{
	(void)state;
	mw(0, 0x11);
	assert_int_equal(mr(1), 0); /* ICW1 clears IMR */
	mw(1, 0x50);
	mw(1, 0x04);
	assert_int_equal(mr(1), 0); /* ICW3 and ICW4 are not OCW1 */
	mw(1, 0x01);
	mw(1, 0xa5); /* OCW1 now */
	assert_int_equal(mr(1), 0xa5);
	mw(1, 0xfe);
	pulse(0);
	assert_true(pic_has_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x50);
	/* Single mode, no ICW4: ICW2 ends the sequence. */
	mw(0, 0x12);
	mw(1, 0x60);
	mw(1, 0xfd);
	assert_int_equal(mr(1), 0xfd);
}

static void test_mask_and_eoi(void **state)
{
	(void)state;
	pulse(0);
	assert_false(pic_has_intr(&pic)); /* masked */
	mw(1, 0xfe);
	assert_true(pic_has_intr(&pic)); /* the request waited in IRR */
	assert_int_equal(fk.rises, 1);
	assert_int_equal(pic_ack(&pic), 0x30);
	assert_false(pic_has_intr(&pic));
	mw(0, 0x0b);
	assert_int_equal(mr(0), 0x01); /* ISR */
	pulse(0);
	assert_false(pic_has_intr(&pic)); /* same level in service */
	mw(0, 0x20); /* non-specific EOI */
	assert_true(pic_has_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x30);
	mw(0, 0x60); /* specific EOI, level 0 */
	assert_int_equal(mr(0), 0x00);
}

static void test_priority_and_nesting(void **state)
{
	(void)state;
	mw(1, 0x00 | 0x04);
	pulse(5);
	pulse(3);
	assert_int_equal(pic_ack(&pic), 0x33); /* lower number first */
	pulse(1);
	assert_true(pic_has_intr(&pic)); /* higher than the one in service */
	assert_int_equal(pic_ack(&pic), 0x31);
	assert_false(pic_has_intr(&pic)); /* 5 waits below 1 and 3 */
	mw(0, 0x0b);
	assert_int_equal(mr(0), 0x0a);
	mw(0, 0x20); /* ends 1, the highest */
	assert_int_equal(mr(0), 0x08);
	assert_false(pic_has_intr(&pic));
	mw(0, 0x63); /* specific EOI of 3 */
	assert_true(pic_has_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x35);
	mw(0, 0x0a);
	assert_int_equal(mr(0), 0x00); /* IRR read back */
}

static void test_cascade(void **state)
{
	(void)state;
	mw(1, 0xfb);
	sw(1, 0xfe);
	pulse(8);
	assert_true(pic_has_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x38);
	mw(0, 0x0b);
	sw(0, 0x0b);
	assert_int_equal(mr(0), 0x04);
	assert_int_equal(sr(0), 0x01);
	/* Slave requests wait while IR2 is in service. */
	sw(1, 0xfc);
	pulse(9);
	assert_false(pic_has_intr(&pic));
	sw(0, 0x20);
	mw(0, 0x20);
	assert_true(pic_has_intr(&pic));
	assert_int_equal(pic_ack(&pic), 0x39);
	/* A master request above IR2 still gets through. */
	mw(1, 0xfa);
	pulse(0);
	assert_int_equal(pic_ack(&pic), 0x30);
	/* IRQ 2 itself is the cascade: a device cannot drive it. */
	mw(0, 0x20);
	sw(0, 0x20);
	mw(0, 0x20);
	pic_set_irq(&pic, 2, true);
	assert_false(pic_has_intr(&pic));
}

static void test_spurious(void **state)
{
	(void)state;
	assert_int_equal(pic_ack(&pic), 0x37); /* nothing pending */
	mw(0, 0x0b);
	assert_int_equal(mr(0), 0x00); /* no ISR bit */
	/* A level request that goes away before INTA on the slave. */
	pic_elcr_write(&pic, 1, 1, 0x04); /* IRQ 10 level */
	mw(1, 0xfb);
	sw(1, 0xfb);
	pic_set_irq(&pic, 10, true);
	assert_true(pic_has_intr(&pic));
	pic_set_irq(&pic, 10, false);
	assert_int_equal(pic_ack(&pic), 0x3f); /* spurious IRQ 15 */
	assert_int_equal(mr(0), 0x04);     /* the master's IR2 is in service */
	sw(0, 0x0b);
	assert_int_equal(sr(0), 0x00);
}

static void test_level_and_elcr(void **state)
{
	(void)state;
	pic_elcr_write(&pic, 0, 1, 0xff);
	pic_elcr_write(&pic, 1, 1, 0xff);
	assert_int_equal(pic_elcr_read(&pic, 0, 1), 0xf8); /* 0-2 stay edge */
	assert_int_equal(pic_elcr_read(&pic, 1, 1), 0xde); /* 8 and 13 too */
	pic_elcr_write(&pic, 0, 1, 0x00);
	pic_elcr_write(&pic, 1, 1, 0x02);                  /* IRQ 9: the SCI */
	mw(1, 0xfb);
	sw(1, 0xfd);
	pic_set_irq(&pic, 9, true);
	assert_int_equal(pic_ack(&pic), 0x39);
	sw(0, 0x20);
	mw(0, 0x20);
	assert_true(pic_has_intr(&pic)); /* still high: requests again */
	assert_int_equal(pic_ack(&pic), 0x39);
	pic_set_irq(&pic, 9, false);
	sw(0, 0x20);
	mw(0, 0x20);
	assert_false(pic_has_intr(&pic));
	sw(0, 0x0a);
	assert_int_equal(sr(0), 0x00);
	/* Edge: a line held high requests once. */
	mw(1, 0xef);
	pic_set_irq(&pic, 4, true);
	assert_int_equal(pic_ack(&pic), 0x34);
	mw(0, 0x20);
	assert_false(pic_has_intr(&pic));
	pic_set_irq(&pic, 4, false);
	pic_set_irq(&pic, 4, true);
	assert_true(pic_has_intr(&pic));
}

static void test_icw1_resets_edge_sense(void **state)
{
	(void)state;
	pic_set_irq(&pic, 3, true);
	linux_init(0x01);
	mw(1, 0xf7);
	assert_false(pic_has_intr(&pic)); /* high, but no edge since ICW1 */
	pic_set_irq(&pic, 3, false);
	pic_set_irq(&pic, 3, true);
	assert_int_equal(pic_ack(&pic), 0x33);
}

static void test_auto_eoi(void **state)
{
	(void)state;
	linux_init(0x03);
	mw(1, 0xfe);
	pulse(0);
	assert_int_equal(pic_ack(&pic), 0x30);
	mw(0, 0x0b);
	assert_int_equal(mr(0), 0x00);
	pulse(0);
	assert_true(pic_has_intr(&pic)); /* nothing in service blocks it */
}

static void test_poll(void **state)
{
	(void)state;
	mw(1, 0xf7);
	mw(0, 0x0c); /* OCW3 poll */
	assert_int_equal(mr(0), 0x00);
	pulse(3);
	mw(0, 0x0c);
	assert_int_equal(mr(0), 0x83);
	mw(0, 0x0b);
	assert_int_equal(mr(0), 0x08); /* the poll acknowledged it */
}

static void test_intr_callback(void **state)
{
	(void)state;
	mw(1, 0xfe);
	assert_false(fk.level);
	pulse(0);
	assert_true(fk.level);
	pic_ack(&pic);
	assert_false(fk.level);
	mw(0, 0x20);
	pulse(0);
	mw(1, 0xff); /* masking drops INT */
	assert_false(fk.level);
	assert_int_equal(fk.rises, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_and_probe, setup),
		cmocka_unit_test_setup(test_init_sequence, setup),
		cmocka_unit_test_setup(test_mask_and_eoi, setup),
		cmocka_unit_test_setup(test_priority_and_nesting, setup),
		cmocka_unit_test_setup(test_cascade, setup),
		cmocka_unit_test_setup(test_spurious, setup),
		cmocka_unit_test_setup(test_level_and_elcr, setup),
		cmocka_unit_test_setup(test_icw1_resets_edge_sense, setup),
		cmocka_unit_test_setup(test_auto_eoi, setup),
		cmocka_unit_test_setup(test_poll, setup),
		cmocka_unit_test_setup(test_intr_callback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
