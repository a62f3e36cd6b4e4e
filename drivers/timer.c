// SPDX-License-Identifier: MIT
/* Reference-timer busy waits for TSC calibration (see timer.h). */
#include "arch/x86/io.h"
#include "drivers/acpi.h"
#include "drivers/timer.h"

#define PM_TIMER_HZ 3579545ULL
#define PIT_HZ 1193182ULL

static u16 pm_port;
static u32 pm_mask;

void timer_setup(const struct acpi_info *ai)
{
	const struct acpi_gas *g = &ai->fadt.pm_tmr;

	if (ai->fadt.present && g->space_id == ACPI_GAS_IO && g->address &&
	    g->address < 0x10000) {
		pm_port = (u16)g->address;
		pm_mask = ai->fadt.pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	}
}

const char *timer_name(void) { return pm_port ? "pm-timer" : "pit"; }

static void pm_wait(u32 us)
{
	u64 ticks = PM_TIMER_HZ * us / 1000000, seen = 0;
	u32 last = inl(pm_port) & pm_mask;

	while (seen < ticks) {
		u32 now = inl(pm_port) & pm_mask;

		seen += (now - last) & pm_mask; /* counts up, wraps at the mask */
		last = now;
	}
}

/* PIT channel 2, mode 0 (interrupt on terminal count), OUT2 read at 0x61
 * bit 5 (8254 datasheet; IBM PC port B). */
static void pit_wait(u32 us)
{
	u32 count = PIT_HZ * us / 1000000;
	u8 b;

	if (count > 0xffff)
		count = 0xffff;
	b = inb(0x61);
	outb(0x61, (b & ~0x02) | 0x01); /* gate on, speaker off */
	outb(0x43, 0xb0);               /* ch 2, lo/hi, mode 0, binary */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	for (u32 i = 0; i < 100000000 && !(inb(0x61) & 0x20); i++)
		;
	outb(0x61, b);
}

void timer_wait_us(u32 us)
{
	if (pm_port)
		pm_wait(us);
	else
		pit_wait(us);
}
