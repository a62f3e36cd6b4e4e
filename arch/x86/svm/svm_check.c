// SPDX-License-Identifier: MIT
/*
 * Why VMRUN refused a guest: the consistency checks of AMD APM Vol. 2
 * §15.5.1 ("Canonicalization and Consistency Checks"), run on the VMCB
 * after VMRUN exited with VMEXIT_INVALID, so that the stop line names the
 * check instead of a raw exit code. Reserved-bit masks are the
 * architectural ones of APM Vol. 2 §3.1 (a particular CPU may reserve
 * more). Pure: the host unit tests call it on hand-made VMCBs.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/vmcb.h"

#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
/* CR4 bits AMD64 defines (APM Vol. 2 §3.1.3): 0-12, 16-18, 20-23. */
#define CR4_DEFINED 0xf71fffULL
/* EFER bits AMD64 defines (APM Vol. 2 §3.1.7): SCE, LME, LMA, NXE, SVME,
 * LMSLE, FFXSR, TCE, MCOMMIT, INTWB, UAIE, AIBRSE. */
#define EFER_DEFINED 0x37fd01ULL
#define SEG_L (1u << 9) /* VMCB attrib: bit 9 = L, bit 10 = D/B */
#define SEG_D (1u << 10)
#define EVTINJ_TYPE(x) (((x) >> 8) & 7)

static const char *check_long_mode(const struct vmcb_save *s)
{
	if (!(s->efer & EFER_LME) || !(s->cr0 & CR0_PG))
		return NULL;
	if (!(s->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG with CR4.PAE clear";
	if (!(s->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG with CR0.PE clear";
	if ((s->cs.attrib & SEG_L) && (s->cs.attrib & SEG_D))
		return "long mode with CS.L and CS.D both set";
	return NULL;
}

static const char *check_control(const struct vmcb_control *c)
{
	u64 inj = c->eventinj;

	if (!(c->intercept2 & SVM_INTERCEPT_VMRUN))
		return "VMRUN intercept clear";
	if (c->guest_asid == 0)
		return "ASID 0";
	if ((inj & SVM_EVTINJ_VALID) &&
	    (EVTINJ_TYPE(inj) == 1 || EVTINJ_TYPE(inj) > 4 ||
	     (EVTINJ_TYPE(inj) == 3 && ((inj & 0xff) == 2 || (inj & 0xff) > 31))))
		return "illegal EVENTINJ";
	return NULL;
}

bool svm_vmcb_holds_host_state(const struct vmcb *vm, u64 resume_rip, u64 host_cr3)
{
	const u64 frame = 0x000ffffffffff000ULL; /* CR3 without PCD/PWT/PCID */

	return vm->save.rip == resume_rip && (vm->save.cr3 & frame) == (host_cr3 & frame);
}

const char *svm_check_vmcb(const struct vmcb *vm)
{
	const struct vmcb_save *s = &vm->save;
	const char *why;

	if (!(s->efer & EFER_SVME))
		return "EFER.SVME clear";
	if ((s->cr0 & CR0_NW) && !(s->cr0 & CR0_CD))
		return "CR0.NW set with CR0.CD clear";
	if (s->cr0 >> 32)
		return "CR0[63:32] not zero";
	if (s->cr3 >> 52)
		return "CR3 MBZ bits set";
	if (s->cr4 & ~CR4_DEFINED)
		return "CR4 MBZ bits set";
	if (s->dr6 >> 32)
		return "DR6[63:32] not zero";
	if (s->dr7 >> 32)
		return "DR7[63:32] not zero";
	if (s->efer & ~EFER_DEFINED)
		return "EFER MBZ bits set";
	why = check_long_mode(s);
	return why ? why : check_control(&vm->control);
}
