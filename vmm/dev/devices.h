/* SPDX-License-Identifier: MIT */
/*
 * The device models a VM gets and where they sit: a PC-style platform for
 * small guests (16550 COM1 at 0x3f8, the exit device at 0xf4 like QEMU's
 * isa-debug-exit, the ACPI PM block at 0x600 and reset register at 0xcf9,
 * QEMU's fw_cfg at 0x510) and the ACPI tables that describe it. Models are
 * in vmm/dev/<model>.c and know only their registers; this file places
 * them on the VM's buses.
 */
#ifndef VMM_DEV_DEVICES_H
#define VMM_DEV_DEVICES_H

#include "vmm/dev/acpi_pm.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/uart16550.h"

struct vm;

struct vm_devices {
	struct uart16550 com1;
	struct acpi_pm pm;
	struct fw_cfg fw_cfg;
};

/* Create and register every device of @vm and write its ACPI tables.
 * False when out of memory, a bus rejected a range (a hypervisor bug) or
 * the tables do not fit (logged). */
bool devices_init(struct vm *vm);

#endif
