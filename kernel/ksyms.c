// SPDX-License-Identifier: MIT
/* Address -> function name, by binary search in the generated table. */
#include "kernel/ksyms.h"

extern char __text_start[], __text_end[];

const char *ksym_lookup(u64 addr, u64 *offset)
{
	unsigned lo = 0, hi = ksym_count;

	if (addr < (u64)__text_start || addr >= (u64)__text_end || !ksym_count)
		return NULL;
	/* Find the last entry with ksym_table[i].addr <= addr. */
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksym_table[lo].addr > addr)
		return NULL;
	*offset = addr - ksym_table[lo].addr;
	return &ksym_names[ksym_table[lo].name];
}
