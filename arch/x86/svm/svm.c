// SPDX-License-Identifier: MIT
/*
 * The AMD SVM back-end of struct vcpu_ops (AMD APM Vol. 2 ch. 15). Each CPU
 * sets EFER.SVME and gets a host save area and a host VMCB (for the state
 * VMRUN does not switch: FS/GS/TR/LDTR and syscall MSRs, §15.5.2). Each
 * vCPU owns a VMCB with nested paging on, its own ASID, and every I/O port
 * and MSR intercepted (one shared all-ones IOPM and MSRPM).
 *
 * Without nrip-save (QEMU's emulation has none) the exit gives no
 * instruction length except for IN/OUT (EXITINFO2 is the next RIP, §15.10.2):
 * exit.insn_len is then 0 and vmm/ decodes the instruction.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/vmcb.h"
#include "arch/x86/virt.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/pmm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#define IOPM_SIZE (3 * PAGE_SIZE)
#define MSRPM_SIZE (2 * PAGE_SIZE)
#define TLB_FLUSH_ALL 1
#define VEC_DB 1
#define VEC_BP 3
#define DR6_GUEST_EVENTS 0xe000ULL /* BD BS BT: not the breakpoints' B0-B3 */
#define DR7_FIXED 0x400ULL

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	bool flush;
	/*
	 * The NMI and debugger state below: while all of it is clear (the
	 * usual case) svm_run skips every check it needs, testing @special
	 * once before the entry and once after the exit.
	 */
	union {
		struct {
			/* The guest's NMI blocking, which the CPU does not
			 * keep for it without vNMI: set by an injected NMI,
			 * cleared once its IRET ran. */
			bool nmi_masked;
			bool nmi_pending;   /* an NMI waits for the blocking to end */
			bool iret_seen;     /* IRET intercepted at iret_rip, not yet past it */
			bool nmi_step;      /* NMI single-step over that IRET: TF and
					     * the step intercepts are ours */
			bool dbg_step;      /* the debugger asks for its single step */
			bool dbg_armed;     /* TF and the #DB intercept are the debugger's */
			bool dbg_step_owed; /* an emulated instruction ended the step */
			bool hw;            /* the debugger's hardware breakpoints (hw_on) */
		};
		u64 special;
	};
	u64 iret_rip;
	bool step_guest_tf; /* the guest's own TF when the NMI step began */
	u64 step_dr6;       /* the guest's DR6 when the step began */
	/* The debugger's controls (svm_set_debug) and its single step */
	bool dbg_guest_tf;  /* the guest's own TF under ours */
	u64 dbg_dr6;        /* the guest's DR6 when the step began */
	/* The debugger's hardware breakpoints (VCPU_DEBUG_HW, hw_on): its
	 * DR0-DR3 in the CPU and its DR7 in the VMCB; the guest's own
	 * values, which MOV DR (intercepted) and REG_DR* see, kept here. */
	u64 hw_dr7;
	u64 guest_dr[4], guest_dr6, guest_dr7;
};

static u64 host_vmcb_pa[MAX_CPUS];
static u64 iopm_pa, msrpm_pa;
static bool have_nrips;
static u32 nr_asids;

void svm_vmrun(void); /* svm_entry.asm: its own calling convention */
extern const char svm_vmrun_resume[]; /* the instruction after VMRUN */

static u64 alloc_zeroed(u64 size)
{
	u64 pa = pmm_alloc(size, PAGE_SIZE);

	if (pa)
		memset(phys_to_virt(pa), 0, size);
	return pa;
}

/* The shared permission maps: everything intercepted (APM §15.10, §15.11). */
static bool svm_maps_init(void)
{
	static spinlock_t lock;
	bool ok;

	spin_lock(&lock);
	if (!iopm_pa && (iopm_pa = pmm_alloc(IOPM_SIZE, PAGE_SIZE)))
		memset(phys_to_virt(iopm_pa), 0xff, IOPM_SIZE);
	if (!msrpm_pa && (msrpm_pa = pmm_alloc(MSRPM_SIZE, PAGE_SIZE)))
		memset(phys_to_virt(msrpm_pa), 0xff, MSRPM_SIZE);
	ok = iopm_pa && msrpm_pa;
	spin_unlock(&lock);
	return ok;
}

static bool svm_cpu_enable(char *why, size_t len)
{
	struct cpuid_regs r = cpuid(0x80000001, 0);
	u64 hsave, host_vmcb, vmcr;

	if (!(r.ecx & (1u << 2))) {
		snprintf(why, len, "this CPU has no SVM");
		return false;
	}
	if (rdmsr_safe(MSR_VM_CR, &vmcr) && (vmcr & (1u << 4))) {
		snprintf(why, len, "SVM disabled by firmware (VM_CR.SVMDIS=1%s)",
			 (vmcr & (1u << 3)) ? ", locked" : "");
		return false;
	}
	r = cpuid(0x8000000a, 0);
	if (!(r.edx & 1)) {
		snprintf(why, len, "no nested paging (NPT)");
		return false;
	}
	hsave = alloc_zeroed(PAGE_SIZE);
	host_vmcb = alloc_zeroed(PAGE_SIZE);
	if (!hsave || !host_vmcb || !svm_maps_init()) {
		snprintf(why, len, "out of memory");
		return false;
	}
	have_nrips = r.edx & (1u << 3);
	nr_asids = r.ebx;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	asm volatile("vmsave %%rax" : : "a"(host_vmcb) : "memory");
	host_vmcb_pa[this_cpu()->cpu] = host_vmcb;
	return true;
}

static void svm_describe(char *buf, size_t len)
{
	snprintf(buf, len, "npt asids=%u nrip-save=%s", nr_asids, have_nrips ? "yes" : "no");
}

/* NPT uses the host paging format: 1 GiB pages if the CPU has them. */
static bool svm_stage2_1g(void)
{
	return cpuid(0x80000001, 0).edx & (1u << 26);
}

static struct svm_vcpu *priv(struct vcpu_hw *v) { return v->priv; }
static struct vmcb *vmcb_of(struct vcpu_hw *v) { return priv(v)->vmcb; }

/*
 * What exits. PAUSE does not: each vCPU owns its physical CPU, so a
 * spinning guest has nobody to yield to (VMX does not intercept it
 * either).
 */
static void set_intercepts(struct vmcb_control *c)
{
	c->intercept_exc = VIRT_INTERCEPTED_EXCEPTIONS;
	/* CR4 writes are checked against the guest's CPUID view in vmm/. */
	/* CR8 is the local APIC's TPR (APM Vol. 2 §15.24.1, SDM Vol. 3A
	 * §10.8.6.1): the virtual one is vmm/'s (the VMCB's V_TPR would
	 * leave it behind). */
	c->intercept_cr = SVM_INTERCEPT_CR4_WRITE | SVM_INTERCEPT_CR8_READ | SVM_INTERCEPT_CR8_WRITE;
	c->intercept1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_CPUID |
			SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT | SVM_INTERCEPT_IOIO |
			SVM_INTERCEPT_MSR | SVM_INTERCEPT_TASK_SWITCH |
			SVM_INTERCEPT_SHUTDOWN;
	c->intercept2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_WBINVD |
			SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT |
			SVM_INTERCEPT_XSETBV;
	c->pause_filter_count = 0;
}

static bool svm_vcpu_init(struct vcpu_hw *v)
{
	struct svm_vcpu *s;
	u64 pa = alloc_zeroed(PAGE_SIZE);
	u64 spa = alloc_zeroed(PAGE_SIZE);

	if (!pa || !spa)
		return false;
	s = phys_to_virt(spa);
	s->vmcb = phys_to_virt(pa);
	s->vmcb_pa = pa;
	s->flush = true;
	v->priv = s;
	set_intercepts(&s->vmcb->control);
	s->vmcb->control.iopm_base_pa = v->vm->io_bitmap ? v->vm->io_bitmap : iopm_pa;
	s->vmcb->control.msrpm_base_pa = msrpm_pa;
	s->vmcb->control.guest_asid = v->tag;
	s->vmcb->control.np_enable = 1;
	s->vmcb->control.n_cr3 = v->vm->s2.root;
	/* Guest IF does not mask host interrupts (APM §15.21.1). */
	s->vmcb->control.vintr = SVM_VINTR_MASKING;
	return true;
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct segment *s)
{
	d->selector = s->sel;
	d->attrib = s->attr;
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct segment *d, const struct vmcb_seg *s)
{
	d->sel = s->selector;
	d->attr = s->attrib;
	d->limit = s->limit;
	d->base = s->base;
}

static struct vmcb_seg *seg_slot(struct vmcb *vm, enum vcpu_seg s)
{
	static const u16 off[NR_SEGS] = {
		[SEG_ES] = offsetof(struct vmcb_save, es), [SEG_CS] = offsetof(struct vmcb_save, cs),
		[SEG_SS] = offsetof(struct vmcb_save, ss), [SEG_DS] = offsetof(struct vmcb_save, ds),
		[SEG_FS] = offsetof(struct vmcb_save, fs), [SEG_GS] = offsetof(struct vmcb_save, gs),
		[SEG_LDTR] = offsetof(struct vmcb_save, ldtr), [SEG_TR] = offsetof(struct vmcb_save, tr),
		[SEG_GDTR] = offsetof(struct vmcb_save, gdtr), [SEG_IDTR] = offsetof(struct vmcb_save, idtr),
	};

	return (struct vmcb_seg *)((u8 *)&vm->save + off[s]);
}

static void svm_get_seg(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out)
{
	seg_from_vmcb(out, seg_slot(vmcb_of(v), s));
}

static void svm_code_view(struct vcpu_hw *v, struct vcpu_code_view *cv)
{
	const struct vmcb_save *sv = &vmcb_of(v)->save;

	cv->rip = sv->rip;
	cv->cs_base = sv->cs.base;
	cv->cs_attr = sv->cs.attrib;
	cv->cr0 = sv->cr0;
	cv->cr3 = sv->cr3;
	cv->cr4 = sv->cr4;
	cv->efer = sv->efer & ~EFER_SVME;
}

static void svm_set_seg(struct vcpu_hw *v, enum vcpu_seg s, const struct segment *in)
{
	struct vmcb *vm = vmcb_of(v);

	seg_to_vmcb(seg_slot(vm, s), in);
	if (s == SEG_SS)
		vm->save.cpl = (in->attr >> 5) & 3; /* CPL = SS.DPL (§15.5.1) */
}

static u64 *reg_slot(struct vmcb *vm, enum vcpu_reg r)
{
#define SAVE_OFF(f) offsetof(struct vmcb_save, f)
	static const u16 off[NR_REGS] = {
		[REG_RSP] = SAVE_OFF(rsp), [REG_RIP] = SAVE_OFF(rip),
		[REG_RFLAGS] = SAVE_OFF(rflags), [REG_CR0] = SAVE_OFF(cr0),
		[REG_CR2] = SAVE_OFF(cr2), [REG_CR3] = SAVE_OFF(cr3), [REG_CR4] = SAVE_OFF(cr4),
		[REG_EFER] = SAVE_OFF(efer), [REG_DR7] = SAVE_OFF(dr7), [REG_PAT] = SAVE_OFF(g_pat),
		[REG_SYSENTER_CS] = SAVE_OFF(sysenter_cs),
		[REG_SYSENTER_ESP] = SAVE_OFF(sysenter_esp),
		[REG_SYSENTER_EIP] = SAVE_OFF(sysenter_eip), [REG_STAR] = SAVE_OFF(star),
		[REG_LSTAR] = SAVE_OFF(lstar), [REG_CSTAR] = SAVE_OFF(cstar),
		[REG_SFMASK] = SAVE_OFF(sfmask), [REG_KERNEL_GS_BASE] = SAVE_OFF(kernel_gs_base),
	};
#undef SAVE_OFF

	return (u64 *)((u8 *)&vm->save + off[r < NR_REGS ? r : REG_PAT]);
}

/*
 * The debug registers as the guest sees them (SDM Vol. 3B §18.2): DR6 and
 * DR7 in the VMCB, DR0-DR3 in the CPU (VMRUN and #VMEXIT leave them, and
 * a CPU runs one vCPU), or all aside while the debugger owns them.
 */
static bool is_dr(enum vcpu_reg r)
{
	return r == REG_DR7 || (r >= REG_DR0 && r <= REG_DR6);
}

static u64 get_dr(struct svm_vcpu *s, enum vcpu_reg r)
{
	if (r == REG_DR6)
		return s->hw ? s->guest_dr6 : s->vmcb->save.dr6;
	if (r == REG_DR7)
		return s->hw ? s->guest_dr7 : s->vmcb->save.dr7;
	return s->hw ? s->guest_dr[r - REG_DR0] : read_dr(r - REG_DR0);
}

static void set_dr(struct svm_vcpu *s, enum vcpu_reg r, u64 val)
{
	if (r == REG_DR6)
		*(s->hw ? &s->guest_dr6 : &s->vmcb->save.dr6) = val;
	else if (r == REG_DR7)
		*(s->hw ? &s->guest_dr7 : &s->vmcb->save.dr7) = val;
	else if (s->hw)
		s->guest_dr[r - REG_DR0] = val;
	else
		write_dr(r - REG_DR0, val);
}

/* The guest's EFER always has SVME set in the VMCB (a VMRUN consistency
 * check, §15.5.1); the guest never sees it. */
static u64 svm_get_reg(struct vcpu_hw *v, enum vcpu_reg r)
{
	const struct vmcb_save *sv = &vmcb_of(v)->save;
	u64 val;

	switch (r) { /* the exit path's reads, straight from the VMCB */
	case REG_RIP: return sv->rip;
	case REG_RSP: return sv->rsp;
	case REG_CR0: return sv->cr0;
	case REG_CR3: return sv->cr3;
	case REG_CR4: return sv->cr4;
	case REG_RFLAGS:
		if (!priv(v)->nmi_step)
			return sv->rflags;
		break;
	default: break;
	}
	if (is_dr(r))
		return get_dr(priv(v), r);
	val = *reg_slot(vmcb_of(v), r);
	if (r == REG_RFLAGS && priv(v)->nmi_step && !priv(v)->step_guest_tf)
		val &= ~RFLAGS_TF; /* ours, for the NMI single-step */
	return r == REG_EFER ? val & ~EFER_SVME : val;
}

/* A CR4 write emulated for the guest flushes its TLB as the MOV would
 * have (APM Vol. 2 §5.5.3). */
static void svm_set_reg(struct vcpu_hw *v, enum vcpu_reg r, u64 val)
{
	if (r == REG_RIP) { /* the exit path's write */
		vmcb_of(v)->save.rip = val;
		return;
	}
	if (is_dr(r)) {
		set_dr(priv(v), r, val);
		return;
	}
	if (r == REG_RFLAGS && priv(v)->nmi_step) {
		priv(v)->step_guest_tf = val & RFLAGS_TF;
		val |= RFLAGS_TF;
	}
	*reg_slot(vmcb_of(v), r) = r == REG_EFER ? val | EFER_SVME : val;
	if (r == REG_CR4)
		priv(v)->flush = true;
}

/* EVENTINJ (APM §15.20): vector, type, valid; the error code is added. */
static u64 evtinj(u8 vector, u32 type)
{
	return vector | ((u64)type << 8) | SVM_EVTINJ_VALID;
}

/* #DB is intercepted for the debugger's step or breakpoints, and for the
 * NMI code's IRET step. */
static void db_intercept(struct svm_vcpu *s)
{
	if (s->dbg_armed || s->nmi_step || s->hw)
		s->vmcb->control.intercept_exc |= 1u << VEC_DB;
	else
		s->vmcb->control.intercept_exc &= ~(1u << VEC_DB);
}

/*
 * NMI blocking (APM §15.20 and §15.21): without the vNMI extension
 * (§15.21.10, not in QEMU's TCG) the CPU delivers an injected NMI but does
 * not block the next one for the guest. So the back-end does it: an
 * injected NMI masks NMIs and turns on the IRET intercept. The intercept
 * comes before the IRET runs (§15.9), so the blocking ends at the first
 * exit after it, seen as RIP having moved on (an IRET that faulted exits
 * at the IRET).
 */
static void nmi_inject(struct svm_vcpu *s)
{
	s->vmcb->control.eventinj = evtinj(2 /* the NMI vector */, EVENT_NMI);
	s->vmcb->control.intercept1 |= SVM_INTERCEPT_IRET;
	s->nmi_masked = true;
	s->nmi_pending = false;
	s->iret_seen = false;
}

/*
 * An NMI that waits must come right after that IRET, before the
 * interrupted code runs again (SDM Vol. 3A §6.7.1): the next exit may be
 * far away, inside code that holds a lock its handler takes. Nothing in
 * SVM exits there: a VINTR window (§15.21.4) needs RFLAGS.IF = 1, which
 * code interrupted by an NMI often has clear. So the IRET is single-
 * stepped: TF set for it and #DB intercepted; the IRET loads RFLAGS from
 * the stack, so our TF is gone after it, and the trap it still takes
 * (TF was set when it began, §13.1) exits before the next instruction.
 * The exceptions the IRET itself may raise are intercepted too, to take
 * TF out before the guest sees the flags (STEP_EXCEPTIONS).
 */
#define STEP_EXCEPTIONS ((1u << VEC_DB) | STEP_WITH_ERROR)
#define STEP_WITH_ERROR ((1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 17))

static void nmi_step_start(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;

	s->nmi_step = true;
	s->step_guest_tf = vm->save.rflags & RFLAGS_TF;
	s->step_dr6 = vm->save.dr6;
	vm->save.rflags |= RFLAGS_TF;
	vm->control.intercept_exc |= STEP_EXCEPTIONS;
}

/* Undo the step. @retry: the IRET has not completed; TF is still ours
 * and the IRET is intercepted again when the guest retries it. */
static void nmi_step_end(struct svm_vcpu *s, bool retry)
{
	struct vmcb *vm = s->vmcb;

	s->nmi_step = false;
	vm->control.intercept_exc &= ~STEP_EXCEPTIONS;
	db_intercept(s);
	if (!retry)
		return;
	if (!s->step_guest_tf)
		vm->save.rflags &= ~RFLAGS_TF;
	vm->control.intercept1 |= SVM_INTERCEPT_IRET;
	s->iret_seen = false;
}

/* An intercepted exception goes to the guest as it came (§15.12: a #PF
 * intercept leaves CR2 alone, the address is in EXITINFO2). */
static void reflect_exception(struct vmcb *vm, u32 vec)
{
	u64 inj = evtinj(vec, EVENT_EXCEPTION);

	if (STEP_WITH_ERROR & (1u << vec))
		inj |= SVM_EVTINJ_EV | (vm->control.exitinfo1 << 32);
	if (vec == 14)
		vm->save.cr2 = vm->control.exitinfo2;
	vm->control.eventinj = inj;
}

/* The step's trap: DR6 as before it, unless the guest stepped too (its
 * own TF) or the IRET hit a data breakpoint (B0-B3): then its #DB. (While
 * the debugger owns the breakpoints, a hit of its by this IRET is lost.) */
static void nmi_step_trap(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;
	u64 hit = s->hw ? 0 : vm->save.dr6 & ~s->step_dr6 & 0xf;

	vm->save.dr6 = s->step_dr6 | hit | (s->step_guest_tf ? DR6_BS : 0);
	if (s->step_guest_tf || hit)
		vm->control.eventinj = evtinj(VEC_DB, EVENT_EXCEPTION);
}

/*
 * An exit while the IRET is single-stepped. A #DB is the step's trap: the
 * IRET completed (it may have returned to an IRET at the same address, the
 * common end of nested handlers, so RIP alone does not tell). Another
 * exception at the IRET is its fault; any other exit with RIP still there
 * came before it ran (a host interrupt): the step goes on.
 */
static void nmi_step_exit(struct svm_vcpu *s, struct vm_exit *x)
{
	struct vmcb *vm = s->vmcb;
	u64 vec = vm->control.exitcode - SVM_EXIT_EXCP_BASE;
	bool exc = vm->control.exitcode >= SVM_EXIT_EXCP_BASE && vec < 32;
	bool done = exc ? vec == VEC_DB : vm->save.rip != s->iret_rip;

	if (!exc && !done)
		return;
	nmi_step_end(s, !done);
	if (done) {
		s->nmi_masked = false;
		s->iret_seen = false;
	}
	if (exc && vec == VEC_DB)
		nmi_step_trap(s);
	else if (exc)
		reflect_exception(vm, (u32)vec);
	if (exc)
		x->code = EXIT_INTR_WINDOW; /* handled here; an NMI window opens */
}

static void nmi_track_exit(struct svm_vcpu *s, struct vm_exit *x)
{
	struct vmcb *vm = s->vmcb;

	if (s->nmi_step) {
		nmi_step_exit(s, x);
	} else if (vm->control.exitcode == SVM_EXIT_IRET) {
		vm->control.intercept1 &= ~SVM_INTERCEPT_IRET;
		s->iret_seen = true;
		s->iret_rip = vm->save.rip;
	} else if (s->iret_seen && vm->save.rip != s->iret_rip) {
		s->iret_seen = false;
		s->nmi_masked = false;
	}
}

/* Before an entry: a waiting NMI goes in if it can, or the IRET that
 * ends its blocking is stepped (never under an event to be delivered
 * first: that would push our TF). */
static void nmi_prepare_entry(struct svm_vcpu *s)
{
	bool event = s->vmcb->control.eventinj & SVM_EVTINJ_VALID;

	if (!s->nmi_pending || s->nmi_step || event)
		return;
	if (!s->nmi_masked)
		nmi_inject(s);
	else if (s->iret_seen)
		nmi_step_start(s);
}

static void nmi_reset(struct svm_vcpu *s)
{
	s->vmcb->control.intercept1 &= ~SVM_INTERCEPT_IRET;
	s->vmcb->control.intercept_exc &= ~STEP_EXCEPTIONS;
	s->nmi_masked = s->nmi_pending = s->iret_seen = s->nmi_step = false;
	db_intercept(s);
}

/*
 * The debugger's single step (VCPU_DEBUG_STEP): RFLAGS.TF set for the
 * entry and #DB intercepted; the trap after one instruction (APM Vol. 2
 * §13.1, SDM Vol. 3B §18.3.1.4) exits as EXIT_STEP with the guest's own TF and DR6 put back, so the guest sees
 * neither. Not while the NMI code steps an IRET (it owns TF then).
 */
static void dbg_arm(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;

	if (!s->dbg_step || s->dbg_armed || s->nmi_step)
		return;
	s->dbg_armed = true;
	s->dbg_guest_tf = vm->save.rflags & RFLAGS_TF;
	s->dbg_dr6 = vm->save.dr6;
	vm->save.rflags |= RFLAGS_TF;
	vm->control.intercept_exc |= 1u << VEC_DB;
}

static void dbg_disarm(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;

	if (!s->dbg_armed)
		return;
	s->dbg_armed = false;
	vm->save.rflags = (vm->save.rflags & ~RFLAGS_TF) | (s->dbg_guest_tf ? RFLAGS_TF : 0);
	vm->save.dr6 = s->dbg_dr6;
	db_intercept(s);
}

/* After an exit: our #DB ends the step; another intercepted exception
 * means the instruction did not complete (the step is retried); other
 * exits leave it armed (an emulated instruction ends it through
 * svm_single_step_trap). */
static void dbg_exit(struct svm_vcpu *s, struct vm_exit *x)
{
	u64 code = s->vmcb->control.exitcode;

	if (!s->dbg_armed)
		return;
	if (code == SVM_EXIT_EXCP_BASE + VEC_DB) {
		dbg_disarm(s);
		x->code = EXIT_STEP;
		x->debug.hits = 0;
	} else if ((code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) ||
		   code == SVM_EXIT_SWINT) {
		dbg_disarm(s);
	}
}

/*
 * DR7 in the CPU too, not only in the VMCB: QEMU's TCG arms breakpoints
 * only on a MOV to DR7 (VMRUN loads the VMCB's DR7 without), and keeps
 * them and the host's DR7 after #VMEXIT; a CPU clears the host's
 * breakpoints at #VMEXIT (APM §15.6). A hit while the hypervisor runs is
 * passed over (arch/x86/trap.c, percpu guest_dr).
 */
static void host_dr7(u64 dr7)
{
	this_cpu()->guest_dr = (dr7 & 0xff) != 0;
	write_dr(7, dr7);
}

/* The debugger takes DR0-DR3 and DR7, the guest's own put aside; MOV DR
 * (the DR read and write intercepts, APM §15.9) and #DB are intercepted. */
static void hw_on(struct svm_vcpu *s, const struct vcpu_debug *d)
{
	struct vmcb *vm = s->vmcb;

	if (!s->hw) {
		for (unsigned i = 0; i < 4; i++)
			s->guest_dr[i] = read_dr(i);
		s->guest_dr6 = vm->save.dr6;
		s->guest_dr7 = vm->save.dr7;
		s->hw = true;
	}
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, d->dr[i]);
	s->hw_dr7 = d->dr7 | DR7_FIXED;
	vm->save.dr7 = s->hw_dr7;
	vm->save.dr6 = DR6_CLEAN;
	host_dr7(s->hw_dr7);
	vm->control.intercept_dr = SVM_INTERCEPT_DR0_7;
	db_intercept(s);
}

/* The guest's own debug registers back. */
static void hw_off(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;

	if (!s->hw)
		return;
	s->hw = false;
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, s->guest_dr[i]);
	vm->save.dr6 = s->guest_dr6;
	vm->save.dr7 = s->guest_dr7;
	host_dr7(s->guest_dr7);
	vm->control.intercept_dr = 0;
	db_intercept(s);
}

/*
 * A #DB while the debugger owns the breakpoints (@dr6: the VMCB's DR6 at
 * the exit, which the CPU updated before the intercept, §15.12): hits of
 * its breakpoints stop the guest for it (EXIT_STEP, debug.hits), an
 * instruction breakpoint with RF set so that the instruction runs when
 * the guest resumes (the breakpoint is a fault, SDM Vol. 3B §18.3.1.1);
 * otherwise it is the guest's own #DB (its TF, ICEBP): EXIT_EXCEPTION with
 * the DR6 bits it sets. DR6 is clean again for the next.
 */
static void hw_exit(struct svm_vcpu *s, struct vm_exit *x, u64 dr6)
{
	struct vmcb *vm = s->vmcb;
	u8 hits;

	if (!s->hw || s->nmi_step || vm->control.exitcode != SVM_EXIT_EXCP_BASE + VEC_DB)
		return;
	hits = dr_hits(dr6, s->hw_dr7);
	if (hits || x->code == EXIT_STEP) {
		x->code = EXIT_STEP;
		x->debug.hits = hits;
	} else {
		x->exc.error = (u32)(dr6 & DR6_GUEST_EVENTS);
		x->exc.has_error = false;
	}
	if (dr_exec_hit(hits, s->hw_dr7))
		vm->save.rflags |= RFLAGS_RF;
	vm->save.dr6 = DR6_CLEAN;
}

/* #BP intercepted (APM §15.12), and INTn (§15.9): QEMU's TCG checks the
 * INTn intercept, not the #BP one, for an INT3. The debugger's hardware
 * breakpoints: hw_on. */
static bool svm_set_debug(struct vcpu_hw *v, const struct vcpu_debug *d)
{
	struct svm_vcpu *s = priv(v);
	struct vmcb_control *c = &s->vmcb->control;
	u32 flags = d->flags;

	s->dbg_step = flags & VCPU_DEBUG_STEP;
	if (flags & VCPU_DEBUG_BP) {
		c->intercept_exc |= 1u << VEC_BP;
		c->intercept1 |= SVM_INTERCEPT_INTN;
	} else {
		c->intercept_exc &= ~(1u << VEC_BP);
		c->intercept1 &= ~SVM_INTERCEPT_INTN;
	}
	if (flags & VCPU_DEBUG_HW)
		hw_on(s, d);
	else
		hw_off(s);
	if (!(flags & VCPU_DEBUG_STEP)) {
		dbg_disarm(s);
		s->dbg_step_owed = false;
	}
	return true;
}

static void svm_vcpu_load(struct vcpu_hw *v, const struct vcpu_state *st)
{
	struct vmcb *vm = vmcb_of(v);

	for (int s = 0; s < NR_SEGS; s++)
		svm_set_seg(v, s, &st->segs[s]);
	for (int r = 0; r < NR_REGS; r++)
		svm_set_reg(v, r, st->regs[r]);
	memcpy(v->gprs, st->gprs, sizeof(v->gprs));
	vm->save.dr6 = 0xffff0ff0;
	vm->control.eventinj = 0;
	vm->control.interrupt_shadow = 0;
	nmi_reset(priv(v));
	priv(v)->dbg_armed = priv(v)->dbg_step_owed = false;
	priv(v)->flush = true;
}

static void svm_inject(struct vcpu_hw *v, const struct vcpu_event *e)
{
	u64 inj = evtinj(e->vector, e->type);
	struct svm_vcpu *s = priv(v);

	if (e->type == EVENT_NMI) {
		if (s->nmi_masked || (s->vmcb->control.eventinj & SVM_EVTINJ_VALID))
			s->nmi_pending = true;
		else
			nmi_inject(s);
		return;
	}
	if (s->nmi_step)
		nmi_step_end(s, true); /* its delivery would push our TF */
	if (e->has_error)
		inj |= SVM_EVTINJ_EV | ((u64)e->error << 32);
	vmcb_of(v)->control.eventinj = inj;
}

static bool svm_intr_allowed(struct vcpu_hw *v)
{
	struct vmcb *vm = vmcb_of(v);

	return (vm->save.rflags & RFLAGS_IF) && !(vm->control.interrupt_shadow & 1) &&
	       !(vm->control.eventinj & SVM_EVTINJ_VALID) && !priv(v)->nmi_step;
}

/* A virtual interrupt request with TPR ignored: the CPU exits (VINTR) as
 * soon as the guest could take it (§15.21.4). */
static void svm_want_intr_window(struct vcpu_hw *v, bool on)
{
	struct vmcb_control *c = &vmcb_of(v)->control;

	if (on && priv(v)->nmi_step)
		return; /* the step exits after one instruction anyway */
	if (on) {
		c->vintr |= SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR;
		c->intercept1 |= SVM_INTERCEPT_VINTR;
	} else {
		c->vintr &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR);
		c->intercept1 &= ~SVM_INTERCEPT_VINTR;
	}
}

static void svm_end_intr_shadow(struct vcpu_hw *v)
{
	vmcb_of(v)->control.interrupt_shadow = 0;
}

static bool svm_skip_insn(struct vcpu_hw *v, u64 next_rip)
{
	struct svm_vcpu *s = priv(v);
	struct vmcb *vm = s->vmcb;

	vm->save.rip = next_rip;
	vm->control.interrupt_shadow = 0;
	if (s->nmi_step) /* TF is ours while an IRET is stepped */
		return s->step_guest_tf;
	return vm->save.rflags & RFLAGS_TF;
}

static void svm_stage2_flush(struct vcpu_hw *v)
{
	priv(v)->flush = true;
}

/*
 * The single-step trap of an emulated instruction (APM Vol. 2 §13.1):
 * #DB through EVENTINJ, which delivers the event as given and leaves DR6
 * alone (§15.20), so BS goes into the guest's DR6 in the VMCB first; the
 * other DR6 bits stay as they are (sticky). An exception the instruction
 * raised is already queued: it wins, no trap.
 */
static void svm_single_step_trap(struct vcpu_hw *v)
{
	struct vmcb *vm = vmcb_of(v);

	if (priv(v)->dbg_armed) { /* TF is the debugger's: its step ended */
		dbg_disarm(priv(v));
		priv(v)->dbg_step_owed = true;
		return;
	}
	if (vm->control.eventinj & SVM_EVTINJ_VALID)
		return;
	vm->save.dr6 |= DR6_BS;
	vm->control.eventinj = evtinj(VEC_DB, EVENT_EXCEPTION);
}

/* IOIO EXITINFO1, APM §15.10.2 Figure 15-2. */
static void decode_io(struct vm_exit *x, const struct vmcb *vm)
{
	u64 info = vm->control.exitinfo1;

	x->code = EXIT_IO;
	x->io.in = info & 1;
	x->io.string = info & (1u << 2);
	x->io.rep = info & (1u << 3);
	x->io.size = (info >> 4) & 7; /* SZ8, SZ16, SZ32 (one of them set): 1, 2, 4 */
	x->io.port = info >> 16;
	x->insn_len = vm->control.exitinfo2 - vm->save.rip;
}

/* Nested page fault: EXITINFO1 is a #PF-style error code, EXITINFO2 the
 * guest physical address (§15.25.6). EXITINFO1 bit 32 says the fault was
 * on the final guest-physical address, bit 33 on a guest page table. */
static void decode_npf(struct vm_exit *x, const struct vmcb *vm)
{
	u64 err = vm->control.exitinfo1;

	x->code = EXIT_STAGE2_FAULT;
	x->stage2.gpa = vm->control.exitinfo2;
	x->stage2.write = err & 2;
	x->stage2.fetch = err & 16;
	x->stage2.read = !x->stage2.write && !x->stage2.fetch;
	x->stage2.walk = (err & (1ULL << 33)) && !(err & (1ULL << 32));
}

static u32 simple_code(u64 code)
{
	switch (code) {
	case SVM_EXIT_INTR: case SVM_EXIT_SMI: return EXIT_EXTINT;
	case SVM_EXIT_NMI: return EXIT_NMI;
	case SVM_EXIT_VINTR: return EXIT_INTR_WINDOW;
	case SVM_EXIT_IRET: return EXIT_INTR_WINDOW; /* an NMI window opens */
	case SVM_EXIT_SHUTDOWN: return EXIT_TRIPLE_FAULT;
	case SVM_EXIT_INIT: return EXIT_INIT;
	case SVM_EXIT_CPUID: return EXIT_CPUID;
	case SVM_EXIT_HLT: return EXIT_HLT;
	case SVM_EXIT_XSETBV: return EXIT_XSETBV;
	case SVM_EXIT_INVD: return EXIT_INVD;
	case SVM_EXIT_WBINVD: return EXIT_WBINVD;
	case SVM_EXIT_PAUSE: return EXIT_PAUSE;
	case SVM_EXIT_VMMCALL: return EXIT_HYPERCALL;
	case SVM_EXIT_RDPMC: return EXIT_RDPMC;
	case SVM_EXIT_TASK_SWITCH: return EXIT_TASK_SWITCH;
	case SVM_EXIT_INVLPG: return EXIT_INVLPG;
	case SVM_EXIT_MONITOR: case SVM_EXIT_MWAIT: case SVM_EXIT_MWAIT_COND:
		return EXIT_MONITOR;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI: case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT:
		return EXIT_VIRT_INSN;
	default: return EXIT_UNKNOWN;
	}
}

/*
 * A CR4 write or CR8 intercept (APM §15.9): with decode assists EXITINFO1
 * bit 63 says a MOV and bits 3:0 name its GPR (§15.33.1); without them
 * vmm/ decodes the instruction.
 */
static void decode_cr(struct vm_exit *x, const struct vmcb *vm, u8 cr, bool write)
{
	u64 info = vm->control.exitinfo1;

	x->code = EXIT_CR_ACCESS;
	x->cr.cr = cr;
	x->cr.write = write;
	x->cr.gpr = (info >> 63) ? info & 0xf : CR_GPR_DECODE;
}

/* A MOV DR intercept (APM §15.9): the register from the exit code, the
 * GPR as for CR4 (decode assists, §15.33.1, or vmm/ decodes). */
static void decode_dr(struct vm_exit *x, const struct vmcb *vm)
{
	u64 code = vm->control.exitcode, info = vm->control.exitinfo1;

	x->code = EXIT_DR_ACCESS;
	x->dr.dr = code & 7;
	x->dr.write = code >= SVM_EXIT_DR0_WRITE;
	x->dr.gpr = (info >> 63) ? info & 0xf : CR_GPR_DECODE;
}

/* VMEXIT_INVALID: name the consistency check the VMCB fails (§15.5.1). */
static void decode_invalid(struct vm_exit *x, const struct vmcb *vm)
{
	const char *why = svm_check_vmcb(vm);

	x->code = EXIT_ENTRY_FAILED;
	x->fail.info = 0;
	x->fail.why = why ? why : "invalid guest state (VMRUN consistency check)";
	printk(LOG_ERR, "svm: VMRUN failed (VMEXIT_INVALID): %s; cr0 %llx cr3 %llx cr4 %llx efer %llx",
	       x->fail.why, (unsigned long long)vm->save.cr0, (unsigned long long)vm->save.cr3,
	       (unsigned long long)vm->save.cr4, (unsigned long long)vm->save.efer);
}

/*
 * A #VMEXIT whose stored guest state is the host's own (vmcb.h): seen
 * under QEMU 7.2 TCG about once in 80-100 Linux boots of the reboot soak,
 * where the exit before it must have been stored twice, the second time
 * over the first after the host state was reloaded. A CPU must never do
 * that. The guest's real state is gone, so the exit is an entry failure
 * that says so; entered again, the guest would run hypervisor code.
 */
static bool vmcb_holds_host_state(const struct vmcb *vm)
{
	return vm->save.rip == (u64)svm_vmrun_resume && /* the cheap half first */
	       svm_vmcb_holds_host_state(vm, (u64)svm_vmrun_resume, paging_kernel_cr3());
}

static void svm_decode(struct vcpu_hw *v)
{
	struct vmcb *vm = vmcb_of(v);
	struct vm_exit *x = &v->exit;
	u64 code = vm->control.exitcode;

	x->raw = (u32)code;
	x->rip = vm->save.rip;
	if (vmcb_holds_host_state(vm)) {
		x->code = EXIT_ENTRY_FAILED;
		x->fail.info = code;
		x->fail.why = "the VMCB's guest state is the host's own after #VMEXIT "
			      "(RIP after VMRUN, host CR3): lost by the CPU or emulator";
		printk(LOG_ERR, "svm: #VMEXIT 0x%llx stored the host's state as the guest's "
		       "(rip %llx cr3 %llx): the guest's state is lost", (unsigned long long)code,
		       (unsigned long long)vm->save.rip, (unsigned long long)vm->save.cr3);
		return;
	}
	x->insn_len = 0;
	if (have_nrips && vm->control.next_rip > vm->save.rip)
		x->insn_len = vm->control.next_rip - vm->save.rip;
	/* the common exits first, each one compare: what Linux makes most
	 * (port I/O, MMIO, MSRs), then CPUID, hypercalls and the host's
	 * interrupts */
	if (code == SVM_EXIT_NPF) {
		decode_npf(x, vm);
		return;
	}
	if (code == SVM_EXIT_IOIO) {
		decode_io(x, vm);
		return;
	}
	if (code == SVM_EXIT_MSR) {
		x->code = vm->control.exitinfo1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		x->msr.index = (u32)v->gprs[GPR_RCX];
		return;
	}
	if (code == SVM_EXIT_CPUID) {
		x->code = EXIT_CPUID;
		return;
	}
	if (code == SVM_EXIT_VMMCALL) {
		x->code = EXIT_HYPERCALL;
		return;
	}
	if (code == SVM_EXIT_INTR) { /* the host's interrupts: its timer, IPIs */
		x->code = EXIT_EXTINT;
		return;
	}
	switch (code) {
	case SVM_EXIT_CR4_WRITE: decode_cr(x, vm, 4, true); return;
	case SVM_EXIT_CR8_READ: decode_cr(x, vm, 8, false); return;
	case SVM_EXIT_CR8_WRITE: decode_cr(x, vm, 8, true); return;
	case SVM_EXIT_SWINT:
		x->code = EXIT_EXCEPTION;
		x->exc.vector = VEC_BP;
		x->exc.has_error = false;
		x->exc.intn = true;
		return;
	default:
		break;
	}
	if (code >= SVM_EXIT_DR0_READ && code < SVM_EXIT_DR0_WRITE + 8 && (code & 0xf) < 8) {
		decode_dr(x, vm);
	} else if ((u32)code == (u32)SVM_EXIT_INVALID) { /* QEMU stores 32 bits of -1 */
		decode_invalid(x, vm);
	} else if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		x->code = EXIT_EXCEPTION;
		x->exc.vector = code - SVM_EXIT_EXCP_BASE;
		x->exc.error = (u32)vm->control.exitinfo1;
		x->exc.has_error = true;
		x->exc.intn = false;
	} else {
		x->code = simple_code(code);
		x->fail.info = vm->control.exitinfo1;
	}
}

/*
 * An event the CPU was delivering when the exit happened (EXITINTINFO,
 * §15.7.2) must be delivered again on the next entry.
 */
static void requeue_interrupted_event(struct vmcb *vm)
{
	u64 info = vm->control.exitintinfo;

	if (info & SVM_EVTINJ_VALID)
		vm->control.eventinj = info;
	else if (vm->control.eventinj) /* (the CPU delivered it) */
		vm->control.eventinj = 0;
}

/* The guest's run (svm_entry.asm): every register but RSP and RBP is
 * the guest's in between, so all are clobbered here and only this
 * function's prologue saves the callee-saved ones. */
static inline void vmrun(u64 *gprs, u64 vmcb_pa, u64 host_pa)
{
	asm volatile("call svm_vmrun"
		     : "+D"(gprs), "+S"(vmcb_pa), "+d"(host_pa)
		     :
		     : "rax", "rbx", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
		       "memory", "cc");
}

static void svm_run(struct vcpu_hw *v)
{
	struct svm_vcpu *s = priv(v);
	struct vmcb *vm = s->vmcb;
	u64 dr6;

	if (s->special) {
		if (s->dbg_step_owed) { /* no entry: the step ended in emulation */
			s->dbg_step_owed = false;
			vm_exit_step_ended(&v->exit, vm->save.rip);
			return;
		}
		nmi_prepare_entry(s);
		dbg_arm(s);
	}
	vm->control.tlb_control = s->flush ? TLB_FLUSH_ALL : 0;
	s->flush = false;
	vm->control.clean_bits = 0;
	vm->save.rax = v->gprs[GPR_RAX];
	/*
	 * With V_INTR_MASKING, host interrupts reach the intercept (and end
	 * the guest run) only if the host's RFLAGS.IF is set at VMRUN
	 * (§15.21.1): enter with IF=1, GIF=0 keeping them out meanwhile, and
	 * leave them pending for the loop's own window after #VMEXIT.
	 */
	asm volatile("clgi; sti" ::: "memory");
	vmrun(v->gprs, s->vmcb_pa, host_vmcb_pa[this_cpu()->cpu]);
	asm volatile("cli; stgi" ::: "memory");
	v->gprs[GPR_RAX] = vm->save.rax;
	dr6 = vm->save.dr6;
	svm_decode(v);
	requeue_interrupted_event(vm);
	if (s->special) {
		dbg_exit(s, &v->exit);
		hw_exit(s, &v->exit, dr6);
		nmi_track_exit(s, &v->exit);
	}
}

const struct vcpu_ops svm_ops = {
	.name = "svm",
	.stage2_format = &pt_format_npt,
	.stage2_1g = svm_stage2_1g,
	.cpu_enable = svm_cpu_enable,
	.describe = svm_describe,
	.vcpu_init = svm_vcpu_init,
	.vcpu_load = svm_vcpu_load,
	.run = svm_run,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.get_seg = svm_get_seg,
	.set_seg = svm_set_seg,
	.code_view = svm_code_view,
	.inject = svm_inject,
	.intr_allowed = svm_intr_allowed,
	.want_intr_window = svm_want_intr_window,
	.end_intr_shadow = svm_end_intr_shadow,
	.skip_insn = svm_skip_insn,
	.stage2_flush = svm_stage2_flush,
	.single_step_trap = svm_single_step_trap,
	.set_debug = svm_set_debug,
};
