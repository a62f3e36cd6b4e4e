// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the fw_cfg model (vmm/dev/fw_cfg.c), driven through
 * its bus callbacks as a guest would drive ports 0x510/0x511: the standard
 * items (signature, ID, RAM size, CPU counts, empty file directory) read
 * byte by byte, zeros past an item's end and for unknown keys, selecting
 * again restarts an item, wide data reads, ignored writes, and the item
 * table's limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/dev/fw_cfg.h"

static struct fw_cfg fw;

static void sel(u16 key)
{
	fw_cfg_write(&fw, FW_CFG_REG_SELECTOR, 2, key);
}

static u8 rd8(void)
{
	return (u8)fw_cfg_read(&fw, FW_CFG_REG_DATA, 1);
}

/* Read @n bytes of the selected item the traditional way: one inb each. */
static u64 rd_le(unsigned n)
{
	u64 v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (u64)rd8() << (8 * i);
	return v;
}

static int setup(void **state)
{
	(void)state;
	fw_cfg_init(&fw, 3ULL * GiB + 4096, 4);
	return 0;
}

static void test_signature(void **state)
{
	char sig[5] = { 0 };

	(void)state;
	sel(FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)rd8();
	assert_string_equal(sig, "QEMU");
	assert_int_equal(rd8(), 0); /* past the end */
	assert_int_equal(rd8(), 0);
}

static void test_id_ram_cpus(void **state)
{
	(void)state;
	sel(FW_CFG_ID);
	assert_int_equal(rd_le(4), FW_CFG_ID_TRADITIONAL);
	sel(FW_CFG_RAM_SIZE);
	assert_int_equal(rd_le(8), 3ULL * GiB + 4096);
	sel(FW_CFG_NB_CPUS);
	assert_int_equal(rd_le(2), 4);
	assert_int_equal(rd8(), 0);
	sel(FW_CFG_MAX_CPUS);
	assert_int_equal(rd_le(2), 4);
	sel(FW_CFG_FILE_DIR);
	assert_int_equal(rd_le(4), 0); /* no files */
}

static void test_unknown_key_reads_zero(void **state)
{
	(void)state;
	sel(0x1234);
	assert_int_equal(rd_le(8), 0);
	sel(0x8000); /* arch-local keys: none */
	assert_int_equal(rd_le(4), 0);
	sel(0x0002); /* UUID: not provided */
	assert_int_equal(rd_le(8), 0);
}

static void test_reselect_restarts(void **state)
{
	(void)state;
	sel(FW_CFG_SIGNATURE);
	assert_int_equal(rd8(), 'Q');
	assert_int_equal(rd8(), 'E');
	sel(FW_CFG_SIGNATURE);
	assert_int_equal(rd8(), 'Q');
	sel(FW_CFG_NB_CPUS);
	assert_int_equal(rd8(), 4);
}

static void test_wide_reads_and_selector_read(void **state)
{
	(void)state;
	sel(FW_CFG_SIGNATURE);
	assert_int_equal(fw_cfg_read(&fw, FW_CFG_REG_DATA, 4), 0x554d4551); /* "QEMU" */
	assert_int_equal(fw_cfg_read(&fw, FW_CFG_REG_DATA, 2), 0);
	sel(FW_CFG_RAM_SIZE);
	assert_int_equal(fw_cfg_read(&fw, FW_CFG_REG_DATA, 8), 3ULL * GiB + 4096);
	assert_int_equal(fw_cfg_read(&fw, FW_CFG_REG_SELECTOR, 2), 0);
}

static void test_writes(void **state)
{
	(void)state;
	sel(FW_CFG_SIGNATURE);
	fw_cfg_write(&fw, FW_CFG_REG_DATA, 1, 0x55); /* ignored, no advance */
	assert_int_equal(rd8(), 'Q');
	/* The write-channel bit still selects the item (reads only). */
	sel(FW_CFG_WRITE_CHANNEL | FW_CFG_NB_CPUS);
	assert_int_equal(rd_le(2), 4);
	/* A byte-wide selector write selects by the low byte. */
	fw_cfg_write(&fw, FW_CFG_REG_SELECTOR, 1, FW_CFG_ID);
	assert_int_equal(rd_le(4), 1);
}

static void test_no_selection_reads_zero(void **state)
{
	(void)state;
	assert_int_equal(rd8(), 0); /* fresh device: nothing selected */
}

static void test_add_limits(void **state)
{
	u8 big[FW_CFG_ITEM_MAX + 1] = { 0 };
	u16 v = 7;
	unsigned added = 0;

	(void)state;
	assert_false(fw_cfg_add(&fw, 0x30, big, sizeof(big)));
	assert_true(fw_cfg_add(&fw, FW_CFG_NB_CPUS, &v, 2)); /* replace */
	sel(FW_CFG_NB_CPUS);
	assert_int_equal(rd_le(2), 7);
	while (fw_cfg_add(&fw, (u16)(0x40 + added), &v, 2))
		added++;
	assert_int_equal(fw.n, FW_CFG_MAX_ITEMS);
	assert_int_equal(added, FW_CFG_MAX_ITEMS - 6);
	sel((u16)(0x40 + added - 1));
	assert_int_equal(rd_le(2), 7);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_signature),
		T(test_id_ram_cpus),
		T(test_unknown_key_reads_zero),
		T(test_reselect_restarts),
		T(test_wide_reads_and_selector_read),
		T(test_writes),
		T(test_no_selection_reads_zero),
		T(test_add_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
