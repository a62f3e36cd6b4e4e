/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC of one vCPU (Intel SDM Vol. 3A ch. 11): ID,
 * version, TPR/PPR, EOI, SVR, ISR/IRR/TMR, ICR (fixed, NMI, INIT and
 * STARTUP IPIs), LVT and the timer (one-shot, periodic, TSC deadline). The
 * timer counts at a virtual bus clock of VLAPIC_BUS_KHZ. Registers are
 * reached through MMIO at 0xFEE00000 in xAPIC mode and through MSRs in
 * x2APIC mode; IA32_APIC_BASE moves it between xAPIC, x2APIC and disabled
 * (§11.12.5). Delivery to other vCPUs goes through request bits
 * (vcpu_request). Under APIC virtualization (vcpu.c, vapic_sync) the
 * owner's CPU itself reads and writes the page's IRR, ISR, TPR and PPR
 * while the guest runs (SDM Vol. 3C ch. 30): the owner's side of the
 * rules below.
 *
 * Who touches what. The owner is the vCPU whose lapic this is, on its
 * physical CPU; other CPUs (sibling vCPUs sending IPIs, device models
 * raising I/O APIC messages) only raise interrupts:
 *   (c)  set once by vlapic_init() at creation, read-only afterwards;
 *   (a)  any CPU, only with atomic read-modify-writes (lock or/and on the
 *        32-bit word) and atomic loads, never a plain store: TMR,
 *        @posted and @posted_words. Other CPUs write them in vlapic_raise_level() under
 *        @lock; the owner takes @posted into IRR (vlapic_pending()) with
 *        an atomic exchange per word;
 *   (oa) IRR: written by the owner only (its timer, the posted vectors
 *        taken in, acceptance), with atomics; read by others for state
 *        dumps. Raisers never write it: under APIC virtualization the CPU
 *        updates it in the page too, without atomics, while the guest
 *        runs (SDM Vol. 3C §30.2), so a raise goes to @posted (the
 *        posted-interrupt requests of §30.6, kept in software) and comes
 *        with VCPU_REQ_INTR;
 *   (l)  written by the owner under @lock (an atomic store), read by
 *        raisers under it and by IPI senders with an atomic load: enabled
 *        (a raise to a disabled APIC is dropped, §11.4.3);
 *   (or) written by the owner only; other CPUs read them without a lock
 *        to match destinations (one aligned word each: a stale value is a
 *        message that crossed the reprogramming on the bus): id, the
 *        LDR and DFR words of the page, x2apic;
 *   (o)  the owner only: everything else.
 * @lock makes a raise (TMR then IRR) land wholly before or wholly after
 * a reset of the registers; it is initialized once and never again.
 */
#ifndef VMM_DEV_VLAPIC_H
#define VMM_DEV_VLAPIC_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define VLAPIC_BASE 0xfee00000ULL
#define VLAPIC_BUS_KHZ 100000 /* 100 MHz: one count per 10 ns */

/* Register offsets in the APIC page (SDM Vol. 3A Table 11-1). */
#define VLAPIC_ID 0x20
#define VLAPIC_VER 0x30
#define VLAPIC_TPR 0x80
#define VLAPIC_APR 0x90
#define VLAPIC_PPR 0xa0
#define VLAPIC_EOI 0xb0
#define VLAPIC_LDR 0xd0
#define VLAPIC_DFR 0xe0
#define VLAPIC_SVR 0xf0
#define VLAPIC_ISR 0x100
#define VLAPIC_TMR 0x180
#define VLAPIC_IRR 0x200
#define VLAPIC_ESR 0x280
#define VLAPIC_ICR_LO 0x300
#define VLAPIC_ICR_HI 0x310
#define VLAPIC_LVT_TIMER 0x320
#define VLAPIC_LVT_LINT0 0x350
#define VLAPIC_LVT_ERROR 0x370
#define VLAPIC_TIMER_INIT 0x380
#define VLAPIC_TIMER_CUR 0x390
#define VLAPIC_TIMER_DIV 0x3e0
#define VLAPIC_SELF_IPI 0x3f0 /* x2APIC only */

struct vcpu;

struct vlapic {
	/* The registers where the APIC page has them (Table 11-1): 32 bits
	 * at the start of each 16-byte slot, the bitmaps' eight words one
	 * slot apart. Stored: TPR, LDR and DFR (or), SVR, ESR, ICR high, the
	 * LVT, the timer's initial count and divide configuration, ISR (o),
	 * TMR (a) and IRR (oa); in x2APIC mode also what its RDMSR returns
	 * (vapic_page_read(), arch/x86/virt.h: the 8 bytes at each offset):
	 * ID, version and the derived LDR, the 64-bit ICR at 0x300, and PPR
	 * as of the last entry under APIC virtualization (o). Page-aligned in
	 * the layout of VMX's virtual-APIC page and AVIC's backing page, which
	 * APIC virtualization can map. */
	u32 page[1024] __attribute__((aligned(4096)));
	u32 posted[8];       /* (a) vectors raised, not yet in IRR */
	u32 posted_words;    /* (a) bit i: posted[i] may be non-zero (set
				after the word, taken before it) */
	spinlock_t lock;     /* (c) see above */
	u32 id;              /* (c) the APIC ID, also the x2APIC ID */
	u64 timer_start;     /* (o) TSC when the count was loaded */
	u64 timer_deadline;  /* (o) TSC at which it fires next, 0 = idle */
	bool enabled;        /* (l) IA32_APIC_BASE.EN */
	bool x2apic;         /* (or) x2APIC mode (IA32_APIC_BASE.EXTD) */
	bool changed;        /* (o) a register write since the owner's last
				pass over pending events and timers (vcpu.c):
				an EOI or TPR write may have made an
				interrupt deliverable, a timer write moved its
				deadline, so the next entry may not skip it */
	/* Paravirtual EOI (vlapic_pv_eoi_*): the guest's flag word, a host
	 * address inside its RAM checked when the MSR was written (NULL:
	 * off), the MSR as written, and whether bit 0 of the word was set
	 * by vlapic_pv_eoi_arm() and not looked at since. */
	u32 *pv_eoi;         /* (o) */
	u64 pv_eoi_msr;      /* (o) */
	bool pv_eoi_armed;   /* (o) */
	u64 pv_eois;         /* (o) EOIs the guest did by clearing the bit */
};

/* A register of @l by its offset (VLAPIC_*), for readers outside. */
static inline u32 vlapic_reg(const struct vlapic *l, u32 offset)
{
	return __atomic_load_n(&l->page[offset >> 2], __ATOMIC_RELAXED);
}

/* Once, at creation, before any other CPU can see @l: the lock and the
 * power-up state (xAPIC mode, enabled) with APIC ID @id. */
void vlapic_init(struct vlapic *l, u32 id);

/*
 * The owner, on INIT (@power_on false) or a platform reset (true): the
 * registers go back to their power-up values (§11.4.7.1), under the lock,
 * which stays as it is: another CPU may hold it. INIT keeps the mode
 * (xAPIC, x2APIC or disabled, §11.12.5.1); a reset returns to xAPIC.
 */
void vlapic_reset(struct vlapic *l, bool power_on);

/*
 * IA32_APIC_BASE (§11.4.4, Figure 11-5; the transitions of §11.12.5,
 * Figure "Local x2APIC State Transitions"). The base address is fixed at
 * VLAPIC_BASE; BSP (bit 8) says whether this is vCPU 0 (@bsp).
 */
u64 vlapic_base_read(const struct vlapic *l, bool bsp);

/*
 * A write to IA32_APIC_BASE by the owner. False (the WRMSR raises #GP):
 * reserved bits set, EXTD=1 with EN=0 (invalid), x2APIC -> xAPIC without
 * going through disabled, disabled -> x2APIC, or a new base address (the
 * page is not relocatable, see vlapic.c). EN=0 disables the APIC: its
 * registers reset, nothing is delivered to it, its MMIO page reads
 * all-ones and drops writes. The BSP bit is read-only here.
 */
bool vlapic_base_write(struct vlapic *l, u64 val, bool bsp);

/*
 * x2APIC MSRs 0x800-0x8FF (SDM Vol. 3A §11.12.1, Table 11-6) and
 * IA32_TSC_DEADLINE (0x6E0, §11.5.4.1). False: the access raises #GP (not
 * in x2APIC mode, a read-only or absent register, a reserved value).
 */
bool vlapic_msr_read(struct vcpu *v, u32 msr, u64 *val);
bool vlapic_msr_write(struct vcpu *v, u32 msr, u64 val);
bool vlapic_tsc_deadline_read(struct vlapic *l, u64 *val);
bool vlapic_tsc_deadline_write(struct vlapic *l, u64 val);

/* APIC virtualization (struct vcpu_vapic, arch/x86/virt.h): the owner,
 * before an entry, fills in what the CPU needs besides the page: RVI and
 * SVI from IRR (posted vectors taken in; 0 while the APIC is software-
 * disabled) and ISR, the EOI-exit bitmap from TMR. */
struct vcpu_vapic;
void vlapic_vapic_state(struct vlapic *l, struct vcpu_vapic *s);

/* The CPU ended @vector in ISR at the guest's EOI and exited because its
 * EOI-exit bit was set: the broadcast of a level-triggered one. */
void vlapic_eoi_exited(struct vcpu *v, u8 vector);

/* CR8 (SDM Vol. 3A §10.8.6.1): TPR bits 7:4. A write with bits 63:4 set
 * is refused (#GP); it clears TPR bits 3:0. */
u64 vlapic_cr8_read(const struct vlapic *l);
bool vlapic_cr8_write(struct vcpu *v, u64 val);

/* MMIO callbacks; @dev is the struct vm, the vCPU is the current one. In
 * x2APIC mode or disabled, the page acts as absent (§11.12.1.2). */
u64 vlapic_mmio_read(void *dev, u64 offset, unsigned size);
void vlapic_mmio_write(void *dev, u64 offset, unsigned size, u64 val);

/* Is @dest (ICR or I/O APIC destination field) this APIC, in physical
 * or logical (@logical) destination mode? A disabled APIC matches none. */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical);

/* Raise @vector in @v's IRR and make it look (any CPU may call this).
 * Dropped when @v's APIC is disabled. */
void vlapic_raise(struct vcpu *v, u8 vector);

/*
 * The same for an interrupt of a given trigger mode: the vector's TMR bit
 * is set for a level-triggered one and cleared for an edge (SDM Vol. 3A
 * §11.8.4). When the guest EOIs a vector whose TMR bit is set, the local
 * APIC broadcasts the EOI to the I/O APICs (§11.8.5) by calling
 * vm_eoi_broadcast(), which the VM's interrupt wiring (vmm/irq.c) defines.
 */
void vlapic_raise_level(struct vcpu *v, u8 vector, bool level);

struct vm;
void vm_eoi_broadcast(struct vm *vm, u8 vector);

/* The owner, before entry: fire an expired timer (IRR set atomically).
 * Returns the TSC deadline of the next timer event or 0. */
u64 vlapic_timer_poll(struct vlapic *l);

/* The owner: the vector to deliver now (IRR above PPR), or -1, after
 * taking the posted vectors into IRR. */
int vlapic_pending(struct vlapic *l);

/* Highest vector set in IRR / ISR, or -1 (for state dumps). */
int vlapic_highest_irr(const struct vlapic *l);
int vlapic_highest_isr(const struct vlapic *l);

/* The owner: the CPU took @vector: move it from IRR (atomically) to ISR. */
void vlapic_accept(struct vlapic *l, int vector);

/*
 * Paravirtual EOI, the KVM interface Linux uses when CPUID 0x40000101
 * EAX bit 6 (VLAPIC_PV_EOI_FEATURE) offers it (Linux's
 * Documentation/virt/kvm/x86/msr.rst, MSR_KVM_PV_EOI_EN): the guest
 * writes the guest-physical address of a 4-byte word with bit 0 set
 * (enable) to MSR 0x4B564D04. When the hypervisor has set bit 0 of that
 * word, the guest may signal its next EOI by clearing the bit (one
 * instruction, test-and-clear) instead of writing the EOI register: no
 * exit. The hypervisor touches the bit only while the vCPU is out of the
 * guest: it sets it before an entry when an EOI can wait (something is
 * in service, edge-triggered, and nothing waits in IRR: KVM's rule), and
 * looks at it again (settle) before it next reads or changes the APIC's
 * state for the guest: at the top of the run loop's pass and at every
 * guest access to the APIC's registers. A cleared bit is then the EOI,
 * done late but before anything it could have changed is looked at; a
 * set one is cleared (the guest's next EOI writes the register).
 */
#define VLAPIC_MSR_PV_EOI 0x4b564d04
#define VLAPIC_PV_EOI_FEATURE (1u << 6)

/* The MSR (the owner, from its WRMSR/RDMSR exits). False (#GP): bit 1
 * (reserved) set, or enabled with a word that is not in guest RAM. */
bool vlapic_pv_eoi_write(struct vcpu *v, u64 val);
u64 vlapic_pv_eoi_read(const struct vlapic *l);

void vlapic_pv_eoi_settle_armed(struct vcpu *v, struct vlapic *l);

/* The owner: take the guest's answer to an armed flag (see above). */
static inline void vlapic_pv_eoi_settle(struct vcpu *v, struct vlapic *l)
{
	if (l->pv_eoi_armed)
		vlapic_pv_eoi_settle_armed(v, l);
}

void vlapic_pv_eoi_try_arm(struct vlapic *l);

/* The owner, just before an entry: set the flag when an EOI can wait. */
static inline void vlapic_pv_eoi_arm(struct vlapic *l)
{
	if (l->pv_eoi && !l->pv_eoi_armed)
		vlapic_pv_eoi_try_arm(l);
}

#endif
