// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the switch's offloads (vmm/net/offload.c): a partial
 * checksum completed to what a full computation gives; TCP/IPv4 and
 * TCP/IPv6 GSO frames cut into segments whose lengths, IPv4 header
 * checksums and identifications, sequence numbers, FIN/PSH/CWR and TCP
 * checksums are those of a sender cutting at the MSS, with the payload
 * in order; malformed frames and offloads refused without output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/net/offload.h"

#define MTU_FRAME 1518

static u8 frame[NET_GSO_FRAME_MAX], seg[MTU_FRAME];
static u8 got[80][MTU_FRAME];
static u32 got_len[80], nsegs;

static u16 be16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

static u32 sum(const u8 *p, u32 n, u32 acc)
{
	for (; n > 1; p += 2, n -= 2)
		acc += be16(p);
	if (n)
		acc += (u32)p[0] << 8;
	return acc;
}

static u16 fold(u32 acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (u16)acc;
}

static void emit(void *ctx, const u8 *s, u32 len)
{
	(void)ctx;
	assert_true(nsegs < 80);
	assert_true(len <= MTU_FRAME);
	memcpy(got[nsegs], s, len);
	got_len[nsegs++] = len;
}

/* Ethernet + IPv4 (20) or IPv6 (40) + TCP with 12 bytes of options;
 * @payload bytes i & 0xff; flags FIN|PSH|CWR|ACK; the TCP checksum field
 * holds the partial seed, as a sender offloading it leaves it. Returns
 * the frame's length; @l4 the TCP header's offset. */
static u32 build(bool v6, u32 payload, u32 *l4)
{
	u32 l3 = 14, ip = v6 ? 40 : 20, tcp = 32, len = l3 + ip + tcp + payload;

	memset(frame, 0, len);
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		frame[l3] = 0x60;
		frame[l3 + 4] = (u8)((tcp + payload) >> 8), frame[l3 + 5] = (u8)(tcp + payload);
		frame[l3 + 6] = 6;
		frame[l3 + 7] = 64;
		for (int i = 0; i < 32; i++)
			frame[l3 + 8 + i] = (u8)(0x20 + i);
	} else {
		frame[l3] = 0x45;
		frame[l3 + 2] = (u8)((ip + tcp + payload) >> 8), frame[l3 + 3] = (u8)(ip + tcp + payload);
		frame[l3 + 4] = 0x12, frame[l3 + 5] = 0x34;
		frame[l3 + 6] = 0x40; /* DF */
		frame[l3 + 8] = 64;
		frame[l3 + 9] = 6;
		memcpy(frame + l3 + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	}
	*l4 = l3 + ip;
	frame[*l4] = 0x13, frame[*l4 + 1] = 0x88;       /* 5000 */
	frame[*l4 + 2] = 0xc0, frame[*l4 + 3] = 0x01;
	memcpy(frame + *l4 + 4, "\xff\xff\xff\x00", 4); /* seq: wraps */
	frame[*l4 + 12] = (tcp / 4) << 4;
	frame[*l4 + 13] = 0x80 | 0x10 | 0x08 | 0x01;   /* CWR ACK PSH FIN */
	frame[*l4 + 14] = 0x10;
	for (u32 i = 0; i < payload; i++)
		frame[*l4 + tcp + i] = (u8)i;
	frame[*l4 + 16] = 0x5a, frame[*l4 + 17] = 0xa5; /* a seed to be replaced */
	return len;
}

/* Whether segment @s's TCP checksum verifies (the whole sum is 0xffff). */
static bool tcp_ok(const u8 *s, u32 len, bool v6, u32 l4)
{
	u32 acc = 6 + (len - l4);

	acc = v6 ? sum(s + 14 + 8, 32, acc) : sum(s + 14 + 12, 8, acc);
	return fold(sum(s + l4, len - l4, acc)) == 0xffff;
}

static void check_segments(bool v6, u32 payload, u16 mss)
{
	struct net_offload off = { NET_OFF_CSUM, v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4, 0, mss, 0, 16 };
	u32 l4, len = build(v6, payload, &l4), at = 0;

	off.csum_start = (u16)l4;
	nsegs = 0;
	assert_true(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	assert_int_equal(nsegs, (payload + mss - 1) / mss);
	for (u32 i = 0; i < nsegs; i++) {
		const u8 *s = got[i];
		u32 chunk = got_len[i] - l4 - 32;
		bool last = i == nsegs - 1;

		assert_int_equal(chunk, last ? payload - at : mss);
		if (v6) {
			assert_int_equal(be16(s + 14 + 4), 32 + chunk);
		} else {
			assert_int_equal(be16(s + 14 + 2), 20 + 32 + chunk);
			assert_int_equal(be16(s + 14 + 4), 0x1234 + i);
			assert_int_equal(fold(sum(s + 14, 20, 0)), 0xffff);
		}
		assert_int_equal(be32(s + l4 + 4), 0xffffff00u + at);
		assert_int_equal(s[l4 + 13] & 0x09, last ? 0x09 : 0); /* FIN PSH */
		assert_int_equal(s[l4 + 13] & 0x80, i ? 0 : 0x80);    /* CWR */
		assert_int_equal(s[l4 + 13] & 0x10, 0x10);            /* ACK kept */
		assert_true(tcp_ok(s, got_len[i], v6, l4));
		assert_memory_equal(s + l4 + 32, frame + l4 + 32 + at, chunk);
		at += chunk;
	}
	assert_int_equal(at, payload);
}

static void test_segment_v4(void **state)
{
	(void)state;
	check_segments(false, 5000, 1448);
	check_segments(false, 1448, 1448); /* exactly one */
	check_segments(false, 1, 1448);
	check_segments(false, 65536 - 20 - 32, 1448);
}

static void test_segment_v6(void **state)
{
	(void)state;
	check_segments(true, 4000, 1428);
	check_segments(true, 65536 - 40 - 32 - 14, 1000);
}

static void test_complete_checksum(void **state)
{
	struct net_offload off = { NET_OFF_CSUM, NET_GSO_NONE, 0, 0, 0, 16 };
	u32 l4, len = build(false, 700, &l4);
	u32 seed;

	(void)state;
	/* the sender's seed: the pseudo-header sum, not complemented */
	seed = fold(sum(frame + 14 + 12, 8, 6 + (len - l4)));
	frame[l4 + 16] = (u8)(seed >> 8), frame[l4 + 17] = (u8)seed;
	off.csum_start = (u16)l4;
	assert_true(net_csum_complete(frame, len, &off));
	assert_true(tcp_ok(frame, len, false, l4));
	/* a field past the end is refused, the frame untouched */
	off.csum_offset = (u16)(len - l4 - 1);
	assert_false(net_csum_complete(frame, len, &off));
}

static void test_refused(void **state)
{
	struct net_offload off = { NET_OFF_CSUM, NET_GSO_TCPV4, 0, 1448, 34, 16 };
	u32 l4, len = build(false, 3000, &l4);

	(void)state;
	nsegs = 0;
	off.gso_size = 63; /* below NET_GSO_MIN_SIZE */
	assert_false(net_offload_ok(&off, len));
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	off.gso_size = 1448;
	off.flags = 0; /* GSO without a checksum to complete */
	assert_false(net_offload_ok(&off, len));
	off.flags = NET_OFF_CSUM | 2;
	assert_false(net_offload_ok(&off, len));
	off.flags = NET_OFF_CSUM;
	off.gso_type = 3; /* UDP: not offered */
	assert_false(net_offload_ok(&off, len));
	off.gso_type = NET_GSO_TCPV6; /* an IPv4 frame said to be IPv6 */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	off.gso_type = NET_GSO_TCPV4;
	off.gso_size = 1500; /* segments beyond the MTU */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	off.gso_size = 1448;
	frame[14 + 6] = 0x20; /* a fragment (MF) */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	frame[14 + 6] = 0x40;
	frame[14] = 0x44; /* IHL 16 bytes */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	frame[14] = 0x45;
	frame[l4 + 12] = 0x40; /* TCP data offset 16 bytes */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	frame[l4 + 12] = 0x80;
	assert_false(net_gso_segment(frame, 14 + 20 + 32, &off, seg, MTU_FRAME, emit, NULL)); /* no payload */
	frame[23] = 17; /* UDP in the IPv4 header */
	assert_false(net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL));
	assert_int_equal(nsegs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_v4),
		cmocka_unit_test(test_segment_v6),
		cmocka_unit_test(test_complete_checksum),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
