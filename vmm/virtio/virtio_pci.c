// SPDX-License-Identifier: MIT
/*
 * The modern virtio PCI transport's registers (virtio_pci.h), virtio spec
 * v1.2 §4.1.4. Common configuration fields are accessed at their natural
 * width; 64-bit fields may also be accessed as two 32-bit halves
 * (§4.1.3.1). Anything else reads 0 and is ignored on write. Queue q's
 * notification address is notify base + q * VIRTIO_PCI_NOTIFY_MULT
 * (queue_notify_off = q). Interrupts (§4.1.4.5, §4.1.5): with MSI-X the
 * vector the driver chose, else the ISR bits and INTx, which an ISR read
 * clears.
 */
#include "kernel/string.h"
#include "vmm/bus.h"
#include "vmm/virtio/virtio_pci.h"

static const struct { u8 off, width; } common_fields[] = {
	{ VIRTIO_PCI_DFSELECT, 4 }, { VIRTIO_PCI_DF, 4 }, { VIRTIO_PCI_GFSELECT, 4 },
	{ VIRTIO_PCI_GF, 4 }, { VIRTIO_PCI_MSIX_CONFIG, 2 }, { VIRTIO_PCI_NUM_QUEUES, 2 },
	{ VIRTIO_PCI_STATUS, 1 }, { VIRTIO_PCI_CFG_GENERATION, 1 },
	{ VIRTIO_PCI_Q_SELECT, 2 }, { VIRTIO_PCI_Q_SIZE, 2 }, { VIRTIO_PCI_Q_MSIX, 2 },
	{ VIRTIO_PCI_Q_ENABLE, 2 }, { VIRTIO_PCI_Q_NOFF, 2 }, { VIRTIO_PCI_Q_DESC, 8 },
	{ VIRTIO_PCI_Q_AVAIL, 8 }, { VIRTIO_PCI_Q_USED, 8 }, { VIRTIO_PCI_Q_NDATA, 2 },
	{ VIRTIO_PCI_Q_RESET, 2 },
};

/* The field an access hits, and the byte shift into it; -1 if the access
 * is not one the spec allows. */
static int common_field(u64 off, unsigned size, unsigned *shift)
{
	for (unsigned i = 0; i < ARRAY_SIZE(common_fields); i++) {
		unsigned f = common_fields[i].off, w = common_fields[i].width;

		if (off < f || off >= f + w)
			continue;
		*shift = (unsigned)(off - f) * 8;
		if ((off == f && size == w) || (w == 8 && size == 4 && (off - f) % 4 == 0))
			return (int)f;
		return -1;
	}
	return -1;
}

static void vp_irq(void *ctx, enum virtio_irq kind, u16 q)
{
	struct virtio_pci *vp = ctx;
	u16 vec = kind == VIRTIO_IRQ_CONFIG ? vp->config_vector
		  : q < VIRTIO_MAX_QUEUES ? vp->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;

	/* §4.1.4.5.1: the config bit is set even with MSI-X */
	if (kind == VIRTIO_IRQ_CONFIG)
		vp->isr |= VIRTIO_PCI_ISR_CONFIG;
	if (vp->ops->msix_enabled(vp->ctx)) {
		if (vec != VIRTIO_MSI_NO_VECTOR)
			vp->ops->msix_notify(vp->ctx, vec);
		return;
	}
	if (kind == VIRTIO_IRQ_QUEUE)
		vp->isr |= VIRTIO_PCI_ISR_QUEUE;
	vp->ops->intx(vp->ctx, true);
}

static void vp_reset(struct virtio_pci *vp)
{
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->queue_vector[i] = VIRTIO_MSI_NO_VECTOR;
	if (vp->isr)
		vp->ops->intx(vp->ctx, false);
	vp->isr = 0;
}

void virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev,
		     const struct virtio_pci_ops *ops, void *ctx, u16 msix_vectors)
{
	vp->dev = dev;
	vp->ops = ops;
	vp->ctx = ctx;
	vp->msix_vectors = msix_vectors;
	vp->isr = 0;
	vp_reset(vp);
	virtio_set_irq(dev, vp_irq, vp);
}

u16 virtio_pci_device_id(u16 device_id)
{
	return (u16)(VIRTIO_PCI_DEVICE_BASE + device_id);
}

/* PCI Code and ID Assignment: 02/00 Ethernet, 01/00 SCSI-like storage,
 * 07/80 other communication, ff/00 unassigned class. */
u32 virtio_pci_class(u16 device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET: return 0x020000;
	case VIRTIO_ID_BLOCK: return 0x010000;
	case VIRTIO_ID_CONSOLE: return 0x078000;
	default: return 0xff0000;
	}
}

unsigned virtio_pci_cap(u8 cfg_type, u8 bar, u8 *out)
{
	static const u32 where[5][2] = {
		[VIRTIO_PCI_CAP_COMMON_CFG] = { VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN },
		[VIRTIO_PCI_CAP_NOTIFY_CFG] = { VIRTIO_PCI_NOTIFY_OFF, VIRTIO_PCI_NOTIFY_LEN },
		[VIRTIO_PCI_CAP_ISR_CFG] = { VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN },
		[VIRTIO_PCI_CAP_DEVICE_CFG] = { VIRTIO_PCI_DEVICE_OFF, VIRTIO_PCI_DEVICE_LEN },
	};
	unsigned len = cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 20 : 16;

	if (cfg_type < VIRTIO_PCI_CAP_COMMON_CFG || cfg_type > VIRTIO_PCI_CAP_DEVICE_CFG)
		return 0;
	memset(out, 0, 20);
	out[0] = PCI_CAP_ID_VNDR;
	out[2] = (u8)len; /* cap_len */
	out[3] = cfg_type;
	out[4] = bar;
	virtio_put32(out + 8, where[cfg_type][0]);
	virtio_put32(out + 12, where[cfg_type][1]);
	if (cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		virtio_put32(out + 16, VIRTIO_PCI_NOTIFY_MULT);
	return len;
}

static u16 vp_queue(const struct virtio_pci *vp) { return vp->queue_select; }

static u64 common_value(struct virtio_pci *vp, unsigned f)
{
	const struct virtio_dev *d = vp->dev;
	u16 q = vp_queue(vp);
	bool have = q < virtio_num_queues(d);

	switch (f) {
	case VIRTIO_PCI_DFSELECT: return vp->dfselect;
	case VIRTIO_PCI_DF: return virtio_device_features(d, vp->dfselect);
	case VIRTIO_PCI_GFSELECT: return vp->gfselect;
	case VIRTIO_PCI_GF: return virtio_driver_features(d, vp->gfselect);
	case VIRTIO_PCI_MSIX_CONFIG: return vp->config_vector;
	case VIRTIO_PCI_NUM_QUEUES: return virtio_num_queues(d);
	case VIRTIO_PCI_STATUS: return virtio_get_status(d);
	case VIRTIO_PCI_CFG_GENERATION: return (u8)virtio_config_generation(d);
	case VIRTIO_PCI_Q_SELECT: return q;
	case VIRTIO_PCI_Q_SIZE: return virtio_queue_size(d, q);
	case VIRTIO_PCI_Q_MSIX: return have ? vp->queue_vector[q] : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_Q_ENABLE: return virtio_queue_ready(d, q);
	case VIRTIO_PCI_Q_NOFF: return have ? q : 0;
	case VIRTIO_PCI_Q_DESC: return virtio_queue_addr(d, q, VIRTIO_RING_DESC);
	case VIRTIO_PCI_Q_AVAIL: return virtio_queue_addr(d, q, VIRTIO_RING_AVAIL);
	case VIRTIO_PCI_Q_USED: return virtio_queue_addr(d, q, VIRTIO_RING_USED);
	default: return 0; /* queue_notif_config_data, queue_reset: not offered */
	}
}

u64 virtio_pci_common_read(void *opaque, u64 off, unsigned size)
{
	unsigned shift;
	int f = common_field(off, size, &shift);
	u64 v;

	if (f < 0)
		return 0;
	v = common_value(opaque, (unsigned)f) >> shift;
	return size == 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

/* §4.1.5.1.2: a vector beyond the table is refused (reads NO_VECTOR). */
static u16 vp_vector(const struct virtio_pci *vp, u64 val)
{
	return val < vp->msix_vectors ? (u16)val : VIRTIO_MSI_NO_VECTOR;
}

static void ring_write(struct virtio_pci *vp, enum virtio_ring r, unsigned shift,
		       unsigned size, u64 val)
{
	u16 q = vp_queue(vp);
	u64 cur = virtio_queue_addr(vp->dev, q, r);
	u64 mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;

	virtio_queue_set_addr(vp->dev, q, r, (cur & ~mask) | ((val << shift) & mask));
}

static void queue_write(struct virtio_pci *vp, unsigned f, unsigned shift,
			unsigned size, u64 val)
{
	struct virtio_dev *d = vp->dev;
	u16 q = vp_queue(vp);

	if (f == VIRTIO_PCI_Q_SIZE)
		virtio_queue_set_size(d, q, (u16)val);
	else if (f == VIRTIO_PCI_Q_MSIX && q < virtio_num_queues(d))
		vp->queue_vector[q] = vp_vector(vp, val);
	else if (f == VIRTIO_PCI_Q_ENABLE && val == 1)
		virtio_queue_enable(d, q);
	else if (f == VIRTIO_PCI_Q_DESC)
		ring_write(vp, VIRTIO_RING_DESC, shift, size, val);
	else if (f == VIRTIO_PCI_Q_AVAIL)
		ring_write(vp, VIRTIO_RING_AVAIL, shift, size, val);
	else if (f == VIRTIO_PCI_Q_USED)
		ring_write(vp, VIRTIO_RING_USED, shift, size, val);
}

void virtio_pci_common_write(void *opaque, u64 off, unsigned size, u64 val)
{
	struct virtio_pci *vp = opaque;
	unsigned shift;
	int f = common_field(off, size, &shift);

	if (f == VIRTIO_PCI_DFSELECT)
		vp->dfselect = (u32)val;
	else if (f == VIRTIO_PCI_GFSELECT)
		vp->gfselect = (u32)val;
	else if (f == VIRTIO_PCI_GF)
		virtio_set_driver_features(vp->dev, vp->gfselect, (u32)val);
	else if (f == VIRTIO_PCI_MSIX_CONFIG)
		vp->config_vector = vp_vector(vp, val);
	else if (f == VIRTIO_PCI_STATUS && (u8)val == 0) {
		virtio_set_status(vp->dev, 0); /* §2.4 device reset */
		vp_reset(vp);
	} else if (f == VIRTIO_PCI_STATUS)
		virtio_set_status(vp->dev, (u8)val);
	else if (f == VIRTIO_PCI_Q_SELECT)
		vp->queue_select = (u16)val;
	else if (f >= VIRTIO_PCI_Q_SIZE)
		queue_write(vp, (unsigned)f, shift, size, val);
}

u64 virtio_pci_isr_read(void *opaque, u64 off, unsigned size)
{
	struct virtio_pci *vp = opaque;
	u8 v = vp->isr;

	(void)size;
	if (off != 0)
		return 0;
	vp->isr = 0;
	if (v)
		vp->ops->intx(vp->ctx, false);
	return v;
}

void virtio_pci_isr_write(void *vp, u64 off, unsigned size, u64 val)
{
	(void)vp, (void)off, (void)size, (void)val; /* read-only */
}

u64 virtio_pci_notify_read(void *vp, u64 off, unsigned size)
{
	(void)vp, (void)off, (void)size;
	return 0;
}

/* §4.1.5.2: the driver writes the queue index at the queue's address;
 * the address decides, whatever the value. */
void virtio_pci_notify_write(void *opaque, u64 off, unsigned size, u64 val)
{
	struct virtio_pci *vp = opaque;

	(void)size, (void)val;
	if (off % VIRTIO_PCI_NOTIFY_MULT == 0)
		virtio_queue_notify(vp->dev, (u16)(off / VIRTIO_PCI_NOTIFY_MULT));
}

u64 virtio_pci_device_read(void *opaque, u64 off, unsigned size)
{
	struct virtio_pci *vp = opaque;

	return off < VIRTIO_PCI_DEVICE_LEN ? virtio_config_read(vp->dev, (u32)off, size) : 0;
}

void virtio_pci_device_write(void *opaque, u64 off, unsigned size, u64 val)
{
	struct virtio_pci *vp = opaque;

	if (off < VIRTIO_PCI_DEVICE_LEN)
		virtio_config_write(vp->dev, (u32)off, size, (u32)val);
}

static const struct {
	u64 off, len;
	bus_read_fn read;
	bus_write_fn write;
} bar_regions[] = {
	{ VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_LEN, virtio_pci_common_read,
	  virtio_pci_common_write },
	{ VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_ISR_LEN, virtio_pci_isr_read, virtio_pci_isr_write },
	{ VIRTIO_PCI_DEVICE_OFF, VIRTIO_PCI_DEVICE_LEN, virtio_pci_device_read,
	  virtio_pci_device_write },
	{ VIRTIO_PCI_NOTIFY_OFF, VIRTIO_PCI_NOTIFY_LEN, virtio_pci_notify_read,
	  virtio_pci_notify_write },
};

static int bar_region(u64 off, unsigned size)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bar_regions); i++)
		if (off >= bar_regions[i].off && size <= bar_regions[i].len &&
		    off - bar_regions[i].off <= bar_regions[i].len - size)
			return (int)i;
	return -1;
}

u64 virtio_pci_bar_read(void *vp, u64 off, unsigned size)
{
	int i = bar_region(off, size);

	return i < 0 ? 0 : bar_regions[i].read(vp, off - bar_regions[i].off, size);
}

void virtio_pci_bar_write(void *vp, u64 off, unsigned size, u64 val)
{
	int i = bar_region(off, size);

	if (i >= 0)
		bar_regions[i].write(vp, off - bar_regions[i].off, size, val);
}
