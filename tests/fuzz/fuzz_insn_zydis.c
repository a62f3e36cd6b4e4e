// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the differential decoder check of insn_ref.h (our
 * decoder and MMIO emulation against Zydis) on fuzzer-chosen bytes; the
 * first byte picks the mode. Any mismatch aborts with the bytes printed.
 */
#include <stdlib.h>

#include "tests/fuzz/insn_ref.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const int modes[] = { 16, 32, 64, 64 };
	static bool init;
	struct insn_ref_stats st = { 0 };
	u8 b[16] = { 0 };

	if (size < 2)
		return 0;
	if (!init) {
		insn_ref_init();
		init = true;
	}
	for (size_t i = 1; i < size && i <= sizeof(b); i++)
		b[i - 1] = data[i];
	if (!insn_ref_check(b, sizeof(b), modes[data[0] & 3], &st, true))
		abort();
	return 0;
}
