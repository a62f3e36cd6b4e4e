/* SPDX-License-Identifier: MIT */
/*
 * The virtio device core, independent of any transport (virtio spec v1.2
 * §2-§3): feature negotiation, the device status state machine and reset,
 * the per-queue registers, the device configuration space with its
 * generation counter, and the one interrupt callback through which every
 * device signals the transport (used buffers, configuration change). A
 * transport (virtio_pci.c: common, notify, ISR and device cfg structures of
 * §4.1) maps its registers onto the calls below; a device (virtio_blk.c,
 * virtio_net.c, virtio_console.c, virtio_rng.c) embeds a struct virtio_dev,
 * fills its ops and config image, and never learns which transport it sits
 * on nor calls the vCPU scheduler.
 *
 * Locking: a virtio_dev and its queues are guarded by the owning VM's
 * dev_lock (vm.h): the transport's bus callbacks run under it, and so must
 * every input event into a device (console input, frames from the switch,
 * a timer). The irq callback is called with that lock held; it must only
 * latch the interrupt (ISR bit, MSI-X pending/delivery request) and must
 * not take another VM's locks.
 */
#ifndef VMM_VIRTIO_VIRTIO_H
#define VMM_VIRTIO_VIRTIO_H

#include "kernel/types.h"
#include "vmm/gmem.h"
#include "vmm/virtio/virtqueue.h"

/* §2.1 device status field */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* §6 reserved feature bits (bit numbers) */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_BIT(b) (1ULL << (b))

/* §5 device IDs */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

#define VIRTIO_MAX_QUEUES 2

/* log lines per device about driver errors, then silence */
#define VIRTIO_LOG_MAX 8

enum virtio_irq {
	VIRTIO_IRQ_QUEUE,  /* used buffers in queue @queue (ISR bit 0) */
	VIRTIO_IRQ_CONFIG, /* configuration change (ISR bit 1) */
};

enum virtio_ring {
	VIRTIO_RING_DESC,
	VIRTIO_RING_AVAIL, /* "driver area" */
	VIRTIO_RING_USED,  /* "device area" */
};

struct virtio_dev;

/* What a device implements. Every callback runs under the device lock. */
struct virtio_dev_ops {
	/* The driver notified queue @queue (only while DRIVER_OK, not
	 * NEEDS_RESET, and the queue is enabled). */
	void (*notify)(struct virtio_dev *d, u16 queue);
	/* Device reset (status 0): forget device-specific request state. */
	void (*reset)(struct virtio_dev *d);
	/* Optional: the driver wrote @len bytes @val at config offset @off
	 * (the core stores nothing: the device updates its image itself). */
	void (*config_write)(struct virtio_dev *d, u32 off, unsigned len, u32 val);
	/* Optional: DRIVER_OK was just set (deliver pending input). */
	void (*driver_ok)(struct virtio_dev *d);
};

/*
 * A virtio device. (i) set once by the device's init; (t) set by the
 * transport before the guest runs; the rest changes under the device lock.
 */
struct virtio_dev {
	const struct virtio_dev_ops *ops; /* (i) */
	const char *name;                 /* (i) "blk", "net", ... for log lines */
	const char *vm_name;              /* (i) */
	const struct gmem *mem;           /* (i) the guest's RAM */
	u16 device_id;                    /* (i) §5 */
	u16 nqueues;                      /* (i) */
	u64 host_features;                /* (i) offered */
	u8 *config;                       /* (i) device config image (LE) */
	u32 config_len;                   /* (i) */
	void (*irq)(void *ctx, enum virtio_irq kind, u16 queue); /* (t) */
	void *irq_ctx;                    /* (t) */
	u64 guest_features;               /* accepted driver features */
	u8 status;
	u32 generation;                   /* §4.1.4.3 config_generation */
	unsigned logged;                  /* error lines printed */
	u64 notifies, interrupts;         /* the driver's notifications taken,
					     interrupts raised (statistics) */
	struct virtq vq[VIRTIO_MAX_QUEUES];
	struct virtq_chain chain;         /* the device's pop scratch */
};

/*
 * Set up @d: @nqueues queues, device feature bits @features (the core adds
 * VERSION_1, INDIRECT_DESC and RING_EVENT_IDX), config image @config of
 * @config_len bytes (owned by the device, updated by it under the lock
 * followed by virtio_config_changed()). The device is in reset state.
 */
void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops,
		     const char *name, u16 device_id, u16 nqueues, u64 features,
		     void *config, u32 config_len, const struct gmem *mem,
		     const char *vm_name);

/* Transport: the one interrupt callback (may be NULL: no interrupts). */
void virtio_set_irq(struct virtio_dev *d,
		    void (*irq)(void *ctx, enum virtio_irq kind, u16 queue), void *ctx);

/* §2.2 features, 32 bits at a time (@sel = device/driver_feature_select). */
u32 virtio_device_features(const struct virtio_dev *d, u32 sel);
u32 virtio_driver_features(const struct virtio_dev *d, u32 sel);
/* Ignored once FEATURES_OK is set (§2.2.2). */
void virtio_set_driver_features(struct virtio_dev *d, u32 sel, u32 val);
bool virtio_has_feature(const struct virtio_dev *d, unsigned bit);

/*
 * §2.1, §3.1.1 device status. Writing 0 resets the device (§2.4).
 * FEATURES_OK is refused (reads back clear) unless the driver's features
 * are a subset of the device's and include VERSION_1; DRIVER_OK is refused
 * without FEATURES_OK; clearing a set bit without a reset is ignored;
 * NEEDS_RESET is the device's and cannot be written.
 */
u8 virtio_get_status(const struct virtio_dev *d);
void virtio_set_status(struct virtio_dev *d, u8 status);
void virtio_reset(struct virtio_dev *d);

/* Device configuration (§2.5): @len 1, 2 or 4 bytes at @off, little-endian;
 * outside the image reads 0 and writes are ignored. */
u32 virtio_config_read(const struct virtio_dev *d, u32 off, unsigned len);
void virtio_config_write(struct virtio_dev *d, u32 off, unsigned len, u32 val);
u32 virtio_config_generation(const struct virtio_dev *d);

/* §4.1.4.3 per-queue registers; @q >= nqueues reads 0 / is ignored. */
u16 virtio_num_queues(const struct virtio_dev *d);
u16 virtio_queue_max_size(const struct virtio_dev *d, u16 q);
u16 virtio_queue_size(const struct virtio_dev *d, u16 q);
void virtio_queue_set_size(struct virtio_dev *d, u16 q, u16 size);
u64 virtio_queue_addr(const struct virtio_dev *d, u16 q, enum virtio_ring which);
void virtio_queue_set_addr(struct virtio_dev *d, u16 q, enum virtio_ring which, u64 gpa);
bool virtio_queue_ready(const struct virtio_dev *d, u16 q);
/* Enable @q (only 1 may be written, §4.1.4.3.2); bad rings -> NEEDS_RESET. */
void virtio_queue_enable(struct virtio_dev *d, u16 q);
/* The driver's notification for @q (the transport's notify region). */
void virtio_queue_notify(struct virtio_dev *d, u16 q);

/* ---- for devices ---- */

/* DRIVER_OK and neither NEEDS_RESET nor FAILED: queues may be served. */
bool virtio_dev_live(const struct virtio_dev *d);

/* Pop a chain of @q into d->chain: true if one was popped. A malformed
 * chain puts the device in NEEDS_RESET (virtio_dev_error) and says false. */
bool virtio_pop(struct virtio_dev *d, u16 q);

/* Return used element (@head, @len bytes written) to @q; no interrupt:
 * call virtio_queue_interrupt() after the batch. */
void virtio_push(struct virtio_dev *d, u16 q, u16 head, u32 len);
/* Interrupt for @q if virtq_need_interrupt() says so (after a batch). */
void virtio_queue_interrupt(struct virtio_dev *d, u16 q);

/* The device changed its config image: new generation, config interrupt. */
void virtio_config_changed(struct virtio_dev *d);

/*
 * The driver broke the protocol on queue @q: log "hv: guest <vm>
 * virtio-<name> queue <q> <what>" (at most VIRTIO_LOG_MAX times per device),
 * set DEVICE_NEEDS_RESET and send a configuration change interrupt
 * (§2.1.2). Queues stay dead until the driver resets the device.
 */
void virtio_dev_error(struct virtio_dev *d, u16 q, const char *what);

/* Little-endian helpers for config images. */
static inline void virtio_put16(u8 *p, u16 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static inline void virtio_put32(u8 *p, u32 v)
{
	virtio_put16(p, (u16)v);
	virtio_put16(p + 2, (u16)(v >> 16));
}
static inline void virtio_put64(u8 *p, u64 v)
{
	virtio_put32(p, (u32)v);
	virtio_put32(p + 4, (u32)(v >> 32));
}

#endif
