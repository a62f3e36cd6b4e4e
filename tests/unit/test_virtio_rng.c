// SPDX-License-Identifier: MIT
/*
 * Unit tests of virtio-rng (vmm/virtio/virtio_rng.c) through the virtio
 * core and the fake driver, with the CPU's RDSEED/RDRAND stubbed
 * (arch/x86/rng.h): buffers filled across spans, the per-request cap, a
 * source that runs dry, and a CPU without any source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/virtq_driver.h"
#include "vmm/virtio/virtio_rng.h"

#define QS 8

static enum arch_rng_source stub_source = ARCH_RNG_RDSEED;
static u64 stub_next;
static int stub_left; /* values before the source runs dry; < 0 = never */

#include "tests/unit/fake_printk.h"

enum arch_rng_source arch_rng_probe(void) { return stub_source; }

bool arch_rng_read(enum arch_rng_source src, u64 *out)
{
	assert_int_equal(src, stub_source);
	if (stub_left == 0)
		return false;
	if (stub_left > 0)
		stub_left--;
	*out = stub_next;
	stub_next += 0x0101010101010101ULL;
	return true;
}

static struct virtio_rng rng;
static struct virtio_dev *d = &rng.vdev;

static int setup(void **state)
{
	(void)state;
	vd_init();
	stub_source = ARCH_RNG_RDSEED;
	stub_next = 0x0807060504030201ULL;
	stub_left = -1;
	assert_true(virtio_rng_init(&rng, &vd_mem, "alpha"));
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 1, 1);
	virtio_set_status(d, 0x0b);
	virtio_queue_set_size(d, 0, QS);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_DESC, VD_DESC);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_AVAIL, VD_AVAIL);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_USED, VD_USED);
	virtio_queue_enable(d, 0);
	virtio_set_status(d, 0x0f);
	assert_true(virtio_dev_live(d));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

static u32 request(u32 len1, u32 len2)
{
	memset(vd_ptr(VD_BUF), 0, 0x10000);
	vd_set(VD_DESC, 0, VD_BUF, len1, VIRTQ_DESC_F_WRITE | (len2 ? VIRTQ_DESC_F_NEXT : 0), 1);
	vd_set(VD_DESC, 1, VD_BUF + 0x8000, len2, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	virtio_queue_notify(d, 0);
	u16 idx = vd_used(0)[1];
	assert_int_not_equal(idx, 0);
	return vd_used_len(0, idx - 1, QS);
}

static void test_fills_across_spans(void **state)
{
	(void)state;
	assert_int_equal(d->device_id, VIRTIO_ID_RNG);
	assert_int_equal(virtio_device_features(d, 0) & 0xffffff, 0);
	assert_int_equal(request(3, 14), 17);
	assert_memory_equal(vd_ptr(VD_BUF), "\x01\x02\x03", 3);
	assert_memory_equal(vd_ptr(VD_BUF + 0x8000), "\x04\x05\x06\x07\x08\x02\x03\x04\x05\x06\x07\x08\x09\x03", 14);
	assert_int_equal(rng.bytes, 17);
}

static void test_capped_per_request(void **state)
{
	(void)state;
	assert_int_equal(request(0x6000, 0), VIRTIO_RNG_MAX_REQUEST);
	assert_int_equal(((u8 *)vd_ptr(VD_BUF))[VIRTIO_RNG_MAX_REQUEST], 0);
}

static void test_source_runs_dry(void **state)
{
	(void)state;
	stub_left = 3;
	assert_int_equal(request(64, 0), 24);
	assert_int_equal(request(64, 0), 0);
	assert_false(virtio_get_status(d) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_no_source_no_device(void **state)
{
	struct virtio_rng r2;

	(void)state;
	stub_source = ARCH_RNG_NONE;
	assert_false(virtio_rng_init(&r2, &vd_mem, "beta"));
	assert_string_equal(log_msg,
			    "guest beta virtio-rng not offered: the CPU has neither RDSEED nor RDRAND");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fills_across_spans),
		T(test_capped_per_request),
		T(test_source_runs_dry),
		T(test_no_source_no_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
