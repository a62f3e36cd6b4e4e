/* SPDX-License-Identifier: MIT */
/*
 * The architectural checks a CPU makes when software writes CR0, CR4,
 * EFER, PAT, XCR0 or an address-holding MSR, as pure functions of the
 * guest's CPUID view (struct cpu_view). The exit handlers call them at the
 * guest's write and inject #GP when they say no, so that a value the CPU
 * would refuse at VM entry never reaches the VMCS/VMCB or a host register
 * ("what CPUID exposes works, what it hides #GPs"). No state: the caller
 * owns the cpu_view it passes.
 */
#ifndef VMM_CPU_POLICY_H
#define VMM_CPU_POLICY_H

#include "arch/x86/cpu.h"

/* The leaves of the guest's CPUID view the checks depend on. */
struct cpu_view {
	struct cpuid_regs l1;         /* leaf 1 */
	struct cpuid_regs l7;         /* leaf 7 subleaf 0 */
	struct cpuid_regs l80000001;  /* extended features */
	struct cpuid_regs l80000008;  /* address sizes */
	u64 xcr0;                     /* leaf 0xD subleaf 0 EDX:EAX */
};

/* XCR0 state components (SDM Vol. 1 §13.1). */
#define XCR0_X87 (1ULL << 0)
#define XCR0_SSE (1ULL << 1)
#define XCR0_AVX (1ULL << 2)
#define XCR0_BNDREGS (1ULL << 3)
#define XCR0_BNDCSR (1ULL << 4)
#define XCR0_OPMASK (1ULL << 5)
#define XCR0_ZMM_HI256 (1ULL << 6)
#define XCR0_HI16_ZMM (1ULL << 7)
#define XCR0_PKRU (1ULL << 9)
#define XCR0_TILECFG (1ULL << 17)
#define XCR0_TILEDATA (1ULL << 18)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)

/*
 * XSETBV's #GP conditions for XCR0 (SDM Vol. 1 §13.3, Vol. 2D XSETBV):
 * true when @xcr0 may be loaded. @allowed is the set of components both
 * the host CPU supports and the guest's CPUID leaf 0xD reports.
 */
bool policy_xcr0_valid(u64 xcr0, u64 allowed);

/* The CR4 bits whose feature the guest's CPUID reports (SDM Vol. 3A
 * §2.5, §2.6): every other bit is reserved for this guest. */
u64 policy_cr4_allowed(const struct cpu_view *c);

/*
 * MOV to CR4 (SDM Vol. 2B MOV CR, Vol. 3A §4.1.3, §4.10.1): true when
 * @cr4 may replace @old given the guest's EFER and CR3.
 */
bool policy_cr4_valid(const struct cpu_view *c, u64 old, u64 cr4, u64 efer, u64 cr3);

/* MOV to CR0 (SDM Vol. 3A §2.5, §10.8.5): true when @cr0 may be loaded
 * with the guest's CR4 and EFER. */
bool policy_cr0_valid(u64 cr0, u64 cr4, u64 efer);

/* The EFER bits the guest's CPUID reports (SCE, LME/LMA, NXE). */
u64 policy_efer_allowed(const struct cpu_view *c);

/* WRMSR to IA32_EFER (SDM Vol. 3A §2.2.1, §10.8.5; APM Vol. 2 §3.1.7). */
bool policy_efer_valid(const struct cpu_view *c, u64 old, u64 efer, u64 cr0);

/* WRMSR to IA32_PAT: each entry one of the memory types 0, 1, 4, 5, 6,
 * 7 (SDM Vol. 3A §12.12.2). */
bool policy_pat_valid(u64 pat);

/*
 * Speculation control (Intel SDM Vol. 4 Table 2-2 and the CPUID
 * enumeration of IA32_SPEC_CTRL/IA32_PRED_CMD; AMD's 0x80000008 EBX bits):
 * the IA32_SPEC_CTRL bits the guest's CPUID enumerates, IBRS (bit 0) by
 * CPUID.7.0:EDX[26] or 0x80000008:EBX[14], STIBP (bit 1) by 7.0:EDX[27] or
 * EBX[15], SSBD (bit 2) by 7.0:EDX[31] or EBX[24]. 0: the MSR does not
 * exist (#GP). Any other bit set in a write raises #GP.
 */
#define SPEC_CTRL_IBRS (1ULL << 0)
#define SPEC_CTRL_STIBP (1ULL << 1)
#define SPEC_CTRL_SSBD (1ULL << 2)
u64 policy_spec_ctrl_allowed(const struct cpu_view *c);

/* IA32_PRED_CMD (write-only) exists with IBPB (bit 0), enumerated by
 * CPUID.7.0:EDX[26] or 0x80000008:EBX[12]; its other bits are reserved. */
#define PRED_CMD_IBPB (1ULL << 0)
bool policy_pred_cmd_exists(const struct cpu_view *c);

/* Linear-address width: CPUID 0x80000008 EAX[15:8], 48 when 5-level
 * paging is hidden (leaf 7 ECX.LA57), 48 when the leaf says nothing. */
unsigned policy_va_bits(const struct cpu_view *c);

/* Bits 63 down to @bits - 1 all equal (SDM Vol. 1 §3.3.7.1). */
bool policy_canonical(u64 va, unsigned bits);

#endif
