// SPDX-License-Identifier: MIT
/* Console selection and the log sink on the host UART (console.h). */
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "drivers/acpi.h"
#include "drivers/ioapic.h"
#include "drivers/uart.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/string.h"

#define BAUD 115200

static struct uart uart;
static const char *source = "default";
static bool cmdline_chose;
static bool want_spcr;
static char bad_name[32];
static char desc[64];

static void sink_write(const char *s, size_t len) { uart_write(&uart, s, len); }
static struct log_sink sink = { .write = sink_write };

void console_init(const char *cmdline)
{
	char name[32];
	int port = 0x3f8;

	if (cmdline_get(cmdline, "console", name, sizeof(name))) {
		port = console_port_parse(name);
		cmdline_chose = true;
		source = "cmdline";
		want_spcr = !strcmp(name, "spcr");
		if (port < 0) {
			hv_strlcpy(bad_name, name, sizeof(bad_name));
			port = 0x3f8;
			source = "default";
			cmdline_chose = false;
		} else if (want_spcr) {
			port = 0x3f8; /* until ACPI is read */
		}
	}
	if (port)
		uart_init(&uart, (u16)port, BAUD);
	log_add_sink(&sink);
	if (bad_name[0])
		printk(LOG_ERR, "console=%s is not a console (com1..com4, 0x<port>, spcr, none): using com1", bad_name);
}

static void switch_to(u16 port, const char *why)
{
	struct uart next;

	if (port == uart.port)
		return;
	if (!uart_init(&next, port, BAUD)) {
		printk(LOG_ERR, "console: no UART answers at port 0x%x (%s); staying on 0x%x",
		       port, why, uart.port);
		return;
	}
	printk(LOG_INFO, "console moves to port 0x%x (%s)", port, why);
	uart = next;
	source = why;
	printk(LOG_INFO, "console now on port 0x%x (%s)", port, why);
}

void console_refine(const struct acpi_info *ai, const char *cfg_console)
{
	u16 port;
	u32 baud;

	if (cmdline_chose && !want_spcr)
		return;
	if (!want_spcr && cfg_console[0]) {
		int p = console_port_parse(cfg_console);

		if (p > 0)
			switch_to((u16)p, "config");
		if (strcmp(cfg_console, "spcr"))
			return;
	}
	if (acpi_spcr_console_port(ai, &port, &baud))
		switch_to(port, "spcr");
	else if (want_spcr)
		printk(LOG_WARN, "console=spcr: the ACPI SPCR table names no 16550 in I/O space");
}

const char *console_describe(void)
{
	snprintf(desc, sizeof(desc), "port=0x%x source=%s baud=%u", uart.port, source, BAUD);
	return desc;
}

u16 console_port(void) { return uart.port; }

static bool given;              /* a guest has the UART (uart = passthrough) */
static int given_irq;
static void (*volatile given_fwd)(void *ctx);
static void *given_ctx;

int console_getc(void) { return given ? -1 : uart_getc(&uart); }

volatile bool console_rx_pending;
static bool rx_irq;

static void rx_isr(struct trap_frame *f)
{
	void (*fwd)(void *) = given_fwd;

	(void)f;
	if (fwd)
		fwd(given_ctx);
	else
		console_rx_pending = true;
	lapic_eoi();
}

/* The PC's ISA interrupt of a COM port. */
static int isa_irq_of(u16 port)
{
	switch (port) {
	case 0x3f8: case 0x3e8: return 4;
	case 0x2f8: case 0x2e8: return 3;
	default: return -1;
	}
}

void console_irq_init(const struct acpi_info *ai, u32 apic_id)
{
	int irq = isa_irq_of(uart.port);
	char why[80] = "";

	if (!uart.port)
		return;
	if (irq < 0)
		snprintf(why, sizeof(why), "port 0x%x has no ISA interrupt of its own", uart.port);
	if (!why[0]) {
		trap_set_handler(VEC_CONSOLE_RX, rx_isr);
		if (ioapic_route_isa(ai, (u8)irq, VEC_CONSOLE_RX, apic_id, why, sizeof(why))) {
			uart_rx_irq_enable(&uart);
			rx_irq = true;
			printk(LOG_INFO, "console input by interrupt: IRQ %d, vector 0x%x", irq,
			       VEC_CONSOLE_RX);
			return;
		}
	}
	printk(LOG_INFO, "console input polled (%s)", why);
}

bool console_rx_irq(void) { return rx_irq; }

bool console_hand_over(const char *guest, void (*irq)(void *ctx), void *ctx, char *why,
		       size_t n)
{
	if (!uart.port) {
		snprintf(why, n, "the hypervisor has no console UART (console=none)");
		return false;
	}
	if (!rx_irq) {
		snprintf(why, n, "the UART's interrupt does not reach the hypervisor (its input is "
			 "polled)");
		return false;
	}
	if (given) {
		snprintf(why, n, "the console UART is already given away");
		return false;
	}
	given_irq = isa_irq_of(uart.port);
	printk(LOG_INFO, "console: port 0x%x and IRQ %d go to guest %s (uart = passthrough); "
	       "the log is held until they come back", uart.port, given_irq, guest);
	log_hold(true);
	given = true;
	given_ctx = ctx;
	__atomic_store_n(&given_fwd, irq, __ATOMIC_RELEASE);
	return true;
}

void console_take_back(const char *guest)
{
	if (!given)
		return;
	u16 port = uart.port;

	__atomic_store_n(&given_fwd, NULL, __ATOMIC_RELEASE);
	if (uart_init(&uart, port, BAUD)) /* the guest's line settings go */
		uart_rx_irq_enable(&uart);
	given = false;
	log_hold(false);
	printk(LOG_INFO, "console: port 0x%x and IRQ %d back from guest %s", port, given_irq,
	       guest);
}
