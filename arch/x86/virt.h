/* SPDX-License-Identifier: MIT */
/*
 * The vendor seam: one struct vcpu_ops with two always-built back-ends,
 * arch/x86/vmx/ (Intel VT-x, SDM Vol. 3C) and arch/x86/svm/ (AMD-V, APM Vol.
 * 2 ch. 15), chosen once at boot from CPUID. Everything above arch/ (vmm/)
 * speaks only this interface: vendor-neutral register names, a normalized
 * exit record (struct vm_exit), events to inject, and second-level tables
 * in the format the back-end names.
 *
 * vmm/ embeds struct vm_hw in its VM object and struct vcpu_hw in its vCPU
 * object; back-ends keep their own state behind vcpu_hw.priv.
 */
#ifndef ARCH_X86_VIRT_H
#define ARCH_X86_VIRT_H

#include "arch/x86/pgtable.h"
#include "kernel/types.h"

/* General registers in x86 encoding order (ModRM reg numbers). */
enum vcpu_gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	NR_GPRS
};

/* Registers that live in the VMCS/VMCB (RSP included: gprs[GPR_RSP] is
 * not used). */
enum vcpu_reg {
	REG_RSP, REG_RIP, REG_RFLAGS, REG_CR0, REG_CR2, REG_CR3, REG_CR4,
	REG_EFER, REG_DR7, REG_PAT,
	/* MSR-backed state the back-end switches or keeps for the guest */
	REG_SYSENTER_CS, REG_SYSENTER_ESP, REG_SYSENTER_EIP,
	REG_STAR, REG_LSTAR, REG_CSTAR, REG_SFMASK, REG_KERNEL_GS_BASE,
	/* the debug registers not in the VMCS/VMCB (DR6: VMX only), as the
	 * guest sees them: its own even while the debugger owns them */
	REG_DR0, REG_DR1, REG_DR2, REG_DR3, REG_DR6,
	NR_REGS
};

enum vcpu_seg {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR,
	SEG_GDTR, SEG_IDTR, NR_SEGS
};

/*
 * A segment register. attr holds the descriptor's access byte in bits 0-7
 * (type, S, DPL, P) and its flags nibble in bits 8-11 (AVL, L, D/B, G): the
 * AMD VMCB layout; the VMX back-end converts to and from access rights.
 * attr == 0 marks an unusable segment.
 */
struct segment {
	u16 sel;
	u16 attr;
	u32 limit;
	u64 base;
};

#define SEG_ATTR_P (1u << 7)
#define SEG_ATTR_S (1u << 4)
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)
#define SEG_ATTR_G (1u << 11)

/*
 * What reading the guest's code takes, read in one go: RIP, CS and the
 * paging registers, as get_reg()/get_seg() give them (the guest's view of
 * CR0/CR4, EFER without SVME). The exit path fetches the exiting
 * instruction with it (vmm/insn.c) and walks the guest's page tables
 * (vmm/gwalk.c) without a call per register.
 */
struct vcpu_code_view {
	u64 rip, cs_base, cr0, cr3, cr4, efer;
	u16 cs_attr;
};

/* The full architectural state a vCPU starts from (vmm/cpu_state.c). */
struct vcpu_state {
	u64 gprs[NR_GPRS];
	u64 regs[NR_REGS];
	struct segment segs[NR_SEGS];
};

/* The guest exceptions every back-end intercepts from the first entry:
 * #DF (vector 8), which vmm/exit.c reports with the exits that led to it
 * and gives back to the guest. */
#define VIRT_INTERCEPTED_EXCEPTIONS (1u << 8)

/* Events injected on the next entry. */
enum vcpu_event_type {
	EVENT_EXT_INTR = 0,
	EVENT_NMI = 2,
	EVENT_EXCEPTION = 3,
	EVENT_SOFT_INTR = 4,
};

struct vcpu_event {
	u8 type;   /* enum vcpu_event_type */
	u8 vector;
	bool has_error;
	u32 error;
};

/* Normalized exit reasons: vmm/exit.c has a handler row for every one. */
enum exit_code {
	EXIT_NONE,         /* no exit happened (e.g. entry skipped) */
	EXIT_EXTINT,       /* a host interrupt arrived */
	EXIT_NMI,          /* a host NMI arrived */
	EXIT_INTR_WINDOW,  /* the guest can take an interrupt now */
	EXIT_EXCEPTION,    /* an intercepted guest exception */
	EXIT_TRIPLE_FAULT, /* triple fault (VMX) or shutdown (SVM) */
	EXIT_INIT,         /* INIT signal */
	EXIT_SIPI,         /* start-up IPI while waiting for one */
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_CR_ACCESS,
	EXIT_XSETBV,
	EXIT_INVD,
	EXIT_WBINVD,
	EXIT_PAUSE,
	EXIT_HYPERCALL,    /* VMCALL / VMMCALL */
	EXIT_STAGE2_FAULT, /* EPT violation / nested page fault */
	EXIT_VIRT_INSN,    /* the guest tried a VMX or SVM instruction */
	EXIT_MONITOR,      /* MONITOR or MWAIT */
	EXIT_RDPMC,
	EXIT_INVLPG,
	EXIT_TASK_SWITCH,
	EXIT_STEP,         /* the debugger's single step ended (VCPU_DEBUG_STEP), or
			      one of its hardware breakpoints hit (debug.hits) */
	EXIT_DR_ACCESS,    /* MOV to or from a debug register (VCPU_DEBUG_HW) */
	EXIT_ENTRY_FAILED, /* the CPU refused the guest state */
	EXIT_APIC_EOI,     /* APIC virtualization: the guest's EOI of a vector
			      in vcpu_vapic.eoi_exit (the CPU ended it in ISR) */
	EXIT_UNKNOWN,      /* anything else; raw holds the vendor's reason */
	NR_EXIT_CODES
};

#define CR_GPR_DECODE 0xfe

struct vm_exit {
	u32 code;     /* enum exit_code */
	u32 raw;      /* vendor's exit reason, for logs */
	u64 rip;      /* guest RIP at the exit, as get_reg(REG_RIP) read before
			 any handler ran (the exit trace records it) */
	u8 insn_len;  /* length of the exiting instruction; 0 = unknown */
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u32 index;
		} msr;
		struct {
			u64 gpa;
			bool read, write, fetch;
			/* the fault hit the guest's own page-table walk (or
			 * an A/D update), not the access's final address:
			 * gpa is a guest paging-structure entry (SVM:
			 * EXITINFO1 bit 33, APM Vol. 2 §15.25.6; VMX: exit
			 * qualification bit 8 clear, SDM Vol. 3C Table 28-7) */
			bool walk;
		} stage2;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
			/* vector 3 from an SVM INTn intercept: an INT3, INT n
			 * or INTO at RIP, not decoded (QEMU's TCG reports INT3
			 * so, not as a #BP exception) */
			bool intn;
		} exc;
		struct {
			u8 cr;
			bool write;
			u8 gpr; /* the MOV's GPR (enum vcpu_gpr); 0xff: CLTS, LMSW;
				 * CR_GPR_DECODE: a MOV, vmm/ decodes it */
		} cr;
		struct {
			u8 dr;   /* 0-7 */
			bool write;
			u8 gpr;  /* the MOV's GPR; CR_GPR_DECODE: vmm/ decodes it */
		} dr;
		struct {
			/* EXIT_STEP: the debugger's DR0-DR3 that hit (DR6
			 * B0-B3); 0 for a step alone */
			u8 hits;
		} debug;
		struct {
			u8 vector;
		} sipi;
		struct {
			u8 vector;
		} eoi;
		struct {
			u64 info; /* vendor detail for the log */
			const char *why; /* EXIT_ENTRY_FAILED: the check that failed */
		} fail;
	};
};

/* The debugger's single step ended in an instruction the hypervisor
 * emulated: the back-end reports it as this exit, without an entry. */
static inline void vm_exit_step_ended(struct vm_exit *x, u64 rip)
{
	x->code = EXIT_STEP;
	x->raw = 0;
	x->rip = rip;
	x->insn_len = 0;
	x->debug.hits = 0;
}

/* Second-level translation of one VM. */
struct vm_hw {
	struct pt s2;
	u32 id;
	/* 0: every port access exits. Else a 12 KiB port bitmap (bit n set:
	 * port n exits), set before the vCPUs start: AMD's IOPM layout, whose
	 * first 8 KiB are also Intel's I/O bitmaps A and B (a back-end
	 * without I/O bitmaps keeps exiting on every port). */
	u64 io_bitmap;
};

/* What a back-end needs of one vCPU. */
struct vcpu_hw {
	u64 gprs[NR_GPRS];   /* saved and loaded around each entry */
	struct vm_exit exit; /* filled by run() */
	struct vm_hw *vm;
	void *priv;          /* VMCS or VMCB state, back-end owned */
	u32 tag;             /* VPID / ASID, unique per vCPU, >= 1 */
};

/*
 * APIC virtualization (vcpu_ops.vapic; Intel SDM Vol. 3C ch. 30): the CPU
 * delivers the vCPU's local APIC interrupts itself from the APIC page
 * (SDM Vol. 3A Table 11-1 layout: vmm/'s struct vlapic page), updating
 * its IRR, ISR, TPR and PPR there, and takes the guest's EOI, TPR and
 * self-IPI writes without exits; with APIC-register virtualization it
 * also answers reads of the registers vapic_page_read() names from the
 * page. For a vCPU in x2APIC mode only (its MSRs).
 */
struct vcpu_vapic {
	u64 page;        /* physical address of the vCPU's APIC page */
	u32 eoi_exit[8]; /* vectors whose EOI exits (EXIT_APIC_EOI): the
			    level-triggered ones */
	u8 rvi, svi;     /* highest vector requested (IRR; 0: none, or held
			    back) and in service (ISR; 0: none) */
};

/*
 * The x2APIC registers (MSR 0x800 + offset / 16, SDM Vol. 3A Table 11-6)
 * whose 8 bytes at page offset (@msr & 0xFF) << 4 are what RDMSR returns
 * (SDM Vol. 3C §30.5), as long as the vCPU is in x2APIC mode: the owner
 * of the page keeps them so before each entry (vmm/dev/vlapic.h), and the
 * CPU keeps TPR, PPR, ISR and IRR so while the guest runs. ID, version,
 * TPR, PPR, LDR, SVR, ISR, TMR, IRR, ESR, the 64-bit ICR, the LVT, the
 * initial count and the divide configuration; not the current count
 * (computed at the read), nor EOI and SELF IPI (write-only: #GP) nor the
 * absent ones.
 */
static inline bool vapic_page_read(u32 msr)
{
	switch (msr) {
	case 0x802: case 0x803: case 0x808: case 0x80a: case 0x80d: case 0x80f:
	case 0x828: case 0x830: case 0x838: case 0x83e:
		return true;
	default:
		return (msr >= 0x810 && msr <= 0x827) || (msr >= 0x832 && msr <= 0x837);
	}
}

/* The debugger's controls of a vCPU (vcpu_ops.set_debug). */
#define VCPU_DEBUG_BP (1u << 0)   /* intercept #BP: EXIT_EXCEPTION vector 3,
				     RIP at the INT3 */
#define VCPU_DEBUG_STEP (1u << 1) /* EXIT_STEP after one guest instruction */
/* The debugger owns DR0-DR3 and DR7 (its hardware breakpoints): a hit is
 * EXIT_STEP with debug.hits, an instruction breakpoint's with RFLAGS.RF
 * set so that the instruction runs when the guest resumes; MOV DR exits
 * (EXIT_DR_ACCESS) and REG_DR* are the guest's own values, kept aside;
 * the guest's own #DB (TF, ICEBP) is EXIT_EXCEPTION vector 1 with the
 * DR6 bits it would set in exc.error. */
#define VCPU_DEBUG_HW (1u << 2)

/* What the debugger wants of a vCPU. */
struct vcpu_debug {
	u32 flags;  /* VCPU_DEBUG_* */
	u64 dr[4];  /* VCPU_DEBUG_HW: DR0-DR3 ... */
	u64 dr7;    /* ... and DR7 (SDM Vol. 3B §18.2.4) */
};

struct vcpu_ops {
	const char *name; /* "vmx" or "svm" */
	const struct pt_format *stage2_format;
	/* May second-level tables use 1 GiB pages on this CPU? */
	bool (*stage2_1g)(void);

	/* Turn virtualization on for the calling CPU. On failure returns
	 * false and writes the reason into @why. */
	bool (*cpu_enable)(char *why, size_t len);
	/* Features for the log line, e.g. "npt asid=16 nrip-save=no". */
	void (*describe)(char *buf, size_t len);

	bool (*vcpu_init)(struct vcpu_hw *v);
	void (*vcpu_load)(struct vcpu_hw *v, const struct vcpu_state *s);
	/* Enter the guest until the next exit; v->exit says why. */
	void (*run)(struct vcpu_hw *v);

	u64 (*get_reg)(struct vcpu_hw *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu_hw *v, enum vcpu_reg r, u64 val);
	void (*get_seg)(struct vcpu_hw *v, enum vcpu_seg s, struct segment *out);
	void (*set_seg)(struct vcpu_hw *v, enum vcpu_seg s, const struct segment *in);
	/* Fill @cv (optional: without it vmm/ reads the registers one by
	 * one, vcpu_code_view() in vmm/vcpu_mode.c). */
	void (*code_view)(struct vcpu_hw *v, struct vcpu_code_view *cv);

	/* Queue @e for the next entry (one event at a time). */
	void (*inject)(struct vcpu_hw *v, const struct vcpu_event *e);
	/* Could an external interrupt be delivered now (IF=1, no shadow)? */
	bool (*intr_allowed)(struct vcpu_hw *v);
	/* Exit as soon as the guest can take an interrupt. */
	void (*want_intr_window)(struct vcpu_hw *v, bool on);
	/* The exiting instruction was emulated and skipped: an interrupt
	 * shadow (STI, MOV SS) it was under ends with it. */
	void (*end_intr_shadow)(struct vcpu_hw *v);
	/* The exiting instruction was emulated: RIP becomes @next_rip and
	 * the shadow it was under ends (end_intr_shadow). True when it ran
	 * with the guest's own RFLAGS.TF: it owes the single-step trap. The
	 * exit path's one call per emulated instruction. */
	bool (*skip_insn)(struct vcpu_hw *v, u64 next_rip);

	/* After changing v->vm->s2: drop stale translations on this CPU. */
	void (*stage2_flush)(struct vcpu_hw *v);
	/* The instruction vmm/ emulated and skipped ran with RFLAGS.TF = 1:
	 * deliver the single-step trap it owes (#DB with DR6.BS, SDM Vol. 3B
	 * §18.3.1.4) before the next instruction and before any NMI or
	 * interrupt; nothing if an exception is already queued. */
	void (*single_step_trap)(struct vcpu_hw *v);
	/* The debugger's controls from the next entry on; false when the
	 * CPU cannot single-step a guest. */
	bool (*set_debug)(struct vcpu_hw *v, const struct vcpu_debug *d);
	/* APIC virtualization (struct vcpu_vapic), NULL where the CPU has
	 * none: on with @s before each entry while the vCPU wants it (the
	 * request and service state are rewritten each time), off with NULL.
	 * Returns whether it is on (false: the CPU cannot); while it is,
	 * vmm/ injects no local APIC interrupt itself. */
	bool (*vapic)(struct vcpu_hw *v, const struct vcpu_vapic *s);
};

struct cpuinfo;

/* The back-end for this machine, or NULL when the CPU can do neither
 * (the reason is logged). */
const struct vcpu_ops *virt_probe(const struct cpuinfo *ci);

/* Enable on every online CPU; logs "hv: virt <name> <features> on n/m
 * cpus". Returns the number of CPUs that succeeded. */
unsigned virt_enable_all(const struct vcpu_ops *ops);

/* Has this CPU enabled virtualization? */
bool virt_cpu_ready(unsigned cpu);

extern const struct vcpu_ops svm_ops;
extern const struct vcpu_ops vmx_ops;

#endif
