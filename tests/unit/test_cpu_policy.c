// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the CPU's own write checks (vmm/cpu_policy.c):
 * XCR0 combinations (SDM Vol. 1 §13.3), the CR4 mask derived from a CPUID
 * view (a hidden feature's bit is reserved) and the other MOV to CR4
 * rules, CR0, EFER (bits from CPUID 0x80000001, LME under paging), PAT
 * memory types and canonical addresses with the width from CPUID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/cpu_policy.h"

#define CR4_VME (1ULL << 0)
#define CR4_MCE (1ULL << 6)
#define CR4_UMIP (1ULL << 11)
#define CR4_LA57 (1ULL << 12)
#define CR4_SMXE (1ULL << 14)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_PCIDE (1ULL << 17)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
#define CR4_PKE (1ULL << 22)
#define CR4_PKS (1ULL << 24)

/* A view with every CPUID bit set: every defined CR4/EFER bit exists. */
static struct cpu_view all_on(void)
{
	struct cpuid_regs ones = { ~0u, ~0u, ~0u, ~0u };
	struct cpu_view c = { ones, ones, ones, { 0x3030, 0, 0, 0 }, ~0ULL };

	return c;
}

static struct cpu_view all_off(void)
{
	struct cpu_view c = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 },
			      { 0, 0, 0, 0 }, 0 };

	return c;
}

static void test_xcr0(void **state)
{
	const u64 all = ~0ULL;

	(void)state;
	assert_true(policy_xcr0_valid(0x1, all));
	assert_true(policy_xcr0_valid(0x3, all));
	assert_true(policy_xcr0_valid(0x7, all));
	assert_true(policy_xcr0_valid(0xe7, all));     /* AVX-512 complete */
	assert_true(policy_xcr0_valid(0x1f, all));     /* MPX pair */
	assert_true(policy_xcr0_valid(0x60007, all));  /* AMX pair */
	assert_true(policy_xcr0_valid(0x207, all));    /* PKRU */
	assert_false(policy_xcr0_valid(0x0, all));     /* x87 must be set */
	assert_false(policy_xcr0_valid(0x2, all));
	assert_false(policy_xcr0_valid(0x5, all));     /* AVX without SSE */
	/* The case: opmask without ZMM_Hi256/Hi16_ZMM. */
	assert_false(policy_xcr0_valid(0x27, all));
	assert_false(policy_xcr0_valid(0x67, all));
	assert_false(policy_xcr0_valid(0xa7, all));
	assert_false(policy_xcr0_valid(0xc7, all));
	assert_false(policy_xcr0_valid(0xe3, all));    /* AVX-512 without AVX */
	assert_false(policy_xcr0_valid(0xf, all));     /* BNDREGS alone */
	assert_false(policy_xcr0_valid(0x17, all));    /* BNDCSR alone */
	assert_false(policy_xcr0_valid(0x20007, all)); /* TILECFG alone */
	assert_false(policy_xcr0_valid(0x40007, all)); /* TILEDATA alone */
	/* Only what the host and the guest's leaf 0xD allow. */
	assert_true(policy_xcr0_valid(0x7, 0x7));
	assert_false(policy_xcr0_valid(0x7, 0x3));
	assert_false(policy_xcr0_valid(0xe7, 0x7));
	assert_false(policy_xcr0_valid(1ULL << 62, all & ~(1ULL << 62)));
}

static void test_cr4_mask_from_cpuid(void **state)
{
	struct cpu_view on = all_on(), off = all_off();
	u64 full = policy_cr4_allowed(&on);

	(void)state;
	/* Every architectural bit but 15 and > 25 exists on a full CPU. */
	assert_int_equal(full, 0x3ff7fffULL);
	/* Nothing enumerated: only PCE remains. */
	assert_int_equal(policy_cr4_allowed(&off), 1ULL << 8);
	/* Each gate on its own. */
	on.l1.ecx &= ~(1u << 17);
	assert_false(policy_cr4_allowed(&on) & CR4_PCIDE);
	on.l1.ecx &= ~(1u << 5);
	assert_false(policy_cr4_allowed(&on) & CR4_VMXE);
	on.l1.ecx &= ~(1u << 6);
	assert_false(policy_cr4_allowed(&on) & CR4_SMXE);
	on.l1.ecx &= ~(1u << 26);
	assert_false(policy_cr4_allowed(&on) & CR4_OSXSAVE);
	on.l1.edx &= ~(1u << 7);
	assert_false(policy_cr4_allowed(&on) & CR4_MCE);
	on.l1.edx &= ~(1u << 1);
	assert_false(policy_cr4_allowed(&on) & CR4_VME);
	on.l7.ecx &= ~((1u << 2) | (1u << 3) | (1u << 16) | (1u << 31));
	assert_false(policy_cr4_allowed(&on) & (CR4_UMIP | CR4_PKE | CR4_LA57 | CR4_PKS));
	on.l7.ebx &= ~((1u << 0) | (1u << 7) | (1u << 20));
	assert_false(policy_cr4_allowed(&on) & (CR4_FSGSBASE | CR4_SMEP | CR4_SMAP));
	/* The rest stays. */
	assert_true(policy_cr4_allowed(&on) & (CR4_PAE | CR4_PGE | CR4_OSFXSR));
}

static void test_cr4_rules(void **state)
{
	struct cpu_view c = all_on();
	u64 lma = EFER_LME | EFER_LMA;

	(void)state;
	assert_true(policy_cr4_valid(&c, 0, CR4_PAE | CR4_PGE, 0, 0));
	assert_false(policy_cr4_valid(&c, 0, 1ULL << 15, 0, 0));   /* reserved */
	assert_false(policy_cr4_valid(&c, 0, 1ULL << 26, 0, 0));
	assert_false(policy_cr4_valid(&c, 0, 1ULL << 63, 0, 0));
	/* Long mode: PAE stays, LA57 does not change. */
	assert_false(policy_cr4_valid(&c, CR4_PAE, 0, lma, 0));
	assert_false(policy_cr4_valid(&c, CR4_PAE, CR4_PAE | CR4_LA57, lma, 0));
	assert_true(policy_cr4_valid(&c, 0, CR4_LA57, 0, 0));
	/* PCIDE: long mode and CR3[11:0] = 0 when it is being set. */
	assert_false(policy_cr4_valid(&c, CR4_PAE, CR4_PAE | CR4_PCIDE, 0, 0));
	assert_false(policy_cr4_valid(&c, CR4_PAE, CR4_PAE | CR4_PCIDE, lma, 0x1000 | 5));
	assert_true(policy_cr4_valid(&c, CR4_PAE, CR4_PAE | CR4_PCIDE, lma, 0x1000));
	assert_true(policy_cr4_valid(&c, CR4_PAE | CR4_PCIDE, CR4_PAE | CR4_PCIDE, lma, 0x1005));
	/* A hidden feature's bit is refused. */
	c.l1.ecx &= ~(1u << 17);
	assert_false(policy_cr4_valid(&c, CR4_PAE, CR4_PAE | CR4_PCIDE, lma, 0x1000));
}

static void test_cr0(void **state)
{
	(void)state;
	assert_true(policy_cr0_valid(CR0_PE | CR0_PG, CR4_PAE, EFER_LME));
	assert_true(policy_cr0_valid(CR0_PE | CR0_PG, 0, 0));
	assert_true(policy_cr0_valid(0x60000010, 0, 0)); /* CD|NW|ET: reset value */
	assert_false(policy_cr0_valid(CR0_PG, 0, 0));     /* PG without PE */
	assert_false(policy_cr0_valid(1ULL << 29, 0, 0)); /* NW without CD */
	assert_false(policy_cr0_valid(1ULL << 32 | CR0_PE, 0, 0));
	assert_false(policy_cr0_valid(CR0_PE | CR0_PG, 0, EFER_LME)); /* no PAE */
}

static void test_efer(void **state)
{
	struct cpu_view on = all_on(), off = all_off();

	(void)state;
	assert_int_equal(policy_efer_allowed(&on), EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	assert_int_equal(policy_efer_allowed(&off), 0);
	assert_true(policy_efer_valid(&on, 0, EFER_SCE | EFER_LME | EFER_NXE, 0));
	assert_false(policy_efer_valid(&on, 0, EFER_SVME, 0));
	assert_false(policy_efer_valid(&on, 0, 1ULL << 1, 0));
	assert_false(policy_efer_valid(&on, 0, 1ULL << 63, 0));
	assert_false(policy_efer_valid(&on, 0, 1ULL << 14, 0)); /* FFXSR: not offered */
	/* LME may not change under paging. */
	assert_false(policy_efer_valid(&on, 0, EFER_LME, CR0_PG | CR0_PE));
	assert_false(policy_efer_valid(&on, EFER_LME, 0, CR0_PG | CR0_PE));
	assert_true(policy_efer_valid(&on, EFER_LME, EFER_LME | EFER_NXE, CR0_PG | CR0_PE));
	/* NX hidden: NXE refused. */
	on.l80000001.edx &= ~(1u << 20);
	assert_false(policy_efer_valid(&on, 0, EFER_NXE, 0));
}

static void test_pat(void **state)
{
	(void)state;
	assert_true(policy_pat_valid(0x0007040600070406ULL)); /* power-on value */
	assert_true(policy_pat_valid(0x0001050400010504ULL));
	assert_true(policy_pat_valid(0));
	assert_false(policy_pat_valid(0x0007040600070402ULL)); /* type 2 */
	assert_false(policy_pat_valid(0x0307040600070406ULL)); /* type 3, top byte */
	assert_false(policy_pat_valid(0x0007040600070408ULL)); /* type 8 */
	assert_false(policy_pat_valid(0x00070406000704f6ULL)); /* high bits */
	for (unsigned t = 0; t < 256; t++)
		assert_int_equal(policy_pat_valid((u64)t << 24),
				 t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || t == 7);
}

static void test_canonical(void **state)
{
	struct cpu_view c = all_off();

	(void)state;
	assert_true(policy_canonical(0x00007fffffffffffULL, 48));
	assert_true(policy_canonical(0xffff800000000000ULL, 48));
	assert_true(policy_canonical(0, 48));
	assert_false(policy_canonical(0x0000800000000000ULL, 48));
	assert_false(policy_canonical(0x8000000000000000ULL, 48));
	assert_false(policy_canonical(0xfffe800000000000ULL, 48));
	assert_true(policy_canonical(0x00ffffffffffffffULL, 57));
	assert_true(policy_canonical(0xff00000000000000ULL, 57));
	assert_false(policy_canonical(0x0100000000000000ULL, 57));
	/* Width: 48 unless the view has LA57 and reports 57. */
	assert_int_equal(policy_va_bits(&c), 48);
	c.l80000008.eax = 0x3930; /* 57 linear, 48 physical */
	assert_int_equal(policy_va_bits(&c), 48);
	c.l7.ecx = 1u << 16;
	assert_int_equal(policy_va_bits(&c), 57);
	c.l80000008.eax = 0x3028;
	assert_int_equal(policy_va_bits(&c), 48);
}

/* IA32_SPEC_CTRL bits and IA32_PRED_CMD follow the CPUID bits of either
 * vendor that enumerate them. */
static void test_spec_ctrl(void **state)
{
	struct cpu_view on = all_on(), off = all_off(), c = all_off();

	(void)state;
	assert_int_equal(policy_spec_ctrl_allowed(&on), 7);
	assert_int_equal(policy_spec_ctrl_allowed(&off), 0);
	assert_false(policy_pred_cmd_exists(&off));
	assert_true(policy_pred_cmd_exists(&on));
	c.l7.edx = 1u << 26; /* Intel IBRS/IBPB */
	assert_int_equal(policy_spec_ctrl_allowed(&c), SPEC_CTRL_IBRS);
	assert_true(policy_pred_cmd_exists(&c));
	c.l7.edx = (1u << 27) | (1u << 31); /* STIBP, SSBD, no IBRS/IBPB */
	assert_int_equal(policy_spec_ctrl_allowed(&c), SPEC_CTRL_STIBP | SPEC_CTRL_SSBD);
	assert_false(policy_pred_cmd_exists(&c));
	c = all_off();
	c.l80000008.ebx = 1u << 12; /* AMD IBPB only: PRED_CMD, no SPEC_CTRL */
	assert_true(policy_pred_cmd_exists(&c));
	assert_int_equal(policy_spec_ctrl_allowed(&c), 0);
	c.l80000008.ebx = (1u << 14) | (1u << 24); /* AMD IBRS, SSBD */
	assert_int_equal(policy_spec_ctrl_allowed(&c), SPEC_CTRL_IBRS | SPEC_CTRL_SSBD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xcr0),
		cmocka_unit_test(test_cr4_mask_from_cpuid),
		cmocka_unit_test(test_cr4_rules),
		cmocka_unit_test(test_cr0),
		cmocka_unit_test(test_efer),
		cmocka_unit_test(test_pat),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_spec_ctrl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
