// SPDX-License-Identifier: MIT
/*
 * The transport-independent virtio device core (virtio.h): feature
 * negotiation (§2.2, §6), the status state machine (§2.1, §3.1.1), device
 * reset (§2.4), queue setup and notification, the configuration space with
 * its generation counter (§2.5) and DEVICE_NEEDS_RESET on driver errors
 * (§2.1.2).
 */
#include "kernel/log.h"
#include "kernel/string.h"
#include "vmm/virtio/virtio.h"

#define CORE_FEATURES (VIRTIO_BIT(VIRTIO_F_VERSION_1) | \
		       VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | \
		       VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX))

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     const char *name, u16 device_id, u16 nqueues, u64 features,
		     void *config, u32 config_len, const struct gmem *mem,
		     const char *vm_name)
{
	memset(d, 0, offsetof(struct virtio_dev, chain));
	d->ops = ops;
	d->name = name;
	d->vm_name = vm_name;
	d->mem = mem;
	d->device_id = device_id;
	d->nqueues = MIN(nqueues, VIRTIO_MAX_QUEUES);
	d->host_features = features | CORE_FEATURES;
	d->config = config;
	d->config_len = config_len;
	virtio_reset(d);
}

void virtio_set_irq(struct virtio_dev *d,
		    void (*irq)(void *ctx, enum virtio_irq kind, u16 queue), void *ctx)
{
	d->irq = irq;
	d->irq_ctx = ctx;
}

static void raise(struct virtio_dev *d, enum virtio_irq kind, u16 q)
{
	d->interrupts++;
	if (d->irq)
		d->irq(d->irq_ctx, kind, q);
}

u32 virtio_device_features(const struct virtio_dev *d, u32 sel)
{
	return sel < 2 ? (u32)(d->host_features >> (32 * sel)) : 0;
}

u32 virtio_driver_features(const struct virtio_dev *d, u32 sel)
{
	return sel < 2 ? (u32)(d->guest_features >> (32 * sel)) : 0;
}

void virtio_set_driver_features(struct virtio_dev *d, u32 sel, u32 val)
{
	u64 mask;

	if (sel >= 2 || (d->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	mask = 0xffffffffULL << (32 * sel);
	d->guest_features = (d->guest_features & ~mask) | ((u64)val << (32 * sel));
}

bool virtio_has_feature(const struct virtio_dev *d, unsigned bit)
{
	return bit < 64 && (d->guest_features & VIRTIO_BIT(bit));
}

u8 virtio_get_status(const struct virtio_dev *d)
{
	return d->status;
}

void virtio_reset(struct virtio_dev *d)
{
	for (u16 i = 0; i < d->nqueues; i++)
		virtq_reset(&d->vq[i], d->mem, VIRTQ_MAX_SIZE);
	d->guest_features = 0;
	d->status = 0;
	if (d->ops && d->ops->reset)
		d->ops->reset(d);
}

/* §2.2.2, §6.1: a subset of what we offer, and VERSION_1 (no legacy). */
static bool features_acceptable(const struct virtio_dev *d)
{
	return !(d->guest_features & ~d->host_features) &&
	       virtio_has_feature(d, VIRTIO_F_VERSION_1);
}

void virtio_set_status(struct virtio_dev *d, u8 status)
{
	u8 old = d->status;

	if (status == 0) {
		virtio_reset(d);
		return;
	}
	status &= (u8)~VIRTIO_STATUS_NEEDS_RESET;
	if (old & ~status & (u8)~VIRTIO_STATUS_NEEDS_RESET)
		return; /* §2.1.1: the driver never clears a bit but by reset */
	if ((status & ~old & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d))
		status &= (u8)~VIRTIO_STATUS_FEATURES_OK;
	if (!(status & VIRTIO_STATUS_FEATURES_OK))
		status &= (u8)~VIRTIO_STATUS_DRIVER_OK;
	d->status = status | (old & VIRTIO_STATUS_NEEDS_RESET);
	if ((status & ~old & VIRTIO_STATUS_DRIVER_OK) && d->ops->driver_ok)
		d->ops->driver_ok(d);
}

u32 virtio_config_read(const struct virtio_dev *d, u32 off, unsigned len)
{
	u32 v = 0;

	if (len > 4 || off >= d->config_len || len > d->config_len - off)
		return 0;
	for (unsigned i = 0; i < len; i++)
		v |= (u32)d->config[off + i] << (8 * i);
	return v;
}

void virtio_config_write(struct virtio_dev *d, u32 off, unsigned len, u32 val)
{
	if (len > 4 || off >= d->config_len || len > d->config_len - off)
		return;
	if (d->ops->config_write)
		d->ops->config_write(d, off, len, val);
}

u32 virtio_config_generation(const struct virtio_dev *d)
{
	return d->generation;
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->generation++;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		raise(d, VIRTIO_IRQ_CONFIG, 0);
}

u16 virtio_num_queues(const struct virtio_dev *d)
{
	return d->nqueues;
}

static struct virtq *vq(struct virtio_dev *d, u16 q)
{
	return q < d->nqueues ? &d->vq[q] : NULL;
}

u16 virtio_queue_max_size(const struct virtio_dev *d, u16 q)
{
	return q < d->nqueues ? VIRTQ_MAX_SIZE : 0;
}

u16 virtio_queue_size(const struct virtio_dev *d, u16 q)
{
	return q < d->nqueues ? d->vq[q].size : 0;
}

/* §4.1.4.3.2: queue registers are written only while the queue is off. */
static struct virtq *vq_setup(struct virtio_dev *d, u16 q)
{
	struct virtq *v = vq(d, q);

	return v && !v->ready ? v : NULL;
}

void virtio_queue_set_size(struct virtio_dev *d, u16 q, u16 size)
{
	struct virtq *v = vq_setup(d, q);

	if (v)
		v->size = size;
}

u64 virtio_queue_addr(const struct virtio_dev *d, u16 q, enum virtio_ring which)
{
	const struct virtq *v = q < d->nqueues ? &d->vq[q] : NULL;

	if (!v)
		return 0;
	if (which == VIRTIO_RING_DESC)
		return v->desc_gpa;
	return which == VIRTIO_RING_AVAIL ? v->avail_gpa : v->used_gpa;
}

void virtio_queue_set_addr(struct virtio_dev *d, u16 q, enum virtio_ring which, u64 gpa)
{
	struct virtq *v = vq_setup(d, q);

	if (!v)
		return;
	if (which == VIRTIO_RING_DESC)
		v->desc_gpa = gpa;
	else if (which == VIRTIO_RING_AVAIL)
		v->avail_gpa = gpa;
	else
		v->used_gpa = gpa;
}

bool virtio_queue_ready(const struct virtio_dev *d, u16 q)
{
	return q < d->nqueues && d->vq[q].ready;
}

void virtio_queue_enable(struct virtio_dev *d, u16 q)
{
	struct virtq *v = vq_setup(d, q);
	int r;

	if (!v)
		return;
	v->event_idx = virtio_has_feature(d, VIRTIO_F_RING_EVENT_IDX);
	v->indirect = virtio_has_feature(d, VIRTIO_F_INDIRECT_DESC);
	r = virtq_enable(v);
	if (r != VIRTQ_OK)
		virtio_dev_error(d, q, virtq_strerror(r));
}

bool virtio_dev_live(const struct virtio_dev *d)
{
	return (d->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
			     VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK;
}

void virtio_queue_notify(struct virtio_dev *d, u16 q)
{
	if (virtio_dev_live(d) && virtio_queue_ready(d, q)) {
		d->notifies++;
		d->ops->notify(d, q);
	}
}

void virtio_dev_error(struct virtio_dev *d, u16 q, const char *what)
{
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return; /* said once until the driver resets the device */
	if (d->logged < VIRTIO_LOG_MAX) {
		d->logged++;
		printk(LOG_INFO, "guest %s virtio-%s queue %u %s%s", d->vm_name, d->name,
		       q, what, d->logged == VIRTIO_LOG_MAX ? " (further errors not logged)" : "");
	}
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		raise(d, VIRTIO_IRQ_CONFIG, 0);
}

bool virtio_pop(struct virtio_dev *d, u16 q)
{
	struct virtq *v = vq(d, q);
	int r;

	if (!v || !virtio_dev_live(d))
		return false;
	r = virtq_pop(v, &d->chain);
	if (r < 0)
		virtio_dev_error(d, q, virtq_strerror(r));
	return r == VIRTQ_OK;
}

void virtio_push(struct virtio_dev *d, u16 q, u16 head, u32 len)
{
	struct virtq *v = vq(d, q);

	if (v)
		virtq_push(v, head, len);
}

void virtio_queue_interrupt(struct virtio_dev *d, u16 q)
{
	struct virtq *v = vq(d, q);

	if (v && virtq_need_interrupt(v))
		raise(d, VIRTIO_IRQ_QUEUE, q);
}
