// SPDX-License-Identifier: MIT
/*
 * CPUID policy: the host's answer, filtered so the guest sees only what the
 * hypervisor virtualizes. The hypervisor bit (leaf 1 ECX[31]) is set and
 * leaves 0x40000000+ name us ("hvhvhvhvhvhv"); leaves 0x15/0x16 give the
 * TSC frequency (on Intel, where guests read them); x2APIC and the
 * TSC-deadline timer are offered (the virtual LAPIC has them); VMX and
 * SVM, MONITOR/MWAIT, MTRRs, machine-check
 * architecture, performance monitoring, power management and 5-level
 * paging are hidden.
 * Leaf numbers and bits: Intel SDM Vol. 2A CPUID, AMD APM Vol. 3 App. E.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "vmm/dev/vlapic.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define HV_LEAF_MAX 0x40000010
#define HV_SIGNATURE 0x76687668 /* "hvhv" */

#define L1_ECX_HIDE ((1u << 3) /* MONITOR */ | (1u << 5) /* VMX */ | \
		     (1u << 6) /* SMX */ | (1u << 7) /* EIST */ | (1u << 8) /* TM2 */ | \
		     (1u << 27) /* OSXSAVE: from the guest's CR4 */)
/* The virtual LAPIC offers x2APIC and the TSC-deadline timer whatever the
 * host has. */
#define L1_ECX_SHOW ((1u << 21) /* x2APIC */ | (1u << 24) /* TSC deadline */)
#define L1_EDX_HIDE ((1u << 7) /* MCE */ | (1u << 12) /* MTRR */ | \
		     (1u << 14) /* MCA */ | (1u << 22) /* ACPI thermal */ | \
		     (1u << 29) /* TM */)
#define CR4_OSXSAVE (1ULL << 18)

static void hv_leaf(u32 leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf == 0x40000000) {
		r->eax = HV_LEAF_MAX;
		r->ebx = r->ecx = r->edx = HV_SIGNATURE;
	} else if (leaf == 0x40000010) {
		r->eax = (u32)tsc_khz(); /* TSC frequency in kHz */
		r->ebx = VLAPIC_BUS_KHZ;  /* local APIC timer clock in kHz */
	}
}

static void leaf1(struct vcpu *v, struct cpuid_regs *r)
{
	r->ecx = (r->ecx & ~L1_ECX_HIDE) | L1_ECX_SHOW | (1u << 31);
	if (vcpu_reg(v, REG_CR4) & CR4_OSXSAVE)
		r->ecx |= 1u << 27;
	r->edx &= ~L1_EDX_HIDE;
	/* APIC ID, logical processors per package */
	r->ebx = (r->ebx & 0xffff) | (v->vm->nvcpus << 16) | (v->id << 24);
	if (v->vm->nvcpus > 1)
		r->edx |= 1u << 28; /* HTT: the count above is valid */
}

/*
 * Leaf 0x15 (TSC/crystal ratio, SDM Vol. 2A CPUID): TSC Hz = ECX * EBX /
 * EAX. The "crystal" is the virtual LAPIC timer clock, so a guest that
 * derives its APIC timer rate from this leaf (Linux does) gets that right
 * too. Guests multiply crystal kHz by EBX in 32 bits (Linux does); that
 * product equals TSC kHz * EAX, so the denominator EAX shrinks with the
 * TSC rate to keep it below 2^32. Leaf 0x16: base frequency in MHz.
 */
static void tsc_leaves(u32 leaf, struct cpuid_regs *r)
{
	u64 khz = tsc_khz();
	u32 den = 1000;

	while (den > 1 && khz * den >= (1ULL << 32))
		den /= 2;
	if (leaf == 0x15)
		*r = (struct cpuid_regs){ den, (u32)((khz * den + VLAPIC_BUS_KHZ / 2) / VLAPIC_BUS_KHZ),
					  VLAPIC_BUS_KHZ * 1000u, 0 };
	else
		*r = (struct cpuid_regs){ (u32)(khz / 1000), (u32)(khz / 1000), 0, 0 };
}

static void filter(struct vcpu *v, u32 leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0:
		if (cpu_is_intel() && r->eax < 0x16)
			r->eax = 0x16; /* offer the TSC leaves */
		break;
	case 0x15: case 0x16:
		tsc_leaves(leaf, r);
		break;
	case 1: leaf1(v, r); break;
	case 4: r->eax &= 0x3fff; break; /* no core/thread sharing info */
	case 5: case 6: case 0xa: /* MONITOR, power, perfmon */
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 7: r->ecx &= ~((1u << 5) | (1u << 16)); break; /* WAITPKG, LA57 */
	case 0xb: case 0x1f: /* topology: one thread per core, our ID */
		*r = (struct cpuid_regs){ 0, 0, 0, v->id };
		break;
	case 0x80000001: r->ecx &= ~(1u << 2); break; /* SVM */
	case 0x80000008: r->ecx &= ~0xffffu; break; /* core count */
	case 0x8000000a: *r = (struct cpuid_regs){ 0, 0, 0, 0 }; break;
	default: break;
	}
}

enum exit_action exit_cpuid(struct vcpu *v, const struct vm_exit *x)
{
	u32 leaf = (u32)v->hw.gprs[GPR_RAX], sub = (u32)v->hw.gprs[GPR_RCX];
	struct cpuid_regs r;

	(void)x;
	if (leaf >= 0x40000000 && leaf < 0x40000100) {
		hv_leaf(leaf, &r);
	} else {
		r = cpuid(leaf, sub);
		filter(v, leaf, &r);
	}
	v->hw.gprs[GPR_RAX] = r.eax;
	v->hw.gprs[GPR_RBX] = r.ebx;
	v->hw.gprs[GPR_RCX] = r.ecx;
	v->hw.gprs[GPR_RDX] = r.edx;
	return EXIT_ADVANCE;
}
