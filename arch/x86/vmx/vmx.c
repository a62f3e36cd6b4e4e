// SPDX-License-Identifier: MIT
/*
 * The Intel VT-x back-end of struct vcpu_ops (Intel SDM Vol. 3C ch. 24-31):
 * turning VMX root operation on for each CPU (§24.7) and the ops table.
 * Each vCPU owns a VMCS with EPT, VPID and unrestricted guest on
 * (vmx_setup.c); registers and events live in the VMCS (vmx_regs.c); the
 * entry stub (vmx_entry.asm) and the exit decode (vmx_exit.c) make run().
 *
 * The capability MSRs are read once, by the first CPU that enables VMX;
 * the other CPUs must report the same, so one set of controls fits every
 * VMCS.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/string.h"

struct vmx_caps vmx_caps;
struct vmx_config vmx_config;

static volatile u32 caps_state; /* 0 none, 1 being written, 2 published */
static bool caps_ok;            /* vmx_config is usable (when published) */
static u64 vmxon_pa[MAX_CPUS];

bool vmx_refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

/* Appendix A.3: the true control MSRs replace the others when offered. */
static void read_caps(struct vmx_caps *c)
{
	bool tru;

	memset(c, 0, sizeof(*c));
	rdmsr_safe(MSR_IA32_VMX_BASIC, &c->basic);
	tru = c->basic & VMX_BASIC_TRUE_CTLS;
	rdmsr_safe(tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS, &c->pin);
	rdmsr_safe(tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS, &c->proc);
	rdmsr_safe(tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS, &c->exit);
	rdmsr_safe(tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS, &c->entry);
	rdmsr_safe(MSR_IA32_VMX_MISC, &c->misc);
	rdmsr_safe(MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0);
	rdmsr_safe(MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1);
	rdmsr_safe(MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0);
	rdmsr_safe(MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1);
	/* These two exist only with secondary controls (Appendix A.3.3). */
	if (c->proc & ((u64)CPU_SECONDARY_CONTROLS << 32)) {
		rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2);
		rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_vpid);
	}
}

/*
 * The first CPU publishes its capabilities and derives the controls; the
 * others wait for that and must match it.
 */
static bool publish_caps(const struct vmx_caps *mine, char *why, size_t len)
{
	u32 none = 0;

	if (__atomic_compare_exchange_n(&caps_state, &none, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		vmx_caps = *mine;
		caps_ok = vmx_config_init(&vmx_caps, why, len);
		__atomic_store_n(&caps_state, 2, __ATOMIC_RELEASE);
		return caps_ok;
	}
	while (__atomic_load_n(&caps_state, __ATOMIC_ACQUIRE) != 2)
		cpu_relax();
	if (!caps_ok)
		return vmx_refuse(why, len, "the VMX controls this hypervisor needs are missing");
	if (memcmp(&vmx_caps, mine, sizeof(*mine)))
		return vmx_refuse(why, len, "VMX capabilities differ from the first CPU's");
	return true;
}

/* §24.7: firmware may have locked VMXON off; if unlocked, allow and lock. */
static bool feature_control_allow(char *why, size_t len)
{
	u64 fc = 0;

	if (!rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc))
		return vmx_refuse(why, len, "IA32_FEATURE_CONTROL cannot be read");
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_VMXON_OUTSIDE_SMX | FEATURE_CONTROL_LOCK;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		return vmx_refuse(why, len, "VMX disabled by firmware (IA32_FEATURE_CONTROL locked)");
	}
	return true;
}

/* §24.8, Appendix A.7-A.8: CR0 and CR4 bits fixed in VMX operation. */
static void apply_fixed_bits(void)
{
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1);
}

/* Appendix A.1: below 4 GiB if IA32_VMX_BASIC bit 48 says so; §25.2:
 * the revision identifier in the first 31 bits. */
u64 vmx_alloc_region(void)
{
	u64 pa = (vmx_caps.basic & VMX_BASIC_32BIT_ADDRESSES) ?
		 pmm_alloc_below(PAGE_SIZE, PAGE_SIZE, 4 * GiB) :
		 pmm_alloc(PAGE_SIZE, PAGE_SIZE);

	if (pa) {
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
		*(u32 *)phys_to_virt(pa) = VMX_BASIC_REVISION(vmx_caps.basic);
	}
	return pa;
}

/* §24.7: VMXON with a region carrying the VMCS revision identifier. */
static bool enter_root(char *why, size_t len)
{
	unsigned cpu = this_cpu()->cpu;

	if (vmxon_pa[cpu])
		return true; /* already in VMX root operation */
	u64 pa = vmx_alloc_region();
	if (!pa)
		return vmx_refuse(why, len, "out of memory");
	apply_fixed_bits();
	if (!vmx_on(pa)) {
		pmm_free(pa, PAGE_SIZE);
		return vmx_refuse(why, len, "VMXON failed");
	}
	vmxon_pa[cpu] = pa;
	return true;
}

static bool vmx_cpu_enable(char *why, size_t len)
{
	struct vmx_caps mine;

	if (!(cpuid(1, 0).ecx & (1u << 5)))
		return vmx_refuse(why, len, "this CPU has no VMX");
	if (!feature_control_allow(why, len))
		return false;
	read_caps(&mine);
	if (!publish_caps(&mine, why, len))
		return false;
	return enter_root(why, len);
}

static void vmx_describe(char *buf, size_t len)
{
	snprintf(buf, len, "ept vpid unrestricted-guest 1g=%s apicv=%s",
		 (vmx_caps.ept_vpid & EPT_CAP_1G) ? "yes" : "no",
		 !vmx_config.vapic ? "no" : vmx_config.apic_regs ? "yes+regs" : "yes");
}

/* EPT 1 GiB leaves (Appendix A.10), with the walk and memory type used. */
static bool vmx_stage2_1g(void)
{
	u64 need = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_1G;
	u64 cap = 0;

	return rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap) && (cap & need) == need;
}

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.stage2_format = &pt_format_ept,
	.stage2_1g = vmx_stage2_1g,
	.cpu_enable = vmx_cpu_enable,
	.describe = vmx_describe,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_load = vmx_vcpu_load,
	.run = vmx_run,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.get_seg = vmx_get_seg,
	.set_seg = vmx_set_seg,
	.inject = vmx_inject,
	.intr_allowed = vmx_intr_allowed,
	.want_intr_window = vmx_want_intr_window,
	.end_intr_shadow = vmx_end_intr_shadow,
	.skip_insn = vmx_skip_insn,
	.code_view = vmx_code_view,
	.single_step_trap = vmx_single_step_trap,
	.stage2_flush = vmx_stage2_flush,
	.set_debug = vmx_set_debug,
	.vapic = vmx_vapic,
};
