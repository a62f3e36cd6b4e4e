/* SPDX-License-Identifier: MIT */
/*
 * An emulated Motorola MC146818A real-time clock with the PC's 128 bytes
 * of CMOS RAM behind the index/data port pair (0x70/0x71 on a PC; bit 7
 * of the index, the NMI mask, is ignored). The time registers 0x00-0x09
 * and the IBM AT century byte 0x32 are worked out from an injected wall
 * clock (seconds since 1970 at a reference clock value, plus the time
 * elapsed on the owner's clock), in BCD or binary and 12- or 24-hour form
 * as register B says. Writing them moves the clock; SET in register B or
 * a divider reset in register A hold it still while the guest writes.
 * Register A's UIP bit is set during the last 244 us of each second,
 * register C's flags (update-ended, alarm, periodic) follow the time and
 * clear when read, and IRQ 8 is raised while an enabled flag is set; the
 * owner calls rtc_poll() before guest entry so the IRQ comes on time.
 * Register D always reports valid RAM and time. Square-wave output and
 * daylight-saving (SQWE, DSE) have no effect; the day of the week follows
 * the date and ignores writes.
 */
#ifndef VMM_DEV_RTC_CMOS_H
#define VMM_DEV_RTC_CMOS_H

#include "kernel/spinlock.h"
#include "kernel/rtctime.h"
#include "kernel/types.h"

#define RTC_REG_LEN 2        /* index, data */
#define RTC_CMOS_SIZE 128
#define RTC_CENTURY 0x32     /* IBM AT century byte, BCD like the time */

struct rtc_hooks {
	u64 (*clock)(void *ctx);     /* free-running counter, @clock_khz kHz */
	u64 clock_khz;
	u64 epoch;                   /* seconds since 1970-01-01 00:00 UTC ... */
	u64 epoch_clock;             /* ... at this clock value */
	void (*irq)(void *ctx, bool level); /* IRQ 8 */
	void (*rearm)(void *ctx);    /* the next rtc_poll() deadline may be earlier */
	void *ctx;
};

/* A broken-down UTC time; wday 0 = Sunday. */
struct rtc_cmos {
	spinlock_t lock;
	u8 index;
	u8 ram[RTC_CMOS_SIZE]; /* time registers only used while stopped */
	u8 flags;              /* register C: PF, AF, UF */
	bool irq_out;          /* IRQF, the IRQ 8 line */
	bool stopped;          /* SET or divider reset: time registers hold */
	bool phase_reset;      /* the divider was reset while stopped */
	u64 base_sec;          /* time (s since 1970) at base_clock; modular */
	u64 base_clock;
	u64 seen;              /* clock value up to which flags are set */
	struct rtc_hooks hooks;
};

/* Reset state: register A 0x26 (32.768 kHz, 1024 Hz rate), B 0x02 (24-hour,
 * BCD, no interrupts), D 0x80; the rest of the RAM zero. */
void rtc_init(struct rtc_cmos *r, const struct rtc_hooks *hooks);

/* A board reset: the interrupt enables (PIE, AIE, UIE, SQWE) and the flags
 * clear; the time, CMOS RAM and rates survive, as on battery. */
void rtc_reset(struct rtc_cmos *r);

/* Index (offset 0) and data (offset 1) ports, one byte (bus callbacks). */
u64 rtc_read(void *dev, u64 offset, unsigned size);
void rtc_write(void *dev, u64 offset, unsigned size, u64 val);

/*
 * Call before guest entry with the clock's value @now: raises IRQ 8 if an
 * enabled flag got set. Returns the clock value of the next event that
 * would raise it, or 0 if none (no interrupt enabled, or IRQ 8 already
 * high until the guest reads register C).
 */
u64 rtc_poll(struct rtc_cmos *r, u64 now);

/* Proleptic Gregorian calendar; times before 1970 are not represented. */

#endif
