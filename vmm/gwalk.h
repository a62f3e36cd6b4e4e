/* SPDX-License-Identifier: MIT */
/*
 * Guest linear -> guest physical translation by walking the guest's own
 * page tables in whatever mode it is in: none (paging off), 32-bit (with
 * 4 MiB pages under CR4.PSE), PAE, and 4-level long mode (Intel SDM Vol. 3A
 * §4.3-4.5). Table entries are read through gmem, so a guest pointing its
 * tables outside its RAM just fails to translate.
 */
#ifndef VMM_GWALK_H
#define VMM_GWALK_H

#include "arch/x86/virt.h"
#include "kernel/types.h"

struct vcpu;

enum gwalk_access {
	GWALK_READ,
	GWALK_WRITE,
	GWALK_FETCH,
};


/* False when @lin is not mapped (or the tables are not in RAM). */
bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa);
/* The same with the paging registers already read (@cv's CR0, CR3, CR4
 * and EFER). */
bool gwalk_translate_view(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa);

/*
 * A translation remembered with what it was made from: the paging
 * registers and every table entry the walk read (where it read it and
 * what it found). While those registers and entries are unchanged the
 * walk would give the same result, which gwalk_memo_holds() checks with
 * one load per level instead of a walk. Owned by whoever fills it.
 */
#define GWALK_MEMO_LEVELS 5
struct gwalk_memo {
	u64 cr0, cr3, cr4, efer;
	const void *entry[GWALK_MEMO_LEVELS];
	u64 val[GWALK_MEMO_LEVELS];
	u8 n;                     /* entries read (0 with paging off) */
	u8 size;                  /* their size: 4 (32-bit paging) or 8 */
	bool valid;
};

/* gwalk_translate_view() that also fills @m (invalid when it fails). */
bool gwalk_translate_memo(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa,
			  struct gwalk_memo *m);
/* One aligned load of a table entry (an entry never straddles a page;
 * the guest may be changing it meanwhile). */
static inline u64 gwalk_load_entry(const void *p, unsigned size)
{
	return size == 8 ? __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED) :
			   __atomic_load_n((const u32 *)p, __ATOMIC_RELAXED);
}

/*
 * Whether a walk under @cv's paging registers of the address @m was made
 * for would still give the same translation. The walk reads nothing but
 * these registers and the entries it found on its way, each at an address
 * the one before it (or CR3) gave: the same registers and the same
 * entries mean the same walk. Inline: the exit path's instruction fetch
 * asks it on every exit without a hardware instruction length.
 */
static inline bool gwalk_memo_holds(const struct gwalk_memo *m, const struct vcpu_code_view *cv)
{
	if (!m->valid || m->cr0 != cv->cr0 || m->cr3 != cv->cr3 || m->cr4 != cv->cr4 ||
	    m->efer != cv->efer)
		return false;
	for (unsigned i = 0; i < m->n; i++)
		if (gwalk_load_entry(m->entry[i], m->size) != m->val[i])
			return false;
	return true;
}

/* #PF error code bits (SDM Vol. 3A §4.7, Figure 4-12). */
#define GWALK_PF_P (1u << 0) /* a protection violation, not a missing page */
#define GWALK_PF_W (1u << 1) /* a write */
#define GWALK_PF_U (1u << 2) /* a user-mode access */

/*
 * A data access the CPU has not made yet (a write if @write, by user mode
 * if @user): the translation as gwalk_translate() gives it, and also
 * refused when the paging permissions forbid it (R/W, U/S, CR0.WP, SMAP).
 * False with @pf_error set to the #PF error code the CPU would push.
 */
bool gwalk_check(struct vcpu *v, u64 lin, bool write, bool user, u64 *gpa, u32 *pf_error);

#endif
