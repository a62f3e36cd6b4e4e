/* SPDX-License-Identifier: MIT */
/*
 * Finding, parsing and checking the config at boot: the module named by
 * the command line's config= (default hv.cfg) is parsed with config.c, and
 * every file it names must be among the boot modules. Problems are logged
 * with the file, line and reason; the machine goes on with what is sound.
 */
#ifndef KERNEL_CONFIG_LOAD_H
#define KERNEL_CONFIG_LOAD_H

#include "kernel/config.h"
#include "kernel/module.h"

/*
 * Fill @cfg. Without a config module the built-in config (guests/hv.cfg,
 * compiled in) is used; a malformed config is refused as a whole (no
 * guests); a guest whose kernel or initrd is missing is dropped. Returns
 * the number of errors reported.
 */
unsigned config_load(const char *cmdline, const struct boot_module *mods,
		     unsigned nmods, struct config *cfg);

#endif
