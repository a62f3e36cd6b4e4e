/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the VMX back-end (arch/x86/vmx/): the capability
 * MSRs it reads (Intel SDM Vol. 3C Appendix A), the controls it derives
 * from them, the per-vCPU state behind vcpu_hw.priv, wrappers for the VMX
 * instructions that manage VMCS pointers and TLBs (§31), and the functions
 * its files share. Nothing outside arch/x86/vmx/ includes this.
 */
#ifndef ARCH_X86_VMX_VMX_H
#define ARCH_X86_VMX_VMX_H

#include "arch/x86/percpu.h"
#include "arch/x86/virt.h"
#include "kernel/types.h"

/*
 * Architectural MSRs (SDM Vol. 4) and CR bits (Vol. 3A §2.5) that
 * arch/x86/cpu.h does not name: guarded, so they give way when it does.
 */
#ifndef MSR_IA32_PAT
#define MSR_IA32_PAT 0x277
#endif
#ifndef MSR_IA32_VMX_PINBASED_CTLS
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#endif
#ifndef MSR_IA32_VMX_EXIT_CTLS
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#endif
#ifndef MSR_IA32_VMX_ENTRY_CTLS
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#endif
#ifndef MSR_IA32_VMX_MISC
#define MSR_IA32_VMX_MISC 0x485
#endif
#ifndef MSR_IA32_VMX_CR0_FIXED0
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#endif
#ifndef MSR_IA32_VMX_CR0_FIXED1
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#endif
#ifndef MSR_IA32_VMX_CR4_FIXED0
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#endif
#ifndef MSR_IA32_VMX_CR4_FIXED1
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#endif
#ifndef MSR_IA32_VMX_TRUE_PINBASED_CTLS
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#endif
#ifndef MSR_IA32_VMX_TRUE_EXIT_CTLS
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#endif
#ifndef MSR_IA32_VMX_TRUE_ENTRY_CTLS
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#endif
#ifndef MSR_IA32_STAR
#define MSR_IA32_STAR 0xc0000081
#endif
#ifndef MSR_IA32_LSTAR
#define MSR_IA32_LSTAR 0xc0000082
#endif
#ifndef MSR_IA32_CSTAR
#define MSR_IA32_CSTAR 0xc0000083
#endif
#ifndef MSR_IA32_FMASK
#define MSR_IA32_FMASK 0xc0000084
#endif
#ifndef CR0_NW
#define CR0_NW (1ULL << 29)
#endif
#ifndef CR0_CD
#define CR0_CD (1ULL << 30)
#endif
#ifndef CR4_LA57
#define CR4_LA57 (1ULL << 12)
#endif

/* IA32_FEATURE_CONTROL (§24.7). */
#define FEATURE_CONTROL_LOCK (1ULL << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ULL << 2)

/* IA32_VMX_BASIC (Appendix A.1). */
#define VMX_BASIC_REVISION(b) ((u32)(b) & 0x7fffffffu)
#define VMX_BASIC_VMCS_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_32BIT_ADDRESSES (1ULL << 48)
#define VMX_BASIC_TRUE_CTLS (1ULL << 55)

/* IA32_VMX_EPT_VPID_CAP (Appendix A.10). */
#define EPT_CAP_WALK_4 (1ULL << 6)
#define EPT_CAP_WB (1ULL << 14)
#define EPT_CAP_2M (1ULL << 16)
#define EPT_CAP_1G (1ULL << 17)
#define EPT_CAP_INVEPT (1ULL << 20)
#define EPT_CAP_INVEPT_SINGLE (1ULL << 25)
#define EPT_CAP_INVEPT_ALL (1ULL << 26)
#define VPID_CAP_INVVPID (1ULL << 32)
#define VPID_CAP_INVVPID_SINGLE (1ULL << 41)
#define VPID_CAP_INVVPID_ALL (1ULL << 42)

/* INVEPT / INVVPID types (§31, INVEPT and INVVPID). */
#define INV_SINGLE_CONTEXT 1
#define INV_ALL_CONTEXT 2

/* EPTP (§25.6.11): memory type WB, 4-level walk (length - 1 in 5:3). */
#define EPTP_WB 6ULL
#define EPTP_WALK_4 (3ULL << 3)

/* The capability MSRs, as read on the first CPU that enabled VMX. */
struct vmx_caps {
	u64 basic;
	u64 pin, proc, proc2, exit, entry; /* the true MSRs when offered */
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid;
};

/* What every VMCS gets, derived once from struct vmx_caps. */
struct vmx_config {
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_mask; /* CR0 bits the host owns (guest reads the shadow) */
	u64 cr4_mask;
	u64 cr0_set, cr0_clear; /* forced 1 / forced 0 in the real CR0 */
	u64 cr4_set, cr4_clear;
	u32 invept_type, invvpid_type;
	u64 msr_bitmap_pa;
	bool io_bitmaps; /* the CPU can take I/O bitmaps (a VM's vm_hw.io_bitmap) */
	/* APIC virtualization (vmx_vapic): the CPU has the TPR shadow,
	 * virtualize x2APIC mode and virtual-interrupt delivery; the MSR
	 * bitmap of a vCPU using it lets the x2APIC TPR, EOI and SELF IPI
	 * writes through. */
	bool vapic;
	/* ... and APIC-register virtualization: that bitmap also lets the
	 * reads of the registers kept in the page through. */
	bool apic_regs;
	u64 msr_bitmap_vapic_pa;
};

/* Back-end state of one vCPU (vcpu_hw.priv); owned by its CPU. */
struct vmx_vcpu {
	u64 vmcs_pa;
	u64 host_rsp;     /* last value written to HOST_RSP (the stub checks) */
	u64 cr2;          /* the guest's CR2 while the host runs */
	u32 proc;         /* primary processor-based controls as written */
	u32 entry_info;   /* VM-entry interruption information pending */
	bool launched;    /* VMRESUME, not VMLAUNCH */
	bool flush_ept;   /* INVEPT before the next entry */
	bool flush_vpid;  /* INVVPID before the next entry */
	bool nmi_pending; /* an NMI waits for the guest's NMI window */
	bool vapic;       /* APIC virtualization on (vmx_vapic) */
	u64 eoi_exit[4];  /* the EOI-exit bitmap as written */
	/* The debugger's hardware breakpoints (VCPU_DEBUG_HW): its DR0-DR3
	 * in the CPU and DR7 in the VMCS; the guest's own values, which MOV
	 * DR (exiting) and REG_DR* see, kept here (vmx_regs.c). */
	bool hw;
	u64 hw_dr7;
	u64 guest_dr[4], guest_dr6, guest_dr7;
	/* The debugger's single step where the CPU has no monitor trap flag
	 * (Bochs' corei7_skylake_x): RFLAGS.TF and the #DB intercept, as on
	 * SVM (vmx_regs.c, tf_arm). */
	bool step;        /* VCPU_DEBUG_STEP asked for, through TF */
	bool tf_armed;    /* TF in GUEST_RFLAGS and #DB intercepted are ours */
	bool tf_guest;    /* the guest's own TF under ours */
	bool tf_owed;     /* an emulated instruction ended the step */
};

extern struct vmx_caps vmx_caps;
extern struct vmx_config vmx_config;
extern u64 vmx_current_vmcs[MAX_CPUS]; /* (o) what VMPTRLD made current */

static inline struct vmx_vcpu *vmx_priv(struct vcpu_hw *v) { return v->priv; }

/* VMXON, VMCLEAR, VMPTRLD (§31): false on VMfailInvalid / VMfailValid. */
static inline bool vmx_on(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

static inline bool vmx_vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

static inline bool vmx_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

/* INVEPT with a descriptor naming @eptp (§29.4.3.1, INVEPT). */
static inline void vmx_invept(u64 type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* INVVPID of all linear addresses of @vpid (§29.4.3.1, INVVPID). */
static inline void vmx_invvpid(u64 type, u16 vpid)
{
	struct { u64 vpid, gla; } desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/*
 * The entry stub (vmx_entry.asm): loads gprs[], enters with VMLAUNCH or
 * VMRESUME, and at the VM exit stores gprs[] back. Writes HOST_RSP when it
 * differs from *host_rsp. Returns VMX_ENTER_EXITED after a VM exit, or
 * the failure of the VM-entry instruction itself.
 */
enum { VMX_ENTER_EXITED, VMX_ENTER_FAIL_INVALID, VMX_ENTER_FAIL_VALID };
u32 vmx_enter(u64 *gprs, u64 *host_rsp, u32 launched);

/* The name of a failed VM entry: @how from vmx_enter, the exit @reason
 * (bit 31 set), the VM-instruction error and the exit qualification
 * (vmx_fail.c). */
const char *vmx_entry_failure_name(u32 how, u32 reason, u32 insn_error, u64 qual);

/* The guest-state fields vmx_check_guest() looks at (§27.3.1). */
#define VMX_CHECK_BASES 8 /* FS GS LDTR TR GDTR IDTR SYSENTER_ESP SYSENTER_EIP */
struct vmx_guest_check {
	u64 cr0, cr4, efer, rflags, pat, dr7;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool unrestricted; /* CR0.PE and PG exempt from FIXED0 */
	bool ia32e;        /* the "IA-32e mode guest" entry control */
	u64 bases[VMX_CHECK_BASES];
	unsigned va_bits;  /* 48, or 57 with 5-level paging */
};

/* The name of the first guest-state check @g fails, or NULL (vmx_fail.c). */
const char *vmx_check_guest(const struct vmx_guest_check *g);
void vmx_exit_point(void); /* HOST_RIP: where VM exits land */

/* vmx.c: write the reason a CPU cannot enable VMX; returns false. */
bool vmx_refuse(char *why, size_t len, const char *fmt, ...) __printf(3, 4);

/* vmx.c: a zeroed page with the VMCS revision identifier, for a VMXON
 * region or a VMCS; 0 when out of memory. */
u64 vmx_alloc_region(void);

/* Make @s's VMCS the current one on this CPU (§25.1, VMPTRLD). */
static inline bool vmx_make_current(struct vmx_vcpu *s)
{
	u64 *cur = &vmx_current_vmcs[this_cpu()->cpu];

	if (*cur == s->vmcs_pa)
		return true;
	if (!vmx_vmptrld(s->vmcs_pa))
		return false;
	*cur = s->vmcs_pa;
	return true;
}

/* vmx_setup.c */
bool vmx_config_init(const struct vmx_caps *c, char *why, size_t len);
bool vmx_vcpu_init(struct vcpu_hw *v);
void vmx_vcpu_load(struct vcpu_hw *v, const struct vcpu_state *st);

/* vmx_regs.c */
u64 vmx_get_reg(struct vcpu_hw *v, enum vcpu_reg r);
void vmx_set_reg(struct vcpu_hw *v, enum vcpu_reg r, u64 val);
void vmx_write_reg(struct vcpu_hw *v, enum vcpu_reg r, u64 val);
void vmx_mode_changed(struct vcpu_hw *v);
void vmx_get_seg(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out);
void vmx_set_seg(struct vcpu_hw *v, enum vcpu_seg s, const struct segment *in);
void vmx_inject(struct vcpu_hw *v, const struct vcpu_event *e);
bool vmx_intr_allowed(struct vcpu_hw *v);
void vmx_want_intr_window(struct vcpu_hw *v, bool on);
void vmx_end_intr_shadow(struct vcpu_hw *v);
bool vmx_skip_insn(struct vcpu_hw *v, u64 next_rip);
void vmx_code_view(struct vcpu_hw *v, struct vcpu_code_view *cv);
void vmx_single_step_trap(struct vcpu_hw *v);
void vmx_set_proc_control(struct vmx_vcpu *s, u32 bit, bool on);
bool vmx_set_debug(struct vcpu_hw *v, const struct vcpu_debug *d);
/* After the exit is decoded: a #DB while the debugger owns the debug
 * registers is its hit (EXIT_STEP) or the guest's own #DB. */
void vmx_debug_exit(struct vcpu_hw *v);
/* Before an entry: the debugger's TF step armed. False: no entry, its
 * step already ended in an emulated instruction (v->exit is EXIT_STEP). */
bool vmx_step_entry(struct vcpu_hw *v);
/* A state load (reset, the debugger's G): no step of ours in flight. */
void vmx_step_forget(struct vmx_vcpu *s);
void vmx_nmi_window_open(struct vcpu_hw *v);
void vmx_stage2_flush(struct vcpu_hw *v);
bool vmx_vapic(struct vcpu_hw *v, const struct vcpu_vapic *st);

/* vmx_exit.c */
void vmx_run(struct vcpu_hw *v);

#endif
