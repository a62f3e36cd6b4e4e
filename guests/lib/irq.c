// SPDX-License-Identifier: MIT
//
// Interrupt setup for lib/irq.h. SeaBIOS leaves the master 8259 on vectors
// 0x08-0x0f with the PIT unmasked, which would look like exceptions, so the
// PICs are re-initialised (ICW1-ICW4, 8259A datasheet) onto 0x20-0x2f and
// then fully masked. Under the hypervisor these ports are simply ignored.
#include "lib/irq.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/trap.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

static void pic_remap_and_mask(void)
{
	outb(PIC1_CMD, 0x11); // ICW1: edge, cascade, ICW4 follows
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, PIC_VECTOR_BASE); // ICW2: vector base
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 0x04); // ICW3: slave on IRQ2
	outb(PIC2_DATA, 0x02); // ICW3: slave identity 2
	outb(PIC1_DATA, 0x01); // ICW4: 8086 mode
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff); // OCW1: mask everything
	outb(PIC2_DATA, 0xff);
}

// A spurious interrupt needs no EOI (SDM Vol. 3A, 11.9; 8259A IRQ7/15).
static void ignore_spurious(struct trap_frame *f)
{
	(void)f;
}

void irq_init(void)
{
	pic_remap_and_mask();
	trap_set_handler(PIC_VECTOR_BASE + 7, ignore_spurious);
	trap_set_handler(PIC_VECTOR_BASE + 15, ignore_spurious);
	trap_set_handler(LAPIC_SPURIOUS_VECTOR, ignore_spurious);
	lapic_enable();
}

void ioapic_route(u32 gsi, u32 lo, u32 dest)
{
	mmio_write32(IOAPIC_BASE, 0x11 + 2 * gsi); // high dword: destination first
	mmio_write32(IOAPIC_BASE + 0x10, dest << 24);
	mmio_write32(IOAPIC_BASE, 0x10 + 2 * gsi);
	mmio_write32(IOAPIC_BASE + 0x10, lo);
}

u32 irq_wait_count(volatile u32 *count, u32 want, u32 ms)
{
	u32 t0 = pmtimer_read();

	sti();
	while (*count < want && pmtimer_since(t0) < PM_TIMER_HZ / 1000 * ms)
		cpu_pause();
	cli();
	return *count;
}
