// SPDX-License-Identifier: MIT
/*
 * VGA text mode and the mirroring of its text to the console (vga.h).
 * Register values of mode 3 and the port map: IBM VGA Technical Reference
 * (CRTC, sequencer, graphics and attribute controller tables).
 */
#include "kernel/string.h"
#include "vmm/dev/vga.h"

#define CRTC_START_HI 0x0c
#define CRTC_START_LO 0x0d
#define CRTC_CURSOR_HI 0x0e
#define CRTC_CURSOR_LO 0x0f
#define CRTC_VRETRACE_END 0x11 /* bit 7 protects registers 0-7 */
#define CRTC_REGS 0x19
#define ROW_BYTES (VGA_COLS * 2)
#define STATUS_TOGGLE 0x09 /* vertical retrace (3) and display off (0) */

/* Port offsets from 0x3c0. */
enum {
	P_ATTR = 0x00, P_ATTR_READ = 0x01, P_MISC_W = 0x02, P_SEQ_I = 0x04, P_SEQ_D = 0x05,
	P_DAC_MASK = 0x06, P_DAC_READ = 0x07, P_DAC_WRITE = 0x08, P_DAC_DATA = 0x09,
	P_FEATURE_R = 0x0a, P_MISC_R = 0x0c, P_GC_I = 0x0e, P_GC_D = 0x0f,
	P_CRTC_I = 0x14, P_CRTC_D = 0x15, P_STATUS = 0x1a,
};

static const u8 mode3_crtc[CRTC_REGS] = {
	0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
	0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const u8 mode3_seq[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const u8 mode3_gc[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
static const u8 mode3_attr[21] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
	0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};

void vga_init(struct vga *g, void (*line)(void *, const char *, unsigned), void *ctx)
{
	memset(g, 0, sizeof(*g));
	for (unsigned i = 0; i < VGA_TEXT_SIZE; i += 2) {
		g->text[i] = ' ';
		g->text[i + 1] = 0x07;
	}
	memcpy(g->crtc, mode3_crtc, sizeof(mode3_crtc));
	memcpy(g->seq, mode3_seq, sizeof(mode3_seq));
	memcpy(g->gc, mode3_gc, sizeof(mode3_gc));
	memcpy(g->attr, mode3_attr, sizeof(mode3_attr));
	g->misc = 0x67; /* colour, 0x3dx ports, RAM enabled */
	g->dac_mask = 0xff;
	g->last_row = -1;
	g->last_read = -1;
	g->line = line;
	g->ctx = ctx;
}

/* Text offset of the first displayed cell (the start address counts
 * cells). */
static u32 display_start(const struct vga *g)
{
	return (((u32)g->crtc[CRTC_START_HI] << 8) | g->crtc[CRTC_START_LO]) * 2;
}

/* Displayed row of text offset @off, or -1. */
static int row_of(const struct vga *g, u32 off)
{
	u32 start = display_start(g);

	if (off < start || off - start >= VGA_ROWS * ROW_BYTES)
		return -1;
	return (int)((off - start) / ROW_BYTES);
}

static void print_row(struct vga *g, int row)
{
	char buf[VGA_COLS];
	u32 off = display_start(g) + (u32)row * ROW_BYTES;
	unsigned len = 0;

	g->dirty &= ~(1u << row);
	if (!g->line || off + ROW_BYTES > VGA_TEXT_SIZE)
		return;
	for (unsigned c = 0; c < VGA_COLS; c++) {
		u8 ch = g->text[off + 2 * c];

		buf[c] = ch == 0 ? ' ' : (ch >= 0x20 && ch < 0x7f) ? (char)ch : '.';
		if (buf[c] != ' ')
			len = c + 1;
	}
	if (len)
		g->line(g->ctx, buf, len);
}

/* The guest left the row it wrote last: print it if it is unprinted. */
static void leave_row(struct vga *g, int new_row)
{
	if (g->last_row >= 0 && g->last_row != new_row && (g->dirty & (1u << g->last_row)))
		print_row(g, g->last_row);
}

void vga_flush(struct vga *g)
{
	leave_row(g, -1);
}

/* One byte of a text write; @copy: the write copies the byte one row
 * down (a scroll), so the row inherits that row's printed state. */
static void text_write_byte(struct vga *g, u32 off, u8 b, bool copy)
{
	int row = row_of(g, off);
	bool changed = g->text[off] != b;

	g->text[off] = b;
	if (row < 0 || ((off - display_start(g)) & 1))
		return; /* off screen, or an attribute byte */
	leave_row(g, row);
	g->last_row = row;
	if (copy && row + 1 < VGA_ROWS)
		g->dirty = (g->dirty & ~(1u << row)) | (((g->dirty >> (row + 1)) & 1) << row);
	else if (changed)
		g->dirty |= 1u << row;
}

u64 vga_mem_read(void *dev, u64 offset, unsigned size)
{
	struct vga *g = dev;
	u64 val = 0;

	if (offset < VGA_TEXT_OFFSET || offset + size > VGA_WINDOW_LEN)
		return ~0ULL;
	offset -= VGA_TEXT_OFFSET;
	for (unsigned i = 0; i < size; i++)
		val |= (u64)g->text[offset + i] << (8 * i);
	g->last_read = (long)offset;
	g->last_read_size = size;
	g->last_read_val = val;
	return val;
}

void vga_mem_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct vga *g = dev;
	bool copy;

	if (offset < VGA_TEXT_OFFSET || offset + size > VGA_WINDOW_LEN)
		return;
	offset -= VGA_TEXT_OFFSET;
	copy = g->last_read == (long)(offset + ROW_BYTES) && g->last_read_size == size &&
	       g->last_read_val == val;
	g->last_read = -1;
	for (unsigned i = 0; i < size; i++)
		text_write_byte(g, (u32)offset + i, (u8)(val >> (8 * i)), copy);
}

/* A write of the cursor location: column 0 of a later row ends a line.
 * Only a later row: guests write the two bytes one at a time, and the
 * value in between (new high byte, old low byte) is often an earlier one. */
static void cursor_moved(struct vga *g)
{
	u32 pos = (((u32)g->crtc[CRTC_CURSOR_HI] << 8) | g->crtc[CRTC_CURSOR_LO]) * 2;
	int row = row_of(g, pos);

	if (row > g->last_row && ((pos - display_start(g)) % ROW_BYTES) == 0)
		leave_row(g, row);
}

static void crtc_write(struct vga *g, u8 val)
{
	u8 i = g->crtc_index;

	if (i >= CRTC_REGS || (i < 8 && (g->crtc[CRTC_VRETRACE_END] & 0x80)))
		return;
	g->crtc[i] = val;
	if (i == CRTC_CURSOR_HI || i == CRTC_CURSOR_LO)
		cursor_moved(g);
}

static void attr_write(struct vga *g, u8 val)
{
	if (g->attr_data)
		g->attr[g->attr_index & 0x1f] = val;
	else
		g->attr_index = val & 0x3f;
	g->attr_data = !g->attr_data;
}

static void dac_data_write(struct vga *g, u8 val)
{
	g->palette[g->dac_write * 3 + g->dac_comp] = val & 0x3f;
	if (++g->dac_comp == 3) {
		g->dac_comp = 0;
		g->dac_write++;
	}
}

static void port_write_byte(struct vga *g, unsigned port, u8 val)
{
	switch (port) {
	case P_ATTR: attr_write(g, val); break;
	case P_MISC_W: g->misc = val; break;
	case P_SEQ_I: g->seq_index = val; break;
	case P_SEQ_D: g->seq[g->seq_index & 7] = val; break;
	case P_DAC_MASK: g->dac_mask = val; break;
	case P_DAC_READ: g->dac_read = val; g->dac_comp = 0; break;
	case P_DAC_WRITE: g->dac_write = val; g->dac_comp = 0; break;
	case P_DAC_DATA: dac_data_write(g, val); break;
	case P_GC_I: g->gc_index = val; break;
	case P_GC_D: g->gc[g->gc_index & 15] = val; break;
	case P_CRTC_I: g->crtc_index = val; break;
	case P_CRTC_D: crtc_write(g, val); break;
	case P_STATUS: g->feature = val; break;
	default: break;
	}
}

static u8 dac_data_read(struct vga *g)
{
	u8 v = g->palette[g->dac_read * 3 + g->dac_comp];

	if (++g->dac_comp == 3) {
		g->dac_comp = 0;
		g->dac_read++;
	}
	return v;
}

/* Input status 1 (0x3da): reading it resets the attribute flip-flop. */
static u8 status_read(struct vga *g)
{
	g->attr_data = false;
	g->status ^= STATUS_TOGGLE;
	return g->status;
}

static u8 port_read_byte(struct vga *g, unsigned port)
{
	switch (port) {
	case P_ATTR: return g->attr_index;
	case P_ATTR_READ: return g->attr[g->attr_index & 0x1f];
	case P_MISC_W: return 0; /* input status 0 */
	case P_SEQ_I: return g->seq_index;
	case P_SEQ_D: return g->seq[g->seq_index & 7];
	case P_DAC_MASK: return g->dac_mask;
	case P_DAC_WRITE: return g->dac_write;
	case P_DAC_DATA: return dac_data_read(g);
	case P_FEATURE_R: return g->feature;
	case P_MISC_R: return g->misc;
	case P_GC_I: return g->gc_index;
	case P_GC_D: return g->gc[g->gc_index & 15];
	case P_CRTC_I: return g->crtc_index;
	case P_CRTC_D: return g->crtc_index < CRTC_REGS ? g->crtc[g->crtc_index] : 0;
	case P_STATUS: return status_read(g);
	default: return 0xff;
	}
}

u64 vga_port_read(void *dev, u64 offset, unsigned size)
{
	u64 val = 0;

	for (unsigned i = 0; i < size && offset + i < VGA_PORT_LEN; i++)
		val |= (u64)port_read_byte(dev, (unsigned)offset + i) << (8 * i);
	return val;
}

void vga_port_write(void *dev, u64 offset, unsigned size, u64 val)
{
	for (unsigned i = 0; i < size && offset + i < VGA_PORT_LEN; i++)
		port_write_byte(dev, (unsigned)offset + i, (u8)(val >> (8 * i)));
}
