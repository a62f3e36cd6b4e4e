/* SPDX-License-Identifier: MIT */
/*
 * The device models a VM gets and where they sit: a PC-style platform for
 * small guests (16550 COM1 at 0x3f8, the exit device at 0xf4 like QEMU's
 * isa-debug-exit, the ACPI PM block at 0x600 and reset register at 0xcf9,
 * QEMU's fw_cfg at 0x510), the PC's legacy chips (8254 PIT at 0x40 with
 * port 0x61, 8259 pair at 0x20/0xa0 with the ELCR at 0x4d0, MC146818 RTC
 * at 0x70, 8042 keyboard controller at 0x60/0x64 with port 0x92, I/O APIC
 * at 0xfec00000, a VGA in text mode at 0xa0000 and ports 0x3c0-0x3df whose
 * text is mirrored to the guest's console) and the ACPI tables that
 * describe it. Models are in
 * vmm/dev/<model>.c and know only their registers; this file places them
 * on the VM's buses and wires their interrupt lines (vmm/irq.h).
 */
#ifndef VMM_DEV_DEVICES_H
#define VMM_DEV_DEVICES_H

#include "vmm/dev/acpi_pm.h"
#include "vmm/dev/fw_cfg.h"
#include "vmm/dev/ioapic.h"
#include "vmm/dev/kbc8042.h"
#include "vmm/dev/pic8259.h"
#include "vmm/dev/pit8254.h"
#include "vmm/dev/rtc_cmos.h"
#include "vmm/dev/uart16550.h"
#include "vmm/dev/vga.h"

struct vm;
struct console_sink;

struct vm_devices {
	struct uart16550 com1;
	struct acpi_pm pm;
	struct fw_cfg fw_cfg;
	struct pit pit;
	struct pic pic;       /* INT reaches vCPU 0 through LINT0 (ExtINT) */
	struct ioapic ioapic;
	struct irq_ack {      /* vm_irq_on_ack listeners, set before the VM runs */
		void (*fn)(void *ctx, unsigned gsi);
		void *ctx;
	} irq_ack[IOAPIC_PINS];
	struct rtc_cmos rtc;
	struct kbc kbc;
	struct vga vga;
};

/* Create and register every device of @vm and write its firmware tables.
 * False when out of memory, a bus rejected a range (a hypervisor bug) or
 * the tables do not fit (logged). */
bool devices_init(struct vm *vm);

/* Put the PCI test device (vmm/pci/pci_testdev.h) on @vm's bus (the
 * config key pci_testdev = yes); false, logged, when it cannot be. */
bool devices_pci_testdev(struct vm *vm);

/* Write the ACPI and SMBIOS tables that describe @vm into its RAM (at
 * creation and at each reset); false, logged, when they cannot be. */
bool devices_firmware_tables(struct vm *vm);

/* A platform reset: every model back to its power-on state, except the
 * RTC, whose time and CMOS RAM run on (rtc_reset()). The bus ranges stay.
 * Under vm->dev_lock. */
void devices_reset(struct vm *vm);

/* The sink (console_in.h) that puts console input into @vm's COM1. */
void devices_console_sink(struct vm *vm, struct console_sink *s);

/*
 * The timers of the platform devices (PIT counter 0 -> IRQ 0, RTC -> IRQ
 * 8, COM1's character timeout): raise the interrupts that are due at host TSC @now and return the
 * TSC deadline of the next one, 0 if none. vCPU 0's loop calls it before
 * each entry (before looking for interrupts to inject) and arms its host
 * timer for the deadline; a guest reprogramming a timer on another vCPU
 * kicks vCPU 0 (VCPU_REQ_INTR) so it polls again. It also moves device
 * input that waits (virtio_guest_poll(): frames another VM sent to this
 * one's NICs, which kicks vCPU 0 with VCPU_REQ_DEVPOLL).
 */
u64 devices_timer_poll(struct vm *vm, u64 now);

/* The 8259 pair and the I/O APIC (ID @ioapic_id) of @vm, with their
 * outputs wired to the vCPUs; defined with the wiring in vmm/irq.c. */
void irq_init(struct vm *vm, struct vm_devices *d, u8 ioapic_id);

#endif
