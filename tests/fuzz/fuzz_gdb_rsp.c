// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the GDB remote protocol codec (vmm/gdb_rsp.c). The
 * input is a byte stream from "gdb" into the decoder; every packet it
 * yields is encoded again (with and without run-length encoding) and must
 * decode to the same payload with a good checksum.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/gdb_rsp.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static struct gdb_rsp_dec d, back;
static u8 frame[2 * GDB_RSP_MAX + 8];

static void round_trip(bool rle)
{
	u32 n = gdb_rsp_encode(d.data, d.len, rle, frame, sizeof(frame));
	enum gdb_rsp_event e = GDB_RSP_NONE;

	if (!n)
		abort(); /* 2 * GDB_RSP_MAX + 4 always fits */
	gdb_rsp_dec_init(&back);
	for (u32 i = 0; i < n; i++)
		e = gdb_rsp_dec_byte(&back, frame[i]);
	if (e != GDB_RSP_PACKET || back.len != d.len || memcmp(back.data, d.data, d.len))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	gdb_rsp_dec_init(&d);
	for (size_t i = 0; i < size; i++) {
		if (gdb_rsp_dec_byte(&d, data[i]) != GDB_RSP_PACKET)
			continue;
		if (d.len > GDB_RSP_MAX)
			abort();
		round_trip(true);
		round_trip(false);
	}
	return 0;
}
