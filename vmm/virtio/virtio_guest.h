/* SPDX-License-Identifier: MIT */
/*
 * A guest's virtio devices on its virtual PCI bus: made at VM creation from
 * the config (disk, net, rng and console = hvc keys of struct cfg_guest),
 * each one a device model (vmm/virtio/virtio_*.h) behind the modern PCI
 * transport (virtio_pci.h) in a pci_dev with the virtio IDs, the four
 * vendor capabilities, MSI-X (a vector per queue and one for configuration
 * changes), INTA and one 64-bit memory BAR. A disk's contents are a copy of
 * its boot module in hypervisor RAM, kept across the guest's reboots (not
 * across a power-off of the machine); a read-only disk uses the module
 * itself, never written. NICs join switches by name (net_switch_get()).
 *
 * Locking: every device here is guarded by the VM's dev_lock (vm.h). The
 * set of devices (struct virtio_guest) is fixed at creation and read-only
 * afterwards. Frames from another VM's vCPU kick this VM's vCPU 0 with
 * VCPU_REQ_DEVPOLL; it calls virtio_guest_poll() under its dev_lock.
 */
#ifndef VMM_VIRTIO_VIRTIO_GUEST_H
#define VMM_VIRTIO_VIRTIO_GUEST_H

#include "kernel/config.h"
#include "kernel/module.h"
#include "kernel/types.h"

struct vm;
struct virtio_guest;

/*
 * Create @vm's virtio devices from @g (disks found among @mods) and put
 * them on vm->pci; logs one "guest <name> pci BB:DD.F virtio-<kind> ..."
 * line per device with its hypervisor memory. False, logged, when one
 * cannot be made (out of memory, missing module, switch full, bus full);
 * a CPU without RDRAND/RDSEED only loses the rng device (logged).
 */
bool virtio_guest_init(struct vm *vm, const struct cfg_guest *g,
		       const struct boot_module *mods, unsigned nmods);

/* Input waiting for the devices (frames on the switch ports, console
 * input for the hvc port): moved into the guest's buffers. True while
 * console input still waits for the port's room. vCPU 0, dev_lock held. */
bool virtio_guest_poll(struct vm *vm);

/* At the guest's stop, one line per virtio function: "guest NAME pci
 * 00:DD.F virtio-KIND notifies N interrupts M" (each notification is an
 * exit; each interrupt, an EOI exit in xAPIC mode), then one line per NIC:
 * "guest NAME net N tx F rx F
 * tx-errors E rx-errors E mailbox-drops D tx-gso G tx-csum C" (frames the
 * guest sent, frames it took, frames refused for a bad header or too
 * small a buffer, frames lost because the guest did not take them in
 * time, and of the frames sent those that were GSO frames and those that
 * left their checksum to complete). */
void virtio_guest_report(struct vm *vm);

#endif
