// SPDX-License-Identifier: MIT
/*
 * Unit tests of virtio-blk (vmm/virtio/virtio_blk.c) driven through the
 * virtio core by a fake driver (virtq_driver.h): config space and features,
 * each request type, read-only disks, out-of-range and unaligned transfers,
 * short headers and missing status bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio_blk.h"

#define DISK_SECTORS 128
#define QS 16
#define HDR VD_BUF
#define STATUS (VD_BUF + 0x100)
#define DATA (VD_BUF + 0x1000)


#include "tests/unit/fake_printk.h"

static struct virtio_blk blk;
static struct virtio_dev *d = &blk.vdev;
static u8 *disk;
static u16 used_seen;

static void bring_up(bool ro)
{
	assert_true(virtio_blk_init(&blk, disk, DISK_SECTORS * 512 + 100, ro, "hv-disk-serial-0123456789",
				    &vd_mem, "alpha"));
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 0, virtio_device_features(d, 0));
	virtio_set_driver_features(d, 1, virtio_device_features(d, 1));
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK);
	virtio_queue_set_size(d, 0, QS);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_DESC, VD_DESC);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_AVAIL, VD_AVAIL);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_USED, VD_USED);
	virtio_queue_enable(d, 0);
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	assert_true(virtio_dev_live(d));
}

static int setup(void **state)
{
	(void)state;
	vd_init();
	disk = malloc(DISK_SECTORS * 512 + 100);
	for (unsigned i = 0; i < DISK_SECTORS * 512 + 100; i++)
		disk[i] = (u8)(i * 7 + i / 512);
	used_seen = 0;
	log_msg[0] = 0;
	bring_up(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(disk);
	vd_fini();
	return 0;
}

/*
 * Submit one request: header {type, sector}, @out_len bytes of data from
 * DATA (readable) or @in_len bytes into DATA (writable), then the status
 * byte. Returns the status; *used gets the used length.
 */
static u8 submit(u32 type, u64 sector, u32 out_len, u32 in_len, u32 *used)
{
	u32 h[4] = { type, 0, (u32)sector, (u32)(sector >> 32) };
	u16 i = 0;

	memcpy(vd_ptr(HDR), h, 16);
	*(u8 *)vd_ptr(STATUS) = 0xee;
	vd_set(VD_DESC, i, HDR, 16, VIRTQ_DESC_F_NEXT, i + 1), i++;
	if (out_len)
		vd_set(VD_DESC, i, DATA, out_len, VIRTQ_DESC_F_NEXT, i + 1), i++;
	if (in_len)
		vd_set(VD_DESC, i, DATA, in_len, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, i + 1), i++;
	vd_set(VD_DESC, i, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	virtio_queue_notify(d, 0);
	assert_int_equal(vd_used(0)[1], ++used_seen);
	assert_int_equal(vd_used_id(0, used_seen - 1, QS), 0);
	if (used)
		*used = vd_used_len(0, used_seen - 1, QS);
	return *(u8 *)vd_ptr(STATUS);
}

static void test_config_and_features(void **state)
{
	(void)state;
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_CAPACITY, 4), DISK_SECTORS);
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_CAPACITY + 4, 4), 0);
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_BLK_SIZE, 4), 512);
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_SEG_MAX, 4), VIRTQ_MAX_SIZE - 2);
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_SIZE_MAX, 4), VIRTIO_BLK_SIZE_MAX);
	assert_int_equal(virtio_config_read(d, VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 4), VIRTIO_BLK_DWZ_SEG);
	assert_int_equal(d->device_id, VIRTIO_ID_BLOCK);
	u32 f = virtio_device_features(d, 0);
	assert_false(f & (1u << VIRTIO_BLK_F_RO));
	assert_true(f & (1u << VIRTIO_BLK_F_DISCARD));
	assert_true(f & (1u << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_true(f & (1u << VIRTIO_BLK_F_FLUSH));
	bring_up(true);
	f = virtio_device_features(d, 0);
	assert_true(f & (1u << VIRTIO_BLK_F_RO));
	assert_false(f & (1u << VIRTIO_BLK_F_DISCARD));
	assert_false(virtio_blk_init(&blk, disk, 511, false, "x", &vd_mem, "alpha"));
}

static void test_read(void **state)
{
	u32 used;

	(void)state;
	assert_int_equal(submit(VIRTIO_BLK_T_IN, 3, 0, 1024, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1025);
	assert_memory_equal(vd_ptr(DATA), disk + 3 * 512, 1024);
}

static void test_read_split_buffers(void **state)
{
	(void)state;
	u32 h[4] = { VIRTIO_BLK_T_IN, 0, 5, 0 };
	memcpy(vd_ptr(HDR), h, 16);
	vd_set(VD_DESC, 4, HDR, 16, VIRTQ_DESC_F_NEXT, 7);
	vd_set(VD_DESC, 7, DATA, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vd_set(VD_DESC, 2, DATA + 0x800, 412, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 9);
	vd_set(VD_DESC, 9, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 4);
	virtio_queue_notify(d, 0);
	assert_int_equal(*(u8 *)vd_ptr(STATUS), VIRTIO_BLK_S_OK);
	assert_memory_equal(vd_ptr(DATA), disk + 5 * 512, 100);
	assert_memory_equal(vd_ptr(DATA + 0x800), disk + 5 * 512 + 100, 412);
	assert_int_equal(vd_used_len(0, 0, QS), 513);
}

static void test_write(void **state)
{
	u32 used;

	(void)state;
	memset(vd_ptr(DATA), 0x5a, 1536);
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, 10, 1536, 0, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1);
	assert_memory_equal(disk + 10 * 512, vd_ptr(DATA), 1536);
	assert_int_not_equal(disk[13 * 512], 0x5a);
	/* the last sector */
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, DISK_SECTORS - 1, 512, 0, NULL), VIRTIO_BLK_S_OK);
}

static void test_read_only_refuses_writes(void **state)
{
	u8 before[512];

	(void)state;
	bring_up(true);
	used_seen = 0;
	memcpy(before, disk, 512);
	memset(vd_ptr(DATA), 0x5a, 512);
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, 0, 512, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_memory_equal(disk, before, 512);
	*(u64 *)vd_ptr(DATA) = 0;
	((u32 *)vd_ptr(DATA))[2] = 1;
	((u32 *)vd_ptr(DATA))[3] = 0;
	assert_int_equal(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 16, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_memory_equal(disk, before, 512);
	assert_int_equal(submit(VIRTIO_BLK_T_IN, 0, 0, 512, NULL), VIRTIO_BLK_S_OK);
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(submit(VIRTIO_BLK_T_IN, DISK_SECTORS, 0, 512, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 0, 1024, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, DISK_SECTORS, 0x200, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, 1ULL << 63, 0x200, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_IN, ~0ULL, 0, 512, NULL), VIRTIO_BLK_S_IOERR);
	/* the 100 bytes past the last whole sector are not on the disk */
	assert_int_equal(submit(VIRTIO_BLK_T_IN, DISK_SECTORS, 0, 0, NULL), VIRTIO_BLK_S_OK);
}

static void test_partial_sector_refused(void **state)
{
	(void)state;
	assert_int_equal(submit(VIRTIO_BLK_T_IN, 0, 0, 100, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_OUT, 0, 513, 0, NULL), VIRTIO_BLK_S_IOERR);
}

static void test_flush(void **state)
{
	u32 used;

	(void)state;
	assert_int_equal(submit(VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1);
}

static void test_get_id(void **state)
{
	u32 used;

	(void)state;
	assert_int_equal(submit(VIRTIO_BLK_T_GET_ID, 0, 0, 20, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 21);
	assert_memory_equal(vd_ptr(DATA), "hv-disk-serial-01234", 20);
	/* a short buffer gets what fits */
	assert_int_equal(submit(VIRTIO_BLK_T_GET_ID, 0, 0, 4, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 5);
}

static void set_seg(unsigned i, u64 sector, u32 n, u32 flags)
{
	u8 *s = vd_ptr(DATA + 16 * i);

	memcpy(s, &sector, 8);
	memcpy(s + 8, &n, 4);
	memcpy(s + 12, &flags, 4);
}

static void test_discard_and_write_zeroes(void **state)
{
	u8 zero[1024] = { 0 };

	(void)state;
	set_seg(0, 4, 2, 0);
	set_seg(1, 20, 1, 0);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 32, 0, NULL), VIRTIO_BLK_S_OK);
	assert_memory_equal(disk + 4 * 512, zero, 1024);
	assert_memory_equal(disk + 20 * 512, zero, 512);
	assert_int_not_equal(disk[6 * 512 + 1], 0);

	set_seg(0, 40, 2, VIRTIO_BLK_WZ_F_UNMAP);
	assert_int_equal(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0, NULL), VIRTIO_BLK_S_OK);
	assert_memory_equal(disk + 40 * 512, zero, 1024);

	/* unmap is no DISCARD flag; unknown WRITE_ZEROES flags */
	set_seg(0, 60, 1, VIRTIO_BLK_WZ_F_UNMAP);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 16, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	set_seg(0, 60, 1, 2);
	assert_int_equal(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_not_equal(disk[60 * 512 + 1], 0);
}

static void test_discard_checks_every_segment_first(void **state)
{
	(void)state;
	set_seg(0, 70, 1, 0);
	set_seg(1, DISK_SECTORS - 1, 2, 0); /* past the end */
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 32, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_not_equal(disk[70 * 512 + 1], 0); /* nothing applied */
	set_seg(0, 0, VIRTIO_BLK_DWZ_SECTORS + 1, 0);
	assert_int_equal(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 20, 0, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 16 * (VIRTIO_BLK_DWZ_SEG + 1), 0, NULL),
			 VIRTIO_BLK_S_IOERR);
	set_seg(0, ~0ULL - 1, 4, 0);
	assert_int_equal(submit(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0, NULL), VIRTIO_BLK_S_IOERR);
}

static void test_discard_not_negotiated(void **state)
{
	(void)state;
	virtio_set_status(d, 0);
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 1, 1);
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	memset(vd_ptr(VD_AVAIL), 0, 0x2000);
	used_seen = 0;
	virtio_queue_set_size(d, 0, QS);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_DESC, VD_DESC);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_AVAIL, VD_AVAIL);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_USED, VD_USED);
	virtio_queue_enable(d, 0);
	virtio_set_status(d, 0x0f);
	set_seg(0, 0, 1, 0);
	assert_int_equal(submit(VIRTIO_BLK_T_DISCARD, 0, 16, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_not_equal(disk[1], 0);
}

static void test_short_header_and_unknown_type(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	virtio_queue_notify(d, 0);
	assert_int_equal(*(u8 *)vd_ptr(STATUS), VIRTIO_BLK_S_IOERR);
	used_seen++;
	assert_int_equal(submit(99, 0, 0, 0, NULL), VIRTIO_BLK_S_UNSUPP);
}

static void test_no_status_byte(void **state)
{
	(void)state;
	u32 h[4] = { VIRTIO_BLK_T_OUT, 0, 0, 0 };
	memcpy(vd_ptr(HDR), h, 16);
	vd_set(VD_DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, DATA, 512, 0, 0);
	vd_offer(0, QS, 0);
	virtio_queue_notify(d, 0);
	assert_true(virtio_get_status(d) & VIRTIO_STATUS_NEEDS_RESET);
	assert_string_equal(log_msg, "guest alpha virtio-blk queue 0 request without a status byte");
	assert_int_equal(vd_used(0)[1], 1);
}

static void test_several_requests_one_notify(void **state)
{
	(void)state;
	for (u16 r = 0; r < 4; r++) {
		u16 b = r * 3;
		u32 h[4] = { VIRTIO_BLK_T_IN, 0, r, 0 };

		memcpy(vd_ptr(HDR + 32 * r), h, 16);
		vd_set(VD_DESC, b, HDR + 32 * r, 16, VIRTQ_DESC_F_NEXT, b + 1);
		vd_set(VD_DESC, b + 1, DATA + 512 * r, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, b + 2);
		vd_set(VD_DESC, b + 2, STATUS + r, 1, VIRTQ_DESC_F_WRITE, 0);
		vd_offer(0, QS, b);
	}
	virtio_queue_notify(d, 0);
	assert_int_equal(vd_used(0)[1], 4);
	assert_memory_equal(vd_ptr(DATA), disk, 2048);
	assert_int_equal(vd_used_id(0, 3, QS), 9);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_and_features),
		T(test_read),
		T(test_read_split_buffers),
		T(test_write),
		T(test_read_only_refuses_writes),
		T(test_out_of_range),
		T(test_partial_sector_refused),
		T(test_flush),
		T(test_get_id),
		T(test_discard_and_write_zeroes),
		T(test_discard_checks_every_segment_first),
		T(test_discard_not_negotiated),
		T(test_short_header_and_unknown_type),
		T(test_no_status_byte),
		T(test_several_requests_one_notify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
