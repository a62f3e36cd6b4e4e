// SPDX-License-Identifier: MIT
/*
 * The CPUID filter (see cpuid_view.h): the hypervisor bit (leaf 1
 * ECX[31]) is set and leaves 0x40000000+ name us ("hvhvhvhvhvhv", TSC and
 * APIC-timer kHz at 0x40000010); leaves 0x15/0x16 give the TSC frequency
 * (offered on Intel, where guests read them); x2APIC and the TSC-deadline
 * timer are offered (the virtual LAPIC has them); of leaf 0x80000007 only
 * the invariant TSC, as the host has it; the topology is one
 * thread per core; the APIC flag (leaf 1 EDX[9], and its AMD copy in leaf
 * 0x80000001) follows IA32_APIC_BASE.EN as on the CPU (SDM Vol. 3A
 * §11.4.3: with the APIC globally disabled, CPUID reports no APIC). Hidden, each because what it enumerates is not
 * virtualized (its MSRs would #GP, its instructions #UD): VMX/SVM/SMX,
 * MONITOR/MWAIT, machine check (MCE/MCA), MTRRs, the PMU (leaf 0xA is 0,
 * so no IA32_PMCx/PERFEVTSELx), debug store, thermal and power
 * management, SGX, Intel PT, RDT, MPX, CET, PKS, UINTR, Key Locker,
 * WAITPKG, LA57, AMX, XSAVES (no IA32_XSS), FLUSH_CMD, ARCH_CAPABILITIES,
 * CORE_CAPABILITIES, the IA32_SPEC_CTRL bits past SSBD and AMD's
 * VIRT_SPEC_CTRL, IBS, LWP, OSVW, extended perf counters and SEV. The
 * table below is the whole list; README.md documents it. Speculation
 * control is offered as the host has it: IBRS, STIBP, SSBD (IA32_SPEC_CTRL,
 * kept per vCPU) and IBPB (IA32_PRED_CMD), on both vendors' leaves, so
 * that a guest OS applies its own mitigations (vmm/exit_msr.c).
 * Leaf numbers and bits: Intel SDM Vol. 2A CPUID, AMD APM Vol. 3 App. E.
 */
#include "vmm/cpuid_view.h"
#include "vmm/dev/vlapic.h"
#include "vmm/pvclock.h"

#define HV_LEAF_MAX 0x40000010
#define HV_SIGNATURE 0x76687668 /* "hvhv" */
#define ANY_SUB 0xffffffffu
#define B(n) (1u << (n))

#define CR4_OSXSAVE (1ULL << 18)
#define CR4_PKE (1ULL << 22)

struct cpuid_hide {
	u32 leaf, sub;
	u32 hide[4]; /* EAX, EBX, ECX, EDX bits cleared */
};

static const struct cpuid_hide hidden[] = {
	{ 1, ANY_SUB, { 0, 0,
	  B(2) /* DTES64 */ | B(3) /* MONITOR */ | B(4) /* DS-CPL */ | B(5) /* VMX */ |
	  B(6) /* SMX */ | B(7) /* EIST */ | B(8) /* TM2 */ | B(11) /* SDBG */ |
	  B(14) /* xTPR */ | B(15) /* PDCM */ | B(18) /* DCA */ | B(27) /* OSXSAVE */,
	  B(7) /* MCE */ | B(12) /* MTRR */ | B(14) /* MCA */ | B(18) /* PSN */ |
	  B(21) /* DS */ | B(22) /* ACPI thermal */ | B(29) /* TM */ | B(31) /* PBE */ } },
	{ 7, 0, { 0,
	  B(1) /* TSC_ADJUST */ | B(2) /* SGX */ | B(12) /* RDT-M */ | B(14) /* MPX */ |
	  B(15) /* RDT-A */ | B(25) /* Intel PT */,
	  B(4) /* OSPKE */ | B(5) /* WAITPKG */ | B(7) /* CET_SS */ | B(13) /* TME */ |
	  B(16) /* LA57 */ | B(23) /* Key Locker */ | B(29) /* ENQCMD */ |
	  B(30) /* SGX_LC */ | B(31) /* PKS */,
	  B(5) /* UINTR */ | B(9) /* SRBDS_CTRL */ | B(13) /* TSX_FORCE_ABORT */ |
	  B(18) /* PCONFIG */ | B(19) /* arch LBR */ | B(20) /* CET_IBT */ |
	  B(22) /* AMX-BF16 */ | B(24) /* AMX-TILE */ | B(25) /* AMX-INT8 */ |
	  B(28) /* FLUSH_CMD */ | B(29) /* ARCH_CAPABILITIES */ |
	  B(30) /* CORE_CAPABILITIES */ } },
	{ 7, 1, { B(22) /* HRESET */ | B(26) /* LAM */, 0, 0, 0 } },
	/* SPEC_CTRL bits beyond IBRS/STIBP/SSBD: PSFD, IPRED_DIS, RRSBA_DIS,
	 * DDPD_U, BHI_DIS_S */
	{ 7, 2, { 0, 0, 0, B(0) | B(1) | B(2) | B(3) | B(4) } },
	{ 0xd, 1, { B(3) /* XSAVES: no IA32_XSS */ | B(4) /* XFD */, 0, ~0u, ~0u } },
	{ 0x80000001, ANY_SUB, { 0, 0,
	  B(2) /* SVM */ | B(9) /* OSVW */ | B(10) /* IBS */ | B(12) /* SKINIT */ |
	  B(13) /* WDT */ | B(15) /* LWP */ | B(17) /* TCE */ | B(23) /* PerfCtrExtCore */ |
	  B(24) /* PerfCtrExtNB */ | B(26) /* DataBkptExt */ | B(28) /* PerfCtrExtLLC */ |
	  B(29) /* MONITORX */,
	  B(7) /* MCE */ | B(12) /* MTRR */ | B(14) /* MCA */ | B(25) /* FFXSR */ } },
	{ 0x80000021, ANY_SUB, { B(8) /* AutomaticIBRS: EFER.AIBRSE */, 0, 0, 0 } },
	{ 0x80000008, ANY_SUB, { 0,
	  B(25) /* VIRT_SSBD */ | B(28) /* PSFD */, 0xffff /* core count */, 0 } },
};

/* Leaves that read all zero: MONITOR, power, perfmon, RDT, SGX, PT, Key
 * Locker, PCONFIG, AMX, SVM, SEV. */
static const u32 zeroed[] = { 0x5, 0x6, 0xa, 0xf, 0x10, 0x12, 0x14, 0x19, 0x1b,
			      0x1d, 0x1e, 0x8000000a, 0x8000001f };

static void hv_leaf(const struct cpuid_ctx *c, u32 leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (leaf == 0x40000000) {
		r->eax = HV_LEAF_MAX;
		r->ebx = r->ecx = r->edx = HV_SIGNATURE;
	} else if (leaf == 0x40000010) {
		r->eax = (u32)c->tsc_khz; /* TSC frequency in kHz */
		r->ebx = VLAPIC_BUS_KHZ;      /* local APIC timer clock in kHz */
	} else if (leaf == PVCLOCK_CPUID_BASE) { /* the kvm-clock interface */
		r->eax = PVCLOCK_CPUID_FEATURES;
		r->ebx = 0x4b4d564b; /* "KVMKVMKVM\0\0\0" */
		r->ecx = 0x564b4d56;
		r->edx = 0x4d;
	} else if (leaf == PVCLOCK_CPUID_FEATURES) {
		r->eax = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE_BIT |
			 VLAPIC_PV_EOI_FEATURE;
	}
}

static void leaf1(const struct cpuid_ctx *c, struct cpuid_regs *r)
{
	r->ecx |= B(21) /* x2APIC */ | B(24) /* TSC deadline */ | B(31) /* hypervisor */;
	if (c->cr4 & CR4_OSXSAVE)
		r->ecx |= B(27);
	/* APIC ID, logical processors per package */
	r->ebx = (r->ebx & 0xffff) | (c->nvcpus << 16) | (c->vcpu_id << 24);
	if (c->nvcpus > 1)
		r->edx |= B(28); /* HTT: the count above is valid */
	if (c->apic_off)
		r->edx &= ~B(9);
}

/*
 * Leaf 0x15 (TSC/crystal ratio, SDM Vol. 2A CPUID): TSC Hz = ECX * EBX /
 * EAX. The "crystal" is the virtual LAPIC timer clock, so a guest that
 * derives its APIC timer rate from this leaf (Linux does) gets that right
 * too. Guests multiply crystal kHz by EBX in 32 bits (Linux does); that
 * product equals TSC kHz * EAX, so the denominator EAX shrinks with the
 * TSC rate to keep it below 2^32. Leaf 0x16: base frequency in MHz,
 * rounded to the nearest (Linux takes its cpu_khz from it: a 49.998 MHz
 * TSC truncated to 49 MHz read as 2% off).
 */
static void tsc_leaves(u64 khz, u32 leaf, struct cpuid_regs *r)
{
	u32 den = 1000;

	while (den > 1 && khz * den >= (1ULL << 32))
		den /= 2;
	if (leaf == 0x15)
		*r = (struct cpuid_regs){ den, (u32)((khz * den + VLAPIC_BUS_KHZ / 2) / VLAPIC_BUS_KHZ),
					  VLAPIC_BUS_KHZ * 1000u, 0 };
	else
		*r = (struct cpuid_regs){ (u32)((khz + 500) / 1000), (u32)((khz + 500) / 1000), 0, 0 };
}

/*
 * Leaf 0x80000007 (AMD APM Vol. 3 App. E.4.6 "Advanced Power Management";
 * Intel SDM Vol. 2A CPUID): of its bits only EDX[8], the invariant TSC,
 * is offered, as the host has it: the guest's TSC is the host's with no
 * offset and no scaling on every vCPU, so it runs at a constant rate and
 * in step across vCPUs exactly when the host's does. Linux reads it as
 * CONSTANT_TSC + NONSTOP_TSC on AMD and then keeps the TSC as its SMP
 * clocksource (without it an AMD guest with more than one vCPU marks the
 * TSC unstable and reads the PM timer port for every clock read). The
 * rest (P-state, boost, power reporting, RAS capabilities) is power
 * management and machine check, which are not virtualized.
 */
static void power_leaf(struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, r->edx & B(8) };
}

/* Leaf 0xD (SDM Vol. 1 §13.2): only the offered XCR0 components, no
 * supervisor (IA32_XSS) components. */
static void xsave_leaf(u32 sub, struct cpuid_regs *r)
{
	if (sub == 0) {
		r->eax &= (u32)XCR0_OFFERED;
		r->edx &= (u32)(XCR0_OFFERED >> 32);
	} else if (sub >= 2 && (sub >= 64 || !((XCR0_OFFERED >> sub) & 1))) {
		*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

static void apply_hidden(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	for (unsigned i = 0; i < ARRAY_SIZE(hidden); i++) {
		const struct cpuid_hide *h = &hidden[i];

		if (h->leaf != leaf || (h->sub != ANY_SUB && h->sub != sub))
			continue;
		r->eax &= ~h->hide[0];
		r->ebx &= ~h->hide[1];
		r->ecx &= ~h->hide[2];
		r->edx &= ~h->hide[3];
	}
	for (unsigned i = 0; i < ARRAY_SIZE(zeroed); i++)
		if (zeroed[i] == leaf)
			*r = (struct cpuid_regs){ 0, 0, 0, 0 };
}

void cpuid_view_filter(const struct cpuid_ctx *c, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	if (leaf >= 0x40000000 && leaf < 0x40000200) {
		hv_leaf(c, leaf, r);
		return;
	}
	apply_hidden(leaf, sub, r);
	switch (leaf) {
	case 0:
		if (c->intel && r->eax < 0x16)
			r->eax = 0x16; /* offer the TSC leaves */
		break;
	case 0x15: case 0x16: tsc_leaves(c->tsc_khz, leaf, r); break;
	case 1: leaf1(c, r); break;
	case 4: r->eax &= 0x3fff; break; /* no core/thread sharing info */
	case 7:
		if (sub == 0 && (r->ecx & B(3)) && (c->cr4 & CR4_PKE))
			r->ecx |= B(4); /* OSPKE follows the guest's CR4 */
		break;
	case 0xb: case 0x1f: /* topology: one thread per core, our ID */
		*r = (struct cpuid_regs){ 0, 0, 0, c->vcpu_id };
		break;
	case 0xd: xsave_leaf(sub, r); break;
	case 0x80000007: power_leaf(r); break;
	case 0x80000001:
		if (c->apic_off)
			r->edx &= ~B(9); /* AMD's copy of the APIC flag */
		break;
	default: break;
	}
}
