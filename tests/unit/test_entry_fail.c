// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the names of failed VM entries: the SVM VMRUN
 * consistency checks (arch/x86/svm/svm_check.c, APM Vol. 2 §15.5.1) on a
 * valid long-mode VMCB broken one field at a time, and the VMX failure
 * names (arch/x86/vmx/vmx_fail.c, SDM Vol. 3C §27.8, §31.4) and its own
 * guest-state checks (§27.3.1) on a valid 64-bit guest broken one field at
 * a time. None of them may be the "unknown" of a raw exit code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arch/x86/cpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/vmx/vmx.h"

static struct vmcb vm;

/* A 64-bit guest that passes every check. */
static void good_vmcb(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.save.efer = (1ULL << 12) | (1ULL << 8) | (1ULL << 10); /* SVME LME LMA */
	vm.save.cr0 = 0x80000011;                                 /* PG ET PE */
	vm.save.cr3 = 0x1000;
	vm.save.cr4 = 0x20;                                       /* PAE */
	vm.save.dr6 = 0xffff0ff0;
	vm.save.dr7 = 0x400;
	vm.save.cs.attrib = 0x29b;                                /* L, P, code */
	vm.control.intercept2 = SVM_INTERCEPT_VMRUN;
	vm.control.guest_asid = 1;
}

static void expect(const char *name)
{
	const char *got = svm_check_vmcb(&vm);

	assert_non_null(got);
	assert_string_equal(got, name);
	good_vmcb();
}

/* The host's image in the guest state area: RIP after VMRUN and host CR3
 * (any PCID/PCD/PWT bits aside); either alone is a guest's own state. */
static void test_svm_host_state(void **state)
{
	const u64 resume = 0xffffffff8020de7eULL, host_cr3 = 0x3ffde000ULL;

	(void)state;
	good_vmcb();
	assert_false(svm_vmcb_holds_host_state(&vm, resume, host_cr3));
	vm.save.rip = resume;
	assert_false(svm_vmcb_holds_host_state(&vm, resume, host_cr3));
	vm.save.cr3 = host_cr3 | 0x18;
	assert_true(svm_vmcb_holds_host_state(&vm, resume, host_cr3));
	vm.save.rip = resume + 3;
	assert_false(svm_vmcb_holds_host_state(&vm, resume, host_cr3));
	good_vmcb();
}

static void test_svm_checks(void **state)
{
	(void)state;
	good_vmcb();
	assert_null(svm_check_vmcb(&vm));
	vm.save.efer &= ~(1ULL << 12);
	expect("EFER.SVME clear");
	vm.save.cr0 |= 1ULL << 29;
	expect("CR0.NW set with CR0.CD clear");
	vm.save.cr0 |= 1ULL << 40;
	expect("CR0[63:32] not zero");
	vm.save.cr3 |= 1ULL << 60;
	expect("CR3 MBZ bits set");
	vm.save.cr4 |= 1ULL << 15;
	expect("CR4 MBZ bits set");
	vm.save.cr4 |= 1ULL << 13; /* VMXE: no such bit on AMD */
	expect("CR4 MBZ bits set");
	vm.save.dr6 |= 1ULL << 32;
	expect("DR6[63:32] not zero");
	vm.save.dr7 |= 1ULL << 33;
	expect("DR7[63:32] not zero");
	vm.save.efer |= 1ULL << 1;
	expect("EFER MBZ bits set");
	vm.save.cr4 = 0;
	expect("EFER.LME and CR0.PG with CR4.PAE clear");
	vm.save.cr0 &= ~1ULL;
	expect("EFER.LME and CR0.PG with CR0.PE clear");
	vm.save.cs.attrib |= 1u << 10;
	expect("long mode with CS.L and CS.D both set");
	vm.control.guest_asid = 0;
	expect("ASID 0");
	vm.control.intercept2 = 0;
	expect("VMRUN intercept clear");
	vm.control.eventinj = SVM_EVTINJ_VALID | (1u << 8);
	expect("illegal EVENTINJ");
	vm.control.eventinj = SVM_EVTINJ_VALID | (3u << 8) | 2;
	expect("illegal EVENTINJ");
	vm.control.eventinj = SVM_EVTINJ_VALID | (3u << 8) | 13;
	assert_null(svm_check_vmcb(&vm));
}

static void test_vmx_names(void **state)
{
	(void)state;
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_EXITED, 0x80000021, 0, 0),
			    "invalid guest state");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_EXITED, 0x80000021, 0, 2),
			    "invalid guest state: PDPTE loading");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_EXITED, 0x80000022, 0, 1),
			    "MSR loading failed");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_EXITED, 0x80000029, 0, 0),
			    "machine-check event during VM entry");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_FAIL_VALID, 0, 7, 0),
			    "VM entry with invalid control fields");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_FAIL_VALID, 0, 8, 0),
			    "VM entry with invalid host-state fields");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_FAIL_VALID, 0, 5, 0),
			    "VMRESUME with non-launched VMCS");
	assert_string_equal(vmx_entry_failure_name(VMX_ENTER_FAIL_INVALID, 0, 0, 0),
			    "VMfailInvalid (no current VMCS)");
	for (u32 e = 0; e < 64; e++)
		assert_null(strstr(vmx_entry_failure_name(VMX_ENTER_FAIL_VALID, 0, e, 0), "unknown"));
}

/* A 64-bit guest that passes; fixed bits as Bochs reports them. */
static struct vmx_guest_check good_guest(void)
{
	struct vmx_guest_check g = {
		.cr0 = 0x80000031, .cr4 = 0x2020, .efer = 0xd00, .rflags = 0x2,
		.pat = 0x0007040600070406ULL, .dr7 = 0x400,
		.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
		.unrestricted = true, .ia32e = true, .va_bits = 48,
	};

	return g;
}

static void expect_guest(const struct vmx_guest_check *g, const char *name)
{
	const char *got = vmx_check_guest(g);

	assert_non_null(got);
	assert_string_equal(got, name);
}

static void test_vmx_guest_checks(void **state)
{
	struct vmx_guest_check g = good_guest();

	(void)state;
	assert_null(vmx_check_guest(&g));
	g.cr4 |= 1ULL << 24;
	expect_guest(&g, "invalid guest state: CR4 fixed bits");
	g = good_guest();
	g.cr4 &= ~(1ULL << 13);
	expect_guest(&g, "invalid guest state: CR4 fixed bits");
	g = good_guest();
	g.cr0 &= ~(1ULL << 5);
	expect_guest(&g, "invalid guest state: CR0 fixed bits");
	g = good_guest();
	g.cr0 = 0x80000020;
	expect_guest(&g, "invalid guest state: CR0.PG without CR0.PE");
	g = good_guest();
	g.cr4 &= ~CR4_PAE;
	expect_guest(&g, "invalid guest state: IA-32e mode without CR0.PG and CR4.PAE");
	g = good_guest();
	g.ia32e = false;
	g.efer = 0;
	g.cr4 |= 1ULL << 17;
	expect_guest(&g, "invalid guest state: CR4.PCIDE outside IA-32e mode");
	g = good_guest();
	g.dr7 |= 1ULL << 40;
	expect_guest(&g, "invalid guest state: DR7[63:32] not zero");
	g = good_guest();
	g.pat = 0x0007040600070402ULL;
	expect_guest(&g, "invalid guest state: IA32_PAT memory type");
	g = good_guest();
	g.efer |= 1ULL << 1;
	expect_guest(&g, "invalid guest state: IA32_EFER reserved bits");
	g = good_guest();
	g.ia32e = false;
	expect_guest(&g, "invalid guest state: EFER.LMA differs from IA-32e mode guest");
	g = good_guest();
	g.efer &= ~EFER_LME;
	expect_guest(&g, "invalid guest state: EFER.LME differs from EFER.LMA with paging");
	g = good_guest();
	g.bases[0] = 0x0000800000000000ULL;
	expect_guest(&g, "invalid guest state: non-canonical FS base");
	g = good_guest();
	g.bases[7] = 0x8000000000000000ULL;
	expect_guest(&g, "invalid guest state: non-canonical SYSENTER_EIP");
	g.va_bits = 57;
	expect_guest(&g, "invalid guest state: non-canonical SYSENTER_EIP");
	g.bases[7] = 0x0000800000000000ULL;
	assert_null(vmx_check_guest(&g));
	g = good_guest();
	g.rflags = 0;
	expect_guest(&g, "invalid guest state: RFLAGS reserved bits");
	g = good_guest();
	g.rflags |= 1ULL << 17;
	expect_guest(&g, "invalid guest state: RFLAGS.VM in IA-32e mode");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svm_checks),
		cmocka_unit_test(test_svm_host_state),
		cmocka_unit_test(test_vmx_names),
		cmocka_unit_test(test_vmx_guest_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
