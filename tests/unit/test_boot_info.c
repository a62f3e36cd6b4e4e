// SPDX-License-Identifier: MIT
/*
 * Host unit tests for boot_info_message() (boot/boot_info.c): each call
 * appends one "level: text\n" line to bi->messages, line ends inside the
 * text become spaces, and when the BOOT_MSG_MAX buffer fills up the last
 * line is cut short, still ends in "\n", later lines are dropped and the
 * buffer always stays NUL-terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/boot_info.h"

static struct boot_info bi;

static void reset(void)
{
	memset(&bi, 0, sizeof(bi));
}

/* Fill messages[] with @n 'a' characters followed by a NUL. */
static void prefill(size_t n)
{
	reset();
	memset(bi.messages, 'a', n);
	bi.messages[n] = 0;
}

static void test_one_line(void **state)
{
	(void)state;
	reset();
	boot_info_message(&bi, "info", "hello");
	assert_string_equal(bi.messages, "info: hello\n");
}

static void test_lines_appended_in_order(void **state)
{
	(void)state;
	reset();
	boot_info_message(&bi, "error", "first");
	boot_info_message(&bi, "warn", "second");
	boot_info_message(&bi, "info", "third");
	assert_string_equal(bi.messages,
			    "error: first\nwarn: second\ninfo: third\n");
}

static void test_empty_text_and_level(void **state)
{
	(void)state;
	reset();
	boot_info_message(&bi, "warn", "");
	boot_info_message(&bi, "", "x");
	assert_string_equal(bi.messages, "warn: \n: x\n");
}

static void test_line_ends_become_spaces(void **state)
{
	(void)state;
	reset();
	boot_info_message(&bi, "error", "two\nlines\r\nhere\n");
	assert_string_equal(bi.messages, "error: two lines  here \n");
	reset();
	boot_info_message(&bi, "in\nfo", "x");
	assert_string_equal(bi.messages, "in fo: x\n");
}

/* Nothing outside messages[] is written. */
static void test_only_messages_written(void **state)
{
	struct boot_info copy;

	(void)state;
	memset(&bi, 0x33, sizeof(bi));
	bi.messages[0] = 0;
	copy = bi;
	for (int i = 0; i < 100; i++)
		boot_info_message(&bi, "warn", "a message that is repeated");
	memcpy(copy.messages, bi.messages, BOOT_MSG_MAX);
	assert_memory_equal(&bi, &copy, sizeof(bi));
}

/* Room for part of the line: the text is cut, the line still ends. */
static void test_truncated_line(void **state)
{
	(void)state;
	prefill(BOOT_MSG_MAX - 10);
	boot_info_message(&bi, "warn", "something long");
	assert_int_equal(strlen(bi.messages), BOOT_MSG_MAX - 1);
	assert_string_equal(bi.messages + BOOT_MSG_MAX - 10, "warn: so\n");
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 1], 0);
}

/* The exact edges: 1021 used leaves "x\n", 1022 leaves nothing. */
static void test_edges(void **state)
{
	(void)state;
	prefill(BOOT_MSG_MAX - 4);
	boot_info_message(&bi, "warn", "x");
	assert_string_equal(bi.messages + BOOT_MSG_MAX - 4, "wa\n");

	prefill(BOOT_MSG_MAX - 3);
	boot_info_message(&bi, "warn", "x");
	assert_string_equal(bi.messages + BOOT_MSG_MAX - 3, "w\n");

	prefill(BOOT_MSG_MAX - 2);
	boot_info_message(&bi, "warn", "x");
	assert_int_equal(strlen(bi.messages), BOOT_MSG_MAX - 2);
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 2], 0);

	prefill(BOOT_MSG_MAX - 1);
	boot_info_message(&bi, "warn", "x");
	assert_int_equal(strlen(bi.messages), BOOT_MSG_MAX - 1);
}

static void test_fill_up(void **state)
{
	char before[BOOT_MSG_MAX];
	size_t len = 0;

	(void)state;
	reset();
	for (int i = 0; i < 200; i++) {
		boot_info_message(&bi, "info", "twenty characters...");
		assert_int_equal(bi.messages[BOOT_MSG_MAX - 1], 0);
		assert_true(strlen(bi.messages) >= len);
		len = strlen(bi.messages);
		assert_true(len < BOOT_MSG_MAX);
		assert_int_equal(bi.messages[len - 1], '\n');
	}
	/* 1023 bytes: 37 whole lines of 27 and a cut one of 24. */
	assert_int_equal(len, BOOT_MSG_MAX - 1);
	for (int i = 0; i < 37; i++)
		assert_memory_equal(bi.messages + i * 27, "info: twenty characters...\n", 27);
	assert_string_equal(bi.messages + 37 * 27, "info: twenty characters\n");
	memcpy(before, bi.messages, BOOT_MSG_MAX);
	boot_info_message(&bi, "error", "dropped");
	assert_memory_equal(bi.messages, before, BOOT_MSG_MAX);
}

static void test_one_huge_line(void **state)
{
	static char text[3 * BOOT_MSG_MAX];

	(void)state;
	memset(text, 'h', sizeof(text) - 1);
	reset();
	boot_info_message(&bi, "error", text);
	assert_int_equal(strlen(bi.messages), BOOT_MSG_MAX - 1);
	assert_memory_equal(bi.messages, "error: hhh", 10);
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 3], 'h');
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 2], '\n');
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 1], 0);
}

/* A buffer without any NUL (garbage) is terminated, not overrun. */
static void test_unterminated_buffer(void **state)
{
	(void)state;
	reset();
	memset(bi.messages, 'g', BOOT_MSG_MAX);
	boot_info_message(&bi, "warn", "x");
	assert_int_equal(bi.messages[BOOT_MSG_MAX - 1], 0);
	assert_int_equal(strlen(bi.messages), BOOT_MSG_MAX - 1);
	for (int i = 0; i < BOOT_MSG_MAX - 1; i++)
		assert_int_equal(bi.messages[i], 'g');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_lines_appended_in_order),
		cmocka_unit_test(test_empty_text_and_level),
		cmocka_unit_test(test_line_ends_become_spaces),
		cmocka_unit_test(test_only_messages_written),
		cmocka_unit_test(test_truncated_line),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_fill_up),
		cmocka_unit_test(test_one_huge_line),
		cmocka_unit_test(test_unterminated_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
