// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the VGA text-mode model (vmm/dev/vga.c), driven
 * through its bus callbacks as a guest would: the mirroring rule of vga.h
 * (a row printed once when the guest writes another row or moves the
 * cursor to column 0 of a later row, whichever byte order it writes; attributes and unchanged characters
 * do not count; blank rows and trailing blanks dropped; a scroll by
 * copying rows up does not print them again; the start address selects
 * the displayed page), and the registers: CRTC index/data by byte and by
 * 16-bit OUT, write protection of CRTC 0-7, misc output, input status 1
 * toggling and resetting the attribute flip-flop, sequencer, graphics,
 * DAC read-back, reads outside the text buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/vga.h"

#define TEXT VGA_TEXT_OFFSET
#define P_CRTC_I 0x14
#define P_CRTC_D 0x15

/* What the hook printed: lines joined by '|'. */
static char printed[4096];
static unsigned nlines;

static void hook(void *ctx, const char *text, unsigned len)
{
	size_t n = strlen(printed);

	(void)ctx;
	snprintf(printed + n, sizeof(printed) - n, "%s%.*s", nlines ? "|" : "", (int)len, text);
	nlines++;
}

static struct vga g;

static int setup(void **state)
{
	(void)state;
	printed[0] = 0;
	nlines = 0;
	vga_init(&g, hook, NULL);
	return 0;
}

/* Write @s at (row, col) one character+attribute word at a time. */
static void put(unsigned row, unsigned col, const char *s)
{
	for (; *s; s++, col++)
		vga_mem_write(&g, TEXT + (row * VGA_COLS + col) * 2, 2, 0x0700u | (u8)*s);
}

static void cursor(unsigned row, unsigned col)
{
	unsigned pos = row * VGA_COLS + col;

	vga_port_write(&g, P_CRTC_I, 2, 0x0e | (pos & 0xff00));
	vga_port_write(&g, P_CRTC_I, 2, 0x0f | ((pos & 0xff) << 8));
}

static void test_row_printed_on_next_row(void **state)
{
	(void)state;
	put(0, 0, "hello");
	assert_int_equal(nlines, 0);
	put(1, 0, "world");
	assert_string_equal(printed, "hello");
	put(2, 4, "x");
	assert_string_equal(printed, "hello|world");
}

static void test_row_printed_on_cursor_move(void **state)
{
	(void)state;
	put(3, 0, "line three  ");
	cursor(3, 12);
	assert_int_equal(nlines, 0);
	cursor(4, 0);
	assert_string_equal(printed, "line three");
	cursor(5, 0); /* nothing new: printed once */
	assert_int_equal(nlines, 1);
}

/* Low byte first (the other common order), across a 256-cell boundary. */
static void test_cursor_low_byte_first(void **state)
{
	unsigned pos = 4 * VGA_COLS;

	(void)state;
	put(3, 0, "row 3");
	cursor(3, 5);
	vga_port_write(&g, P_CRTC_I, 2, 0x0f | ((pos & 0xff) << 8));
	assert_int_equal(nlines, 0);
	vga_port_write(&g, P_CRTC_I, 2, 0x0e | (pos & 0xff00));
	assert_string_equal(printed, "row 3");
}

static void test_cursor_mid_row_does_not_print(void **state)
{
	(void)state;
	put(0, 0, "abc");
	cursor(7, 5);
	assert_int_equal(nlines, 0);
	vga_flush(&g);
	assert_string_equal(printed, "abc");
}

static void test_blank_and_unchanged_rows(void **state)
{
	(void)state;
	for (unsigned r = 0; r < VGA_ROWS; r++)
		put(r, 0, "    "); /* a screen clear: nothing changes */
	for (unsigned r = 0; r < VGA_ROWS; r++)
		vga_mem_write(&g, TEXT + r * 160 + 1, 1, 0x1f); /* attributes only */
	put(0, 0, "a");
	put(0, 0, " ");
	put(1, 0, "b");
	assert_int_equal(nlines, 0); /* row 0 went blank again */
	put(1, 0, "b");             /* same character again: unchanged */
	put(2, 0, "c");
	assert_string_equal(printed, "b");
}

static void test_unprintable_shown_as_dot(void **state)
{
	(void)state;
	vga_mem_write(&g, TEXT, 4, 0x07b20741); /* 'A', 0xb2 */
	put(1, 0, "z");
	assert_string_equal(printed, "A.");
}

/* Scroll as a guest does: copy rows 1..24 up (read, then write the same
 * value one row higher), clear the last row. */
static void scroll(unsigned size)
{
	for (u64 off = 160; off < 25 * 160; off += size) {
		u64 v = vga_mem_read(&g, TEXT + off, size);

		vga_mem_write(&g, TEXT + off - 160, size, v);
	}
	for (u64 off = 24 * 160; off < 25 * 160; off += 2)
		vga_mem_write(&g, TEXT + off, 2, 0x0720);
}

static void test_scroll_does_not_reprint(void **state)
{
	char want[4096] = "";

	(void)state;
	for (unsigned i = 0; i < 30; i++) {
		char line[16];
		unsigned row = i < 25 ? i : 24;

		snprintf(line, sizeof(line), "line %u", i);
		if (i >= 25)
			scroll(i & 1 ? 4 : 2);
		put(row, 0, line);
		cursor(row < 24 ? row + 1 : 24, 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? "|" : "",
			 line);
	}
	scroll(2); /* the last line scrolls up: printed when the guest leaves it */
	assert_string_equal(printed, want);
	assert_int_equal(nlines, 30);
}

static void test_start_address_selects_page(void **state)
{
	(void)state;
	put(0, 0, "page0");
	vga_port_write(&g, P_CRTC_I, 2, 0x0c | (0x07 << 8)); /* start 0x7d0 cells */
	vga_port_write(&g, P_CRTC_I, 2, 0x0d | (0xd0 << 8));
	vga_mem_write(&g, TEXT + 4000, 2, 0x0750); /* 'P' at row 0 of page 1 */
	put(0, 1, "x");                          /* page 0: off screen now */
	vga_mem_write(&g, TEXT + 4000 + 160, 2, 0x0751);
	assert_string_equal(printed, "P");
}

static void test_crtc_registers(void **state)
{
	(void)state;
	vga_port_write(&g, P_CRTC_I, 1, 0x0a);
	vga_port_write(&g, P_CRTC_D, 1, 0x20); /* cursor off */
	assert_int_equal(vga_port_read(&g, P_CRTC_D, 1), 0x20);
	vga_port_write(&g, P_CRTC_I, 2, 0x550e);
	assert_int_equal(vga_port_read(&g, P_CRTC_I, 2), 0x550e);
	/* 0x11 bit 7 (set in mode 3) protects 0-7 */
	vga_port_write(&g, P_CRTC_I, 2, 0x1201);
	assert_int_equal(vga_port_read(&g, P_CRTC_D, 1), 0x4f);
	vga_port_write(&g, P_CRTC_I, 2, 0x0e11);
	vga_port_write(&g, P_CRTC_I, 2, 0x1201);
	assert_int_equal(vga_port_read(&g, P_CRTC_D, 1), 0x12);
	vga_port_write(&g, P_CRTC_I, 1, 0x30); /* no such register */
	vga_port_write(&g, P_CRTC_D, 1, 0x99);
	assert_int_equal(vga_port_read(&g, P_CRTC_D, 1), 0);
}

static void test_misc_status_attr(void **state)
{
	u8 a, b;

	(void)state;
	assert_int_equal(vga_port_read(&g, 0x0c, 1), 0x67);
	vga_port_write(&g, 0x02, 1, 0x63);
	assert_int_equal(vga_port_read(&g, 0x0c, 1), 0x63);
	a = (u8)vga_port_read(&g, 0x1a, 1);
	b = (u8)vga_port_read(&g, 0x1a, 1);
	assert_int_equal(a ^ b, 0x09); /* retrace bits toggle */
	/* attribute: index, data; a status read resets the flip-flop */
	vga_port_write(&g, 0x00, 1, 0x10);
	vga_port_write(&g, 0x00, 1, 0x01);
	assert_int_equal(vga_port_read(&g, 0x01, 1), 0x01);
	vga_port_write(&g, 0x00, 1, 0x12); /* index 0x12 */
	vga_port_read(&g, 0x1a, 1);        /* back to "index" */
	vga_port_write(&g, 0x00, 1, 0x13);
	vga_port_write(&g, 0x00, 1, 0x05);
	assert_int_equal(vga_port_read(&g, 0x00, 1), 0x13);
	assert_int_equal(vga_port_read(&g, 0x01, 1), 0x05);
}

static void test_seq_gc_dac(void **state)
{
	(void)state;
	assert_int_equal(vga_port_read(&g, 0x04, 2) >> 8, 0x03); /* seq 0 */
	vga_port_write(&g, 0x04, 2, 0x0f02);
	assert_int_equal(vga_port_read(&g, 0x05, 1), 0x0f);
	vga_port_write(&g, 0x0e, 2, 0x0a05);
	assert_int_equal(vga_port_read(&g, 0x0f, 1), 0x0a);
	vga_port_write(&g, 0x08, 1, 7);
	vga_port_write(&g, 0x09, 1, 0x11);
	vga_port_write(&g, 0x09, 1, 0x22);
	vga_port_write(&g, 0x09, 1, 0xff); /* 6 bits kept */
	assert_int_equal(vga_port_read(&g, 0x08, 1), 8);
	vga_port_write(&g, 0x07, 1, 7);
	assert_int_equal(vga_port_read(&g, 0x09, 1), 0x11);
	assert_int_equal(vga_port_read(&g, 0x09, 1), 0x22);
	assert_int_equal(vga_port_read(&g, 0x09, 1), 0x3f);
}

static void test_memory_window(void **state)
{
	(void)state;
	assert_int_equal(vga_mem_read(&g, 0, 4), ~0ULL);
	vga_mem_write(&g, 0x100, 4, 0x12345678); /* graphics planes: dropped */
	assert_int_equal(vga_mem_read(&g, TEXT, 2), 0x0720);
	vga_mem_write(&g, TEXT + 0x7ffe, 2, 0x4142);
	assert_int_equal(vga_mem_read(&g, TEXT + 0x7ffe, 2), 0x4142);
	vga_mem_write(&g, TEXT + 10, 8, 0x0744074307420741ULL);
	assert_int_equal(vga_mem_read(&g, TEXT + 10, 8), 0x0744074307420741ULL);
	assert_int_equal(nlines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_row_printed_on_next_row, setup),
		cmocka_unit_test_setup(test_row_printed_on_cursor_move, setup),
		cmocka_unit_test_setup(test_cursor_low_byte_first, setup),
		cmocka_unit_test_setup(test_cursor_mid_row_does_not_print, setup),
		cmocka_unit_test_setup(test_blank_and_unchanged_rows, setup),
		cmocka_unit_test_setup(test_unprintable_shown_as_dot, setup),
		cmocka_unit_test_setup(test_scroll_does_not_reprint, setup),
		cmocka_unit_test_setup(test_start_address_selects_page, setup),
		cmocka_unit_test_setup(test_crtc_registers, setup),
		cmocka_unit_test_setup(test_misc_status_attr, setup),
		cmocka_unit_test_setup(test_seq_gc_dac, setup),
		cmocka_unit_test_setup(test_memory_window, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
