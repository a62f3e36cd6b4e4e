/* SPDX-License-Identifier: MIT */
/*
 * A fake virtio driver for host unit tests of the virtqueue walker, the
 * virtio core and the devices: 2 MiB of guest RAM (guest_ram.h: RAM at
 * [0, 0xa0000) and [0xc0000, 2 MiB), the VGA hole between), one split
 * queue at fixed guest addresses, and helpers that write descriptors and
 * make chains available as a guest driver would (virtio spec §2.7.13).
 */
#ifndef TESTS_UNIT_VIRTQ_DRIVER_H
#define TESTS_UNIT_VIRTQ_DRIVER_H

#include "tests/unit/guest_ram.h"
#include "vmm/virtio/virtqueue.h"

#define VD_RAM (2 * MiB)
#define VD_DESC 0x1000ULL  /* queue n at +n*0x4000 */
#define VD_AVAIL 0x2000ULL
#define VD_USED 0x3000ULL
#define VD_BUF 0x100000ULL /* data buffers */
#define VD_INDIRECT 0x20000ULL
#define VD_QSTRIDE 0x4000ULL

static struct gmem vd_mem;
static u8 *vd_ram;

static inline void *vd_ptr(u64 gpa) { return vd_ram + gpa; }

static inline void vd_init(void)
{
	vd_ram = guest_ram_new(&vd_mem, VD_RAM);
	memset(vd_ram, 0, 0x40000); /* the rings: the driver zeroes them */
}

static inline void vd_fini(void) { free(vd_ram); }

static inline struct virtq_desc *vd_desc(u64 table, u16 i)
{
	return (struct virtq_desc *)vd_ptr(table) + i;
}

static inline void vd_set(u64 table, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	*vd_desc(table, i) = (struct virtq_desc){ addr, len, flags, next };
}

static inline u16 *vd_avail(unsigned qn) { return vd_ptr(VD_AVAIL + qn * VD_QSTRIDE); }
static inline u16 *vd_used(unsigned qn) { return vd_ptr(VD_USED + qn * VD_QSTRIDE); }

/* Make @head available on queue @qn of size @size. */
static inline void vd_offer(unsigned qn, u16 size, u16 head)
{
	u16 *a = vd_avail(qn);

	a[2 + a[1] % size] = head;
	a[1]++;
}

/* Used element @i of queue @qn: id and len. */
static inline u32 vd_used_id(unsigned qn, u16 i, u16 size)
{
	return ((u32 *)(vd_used(qn) + 2))[2 * (i % size)];
}

static inline u32 vd_used_len(unsigned qn, u16 i, u16 size)
{
	return ((u32 *)(vd_used(qn) + 2))[2 * (i % size) + 1];
}

static inline u64 vd_desc_gpa(unsigned qn) { return VD_DESC + qn * VD_QSTRIDE; }

#endif
