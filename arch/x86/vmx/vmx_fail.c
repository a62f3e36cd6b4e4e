// SPDX-License-Identifier: MIT
/*
 * Names for the ways a VM entry fails (Intel SDM Vol. 3C): VMLAUNCH or
 * VMRESUME failing as an instruction with a VM-instruction error number
 * (§31.4, Table 31-1: bad controls, bad host state, VMCS launch state), or
 * the entry failing while loading the guest and exiting with bit 31 of
 * the exit reason set (§27.8: basic reason 33 invalid guest state, 34 MSR
 * loading, 41 machine-check event). When the CPU says only "invalid guest
 * state", vmx_check_guest() repeats the main checks of §27.3.1 on the
 * guest-state fields to name the one that failed. For the guest's stop
 * line. Pure: the host unit tests call both.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx.h"

#define REASON_INVALID_GUEST_STATE 33
#define REASON_MSR_LOADING 34
#define REASON_MACHINE_CHECK 41
#define CR4_PCIDE (1ULL << 17)
#define EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define RFLAGS_FIXED1 (1ULL << 1)
#define RFLAGS_MBZ (~0x3f7fd7ULL) /* bits 3, 5, 15, 22-63 (§27.3.1.4) */
#define RFLAGS_VM (1ULL << 17)

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

static bool canonical(u64 va, unsigned bits)
{
	return (u64)((s64)(va << (64 - bits)) >> (64 - bits)) == va;
}

static bool pat_ok(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* §27.3.1.1: control registers, debug registers and MSRs. */
static const char *check_regs(const struct vmx_guest_check *g)
{
	u64 fixed0 = g->cr0_fixed0 & ~(g->unrestricted ? CR0_PE | CR0_PG : 0);

	if ((g->cr0 & fixed0) != fixed0 || (g->cr0 & ~g->cr0_fixed1))
		return "invalid guest state: CR0 fixed bits";
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return "invalid guest state: CR0.PG without CR0.PE";
	if ((g->cr4 & g->cr4_fixed0) != g->cr4_fixed0 || (g->cr4 & ~g->cr4_fixed1))
		return "invalid guest state: CR4 fixed bits";
	if (g->ia32e && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
		return "invalid guest state: IA-32e mode without CR0.PG and CR4.PAE";
	if (!g->ia32e && (g->cr4 & CR4_PCIDE))
		return "invalid guest state: CR4.PCIDE outside IA-32e mode";
	if (g->dr7 >> 32)
		return "invalid guest state: DR7[63:32] not zero";
	if (!pat_ok(g->pat))
		return "invalid guest state: IA32_PAT memory type";
	if (g->efer & ~EFER_KNOWN)
		return "invalid guest state: IA32_EFER reserved bits";
	if (!!(g->efer & EFER_LMA) != g->ia32e)
		return "invalid guest state: EFER.LMA differs from IA-32e mode guest";
	if ((g->cr0 & CR0_PG) && !!(g->efer & EFER_LMA) != !!(g->efer & EFER_LME))
		return "invalid guest state: EFER.LME differs from EFER.LMA with paging";
	return NULL;
}

const char *vmx_check_guest(const struct vmx_guest_check *g)
{
	static const char *const base_names[VMX_CHECK_BASES] = {
		"invalid guest state: non-canonical FS base",
		"invalid guest state: non-canonical GS base",
		"invalid guest state: non-canonical LDTR base",
		"invalid guest state: non-canonical TR base",
		"invalid guest state: non-canonical GDTR base",
		"invalid guest state: non-canonical IDTR base",
		"invalid guest state: non-canonical SYSENTER_ESP",
		"invalid guest state: non-canonical SYSENTER_EIP",
	};
	const char *why = check_regs(g);

	if (why)
		return why;
	for (unsigned i = 0; i < VMX_CHECK_BASES; i++)
		if (!canonical(g->bases[i], g->va_bits))
			return base_names[i];
	if (!(g->rflags & RFLAGS_FIXED1) || (g->rflags & RFLAGS_MBZ))
		return "invalid guest state: RFLAGS reserved bits";
	if (g->ia32e && (g->rflags & RFLAGS_VM))
		return "invalid guest state: RFLAGS.VM in IA-32e mode";
	return NULL;
}
