// SPDX-License-Identifier: MIT
/*
 * virtio-net on a virtual switch port (virtio_net.h), virtio spec v1.2
 * §5.1. Transmit (§5.1.6.2): a chain's readable bytes are the header then
 * the frame; with no offload negotiated, flags must be 0 and gso_type
 * NONE, else the frame is dropped. Receive (§5.1.6.3): without
 * MRG_RXBUF each frame takes one chain whose writable part must hold the
 * header and the whole frame, else the frame is dropped and the buffer
 * returned empty; num_buffers is 1.
 */
#include "kernel/string.h"
#include "vmm/virtio/virtio_net.h"

static struct virtio_net *to_net(struct virtio_dev *d)
{
	return (struct virtio_net *)d;
}

/* One transmit chain: header checked, frame copied once, then sent. */
static void tx_one(struct virtio_net *n, const struct virtq_chain *c)
{
	u8 hdr[VIRTIO_NET_HDR_LEN];
	u32 len;

	if (c->read_len < VIRTIO_NET_HDR_LEN + ETH_HLEN ||
	    c->read_len - VIRTIO_NET_HDR_LEN > NET_FRAME_MAX) {
		n->tx_errors++;
		return;
	}
	len = c->read_len - VIRTIO_NET_HDR_LEN;
	virtq_chain_read(c, 0, hdr, sizeof(hdr));
	if (hdr[0] || hdr[1]) { /* flags, gso_type: no offload negotiated */
		n->tx_errors++;
		return;
	}
	virtq_chain_read(c, VIRTIO_NET_HDR_LEN, n->frame, len);
	net_switch_send(&n->port, n->frame, len);
	n->tx_frames++;
}

static void tx_drain(struct virtio_net *n)
{
	struct virtio_dev *d = &n->vdev;

	while (virtio_pop(d, VIRTIO_NET_TX_QUEUE)) {
		tx_one(n, &d->chain);
		virtio_push(d, VIRTIO_NET_TX_QUEUE, d->chain.head, 0);
	}
	virtio_queue_interrupt(d, VIRTIO_NET_TX_QUEUE);
}

/* One waiting frame into the chain in d->chain; the used length. */
static u32 rx_one(struct virtio_net *n, const struct virtq_chain *c)
{
	u8 hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	u32 len = net_port_recv(&n->port, n->frame, sizeof(n->frame));

	if (!len || c->write_len < VIRTIO_NET_HDR_LEN + len) {
		n->rx_errors++;
		return 0;
	}
	virtio_put16(hdr + 10, 1); /* num_buffers */
	virtq_chain_write(c, 0, hdr, sizeof(hdr));
	virtq_chain_write(c, VIRTIO_NET_HDR_LEN, n->frame, len);
	n->rx_frames++;
	return VIRTIO_NET_HDR_LEN + len;
}

void virtio_net_rx_poll(struct virtio_net *n)
{
	struct virtio_dev *d = &n->vdev;
	bool any = false;

	while (net_port_peek(&n->port) && virtio_pop(d, VIRTIO_NET_RX_QUEUE)) {
		virtio_push(d, VIRTIO_NET_RX_QUEUE, d->chain.head, rx_one(n, &d->chain));
		any = true;
	}
	if (any)
		virtio_queue_interrupt(d, VIRTIO_NET_RX_QUEUE);
}

static void net_notify(struct virtio_dev *d, u16 q)
{
	if (q == VIRTIO_NET_TX_QUEUE)
		tx_drain(to_net(d));
	else
		virtio_net_rx_poll(to_net(d));
}

static void net_driver_ok(struct virtio_dev *d)
{
	virtio_net_rx_poll(to_net(d));
}

static const struct virtio_dev_ops net_ops = {
	.notify = net_notify,
	.driver_ok = net_driver_ok,
};

bool virtio_net_init(struct virtio_net *n, const u8 *mac, struct net_switch *sw,
		     void (*kick)(void *ctx), void *ctx, const struct gmem *mem,
		     const char *vm_name)
{
	u8 *c = n->config;

	if (!net_switch_attach(sw, &n->port, mac, kick, ctx))
		return false;
	memset(c, 0, sizeof(n->config));
	memcpy(c + VIRTIO_NET_CFG_MAC, mac, ETH_ALEN);
	virtio_put16(c + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	virtio_put16(c + VIRTIO_NET_CFG_MAX_PAIRS, 1);
	virtio_put16(c + VIRTIO_NET_CFG_MTU, VIRTIO_NET_MTU);
	n->tx_frames = n->tx_errors = n->rx_frames = n->rx_errors = 0;
	virtio_dev_init(&n->vdev, &net_ops, "net", VIRTIO_ID_NET, 2,
			VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
			VIRTIO_BIT(VIRTIO_NET_F_MTU),
			c, sizeof(n->config), mem, vm_name);
	return true;
}
