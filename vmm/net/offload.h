/* SPDX-License-Identifier: MIT */
/*
 * Offloads of frames on the virtual switch (virtio spec v1.2 §5.1.6.2,
 * §5.1.6.4): a sender may leave a frame's TCP/UDP checksum to be
 * completed (the partial checksum: its seed in place, the sum to take
 * from csum_start to the end and store at csum_start + csum_offset), and
 * may send one TCP segment larger than the MTU (GSO: a TCP/IPv4 or
 * TCP/IPv6 packet to be cut into gso_size pieces of payload). A receiver
 * that takes neither gets what a real wire would carry: the switch
 * completes the checksum (net_csum_complete) or cuts the segment into
 * frames of at most NET_FRAME_MAX bytes, each with its IPv4 header
 * checksum, IPv4 identification, TCP sequence number, flags and checksum
 * as the sender's stack would have made them (net_gso_segment).
 *
 * Everything here reads a frame the guest wrote: every offset is checked
 * against the frame's length, and a frame the code cannot vouch for is
 * refused (false), never read past. Pure code, no locking.
 */
#ifndef VMM_NET_OFFLOAD_H
#define VMM_NET_OFFLOAD_H

#include "kernel/types.h"

#define NET_OFF_CSUM 1      /* csum_start/csum_offset: a partial checksum */
#define NET_GSO_NONE 0
#define NET_GSO_TCPV4 1
#define NET_GSO_TCPV6 4
/* The largest GSO frame: 64 KiB of IP packet after the Ethernet header. */
#define NET_GSO_FRAME_MAX (65536 + 14)
/* The smallest segment size taken: a frame is cut into at most about a
 * thousand segments (a guest cannot make the switch emit 64 Ki frames). */
#define NET_GSO_MIN_SIZE 64

struct net_offload {
	u8 flags;        /* NET_OFF_CSUM */
	u8 gso_type;     /* NET_GSO_* */
	u16 hdr_len;     /* the sender's header length hint, passed on */
	u16 gso_size;    /* TCP payload bytes per segment (GSO) */
	u16 csum_start;  /* from the frame's first byte */
	u16 csum_offset; /* of the checksum field, from csum_start */
};

/* Whether @off is well formed for a frame of @len bytes: a known GSO type
 * with a checksum to complete and a size of at least NET_GSO_MIN_SIZE, a
 * checksum field inside the frame. */
bool net_offload_ok(const struct net_offload *off, u32 len);

/* Complete the partial checksum of @frame (@len bytes) as @off says. */
bool net_csum_complete(u8 *frame, u32 len, const struct net_offload *off);

/*
 * Cut GSO frame @frame (@len bytes, Ethernet then IPv4 or IPv6 without
 * extension headers, then TCP) into frames of at most @mtu_frame bytes,
 * complete: each goes to @emit(@ctx, segment, its length), built in
 * @buf (at least @mtu_frame bytes). False, with nothing emitted, when
 * the frame is not such a packet or its headers disagree with @len.
 */
bool net_gso_segment(const u8 *frame, u32 len, const struct net_offload *off, u8 *buf,
		     u32 mtu_frame, void (*emit)(void *ctx, const u8 *seg, u32 len), void *ctx);

#endif
