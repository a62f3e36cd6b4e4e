// SPDX-License-Identifier: MIT
/*
 * The console multiplexer's key state machine and output rings
 * (conmux.h).
 */
#include "vmm/conmux.h"

void con_ring_put(struct con_ring *r, u8 c)
{
	if (r->count == CONMUX_RING) {
		r->head = (r->head + 1) % CONMUX_RING;
		r->count--;
		r->lost++;
	}
	r->buf[(r->head + r->count) % CONMUX_RING] = c;
	r->count++;
}

u32 con_ring_take(struct con_ring *r, u8 *out, u32 max)
{
	u32 n = 0;

	while (n < max && r->count) {
		out[n++] = r->buf[r->head];
		r->head = (r->head + 1) % CONMUX_RING;
		r->count--;
	}
	return n;
}

void conmux_init(struct conmux *m, u32 nguests)
{
	m->nguests = nguests;
	m->focus = CONMUX_ALL;
	m->esc = false;
	m->gdb = false;
}

void conmux_allow_gdb(struct conmux *m)
{
	m->gdb = true;
}

static struct conmux_ev ev(enum conmux_act act, int target, u8 byte)
{
	struct conmux_ev e = { act, target, byte };

	return e;
}

/* A plain byte: for the monitor, the focused guest, or guest 1 when all
 * guests are shown (the console's owner before the multiplexer). */
static struct conmux_ev plain(const struct conmux *m, u8 c)
{
	if (m->focus == CONMUX_MONITOR)
		return ev(MUX_MONITOR_KEY, CONMUX_MONITOR, c);
	if (m->focus == CONMUX_GDB)
		return ev(MUX_GDB_KEY, CONMUX_GDB, c);
	if (!m->nguests)
		return ev(MUX_NONE, 0, c);
	return ev(MUX_GUEST, m->focus == CONMUX_ALL ? 0 : m->focus, c);
}

static struct conmux_ev escaped(struct conmux *m, u8 c)
{
	switch (c) {
	case CONMUX_ESC: return plain(m, c);
	case 'a': m->focus = CONMUX_ALL; return ev(MUX_FOCUS, m->focus, c);
	case 'm': m->focus = CONMUX_MONITOR; return ev(MUX_FOCUS, m->focus, c);
	case 'r': return ev(MUX_DUMP, 0, c);
	case 'g':
		if (!m->gdb)
			return ev(MUX_HELP, 0, c);
		m->focus = CONMUX_GDB;
		return ev(MUX_FOCUS, m->focus, c);
	default:
		if (c >= '1' && c <= '9' && (u32)(c - '1') < m->nguests) {
			m->focus = c - '1';
			return ev(MUX_FOCUS, m->focus, c);
		}
		return ev(MUX_HELP, 0, c);
	}
}

struct conmux_ev conmux_key(struct conmux *m, u8 c)
{
	if (m->esc) {
		m->esc = false;
		return escaped(m, c);
	}
	if (c == CONMUX_ESC) {
		m->esc = true;
		return ev(MUX_NONE, 0, c);
	}
	return plain(m, c);
}

bool conmux_shows(const struct conmux *m, u32 g)
{
	return m->focus == CONMUX_ALL || m->focus == (int)g;
}
