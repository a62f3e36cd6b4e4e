// SPDX-License-Identifier: MIT
/*
 * Names for the ways a VM entry fails (Intel SDM Vol. 3C): VMLAUNCH or
 * VMRESUME failing as an instruction with a VM-instruction error number
 * (§31.4, Table 31-1: bad controls, bad host state, VMCS launch state), or
 * the entry failing while loading the guest and exiting with bit 31 of
 * the exit reason set (§27.8: basic reason 33 invalid guest state, 34 MSR
 * loading, 41 machine-check event). For the guest's stop line. Pure: the
 * host unit tests call it.
 */
#include "arch/x86/vmx/vmx.h"

#define REASON_INVALID_GUEST_STATE 33
#define REASON_MSR_LOADING 34
#define REASON_MACHINE_CHECK 41

static const char *insn_error_name(u32 err)
{
	switch (err) {
	case 4: return "VMLAUNCH with non-clear VMCS";
	case 5: return "VMRESUME with non-launched VMCS";
	case 6: return "VMRESUME after VMXOFF";
	case 7: return "VM entry with invalid control fields";
	case 8: return "VM entry with invalid host-state fields";
	case 16: case 17: case 18: case 25:
		return "VM entry with an invalid executive VMCS";
	case 26: return "VM entry with events blocked by MOV SS";
	default: return "VMLAUNCH/VMRESUME failed (VM-instruction error)";
	}
}

/* §27.8: the exit qualification of a failed guest-state check. */
static const char *guest_state_name(u64 qual)
{
	switch (qual) {
	case 2: return "invalid guest state: PDPTE loading";
	case 3: return "invalid guest state: NMI injection while blocked by STI";
	case 4: return "invalid guest state: VMCS link pointer";
	default: return "invalid guest state";
	}
}

const char *vmx_entry_failure_name(u32 how, u32 reason, u32 insn_error, u64 qual)
{
	if (how == VMX_ENTER_FAIL_INVALID)
		return "VMfailInvalid (no current VMCS)";
	if (how == VMX_ENTER_FAIL_VALID)
		return insn_error_name(insn_error);
	switch (reason & 0xffff) {
	case REASON_INVALID_GUEST_STATE: return guest_state_name(qual);
	case REASON_MSR_LOADING: return "MSR loading failed";
	case REASON_MACHINE_CHECK: return "machine-check event during VM entry";
	default: return "VM entry failed";
	}
}
