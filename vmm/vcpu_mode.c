// SPDX-License-Identifier: MIT
/*
 * The code-segment mode of a vCPU (insn.h: vcpu_code_mode()), from CR0.PE,
 * EFER.LMA and CS.L/D (Intel SDM Vol. 3A §5.2.1, §2.2.1): what the
 * decoder, the MMIO emulator, string I/O and the CR/MSR exits need to
 * read the guest's instruction. On its own so that host tests and fuzz
 * harnesses with their own fake fetch link it without the decoder.
 */
#include "arch/x86/cpu.h"
#include "vmm/code_fetch.h"
#include "vmm/insn.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int vcpu_code_mode_view(const struct vcpu_code_view *cv)
{
	if (!(cv->cr0 & CR0_PE))
		return 16;
	if ((cv->cs_attr & SEG_ATTR_L) && (cv->efer & EFER_LMA))
		return 64;
	return (cv->cs_attr & SEG_ATTR_DB) ? 32 : 16;
}

/* A back-end without code_view (the unit tests' fakes). */
void vcpu_code_view_by_regs(struct vcpu *v, struct vcpu_code_view *cv)
{
	struct segment cs;

	vm_ops->get_seg(&v->hw, SEG_CS, &cs);
	cv->rip = vcpu_reg(v, REG_RIP);
	cv->cs_base = cs.base;
	cv->cs_attr = cs.attr;
	cv->cr0 = vcpu_reg(v, REG_CR0);
	cv->cr3 = vcpu_reg(v, REG_CR3);
	cv->cr4 = vcpu_reg(v, REG_CR4);
	cv->efer = vcpu_reg(v, REG_EFER);
}

int vcpu_code_mode(struct vcpu *v)
{
	struct vcpu_code_view cv;

	vcpu_code_view(v, &cv);
	return vcpu_code_mode_view(&cv);
}
