// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the single-step trap of emulated instructions
 * (vmm/exit.c, advance()): an instruction the exit path emulates and skips
 * with RFLAGS.TF set asks the back-end once for its #DB (SDM Vol. 3B
 * §18.3.1.4) after RIP moved past it and its interrupt shadow ended, and
 * ends a HLT; without TF, or when the handler did not complete the
 * instruction (it injected a fault, or resumes without advancing), no
 * trap is asked for.
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
#include "vmm/insn.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define RFLAGS_TF (1ULL << 8)

/* The fake back-end: registers in an array, hooks counted in order. */
static u64 regs[NR_REGS];
static int calls, shadow_ended_at, trap_at;
static u64 trap_rip;

static void fake_end_intr_shadow(struct vcpu_hw *v)
{
	(void)v;
	shadow_ended_at = ++calls;
}

static bool fake_skip_insn(struct vcpu_hw *v, u64 next_rip)
{
	regs[REG_RIP] = next_rip;
	fake_end_intr_shadow(v);
	return regs[REG_RFLAGS] & RFLAGS_TF;
}

static void fake_single_step_trap(struct vcpu_hw *v)
{
	(void)v;
	trap_at = ++calls;
	trap_rip = regs[REG_RIP];
}

static const struct vcpu_ops fake_ops = {
	.end_intr_shadow = fake_end_intr_shadow,
	.skip_insn = fake_skip_insn,
	.single_step_trap = fake_single_step_trap,
};

const struct vcpu_ops *vm_ops = &fake_ops;

/* Link stubs for what vmm/exit.c references; the handler files' rows
 * are not used here. */
FAKE_EXIT_HANDLERS_UNREACHED_BUT_HLT
FAKE_EXIT_OTHERS_UNREACHED
FAKE_VCPU_REGS(regs)

/* HLT halts and completes, as vmm/exit_misc.c does. */
enum exit_action exit_hlt(struct vcpu *v, const struct vm_exit *x)
{
	(void)x;
	v->halted = true;
	return EXIT_ADVANCE;
}

void printk(int level, const char *fmt, ...)
{
	(void)level, (void)fmt;
}

static int injected;

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v, (void)vector, (void)has_error, (void)error;
	injected++;
}

/* ---- tests ---- */

static struct vcpu *exit_with(u32 code, u8 len, u64 rflags)
{
	struct vcpu *v = aligned_alloc(_Alignof(struct vcpu), sizeof(*v)); /* its APIC page */

	assert_non_null(v);
	memset(v, 0, sizeof(*v));
	memset(regs, 0, sizeof(regs));
	regs[REG_RIP] = 0x1000;
	regs[REG_RFLAGS] = rflags;
	calls = shadow_ended_at = trap_at = injected = 0;
	trap_rip = 0;
	v->hw.exit.code = code;
	v->hw.exit.insn_len = len;
	v->hw.exit.rip = regs[REG_RIP]; /* as the back-ends record it */
	return v;
}

static void test_tf_traps_after_the_instruction(void **state)
{
	struct vcpu *v = exit_with(EXIT_HYPERCALL, 3, 0x2 | RFLAGS_TF);

	(void)state;
	assert_int_equal(exit_dispatch(v), EXIT_ADVANCE);
	assert_int_equal(regs[REG_RIP], 0x1003);
	assert_int_equal(trap_rip, 0x1003); /* a trap: RIP after the insn */
	assert_int_equal(calls, 2);
	assert_true(shadow_ended_at < trap_at); /* the shadow ended first */
	free(v);
}

static void test_no_tf_no_trap(void **state)
{
	struct vcpu *v = exit_with(EXIT_WBINVD, 2, 0x2);

	(void)state;
	assert_int_equal(exit_dispatch(v), EXIT_ADVANCE);
	assert_int_equal(regs[REG_RIP], 0x1002);
	assert_int_equal(trap_at, 0);
	assert_int_equal(shadow_ended_at, 1);
	free(v);
}

/* A faulting instruction (here #UD for a VMX/SVM instruction) did not
 * complete: the fault, no trap, RIP stays. */
static void test_fault_no_trap(void **state)
{
	struct vcpu *v = exit_with(EXIT_VIRT_INSN, 3, 0x2 | RFLAGS_TF);

	(void)state;
	assert_int_equal(exit_dispatch(v), EXIT_RESUME);
	assert_int_equal(injected, 1);
	assert_int_equal(trap_at, 0);
	assert_int_equal(regs[REG_RIP], 0x1000);
	free(v);
}

/* An exit that emulated nothing (a host interrupt) has no trap. */
static void test_resume_no_trap(void **state)
{
	struct vcpu *v = exit_with(EXIT_EXTINT, 0, 0x2 | RFLAGS_TF);

	(void)state;
	assert_int_equal(exit_dispatch(v), EXIT_RESUME);
	assert_int_equal(calls, 0);
	free(v);
}

/* A REP iteration under TF (exit_rep_step()): the shadow ends, then the
 * trap, RIP still at the instruction; without TF nothing. */
static void test_rep_iteration_traps(void **state)
{
	struct vcpu *v = exit_with(EXIT_IO, 2, 0x2 | RFLAGS_TF);

	(void)state;
	v->halted = true;
	assert_true(exit_rep_step(v));
	assert_int_equal(calls, 2);
	assert_true(shadow_ended_at < trap_at);
	assert_int_equal(trap_rip, 0x1000);
	assert_false(v->halted);
	free(v);
	v = exit_with(EXIT_IO, 2, 0x2);
	assert_false(exit_rep_step(v));
	assert_int_equal(calls, 0);
	free(v);
}

/* HLT with TF: the trap is taken at once and ends the halt. */
static void test_hlt_trap_ends_halt(void **state)
{
	struct vcpu *v = exit_with(EXIT_HLT, 1, 0x202 | RFLAGS_TF);

	(void)state;
	assert_int_equal(exit_dispatch(v), EXIT_ADVANCE);
	assert_int_equal(trap_rip, 0x1001);
	assert_false(v->halted);
	free(v);
	v = exit_with(EXIT_HLT, 1, 0x202);
	assert_int_equal(exit_dispatch(v), EXIT_ADVANCE);
	assert_true(v->halted);
	assert_int_equal(trap_at, 0);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tf_traps_after_the_instruction),
		cmocka_unit_test(test_no_tf_no_trap),
		cmocka_unit_test(test_fault_no_trap),
		cmocka_unit_test(test_resume_no_trap),
		cmocka_unit_test(test_hlt_trap_ends_halt),
		cmocka_unit_test(test_rep_iteration_traps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
