/* SPDX-License-Identifier: MIT */
/*
 * Virtual CPUs and their run loop: handle requests -> enter the guest ->
 * count the exit -> dispatch it through the exit table -> advance RIP or
 * not -> loop. Field owners: (c) set at creation; (o) the owning physical
 * CPU only; (a) atomic, any CPU.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include "arch/x86/cpu.h"
#include "arch/x86/virt.h"
#include "kernel/types.h"
#include "vmm/dev/vlapic.h"
#include "vmm/gwalk.h"
#include "vmm/mmio.h"
#include "vmm/trace.h"

struct vm;

/* Request bits (cross-CPU work: set the bit, then kick the CPU). */
#define VCPU_REQ_STOP (1u << 0)
#define VCPU_REQ_INTR (1u << 1) /* check for pending interrupts */
#define VCPU_REQ_INIT (1u << 2) /* INIT IPI: reset, wait for SIPI */
#define VCPU_REQ_SIPI (1u << 3) /* STARTUP IPI, vector in sipi_vector */
#define VCPU_REQ_NMI (1u << 4)
#define VCPU_REQ_TIMERS (1u << 5) /* a timed device was reprogrammed */
#define VCPU_REQ_DUMP (1u << 6)   /* print its state on the log (Ctrl-T) */
#define VCPU_REQ_RESET (1u << 7)  /* platform reset (vm_request_reset) */
#define VCPU_REQ_SNAP (1u << 8)   /* fill snap (the monitor's regs) */
#define VCPU_REQ_EXITS_RESET (1u << 9) /* zero exits[], exit_ticks[] */
#define VCPU_REQ_DEVPOLL (1u << 10) /* vCPU 0: device input waits (virtio_guest_poll) */
#define VCPU_REQ_DEBUG (1u << 11) /* the GDB stub's staged work (gdb_target_vcpu) */
#define VCPU_REQ_S2FLUSH (1u << 12) /* stage 2 lost a mapping (vm_unmap_mmio) */

/* A vCPU's registers as the monitor shows them (vcpu_snapshot). */
struct vcpu_snap {
	u64 gprs[NR_GPRS];
	u64 regs[NR_REGS];
	struct segment segs[NR_SEGS];
	bool halted, wait_sipi;
	int irr_top, isr_top; /* highest vector requested / in service, -1 none */
	u32 tpr;
	u64 gva;            /* in: a linear address to translate, ... */
	bool gva_ok;        /* ... out: whether it is mapped, ... */
	u64 gpa;            /* ... and to what (gwalk_translate) */
};

/* Why a sleeping vCPU cannot run by itself (vcpu.stuck). */
#define VCPU_STUCK_SIPI (1u << 0)     /* waiting for a STARTUP IPI */
#define VCPU_STUCK_HLT_CLI (1u << 1)  /* HLT with RFLAGS.IF = 0 */

/* A guest CPUID answer kept for the next exit asking the same (exit_cpuid.c). */
#define CPUID_CACHE_SIZE 16
struct cpuid_cached {
	u32 leaf, sub;
	u32 key;                  /* the guest state it was computed under; 0 = empty */
	struct cpuid_regs r;
};

/* A guest page instructions were fetched from (insn.c); a vCPU keeps
 * CODE_TLB_SIZE, one per RIP page modulo that (code_tlb_entry(), vm
 * exits come from a few code pages in turn: the guest's loop and its
 * interrupt handler, say). */
#define CODE_TLB_SIZE 4
struct code_tlb {
	const u8 *host;           /* that page in the host; NULL: none */
	u64 lin_page;             /* its linear address */
	u64 cs_base;              /* CS as it was then */
	u16 cs_attr;
	int mode;                 /* the code mode they gave */
	struct gwalk_memo tr;     /* the translation and what it came from */
} __attribute__((aligned(256))); /* a power of two: indexed by a shift */

struct bus_region;

struct vcpu {
	struct vcpu_hw hw;        /* (o) must stay first */
	struct vm *vm;            /* (c) */
	u32 id;                   /* (c) index in the VM */
	u32 pcpu;                 /* (c) physical CPU it runs on */
	volatile u32 requests;    /* (a) VCPU_REQ_* */
	bool halted;              /* (o) in HLT, waiting for an interrupt */
	bool wait_sipi;           /* (o) after INIT, until a SIPI */
	bool intr_window;         /* (o) the interrupt-window exit was last asked on
				     (vcpu.c intr_window) */
	bool stepping;            /* (o) the debugger's single step is on
				     (gdb_target.c): interrupts wait for its end */
	bool vapic;               /* (o) APIC virtualization is on: the CPU
				     delivers the local APIC's interrupts
				     (vcpu.c, vapic_sync) */
	bool vapic_said;          /* (o) ... and the log said so */
	bool quiet;               /* (o) the last pending-event pass found no
				     interrupt to deliver or wait for
				     (vcpu.c deliver_interrupts) */
	u32 double_faults;        /* (o) the guest's, seen (exit.c) */
	u32 stuck;                /* (o) writes under vm->lock, any vCPU of the
				     VM reads under it: VCPU_STUCK_* while it
				     sleeps unable to wake itself, else 0 */
	u64 exits[NR_EXIT_CODES]; /* (o) exits by code */
	u64 exits_total;          /* (o) */
	u64 pio_unclaimed;        /* (o) I/O to ports nobody registered */
	u64 msr_refused;          /* (o) MSR accesses answered with #GP */
	bool fast_strings_off;    /* (o) IA32_MISC_ENABLE[0] cleared by the guest */
	u64 spec_ctrl;            /* (o) IA32_SPEC_CTRL as the guest wrote it */
	volatile u8 sipi_vector;  /* (a) written before VCPU_REQ_SIPI */
	u64 dev_deadline;         /* (o) vCPU 0: next device timer event */
	bool dev_poll;            /* (o) vCPU 0: devices must be polled */
	struct vlapic lapic;      /* field rules in vmm/dev/vlapic.h */
	struct exit_trace trace;  /* (o) the last exits (vmm/trace.h) */
	u64 exit_ticks[NR_EXIT_CODES]; /* (o) TSC ticks in the sampled handler runs */
	u32 exit_samples[NR_EXIT_CODES]; /* (o) handler runs timed: 1 in EXIT_COST_SAMPLE */
	u64 pvclock_msr;          /* (o) MSR_KVM_SYSTEM_TIME_NEW as written (pvclock.c) */
	u64 pvclock_wall_msr;     /* (o) MSR_KVM_WALL_CLOCK_NEW as written */
	u32 pvclock_version;      /* (o) of the areas it last wrote */
	volatile bool paused;     /* (a) the monitor's pause: no guest entry */
	struct vcpu_snap snap;    /* (o) filled on VCPU_REQ_SNAP, then ... */
	volatile u32 snap_seq;    /* (a) ... bumped */
	struct cpuid_cached cpuid_cache[CPUID_CACHE_SIZE]; /* (o) exit_cpuid.c */
	struct code_tlb code_tlb[CODE_TLB_SIZE]; /* (o) insn.c vcpu_code_bytes */
	struct mmio_memo mmio_memo; /* (o) mmio.c */
	const struct bus_region *mmio_hint; /* (o) mmio.c: the MMIO region it hit last */
};

static inline struct vcpu *vcpu_of(struct vcpu_hw *hw)
{
	return (struct vcpu *)hw;
}

/* Registers: general ones from hw.gprs, the rest through the back-end. */
u64 vcpu_gpr(struct vcpu *v, unsigned gpr);
void vcpu_set_gpr(struct vcpu *v, unsigned gpr, u64 val);
u64 vcpu_reg(struct vcpu *v, enum vcpu_reg r);
void vcpu_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val);

/* Queue an exception for the guest (e.g. #GP(0) for a refused MSR). */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);

/* Fill v->snap and bump v->snap_seq; on @v's own CPU only. */
void vcpu_snapshot(struct vcpu *v);

/* Ask @v to do @req before its next entry, waking its CPU. */
void vcpu_request(struct vcpu *v, u32 req);

/* An IPI of delivery @mode (SDM Table 11-? ICR: 0 fixed, 4 NMI, 5 INIT,
 * 6 STARTUP) with @vector arrives at @v. */
void vcpu_deliver_ipi(struct vcpu *v, u32 mode, u8 vector);

/* The vCPU running on this physical CPU (NULL outside a vCPU loop). */
struct vcpu *vcpu_current(void);

/* vCPU 0, on its CPU: the VM's boot state (vm->boot), and the time of
 * this boot's first instruction (vm->boot_tsc). At start and at reset. */
void vcpu_boot(struct vcpu *v);

/* The loop; returns when the VM stops. Runs on v->pcpu. */
void vcpu_run(struct vcpu *v);

/* APIC virtualization where the CPU has it (hv's command line apicv=off:
 * not used); set before the vCPUs start. */
extern bool vcpu_vapic_allowed;

#endif
