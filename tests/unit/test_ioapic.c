// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the I/O APIC model (vmm/dev/ioapic.c), through its
 * MMIO callbacks (IOREGSEL/IOWIN, the EOI register) and its input lines:
 * the ID, version and arbitration registers; redirection entries reset
 * masked, read back in halves, with read-only and reserved bits kept;
 * edge-triggered pins sending once per rising edge and losing edges while
 * masked; level-triggered pins sending while asserted, setting Remote IRR
 * and sending again after an EOI (from the local APIC or the EOI
 * register) only while still asserted; unmasking an asserted level pin;
 * active-low polarity; Remote IRR cleared by switching to edge; the
 * arguments of the delivery callback; and the acknowledgement hook, which
 * hears each EOI'd pin before the pin is looked at again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/ioapic.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

#define MASKED (1u << 16)
#define LEVEL (1u << 15)
#define REMOTE_IRR (1u << 14)
#define ACTIVE_LOW (1u << 13)
#define LOGICAL (1u << 11)

struct msg {
	u8 dest, vector, mode;
	bool logical, level;
};

static struct ioapic io;
static struct msg msgs[16];
static unsigned nmsgs;
static void *seen_ctx;

static void fake_deliver(void *ctx, u8 dest, bool logical, u8 vector, u8 mode,
			 bool level)
{
	seen_ctx = ctx;
	assert_true(nmsgs < 16);
	msgs[nmsgs++] = (struct msg){ dest, vector, mode, logical, level };
}

static u32 reg(u8 r)
{
	ioapic_write(&io, IOREGSEL, 4, r);
	return (u32)ioapic_read(&io, IOWIN, 4);
}

static void set_reg(u8 r, u32 v)
{
	ioapic_write(&io, IOREGSEL, 4, r);
	ioapic_write(&io, IOWIN, 4, v);
}

static void set_rte(unsigned pin, u32 lo, u8 dest)
{
	set_reg(0x11 + 2 * pin, (u32)dest << 24);
	set_reg(0x10 + 2 * pin, lo);
}

static int setup(void **state)
{
	(void)state;
	nmsgs = 0;
	ioapic_init(&io, 4, fake_deliver, &nmsgs);
	return 0;
}

static void test_id_version_arb(void **state)
{
	(void)state;
	assert_int_equal(reg(0x00), 0x04000000);
	assert_int_equal(reg(0x01), 0x00170020); /* 24 entries, version 0x20 */
	assert_int_equal(reg(0x02), 0x04000000);
	set_reg(0x00, 0x1a000000); /* 8-bit IDs */
	assert_int_equal(reg(0x00), 0x1a000000);
	assert_int_equal(reg(0x02), 0x0a000000); /* arbitration ID is 4 bits */
	set_reg(0x01, 0);
	set_reg(0x02, 0);
	assert_int_equal(reg(0x01), 0x00170020);
	assert_int_equal(reg(0x03), 0);
	assert_int_equal(reg(0x40), 0); /* past the table */
	ioapic_write(&io, IOREGSEL, 4, 0x21);
	assert_int_equal(ioapic_read(&io, IOREGSEL, 4), 0x21);
	assert_int_equal(ioapic_read(&io, 0x20, 4), 0);
}

static void test_rte_reset_and_bits(void **state)
{
	(void)state;
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		assert_int_equal(reg(0x10 + 2 * pin), MASKED);
		assert_int_equal(reg(0x11 + 2 * pin), 0);
	}
	set_reg(0x10 + 2 * 5, 0xffffffff);
	/* Delivery status (12), Remote IRR (14) and bits 31:17 stay 0. */
	assert_int_equal(reg(0x10 + 2 * 5), 0x1afff);
	set_reg(0x11 + 2 * 5, 0xffffffff);
	assert_int_equal(reg(0x11 + 2 * 5), 0xff000000);
	set_reg(0x10 + 2 * 5, 0x00008931);
	assert_int_equal(reg(0x10 + 2 * 5), 0x00008931);
	assert_int_equal(reg(0x11 + 2 * 5), 0xff000000); /* other half kept */
}

static void test_edge(void **state)
{
	(void)state;
	set_rte(2, 0x30, 0);
	assert_int_equal(nmsgs, 0); /* writing an entry sends nothing */
	ioapic_set_irq(&io, 2, true);
	assert_int_equal(nmsgs, 1);
	assert_ptr_equal(seen_ctx, &nmsgs);
	assert_int_equal(msgs[0].dest, 0);
	assert_false(msgs[0].logical);
	assert_int_equal(msgs[0].vector, 0x30);
	assert_int_equal(msgs[0].mode, IOAPIC_DM_FIXED);
	assert_false(msgs[0].level);
	ioapic_set_irq(&io, 2, true); /* still high: no edge */
	assert_int_equal(nmsgs, 1);
	ioapic_set_irq(&io, 2, false);
	ioapic_set_irq(&io, 2, true);
	assert_int_equal(nmsgs, 2);
	assert_false(reg(0x10 + 2 * 2) & REMOTE_IRR);
	/* Masked: the edge is lost, also when unmasked later. */
	ioapic_set_irq(&io, 2, false);
	set_rte(2, 0x30 | MASKED, 0);
	ioapic_set_irq(&io, 2, true);
	set_rte(2, 0x30, 0);
	assert_int_equal(nmsgs, 2);
	/* Out-of-range pins are ignored. */
	ioapic_set_irq(&io, IOAPIC_PINS, true);
	assert_int_equal(nmsgs, 2);
}

static void test_level_remote_irr(void **state)
{
	(void)state;
	set_rte(9, 0x49 | LEVEL, 1);
	ioapic_set_irq(&io, 9, true);
	assert_int_equal(nmsgs, 1);
	assert_true(msgs[0].level);
	assert_int_equal(msgs[0].dest, 1);
	assert_true(reg(0x10 + 2 * 9) & REMOTE_IRR);
	ioapic_set_irq(&io, 9, false);
	ioapic_set_irq(&io, 9, true); /* Remote IRR holds it back */
	assert_int_equal(nmsgs, 1);
	ioapic_eoi(&io, 0x48); /* another vector */
	assert_int_equal(nmsgs, 1);
	ioapic_eoi(&io, 0x49); /* still asserted: sends again */
	assert_int_equal(nmsgs, 2);
	assert_true(reg(0x10 + 2 * 9) & REMOTE_IRR);
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x49);
	assert_int_equal(nmsgs, 2);
	assert_false(reg(0x10 + 2 * 9) & REMOTE_IRR);
	/* Writing the entry does not clear Remote IRR. */
	ioapic_set_irq(&io, 9, true);
	set_rte(9, 0x49 | LEVEL, 1);
	assert_true(reg(0x10 + 2 * 9) & REMOTE_IRR);
	assert_int_equal(nmsgs, 3);
}

static void test_eoi_register(void **state)
{
	(void)state;
	set_rte(10, 0x51 | LEVEL, 0);
	ioapic_set_irq(&io, 10, true);
	ioapic_set_irq(&io, 10, false);
	assert_true(reg(0x10 + 2 * 10) & REMOTE_IRR);
	ioapic_write(&io, IOEOI, 4, 0x51);
	assert_false(reg(0x10 + 2 * 10) & REMOTE_IRR);
	assert_int_equal(nmsgs, 1);
}

/* Linux's fallback for I/O APICs without the EOI register. */
static void test_edge_switch_clears_remote_irr(void **state)
{
	(void)state;
	set_rte(11, 0x52 | LEVEL, 0);
	ioapic_set_irq(&io, 11, true);
	ioapic_set_irq(&io, 11, false);
	set_rte(11, 0x52 | MASKED, 0);
	assert_false(reg(0x10 + 2 * 11) & REMOTE_IRR);
	set_rte(11, 0x52 | LEVEL, 0);
	assert_false(reg(0x10 + 2 * 11) & REMOTE_IRR);
	assert_int_equal(nmsgs, 1);
}

static void test_level_unmask_sends(void **state)
{
	(void)state;
	set_rte(12, 0x60 | LEVEL | MASKED, 0);
	ioapic_set_irq(&io, 12, true);
	assert_int_equal(nmsgs, 0);
	set_rte(12, 0x60 | LEVEL, 0);
	assert_int_equal(nmsgs, 1);
	/* Masked with Remote IRR set: an EOI clears it but does not send. */
	set_rte(12, 0x60 | LEVEL | MASKED, 0);
	ioapic_eoi(&io, 0x60);
	assert_int_equal(nmsgs, 1);
	assert_false(reg(0x10 + 2 * 12) & REMOTE_IRR);
}

static void test_polarity(void **state)
{
	(void)state;
	/* Active low and the line low: asserted as soon as unmasked. */
	set_rte(16, 0x70 | LEVEL | ACTIVE_LOW, 0);
	assert_int_equal(nmsgs, 1);
	ioapic_set_irq(&io, 16, true); /* deasserts */
	ioapic_eoi(&io, 0x70);
	assert_int_equal(nmsgs, 1);
	ioapic_set_irq(&io, 16, false);
	assert_int_equal(nmsgs, 2);
	/* Edge, active low: the falling line is the edge. */
	set_rte(17, 0x71 | ACTIVE_LOW | MASKED, 0);
	ioapic_set_irq(&io, 17, true);
	set_rte(17, 0x71 | ACTIVE_LOW, 0);
	ioapic_set_irq(&io, 17, false);
	assert_int_equal(nmsgs, 3);
	assert_int_equal(msgs[2].vector, 0x71);
	ioapic_set_irq(&io, 17, true);
	assert_int_equal(nmsgs, 3);
}

static void test_delivery_arguments(void **state)
{
	(void)state;
	set_rte(3, 0x41 | LOGICAL | (IOAPIC_DM_LOWEST << 8), 0x03);
	set_rte(4, 0x00 | (IOAPIC_DM_NMI << 8), 0xff);
	set_rte(5, 0x00 | (IOAPIC_DM_EXTINT << 8), 0x00);
	ioapic_set_irq(&io, 3, true);
	ioapic_set_irq(&io, 4, true);
	ioapic_set_irq(&io, 5, true);
	assert_int_equal(nmsgs, 3);
	assert_true(msgs[0].logical);
	assert_int_equal(msgs[0].dest, 0x03);
	assert_int_equal(msgs[0].mode, IOAPIC_DM_LOWEST);
	assert_int_equal(msgs[0].vector, 0x41);
	assert_int_equal(msgs[1].mode, IOAPIC_DM_NMI);
	assert_int_equal(msgs[1].dest, 0xff);
	assert_int_equal(msgs[2].mode, IOAPIC_DM_EXTINT);
}


/* The acknowledgement hook: called once per pin an EOI cleared, before
 * the pin is sent again; a line it lowers is not sent twice (a
 * passed-through function's INTx), one left high is. */
static unsigned acks[24], lower_on_ack = 99;

static void fake_acked(void *ctx, unsigned pin)
{
	assert_ptr_equal(ctx, &nmsgs);
	acks[pin]++;
	if (pin == lower_on_ack)
		ioapic_set_irq(&io, pin, false); /* the lock is not held here */
}

static void test_acked_hook(void **state)
{
	(void)state;
	memset(acks, 0, sizeof(acks));
	io.acked = fake_acked;
	set_rte(5, 0x31 | LEVEL, 1);
	set_rte(6, 0x31 | LEVEL, 1); /* same vector: one EOI acknowledges both */
	set_rte(7, 0x32 | LEVEL, 1);
	ioapic_set_irq(&io, 5, true);
	ioapic_set_irq(&io, 6, true);
	ioapic_set_irq(&io, 7, true);
	assert_int_equal(nmsgs, 3);

	lower_on_ack = 5; /* the owner lowers pin 5 when it hears the EOI */
	ioapic_eoi(&io, 0x31);
	assert_int_equal(acks[5], 1);
	assert_int_equal(acks[6], 1);
	assert_int_equal(acks[7], 0);
	assert_int_equal(nmsgs, 4); /* pin 6 again; pin 5 not */
	assert_int_equal(msgs[3].vector, 0x31);
	assert_int_equal(reg(0x10 + 2 * 5) & REMOTE_IRR, 0);

	/* through the EOI register too */
	lower_on_ack = 7;
	ioapic_write(&io, IOEOI, 4, 0x32);
	assert_int_equal(acks[7], 1);
	assert_int_equal(nmsgs, 4);
	/* an EOI of a vector no pin awaits acknowledges nothing */
	ioapic_eoi(&io, 0x40);
	assert_int_equal(acks[5] + acks[6] + acks[7], 3);
	io.acked = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_id_version_arb, setup),
		cmocka_unit_test_setup(test_rte_reset_and_bits, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr, setup),
		cmocka_unit_test_setup(test_eoi_register, setup),
		cmocka_unit_test_setup(test_edge_switch_clears_remote_irr, setup),
		cmocka_unit_test_setup(test_level_unmask_sends, setup),
		cmocka_unit_test_setup(test_polarity, setup),
		cmocka_unit_test_setup(test_delivery_arguments, setup),
		cmocka_unit_test_setup(test_acked_hook, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
