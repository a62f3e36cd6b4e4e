/* SPDX-License-Identifier: MIT */
/*
 * The guest's code at CS:RIP, where the exit path reads it: the vCPU's
 * view of RIP, CS and the paging registers, and the pages it fetched
 * from (vcpu.h struct code_tlb, filled by insn.c). Inline: every exit
 * without a hardware instruction length (SVM without nrip-save) reads its
 * instruction, and every MMIO exit checks the instruction it decoded last.
 */
#ifndef VMM_CODE_FETCH_H
#define VMM_CODE_FETCH_H

#include "arch/x86/virt.h"
#include "kernel/types.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* @v's RIP, CS and paging registers (vm_ops->code_view, or one by one:
 * vcpu_mode.c, for back-ends without it). */
void vcpu_code_view_by_regs(struct vcpu *v, struct vcpu_code_view *cv);

static inline void vcpu_code_view(struct vcpu *v, struct vcpu_code_view *cv)
{
	if (vm_ops->code_view)
		vm_ops->code_view(&v->hw, cv);
	else
		vcpu_code_view_by_regs(v, cv);
}

/* The entry for CS:RIP's page: by RIP's page number (a CS base, in
 * legacy modes, only makes the entry's own check fail). */
static inline struct code_tlb *code_tlb_entry(struct vcpu *v, const struct vcpu_code_view *cv)
{
	return &v->code_tlb[(cv->rip >> PAGE_SHIFT) & (CODE_TLB_SIZE - 1)];
}

/*
 * The @len bytes at CS:RIP (@cv) in the page of entry @t, when CS,
 * the paging registers and the guest's table entries are those it was
 * made under and they lie in that page; else NULL.
 */
static inline const u8 *code_tlb_hit(const struct code_tlb *t, const struct vcpu_code_view *cv,
				     unsigned len, int *mode)
{
	u64 lin, off;

	if (!t->host || cv->cs_attr != t->cs_attr || cv->cs_base != t->cs_base ||
	    !gwalk_memo_holds(&t->tr, cv))
		return NULL;
	lin = (t->mode == 64 ? 0 : cv->cs_base) + cv->rip; /* no CS base in 64-bit code */
	off = lin & (PAGE_SIZE - 1);
	if (lin - off != t->lin_page || off + len > PAGE_SIZE)
		return NULL;
	*mode = t->mode;
	return t->host + off;
}

/* The miss: the page walked to and remembered in its entry (insn.c). */
const u8 *vcpu_code_bytes_miss(struct vcpu *v, const struct vcpu_code_view *cv, unsigned len,
			       int *mode);

/*
 * The @len bytes at CS:RIP in place, when they lie in one page of guest
 * RAM (NULL otherwise: vcpu_fetch_code reads across pages and says how
 * far it got); *@mode gets the code-segment mode (16, 32 or 64). The
 * guest may be writing them: read each byte once.
 */
static inline __attribute__((always_inline)) const u8 *
vcpu_code_bytes_view(struct vcpu *v, const struct vcpu_code_view *cv, unsigned len, int *mode)
{
	const u8 *p = code_tlb_hit(code_tlb_entry(v, cv), cv, len, mode);

	return p ? p : vcpu_code_bytes_miss(v, cv, len, mode);
}

static inline __attribute__((always_inline)) const u8 *vcpu_code_bytes(struct vcpu *v, unsigned len,
								   int *mode)
{
	struct vcpu_code_view cv;

	vcpu_code_view(v, &cv);
	return vcpu_code_bytes_view(v, &cv, len, mode);
}

#endif
