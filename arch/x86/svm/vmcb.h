/* SPDX-License-Identifier: MIT */
/*
 * The AMD Virtual Machine Control Block, AMD APM Vol. 2 Appendix B (Table
 * B-1 control area at 0x000, Table B-2 state save area at 0x400), and the
 * #VMEXIT codes of Appendix C. Field names follow the manual.
 */
#ifndef ARCH_X86_SVM_VMCB_H
#define ARCH_X86_SVM_VMCB_H

#include "kernel/types.h"

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;   /* 000h: reads 15:0, writes 31:16 */
	u32 intercept_dr;   /* 004h */
	u32 intercept_exc;  /* 008h */
	u32 intercept1;     /* 00Ch */
	u32 intercept2;     /* 010h */
	u32 intercept3;     /* 014h */
	u8 reserved1[0x3c - 0x18];
	u16 pause_filter_thresh; /* 03Ch */
	u16 pause_filter_count;  /* 03Eh */
	u64 iopm_base_pa;   /* 040h */
	u64 msrpm_base_pa;  /* 048h */
	u64 tsc_offset;     /* 050h */
	u32 guest_asid;     /* 058h */
	u8 tlb_control;     /* 05Ch */
	u8 reserved2[3];
	u64 vintr;          /* 060h: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	u64 interrupt_shadow; /* 068h */
	u64 exitcode;       /* 070h */
	u64 exitinfo1;      /* 078h */
	u64 exitinfo2;      /* 080h */
	u64 exitintinfo;    /* 088h */
	u64 np_enable;      /* 090h */
	u64 avic_apic_bar;  /* 098h */
	u64 ghcb_pa;        /* 0A0h */
	u64 eventinj;       /* 0A8h */
	u64 n_cr3;          /* 0B0h */
	u64 lbr_virt;       /* 0B8h */
	u32 clean_bits;     /* 0C0h */
	u32 reserved3;
	u64 next_rip;       /* 0C8h */
	u8 insn_fetched;    /* 0D0h */
	u8 insn_bytes[15];  /* 0D1h */
	u8 reserved4[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 400h */
	u8 reserved1[0x4cb - 0x4a0];
	u8 cpl;             /* 4CBh */
	u32 reserved2;
	u64 efer;           /* 4D0h */
	u8 reserved3[0x548 - 0x4d8];
	u64 cr4;            /* 548h */
	u64 cr3;            /* 550h */
	u64 cr0;            /* 558h */
	u64 dr7;            /* 560h */
	u64 dr6;            /* 568h */
	u64 rflags;         /* 570h */
	u64 rip;            /* 578h */
	u8 reserved4[0x5d8 - 0x580];
	u64 rsp;            /* 5D8h */
	u8 reserved5[0x5f8 - 0x5e0];
	u64 rax;            /* 5F8h */
	u64 star;           /* 600h */
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base; /* 620h */
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip;
	u64 cr2;            /* 640h */
	u8 reserved6[0x668 - 0x648];
	u64 g_pat;          /* 668h */
};

/* Natural alignment gives the manual's offsets; the asserts check it. */
struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

BUILD_ASSERT(sizeof(struct vmcb_seg) == 16);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.iopm_base_pa) == 0x40);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.guest_asid) == 0x58);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.exitcode) == 0x70);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.eventinj) == 0xa8);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.n_cr3) == 0xb0);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.es) == 0x400);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.tr) == 0x490);

BUILD_ASSERT(__builtin_offsetof(struct vmcb, control.next_rip) == 0xc8);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.rip) == 0x578);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.cr2) == 0x640);
BUILD_ASSERT(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668);

/* intercept_cr (000h): writes of CRn are bit 16 + n */
#define SVM_INTERCEPT_CR4_WRITE (1u << 20)
#define SVM_INTERCEPT_CR8_READ (1u << 8)
#define SVM_INTERCEPT_CR8_WRITE (1u << 24)

/* intercept_dr (004h): reads of DRn are bit n, writes bit 16 + n */
#define SVM_INTERCEPT_DR0_7 0x00ff00ffu

/* intercept1 (00Ch) */
#define SVM_INTERCEPT_INTR (1u << 0)
#define SVM_INTERCEPT_NMI (1u << 1)
#define SVM_INTERCEPT_SMI (1u << 2)
#define SVM_INTERCEPT_INIT (1u << 3)
#define SVM_INTERCEPT_VINTR (1u << 4)
#define SVM_INTERCEPT_RDPMC (1u << 15)
#define SVM_INTERCEPT_CPUID (1u << 18)
#define SVM_INTERCEPT_IRET (1u << 20)
#define SVM_INTERCEPT_INTN (1u << 21)
#define SVM_INTERCEPT_INVD (1u << 22)
#define SVM_INTERCEPT_PAUSE (1u << 23)
#define SVM_INTERCEPT_HLT (1u << 24)
#define SVM_INTERCEPT_IOIO (1u << 27)
#define SVM_INTERCEPT_MSR (1u << 28)
#define SVM_INTERCEPT_TASK_SWITCH (1u << 29)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
/* intercept2 (010h) */
#define SVM_INTERCEPT_VMRUN (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD (1u << 2)
#define SVM_INTERCEPT_VMSAVE (1u << 3)
#define SVM_INTERCEPT_STGI (1u << 4)
#define SVM_INTERCEPT_CLGI (1u << 5)
#define SVM_INTERCEPT_SKINIT (1u << 6)
#define SVM_INTERCEPT_WBINVD (1u << 9)
#define SVM_INTERCEPT_MONITOR (1u << 10)
#define SVM_INTERCEPT_MWAIT (1u << 11)
#define SVM_INTERCEPT_XSETBV (1u << 13)

/* vintr (060h) */
#define SVM_VINTR_V_IRQ (1ULL << 8)
#define SVM_VINTR_IGN_TPR (1ULL << 20)
#define SVM_VINTR_MASKING (1ULL << 24)

/* eventinj (0A8h) */
#define SVM_EVTINJ_VALID (1ULL << 31)
#define SVM_EVTINJ_EV (1ULL << 11)

/* #VMEXIT codes, APM Vol. 2 Appendix C */
#define SVM_EXIT_CR0_READ 0x00
#define SVM_EXIT_CR0_WRITE 0x10
#define SVM_EXIT_CR4_WRITE 0x14
#define SVM_EXIT_CR8_READ 0x08
#define SVM_EXIT_CR8_WRITE 0x18
#define SVM_EXIT_DR0_READ 0x20
#define SVM_EXIT_DR0_WRITE 0x30
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_SMI 0x62
#define SVM_EXIT_INIT 0x63
#define SVM_EXIT_VINTR 0x64
#define SVM_EXIT_RDPMC 0x6f
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_IRET 0x74
#define SVM_EXIT_SWINT 0x75
#define SVM_EXIT_INVD 0x76
#define SVM_EXIT_PAUSE 0x77
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_INVLPG 0x79
#define SVM_EXIT_IOIO 0x7b
#define SVM_EXIT_MSR 0x7c
#define SVM_EXIT_TASK_SWITCH 0x7d
#define SVM_EXIT_SHUTDOWN 0x7f
#define SVM_EXIT_VMRUN 0x80
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_VMLOAD 0x82
#define SVM_EXIT_VMSAVE 0x83
#define SVM_EXIT_STGI 0x84
#define SVM_EXIT_CLGI 0x85
#define SVM_EXIT_SKINIT 0x86
#define SVM_EXIT_WBINVD 0x89
#define SVM_EXIT_MONITOR 0x8a
#define SVM_EXIT_MWAIT 0x8b
#define SVM_EXIT_MWAIT_COND 0x8c
#define SVM_EXIT_XSETBV 0x8d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffffffffffULL

#define MSR_VM_HSAVE_PA 0xc0010117

/*
 * The VMRUN consistency checks of APM Vol. 2 §15.5.1 on @vm's guest
 * state and controls: the name of the first one @vm fails, or NULL.
 * For the log when VMRUN exits with VMEXIT_INVALID (svm_check.c).
 */
const char *svm_check_vmcb(const struct vmcb *vm);

/*
 * True when the guest state @vm holds after a #VMEXIT is the host's own:
 * RIP @resume_rip (the instruction after the host's VMRUN) and CR3
 * @host_cr3, what the CPU keeps in the host save area (§15.5.1). No guest
 * can be there (it would run the hypervisor's code through its page
 * tables); it means the #VMEXIT lost the guest's state (svm_check.c).
 */
bool svm_vmcb_holds_host_state(const struct vmcb *vm, u64 resume_rip, u64 host_cr3);

#endif
