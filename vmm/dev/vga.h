/* SPDX-License-Identifier: MIT */
/*
 * A VGA in 80x25 colour text mode (IBM VGA Technical Reference: the
 * memory window 0xa0000-0xbffff, the registers at ports 0x3c0-0x3df),
 * enough for guests that print on the screen: the text buffer at 0xb8000
 * (a character byte and an attribute byte per cell), CRTC index/data with
 * the start address and the cursor location, misc output, input status 1
 * (its retrace bits toggle on each read, so retrace waits end), the
 * attribute controller's index/data flip-flop, sequencer, graphics
 * controller and DAC registers stored and read back. Graphics modes are
 * not emulated: the window below 0xb8000 reads all-ones and drops writes.
 *
 * The window is not RAM: each guest access to it exits and is emulated
 * (vmm/mmio.c), so the model sees every write in order and can mirror the
 * text as it is written. A full-screen redraw is 2,000 exits, done only
 * when a guest prints; mapping the page as RAM and scanning it
 * periodically would need a timer per VM and would miss lines that are
 * written and scrolled away between two scans.
 *
 * Mirroring rule: each text row of the displayed page (from the CRTC start
 * address) is printed once, as a line through the owner's hook, when it is
 * finished: when the guest writes a character to another row, or moves the
 * cursor (CRTC 0x0e/0x0f) to column 0 of a later row. A row counts only
 * when a character byte changed since it was last printed (attributes do
 * not count); trailing blanks are trimmed and blank rows are not printed.
 * A scroll is a copy of each row onto the one above (a read at offset + 160
 * then a write of the same value at offset): the row's "not yet printed"
 * state moves with its text, so scrolled lines are not printed again.
 * Characters outside printable ASCII are printed as '.'. Hardware
 * scrolling by moving the start address is not followed.
 *
 * Locking: the owner serializes every call (vm->dev_lock); the hook is
 * called under it.
 */
#ifndef VMM_DEV_VGA_H
#define VMM_DEV_VGA_H

#include "kernel/types.h"

#define VGA_WINDOW_BASE 0xa0000
#define VGA_WINDOW_LEN 0x20000
#define VGA_PORT_BASE 0x3c0
#define VGA_PORT_LEN 0x20
#define VGA_TEXT_OFFSET 0x18000 /* 0xb8000 in the window */
#define VGA_TEXT_SIZE 0x8000
#define VGA_COLS 80
#define VGA_ROWS 25

struct vga {
	u8 text[VGA_TEXT_SIZE];
	u8 misc, feature, status;
	u8 seq_index, seq[8];
	u8 gc_index, gc[16];
	u8 crtc_index, crtc[32];
	u8 attr_index, attr[32];
	bool attr_data;    /* the next 0x3c0 write is data, not the index */
	u8 dac_mask, dac_read, dac_write, dac_comp;
	u8 palette[256 * 3];
	/* mirroring */
	u32 dirty;         /* bit per displayed row: changed, not printed */
	int last_row;      /* row of the last character write, -1: none */
	long last_read;    /* text offset of the last read, -1: none */
	unsigned last_read_size;
	u64 last_read_val;
	void (*line)(void *ctx, const char *text, unsigned len);
	void *ctx;
};

/* Power-on state (mode 3 register values); @line receives mirrored rows. */
void vga_init(struct vga *g, void (*line)(void *, const char *, unsigned), void *ctx);

/* The memory window at offsets 0-0x1ffff (bus callbacks). */
u64 vga_mem_read(void *dev, u64 offset, unsigned size);
void vga_mem_write(void *dev, u64 offset, unsigned size, u64 val);

/* The registers at port offsets 0-0x1f from 0x3c0 (bus callbacks); a
 * wider access is a sequence of byte accesses (OUT DX, AX to 0x3d4 sets
 * the index and the data register). */
u64 vga_port_read(void *dev, u64 offset, unsigned size);
void vga_port_write(void *dev, u64 offset, unsigned size, u64 val);

/* Print the row last written if it is not printed yet (at a stop). */
void vga_flush(struct vga *g);

#endif
