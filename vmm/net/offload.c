// SPDX-License-Identifier: MIT
/*
 * Checksum completion and TCP segmentation for the switch (offload.h).
 * The Internet checksum is the ones' complement of the ones' complement
 * sum of 16-bit big-endian words (RFC 1071); TCP's covers a pseudo-header
 * of the addresses, the protocol and the TCP length (RFC 793 §3.1 for
 * IPv4, RFC 8200 §8.1 for IPv6). A segment of a cut packet keeps the
 * headers with its own lengths, the IPv4 identification counted up, the
 * sequence number of its first byte, FIN and PSH on the last segment
 * only and CWR on the first only, as a TCP sender cutting at the MSS
 * would have set them.
 */
#include "kernel/string.h"
#include "vmm/net/offload.h"

#define ETH_HLEN 14
#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define IPPROTO_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static u16 be16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)(v >> 16));
	put16(p + 2, (u16)v);
}

static u64 sum16(const u8 *p, u32 n, u64 acc)
{
	for (; n > 1; p += 2, n -= 2)
		acc += be16(p);
	if (n)
		acc += (u64)p[0] << 8;
	return acc;
}

/* The checksum field's value for sum @acc: zero is written as 0xffff,
 * the other ones' complement zero, which UDP requires and TCP accepts. */
static u16 csum_field(u64 acc)
{
	u16 c;

	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	c = (u16)~acc;
	return c ? c : 0xffff;
}

bool net_offload_ok(const struct net_offload *off, u32 len)
{
	if (off->flags & ~NET_OFF_CSUM)
		return false;
	if ((off->flags & NET_OFF_CSUM) &&
	    (u32)off->csum_start + off->csum_offset + 2 > len)
		return false;
	switch (off->gso_type) {
	case NET_GSO_NONE:
		return true;
	case NET_GSO_TCPV4:
	case NET_GSO_TCPV6:
		return (off->flags & NET_OFF_CSUM) && off->gso_size >= NET_GSO_MIN_SIZE;
	default:
		return false;
	}
}

bool net_csum_complete(u8 *frame, u32 len, const struct net_offload *off)
{
	if (!net_offload_ok(off, len))
		return false;
	if (off->flags & NET_OFF_CSUM)
		put16(frame + off->csum_start + off->csum_offset,
		      csum_field(sum16(frame + off->csum_start, len - off->csum_start, 0)));
	return true;
}

/* The headers of a GSO packet: where IP and TCP start, their lengths. */
struct gso_hdrs {
	u32 l3, l4, ihl, doff, hdrs;
	bool v6;
};

static bool parse(const u8 *f, u32 len, u8 type, struct gso_hdrs *h)
{
	h->l3 = ETH_HLEN;
	h->v6 = type == NET_GSO_TCPV6;
	if (len < ETH_HLEN + 40 || be16(f + 12) != (h->v6 ? ETH_P_IPV6 : ETH_P_IPV4))
		return false;
	if (h->v6) {
		/* no extension headers: TCP right after the fixed header */
		if (f[h->l3] >> 4 != 6 || f[h->l3 + 6] != IPPROTO_TCP)
			return false;
		h->ihl = 40;
	} else {
		h->ihl = (f[h->l3] & 15) * 4u;
		/* not a fragment: MF clear, offset 0 */
		if (f[h->l3] >> 4 != 4 || h->ihl < 20 || f[h->l3 + 9] != IPPROTO_TCP ||
		    (be16(f + h->l3 + 6) & 0x3fff))
			return false;
	}
	h->l4 = h->l3 + h->ihl;
	if (h->l4 + 20 > len)
		return false;
	h->doff = (f[h->l4 + 12] >> 4) * 4u;
	h->hdrs = h->l4 + h->doff;
	return h->doff >= 20 && h->hdrs < len;
}

/* TCP checksum of the segment in @b (@tcp_len bytes from l4). */
static u16 tcp_csum(const u8 *b, const struct gso_hdrs *h, u32 tcp_len)
{
	u64 acc = IPPROTO_TCP + (u64)tcp_len;

	if (h->v6)
		acc = sum16(b + h->l3 + 8, 32, acc); /* source and destination */
	else
		acc = sum16(b + h->l3 + 12, 8, acc);
	return csum_field(sum16(b + h->l4, tcp_len, acc));
}

bool net_gso_segment(const u8 *frame, u32 len, const struct net_offload *off, u8 *buf,
		     u32 mtu_frame, void (*emit)(void *ctx, const u8 *seg, u32 len), void *ctx)
{
	struct gso_hdrs h;
	u32 payload, seq, mss = off->gso_size;
	u16 id;
	u8 flags;

	if (!net_offload_ok(off, len) || off->gso_type == NET_GSO_NONE || len > NET_GSO_FRAME_MAX ||
	    !parse(frame, len, off->gso_type, &h) || h.hdrs + mss > mtu_frame)
		return false;
	payload = len - h.hdrs;
	seq = be32(frame + h.l4 + 4);
	id = h.v6 ? 0 : be16(frame + h.l3 + 4);
	flags = frame[h.l4 + 13];
	for (u32 at = 0, i = 0; at < payload; i++) {
		u32 chunk = MIN(mss, payload - at);
		bool last = at + chunk == payload;
		u8 f = flags;

		memcpy(buf, frame, h.hdrs);
		memcpy(buf + h.hdrs, frame + h.hdrs + at, chunk);
		if (h.v6) {
			put16(buf + h.l3 + 4, (u16)(h.doff + chunk));
		} else {
			put16(buf + h.l3 + 2, (u16)(h.ihl + h.doff + chunk));
			put16(buf + h.l3 + 4, (u16)(id + i));
			put16(buf + h.l3 + 10, 0);
			put16(buf + h.l3 + 10, csum_field(sum16(buf + h.l3, h.ihl, 0)));
		}
		put32(buf + h.l4 + 4, seq + at);
		if (!last)
			f &= (u8)~(TCP_FIN | TCP_PSH);
		if (i)
			f &= (u8)~TCP_CWR;
		buf[h.l4 + 13] = f;
		put16(buf + h.l4 + 16, 0);
		put16(buf + h.l4 + 16, tcp_csum(buf, &h, h.doff + chunk));
		emit(ctx, buf, h.hdrs + chunk);
		at += chunk;
	}
	return true;
}
