// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the guest's CPUID view (vmm/cpuid_view.c), leaf by
 * leaf as README.md documents it: a host that reports every feature (all
 * ones) goes through the filter and each hidden bit must come out clear,
 * each offered bit set, and the synthesized leaves (hypervisor leaves,
 * TSC leaves, topology, APIC ID, XSAVE components) must hold their values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/cpuid_view.h"

#define B(n) (1u << (n))

static const struct cpuid_ctx ctx = {
	.vcpu_id = 3, .nvcpus = 4, .cr4 = 0, .intel = true, .tsc_khz = 2000000,
};

static struct cpuid_regs view(const struct cpuid_ctx *c, u32 leaf, u32 sub)
{
	struct cpuid_regs r = { ~0u, ~0u, ~0u, ~0u };

	cpuid_view_filter(c, leaf, sub, &r);
	return r;
}

static void test_leaf1(void **state)
{
	struct cpuid_regs r = view(&ctx, 1, 0);
	struct cpuid_ctx osx = ctx;

	(void)state;
	/* Hidden: MONITOR, VMX, SMX, EIST, TM2, PDCM, DS, ... */
	assert_int_equal(r.ecx & (B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(11) |
				  B(14) | B(15) | B(18) | B(27)), 0);
	/* Offered: x2APIC, TSC deadline, hypervisor; PCID, XSAVE kept. */
	assert_int_equal(r.ecx & (B(21) | B(24) | B(31) | B(17) | B(26)),
			 B(21) | B(24) | B(31) | B(17) | B(26));
	/* MCE, MTRR, MCA, PSN, DS, ACPI, TM, PBE hidden; PAT, SEP, APIC kept. */
	assert_int_equal(r.edx & (B(7) | B(12) | B(14) | B(18) | B(21) | B(22) | B(29) | B(31)), 0);
	assert_int_equal(r.edx & (B(16) | B(11) | B(9) | B(28)), B(16) | B(11) | B(9) | B(28));
	/* APIC ID 3 and 4 logical processors. */
	assert_int_equal(r.ebx >> 24, 3);
	assert_int_equal((r.ebx >> 16) & 0xff, 4);
	/* OSXSAVE follows the guest's CR4. */
	osx.cr4 = 1ULL << 18;
	assert_true(view(&osx, 1, 0).ecx & B(27));
}

static void test_leaf7(void **state)
{
	struct cpuid_regs r = view(&ctx, 7, 0);
	struct cpuid_ctx pke = ctx;

	(void)state;
	/* TSC_ADJUST, SGX, RDT, MPX, PT hidden; FSGSBASE, SMEP, SMAP, AVX2 kept. */
	assert_int_equal(r.ebx & (B(1) | B(2) | B(12) | B(14) | B(15) | B(25)), 0);
	assert_int_equal(r.ebx & (B(0) | B(5) | B(7) | B(20)), B(0) | B(5) | B(7) | B(20));
	/* PKS, LA57, WAITPKG, CET, KL, OSPKE hidden; UMIP, PKU, RDPID kept. */
	assert_int_equal(r.ecx & (B(31) | B(16) | B(5) | B(7) | B(23) | B(4) | B(30)), 0);
	assert_int_equal(r.ecx & (B(2) | B(3) | B(22)), B(2) | B(3) | B(22));
	/* FLUSH_CMD, ARCH/CORE_CAPABILITIES, AMX, UINTR, CET_IBT hidden. */
	assert_int_equal(r.edx & (B(5) | B(20) | B(22) | B(24) | B(25) | B(28) | B(29) |
				  B(30)), 0);
	/* Speculation control offered as the host has it: IBRS/IBPB, STIBP, SSBD. */
	assert_int_equal(r.edx & (B(26) | B(27) | B(31)), B(26) | B(27) | B(31));
	/* ... but no IA32_SPEC_CTRL bit past SSBD (7.2 EDX: PSFD, IPRED,
	 * RRSBA, DDPD_U, BHI). */
	assert_int_equal(view(&ctx, 7, 2).edx & 0x1f, 0);
	/* OSPKE follows CR4.PKE. */
	pke.cr4 = 1ULL << 22;
	assert_true(view(&pke, 7, 0).ecx & B(4));
	assert_int_equal(view(&ctx, 7, 1).eax & (B(22) | B(26)), 0);
}

static void test_zeroed_leaves(void **state)
{
	static const u32 leaves[] = { 5, 6, 0xa, 0xf, 0x10, 0x12, 0x14, 0x19, 0x1b, 0x1d, 0x1e,
				      0x8000000a, 0x8000001f };

	(void)state;
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct cpuid_regs r = view(&ctx, leaves[i], 0);

		assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	}
}

static void test_xsave_leaf(void **state)
{
	struct cpuid_regs r = view(&ctx, 0xd, 0);

	(void)state;
	assert_int_equal(r.eax, (u32)XCR0_OFFERED);
	assert_int_equal(r.eax, 0x2e7);
	assert_int_equal(r.edx, 0);
	r = view(&ctx, 0xd, 1);
	assert_int_equal(r.eax & (B(3) | B(4)), 0); /* XSAVES, XFD */
	assert_int_equal(r.eax & B(0), B(0));        /* XSAVEOPT kept */
	assert_int_equal(r.ecx | r.edx, 0);          /* no IA32_XSS components */
	assert_int_equal(view(&ctx, 0xd, 2).eax, ~0u); /* AVX kept */
	r = view(&ctx, 0xd, 3);                      /* MPX: hidden */
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	r = view(&ctx, 0xd, 17);                     /* AMX: hidden */
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	assert_int_equal(view(&ctx, 0xd, 9).eax, ~0u); /* PKRU kept */
}

static void test_extended_leaves(void **state)
{
	struct cpuid_regs r = view(&ctx, 0x80000001, 0);

	(void)state;
	assert_int_equal(r.ecx & (B(2) | B(9) | B(10) | B(23) | B(24) | B(28) | B(29)), 0);
	assert_int_equal(r.edx & (B(7) | B(12) | B(14) | B(25)), 0);
	assert_int_equal(r.edx & (B(11) | B(20) | B(27) | B(29)), B(11) | B(20) | B(27) | B(29));
	r = view(&ctx, 0x80000008, 0);
	assert_int_equal(r.ebx & (B(25) | B(28)), 0); /* VIRT_SSBD, PSFD */
	assert_int_equal(r.ebx & (B(12) | B(14) | B(15) | B(24)),
			 B(12) | B(14) | B(15) | B(24)); /* IBPB, IBRS, STIBP, SSBD */
	assert_int_equal(r.ecx & 0xffff, 0);
	assert_int_equal(r.eax, ~0u);
	assert_int_equal(view(&ctx, 0x80000021, 0).eax & B(8), 0);
}

/* 0x80000007: the invariant TSC (EDX[8]) as the host has it, nothing
 * else (P-states, boost, power reporting, RAS). */
static void test_power_leaf(void **state)
{
	struct cpuid_regs r = view(&ctx, 0x80000007, 0);

	(void)state;
	assert_int_equal(r.eax | r.ebx | r.ecx, 0);
	assert_int_equal(r.edx, B(8));
	r = (struct cpuid_regs){ 0, 0, 0, B(7) | B(9) };
	cpuid_view_filter(&ctx, 0x80000007, 0, &r);
	assert_int_equal(r.edx, 0); /* a host without it: none */
}

static void test_hypervisor_and_tsc_leaves(void **state)
{
	struct cpuid_regs r = view(&ctx, 0x40000000, 0);
	struct cpuid_ctx amd = ctx;

	(void)state;
	assert_int_equal(r.eax, 0x40000010);
	assert_memory_equal(&r.ebx, "hvhv", 4);
	assert_memory_equal(&r.ecx, "hvhv", 4);
	assert_memory_equal(&r.edx, "hvhv", 4);
	r = view(&ctx, 0x40000010, 0);
	assert_int_equal(r.eax, 2000000);
	assert_int_equal(r.ebx, 100000);
	r = view(&ctx, 0x40000005, 0);
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	/* Leaf 0: the TSC leaves offered on Intel only. */
	r.eax = 0xd;
	cpuid_view_filter(&ctx, 0, 0, &r);
	assert_int_equal(r.eax, 0x16);
	amd.intel = false;
	r.eax = 0xd;
	cpuid_view_filter(&amd, 0, 0, &r);
	assert_int_equal(r.eax, 0xd);
	/* 0x15: TSC Hz = ECX * EBX / EAX. */
	r = view(&ctx, 0x15, 0);
	assert_int_equal((u64)r.ecx * r.ebx / r.eax, 2000000000ULL);
	assert_int_equal(view(&ctx, 0x16, 0).eax, 2000);
	amd = ctx;
	amd.tsc_khz = 49998; /* rounded to the nearest MHz, not truncated */
	assert_int_equal(view(&amd, 0x16, 0).eax, 50);
	amd.tsc_khz = 2600482;
	assert_int_equal(view(&amd, 0x16, 0).eax, 2600);
}

/* The APIC flag follows IA32_APIC_BASE.EN (SDM Vol. 3A §11.4.3), in leaf
 * 1 and in AMD's copy at 0x80000001; nothing else changes. */
static void test_apic_flag_follows_enable(void **state)
{
	struct cpuid_ctx off = ctx;
	struct cpuid_regs on1 = view(&ctx, 1, 0), on8 = view(&ctx, 0x80000001, 0), r;

	(void)state;
	assert_true(on1.edx & B(9));
	assert_true(on8.edx & B(9));
	off.apic_off = true;
	r = view(&off, 1, 0);
	assert_int_equal(r.edx, on1.edx & ~B(9));
	assert_int_equal(r.ecx, on1.ecx);
	assert_int_equal(r.ebx, on1.ebx);
	r = view(&off, 0x80000001, 0);
	assert_int_equal(r.edx, on8.edx & ~B(9));
	assert_int_equal(r.ecx, on8.ecx);
}

static void test_topology(void **state)
{
	struct cpuid_regs r = view(&ctx, 0xb, 0);

	(void)state;
	assert_int_equal(r.eax | r.ebx | r.ecx, 0);
	assert_int_equal(r.edx, 3);
	assert_int_equal(view(&ctx, 4, 0).eax, 0x3fff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf1),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_zeroed_leaves),
		cmocka_unit_test(test_xsave_leaf),
		cmocka_unit_test(test_extended_leaves),
		cmocka_unit_test(test_power_leaf),
		cmocka_unit_test(test_hypervisor_and_tsc_leaves),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_apic_flag_follows_enable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
