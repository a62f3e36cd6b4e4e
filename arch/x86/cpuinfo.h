/* SPDX-License-Identifier: MIT */
/*
 * What the host CPU offers, read once on the BSP from CPUID and the
 * virtualization capability MSRs: vendor and model, and VMX (Intel SDM Vol.
 * 3C §24.6, Appendix A) or SVM (AMD APM Vol. 2 §15.4, CPUID Fn8000_000A)
 * with the features the hypervisor cares about, including whether firmware
 * locked virtualization off.
 */
#ifndef ARCH_X86_CPUINFO_H
#define ARCH_X86_CPUINFO_H

#include "kernel/types.h"

struct cpuinfo {
	char vendor[13];
	char brand[49];
	u32 family, model, stepping;
	bool x2apic, nx, page1g, invariant_tsc, hypervisor;

	bool vmx;             /* CPUID.1:ECX.VMX */
	bool vmx_locked_off;  /* IA32_FEATURE_CONTROL locked without VMXON */
	bool vmx_ept, vmx_vpid, vmx_unrestricted, vmx_true_ctls;
	bool vmx_mtf;            /* monitor trap flag (primary control 27) */
	bool vmx_apic_regs;      /* APIC-register virtualization */
	bool vmx_vintr_delivery; /* virtual-interrupt delivery */

	bool svm;             /* CPUID.80000001h:ECX.SVM */
	bool svm_disabled;    /* VM_CR.SVMDIS set */
	bool svm_locked;      /* VM_CR.LOCK set (SVMDIS cannot be cleared) */
	bool svm_npt, svm_nrips, svm_decode_assists, svm_vgif, svm_avic;
	u32 svm_asids;
};

void cpuinfo_read(struct cpuinfo *ci);

#endif
