/* SPDX-License-Identifier: MIT */
/*
 * PCI passthrough: a host function (drivers/pci) shown on a guest's
 * virtual bus (vmm/pci) with its DMA confined to the guest's IOMMU domain
 * (drivers/iommu), which maps exactly the guest's RAM.
 *
 * The guest sees the function's IDs and class, its BARs at the addresses
 * its bus placed them (accesses forwarded to the real BARs), and an MSI
 * capability that the bus emulates: the real function's MSI is a remapped
 * host interrupt (the IOMMU's interrupt remapping, validated against the
 * function's requester ID) whose handler raises the guest's MSI. The
 * real command register, MSI and expansion ROM are the hypervisor's.
 * The function is reset when assigned, at each guest reset and when the
 * guest stops for good; then its DMA is blocked again.
 *
 * Ownership: built at VM creation on the BSP (passthru_init) and
 * released by the VM's final stop (passthru_release); in between the
 * per-function state is read-only, and the host function's registers
 * are reached only through this VM's accesses (under its dev_lock) or
 * its reset hook.
 */
#ifndef VMM_PCI_PASSTHRU_H
#define VMM_PCI_PASSTHRU_H

#include "kernel/types.h"

struct vm;
struct cfg_guest;

/* Attach every "pci =" function of @g to @vm; false (each refusal logged
 * with its config line) if any cannot be given safely. */
bool passthru_init(struct vm *vm, const struct cfg_guest *g);

/* The VM stopped for good: block each function's DMA, reset it, and give
 * it back to nobody. */
void passthru_release(struct vm *vm);

#endif
