// SPDX-License-Identifier: MIT
/*
 * virtio-net on a virtual switch port (virtio_net.h), virtio spec v1.2
 * §5.1. Transmit (§5.1.6.2): a chain's readable bytes are the header then
 * the frame; the header may ask for what was negotiated only (a checksum
 * to complete with CSUM, a TCP/IPv4 or TCP/IPv6 GSO frame of up to 64 KiB
 * with HOST_TSO4/6), with offsets inside the frame, else the frame is
 * dropped and counted. Receive (§5.1.6.3): without MRG_RXBUF each frame
 * takes one chain whose writable part must hold the header and the whole
 * frame, else the frame is dropped and the buffer returned empty;
 * num_buffers is 1; the header carries the frame's offloads, which the
 * switch gives only a port whose driver negotiated them (rx_caps).
 */
#include "kernel/string.h"
#include "vmm/virtio/virtio_net.h"

static struct virtio_net *to_net(struct virtio_dev *d)
{
	return (struct virtio_net *)d;
}

static u16 get16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }

static bool negotiated(const struct virtio_net *n, unsigned bit)
{
	return n->vdev.guest_features & VIRTIO_BIT(bit);
}

/* The transmit header @h of a @len-byte frame as switch offloads. */
static bool tx_offload(const struct virtio_net *n, const u8 *h, u32 len, struct net_offload *off)
{
	memset(off, 0, sizeof(*off));
	if (h[0] & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if (h[0] & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!negotiated(n, VIRTIO_NET_F_CSUM))
			return false;
		off->flags = NET_OFF_CSUM;
		off->csum_start = get16(h + 6);
		off->csum_offset = get16(h + 8);
	}
	switch (h[1]) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (len > NET_FRAME_MAX)
			return false;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!negotiated(n, VIRTIO_NET_F_HOST_TSO4))
			return false;
		off->gso_type = NET_GSO_TCPV4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!negotiated(n, VIRTIO_NET_F_HOST_TSO6))
			return false;
		off->gso_type = NET_GSO_TCPV6;
		break;
	default:
		return false; /* UDP, ECN: not offered */
	}
	off->hdr_len = get16(h + 2);
	off->gso_size = get16(h + 4);
	return net_offload_ok(off, len);
}

/* One transmit chain: header checked, frame copied once, then sent. */
static void tx_one(struct virtio_net *n, const struct virtq_chain *c)
{
	u8 hdr[VIRTIO_NET_HDR_LEN];
	struct net_offload off;
	u32 len;

	if (c->read_len < VIRTIO_NET_HDR_LEN + ETH_HLEN ||
	    c->read_len - VIRTIO_NET_HDR_LEN > NET_GSO_FRAME_MAX) {
		n->tx_errors++;
		return;
	}
	len = c->read_len - VIRTIO_NET_HDR_LEN;
	virtq_chain_read(c, 0, hdr, sizeof(hdr));
	if (!tx_offload(n, hdr, len, &off)) {
		n->tx_errors++;
		return;
	}
	virtq_chain_read(c, VIRTIO_NET_HDR_LEN, n->frame, len);
	net_switch_send(&n->port, n->frame, len, &off);
	n->tx_frames++;
	n->tx_gso += off.gso_type != NET_GSO_NONE;
	n->tx_csum += off.flags & NET_OFF_CSUM;
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

/* Whether the driver takes a frame with offloads @off (it may have been
 * reset since the switch queued it). */
static bool rx_takes(const struct virtio_net *n, const struct net_offload *off)
{
	if ((off->flags & NET_OFF_CSUM) && !negotiated(n, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	if (off->gso_type == NET_GSO_TCPV4)
		return negotiated(n, VIRTIO_NET_F_GUEST_TSO4);
	if (off->gso_type == NET_GSO_TCPV6)
		return negotiated(n, VIRTIO_NET_F_GUEST_TSO6);
	return true;
}

/* One waiting frame into the chain in d->chain; the used length. */
static u32 rx_one(struct virtio_net *n, const struct virtq_chain *c)
{
	u8 hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	struct net_offload off;
	u32 len = net_port_recv(&n->port, n->frame, sizeof(n->frame), &off);

	if (!len || !rx_takes(n, &off) || c->write_len < VIRTIO_NET_HDR_LEN + len) {
		n->rx_errors++;
		return 0;
	}
	hdr[0] = off.flags & NET_OFF_CSUM ? VIRTIO_NET_HDR_F_NEEDS_CSUM : 0;
	hdr[1] = off.gso_type;
	virtio_put16(hdr + 2, off.hdr_len);
	virtio_put16(hdr + 4, off.gso_size);
	virtio_put16(hdr + 6, off.csum_start);
	virtio_put16(hdr + 8, off.csum_offset);
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

/* What the switch may give this port: what the driver negotiated (TSO
 * only with GUEST_CSUM, as §5.1.3.1 requires). */
static void net_driver_ok(struct virtio_dev *d)
{
	struct virtio_net *n = to_net(d);
	u8 caps = 0;

	if (negotiated(n, VIRTIO_NET_F_GUEST_CSUM)) {
		caps = NET_PORT_RX_CSUM;
		if (negotiated(n, VIRTIO_NET_F_GUEST_TSO4))
			caps |= NET_PORT_RX_TSO4;
		if (negotiated(n, VIRTIO_NET_F_GUEST_TSO6))
			caps |= NET_PORT_RX_TSO6;
	}
	__atomic_store_n(&n->port.rx_caps, caps, __ATOMIC_RELEASE);
	virtio_net_rx_poll(n);
}

static void net_reset(struct virtio_dev *d)
{
	__atomic_store_n(&to_net(d)->port.rx_caps, 0, __ATOMIC_RELEASE);
}

static const struct virtio_dev_ops net_ops = {
	.notify = net_notify,
	.driver_ok = net_driver_ok,
	.reset = net_reset,
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
	n->tx_gso = n->tx_csum = 0;
	virtio_dev_init(&n->vdev, &net_ops, "net", VIRTIO_ID_NET, 2,
			VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
			VIRTIO_BIT(VIRTIO_NET_F_MTU) | VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
			VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
			VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
			VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6),
			c, sizeof(n->config), mem, vm_name);
	return true;
}
