// SPDX-License-Identifier: MIT
/*
 * 8259A pair (pic8259.h). Command words, 8259A datasheet "Programming the
 * 8259A": ICW1 (A0 = 0, D4 = 1: IC4, SNGL, LTIM), then ICW2 (vector base
 * T7-T3), ICW3 if cascaded, ICW4 if IC4 (AEOI); afterwards A0 = 1 writes
 * OCW1 (IMR), and A0 = 0 writes OCW2 (D4-D3 = 00: R, SL, EOI, L2-L0) or
 * OCW3 (D4-D3 = 01: P, RR, RIS). Priority is fixed, IR0 highest, fully
 * nested: a request is presented only above the highest in-service level.
 * Edge-triggered inputs latch a rising edge in IRR until it is
 * acknowledged; level-triggered ones (ELCR) request while high.
 */
#include "kernel/string.h"
#include "vmm/dev/pic8259.h"

#define ICW1 0x10      /* A0 = 0, D4 = 1 */
#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define OCW3 0x08      /* A0 = 0, D4 = 0, D3 = 1 */
#define OCW3_P 0x04
#define OCW3_RR 0x02
#define OCW3_RIS 0x01
#define ICW4_AEOI 0x02
#define POLL_INT 0x80  /* poll word: a request was pending */

/* OCW2 R, SL, EOI (bits 7-5). */
#define OCW2_EOI 1
#define OCW2_SPECIFIC_EOI 3
#define OCW2_ROTATE_EOI 5
#define OCW2_ROTATE_SPECIFIC_EOI 7

/* ELCR bits a PC chipset implements: IRQ 0, 1, 2, 8 and 13 stay edge. */
#define ELCR1_MASK 0xf8
#define ELCR2_MASK 0xde

#define MASTER 0
#define SLAVE 1

/* ---- one chip ---- */

/* IRR as the guest sees it: latched edges, and the levels of level inputs. */
static u8 chip_irr(const struct pic_chip *c)
{
	return (c->irr & ~c->elcr) | (c->lines & c->elcr);
}

/* The request the chip presents on INT, or -1. */
static int chip_pending(const struct pic_chip *c)
{
	u8 req = chip_irr(c) & ~c->imr;
	int irq;

	if (!req)
		return -1;
	irq = __builtin_ctz(req);
	if (c->isr && __builtin_ctz(c->isr) <= irq)
		return -1; /* an equal or higher level is in service */
	return irq;
}

static void chip_set_line(struct pic_chip *c, unsigned line, bool level)
{
	u8 m = (u8)(1u << line);

	if (level && !(c->lines & m))
		c->irr |= m; /* rising edge */
	c->lines = level ? c->lines | m : c->lines & ~m;
}

/* INTA: the request goes in service (not with automatic EOI). */
static void chip_accept(struct pic_chip *c, int irq)
{
	c->irr &= (u8)~(1u << irq);
	if (!c->auto_eoi)
		c->isr |= (u8)(1u << irq);
}

static void chip_reset(struct pic_chip *c, u8 base, u8 icw3, u8 elcr_mask)
{
	memset(c, 0, sizeof(*c));
	c->vector_base = base;
	c->icw3 = icw3;
	c->imr = 0xff;
	c->icw4_needed = true;
	c->elcr_mask = elcr_mask;
}

/*
 * ICW1 starts initialization: the edge sense is reset (an input that is
 * high must go low and high again), IMR and ISR are cleared and, without
 * IC4, the ICW4 functions (AEOI) are zeroed.
 */
static void chip_icw1(struct pic_chip *c, u8 v)
{
	c->icw4_needed = v & ICW1_IC4;
	c->single = v & ICW1_SNGL;
	c->irr = c->isr = c->imr = 0;
	c->auto_eoi = c->read_isr = c->poll = false;
	c->init_step = 2;
}

static void chip_icw(struct pic_chip *c, u8 v)
{
	switch (c->init_step) {
	case 2:
		c->vector_base = v & 0xf8;
		c->init_step = !c->single ? 3 : c->icw4_needed ? 4 : 0;
		break;
	case 3:
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	default:
		c->auto_eoi = v & ICW4_AEOI;
		c->init_step = 0;
		break;
	}
}

/* OCW2. A non-specific EOI ends the highest-priority in-service level. */
static void chip_ocw2(struct pic_chip *c, u8 v)
{
	switch (v >> 5) {
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		c->isr &= (u8)(c->isr - 1); /* clear the lowest set bit */
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (u8)~(1u << (v & 7));
		break;
	default:
		break; /* rotation and priority setting: not modeled */
	}
}

static void chip_ocw3(struct pic_chip *c, u8 v)
{
	if (v & OCW3_P)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
}

static void chip_write(struct pic_chip *c, bool a0, u8 v)
{
	if (a0) {
		if (c->init_step)
			chip_icw(c, v);
		else
			c->imr = v; /* OCW1 */
	} else if (v & ICW1) {
		chip_icw1(c, v);
	} else if (v & OCW3) {
		chip_ocw3(c, v);
	} else {
		chip_ocw2(c, v);
	}
}

/* A read after a poll command returns the poll word and acknowledges. */
static u8 chip_poll(struct pic_chip *c)
{
	int irq = chip_pending(c);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_accept(c, irq);
	return POLL_INT | (u8)irq;
}

static u8 chip_read(struct pic_chip *c, bool a0)
{
	if (c->poll)
		return chip_poll(c);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : chip_irr(c);
}

/* ---- the pair ---- */

/* The slave's INT drives the master's IR2; the master's INT is the output. */
static void pic_update(struct pic *pic)
{
	bool out;

	chip_set_line(&pic->chip[MASTER], PIC_CASCADE_IRQ,
		      chip_pending(&pic->chip[SLAVE]) >= 0);
	out = chip_pending(&pic->chip[MASTER]) >= 0;
	if (out != pic->int_out) {
		pic->int_out = out;
		if (pic->intr)
			pic->intr(pic->ctx, out);
	}
}

void pic_init(struct pic *pic, void (*intr)(void *ctx, bool level), void *ctx)
{
	memset(pic, 0, sizeof(*pic));
	chip_reset(&pic->chip[MASTER], 0x08, 1u << PIC_CASCADE_IRQ, ELCR1_MASK);
	chip_reset(&pic->chip[SLAVE], 0x70, PIC_CASCADE_IRQ, ELCR2_MASK);
	pic->intr = intr;
	pic->ctx = ctx;
}

void pic_set_irq(struct pic *pic, unsigned irq, bool level)
{
	u64 f;

	if (irq >= 16 || irq == PIC_CASCADE_IRQ)
		return; /* IR2 carries the slave, not a device */
	f = spin_lock_irqsave(&pic->lock);
	chip_set_line(&pic->chip[irq >> 3], irq & 7, level);
	pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, f);
}

bool pic_has_intr(struct pic *pic)
{
	return __atomic_load_n(&pic->int_out, __ATOMIC_ACQUIRE);
}

/* The master's IR2 acknowledged: the slave supplies the vector. */
static u8 pic_ack_slave(struct pic *pic)
{
	struct pic_chip *s = &pic->chip[SLAVE];
	int irq = chip_pending(s);

	if (irq < 0)
		return s->vector_base | 7; /* spurious IRQ 15 */
	chip_accept(s, irq);
	return s->vector_base + (u8)irq;
}

u8 pic_ack(struct pic *pic)
{
	struct pic_chip *m = &pic->chip[MASTER];
	u64 f = spin_lock_irqsave(&pic->lock);
	int irq = chip_pending(m);
	u8 vec;

	if (irq < 0) {
		vec = m->vector_base | 7; /* spurious IRQ 7: no ISR bit */
	} else {
		chip_accept(m, irq);
		if (irq == PIC_CASCADE_IRQ && !m->single &&
		    (m->icw3 & (1u << PIC_CASCADE_IRQ)))
			vec = pic_ack_slave(pic);
		else
			vec = m->vector_base + (u8)irq;
	}
	pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, f);
	return vec;
}

static u64 pic_chip_read(struct pic *pic, int chip, u64 offset)
{
	u64 f = spin_lock_irqsave(&pic->lock);
	u8 v = chip_read(&pic->chip[chip], offset & 1);

	pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, f);
	return v;
}

static void pic_chip_write(struct pic *pic, int chip, u64 offset, u64 val)
{
	u64 f = spin_lock_irqsave(&pic->lock);

	chip_write(&pic->chip[chip], offset & 1, (u8)val);
	pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, f);
}

u64 pic_master_read(void *dev, u64 offset, unsigned size)
{
	(void)size;
	return pic_chip_read(dev, MASTER, offset);
}

void pic_master_write(void *dev, u64 offset, unsigned size, u64 val)
{
	(void)size;
	pic_chip_write(dev, MASTER, offset, val);
}

u64 pic_slave_read(void *dev, u64 offset, unsigned size)
{
	(void)size;
	return pic_chip_read(dev, SLAVE, offset);
}

void pic_slave_write(void *dev, u64 offset, unsigned size, u64 val)
{
	(void)size;
	pic_chip_write(dev, SLAVE, offset, val);
}

u64 pic_elcr_read(void *dev, u64 offset, unsigned size)
{
	struct pic *pic = dev;

	(void)size;
	return offset < 2 ? pic->chip[offset].elcr : 0xff;
}

void pic_elcr_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct pic *pic = dev;
	struct pic_chip *c;
	u64 f;

	(void)size;
	if (offset >= 2)
		return;
	f = spin_lock_irqsave(&pic->lock);
	c = &pic->chip[offset];
	c->elcr = (u8)val & c->elcr_mask;
	pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, f);
}
