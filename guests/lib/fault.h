// SPDX-License-Identifier: MIT
//
// Instructions that may fault on purpose (RDMSR/WRMSR of a bogus MSR,
// XSETBV with a bad value, a hypercall the host may refuse, a read of a
// doubtful address), run so that an exception resumes after them instead of
// failing the guest. Each such instruction gets an entry in the .extable
// section: its address and where to resume. trap_dispatch() looks the
// faulting EIP up there, records the vector and error code in fault_last and
// jumps to the resume address. fault_last is global: only one CPU may use
// these functions at a time.
#ifndef GUEST_FAULT_H
#define GUEST_FAULT_H

#include "lib/trap.h"

struct fault_record {
	u32 vector; // FAULT_NONE when the instruction completed
	u32 error;
};

#define FAULT_NONE 0xffffffffu

extern volatile struct fault_record fault_last;

// Called by trap_dispatch for exceptions; true when a fixup was applied.
bool fault_fixup(struct trap_frame *f);

// Return FAULT_NONE or the exception vector the instruction raised.
u32 rdmsr_safe(u32 msr, u64 *value);
u32 wrmsr_safe(u32 msr, u64 value);
u32 xsetbv_safe(u32 xcr, u64 value);
u32 read32_safe(u32 addr, u32 *value);
// VMCALL (Intel) or VMMCALL (AMD) with EAX=nr; *ret gets EAX afterwards.
u32 hypercall_safe(bool amd, u32 nr, u32 *ret);

#endif
