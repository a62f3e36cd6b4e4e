// SPDX-License-Identifier: MIT
//
// The local APIC in xAPIC mode, memory-mapped at 0xFEE00000 (Intel SDM
// Vol. 3A, chapter 11): ID, version, EOI, spurious vector, the interrupt
// command register for IPIs (INIT, SIPI) and the timer in one-shot mode.
#ifndef GUEST_LAPIC_H
#define GUEST_LAPIC_H

#include "lib/types.h"

#define LAPIC_BASE 0xfee00000u

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define LAPIC_SVR_ENABLE (1u << 8)
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_ICR_BUSY (1u << 12) // delivery status: send pending
#define LAPIC_ICR_INIT 0x00004500u // INIT, level assert, physical
#define LAPIC_ICR_SIPI 0x00004600u // start-up, vector in bits 7:0
#define LAPIC_SPURIOUS_VECTOR 0xff

u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 v);
// APIC ID of this CPU (ID register bits 31:24).
u32 lapic_id(void);
// Software-enable the APIC with spurious vector 0xff.
void lapic_enable(void);
void lapic_eoi(void);
// Fire vector once after count bus clocks (divide by 1).
void lapic_timer_oneshot(u8 vector, u32 count);
void lapic_timer_stop(void);
// Send an IPI (icr_lo: delivery mode and vector) to apic_id; false when
// the APIC still reports it busy after about 100 ms of polling.
bool lapic_send_ipi(u32 apic_id, u32 icr_lo);

#endif
