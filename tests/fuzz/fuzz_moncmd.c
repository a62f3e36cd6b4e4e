// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the monitor's command parser (vmm/moncmd.c) on any
 * line, NUL-terminated at up to MONCMD_LINE_MAX * 3 bytes; the result of a
 * successful parse must be within the documented ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/moncmd.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char line[MONCMD_LINE_MAX * 3 + 1];
	struct moncmd c;
	const char *err;
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

	memcpy(line, data, n);
	line[n] = 0;
	if (moncmd_parse(line, &c, &err)) {
		if (c.op == MON_MEM && (c.len < 1 || c.len > MONCMD_MEM_MAX))
			abort();
		if (c.op == MON_LOGLEVEL && (c.level < 0 || c.level > 3))
			abort();
		if (strlen(c.guest) >= MONCMD_NAME_MAX || c.n == 0)
			abort();
	} else if (!err || !*err) {
		abort();
	}
	return 0;
}
