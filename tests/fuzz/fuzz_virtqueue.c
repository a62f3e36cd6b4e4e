// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the split virtqueue walker (vmm/virtio/virtqueue.c),
 * alone or behind virtio-blk and the virtio core, over guest memory that is
 * the fuzz input. Guest RAM is 64 KiB of host memory seen as two regions,
 * [0, 32 KiB) and [64 KiB, 96 KiB), with a hole between them and nothing
 * above: ring and buffer addresses may fall in RAM, the hole or beyond.
 * Input:
 *   byte 0     bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bits 2-4 log2 of the
 *              queue size (0 = 1 ... 7 = 128; 256 with bit 7), bit 5 blk
 *              mode (requests served by virtio-blk instead of the raw
 *              walker), bit 6 a second round after the driver's next idx
 *   bytes 1-12 descriptor table, available ring, used ring guest
 *              addresses (le32, masked to 17 bits)
 *   bytes 13-  the guest RAM image (the rest is zero): image bytes
 *              [0, 32 KiB) are guest [0, 32 KiB), the next 32 KiB guest
 *              [64 KiB, 96 KiB)
 * Every popped span must lie inside the RAM buffer; anything else (or a
 * sanitizer report) is a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/log.h"
#include "tests/unit/guest_ram.h"
#include "vmm/virtio/virtio_blk.h"

#define RAM_BYTES (64 * 1024)
#define HDR 13

static u8 ram[RAM_BYTES] __attribute__((aligned(4096)));
static u8 disk[8192];
static struct gmem mem;
static struct virtq q;
static struct virtq_chain ch;
static struct virtio_blk blk;

void printk(int level, const char *fmt, ...) { (void)level, (void)fmt; }

static void check_span(const struct virtq_span *s)
{
	if (s->p < ram || s->len > RAM_BYTES || s->p + s->len > ram + RAM_BYTES) {
		fprintf(stderr, "span %p+%u outside guest RAM\n", (void *)s->p, s->len);
		abort();
	}
}

static void check_chain(const struct virtq_chain *c, u16 size)
{
	u64 r = 0, w = 0;

	if (c->n > size || c->nread > c->n || c->head >= size)
		abort();
	for (u16 i = 0; i < c->n; i++) {
		check_span(&c->span[i]);
		if (c->span[i].write != (i >= c->nread))
			abort(); /* readable first, then writable */
		if (c->span[i].write)
			w += c->span[i].len;
		else
			r += c->span[i].len;
	}
	if (r != c->read_len || w != c->write_len)
		abort();
}

static void walk(u16 size)
{
	for (unsigned i = 0; i < 2u * size + 2; i++) {
		int r = virtq_pop(&q, &ch);

		if (r != VIRTQ_OK)
			break;
		check_chain(&ch, size);
		virtq_chain_zero(&ch, 0, ch.write_len);
		virtq_push(&q, ch.head, ch.write_len);
	}
	virtq_need_interrupt(&q);
}

static void run_walker(u8 flags, const u32 *gpa)
{
	u16 size = (flags & 0x80) ? 256 : (u16)(1u << ((flags >> 2) & 7));

	virtq_reset(&q, &mem, VIRTQ_MAX_SIZE);
	q.size = size;
	q.event_idx = flags & 1;
	q.indirect = flags & 2;
	q.desc_gpa = gpa[0];
	q.avail_gpa = gpa[1];
	q.used_gpa = gpa[2];
	if (virtq_enable(&q) != VIRTQ_OK)
		return;
	walk(size);
	if (flags & 0x40) {
		/* the driver makes a few more entries available */
		u16 *idx = (u16 *)q.avail + 1;

		*idx = (u16)(*idx + 3);
		walk(size);
	}
}

static void run_blk(u8 flags, const u32 *gpa)
{
	struct virtio_dev *d = &blk.vdev;

	virtio_blk_init(&blk, disk, sizeof(disk), flags & 0x40, "fuzz", &mem, "fuzz");
	virtio_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	virtio_set_driver_features(d, 0, virtio_device_features(d, 0) &
				  ~((flags & 1) ? 0 : 1u << VIRTIO_F_RING_EVENT_IDX) &
				  ~((flags & 2) ? 0 : 1u << VIRTIO_F_INDIRECT_DESC));
	virtio_set_driver_features(d, 1, 1);
	virtio_set_status(d, 0x0b);
	virtio_queue_set_size(d, 0, (flags & 0x80) ? 256 : (u16)(1u << ((flags >> 2) & 7)));
	virtio_queue_set_addr(d, 0, VIRTIO_RING_DESC, gpa[0]);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_AVAIL, gpa[1]);
	virtio_queue_set_addr(d, 0, VIRTIO_RING_USED, gpa[2]);
	virtio_queue_enable(d, 0);
	virtio_set_status(d, 0x0f);
	virtio_queue_notify(d, 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 gpa[3];

	if (size < HDR)
		return 0;
	mem = (struct gmem){ .ram_size = RAM_BYTES, .n = 2 };
	mem.r[0] = (struct gmem_region){ 0, RAM_BYTES / 2, (u64)(uintptr_t)ram };
	mem.r[1] = (struct gmem_region){ 0x10000, RAM_BYTES / 2,
					 (u64)(uintptr_t)ram + RAM_BYTES / 2 };
	memset(ram, 0, sizeof(ram));
	memset(disk, 0x5a, sizeof(disk));
	memcpy(ram, data + HDR, MIN(size - HDR, sizeof(ram)));
	for (unsigned i = 0; i < 3; i++)
		gpa[i] = (data[1 + 4 * i] | data[2 + 4 * i] << 8 | (u32)data[3 + 4 * i] << 16) & 0x1ffff;
	if (data[0] & 0x20)
		run_blk(data[0], gpa);
	else
		run_walker(data[0], gpa);
	return 0;
}
