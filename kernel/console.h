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

#endif
