// SPDX-License-Identifier: MIT
//
// Wrappers for single x86 instructions a guest needs: CPUID, RDTSC,
// RDMSR/WRMSR, control registers, XGETBV/XSETBV, HLT, PAUSE, CLI/STI and
// cache control. The "safe" MSR and XSETBV variants that survive a #GP
// live in lib/fault.h.
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "lib/types.h"

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

// CPUID with EAX=leaf, ECX=subleaf.
static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define CR0_PE (1u << 0)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXSAVE (1u << 18)

static inline u32 read_cr0(void)
{
	u32 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u32 read_cr4(void)
{
	u32 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(u32 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline u64 xgetbv(u32 xcr)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (u64)hi << 32 | lo;
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

// STI then HLT: the STI shadow makes an interrupt that is already pending
// wake the HLT instead of being taken before it (SDM Vol. 2B, STI).
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline void cpu_pause(void)
{
	asm volatile("pause" : : : "memory");
}

static inline void wbinvd(void)
{
	asm volatile("wbinvd" : : : "memory");
}

static inline void invd(void)
{
	asm volatile("invd" : : : "memory");
}

static inline u32 read_eflags(void)
{
	u32 v;

	asm volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

// Stop this CPU for good (interrupts off).
static inline noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
