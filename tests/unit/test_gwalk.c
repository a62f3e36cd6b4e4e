// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the guest page walk with permission checks
 * (vmm/gwalk.c, gwalk_check()) on page tables built in a fake guest RAM:
 * 32-bit paging (4 KiB and 4 MiB pages), PAE and 4-level paging; missing
 * entries at each level give a #PF error code without P; R/W and U/S
 * are ANDed over the levels (SDM Vol. 3A §4.6.1): a user access to a
 * supervisor page, a user write to a read-only one, a supervisor write to
 * a read-only page under CR0.WP (not without), a supervisor access to a
 * user page under CR4.SMAP (not with RFLAGS.AC) give P and the access's
 * W/U bits; paging off translates everything. The translation memo
 * (gwalk_translate_memo/gwalk_memo_holds) holds while the paging
 * registers and every entry on the walk are unchanged, and not after any
 * of them changes (a PTE, a PDE turned into a large page, CR3, CR4, CR0,
 * EFER), in 4-level, PAE and 32-bit paging and with paging off. The
 * instruction fetch's code TLB (vmm/insn.c, code_fetch.h) built on it
 * keeps a page per RIP page modulo CODE_TLB_SIZE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/cpu.h"
#include "tests/unit/fake_vcpu_stubs.h"
#include "vmm/code_fetch.h"
#include "vmm/gwalk.h"
#include "vmm/vm.h"

#define RAM_SIZE 0x100000
#define P 1u
#define RW 2u
#define US 4u
#define PS 0x80u
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_SMAP (1ULL << 21)
#define RFLAGS_AC (1ULL << 18)

static u8 ram[RAM_SIZE];
static u64 regs[NR_REGS];
static struct vcpu vcpu;
static struct vm vm;

static bool in_ram(u64 gpa, u64 len)
{
	return gpa < RAM_SIZE && len <= RAM_SIZE - gpa;
}

FAKE_GMEM(ram, in_ram)
FAKE_VCPU_REGS(regs)

/* A 64-bit code segment for the instruction fetch (no code_view: the
 * fetch reads the registers one by one). */
static void fake_get_seg(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out)
{
	(void)v, (void)s;
	*out = (struct segment){ .attr = SEG_ATTR_L | 0x9b };
}

static const struct vcpu_ops fake_ops = { .get_seg = fake_get_seg };
const struct vcpu_ops *vm_ops = &fake_ops;

static void put32(u64 gpa, u32 v) { memcpy(ram + gpa, &v, 4); }
static void put64(u64 gpa, u64 v) { memcpy(ram + gpa, &v, 8); }

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	memset(regs, 0, sizeof(regs));
	vcpu.vm = &vm;
	regs[REG_CR0] = CR0_PG | 1;
	return 0;
}

/* gwalk_check's answer: the error code, or ~0u when allowed (with @gpa). */
static u32 walk(u64 lin, bool write, bool user, u64 *gpa)
{
	u32 err = 0xdead;
	u64 g = 0;

	if (gwalk_check(&vcpu, lin, write, user, &g, &err)) {
		if (gpa)
			*gpa = g;
		return ~0u;
	}
	return err;
}

/* 32-bit paging: directory at 0x1000; 0x400000-0x7fffff through the table
 * at 0x2000; 4 MiB page at 0x800000 -> 0xc00000 (PSE). */
static void tables32(u32 pde_flags, u32 pte_flags)
{
	regs[REG_CR3] = 0x1000;
	regs[REG_CR4] = CR4_PSE;
	put32(0x1000 + 1 * 4, 0x2000 | pde_flags);
	put32(0x2000 + 5 * 4, 0x5000 | pte_flags);
	put32(0x1000 + 2 * 4, 0xc00000 | PS | P | RW | US);
}

static void test_32bit(void **state)
{
	u64 gpa;

	(void)state;
	tables32(P | RW | US, P | RW | US);
	assert_int_equal(walk(0x405123, true, true, &gpa), ~0u);
	assert_int_equal(gpa, 0x5123);
	assert_int_equal(walk(0x812345, false, false, &gpa), ~0u);
	assert_int_equal(gpa, 0xc12345);
	/* missing table entry, missing directory entry */
	assert_int_equal(walk(0x406000, true, false, NULL), GWALK_PF_W);
	assert_int_equal(walk(0xc00000, false, true, NULL), GWALK_PF_U);
	/* the directory's U/S and R/W count too */
	tables32(P | RW, P | RW | US);
	assert_int_equal(walk(0x405000, false, true, NULL), GWALK_PF_P | GWALK_PF_U);
	assert_int_equal(walk(0x405000, true, false, NULL), ~0u);
	tables32(P | US, P | RW | US);
	assert_int_equal(walk(0x405000, true, true, NULL), GWALK_PF_P | GWALK_PF_W | GWALK_PF_U);
	assert_int_equal(walk(0x405000, false, true, NULL), ~0u);
}

/* A supervisor write to a read-only page faults only under CR0.WP; a
 * supervisor access to a user page only under CR4.SMAP without AC. */
static void test_wp_and_smap(void **state)
{
	(void)state;
	tables32(P | RW | US, P | US);
	assert_int_equal(walk(0x405000, true, false, NULL), ~0u);
	regs[REG_CR0] |= CR0_WP;
	assert_int_equal(walk(0x405000, true, false, NULL), GWALK_PF_P | GWALK_PF_W);
	assert_int_equal(walk(0x405000, false, false, NULL), ~0u);
	regs[REG_CR4] |= CR4_SMAP;
	assert_int_equal(walk(0x405000, false, false, NULL), GWALK_PF_P);
	regs[REG_RFLAGS] = RFLAGS_AC;
	assert_int_equal(walk(0x405000, false, false, NULL), ~0u);
	assert_int_equal(walk(0x405000, false, true, NULL), ~0u); /* users are not SMAP's */
	tables32(P | RW | US, P | RW); /* a supervisor page: SMAP does not apply */
	regs[REG_RFLAGS] = 0;
	assert_int_equal(walk(0x405000, true, false, NULL), ~0u);
}

/* PAE: the PDPTEs carry no R/W or U/S (§4.4.1); 2 MiB pages. */
static void test_pae(void **state)
{
	u64 gpa;

	(void)state;
	regs[REG_CR3] = 0x1000;
	regs[REG_CR4] = CR4_PAE;
	put64(0x1000 + 0 * 8, 0x2000 | P);
	put64(0x2000 + 3 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 4 * 8, 0x9000 | P | US);
	put64(0x2000 + 4 * 8, 0x200000 | PS | P | RW);
	assert_int_equal(walk(0x604010, false, true, &gpa), ~0u);
	assert_int_equal(gpa, 0x9010);
	assert_int_equal(walk(0x604010, true, true, NULL), GWALK_PF_P | GWALK_PF_W | GWALK_PF_U);
	assert_int_equal(walk(0x812345, true, false, &gpa), ~0u);
	assert_int_equal(gpa, 0x212345);
	assert_int_equal(walk(0x812345, false, true, NULL), GWALK_PF_P | GWALK_PF_U);
	assert_int_equal(walk(0x40000000, false, false, NULL), 0); /* PDPTE 1 missing */
}

/* 4-level paging: a 1 GiB page and a 4 KiB page below a user PML4E. */
static void test_long_mode(void **state)
{
	u64 gpa;

	(void)state;
	regs[REG_CR3] = 0x1000;
	regs[REG_CR4] = CR4_PAE;
	regs[REG_EFER] = EFER_LMA;
	put64(0x1000 + 0 * 8, 0x2000 | P | RW | US);
	put64(0x2000 + 1 * 8, 0x40000000 | PS | P | RW | US);
	put64(0x2000 + 0 * 8, 0x3000 | P | RW);
	put64(0x3000 + 0 * 8, 0x4000 | P | RW | US);
	put64(0x4000 + 7 * 8, 0xa000 | P | RW | US);
	assert_int_equal(walk(0x40001234, true, true, &gpa), ~0u);
	assert_int_equal(gpa, 0x40001234);
	assert_int_equal(walk(0x7008, true, false, &gpa), ~0u);
	assert_int_equal(gpa, 0xa008);
	assert_int_equal(walk(0x7008, false, true, NULL), GWALK_PF_P | GWALK_PF_U);
	assert_int_equal(walk(0x8000, true, false, NULL), GWALK_PF_W);
	assert_int_equal(walk(0xffff800000000000ULL, false, false, NULL), 0);
}

static void test_paging_off(void **state)
{
	u64 gpa;

	(void)state;
	regs[REG_CR0] = 1;
	assert_int_equal(walk(0x12345678, true, true, &gpa), ~0u);
	assert_int_equal(gpa, 0x12345678);
}

static struct vcpu_code_view view(void)
{
	return (struct vcpu_code_view){ .cr0 = regs[REG_CR0], .cr3 = regs[REG_CR3],
					.cr4 = regs[REG_CR4], .efer = regs[REG_EFER] };
}

static void test_memo(void **state)
{
	struct gwalk_memo m;
	struct vcpu_code_view cv;
	u64 gpa = 0;

	(void)state;
	/* 4-level: four entries recorded, any one changed breaks it. */
	regs[REG_CR3] = 0x1000;
	regs[REG_CR4] = CR4_PAE;
	regs[REG_EFER] = EFER_LMA;
	put64(0x1000, 0x2000 | P | RW);
	put64(0x2000, 0x3000 | P | RW);
	put64(0x3000, 0x4000 | P | RW);
	put64(0x4000 + 7 * 8, 0xa000 | P | RW);
	cv = view();
	assert_true(gwalk_translate_memo(&vcpu, &cv, 0x7123, &gpa, &m));
	assert_int_equal(gpa, 0xa123);
	assert_int_equal(m.n, 4);
	assert_true(gwalk_memo_holds(&m, &cv));
	put64(0x4000 + 7 * 8, 0xb000 | P | RW); /* the PTE now maps elsewhere */
	assert_false(gwalk_memo_holds(&m, &cv));
	put64(0x4000 + 7 * 8, 0xa000 | P | RW);
	assert_true(gwalk_memo_holds(&m, &cv));
	put64(0x3000, 0x400000 | PS | P | RW); /* the PDE a 2 MiB page */
	assert_false(gwalk_memo_holds(&m, &cv));
	put64(0x3000, 0x4000 | P | RW);
	put64(0x1000, 0x2000 | P | RW | 0x20); /* even the accessed bit */
	assert_false(gwalk_memo_holds(&m, &cv));
	put64(0x1000, 0x2000 | P | RW);
	assert_true(gwalk_memo_holds(&m, &cv));
	cv.cr3 = 0x5000;
	assert_false(gwalk_memo_holds(&m, &cv));
	cv = view();
	cv.cr4 |= CR4_PSE;
	assert_false(gwalk_memo_holds(&m, &cv));
	cv = view();
	cv.efer = 0;
	assert_false(gwalk_memo_holds(&m, &cv));
	cv = view();
	cv.cr0 &= ~CR0_PG;
	assert_false(gwalk_memo_holds(&m, &cv));

	/* A failed walk leaves no memo. */
	cv = view();
	assert_false(gwalk_translate_memo(&vcpu, &cv, 0x9000, &gpa, &m));
	assert_false(gwalk_memo_holds(&m, &cv));

	/* PAE: the PDPTE, PDE and PTE. */
	regs[REG_EFER] = 0;
	regs[REG_CR3] = 0x6000;
	put64(0x6000, 0x3000 | P);
	cv = view();
	assert_true(gwalk_translate_memo(&vcpu, &cv, 0x7010, &gpa, &m));
	assert_int_equal(gpa, 0xa010);
	assert_int_equal(m.n, 3);
	assert_true(gwalk_memo_holds(&m, &cv));
	put64(0x3000, 0x5000 | P | RW);
	assert_false(gwalk_memo_holds(&m, &cv));

	/* 32-bit paging: 4-byte entries. */
	tables32(P | RW, P | RW);
	cv = view();
	assert_true(gwalk_translate_memo(&vcpu, &cv, 0x405123, &gpa, &m));
	assert_int_equal(gpa, 0x5123);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.size, 4);
	assert_true(gwalk_memo_holds(&m, &cv));
	put32(0x2000 + 5 * 4, 0x7000 | P | RW);
	assert_false(gwalk_memo_holds(&m, &cv));

	/* Paging off: nothing read, only the registers count. */
	regs[REG_CR0] = 1;
	cv = view();
	assert_true(gwalk_translate_memo(&vcpu, &cv, 0x12345, &gpa, &m));
	assert_int_equal(gpa, 0x12345);
	assert_int_equal(m.n, 0);
	assert_true(gwalk_memo_holds(&m, &cv));
	cv.cr0 |= CR0_PG;
	assert_false(gwalk_memo_holds(&m, &cv));
}

/* The bytes at RIP @rip as the exit path fetches them (NULL: none). */
static const u8 *fetch_at(u64 rip)
{
	int mode = 0;
	const u8 *p;

	regs[REG_RIP] = rip;
	p = vcpu_code_bytes(&vcpu, 3, &mode);
	assert_true(!p || mode == 64);
	return p;
}

/* The code TLB: pages fetched from in turn stay remembered (one entry per
 * RIP page modulo CODE_TLB_SIZE); an entry whose walk changed is walked
 * again; a page of the same entry takes its place. */
static void test_code_tlb(void **state)
{
	(void)state;
	memset(vcpu.code_tlb, 0, sizeof(vcpu.code_tlb));
	regs[REG_CR0] = CR0_PG | CR0_PE;
	regs[REG_CR3] = 0x1000;
	regs[REG_CR4] = CR4_PAE;
	regs[REG_EFER] = EFER_LMA | EFER_LME;
	put64(0x1000, 0x2000 | P | RW);
	put64(0x2000, 0x3000 | P | RW);
	put64(0x3000, 0x4000 | P | RW);
	put64(0x4000 + 0x7 * 8, 0xa000 | P | RW);
	put64(0x4000 + 0x8 * 8, 0xb000 | P | RW);
	put64(0x4000 + 0xb * 8, 0xc000 | P | RW);
	put64(0x4000 + 0x9 * 8, 0xd000 | P | RW);
	assert_ptr_equal(fetch_at(0x7010), ram + 0xa010);
	assert_ptr_equal(fetch_at(0x8020), ram + 0xb020);
	/* both remembered: the loop's page and the handler's page in turn */
	assert_ptr_equal(vcpu.code_tlb[0x7 % CODE_TLB_SIZE].host, ram + 0xa000);
	assert_int_equal(vcpu.code_tlb[0x7 % CODE_TLB_SIZE].lin_page, 0x7000);
	assert_ptr_equal(vcpu.code_tlb[0x8 % CODE_TLB_SIZE].host, ram + 0xb000);
	assert_null(fetch_at(0x7ffe)); /* three bytes from 0x7ffe cross the page end */
	assert_ptr_equal(fetch_at(0x7ffd), ram + 0xaffd); /* the last three: in place */
	assert_ptr_equal(fetch_at(0x8020), ram + 0xb020);
	/* the guest remaps 0x7000: the entry's memo no longer holds */
	put64(0x4000 + 0x7 * 8, 0xd000 | P | RW);
	assert_ptr_equal(fetch_at(0x7010), ram + 0xd010);
	assert_ptr_equal(vcpu.code_tlb[0x7 % CODE_TLB_SIZE].host, ram + 0xd000);
	/* 0xb000 shares 0x7000's entry and takes it; 0x8000's stays */
	assert_ptr_equal(fetch_at(0xb004), ram + 0xc004);
	assert_int_equal(vcpu.code_tlb[0xb % CODE_TLB_SIZE].lin_page, 0xb000);
	assert_int_equal(vcpu.code_tlb[0x8 % CODE_TLB_SIZE].lin_page, 0x8000);
	/* a page no longer mapped: no bytes, and no entry left for it */
	put64(0x4000 + 0xb * 8, 0);
	assert_null(fetch_at(0xb004));
	assert_null(vcpu.code_tlb[0xb % CODE_TLB_SIZE].host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_32bit, setup),
		cmocka_unit_test_setup(test_wp_and_smap, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_long_mode, setup),
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_memo, setup),
		cmocka_unit_test_setup(test_code_tlb, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
