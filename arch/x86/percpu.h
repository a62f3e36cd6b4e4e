/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU state at a fixed place: each CPU's GS base points at its own
 * struct percpu, whose first field points at itself, so this_cpu() is one
 * load. Fields marked (o) are changed only by the owning CPU; (b) by the
 * BSP before the CPU starts, read-only afterwards.
 */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include "arch/x86/desc.h"
#include "kernel/types.h"

#define MAX_CPUS 64

struct percpu {
	struct percpu *self; /* (b) must stay first: gs:0 */
	u32 cpu;             /* (b) index: 0 is the BSP, then MADT order */
	u32 apic_id;         /* (b) */
	u64 stack_top;       /* (b) top of the guarded kernel stack */
	volatile u32 online; /* (o) set once the CPU runs its idle loop */
	/* (o) DR0-DR3/DR7 hold breakpoints of a guest or of its debugger:
	 * one they raise while the hypervisor runs is not ours (trap.c) */
	u32 guest_dr;
	/* Work handed to an idle CPU (smp_run_on): set by another CPU while
	 * NULL, taken and cleared by the owner. */
	void (*volatile work_fn)(void *);
	void *volatile work_arg;
	void *vcpu; /* (o) the vCPU this CPU is running, for device models */
	u64 gdt[GDT_ENTRIES] __aligned(16); /* (o) */
	struct tss tss __aligned(16);       /* (o) */
	struct idt_entry idt[256] __aligned(16); /* (o) */
};

extern struct percpu percpu_area[MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
