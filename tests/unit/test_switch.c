// SPDX-License-Identifier: MIT
/*
 * Unit tests of the virtual Ethernet switch (vmm/net/switch.c): flooding
 * of broadcast and multicast to every other port, unicast only to the
 * owner of the address, unknown unicast dropped, learning, static
 * addresses that cannot be taken over, isolation between switches, the
 * receive mailbox (order, wrap, full), attach/detach rules, and the MAC
 * derived from a guest's name. One case runs two sender threads against
 * each other's ports (lock order of switch.h).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kernel/string.h"
#include "vmm/net/switch.h"

static struct net_switch sw1, sw2;
static struct net_port pa, pb, pc, pd;
static unsigned kicks[4];
static const u8 mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const u8 mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const u8 mac_c[6] = { 0x02, 0, 0, 0, 0, 0xc };
static const u8 mac_d[6] = { 0x02, 0, 0, 0, 0, 0xd };
static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const u8 mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static u8 buf[NET_FRAME_MAX];
static struct net_offload off; /* what net_port_recv says of a frame */

static void kick(void *ctx) { kicks[(unsigned *)ctx - kicks]++; }

static int setup(void **state)
{
	(void)state;
	memset(kicks, 0, sizeof(kicks));
	net_switch_init(&sw1, "lan");
	net_switch_init(&sw2, "other");
	assert_true(net_switch_attach(&sw1, &pa, mac_a, kick, &kicks[0]));
	assert_true(net_switch_attach(&sw1, &pb, mac_b, kick, &kicks[1]));
	assert_true(net_switch_attach(&sw1, &pc, mac_c, kick, &kicks[2]));
	assert_true(net_switch_attach(&sw2, &pd, mac_d, kick, &kicks[3]));
	return 0;
}

/* A frame dst, src, ethertype 0x0800, then @payload_len bytes of @fill. */
static u32 frame(u8 *f, const u8 *dst, const u8 *src, u32 payload_len, u8 fill)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, fill, payload_len);
	return 14 + payload_len;
}

static unsigned send(struct net_port *p, const u8 *dst, const u8 *src, u8 fill)
{
	u8 f[100];

	return net_switch_send(p, f, frame(f, dst, src, 50, fill), NULL);
}

/* @p has exactly one frame waiting, filled with @fill. */
static void expect_one(struct net_port *p, u8 fill)
{
	assert_int_equal(net_port_peek(p), 64);
	assert_int_equal(net_port_recv(p, buf, sizeof(buf), &off), 64);
	assert_int_equal(buf[20], fill);
	assert_int_equal(net_port_peek(p), 0);
}

static void expect_none(struct net_port *p)
{
	assert_int_equal(net_port_peek(p), 0);
	assert_int_equal(net_port_recv(p, buf, sizeof(buf), &off), 0);
}

static void test_broadcast_floods_other_ports(void **state)
{
	(void)state;
	assert_int_equal(send(&pa, bcast, mac_a, 1), 2);
	expect_none(&pa);
	expect_one(&pb, 1);
	expect_one(&pc, 1);
	expect_none(&pd); /* another switch */
	assert_int_equal(kicks[0], 0);
	assert_int_equal(kicks[1], 1);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[3], 0);
}

static void test_multicast_floods(void **state)
{
	(void)state;
	assert_int_equal(send(&pb, mcast, mac_b, 2), 2);
	expect_one(&pa, 2);
	expect_one(&pc, 2);
	expect_none(&pb);
}

static void test_unicast_only_to_owner(void **state)
{
	(void)state;
	assert_int_equal(send(&pa, mac_b, mac_a, 3), 1);
	expect_one(&pb, 3);
	expect_none(&pc);
	expect_none(&pa);
	/* to an address on another switch: nobody here has it */
	assert_int_equal(send(&pa, mac_d, mac_a, 4), 0);
	expect_none(&pb);
	expect_none(&pc);
	expect_none(&pd);
}

static void test_unknown_unicast_dropped(void **state)
{
	static const u8 nobody[6] = { 0x02, 9, 9, 9, 9, 9 };

	(void)state;
	assert_int_equal(send(&pa, nobody, mac_a, 5), 0);
	expect_none(&pb);
	expect_none(&pc);
	assert_int_equal(sw1.dropped, 1);
}

static void test_learning(void **state)
{
	static const u8 behind_c[6] = { 0x02, 7, 7, 7, 7, 7 };

	(void)state;
	assert_int_equal(send(&pa, behind_c, mac_a, 6), 0); /* not known yet */
	send(&pc, bcast, behind_c, 7);                      /* c's guest bridges it */
	expect_one(&pa, 7);
	expect_one(&pb, 7);
	assert_int_equal(send(&pa, behind_c, mac_a, 8), 1);
	expect_one(&pc, 8);
	expect_none(&pb);
	/* the address moves to b */
	send(&pb, bcast, behind_c, 9);
	expect_one(&pa, 9);
	expect_one(&pc, 9);
	assert_int_equal(send(&pa, behind_c, mac_a, 10), 1);
	expect_one(&pb, 10);
	expect_none(&pc);
}

static void test_static_address_not_stolen(void **state)
{
	(void)state;
	send(&pc, bcast, mac_b, 11); /* c pretends to be b */
	expect_one(&pa, 11);
	expect_one(&pb, 11);
	assert_int_equal(send(&pa, mac_b, mac_a, 12), 1);
	expect_one(&pb, 12);
	expect_none(&pc);
}

static void test_no_reflection_to_sender(void **state)
{
	(void)state;
	/* a frame to the sender's own address goes nowhere */
	assert_int_equal(send(&pa, mac_a, mac_a, 13), 0);
	expect_none(&pa);
}

static void test_bad_lengths_dropped(void **state)
{
	u8 f[NET_FRAME_MAX + 1];

	(void)state;
	frame(f, bcast, mac_a, NET_FRAME_MAX + 1 - 14, 0);
	assert_int_equal(net_switch_send(&pa, f, 13, NULL), 0);
	assert_int_equal(net_switch_send(&pa, f, NET_FRAME_MAX + 1, NULL), 0);
	assert_int_equal(net_switch_send(&pa, f, NET_FRAME_MAX, NULL), 2);
	assert_int_equal(net_port_recv(&pb, buf, sizeof(buf), &off), NET_FRAME_MAX);
}

static void test_mailbox_order_wrap_and_full(void **state)
{
	u8 f[NET_FRAME_MAX];
	unsigned sent = 0, got = 0;

	(void)state;
	/* fill b's mailbox until it refuses: frames are dropped, counted */
	for (;;) {
		u32 len = frame(f, mac_b, mac_a, 1001, (u8)sent);

		if (!net_switch_send(&pa, f, len, NULL))
			break;
		sent++;
	}
	assert_true(sent > 50);
	assert_int_equal(pb.rx_drops, 1);
	/* drain half, refill: the ring wraps; order and contents hold */
	for (; got < sent / 2; got++) {
		assert_int_equal(net_port_recv(&pb, buf, sizeof(buf), &off), 14 + 1001);
		assert_int_equal(buf[14 + 999], (u8)got);
	}
	for (unsigned i = 0, more = sent / 2; i < more; i++, sent++)
		assert_int_equal(net_switch_send(&pa, f, frame(f, mac_b, mac_a, 1001,
								(u8)sent), NULL), 1);
	for (; got < sent; got++) {
		assert_int_equal(net_port_recv(&pb, buf, sizeof(buf), &off), 14 + 1001);
		assert_int_equal(buf[14 + 500], (u8)got);
	}
	expect_none(&pb);
}

static void test_attach_rules(void **state)
{
	static struct net_port extra[NET_SWITCH_PORTS]; /* 512 KiB mailboxes: not on the stack */
	u8 mac[6] = { 0x02, 1, 1, 1, 1, 0 };

	(void)state;
	assert_false(net_switch_attach(&sw1, &extra[0], mac_b, NULL, NULL)); /* taken */
	assert_false(net_switch_attach(&sw1, &extra[0], mcast, NULL, NULL));
	assert_true(net_switch_attach(&sw2, &extra[0], mac_b, NULL, NULL)); /* other switch */
	for (unsigned i = 3; i < NET_SWITCH_PORTS; i++) {
		mac[5] = (u8)i;
		assert_true(net_switch_attach(&sw1, &extra[i], mac, NULL, NULL));
	}
	mac[5] = 0xee;
	assert_false(net_switch_attach(&sw1, &extra[1], mac, NULL, NULL)); /* full */
}

static void test_detach(void **state)
{
	(void)state;
	net_switch_detach(&pb);
	assert_null(pb.sw);
	assert_int_equal(send(&pa, mac_b, mac_a, 14), 0);
	assert_int_equal(send(&pa, bcast, mac_a, 15), 1);
	expect_one(&pc, 15);
	expect_none(&pb);
	assert_int_equal(send(&pb, bcast, mac_b, 16), 0); /* detached: sends nothing */
	static struct net_port again;
	assert_true(net_switch_attach(&sw1, &again, mac_b, NULL, NULL));
}

static void test_mac_from_name(void **state)
{
	u8 a[6], b[6], c[6], a2[6];

	(void)state;
	net_mac_from_name(a, "alpha", 0);
	net_mac_from_name(a2, "alpha", 0);
	net_mac_from_name(b, "alpha", 1);
	net_mac_from_name(c, "beta", 0);
	assert_memory_equal(a, a2, 6);
	assert_memory_not_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0] & 3, 2); /* unicast, locally administered */
}

/* Two "VMs" send to each other at once: every frame queued arrives whole,
 * nothing deadlocks (each receiver drains under its own lock only); full
 * mailboxes drop, and the sender tries again. */
struct pump {
	struct net_port *from, *to;
	const u8 *dst, *src;
	unsigned got;
};

static void *pump(void *arg)
{
	struct pump *p = arg;
	u8 f[200], r[NET_FRAME_MAX];
	struct net_offload o;
	unsigned sent = 0;

	while (sent < 5000 || p->got < 5000) {
		if (sent < 5000 && net_switch_send(p->from, f, frame(f, p->dst, p->src, 100, 1), NULL))
			sent++;
		while (net_port_peek(p->from) && net_port_recv(p->from, r, sizeof(r), &o) == 114 &&
		       r[60] == 1)
			p->got++;
	}
	return NULL;
}

static void test_two_senders_concurrently(void **state)
{
	struct pump x = { &pa, &pb, mac_b, mac_a, 0 }, y = { &pb, &pa, mac_a, mac_b, 0 };
	pthread_t tx, ty;

	(void)state;
	assert_int_equal(pthread_create(&tx, NULL, pump, &x), 0);
	assert_int_equal(pthread_create(&ty, NULL, pump, &y), 0);
	pthread_join(tx, NULL);
	pthread_join(ty, NULL);
	assert_int_equal(x.got, 5000);
	assert_int_equal(y.got, 5000);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_broadcast_floods_other_ports),
		T(test_multicast_floods),
		T(test_unicast_only_to_owner),
		T(test_unknown_unicast_dropped),
		T(test_learning),
		T(test_static_address_not_stolen),
		T(test_no_reflection_to_sender),
		T(test_bad_lengths_dropped),
		T(test_mailbox_order_wrap_and_full),
		T(test_attach_rules),
		T(test_detach),
		T(test_mac_from_name),
		T(test_two_senders_concurrently),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
