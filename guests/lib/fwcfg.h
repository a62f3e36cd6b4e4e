// SPDX-License-Identifier: MIT
//
// QEMU's firmware configuration interface over I/O ports: write a 16-bit
// key to the selector port 0x510, then read the item byte by byte from the
// data port 0x511. The hypervisor provides the same few items.
#ifndef GUEST_FWCFG_H
#define GUEST_FWCFG_H

#include "lib/types.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511

#define FW_CFG_SIGNATURE 0x0000 // "QEMU"
#define FW_CFG_RAM_SIZE 0x0003 // u64 LE, bytes
#define FW_CFG_NB_CPUS 0x0005 // u16 LE

// Select key and read n bytes of the item into buf.
void fw_cfg_read(u16 key, void *buf, u32 n);
// True when the signature item reads "QEMU".
bool fw_cfg_present(void);
u16 fw_cfg_read16(u16 key);
u64 fw_cfg_read64(u16 key);

#endif
