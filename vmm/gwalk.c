// SPDX-License-Identifier: MIT
/*
 * Guest page walks (gwalk.h). Only presence and the large-page bit are
 * interpreted: the hypervisor translates on the guest's behalf to read an
 * instruction or an operand the guest itself just used, so the guest's
 * permission checks already passed.
 */
#include "arch/x86/cpu.h"
#include "vmm/gmem.h"
#include "vmm/gwalk.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define PTE_P 1ULL
#define PTE_PS (1ULL << 7)
#define ADDR_MASK 0x000ffffffffff000ULL
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_LA57 (1ULL << 12)

static bool read_entry(struct vcpu *v, u64 gpa, unsigned size, u64 *e)
{
	*e = 0;
	return gmem_read(&v->vm->mem, gpa, e, size) && (*e & PTE_P);
}

/* 32-bit paging: two levels of 4-byte entries (§4.3). */
static bool walk32(struct vcpu *v, u64 cr3, u64 lin, bool pse, u64 *gpa)
{
	u64 pde, pte;

	if (!read_entry(v, (cr3 & 0xfffff000) + ((lin >> 22) & 0x3ff) * 4, 4, &pde))
		return false;
	if (pse && (pde & PTE_PS)) {
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) | (lin & 0x3fffff);
		return true;
	}
	if (!read_entry(v, (pde & 0xfffff000) + ((lin >> 12) & 0x3ff) * 4, 4, &pte))
		return false;
	*gpa = (pte & 0xfffff000) | (lin & 0xfff);
	return true;
}

/* PAE, 4-level and 5-level paging: 8-byte entries, 9 bits per level
 * (§4.4, §4.5). */
static bool walk64(struct vcpu *v, u64 table, u64 lin, int levels, u64 *gpa)
{
	for (int l = levels; l >= 1; l--) {
		int shift = 12 + 9 * (l - 1);
		unsigned idx = (lin >> shift) & (l == 3 && levels == 3 ? 3 : 511);
		u64 e;

		if (!read_entry(v, table + idx * 8, 8, &e))
			return false;
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

bool gwalk_translate(struct vcpu *v, u64 lin, enum gwalk_access acc, u64 *gpa)
{
	u64 cr0 = vcpu_reg(v, REG_CR0), cr4, cr3;

	(void)acc;
	if (!(cr0 & CR0_PG)) {
		*gpa = lin & 0xffffffffULL;
		return true;
	}
	cr3 = vcpu_reg(v, REG_CR3);
	cr4 = vcpu_reg(v, REG_CR4);
	if (vcpu_reg(v, REG_EFER) & EFER_LMA)
		return walk64(v, cr3 & ADDR_MASK, lin, (cr4 & CR4_LA57) ? 5 : 4, gpa);
	if (cr4 & CR4_PAE)
		return walk64(v, cr3 & 0xffffffe0, lin & 0xffffffff, 3, gpa);
	return walk32(v, cr3, lin & 0xffffffff, cr4 & CR4_PSE, gpa);
}
