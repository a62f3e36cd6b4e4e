// SPDX-License-Identifier: MIT
/* The guest's COM1 on the real UART (uart_pt.h). */
#include "arch/x86/io.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/spinlock.h"
#include "vmm/dev/uart_pt.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

#define COM1_PORT 0x3f8

/* Port accesses that exited and were forwarded (all VMs: one has it). */
static u32 forwarded;

/* Byte by byte: the UART's registers are bytes; a wider access covers
 * the next ones, as on a PC's bus. A VM that has stopped (the port may be
 * the hypervisor's again) reads all-ones and writes nothing. */
u64 uart_pt_read(void *dev, u64 offset, unsigned size)
{
	struct vm *vm = dev;
	u64 v = 0;

	if (!vm->uart_pt || !vm_running(vm))
		return ~0ULL;
	forwarded++;
	for (unsigned i = 0; i < size; i++)
		v |= (u64)inb((u16)(console_port() + offset + i)) << (8 * i);
	return v;
}

void uart_pt_write(void *dev, u64 offset, unsigned size, u64 val)
{
	struct vm *vm = dev;

	if (!vm->uart_pt || !vm_running(vm))
		return;
	forwarded++;
	for (unsigned i = 0; i < size; i++)
		outb((u16)(console_port() + offset + i), (u8)(val >> (8 * i)));
}

/* The UART interrupted (CPU 0, interrupt context): an edge on IRQ 4. */
static void uart_pt_irq(void *ctx)
{
	struct vm *vm = ctx;
	u64 f = spin_lock_irqsave(&vm->dev_lock);

	vm_pulse_irq(vm, IRQ_COM1);
	spin_unlock_irqrestore(&vm->dev_lock, f);
}

bool uart_pt_hand_over(struct vm *vm, u32 line)
{
	char why[96];

	if (!console_hand_over(vm->name, uart_pt_irq, vm, why, sizeof(why))) {
		printk(LOG_ERR, "config line %u: guest %s: uart = passthrough: %s", line, vm->name,
		       why);
		return false;
	}
	/* The same port numbers: the guest may use the UART's ports itself. */
	if (console_port() == COM1_PORT && !vm_io_direct(vm, COM1_PORT, 8))
		printk(LOG_WARN, "guest %s: uart = passthrough: out of memory for an I/O bitmap: "
		       "each port access exits", vm->name);
	return true;
}

void uart_pt_take_back(struct vm *vm)
{
	if (!vm->uart_pt)
		return;
	console_take_back(vm->name);
	printk(LOG_INFO, "guest %s: uart = passthrough: %u port accesses exited (%s)", vm->name,
	       forwarded, vm->hw.io_bitmap ? "ports direct where the CPU has I/O bitmaps" :
	       "every access forwarded");
}
