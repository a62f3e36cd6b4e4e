// SPDX-License-Identifier: MIT
/*
 * MSR policy: an allowlist. Every MSR access exits; the ones below are
 * emulated or switched through the back-end, every other one raises #GP(0)
 * in the guest as on a CPU without that MSR (and is counted). The rule is
 * the CPUID view's (vmm/cpuid_view.c): an MSR whose feature CPUID reports
 * works, one whose feature CPUID hides #GPs; CPUID hides every feature
 * whose MSRs are not in this table (MTRRs, MCA, the PMU: leaf 0xA is 0, so
 * IA32_PMCx/PERFEVTSELx/PERF_GLOBAL_* #GP, as does RDPMC on Intel;
 * FLUSH_CMD, ARCH_CAPABILITIES, IA32_XSS, UMWAIT_CONTROL, BNDCFGS, PKRS,
 * TSC_ADJUST...). Two
 * exceptions without a CPUID bit, as KVM does: AMD's legacy performance
 * counters read 0 and ignore writes (guests program them unconditionally;
 * RDPMC 0-3 reads them, vmm/exit.c), and IA32_MISC_ENABLE is offered on
 * both vendors. A value written is
 * checked as the CPU checks it (reserved bits, canonical addresses, PAT
 * memory types: vmm/cpu_policy.c) so that the VM entry never fails on it,
 * and a guest value that reaches a real MSR goes through wrmsr_safe.
 * Numbers from the Intel SDM Vol. 4 and AMD APM Vol. 2 App. A.
 */
#include "arch/x86/cpu.h"
#include "kernel/log.h"
#include "vmm/cpuid_view.h"
#include "vmm/exit.h"
#include "vmm/pvclock.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define VEC_GP 13

struct msr_rule {
	u32 msr;
	enum vcpu_reg reg; /* when backed by a back-end register */
	bool (*read)(struct vcpu *v, u64 *val);
	bool (*write)(struct vcpu *v, u64 val);
};

static bool tsc_read(struct vcpu *v, u64 *val) { (void)v; *val = rdtsc(); return true; }
static bool ignore_write(struct vcpu *v, u64 val) { (void)v, (void)val; return true; }
static bool zero_read(struct vcpu *v, u64 *val) { (void)v; *val = 0; return true; }

/*
 * IA32_MISC_ENABLE (SDM Vol. 4 Table 2-2): fast strings (bit 0) is the
 * guest's to change; "BTS unavailable" and "PEBS unavailable" (bits 11,
 * 12) read 1 (no debug store) and are read-only, so writes to them are
 * ignored; every other bit reads 0 (no thermal control, EIST, MONITOR,
 * xTPR, CPUID limit, XD disable: their features are hidden or their
 * disabling is not offered) and writing 1 to it raises #GP, as for a
 * reserved bit.
 */
#define MISC_FAST_STRINGS (1ULL << 0)
#define MISC_READ_ONLY ((1ULL << 11) | (1ULL << 12))

static bool misc_enable_read(struct vcpu *v, u64 *val)
{
	*val = MISC_READ_ONLY | (v->fast_strings_off ? 0 : MISC_FAST_STRINGS);
	return true;
}

static bool misc_enable_write(struct vcpu *v, u64 val)
{
	if (val & ~(MISC_FAST_STRINGS | MISC_READ_ONLY))
		return false;
	v->fast_strings_off = !(val & MISC_FAST_STRINGS);
	return true;
}

/* IA32_APIC_BASE: the mode transitions live with the APIC (vlapic.c). */
static bool apic_base_read(struct vcpu *v, u64 *val)
{
	*val = vlapic_base_read(&v->lapic, v->id == 0);
	return true;
}

static bool apic_base_write(struct vcpu *v, u64 val)
{
	return vlapic_base_write(&v->lapic, val, v->id == 0);
}

static bool tsc_deadline_read(struct vcpu *v, u64 *val)
{
	return vlapic_tsc_deadline_read(&v->lapic, val);
}

/* The write marks the local APIC changed, so the pass before the next
 * entry polls its timer; it also asks vCPU 0 to poll the device models
 * (dev_poll), as it always did: dropping that (280 instructions of a
 * WRMSR on vCPU 0) was followed by one Linux boot under OVMF stalling
 * with every vCPU idle (session 12's notes), so it stays until that is
 * understood. */
static bool tsc_deadline_write(struct vcpu *v, u64 val)
{
	bool ok = vlapic_tsc_deadline_write(&v->lapic, val);

	v->dev_poll = true;
	return ok;
}

static bool pv_eoi_read(struct vcpu *v, u64 *val)
{
	*val = vlapic_pv_eoi_read(&v->lapic);
	return true;
}

/* IA32_FEATURE_CONTROL: locked with VMX off (Intel hosts only). */
static bool feature_control_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = 1;
	return cpuid(1, 0).ecx & (1u << 5);
}

/* EFER: the bits the guest's CPUID offers, LME fixed while paging is
 * on; LMA is the CPU's (the write's LMA bit is ignored). */
static bool efer_write(struct vcpu *v, u64 val)
{
	u64 old = vcpu_reg(v, REG_EFER);
	struct cpu_view c;

	cpu_view_of(v, &c);
	if (!policy_efer_valid(&c, old, val, vcpu_reg(v, REG_CR0)))
		return false;
	vcpu_set_reg(v, REG_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
	return true;
}

/* IA32_FMASK bits 63:32 are reserved (SDM Vol. 4 Table 2-2). */
static bool sfmask_write(struct vcpu *v, u64 val)
{
	if (val >> 32)
		return false;
	vcpu_set_reg(v, REG_SFMASK, val);
	return true;
}

static bool pat_write(struct vcpu *v, u64 val)
{
	if (!policy_pat_valid(val))
		return false;
	vcpu_set_reg(v, REG_PAT, val);
	return true;
}

/*
 * WRMSR of a linear address (FS/GS/KERNEL_GS base, LSTAR, CSTAR,
 * SYSENTER_EIP/ESP) raises #GP when it is not canonical for the guest's
 * address width (SDM Vol. 2B WRMSR, Vol. 4 §2.1).
 */
static bool guest_canonical(struct vcpu *v, u64 va)
{
	struct cpu_view c = {
		.l7 = cpuid_guest(v, 7, 0),
		.l80000008 = cpuid_guest(v, 0x80000008, 0),
	};

	return policy_canonical(va, policy_va_bits(&c));
}

static bool address_write(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	if (!guest_canonical(v, val))
		return false;
	vcpu_set_reg(v, r, val);
	return true;
}

static bool lstar_write(struct vcpu *v, u64 val) { return address_write(v, REG_LSTAR, val); }
static bool cstar_write(struct vcpu *v, u64 val) { return address_write(v, REG_CSTAR, val); }
static bool kgs_write(struct vcpu *v, u64 val) { return address_write(v, REG_KERNEL_GS_BASE, val); }
static bool sysenter_esp_write(struct vcpu *v, u64 val)
{
	return address_write(v, REG_SYSENTER_ESP, val);
}
static bool sysenter_eip_write(struct vcpu *v, u64 val)
{
	return address_write(v, REG_SYSENTER_EIP, val);
}

static bool seg_base_read(struct vcpu *v, enum vcpu_seg s, u64 *val)
{
	struct segment seg;

	vm_ops->get_seg(&v->hw, s, &seg);
	*val = seg.base;
	return true;
}

static bool seg_base_write(struct vcpu *v, enum vcpu_seg s, u64 val)
{
	struct segment seg;

	if (!guest_canonical(v, val))
		return false;
	vm_ops->get_seg(&v->hw, s, &seg);
	seg.base = val;
	vm_ops->set_seg(&v->hw, s, &seg);
	return true;
}

static bool fs_read(struct vcpu *v, u64 *val) { return seg_base_read(v, SEG_FS, val); }
static bool gs_read(struct vcpu *v, u64 *val) { return seg_base_read(v, SEG_GS, val); }
static bool fs_write(struct vcpu *v, u64 val) { return seg_base_write(v, SEG_FS, val); }
static bool gs_write(struct vcpu *v, u64 val) { return seg_base_write(v, SEG_GS, val); }

/*
 * TSC_AUX (what RDTSCP and RDPID return): the vCPU owns its physical CPU
 * and the hypervisor never reads it, so the guest's value lives in the
 * real MSR. It exists when CPUID offers RDTSCP or RDPID.
 */
static bool tsc_aux_exists(struct vcpu *v)
{
	return (cpuid_guest(v, 0x80000001, 0).edx & (1u << 27)) ||
	       (cpuid_guest(v, 7, 0).ecx & (1u << 22));
}

static bool tsc_aux_read(struct vcpu *v, u64 *val)
{
	if (!tsc_aux_exists(v))
		return false;
	*val = rdmsr(MSR_TSC_AUX);
	return true;
}

static bool tsc_aux_write(struct vcpu *v, u64 val)
{
	return tsc_aux_exists(v) && !(val >> 32) && wrmsr_safe(MSR_TSC_AUX, val);
}

/* AMD's interrupt-pending message register (C1E control, MSR
 * 0xC0010055): Linux reads it without a fault handler on CPU families
 * with the E400 erratum. The virtual CPU has no C1E: it reads 0. */
static bool amd_only_zero_read(struct vcpu *v, u64 *val)
{
	(void)v;
	*val = 0;
	return cpu_is_amd();
}

static bool amd_only_ignore_write(struct vcpu *v, u64 val)
{
	(void)v, (void)val;
	return cpu_is_amd();
}

/*
 * IA32_SPEC_CTRL (0x48): the bits the guest's CPUID enumerates
 * (policy_spec_ctrl_allowed), others #GP. The vCPU owns its physical CPU
 * and the hypervisor sets no speculation control of its own, so the
 * guest's value lives in the real MSR too (it also protects the exit
 * path), written through wrmsr_safe; v->spec_ctrl is what the guest reads.
 * IA32_PRED_CMD (0x49): write-only, IBPB goes to the real MSR.
 */
#define MSR_SPEC_CTRL 0x48
#define MSR_PRED_CMD 0x49

static u64 spec_ctrl_allowed(struct vcpu *v)
{
	struct cpu_view c = {
		.l7 = cpuid_guest(v, 7, 0),
		.l80000008 = cpuid_guest(v, 0x80000008, 0),
	};

	return policy_spec_ctrl_allowed(&c);
}

static bool spec_ctrl_read(struct vcpu *v, u64 *val)
{
	*val = v->spec_ctrl;
	return spec_ctrl_allowed(v) != 0;
}

static bool spec_ctrl_write(struct vcpu *v, u64 val)
{
	u64 allowed = spec_ctrl_allowed(v);

	if (!allowed || (val & ~allowed) || !wrmsr_safe(MSR_SPEC_CTRL, val))
		return false;
	v->spec_ctrl = val;
	return true;
}

static bool pred_cmd_read(struct vcpu *v, u64 *val)
{
	(void)v, (void)val;
	return false; /* write-only */
}

static bool pred_cmd_write(struct vcpu *v, u64 val)
{
	struct cpu_view c = {
		.l7 = cpuid_guest(v, 7, 0),
		.l80000008 = cpuid_guest(v, 0x80000008, 0),
	};

	if (!policy_pred_cmd_exists(&c) || (val & ~PRED_CMD_IBPB))
		return false;
	return !val || wrmsr_safe(MSR_PRED_CMD, val);
}

static bool kvm_system_time_read(struct vcpu *v, u64 *val) { *val = v->pvclock_msr; return true; }
static bool kvm_wall_clock_read(struct vcpu *v, u64 *val) { *val = v->pvclock_wall_msr; return true; }

void exit_msr_power_on(struct vcpu *v)
{
	v->pvclock_msr = v->pvclock_wall_msr = 0;
	if (v->spec_ctrl)
		wrmsr_safe(MSR_SPEC_CTRL, 0); /* it took the guest's value */
	v->spec_ctrl = 0;
}

#define REG_NONE NR_REGS

static const struct msr_rule rules[] = {
	{ 0x10, REG_NONE, tsc_read, ignore_write },              /* TSC */
	{ 0x1b, REG_NONE, apic_base_read, apic_base_write },     /* APIC_BASE */
	{ 0x6e0, REG_NONE, tsc_deadline_read, tsc_deadline_write }, /* TSC_DEADLINE */
	{ 0x3a, REG_NONE, feature_control_read, NULL },          /* FEATURE_CONTROL */
	{ 0x8b, REG_NONE, zero_read, ignore_write },             /* BIOS_SIGN_ID */
	{ MSR_SPEC_CTRL, REG_NONE, spec_ctrl_read, spec_ctrl_write },
	{ MSR_PRED_CMD, REG_NONE, pred_cmd_read, pred_cmd_write },
	{ 0x174, REG_SYSENTER_CS, NULL, NULL },
	{ 0x175, REG_SYSENTER_ESP, NULL, sysenter_esp_write },
	{ 0x176, REG_SYSENTER_EIP, NULL, sysenter_eip_write },
	{ 0x1a0, REG_NONE, misc_enable_read, misc_enable_write }, /* MISC_ENABLE */
	{ 0x277, REG_PAT, NULL, pat_write },
	{ 0xc0000080, REG_EFER, NULL, efer_write },
	{ 0xc0000081, REG_STAR, NULL, NULL },
	{ 0xc0000082, REG_LSTAR, NULL, lstar_write },
	{ 0xc0000083, REG_CSTAR, NULL, cstar_write },
	{ 0xc0000084, REG_SFMASK, NULL, sfmask_write },
	{ 0xc0000100, REG_NONE, fs_read, fs_write },
	{ 0xc0000101, REG_NONE, gs_read, gs_write },
	{ 0xc0000102, REG_KERNEL_GS_BASE, NULL, kgs_write },
	{ MSR_TSC_AUX, REG_NONE, tsc_aux_read, tsc_aux_write },
	{ 0xc0010055, REG_NONE, amd_only_zero_read, amd_only_ignore_write },
	{ MSR_KVM_WALL_CLOCK_NEW, REG_NONE, kvm_wall_clock_read, pvclock_wall_clock_write },
	{ MSR_KVM_SYSTEM_TIME_NEW, REG_NONE, kvm_system_time_read, pvclock_system_time_write },
	{ VLAPIC_MSR_PV_EOI, REG_NONE, pv_eoi_read, vlapic_pv_eoi_write },
};

/* AMD's legacy PERF_CTL0-3 (0xC0010000-3) and PERF_CTR0-3 (0xC0010004-7),
 * APM Vol. 2 §13.2: no CPUID bit announces them, so guests program them
 * unconditionally; without a virtual PMU they read 0 and ignore writes. */
static const struct msr_rule amd_perf_rule = {
	0xc0010000, REG_NONE, amd_only_zero_read, amd_only_ignore_write
};

static const struct msr_rule *find_rule(u32 msr)
{
	if (msr >= 0xc0010000 && msr <= 0xc0010007)
		return &amd_perf_rule;
	for (unsigned i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].msr == msr)
			return &rules[i];
	return NULL;
}

/* The first few refusals of each vCPU are logged: they explain a guest
 * that then stops with a fault. */
static enum exit_action refuse(struct vcpu *v, const struct vm_exit *x, bool write)
{
	if (v->msr_refused++ < 8)
		printk(LOG_DEBUG, "guest %s vcpu %u: %s of MSR 0x%x refused (#GP)",
		       v->vm->name, v->id, write ? "wrmsr" : "rdmsr", x->msr.index);
	vcpu_inject_exception(v, VEC_GP, true, 0);
	return EXIT_RESUME;
}

/* The x2APIC register block (vmm/dev/vlapic.c). */
static bool is_x2apic_msr(u32 msr)
{
	return msr >= 0x800 && msr <= 0x8ff;
}

enum exit_action exit_msr_read(struct vcpu *v, const struct vm_exit *x)
{
	const struct msr_rule *r = find_rule(x->msr.index);
	u64 val;

	if (is_x2apic_msr(x->msr.index)) {
		if (!vlapic_msr_read(v, x->msr.index, &val))
			return refuse(v, x, false);
		goto done;
	}
	if (!r)
		return refuse(v, x, false);
	if (r->read) {
		if (!r->read(v, &val))
			return refuse(v, x, false);
	} else {
		val = vcpu_reg(v, r->reg);
	}
done:
	v->hw.gprs[GPR_RAX] = (u32)val;
	v->hw.gprs[GPR_RDX] = val >> 32;
	return EXIT_ADVANCE;
}

enum exit_action exit_msr_write(struct vcpu *v, const struct vm_exit *x)
{
	const struct msr_rule *r = find_rule(x->msr.index);
	u64 val = (v->hw.gprs[GPR_RDX] << 32) | (u32)v->hw.gprs[GPR_RAX];

	if (is_x2apic_msr(x->msr.index))
		return vlapic_msr_write(v, x->msr.index, val) ? EXIT_ADVANCE : refuse(v, x, true);
	if (!r || (r->write && !r->write(v, val)) || (!r->write && r->reg == REG_NONE))
		return refuse(v, x, true);
	if (!r->write)
		vcpu_set_reg(v, r->reg, val);
	return EXIT_ADVANCE;
}
