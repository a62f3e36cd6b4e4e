// SPDX-License-Identifier: MIT
/*
 * The CPUID exit: the host's answer run through the guest's filter
 * (vmm/cpuid_view.c, which holds the policy and its list of hidden
 * features), and the guest view the CR/MSR/XCR0 checks of
 * vmm/cpu_policy.c are made against.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "vmm/cpuid_view.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct cpuid_regs cpuid_guest(struct vcpu *v, u32 leaf, u32 sub)
{
	struct cpuid_ctx c = {
		.vcpu_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.cr4 = vcpu_reg(v, REG_CR4),
		.intel = cpu_is_intel(),
		.tsc_khz = tsc_khz(),
		.apic_off = !v->lapic.enabled, /* the owner reads its own APIC */
	};
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf < 0x40000000 || leaf >= 0x40000100)
		r = cpuid(leaf, sub);
	cpuid_view_filter(&c, leaf, sub, &r);
	return r;
}

void cpu_view_of(struct vcpu *v, struct cpu_view *c)
{
	struct cpuid_regs d = cpuid_guest(v, 0xd, 0);

	c->l1 = cpuid_guest(v, 1, 0);
	c->l7 = cpuid_guest(v, 7, 0);
	c->l80000001 = cpuid_guest(v, 0x80000001, 0);
	c->l80000008 = cpuid_guest(v, 0x80000008, 0);
	c->xcr0 = ((u64)d.edx << 32) | d.eax;
}

enum exit_action exit_cpuid(struct vcpu *v, const struct vm_exit *x)
{
	struct cpuid_regs r = cpuid_guest(v, (u32)v->hw.gprs[GPR_RAX], (u32)v->hw.gprs[GPR_RCX]);

	(void)x;
	v->hw.gprs[GPR_RAX] = r.eax;
	v->hw.gprs[GPR_RBX] = r.ebx;
	v->hw.gprs[GPR_RCX] = r.ecx;
	v->hw.gprs[GPR_RDX] = r.edx;
	return EXIT_ADVANCE;
}
