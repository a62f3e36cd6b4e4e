// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the instruction decoder (vmm/insn.c) and MMIO
 * emulation (vmm/mmio.c) on whatever bytes a guest leaves at RIP. The
 * first byte picks the code mode and how many bytes can be fetched (a
 * fetch that faults part-way); the rest are the instruction bytes. Checks
 * the decoder's contract: a decoded length is 1-15 and within the bytes
 * given, and decoding the same bytes with more after them gives the same
 * result. MMIO emulation (vmm/mmio.c, vmm/mmio_operand.c, with the real
 * bus of vmm/bus.c) at an address inside the fake device page: STOP if and
 * only if the guest was stopped; ADVANCE with an instruction length of
 * 1-15, and a MOV-family access reaches the bus at most twice (once, or
 * the two parts of an operand split at a page boundary); RESUME only for a
 * REP MOVS/STOS with more to do or a MOVS/STOS whose other operand faulted
 * (#PF queued); every bus access is 1-8 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fake_vcpu.h"
#include "vmm/insn.h"
#include "vmm/mmio.h"

/* Decode @b; false when it does not decode. */
static bool check_decode(const u8 *b, unsigned n, int mode, struct insn *out)
{
	struct insn in, again;
	u8 more[32];

	if (!insn_decode(b, n, mode, &in))
		return false;
	if (in.len == 0 || in.len > INSN_MAX || in.len > n)
		abort();
	memset(more, 0xcc, sizeof(more));
	memcpy(more, b, n);
	if (!insn_decode(more, sizeof(more), mode, &again) || memcmp(&in, &again, sizeof(in)))
		abort();
	*out = in;
	return true;
}

static bool is_string(const struct insn *in)
{
	return !in->two_byte && (in->opcode == 0xa4 || in->opcode == 0xa5 ||
				 in->opcode == 0xaa || in->opcode == 0xab);
}

/* The contract of mmio_emulate() for (@ok, @in), the decode of the bytes. */
static void check_emulate(enum exit_action act, const struct vcpu *v, bool ok,
			  const struct insn *in)
{
	bool string = ok && is_string(in);

	if (fake.bad_size || (act == EXIT_STOP) != fake.stopped)
		abort();
	if (act == EXIT_ADVANCE &&
	    (!ok || v->hw.exit.insn_len != in->len ||
	     (!string && fake.bus_reads + fake.bus_writes > 2)))
		abort();
	if (act == EXIT_RESUME && !(string && (in->rep || fake.faults)))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const int modes[] = { 16, 32, 64, 64 };
	static struct vm vm;
	static struct vcpu v;
	struct insn in;
	int mode;
	unsigned n;
	bool ok;

	if (size < 1)
		return 0;
	mode = modes[data[0] & 3];
	n = MIN(size - 1, 20);
	ok = check_decode(data + 1, n, mode, &in);
	fake_cpu_setup(&v, &vm, mode);
	memcpy(fake.code, data + 1, n);
	fake.code_len = (data[0] & 4) ? n : MIN(n, (unsigned)(data[0] >> 3));
	for (unsigned i = 0; i < NR_GPRS; i++)
		fake.gpr[i] = 0x0123456789abcdefULL * (i + 1);
	fake.bus_val = ~0ULL;
	check_emulate(mmio_emulate(&v, FAKE_DEV_BASE + 0x300), &v, ok, &in);
	return 0;
}
