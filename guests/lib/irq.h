// SPDX-License-Identifier: MIT
//
// External interrupts for guests that take them (the LAPIC timer): the
// legacy 8259 PICs the BIOS may have left running are moved off the
// exception vectors and masked, and the spurious vectors are ignored.
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include "lib/types.h"

#define PIC_VECTOR_BASE 0x20 // 8259 IRQs 0-15 land on 0x20-0x2f, all masked

// Remap and mask the PICs, enable the LAPIC, ignore spurious vectors.
// Interrupts stay disabled (use sti()/sti_hlt()).
void irq_init(void);

// The I/O APIC at its PC address (82093AA): route @gsi with redirection
// entry low dword @lo (vector, IOAPIC_LEVEL, IOAPIC_ACTIVE_LOW,
// IOAPIC_MASKED) to physical APIC ID @dest.
#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_ACTIVE_LOW (1u << 13)
#define IOAPIC_LEVEL (1u << 15)
#define IOAPIC_MASKED (1u << 16)
void ioapic_route(u32 gsi, u32 lo, u32 dest);

// With interrupts open, wait until *@count (a handler's tally) reaches
// @want or @ms milliseconds of the PM timer pass (pmtimer_init() first);
// interrupts closed again, the tally then.
u32 irq_wait_count(volatile u32 *count, u32 want, u32 ms);

#endif
