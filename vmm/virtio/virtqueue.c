// SPDX-License-Identifier: MIT
/*
 * Split virtqueue walker (virtqueue.h), virtio spec v1.2 §2.7. Ring layouts
 * (§2.7.6, §2.7.8): available ring = u16 flags, u16 idx, u16 ring[size],
 * u16 used_event; used ring = u16 flags, u16 idx, {u32 id, u32 len}
 * ring[size], u16 avail_event. Alignment (§2.7 table): descriptor table 16,
 * available ring 2, used ring 4. Every ring field is read once with an
 * atomic load; a chain's descriptors are copied to the host before use.
 */
#include "kernel/string.h"
#include "vmm/virtio/virtqueue.h"

#define U32_MAX 0xffffffffULL

/* The per-pop walk state: which table we are in, what we have seen. */
struct walk {
	const struct virtq *q;
	struct virtq_chain *c;
	const struct virtq_desc *table;
	u32 table_size;
	bool in_indirect;
	bool seen_write;
	u32 count;          /* buffer descriptors so far */
	u64 total;          /* bytes so far */
	u32 visited[VIRTQ_MAX_SIZE / 32];
};

static u16 load16(const u16 *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void store16(u16 *p, u16 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
static void full_barrier(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

void virtq_reset(struct virtq *q, const struct gmem *mem, u16 max_size)
{
	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->size = max_size;
}

static void *ring_ptr(const struct virtq *q, u64 gpa, u64 len)
{
	return gmem_ptr(q->mem, gpa, len);
}

int virtq_enable(struct virtq *q)
{
	u32 n = q->size;

	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return VIRTQ_ERR_SIZE;
	if (!IS_ALIGNED(q->desc_gpa, 16) || !IS_ALIGNED(q->avail_gpa, 2) ||
	    !IS_ALIGNED(q->used_gpa, 4))
		return VIRTQ_ERR_RING_ALIGN;
	q->desc = ring_ptr(q, q->desc_gpa, 16ULL * n);
	if (!q->desc)
		return VIRTQ_ERR_DESC_RING;
	q->avail = ring_ptr(q, q->avail_gpa, 6 + 2ULL * n);
	if (!q->avail)
		return VIRTQ_ERR_AVAIL_RING;
	q->used = ring_ptr(q, q->used_gpa, 6 + 8ULL * n);
	if (!q->used)
		return VIRTQ_ERR_USED_RING;
	q->last_avail = q->used_idx = q->signalled_used = 0;
	q->broken = false;
	q->ready = true;
	return VIRTQ_OK;
}

/* Entries the driver made available; the idx is read once (acquire). */
static u16 avail_count(const struct virtq *q)
{
	u16 idx = __atomic_load_n(&q->avail[1], __ATOMIC_ACQUIRE);

	return (u16)(idx - q->last_avail);
}

/*
 * 1 when a chain is pending, 0 when empty, or an error. §2.7.10: with
 * EVENT_IDX an empty queue sets avail_event to the next entry we will
 * read, then looks again (the driver may have added one meanwhile).
 */
static int avail_pending(const struct virtq *q)
{
	u16 n = avail_count(q);

	if (n == 0 && q->event_idx) {
		store16(&q->used[2 + 4 * q->size], q->last_avail);
		full_barrier();
		n = avail_count(q);
	}
	if (n > q->size)
		return VIRTQ_ERR_IDX_JUMP;
	return n ? 1 : 0;
}

/* Copy descriptor @i of the current table once; a second visit is a loop. */
static int walk_read(struct walk *w, u32 i, struct virtq_desc *d)
{
	u32 bit = 1u << (i % 32);

	if (w->visited[i / 32] & bit)
		return VIRTQ_ERR_LOOP;
	w->visited[i / 32] |= bit;
	memcpy(d, &w->table[i], sizeof(*d));
	__atomic_signal_fence(__ATOMIC_SEQ_CST); /* use the copy, never re-read */
	return VIRTQ_OK;
}

/* §2.7.5.3: switch the walk to the indirect table @d points to. */
static int walk_indirect(struct walk *w, const struct virtq_desc *d)
{
	u32 entries = d->len / sizeof(struct virtq_desc);

	if (!w->q->indirect)
		return VIRTQ_ERR_INDIRECT_FEATURE;
	if (w->in_indirect)
		return VIRTQ_ERR_INDIRECT_NESTED;
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return VIRTQ_ERR_INDIRECT_NEXT;
	if (d->len % sizeof(struct virtq_desc) || entries == 0 || entries > w->q->size)
		return VIRTQ_ERR_INDIRECT_LEN;
	w->table = ring_ptr(w->q, d->addr, d->len);
	if (!w->table)
		return VIRTQ_ERR_INDIRECT_ADDR;
	w->table_size = entries;
	w->in_indirect = true;
	memset(w->visited, 0, sizeof(w->visited));
	return VIRTQ_OK;
}

/* A buffer descriptor: check it and add its host span to the chain. */
static int walk_buffer(struct walk *w, const struct virtq_desc *d)
{
	struct virtq_chain *c = w->c;
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	u8 *p = NULL;

	if (++w->count > w->q->size)
		return VIRTQ_ERR_TOO_LONG;
	if (!write && w->seen_write)
		return VIRTQ_ERR_ORDER; /* §2.7.4.2 */
	w->seen_write |= write;
	w->total += d->len;
	if (w->total > U32_MAX)
		return VIRTQ_ERR_LEN_OVERFLOW;
	if (d->len == 0)
		return VIRTQ_OK;
	p = ring_ptr(w->q, d->addr, d->len);
	if (!p)
		return VIRTQ_ERR_ADDR;
	c->span[c->n++] = (struct virtq_span){ p, d->len, write };
	if (write) {
		c->write_len += d->len;
	} else {
		c->read_len += d->len;
		c->nread = c->n;
	}
	return VIRTQ_OK;
}

static int walk_chain(const struct virtq *q, struct virtq_chain *c, u16 head)
{
	struct walk w = { .q = q, .c = c, .table = q->desc, .table_size = q->size };
	struct virtq_desc d;
	u32 i = head;
	int r;

	*c = (struct virtq_chain){ .head = head };
	for (;;) {
		r = walk_read(&w, i, &d);
		if (r == VIRTQ_OK && (d.flags & VIRTQ_DESC_F_INDIRECT)) {
			r = walk_indirect(&w, &d);
			if (r != VIRTQ_OK)
				return r;
			i = 0;
			continue;
		}
		if (r == VIRTQ_OK)
			r = walk_buffer(&w, &d);
		if (r != VIRTQ_OK || !(d.flags & VIRTQ_DESC_F_NEXT))
			return r;
		if (d.next >= w.table_size)
			return VIRTQ_ERR_NEXT;
		i = d.next;
	}
}

static int virtq_fail(struct virtq *q, int err)
{
	if (err < 0)
		q->broken = true;
	return err;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	u16 head;
	int r;

	if (q->broken)
		return VIRTQ_ERR_BROKEN;
	if (!q->ready)
		return VIRTQ_ERR_NOT_READY;
	r = avail_pending(q);
	if (r <= 0)
		return virtq_fail(q, r);
	head = load16(&q->avail[2 + q->last_avail % q->size]);
	if (head >= q->size)
		return virtq_fail(q, VIRTQ_ERR_HEAD);
	r = walk_chain(q, c, head);
	if (r != VIRTQ_OK)
		return virtq_fail(q, r);
	q->last_avail++;
	return VIRTQ_OK;
}

void virtq_push(struct virtq *q, u16 head, u32 len)
{
	u32 *elem;

	if (!q->ready)
		return;
	elem = (u32 *)(q->used + 2) + 2 * (q->used_idx % q->size);
	__atomic_store_n(&elem[0], (u32)head, __ATOMIC_RELAXED);
	__atomic_store_n(&elem[1], len, __ATOMIC_RELAXED);
	q->used_idx++;
	/* §2.7.8.2: the element is visible before the index (release) */
	__atomic_store_n(&q->used[1], q->used_idx, __ATOMIC_RELEASE);
}

bool virtq_need_interrupt(struct virtq *q)
{
	u16 old = q->signalled_used, new = q->used_idx;

	if (!q->ready)
		return false;
	/* the used idx store must be visible before we read the driver's
	 * suppression fields (store-load order: a full barrier) */
	full_barrier();
	q->signalled_used = new;
	if (q->event_idx)
		return virtq_need_event(load16(&q->avail[2 + q->size]), new, old);
	return old != new && !(load16(&q->avail[0]) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

u32 virtq_chain_read(const struct virtq_chain *c, u32 off, void *dst, u32 len)
{
	u8 *out = dst;
	u32 done = 0;

	for (u32 i = 0; i < c->nread && done < len; i++) {
		const struct virtq_span *s = &c->span[i];
		u32 n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN(s->len - off, len - done);
		memcpy(out + done, s->p + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/* Copy (or zero, @src NULL) into the writable spans. */
static u32 chain_put(const struct virtq_chain *c, u32 off, const u8 *src, u32 len)
{
	u32 done = 0;

	for (u32 i = c->nread; i < c->n && done < len; i++) {
		const struct virtq_span *s = &c->span[i];
		u32 n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN(s->len - off, len - done);
		if (src)
			memcpy(s->p + off, src + done, n);
		else
			memset(s->p + off, 0, n);
		done += n;
		off = 0;
	}
	return done;
}

u32 virtq_chain_write(const struct virtq_chain *c, u32 off, const void *src, u32 len)
{
	return chain_put(c, off, src, len);
}

u32 virtq_chain_zero(const struct virtq_chain *c, u32 off, u32 len)
{
	return chain_put(c, off, NULL, len);
}

const char *virtq_strerror(int result)
{
	static const char *const msg[] = {
		"not enabled", "bad queue size", "ring address misaligned",
		"descriptor table outside guest RAM", "available ring outside guest RAM",
		"used ring outside guest RAM", "avail idx jumped beyond the queue size",
		"head index out of range", "next index out of range", "descriptor loop",
		"chain longer than the queue size", "buffer address outside guest RAM",
		"chain length overflow", "readable descriptor after a writable one",
		"indirect descriptor not negotiated", "nested indirect table",
		"indirect descriptor with NEXT", "bad indirect table length",
		"indirect table outside guest RAM", "queue broken",
	};
	int i = result - VIRTQ_ERR_NOT_READY;

	BUILD_ASSERT(ARRAY_SIZE(msg) == VIRTQ_ERR_BROKEN - VIRTQ_ERR_NOT_READY + 1);

	if (i < 0 || i >= (int)ARRAY_SIZE(msg))
		return "ok";
	return msg[i];
}
