// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the switch's offloads (vmm/net/offload.c), which
 * read frames and virtio-net headers a guest wrote. The first 10 bytes of
 * the input are the offload fields (flags, gso_type, then hdr_len,
 * gso_size, csum_start, csum_offset little-endian), the rest the frame,
 * read from a heap copy of exactly its bytes (ASan sees any read past
 * it). What the code promises is checked: a frame it refuses gets no
 * segment; every segment fits the MTU frame and carries headers and at
 * most gso_size bytes of payload, and the payload of all segments adds up
 * to the frame's; a completed checksum changes two bytes at most.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/net/offload.h"

#define MTU_FRAME 1518

/* At most about 64 KiB / NET_GSO_MIN_SIZE segments. */
#define MAX_SEGS (NET_GSO_FRAME_MAX / NET_GSO_MIN_SIZE + 2)

static u32 nsegs, lens[MAX_SEGS];

static void emit(void *ctx, const u8 *seg, u32 len)
{
	(void)ctx;
	(void)seg;
	if (len > MTU_FRAME || len < 14 + 20 + 20 + 1 || nsegs >= MAX_SEGS)
		abort();
	lens[nsegs++] = len;
}

/* n segments with the same h bytes of headers: n * h + payload bytes,
 * all but the last carrying exactly gso_size. */
static void check_segments(u32 len, u16 mss)
{
	u64 sum = 0, h;

	for (u32 i = 0; i < nsegs; i++)
		sum += lens[i];
	if (!nsegs || sum < len)
		abort();
	if (nsegs == 1) {
		if (sum != len)
			abort();
		return;
	}
	if ((sum - len) % (nsegs - 1))
		abort();
	h = (sum - len) / (nsegs - 1);
	if (h < 14 + 20 + 20 || h >= len)
		abort();
	for (u32 i = 0; i + 1 < nsegs; i++)
		if (lens[i] != h + mss)
			abort();
	if (lens[nsegs - 1] <= h || lens[nsegs - 1] > h + mss)
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 seg[MTU_FRAME];
	struct net_offload off;
	u8 *frame, *copy;
	u32 len;

	if (size < 10 || size - 10 > NET_GSO_FRAME_MAX)
		return 0;
	off.flags = data[0];
	off.gso_type = data[1];
	off.hdr_len = (u16)(data[2] | data[3] << 8);
	off.gso_size = (u16)(data[4] | data[5] << 8);
	off.csum_start = (u16)(data[6] | data[7] << 8);
	off.csum_offset = (u16)(data[8] | data[9] << 8);
	len = (u32)(size - 10);
	frame = malloc(len ? len : 1);
	copy = malloc(len ? len : 1);
	memcpy(frame, data + 10, len);
	memcpy(copy, frame, len);

	if (net_csum_complete(copy, len, &off)) {
		u32 diff = 0;

		for (u32 i = 0; i < len; i++)
			diff += copy[i] != frame[i];
		if (diff > 2 || !net_offload_ok(&off, len))
			abort();
	} else if (memcmp(copy, frame, len)) {
		abort(); /* refused: untouched */
	}

	nsegs = 0;
	if (net_gso_segment(frame, len, &off, seg, MTU_FRAME, emit, NULL))
		check_segments(len, off.gso_size);
	else if (nsegs)
		abort();
	free(frame);
	free(copy);
	return 0;
}
