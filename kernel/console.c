// SPDX-License-Identifier: MIT
/* Console selection and the log sink on the host UART (console.h). */
#include "drivers/acpi.h"
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

int console_getc(void) { return uart_getc(&uart); }
