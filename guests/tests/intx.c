// SPDX-License-Identifier: MIT
//
// Drives a passed-through function that has no MSI, an Intel 82540EM
// (QEMU's e1000, 8086:100e), through its INTx the way its own driver
// would: finds it on the virtual PCI bus, routes the GSI its Interrupt
// Line register names through the I/O APIC (level, active low), and has
// the device raise interrupts by setting a cause in ICS (the Interrupt
// Cause Set register) with that cause enabled in IMS; the handler reads
// ICR, which clears the causes and so the device's INTx, then EOIs. Every
// raise must give exactly one interrupt, also when the next cause is set
// while the line is still held; Interrupt Disable in the command register
// must hold an interrupt back until it is cleared.
//
// 82540EM registers (Intel PCI/PCI-X Family of Gigabit Ethernet
// Controllers Software Developer's Manual, §13.4.17-13.4.21): ICR 0xC0
// (read clears), ICS 0xC8, IMS 0xD0, IMC 0xD8; cause bit 2 is LSC.
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pci.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define E1000_ID 0x100e8086u
#define R_ICR 0xc0
#define R_ICS 0xc8
#define R_IMS 0xd0
#define R_IMC 0xd8
#define CAUSE_LSC (1u << 2)
#define VECTOR 0x53
#define RAISES 50
#define CMD_INTX_DISABLE (1u << 10)

static u32 bar0;
static volatile u32 irqs, last_icr;

static void intx_handler(struct trap_frame *f)
{
	(void)f;
	last_icr = mmio_read32(bar0 + R_ICR); /* clears the causes: INTx deasserts */
	irqs++;
	lapic_eoi();
}

/* Interrupts open until @irqs reaches @want or 200 ms pass. */
static u32 irq_wait(u32 want) { return irq_wait_count(&irqs, want, 200); }

int main(void)
{
	u32 slot, gsi, pin, cmd, n, ok = 0;

	test_start("intx");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	slot = pci_find(E1000_ID);
	if (!slot)
		test_fail("no e1000 (8086:100e) on the bus");
	gsi = pci_cfg_read(slot, 0x3c) & 0xff;
	pin = (pci_cfg_read(slot, 0x3c) >> 8) & 0xff;
	printf("intx: e1000 at 00:%02x.0 pin %u line %u\n", slot, pin, gsi);
	check(pin >= 1 && pin <= 4, "INTx pin %c", 'A' + pin - 1);
	check(gsi >= 16 && gsi < 24, "Interrupt Line names GSI %u of the I/O APIC's PCI lines", gsi);
	check(!pci_find_cap(slot, PCI_CAP_MSI), "no MSI capability (INTx is all it has)");
	bar0 = pci_cfg_read(slot, 0x10) & ~0xfu;
	cmd = (pci_cfg_read(slot, 4) & 0xffff) | 0x2; /* memory decode */
	pci_cfg_write(slot, 4, cmd);

	irq_init();
	trap_set_handler(VECTOR, intx_handler);
	ioapic_route(gsi, VECTOR | IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW, lapic_id());
	mmio_write32(bar0 + R_IMC, ~0u);
	(void)mmio_read32(bar0 + R_ICR);
	check(irq_wait(1) == 0, "no interrupt while nothing is raised");
	mmio_write32(bar0 + R_IMS, CAUSE_LSC);

	for (u32 i = 0; i < RAISES; i++) {
		mmio_write32(bar0 + R_ICS, CAUSE_LSC);
		n = irq_wait(i + 1);
		if (n == i + 1 && (last_icr & CAUSE_LSC))
			ok++;
	}
	check(ok == RAISES && irqs == RAISES, "%u raises, %u interrupts, each with the cause in ICR",
	      RAISES, irqs);

	/* Interrupt Disable (the guest's command register) holds it back. */
	pci_cfg_write(slot, 4, cmd | CMD_INTX_DISABLE);
	mmio_write32(bar0 + R_ICS, CAUSE_LSC);
	check(irq_wait(RAISES + 1) == RAISES, "Interrupt Disable holds the interrupt back");
	check(pci_cfg_read(slot, 4) >> 16 & 0x8, "the status register shows it pending");
	pci_cfg_write(slot, 4, cmd);
	check(irq_wait(RAISES + 1) == RAISES + 1, "clearing Interrupt Disable delivers it");

	/* Nothing more comes once the device is quiet. */
	check(irq_wait(RAISES + 2) == RAISES + 1, "no interrupt after the causes are read");
	ioapic_route(gsi, IOAPIC_MASKED, 0);
	test_finish();
}
