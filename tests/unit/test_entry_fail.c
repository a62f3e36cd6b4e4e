// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the names of failed VM entries: the SVM VMRUN
 * consistency checks (arch/x86/svm/svm_check.c, APM Vol. 2 §15.5.1) on a
 * valid long-mode VMCB broken one field at a time, and the VMX failure
 * names (arch/x86/vmx/vmx_fail.c, SDM Vol. 3C §27.8, §31.4). None of them
 * may be the "unknown" of a raw exit code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svm_checks),
		cmocka_unit_test(test_vmx_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
