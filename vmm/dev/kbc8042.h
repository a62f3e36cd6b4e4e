/* SPDX-License-Identifier: MIT */
/*
 * An emulated Intel 8042 keyboard controller as PCs use it (IBM PC/AT
 * technical reference, "Keyboard Controller"), with a keyboard attached
 * and no auxiliary (mouse) device, plus the PC's System Control Port A
 * (port 0x92). The controller has its status and command register
 * (0x64 on a PC) and data register (0x60), the command byte and its
 * RAM, the controller commands an operating system uses (read/write
 * command byte, self-test, interface test, enable/disable keyboard,
 * read/write output port, pulse output port) and a keyboard that answers
 * the usual commands (ACK, reset with self-test passed, identify) but
 * never sends keystrokes. Output bytes wait in a small queue; IRQ 1 is
 * raised while a keyboard byte waits and the command byte enables it.
 *
 * The auxiliary port reads as present but dead, so probes end at once:
 * its interface test (0xA9) reports the clock line stuck low, the
 * loopback (0xD3) returns 0xFE, 0xA7/0xA8 change nothing and bytes for it
 * (0xD4) are dropped. A CPU reset (output port bit 0 pulsed or written
 * low, or port 0x92 bit 0 set) goes to the owner's callback; the A20 gate
 * bits read back but do not mask addresses (guests always see A20 on).
 */
#ifndef VMM_DEV_KBC8042_H
#define VMM_DEV_KBC8042_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define KBC_PORT_LEN 1    /* data (0x60) and status/command (0x64) apart:
			   * port 0x61 lies between them */
#define KBC_PORT_A_LEN 1  /* port 0x92 */
#define KBC_QUEUE 16

struct kbc_hooks {
	void (*irq)(void *ctx, bool level); /* IRQ 1 */
	void (*reset)(void *ctx);           /* CPU reset requested */
	void *ctx;
};

struct kbc {
	spinlock_t lock;
	u8 ram[32];          /* ram[0] is the command byte */
	u8 status;           /* status bits kept: system flag, A2 */
	u8 out_port;         /* output port: bit 0 reset, bit 1 A20 */
	u8 port_a;           /* port 0x92 */
	u8 pending;          /* controller command awaiting its data byte, 0 none */
	u8 kbd_pending;      /* keyboard command awaiting its parameter, 0 none */
	bool kbd_enabled;    /* keyboard scanning (0xF4/0xF5) */
	u8 queue[KBC_QUEUE]; /* output bytes, oldest first */
	bool queue_aux[KBC_QUEUE]; /* byte came from the aux port */
	unsigned head, count;
	bool irq_out;
	struct kbc_hooks hooks;
};

/* Power-on state after a BIOS: command byte 0x45 (IRQ 1 on, system flag,
 * translation), output port 0x03 (no reset, A20 on), port 0x92 0x02. */
void kbc_init(struct kbc *k, const struct kbc_hooks *hooks);

/* The data register, and the status (read) / command (write) register,
 * one byte each (bus callbacks). */
u64 kbc_data_read(void *dev, u64 offset, unsigned size);
void kbc_data_write(void *dev, u64 offset, unsigned size, u64 val);
u64 kbc_status_read(void *dev, u64 offset, unsigned size);
void kbc_command_write(void *dev, u64 offset, unsigned size, u64 val);

/* Port 0x92, System Control Port A (bus callbacks): bit 0 fast reset
 * (a 0 -> 1 change resets), bit 1 A20 gate; the other bits read back. */
u64 kbc_port_a_read(void *dev, u64 offset, unsigned size);
void kbc_port_a_write(void *dev, u64 offset, unsigned size, u64 val);

#endif
