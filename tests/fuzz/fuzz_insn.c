// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the instruction decoder (vmm/insn.c) and MMIO
 * emulation (vmm/mmio.c) on whatever bytes a guest leaves at RIP. The
 * first byte picks the code mode and how many bytes can be fetched (a
 * fetch that faults part-way); the rest are the instruction bytes. Checks
 * the decoder's contract: a decoded length is 1-15 and within the bytes
 * given, and decoding the same bytes with more after them gives the same
 * result; mmio_emulate() either advances RIP by that length or stops the
 * guest, and accesses the bus at most once with a size of 1, 2, 4 or 8.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fake_vcpu.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"

static void check_decode(const u8 *b, unsigned n, int mode)
{
	struct insn in, again;
	u8 more[32];

	if (!insn_decode(b, n, mode, &in))
		return;
	if (in.len == 0 || in.len > INSN_MAX || in.len > n)
		abort();
	memset(more, 0xcc, sizeof(more));
	memcpy(more, b, n);
	if (!insn_decode(more, sizeof(more), mode, &again) || memcmp(&in, &again, sizeof(in)))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const int modes[] = { 16, 32, 64, 64 };
	static struct vm vm;
	static struct vcpu v;
	int mode;
	unsigned n;
	enum exit_action act;

	if (size < 1)
		return 0;
	mode = modes[data[0] & 3];
	n = MIN(size - 1, 20);
	check_decode(data + 1, n, mode);
	fake_cpu_setup(&v, &vm, mode);
	memcpy(fake.code, data + 1, n);
	fake.code_len = (data[0] & 4) ? n : MIN(n, (unsigned)(data[0] >> 3));
	for (unsigned i = 0; i < NR_GPRS; i++)
		fake.gpr[i] = 0x0123456789abcdefULL * (i + 1);
	fake.bus_val = ~0ULL;
	act = mmio_emulate(&v, 0xfee00300);
	if (act == EXIT_ADVANCE) {
		if (fake.bus_reads + fake.bus_writes != 1 || v.hw.exit.insn_len == 0 ||
		    v.hw.exit.insn_len > INSN_MAX || (fake.bus_size & (fake.bus_size - 1)) ||
		    fake.bus_size > 8 || fake.stopped)
			abort();
	} else if (!fake.stopped || fake.bus_reads + fake.bus_writes) {
		abort();
	}
	return 0;
}
