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
 *   disk = root.img[,ro]      optional, repeatable (max 4): a virtio-blk disk
 *                             whose contents are that boot module
 *   net = lan0[,mac=MAC]      optional, repeatable (max 2): a virtio-net NIC
 *                             on virtual switch lan0 ([A-Za-z0-9_-], max 15
 *                             chars); without mac= a stable MAC derived from
 *                             the guest's name (config_derive_mac())
 *   rng = yes                 optional: a virtio-rng (default no)
 *   console = hvc             optional: the guest's console is a virtio
 *                             console port instead of COM1 (uart, default)
 *   uart = passthrough        optional: the guest's COM1 is the hypervisor
 *                             console's own UART (its ports and its
 *                             interrupt; one guest at most), not the
 *                             emulated 16550 (uart = emulated, default)
 *   pci = 0000:00:03.0        optional, repeatable (max 4): a host PCI
 *                             function passed through (segment optional,
 *                             hex); the same function in two places is
 *                             refused here, the rest when the VM is built
 *
 * The device settings are only parsed and checked here; the VMM builds the
 * devices from struct cfg_guest's disks[], nics[], rng and console.
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
#define CFG_MAX_DISKS 4
#define CFG_MAX_NICS 2
#define CFG_SWITCH_MAX 16 /* switch name, NUL included */
#define CFG_MAC_LEN 6
#define CFG_MAX_PCI 4
/* Most boot modules a config can name: kernel, initrd and disks a guest. */
#define CFG_MAX_FILES (CFG_MAX_GUESTS * (2 + CFG_MAX_DISKS))

enum cfg_console {
	CFG_CONSOLE_UART = 0, /* COM1, the 16550 (default) */
	CFG_CONSOLE_HVC = 1,  /* a virtio-console port */
};

/* disk = FILE[,ro] */
struct cfg_disk {
	char file[CFG_FILE_MAX]; /* boot module holding the disk's contents */
	bool readonly;		 /* ,ro */
	u32 line;		 /* config line, for messages */
};

/* pci = [SSSS:]BB:DD.F */
struct cfg_pci {
	u16 seg;
	u8 bus, dev, fn;
	u32 line; /* config line, for messages */
};

/* net = SWITCH[,mac=xx:xx:xx:xx:xx:xx] */
struct cfg_nic {
	char sw[CFG_SWITCH_MAX]; /* switch name: [A-Za-z0-9_-]{1,15} */
	u8 mac[CFG_MAC_LEN];	 /* unicast, unique among all guests */
	bool mac_given;		 /* false: derived (config_derive_mac) */
	u32 line;		 /* config line, for messages */
};

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
	u32 ndisks;			       /* disks[0..ndisks) in config order */
	struct cfg_disk disks[CFG_MAX_DISKS];
	u32 nnics;			       /* nics[0..nnics) in config order */
	struct cfg_nic nics[CFG_MAX_NICS];
	bool rng;			       /* rng = yes */
	u8 console;			       /* enum cfg_console */
	bool uart_passthrough;		       /* uart = passthrough */
	u32 uart_line;			       /* ... its config line */
	u32 npci;			       /* pci[0..npci) in config order */
	struct cfg_pci pci[CFG_MAX_PCI];
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
 * The MAC of NIC @index of guest @name when the config gives none: 02 (a
 * locally administered unicast address, IEEE 802 §8.2.2) followed by the
 * low 40 bits, most significant first, of the 64-bit FNV-1a hash of the
 * name's bytes and then the byte @index. Stable across boots and builds.
 */
void config_derive_mac(const char *name, unsigned index, u8 mac[CFG_MAC_LEN]);

/*
 * The boot-module file names a config refers to (kernel, initrd and disks
 * of every guest), without duplicates, in order of appearance. Returns how many
 * names were stored in @names (at most @max).
 */
unsigned config_files(const struct config *cfg, const char **names,
		      unsigned max);

#endif
