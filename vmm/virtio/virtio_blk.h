/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio spec v1.2 §5.2) backed by a buffer of hypervisor RAM
 * (the copy of a disk image boot module): IN, OUT, FLUSH, GET_ID with a
 * serial number, DISCARD and WRITE_ZEROES; a read-only disk advertises
 * VIRTIO_BLK_F_RO and refuses every write with VIRTIO_BLK_S_IOERR. One
 * request queue. The device knows no transport (virtio.h).
 *
 * Locking: everything is guarded by the owning VM's dev_lock, like the
 * virtio_dev it embeds; the backing buffer belongs to this device alone
 * (one disk is never shared between guests).
 */
#ifndef VMM_VIRTIO_VIRTIO_BLK_H
#define VMM_VIRTIO_VIRTIO_BLK_H

#include "vmm/virtio/virtio.h"

/* §5.2.3 feature bits */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* §5.2.6 request types and status */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_WZ_F_UNMAP 1

/* §5.2.4 config offsets */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SIZE_MAX 8
#define VIRTIO_BLK_CFG_SEG_MAX 12
#define VIRTIO_BLK_CFG_BLK_SIZE 20
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG 40
#define VIRTIO_BLK_CFG_DISCARD_ALIGN 44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS 48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG 52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP 56
#define VIRTIO_BLK_CFG_LEN 60

#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_LEN 20           /* GET_ID answer, §5.2.6 */
#define VIRTIO_BLK_SIZE_MAX (1u << 20) /* bytes per segment we announce */
#define VIRTIO_BLK_SEG_MAX (VIRTQ_MAX_SIZE - 2) /* data segments: header + status */
#define VIRTIO_BLK_DWZ_SECTORS (1u << 22) /* per DISCARD/WRITE_ZEROES segment */
#define VIRTIO_BLK_DWZ_SEG 16          /* segments per DISCARD/WRITE_ZEROES */

struct virtio_blk {
	struct virtio_dev vdev;         /* first: the core's view */
	u8 *data;                       /* (i) the disk, host memory */
	u64 sectors;                    /* (i) capacity in 512-byte sectors */
	bool ro;                        /* (i) */
	char serial[VIRTIO_BLK_ID_LEN]; /* (i) NUL-padded, no NUL if 20 long */
	u8 config[VIRTIO_BLK_CFG_LEN];  /* (i) */
};

/*
 * Set up disk @b over @size bytes at @data (only whole sectors are
 * visible), read-only if @ro, GET_ID answering @serial (at most 20 bytes
 * used), for the guest @vm_name whose RAM is @mem. False if @size is under
 * one sector. The transport then calls virtio_set_irq(&b->vdev, ...).
 */
bool virtio_blk_init(struct virtio_blk *b, u8 *data, u64 size, bool ro,
		     const char *serial, const struct gmem *mem, const char *vm_name);

#endif
