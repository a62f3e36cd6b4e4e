/* SPDX-License-Identifier: MIT */
/*
 * A fake vCPU for host tests of the instruction fetch/decode and MMIO
 * emulation paths (vmm/insn.c, vmm/mmio.c, vmm/mmio_operand.c with the real
 * vmm/bus.c): link definitions of the register, segment, guest-walk,
 * guest-memory, bus, log, TSC and stop functions those files call, backed by
 * one global struct fake_cpu. Guest RAM is fake.code at guest-physical 0
 * (the code at CS:RIP, linear = guest-physical); the VM's MMIO bus holds
 * one device page at FAKE_DEV_BASE whose accesses, like those to addresses
 * nobody claims, go to fake.bus_val and are recorded, as are register
 * writes. Single-threaded test programs only.
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
	bool bad_size;      /* a bus access of a size outside 1-8 */
	bool stopped;
	unsigned faults;    /* exceptions queued for the guest (#PF) */
	/* set by the test: data accesses do not translate (the guest walk
	 * fails), so a MOV operand is never split at a page boundary */
	bool data_unmapped;
};

#define FAKE_DEV_BASE 0xfee00000ULL

extern struct fake_cpu fake;

/* Reset the records and set up @v (with @vm, its MMIO bus holding the
 * device page) to run @mode-bit code. */
void fake_cpu_setup(struct vcpu *v, struct vm *vm, int mode);

#endif
