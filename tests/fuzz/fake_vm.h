/* SPDX-License-Identifier: MIT */
/*
 * A fake VM of FAKE_VM_VCPUS vCPUs for the harnesses of the local APIC
 * and of the MSR and control-register policy (vmm/dev/vlapic.c,
 * vmm/exit_msr.c, vmm/exit_misc.c): link definitions of what those files
 * call in vcpu.c, vm.c, the log, the back-end (vm_ops) and safe.asm,
 * backed by plain arrays. IPIs are delivered as vcpu.c does (fixed: vlapic_raise);
 * requests, injections and stops are recorded.
 */
#ifndef TESTS_FUZZ_FAKE_VM_H
#define TESTS_FUZZ_FAKE_VM_H

#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define FAKE_VM_VCPUS 3

struct fake_vm {
	struct vm vm;
	struct vcpu vcpu[FAKE_VM_VCPUS];
	unsigned current;             /* vcpu_current() */
	u64 regs[FAKE_VM_VCPUS][NR_REGS];
	struct segment segs[FAKE_VM_VCPUS][NR_SEGS];
	unsigned injected, inj_vector; /* last vcpu_inject_exception() */
	unsigned requests, eois, stops;
	unsigned host_writes;         /* wrmsr_safe(), xsetbv_safe() */
	int insn_len;                 /* the harness's insn_length_at_rip() */
};

extern struct fake_vm *fvm;

/* A fresh VM (allocated once) with every vCPU's local APIC reset. */
void fake_vm_reset(void);

#endif
