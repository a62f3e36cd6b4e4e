// SPDX-License-Identifier: MIT
/*
 * I/O APIC model (ioapic.h). Registers, 82093AA datasheet §3.0: IOREGSEL
 * and IOWIN in memory space (§3.1), IOAPICID (index 0x00, §3.2.1),
 * IOAPICVER (0x01, §3.2.2: version, maximum redirection entry), IOAPICARB
 * (0x02, §3.2.3) and the redirection table at 0x10-0x3F, two indexes per
 * 64-bit entry, low half first (§3.2.4). Entry fields: vector 7:0,
 * delivery mode 10:8, destination mode 11, delivery status 12 (always 0:
 * messages are delivered at once), polarity 13, Remote IRR 14 (read-only),
 * trigger mode 15, mask 16, destination 63:56.
 */
#include "kernel/string.h"
#include "vmm/dev/ioapic.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40  /* EOI register of version 0x20 I/O APICs */

#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE 0x10
#define REG_RTE_END (REG_RTE + 2 * IOAPIC_PINS)

#define VERSION 0x20
#define VER_MAX_RTE_SHIFT 16
#define ID_SHIFT 24
#define ARB_ID_MASK 0x0f

#define RTE_VECTOR 0xffULL
#define RTE_DM_SHIFT 8
#define RTE_DM_MASK 7ULL
#define RTE_LOGICAL (1ULL << 11)
#define RTE_POLARITY_LOW (1ULL << 13)
#define RTE_REMOTE_IRR (1ULL << 14)
#define RTE_LEVEL (1ULL << 15)
#define RTE_MASKED (1ULL << 16)
#define RTE_DEST_SHIFT 56
/* Bits a write sets: all but delivery status, Remote IRR and reserved. */
#define RTE_WRITABLE ((0xffULL << RTE_DEST_SHIFT) | 0x1afffULL)

void ioapic_init(struct ioapic *io, u8 id, ioapic_deliver_fn deliver, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = id;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED; /* §3.2.4: masked after reset */
	io->deliver = deliver;
	io->ctx = ctx;
}

static bool pin_asserted(const struct ioapic *io, unsigned pin)
{
	bool high = (io->lines >> pin) & 1;

	return (io->rte[pin] & RTE_POLARITY_LOW) ? !high : high;
}

/* Send the entry's interrupt message; a level-triggered one sets Remote
 * IRR until the local APIC's EOI comes back. */
static void pin_send(struct ioapic *io, unsigned pin)
{
	u64 rte = io->rte[pin];
	bool level = rte & RTE_LEVEL;

	if (level)
		io->rte[pin] |= RTE_REMOTE_IRR;
	if (io->deliver)
		io->deliver(io->ctx, (u8)(rte >> RTE_DEST_SHIFT), rte & RTE_LOGICAL,
			    (u8)(rte & RTE_VECTOR),
			    (u8)((rte >> RTE_DM_SHIFT) & RTE_DM_MASK), level);
}

/* A level-triggered pin that is asserted, unmasked and not awaiting an
 * EOI sends (again). */
static void pin_check_level(struct ioapic *io, unsigned pin)
{
	u64 rte = io->rte[pin];

	if ((rte & RTE_LEVEL) && !(rte & (RTE_MASKED | RTE_REMOTE_IRR)) &&
	    pin_asserted(io, pin))
		pin_send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	bool was, now;
	u64 f;

	if (pin >= IOAPIC_PINS)
		return;
	f = spin_lock_irqsave(&io->lock);
	was = pin_asserted(io, pin);
	io->lines = level ? io->lines | (1u << pin) : io->lines & ~(1u << pin);
	now = pin_asserted(io, pin);
	if (io->rte[pin] & RTE_LEVEL)
		pin_check_level(io, pin);
	else if (now && !was && !(io->rte[pin] & RTE_MASKED))
		pin_send(io, pin); /* edge: only the assertion counts */
	spin_unlock_irqrestore(&io->lock, f);
}

/* Clear Remote IRR of the entries using @vector; the pins it cleared. */
static u32 eoi_locked(struct ioapic *io, u8 vector)
{
	u32 acked = 0;

	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		u64 rte = io->rte[pin];

		if ((rte & RTE_VECTOR) != vector || !(rte & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		acked |= 1u << pin;
	}
	return acked;
}

/*
 * After an EOI: tell the owner which pins it acknowledged (with the lock
 * released: the owner may lower a line it raised for the interrupt just
 * taken), then send again what is still asserted. Called with the lock
 * held and flags @f; returns with it released.
 */
static void after_eoi(struct ioapic *io, u32 acked, u64 f)
{
	if (acked && io->acked) {
		spin_unlock_irqrestore(&io->lock, f);
		for (u32 m = acked; m; m &= m - 1)
			io->acked(io->ctx, (unsigned)__builtin_ctz(m));
		f = spin_lock_irqsave(&io->lock);
	}
	for (u32 m = acked; m; m &= m - 1)
		pin_check_level(io, (unsigned)__builtin_ctz(m));
	spin_unlock_irqrestore(&io->lock, f);
}

void ioapic_eoi(struct ioapic *io, u8 vector)
{
	u64 f = spin_lock_irqsave(&io->lock);

	after_eoi(io, eoi_locked(io, vector), f);
}

bool ioapic_nmi_routed(struct ioapic *io)
{
	bool routed = false;
	u64 f = spin_lock_irqsave(&io->lock);

	for (unsigned pin = 0; pin < IOAPIC_PINS && !routed; pin++)
		routed = !(io->rte[pin] & RTE_MASKED) &&
			 ((io->rte[pin] >> RTE_DM_SHIFT) & RTE_DM_MASK) == IOAPIC_DM_NMI;
	spin_unlock_irqrestore(&io->lock, f);
	return routed;
}

static u32 reg_read(const struct ioapic *io, u8 reg)
{
	if (reg >= REG_RTE && reg < REG_RTE_END) {
		u64 rte = io->rte[(reg - REG_RTE) / 2];

		return (reg & 1) ? (u32)(rte >> 32) : (u32)rte;
	}
	switch (reg) {
	case REG_ID:
		return (u32)io->id << ID_SHIFT;
	case REG_VER:
		return (IOAPIC_PINS - 1) << VER_MAX_RTE_SHIFT | VERSION;
	case REG_ARB:
		return (u32)(io->id & ARB_ID_MASK) << ID_SHIFT;
	default:
		return 0;
	}
}

/*
 * One half of an entry. Remote IRR is undefined for edge-triggered
 * entries and is cleared when an entry becomes edge-triggered (Linux
 * relies on this to clear a stuck Remote IRR on I/O APICs without the
 * EOI register). A level-triggered entry that is unmasked while its input
 * is asserted sends at once.
 */
static void rte_write(struct ioapic *io, unsigned pin, bool high, u32 val)
{
	u64 rte = io->rte[pin], v;

	v = high ? ((u64)val << 32) | (rte & 0xffffffffULL)
		 : (rte & ~0xffffffffULL) | val;
	v = (v & RTE_WRITABLE) | (rte & RTE_REMOTE_IRR);
	if (!(v & RTE_LEVEL))
		v &= ~RTE_REMOTE_IRR;
	io->rte[pin] = v;
	pin_check_level(io, pin);
}

static void reg_write(struct ioapic *io, u8 reg, u32 val)
{
	if (reg >= REG_RTE && reg < REG_RTE_END)
		rte_write(io, (reg - REG_RTE) / 2, reg & 1, val);
	else if (reg == REG_ID)
		io->id = (u8)(val >> ID_SHIFT);
	/* VER and ARB are read-only */
}

u64 ioapic_read(void *dev, u64 offset, unsigned size)
{
	struct ioapic *io = dev;
	u64 f, v = 0;

	(void)size;
	f = spin_lock_irqsave(&io->lock);
	if (offset == IOREGSEL)
		v = io->regsel;
	else if (offset == IOWIN)
		v = reg_read(io, io->regsel);
	spin_unlock_irqrestore(&io->lock, f);
	return v;
}

void ioapic_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct ioapic *io = dev;
	u32 acked = 0;
	u64 f;

	(void)size;
	f = spin_lock_irqsave(&io->lock);
	if (offset == IOREGSEL)
		io->regsel = (u8)val;
	else if (offset == IOWIN)
		reg_write(io, io->regsel, (u32)val);
	else if (offset == IOEOI)
		acked = eoi_locked(io, (u8)val);
	after_eoi(io, acked, f);
}
