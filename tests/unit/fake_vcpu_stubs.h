/* SPDX-License-Identifier: MIT */
/*
 * Fakes shared by the host tests that compile vmm/ files against a fake
 * vCPU (tests/unit/test_exit_step.c, test_exit_table.c, test_mmio.c and
 * tests/fuzz/fake_vcpu.c): each macro defines, in the one file that uses
 * it, link definitions of functions the production files call. The
 * *_UNREACHED ones fail the cmocka test when called (they are for code the
 * test never reaches); the others are small working fakes over the
 * test's own arrays. Single-threaded test programs only.
 */
#ifndef TESTS_UNIT_FAKE_VCPU_STUBS_H
#define TESTS_UNIT_FAKE_VCPU_STUBS_H

#include <string.h>

#include "vmm/exit.h"
#include "vmm/gmem.h"
#include "vmm/vcpu.h"

/* The translation memo over the test's own gwalk_translate_view: no memo
 * is valid, so every instruction fetch walks again (gwalk_memo_holds, an
 * inline, finds none). */
#define FAKE_GWALK_NO_MEMO                                                 \
	bool gwalk_translate_memo(struct vcpu *v, const struct vcpu_code_view *cv, \
				  u64 lin, u64 *gpa, struct gwalk_memo *m) \
	{                                                                  \
		m->valid = false;                                          \
		return gwalk_translate_view(v, cv, lin, gpa);              \
	}

/* An exit handler of a per-concern file that the test does not run. */
#define FAKE_EXIT_HANDLER_UNREACHED(name)                                  \
	enum exit_action name(struct vcpu *v, const struct vm_exit *x)     \
	{                                                                  \
		(void)v, (void)x;                                          \
		fail();                                                    \
		return EXIT_STOP;                                          \
	}

/* Every handler vmm/exit.c's table names from other files but HLT. */
#define FAKE_EXIT_HANDLERS_UNREACHED_BUT_HLT                               \
	FAKE_EXIT_HANDLER_UNREACHED(exit_io)                               \
	FAKE_EXIT_HANDLER_UNREACHED(exit_msr_read)                         \
	FAKE_EXIT_HANDLER_UNREACHED(exit_msr_write)                        \
	FAKE_EXIT_HANDLER_UNREACHED(exit_cpuid)                            \
	FAKE_EXIT_HANDLER_UNREACHED(exit_xsetbv)                           \
	FAKE_EXIT_HANDLER_UNREACHED(exit_stage2_fault)                     \
	FAKE_EXIT_HANDLER_UNREACHED(exit_cr_access)                        \
	FAKE_EXIT_HANDLER_UNREACHED(exit_apic_eoi)                         \
	FAKE_EXIT_HANDLER_UNREACHED(exit_dr_access)                        \
	FAKE_EXIT_HANDLER_UNREACHED(exit_debug_exception)

/* The rest of what vmm/exit.c references: instruction fetch and length,
 * stopping the VM, the MMIO statistics. */
#define FAKE_EXIT_OTHERS_UNREACHED                                         \
	unsigned vcpu_fetch_code(struct vcpu *v, u8 *buf, unsigned len,    \
				 int *mode)                                \
	{                                                                  \
		(void)v, (void)buf, (void)len, (void)mode;                 \
		fail();                                                    \
		return 0;                                                  \
	}                                                                  \
	const u8 *vcpu_code_bytes_miss(struct vcpu *v,                     \
				       const struct vcpu_code_view *cv,    \
				       unsigned len, int *mode)            \
	{                                                                  \
		(void)v, (void)cv, (void)len, (void)mode;                  \
		fail();                                                    \
		return NULL;                                               \
	}                                                                  \
	void vcpu_code_view_by_regs(struct vcpu *v, struct vcpu_code_view *cv) \
	{                                                                  \
		(void)v, (void)cv;                                         \
		fail();                                                    \
	}                                                                  \
	int insn_length_at_rip(struct vcpu *v)                             \
	{                                                                  \
		(void)v;                                                   \
		fail();                                                    \
		return -1;                                                 \
	}                                                                  \
	void vm_stop(struct vm *vm, const char *fmt, ...)                  \
	{                                                                  \
		(void)vm, (void)fmt;                                       \
		fail();                                                    \
	}                                                                  \
	void mmio_stats_log(const struct vm *vm)                           \
	{                                                                  \
		(void)vm;                                                  \
		fail();                                                    \
	}                                                                  \
	enum exit_action gdb_target_exception(struct vcpu *v,              \
					      const struct vm_exit *x)     \
	{                                                                  \
		(void)v, (void)x;                                          \
		fail();                                                    \
		return EXIT_STOP;                                          \
	}                                                                  \
	enum exit_action gdb_target_step(struct vcpu *v, const struct vm_exit *x) \
	{                                                                  \
		(void)v, (void)x;                                          \
		fail();                                                    \
		return EXIT_STOP;                                          \
	}

/* vcpu_reg()/vcpu_set_reg() over the test's u64 @array[NR_REGS]. */
#define FAKE_VCPU_REGS(array)                                              \
	u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r)                      \
	{                                                                  \
		(void)v;                                                   \
		return (array)[r];                                         \
	}                                                                  \
	void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)        \
	{                                                                  \
		(void)v;                                                   \
		(array)[r] = val;                                          \
	}

/* Guest RAM as the test's byte array @bytes at guest-physical 0, where
 * @in_ram(gpa, len) says it is (gmem.h: gmem_is_ram/read/write). */
#define FAKE_GMEM(bytes, in_ram)                                           \
	bool gmem_is_ram(const struct gmem *m, u64 gpa, u64 len)           \
	{                                                                  \
		(void)m;                                                   \
		return in_ram(gpa, len);                                   \
	}                                                                  \
	bool gmem_read(const struct gmem *m, u64 gpa, void *dst, u64 len)  \
	{                                                                  \
		(void)m;                                                   \
		if (!in_ram(gpa, len))                                     \
			return false;                                      \
		memcpy(dst, (bytes) + gpa, len);                           \
		return true;                                               \
	}                                                                  \
	void *gmem_ptr(const struct gmem *m, u64 gpa, u64 len)             \
	{                                                                  \
		(void)m;                                                   \
		return in_ram(gpa, len) ? (void *)((bytes) + gpa) : NULL;  \
	}                                                                  \
	bool gmem_write(const struct gmem *m, u64 gpa, const void *src, u64 len) \
	{                                                                  \
		(void)m;                                                   \
		if (!in_ram(gpa, len))                                     \
			return false;                                      \
		memcpy((bytes) + gpa, src, len);                           \
		return true;                                               \
	}

#endif
