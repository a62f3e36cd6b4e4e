/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU hypervisor stacks in their own virtual region, each with an
 * unmapped guard page below it so an overflow faults instead of silently
 * corrupting memory. Layout of one CPU's 64 KiB slot (offsets in KiB):
 *   0 guard | 4-20 kernel stack | 20 guard | 24 #DF IST | 28 guard |
 *   32 NMI IST | 36 guard | 40 #MC IST | 44-64 guard
 */
#ifndef ARCH_X86_STACKS_H
#define ARCH_X86_STACKS_H

#include "kernel/types.h"

#define STACK_REGION 0xffffff8000000000ULL
#define STACK_SLOT (64 * 1024ULL)

struct percpu;

/* Allocate and map the stacks of @pc, fill its TSS IST slots and
 * pc->stack_top. Returns false when memory runs out. */
bool stacks_setup(struct percpu *pc);

/* Is [addr, addr+len) inside a mapped hypervisor stack? */
bool stack_addr_valid(u64 addr, u64 len);

/* CPU index whose guard page contains @addr, or -1. */
int stack_guard_owner(u64 addr);

/* Continue in @fn on the stack whose top is @top; never returns. */
static inline __noreturn void stack_switch(u64 top, void (*fn)(void))
{
	asm volatile("mov %0, %%rsp\n\t"
		     "xor %%ebp, %%ebp\n\t"
		     "call *%1\n\t"
		     "ud2"
		     :
		     : "r"(top), "r"(fn)
		     : "memory");
	__builtin_unreachable();
}

#endif
