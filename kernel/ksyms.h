/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own symbol table, generated at link time by
 * tools/gensyms.sh, used to print symbolized backtraces.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include "kernel/types.h"

struct ksym {
	u64 addr;
	u32 name; /* offset into ksym_names */
};

extern const char ksym_names[];
extern const struct ksym ksym_table[];
extern const unsigned ksym_count;

/*
 * Name of the function containing @addr and the offset into it; NULL when
 * @addr is outside the kernel's text.
 */
const char *ksym_lookup(u64 addr, u64 *offset);

#endif
