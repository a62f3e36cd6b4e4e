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
 * when vCPU 0's LINT0 is in ExtINT mode.
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

/* The I/O APIC takes the ID the MADT gives it: the vCPU count. */
void irq_init(struct vm *vm, struct vm_devices *d, u8 ioapic_id)
{
	pic_init(&d->pic, irq_pic_intr, vm);
	ioapic_init(&d->ioapic, ioapic_id, irq_deliver, vm);
}
