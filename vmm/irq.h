/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines of a VM. Device models raise and lower numbered lines
 * (GSIs: ISA IRQs 0-15 are GSIs 0-15 except IRQ 0, which the MADT routes to
 * GSI 2 like a PC) through one function; the VM's interrupt controller
 * models (virtual I/O APIC, 8259 pair) decide which vCPU gets which vector.
 * A model never knows where its line goes.
 */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

#include "kernel/types.h"

struct vm;

#define IRQ_LINES 24 /* the I/O APIC's pins */

/* ISA IRQ numbers as device models see them. */
#define IRQ_PIT 0
#define IRQ_KEYBOARD 1
#define IRQ_COM2 3
#define IRQ_COM1 4
#define IRQ_RTC 8
#define IRQ_SCI 9

/* GSIs 16-23 carry the PCI INTx lines (vmm/pci/pci.h, the DSDT's _PRT):
 * level-triggered, active low, so they idle high. */
#define IRQ_PCI_FIRST 16
#define IRQ_PCI_LINES 8

/*
 * Set line @irq (an ISA IRQ number for ISA devices, else a GSI) to @level.
 * Edge-triggered inputs act on a low-to-high change; level-triggered ones
 * stay asserted while high. Callable from any CPU.
 */
void vm_set_irq(struct vm *vm, unsigned irq, bool level);

/* Pulse a line: raise then lower (an edge for edge-triggered inputs). */
void vm_pulse_irq(struct vm *vm, unsigned irq);

/*
 * Hear when the guest takes a level-triggered interrupt of GSI @gsi (its
 * EOI reached the I/O APIC): @fn(@ctx, @gsi) runs after each, on the CPU
 * of the EOI, without the interrupt controllers' locks, so it may drive
 * lines. One listener per line (a later call replaces it); set before the
 * VM runs. A passed-through function's INTx uses it to let the real
 * device signal again.
 */
void vm_irq_on_ack(struct vm *vm, unsigned gsi, void (*fn)(void *ctx, unsigned gsi), void *ctx);

/*
 * A message-signalled interrupt: the (address, data) write of an MSI or
 * MSI-X vector, decoded as SDM Vol. 3A §11.11 says (address 0xFEEx_xxxx:
 * destination ID 19:12, redirection hint 3, destination mode 2; data:
 * vector 7:0, delivery mode 10:8, level 14, trigger mode 15) and
 * delivered to the local APICs it addresses. Fixed, lowest priority and
 * NMI are delivered; SMI, INIT, ExtINT, vectors below 16 and writes
 * outside the interrupt window are dropped (false). Any CPU.
 */
bool vm_msi(struct vm *vm, u64 addr, u32 data);

#endif
