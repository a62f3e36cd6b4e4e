/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio spec v1.2 §5.1): one receive and one transmit queue,
 * the MAC address and link status in config space, checksum offload both
 * ways (CSUM, GUEST_CSUM) and TCP segmentation offload both ways
 * (HOST_TSO4/6, GUEST_TSO4/6; no UFO, no ECN, no mergeable buffers: a
 * driver taking GSO frames posts buffers that hold 64 KiB, as Linux's
 * "big packets" do). Each frame travels with a 12-byte struct
 * virtio_net_hdr (num_buffers included with VERSION_1); its offload
 * fields go with the frame over the switch (vmm/net/offload.h), which
 * completes or cuts it for a receiver that does not take them.
 * The NIC is one port of a virtual switch (vmm/net/switch.h): transmitted
 * frames go to net_switch_send(); frames for it wait in the port's mailbox
 * until virtio_net_rx_poll() moves them into posted receive buffers.
 *
 * Locking: the device is guarded by the owning VM's dev_lock (virtio.h);
 * it takes the switch lock (to send) and its port's rx_lock (to drain)
 * inside it, in the order switch.h gives. Delivery from another VM: the
 * sender's switch call kicks this port (the @kick given to init, called
 * with the switch lock held: it may only latch a request for this VM);
 * this VM then calls virtio_net_rx_poll() under its own dev_lock.
 */
#ifndef VMM_VIRTIO_VIRTIO_NET_H
#define VMM_VIRTIO_VIRTIO_NET_H

#include "vmm/net/switch.h"
#include "vmm/virtio/virtio.h"

/* §5.1.3 feature bits */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

/* §5.1.4 config: mac[6], status, max_virtqueue_pairs, mtu */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_CFG_MAX_PAIRS 8
#define VIRTIO_NET_CFG_MTU 10
#define VIRTIO_NET_CFG_LEN 12
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1
#define VIRTIO_NET_HDR_LEN 12 /* §5.1.6 with num_buffers */
/* §5.1.6 struct virtio_net_hdr: flags, gso_type, then le16 hdr_len,
 * gso_size, csum_start, csum_offset, num_buffers */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_MTU 1500

struct virtio_net {
	struct virtio_dev vdev;            /* first */
	struct net_port port;              /* on the switch; rx mailbox inside */
	u8 config[VIRTIO_NET_CFG_LEN];     /* (i) */
	u8 frame[NET_GSO_FRAME_MAX];       /* staging copy, under dev_lock */
	u64 tx_frames, tx_errors;          /* statistics, under dev_lock */
	u64 tx_gso, tx_csum;               /* frames sent with those offloads */
	u64 rx_frames, rx_errors;
};

/*
 * Set up NIC @n with address @mac on switch @sw for guest @vm_name (RAM
 * @mem); @kick(@ctx) tells the owner that frames wait (see above). False
 * if the switch refuses the port (full, or @mac taken or multicast).
 */
bool virtio_net_init(struct virtio_net *n, const u8 *mac, struct net_switch *sw,
		     void (*kick)(void *ctx), void *ctx, const struct gmem *mem,
		     const char *vm_name);

/* Move waiting frames into the guest's receive buffers (dev_lock held). */
void virtio_net_rx_poll(struct virtio_net *n);

#endif
