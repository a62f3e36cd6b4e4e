/* SPDX-License-Identifier: MIT */
/*
 * uart = passthrough: the guest's COM1 (ports 0x3F8-0x3FF, ISA IRQ 4) is
 * the hypervisor console's own UART. When that UART is at 0x3F8 too, the
 * guest's I/O permission bitmap lets it reach the ports without exits
 * (vm_io_direct); else, or without I/O bitmaps, each access exits and is
 * forwarded to the real port. The UART's interrupt, routed to the hypervisor by the host I/O APIC
 * (kernel/console.c), is passed on as an edge on the guest's IRQ 4. The
 * hypervisor hands the port over once the VM is built (its log is held
 * meanwhile, kernel/log.h log_hold) and takes it back, line settings
 * reset, when the VM stops for good.
 *
 * Owner: the VM (vm->uart_pt); the forwarding runs under vm->dev_lock
 * like every bus access, the interrupt on CPU 0 takes it too.
 */
#ifndef VMM_DEV_UART_PT_H
#define VMM_DEV_UART_PT_H

#include "kernel/types.h"

struct vm;

/* The forwarding region's callbacks (dev: the VM). */
u64 uart_pt_read(void *dev, u64 offset, unsigned size);
void uart_pt_write(void *dev, u64 offset, unsigned size, u64 val);

/* Hand the console UART to @vm; false (logged with @line) when it cannot
 * be: no console UART, or its interrupt does not reach the hypervisor. */
bool uart_pt_hand_over(struct vm *vm, u32 line);

/* Take it back when @vm stops for good (nothing if it never had it). */
void uart_pt_take_back(struct vm *vm);

#endif
