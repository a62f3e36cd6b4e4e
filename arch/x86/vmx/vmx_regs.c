// SPDX-License-Identifier: MIT
/*
 * A VMX vCPU's registers and events as vmm/ sees them (struct vcpu_ops):
 * registers and segments in the guest-state area of the current VMCS
 * (Intel SDM Vol. 3C §25.4), CR0/CR4 split into the real value and the
 * value the guest reads (§25.6.6), segment attributes converted between
 * the AMD layout of struct segment and VMX access rights (§25.4.1), and
 * event injection through the VM-entry interruption-information field
 * (§25.8.3, §27.6). Every function expects the vCPU's VMCS to be current:
 * vmm/ calls them on the CPU that runs the vCPU, after vcpu_init.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/mm.h"

#define RFLAGS_FIXED1 (1ULL << 1)
#define EPT_READ 1ULL
#define EPT_MT_WB 6
#define AR_TYPE_ACCESSED 1u
#define AR_TYPE_TSS_BUSY 2u
#define ATTR_DPL (3u << 5)
/* Exceptions that push an error code (SDM Vol. 3A §6.15; §27.2.1.3). */
#define EXC_WITH_ERROR ((1u << 8) | (0x1fu << 10) | (1u << 17))

/*
 * Registers kept in a guest-state field as they are (§25.4.1-§25.4.2).
 * Zero means none: encoding 0 is the VPID, never a register.
 */
static const u32 reg_field[NR_REGS] = {
	[REG_RSP] = GUEST_RSP, [REG_RIP] = GUEST_RIP, [REG_RFLAGS] = GUEST_RFLAGS,
	[REG_CR3] = GUEST_CR3, [REG_EFER] = GUEST_IA32_EFER, [REG_DR7] = GUEST_DR7,
	[REG_PAT] = GUEST_IA32_PAT, [REG_SYSENTER_CS] = GUEST_SYSENTER_CS,
	[REG_SYSENTER_ESP] = GUEST_SYSENTER_ESP, [REG_SYSENTER_EIP] = GUEST_SYSENTER_EIP,
};

/*
 * The SYSCALL and SWAPGS MSRs have no VMCS field: VM entries and exits
 * leave them alone (§27.3.2.1, §28.5.1 name only the MSRs they load). The
 * hypervisor never executes SYSCALL or SWAPGS, and a CPU runs one vCPU, so
 * the guest's values simply live in the CPU's MSRs (the guest's SWAPGS
 * changes IA32_KERNEL_GS_BASE without an exit). Zero: not one of them.
 */
static const u32 reg_msr[NR_REGS] = {
	[REG_STAR] = MSR_IA32_STAR, [REG_LSTAR] = MSR_IA32_LSTAR,
	[REG_CSTAR] = MSR_IA32_CSTAR, [REG_SFMASK] = MSR_IA32_FMASK,
	[REG_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

/* §27.3.1.1 and WRMSR (SDM Vol. 2B): these hold linear addresses that
 * must be canonical (48-bit; 57-bit with 5-level host paging). */
static bool canonical(u64 va)
{
	int bits = (read_cr4() & CR4_LA57) ? 57 : 48;

	return (u64)((s64)(va << (64 - bits)) >> (64 - bits)) == va;
}

static bool holds_address(enum vcpu_reg r)
{
	return r == REG_LSTAR || r == REG_CSTAR || r == REG_KERNEL_GS_BASE ||
	       r == REG_SYSENTER_ESP || r == REG_SYSENTER_EIP;
}

/* §26.3 (MOV from CR0/CR4): owned bits come from the read shadow. */
static u64 cr_guest_view(u32 real, u32 shadow, u64 mask)
{
	return (vmcs_read64(real) & ~mask) | (vmcs_read64(shadow) & mask);
}

/*
 * The debug registers as the guest sees them (SDM Vol. 3B §18.2): DR7 in
 * the VMCS (loaded and saved with the debug controls, §27.3.2.1,
 * §28.3.1), DR0-DR3 and DR6 in the CPU (VM entries and exits leave them,
 * and a CPU runs one vCPU), or all aside while the debugger owns them.
 */
static bool is_dr(enum vcpu_reg r)
{
	return r == REG_DR7 || (r >= REG_DR0 && r <= REG_DR6);
}

static unsigned dr_num(enum vcpu_reg r)
{
	return r == REG_DR7 ? 7 : r == REG_DR6 ? 6 : r - REG_DR0;
}

static u64 get_dr(struct vmx_vcpu *s, enum vcpu_reg r)
{
	unsigned n = dr_num(r);

	if (s->hw)
		return n == 7 ? s->guest_dr7 : n == 6 ? s->guest_dr6 : s->guest_dr[n];
	return n == 7 ? vmcs_read64(GUEST_DR7) : read_dr(n);
}

static void set_dr(struct vmx_vcpu *s, enum vcpu_reg r, u64 val)
{
	unsigned n = dr_num(r);

	if (s->hw)
		*(n == 7 ? &s->guest_dr7 : n == 6 ? &s->guest_dr6 : &s->guest_dr[n]) = val;
	else if (n == 7)
		vmcs_write64(GUEST_DR7, val);
	else
		write_dr(n, val);
}

u64 vmx_get_reg(struct vcpu_hw *v, enum vcpu_reg r)
{
	if (is_dr(r))
		return get_dr(vmx_priv(v), r);
	switch (r) {
	case REG_CR0:
		return cr_guest_view(GUEST_CR0, CR0_READ_SHADOW, vmx_config.cr0_mask);
	case REG_CR4:
		return cr_guest_view(GUEST_CR4, CR4_READ_SHADOW, vmx_config.cr4_mask);
	case REG_CR2:
		return vmx_priv(v)->cr2;
	default:
		if (r < NR_REGS && reg_field[r])
			return vmcs_read64(reg_field[r]);
		if (r < NR_REGS && reg_msr[r])
			return rdmsr(reg_msr[r]);
		return 0;
	}
}

/*
 * Write a register as given, without the side effects a guest write has.
 * A non-canonical address is dropped: the entry would fail on it, or the
 * host's WRMSR would fault (vmm/ owes the guest a #GP for it).
 */
void vmx_write_reg(struct vcpu_hw *v, enum vcpu_reg r, u64 val)
{
	const struct vmx_config *k = &vmx_config;

	if (r >= NR_REGS || (holds_address(r) && !canonical(val)))
		return;
	if (is_dr(r)) {
		set_dr(vmx_priv(v), r, val);
		return;
	}
	switch (r) {
	case REG_CR0:
		vmcs_write64(CR0_READ_SHADOW, val);
		vmcs_write64(GUEST_CR0, (val | k->cr0_set) & ~k->cr0_clear);
		break;
	case REG_CR4:
		vmcs_write64(CR4_READ_SHADOW, val);
		vmcs_write64(GUEST_CR4, (val | k->cr4_set) & ~k->cr4_clear);
		break;
	case REG_CR2:
		vmx_priv(v)->cr2 = val;
		break;
	case REG_RFLAGS:
		vmcs_write64(GUEST_RFLAGS, val | RFLAGS_FIXED1);
		break;
	case REG_SFMASK: /* bits 63:32 are reserved */
		wrmsr_safe(MSR_IA32_FMASK, (u32)val);
		break;
	default:
		if (reg_field[r])
			vmcs_write64(reg_field[r], val);
		else if (reg_msr[r])
			wrmsr_safe(reg_msr[r], val); /* vmm/ checked it; a miss is dropped */
	}
}

/* Clear interruptibility bits: blocking by STI or MOV SS lasts for one
 * instruction (SDM Vol. 3A §6.8.3). */
static void unblock(u32 bits)
{
	u32 st = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (st & bits)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, st & ~bits);
}

/* vmm/ emulated and skipped the instruction that ran in the shadow. */
void vmx_end_intr_shadow(struct vcpu_hw *v)
{
	(void)v;
	unblock(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
}

bool vmx_skip_insn(struct vcpu_hw *v, u64 next_rip)
{
	vmcs_write64(GUEST_RIP, next_rip);
	vmx_end_intr_shadow(v);
	return vmx_get_reg(v, REG_RFLAGS) & RFLAGS_TF;
}

/* SDM Vol. 3A §10.8.5: with EFER.LME set, CR0.PG turns IA-32e mode
 * (EFER.LMA) on and off. A guest's MOV to CR0 that exits does not. */
static void cr0_update_lma(void)
{
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	u64 want = efer & ~EFER_LMA;

	if ((efer & EFER_LME) && (vmcs_read64(GUEST_CR0) & CR0_PG))
		want |= EFER_LMA;
	if (want != efer)
		vmcs_write64(GUEST_IA32_EFER, want);
}

void vmx_set_reg(struct vcpu_hw *v, enum vcpu_reg r, u64 val)
{
	vmx_write_reg(v, r, val);
	switch (r) {
	case REG_RFLAGS: /* §27.3.1.5: no STI blocking with IF = 0 */
		if (!(val & RFLAGS_IF))
			unblock(INTERRUPTIBILITY_STI);
		break;
	case REG_CR0:
		cr0_update_lma();
		vmx_mode_changed(v);
		break;
	case REG_CR3: case REG_CR4: case REG_EFER:
		vmx_mode_changed(v);
		break;
	default:
		break;
	}
}

/*
 * §27.3.2.4: with EPT, an entry into PAE paging (CR0.PG, CR4.PAE, not
 * IA-32e mode) takes the four PDPTEs from the VMCS; a guest's own MOV to
 * CR0/CR3/CR4 loads them, one done through set_reg or vcpu_load must do
 * it here (SDM Vol. 3A §4.4.1).
 */
static void load_pdptes(struct vcpu_hw *v)
{
	u64 gpa = (u32)vmcs_read64(GUEST_CR3) & ~0x1fULL;
	u64 hpa, leaf;
	int level;

	if (!(vmcs_read64(GUEST_CR0) & CR0_PG) || !(vmcs_read64(GUEST_CR4) & CR4_PAE) ||
	    (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA))
		return;
	/* Only readable write-back memory (guest RAM, §29.3.2): anything else
	 * keeps the stale PDPTEs and the entry fails on them. */
	if (!pt_lookup(&v->vm->s2, gpa, &hpa, &leaf, &level) || !(leaf & EPT_READ) ||
	    ((leaf >> 3) & 7) != EPT_MT_WB)
		return;
	for (u32 i = 0; i < 4; i++)
		vmcs_write64(GUEST_PDPTE0 + 2 * i, ((const u64 *)phys_to_virt(hpa))[i]);
}

/*
 * After CR0, CR3, CR4 or EFER changed from outside the guest: §27.3.1.1
 * wants "IA-32e mode guest" equal to EFER.LMA; PAE paging needs its PDPTEs;
 * and the guest's TLB for this VPID is stale, as after its own MOV to CR.
 */
void vmx_mode_changed(struct vcpu_hw *v)
{
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE_GUEST;

	if (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA)
		entry |= ENTRY_IA32E_MODE_GUEST;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	load_pdptes(v);
	vmx_priv(v)->flush_vpid = true;
}

/*
 * struct segment attr -> access rights (§25.4.1): the flags nibble moves
 * from bits 8-11 to 12-15. Not present means unusable (SS keeps its DPL,
 * which is the CPL). Code/data segments are marked accessed and TR busy,
 * as loading them would (§27.3.1.2 requires both).
 */
static u32 attr_to_ar(enum vcpu_seg s, u16 attr)
{
	u32 ar;

	if (!(attr & SEG_ATTR_P))
		return VMX_AR_UNUSABLE | (attr & ATTR_DPL);
	ar = (attr & 0xffu) | ((attr & 0xf00u) << 4);
	if (attr & SEG_ATTR_S)
		ar |= AR_TYPE_ACCESSED;
	if (s == SEG_TR)
		ar |= AR_TYPE_TSS_BUSY;
	return ar;
}

static u16 ar_to_attr(enum vcpu_seg s, u32 ar)
{
	if (ar & VMX_AR_UNUSABLE)
		return s == SEG_SS ? (ar & ATTR_DPL) : 0;
	return (ar & 0xffu) | ((ar >> 4) & 0xf00u);
}

/* Appendix B: the per-segment fields are 2 apart in SEG_ES..SEG_TR order,
 * and GDTR/IDTR follow the same pattern for limit and base. */
BUILD_ASSERT(SEG_TR == 7 && SEG_GDTR == 8 && SEG_IDTR == 9);

void vmx_get_seg(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out)
{
	(void)v;
	if (s >= SEG_GDTR) {
		out->sel = 0;
		out->attr = 0;
		out->limit = vmcs_read32(GUEST_GDTR_LIMIT + 2 * (s - SEG_GDTR));
		out->base = vmcs_read64(GUEST_GDTR_BASE + 2 * (s - SEG_GDTR));
		return;
	}
	out->sel = vmcs_read16(GUEST_ES_SELECTOR + 2 * s);
	out->attr = ar_to_attr(s, vmcs_read32(GUEST_ES_AR_BYTES + 2 * s));
	out->limit = vmcs_read32(GUEST_ES_LIMIT + 2 * s);
	out->base = vmcs_read64(GUEST_ES_BASE + 2 * s);
}

void vmx_code_view(struct vcpu_hw *v, struct vcpu_code_view *cv)
{
	cv->rip = vmcs_read64(GUEST_RIP);
	cv->cs_base = vmcs_read64(GUEST_ES_BASE + 2 * SEG_CS);
	cv->cs_attr = ar_to_attr(SEG_CS, vmcs_read32(GUEST_ES_AR_BYTES + 2 * SEG_CS));
	cv->cr0 = vmx_get_reg(v, REG_CR0);
	cv->cr3 = vmcs_read64(GUEST_CR3);
	cv->cr4 = vmx_get_reg(v, REG_CR4);
	cv->efer = vmcs_read64(GUEST_IA32_EFER);
}

void vmx_set_seg(struct vcpu_hw *v, enum vcpu_seg s, const struct segment *in)
{
	(void)v;
	if (s >= SEG_GDTR) {
		vmcs_write32(GUEST_GDTR_LIMIT + 2 * (s - SEG_GDTR), in->limit & 0xffff);
		vmcs_write64(GUEST_GDTR_BASE + 2 * (s - SEG_GDTR), in->base);
		return;
	}
	vmcs_write16(GUEST_ES_SELECTOR + 2 * s, in->sel);
	vmcs_write32(GUEST_ES_AR_BYTES + 2 * s, attr_to_ar(s, in->attr));
	vmcs_write32(GUEST_ES_LIMIT + 2 * s, in->limit);
	vmcs_write64(GUEST_ES_BASE + 2 * s, in->base);
}

/*
 * A single-step trap waits in the pending debug exceptions field (set by
 * vmx_single_step_trap). §27.7.3: it is delivered after an entry that
 * injects nothing, before any NMI, interrupt or NMI/interrupt-window exit,
 * and lost by an entry that injects an NMI or interrupt: those wait for
 * their window meanwhile.
 */
static bool single_step_pending(void)
{
	return (vmcs_read64(GUEST_RFLAGS) & RFLAGS_TF) &&
	       (vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS) & PENDING_DBG_BS);
}

/*
 * With virtual NMIs (§25.6.1) an injected NMI blocks the next one until
 * the guest's IRET, and an entry may not inject an NMI into that blocking,
 * nor under blocking by MOV SS (or, on some processors, STI), nor on top
 * of another event (§27.3.1.5). Such an NMI waits for an NMI-window exit
 * (§26.7.6).
 */
static bool nmi_must_wait(struct vmx_vcpu *s)
{
	return (s->entry_info & INTR_INFO_VALID) ||
	       (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI)) ||
	       single_step_pending();
}

/*
 * §25.8.3: vector, type, deliver-error-code, valid. §27.2.1.3 makes the
 * error code bit a function of the event: set exactly for the exceptions
 * that push one, and never in real mode (CR0.PE = 0 with unrestricted
 * guest). Software interrupts need the length of their INT instruction:
 * that of the exiting instruction if known, else INT n's two bytes.
 */
void vmx_inject(struct vcpu_hw *v, const struct vcpu_event *e)
{
	struct vmx_vcpu *s = vmx_priv(v);
	u32 info = e->vector | ((u32)e->type << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	if (e->type == EVENT_NMI && nmi_must_wait(s)) {
		s->nmi_pending = true;
		vmx_set_proc_control(s, CPU_NMI_WINDOW_EXITING, true);
		return;
	}
	if (e->type == EVENT_EXCEPTION && e->vector < 32 &&
	    (EXC_WITH_ERROR & (1u << e->vector)) && (vmcs_read64(GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_ERROR_VALID;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, e->has_error ? e->error : 0);
	}
	if (e->type == EVENT_SOFT_INTR)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, v->exit.insn_len ? v->exit.insn_len : 2);
	vmcs_write32(VM_ENTRY_INTR_INFO, info);
	s->entry_info = info;
}

/* The NMI-window exit: the NMI that waited goes in now. */
void vmx_nmi_window_open(struct vcpu_hw *v)
{
	struct vmx_vcpu *s = vmx_priv(v);
	const struct vcpu_event nmi = { EVENT_NMI, 2, false, 0 };

	vmx_set_proc_control(s, CPU_NMI_WINDOW_EXITING, false);
	if (s->nmi_pending) {
		s->nmi_pending = false;
		vmx_inject(v, &nmi);
	}
}

/* §27.3.1.5: an external interrupt can be injected with IF = 1 and no
 * blocking by STI or MOV SS; one event per entry. */
bool vmx_intr_allowed(struct vcpu_hw *v)
{
	if (vmx_priv(v)->entry_info & INTR_INFO_VALID)
		return false;
	if (!(vmcs_read64(GUEST_RFLAGS) & RFLAGS_IF) || single_step_pending())
		return false;
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

/*
 * The single-step trap of an emulated instruction: BS in the guest's
 * pending debug exceptions (§25.4.2, Table 25-4); the CPU delivers the
 * #DB right after the entry and sets DR6 as for a trap of its own
 * (§27.7.3). A trap held over from a MOV SS before the instruction merges
 * into it, as on the CPU. An exception the instruction raised is already
 * queued: it wins, no trap.
 */
static void tf_disarm(struct vmx_vcpu *s);

void vmx_single_step_trap(struct vcpu_hw *v)
{
	struct vmx_vcpu *s = vmx_priv(v);

	if (s->tf_armed) { /* TF is the debugger's: its step ended */
		tf_disarm(s);
		s->tf_owed = true;
		return;
	}
	if (s->entry_info & INTR_INFO_VALID)
		return;
	vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS,
		     vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

#define DR7_FIXED 0x400ULL
#define VEC_DB 1

/* #DB in the exception bitmap for the debugger's breakpoints. */
static void bitmap_bit(unsigned vec, bool on)
{
	u32 bm = vmcs_read32(EXCEPTION_BITMAP);

	vmcs_write32(EXCEPTION_BITMAP, on ? bm | (1u << vec) : bm & ~(1u << vec));
}

/*
 * The debugger takes DR0-DR3 and DR7, the guest's own put aside; MOV DR
 * exits (§25.6.2) and #DB is intercepted (the exception bitmap).
 */
static void hw_on(struct vmx_vcpu *s, const struct vcpu_debug *d)
{
	if (!s->hw) {
		for (unsigned i = 0; i < 4; i++)
			s->guest_dr[i] = read_dr(i);
		s->guest_dr6 = read_dr(6);
		s->guest_dr7 = vmcs_read64(GUEST_DR7);
		s->hw = true;
	}
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, d->dr[i]);
	write_dr(6, DR6_CLEAN);
	s->hw_dr7 = d->dr7 | DR7_FIXED;
	vmcs_write64(GUEST_DR7, s->hw_dr7);
	vmx_set_proc_control(s, CPU_MOV_DR_EXITING, true);
	bitmap_bit(VEC_DB, true);
}

static void hw_off(struct vmx_vcpu *s)
{
	if (!s->hw)
		return;
	s->hw = false;
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, s->guest_dr[i]);
	write_dr(6, s->guest_dr6);
	vmcs_write64(GUEST_DR7, s->guest_dr7);
	vmx_set_proc_control(s, CPU_MOV_DR_EXITING, false);
	bitmap_bit(VEC_DB, false);
}

/*
 * An intercepted #DB leaves DR6 alone; the exit qualification has what
 * it would have set: B0-B3, BD, BS (§28.2.1, Table 28-1). The debugger's
 * hits stop the guest for it (EXIT_STEP, debug.hits), an instruction
 * breakpoint's with RF set (it is a fault, §18.3.1.1: the instruction
 * runs when the guest resumes); anything else is the guest's own #DB.
 */
void vmx_debug_exit(struct vcpu_hw *v)
{
	struct vmx_vcpu *s = vmx_priv(v);
	struct vm_exit *x = &v->exit;
	u64 q;
	u8 hits;

	if (s->tf_armed && x->code == EXIT_EXCEPTION && x->exc.vector != VEC_DB)
		tf_disarm(s); /* the instruction did not complete: stepped again */
	if ((!s->hw && !s->tf_armed) || x->code != EXIT_EXCEPTION || x->exc.vector != VEC_DB)
		return;
	q = vmcs_read64(EXIT_QUALIFICATION);
	hits = s->hw ? dr_hits(q, s->hw_dr7) : 0;
	if (s->tf_armed && (q & DR6_BS)) { /* our trap: the step ended */
		tf_disarm(s);
		x->code = EXIT_STEP;
		x->debug.hits = hits;
	} else if (hits) {
		x->code = EXIT_STEP;
		x->debug.hits = hits;
		if (dr_exec_hit(hits, s->hw_dr7))
			vmcs_write64(GUEST_RFLAGS, vmcs_read64(GUEST_RFLAGS) | RFLAGS_RF);
	} else {
		x->exc.error = (u32)(q & 0x6000); /* BD, BS */
		x->exc.has_error = false;
	}
}

/*
 * The debugger's single step without a monitor trap flag: RFLAGS.TF set
 * for the entry and #DB intercepted; the trap after one instruction (SDM
 * Vol. 3B §18.3.1.4) exits with BS in the qualification (§28.2.1) and
 * ends as EXIT_STEP with the guest's own TF put back, so the guest's
 * RFLAGS never shows ours. An entry with TF set under blocking by STI or
 * MOV SS needs BS pending (§27.3.1.5), which would trap before the
 * instruction ran: the blocking is dropped instead (the step's one
 * instruction is the one it covered, and vmm/ injected nothing into it,
 * vmx_intr_allowed).
 */
static void tf_arm(struct vmx_vcpu *s)
{
	u64 rflags = vmcs_read64(GUEST_RFLAGS);

	if (!s->step || s->tf_armed)
		return;
	s->tf_armed = true;
	s->tf_guest = rflags & RFLAGS_TF;
	unblock(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	vmcs_write64(GUEST_RFLAGS, rflags | RFLAGS_TF);
	bitmap_bit(VEC_DB, true);
}

static void tf_disarm(struct vmx_vcpu *s)
{
	u64 rflags = vmcs_read64(GUEST_RFLAGS) & ~RFLAGS_TF;

	if (!s->tf_armed)
		return;
	s->tf_armed = false;
	vmcs_write64(GUEST_RFLAGS, rflags | (s->tf_guest ? RFLAGS_TF : 0));
	if (!s->tf_guest) /* no trap of ours left behind for the guest */
		vmcs_write64(GUEST_PENDING_DBG_EXCEPTIONS,
			     vmcs_read64(GUEST_PENDING_DBG_EXCEPTIONS) & ~PENDING_DBG_BS);
	bitmap_bit(VEC_DB, s->hw);
}

bool vmx_step_entry(struct vcpu_hw *v)
{
	struct vmx_vcpu *s = vmx_priv(v);

	if (s->tf_owed) {
		s->tf_owed = false;
		vm_exit_step_ended(&v->exit, vmcs_read64(GUEST_RIP));
		return false;
	}
	tf_arm(s);
	return true;
}

void vmx_step_forget(struct vmx_vcpu *s)
{
	s->tf_armed = s->tf_owed = false;
}

/*
 * The debugger's controls: #BP in the exception bitmap (§25.6.3; the exit
 * saves the RIP of the INT3 that raised it and its length, §28.2.4),
 * a single step through the monitor trap flag (§25.6.2, §26.7.2: an MTF
 * exit after one instruction) when the CPU's allowed-1 settings offer it
 * (Appendix A.3.2), else through TF (tf_arm), and the hardware
 * breakpoints (hw_on).
 */
bool vmx_set_debug(struct vcpu_hw *v, const struct vcpu_debug *d)
{
	struct vmx_vcpu *s = vmx_priv(v);
	bool mtf = (vmx_caps.proc >> 32) & CPU_MONITOR_TRAP_FLAG;
	u32 flags = d->flags;

	bitmap_bit(3, flags & VCPU_DEBUG_BP);
	vmx_set_proc_control(s, CPU_MONITOR_TRAP_FLAG, mtf && (flags & VCPU_DEBUG_STEP));
	if (flags & VCPU_DEBUG_HW)
		hw_on(s, d);
	else
		hw_off(s);
	s->step = !mtf && (flags & VCPU_DEBUG_STEP);
	if (!s->step) {
		tf_disarm(s);
		s->tf_owed = false;
	}
	return true;
}

/* A primary processor-based control that changes at run time. */
void vmx_set_proc_control(struct vmx_vcpu *s, u32 bit, bool on)
{
	u32 proc = on ? s->proc | bit : s->proc & ~bit;

	if (proc != s->proc) {
		s->proc = proc;
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

/* §25.6.2, §26.7.5: interrupt-window exiting exits before the first
 * instruction at which the guest could take an external interrupt. */
void vmx_want_intr_window(struct vcpu_hw *v, bool on)
{
	vmx_set_proc_control(vmx_priv(v), CPU_INTR_WINDOW_EXITING, on);
}

/* The EOI-exit bitmap's four 64-bit fields: @all, or those that differ
 * from what was last written (a word compare: this is on every entry). */
static void eoi_exit_write(struct vmx_vcpu *s, const u32 *want, bool all)
{
	for (int i = 0; i < 4; i++) {
		u64 w = want[2 * i] | (u64)want[2 * i + 1] << 32;

		if (all || w != s->eoi_exit[i]) {
			vmcs_write64(EOI_EXIT_BITMAP0 + 2 * i, w);
			s->eoi_exit[i] = w;
		}
	}
}

/*
 * APIC virtualization (SDM Vol. 3C ch. 30) for a vCPU in x2APIC mode: the
 * TPR shadow on the vCPU's APIC page (CR8 then reads and writes its TPR
 * without exits), virtualize x2APIC mode with virtual-interrupt delivery
 * (the x2APIC TPR, EOI and SELF IPI writes the MSR bitmap lets through are
 * done on the page, §30.5, and with APIC-register virtualization the
 * reads it lets through; the CPU delivers the highest requested vector
 * above the PPR itself, §30.2), the EOI-exit bitmap for vectors whose EOI
 * vmm/ must see, and RVI/SVI (guest interrupt status, §25.4.2) from vmm/'s
 * IRR and ISR before each entry.
 */
bool vmx_vapic(struct vcpu_hw *v, const struct vcpu_vapic *st)
{
	const struct vmx_config *k = &vmx_config;
	struct vmx_vcpu *s = vmx_priv(v);

	if (!st || !k->vapic) {
		if (s->vapic) {
			s->vapic = false;
			vmcs_write32(SECONDARY_VM_EXEC_CONTROL, k->proc2);
			vmcs_write64(MSR_BITMAP, k->msr_bitmap_pa);
			vmx_set_proc_control(s, CPU_TPR_SHADOW, false);
			vmx_set_proc_control(s, CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING, true);
		}
		return false;
	}
	if (!s->vapic) {
		s->vapic = true;
		vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, st->page);
		vmcs_write32(TPR_THRESHOLD, 0);
		vmx_set_proc_control(s, CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING, false);
		vmx_set_proc_control(s, CPU_TPR_SHADOW, true);
		vmcs_write32(SECONDARY_VM_EXEC_CONTROL,
			     k->proc2 | SEC_VIRTUALIZE_X2APIC | SEC_VIRTUAL_INTR_DELIVERY |
			     (k->apic_regs ? SEC_APIC_REGISTER_VIRT : 0));
		vmcs_write64(MSR_BITMAP, k->msr_bitmap_vapic_pa);
		eoi_exit_write(s, st->eoi_exit, true);
	} else {
		eoi_exit_write(s, st->eoi_exit, false);
	}
	vmcs_write16(GUEST_INTR_STATUS, (u16)(st->rvi | st->svi << 8));
	return true;
}

/* INVEPT before the next entry drops the guest-physical and combined
 * mappings derived from this EPT (§29.4.3.1). */
void vmx_stage2_flush(struct vcpu_hw *v)
{
	vmx_priv(v)->flush_ept = true;
}
