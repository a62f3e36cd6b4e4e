/* SPDX-License-Identifier: MIT */
/*
 * Host CPU helpers: CPUID, MSRs, control registers, and the architectural
 * bit names this hypervisor uses (Intel SDM Vol. 3A §2.5, AMD APM Vol. 2
 * §3.1). All inline; no state, except the *_safe functions of safe.asm.
 *
 * Rule: a value a guest chose never reaches WRMSR, XSETBV or any other
 * privileged instruction through the plain helpers here. vmm/ validates
 * it first (vmm/cpu_policy.c) and then executes it through a *_safe
 * function, whose exception fixup turns a fault the validation missed
 * into "false" (and a #GP for the guest) instead of a host panic.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "kernel/types.h"

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)

#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_VMXE (1ULL << 13)

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_MTRRCAP 0xfe
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_VM_CR 0xc0010114

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define EFER_SVME (1ULL << 12)

#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_RF (1ULL << 16)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

/* CPU vendor from CPUID leaf 0 EBX ("Genu" / "Auth"). */
static inline bool cpu_is_intel(void) { return cpuid(0, 0).ebx == 0x756e6547; }
static inline bool cpu_is_amd(void) { return cpuid(0, 0).ebx == 0x68747541; }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/*
 * rdmsr that survives a #GP (MSR not implemented): returns false then.
 * Implemented in arch/x86/safe.asm with an exception fixup.
 */
bool rdmsr_safe(u32 msr, u64 *val);

/* wrmsr and xsetbv that survive a #GP (or #UD): false then, and nothing
 * was written. The only way to put a guest-chosen value into an MSR or an
 * XCR (see the rule above). */
bool wrmsr_safe(u32 msr, u64 val);
bool xsetbv_safe(u32 xcr, u64 val);

#define DEFINE_CR(n)                                                  \
	static inline u64 read_cr##n(void)                            \
	{                                                             \
		u64 v;                                                \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));         \
		return v;                                             \
	}                                                             \
	static inline void write_cr##n(u64 v)                         \
	{                                                             \
		asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

/* Debug registers DR0-DR3, DR6, DR7 (SDM Vol. 3B §18.2). DR6's BS is also
 * bit 14 of a #DB exit's qualification (SDM Vol. 3C §28.2.1). */
#define DR6_BS (1ULL << 14)
#define DR6_CLEAN 0xffff0ff0ULL /* no event: the reserved bits read as 1 */
static inline u64 read_dr(unsigned n)
{
	u64 v = 0;

	switch (n) {
	case 0: asm volatile("mov %%dr0, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%dr1, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%dr2, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%dr3, %0" : "=r"(v)); break;
	case 6: asm volatile("mov %%dr6, %0" : "=r"(v)); break;
	case 7: asm volatile("mov %%dr7, %0" : "=r"(v)); break;
	}
	return v;
}

static inline void write_dr(unsigned n, u64 v)
{
	switch (n) {
	case 0: asm volatile("mov %0, %%dr0" : : "r"(v)); break;
	case 1: asm volatile("mov %0, %%dr1" : : "r"(v)); break;
	case 2: asm volatile("mov %0, %%dr2" : : "r"(v)); break;
	case 3: asm volatile("mov %0, %%dr3" : : "r"(v)); break;
	case 6: asm volatile("mov %0, %%dr6" : : "r"(v)); break;
	case 7: asm volatile("mov %0, %%dr7" : : "r"(v)); break;
	}
}

/* Of the breakpoints whose B0-B3 bits are set in @b (DR6, or a VMX exit
 * qualification), those DR7 enables (L or G): a bit per breakpoint. */
static inline u8 dr_hits(u64 b, u64 dr7)
{
	u8 hits = 0;

	for (unsigned i = 0; i < 4; i++)
		if ((b & (1u << i)) && (dr7 & (3u << (2 * i))))
			hits |= 1u << i;
	return hits;
}

/* Whether @hits has an instruction breakpoint (R/W 00, SDM Vol. 3B
 * §18.2.4). */
static inline bool dr_exec_hit(u8 hits, u64 dr7)
{
	for (unsigned i = 0; i < 4; i++)
		if ((hits & (1u << i)) && !((dr7 >> (16 + 4 * i)) & 3))
			return true;
	return false;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 read_rflags(void)
{
	u64 f;

	asm volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { asm volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { asm volatile("sti" ::: "memory"); }

static inline void invlpg(u64 va)
{
	asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif
