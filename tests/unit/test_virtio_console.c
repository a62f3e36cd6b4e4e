// SPDX-License-Identifier: MIT
/*
 * Unit tests of virtio-console (vmm/virtio/virtio_console.c) through the
 * virtio core and the fake driver: transmit to the callback, emergency
 * write, and the lossless receive side (input waits for receive buffers,
 * a full ring refuses what it cannot keep, the ring wraps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio_console.h"

#define QS 8
#define RXQ VIRTIO_CONSOLE_RX_QUEUE
#define TXQ VIRTIO_CONSOLE_TX_QUEUE

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

static struct virtio_console con;
static struct virtio_dev *d = &con.vdev;
static char out[8192];
static u32 out_len;

static void on_tx(void *ctx, const u8 *buf, u32 len)
{
	assert_ptr_equal(ctx, &out);
	assert_true(out_len + len <= sizeof(out));
	memcpy(out + out_len, buf, len);
	out_len += len;
}

static void queue_up(u16 q)
{
	virtio_queue_set_size(d, q, QS);
	virtio_queue_set_addr(d, q, VIRTIO_RING_DESC, vd_desc_gpa(q));
	virtio_queue_set_addr(d, q, VIRTIO_RING_AVAIL, VD_AVAIL + q * VD_QSTRIDE);
	virtio_queue_set_addr(d, q, VIRTIO_RING_USED, VD_USED + q * VD_QSTRIDE);
	virtio_queue_enable(d, q);
}

static void bring_up(void)
{
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 0, 1u << VIRTIO_CONSOLE_F_EMERG_WRITE);
	virtio_set_driver_features(d, 1, 1);
	virtio_set_status(d, 0x0b);
	queue_up(RXQ);
	queue_up(TXQ);
	virtio_set_status(d, 0x0f);
	assert_true(virtio_dev_live(d));
}

static int setup(void **state)
{
	(void)state;
	vd_init();
	out_len = 0;
	virtio_console_init(&con, on_tx, &out, &vd_mem, "alpha");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

/* Post receive buffer @i of @len bytes at VD_BUF + i * 0x1000. */
static void post_rx(u16 i, u32 len)
{
	vd_set(vd_desc_gpa(RXQ), i, VD_BUF + i * 0x1000, len, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(RXQ, QS, i);
	virtio_queue_notify(d, RXQ);
}

static void test_transmit(void **state)
{
	(void)state;
	bring_up();
	memcpy(vd_ptr(VD_BUF), "hello ", 6);
	memcpy(vd_ptr(VD_BUF + 0x100), "world\n", 6);
	vd_set(vd_desc_gpa(TXQ), 0, VD_BUF, 6, VIRTQ_DESC_F_NEXT, 1);
	vd_set(vd_desc_gpa(TXQ), 1, VD_BUF + 0x100, 6, 0, 0);
	vd_offer(TXQ, QS, 0);
	virtio_queue_notify(d, TXQ);
	assert_int_equal(out_len, 12);
	assert_memory_equal(out, "hello world\n", 12);
	assert_int_equal(vd_used(TXQ)[1], 1);
	assert_int_equal(vd_used_len(TXQ, 0, QS), 0);
}

static void test_emergency_write(void **state)
{
	(void)state;
	assert_true(virtio_device_features(d, 0) & (1u << VIRTIO_CONSOLE_F_EMERG_WRITE));
	virtio_config_write(d, VIRTIO_CONSOLE_CFG_EMERG_WR, 4, 'Z');
	assert_int_equal(out_len, 1);
	assert_int_equal(out[0], 'Z');
}

static void test_input_waits_for_driver(void **state)
{
	(void)state;
	assert_int_equal(virtio_console_input(&con, (const u8 *)"ls\n", 3), 3);
	bring_up();
	post_rx(0, 64);
	assert_int_equal(vd_used(RXQ)[1], 1);
	assert_int_equal(vd_used_len(RXQ, 0, QS), 3);
	assert_memory_equal(vd_ptr(VD_BUF), "ls\n", 3);
	assert_int_equal(virtio_console_rx_room(&con), VIRTIO_CONSOLE_RX_BUF);
}

static void test_input_split_over_buffers_in_order(void **state)
{
	(void)state;
	bring_up();
	post_rx(0, 4);
	assert_int_equal(vd_used(RXQ)[1], 0); /* no input: buffer kept */
	assert_int_equal(virtio_console_input(&con, (const u8 *)"abcdefghij", 10), 10);
	assert_int_equal(vd_used(RXQ)[1], 1);
	assert_memory_equal(vd_ptr(VD_BUF), "abcd", 4);
	post_rx(1, 4);
	post_rx(2, 100);
	assert_int_equal(vd_used(RXQ)[1], 3);
	assert_memory_equal(vd_ptr(VD_BUF + 0x1000), "efgh", 4);
	assert_memory_equal(vd_ptr(VD_BUF + 0x2000), "ij", 2);
	assert_int_equal(vd_used_len(RXQ, 2, QS), 2);
}

static void test_full_ring_refuses_and_wraps(void **state)
{
	static u8 big[VIRTIO_CONSOLE_RX_BUF + 10];

	(void)state;
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 13);
	assert_int_equal(virtio_console_input(&con, big, 100), 100);
	assert_int_equal(virtio_console_input(&con, big + 100, sizeof(big) - 100),
			 VIRTIO_CONSOLE_RX_BUF - 100);
	assert_int_equal(virtio_console_rx_room(&con), 0);
	assert_int_equal(virtio_console_input(&con, big, 1), 0);
	bring_up();
	post_rx(0, 1000);
	assert_memory_equal(vd_ptr(VD_BUF), big, 1000);
	/* room again: the rest of the input goes in, across the wrap */
	assert_int_equal(virtio_console_input(&con, big + VIRTIO_CONSOLE_RX_BUF, 10), 10);
	for (u16 i = 1; i < 6; i++)
		post_rx(i, 1000);
	u32 total = 1000;
	for (u16 i = 1; i < 6; i++) {
		u32 n = vd_used_len(RXQ, i, QS);
		assert_memory_equal(vd_ptr(VD_BUF + i * 0x1000), big + total, n);
		total += n;
	}
	assert_int_equal(total, sizeof(big));
}

static void test_reset_keeps_input(void **state)
{
	(void)state;
	bring_up();
	virtio_set_status(d, 0);
	assert_int_equal(virtio_console_input(&con, (const u8 *)"x", 1), 1);
	memset(vd_ptr(VD_AVAIL), 0, 0x8000 - 0x2000);
	bring_up();
	post_rx(0, 8);
	assert_int_equal(*(u8 *)vd_ptr(VD_BUF), 'x');
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_transmit),
		T(test_emergency_write),
		T(test_input_waits_for_driver),
		T(test_input_split_over_buffers_in_order),
		T(test_full_ring_refuses_and_wraps),
		T(test_reset_keeps_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
