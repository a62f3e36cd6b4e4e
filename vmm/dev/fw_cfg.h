/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (fw_cfg), traditional I/O interface
 * only, as QEMU's docs/specs/fw_cfg.rst describes it: a 16-bit selector
 * register picks an item by key and resets the read offset; each read of
 * the 8-bit data register returns the item's next byte, and 0 past its
 * end or for a key nobody set. It lets small guests ask for the RAM size
 * and CPU count the way they would under QEMU. Items are small byte
 * strings set at creation; there is no DMA interface, no write support,
 * and the file directory is empty. The model does not know its ports: the
 * selector is at offset 0 and the data register at offset 1.
 */
#ifndef VMM_DEV_FW_CFG_H
#define VMM_DEV_FW_CFG_H

#include "kernel/types.h"

/* Register offsets (on a PC: ports 0x510 and 0x511). */
#define FW_CFG_REG_SELECTOR 0
#define FW_CFG_REG_DATA 1
#define FW_CFG_REG_LEN 2

/* Selector keys. */
#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_ID 0x0001        /* u32 LE feature bits */
#define FW_CFG_RAM_SIZE 0x0003  /* u64 LE bytes */
#define FW_CFG_NB_CPUS 0x0005   /* u16 LE */
#define FW_CFG_MAX_CPUS 0x000f  /* u16 LE */
#define FW_CFG_FILE_DIR 0x0019  /* be32 count, then the entries */
#define FW_CFG_WRITE_CHANNEL 0x4000 /* selector bit: write access (unsupported) */

#define FW_CFG_ID_TRADITIONAL (1u << 0)

#define FW_CFG_MAX_ITEMS 8
#define FW_CFG_ITEM_MAX 16

struct fw_cfg_item {
	u16 key;
	u8 len;
	u8 data[FW_CFG_ITEM_MAX];
};

struct fw_cfg {
	const struct fw_cfg_item *cur; /* selected item; NULL: unknown key */
	u32 offset;                    /* next byte of it to read */
	unsigned n;
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
};

/* The standard items for a guest with @ram_size bytes and @ncpus vCPUs. */
void fw_cfg_init(struct fw_cfg *f, u64 ram_size, u16 ncpus);

/* Set (or replace) item @key; false if @len is too long or the table full. */
bool fw_cfg_add(struct fw_cfg *f, u16 key, const void *data, u32 len);

/*
 * Register access (bus callbacks). A write at offset 0 selects (low 16
 * bits of the value); data writes are ignored. A data read of @size bytes
 * returns that many successive bytes, the first in the low byte; a read
 * of the selector returns 0.
 */
u64 fw_cfg_read(void *dev, u64 offset, unsigned size);
void fw_cfg_write(void *dev, u64 offset, unsigned size, u64 val);

#endif
