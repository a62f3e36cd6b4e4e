/* SPDX-License-Identifier: MIT */
/*
 * A PCI function for tests only, put on a guest's bus by the config key
 * `pci_testdev = yes` (never in a default guest): it gives a test guest
 * BARs of every kind and MSI, MSI-X and INTx to drive end to end before
 * real device models exist. IDs 1b36:00f0 (no driver claims them), class
 * ff/00 (unassigned). Registers:
 *   BAR0 (32-bit memory, 4 KiB):
 *     0x00 MAGIC     reads "HVTD" (0x44545648)
 *     0x04 SCRATCH   read/write
 *     0x08 DOORBELL  write n: MSI-X vector n if MSI-X is on, else MSI
 *                    vector n if MSI is on, else nothing; reads the
 *                    number of doorbell writes
 *     0x0c INTX      write bit 0: INTx level; reads it back
 *   BAR1 (64-bit memory, 16 KiB): the MSI-X table (4 vectors) at 0, its
 *     PBA at 0x800; the rest reads 0
 *   BAR3 (I/O, 32 bytes): offset 0 a 32-bit scratch register
 *   BAR4-5 (64-bit prefetchable memory, 512 MiB): reads 0; placed in the
 *     bus's 64-bit window when it has one
 *   capabilities: MSI (1 vector), MSI-X (4 vectors)
 * Its state is guarded by the VM's dev_lock, like every BAR access.
 */
#ifndef VMM_PCI_PCI_TESTDEV_H
#define VMM_PCI_PCI_TESTDEV_H

#include "kernel/types.h"
#include "vmm/pci/pci.h"

#define PCI_TESTDEV_VENDOR 0x1b36
#define PCI_TESTDEV_DEVICE 0x00f0
#define PCI_TESTDEV_MAGIC 0x44545648u
#define PCI_TESTDEV_BIG_BAR (512ULL * MiB) /* BAR4-5: 64-bit prefetchable, reads 0 */

struct pci_testdev {
	struct pci_dev pci;   /* (c) / bus->lock, see pci.h */
	u32 scratch;          /* dev_lock */
	u32 io_scratch;       /* dev_lock */
	u32 doorbells;        /* dev_lock */
	bool intx;            /* dev_lock */
};

/* Fill @t and put it on @bus at the next free slot. False when the bus
 * refuses it. */
bool pci_testdev_init(struct pci_testdev *t, struct pci_bus *bus);

#endif
