// SPDX-License-Identifier: MIT
/*
 * Unit tests of the transport-independent virtio core (vmm/virtio/virtio.c)
 * with a dummy device: feature negotiation, the status state machine and
 * reset, queue setup, config space and generation, notification gating, and
 * DEVICE_NEEDS_RESET with its log line and config interrupt on a malformed
 * chain or ring. printk() is faked and records the last line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio.h"


#include "tests/unit/fake_printk.h"

static struct virtio_dev dev;
static u8 cfg[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static unsigned notifies, resets, driver_oks, irq_queue, irq_config;
static u32 cfg_write_off, cfg_write_val;

static void dummy_notify(struct virtio_dev *d, u16 q)
{
	(void)q;
	notifies++;
	while (virtio_pop(d, q))
		virtio_push(d, q, d->chain.head, 0);
	virtio_queue_interrupt(d, q);
}

static void dummy_reset(struct virtio_dev *d) { (void)d; resets++; }
static void dummy_driver_ok(struct virtio_dev *d) { (void)d; driver_oks++; }
static void dummy_cfg_write(struct virtio_dev *d, u32 off, unsigned len, u32 val)
{
	(void)d, (void)len;
	cfg_write_off = off;
	cfg_write_val = val;
}

static const struct virtio_dev_ops dummy_ops = {
	.notify = dummy_notify, .reset = dummy_reset,
	.config_write = dummy_cfg_write, .driver_ok = dummy_driver_ok,
};

static void on_irq(void *ctx, enum virtio_irq kind, u16 q)
{
	(void)ctx, (void)q;
	if (kind == VIRTIO_IRQ_QUEUE)
		irq_queue++;
	else
		irq_config++;
}

static int setup(void **state)
{
	(void)state;
	vd_init();
	notifies = resets = driver_oks = irq_queue = irq_config = logs = 0;
	log_msg[0] = 0;
	virtio_dev_init(&dev, &dummy_ops, "dummy", 42, 2, VIRTIO_BIT(5), cfg, sizeof(cfg),
			&vd_mem, "alpha");
	virtio_set_irq(&dev, on_irq, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

static void negotiate(u64 features)
{
	virtio_set_status(&dev, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(&dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(&dev, 0, (u32)features);
	virtio_set_driver_features(&dev, 1, (u32)(features >> 32));
	virtio_set_status(&dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK);
}

#define ALL_OK (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)
#define V1 VIRTIO_BIT(VIRTIO_F_VERSION_1)

static void setup_queue(u16 q, u16 size)
{
	virtio_queue_set_size(&dev, q, size);
	virtio_queue_set_addr(&dev, q, VIRTIO_RING_DESC, VD_DESC + q * VD_QSTRIDE);
	virtio_queue_set_addr(&dev, q, VIRTIO_RING_AVAIL, VD_AVAIL + q * VD_QSTRIDE);
	virtio_queue_set_addr(&dev, q, VIRTIO_RING_USED, VD_USED + q * VD_QSTRIDE);
	virtio_queue_enable(&dev, q);
}

static void bring_up(void)
{
	negotiate(V1 | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | VIRTIO_BIT(5));
	setup_queue(0, 8);
	virtio_set_status(&dev, ALL_OK);
	assert_int_equal(virtio_get_status(&dev), ALL_OK);
}

static void test_device_features(void **state)
{
	(void)state;
	assert_int_equal(virtio_device_features(&dev, 0),
			 (1u << 5) | (1u << VIRTIO_F_INDIRECT_DESC) | (1u << VIRTIO_F_RING_EVENT_IDX));
	assert_int_equal(virtio_device_features(&dev, 1), 1); /* VERSION_1 */
	assert_int_equal(virtio_device_features(&dev, 2), 0);
	assert_int_equal(virtio_num_queues(&dev), 2);
	assert_int_equal(virtio_queue_max_size(&dev, 0), VIRTQ_MAX_SIZE);
	assert_int_equal(virtio_queue_max_size(&dev, 2), 0);
}

static void test_features_ok_needs_version_1(void **state)
{
	(void)state;
	negotiate(VIRTIO_BIT(5));
	assert_false(virtio_get_status(&dev) & VIRTIO_STATUS_FEATURES_OK);
	virtio_set_status(&dev, 0);
	negotiate(V1 | VIRTIO_BIT(5));
	assert_true(virtio_get_status(&dev) & VIRTIO_STATUS_FEATURES_OK);
	assert_true(virtio_has_feature(&dev, 5));
}

static void test_features_ok_refuses_unoffered(void **state)
{
	(void)state;
	negotiate(V1 | VIRTIO_BIT(6));
	assert_false(virtio_get_status(&dev) & VIRTIO_STATUS_FEATURES_OK);
}

static void test_features_frozen_after_features_ok(void **state)
{
	(void)state;
	negotiate(V1);
	virtio_set_driver_features(&dev, 0, 1u << 5);
	assert_int_equal(virtio_driver_features(&dev, 0), 0);
	assert_int_equal(virtio_driver_features(&dev, 1), 1);
}

static void test_driver_ok_needs_features_ok(void **state)
{
	(void)state;
	virtio_set_status(&dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_DRIVER_OK);
	assert_false(virtio_get_status(&dev) & VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(driver_oks, 0);
	assert_false(virtio_dev_live(&dev));
}

static void test_status_bits_not_cleared_nor_needs_reset_written(void **state)
{
	(void)state;
	bring_up();
	assert_int_equal(driver_oks, 1);
	virtio_set_status(&dev, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(virtio_get_status(&dev), ALL_OK);
	virtio_set_status(&dev, ALL_OK | VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(virtio_get_status(&dev), ALL_OK);
	virtio_set_status(&dev, ALL_OK | VIRTIO_STATUS_FAILED);
	assert_false(virtio_dev_live(&dev));
}

static void test_reset(void **state)
{
	(void)state;
	bring_up();
	assert_true(virtio_queue_ready(&dev, 0));
	virtio_set_status(&dev, 0);
	assert_int_equal(virtio_get_status(&dev), 0);
	assert_false(virtio_queue_ready(&dev, 0));
	assert_int_equal(virtio_queue_size(&dev, 0), VIRTQ_MAX_SIZE);
	assert_int_equal(virtio_queue_addr(&dev, 0, VIRTIO_RING_USED), 0);
	assert_int_equal(virtio_driver_features(&dev, 1), 0);
	assert_int_equal(resets, 2); /* init and the write of 0 */
}

static void test_queue_registers_locked_while_enabled(void **state)
{
	(void)state;
	bring_up();
	virtio_queue_set_size(&dev, 0, 4);
	virtio_queue_set_addr(&dev, 0, VIRTIO_RING_DESC, 0x8000);
	assert_int_equal(virtio_queue_size(&dev, 0), 8);
	assert_int_equal(virtio_queue_addr(&dev, 0, VIRTIO_RING_DESC), VD_DESC);
	virtio_queue_set_size(&dev, 7, 4); /* no such queue: ignored */
	assert_int_equal(virtio_queue_size(&dev, 7), 0);
}

static void test_notify_serves_and_interrupts(void **state)
{
	(void)state;
	bring_up();
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, 8, 0);
	virtio_queue_notify(&dev, 0);
	assert_int_equal(notifies, 1);
	assert_int_equal(vd_used(0)[1], 1);
	assert_int_equal(irq_queue, 1);
	virtio_queue_notify(&dev, 1); /* not enabled */
	assert_int_equal(notifies, 1);
}

static void test_notify_ignored_before_driver_ok(void **state)
{
	(void)state;
	negotiate(V1);
	setup_queue(0, 8);
	virtio_queue_notify(&dev, 0);
	assert_int_equal(notifies, 0);
}

static void test_malformed_chain_needs_reset(void **state)
{
	(void)state;
	bring_up();
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vd_offer(0, 8, 0);
	virtio_queue_notify(&dev, 0);
	assert_true(virtio_get_status(&dev) & VIRTIO_STATUS_NEEDS_RESET);
	assert_string_equal(log_msg, "guest alpha virtio-dummy queue 0 descriptor loop");
	assert_int_equal(logs, 1);
	assert_int_equal(irq_config, 1);
	/* further notifies do nothing and say nothing */
	virtio_queue_notify(&dev, 0);
	assert_int_equal(notifies, 1);
	assert_int_equal(logs, 1);
	/* a reset brings it back */
	virtio_set_status(&dev, 0);
	memset(vd_ptr(VD_AVAIL), 0, 0x2000);
	bring_up();
	vd_set(VD_DESC, 0, VD_BUF, 8, 0, 0);
	vd_offer(0, 8, 0);
	virtio_queue_notify(&dev, 0);
	assert_int_equal(vd_used(0)[1], 1);
}

static void test_used_ring_outside_ram_needs_reset(void **state)
{
	(void)state;
	negotiate(V1);
	virtio_queue_set_size(&dev, 1, 8);
	virtio_queue_set_addr(&dev, 1, VIRTIO_RING_DESC, VD_DESC);
	virtio_queue_set_addr(&dev, 1, VIRTIO_RING_AVAIL, VD_AVAIL);
	virtio_queue_set_addr(&dev, 1, VIRTIO_RING_USED, 0xfec00000);
	virtio_queue_enable(&dev, 1);
	assert_false(virtio_queue_ready(&dev, 1));
	assert_true(virtio_get_status(&dev) & VIRTIO_STATUS_NEEDS_RESET);
	assert_string_equal(log_msg, "guest alpha virtio-dummy queue 1 used ring outside guest RAM");
	assert_int_equal(irq_config, 0); /* not DRIVER_OK yet: no interrupt */
}

static void test_error_log_rate_limited(void **state)
{
	(void)state;
	for (int i = 0; i < 20; i++) {
		virtio_set_status(&dev, 0);
		virtio_dev_error(&dev, 0, "bad");
	}
	assert_int_equal(logs, VIRTIO_LOG_MAX);
	assert_non_null(strstr(log_msg, "further errors not logged"));
}

static void test_config_space(void **state)
{
	(void)state;
	assert_int_equal(virtio_config_read(&dev, 0, 4), 0x44332211);
	assert_int_equal(virtio_config_read(&dev, 6, 2), 0x8877);
	assert_int_equal(virtio_config_read(&dev, 7, 2), 0); /* crosses the end */
	assert_int_equal(virtio_config_read(&dev, 0xffffffff, 4), 0);
	virtio_config_write(&dev, 4, 2, 0xbeef);
	assert_int_equal(cfg_write_off, 4);
	assert_int_equal(cfg_write_val, 0xbeef);
	cfg_write_off = 0;
	virtio_config_write(&dev, 8, 1, 1);
	assert_int_equal(cfg_write_off, 0);
	u32 g = virtio_config_generation(&dev);
	virtio_config_changed(&dev);
	assert_int_equal(virtio_config_generation(&dev), g + 1);
	assert_int_equal(irq_config, 0); /* before DRIVER_OK */
	bring_up();
	virtio_config_changed(&dev);
	assert_int_equal(irq_config, 1);
}

static void test_event_idx_negotiated_reaches_queue(void **state)
{
	(void)state;
	bring_up();
	assert_true(dev.vq[0].event_idx);
	assert_false(dev.vq[0].indirect);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_device_features),
		T(test_features_ok_needs_version_1),
		T(test_features_ok_refuses_unoffered),
		T(test_features_frozen_after_features_ok),
		T(test_driver_ok_needs_features_ok),
		T(test_status_bits_not_cleared_nor_needs_reset_written),
		T(test_reset),
		T(test_queue_registers_locked_while_enabled),
		T(test_notify_serves_and_interrupts),
		T(test_notify_ignored_before_driver_ok),
		T(test_malformed_chain_needs_reset),
		T(test_used_ring_outside_ram_needs_reset),
		T(test_error_log_rate_limited),
		T(test_config_space),
		T(test_event_idx_negotiated_reaches_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
