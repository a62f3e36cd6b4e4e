/* SPDX-License-Identifier: MIT */
/* Boot modules: files the loader (GRUB or ours) placed in memory. */
#ifndef KERNEL_MODULE_H
#define KERNEL_MODULE_H

#include "kernel/types.h"

#define BOOT_MOD_NAME_MAX 64

struct boot_module {
	u64 base; /* physical */
	u64 size; /* bytes */
	char name[BOOT_MOD_NAME_MAX];
};

/*
 * The module called @name: its name equals @name, or its last path
 * component does (GRUB passes whatever string followed the file name).
 */
const struct boot_module *module_find(const struct boot_module *mods,
				      unsigned n, const char *name);

#endif
