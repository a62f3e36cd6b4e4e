// SPDX-License-Identifier: MIT
//
// The VGA text guest: prints through the text buffer at 0xb8000 only, as a
// hobby kernel does. It clears the screen with REP STOSW, writes 30 lines
// "vga line <n>" (character + attribute words), moves the cursor through
// the CRTC (0x3d4/0x3d5) after each one and scrolls with REP MOVSD once the
// screen is full. The hypervisor mirrors finished rows to the console, so
// the system test finds each line there although this guest never writes
// them to the serial port. On the serial port it reports the register
// checks: cursor location, misc output, input status 1, text read-back.
// Its last row is left unfinished: the hypervisor prints it at the stop.
#include "lib/io.h"
#include "lib/printf.h"
#include "lib/test.h"

#define TEXT ((volatile u16 *)0xb8000)
#define COLS 80
#define ROWS 25
#define ATTR 0x0700
#define CRTC_INDEX 0x3d4
#define CRTC_DATA 0x3d5
#define MISC_READ 0x3cc
#define STATUS1 0x3da
#define LINES 30

static unsigned row, col;

static void set_cursor(unsigned pos)
{
	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, (u8)pos);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, (u8)(pos >> 8));
}

static unsigned get_cursor(void)
{
	unsigned pos;

	outb(CRTC_INDEX, 0x0e);
	pos = (unsigned)inb(CRTC_DATA) << 8;
	outb(CRTC_INDEX, 0x0f);
	return pos | inb(CRTC_DATA);
}

static void fill_words(volatile u16 *dst, u16 val, u32 count)
{
	asm volatile("cld; rep stosw" : "+D"(dst), "+c"(count) : "a"(val) : "memory");
}

// Rows 1..24 one row up (REP MOVSD, MMIO to MMIO), then a blank last row.
static void scroll(void)
{
	const volatile u16 *src = TEXT + COLS;
	volatile u16 *dst = TEXT;
	u32 count = (ROWS - 1) * COLS / 2;

	asm volatile("cld; rep movsl" : "+S"(src), "+D"(dst), "+c"(count) : : "memory");
	for (unsigned c = 0; c < COLS; c++)
		TEXT[(ROWS - 1) * COLS + c] = ATTR | ' ';
}

static void vga_putc(char ch)
{
	if (ch == '\n') {
		col = 0;
		if (++row == ROWS) {
			scroll();
			row = ROWS - 1;
		}
	} else {
		TEXT[row * COLS + col] = ATTR | (u8)ch;
		if (++col == COLS)
			vga_putc('\n');
	}
	set_cursor(row * COLS + col);
}

static void vga_puts(const char *s)
{
	while (*s)
		vga_putc(*s++);
}

static void check_registers(void)
{
	u8 a, b;

	check(inb(MISC_READ) == 0x67, "misc output reads 0x67 (colour, 0x3dx ports)");
	a = inb(STATUS1);
	b = inb(STATUS1);
	check((a ^ b) & 0x08, "input status 1 retrace bit toggles (0x%x, 0x%x)", a, b);
	set_cursor(12 * COLS + 34);
	check(get_cursor() == 12 * COLS + 34, "CRTC cursor location reads back");
	outw(CRTC_INDEX, 0x200a); // cursor start: cursor off, by a 16-bit OUT
	outb(CRTC_INDEX, 0x0a);
	check(inb(CRTC_DATA) == 0x20, "16-bit OUT to 0x3d4 sets index and data");
}

int main(void)
{
	char line[32];

	test_start("vga");
	check_registers();
	fill_words(TEXT, ATTR | ' ', COLS * ROWS);
	check(TEXT[0] == (ATTR | ' ') && TEXT[COLS * ROWS - 1] == (ATTR | ' '),
	      "REP STOSW cleared the screen");
	row = col = 0;
	set_cursor(0);
	for (unsigned i = 0; i < LINES; i++) {
		snprintf(line, sizeof(line), "vga line %u\n", i);
		vga_puts(line);
	}
	check(TEXT[(ROWS - 2) * COLS] == (ATTR | 'v') && TEXT[(ROWS - 2) * COLS + 9] ==
	      (ATTR | ('0' + (LINES - 1) / 10)), "text reads back after scrolling");
	check(get_cursor() == (ROWS - 1) * COLS, "cursor on the last row");
	vga_puts("vga done\n");
	vga_puts("vga last row, unfinished"); // printed when the guest stops
	test_finish();
}
