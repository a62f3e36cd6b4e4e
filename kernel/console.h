/* SPDX-License-Identifier: MIT */
/*
 * Choosing the hypervisor console: the command line's console= wins, then
 * the config file's console key, then the ACPI SPCR table, then COM1.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "kernel/types.h"

struct acpi_info;

/* Early: the command line's choice, or COM1. Registers the log sink. */
void console_init(const char *cmdline);

/* Later: apply the config's choice or SPCR when the command line made
 * none; @cfg_console may be "" (not set). */
void console_refine(const struct acpi_info *ai, const char *cfg_console);

/* "com1 port=0x3f8 source=default" or similar, for the platform report. */
const char *console_describe(void);

/* The console UART's I/O port, 0 when there is none (console=none). */
u16 console_port(void);

/* Next input byte from the console, or -1. */
int console_getc(void);

/*
 * Let the console UART interrupt the CPU with APIC ID @apic_id when a
 * byte arrives (its ISA IRQ through the host I/O APIC, ioapic.h; through
 * the IOMMU's remapping table where that blocks the I/O APIC's own
 * messages). Where it cannot, input stays polled. Logs "console input by
 * interrupt: IRQ n, vector v" or "console input polled (why)". After
 * console_refine() and iommu_init(), once.
 */
void console_irq_init(const struct acpi_info *ai, u32 apic_id);

/*
 * uart = passthrough (vmm/dev/uart_pt.h): give the console UART to guest
 * @guest. Its interrupt then calls @irq(@ctx) instead of waking the
 * console poll, console_getc() reads nothing and the log is held
 * (log_hold) until console_take_back(). False with @why when there is no
 * console UART or its interrupt does not reach the hypervisor. Logs
 * "console: port 0x3f8 and IRQ 4 go to guest NAME (uart = passthrough) ..."
 * before it lets go.
 */
bool console_hand_over(const char *guest, void (*irq)(void *ctx), void *ctx, char *why,
		       size_t n);
/* The UART back: line settings and input interrupt reset, the held log
 * shown, then "console: port 0x3f8 back from guest NAME". */
void console_take_back(const char *guest);

/* Input comes with an interrupt (console_irq_init() succeeded). */
bool console_rx_irq(void);

/* An input interrupt came since the last call (then poll soon). Inline:
 * CPU 0 asks between guest entries. */
extern volatile bool console_rx_pending;

static inline bool console_rx_take(void)
{
	if (!console_rx_pending)
		return false;
	console_rx_pending = false;
	return true;
}

#endif
