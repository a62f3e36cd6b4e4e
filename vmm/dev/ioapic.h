/* SPDX-License-Identifier: MIT */
/*
 * An emulated I/O APIC (Intel 82093AA datasheet): the indirect register
 * window (IOREGSEL at 0x00, IOWIN at 0x10), the ID, version and
 * arbitration registers and 24 redirection table entries, with edge- and
 * level-triggered inputs, polarity, masking and Remote IRR. It reports
 * version 0x20, like the I/O APICs of later PC chipsets, and so also has
 * their EOI register at 0x40 (a write of a vector clears Remote IRR of the
 * entries using it), which Linux uses for such versions. The ID is kept
 * in 8 bits (31:24), as in those chipsets; the 82093AA has 4. Interrupt
 * messages go to the owner's delivery callback, which finds the local
 * APICs; an EOI from a local APIC comes back through ioapic_eoi().
 */
#ifndef VMM_DEV_IOAPIC_H
#define VMM_DEV_IOAPIC_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define IOAPIC_PINS 24
#define IOAPIC_MMIO_LEN 0x1000

/* Delivery modes (redirection entry bits 10:8). */
#define IOAPIC_DM_FIXED 0
#define IOAPIC_DM_LOWEST 1
#define IOAPIC_DM_SMI 2
#define IOAPIC_DM_NMI 4
#define IOAPIC_DM_INIT 5
#define IOAPIC_DM_EXTINT 7

/*
 * Send an interrupt message: @dest is the destination field (an APIC ID,
 * or a logical mask with @logical), @mode one of IOAPIC_DM_*. Runs with
 * the I/O APIC lock held: it must not call back into this I/O APIC.
 */
typedef void (*ioapic_deliver_fn)(void *ctx, u8 dest, bool logical, u8 vector,
				  u8 mode, bool level);

/* An EOI cleared Remote IRR of level-triggered @pin (the guest took its
 * interrupt). Runs without the I/O APIC lock and before the pin is looked
 * at again, so a line lowered here is not sent a second time: it may
 * drive pins. */
typedef void (*ioapic_acked_fn)(void *ctx, unsigned pin);

struct ioapic {
	spinlock_t lock;
	u8 id;                     /* IOAPICID bits 31:24 */
	u8 regsel;                 /* IOREGSEL */
	u32 lines;                 /* input levels, bit n = pin n */
	u64 rte[IOAPIC_PINS];      /* redirection table; Remote IRR kept here */
	ioapic_deliver_fn deliver;
	ioapic_acked_fn acked;     /* optional; set once after ioapic_init */
	void *ctx;
};

/* Reset state: every entry masked, ID @id. */
void ioapic_init(struct ioapic *io, u8 id, ioapic_deliver_fn deliver, void *ctx);

/* Register access at offset 0x00-0xfff, 32 bits (bus callbacks). */
u64 ioapic_read(void *dev, u64 offset, unsigned size);
void ioapic_write(void *dev, u64 offset, unsigned size, u64 val);

/*
 * Drive input @pin to @level (electrical: an active-low pin is asserted
 * while low). Edge-triggered pins send a message on assertion if
 * unmasked; level-triggered ones send one while asserted, unmasked and
 * Remote IRR clear, and set Remote IRR. Any CPU.
 */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);

/* A local APIC accepted an EOI for level-triggered @vector: clear Remote
 * IRR of the entries using it (and deliver again if still asserted). */
void ioapic_eoi(struct ioapic *io, u8 vector);

/* Is any entry unmasked in NMI delivery mode (could a device send an
 * NMI)? Any CPU. */
bool ioapic_nmi_routed(struct ioapic *io);

#endif
