/* SPDX-License-Identifier: MIT */
/*
 * The virtual Ethernet switch inside the hypervisor: ports (one per guest
 * NIC, from any VM) joined by name, a learning MAC table, flooding of
 * broadcast and multicast frames to every other port, unicast only to the
 * port that owns the destination address (unknown unicast is dropped), so
 * no guest sees a frame not meant for it. A port's own address (given at
 * attach) is a static entry no other port can take over by sending with it.
 * Frames reach a port's receive mailbox, a byte ring the port's owner
 * drains into its guest (virtio_net.c) in its own time.
 *
 * Locking and cross-VM delivery. Ports belong to different VMs, whose
 * vCPUs send concurrently. Lock order: the sending VM's dev_lock, then
 * net_switch.lock, then the destination port's rx_lock.
 * - net_switch.lock guards ports[] and the MAC table; it is held for the
 *   whole of one send (lookup and copies into the mailboxes), so a port
 *   cannot be detached while a frame is being copied to it.
 * - net_port.rx_lock guards that port's mailbox (rx ring, counters); it is
 *   a leaf lock: nothing else is taken while it is held.
 * - The receiving VM never waits for the sender: its device drains the
 *   mailbox under its own dev_lock plus the port's rx_lock and never takes
 *   the switch lock, so two VMs sending to each other cannot deadlock.
 * - After queueing, the switch calls the port's kick(ctx) with the switch
 *   lock held: the owner's callback must only latch a request for its VM
 *   (a request bit and an IPI, say) and take no lock of its own; the VM
 *   then calls its device's drain under its dev_lock.
 * A full mailbox drops the frame (Ethernet may drop) and counts it.
 */
#ifndef VMM_NET_SWITCH_H
#define VMM_NET_SWITCH_H

#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "vmm/net/offload.h"

#define ETH_ALEN 6
#define ETH_HLEN 14
/* Largest frame without FCS: 1500 bytes of payload, header, a VLAN tag. */
#define NET_FRAME_MAX 1518
#define NET_SWITCH_PORTS 16
#define NET_SWITCH_MACS 64
#define NET_SWITCH_NAME 16
/* Per-port receive mailbox: frames stored as {struct net_rec, bytes},
 * room for eight GSO frames of 64 KiB (a TCP sender bursts them; with 256
 * KiB the two-guest 64 MiB test lost 85 frames). */
#define NET_PORT_RX_BYTES (512 * 1024)
/* What a port's receiver takes (net_port.rx_caps): frames with a
 * checksum left to complete, GSO TCP/IPv4 and TCP/IPv6 frames. Frames it
 * does not take are completed or cut by the switch first. */
#define NET_PORT_RX_CSUM 1
#define NET_PORT_RX_TSO4 2
#define NET_PORT_RX_TSO6 4

/* A mailbox record's header. */
struct net_rec {
	u32 len;
	struct net_offload off;
	u16 pad;
};

struct net_switch;

struct net_port {
	struct net_switch *sw;          /* (s) set by attach, cleared by detach */
	u8 mac[ETH_ALEN];               /* (i) the port's static address */
	u8 index;                       /* (s) slot in sw->ports */
	void (*kick)(void *ctx);        /* (i) frames are waiting */
	void *kick_ctx;                 /* (i) */
	volatile u8 rx_caps;            /* (a) NET_PORT_RX_*: the owner sets it
					   when its guest's driver says what it
					   takes; the switch reads it per send */
	spinlock_t rx_lock;             /* guards the fields below */
	u32 rx_head, rx_used;           /* ring bytes: first, in use */
	u32 rx_frames;                  /* frames waiting */
	u64 rx_drops;                   /* mailbox full */
	u8 rx[NET_PORT_RX_BYTES];
};

struct net_mac_entry {
	u8 mac[ETH_ALEN];
	u8 port;
	u8 flags;                       /* NET_MAC_VALID, NET_MAC_STATIC */
	u32 stamp;                      /* last seen (eviction of dynamic entries) */
};

struct net_switch {
	char name[NET_SWITCH_NAME];     /* (i) */
	spinlock_t lock;                /* guards everything below */
	u32 clock;
	struct net_port *ports[NET_SWITCH_PORTS];
	struct net_mac_entry mac[NET_SWITCH_MACS];
	u64 frames, flooded, dropped;   /* statistics */
	u64 cut, completed;             /* GSO frames cut, checksums completed */
	u8 seg[NET_FRAME_MAX];          /* a frame completed or cut for a port */
};

/* An empty switch named @name (truncated to NET_SWITCH_NAME - 1). */
void net_switch_init(struct net_switch *sw, const char *name);

/*
 * Attach @p with static address @mac; @kick(@ctx) is called (switch lock
 * held) when frames arrive. False if the switch is full or @mac is already
 * some port's static address, or @mac is multicast.
 */
bool net_switch_attach(struct net_switch *sw, struct net_port *p, const u8 *mac,
		       void (*kick)(void *ctx), void *ctx);

/* Detach @p (its MAC entries go with it); frames waiting in it are kept. */
void net_switch_detach(struct net_port *p);

/*
 * @from sends @frame (@len bytes, destination address first) with
 * offloads @off (NULL: none): learn the source, deliver to the
 * destination port(s), each as it takes it (rx_caps; offload.h). Returns
 * the number of ports the frame was queued to. Frames shorter than
 * ETH_HLEN, longer than NET_FRAME_MAX (NET_GSO_FRAME_MAX for GSO) or with
 * malformed offloads are dropped. Caller holds its VM's dev_lock (or
 * nothing).
 */
unsigned net_switch_send(struct net_port *from, const u8 *frame, u32 len,
			 const struct net_offload *off);

/* Length of the next waiting frame, 0 if none (port's owner). */
u32 net_port_peek(struct net_port *p);

/* Take the next frame into @buf (@cap bytes) and its offloads into @off;
 * its length, or 0 (a frame longer than @cap is dropped). */
u32 net_port_recv(struct net_port *p, u8 *buf, u32 cap, struct net_offload *off);

/* A stable locally administered unicast MAC for NIC @n of guest @name. */
void net_mac_from_name(u8 *mac, const char *name, unsigned n);

#endif
