/* SPDX-License-Identifier: MIT */
/*
 * virtio-rng, the entropy device (virtio spec v1.2 §5.4): one request
 * queue whose writable buffers the device fills with random bytes from the
 * host CPU's RDSEED, else RDRAND (arch/x86/rng.h). On a CPU with neither,
 * virtio_rng_init() refuses, logs it, and the guest gets no such device
 * (a device that never answers would hang the guest's readers).
 *
 * Locking: guarded by the owning VM's dev_lock, like the virtio_dev it
 * embeds.
 */
#ifndef VMM_VIRTIO_VIRTIO_RNG_H
#define VMM_VIRTIO_VIRTIO_RNG_H

#include "arch/x86/rng.h"
#include "vmm/virtio/virtio.h"

/* Bytes given per request at most (bounds time under the lock; §5.4.6.1
 * lets the device fill less than the buffer). */
#define VIRTIO_RNG_MAX_REQUEST 4096

struct virtio_rng {
	struct virtio_dev vdev;      /* first: the core's view */
	enum arch_rng_source source; /* (i) */
	u64 bytes;                   /* bytes handed out (statistics) */
};

/* False (with a log line naming @vm_name) if the CPU has no source. */
bool virtio_rng_init(struct virtio_rng *r, const struct gmem *mem, const char *vm_name);

#endif
