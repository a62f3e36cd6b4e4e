// SPDX-License-Identifier: MIT
/*
 * The interrupt wiring of a VM (irq.h), laid out like a PC: every ISA IRQ
 * line goes both to the 8259 pair (by IRQ number) and to the I/O APIC (by
 * GSI: IRQ 0 -> GSI 2, as the MADT's interrupt source override says,
 * the others to the pin of the same number); GSIs 16-23 reach the I/O
 * APIC only. The I/O APIC's interrupt messages are delivered here to the
 * local APICs they address (SDM Vol. 3A §11.6.2: physical destination by
 * APIC ID or 0xFF for all; logical destination by the flat or cluster
 * model of each local APIC's DFR and LDR), and level-triggered EOIs come
 * back from the local APICs through vm_eoi_broadcast(). The 8259's INT
 * output only wakes vCPU 0; the vCPU loop takes the vector with pic_ack()
 * when vCPU 0's LINT0 is in ExtINT mode. Message-signalled interrupts
 * (PCI MSI/MSI-X, vm_msi()) take the I/O APIC's delivery path.
 */
#include "vmm/dev/devices.h"
#include "vmm/irq.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define ISA_IRQS 16
#define GSI_PIT 2            /* MADT override: ISA IRQ 0 -> GSI 2 */

static unsigned irq_gsi(unsigned irq)
{
	return irq == IRQ_PIT ? GSI_PIT : irq;
}

void vm_set_irq(struct vm *vm, unsigned irq, bool level)
{
	struct vm_devices *d = vm->dev;

	if (!d || irq >= IRQ_LINES)
		return;
	if (irq < ISA_IRQS)
		pic_set_irq(&d->pic, irq, level);
	ioapic_set_irq(&d->ioapic, irq_gsi(irq), level);
}

void vm_pulse_irq(struct vm *vm, unsigned irq)
{
	vm_set_irq(vm, irq, true);
	vm_set_irq(vm, irq, false);
}

/* The I/O APIC's delivery callback. Lowest priority goes to the first
 * vCPU addressed. INIT, SMI and ExtINT messages are not offered. */
static void irq_deliver(void *ctx, u8 dest, bool logical, u8 vector, u8 mode,
			bool level)
{
	struct vm *vm = ctx;

	for (u32 i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (!vlapic_match_dest(&v->lapic, dest, logical))
			continue;
		if (mode == IOAPIC_DM_NMI) {
			vcpu_request(v, VCPU_REQ_NMI);
		} else if (mode == IOAPIC_DM_FIXED || mode == IOAPIC_DM_LOWEST) {
			vlapic_raise_level(v, vector, level);
			if (mode == IOAPIC_DM_LOWEST)
				return;
		}
	}
}

#define MSI_ADDR_WINDOW 0xfeeULL /* address bits 63:20 */
#define MSI_ADDR_RH (1u << 3)
#define MSI_ADDR_DM (1u << 2)
#define MSI_DATA_LEVEL (1u << 14)
#define MSI_DATA_TRIGGER (1u << 15)

bool vm_msi(struct vm *vm, u64 addr, u32 data)
{
	u8 vector = (u8)data, mode = (data >> 8) & 7;
	bool logical = addr & MSI_ADDR_DM, level = data & MSI_DATA_TRIGGER;

	if ((addr >> 20) != MSI_ADDR_WINDOW || (vector < 16 && mode != IOAPIC_DM_NMI))
		return false;
	if (level && !(data & MSI_DATA_LEVEL))
		return true; /* a level deassert message: nothing to deliver */
	if (mode == IOAPIC_DM_FIXED && logical && (addr & MSI_ADDR_RH))
		mode = IOAPIC_DM_LOWEST; /* RH=1, logical: one of the addressed */
	if (mode != IOAPIC_DM_FIXED && mode != IOAPIC_DM_LOWEST && mode != IOAPIC_DM_NMI)
		return false;
	irq_deliver(vm, (u8)(addr >> 12), logical, vector, mode, level);
	return true;
}

void vm_eoi_broadcast(struct vm *vm, u8 vector)
{
	if (vm->dev)
		ioapic_eoi(&vm->dev->ioapic, vector);
}

/* The 8259's INT rose: vCPU 0 looks at it before its next entry. */
static void irq_pic_intr(void *ctx, bool level)
{
	struct vm *vm = ctx;

	if (level && vm->nvcpus)
		vcpu_request(vm->vcpus[0], VCPU_REQ_INTR);
}

/* An EOI acknowledged I/O APIC pin @pin: its listener, if any. */
static void irq_acked(void *ctx, unsigned pin)
{
	struct vm *vm = ctx;
	const struct irq_ack *a = &vm->dev->irq_ack[pin];

	if (a->fn)
		a->fn(a->ctx, pin);
}

void vm_irq_on_ack(struct vm *vm, unsigned gsi, void (*fn)(void *ctx, unsigned gsi), void *ctx)
{
	if (!vm->dev || gsi >= IOAPIC_PINS)
		return;
	vm->dev->irq_ack[gsi] = (struct irq_ack){ fn, ctx };
}

/* The I/O APIC takes the ID the MADT gives it: the vCPU count. */
void irq_init(struct vm *vm, struct vm_devices *d, u8 ioapic_id)
{
	pic_init(&d->pic, irq_pic_intr, vm);
	ioapic_init(&d->ioapic, ioapic_id, irq_deliver, vm);
	d->ioapic.acked = irq_acked;
	for (unsigned gsi = IRQ_PCI_FIRST; gsi < IRQ_PCI_FIRST + IRQ_PCI_LINES; gsi++)
		ioapic_set_irq(&d->ioapic, gsi, true); /* idle: active-low lines */
}
