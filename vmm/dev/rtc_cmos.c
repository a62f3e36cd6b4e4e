// SPDX-License-Identifier: MIT
/*
 * MC146818A RTC and CMOS RAM (rtc_cmos.h). Register map and bits, MC146818A
 * datasheet "Address Map" and "Control Registers": 0 seconds, 1 seconds
 * alarm, 2 minutes, 3 minutes alarm, 4 hours (bit 7 = PM in 12-hour
 * mode), 5 hours alarm, 6 day of week (1 = Sunday), 7 date, 8 month, 9
 * year; A: UIP (7), DV2-0 (6-4), RS3-0 (3-0); B: SET (7), PIE (6), AIE
 * (5), UIE (4), SQWE (3), DM (2, 1 = binary), 24/12 (1), DSE (0); C: IRQF
 * (7), PF (6), AF (5), UF (4), cleared by reading; D: VRT (7). An alarm
 * byte with bits 7-6 set is "don't care". The clock runs while DV = 010
 * and SET is clear; after a divider reset the first update comes 500 ms
 * after DV returns to 010. While the clock runs the time registers are
 * computed from the wall clock; while it is held they are plain bytes the
 * guest writes, read back when it runs again.
 */
#include "kernel/string.h"
#include "kernel/rtctime.h"
#include "vmm/dev/rtc_cmos.h"

#define REG_SEC 0x00
#define REG_SEC_ALARM 0x01
#define REG_MIN 0x02
#define REG_MIN_ALARM 0x03
#define REG_HOUR 0x04
#define REG_HOUR_ALARM 0x05
#define REG_WDAY 0x06
#define REG_MDAY 0x07
#define REG_MON 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_RESET 0x60 /* DV = 11x holds the divider in reset */
#define A_RS_MASK 0x0f
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80
#define HOUR_PM 0x80
#define ALARM_DONT_CARE 0xc0

#define NEVER (~0ULL)
#define SECS_PER_DAY 86400u
#define UIP_US 244          /* UIP is set this long before each update */

/* ---- register formats ---- */

static bool rtc_binary(const struct rtc_cmos *r)
{
	return r->ram[REG_B] & B_DM_BINARY;
}

static u8 rtc_enc(const struct rtc_cmos *r, u32 v)
{
	return rtc_binary(r) ? (u8)v : (u8)((v / 10 % 10) << 4 | v % 10);
}

static u32 rtc_dec(const struct rtc_cmos *r, u8 v)
{
	return rtc_binary(r) ? v : (v >> 4) * 10u + (v & 0x0f);
}

/* Hours: 0-23, or 1-12 with bit 7 for PM when register B says 12-hour. */
static u8 rtc_enc_hour(const struct rtc_cmos *r, u32 h)
{
	if (r->ram[REG_B] & B_24H)
		return rtc_enc(r, h);
	return rtc_enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? HOUR_PM : 0);
}

static u32 rtc_dec_hour(const struct rtc_cmos *r, u8 v)
{
	if (r->ram[REG_B] & B_24H)
		return rtc_dec(r, v);
	return rtc_dec(r, v & ~HOUR_PM) % 12 + ((v & HOUR_PM) ? 12 : 0);
}

/* ---- the running clock ---- */

static u64 rtc_hz(const struct rtc_cmos *r)
{
	return r->hooks.clock_khz * 1000;
}

static u64 rtc_clock(const struct rtc_cmos *r)
{
	return r->hooks.clock ? r->hooks.clock(r->hooks.ctx) : 0;
}

/* Clock cycles since the clock's second boundary phase began. */
static u64 rtc_elapsed(const struct rtc_cmos *r, u64 now)
{
	return now - r->base_clock; /* modular: base_clock may lie ahead of 0 */
}

static u64 rtc_seconds(const struct rtc_cmos *r, u64 now)
{
	u64 hz = rtc_hz(r);

	return r->base_sec + (hz ? rtc_elapsed(r, now) / hz : 0);
}

/* The time registers (and the century byte) for time @secs. */
static void rtc_store_time(struct rtc_cmos *r, u64 secs)
{
	struct rtc_time t;

	rtc_gmtime(secs, &t);
	r->ram[REG_SEC] = rtc_enc(r, t.sec);
	r->ram[REG_MIN] = rtc_enc(r, t.min);
	r->ram[REG_HOUR] = rtc_enc_hour(r, t.hour);
	r->ram[REG_WDAY] = rtc_enc(r, t.wday + 1u);
	r->ram[REG_MDAY] = rtc_enc(r, t.mday);
	r->ram[REG_MON] = rtc_enc(r, t.mon);
	r->ram[REG_YEAR] = rtc_enc(r, t.year % 100);
	r->ram[RTC_CENTURY] = rtc_enc(r, t.year / 100);
}

/* The time the registers hold; out-of-range fields are clamped. */
static u64 rtc_load_time(const struct rtc_cmos *r)
{
	struct rtc_time t;
	u32 mon = rtc_dec(r, r->ram[REG_MON]);

	t.year = rtc_dec(r, r->ram[RTC_CENTURY]) * 100 + rtc_dec(r, r->ram[REG_YEAR]) % 100;
	t.mon = (u8)(mon < 1 ? 1 : mon > 12 ? 12 : mon);
	t.mday = (u8)MAX(rtc_dec(r, r->ram[REG_MDAY]), 1u);
	t.hour = (u8)(rtc_dec_hour(r, r->ram[REG_HOUR]) % 24);
	t.min = (u8)(rtc_dec(r, r->ram[REG_MIN]) % 60);
	t.sec = (u8)(rtc_dec(r, r->ram[REG_SEC]) % 60);
	return rtc_mktime(&t);
}

static bool rtc_is_time_reg(u8 reg)
{
	return (reg <= REG_YEAR && reg != REG_SEC_ALARM && reg != REG_MIN_ALARM &&
		reg != REG_HOUR_ALARM) || reg == RTC_CENTURY;
}

/* Register A's UIP: the last 244 us before each update, while running. */
static bool rtc_uip(const struct rtc_cmos *r, u64 now)
{
	u64 hz = rtc_hz(r);

	if (r->stopped || !hz)
		return false;
	return rtc_elapsed(r, now) % hz >= hz - hz / 1000000 * UIP_US;
}

/* ---- alarm ---- */

/* An alarm byte as a value below @limit, -1 for don't care, or -2 when it
 * can never match. */
static int alarm_field(const struct rtc_cmos *r, u8 reg, u32 limit)
{
	u8 v = r->ram[reg];
	u32 d;

	if ((v & ALARM_DONT_CARE) == ALARM_DONT_CARE)
		return -1;
	d = reg == REG_HOUR_ALARM ? rtc_dec_hour(r, v) : rtc_dec(r, v);
	return d < limit ? (int)d : -2;
}

/* The first value >= @from and < @limit that field @f allows, or -1. */
static int field_next(int f, int from, int limit)
{
	if (f < 0)
		return from < limit ? from : -1;
	return f >= from && f < limit ? f : -1;
}

/* The first second of the day >= @sod that matches h:m:s, or -1. */
static s64 alarm_in_day(const int f[3], u32 sod)
{
	int h0 = (int)(sod / 3600), m0 = (int)(sod / 60 % 60), s0 = (int)(sod % 60);

	for (int h = field_next(f[0], h0, 24); h >= 0; h = field_next(f[0], h + 1, 24)) {
		for (int m = field_next(f[1], h == h0 ? m0 : 0, 60); m >= 0;
		     m = field_next(f[1], m + 1, 60)) {
			int s = field_next(f[2], h == h0 && m == m0 ? s0 : 0, 60);

			if (s >= 0)
				return h * 3600 + m * 60 + s;
		}
	}
	return -1;
}

/* The first time after @after (seconds since 1970) the alarm matches. */
static u64 alarm_next(const struct rtc_cmos *r, u64 after)
{
	int f[3] = {
		alarm_field(r, REG_HOUR_ALARM, 24), alarm_field(r, REG_MIN_ALARM, 60),
		alarm_field(r, REG_SEC_ALARM, 60),
	};
	u64 from = after + 1, day = from / SECS_PER_DAY;
	s64 s;

	if (f[0] == -2 || f[1] == -2 || f[2] == -2)
		return NEVER;
	s = alarm_in_day(f, (u32)(from % SECS_PER_DAY));
	if (s < 0) {
		day++;
		s = alarm_in_day(f, 0);
	}
	return day * SECS_PER_DAY + (u64)s;
}

/* ---- flags and IRQ 8 ---- */

/* The periodic interrupt's period in clock cycles, 0 if RS = 0. With the
 * 32.768 kHz time base, RS 1-2 give 256 and 128 Hz, RS 3-15 65536 >> RS. */
static u64 rtc_period(const struct rtc_cmos *r)
{
	u32 rs = r->ram[REG_A] & A_RS_MASK;
	u32 rate = rs == 0 ? 0 : rs <= 2 ? 256u >> (rs - 1) : 65536u >> rs;

	return rate ? MAX(rtc_hz(r) / rate, 1ULL) : 0;
}

/* Set the flags of the events between r->seen and @now. */
static void rtc_account(struct rtc_cmos *r, u64 now)
{
	u64 hz = rtc_hz(r), period = rtc_period(r), a, b;

	if (r->stopped || !hz || now <= r->seen) {
		r->seen = MAX(r->seen, now);
		return;
	}
	a = rtc_elapsed(r, r->seen);
	b = rtc_elapsed(r, now);
	if (b / hz > a / hz) {
		r->flags |= C_UF;
		if (alarm_next(r, r->base_sec + a / hz) <= r->base_sec + b / hz)
			r->flags |= C_AF;
	}
	if (period && b / period > a / period)
		r->flags |= C_PF;
	r->seen = now;
}

static bool rtc_irqf(const struct rtc_cmos *r)
{
	u8 b = r->ram[REG_B];

	return ((b & B_PIE) && (r->flags & C_PF)) || ((b & B_AIE) && (r->flags & C_AF)) ||
	       ((b & B_UIE) && (r->flags & C_UF));
}

static void rtc_update_irq(struct rtc_cmos *r)
{
	bool level = rtc_irqf(r);

	if (level != r->irq_out) {
		r->irq_out = level;
		if (r->hooks.irq)
			r->hooks.irq(r->hooks.ctx, level);
	}
}

/* The clock value of the next event with its interrupt enabled. */
static u64 rtc_next_event(const struct rtc_cmos *r, u64 now)
{
	u64 hz = rtc_hz(r), period = rtc_period(r), e = rtc_elapsed(r, now);
	u64 next = NEVER, secs;
	u8 b = r->ram[REG_B];

	if (r->stopped || !hz || r->irq_out)
		return 0;
	if (b & (B_UIE | B_AIE))
		next = (e / hz + 1) * hz; /* next update; an alarm is one */
	if ((b & B_AIE) && !(b & B_UIE)) {
		secs = alarm_next(r, rtc_seconds(r, now));
		next = secs == NEVER ? NEVER : (secs - r->base_sec) * hz;
	}
	if ((b & B_PIE) && period)
		next = MIN(next, (e / period + 1) * period);
	return next == NEVER ? 0 : r->base_clock + next;
}

/* ---- holding and running ---- */

static bool rtc_wants_stop(const struct rtc_cmos *r)
{
	return (r->ram[REG_B] & B_SET) ||
	       (r->ram[REG_A] & A_DV_RESET) == A_DV_RESET;
}

/*
 * Register A or B changed. Stopping freezes the time into the registers;
 * running again takes the time they hold, keeping the second's phase
 * unless the divider was reset (then the first update is 500 ms away).
 */
static void rtc_run_or_hold(struct rtc_cmos *r, u64 now)
{
	bool stop = rtc_wants_stop(r);
	u64 hz = rtc_hz(r), secs;

	if ((r->ram[REG_A] & A_DV_RESET) == A_DV_RESET)
		r->phase_reset = true;
	if (stop == r->stopped)
		return;
	if (stop) {
		rtc_store_time(r, rtc_seconds(r, now));
		r->stopped = true;
		return;
	}
	secs = rtc_load_time(r);
	if (r->phase_reset)
		r->base_clock = now - hz / 2;
	r->base_sec = secs - (hz ? rtc_elapsed(r, now) / hz : 0);
	r->stopped = r->phase_reset = false;
	r->seen = now;
}

/* A time register written while the clock runs: the clock moves by the
 * difference, the phase of the second stays. */
static void rtc_set_field(struct rtc_cmos *r, u8 reg, u8 val, u64 now)
{
	u64 cur = rtc_seconds(r, now);

	rtc_store_time(r, cur);
	r->ram[reg] = val;
	r->base_sec += rtc_load_time(r) - cur;
}

static u8 rtc_reg_read(struct rtc_cmos *r, u8 reg, u64 now)
{
	u8 v;

	if (rtc_is_time_reg(reg) && !r->stopped)
		rtc_store_time(r, rtc_seconds(r, now));
	switch (reg) {
	case REG_A:
		return (r->ram[REG_A] & ~A_UIP) | (rtc_uip(r, now) ? A_UIP : 0);
	case REG_C:
		v = r->flags | (r->irq_out ? C_IRQF : 0);
		r->flags = 0;
		rtc_update_irq(r);
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->ram[reg];
	}
}

static void rtc_reg_write(struct rtc_cmos *r, u8 reg, u8 val, u64 now)
{
	switch (reg) {
	case REG_A:
		r->ram[REG_A] = val & ~A_UIP;
		rtc_run_or_hold(r, now);
		break;
	case REG_B:
		if (val & B_SET)
			val &= ~B_UIE; /* SET clears UIE */
		r->ram[REG_B] = val;
		rtc_run_or_hold(r, now);
		break;
	case REG_C:
	case REG_D:
		break; /* read-only */
	default:
		if (rtc_is_time_reg(reg) && !r->stopped)
			rtc_set_field(r, reg, val, now);
		else
			r->ram[reg] = val;
		break;
	}
	rtc_update_irq(r);
}

void rtc_init(struct rtc_cmos *r, const struct rtc_hooks *hooks)
{
	memset(r, 0, sizeof(*r));
	r->hooks = *hooks;
	r->ram[REG_A] = 0x26;
	r->ram[REG_B] = B_24H;
	r->ram[REG_D] = D_VRT;
	r->base_sec = hooks->epoch;
	r->base_clock = hooks->epoch_clock;
	r->seen = rtc_clock(r);
}

/* The RESET pin (MC146818A data sheet, "RESET"): the interrupt enables and
 * square-wave output in register B and the flags in register C clear; the
 * time, the RAM and the divider keep running on the battery. */
void rtc_reset(struct rtc_cmos *r)
{
	u64 f = spin_lock_irqsave(&r->lock);

	rtc_account(r, rtc_clock(r));
	r->ram[REG_B] &= (u8)~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->flags = 0;
	r->index = 0;
	rtc_update_irq(r);
	spin_unlock_irqrestore(&r->lock, f);
}

u64 rtc_read(void *dev, u64 offset, unsigned size)
{
	struct rtc_cmos *r = dev;
	u64 f, now;
	u8 v, reg;

	(void)size;
	f = spin_lock_irqsave(&r->lock);
	reg = r->index;
	if (offset == 0) {
		v = reg;
	} else {
		now = rtc_clock(r);
		rtc_account(r, now);
		v = rtc_reg_read(r, reg, now);
	}
	spin_unlock_irqrestore(&r->lock, f);
	/* Reading C lowers IRQ 8: the next event needs a deadline again. */
	if (offset && reg == REG_C && r->hooks.rearm)
		r->hooks.rearm(r->hooks.ctx);
	return v;
}

void rtc_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct rtc_cmos *r = dev;
	u64 f, now;
	u8 reg;

	(void)size;
	f = spin_lock_irqsave(&r->lock);
	reg = r->index;
	if (offset == 0) {
		r->index = (u8)val & 0x7f; /* bit 7 masks NMI: ignored */
	} else {
		now = rtc_clock(r);
		rtc_account(r, now);
		rtc_reg_write(r, reg, (u8)val, now);
	}
	spin_unlock_irqrestore(&r->lock, f);
	if (offset && (reg == REG_A || reg == REG_B) && r->hooks.rearm)
		r->hooks.rearm(r->hooks.ctx);
}

u64 rtc_poll(struct rtc_cmos *r, u64 now)
{
	u64 f = spin_lock_irqsave(&r->lock), next;

	rtc_account(r, now);
	rtc_update_irq(r);
	next = rtc_next_event(r, now);
	spin_unlock_irqrestore(&r->lock, f);
	return next;
}
