// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the GDB remote protocol codec (vmm/gdb_rsp.c):
 * checksums (the manual's own examples), framing and acknowledgements,
 * Ctrl-C outside a packet, escapes both ways, run-length encoding both
 * ways (never with a forbidden count character), bad checksums, broken
 * and over-long packets, and hex helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/gdb_rsp.h"

static struct gdb_rsp_dec d;

/* Feed @s; return the last event that was not NONE. */
static enum gdb_rsp_event feed(const char *s, size_t n)
{
	enum gdb_rsp_event last = GDB_RSP_NONE, e;

	for (size_t i = 0; i < n; i++)
		if ((e = gdb_rsp_dec_byte(&d, (u8)s[i])) != GDB_RSP_NONE)
			last = e;
	return last;
}

#define FEED(s) feed(s, sizeof(s) - 1)

static int setup(void **state)
{
	(void)state;
	gdb_rsp_dec_init(&d);
	return 0;
}

static void test_checksum_and_frame(void **state)
{
	u8 out[64];
	u32 n;

	(void)state;
	assert_int_equal(gdb_rsp_checksum((const u8 *)"", 0), 0);
	/* "$OK#9a" and "$g#67" as every RSP trace shows them. */
	assert_int_equal(gdb_rsp_checksum((const u8 *)"OK", 2), 0x9a);
	assert_int_equal(gdb_rsp_checksum((const u8 *)"g", 1), 0x67);
	n = gdb_rsp_encode((const u8 *)"OK", 2, false, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "$OK#9a", 6);
	n = gdb_rsp_encode((const u8 *)"", 0, true, out, sizeof(out));
	assert_memory_equal(out, "$#00", n);
	assert_int_equal(FEED("$g#67"), GDB_RSP_PACKET);
	assert_int_equal(d.len, 1);
	assert_int_equal(d.data[0], 'g');
	{
		static const char q[] = "qSupported:multiprocess+;xmlRegisters=i386";
		char pkt[80];

		snprintf(pkt, sizeof(pkt), "$%s#%02x", q, gdb_rsp_checksum((const u8 *)q, strlen(q)));
		assert_int_equal(feed(pkt, strlen(pkt)), GDB_RSP_PACKET);
		assert_int_equal(d.len, strlen(q));
		assert_memory_equal(d.data, q, d.len);
	}
	/* Upper-case checksum digits are fine too. */
	assert_int_equal(FEED("$OK#9A"), GDB_RSP_PACKET);
}

static void test_acks_and_interrupt(void **state)
{
	(void)state;
	assert_int_equal(FEED("+"), GDB_RSP_ACK);
	assert_int_equal(FEED("-"), GDB_RSP_NAK);
	assert_int_equal(FEED("\x03"), GDB_RSP_INTERRUPT);
	assert_int_equal(FEED("garbage"), GDB_RSP_NONE);
	/* Inside a packet 0x03, '+' and '-' are data. */
	assert_int_equal(FEED("$a+-\x03#" "f2"), GDB_RSP_BAD_SUM);
	{
		const u8 raw[] = { 'a', '+', '-', 3 };
		char pkt[16];

		snprintf(pkt, sizeof(pkt), "$a+-\x03#%02x", gdb_rsp_checksum(raw, 4));
		assert_int_equal(feed(pkt, strlen(pkt)), GDB_RSP_PACKET);
		assert_int_equal(d.len, 4);
		assert_memory_equal(d.data, raw, 4);
	}
}

static void test_bad_packets(void **state)
{
	(void)state;
	assert_int_equal(FEED("$g#68"), GDB_RSP_BAD_SUM);
	assert_int_equal(FEED("$g#6z"), GDB_RSP_BAD_SUM);
	/* A '$' inside a packet drops it and starts again. */
	assert_int_equal(FEED("$garb$g#67"), GDB_RSP_PACKET);
	assert_int_equal(d.len, 1);
	/* Longer than GDB_RSP_MAX: reported, not overrun. */
	{
		static char big[GDB_RSP_MAX + 20];
		u8 sum = 0;

		big[0] = '$';
		for (u32 i = 1; i <= GDB_RSP_MAX + 10; i++) {
			big[i] = 'x';
			sum = (u8)(sum + 'x');
		}
		snprintf(big + GDB_RSP_MAX + 11, 8, "#%02x", sum);
		assert_int_equal(feed(big, strlen(big)), GDB_RSP_OVERFLOW);
		assert_int_equal(d.len, GDB_RSP_MAX);
	}
	assert_int_equal(FEED("$g#67"), GDB_RSP_PACKET);
}

static void test_escapes(void **state)
{
	const u8 payload[] = { 'M', '#', '$', '}', '*', 0x03, 0x7d ^ 0x20 };
	u8 out[64];
	u32 n;

	(void)state;
	n = gdb_rsp_encode(payload, sizeof(payload), true, out, sizeof(out));
	/* '#' -> "}\x03", '$' -> "}\x04", '}' -> "}]", '*' -> "}\x0a". */
	assert_memory_equal(out, "$M}\x03}\x04}]}\x0a\x03]#", n - 2);
	assert_int_equal(feed((const char *)out, n), GDB_RSP_PACKET);
	assert_int_equal(d.len, sizeof(payload));
	assert_memory_equal(d.data, payload, sizeof(payload));
}

static void test_run_length(void **state)
{
	u8 in[300], out[700];
	u32 n;

	(void)state;
	/* "0" x 8: '0' then 7 repeats: count char 7 + 29 = '$' is forbidden,
	 * so 6 repeats ('#') is forbidden too: 5 repeats ('"'), then "0"
	 * and one more "0" plainly... decoded back exactly in any case. */
	memset(in, '0', 8);
	n = gdb_rsp_encode(in, 8, true, out, sizeof(out));
	assert_int_equal(feed((const char *)out, n), GDB_RSP_PACKET);
	assert_int_equal(d.len, 8);
	assert_memory_equal(d.data, in, 8);
	for (u32 i = 1; i + 3 < n; i++)
		if (out[i] == '*')
			assert_true(out[i + 1] != '#' && out[i + 1] != '$' && out[i + 1] != '+' &&
				    out[i + 1] != '-' && out[i + 1] <= '~');
	/* The manual's example: "0* " is four zeros. */
	{
		char pkt[16];

		snprintf(pkt, sizeof(pkt), "$0* #%02x", gdb_rsp_checksum((const u8 *)"0* ", 3));
		assert_int_equal(feed(pkt, strlen(pkt)), GDB_RSP_PACKET);
		assert_int_equal(d.len, 4);
		assert_memory_equal(d.data, "0000", 4);
	}
	/* Every run length 1..300 round-trips and RLE makes long runs short. */
	for (u32 len = 1; len <= sizeof(in); len++) {
		memset(in, 'a' + (char)(len % 20), len);
		n = gdb_rsp_encode(in, len, true, out, sizeof(out));
		assert_true(n > 0);
		if (len > 10)
			assert_true(n < len);
		assert_int_equal(feed((const char *)out, n), GDB_RSP_PACKET);
		assert_int_equal(d.len, len);
		assert_memory_equal(d.data, in, len);
	}
	/* Without RLE the bytes go as they are. */
	memset(in, 'z', 20);
	n = gdb_rsp_encode(in, 20, false, out, sizeof(out));
	assert_int_equal(n, 24);
	/* Too small an output: 0, never an overrun. */
	assert_int_equal(gdb_rsp_encode(in, 20, false, out, 23), 0);
	assert_int_equal(gdb_rsp_encode(in, 0, false, out, 3), 0);
}

static void test_hex(void **state)
{
	const u8 bytes[] = { 0x00, 0x7f, 0x80, 0xff, 0x12 };
	char hex[11] = { 0 };
	u8 back[5];

	(void)state;
	gdb_rsp_hex(bytes, 5, hex);
	assert_string_equal(hex, "007f80ff12");
	assert_true(gdb_rsp_unhex("007F80fF12", 5, back));
	assert_memory_equal(back, bytes, 5);
	assert_false(gdb_rsp_unhex("0g", 1, back));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_checksum_and_frame, setup),
		cmocka_unit_test_setup(test_acks_and_interrupt, setup),
		cmocka_unit_test_setup(test_bad_packets, setup),
		cmocka_unit_test_setup(test_escapes, setup),
		cmocka_unit_test_setup(test_run_length, setup),
		cmocka_unit_test_setup(test_hex, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
