// SPDX-License-Identifier: MIT
/*
 * Guest page walks (gwalk.h). gwalk_translate() interprets only presence
 * and the large-page bit: it translates on the guest's behalf to read an
 * instruction or an operand the guest itself just used, so the guest's
 * permission checks already passed. gwalk_check() is for accesses the CPU
 * has not made yet (the memory operand of INS/OUTS, whose exit comes
 * before it): it also applies the R/W and U/S bits of every level, CR0.WP
 * and SMAP (SDM Vol. 3A §4.6) and says which #PF error code the CPU would
 * give (§4.7). Accessed and dirty bits are not set, reserved bits are not
 * checked.
 */
#include "arch/x86/cpu.h"
#include "vmm/gmem.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PTE_P 1ULL
#define PTE_RW (1ULL << 1)
#define PTE_US (1ULL << 2)
#define PTE_PS (1ULL << 7)
#define ADDR_MASK 0x000ffffffffff000ULL
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)
#define CR4_SMAP (1ULL << 21)
#define RFLAGS_AC (1ULL << 18)

static u64 load_entry(const void *p, unsigned size)
{
	return gwalk_load_entry(p, size);
}

/* @m, when given, records where the entry was and what it held. */
static bool read_entry(struct vcpu *v, u64 gpa, unsigned size, u64 *e, struct gwalk_memo *m)
{
	const void *p = gmem_ptr(&v->vm->mem, gpa, size);

	if (!p)
		return false;
	*e = load_entry(p, size);
	if (m && m->n < GWALK_MEMO_LEVELS) {
		m->entry[m->n] = p;
		m->val[m->n++] = *e;
		m->size = (u8)size;
	}
	return *e & PTE_P;
}

/* 32-bit paging: two levels of 4-byte entries (§4.3). */
static bool walk32(struct vcpu *v, u64 cr3, u64 lin, bool pse, u64 *gpa, u64 *perm,
		   struct gwalk_memo *m)
{
	u64 pde, pte;

	if (!read_entry(v, (cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4, 4, &pde, m))
		return false;
	*perm &= pde;
	if (pse && (pde & PTE_PS)) {
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) | (lin & 0x3fffff);
		return true;
	}
	if (!read_entry(v, (pde & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4, 4, &pte, m))
		return false;
	*perm &= pte;
	*gpa = (pte & 0xfffff000) | (lin & 0xfff);
	return true;
}

/* PAE, 4-level and 5-level paging: 8-byte entries, 9 bits per level
 * (§4.4, §4.5). PAE's PDPTEs have no R/W or U/S bits (§4.4.1). */
static bool walk64(struct vcpu *v, u64 table, u64 lin, int levels, u64 *gpa, u64 *perm,
		   struct gwalk_memo *m)
{
	for (int l = levels; l >= 1; l--) {
		int shift = 12 + 9 * (l - 1);
		unsigned idx = (lin >> shift) & (l == 3 && levels == 3 ? 3 : 511);
		u64 e;

		if (!read_entry(v, table + idx * 8, 8, &e, m))
			return false;
		if (levels != 3 || l != 3)
			*perm &= e;
		if (l == 1 || (l <= 3 && l != levels && (e & PTE_PS)) ||
		    (l == 2 && levels == 3 && (e & PTE_PS))) {
			u64 size = 1ULL << shift;

			*gpa = (e & ADDR_MASK & ~(size - 1)) | (lin & (size - 1));
			return true;
		}
		table = e & ADDR_MASK;
	}
	return false;
}

/* The walk for the guest's paging mode; @perm collects the AND of the
 * R/W and U/S bits of the entries on the way (all set with paging off). */
static bool walk(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa, u64 *perm,
		 struct gwalk_memo *m)
{
	u64 cr4 = cv->cr4, cr3 = cv->cr3;

	*perm = PTE_RW | PTE_US;
	if (!(cv->cr0 & CR0_PG)) {
		*gpa = lin & 0xffffffffULL;
		return true;
	}
	if (cv->efer & EFER_LMA)
		return walk64(v, cr3 & ADDR_MASK, lin, (cr4 & CR4_LA57) ? 5 : 4, gpa, perm, m);
	if (cr4 & CR4_PAE)
		return walk64(v, cr3 & 0xffffffe0, lin & 0xffffffff, 3, gpa, perm, m);
	return walk32(v, cr3, lin & 0xffffffff, cr4 & CR4_PSE, gpa, perm, m);
}

/* The registers a walk reads, one by one (the fetch path has them all). */
static void paging_regs(struct vcpu *v, struct vcpu_code_view *cv)
{
	cv->cr0 = vcpu_reg(v, REG_CR0);
	if (!(cv->cr0 & CR0_PG))
		return;
	cv->cr3 = vcpu_reg(v, REG_CR3);
	cv->cr4 = vcpu_reg(v, REG_CR4);
	cv->efer = vcpu_reg(v, REG_EFER);
}

bool gwalk_translate_view(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa)
{
	u64 perm;

	if (!(cv->cr0 & CR0_PG)) { /* as walk() does, without its frame */
		*gpa = lin & 0xffffffffULL;
		return true;
	}
	return walk(v, cv, lin, gpa, &perm, NULL);
}

bool gwalk_translate_memo(struct vcpu *v, const struct vcpu_code_view *cv, u64 lin, u64 *gpa,
			  struct gwalk_memo *m)
{
	u64 perm;

	m->cr0 = cv->cr0;
	m->cr3 = cv->cr3;
	m->cr4 = cv->cr4;
	m->efer = cv->efer;
	m->n = 0;
	m->valid = walk(v, cv, lin, gpa, &perm, m);
	return m->valid;
}

bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa)
{
	struct vcpu_code_view cv;

	(void)acc;
	paging_regs(v, &cv);
	return gwalk_translate_view(v, &cv, lin, gpa);
}

/*
 * §4.6.1: a user-mode access needs U/S at every level, a user write R/W
 * too; a supervisor write needs R/W only with CR0.WP; a supervisor data
 * access to a user page faults under CR4.SMAP unless RFLAGS.AC is set.
 */
static bool access_allowed(struct vcpu *v, u64 perm, bool write, bool user)
{
	if (user)
		return (perm & PTE_US) && (!write || (perm & PTE_RW));
	if (write && !(perm & PTE_RW) && (vcpu_reg(v, REG_CR0) & CR0_WP))
		return false;
	return !((perm & PTE_US) && (vcpu_reg(v, REG_CR4) & CR4_SMAP) &&
		 (vcpu_reg(v, REG_CR0) & CR0_PG) && !(vcpu_reg(v, REG_RFLAGS) & RFLAGS_AC));
}

bool gwalk_check(struct vcpu *v, u64 lin, bool write, bool user, u64 *gpa, u32 *pf_error)
{
	struct vcpu_code_view cv;
	u64 perm;

	*pf_error = (write ? GWALK_PF_W : 0) | (user ? GWALK_PF_U : 0);
	paging_regs(v, &cv);
	if (!walk(v, &cv, lin, gpa, &perm, NULL))
		return false;
	if (access_allowed(v, perm, write, user))
		return true;
	*pf_error |= GWALK_PF_P;
	return false;
}
