/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol's packet layer (GDB manual, appendix
 * "Remote Protocol", sections Overview and Packets): "$<data>#<2 hex
 * digits>" where the digits are the modulo-256 sum of the bytes of <data>
 * as sent; '}' escapes the next byte (sent XOR 0x20); "X*<c>" repeats X
 * (c - 29) more times (run-length encoding, in the stub's replies);
 * '+' and '-' acknowledge; a bare 0x03 outside a packet is an interrupt
 * (Ctrl-C). This is the pure codec, for the GDB stub to come: a decoder
 * fed one byte at a time and an encoder.
 *
 * Locking: none; a decoder belongs to one connection.
 */
#ifndef VMM_GDB_RSP_H
#define VMM_GDB_RSP_H

#include "kernel/types.h"

#define GDB_RSP_MAX 4096 /* the PacketSize the stub will announce */

enum gdb_rsp_event {
	GDB_RSP_NONE,      /* byte taken, nothing complete */
	GDB_RSP_PACKET,    /* a packet with a good checksum: data, len */
	GDB_RSP_BAD_SUM,   /* a packet whose checksum did not match (send '-') */
	GDB_RSP_OVERFLOW,  /* a packet longer than GDB_RSP_MAX (dropped) */
	GDB_RSP_INTERRUPT, /* 0x03 outside a packet */
	GDB_RSP_ACK,       /* '+' */
	GDB_RSP_NAK,       /* '-' */
};

struct gdb_rsp_dec {
	u8 state;     /* idle, data, escape, repeat, sum1, sum2 */
	u8 sum;       /* running sum of the raw bytes */
	u8 want;      /* the checksum the packet carries */
	bool overflow;
	u32 len;
	u8 data[GDB_RSP_MAX];
};

void gdb_rsp_dec_init(struct gdb_rsp_dec *d);

/* Take one byte from the line; a GDB_RSP_PACKET's payload (escapes and
 * repeats expanded) is in d->data[0..d->len) until the next call. */
enum gdb_rsp_event gdb_rsp_dec_byte(struct gdb_rsp_dec *d, u8 c);

u8 gdb_rsp_checksum(const u8 *data, u32 len);

/*
 * Frame @len bytes of @data as "$...#xx" into @out (at most @max bytes),
 * escaping '#', '$', '}' and '*'; with @rle, runs of 4 or more bytes are
 * run-length encoded (never with a count character '#', '$', '+', '-' or
 * above '~'). Returns the framed length, 0 when it does not fit.
 */
u32 gdb_rsp_encode(const u8 *data, u32 len, bool rle, u8 *out, u32 max);

/* Lower-case hex of @len bytes into @out (2 * @len chars, no NUL). */
void gdb_rsp_hex(const u8 *in, u32 len, char *out);

/* Parse 2 * @len hex digits into @len bytes; false on a non-hex digit. */
bool gdb_rsp_unhex(const char *in, u32 len, u8 *out);

/* A hex number of 1 to 16 digits at *@p into @v; *@p moves past the
 * digits. False for no digit or more than 16. */
bool gdb_rsp_num(const char **p, u64 *v);

#endif
