// SPDX-License-Identifier: MIT
//
// The exception fixup table and the guarded instructions of lib/fault.h.
// Each guarded instruction is written as "1: insn; 2:" with the pair
// (1b, 2b) emitted into .extable; the linker script collects the pairs.
#include "lib/fault.h"

struct extable_entry {
	u32 insn;
	u32 fixup;
};

extern const struct extable_entry __extable_start[], __extable_end[];

volatile struct fault_record fault_last;

#define EXTABLE_ENTRY ".pushsection .extable, \"a\"\n\t.long 1b, 2b\n\t.popsection\n\t"

bool fault_fixup(struct trap_frame *f)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->insn == f->eip) {
			fault_last.vector = f->vector;
			fault_last.error = f->error;
			f->eip = e->fixup;
			return true;
		}
	}
	return false;
}

static void fault_arm(void)
{
	fault_last.vector = FAULT_NONE;
	fault_last.error = 0;
}

u32 rdmsr_safe(u32 msr, u64 *value)
{
	u32 lo = 0, hi = 0;

	fault_arm();
	asm volatile("1: rdmsr\n2:\n\t" EXTABLE_ENTRY
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*value = (u64)hi << 32 | lo;
	return fault_last.vector;
}

u32 wrmsr_safe(u32 msr, u64 value)
{
	fault_arm();
	asm volatile("1: wrmsr\n2:\n\t" EXTABLE_ENTRY
		     : : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
	return fault_last.vector;
}

u32 xsetbv_safe(u32 xcr, u64 value)
{
	fault_arm();
	asm volatile("1: xsetbv\n2:\n\t" EXTABLE_ENTRY
		     : : "c"(xcr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
	return fault_last.vector;
}

u32 read32_safe(u32 addr, u32 *value)
{
	u32 v = 0;

	fault_arm();
	asm volatile("1: movl (%1), %0\n2:\n\t" EXTABLE_ENTRY
		     : "+r"(v) : "r"(addr) : "memory");
	*value = v;
	return fault_last.vector;
}

u32 hypercall_safe(bool amd, u32 nr, u32 *ret)
{
	u32 a = nr;

	fault_arm();
	if (amd)
		asm volatile("1: vmmcall\n2:\n\t" EXTABLE_ENTRY
			     : "+a"(a) : : "ebx", "ecx", "edx", "esi", "edi", "memory");
	else
		asm volatile("1: vmcall\n2:\n\t" EXTABLE_ENTRY
			     : "+a"(a) : : "ebx", "ecx", "edx", "esi", "edi", "memory");
	*ret = a;
	return fault_last.vector;
}
