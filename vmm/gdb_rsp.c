// SPDX-License-Identifier: MIT
/*
 * The GDB remote serial protocol's packet codec (gdb_rsp.h).
 */
#include "kernel/string.h"
#include "vmm/gdb_rsp.h"

enum { ST_IDLE, ST_DATA, ST_ESCAPE, ST_REPEAT, ST_SUM1, ST_SUM2 };

#define RLE_BASE 29  /* count character = repeats + 29 */
#define RLE_MAX 97   /* '~' - 29 */

static const char hexdig[] = "0123456789abcdef";

static int hexval(u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void gdb_rsp_dec_init(struct gdb_rsp_dec *d)
{
	d->state = ST_IDLE;
	d->len = 0;
	d->sum = 0;
	d->overflow = false;
}

u8 gdb_rsp_checksum(const u8 *data, u32 len)
{
	u8 s = 0;

	for (u32 i = 0; i < len; i++)
		s = (u8)(s + data[i]);
	return s;
}

static void put(struct gdb_rsp_dec *d, u8 c)
{
	if (d->len < GDB_RSP_MAX)
		d->data[d->len++] = c;
	else
		d->overflow = true;
}

static enum gdb_rsp_event idle_byte(struct gdb_rsp_dec *d, u8 c)
{
	switch (c) {
	case '$':
		d->state = ST_DATA;
		d->len = 0;
		d->sum = 0;
		d->overflow = false;
		return GDB_RSP_NONE;
	case 0x03: return GDB_RSP_INTERRUPT;
	case '+': return GDB_RSP_ACK;
	case '-': return GDB_RSP_NAK;
	default: return GDB_RSP_NONE; /* line noise between packets */
	}
}

/* The packet's end: its checksum against the one computed. */
static enum gdb_rsp_event finish(struct gdb_rsp_dec *d)
{
	d->state = ST_IDLE;
	if (d->want != d->sum)
		return GDB_RSP_BAD_SUM;
	return d->overflow ? GDB_RSP_OVERFLOW : GDB_RSP_PACKET;
}

static enum gdb_rsp_event data_byte(struct gdb_rsp_dec *d, u8 c)
{
	if (c == '#') {
		d->state = ST_SUM1;
		return GDB_RSP_NONE;
	}
	if (c == '$') /* a new packet starts: the broken one is dropped */
		return idle_byte(d, c);
	d->sum = (u8)(d->sum + c);
	if (d->state == ST_ESCAPE) {
		put(d, c ^ 0x20);
		d->state = ST_DATA;
	} else if (d->state == ST_REPEAT) {
		u8 last = d->len ? d->data[d->len - 1] : 0;

		for (int i = c - RLE_BASE; i > 0 && d->len; i--)
			put(d, last);
		d->state = ST_DATA;
	} else if (c == '}') {
		d->state = ST_ESCAPE;
	} else if (c == '*') {
		d->state = ST_REPEAT;
	} else {
		put(d, c);
	}
	return GDB_RSP_NONE;
}

enum gdb_rsp_event gdb_rsp_dec_byte(struct gdb_rsp_dec *d, u8 c)
{
	int v;

	switch (d->state) {
	case ST_IDLE: return idle_byte(d, c);
	case ST_SUM1:
	case ST_SUM2:
		v = hexval(c);
		if (v < 0) {
			d->state = ST_IDLE;
			return GDB_RSP_BAD_SUM;
		}
		if (d->state == ST_SUM1) {
			d->want = (u8)(v << 4);
			d->state = ST_SUM2;
			return GDB_RSP_NONE;
		}
		d->want |= (u8)v;
		return finish(d);
	default: return data_byte(d, c);
	}
}

static bool needs_escape(u8 c) { return c == '#' || c == '$' || c == '}' || c == '*'; }

/* A count character the protocol allows for @n repeats. */
static bool rle_ok(u32 n)
{
	u8 c = (u8)(n + RLE_BASE);

	return n >= 3 && n <= RLE_MAX && c != '#' && c != '$' && c != '+' && c != '-';
}

/* Append @c (escaped when needed) to out[*o]; false when full. */
static bool emit(u8 *out, u32 max, u32 *o, u8 c)
{
	if (needs_escape(c)) {
		if (*o + 2 > max)
			return false;
		out[(*o)++] = '}';
		out[(*o)++] = c ^ 0x20;
		return true;
	}
	if (*o + 1 > max)
		return false;
	out[(*o)++] = c;
	return true;
}

u32 gdb_rsp_encode(const u8 *data, u32 len, bool rle, u8 *out, u32 max)
{
	u32 o = 0;
	u8 sum;

	if (max < 4)
		return 0;
	out[o++] = '$';
	for (u32 i = 0; i < len;) {
		u32 run = 1, rep;

		while (rle && i + run < len && data[i + run] == data[i] && run <= RLE_MAX)
			run++;
		if (!emit(out, max, &o, data[i]))
			return 0;
		rep = run - 1;
		while (rep > 0 && !rle_ok(rep))
			rep--; /* fall back to a shorter run, the rest plainly */
		if (!needs_escape(data[i]) && rep) {
			if (o + 2 > max)
				return 0;
			out[o++] = '*';
			out[o++] = (u8)(rep + RLE_BASE);
			i += rep;
		}
		i++;
	}
	if (o + 3 > max)
		return 0;
	sum = gdb_rsp_checksum(out + 1, o - 1);
	out[o++] = '#';
	out[o++] = (u8)hexdig[sum >> 4];
	out[o++] = (u8)hexdig[sum & 15];
	return o;
}

void gdb_rsp_hex(const u8 *in, u32 len, char *out)
{
	for (u32 i = 0; i < len; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
}

bool gdb_rsp_unhex(const char *in, u32 len, u8 *out)
{
	for (u32 i = 0; i < len; i++) {
		int hi = hexval((u8)in[2 * i]), lo = hexval((u8)in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (u8)(hi << 4 | lo);
	}
	return true;
}

bool gdb_rsp_num(const char **p, u64 *v)
{
	unsigned n = 0;
	int d;

	*v = 0;
	for (; (d = hexval((u8)**p)) >= 0; (*p)++, n++) {
		if (n == 16)
			return false;
		*v = *v << 4 | (u64)d;
	}
	return n > 0;
}
