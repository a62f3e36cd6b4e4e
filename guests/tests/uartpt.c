// SPDX-License-Identifier: MIT
//
// uart = passthrough (vmm/dev/uart_pt.h): this guest's COM1 is the
// machine's own UART. It prints on it, enables its receive interrupt
// (IER bit 0, MCR.OUT2) and routes ISA IRQ 4 through its I/O APIC, then
// reads the line the harness types from the interrupt handler alone: the
// line and a count of interrupts show that the port's input and its
// interrupt both reached the guest.
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irq.h"
#include "lib/lapic.h"
#include "lib/pmtimer.h"
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define COM1 0x3f8
#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define VEC 0x44
#define GSI_COM1 4
#define WAIT_US 30000000u

static volatile u32 irqs;
static char line[64];
static volatile u32 len;
static volatile bool done;

static void com1_irq(struct trap_frame *f)
{
	(void)f;
	irqs++;
	while (inb(COM1 + UART_LSR) & LSR_DR) {
		char c = (char)inb(COM1);

		if (c == '\r' || c == '\n')
			done = len > 0;
		else if (len < sizeof(line) - 1)
			line[len++] = c;
	}
	lapic_eoi();
}

static bool line_done(void *arg)
{
	(void)arg;
	return done;
}

int main(void)
{
	test_start("uartpt");
	printf("uartpt: on the real port\n");
	if (!pmtimer_init())
		test_fail("no ACPI PM timer");
	irq_init();
	trap_set_handler(VEC, com1_irq);
	ioapic_route(GSI_COM1, VEC, 0);           // fixed, edge, active high, to APIC 0
	while (inb(COM1 + UART_LSR) & LSR_DR)
		(void)inb(COM1);                  // nothing stale
	outb(COM1 + UART_MCR, 0x0b);              // DTR, RTS, OUT2
	outb(COM1 + UART_IER, 0x01);              // received data available
	printf("uartpt: type a line\n");
	sti();
	pmtimer_wait(line_done, NULL, WAIT_US);
	cli();
	line[len] = 0;
	check(done, "got a line: '%s'", line);
	check(irqs > 0, "by interrupt (%u)", irqs);
	outb(COM1 + UART_IER, 0);
	test_finish();
}
