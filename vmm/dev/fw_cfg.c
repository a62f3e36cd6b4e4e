// SPDX-License-Identifier: MIT
/*
 * fw_cfg, traditional interface (fw_cfg.h). Items are kept in a small
 * array and found by key when the selector is written; a read walks the
 * selected item byte by byte. Multi-byte items are little-endian except
 * the file directory's count, which QEMU defines as big-endian.
 */
#include "kernel/string.h"
#include "vmm/dev/fw_cfg.h"

static void fw_cfg_put_le(u8 *p, u64 v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

static struct fw_cfg_item *fw_cfg_find(struct fw_cfg *f, u16 key)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->items[i].key == key)
			return &f->items[i];
	return NULL;
}

bool fw_cfg_add(struct fw_cfg *f, u16 key, const void *data, u32 len)
{
	struct fw_cfg_item *it = fw_cfg_find(f, key);

	if (len > FW_CFG_ITEM_MAX)
		return false;
	if (!it) {
		if (f->n == FW_CFG_MAX_ITEMS)
			return false;
		it = &f->items[f->n++];
	}
	it->key = key;
	it->len = (u8)len;
	memcpy(it->data, data, len);
	return true;
}

/* An integer item of @n bytes, little-endian. */
static void fw_cfg_add_le(struct fw_cfg *f, u16 key, u64 v, unsigned n)
{
	u8 b[8];

	fw_cfg_put_le(b, v, n);
	fw_cfg_add(f, key, b, n);
}

void fw_cfg_init(struct fw_cfg *f, u64 ram_size, u16 ncpus)
{
	static const u8 no_files[4]; /* be32 count 0 */

	memset(f, 0, sizeof(*f));
	fw_cfg_add(f, FW_CFG_SIGNATURE, "QEMU", 4);
	fw_cfg_add_le(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
	fw_cfg_add_le(f, FW_CFG_RAM_SIZE, ram_size, 8);
	fw_cfg_add_le(f, FW_CFG_NB_CPUS, ncpus, 2);
	fw_cfg_add_le(f, FW_CFG_MAX_CPUS, ncpus, 2);
	fw_cfg_add(f, FW_CFG_FILE_DIR, no_files, sizeof(no_files));
}

/* The next data byte; 0 past the end of the item or for an unknown key. */
static u8 fw_cfg_next(struct fw_cfg *f)
{
	if (!f->cur || f->offset >= f->cur->len)
		return 0;
	return f->cur->data[f->offset++];
}

u64 fw_cfg_read(void *dev, u64 offset, unsigned size)
{
	u64 v = 0;

	if (offset != FW_CFG_REG_DATA)
		return 0;
	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (u64)fw_cfg_next(dev) << (8 * i);
	return v;
}

/* Selecting resets the offset; the write-channel bit selects the same item. */
void fw_cfg_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct fw_cfg *f = dev;

	(void)size;
	if (offset != FW_CFG_REG_SELECTOR)
		return;
	f->cur = fw_cfg_find(f, (u16)val & ~FW_CFG_WRITE_CHANNEL);
	f->offset = 0;
}
