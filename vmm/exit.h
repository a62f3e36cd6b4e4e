/* SPDX-License-Identifier: MIT */
/*
 * Exit dispatch: one table indexed by enum exit_code with an explicit row
 * (name and handler) for every code. A handler says whether the exiting
 * instruction is done (advance RIP past it), must run again (resume), or
 * the guest is stopped.
 */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include "arch/x86/virt.h"

struct vcpu;

enum exit_action {
	EXIT_RESUME,  /* re-enter at the same RIP */
	EXIT_ADVANCE, /* skip the exiting instruction, then re-enter */
	EXIT_STOP,    /* the guest was stopped */
};

typedef enum exit_action (*exit_handler_fn)(struct vcpu *v, const struct vm_exit *x);

struct exit_row {
	const char *name;
	exit_handler_fn handler;
	/* The handler leaves the interrupt state of its vCPU alone but for
	 * what comes with a request: no local APIC or RFLAGS.IF write, and
	 * whatever it raises (a device line through the I/O APIC, the 8259's
	 * INT rising after a mask or EOI write: vmm/irq.c) or reprograms (a
	 * timed device: VCPU_REQ_TIMERS) sets a request. After it, the run
	 * loop may re-enter the guest without looking for events again
	 * (exit.c, quick_reentry()). The local APIC's own register writes
	 * (MMIO in xAPIC mode, MSRs in x2APIC mode, TSC deadline, APIC base)
	 * set lapic.changed instead, which quick_reentry() also checks: port
	 * I/O, MMIO and MSR accesses qualify. */
	bool quick;
};

extern const struct exit_row exit_table[NR_EXIT_CODES];

/* The handler cost (vcpu.h exit_ticks) is timed on 1 exit in this many of
 * each code (a power of 2), the first of each 16 included: counts stay exact, the
 * average cost is a sample, and 15 exits in 16 skip the second RDTSC. */
#define EXIT_COST_SAMPLE 16

const char *exit_name(u32 code);

/* Count and handle v->hw.exit; advance RIP when the handler says so. */
enum exit_action exit_dispatch(struct vcpu *v);

/* The exit path's loop, exit_run(): inline in vmm/exit_path.h. */

struct vm;

/* "hv: guest <name> vcpu <n> exits <total>: cpuid 3 io 120 ..." */
void exit_stats_log(const char *vm_name, const struct vcpu *v);

/* The same summed over the VM's vCPUs: "hv: guest <name> exits ...". */
void exit_stats_log_vm(const struct vm *vm);

/*
 * A REP string instruction the hypervisor emulates has done one iteration
 * and has more to do: with RFLAGS.TF set, the single-step trap of that
 * iteration is delivered, RIP still at the instruction (SDM Vol. 3B
 * §18.3.1.4), and true is returned (the handler then resumes the guest);
 * false when TF is clear.
 */
bool exit_rep_step(struct vcpu *v);

/* Per-vCPU MSR state back to its power-on value (IA32_SPEC_CTRL = 0, in
 * the real MSR too), at a platform reset (vmm/exit_msr.c). */
void exit_msr_power_on(struct vcpu *v);

/* Handlers, one file per concern (vmm/exit_*.c). */
enum exit_action exit_io(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_msr_read(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_msr_write(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_cpuid(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_hlt(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_xsetbv(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_stage2_fault(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_cr_access(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_apic_eoi(struct vcpu *v, const struct vm_exit *x);
enum exit_action exit_dr_access(struct vcpu *v, const struct vm_exit *x);
/* The guest's own #DB while the debugger owns the debug registers. */
enum exit_action exit_debug_exception(struct vcpu *v, const struct vm_exit *x);

#endif
