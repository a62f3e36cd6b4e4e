/* SPDX-License-Identifier: MIT */
/*
 * The device models a VM gets and where they sit: a PC-style platform for
 * small guests (16550 COM1 at 0x3f8, the exit device at 0xf4 like QEMU's
 * isa-debug-exit). Models are in vmm/dev/<model>.c and know only their
 * registers; this file places them on the VM's buses.
 */
#ifndef VMM_DEV_DEVICES_H
#define VMM_DEV_DEVICES_H

#include "vmm/dev/uart16550.h"

struct vm;

struct vm_devices {
	struct uart16550 com1;
};

/* Create and register every device of @vm. False when out of memory or
 * a bus rejected a range (a hypervisor bug, logged). */
bool devices_init(struct vm *vm);

#endif
