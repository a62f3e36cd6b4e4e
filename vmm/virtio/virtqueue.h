/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue (virtio spec v1.2 §2.7), walked by this one module for
 * every virtio device: the driver programs a queue's size and the guest
 * physical addresses of its descriptor table, available ring and used ring;
 * the device pops available descriptor chains as lists of host spans (each
 * guest address and length checked against the guest's RAM, each descriptor
 * read once into a host copy) and pushes used elements back. Any malformed
 * chain is an error the caller turns into DEVICE_NEEDS_RESET (virtio.h);
 * nothing a guest writes into its rings can make this module touch memory
 * outside the guest's RAM.
 *
 * Guest RAM regions are never adjacent in guest-physical space (gmem.h: the
 * VGA and PCI holes separate them), so a buffer that is RAM lies in one
 * region and maps to one host span: no splitting is needed.
 *
 * Locking: a struct virtq belongs to one virtio device and is used only
 * under that device's lock (the VM's dev_lock, taken by the transport's bus
 * callbacks and by every input event into the device). The rings themselves
 * are shared with the guest's vCPUs, which may change them at any time:
 * every ring field is read once with an explicit barrier.
 */
#ifndef VMM_VIRTIO_VIRTQUEUE_H
#define VMM_VIRTIO_VIRTQUEUE_H

#include "kernel/types.h"
#include "vmm/gmem.h"

/* The largest queue size offered (the transport's queue_size register). */
#define VIRTQ_MAX_SIZE 256

/* §2.7.5 descriptor flags */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
/* §2.7.6, §2.7.8 ring flags */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* §2.7.5: one descriptor, as it lies in guest memory */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __packed;

/* One buffer of a chain: a host pointer into guest RAM. */
struct virtq_span {
	u8 *p;
	u32 len;
	bool write; /* device-writable */
};

/* A popped chain: readable spans first, then writable ones (§2.7.4.2). */
struct virtq_chain {
	u16 head;       /* the id to push back */
	u16 n;          /* spans used */
	u16 nread;      /* spans [0, nread) are readable */
	u32 read_len;   /* total bytes of the readable spans */
	u32 write_len;  /* total bytes of the writable spans */
	struct virtq_span span[VIRTQ_MAX_SIZE];
};

/* Results of virtq_pop() and virtq_enable(). */
enum virtq_result {
	VIRTQ_ERR_NOT_READY = -100, /* popped from a queue that is not enabled */
	VIRTQ_ERR_SIZE,             /* queue size 0, not a power of 2 or too big */
	VIRTQ_ERR_RING_ALIGN,       /* a ring address misaligned (§2.7) */
	VIRTQ_ERR_DESC_RING,        /* descriptor table outside guest RAM */
	VIRTQ_ERR_AVAIL_RING,       /* available ring outside guest RAM */
	VIRTQ_ERR_USED_RING,        /* used ring outside guest RAM */
	VIRTQ_ERR_IDX_JUMP,         /* avail idx moved by more than the size */
	VIRTQ_ERR_HEAD,             /* head index >= queue size */
	VIRTQ_ERR_NEXT,             /* next index beyond the table */
	VIRTQ_ERR_LOOP,             /* a descriptor visited twice */
	VIRTQ_ERR_TOO_LONG,         /* more descriptors than the queue size */
	VIRTQ_ERR_ADDR,             /* buffer outside guest RAM (MMIO, hole, beyond) */
	VIRTQ_ERR_LEN_OVERFLOW,     /* total length over 4 GiB - 1 */
	VIRTQ_ERR_ORDER,            /* readable descriptor after a writable one */
	VIRTQ_ERR_INDIRECT_FEATURE, /* INDIRECT without VIRTIO_F_INDIRECT_DESC */
	VIRTQ_ERR_INDIRECT_NESTED,  /* INDIRECT inside an indirect table */
	VIRTQ_ERR_INDIRECT_NEXT,    /* INDIRECT together with NEXT */
	VIRTQ_ERR_INDIRECT_LEN,     /* table length 0, not a multiple of 16 or too big */
	VIRTQ_ERR_INDIRECT_ADDR,    /* table outside guest RAM */
	VIRTQ_ERR_BROKEN,           /* queue already failed, until reset */
	VIRTQ_EMPTY = 0,
	VIRTQ_OK = 1,
};

/*
 * One split virtqueue. (t) written by the transport through virtio.c while
 * the queue is disabled; everything else (d) the device's, under the
 * device lock.
 */
struct virtq {
	const struct gmem *mem;      /* (t) the guest's RAM */
	u16 size;                    /* (t) queue size */
	bool ready;                  /* (t) queue_enable */
	bool event_idx;              /* (t) VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;               /* (t) VIRTIO_F_INDIRECT_DESC negotiated */
	u64 desc_gpa, avail_gpa, used_gpa; /* (t) */
	/* (d) host pointers, set and checked by virtq_enable() */
	const struct virtq_desc *desc;
	const u16 *avail;            /* flags, idx, ring[size], used_event */
	u16 *used;                   /* flags, idx, then ring of {u32 id, u32 len} */
	u16 last_avail;              /* (d) next avail entry to pop */
	u16 used_idx;                /* (d) our copy of used->idx */
	u16 signalled_used;          /* (d) used idx at the last interrupt decision */
	bool broken;                 /* (d) a malformed chain was seen */
};

/* Forget everything (device reset, §2.4): size @max_size, not ready. */
void virtq_reset(struct virtq *q, const struct gmem *mem, u16 max_size);

/*
 * Queue enable (§4.1.4.3.2 queue_enable): check the size and the three
 * ring areas against guest RAM and cache their host pointers. VIRTQ_OK, or
 * an error and the queue stays disabled.
 */
int virtq_enable(struct virtq *q);

/*
 * Pop the next available chain into @c: VIRTQ_OK, VIRTQ_EMPTY, or an error
 * (the queue is then broken: every later pop says VIRTQ_ERR_BROKEN until
 * virtq_reset()). With EVENT_IDX, an empty queue publishes avail_event so
 * the driver notifies for the next buffer (§2.7.10).
 */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/* Return a chain: used element (@head, @len written bytes) and used idx. */
void virtq_push(struct virtq *q, u16 head, u32 len);

/*
 * Should the device interrupt the driver for the used buffers pushed since
 * the last call? VRING_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX the
 * vring_need_event rule on used_event (§2.7.10).
 */
bool virtq_need_interrupt(struct virtq *q);

/* Copy from the readable spans of @c starting at byte @off; bytes copied. */
u32 virtq_chain_read(const struct virtq_chain *c, u32 off, void *dst, u32 len);

/* Copy to the writable spans of @c starting at byte @off; bytes copied. */
u32 virtq_chain_write(const struct virtq_chain *c, u32 off, const void *src, u32 len);

/* Fill writable bytes [@off, @off+@len) with zeros; bytes written. */
u32 virtq_chain_zero(const struct virtq_chain *c, u32 off, u32 len);

/* What an error result means, for the log line ("descriptor loop"). */
const char *virtq_strerror(int result);

/* §2.7.10: did new_idx pass event_idx since old_idx? */
static inline bool virtq_need_event(u16 event_idx, u16 new_idx, u16 old_idx)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old_idx);
}

#endif
