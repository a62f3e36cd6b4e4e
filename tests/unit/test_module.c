// SPDX-License-Identifier: MIT
/*
 * Host unit tests for boot module lookup (kernel/module.c): module_find()
 * matches a module whose name equals the one asked for or whose last path
 * component (after '/' or '\\') does, returns the first of duplicates,
 * only looks at the first @n modules and returns NULL when nothing fits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/module.h"

static const struct boot_module mods[] = {
	{ 0x1000000, 0x200, "hv.cfg" },
	{ 0x1001000, 0x900000, "/boot/guests/bzImage" },
	{ 0x1a00000, 0x400000, "\\EFI\\hv\\initrd.cpio" },
	{ 0x1e00000, 0x1000, "mixed/dir\\test.elf" },
	{ 0x1f00000, 0x2000, "hv.cfg" },           /* duplicate of [0] */
	{ 0x2000000, 0x3000, "/other/bzImage" },    /* same base name as [1] */
	{ 0x2100000, 0x10, "trailing/" },
	{ 0x2200000, 0x20, "late.bin" },
};

#define N ARRAY_SIZE(mods)

static void test_exact(void **state)
{
	(void)state;
	assert_ptr_equal(module_find(mods, N, "hv.cfg"), &mods[0]);
	assert_ptr_equal(module_find(mods, N, "/boot/guests/bzImage"), &mods[1]);
	assert_ptr_equal(module_find(mods, N, "\\EFI\\hv\\initrd.cpio"), &mods[2]);
	assert_ptr_equal(module_find(mods, N, "/other/bzImage"), &mods[5]);
	assert_ptr_equal(module_find(mods, N, "late.bin"), &mods[7]);
}

static void test_base_name_slash(void **state)
{
	(void)state;
	assert_ptr_equal(module_find(mods, N, "bzImage"), &mods[1]);
	assert_int_equal(module_find(mods, N, "bzImage")->size, 0x900000);
}

static void test_base_name_backslash(void **state)
{
	(void)state;
	assert_ptr_equal(module_find(mods, N, "initrd.cpio"), &mods[2]);
	assert_ptr_equal(module_find(mods, N, "test.elf"), &mods[3]);
}

static void test_no_match(void **state)
{
	static const char *const names[] = {
		"hv.cf", "v.cfg", "cfg", "HV.CFG", "hv.cfg ", "bzimage", "boot",
		"guests/bzImage", "boot/guests/bzImage", "hv\\initrd.cpio",
		"dir\\test.elf", "initrd", "/bzImage", "missing.bin",
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		if (module_find(mods, N, names[i]))
			print_message("matched: '%s'\n", names[i]);
		assert_null(module_find(mods, N, names[i]));
	}
}

static void test_first_duplicate(void **state)
{
	(void)state;
	assert_ptr_equal(module_find(mods, N, "hv.cfg"), &mods[0]);
	assert_int_equal(module_find(mods, N, "hv.cfg")->base, 0x1000000);
	/* Looking past the first: start the array at [1]. */
	assert_ptr_equal(module_find(mods + 1, N - 1, "hv.cfg"), &mods[4]);
}

/* An exact match later in the list loses to a base-name match earlier. */
static void test_first_match_of_either_kind(void **state)
{
	static const struct boot_module m[] = {
		{ 0x1000, 1, "/a/k" },
		{ 0x2000, 2, "k" },
	};

	(void)state;
	assert_ptr_equal(module_find(m, 2, "k"), &m[0]);
	assert_ptr_equal(module_find(m + 1, 1, "k"), &m[1]);
}

static void test_count_limits_search(void **state)
{
	(void)state;
	assert_null(module_find(mods, 0, "hv.cfg"));
	assert_null(module_find(NULL, 0, "hv.cfg"));
	assert_null(module_find(mods, 7, "late.bin"));
	assert_ptr_equal(module_find(mods, 8, "late.bin"), &mods[7]);
	assert_null(module_find(mods, 1, "bzImage"));
}

/* A name ending in a separator has an empty base name. */
static void test_empty_base_name(void **state)
{
	(void)state;
	assert_ptr_equal(module_find(mods, N, "trailing/"), &mods[6]);
	assert_null(module_find(mods, N, "trailing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_base_name_slash),
		cmocka_unit_test(test_base_name_backslash),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_first_duplicate),
		cmocka_unit_test(test_first_match_of_either_kind),
		cmocka_unit_test(test_count_limits_search),
		cmocka_unit_test(test_empty_base_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
