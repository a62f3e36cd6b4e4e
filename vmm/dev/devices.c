// SPDX-License-Identifier: MIT
/* Placing the device models on a VM's buses (devices.h). */
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "vmm/dev/debug_exit.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

#define COM1_PORT 0x3f8
#define DEBUG_EXIT_PORT 0xf4

static void com1_tx(void *ctx, u8 byte)
{
	vm_console_putc(ctx, (char)byte);
}

bool devices_init(struct vm *vm)
{
	u64 pa = pmm_alloc(sizeof(struct vm_devices), PAGE_SIZE);
	struct vm_devices *d;
	bool ok;

	if (!pa)
		return false;
	d = phys_to_virt(pa);
	memset(d, 0, sizeof(*d));
	vm->dev = d;
	uart16550_init(&d->com1, com1_tx, NULL, vm);
	ok = bus_register(&vm->pio, COM1_PORT, 8, uart16550_read, uart16550_write,
			  &d->com1, "com1") &&
	     bus_register(&vm->pio, DEBUG_EXIT_PORT, 4, NULL, debug_exit_write, vm,
			  "debug-exit");
	if (!ok)
		printk(LOG_ERR, "guest %s: device ranges overlap", vm->name);
	return ok;
}
