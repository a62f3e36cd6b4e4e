/* SPDX-License-Identifier: MIT */
/*
 * An emulated Intel 8254 programmable interval timer as wired in a PC
 * (8254 datasheet; IBM PC/AT technical reference for port 0x61): three
 * 16-bit counters clocked at 1.193182 MHz, modes 0-5, the three access
 * modes, the counter latch and read-back commands and the status byte.
 * Counter 0's OUT is IRQ 0; counter 2's GATE is port 0x61 bit 0 and its
 * OUT reads back at port 0x61 bit 5; counters 0 and 1 have GATE tied high.
 * The counters are never stepped: their values and OUT levels are worked
 * out from the time elapsed on a clock the owner gives (the host TSC, or a
 * fake one in tests), so the model costs nothing while nobody looks. The
 * owner calls pit_poll() before each guest entry to turn counter 0's OUT
 * edges into IRQ 0 pulses and learns when the next one is due. BCD
 * counting is not modeled: the BCD bit reads back in the status byte but
 * counters count in binary.
 */
#ifndef VMM_DEV_PIT8254_H
#define VMM_DEV_PIT8254_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define PIT_HZ 1193182u       /* input clock of the three counters */
#define PIT_REG_LEN 4         /* counters 0-2 at offsets 0-2, control word at 3 */
#define PIT_PORT_B_LEN 1      /* the PC's port 0x61 */

struct pit_hooks {
	u64 (*clock)(void *ctx);      /* free-running counter, @clock_khz kHz */
	u64 clock_khz;
	void (*irq)(void *ctx, bool level); /* counter 0 OUT -> IRQ 0 */
	void (*rearm)(void *ctx);     /* counter 0 reprogrammed: poll again */
	void *ctx;
};

/* One counter. Times are in PIT clock ticks since pit_init(). */
struct pit_channel {
	u8 mode;          /* 0-5 */
	u8 rw;            /* access: 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;         /* kept for the status byte only */
	u32 cr;           /* count register, 1-65536 (0 written = 65536) */
	bool cr_valid;    /* a count was written since the control word */
	u8 lsb;           /* first byte of an LSB-then-MSB write */
	bool write_msb;   /* write flip-flop: next byte is the MSB */
	bool read_msb;    /* read flip-flop: next byte is the MSB */
	bool latched;     /* output latch holds a count */
	u16 latch;
	bool status_latched;
	u8 status;
	/* The counting element: holds n at tick start and counts from there. */
	bool running;     /* counting (mode 1/5: since the trigger) */
	u32 n;            /* the count the current sequence started from */
	u64 start;
	u64 reload_at;    /* modes 2/3: tick at which cr replaces n, 0 none */
	u64 load_at;      /* tick at which cr reaches the CE (NULL COUNT) */
	bool gate;
	bool paused;      /* modes 0/2/3/4 with GATE low: frozen at paused_at */
	u64 paused_at;
	u16 hold;         /* CE contents before counting starts */
};

struct pit {
	spinlock_t lock;  /* port accesses come from any vCPU */
	struct pit_channel ch[3];
	u8 port_b;        /* port 0x61 bits 0-3 as written */
	u64 base;         /* clock value at tick 0 */
	u64 irq_next;     /* tick of counter 0's next rising OUT edge, or ~0 */
	struct pit_hooks hooks;
};

/* Reset state: counters unprogrammed (no output edges), GATE 2 low. */
void pit_init(struct pit *p, const struct pit_hooks *hooks);

/* Counter and control word access at offset 0-3, one byte (bus callbacks). */
u64 pit_read(void *dev, u64 offset, unsigned size);
void pit_write(void *dev, u64 offset, unsigned size, u64 val);

/*
 * Port 0x61 (bus callbacks). Read: bits 0-3 as written (0 GATE 2, 1
 * speaker data, 2-3 parity/channel check enables), bit 4 the refresh
 * toggle, bit 5 counter 2's OUT; bits 6-7 (check errors) read 0.
 */
u64 pit_port_b_read(void *dev, u64 offset, unsigned size);
void pit_port_b_write(void *dev, u64 offset, unsigned size, u64 val);

/*
 * Call before entering the guest, with the clock's value @now. Raises one
 * IRQ 0 pulse (hooks.irq true then false) if counter 0's OUT had a rising
 * edge since the last call; several missed edges are coalesced into one
 * (a local APIC holds only one pending instance of a vector anyway).
 * Returns the clock value at which the next edge is due, or 0 if none will
 * come (counter 0 unprogrammed, or a one-shot mode that already fired).
 */
u64 pit_poll(struct pit *p, u64 now);

#endif
