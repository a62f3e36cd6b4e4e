/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor command line: space-separated words, "key=value" or a
 * bare "key". Values may be quoted with double quotes. Keys used:
 *   console=com1..com4|0x<port>|spcr|none   hypervisor console
 *   loglevel=error|warn|info|debug           log verbosity
 *   config=<module name>                     config file among the modules
 *   panic=halt|reboot|poweroff               what a panic does at the end
 *   smp=<n>                                  start at most n CPUs
 *   pci_reset=<BDF>[,<BDF>...]               reset host PCI functions at boot
 *                                            and log how (drivers/pci/pci.h)
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/types.h"

/*
 * Copy the value of the last "key=value" for @key into @buf (NUL
 * terminated, truncated to @size). A bare "key" gives "". Returns false
 * when @key is absent.
 */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

/* Parse an unsigned number: decimal, or hex with 0x. False if malformed. */
bool parse_u64(const char *s, u64 *out);

/*
 * Console name -> I/O port: com1..com4 (0x3f8, 0x2f8, 0x3e8, 0x2e8) or a
 * hex port "0x...". Returns 0 for "none" and "spcr" (decided elsewhere),
 * -1 when the name is not understood.
 */
int console_port_parse(const char *name);

#endif
