/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x modern PCI transport's register logic (virtio spec v1.2
 * §4.1): the common configuration structure, the ISR status byte, the
 * notification region and the device-specific configuration window, laid
 * out in one memory BAR, and the vendor capabilities that point the driver
 * at them. It maps every register onto the transport-independent core
 * (virtio.h) and turns the core's interrupts into MSI-X messages or INTx.
 * It knows nothing of the PCI bus itself: the bus glue (vmm/pci/) gives it
 * a struct virtio_pci_ops, places the BAR, builds the capability list from
 * virtio_pci_cap() and forwards the BAR's accesses to the four region
 * handlers below (bus_read_fn/bus_write_fn shaped, offsets region-relative).
 *
 * Locking: like the device, everything here is guarded by the owning VM's
 * dev_lock; the bus glue calls in with it held and the ops are called with
 * it held (they must only latch MSI/INTx state, never take another VM's
 * lock).
 */
#ifndef VMM_VIRTIO_VIRTIO_PCI_H
#define VMM_VIRTIO_VIRTIO_PCI_H

#include "vmm/virtio/virtio.h"

/* §4.1.2 identification */
#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* + virtio device ID */
#define VIRTIO_PCI_REVISION 1

/* §4.1.4 cfg_type of the vendor-specific capabilities (cap ID 0x09) */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define PCI_CAP_ID_VNDR 0x09

/* The BAR layout: one 16 KiB memory BAR, a page per structure. */
#define VIRTIO_PCI_BAR_SIZE 0x4000
#define VIRTIO_PCI_COMMON_OFF 0x0000
#define VIRTIO_PCI_COMMON_LEN 0x3c
#define VIRTIO_PCI_ISR_OFF 0x1000
#define VIRTIO_PCI_ISR_LEN 1
#define VIRTIO_PCI_DEVICE_OFF 0x2000
#define VIRTIO_PCI_DEVICE_LEN 0x1000
#define VIRTIO_PCI_NOTIFY_OFF 0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4      /* queue q notifies at 4 * q */
#define VIRTIO_PCI_NOTIFY_LEN (VIRTIO_PCI_NOTIFY_MULT * VIRTIO_MAX_QUEUES)

/* §4.1.4.3 common configuration offsets */
#define VIRTIO_PCI_DFSELECT 0x00
#define VIRTIO_PCI_DF 0x04
#define VIRTIO_PCI_GFSELECT 0x08
#define VIRTIO_PCI_GF 0x0c
#define VIRTIO_PCI_MSIX_CONFIG 0x10
#define VIRTIO_PCI_NUM_QUEUES 0x12
#define VIRTIO_PCI_STATUS 0x14
#define VIRTIO_PCI_CFG_GENERATION 0x15
#define VIRTIO_PCI_Q_SELECT 0x16
#define VIRTIO_PCI_Q_SIZE 0x18
#define VIRTIO_PCI_Q_MSIX 0x1a
#define VIRTIO_PCI_Q_ENABLE 0x1c
#define VIRTIO_PCI_Q_NOFF 0x1e
#define VIRTIO_PCI_Q_DESC 0x20
#define VIRTIO_PCI_Q_AVAIL 0x28
#define VIRTIO_PCI_Q_USED 0x30
#define VIRTIO_PCI_Q_NDATA 0x38
#define VIRTIO_PCI_Q_RESET 0x3a

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define VIRTIO_PCI_ISR_QUEUE 1
#define VIRTIO_PCI_ISR_CONFIG 2

/* What the PCI bus glue provides (called with the dev_lock held). */
struct virtio_pci_ops {
	bool (*msix_enabled)(void *ctx);          /* MSI-X Enable in the cap */
	void (*msix_notify)(void *ctx, u16 vector); /* masking/PBA are the bus's */
	void (*intx)(void *ctx, bool level);      /* the function's INTx line */
};

/* (i) set at init; the rest changes under the dev_lock. */
struct virtio_pci {
	struct virtio_dev *dev;                   /* (i) */
	const struct virtio_pci_ops *ops;         /* (i) */
	void *ctx;                                /* (i) */
	u16 msix_vectors;                         /* (i) MSI-X table size */
	u32 dfselect, gfselect;
	u16 queue_select;
	u16 config_vector;
	u16 queue_vector[VIRTIO_MAX_QUEUES];
	u8 isr;
};

/* Bind @vp to @dev (and become its interrupt callback); @msix_vectors is the
 * MSI-X table size the bus glue gives the function. */
void virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *dev,
		     const struct virtio_pci_ops *ops, void *ctx, u16 msix_vectors);

/* PCI device ID and class code (class << 16 | subclass << 8 | prog-if)
 * for virtio device @device_id (§4.1.2.1; classes as drivers expect). */
u16 virtio_pci_device_id(u16 device_id);
u32 virtio_pci_class(u16 device_id);

/*
 * The vendor capability of @cfg_type (VIRTIO_PCI_CAP_*) for BAR @bar as
 * the bytes of struct virtio_pci_cap (§4.1.4; the notify one with its
 * notify_off_multiplier, §4.1.4.4), cap_next 0 for the bus to link.
 * Returns its length (16 or 20), 0 for an unknown type; @out holds 20.
 */
unsigned virtio_pci_cap(u8 cfg_type, u8 bar, u8 *out);

/* The four regions of the BAR (offsets relative to each region). */
u64 virtio_pci_common_read(void *vp, u64 off, unsigned size);
void virtio_pci_common_write(void *vp, u64 off, unsigned size, u64 val);
u64 virtio_pci_isr_read(void *vp, u64 off, unsigned size); /* read clears */
void virtio_pci_isr_write(void *vp, u64 off, unsigned size, u64 val);
u64 virtio_pci_notify_read(void *vp, u64 off, unsigned size);
void virtio_pci_notify_write(void *vp, u64 off, unsigned size, u64 val);
u64 virtio_pci_device_read(void *vp, u64 off, unsigned size);
void virtio_pci_device_write(void *vp, u64 off, unsigned size, u64 val);

/* The whole BAR as one region (offset into the BAR), for bus glue that
 * registers it once: dispatches to the four handlers above. */
u64 virtio_pci_bar_read(void *vp, u64 off, unsigned size);
void virtio_pci_bar_write(void *vp, u64 off, unsigned size, u64 val);

#endif
