/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio spec v1.2 §5.3) with one port and no MULTIPORT:
 * queue 0 receiveq, queue 1 transmitq, and the emergency write register
 * (VIRTIO_CONSOLE_F_EMERG_WRITE). Transmitted bytes go to a callback (the
 * owner sends them to the guest's console like COM1 output); received
 * bytes wait in a ring buffer until the guest posts receive buffers, so no
 * input is lost: the owner reads its input source only while
 * virtio_console_rx_room() is non-zero. Pending input survives a device
 * reset (a reboot's new driver reads what the user already typed).
 *
 * Locking: everything, the ring buffer included, is guarded by the owning
 * VM's dev_lock, like the virtio_dev it embeds; the tx callback is called
 * with it held.
 */
#ifndef VMM_VIRTIO_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_VIRTIO_CONSOLE_H

#include "vmm/virtio/virtio.h"

#define VIRTIO_CONSOLE_F_SIZE 0
#define VIRTIO_CONSOLE_F_MULTIPORT 1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/* §5.3.4 config: cols, rows, max_nr_ports, emerg_wr */
#define VIRTIO_CONSOLE_CFG_EMERG_WR 8
#define VIRTIO_CONSOLE_CFG_LEN 12

#define VIRTIO_CONSOLE_RX_QUEUE 0
#define VIRTIO_CONSOLE_TX_QUEUE 1
#define VIRTIO_CONSOLE_RX_BUF 4096

struct virtio_console {
	struct virtio_dev vdev;                            /* first */
	void (*tx)(void *ctx, const u8 *buf, u32 len);     /* (i) */
	void *tx_ctx;                                      /* (i) */
	u8 rx[VIRTIO_CONSOLE_RX_BUF];
	u32 rx_head, rx_count;                             /* ring of pending input */
	u8 config[VIRTIO_CONSOLE_CFG_LEN];                 /* (i) */
};

/* Set up @c for guest @vm_name (RAM @mem); output goes to @tx(@ctx, ...). */
void virtio_console_init(struct virtio_console *c,
			 void (*tx)(void *ctx, const u8 *buf, u32 len), void *ctx,
			 const struct gmem *mem, const char *vm_name);

/* Input for the guest: takes as many of the @len bytes as fit in the ring
 * (returns that count) and hands what it can to posted receive buffers. */
u32 virtio_console_input(struct virtio_console *c, const u8 *buf, u32 len);

/* Bytes the ring can take now. */
u32 virtio_console_rx_room(const struct virtio_console *c);

#endif
