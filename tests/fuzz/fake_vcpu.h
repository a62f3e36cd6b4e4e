/* SPDX-License-Identifier: MIT */
/*
 * A fake vCPU for host tests of the instruction fetch/decode and MMIO
 * emulation paths (vmm/insn.c, vmm/mmio.c): link definitions of the
 * register, segment, guest-walk, guest-memory, bus and stop functions those
 * files call, backed by one global struct fake_cpu. The code at CS:RIP is
 * fake.code; bus accesses and register writes are recorded. Single-threaded
 * test programs only.
 */
#ifndef TESTS_FUZZ_FAKE_VCPU_H
#define TESTS_FUZZ_FAKE_VCPU_H

#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct fake_cpu {
	int mode;           /* code segment: 16, 32 or 64 */
	u8 code[32];        /* the bytes at CS:RIP */
	unsigned code_len;  /* fetchable bytes (fewer: a fetch fault) */
	u64 gpr[NR_GPRS];
	u64 bus_val;        /* what a bus read returns (masked to its size) */
	/* records of the last emulation */
	unsigned bus_reads, bus_writes;
	u64 bus_addr, bus_written;
	unsigned bus_size;
	unsigned gpr_writes, gpr_last;
	bool stopped;
};

extern struct fake_cpu fake;

/* Reset the records and set up @v (with @vm) to run @mode-bit code. */
void fake_cpu_setup(struct vcpu *v, struct vm *vm, int mode);

#endif
