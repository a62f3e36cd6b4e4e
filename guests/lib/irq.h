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

#endif
