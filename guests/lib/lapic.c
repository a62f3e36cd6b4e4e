// SPDX-License-Identifier: MIT
//
// xAPIC register access for lib/lapic.h. Registers are 32 bits wide on
// 16-byte boundaries and must be accessed with aligned 32-bit loads and
// stores (SDM Vol. 3A, 11.4.1).
#include "lib/lapic.h"
#include "lib/io.h"
#include "lib/pmtimer.h"

u32 lapic_read(u32 reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(u32 reg, u32 v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

u32 lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_oneshot(u8 vector, u32 count)
{
	lapic_write(LAPIC_TIMER_DIV, 0xb); // 1011b: divide by 1
	lapic_write(LAPIC_LVT_TIMER, vector); // mode 00: one-shot, unmasked
	lapic_write(LAPIC_TIMER_INIT, count); // starts counting
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

static bool icr_idle(void *arg)
{
	(void)arg;
	return !(lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_BUSY);
}

bool lapic_send_ipi(u32 apic_id, u32 icr_lo)
{
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo); // writing the low half sends
	if (pmtimer_port())
		return pmtimer_wait(icr_idle, NULL, 100000);
	for (u32 i = 0; i < 10000000; i++)
		if (icr_idle(NULL))
			return true;
	return false;
}
