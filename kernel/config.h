/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor configuration file (hv.cfg): a small INI-like text that
 * names global settings and the guests to run. It is parsed by the kernel
 * and, to learn which files to load, by the UEFI loader; the parser is pure
 * C with no allocation so both (and the host unit tests) share it.
 *
 *   # comment
 *   console = com1            global keys before the first section
 *   loglevel = info
 *   [guest linux]             one section per guest
 *   cpus = 1-2                physical CPU indices (list and ranges)
 *   memory = 256M             K, M or G suffix
 *   kernel = bzImage          file name of a boot module
 *   initrd = initrd.cpio      optional file name of a boot module
 *   cmdline = console=ttyS0   rest of the line, verbatim
 *   on_stop = restart         optional: stop (default) or restart the guest
 *                             when it stops (not when it powers off)
 *   restarts = 10             optional: at most this many restarts (default 10)
 *   pci_testdev = yes         optional, tests only: a PCI test device
 *                             (vmm/pci/pci_testdev.h) on the guest's bus
 */
#ifndef KERNEL_CONFIG_H
#define KERNEL_CONFIG_H

#include "kernel/types.h"

#define CFG_MAX_GUESTS 8
#define CFG_NAME_MAX 32
#define CFG_FILE_MAX 64
#define CFG_CMDLINE_MAX 512
#define CFG_ERR_MAX 160
#define CFG_MAX_CPUS 64
#define CFG_RESTARTS_DEFAULT 10
#define CFG_RESTARTS_MAX 1000000

struct cfg_guest {
	char name[CFG_NAME_MAX];
	u64 cpus;   /* bit n = physical CPU n */
	u64 memory; /* bytes */
	char kernel[CFG_FILE_MAX];
	char initrd[CFG_FILE_MAX]; /* "" when none */
	char cmdline[CFG_CMDLINE_MAX];
	bool restart;     /* on_stop = restart */
	u32 max_restarts; /* restarts = N */
	bool pci_testdev; /* pci_testdev = yes */
	u32 line; /* line of the [guest ...] header */
};

struct config {
	char console[32]; /* "" = not set */
	int loglevel;     /* -1 = not set, else LOG_* */
	u32 nguests;
	struct cfg_guest guests[CFG_MAX_GUESTS];
};

struct cfg_error {
	u32 line; /* 1-based; 0 when the error concerns the whole file */
	char msg[CFG_ERR_MAX];
};

/* Fill @cfg with the built-in defaults (no guests, nothing set). */
void config_defaults(struct config *cfg);

/*
 * Parse @len bytes of @text into @cfg. On success returns 0. On the first
 * error returns -1, fills @err with the line number and a message naming
 * the problem, and leaves @cfg at the built-in defaults.
 */
int config_parse(const char *text, size_t len, struct config *cfg,
		 struct cfg_error *err);

/*
 * The boot-module file names a config refers to (kernel and initrd of every
 * guest), without duplicates, in order of appearance. Returns how many
 * names were stored in @names (at most @max).
 */
unsigned config_files(const struct config *cfg, const char **names,
		      unsigned max);

#endif
