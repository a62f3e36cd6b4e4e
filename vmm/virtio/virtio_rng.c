// SPDX-License-Identifier: MIT
/*
 * virtio-rng (virtio_rng.h), virtio spec v1.2 §5.4: no feature bits, no
 * configuration space, queue 0 = requestq. Each chain's writable bytes are
 * filled (up to VIRTIO_RNG_MAX_REQUEST) and the used length says how many;
 * if the CPU's source runs dry the device returns what it got (maybe 0).
 */
#include "kernel/log.h"
#include "vmm/virtio/virtio_rng.h"

/* Fill up to @want bytes of the chain; the bytes written. */
static u32 rng_fill(struct virtio_rng *r, const struct virtq_chain *c, u32 want)
{
	u32 done = 0;
	u64 v;

	while (done < want && arch_rng_read(r->source, &v)) {
		u32 n = MIN(want - done, (u32)sizeof(v));

		virtq_chain_write(c, done, &v, n);
		done += n;
	}
	return done;
}

static void rng_notify(struct virtio_dev *d, u16 q)
{
	struct virtio_rng *r = (struct virtio_rng *)d;

	while (virtio_pop(d, q)) {
		u32 n = rng_fill(r, &d->chain, MIN(d->chain.write_len, VIRTIO_RNG_MAX_REQUEST));

		r->bytes += n;
		virtio_push(d, q, d->chain.head, n);
	}
	virtio_queue_interrupt(d, q);
}

static const struct virtio_dev_ops rng_ops = {
	.notify = rng_notify,
};

bool virtio_rng_init(struct virtio_rng *r, const struct gmem *mem, const char *vm_name)
{
	r->source = arch_rng_probe();
	r->bytes = 0;
	if (r->source == ARCH_RNG_NONE) {
		printk(LOG_INFO, "guest %s virtio-rng not offered: the CPU has neither RDSEED nor RDRAND",
		       vm_name);
		return false;
	}
	virtio_dev_init(&r->vdev, &rng_ops, "rng", VIRTIO_ID_RNG, 1, 0, NULL, 0, mem, vm_name);
	return true;
}
