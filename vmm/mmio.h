/* SPDX-License-Identifier: MIT */
/*
 * MMIO emulation: a second-level fault on an address a device claims on
 * the VM's MMIO bus is served by decoding the faulting instruction (a MOV
 * family load or store) and performing it against the device.
 */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include "vmm/exit.h"

struct vcpu;

/*
 * Emulate the access at @gpa. Returns EXIT_ADVANCE when done (RIP is
 * advanced by the caller's rules), or EXIT_STOP after stopping the guest
 * with a reason (undecodable instruction).
 */
enum exit_action mmio_emulate(struct vcpu *v, u64 gpa);

#endif
