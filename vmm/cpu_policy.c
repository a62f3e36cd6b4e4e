// SPDX-License-Identifier: MIT
/*
 * The CPU's own checks on writes to CR0, CR4, EFER, PAT, XCR0 and the
 * address-holding MSRs, against the guest's CPUID view (see
 * cpu_policy.h). Each CR4 bit and EFER bit exists only when the CPUID
 * bit that enumerates its feature is set; a hidden feature's bit is
 * reserved and setting it raises #GP, as on a CPU without that feature.
 * Pure functions: the host unit tests call them directly.
 */
#include "vmm/cpu_policy.h"

enum cpuid_reg { R_EAX, R_EBX, R_ECX, R_EDX };
enum view_leaf { V_L1, V_L7, V_L80000001, NO_LEAF };

/* One CR4 or EFER bit and the CPUID bit that enumerates its feature. */
struct feature_bit {
	u8 bit;
	u8 leaf;   /* enum view_leaf; NO_LEAF: always present */
	u8 reg;    /* enum cpuid_reg */
	u8 cpuid;  /* bit number in that register */
};

/* SDM Vol. 3A §2.5 (CR4 bits) and Vol. 2A CPUID. VMXE and SMXE follow
 * CPUID.1:ECX.VMX/SMX, which the CPUID policy hides: they #GP. */
static const struct feature_bit cr4_bits[] = {
	{ 0, V_L1, R_EDX, 1 },    /* VME: VME */
	{ 1, V_L1, R_EDX, 1 },    /* PVI: VME */
	{ 2, V_L1, R_EDX, 4 },    /* TSD: TSC */
	{ 3, V_L1, R_EDX, 2 },    /* DE: DE */
	{ 4, V_L1, R_EDX, 3 },    /* PSE: PSE */
	{ 5, V_L1, R_EDX, 6 },    /* PAE: PAE */
	{ 6, V_L1, R_EDX, 7 },    /* MCE: MCE */
	{ 7, V_L1, R_EDX, 13 },   /* PGE: PGE */
	{ 8, NO_LEAF, 0, 0 },     /* PCE: no CPUID bit */
	{ 9, V_L1, R_EDX, 24 },   /* OSFXSR: FXSR */
	{ 10, V_L1, R_EDX, 25 },  /* OSXMMEXCPT: SSE */
	{ 11, V_L7, R_ECX, 2 },   /* UMIP */
	{ 12, V_L7, R_ECX, 16 },  /* LA57 */
	{ 13, V_L1, R_ECX, 5 },   /* VMXE: VMX */
	{ 14, V_L1, R_ECX, 6 },   /* SMXE: SMX */
	{ 16, V_L7, R_EBX, 0 },   /* FSGSBASE */
	{ 17, V_L1, R_ECX, 17 },  /* PCIDE: PCID */
	{ 18, V_L1, R_ECX, 26 },  /* OSXSAVE: XSAVE */
	{ 19, V_L7, R_ECX, 23 },  /* KL: Key Locker */
	{ 20, V_L7, R_EBX, 7 },   /* SMEP */
	{ 21, V_L7, R_EBX, 20 },  /* SMAP */
	{ 22, V_L7, R_ECX, 3 },   /* PKE: PKU */
	{ 23, V_L7, R_ECX, 7 },   /* CET: CET_SS */
	{ 24, V_L7, R_ECX, 31 },  /* PKS */
	{ 25, V_L7, R_EDX, 5 },   /* UINTR */
};

/* EFER (SDM Vol. 3A §2.2.1, APM Vol. 2 §3.1.7) from CPUID 0x80000001. */
static const struct feature_bit efer_bits[] = {
	{ 0, V_L80000001, R_EDX, 11 },  /* SCE: SYSCALL */
	{ 8, V_L80000001, R_EDX, 29 },  /* LME: long mode */
	{ 10, V_L80000001, R_EDX, 29 }, /* LMA: long mode */
	{ 11, V_L80000001, R_EDX, 20 }, /* NXE: NX */
};

#define CR0_CD (1ULL << 30)
#define CR0_NW (1ULL << 29)
#define CR3_PCID_MASK 0xfffULL
#define CR4_PCIDE (1ULL << 17)
#define CR4_LA57 (1ULL << 12)
#define L7_ECX_LA57 (1u << 16)

static u32 view_reg(const struct cpu_view *c, const struct feature_bit *f)
{
	const struct cpuid_regs *r = f->leaf == V_L1 ? &c->l1 :
				     f->leaf == V_L7 ? &c->l7 : &c->l80000001;
	const u32 regs[] = { r->eax, r->ebx, r->ecx, r->edx };

	return regs[f->reg];
}

static u64 allowed_bits(const struct cpu_view *c, const struct feature_bit *t, unsigned n)
{
	u64 mask = 0;

	for (unsigned i = 0; i < n; i++)
		if (t[i].leaf == NO_LEAF || (view_reg(c, &t[i]) >> t[i].cpuid) & 1)
			mask |= 1ULL << t[i].bit;
	return mask;
}

bool policy_xcr0_valid(u64 xcr0, u64 allowed)
{
	u64 avx512 = xcr0 & XCR0_AVX512;
	u64 mpx = xcr0 & (XCR0_BNDREGS | XCR0_BNDCSR);
	u64 amx = xcr0 & (XCR0_TILECFG | XCR0_TILEDATA);

	if (!(xcr0 & XCR0_X87) || (xcr0 & ~allowed))
		return false;
	if ((xcr0 & XCR0_AVX) && !(xcr0 & XCR0_SSE))
		return false;
	/* AVX-512: the three components together, and only with AVX. */
	if (avx512 && (avx512 != XCR0_AVX512 || !(xcr0 & XCR0_AVX)))
		return false;
	/* MPX and AMX components come in pairs (§13.3). */
	if (mpx && mpx != (XCR0_BNDREGS | XCR0_BNDCSR))
		return false;
	return !amx || amx == (XCR0_TILECFG | XCR0_TILEDATA);
}

u64 policy_cr4_allowed(const struct cpu_view *c)
{
	return allowed_bits(c, cr4_bits, ARRAY_SIZE(cr4_bits));
}

/*
 * Besides the feature bits: PAE may not be cleared in IA-32e mode, nor
 * LA57 changed there (§4.1.1); PCIDE may be set only in IA-32e mode and
 * with CR3[11:0] = 0 (§4.10.1).
 */
bool policy_cr4_valid(const struct cpu_view *c, u64 old, u64 cr4, u64 efer, u64 cr3)
{
	bool long_mode = efer & EFER_LMA;

	if (cr4 & ~policy_cr4_allowed(c))
		return false;
	if (long_mode && (!(cr4 & CR4_PAE) || ((cr4 ^ old) & CR4_LA57)))
		return false;
	if ((cr4 & CR4_PCIDE) && !(old & CR4_PCIDE) && (!long_mode || (cr3 & CR3_PCID_MASK)))
		return false;
	return true;
}

/*
 * Bits 63:32 are reserved; PG needs PE; NW needs CD; PG with EFER.LME
 * enters IA-32e mode, which needs CR4.PAE (§10.8.5). Reserved bits in
 * 31:0 are ignored by the CPU and so are not checked.
 */
bool policy_cr0_valid(u64 cr0, u64 cr4, u64 efer)
{
	if ((cr0 >> 32) || ((cr0 & CR0_PG) && !(cr0 & CR0_PE)) ||
	    ((cr0 & CR0_NW) && !(cr0 & CR0_CD)))
		return false;
	return !((cr0 & CR0_PG) && (efer & EFER_LME) && !(cr4 & CR4_PAE));
}

u64 policy_efer_allowed(const struct cpu_view *c)
{
	return allowed_bits(c, efer_bits, ARRAY_SIZE(efer_bits));
}

/* LME may not change while paging is on (§10.8.5). LMA is the CPU's: a
 * write's LMA bit is ignored (the caller keeps the current one). */
bool policy_efer_valid(const struct cpu_view *c, u64 old, u64 efer, u64 cr0)
{
	if (efer & ~policy_efer_allowed(c))
		return false;
	return !(((efer ^ old) & EFER_LME) && (cr0 & CR0_PG));
}

bool policy_pat_valid(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 type = (u8)(pat >> (8 * i));

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

#define L7_EDX_IBRS_IBPB (1u << 26)
#define L7_EDX_STIBP (1u << 27)
#define L7_EDX_SSBD (1u << 31)
#define AMD_EBX_IBPB (1u << 12)
#define AMD_EBX_IBRS (1u << 14)
#define AMD_EBX_STIBP (1u << 15)
#define AMD_EBX_SSBD (1u << 24)

u64 policy_spec_ctrl_allowed(const struct cpu_view *c)
{
	u32 edx = c->l7.edx, ebx = c->l80000008.ebx;
	u64 bits = 0;

	if ((edx & L7_EDX_IBRS_IBPB) || (ebx & AMD_EBX_IBRS))
		bits |= SPEC_CTRL_IBRS;
	if ((edx & L7_EDX_STIBP) || (ebx & AMD_EBX_STIBP))
		bits |= SPEC_CTRL_STIBP;
	if ((edx & L7_EDX_SSBD) || (ebx & AMD_EBX_SSBD))
		bits |= SPEC_CTRL_SSBD;
	return bits;
}

bool policy_pred_cmd_exists(const struct cpu_view *c)
{
	return (c->l7.edx & L7_EDX_IBRS_IBPB) || (c->l80000008.ebx & AMD_EBX_IBPB);
}

unsigned policy_va_bits(const struct cpu_view *c)
{
	unsigned bits = (c->l80000008.eax >> 8) & 0xff;

	if (bits < 48 || (bits > 48 && !(c->l7.ecx & L7_ECX_LA57)))
		return 48;
	return bits > 57 ? 57 : bits;
}

bool policy_canonical(u64 va, unsigned bits)
{
	return (u64)((s64)(va << (64 - bits)) >> (64 - bits)) == va;
}
