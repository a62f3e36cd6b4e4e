/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID view: the host's answer filtered so that the guest
 * sees exactly what the hypervisor virtualizes. The rule, shared with the
 * MSR policy (vmm/exit_msr.c) and the CR/EFER/XCR0 checks
 * (vmm/cpu_policy.c): a feature CPUID reports works (its MSRs, CR4/EFER
 * bits and XCR0 components are accepted), a feature CPUID hides raises
 * #GP. cpuid_view_filter() is pure (host unit tests call it);
 * cpuid_guest() and cpu_view_of() build the view of a vCPU.
 */
#ifndef VMM_CPUID_VIEW_H
#define VMM_CPUID_VIEW_H

#include "vmm/cpu_policy.h"

/* XCR0 components offered to guests when the host has them: x87, SSE,
 * AVX, AVX-512, PKRU. MPX (its IA32_BNDCFGS is not virtualized) and AMX
 * (needs IA32_XFD) are hidden. */
#define XCR0_OFFERED (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

/* What the filter needs to know of the vCPU and the host. */
struct cpuid_ctx {
	u32 vcpu_id;     /* the APIC ID */
	u32 nvcpus;
	u64 cr4;         /* the guest's CR4 (OSXSAVE, OSPKE follow it) */
	bool intel;      /* host vendor */
	u64 tsc_khz;     /* TSC frequency */
	bool apic_off;   /* the guest cleared IA32_APIC_BASE.EN: the APIC
			    flags (leaf 1 and 0x80000001 EDX[9]) read 0 */
};

/* Replace @r, the host's answer to (@leaf, @sub), by the guest's. */
void cpuid_view_filter(const struct cpuid_ctx *c, u32 leaf, u32 sub, struct cpuid_regs *r);

struct vcpu;

/* The guest's answer to CPUID (@leaf, @sub) on @v (vmm/exit_cpuid.c). */
struct cpuid_regs cpuid_guest(struct vcpu *v, u32 leaf, u32 sub);

/* The leaves of @v's view that cpu_policy.c checks against. */
void cpu_view_of(struct vcpu *v, struct cpu_view *c);

#endif
