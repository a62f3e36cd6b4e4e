// SPDX-License-Identifier: MIT
/*
 * virtio-blk over a RAM buffer (virtio_blk.h), virtio spec v1.2 §5.2. A
 * request (§5.2.6) is a 16-byte header {le32 type, le32 reserved, le64
 * sector} in the readable part, then data (readable for OUT, writable for
 * IN), and the last writable byte is the status. Transfers must be whole
 * sectors inside the capacity, else VIRTIO_BLK_S_IOERR. DISCARD and
 * WRITE_ZEROES (§5.2.6.2) carry segments {le64 sector, le32 num_sectors,
 * le32 flags}; a discarded range reads back as zeros here.
 */
#include "kernel/string.h"
#include "vmm/virtio/virtio_blk.h"

struct blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
} __packed;

struct blk_dwz {
	u64 sector;
	u32 num_sectors;
	u32 flags;
} __packed;

#define HDR_LEN ((u32)sizeof(struct blk_hdr))

static struct virtio_blk *to_blk(struct virtio_dev *d)
{
	return (struct virtio_blk *)d;
}

/* Is [sector, sector + bytes/512) on the disk? (no overflow) */
static bool in_range(const struct virtio_blk *b, u64 sector, u64 bytes)
{
	u64 n = bytes / VIRTIO_BLK_SECTOR;

	return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->sectors &&
	       n <= b->sectors - sector;
}

static u8 *sector_ptr(const struct virtio_blk *b, u64 sector)
{
	return b->data + sector * VIRTIO_BLK_SECTOR;
}

/* IN: disk -> the writable data bytes (all but the status byte). */
static u8 blk_read(struct virtio_blk *b, const struct virtq_chain *c, u64 sector, u32 *used)
{
	u32 len = c->write_len - 1;

	if (!in_range(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	*used = virtq_chain_write(c, 0, sector_ptr(b, sector), len);
	return VIRTIO_BLK_S_OK;
}

/* OUT: the readable bytes after the header -> disk. */
static u8 blk_write(struct virtio_blk *b, const struct virtq_chain *c, u64 sector)
{
	u32 len = c->read_len - HDR_LEN;

	if (b->ro || !in_range(b, sector, len))
		return VIRTIO_BLK_S_IOERR;
	virtq_chain_read(c, HDR_LEN, sector_ptr(b, sector), len);
	return VIRTIO_BLK_S_OK;
}

static u8 blk_get_id(struct virtio_blk *b, const struct virtq_chain *c, u32 *used)
{
	u32 len = MIN(c->write_len - 1, (u32)VIRTIO_BLK_ID_LEN);

	*used = virtq_chain_write(c, 0, b->serial, len);
	return VIRTIO_BLK_S_OK;
}

/* One DISCARD/WRITE_ZEROES segment: UNSUPP for flags we cannot honour
 * (unmap on DISCARD, unknown bits), IOERR for sizes or ranges. */
static u8 dwz_check(const struct virtio_blk *b, const struct blk_dwz *s, bool discard)
{
	u32 bad = discard ? ~0u : ~(u32)VIRTIO_BLK_WZ_F_UNMAP;

	if (s->flags & bad)
		return VIRTIO_BLK_S_UNSUPP;
	if (s->num_sectors > VIRTIO_BLK_DWZ_SECTORS ||
	    !in_range(b, s->sector, (u64)s->num_sectors * VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* Every segment is checked (from a host copy) before any is applied. */
static u8 blk_dwz(struct virtio_blk *b, const struct virtq_chain *c, u32 type)
{
	bool discard = type == VIRTIO_BLK_T_DISCARD;
	unsigned feature = discard ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
	struct blk_dwz seg[VIRTIO_BLK_DWZ_SEG];
	u32 len = c->read_len - HDR_LEN, n = len / sizeof(seg[0]);
	u8 s;

	if (b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (!virtio_has_feature(&b->vdev, feature))
		return VIRTIO_BLK_S_UNSUPP;
	if (len % sizeof(seg[0]) || n == 0 || n > VIRTIO_BLK_DWZ_SEG)
		return VIRTIO_BLK_S_IOERR;
	virtq_chain_read(c, HDR_LEN, seg, len);
	for (u32 i = 0; i < n; i++)
		if ((s = dwz_check(b, &seg[i], discard)) != VIRTIO_BLK_S_OK)
			return s;
	for (u32 i = 0; i < n; i++)
		memset(sector_ptr(b, seg[i].sector), 0,
		       (u64)seg[i].num_sectors * VIRTIO_BLK_SECTOR);
	return VIRTIO_BLK_S_OK;
}

/* Serve one chain; the status byte is written; returns the used length. */
static u32 blk_request(struct virtio_blk *b, const struct virtq_chain *c)
{
	struct blk_hdr h;
	u32 used = 0;
	u8 st;

	if (virtq_chain_read(c, 0, &h, HDR_LEN) < HDR_LEN)
		st = VIRTIO_BLK_S_IOERR;
	else if (h.type == VIRTIO_BLK_T_IN)
		st = blk_read(b, c, h.sector, &used);
	else if (h.type == VIRTIO_BLK_T_OUT)
		st = blk_write(b, c, h.sector);
	else if (h.type == VIRTIO_BLK_T_FLUSH)
		st = VIRTIO_BLK_S_OK; /* RAM: nothing is cached */
	else if (h.type == VIRTIO_BLK_T_GET_ID)
		st = blk_get_id(b, c, &used);
	else if (h.type == VIRTIO_BLK_T_DISCARD || h.type == VIRTIO_BLK_T_WRITE_ZEROES)
		st = blk_dwz(b, c, h.type);
	else
		st = VIRTIO_BLK_S_UNSUPP;
	virtq_chain_write(c, c->write_len - 1, &st, 1);
	return used + 1;
}

static void blk_notify(struct virtio_dev *d, u16 q)
{
	struct virtio_blk *b = to_blk(d);

	while (virtio_pop(d, q)) {
		if (d->chain.write_len == 0) {
			/* §5.2.6: every request ends in a status byte */
			virtio_push(d, q, d->chain.head, 0);
			virtio_dev_error(d, q, "request without a status byte");
			break;
		}
		virtio_push(d, q, d->chain.head, blk_request(b, &d->chain));
	}
	virtio_queue_interrupt(d, q);
}

static const struct virtio_dev_ops blk_ops = {
	.notify = blk_notify,
};

static void blk_config(struct virtio_blk *b)
{
	u8 *c = b->config;

	memset(c, 0, sizeof(b->config));
	virtio_put64(c + VIRTIO_BLK_CFG_CAPACITY, b->sectors);
	virtio_put32(c + VIRTIO_BLK_CFG_SIZE_MAX, VIRTIO_BLK_SIZE_MAX);
	virtio_put32(c + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	virtio_put32(c + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR);
	virtio_put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_DWZ_SECTORS);
	virtio_put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, VIRTIO_BLK_DWZ_SEG);
	virtio_put32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, 1);
	virtio_put32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, VIRTIO_BLK_DWZ_SECTORS);
	virtio_put32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, VIRTIO_BLK_DWZ_SEG);
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
}

bool virtio_blk_init(struct virtio_blk *b, u8 *data, u64 size, bool ro,
		     const char *serial, const struct gmem *mem, const char *vm_name)
{
	u64 features = VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		       VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);

	if (size < VIRTIO_BLK_SECTOR)
		return false;
	b->data = data;
	b->sectors = size / VIRTIO_BLK_SECTOR;
	b->ro = ro;
	memset(b->serial, 0, sizeof(b->serial));
	for (unsigned i = 0; serial && serial[i] && i < VIRTIO_BLK_ID_LEN; i++)
		b->serial[i] = serial[i];
	if (ro)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	else
		features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	blk_config(b);
	virtio_dev_init(&b->vdev, &blk_ops, "blk", VIRTIO_ID_BLOCK, 1, features,
			b->config, sizeof(b->config), mem, vm_name);
	return true;
}
