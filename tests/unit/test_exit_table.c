// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the exit dispatch table (vmm/exit.c): every enum
 * exit_code from 0 to NR_EXIT_CODES-1 has a row with a non-NULL name and
 * handler, the names are unique and the expected log words, the rows that
 * belong to the per-concern handler files point at those handlers and no
 * other row does, exit_name() answers "invalid" out of range, and the
 * table's own trivial handlers (resume, skip, hypercall) return what
 * their rows promise without touching anything outside the vCPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/log.h"
#include "tests/unit/fake_vcpu_stubs.h"
#include "vmm/exit.h"
#include "vmm/gdb_target.h"
#include "vmm/insn.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/*
 * Link stubs for everything vmm/exit.c references outside itself. The
 * tests read the table and call only the handlers that need none of
 * these, so none is ever called (each would fail the test). The handler
 * stubs exist so their addresses can be compared with the table's rows.
 */
const struct vcpu_ops *vm_ops;

FAKE_EXIT_HANDLERS_UNREACHED_BUT_HLT
FAKE_EXIT_HANDLER_UNREACHED(exit_hlt)
FAKE_EXIT_OTHERS_UNREACHED

void printk(int level, const char *fmt, ...)
{
	(void)level, (void)fmt;
	fail();
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v, (void)vector, (void)has_error, (void)error;
	fail();
}

u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r)
{
	(void)v, (void)r;
	fail();
	return 0;
}

void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	(void)v, (void)r, (void)val;
	fail();
}

/* ---- tests ---- */

static void test_every_row_filled(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_SIZE(exit_table), NR_EXIT_CODES);
	for (u32 c = 0; c < NR_EXIT_CODES; c++) {
		if (!exit_table[c].name || !exit_table[c].handler) {
			print_error("exit code %u has no %s\n", c,
				    exit_table[c].name ? "handler" : "name");
			fail();
		}
		assert_true(strlen(exit_table[c].name) > 0);
		assert_ptr_equal(exit_name(c), exit_table[c].name);
	}
}

static void test_names_unique(void **state)
{
	(void)state;
	for (u32 a = 0; a < NR_EXIT_CODES; a++)
		for (u32 b = a + 1; b < NR_EXIT_CODES; b++)
			if (!strcmp(exit_table[a].name, exit_table[b].name)) {
				print_error("codes %u and %u are both \"%s\"\n", a, b,
					    exit_table[a].name);
				fail();
			}
}

/* Names appear in log lines (exit statistics): one word, no spaces. */
static void test_names_are_log_words(void **state)
{
	(void)state;
	for (u32 c = 0; c < NR_EXIT_CODES; c++)
		for (const char *p = exit_table[c].name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				    *p == '-');
	assert_string_equal(exit_name(EXIT_NONE), "none");
	assert_string_equal(exit_name(EXIT_CPUID), "cpuid");
	assert_string_equal(exit_name(EXIT_HLT), "hlt");
	assert_string_equal(exit_name(EXIT_IO), "io");
	assert_string_equal(exit_name(EXIT_MSR_READ), "rdmsr");
	assert_string_equal(exit_name(EXIT_MSR_WRITE), "wrmsr");
	assert_string_equal(exit_name(EXIT_TRIPLE_FAULT), "triple-fault");
	assert_string_equal(exit_name(EXIT_STAGE2_FAULT), "stage2-fault");
	assert_string_equal(exit_name(EXIT_HYPERCALL), "hypercall");
	assert_string_equal(exit_name(EXIT_ENTRY_FAILED), "entry-failed");
	assert_string_equal(exit_name(EXIT_UNKNOWN), "unknown");
}

static void test_name_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(exit_name(NR_EXIT_CODES), "invalid");
	assert_string_equal(exit_name(NR_EXIT_CODES + 1), "invalid");
	assert_string_equal(exit_name(0x80000021), "invalid"); /* a raw VMX reason */
	assert_string_equal(exit_name(0xffffffff), "invalid");
	assert_string_equal(exit_name(NR_EXIT_CODES - 1), "unknown");
}

/* The rows served by vmm/exit_*.c point at exactly those handlers. */
static void test_external_handlers_wired(void **state)
{
	static const struct {
		u32 code;
		exit_handler_fn fn;
	} rows[] = {
		{ EXIT_CPUID, exit_cpuid },
		{ EXIT_HLT, exit_hlt },
		{ EXIT_IO, exit_io },
		{ EXIT_MSR_READ, exit_msr_read },
		{ EXIT_MSR_WRITE, exit_msr_write },
		{ EXIT_CR_ACCESS, exit_cr_access },
		{ EXIT_APIC_EOI, exit_apic_eoi },
		{ EXIT_DR_ACCESS, exit_dr_access },
		{ EXIT_XSETBV, exit_xsetbv },
		{ EXIT_STAGE2_FAULT, exit_stage2_fault },
		{ EXIT_STEP, gdb_target_step },
	};

	(void)state;
	for (u32 c = 0; c < NR_EXIT_CODES; c++) {
		exit_handler_fn want = NULL;

		for (unsigned i = 0; i < ARRAY_SIZE(rows); i++)
			if (rows[i].code == c)
				want = rows[i].fn;
		if (want) {
			assert_ptr_equal(exit_table[c].handler, want);
			continue;
		}
		for (unsigned i = 0; i < ARRAY_SIZE(rows); i++)
			if (exit_table[c].handler == rows[i].fn) {
				print_error("%s uses the handler of %s\n", exit_table[c].name,
					    exit_table[rows[i].code].name);
				fail();
			}
	}
}

static struct vcpu *new_vcpu(void)
{
	struct vcpu *v = aligned_alloc(_Alignof(struct vcpu), sizeof(*v)); /* its APIC page */

	assert_non_null(v);
	memset(v, 0, sizeof(*v));
	return v;
}

/* Host events re-enter at the same RIP; nothing else is touched. */
static void test_resume_rows(void **state)
{
	static const u32 codes[] = { EXIT_NONE, EXIT_EXTINT, EXIT_NMI, EXIT_INTR_WINDOW };
	struct vcpu *v = new_vcpu();
	struct vm_exit x = { 0 };

	*state = v;
	for (unsigned i = 0; i < ARRAY_SIZE(codes); i++) {
		x.code = codes[i];
		assert_int_equal(exit_table[codes[i]].handler(v, &x), EXIT_RESUME);
	}
	for (unsigned r = 0; r < NR_GPRS; r++)
		assert_int_equal(v->hw.gprs[r], 0);
}

/* INVD, WBINVD and PAUSE are simply skipped. */
static void test_skip_rows(void **state)
{
	static const u32 codes[] = { EXIT_INVD, EXIT_WBINVD, EXIT_PAUSE };
	struct vcpu *v = new_vcpu();
	struct vm_exit x = { 0 };

	*state = v;
	for (unsigned i = 0; i < ARRAY_SIZE(codes); i++) {
		x.code = codes[i];
		x.insn_len = 2;
		assert_int_equal(exit_table[codes[i]].handler(v, &x), EXIT_ADVANCE);
	}
	/* Those three share one handler. */
	assert_ptr_equal(exit_table[EXIT_INVD].handler, exit_table[EXIT_WBINVD].handler);
	assert_ptr_equal(exit_table[EXIT_INVD].handler, exit_table[EXIT_PAUSE].handler);
}

/* Hypercall 0 (HC_NOP) returns 0 in RAX, any other number -1. */
static void test_hypercall_row(void **state)
{
	static const u64 numbers[] = { 1, 2, 0x1234, 0xffffffffffffffffULL };
	struct vcpu *v = new_vcpu();
	struct vm_exit x = { .code = EXIT_HYPERCALL, .insn_len = 3 };

	*state = v;
	v->hw.gprs[GPR_RAX] = 0;
	v->hw.gprs[GPR_RBX] = 0x55;
	assert_int_equal(exit_table[EXIT_HYPERCALL].handler(v, &x), EXIT_ADVANCE);
	assert_int_equal(v->hw.gprs[GPR_RAX], 0);
	for (unsigned i = 0; i < ARRAY_SIZE(numbers); i++) {
		v->hw.gprs[GPR_RAX] = numbers[i];
		assert_int_equal(exit_table[EXIT_HYPERCALL].handler(v, &x), EXIT_ADVANCE);
		assert_int_equal(v->hw.gprs[GPR_RAX], ~0ULL);
	}
	assert_int_equal(v->hw.gprs[GPR_RBX], 0x55);
}

static int free_vcpu(void **state)
{
	free(*state);
	*state = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_filled),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_names_are_log_words),
		cmocka_unit_test(test_name_out_of_range),
		cmocka_unit_test(test_external_handlers_wired),
		cmocka_unit_test_teardown(test_resume_rows, free_vcpu),
		cmocka_unit_test_teardown(test_skip_rows, free_vcpu),
		cmocka_unit_test_teardown(test_hypercall_row, free_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
