// SPDX-License-Identifier: MIT
/*
 * Unit tests of the split virtqueue walker (vmm/virtio/virtqueue.c) against
 * a fake driver in fake guest RAM (virtq_driver.h): well-formed chains,
 * indirect tables, used ring updates, interrupt suppression with and
 * without EVENT_IDX, and every class of malformed chain or ring the walker
 * must refuse without touching memory outside the guest's RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/unit/virtq_driver.h"

#define QS 8

static struct virtq q;
static struct virtq_chain ch;

static int setup(void **state)
{
	(void)state;
	vd_init();
	virtq_reset(&q, &vd_mem, VIRTQ_MAX_SIZE);
	q.size = QS;
	q.desc_gpa = VD_DESC;
	q.avail_gpa = VD_AVAIL;
	q.used_gpa = VD_USED;
	q.indirect = true;
	assert_int_equal(virtq_enable(&q), VIRTQ_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vd_fini();
	return 0;
}

/* Pop must fail with @err, and the queue stays broken afterwards. */
static void expect_broken(int err)
{
	assert_int_equal(virtq_pop(&q, &ch), err);
	assert_true(q.broken);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_ERR_BROKEN);
}

static void test_simple_chain(void **state)
{
	(void)state;
	memcpy(vd_ptr(VD_BUF), "head", 4);
	memcpy(vd_ptr(VD_BUF + 0x100), "body!", 5);
	vd_set(VD_DESC, 3, VD_BUF, 4, VIRTQ_DESC_F_NEXT, 5);
	vd_set(VD_DESC, 5, VD_BUF + 0x100, 5, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF + 0x200, 16, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 3);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	assert_int_equal(ch.head, 3);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.nread, 2);
	assert_int_equal(ch.read_len, 9);
	assert_int_equal(ch.write_len, 16);
	assert_ptr_equal(ch.span[1].p, vd_ptr(VD_BUF + 0x100));

	char buf[16] = { 0 };
	assert_int_equal(virtq_chain_read(&ch, 2, buf, 16), 7);
	assert_string_equal(buf, "adbody!");
	assert_int_equal(virtq_chain_write(&ch, 14, "xyz", 3), 2);
	assert_memory_equal(vd_ptr(VD_BUF + 0x200 + 14), "xy", 2);

	virtq_push(&q, ch.head, 2);
	assert_int_equal(vd_used(0)[1], 1);
	assert_int_equal(vd_used_id(0, 0, QS), 3);
	assert_int_equal(vd_used_len(0, 0, QS), 2);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_EMPTY);
	assert_false(q.broken);
}

/* The host copy is what counts: changing the descriptor after the pop
 * changes nothing the device uses. */
static void test_descriptor_read_once(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_BUF, 64, 0, 0);
	vd_offer(0, QS, 0);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	vd_set(VD_DESC, 0, 0xa0000, 0x100000, 0, 0);
	assert_ptr_equal(ch.span[0].p, vd_ptr(VD_BUF));
	assert_int_equal(ch.span[0].len, 64);
}

static void test_zero_length_skipped(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, 0xdead0000, 0, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.write_len, 8);
}

static void test_full_ring_and_wrap(void **state)
{
	(void)state;
	for (u16 round = 0; round < 3; round++) {
		for (u16 i = 0; i < QS; i++) {
			vd_set(VD_DESC, i, VD_BUF + i * 16, 16, VIRTQ_DESC_F_WRITE, 0);
			vd_offer(0, QS, i);
		}
		for (u16 i = 0; i < QS; i++) {
			assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
			assert_int_equal(ch.head, i);
			virtq_push(&q, ch.head, 16);
		}
		assert_int_equal(virtq_pop(&q, &ch), VIRTQ_EMPTY);
	}
	assert_int_equal(vd_used(0)[1], 3 * QS);
}

static void test_indirect(void **state)
{
	(void)state;
	vd_set(VD_INDIRECT, 0, VD_BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_INDIRECT, 1, VD_BUF + 16, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vd_set(VD_INDIRECT, 2, VD_BUF + 1024, 1, VIRTQ_DESC_F_WRITE, 0);
	vd_set(VD_DESC, 2, VD_INDIRECT, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 2);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	assert_int_equal(ch.head, 2);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.read_len, 16);
	assert_int_equal(ch.write_len, 513);
}

/* ---- malformed chains, one class each ---- */

static void test_loop(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_LOOP);
}

static void test_self_loop(void **state)
{
	(void)state;
	vd_set(VD_DESC, 4, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 4);
	vd_offer(0, QS, 4);
	expect_broken(VIRTQ_ERR_LOOP);
}

static void test_loop_in_indirect(void **state)
{
	(void)state;
	vd_set(VD_INDIRECT, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_INDIRECT, 1, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vd_set(VD_DESC, 0, VD_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_LOOP);
}

static void test_chain_longer_than_queue(void **state)
{
	(void)state;
	/* 3 direct buffers + an indirect table of 6: 9 > queue size 8 */
	for (u16 i = 0; i < 3; i++)
		vd_set(VD_DESC, i, VD_BUF, 8, VIRTQ_DESC_F_NEXT, i + 1);
	vd_set(VD_DESC, 3, VD_INDIRECT, 6 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	for (u16 i = 0; i < 6; i++)
		vd_set(VD_INDIRECT, i, VD_BUF, 8, i < 5 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_TOO_LONG);
}

static void test_nested_indirect(void **state)
{
	(void)state;
	vd_set(VD_INDIRECT, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_INDIRECT, 1, VD_INDIRECT + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_set(VD_INDIRECT + 0x100, 0, VD_BUF, 8, 0, 0);
	vd_set(VD_DESC, 0, VD_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_NESTED);
}

static void test_indirect_len_not_multiple(void **state)
{
	(void)state;
	vd_set(VD_INDIRECT, 0, VD_BUF, 8, 0, 0);
	vd_set(VD_DESC, 0, VD_INDIRECT, 24, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_LEN);
}

static void test_indirect_len_zero_or_too_big(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_INDIRECT, 0, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_LEN);
	vd_fini();
	setup(NULL);
	vd_set(VD_DESC, 0, VD_INDIRECT, (QS + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_LEN);
}

static void test_indirect_misc(void **state)
{
	(void)state;
	/* without the feature */
	q.indirect = false;
	vd_set(VD_DESC, 0, VD_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_FEATURE);
	vd_fini();
	/* with NEXT */
	setup(NULL);
	vd_set(VD_DESC, 0, VD_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_NEXT);
	vd_fini();
	/* the table itself beyond RAM */
	setup(NULL);
	vd_set(VD_DESC, 0, VD_RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_INDIRECT_ADDR);
}

static void test_addr_beyond_ram(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_RAM + 0x1000, 64, 0, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ADDR);
}

static void test_addr_straddles_end_of_ram(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_RAM - 8, 16, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ADDR);
}

static void test_addr_wraps(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, ~0ULL - 8, 64, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ADDR);
}

static void test_addr_in_mmio_hole(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, GMEM_VGA_BASE + 0x100, 64, 0, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ADDR);
}

static void test_addr_crosses_into_hole(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, GMEM_VGA_BASE - 0x10, 0x20, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ADDR);
}

static void test_length_overflow(void **state)
{
	(void)state;
	/* the sum passes 4 GiB - 1 (checked before the address: a guest with
	 * enough RAM could make both buffers valid) */
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF, 0xfffffffcu, 0, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_LEN_OVERFLOW);
}

static void test_avail_idx_jump(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_BUF, 8, 0, 0);
	vd_avail(0)[1] = QS + 1;
	expect_broken(VIRTQ_ERR_IDX_JUMP);
}

static void test_avail_idx_jump_of_size_is_fine(void **state)
{
	(void)state;
	for (u16 i = 0; i < QS; i++)
		vd_set(VD_DESC, i, VD_BUF, 8, 0, 0);
	vd_avail(0)[1] = QS; /* ring entries all 0: head 0 eight times */
	for (u16 i = 0; i < QS; i++)
		assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_EMPTY);
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vd_set(VD_DESC, 1, VD_BUF + 8, 8, 0, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_ORDER);
}

static void test_head_and_next_out_of_range(void **state)
{
	(void)state;
	vd_offer(0, QS, QS);
	expect_broken(VIRTQ_ERR_HEAD);
	vd_fini();
	setup(NULL);
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, QS);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_NEXT);
	vd_fini();
	setup(NULL);
	vd_set(VD_INDIRECT, 0, VD_BUF, 8, VIRTQ_DESC_F_NEXT, 1); /* table of 1 */
	vd_set(VD_DESC, 0, VD_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vd_offer(0, QS, 0);
	expect_broken(VIRTQ_ERR_NEXT);
}

/* A broken queue is good again only after a reset and a new enable. */
static void test_reset_clears_broken(void **state)
{
	(void)state;
	vd_offer(0, QS, QS);
	expect_broken(VIRTQ_ERR_HEAD);
	virtq_reset(&q, &vd_mem, VIRTQ_MAX_SIZE);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_ERR_NOT_READY);
}

/* ---- ring placement checked at enable ---- */

static int enable_with(u16 size, u64 desc, u64 avail, u64 used)
{
	virtq_reset(&q, &vd_mem, VIRTQ_MAX_SIZE);
	q.size = size;
	q.desc_gpa = desc;
	q.avail_gpa = avail;
	q.used_gpa = used;
	return virtq_enable(&q);
}

static void test_enable_checks(void **state)
{
	(void)state;
	assert_int_equal(enable_with(QS, VD_DESC, VD_AVAIL, VD_RAM), VIRTQ_ERR_USED_RING);
	assert_int_equal(enable_with(QS, VD_DESC, VD_AVAIL, GMEM_VGA_BASE - 8),
			 VIRTQ_ERR_USED_RING);
	assert_int_equal(enable_with(QS, VD_DESC, 0xfee00000, VD_USED), VIRTQ_ERR_AVAIL_RING);
	assert_int_equal(enable_with(QS, 4ULL * GiB, VD_AVAIL, VD_USED), VIRTQ_ERR_DESC_RING);
	assert_int_equal(enable_with(QS, VD_DESC + 8, VD_AVAIL, VD_USED), VIRTQ_ERR_RING_ALIGN);
	assert_int_equal(enable_with(QS, VD_DESC, VD_AVAIL + 1, VD_USED), VIRTQ_ERR_RING_ALIGN);
	assert_int_equal(enable_with(QS, VD_DESC, VD_AVAIL, VD_USED + 2), VIRTQ_ERR_RING_ALIGN);
	assert_int_equal(enable_with(0, VD_DESC, VD_AVAIL, VD_USED), VIRTQ_ERR_SIZE);
	assert_int_equal(enable_with(12, VD_DESC, VD_AVAIL, VD_USED), VIRTQ_ERR_SIZE);
	assert_int_equal(enable_with(512, VD_DESC, VD_AVAIL, VD_USED), VIRTQ_ERR_SIZE);
	assert_false(q.ready);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_ERR_NOT_READY);
	assert_int_equal(enable_with(QS, VD_DESC, VD_AVAIL, VD_USED), VIRTQ_OK);
}

/* ---- interrupt suppression ---- */

static void push_one(void)
{
	vd_set(VD_DESC, 0, VD_BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	vd_offer(0, QS, 0);
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_OK);
	virtq_push(&q, ch.head, 8);
}

static void test_no_interrupt_flag(void **state)
{
	(void)state;
	assert_false(virtq_need_interrupt(&q)); /* nothing used yet */
	push_one();
	assert_true(virtq_need_interrupt(&q));
	assert_false(virtq_need_interrupt(&q)); /* already told */
	vd_avail(0)[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	push_one();
	assert_false(virtq_need_interrupt(&q));
}

static void test_event_idx(void **state)
{
	u16 *used_event = &vd_avail(0)[2 + QS];

	(void)state;
	q.event_idx = true;
	vd_avail(0)[0] = VIRTQ_AVAIL_F_NO_INTERRUPT; /* ignored with EVENT_IDX */
	*used_event = 0;
	push_one(); /* used idx 0 -> 1 passes event 0 */
	assert_true(virtq_need_interrupt(&q));
	*used_event = 3;
	push_one(); /* 1 -> 2 */
	assert_false(virtq_need_interrupt(&q));
	push_one(); /* 2 -> 3 */
	assert_false(virtq_need_interrupt(&q));
	push_one();
	push_one(); /* 3 -> 5 passes 3 */
	assert_true(virtq_need_interrupt(&q));
	assert_true(virtq_need_event(0xffff, 0x0001, 0xfffe)); /* wrap */
	assert_false(virtq_need_event(0x0005, 0x0001, 0xfffe));
}

static void test_event_idx_publishes_avail_event(void **state)
{
	u16 *avail_event = &vd_used(0)[2 + 4 * QS];

	(void)state;
	q.event_idx = true;
	*avail_event = 0x1234;
	push_one();
	push_one();
	assert_int_equal(virtq_pop(&q, &ch), VIRTQ_EMPTY);
	assert_int_equal(*avail_event, 2);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(virtq_strerror(VIRTQ_ERR_LOOP), "descriptor loop");
	assert_string_equal(virtq_strerror(VIRTQ_ERR_BROKEN), "queue broken");
	assert_string_equal(virtq_strerror(VIRTQ_ERR_USED_RING), "used ring outside guest RAM");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_simple_chain),
		T(test_descriptor_read_once),
		T(test_zero_length_skipped),
		T(test_full_ring_and_wrap),
		T(test_indirect),
		T(test_loop),
		T(test_self_loop),
		T(test_loop_in_indirect),
		T(test_chain_longer_than_queue),
		T(test_nested_indirect),
		T(test_indirect_len_not_multiple),
		T(test_indirect_len_zero_or_too_big),
		T(test_indirect_misc),
		T(test_addr_beyond_ram),
		T(test_addr_straddles_end_of_ram),
		T(test_addr_wraps),
		T(test_addr_in_mmio_hole),
		T(test_addr_crosses_into_hole),
		T(test_length_overflow),
		T(test_avail_idx_jump),
		T(test_avail_idx_jump_of_size_is_fine),
		T(test_readable_after_writable),
		T(test_head_and_next_out_of_range),
		T(test_reset_clears_broken),
		T(test_enable_checks),
		T(test_no_interrupt_flag),
		T(test_event_idx),
		T(test_event_idx_publishes_avail_event),
		T(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
