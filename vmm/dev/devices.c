// SPDX-License-Identifier: MIT
/* Placing the device models on a VM's buses (devices.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"
#include "vmm/acpi_tables.h"
#include "vmm/dev/debug_exit.h"
#include "vmm/dev/devices.h"
#include "vmm/vm.h"

#define COM1_PORT 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define FW_CFG_PORT 0x510

static void com1_tx(void *ctx, u8 byte)
{
	vm_console_putc(ctx, (char)byte);
}

static u64 pm_clock(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

static void pm_poweroff(void *ctx)
{
	vm_stop(ctx, "poweroff");
}

/* A full reset is not modeled yet: the guest stops. */
static void pm_reset(void *ctx)
{
	vm_stop(ctx, "reset");
}

/* The vCPUs vm_create() will make: one per CPU in the guest's mask. They
 * do not exist yet when the devices are created. */
static u32 vcpu_count(const struct vm *vm)
{
	u32 n = 0;

	if (vm->nvcpus)
		return vm->nvcpus;
	for (u64 m = vm->cpus; m; m &= m - 1)
		n++;
	return n;
}

static void devices_setup(struct vm *vm, struct vm_devices *d)
{
	struct acpi_pm_hooks pm = {
		.clock = pm_clock, .clock_khz = tsc_khz(),
		.poweroff = pm_poweroff, .reset = pm_reset, .ctx = vm,
	};

	uart16550_init(&d->com1, com1_tx, NULL, vm);
	acpi_pm_init(&d->pm, &pm);
	fw_cfg_init(&d->fw_cfg, vm->mem.ram_size, (u16)vcpu_count(vm));
}

static bool devices_register(struct vm *vm, struct vm_devices *d)
{
	return bus_register(&vm->pio, COM1_PORT, 8, uart16550_read, uart16550_write,
			    &d->com1, "com1") &&
	       bus_register(&vm->pio, DEBUG_EXIT_PORT, 4, NULL, debug_exit_write, vm,
			    "debug-exit") &&
	       bus_register(&vm->pio, ACPI_TABLES_PM_PORT, ACPI_PM_BLOCK_LEN,
			    acpi_pm_read, acpi_pm_write, &d->pm, "acpi-pm") &&
	       bus_register(&vm->pio, ACPI_TABLES_RESET_PORT, 1, acpi_pm_reset_read,
			    acpi_pm_reset_write, &d->pm, "reset") &&
	       bus_register(&vm->pio, FW_CFG_PORT, FW_CFG_REG_LEN, fw_cfg_read,
			    fw_cfg_write, &d->fw_cfg, "fw-cfg");
}

bool devices_init(struct vm *vm)
{
	u64 pa = pmm_alloc(sizeof(struct vm_devices), PAGE_SIZE);
	struct vm_devices *d;

	if (!pa)
		return false;
	d = phys_to_virt(pa);
	memset(d, 0, sizeof(*d));
	vm->dev = d;
	devices_setup(vm, d);
	if (!devices_register(vm, d)) {
		printk(LOG_ERR, "guest %s: device ranges overlap", vm->name);
		return false;
	}
	if (!acpi_tables_build(vm, vcpu_count(vm))) {
		printk(LOG_ERR, "guest %s: cannot build the ACPI tables", vm->name);
		return false;
	}
	return true;
}
