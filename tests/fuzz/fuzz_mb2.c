// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the multiboot2 information parser (boot/mb2_parse.c)
 * on a fuzzed tag list. The boot loader's contract is kept: the
 * information is 8-byte aligned and its total_size says how many bytes
 * there are (the harness writes it); everything else is the fuzzer's.
 */
#include <stdlib.h>
#include <string.h>

#include "boot/boot_info.h"
#include "boot/multiboot2.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct boot_info bi;
	u32 total = (u32)(size & ~7ULL), *mbi;

	if (total < 8 || total > (1u << 20))
		return 0;
	mbi = aligned_alloc(8, total);
	memcpy(mbi, data, total);
	mbi[0] = total;
	mb2_parse(mbi, &bi);
	free(mbi);
	return 0;
}
