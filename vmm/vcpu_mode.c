// SPDX-License-Identifier: MIT
/*
 * The code-segment mode of a vCPU (insn.h: vcpu_code_mode()), from CR0.PE,
 * EFER.LMA and CS.L/D (Intel SDM Vol. 3A §5.2.1, §2.2.1): what the
 * decoder, the MMIO emulator, string I/O and the CR/MSR exits need to
 * read the guest's instruction. On its own so that host tests and fuzz
 * harnesses with their own fake fetch link it without the decoder.
 */
#include "arch/x86/cpu.h"
#include "vmm/insn.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int vcpu_code_mode_cs(struct vcpu *v, const struct segment *cs)
{
	if (!(vcpu_reg(v, REG_CR0) & CR0_PE))
		return 16;
	if ((cs->attr & SEG_ATTR_L) && (vcpu_reg(v, REG_EFER) & EFER_LMA))
		return 64;
	return (cs->attr & SEG_ATTR_DB) ? 32 : 16;
}

int vcpu_code_mode(struct vcpu *v)
{
	struct segment cs;

	vm_ops->get_seg(&v->hw, SEG_CS, &cs);
	return vcpu_code_mode_cs(v, &cs);
}
