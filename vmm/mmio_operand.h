/* SPDX-License-Identifier: MIT */
/*
 * The linear address of the memory operand of a decoded MOV-family
 * instruction (the forms vmm/mmio.c emulates: ModR/M memory operands and
 * moffs), computed from the guest's registers as the CPU does (SDM Vol.
 * 2A §2.1.5 Tables 2-1 to 2-3, §2.2.1.6 RIP-relative addressing; Vol. 1
 * §3.7.5 effective address, §3.4.2.1 default segments). MMIO emulation
 * uses it to see where an access that crosses a page starts: the second-
 * level fault names only the page that faulted.
 */
#ifndef VMM_MMIO_OPERAND_H
#define VMM_MMIO_OPERAND_H

#include "vmm/insn.h"

struct vcpu;

/* The operand's linear address for @in decoded from @buf (@n bytes) in
 * code of @mode bits; false when @in has no memory operand. */
bool mmio_operand_linear(struct vcpu *v, const u8 *buf, unsigned n, int mode,
			 const struct insn *in, u64 *lin);

#endif
