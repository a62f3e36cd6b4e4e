// SPDX-License-Identifier: MIT
/* Host CPU identification and virtualization capabilities (cpuinfo.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "kernel/string.h"

static void read_ident(struct cpuinfo *ci)
{
	struct cpuid_regs r = cpuid(0, 0);
	u32 max_ext = cpuid(0x80000000, 0).eax;

	memcpy(ci->vendor + 0, &r.ebx, 4);
	memcpy(ci->vendor + 4, &r.edx, 4);
	memcpy(ci->vendor + 8, &r.ecx, 4);
	ci->vendor[12] = 0;
	r = cpuid(1, 0);
	ci->family = (r.eax >> 8) & 0xf;
	ci->model = (r.eax >> 4) & 0xf;
	ci->stepping = r.eax & 0xf;
	if (ci->family == 0xf)
		ci->family += (r.eax >> 20) & 0xff;
	if (ci->family >= 6)
		ci->model |= ((r.eax >> 16) & 0xf) << 4;
	ci->x2apic = r.ecx & (1u << 21);
	ci->hypervisor = r.ecx & (1u << 31);
	ci->vmx = r.ecx & (1u << 5);
	ci->brand[0] = 0;
	if (max_ext >= 0x80000004) {
		for (u32 i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(ci->brand + 16 * i, &r, 16);
		}
		ci->brand[48] = 0;
	}
	if (max_ext >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		ci->nx = r.edx & (1u << 20);
		ci->page1g = r.edx & (1u << 26);
		ci->svm = r.ecx & (1u << 2);
	}
	if (max_ext >= 0x80000007)
		ci->invariant_tsc = cpuid(0x80000007, 0).edx & (1u << 8);
}

/* SDM Vol. 3C §23.7 (feature control) and Appendix A.3.2-A.3.3, A.10. */
static void read_vmx(struct cpuinfo *ci)
{
	u64 fc = 0, basic = 0, ctls = 0, ctls2 = 0;

	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc))
		ci->vmx_locked_off = (fc & 1) && !(fc & (1u << 2));
	if (!rdmsr_safe(MSR_IA32_VMX_BASIC, &basic))
		return;
	ci->vmx_true_ctls = basic & (1ULL << 55);
	rdmsr_safe(ci->vmx_true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
		   MSR_IA32_VMX_PROCBASED_CTLS, &ctls);
	ci->vmx_mtf = ctls & (1ULL << (32 + 27));
	if (!(ctls & (1ULL << 63)) || !rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &ctls2))
		return; /* no secondary controls */
	ci->vmx_ept = ctls2 & (1ULL << (32 + 1));
	ci->vmx_vpid = ctls2 & (1ULL << (32 + 5));
	ci->vmx_unrestricted = ctls2 & (1ULL << (32 + 7));
	ci->vmx_apic_regs = ctls2 & (1ULL << (32 + 8));
	ci->vmx_vintr_delivery = ctls2 & (1ULL << (32 + 9));
}

/* APM Vol. 2 §15.4 (VM_CR), CPUID Fn8000_000A. */
static void read_svm(struct cpuinfo *ci)
{
	u64 vmcr = 0;
	struct cpuid_regs r = cpuid(0x8000000a, 0);

	if (rdmsr_safe(MSR_VM_CR, &vmcr)) {
		ci->svm_disabled = vmcr & (1u << 4);
		ci->svm_locked = vmcr & (1u << 3);
	}
	ci->svm_asids = r.ebx;
	ci->svm_npt = r.edx & (1u << 0);
	ci->svm_nrips = r.edx & (1u << 3);
	ci->svm_decode_assists = r.edx & (1u << 7);
	ci->svm_avic = r.edx & (1u << 13);
	ci->svm_vgif = r.edx & (1u << 16);
}

void cpuinfo_read(struct cpuinfo *ci)
{
	memset(ci, 0, sizeof(*ci));
	read_ident(ci);
	if (ci->vmx)
		read_vmx(ci);
	if (ci->svm)
		read_svm(ci);
}
