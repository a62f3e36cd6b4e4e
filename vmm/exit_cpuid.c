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

#define CR4_OSXSAVE (1ULL << 18)
#define CR4_PKE (1ULL << 22)

static struct cpuid_regs compute(struct vcpu *v, u32 leaf, u32 sub, u64 cr4)
{
	struct cpuid_ctx c = {
		.vcpu_id = v->id,
		.nvcpus = v->vm->nvcpus,
		.cr4 = cr4,
		.intel = cpu_is_intel(),
		.tsc_khz = tsc_khz(),
		.apic_off = !v->lapic.enabled, /* the owner reads its own APIC */
	};
	struct cpuid_regs r = { 0, 0, 0, 0 };

	if (leaf < 0x40000000 || leaf >= 0x40000200)
		r = cpuid(leaf, sub);
	cpuid_view_filter(&c, leaf, sub, &r);
	return r;
}

/*
 * The answers are cached per vCPU: a leaf's answer depends only on the
 * host CPU (fixed for the vCPU), the VM's constants and the guest state
 * in the key (CR4.OSXSAVE and CR4.PKE, IA32_APIC_BASE.EN). Leaf 0xD is
 * never cached: the host's sizes in it follow the XCR0 loaded when it
 * runs (SDM Vol. 2A CPUID, leaf 0DH).
 */
#define CACHE_KEY_VALID (1u << 31)

/* The leaves whose answer follows the guest's state (cpuid_view.c: leaf 1
 * OSXSAVE and the APIC flag, leaf 7 OSPKE, 0x80000001 the APIC flag,
 * 0xD the XCR0 sizes): only these read CR4 and key on it. */
static bool follows_state(u32 leaf)
{
	return leaf == 1 || leaf == 7 || leaf == 0xd || leaf == 0x80000001;
}

static inline u32 cache_slot(u32 leaf, u32 sub)
{
	return (leaf ^ (leaf >> 27) ^ (sub << 2)) % CPUID_CACHE_SIZE;
}

static __attribute__((noinline)) struct cpuid_regs miss(struct vcpu *v, u32 leaf, u32 sub, u64 cr4,
							 u32 key, struct cpuid_cached *e)
{
	if (leaf == 0xd)
		return compute(v, leaf, sub, cr4);
	*e = (struct cpuid_cached){ leaf, sub, key, compute(v, leaf, sub, cr4) };
	return e->r;
}

/* Inline in the CPUID exit: a hit costs a hash and three compares. */
static inline __attribute__((always_inline)) struct cpuid_regs lookup(struct vcpu *v, u32 leaf,
								     u32 sub)
{
	bool state = follows_state(leaf);
	u64 cr4 = state ? vcpu_reg(v, REG_CR4) : 0;
	u32 key = CACHE_KEY_VALID |
		  (state ? (u32)(cr4 & (CR4_OSXSAVE | CR4_PKE)) | !v->lapic.enabled : 0);
	struct cpuid_cached *e = &v->cpuid_cache[cache_slot(leaf, sub)];

	if (e->key == key && e->leaf == leaf && e->sub == sub)
		return e->r;
	return miss(v, leaf, sub, cr4, key, e);
}

struct cpuid_regs cpuid_guest(struct vcpu *v, u32 leaf, u32 sub)
{
	return lookup(v, leaf, sub);
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

static void set_regs(struct vcpu *v, const struct cpuid_regs *r)
{
	v->hw.gprs[GPR_RAX] = r->eax;
	v->hw.gprs[GPR_RBX] = r->ebx;
	v->hw.gprs[GPR_RCX] = r->ecx;
	v->hw.gprs[GPR_RDX] = r->edx;
}

static __attribute__((noinline)) enum exit_action cpuid_looked_up(struct vcpu *v)
{
	struct cpuid_regs r = lookup(v, (u32)v->hw.gprs[GPR_RAX], (u32)v->hw.gprs[GPR_RCX]);

	set_regs(v, &r);
	return EXIT_ADVANCE;
}

/* A leaf that does not follow the guest's state is answered from the
 * cache without a call (no stack frame on the exit path); the others,
 * and misses, by lookup(). */
enum exit_action exit_cpuid(struct vcpu *v, const struct vm_exit *x)
{
	u32 leaf = (u32)v->hw.gprs[GPR_RAX], sub = (u32)v->hw.gprs[GPR_RCX];
	const struct cpuid_cached *e = &v->cpuid_cache[cache_slot(leaf, sub)];

	(void)x;
	if (follows_state(leaf) || e->key != CACHE_KEY_VALID || e->leaf != leaf || e->sub != sub)
		return cpuid_looked_up(v);
	set_regs(v, &e->r);
	return EXIT_ADVANCE;
}
