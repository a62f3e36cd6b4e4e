// SPDX-License-Identifier: MIT
/*
 * The virtual Ethernet switch (switch.h). An Ethernet frame (IEEE 802.3
 * §3.1) starts with the destination and source addresses; bit 0 of the
 * first address byte is the group (multicast/broadcast) bit and bit 1 the
 * locally administered bit. The MAC table is small and searched linearly:
 * a handful of guests per switch.
 */
#include "kernel/string.h"
#include "vmm/net/switch.h"

#define NET_MAC_VALID 1
#define NET_MAC_STATIC 2

static bool is_group(const u8 *mac) { return mac[0] & 1; }

void net_switch_init(struct net_switch *sw, const char *name)
{
	memset(sw, 0, sizeof(*sw));
	for (unsigned i = 0; name && name[i] && i < NET_SWITCH_NAME - 1; i++)
		sw->name[i] = name[i];
}

static struct net_mac_entry *mac_find(struct net_switch *sw, const u8 *mac)
{
	for (unsigned i = 0; i < NET_SWITCH_MACS; i++) {
		struct net_mac_entry *e = &sw->mac[i];

		if ((e->flags & NET_MAC_VALID) && !memcmp(e->mac, mac, ETH_ALEN))
			return e;
	}
	return NULL;
}

/* A free entry, else the least recently seen dynamic one (NULL if all
 * are static). */
static struct net_mac_entry *mac_slot(struct net_switch *sw)
{
	struct net_mac_entry *old = NULL;

	for (unsigned i = 0; i < NET_SWITCH_MACS; i++) {
		struct net_mac_entry *e = &sw->mac[i];

		if (!(e->flags & NET_MAC_VALID))
			return e;
		if (!(e->flags & NET_MAC_STATIC) && (!old || (s32)(e->stamp - old->stamp) < 0))
			old = e;
	}
	return old;
}

static void mac_set(struct net_switch *sw, struct net_mac_entry *e, const u8 *mac,
		    u8 port, u8 flags)
{
	memcpy(e->mac, mac, ETH_ALEN);
	e->port = port;
	e->flags = NET_MAC_VALID | flags;
	e->stamp = sw->clock;
}

/* Learn that @mac lives behind @port; static entries never move. */
static void mac_learn(struct net_switch *sw, const u8 *mac, u8 port)
{
	struct net_mac_entry *e = mac_find(sw, mac);

	if (is_group(mac) || (e && (e->flags & NET_MAC_STATIC)))
		return;
	if (!e)
		e = mac_slot(sw);
	if (e)
		mac_set(sw, e, mac, port, 0);
}

static int free_port(const struct net_switch *sw)
{
	for (unsigned i = 0; i < NET_SWITCH_PORTS; i++)
		if (!sw->ports[i])
			return (int)i;
	return -1;
}

bool net_switch_attach(struct net_switch *sw, struct net_port *p, const u8 *mac,
		       void (*kick)(void *ctx), void *ctx)
{
	struct net_mac_entry *e;
	int i;

	memset(p, 0, offsetof(struct net_port, rx));
	memcpy(p->mac, mac, ETH_ALEN);
	p->kick = kick;
	p->kick_ctx = ctx;
	spin_lock(&sw->lock);
	e = mac_find(sw, mac);
	i = free_port(sw);
	if (is_group(mac) || (e && (e->flags & NET_MAC_STATIC)) || i < 0 ||
	    (!e && !(e = mac_slot(sw)))) {
		spin_unlock(&sw->lock);
		return false;
	}
	mac_set(sw, e, mac, (u8)i, NET_MAC_STATIC);
	sw->ports[i] = p;
	p->index = (u8)i;
	p->sw = sw;
	spin_unlock(&sw->lock);
	return true;
}

void net_switch_detach(struct net_port *p)
{
	struct net_switch *sw = p->sw;

	if (!sw)
		return;
	spin_lock(&sw->lock);
	for (unsigned i = 0; i < NET_SWITCH_MACS; i++)
		if ((sw->mac[i].flags & NET_MAC_VALID) && sw->mac[i].port == p->index)
			sw->mac[i].flags = 0;
	sw->ports[p->index] = NULL;
	p->sw = NULL;
	spin_unlock(&sw->lock);
}

/* Copy @len bytes into/out of the ring at byte @pos, wrapping. */
static void ring_put(struct net_port *p, u32 pos, const void *src, u32 len)
{
	u32 first = MIN(len, NET_PORT_RX_BYTES - pos % NET_PORT_RX_BYTES);

	memcpy(p->rx + pos % NET_PORT_RX_BYTES, src, first);
	memcpy(p->rx, (const u8 *)src + first, len - first);
}

static void ring_get(const struct net_port *p, u32 pos, void *dst, u32 len)
{
	u32 first = MIN(len, NET_PORT_RX_BYTES - pos % NET_PORT_RX_BYTES);

	memcpy(dst, p->rx + pos % NET_PORT_RX_BYTES, first);
	memcpy((u8 *)dst + first, p->rx, len - first);
}

/* Queue one frame in @p's mailbox (switch lock held). */
static bool port_enqueue(struct net_port *p, const u8 *frame, u32 len,
			 const struct net_offload *off)
{
	struct net_rec r = { .len = len };
	bool ok;

	if (off)
		r.off = *off;
	spin_lock(&p->rx_lock);
	ok = NET_PORT_RX_BYTES - p->rx_used >= len + sizeof(r);
	if (ok) {
		ring_put(p, p->rx_head + p->rx_used, &r, sizeof(r));
		ring_put(p, p->rx_head + p->rx_used + sizeof(r), frame, len);
		p->rx_used += len + sizeof(r);
		p->rx_frames++;
	} else {
		p->rx_drops++;
	}
	spin_unlock(&p->rx_lock);
	return ok;
}

/* A segment cut for one port (net_gso_segment's emit). */
struct seg_ctx {
	struct net_port *p;
	bool queued;
};

static void seg_emit(void *ctx, const u8 *seg, u32 len)
{
	struct seg_ctx *c = ctx;

	c->queued |= port_enqueue(c->p, seg, len, NULL);
}

/* Deliver to @p as it takes it (switch lock held); whether it got any. */
static bool port_deliver(struct net_switch *sw, struct net_port *p, const u8 *frame, u32 len,
			 const struct net_offload *off)
{
	u8 caps = __atomic_load_n(&p->rx_caps, __ATOMIC_ACQUIRE);
	struct seg_ctx c = { p, false };

	if (!off || !(off->flags & NET_OFF_CSUM))
		return port_enqueue(p, frame, len, NULL);
	if (off->gso_type == NET_GSO_NONE) {
		if (caps & NET_PORT_RX_CSUM)
			return port_enqueue(p, frame, len, off);
		memcpy(sw->seg, frame, len); /* len <= NET_FRAME_MAX */
		net_csum_complete(sw->seg, len, off);
		sw->completed++;
		return port_enqueue(p, sw->seg, len, NULL);
	}
	if (caps & (off->gso_type == NET_GSO_TCPV4 ? NET_PORT_RX_TSO4 : NET_PORT_RX_TSO6))
		return port_enqueue(p, frame, len, off);
	if (!net_gso_segment(frame, len, off, sw->seg, NET_FRAME_MAX, seg_emit, &c))
		return false;
	sw->cut++;
	return c.queued;
}

/* The ports a frame to @dst goes to, as a bit mask (switch lock held). */
static u32 destinations(struct net_switch *sw, const struct net_port *from, const u8 *dst)
{
	u32 mask = 0;

	if (is_group(dst)) {
		for (unsigned i = 0; i < NET_SWITCH_PORTS; i++)
			if (sw->ports[i] && i != from->index)
				mask |= 1u << i;
		sw->flooded++;
	} else {
		struct net_mac_entry *e = mac_find(sw, dst);

		if (e && e->port != from->index && sw->ports[e->port])
			mask = 1u << e->port;
	}
	return mask;
}

unsigned net_switch_send(struct net_port *from, const u8 *frame, u32 len,
			 const struct net_offload *off)
{
	struct net_switch *sw = from->sw;
	bool gso = off && off->gso_type != NET_GSO_NONE;
	unsigned n = 0;
	u32 mask;

	if (!sw || len < ETH_HLEN || len > (gso ? NET_GSO_FRAME_MAX : NET_FRAME_MAX) ||
	    (off && !net_offload_ok(off, len)))
		return 0;
	spin_lock(&sw->lock);
	sw->clock++;
	sw->frames++;
	mac_learn(sw, frame + ETH_ALEN, from->index);
	mask = destinations(sw, from, frame);
	for (unsigned i = 0; i < NET_SWITCH_PORTS; i++) {
		struct net_port *p = sw->ports[i];

		if (!(mask & (1u << i)) || !port_deliver(sw, p, frame, len, off))
			continue;
		n++;
		if (p->kick)
			p->kick(p->kick_ctx);
	}
	if (!n)
		sw->dropped++;
	spin_unlock(&sw->lock);
	return n;
}

u32 net_port_peek(struct net_port *p)
{
	struct net_rec r = { 0 };

	spin_lock(&p->rx_lock);
	if (p->rx_frames)
		ring_get(p, p->rx_head, &r, sizeof(r));
	spin_unlock(&p->rx_lock);
	return r.len;
}

u32 net_port_recv(struct net_port *p, u8 *buf, u32 cap, struct net_offload *off)
{
	struct net_rec r = { 0 };

	spin_lock(&p->rx_lock);
	if (p->rx_frames) {
		ring_get(p, p->rx_head, &r, sizeof(r));
		if (r.len <= cap)
			ring_get(p, p->rx_head + sizeof(r), buf, r.len);
		p->rx_head = (p->rx_head + sizeof(r) + r.len) % NET_PORT_RX_BYTES;
		p->rx_used -= sizeof(r) + r.len;
		p->rx_frames--;
		if (r.len > cap)
			r.len = 0;
	}
	spin_unlock(&p->rx_lock);
	*off = r.off;
	return r.len;
}

/* FNV-1a over the name and the NIC number: stable across boots. */
void net_mac_from_name(u8 *mac, const char *name, unsigned n)
{
	u32 h = 2166136261u;

	for (; name && *name; name++)
		h = (h ^ (u8)*name) * 16777619u;
	h = (h ^ n) * 16777619u;
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x68; /* 'h' */
	mac[2] = (u8)(h >> 24);
	mac[3] = (u8)(h >> 16);
	mac[4] = (u8)(h >> 8);
	mac[5] = (u8)h;
}
