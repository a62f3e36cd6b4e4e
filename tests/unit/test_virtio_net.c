// SPDX-License-Identifier: MIT
/*
 * Unit tests of virtio-net (vmm/virtio/virtio_net.c) on the virtual switch
 * (vmm/net/switch.c), with two NICs driven by the fake driver (queues 0-1
 * NIC a, 2-3 NIC b in the fake RAM) and a raw switch port c: config space,
 * transmit with the header stripped, receive with num_buffers, frames
 * waiting for buffers, too-small buffers, bad transmit chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio_net.h"

#define QS 8

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

static struct net_switch sw;
static struct virtio_net na, nb;
static struct net_port pc;
static unsigned kicks_b;
static struct net_offload off;
static const u8 mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const u8 mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const u8 mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc };
static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void kick_b(void *ctx) { assert_ptr_equal(ctx, &nb); kicks_b++; }

/* queue @q of @n lives in the fake driver's queue area @area */
static void queue_up(struct virtio_dev *d, u16 q, unsigned area)
{
	virtio_queue_set_size(d, q, QS);
	virtio_queue_set_addr(d, q, VIRTIO_RING_DESC, vd_desc_gpa(area));
	virtio_queue_set_addr(d, q, VIRTIO_RING_AVAIL, VD_AVAIL + area * VD_QSTRIDE);
	virtio_queue_set_addr(d, q, VIRTIO_RING_USED, VD_USED + area * VD_QSTRIDE);
	virtio_queue_enable(d, q);
}

static void bring_up(struct virtio_dev *d, unsigned area)
{
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 0, virtio_device_features(d, 0));
	virtio_set_driver_features(d, 1, 1);
	virtio_set_status(d, 0x0b);
	queue_up(d, VIRTIO_NET_RX_QUEUE, area);
	queue_up(d, VIRTIO_NET_TX_QUEUE, area + 1);
	virtio_set_status(d, 0x0f);
	assert_true(virtio_dev_live(d));
}

static int setup(void **state)
{
	(void)state;
	vd_init();
	kicks_b = 0;
	net_switch_init(&sw, "lan");
	assert_true(virtio_net_init(&na, mac_a, &sw, NULL, NULL, &vd_mem, "alpha"));
	assert_true(virtio_net_init(&nb, mac_b, &sw, kick_b, &nb, &vd_mem, "beta"));
	assert_true(net_switch_attach(&sw, &pc, mac_c, NULL, NULL));
	bring_up(&na.vdev, 0);
	bring_up(&nb.vdev, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

/* NIC a transmits a frame to @dst with @payload bytes of @fill, the
 * header in its own descriptor (as Linux may) and @flags in it. */
static void a_send(const u8 *dst, u32 payload, u8 fill, u8 flags)
{
	u8 *hdr = vd_ptr(VD_BUF), *f = vd_ptr(VD_BUF + 0x100);

	memset(hdr, 0, VIRTIO_NET_HDR_LEN);
	hdr[0] = flags;
	memcpy(f, dst, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08, f[13] = 0;
	memset(f + 14, fill, payload);
	vd_set(vd_desc_gpa(1), 0, VD_BUF, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	vd_set(vd_desc_gpa(1), 1, VD_BUF + 0x100, 14 + payload, 0, 0);
	vd_offer(1, QS, 0);
	virtio_queue_notify(&na.vdev, VIRTIO_NET_TX_QUEUE);
	assert_int_equal(vd_used(1)[1], vd_avail(1)[1]);
}

/* NIC b posts receive buffer @i of @len bytes. */
static void b_post(u16 i, u32 len)
{
	vd_set(vd_desc_gpa(2), i, VD_BUF + 0x10000 + i * 0x1000, len, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(2, QS, i);
	virtio_queue_notify(&nb.vdev, VIRTIO_NET_RX_QUEUE);
}

static void test_config(void **state)
{
	struct virtio_dev *d = &na.vdev;

	(void)state;
	assert_int_equal(d->device_id, VIRTIO_ID_NET);
	assert_int_equal(virtio_config_read(d, 0, 4), 0x00000002);
	assert_int_equal(virtio_config_read(d, 4, 2), 0x0a00);
	assert_int_equal(virtio_config_read(d, VIRTIO_NET_CFG_STATUS, 2), VIRTIO_NET_S_LINK_UP);
	assert_int_equal(virtio_config_read(d, VIRTIO_NET_CFG_MTU, 2), 1500);
	assert_true(virtio_device_features(d, 0) & (1u << VIRTIO_NET_F_MAC));
	assert_true(virtio_device_features(d, 0) & (1u << VIRTIO_NET_F_STATUS));
	/* checksum and TCP segmentation offload both ways, no UFO/ECN/MRG_RXBUF */
	assert_int_equal(virtio_device_features(d, 0) & 0xffff, 0x1983 | (1u << 5) | (1u << 3));
	static struct virtio_net dup; /* 588 KiB */
	assert_false(virtio_net_init(&dup, mac_b, &sw, NULL, NULL, &vd_mem, "gamma"));
}

static void test_transmit_strips_header(void **state)
{
	u8 f[NET_FRAME_MAX];

	(void)state;
	a_send(mac_c, 46, 0x77, 0);
	assert_int_equal(net_port_recv(&pc, f, sizeof(f), &off), 60);
	assert_int_equal(off.flags, 0);
	assert_memory_equal(f, mac_c, 6);
	assert_memory_equal(f + 6, mac_a, 6);
	assert_int_equal(f[59], 0x77);
	assert_int_equal(na.tx_frames, 1);
	assert_int_equal(net_port_peek(&nb.port), 0); /* not b's */
	assert_int_equal(kicks_b, 0);
}

static void test_receive(void **state)
{
	u8 *buf = vd_ptr(VD_BUF + 0x10000);

	(void)state;
	b_post(0, 1526);
	a_send(bcast, 100, 0x55, 0);
	assert_int_equal(kicks_b, 1);
	assert_int_equal(vd_used(2)[1], 0); /* waits in the mailbox */
	virtio_net_rx_poll(&nb);
	assert_int_equal(vd_used(2)[1], 1);
	assert_int_equal(vd_used_len(2, 0, QS), VIRTIO_NET_HDR_LEN + 114);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[10], 1); /* num_buffers */
	assert_memory_equal(buf + VIRTIO_NET_HDR_LEN, bcast, 6);
	assert_int_equal(buf[VIRTIO_NET_HDR_LEN + 113], 0x55);
	assert_int_equal(nb.rx_frames, 1);
}

static void test_frames_wait_for_buffers(void **state)
{
	(void)state;
	a_send(mac_b, 50, 1, 0);
	a_send(mac_b, 60, 2, 0);
	virtio_net_rx_poll(&nb);
	assert_int_equal(vd_used(2)[1], 0);
	b_post(0, 2048); /* the notify delivers */
	assert_int_equal(vd_used(2)[1], 1);
	assert_int_equal(vd_used_len(2, 0, QS), VIRTIO_NET_HDR_LEN + 64);
	b_post(1, 2048);
	assert_int_equal(vd_used_len(2, 1, QS), VIRTIO_NET_HDR_LEN + 74);
	assert_int_equal(net_port_peek(&nb.port), 0);
}

static void test_small_rx_buffer_drops_frame(void **state)
{
	(void)state;
	b_post(0, 64);
	a_send(mac_b, 100, 3, 0);
	virtio_net_rx_poll(&nb);
	assert_int_equal(vd_used(2)[1], 1);
	assert_int_equal(vd_used_len(2, 0, QS), 0);
	assert_int_equal(nb.rx_errors, 1);
	assert_int_equal(net_port_peek(&nb.port), 0);
}

static void test_bad_transmits_dropped(void **state)
{
	(void)state;
	a_send(mac_c, 0, 0, 0);            /* 14 bytes: a header-only frame is fine */
	assert_int_equal(net_port_peek(&pc), 14);
	net_port_recv(&pc, vd_ptr(VD_BUF + 0x20000), NET_FRAME_MAX, &off);
	a_send(mac_c, NET_FRAME_MAX - 13, 0, 0); /* one byte too long */
	a_send(mac_c, 50, 0, 2);                 /* DATA_VALID: not for transmit */
	assert_int_equal(na.tx_errors, 2);
	assert_int_equal(net_port_peek(&pc), 0);
	/* shorter than header + Ethernet header */
	vd_set(vd_desc_gpa(1), 0, VD_BUF, 20, 0, 0);
	vd_offer(1, QS, 0);
	virtio_queue_notify(&na.vdev, VIRTIO_NET_TX_QUEUE);
	assert_int_equal(na.tx_errors, 3);
	assert_false(virtio_get_status(&na.vdev) & VIRTIO_STATUS_NEEDS_RESET);
}

/* NIC a sends a TCP/IPv4 GSO frame of @payload bytes (MSS 1000) with the
 * checksum left partial to @dst. */
static void a_send_gso(const u8 *dst, u32 payload)
{
	u8 *hdr = vd_ptr(VD_BUF), *f = vd_ptr(VD_BUF + 0x100);
	u32 ip = 20 + 20 + payload;

	memset(hdr, 0, VIRTIO_NET_HDR_LEN);
	hdr[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	hdr[2] = 54;         /* hdr_len */
	hdr[4] = 1000 & 0xff, hdr[5] = 1000 >> 8;
	hdr[6] = 34;         /* csum_start: TCP */
	hdr[8] = 16;         /* csum_offset */
	memset(f, 0, 14 + ip);
	memcpy(f, dst, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	f[14] = 0x45, f[16] = (u8)(ip >> 8), f[17] = (u8)ip, f[22] = 64, f[23] = 6;
	f[34 + 12] = 0x50, f[34 + 13] = 0x18; /* 20-byte TCP header, ACK PSH */
	memset(f + 54, 0x6b, payload);
	vd_set(vd_desc_gpa(1), 0, VD_BUF, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	vd_set(vd_desc_gpa(1), 1, VD_BUF + 0x100, 14 + ip, 0, 0);
	vd_offer(1, QS, 0);
	virtio_queue_notify(&na.vdev, VIRTIO_NET_TX_QUEUE);
}

/* A receiver that negotiated GUEST_TSO4 gets the GSO frame whole, its
 * offload fields in the header; a raw port that takes none gets it cut
 * into complete segments. */
static void test_gso_whole_or_cut(void **state)
{
	u8 *buf = vd_ptr(VD_BUF + 0x10000), f[NET_FRAME_MAX];
	u32 n = 0, total = 0, len;

	(void)state;
	b_post(0, 4096);
	a_send_gso(mac_b, 2500);
	assert_int_equal(na.tx_errors, 0);
	virtio_net_rx_poll(&nb);
	assert_int_equal(vd_used_len(2, 0, QS), VIRTIO_NET_HDR_LEN + 14 + 40 + 2500);
	assert_int_equal(buf[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(buf[1], VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(buf[4] | buf[5] << 8, 1000);
	assert_int_equal(buf[6], 34);
	assert_int_equal(buf[8], 16);
	a_send_gso(mac_c, 2500);
	while ((len = net_port_recv(&pc, f, sizeof(f), &off))) {
		assert_int_equal(off.flags, 0);
		assert_int_equal(off.gso_type, NET_GSO_NONE);
		assert_true(len <= 14 + 40 + 1000);
		total += len - 54;
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(total, 2500);
	assert_int_equal(sw.cut, 1);
}

/* GSO without the feature, or a checksum field past the frame: dropped. */
static void test_bad_offloads_dropped(void **state)
{
	u8 *hdr = vd_ptr(VD_BUF);

	(void)state;
	virtio_set_status(&na.vdev, 0);
	virtio_set_status(&na.vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(&na.vdev, 0, virtio_device_features(&na.vdev, 0) &
				   ~(1u << VIRTIO_NET_F_HOST_TSO4));
	virtio_set_driver_features(&na.vdev, 1, 1);
	virtio_set_status(&na.vdev, 0x0b);
	queue_up(&na.vdev, VIRTIO_NET_RX_QUEUE, 0);
	queue_up(&na.vdev, VIRTIO_NET_TX_QUEUE, 1);
	virtio_set_status(&na.vdev, 0x0f);
	a_send_gso(mac_c, 2500);
	assert_int_equal(na.tx_errors, 1);
	a_send(mac_c, 50, 0, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(na.tx_errors, 1); /* csum at 0/0: inside the frame */
	net_port_recv(&pc, vd_ptr(VD_BUF + 0x20000), NET_FRAME_MAX, &off);
	hdr[6] = 63; /* csum_start + offset + 2 beyond 64 bytes */
	vd_set(vd_desc_gpa(1), 0, VD_BUF, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, 1);
	vd_offer(1, QS, 0);
	virtio_queue_notify(&na.vdev, VIRTIO_NET_TX_QUEUE);
	assert_int_equal(na.tx_errors, 2);
	assert_int_equal(net_port_peek(&pc), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config),
		T(test_transmit_strips_header),
		T(test_receive),
		T(test_frames_wait_for_buffers),
		T(test_small_rx_buffer_drops_frame),
		T(test_bad_transmits_dropped),
		T(test_gso_whole_or_cut),
		T(test_bad_offloads_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
