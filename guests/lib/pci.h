// SPDX-License-Identifier: MIT
//
// PCI configuration space of bus 0, function 0 through the 0xCF8/0xCFC
// mechanism (PCI Local Bus spec 3.0, 3.2.2.3.2), for test guests that find
// and drive a device the way its own driver would.
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include "lib/types.h"

#define PCI_CAP_MSI 0x05

u32 pci_cfg_read(u32 slot, u32 reg);
void pci_cfg_write(u32 slot, u32 reg, u32 v);
// The first slot whose vendor/device dword is @id; 0 when none (slot 0 is
// the host bridge).
u32 pci_find(u32 id);
// The offset of capability @id in @slot's list; 0 when absent.
u32 pci_find_cap(u32 slot, u8 id);
// Point @slot's MSI capability at @vector on the local APIC @apic_id and
// enable it; false when the function has no MSI.
bool pci_msi_enable(u32 slot, u8 vector, u32 apic_id);

#endif
