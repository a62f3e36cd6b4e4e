// SPDX-License-Identifier: MIT
/*
 * 8254 PIT model (pit8254.h). Register and command formats are those of
 * the Intel 8254 datasheet: the control word (SC, RW, M, BCD), the counter
 * latch command (RW = 00), the read-back command (SC = 11) and the status
 * byte; the six modes follow its "Mode Definitions". A written count
 * reaches the counting element (CE) on the next clock edge, so a count N
 * written at tick t starts at tick t + 1 and, in mode 0, OUT rises at
 * t + 1 + N. Every counter is a handful of numbers (the count it started
 * from and the tick it started at); its value and OUT level at any tick
 * are computed from them. Ticks are PIT clock periods since pit_init().
 */
#include "kernel/string.h"
#include "vmm/dev/pit8254.h"

#define NEVER (~0ULL)

/* Control word: SC1-SC0 (bits 7-6), RW1-RW0 (5-4), M2-M0 (3-1), BCD (0). */
#define CW_SC(v) (((v) >> 6) & 3)
#define CW_RW(v) (((v) >> 4) & 3)
#define CW_MODE(v) (((v) >> 1) & 7)
#define CW_BCD 0x01
#define SC_READ_BACK 3

/* Read-back command: bit 5 = /COUNT, bit 4 = /STATUS, bits 3-1 = CNT2-0. */
#define RB_NO_COUNT 0x20
#define RB_NO_STATUS 0x10
#define RB_CNT(i) (2u << (i))

/* Status byte: OUTPUT, NULL COUNT, then the control word's RW, M, BCD. */
#define ST_OUT 0x80
#define ST_NULL 0x40

/* Port 0x61, IBM PC/AT: bits 0-3 read back; bit 4 toggles with each
 * memory refresh request (counter 1 at 15.085 us = 18 PIT clocks); bit 5
 * is counter 2's OUT. */
#define PORT_B_GATE2 0x01
#define PORT_B_KEPT 0x0f
#define PORT_B_REFRESH 0x10
#define PORT_B_OUT2 0x20
#define REFRESH_TICKS 18

/* ---- time ---- */

/*
 * PIT ticks at clock value @now: elapsed * PIT_HZ / clock_hz, exactly,
 * without a 128-bit product (elapsed = q * hz + r with r < hz keeps
 * r * PIT_HZ below 2^64 for any clock under 15 THz).
 */
static u64 pit_ticks(const struct pit *p, u64 now)
{
	u64 hz = p->hooks.clock_khz * 1000, e;

	if (!hz || now < p->base)
		return 0;
	e = now - p->base;
	return e / hz * PIT_HZ + e % hz * PIT_HZ / hz;
}

/* The first clock value at which pit_ticks() reaches @tick. */
static u64 pit_clock_at(const struct pit *p, u64 tick)
{
	u64 hz = p->hooks.clock_khz * 1000;
	u64 q = tick / PIT_HZ, r = tick % PIT_HZ;

	return p->base + q * hz + (r * hz + PIT_HZ - 1) / PIT_HZ;
}

static u64 pit_now(const struct pit *p)
{
	return p->hooks.clock ? pit_ticks(p, p->hooks.clock(p->hooks.ctx)) : 0;
}

/* ---- one counter ---- */

/* Period of modes 2 and 3; a count of 1 is illegal there (datasheet). */
static u32 chan_period(const struct pit_channel *c)
{
	return c->n < 2 ? 2 : c->n;
}

/* Modes 2/3: a count written while counting takes over at the end of the
 * current period ("Mode 2 ... Writing a new count"). */
static void chan_sync(struct pit_channel *c, u64 t)
{
	if (c->reload_at && t >= c->reload_at) {
		c->start = c->reload_at;
		c->n = c->cr;
		c->reload_at = 0;
	}
}

/* A counter paused by GATE stays where it stopped. */
static u64 chan_time(const struct pit_channel *c, u64 t)
{
	return c->paused && t > c->paused_at ? c->paused_at : t;
}

/*
 * Mode 3 with count N: OUT is high for ceil(N/2) clocks and low for
 * floor(N/2), the CE dropping by two each clock in each half (an odd
 * count first loses one, so the low half starts from N - 1).
 */
static u16 square_count(u32 n, u64 k)
{
	u32 period = n < 2 ? 2 : n, half = (period + 1) / 2;
	u32 pos = (u32)(k % period);

	if (pos < half)
		return (u16)(period - 2 * pos);
	return (u16)((period & ~1u) - 2 * (pos - half));
}

/* The CE value at tick @t. */
static u16 chan_count(const struct pit_channel *c, u64 t)
{
	u64 k;

	t = chan_time(c, t);
	if (!c->running || t < c->start)
		return c->hold;
	k = t - c->start;
	switch (c->mode) {
	case 2:
		return (u16)(c->n - k % chan_period(c));
	case 3:
		return square_count(c->n, k);
	default: /* 0, 1, 4, 5: count down, wrapping through 0xffff after 0 */
		return (u16)(c->n - k);
	}
}

/* OUT at tick @t, per mode (datasheet "Mode Definitions"). */
static bool chan_out(const struct pit_channel *c, u64 t)
{
	u64 k;

	if ((c->mode == 2 || c->mode == 3) && c->paused)
		return true; /* GATE low forces OUT high in modes 2 and 3 */
	t = chan_time(c, t);
	if (!c->running || t < c->start)
		return c->mode != 0; /* mode 0 starts low, the others high */
	k = t - c->start;
	switch (c->mode) {
	case 0:
	case 1:
		return k >= c->n; /* low until terminal count */
	case 2:
		return k % chan_period(c) != chan_period(c) - 1u;
	case 3:
		return k % chan_period(c) < (chan_period(c) + 1u) / 2;
	default: /* 4, 5: one clock low at terminal count */
		return k != c->n;
	}
}

/* The first tick after @after at which OUT rises, or NEVER. */
static u64 chan_next_rise(const struct pit_channel *c, u64 after)
{
	u64 e, period;

	if (!c->running || c->paused)
		return NEVER;
	switch (c->mode) {
	case 0:
	case 1:
		e = c->start + c->n;
		break;
	case 4:
	case 5:
		e = c->start + c->n + 1;
		break;
	default: /* 2, 3: at every period end */
		period = chan_period(c);
		e = c->start + period;
		if (after >= e)
			e += (after - e) / period * period + period;
		return c->reload_at && e > c->reload_at ? c->reload_at : e;
	}
	return e > after ? e : NEVER;
}

/* The CE takes the count register on the next clock and starts counting. */
static void chan_start(struct pit_channel *c, u64 t)
{
	c->hold = chan_count(c, t);
	c->n = c->cr;
	c->start = c->load_at = t + 1;
	c->reload_at = 0;
	c->running = true;
	/* Modes 0, 2, 3, 4 do not count while GATE is low. */
	c->paused = !c->gate && c->mode != 1 && c->mode != 5;
	c->paused_at = c->start;
}

/* A complete count was written to the count register. */
static void chan_load(struct pit_channel *c, u64 t)
{
	c->cr_valid = true;
	switch (c->mode) {
	case 1:
	case 5:
		/* Waits for a GATE trigger; a running sequence is not disturbed. */
		c->load_at = NEVER;
		return;
	case 2:
	case 3:
		if (c->running && !c->paused) {
			chan_sync(c, t);
			c->reload_at = chan_next_rise(c, t);
			c->load_at = c->reload_at;
			return;
		}
		break;
	default:
		break;
	}
	chan_start(c, t); /* modes 0 and 4 restart with the new count */
}

static void chan_write(struct pit_channel *c, u8 b, u64 t)
{
	switch (c->rw) {
	case 1:
		c->cr = b;
		break;
	case 2:
		c->cr = (u32)b << 8;
		break;
	default:
		if (!c->write_msb) {
			c->lsb = b;
			c->write_msb = true;
			/* Mode 0: the first byte stops counting and drops OUT. */
			if (c->mode == 0) {
				c->hold = chan_count(c, t);
				c->running = false;
			}
			return;
		}
		c->write_msb = false;
		c->cr = c->lsb | (u32)b << 8;
		break;
	}
	if (!c->cr)
		c->cr = 0x10000; /* 0 is the largest count, 2^16 in binary */
	chan_load(c, t);
}

static u8 chan_read(struct pit_channel *c, u64 t)
{
	bool msb;
	u16 v;

	if (c->status_latched) { /* status comes first (read-back command) */
		c->status_latched = false;
		return c->status;
	}
	v = c->latched ? c->latch : chan_count(c, t);
	msb = c->rw == 2 || (c->rw == 3 && c->read_msb);
	if (c->rw == 3)
		c->read_msb = !c->read_msb;
	if (c->latched && !(c->rw == 3 && c->read_msb))
		c->latched = false; /* the latch holds until fully read */
	return msb ? (u8)(v >> 8) : (u8)v;
}

static u8 chan_status(const struct pit_channel *c, u64 t)
{
	return (chan_out(c, t) ? ST_OUT : 0) | (t < c->load_at ? ST_NULL : 0) |
	       (u8)(c->rw << 4) | (u8)(c->mode << 1) | (c->bcd ? CW_BCD : 0);
}

/* Counter latch command: a second latch before the read is ignored. */
static void chan_latch_count(struct pit_channel *c, u64 t)
{
	if (!c->latched) {
		c->latch = chan_count(c, t);
		c->latched = true;
	}
}

static void chan_latch_status(struct pit_channel *c, u64 t)
{
	if (!c->status_latched) {
		c->status = chan_status(c, t);
		c->status_latched = true;
	}
}

/* A control word: mode and access set, counting stops until a count. */
static void chan_control(struct pit_channel *c, u8 cw, u64 t)
{
	u8 mode = CW_MODE(cw);

	c->hold = chan_count(c, t);
	c->rw = CW_RW(cw);
	c->mode = mode > 5 ? mode - 4 : mode; /* 110 and 111 are 2 and 3 */
	c->bcd = cw & CW_BCD;
	c->running = c->paused = c->cr_valid = false;
	c->reload_at = 0;
	c->load_at = NEVER; /* NULL COUNT until a count is loaded */
	c->write_msb = c->read_msb = false;
	c->latched = c->status_latched = false;
}

/* GATE of a counter changed (counter 2 only on a PC). */
static void chan_gate(struct pit_channel *c, bool gate, u64 t)
{
	bool rise = gate && !c->gate;

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->running && !(rise && c->cr_valid))
		return;
	switch (c->mode) {
	case 0:
	case 4: /* GATE low suspends counting; high resumes it */
		if (!gate) {
			c->paused = true;
			c->paused_at = MAX(t, c->start);
		} else if (c->paused) {
			if (t > c->paused_at)
				c->start += t - c->paused_at;
			c->paused = false;
		}
		break;
	case 1:
	case 5: /* a rising GATE (re)triggers */
		if (rise)
			chan_start(c, t);
		break;
	default: /* 2, 3: low stops counting, a rising GATE reloads */
		if (!gate) {
			c->paused = true;
			c->paused_at = MAX(t, c->start);
		} else {
			chan_start(c, t);
		}
		break;
	}
}

/* ---- the chip ---- */

void pit_init(struct pit *p, const struct pit_hooks *hooks)
{
	memset(p, 0, sizeof(*p));
	p->hooks = *hooks;
	if (p->hooks.clock)
		p->base = p->hooks.clock(p->hooks.ctx);
	for (int i = 0; i < 3; i++) {
		p->ch[i].rw = 3;
		p->ch[i].cr = 0x10000;
		p->ch[i].load_at = NEVER;
		p->ch[i].gate = i != 2; /* GATE 0 and 1 are tied high */
	}
	p->irq_next = NEVER;
}

static void pit_read_back(struct pit *p, u8 cmd, u64 t)
{
	for (int i = 0; i < 3; i++) {
		if (!(cmd & RB_CNT(i)))
			continue;
		chan_sync(&p->ch[i], t);
		if (!(cmd & RB_NO_STATUS))
			chan_latch_status(&p->ch[i], t);
		if (!(cmd & RB_NO_COUNT))
			chan_latch_count(&p->ch[i], t);
	}
}

/* A write to the control word register; true if counter 0 was reprogrammed. */
static bool pit_control(struct pit *p, u8 cw, u64 t)
{
	struct pit_channel *c;

	if (CW_SC(cw) == SC_READ_BACK) {
		pit_read_back(p, cw, t);
		return false;
	}
	c = &p->ch[CW_SC(cw)];
	chan_sync(c, t);
	if (CW_RW(cw) == 0) {
		chan_latch_count(c, t);
		return false;
	}
	chan_control(c, cw, t);
	return CW_SC(cw) == 0;
}

u64 pit_read(void *dev, u64 offset, unsigned size)
{
	struct pit *p = dev;
	u64 f, t;
	u8 v = 0xff; /* the control word register cannot be read */

	(void)size;
	f = spin_lock_irqsave(&p->lock);
	t = pit_now(p);
	if (offset < 3) {
		chan_sync(&p->ch[offset], t);
		v = chan_read(&p->ch[offset], t);
	}
	spin_unlock_irqrestore(&p->lock, f);
	return v;
}

/*
 * Counter 0 changed: its next edge is recomputed, unless one is already
 * due and not yet raised (pit_poll raises it, then looks again).
 */
static void pit_retime(struct pit *p, u64 t)
{
	if (p->irq_next > t)
		p->irq_next = chan_next_rise(&p->ch[0], t);
}

void pit_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct pit *p = dev;
	bool ch0 = false;
	u64 f, t;

	(void)size;
	f = spin_lock_irqsave(&p->lock);
	t = pit_now(p);
	if (offset == 3) {
		ch0 = pit_control(p, (u8)val, t);
	} else if (offset < 3) {
		chan_sync(&p->ch[offset], t);
		chan_write(&p->ch[offset], (u8)val, t);
		ch0 = offset == 0;
	}
	if (ch0)
		pit_retime(p, t);
	spin_unlock_irqrestore(&p->lock, f);
	if (ch0 && p->hooks.rearm)
		p->hooks.rearm(p->hooks.ctx);
}

u64 pit_port_b_read(void *dev, u64 offset, unsigned size)
{
	struct pit *p = dev;
	u64 f, t;
	u8 v;

	(void)offset, (void)size;
	f = spin_lock_irqsave(&p->lock);
	t = pit_now(p);
	chan_sync(&p->ch[2], t);
	v = p->port_b & PORT_B_KEPT;
	if ((t / REFRESH_TICKS) & 1)
		v |= PORT_B_REFRESH;
	if (chan_out(&p->ch[2], t))
		v |= PORT_B_OUT2;
	spin_unlock_irqrestore(&p->lock, f);
	return v;
}

void pit_port_b_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct pit *p = dev;
	u64 f, t;

	(void)offset, (void)size;
	f = spin_lock_irqsave(&p->lock);
	t = pit_now(p);
	chan_sync(&p->ch[2], t);
	p->port_b = (u8)val & PORT_B_KEPT;
	chan_gate(&p->ch[2], val & PORT_B_GATE2, t);
	spin_unlock_irqrestore(&p->lock, f);
}

u64 pit_poll(struct pit *p, u64 now)
{
	struct pit_channel *c = &p->ch[0];
	u64 f, t, next = 0;

	f = spin_lock_irqsave(&p->lock);
	t = pit_ticks(p, now);
	chan_sync(c, t);
	if (p->irq_next <= t) {
		p->irq_next = chan_next_rise(c, t);
		if (p->hooks.irq) { /* an edge: both controllers latch IRQ 0 */
			p->hooks.irq(p->hooks.ctx, true);
			p->hooks.irq(p->hooks.ctx, false);
		}
	}
	if (p->irq_next != NEVER && p->hooks.clock_khz)
		next = pit_clock_at(p, p->irq_next);
	spin_unlock_irqrestore(&p->lock, f);
	return next;
}
