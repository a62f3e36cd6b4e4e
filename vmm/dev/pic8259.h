/* SPDX-License-Identifier: MIT */
/*
 * The PC's pair of emulated Intel 8259A programmable interrupt controllers
 * (8259A datasheet): a master and a slave cascaded on the master's IR2,
 * each with its IRR, ISR and IMR, the ICW1-ICW4 initialization sequence,
 * OCW1 (mask), OCW2 (end of interrupt) and OCW3 (IRR/ISR read select,
 * poll), fully nested priority, automatic EOI, and the EISA edge/level
 * control registers (ELCR, ports 0x4D0/0x4D1) that PC chipsets add. ISA
 * IRQ 0-7 are the master's inputs, 8-15 the slave's. The master's INT
 * output is reported through a callback; the owner runs an INTA cycle with
 * pic_ack() to learn the vector. Rotating priority and special mask mode
 * are not modeled (rotate commands act as the plain EOIs they include);
 * as in PC chipsets, the ELCR replaces ICW1's LTIM bit, which is ignored.
 */
#ifndef VMM_DEV_PIC8259_H
#define VMM_DEV_PIC8259_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define PIC_REG_LEN 2   /* A0 = 0 and A0 = 1 */
#define PIC_ELCR_LEN 2  /* ELCR1 (IRQ 0-7), ELCR2 (IRQ 8-15) */
#define PIC_CASCADE_IRQ 2

struct pic_chip {
	u8 irr, isr, imr;
	u8 lines;       /* input levels; IRR keeps edges, follows levels */
	u8 elcr;        /* 1 = level-triggered input */
	u8 elcr_mask;   /* ELCR bits that exist */
	u8 vector_base; /* ICW2, T7-T3 */
	u8 icw3;
	u8 init_step;   /* 0 ready, else the ICW expected next (2-4) */
	bool icw4_needed, single, auto_eoi;
	bool read_isr;  /* OCW3 RR/RIS: A0 = 0 reads ISR */
	bool poll;      /* OCW3 P: the next read is a poll */
};

struct pic {
	spinlock_t lock;
	struct pic_chip chip[2]; /* master, slave */
	bool int_out;            /* the master's INT output */
	void (*intr)(void *ctx, bool level);
	void *ctx;
};

/*
 * Reset: both chips initialized as a PC BIOS leaves them (vectors 0x08 and
 * 0x70, slave on IR2), every input masked. @intr reports the master's INT
 * level when it changes; it runs with the PIC lock held and must not call
 * back into the PIC.
 */
void pic_init(struct pic *pic, void (*intr)(void *ctx, bool level), void *ctx);

/* Drive ISA IRQ @irq (0-15) to @level. Any CPU. */
void pic_set_irq(struct pic *pic, unsigned irq, bool level);

/* The master's INT output: an unmasked request above the in-service level. */
bool pic_has_intr(struct pic *pic);

/*
 * An INTA cycle: the vector for the highest-priority request, moving it
 * from IRR to ISR (on the slave too when it comes through the cascade). A
 * request that went away returns the spurious vector of IR7 (base + 7 of
 * the master, or of the slave if the cascade was acknowledged).
 */
u8 pic_ack(struct pic *pic);

/* Command (A0 = 0) and data (A0 = 1) registers of the master and of the
 * slave at offset 0-1, one byte (bus callbacks, @dev = pic). */
u64 pic_master_read(void *dev, u64 offset, unsigned size);
void pic_master_write(void *dev, u64 offset, unsigned size, u64 val);
u64 pic_slave_read(void *dev, u64 offset, unsigned size);
void pic_slave_write(void *dev, u64 offset, unsigned size, u64 val);

/* ELCR1/ELCR2 at offset 0-1, one byte each (bus callbacks, @dev = pic).
 * IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
u64 pic_elcr_read(void *dev, u64 offset, unsigned size);
void pic_elcr_write(void *dev, u64 offset, unsigned size, u64 val);

#endif
